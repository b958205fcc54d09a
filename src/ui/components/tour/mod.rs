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
//! [`steps`] holds what each stop says, [`placement`] where the popover goes, `view` draws it and
//! `dom` reaches into the page; this module holds the tour's state and runs its steps.

/// Following the page, finding and measuring targets.
mod dom;
/// Where the popover goes.
pub mod placement;
/// The stops and their text.
pub mod steps;
/// The Guide button, the invitation and the overlay.
mod view;

pub use placement::{place_popover, Rect, Side};
pub use steps::{scopes_text, steps, Fallback, Step, Tab};
pub use view::{GuideButton, TourInvitation, TourRoot};

use dom::*;

use crate::domain::plan::PlanAccess;
use crate::ui::components::common::{BUTTON_PRIMARY, BUTTON_SECONDARY};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
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
/// The Guide button's id (the pre-hydration click replay needs one too).
pub(super) const GUIDE_BUTTON_ID: &str = "guide-button";
const BODY_ID: &str = "tour-body";

/// Where the spotlight and the popover are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
struct Layout {
    /// The spotlight's cut-out; `None` dims the whole page (centered steps).
    hole: Option<Rect>,
    /// The popover's top-left corner; `None` until it has been measured (it stays invisible).
    popover: Option<(f64, f64)>,
}

/// Where the tour started, to put the page back when it ends.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
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
}

/// Sets up the tour for an owner of an account with `access`; `tour_done` is what the server
/// remembers. Call once, in the layout around both tabs.
pub fn provide_tour(access: PlanAccess, tour_done: bool) -> Tour {
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
        origin: StoredValue::new(None),
        generation: StoredValue::new(0),
        settled: RwSignal::new(false),
        moved_at: StoredValue::new(0.0),
        raise_pending: StoredValue::new(false),
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
        let Some(window) = web_sys::window() else {
            return;
        };
        let origin = Origin {
            url: current_url(),
            scroll_y: window.scroll_y().unwrap_or(0.0),
        };
        self.open_at(0, origin);
    }

    /// Picks up what the previous page handed over: the step to show here, or the end of the
    /// tour to finish (scroll position and focus).
    pub fn resume(self) {
        match take_handover() {
            Some(Handover::At { step, origin }) => self.open_at(step, origin),
            Some(Handover::Ended { scroll_y }) => self.restore_page(scroll_y),
            None => {}
        }
    }

    fn open_at(self, index: usize, origin: Origin) {
        if self.step.get_untracked().is_some() || index >= self.step_count() {
            return;
        }
        self.origin.set_value(Some(origin));
        self.invited.set(false);
        self.layout.set(Layout::default());
        PageWatch::set(PageWatch::start(self));
        if let Some(dialog) = self.dialog.get_untracked() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        }
        self.show(index);
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
            if let Some(origin) = self.origin.get_value() {
                leave_for(
                    &url,
                    &Handover::At {
                        step: index,
                        origin,
                    },
                );
            }
            return;
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
        let Some(origin) = self.origin.try_update_value(Option::take).flatten() else {
            return;
        };
        if origin.url != current_url() {
            let scroll_y = origin.scroll_y;
            leave_for(&origin.url, &Handover::Ended { scroll_y });
            return;
        }
        self.restore_page(origin.scroll_y);
    }

    /// After the tour: the scroll position it started from, and focus on the Guide button.
    fn restore_page(self, scroll_y: f64) {
        // After the dialogs the tour closed have put focus back where they found it.
        spawn_local(async move {
            next_frame().await;
            next_frame().await;
            restore_scroll_and_focus(scroll_y);
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
            send_tour_done();
        }
    }
}
