//! The tour's pieces on the page: the Guide button, the first-visit invitation, and the overlay
//! (spotlight, example reveal, popover) that [`Tour`] drives.

use super::placement::px;
use super::*;

/// The island around the owner's page: it holds the tour's state, which the Guide button, the
/// invitation and the Tokens page's create dialog (islands inside it) share, and draws the tour.
#[island]
pub fn TourRoot(access: PlanAccess, tour_done: bool, children: Children) -> impl IntoView {
    let tour = provide_tour(access, tour_done);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| tour.resume());
    #[cfg(not(feature = "hydrate"))]
    let _ = tour;
    view! {
        {children()}
        <TourOverlay />
    }
}

/// The page's "Guide" button: starts the tour, any time.
#[island]
pub fn GuideButton() -> impl IntoView {
    let tour = expect_context::<Tour>();
    view! {
        <button
            type="button"
            id=GUIDE_BUTTON_ID
            data-needs-script=""
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
#[island]
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
                    id="tour-invitation-start"
                    data-needs-script=""
                    class="rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
                    on:click=move |_| tour.start()
                >
                    "Take a 1-minute tour"
                </button>
                <button
                    type="button"
                    id="tour-invitation-dismiss"
                    data-needs-script=""
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
fn TourOverlay() -> impl IntoView {
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
                    style:left=move || tour.layout.with(|l| l.popover.map(|(left, _)| px(left)))
                    style:top=move || tour.layout.with(|l| l.popover.map(|(_, top)| px(top)))
                >
                    <div class="flex items-start justify-between gap-4">
                        <h2 id=TITLE_ID class="text-base font-semibold text-slate-900">{title}</h2>
                        <button
                            type="button"
                            aria-label="Close the tour"
                            class="-m-1 rounded-md p-1 text-slate-600 hover:bg-slate-100 hover:text-slate-700 focus-visible:outline-2 focus-visible:outline-indigo-600"
                            on:click=move |_| tour.end()
                        >
                            <CloseIcon />
                        </button>
                    </div>
                    <p id=BODY_ID class="mt-2 text-sm leading-6 text-slate-600">{body}</p>
                    <div class="mt-4 flex items-center justify-between gap-3">
                        <div class="flex items-center gap-2">
                            <p aria-live="polite" aria-atomic="true" class="text-xs font-medium tabular-nums text-slate-600">
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
    view! {
        <div aria-hidden="true" class="pointer-events-none fixed inset-0 bg-black/55" class:hidden=move || hole().is_some()></div>
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
                <p class="min-w-0 flex-1 truncate rounded-lg px-3 py-2 font-mono text-sm text-slate-600 ring-1 ring-inset ring-slate-300">
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
