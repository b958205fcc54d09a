//! "Narrow to what it used": what would be removed (and which message tokens would be revoked
//! with it), and a confirmation. A plain form posting to the server function, which works the
//! change out again from the log (never from this page) and returns to the token's page; so it
//! works without JavaScript.

use crate::api::activity::{preview_narrowing, NarrowToken};
use crate::model::error::AppError;
use crate::model::routes;
use crate::ui::components::common::{
    action_error, FormActions, LoadFailure, BUTTON_SECONDARY, TOKEN_MISSING,
};
use crate::ui::pages::token_change::CARD;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn NarrowTokenPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let detail = crate::ui::pages::token_detail::use_token_detail();
    let preview = Resource::new(
        || (),
        move |_| async move {
            match id {
                Some(id) => preview_narrowing(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let action = ServerAction::<NarrowToken>::new();
    view! {
        <Title text="Narrow token · AI Agents & API · TrekMail" />
        <Suspense>
            {move || Suspend::new(async move {
                let detail = match detail.await {
                    Ok(detail) => detail,
                    Err(error) => return view! { <LoadFailure error missing=TOKEN_MISSING /> }.into_any(),
                };
                let back = routes::token_detail(detail.token.id);
                let (changes, refusal) = match preview.await {
                    Ok(Ok(changes)) => (changes, None),
                    Ok(Err(why)) => (Vec::new(), Some(why)),
                    Err(error) => (Vec::new(), Some(error.to_string())),
                };
                let can_narrow = !changes.is_empty();
                view! {
                    <section aria-labelledby="change-title" class=CARD>
                        <h2 id="change-title" class="text-lg font-semibold">{format!("Narrow “{}” to what it used", detail.token.name)}</h2>
                        {if let Some(refusal) = refusal {
                            view! { <p class="mt-2 text-sm text-slate-600">{refusal}</p> }.into_any()
                        } else {
                            view! {
                                <p class="mt-2 text-sm text-slate-600">"Its requests of the last 30 days used only part of what it holds. Narrowing removes the rest; the secret stays the same, and a call needing what was removed will be refused. Nothing is ever added."</p>
                                <ul class="mt-3 list-disc space-y-1 pl-5 text-sm text-slate-900">
                                    {changes.into_iter().map(|change| view! { <li>{change}</li> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        <p role="alert" class="mt-2 text-sm text-rose-700">{action_error(action)}</p>
                        {if !can_narrow {
                            view! { <div class="mt-5 flex justify-end"><a href=back class=BUTTON_SECONDARY>"Back to the token"</a></div> }.into_any()
                        } else {
                            view! {
                                <ActionForm action attr:class="mt-5">
                                    <input type="hidden" name="id" value=detail.token.id />
                                    <FormActions cancel=back submit="Narrow token" />
                                </ActionForm>
                            }.into_any()
                        }}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
