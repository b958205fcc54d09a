//! The Rotate and Pause / Resume dialogs of the Tokens page, opened by each row's buttons once the
//! page's script is ready (without it, the same buttons are links to pages doing the same job).

use crate::api::lifecycle::{RotateToken, SetTokenPaused};
use crate::domain::rotation::{Grace, GRACE_CHOICES, GRACE_RULE};
use crate::domain::status::TokenStatus;
use crate::model::tokens::TokenRow;
use crate::ui::components::browser::{go_to, this_list_with};
use crate::ui::components::common::{action_error, BUTTON_PRIMARY, BUTTON_SECONDARY};
use crate::ui::components::modal::Modal;
use crate::ui::components::reveal::{Leaving, Reveal};
use crate::ui::components::token_fields::RadioChoices;
use leptos::either::Either;
use leptos::prelude::*;

const PAUSE_TITLE_ID: &str = "pause-token-title";
const ROTATE_TITLE_ID: &str = "rotate-token-title";

/// "Rotate token": the grace period, then the one-time reveal of the new secret. Closing after
/// the reveal loads the list again, confirming the rotation.
#[component]
pub fn RotateDialog(target: RwSignal<Option<TokenRow>>) -> impl IntoView {
    let action = ServerAction::<RotateToken>::new();
    let grace = RwSignal::new("24h".to_string());
    let chosen = RwSignal::new(None::<Grace>);
    let close = Callback::new(move |_| {
        let rotated = action.value().get_untracked().and_then(Result::ok);
        target.set(None);
        action.clear();
        if let Some(rotated) = rotated {
            go_to(&this_list_with("rotated", rotated.row.id));
        }
    });
    // Escape on the reveal before the secret was kept asks first, as at creation.
    let leaving = Leaving::default();
    let escape = Callback::new(move |_| {
        let revealing = action.value().get_untracked().is_some_and(|a| a.is_ok());
        if revealing && !leaving.kept.get_untracked() && !leaving.asking.get_untracked() {
            leaving.asking.set(true);
        } else {
            close.run(());
        }
    });
    let error = action_error(action);
    let open = Signal::derive(move || target.with(Option::is_some));
    view! {
        <Modal open on_close=escape labelled_by=ROTATE_TITLE_ID class="max-w-xl">
            {move || match (action.value().get().and_then(Result::ok), target.get()) {
                (Some(created), _) => {
                    let fate = chosen.get_untracked().map(Grace::old_secret_fate).unwrap_or_default();
                    Either::Left(view! {
                        <span id=ROTATE_TITLE_ID hidden>"Token rotated"</span>
                        <Reveal created on_done=close leaving rotation=fate />
                    })
                }
                (None, token) => Either::Right(token.map(|token| {
                    let id = token.id;
                    view! {
                        <div class="px-6 py-5">
                            <h2 id=ROTATE_TITLE_ID class="text-lg font-semibold">"Rotate token"</h2>
                            <p class="mt-2 text-sm text-slate-600">
                                {format!("“{}” gets a new secret with the same name, scopes, domains, expiry and allowed IP addresses. You see the new secret once. Afterwards, replace {}… wherever it is used.", token.name, token.visible_prefix)}
                            </p>
                            <fieldset class="mt-4" aria-describedby="rotate-grace-rule">
                                <legend class="text-sm font-semibold">"Keep the old secret working for"</legend>
                                <RadioChoices name="grace" choices=GRACE_CHOICES.iter().map(|(word, _, label)| (*word, *label)).collect() selected=grace />
                                <p id="rotate-grace-rule" class="mt-2 text-xs text-slate-600">{GRACE_RULE}</p>
                            </fieldset>
                            <p role="alert" class="mt-2 text-sm text-rose-700">{error}</p>
                            <DialogActions
                                cancel=close
                                confirm=Callback::new(move |_| {
                                    let word = grace.get_untracked();
                                    chosen.set(Grace::parse(&word).ok());
                                    action.dispatch(RotateToken { id, grace: word });
                                })
                                pending=action.pending()
                                label="Rotate token"
                                busy="Rotating…"
                            />
                        </div>
                    }
                })),
            }}
        </Modal>
    }
}

/// "Pause" or "Resume", whichever applies to the token; the list is loaded again once done.
#[component]
pub fn PauseDialog(target: RwSignal<Option<TokenRow>>) -> impl IntoView {
    let action = ServerAction::<SetTokenPaused>::new();
    let close = Callback::new(move |_| target.set(None));
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(token)) = (action.value().get(), target.get_untracked()) {
            let change = if token.status == TokenStatus::Paused {
                "resumed"
            } else {
                "paused"
            };
            go_to(&this_list_with(change, token.id));
        }
    });
    let error = action_error(action);
    view! {
        <Modal open=Signal::derive(move || target.with(Option::is_some)) on_close=close labelled_by=PAUSE_TITLE_ID class="max-w-md">
            {move || target.get().map(|token| {
                let (id, pause) = (token.id, token.status != TokenStatus::Paused);
                let (title, text, button) = pause_words(&token);
                view! {
                    <div class="px-6 py-5">
                        <h2 id=PAUSE_TITLE_ID class="text-lg font-semibold">{title}</h2>
                        <p class="mt-2 text-sm text-slate-600">{text}</p>
                        <p role="alert" class="mt-2 text-sm text-rose-700">{error}</p>
                        <DialogActions
                            cancel=close
                            confirm=Callback::new(move |_| {
                                action.dispatch(SetTokenPaused { id, paused: pause });
                            })
                            pending=action.pending()
                            label=button
                            busy=if pause { "Pausing…" } else { "Resuming…" }
                        />
                    </div>
                }
            })}
        </Modal>
    }
}

/// Cancel, and the dialog's action (disabled, and saying so, while it runs).
#[component]
fn DialogActions(
    cancel: Callback<()>,
    confirm: Callback<()>,
    #[prop(into)] pending: Signal<bool>,
    label: &'static str,
    busy: &'static str,
) -> impl IntoView {
    view! {
        <div class="mt-5 flex justify-end gap-3">
            <button type="button" class=BUTTON_SECONDARY on:click=move |_| cancel.run(()) autofocus>"Cancel"</button>
            <button type="button" class=BUTTON_PRIMARY disabled=move || pending.get() on:click=move |_| confirm.run(())>
                {move || if pending.get() { busy } else { label }}
            </button>
        </div>
    }
}

/// The title, the explanation and the button of the pause or resume confirmation (the dialog and
/// the page say the same).
pub fn pause_words(token: &TokenRow) -> (String, String, &'static str) {
    if token.status == TokenStatus::Paused {
        (
            format!("Resume “{}”?", token.name),
            format!("The API accepts {}… again from the next request, with everything it had before it was paused.", token.visible_prefix),
            "Resume token",
        )
    } else {
        (
            format!("Pause “{}”?", token.name),
            format!("The API refuses {}… with 401 (“This token is paused”) until you resume it, and the message tokens it minted with it. Nothing else changes: its scopes, domains and expiry stay as they are, and it still expires on time.", token.visible_prefix),
            "Pause token",
        )
    }
}
