//! The confirmation before a token is revoked for good.

use crate::api::tokens::{RevokeToken, TokenRow};
use crate::ui::components::common::{BUTTON_DANGER, BUTTON_SECONDARY};
use crate::ui::components::modal::Modal;
use leptos::prelude::*;

const TITLE_ID: &str = "revoke-token-title";

/// Open while `target` holds a token. Confirming dispatches `action`; the page closes the dialog
/// when the revocation is done.
#[component]
pub fn RevokeDialog(
    target: RwSignal<Option<TokenRow>>,
    action: ServerAction<RevokeToken>,
) -> impl IntoView {
    let close = Callback::new(move |_| target.set(None));
    let error = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <Modal open=Signal::derive(move || target.with(Option::is_some)) on_close=close labelled_by=TITLE_ID class="max-w-md">
            {move || target.get().map(|token| {
                let id = token.id;
                view! {
                    <div class="px-6 py-5">
                        <h2 id=TITLE_ID class="text-lg font-semibold">{format!("Revoke “{}”?", token.name)}</h2>
                        <p class="mt-2 text-sm text-slate-600">
                            {format!(
                                "Apps and agents using {}… stop working immediately: the API answers 401 Unauthorized from the next request on.",
                                token.visible_prefix,
                            )}
                        </p>
                        <p class="mt-2 text-sm font-medium text-slate-900">"This cannot be undone."</p>
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
