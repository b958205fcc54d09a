//! The sign-in form. A plain HTML form underneath, so it works before hydration too.

use crate::api::session::SignIn;
use crate::ui::components::common::{action_error, BUTTON_PRIMARY, INPUT};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignInPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let error = action_error(sign_in);
    view! {
        <Title text="Sign in · TrekMail" />
        <main class="flex min-h-screen items-center justify-center px-4 py-12">
            <div class="w-full max-w-sm">
                <div class="mb-8 flex items-center justify-center gap-3">
                    <img src="/favicon.svg" alt="" class="size-10" />
                    <span class="text-2xl font-bold tracking-tight">"TrekMail"</span>
                </div>
                <div class="rounded-2xl bg-white p-8 shadow-sm ring-1 ring-slate-900/5">
                    <h1 class="text-xl font-semibold">"Sign in to your dashboard"</h1>
                    <ActionForm action=sign_in attr:class="mt-6 space-y-4" attr:novalidate="">
                        <div>
                            <label for="email" class="block text-sm font-medium text-slate-700">"Email"</label>
                            <input id="email" name="email" type="email" autocomplete="username" required class=format!("mt-1 {INPUT}") />
                        </div>
                        <div>
                            <label for="password" class="block text-sm font-medium text-slate-700">"Password"</label>
                            <input id="password" name="password" type="password" autocomplete="current-password" required class=format!("mt-1 {INPUT}") />
                        </div>
                        <p role="alert" class="min-h-5 text-sm text-rose-700">{error}</p>
                        <button type="submit" class=format!("w-full {BUTTON_PRIMARY}") disabled=move || sign_in.pending().get()>
                            {move || if sign_in.pending().get() { "Signing in…" } else { "Sign in" }}
                        </button>
                    </ActionForm>
                </div>
            </div>
        </main>
    }
}
