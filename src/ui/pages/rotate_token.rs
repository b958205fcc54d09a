//! "Rotate token": a new secret for the same access, and how long the old one keeps working.
//! The form posts back to this page; the answer is the one-time reveal of the new secret, served
//! with `no-store` (as the create page's), so it works without JavaScript.

#[cfg(feature = "ssr")]
use crate::api::lifecycle::rotate_token_from_page;
use crate::api::tokens::find_token;
use crate::domain::rotation::{Grace, GRACE_CHOICES, GRACE_RULE};
use crate::domain::time;
use crate::domain::token::TokenKind;
use crate::model::error::AppError;
use crate::model::routes;
#[cfg(not(feature = "ssr"))]
use crate::model::tokens::CreatedToken;
use crate::model::tokens::{SubmittedForm, TokenRow};
use crate::ui::components::common::{FormActions, LoadError};
use crate::ui::components::reveal::Reveal;
use crate::ui::components::token_fields::RadioChoices;
use crate::ui::pages::token_change::{unchangeable, use_token, CARD};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn RotateTokenPage() -> impl IntoView {
    let token = use_token();
    let submitted = use_context::<SubmittedForm>();
    #[cfg(feature = "ssr")]
    let once = use_context::<crate::api::tokens::OncePerRequest>();
    let id = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    // A POST to this page carries the form; the token is rotated while the page renders.
    let outcome = Resource::new(
        || (),
        move |_| {
            let submitted = submitted.clone();
            #[cfg(feature = "ssr")]
            let once = once.clone();
            async move {
                let grace = submitted?
                    .0
                    .into_iter()
                    .find(|(key, _)| key == "grace")
                    .map(|(_, value)| value)
                    .unwrap_or_default();
                #[cfg(feature = "ssr")]
                let outcome = rotate_token_from_page(id?, grace.clone(), once?).await;
                #[cfg(not(feature = "ssr"))]
                let outcome: Result<CreatedToken, AppError> = Err(AppError::NotFound);
                // The old secret as the rotation left it, to say when it stops.
                let old = match &outcome {
                    Ok(_) => find_token(id?).await.ok(),
                    Err(_) => None,
                };
                Some((grace, outcome, old))
            }
        },
    );
    view! {
        <Title text="Rotate token · AI Agents & API · TrekMail" />
        <Suspense>
            {move || Suspend::new(async move {
                match outcome.await {
                    Some((grace, Ok(created), old)) => view! {
                        <section aria-labelledby=crate::ui::components::create_token::TITLE_ID class="mx-auto max-w-3xl rounded-2xl bg-white shadow-sm ring-1 ring-slate-900/5">
                            <Reveal created rotation=old_secret_fate(&grace, old.as_ref()) />
                        </section>
                    }.into_any(),
                    Some((grace, Err(error), _)) => match token.await {
                        Ok(token) if token.is_live() => view! { <RotateForm token grace refused=Some(error) /> }.into_any(),
                        other => match unchangeable(other, |_| None) {
                            Err(view) => view,
                            Ok(_) => view! { <LoadError message=error.to_string() /> }.into_any(),
                        },
                    },
                    None => match unchangeable(token.await, |token| {
                        (token.kind != TokenKind::Ops).then_some("Message tokens are not rotated: mint a new one through the API and revoke this one.")
                            .or_else(|| token.rotated_to.is_some().then_some("It was already rotated; rotate its new secret instead."))
                    }) {
                        Ok(token) => view! { <RotateForm token grace="24h".to_string() refused=None /> }.into_any(),
                        Err(view) => view,
                    },
                }
            })}
        </Suspense>
    }
}

/// What becomes of the old secret, said with the new one.
fn old_secret_fate(grace: &str, old: Option<&TokenRow>) -> String {
    let prefix = old.map_or_else(String::new, |old| format!(" ({}…)", old.visible_prefix));
    match (Grace::parse(grace), old.and_then(|old| old.expires_at)) {
        (Ok(Grace::Immediately), _) | (_, None) => {
            format!("The old secret{prefix} stopped working at once.")
        }
        (Ok(grace), Some(end)) => format!(
            "The old secret{prefix} keeps working until {} at the latest, or {} after the new secret is first used, whichever comes first.",
            time::exact(end),
            grace.label()
        ),
        (Err(_), Some(_)) => String::new(),
    }
}

#[component]
fn RotateForm(token: TokenRow, grace: String, refused: Option<AppError>) -> impl IntoView {
    let selected = RwSignal::new(grace);
    let (field_error, other_error) = match refused {
        Some(AppError::Invalid(errors)) => (errors.get("grace").map(str::to_string), None),
        Some(error) => (None, Some(error.to_string())),
        None => (None, None),
    };
    view! {
        <section aria-labelledby="change-title" class=CARD>
            <form method="post" action=routes::token_change(token.id, "rotate") class="space-y-4">
                <h2 id="change-title" class="text-lg font-semibold">"Rotate token"</h2>
                <p class="text-sm text-slate-600">
                    {format!("“{}” gets a new secret with the same name, scopes, domains, expiry and allowed IP addresses. You see the new secret once. Afterwards, replace {}… wherever it is used.", token.name, token.visible_prefix)}
                </p>
                <fieldset aria-describedby="grace-rule grace-error">
                    <legend class="text-sm font-semibold">"Keep the old secret working for"</legend>
                    <RadioChoices name="grace" choices=GRACE_CHOICES.iter().map(|(word, _, label)| (*word, *label)).collect() selected />
                    <p id="grace-rule" class="mt-2 text-xs text-slate-600">{GRACE_RULE}</p>
                    <p id="grace-error" class="mt-1 text-sm text-rose-700" aria-live="polite">{field_error}</p>
                </fieldset>
                <p role="alert" class="text-sm text-rose-700">{other_error}</p>
                <FormActions cancel=routes::TOKENS submit="Rotate token" />
            </form>
        </section>
    }
}
