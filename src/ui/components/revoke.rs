//! The confirmation before a token is revoked for good.

use crate::api::tokens::RevokeToken;
use crate::model::tokens::TokenRow;
use crate::ui::components::common::{action_error, BUTTON_DANGER, BUTTON_SECONDARY};
use crate::ui::components::modal::Modal;
use leptos::prelude::*;

const TITLE_ID: &str = "revoke-token-title";

/// Open while `target` holds a token. Once the revocation is done the list is loaded again, as it
/// was filtered, confirming it (the list is rendered on the server).
#[component]
pub fn RevokeDialog(target: RwSignal<Option<TokenRow>>) -> impl IntoView {
    let action = ServerAction::<RevokeToken>::new();
    let close = Callback::new(move |_| target.set(None));
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(token)) = (action.value().get(), target.get_untracked()) {
            crate::ui::components::browser::go_to(&crate::ui::components::browser::this_list_with(
                "revoked", token.id,
            ));
        }
    });
    let error = action_error(action);
    view! {
        <Modal open=Signal::derive(move || target.with(Option::is_some)) on_close=close labelled_by=TITLE_ID class="max-w-md">
            {move || target.get().map(|token| {
                let id = token.id;
                view! {
                    <div class="px-6 py-5">
                        <RevokeWarning token=token.clone() title_id=TITLE_ID />
                        <p role="alert" class="mt-2 text-sm text-rose-700">{error}</p>
                        <div class="mt-5 flex justify-end gap-3">
                            <button type="button" class=BUTTON_SECONDARY on:click=move |_| close.run(()) autofocus>
                                "Cancel"
                            </button>
                            <button
                                type="button"
                                class=BUTTON_DANGER
                                disabled=move || action.pending().get()
                                on:click=move |_| {
                                    action.dispatch(RevokeToken { id });
                                }
                            >
                                {move || if action.pending().get() { "Revoking…" } else { "Revoke token" }}
                            </button>
                        </div>
                    </div>
                }
            })}
        </Modal>
    }
}

/// What revoking `token` does, under its "Revoke …?" heading (`title_id` names the dialog or
/// page): the dialog and the confirmation page say the same.
#[component]
pub fn RevokeWarning(token: TokenRow, title_id: &'static str) -> impl IntoView {
    view! {
        <h2 id=title_id class="text-lg font-semibold">{format!("Revoke “{}”?", token.name)}</h2>
        <p class="mt-2 text-sm text-slate-600">
            {format!(
                "Apps and agents using {}… stop working immediately: the API answers 401 Unauthorized from the next request on.",
                token.visible_prefix,
            )}
        </p>
        <MintedTokens minted=token.minted />
        <p class="mt-2 text-sm font-medium text-slate-900">"This cannot be undone."</p>
    }
}

/// How many message tokens listed in full before "and N more".
const MINTED_SHOWN: usize = 5;

/// The live message tokens this ops token minted: revoking it revokes them too.
#[component]
fn MintedTokens(minted: Vec<String>) -> impl IntoView {
    if minted.is_empty() {
        return None;
    }
    let count = minted.len();
    let more = count.saturating_sub(MINTED_SHOWN);
    Some(view! {
        <div class="mt-3 rounded-lg bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200">
            <p class="font-medium">
                {format!(
                    "The {count} message token{} it created will be revoked too:",
                    if count == 1 { "" } else { "s" },
                )}
            </p>
            <ul class="mt-1 list-disc pl-5">
                {minted.into_iter().take(MINTED_SHOWN).map(|name| view! { <li>{name}</li> }).collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="mt-1">{format!("…and {more} more.")}</p> })}
        </div>
    })
}
