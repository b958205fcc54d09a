//! The AI Agents & API frame around both tabs: who is signed in, the tabs, and the owner check.

use crate::api::session::{current_viewer, SignOut};
use crate::domain::role::Role;
use crate::model::error::AppError;
use crate::model::routes;
use crate::model::session::Viewer;
use crate::ui::components::common::{LoadError, BUTTON_SECONDARY};
use crate::ui::components::tour::{GuideButton, TourInvitation, TourRoot};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, Redirect, A};

/// The signed-in viewer, loaded once by the layout and awaited by the pages inside it.
pub type ViewerResource = Resource<Result<Viewer, AppError>>;

#[component]
pub fn AgentsLayout() -> impl IntoView {
    let viewer: ViewerResource = Resource::new(|| (), |_| current_viewer());
    provide_context(viewer);
    view! {
        <Title text="AI Agents & API · TrekMail" />
        <Transition fallback=|| view! { <p class="p-8 text-slate-600">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(viewer) => view! { <Frame viewer /> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <Redirect path=routes::SIGN_IN /> }.into_any(),
                    Err(error) => view! { <LoadError message=error.to_string() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Frame(viewer: Viewer) -> impl IntoView {
    let is_owner = viewer.role == Role::Owner;
    let (access, tour_done) = (viewer.access, viewer.tour_done);
    view! {
        <Header viewer=viewer.clone() />
        <main id="main" class="mx-auto max-w-7xl px-4 pb-16 pt-6 sm:px-6 lg:px-8">
            // The tour explains the tokens, which only the owner sees. It is the island around the
            // page that the Guide button, the invitation and the create dialog share.
            {if is_owner {
                view! { <TourRoot access tour_done><Content viewer /></TourRoot> }.into_any()
            } else {
                view! { <Content viewer /> }.into_any()
            }}
        </main>
    }
}

/// The section's heading, then the tabs and the current tab (owner) or the owner-only notice.
#[component]
fn Content(viewer: Viewer) -> impl IntoView {
    let is_owner = viewer.role == Role::Owner;
    view! {
        <div class="flex flex-wrap items-end justify-between gap-4">
            <div data-tour="intro">
                <p class="text-sm font-medium text-indigo-600">{viewer.account_name.clone()}</p>
                <h1 class="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl">"AI Agents & API"</h1>
                <p class="mt-1 max-w-2xl text-sm text-slate-600">
                    "API tokens let scripts, CI jobs and AI agents call the TrekMail API on behalf of your account."
                </p>
            </div>
            {is_owner.then(|| view! { <GuideButton /> })}
        </div>
        {if is_owner {
            view! {
                <TourInvitation />
                <nav aria-label="AI Agents & API sections" class="mt-6 border-b border-slate-200">
                    <ul class="-mb-px flex gap-6">
                        <li><A href=routes::TOKENS attr:class=TAB>"Tokens"</A></li>
                        <li><A href=routes::AUDIT_LOG attr:class=TAB attr:data-tour="audit-log-tab">"Audit Log"</A></li>
                        <li><A href=routes::WEBHOOKS attr:class=TAB>"Webhooks"</A></li>
                    </ul>
                </nav>
                <div class="pt-6">
                    <Outlet />
                </div>
            }
                .into_any()
        } else {
            view! { <OwnerOnly viewer /> }.into_any()
        }}
    }
}

const TAB: &str = "inline-block border-b-2 border-transparent px-1 pb-3 text-sm font-semibold text-slate-600 hover:border-slate-300 hover:text-slate-700 aria-[current=page]:border-indigo-600 aria-[current=page]:text-indigo-700 focus-visible:outline-2 focus-visible:outline-indigo-600";

#[component]
fn Header(viewer: Viewer) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
            "Skip to content"
        </a>
        <header class="border-b border-slate-200 bg-white">
            <div class="mx-auto flex max-w-7xl items-center justify-between gap-4 px-4 py-3 sm:px-6 lg:px-8">
                <div class="flex items-center gap-3">
                    <img src="/favicon.svg" alt="" class="size-8" />
                    <span class="text-lg font-bold tracking-tight">"TrekMail"</span>
                    <span class="hidden text-slate-300 sm:inline" aria-hidden="true">"/"</span>
                    <span class="hidden text-sm font-medium text-slate-600 sm:inline">"AI Agents & API"</span>
                </div>
                <div class="flex items-center gap-3">
                    <span class="hidden rounded-full bg-indigo-50 px-2.5 py-0.5 text-xs font-semibold text-indigo-700 ring-1 ring-inset ring-indigo-600/20 md:inline">
                        {viewer.access.label()}
                    </span>
                    <span class="hidden text-sm text-slate-600 sm:inline">{viewer.email.clone()}</span>
                    <ActionForm action=sign_out>
                        <button type="submit" class=BUTTON_SECONDARY>"Sign out"</button>
                    </ActionForm>
                </div>
            </div>
        </header>
    }
}

/// What a member sees instead of the tokens (the server refuses their calls as well).
#[component]
fn OwnerOnly(viewer: Viewer) -> impl IntoView {
    view! {
        <section aria-labelledby="owner-only-title" class="mt-8 max-w-2xl rounded-2xl border border-amber-200 bg-amber-50 p-6">
            <h2 id="owner-only-title" class="text-lg font-semibold text-amber-900">
                "Only the account owner can manage API tokens"
            </h2>
            <p class="mt-2 text-sm text-amber-900">
                {format!(
                    "You are signed in as {}, a member of {}. API tokens can act on the whole account, so only its owner can create, view or revoke them. Ask the owner if you need a token.",
                    viewer.email,
                    viewer.account_name,
                )}
            </p>
        </section>
    }
}
