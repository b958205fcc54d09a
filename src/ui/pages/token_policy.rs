//! "Token policy": the longest a new or extended token may last, and the expiration the create
//! form starts with. Tokens that already last longer are listed here, never changed silently.

use crate::api::lifecycle::{get_token_policy, SetTokenPolicy};
use crate::domain::expiration::FORM_WORDS;
use crate::domain::time;
use crate::domain::token_policy::MAX_LIFETIME_CHOICES;
use crate::model::error::AppError;
use crate::model::routes;
use crate::ui::components::common::{LoadError, Notice, BUTTON_PRIMARY, BUTTON_SECONDARY, INPUT};
use crate::ui::pages::token_change::CARD;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TokenPolicyPage() -> impl IntoView {
    let view_data = Resource::new(|| (), |_| get_token_policy());
    let saved = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("saved").is_some());
    let action = ServerAction::<SetTokenPolicy>::new();
    let error_for = move |field: &'static str| {
        move || match action.value().get() {
            Some(Err(AppError::Invalid(errors))) => errors.get(field).map(str::to_string),
            _ => None,
        }
    };
    let other_error = move || match action.value().get() {
        Some(Err(AppError::Invalid(_))) | Some(Ok(())) | None => None,
        Some(Err(error)) => Some(error.to_string()),
    };
    view! {
        <Title text="Token policy · AI Agents & API · TrekMail" />
        <Suspense>
            {move || Suspend::new(async move {
                let data = match view_data.await {
                    Ok(data) => data,
                    Err(error) => return view! { <LoadError message=error.to_string() /> }.into_any(),
                };
                let policy = data.policy.clone();
                let (max_word, max_label) = (policy.max_word(), policy.max_label());
                let default_word = policy.default_expiration.clone();
                let defaults: Vec<(&str, &str)> = FORM_WORDS
                    .iter()
                    .filter(|(word, _, _)| *word != "custom")
                    .map(|(word, _, label)| (*word, *label))
                    .collect();
                view! {
                    <section aria-labelledby="policy-title" class=CARD>
                        <h2 id="policy-title" class="text-lg font-semibold">"Token policy"</h2>
                        <p class="mt-1 text-sm text-slate-600">
                            "Limits for every ops token made or extended from now on, in the dashboard and through the API (message tokens minted by ops tokens too). Tokens made before a change keep their expiry; those that last longer than the maximum are listed below."
                        </p>
                        {saved.then(|| view! { <Notice message="The token policy was saved." /> })}
                        <ActionForm action attr:class="mt-4 space-y-4">
                            <div>
                                <label for="max-lifetime" class="block text-sm font-semibold">"Maximum lifetime"</label>
                                <select id="max-lifetime" name="max_lifetime" class=format!("mt-1 {INPUT}") aria-describedby="max-lifetime-error">
                                    {MAX_LIFETIME_CHOICES.iter().map(|(word, _, label)| view! {
                                        <option value=*word selected=*word == max_word>{*label}</option>
                                    }).collect_view()}
                                </select>
                                <p id="max-lifetime-error" class="mt-1 text-sm text-rose-700" aria-live="polite">{error_for("max_lifetime")}</p>
                            </div>
                            <div>
                                <label for="default-expiration" class="block text-sm font-semibold">"Default expiration"</label>
                                <select id="default-expiration" name="default_expiration" class=format!("mt-1 {INPUT}") aria-describedby="default-expiration-help default-expiration-error">
                                    {defaults.into_iter().map(|(word, label)| {
                                        let selected = word == default_word;
                                        view! { <option value=word selected=selected>{label}</option> }
                                    }).collect_view()}
                                </select>
                                <p id="default-expiration-help" class="mt-1 text-xs text-slate-600">"What the create form starts with; it must be within the maximum."</p>
                                <p id="default-expiration-error" class="mt-1 text-sm text-rose-700" aria-live="polite">{error_for("default_expiration")}</p>
                            </div>
                            <p role="alert" class="text-sm text-rose-700">{other_error}</p>
                            <div class="flex justify-end gap-3">
                                <a href=routes::TOKENS class=BUTTON_SECONDARY>"Back to tokens"</a>
                                <button type="submit" class=BUTTON_PRIMARY>"Save policy"</button>
                            </div>
                        </ActionForm>
                        <Beyond beyond=data.beyond max=max_label />
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

/// The live tokens that last longer than the maximum: the owner decides what to do with each.
#[component]
fn Beyond(beyond: Vec<(String, String, Option<i64>)>, max: &'static str) -> impl IntoView {
    (!beyond.is_empty()).then(|| {
        let count = beyond.len();
        view! {
            <section aria-labelledby="beyond-title" class="mt-6 rounded-xl bg-amber-50 p-4 text-sm text-amber-900 ring-1 ring-amber-200">
                <h3 id="beyond-title" class="font-semibold">
                    {format!("{count} active token{} last longer than {max}", if count == 1 { "" } else { "s" })}
                </h3>
                <p class="mt-1">"They keep working as they are. Change their expiration, rotate or revoke them from the token list."</p>
                <ul class="mt-2 list-disc pl-5">
                    {beyond.into_iter().map(|(name, prefix, expires_at)| view! {
                        <li>{format!("{name} ({prefix}…): {}", expires_at.map_or_else(|| "never expires".to_string(), |at| format!("expires {}", time::exact(at))))}</li>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}
