//! A live token's change pages: Pause / Resume, Change expiration and Allowed IP addresses. Each
//! is a plain HTML form posting to its server function, which returns to the list confirming the
//! change, or to this page with the refusal next to its field; so each works without JavaScript.

use crate::api::lifecycle::{ChangeTokenExpiration, SetTokenIpAllowlist, SetTokenPaused};
use crate::api::tokens::find_token;
use crate::domain::status::TokenStatus;
use crate::domain::time;
use crate::domain::token::TokenKind;
use crate::model::error::AppError;
use crate::model::routes;
use crate::model::tokens::TokenRow;
use crate::ui::components::common::{
    FormActions, LoadError, LoadFailure, BUTTON_SECONDARY, TOKEN_MISSING,
};
use crate::ui::components::lifecycle_dialogs::pause_words;
use crate::ui::components::token_fields::{ExpirationFieldset, IpAllowlistField};
use crate::ui::pages::agents_layout::ViewerResource;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

pub const CARD: &str =
    "mx-auto max-w-xl rounded-2xl bg-white px-6 py-5 shadow-sm ring-1 ring-slate-900/5";

/// The token named by the page's `:id`, as the list shows it.
pub fn use_token() -> Resource<Result<TokenRow, AppError>> {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    Resource::new(
        || (),
        move |_| async move {
            match id {
                Some(id) => find_token(id).await,
                None => Err(AppError::NotFound),
            }
        },
    )
}

/// What a change page shows instead of its form: a missing or foreign token (a 404), a token
/// that can no longer change, or one this change does not apply to.
pub fn unchangeable(
    token: Result<TokenRow, AppError>,
    applies: impl Fn(&TokenRow) -> Option<&'static str>,
) -> Result<TokenRow, AnyView> {
    let token = match token {
        Ok(token) => token,
        Err(error) => return Err(view! { <LoadFailure error missing=TOKEN_MISSING /> }.into_any()),
    };
    let why = if token.is_live() {
        applies(&token)
    } else {
        Some("It no longer works, so there is nothing to change. Create a new token instead.")
    };
    match why {
        None => Ok(token),
        Some(why) => Err(view! {
            <section aria-labelledby="change-title" class=CARD>
                <h2 id="change-title" class="text-lg font-semibold">{format!("“{}” is {}", token.name, token.status.label().to_lowercase())}</h2>
                <p class="mt-2 text-sm text-slate-600">{why}</p>
                <a href=routes::TOKENS class=format!("mt-5 {BUTTON_SECONDARY}")>"Back to tokens"</a>
            </section>
        }
        .into_any()),
    }
}

/// Only ops tokens have this setting; a message token keeps what it was minted with.
fn ops_only(token: &TokenRow) -> Option<&'static str> {
    (token.kind != TokenKind::Ops)
        .then_some("A message token keeps the settings it was minted with; only pausing and revoking apply to it.")
}

/// A refusal of `action` for one field, read from its answer (a dialog's, or without JavaScript
/// the one the server put in this page's URL).
fn field_error<A>(action: ServerAction<A>, field: &'static str) -> Signal<Option<String>>
where
    A: ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    Signal::derive(move || match action.value().get() {
        Some(Err(AppError::Invalid(errors))) => errors.get(field).map(str::to_string),
        _ => None,
    })
}

/// Anything else the server refused (a conflict, a lost session), said once above the buttons.
fn other_error<A>(action: ServerAction<A>) -> impl Fn() -> Option<String> + Copy
where
    A: ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    move || match action.value().get() {
        Some(Err(AppError::Invalid(_))) | None | Some(Ok(())) => None,
        Some(Err(error)) => Some(error.to_string()),
    }
}

/// "Pause" or "Resume", whichever applies to the token now.
#[component]
pub fn PauseTokenPage() -> impl IntoView {
    let token = use_token();
    let action = ServerAction::<SetTokenPaused>::new();
    view! {
        <Title text="Pause or resume token · AI Agents & API · TrekMail" />
        <Suspense>
            {move || Suspend::new(async move {
                let token = match unchangeable(token.await, |_| None) {
                    Ok(token) => token,
                    Err(view) => return view,
                };
                let paused = token.status == TokenStatus::Paused;
                let (title, text, button) = pause_words(&token);
                view! {
                    <section aria-labelledby="change-title" class=CARD>
                        <h2 id="change-title" class="text-lg font-semibold">{title}</h2>
                        <p class="mt-2 text-sm text-slate-600">{text}</p>
                        <p role="alert" class="mt-2 text-sm text-rose-700">{other_error(action)}</p>
                        <ActionForm action attr:class="mt-5">
                            <input type="hidden" name="id" value=token.id />
                            <input type="hidden" name="paused" value=(!paused).to_string() />
                            <FormActions cancel=routes::TOKENS submit=button />
                        </ActionForm>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

/// "Change expiration": a new expiry within the owner's token policy.
#[component]
pub fn ChangeExpirationPage() -> impl IntoView {
    let viewer = expect_context::<ViewerResource>();
    let token = use_token();
    let action = ServerAction::<ChangeTokenExpiration>::new();
    view! {
        <Title text="Change expiration · AI Agents & API · TrekMail" />
        <Suspense>
            {move || Suspend::new(async move {
                let Ok(viewer) = viewer.await else {
                    return view! { <LoadError message="The form could not be loaded. Please reload the page." /> }.into_any();
                };
                let token = match unchangeable(token.await, |token| {
                    ops_only(token).or_else(|| token.rotated_to.is_some().then_some(
                        "Its secret was rotated out: it stops working as the rotation set. Change the new token's expiration instead.",
                    ))
                }) {
                    Ok(token) => token,
                    Err(view) => return view,
                };
                let now = chrono::Utc::now().timestamp_millis();
                let current = match token.expires_at {
                    Some(at) => format!("It expires on {} ({}).", time::exact(at), time::relative(at, now)),
                    None => "It never expires.".to_string(),
                };
                let policy = viewer.policy.clone();
                let selected = RwSignal::new(policy.starting_word());
                let date = RwSignal::new(String::new());
                view! {
                    <section aria-labelledby="change-title" class=CARD>
                        <h2 id="change-title" class="text-lg font-semibold">{format!("Change the expiration of “{}”", token.name)}</h2>
                        <p class="mt-2 text-sm text-slate-600">{current}" The new expiration counts from now; the secret stays the same."</p>
                        <ActionForm action attr:class="mt-4 space-y-4" attr:novalidate="">
                            <input type="hidden" name="id" value=token.id />
                            <ExpirationFieldset
                                policy
                                selected
                                date
                                initial_date=String::new()
                                error=field_error(action, "expiration")
                                date_error=field_error(action, "expiration_date")
                                help="Choose when the token stops working."
                            />
                            <p role="alert" class="text-sm text-rose-700">{other_error(action)}</p>
                            <FormActions cancel=routes::TOKENS submit="Change expiration" />
                        </ActionForm>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

/// "Allowed IP addresses": the token's allowlist, edited as text.
#[component]
pub fn IpAllowlistPage() -> impl IntoView {
    let token = use_token();
    let action = ServerAction::<SetTokenIpAllowlist>::new();
    view! {
        <Title text="Allowed IP addresses · AI Agents & API · TrekMail" />
        <Suspense>
            {move || Suspend::new(async move {
                let token = match unchangeable(token.await, ops_only) {
                    Ok(token) => token,
                    Err(view) => return view,
                };
                let current = token.ip_allowlist.join("\n");
                let value = RwSignal::new(current.clone());
                view! {
                    <section aria-labelledby="change-title" class=CARD>
                        <h2 id="change-title" class="text-lg font-semibold">{format!("Allowed IP addresses of “{}”", token.name)}</h2>
                        <p class="mt-2 text-sm text-slate-600">
                            {if token.ip_allowlist.is_empty() {
                                "It accepts calls from any address now.".to_string()
                            } else {
                                format!("It accepts calls only from {} now.", token.ip_allowlist.join(", "))
                            }}
                        </p>
                        <ActionForm action attr:class="mt-4 space-y-4">
                            <input type="hidden" name="id" value=token.id />
                            <IpAllowlistField initial=current value error=field_error(action, "ip_allowlist") />
                            <p role="alert" class="text-sm text-rose-700">{other_error(action)}</p>
                            <FormActions cancel=routes::TOKENS submit="Save allowed addresses" />
                        </ActionForm>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
