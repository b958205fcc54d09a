//! The confirmation before a token is revoked, as a page: where "Revoke" leads without JavaScript
//! (or before the page's script is ready). Its form posts to the same server function the dialog
//! calls, which then returns to the list confirming the change.

use crate::api::tokens::{find_token, RevokeToken};
use crate::domain::status::TokenStatus;
use crate::model::error::AppError;
use crate::model::routes;
use crate::ui::components::common::{
    action_error, FormActions, LoadFailure, BUTTON_SECONDARY, TOKEN_MISSING,
};
use crate::ui::components::revoke::RevokeWarning;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn RevokeTokenPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let token = Resource::new(
        || (),
        move |_| async move {
            match id {
                Some(id) => find_token(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    // Reads a refusal the server put in this page's URL after a plain form post.
    let revoke = ServerAction::<RevokeToken>::new();
    let error = action_error(revoke);
    view! {
        <Title text="Revoke token · AI Agents & API · TrekMail" />
        <Suspense>
            {move || Suspend::new(async move {
                let token = match token.await {
                    Ok(token) => token,
                    Err(error) => return view! { <LoadFailure error missing=TOKEN_MISSING /> }.into_any(),
                };
                if token.status != TokenStatus::Active {
                    return view! {
                        <section aria-labelledby="revoke-title" class="mx-auto max-w-md rounded-2xl bg-white px-6 py-5 shadow-sm ring-1 ring-slate-900/5">
                            <h2 id="revoke-title" class="text-lg font-semibold">{format!("“{}” is {}", token.name, token.status.label().to_lowercase())}</h2>
                            <p class="mt-2 text-sm text-slate-600">"It no longer works; there is nothing to revoke."</p>
                            <a href=routes::TOKENS class=format!("mt-5 {BUTTON_SECONDARY}")>"Back to tokens"</a>
                        </section>
                    }.into_any();
                }
                view! {
                    <section aria-labelledby="revoke-title" class="mx-auto max-w-md rounded-2xl bg-white px-6 py-5 shadow-sm ring-1 ring-slate-900/5">
                        <RevokeWarning token=token.clone() title_id="revoke-title" />
                        <p role="alert" class="mt-2 text-sm text-rose-700">{error}</p>
                        <ActionForm action=revoke attr:class="mt-5">
                            <input type="hidden" name="id" value=token.id />
                            <FormActions cancel=routes::TOKENS submit="Revoke token" danger=true />
                        </ActionForm>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
