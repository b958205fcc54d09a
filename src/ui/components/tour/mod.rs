//! The guided tour of the AI Agents & API page: a spotlight over the real page, one step at a
//! time, with a popover that explains the highlighted part.
//!
//! Our own component rather than a wrapper around Shepherd, Driver.js or Intro.js: the page's
//! Content-Security-Policy runs only scripts that carry its nonce, the tour adds no second JS
//! bundle, its state lives in the same signals as the page it drives, and the step text comes
//! from the plan rules the create form uses ([`PlanAccess`]), so a Nano owner hears about Nano.
//!
//! The layer is a native `<dialog>` opened with `showModal()`: it sits in the browser's top layer
//! (above the create dialog, which it raises itself over when it opens it), keeps focus inside,
//! and makes the page behind inert. Its keys are read on the whole window, so Escape closes the
//! tour (and the create dialog it opened) even in the moment that dialog is still on top.
//!
//! [`steps`] holds what each stop says, [`placement`] where the popover goes; this module runs the
//! tour in the browser.

/// Where the popover goes.
pub mod placement;
/// The stops and their text.
pub mod steps;

pub use placement::{place_popover, Rect, Side};
pub use steps::{scopes_text, steps, Fallback, Step, Tab};

use crate::api::session::FinishTour;
use crate::domain::plan::PlanAccess;
use crate::ui::components::common::{BUTTON_PRIMARY, BUTTON_SECONDARY};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The `data-tour` attribute that marks what a step may point at.
const TARGET_ATTRIBUTE: &str = "data-tour";
/// Set on the element(s) a step is highlighting right now.
const HIGHLIGHT_ATTRIBUTE: &str = "data-tour-highlighted";
/// How long a step waits for its target (a tab loading, the dialog opening) before it gives up
/// and shows a centered popover.
const TARGET_TIMEOUT_MS: f64 = 4_000.0;
/// Room between the highlighted element and the spotlight's edge.
const SPOTLIGHT_PADDING: f64 = 6.0;

const TITLE_ID: &str = "tour-title";
const BODY_ID: &str = "tour-body";

/// What the current step points at, once the page is ready.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Spot {
    /// Still opening the dialog, switching tabs or waiting for the list.
    Pending,
    /// These `data-tour` targets, highlighted together; `fallback` when it is the fallback target.
    Elements {
        names: Vec<&'static str>,
        fallback: bool,
    },
    /// No target: a centered popover, with the fallback text when the step has one.
    Centered { fallback: bool },
}

impl Spot {
    fn uses_fallback(&self) -> bool {
        matches!(
            self,
            Spot::Elements { fallback: true, .. } | Spot::Centered { fallback: true }
        )
    }
}

/// Where the spotlight and the popover are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
struct Layout {
    /// The spotlight's cut-out; `None` dims the whole page (centered steps).
    hole: Option<Rect>,
    /// The popover's top-left corner; `None` until it has been measured (it stays invisible).
    popover: Option<(f64, f64)>,
}

/// Where the tour started, to put the page back when it ends.
#[derive(Clone, Debug)]
struct Origin {
    url: String,
    scroll_y: f64,
}

/// The tour's state, shared through context by the Guide button, the invitation, the overlay and
/// the Tokens page (which lends it the create dialog).
#[derive(Clone, Copy)]
pub struct Tour {
    steps: StoredValue<Vec<Step>>,
    /// The step on screen; `None` while the tour is closed.
    step: RwSignal<Option<usize>>,
    spot: RwSignal<Spot>,
    layout: RwSignal<Layout>,
    /// The first-time invitation is showing.
    invited: RwSignal<bool>,
    /// The server already knows this user finished or dismissed the tour.
    done_recorded: StoredValue<bool>,
    /// The Tokens page's "create dialog open" signal, while that page is mounted.
    create_dialog: RwSignal<Option<RwSignal<bool>>>,
    guide_button: NodeRef<html::Button>,
    dialog: NodeRef<html::Dialog>,
    popover: NodeRef<html::Div>,
    primary_button: NodeRef<html::Button>,
    finish: ServerAction<FinishTour>,
    origin: StoredValue<Option<Origin>>,
    /// Bumped on every step change, so a slower preparation of an earlier step gives up.
    generation: StoredValue<u64>,
    /// The popover is at rest beside the current target. Until then it ignores the pointer: a
    /// press that starts on Next while the popover slides would end elsewhere and be lost (the
    /// browser sends the click to a common ancestor), so the press must wait for it to settle.
    settled: RwSignal<bool>,
    /// When `reposition` last moved the popover or the spotlight (ms since the epoch).
    moved_at: StoredValue<f64>,
    /// The tour opened the create dialog above itself and must raise itself again; kept on the
    /// tour, not in one `prepare` run, so a step skipped within a frame cannot lose it.
    raise_pending: StoredValue<bool>,
    /// Visits a tab without a history entry and without scrolling: the tour leaves no trail
    /// behind the Back button.
    navigate: Callback<String>,
}

/// Sets up the tour for an owner of an account with `access`; `tour_done` is what the server
/// remembers. Call once, in the layout around both tabs.
pub fn provide_tour(access: PlanAccess, tour_done: bool) -> Tour {
    let navigate = use_navigate();
    let navigate = Callback::new(move |url: String| {
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        )
    });
    let tour = Tour {
        steps: StoredValue::new(steps(access)),
        step: RwSignal::new(None),
        spot: RwSignal::new(Spot::Pending),
        layout: RwSignal::new(Layout::default()),
        invited: RwSignal::new(!tour_done),
        done_recorded: StoredValue::new(tour_done),
        create_dialog: RwSignal::new(None),
        guide_button: NodeRef::new(),
        dialog: NodeRef::new(),
        popover: NodeRef::new(),
        primary_button: NodeRef::new(),
        finish: ServerAction::new(),
        origin: StoredValue::new(None),
        generation: StoredValue::new(0),
        settled: RwSignal::new(false),
        moved_at: StoredValue::new(0.0),
        raise_pending: StoredValue::new(false),
        navigate,
    };
    provide_context(tour);
    tour
}

/// Lets the tour open and close the Tokens page's create dialog while that page is mounted.
pub fn register_create_dialog(open: RwSignal<bool>) {
    let Some(tour) = use_context::<Tour>() else {
        return;
    };
    tour.create_dialog.set(Some(open));
    on_cleanup(move || {
        tour.create_dialog.try_update(|slot| {
            if *slot == Some(open) {
                *slot = None;
            }
        });
    });
}

impl Tour {
    fn step_count(self) -> usize {
        self.steps.with_value(Vec::len)
    }

    /// Opens the tour at its first step.
    pub fn start(self) {
        if self.step.get_untracked().is_some() {
            return;
        }
        let Some(window) = web_sys::window() else {
            return;
        };
        self.origin.set_value(Some(Origin {
            url: current_url(),
            scroll_y: window.scroll_y().unwrap_or(0.0),
        }));
        self.invited.set(false);
        self.layout.set(Layout::default());
        PageWatch::set(PageWatch::start(self));
        if let Some(dialog) = self.dialog.get_untracked() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        }
        self.show(0);
    }

    fn next(self) {
        match self.step.get_untracked() {
            Some(index) if index + 1 < self.step_count() => self.show(index + 1),
            Some(_) => self.end(),
            None => {}
        }
    }

    fn back(self) {
        if let Some(index) = self.step.get_untracked().filter(|index| *index > 0) {
            self.show(index - 1);
        }
    }

    fn show(self, index: usize) {
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        clear_highlight();
        self.step.set(Some(index));
        self.spot.set(Spot::Pending);
        self.settled.set(false);
        spawn_local(self.prepare(index, generation));
    }

    fn is_current(self, generation: u64) -> bool {
        self.generation.try_get_value() == Some(generation)
            && self.step.try_get_untracked().flatten().is_some()
    }

    /// Puts the page in the state the step needs (tab, create dialog), waits for its target,
    /// highlights it and places the popover.
    async fn prepare(self, index: usize, generation: u64) {
        let Some(step) = self.steps.with_value(|steps| steps.get(index).cloned()) else {
            return;
        };
        if let Some(url) = self.url_for(step.tab) {
            self.navigate.run(url);
        }
        let started = js_sys::Date::now();
        let spot = loop {
            // Applied every frame: after a tab switch the Tokens page lends its dialog a moment later.
            if self.sync_create_dialog(step.create_dialog) {
                self.raise_pending.set_value(true);
            }
            next_frame().await;
            if !self.is_current(generation) {
                return;
            }
            if let Some(spot) = find_spot(&step) {
                break spot;
            }
            if js_sys::Date::now() - started > TARGET_TIMEOUT_MS {
                break Spot::Centered {
                    fallback: step.fallback.is_some(),
                };
            }
        };
        // A dialog opened with showModal() after ours covers it: open ours again, on top.
        let opened_create_dialog = self
            .raise_pending
            .try_update_value(std::mem::take)
            .unwrap_or(false);
        if opened_create_dialog {
            if let Some(dialog) = self.dialog.get_untracked() {
                dialog.close();
                let _ = dialog.show_modal();
            }
        }
        let elements = spot_elements(&spot);
        for element in &elements {
            let _ = element.set_attribute(HIGHLIGHT_ATTRIBUTE, "");
        }
        scroll_into_view(&elements);
        self.spot.set(spot);
        // Let the popover render this step's text before measuring it.
        next_frame().await;
        if !self.is_current(generation) {
            return;
        }
        let popover = self.popover.get_untracked();
        PageWatch::observe(&elements, popover.as_ref().map(|popover| popover.as_ref()));
        self.reposition();
        self.focus_popover(opened_create_dialog);
        if self.wait_until_still(generation).await {
            self.settled.set(true);
        }
    }

    /// Waits until the popover has stopped sliding (its transition and any smooth scroll).
    /// `false` when another step took over meanwhile.
    async fn wait_until_still(self, generation: u64) -> bool {
        // Longer than the popover's 200 ms slide.
        const QUIET_MS: f64 = 250.0;
        let started = js_sys::Date::now();
        let (mut last, mut still_frames) = (None, 0);
        loop {
            next_frame().await;
            if !self.is_current(generation) {
                return false;
            }
            let Some(popover) = self.popover.get_untracked() else {
                return false;
            };
            let rect = popover.get_bounding_client_rect();
            let rect = Some((rect.left(), rect.top(), rect.width(), rect.height()));
            still_frames = if rect == last { still_frames + 1 } else { 0 };
            last = rect;
            let now = js_sys::Date::now();
            let quiet = now - self.moved_at.get_value() >= QUIET_MS;
            if (still_frames >= 2 && quiet) || now - started > TARGET_TIMEOUT_MS {
                return true;
            }
        }
    }

    /// The URL to visit for a step on `tab`, or `None` when the page is already there. Returns
    /// to the URL the tour started from when it is on that tab (keeping its filter).
    fn url_for(self, tab: Tab) -> Option<String> {
        let current = Tab::of_path(&current_path());
        if tab == Tab::Any || tab == current {
            return None;
        }
        let origin = self
            .origin
            .with_value(|origin| origin.as_ref().map(|o| o.url.clone()));
        Some(match origin {
            Some(url) if Tab::of_path(&url) == tab => url,
            _ => tab.home().to_string(),
        })
    }

    /// Opens or closes the create dialog; `true` when this call opened it.
    fn sync_create_dialog(self, open: bool) -> bool {
        let Some(dialog_open) = self.create_dialog.try_get_untracked().flatten() else {
            return false;
        };
        if dialog_open.try_get_untracked() == Some(!open) {
            dialog_open.set(open);
            return open;
        }
        false
    }

    /// Moves focus into the popover: onto Next/Finish when it is elsewhere (or when reopening
    /// the dialog put it on the close button).
    fn focus_popover(self, force: bool) {
        let (Some(popover), Some(primary)) = (
            self.popover.get_untracked(),
            self.primary_button.get_untracked(),
        ) else {
            return;
        };
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        let inside = active.is_some_and(|active| popover.contains(Some(&active)));
        if force || !inside {
            let _ = primary.focus();
        }
    }

    /// Redraws the spotlight around the current target and places the popover beside it.
    fn reposition(self) {
        if self.step.try_get_untracked().flatten().is_none() {
            return;
        }
        let Some(spot) = self.spot.try_get_untracked() else {
            return;
        };
        let viewport = viewport_size();
        let viewport_rect = Rect::new(0.0, 0.0, viewport.0, viewport.1);
        let hole = match &spot {
            // Keep the previous spotlight while the next target is on its way.
            Spot::Pending => return,
            Spot::Centered { .. } => None,
            Spot::Elements { .. } => spot_elements(&spot)
                .iter()
                .filter_map(visible_rect)
                .reduce(Rect::union)
                .map(|rect| rect.inflate(SPOTLIGHT_PADDING)),
        };
        let Some(popover) = self.popover.get_untracked() else {
            return;
        };
        let size = popover.get_bounding_client_rect();
        let (_, left, top) = place_popover(
            hole.and_then(|hole| hole.intersect(viewport_rect)),
            (size.width(), size.height()),
            viewport,
        );
        let layout = Layout {
            hole,
            popover: Some((left, top)),
        };
        if self.layout.get_untracked() != layout {
            self.moved_at.set_value(js_sys::Date::now());
            self.layout.set(layout);
        }
    }

    /// The tour's keys: →/Enter next, ← back, Escape closes. Listened for on the whole window,
    /// because for a frame or two after the tour opens the create dialog, that dialog sits above
    /// the tour and has focus; a key pressed then still belongs to the tour, never to the form.
    fn on_key(self, event: &web_sys::KeyboardEvent) {
        let target = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok());
        let in_tour = target.as_ref().is_some_and(|target| {
            self.dialog
                .get_untracked()
                .is_some_and(|dialog| dialog.contains(Some(target)))
        });
        if !in_tour {
            // The page behind the tour is inert; keep it that way while the tour raises itself.
            event.prevent_default();
            event.stop_propagation();
        }
        if event.repeat() {
            return;
        }
        // In the popover, Enter on a button presses that button (Back, Next, close) instead.
        let on_button = in_tour
            && target.is_some_and(|element| element.closest("button").ok().flatten().is_some());
        match event.key().as_str() {
            "ArrowRight" => self.next(),
            "ArrowLeft" => self.back(),
            "Enter" if !on_button => self.next(),
            // Ends the tour, and closes the create dialog it opened, not just the dialog on top.
            "Escape" => self.end(),
            _ => return,
        }
        event.prevent_default();
    }

    /// Closes the tour from any step and puts the page back as it was: dialog closed, the tab
    /// and filter it started on, the same scroll position, focus on the Guide button.
    fn end(self) {
        if self.step.get_untracked().is_none() {
            return;
        }
        self.generation.update_value(|generation| *generation += 1);
        clear_highlight();
        PageWatch::set(None);
        self.step.set(None);
        self.spot.set(Spot::Pending);
        self.layout.set(Layout::default());
        self.settled.set(false);
        self.raise_pending.set_value(false);
        if let Some(dialog) = self.dialog.get_untracked() {
            dialog.close();
        }
        self.sync_create_dialog(false);
        self.record_done();
        let origin = self.origin.try_update_value(Option::take).flatten();
        if let Some(origin) = &origin {
            if origin.url != current_url() {
                self.navigate.run(origin.url.clone());
            }
        }
        spawn_local(async move {
            // Wait for the tab to render its list again, so the old scroll position exists.
            let started = js_sys::Date::now();
            loop {
                next_frame().await;
                let settled =
                    Tab::of_path(&current_path()) == Tab::AuditLog || tokens_list_settled();
                if settled || js_sys::Date::now() - started > TARGET_TIMEOUT_MS {
                    break;
                }
            }
            if let (Some(origin), Some(window)) = (origin, web_sys::window()) {
                window.scroll_to_with_x_and_y(window.scroll_x().unwrap_or(0.0), origin.scroll_y);
            }
            if let Some(button) = self.guide_button.try_get_untracked().flatten() {
                let _ = button.focus();
            }
        });
    }

    /// Hides the invitation for good: here at once, and on the server for every other browser.
    fn dismiss_invitation(self) {
        self.invited.set(false);
        self.record_done();
        if let Some(button) = self.guide_button.get_untracked() {
            let _ = button.focus();
        }
    }

    fn record_done(self) {
        if !self.done_recorded.get_value() {
            self.done_recorded.set_value(true);
            self.finish.dispatch(FinishTour {});
        }
    }
}

/// The page's "Guide" button: starts the tour, any time.
#[component]
pub fn GuideButton() -> impl IntoView {
    let tour = expect_context::<Tour>();
    view! {
        <button
            type="button"
            node_ref=tour.guide_button
            class=BUTTON_SECONDARY
            aria-haspopup="dialog"
            on:click=move |_| tour.start()
        >
            <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" class="size-4 text-indigo-600">
                <path
                    fill-rule="evenodd"
                    d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0ZM8.94 6.94a.75.75 0 1 1-1.061-1.061 3 3 0 1 1 2.871 5.026v.345a.75.75 0 0 1-1.5 0v-.5c0-.72.57-1.172 1.081-1.287A1.5 1.5 0 1 0 8.94 6.94ZM10 15a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
                    clip-rule="evenodd"
                />
            </svg>
            "Guide"
        </button>
    }
}

/// The first-time invitation to take the tour, until it is taken, finished or dismissed.
#[component]
pub fn TourInvitation() -> impl IntoView {
    let tour = expect_context::<Tour>();
    view! {
        <Show when=move || tour.invited.get()>
            <section
                aria-label="Guided tour invitation"
                class="mt-4 flex flex-wrap items-center gap-3 rounded-xl border border-indigo-200 bg-indigo-50 px-4 py-3"
            >
                <p class="min-w-0 flex-1 text-sm text-indigo-950">
                    <strong class="font-semibold">"New to API tokens?"</strong>
                    " See how they work on this page, step by step."
                </p>
                <button
                    type="button"
                    class="rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
                    on:click=move |_| tour.start()
                >
                    "Take a 1-minute tour"
                </button>
                <button
                    type="button"
                    aria-label="Dismiss the tour invitation"
                    class="rounded-md p-1 text-indigo-700 hover:bg-indigo-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
                    on:click=move |_| tour.dismiss_invitation()
                >
                    <CloseIcon />
                </button>
            </section>
        </Show>
    }
}

/// The tour itself: the dimmed page with its spotlight, the example reveal panel and the popover.
/// The popover stays mounted from step to step (only its text changes), so focus stays put.
#[component]
pub fn TourOverlay() -> impl IntoView {
    let tour = expect_context::<Tour>();
    let count = tour.step_count();
    let index = move || tour.step.get().unwrap_or(0);
    let with_step = move |read: fn(&Step) -> String| {
        tour.steps
            .with_value(|steps| steps.get(index()).map(read))
            .unwrap_or_default()
    };
    let title = move || with_step(|step| step.title.to_string());
    let body = move || {
        let fallback = tour.spot.with(Spot::uses_fallback);
        tour.steps
            .with_value(|steps| {
                steps
                    .get(index())
                    .map(|step| match (&step.fallback, fallback) {
                        (Some(fallback), true) => fallback.body.clone(),
                        _ => step.body.clone(),
                    })
            })
            .unwrap_or_default()
    };
    let shows_example = move || {
        tour.steps
            .with_value(|steps| steps.get(index()).is_some_and(|step| step.example_reveal))
    };
    view! {
        <dialog
            node_ref=tour.dialog
            aria-labelledby=TITLE_ID
            aria-describedby=BODY_ID
            class="fixed inset-0 m-0 size-full max-h-none! max-w-none! overflow-hidden bg-transparent p-0 text-slate-900 backdrop:bg-transparent"
            on:cancel=move |event: leptos::ev::Event| {
                event.prevent_default();
                tour.end();
            }
        >
            <Show when=move || tour.step.get().is_some()>
                <Spotlight layout=tour.layout />
                <Show when=shows_example>
                    <ExampleReveal />
                </Show>
                <div
                    node_ref=tour.popover
                    data-tour-popover=""
                    class="fixed left-0 top-0 max-h-[calc(100dvh-1.5rem)] w-[min(24rem,calc(100vw-1.5rem))] overflow-y-auto rounded-2xl bg-white p-5 shadow-2xl ring-1 ring-slate-900/10 motion-safe:transition-[top,left,opacity] motion-safe:duration-200"
                    class:opacity-0=move || tour.layout.with(|layout| layout.popover.is_none())
                    class:pointer-events-none=move || !tour.settled.get()
                    style:left=move || tour.layout.with(|l| l.popover.map(|(left, _)| format!("{left}px")))
                    style:top=move || tour.layout.with(|l| l.popover.map(|(_, top)| format!("{top}px")))
                >
                    <div class="flex items-start justify-between gap-4">
                        <h2 id=TITLE_ID class="text-base font-semibold text-slate-900">{title}</h2>
                        <button
                            type="button"
                            aria-label="Close the tour"
                            class="-m-1 rounded-md p-1 text-slate-500 hover:bg-slate-100 hover:text-slate-700 focus-visible:outline-2 focus-visible:outline-indigo-600"
                            on:click=move |_| tour.end()
                        >
                            <CloseIcon />
                        </button>
                    </div>
                    <p id=BODY_ID class="mt-2 text-sm leading-6 text-slate-600">{body}</p>
                    <div class="mt-4 flex items-center justify-between gap-3">
                        <div class="flex items-center gap-2">
                            <p aria-live="polite" aria-atomic="true" class="text-xs font-medium tabular-nums text-slate-500">
                                <span>{move || format!("{} of {count}", index() + 1)}</span>
                                <span class="sr-only">{move || format!(": {}", title())}</span>
                            </p>
                            <ol class="hidden gap-1 sm:flex" aria-hidden="true">
                                {(0..count)
                                    .map(|dot| {
                                        view! {
                                            <li
                                                class="size-1.5 rounded-full"
                                                class:bg-indigo-600=move || dot == index()
                                                class:bg-slate-300=move || dot != index()
                                            ></li>
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                        </div>
                        <div class="flex gap-2">
                            <Show when=move || { index() > 0 }>
                                <button type="button" class=BUTTON_SECONDARY on:click=move |_| tour.back()>
                                    "Back"
                                </button>
                            </Show>
                            <button
                                type="button"
                                node_ref=tour.primary_button
                                class=BUTTON_PRIMARY
                                on:click=move |_| tour.next()
                            >
                                {move || if index() + 1 == count { "Finish" } else { "Next" }}
                            </button>
                        </div>
                    </div>
                </div>
            </Show>
        </dialog>
    }
}

/// The dimmed page with a cut-out around the target (a huge box shadow around the hole), or
/// dimmed all over for a centered step.
#[component]
fn Spotlight(layout: RwSignal<Layout>) -> impl IntoView {
    let hole = move || layout.with(|layout| layout.hole);
    let px = |value: f64| format!("{value}px");
    view! {
        <div aria-hidden="true" class="pointer-events-none fixed inset-0 bg-slate-900/55" class:hidden=move || hole().is_some()></div>
        <div
            aria-hidden="true"
            data-tour-spotlight=""
            class="pointer-events-none fixed rounded-xl shadow-[0_0_0_200vmax_rgb(15_23_42/0.55)] outline-2 outline-offset-0 outline-white/80 motion-safe:transition-[top,left,width,height] motion-safe:duration-200"
            class:hidden=move || hole().is_none()
            style:left=move || hole().map(|rect| px(rect.left))
            style:top=move || hole().map(|rect| px(rect.top))
            style:width=move || hole().map(|rect| px(rect.width))
            style:height=move || hole().map(|rect| px(rect.height))
        ></div>
    }
}

/// What the one-time reveal looks like, without a token: the tour never creates one.
#[component]
fn ExampleReveal() -> impl IntoView {
    view! {
        <figure
            data-tour="example-reveal"
            aria-label="Example of the one-time token reveal"
            inert
            class="fixed left-1/2 top-[max(1rem,8vh)] w-[min(32rem,calc(100vw-1.5rem))] -translate-x-1/2 rounded-2xl bg-white p-5 shadow-2xl ring-1 ring-slate-900/10"
        >
            <div class="flex items-center justify-between gap-3">
                <p class="text-lg font-semibold">"Token created"</p>
                <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-semibold uppercase tracking-wide text-slate-600">"Example"</span>
            </div>
            <p class="mt-3 rounded-xl border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
                <strong>"Copy this token now."</strong>
                " For your security it will not be shown again: TrekMail keeps only a hash of it."
            </p>
            <p class="mt-3 text-sm font-semibold">"Your new token"</p>
            <div class="mt-1 flex flex-col gap-2 sm:flex-row">
                <p class="min-w-0 flex-1 truncate rounded-lg px-3 py-2 font-mono text-sm text-slate-500 ring-1 ring-inset ring-slate-300">
                    "tm_live_••••••••••••••••••••••••••••••••••••••"
                </p>
                <button type="button" class=BUTTON_PRIMARY>"Copy"</button>
                <button type="button" class=BUTTON_SECONDARY>"Download"</button>
            </div>
        </figure>
    }
}

#[component]
fn CloseIcon() -> impl IntoView {
    view! {
        <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" class="size-5">
            <path d="M6.28 5.22a.75.75 0 0 0-1.06 1.06L8.94 10l-3.72 3.72a.75.75 0 1 0 1.06 1.06L10 11.06l3.72 3.72a.75.75 0 1 0 1.06-1.06L11.06 10l3.72-3.72a.75.75 0 0 0-1.06-1.06L10 8.94 6.28 5.22Z" />
        </svg>
    }
}

thread_local! {
    /// The browser's one running tour watch. Kept out of the reactive arena: its listeners live
    /// only in the browser, and the server never creates one.
    static PAGE_WATCH: RefCell<Option<PageWatch>> = const { RefCell::new(None) };
}

/// Keeps the spotlight and popover on their target while anything scrolls (the page or the
/// create dialog's body), the window resizes, or the target or popover changes size; and hands
/// every key pressed while the tour runs to [`Tour::on_key`].
struct PageWatch {
    on_change: Closure<dyn FnMut()>,
    on_key: Closure<dyn FnMut(web_sys::KeyboardEvent)>,
    observer: web_sys::ResizeObserver,
}

impl PageWatch {
    fn start(tour: Tour) -> Option<PageWatch> {
        let window = web_sys::window()?;
        let frame_pending = Rc::new(Cell::new(false));
        // Many scroll events a frame collapse into one reposition.
        let on_change = Closure::<dyn FnMut()>::new(move || {
            if !frame_pending.replace(true) {
                let frame_pending = frame_pending.clone();
                leptos::leptos_dom::helpers::request_animation_frame(move || {
                    frame_pending.set(false);
                    tour.reposition();
                });
            }
        });
        let callback = on_change.as_ref().unchecked_ref();
        // Scroll events do not bubble; a capturing listener on the window sees every scroller.
        let options = web_sys::AddEventListenerOptions::new();
        options.set_capture(true);
        options.set_passive(true);
        window
            .add_event_listener_with_callback_and_add_event_listener_options(
                "scroll", callback, &options,
            )
            .ok()?;
        window
            .add_event_listener_with_callback("resize", callback)
            .ok()?;
        let observer = web_sys::ResizeObserver::new(callback).ok()?;
        // Capturing, so the tour sees a key before whatever element has focus acts on it.
        let on_key = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(
            move |event: web_sys::KeyboardEvent| tour.on_key(&event),
        );
        window
            .add_event_listener_with_callback_and_bool(
                "keydown",
                on_key.as_ref().unchecked_ref(),
                true,
            )
            .ok()?;
        Some(PageWatch {
            on_change,
            on_key,
            observer,
        })
    }

    /// Replaces the page's watch (`None` stops watching).
    fn set(watch: Option<PageWatch>) {
        PAGE_WATCH.with(|slot| *slot.borrow_mut() = watch);
    }

    /// Watches these targets and the popover for size changes, instead of the previous ones.
    fn observe(targets: &[web_sys::Element], popover: Option<&web_sys::Element>) {
        PAGE_WATCH.with(|slot| {
            let Some(watch) = &*slot.borrow() else {
                return;
            };
            watch.observer.disconnect();
            for target in targets.iter().chain(popover) {
                watch.observer.observe(target);
            }
        });
    }
}

impl Drop for PageWatch {
    fn drop(&mut self) {
        self.observer.disconnect();
        if let Some(window) = web_sys::window() {
            let callback = self.on_change.as_ref().unchecked_ref();
            let _ = window.remove_event_listener_with_callback_and_bool("scroll", callback, true);
            let _ = window.remove_event_listener_with_callback("resize", callback);
            let _ = window.remove_event_listener_with_callback_and_bool(
                "keydown",
                self.on_key.as_ref().unchecked_ref(),
                true,
            );
        }
    }
}

/// Resolves after the browser's next frame (all pending effects and renders have run by then).
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.request_animation_frame(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

fn current_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default()
}

fn current_url() -> String {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    format!("{}{search}", current_path())
}

fn viewport_size() -> (f64, f64) {
    document()
        .and_then(|d| d.document_element())
        .map(|root| {
            (
                f64::from(root.client_width()),
                f64::from(root.client_height()),
            )
        })
        .unwrap_or((0.0, 0.0))
}

/// The first element marked `data-tour="{name}"` that takes up space on the page.
fn find_target(name: &str) -> Option<web_sys::Element> {
    let element = document()?
        .query_selector(&format!("[{TARGET_ATTRIBUTE}=\"{name}\"]"))
        .ok()??;
    let rect = element.get_bounding_client_rect();
    (rect.width() > 0.0 && rect.height() > 0.0).then_some(element)
}

/// The Tokens tab has loaded its list (or its empty state).
fn tokens_list_settled() -> bool {
    find_target("token-list").is_some() || find_target("token-list-empty").is_some()
}

/// Where the step should point, or `None` while the page is not ready to tell.
fn find_spot(step: &Step) -> Option<Spot> {
    let with_companion = |name: &'static str, fallback: bool| {
        let mut names: Vec<&'static str> = step
            .companion
            .filter(|companion| find_target(companion).is_some())
            .into_iter()
            .collect();
        names.push(name);
        Spot::Elements { names, fallback }
    };
    if find_target(step.target).is_some() {
        return Some(with_companion(step.target, false));
    }
    match &step.fallback {
        Some(Fallback {
            target: Some(name), ..
        }) if find_target(name).is_some() => Some(with_companion(name, true)),
        // Without its own target, a step on the Tokens tab knows its target is missing once the
        // list has loaded.
        Some(Fallback { target: None, .. }) if step.tab == Tab::Tokens && tokens_list_settled() => {
            Some(Spot::Centered { fallback: true })
        }
        _ => None,
    }
}

fn spot_elements(spot: &Spot) -> Vec<web_sys::Element> {
    match spot {
        Spot::Elements { names, .. } => names.iter().filter_map(|name| find_target(name)).collect(),
        Spot::Pending | Spot::Centered { .. } => Vec::new(),
    }
}

fn clear_highlight() {
    let Some(highlighted) = document().and_then(|d| {
        d.query_selector_all(&format!("[{HIGHLIGHT_ATTRIBUTE}]"))
            .ok()
    }) else {
        return;
    };
    for index in 0..highlighted.length() {
        if let Some(element) = highlighted
            .item(index)
            .and_then(|node| node.dyn_into::<web_sys::Element>().ok())
        {
            let _ = element.remove_attribute(HIGHLIGHT_ATTRIBUTE);
        }
    }
}

fn dom_rect(element: &web_sys::Element) -> Rect {
    let rect = element.get_bounding_client_rect();
    Rect::new(rect.left(), rect.top(), rect.width(), rect.height())
}

/// The part of `element` that is not clipped away by its scrolling ancestors (the create
/// dialog's body, the table's horizontal scroller).
fn visible_rect(element: &web_sys::Element) -> Option<Rect> {
    let window = web_sys::window()?;
    let mut rect = dom_rect(element);
    let mut ancestor = element.parent_element();
    while let Some(parent) = ancestor {
        if let Ok(Some(style)) = window.get_computed_style(&parent) {
            let clips = |axis: &str| {
                style
                    .get_property_value(axis)
                    .is_ok_and(|value| value != "visible")
            };
            let (clips_x, clips_y) = (clips("overflow-x"), clips("overflow-y"));
            if clips_x || clips_y {
                let bounds = dom_rect(&parent);
                let clip = Rect::new(
                    if clips_x { bounds.left } else { rect.left },
                    if clips_y { bounds.top } else { rect.top },
                    if clips_x { bounds.width } else { rect.width },
                    if clips_y { bounds.height } else { rect.height },
                );
                rect = rect.intersect(clip)?;
            }
        }
        ancestor = parent.parent_element();
    }
    Some(rect)
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|query| query.matches())
}

/// Brings the target into view: centered when it fits, its top first when it is tall.
fn scroll_into_view(elements: &[web_sys::Element]) {
    let (Some(window), Some(first)) = (web_sys::window(), elements.first()) else {
        return;
    };
    let behavior = if prefers_reduced_motion() {
        web_sys::ScrollBehavior::Instant
    } else {
        web_sys::ScrollBehavior::Smooth
    };
    let (_, viewport_height) = viewport_size();
    let union = elements
        .iter()
        .map(dom_rect)
        .reduce(Rect::union)
        .unwrap_or_default();
    let fits = union.height <= viewport_height * 0.8;
    if elements.len() > 1 && fits {
        // Several elements in the page's own scroller: center them together.
        let options = web_sys::ScrollToOptions::new();
        options.set_top(union.center_y() - viewport_height / 2.0);
        options.set_behavior(behavior);
        window.scroll_by_with_scroll_to_options(&options);
        return;
    }
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_behavior(behavior);
    options.set_block(if fits {
        web_sys::ScrollLogicalPosition::Center
    } else {
        web_sys::ScrollLogicalPosition::Start
    });
    options.set_inline(web_sys::ScrollLogicalPosition::Nearest);
    first.scroll_into_view_with_scroll_into_view_options(&options);
}
