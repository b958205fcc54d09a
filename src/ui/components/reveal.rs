//! The one-time reveal of a new token, in the create dialog and on the create page: the
//! plaintext with Copy and Download, a first call to try, and "Close without copying?".

use crate::domain::time;
use crate::model::routes;
use crate::model::tokens::CreatedToken;
use crate::ui::components::browser::copy_to_clipboard;
use crate::ui::components::common::{BUTTON_DANGER, BUTTON_PRIMARY, BUTTON_SECONDARY, INPUT};
use crate::ui::components::create_token::TITLE_ID;
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Whether the owner kept the plaintext (copied or downloaded it), and whether the dialog is
/// asking "Close without copying?". The dialog's reveal has one; the page's has none.
#[derive(Clone, Copy, Default)]
pub struct Leaving {
    pub kept: RwSignal<bool>,
    pub asking: RwSignal<bool>,
}

/// Shows the plaintext once, with Copy and Download. `on_done`: the dialog's close; on the page
/// "Done" is a link to the list.
#[component]
pub fn Reveal(
    created: CreatedToken,
    #[prop(optional)] on_done: Option<Callback<()>>,
    #[prop(optional)] leaving: Option<Leaving>,
    /// A rotation's new secret: what becomes of the old one, said under the heading.
    #[prop(optional)]
    rotation: Option<String>,
) -> impl IntoView {
    if let Some(leaving) = leaving {
        provide_context(leaving);
    }
    let kept = move || {
        if let Some(leaving) = leaving {
            leaving.kept.set(true);
        }
    };
    let row = created.row;
    let file_name = format!("trekmail-token-{}.txt", slug(&row.name));
    let file_text = format!(
        "{}\n\nName: {}\nScopes: {}\nDomains: {}\nExpires: {}\nCreated: {}\n\nKeep this file secret. TrekMail stores only a hash of this token and cannot show it again.\n",
        created.token,
        row.name,
        row.scopes.join(" "),
        row.domains.as_ref().map(|d| d.join(", ")).unwrap_or_else(|| "All domains".into()),
        row.expires_at.map(time::exact).unwrap_or_else(|| "Never".into()),
        time::exact(row.created_at),
    );
    // A data: link downloads without JavaScript as well.
    let download_href = format!(
        "data:text/plain;charset=utf-8,{}",
        percent_encoding::utf8_percent_encode(&file_text, percent_encoding::NON_ALPHANUMERIC)
    );
    let done = match on_done {
        Some(on_done) => Either::Left(view! {
            <button type="button" class=BUTTON_SECONDARY on:click=move |_| on_done.run(())>"Done"</button>
        }),
        None => {
            let change = if rotation.is_some() {
                "rotated"
            } else {
                "created"
            };
            Either::Right(view! {
                <a href=format!("{}?{change}={}", routes::TOKENS, row.id) class=BUTTON_SECONDARY>"Done"</a>
            })
        }
    };
    let (heading, summary) = match rotation {
        Some(old_secret) => (
            "Token rotated",
            format!("“{}” has a new secret. {old_secret}", row.name),
        ),
        None => ("Token created", format!("“{}” is ready to use.", row.name)),
    };
    view! {
        <div class="px-6 py-5">
            <h2 id=TITLE_ID class="text-lg font-semibold">{heading}</h2>
            <p class="mt-1 text-sm text-slate-600">{summary}</p>
            <div class="mt-4 rounded-xl border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" role="note">
                <strong>"Copy this token now."</strong>
                " For your security it will not be shown again: TrekMail keeps only a hash of it. If it is lost, revoke it and create a new one."
            </div>
            <label for="new-token" class="mt-4 block text-sm font-semibold">"Your new token"</label>
            <div class="mt-1 flex flex-col gap-2 sm:flex-row">
                <input
                    id="new-token"
                    type="text"
                    readonly
                    class=format!("font-mono {INPUT}")
                    value=created.token.clone()
                    on:focus=move |event| {
                        use wasm_bindgen::JsCast;
                        if let Some(input) = event.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                            input.select();
                        }
                    }
                />
                <CopyButton text=created.token.clone() />
                <a href=download_href download=file_name class=BUTTON_SECONDARY on:click=move |_| kept()>"Download"</a>
            </div>
            {move || {
                let (leaving, on_done) = (leaving?, on_done?);
                leaving.asking.get().then(|| view! { <ConfirmLeave leaving on_done /> })
            }}
            <TryIt token=created.token.clone() />
            <div class="mt-4 flex justify-end">{done}</div>
        </div>
    }
}

/// Where the product's help explains connecting Claude, Cursor and other AI clients.
const CONNECTING_AI_AGENTS: &str = "https://trekmail.net/docs/ai-agents-api/connecting-ai-agents";

/// The next step after the reveal: a first call to copy, and where to read about AI agents.
#[component]
fn TryIt(token: String) -> impl IntoView {
    let curl = format!(
        "curl -H \"Authorization: Bearer {token}\" {}/api/v1/me",
        page_origin()
    );
    view! {
        <div class="mt-4">
            <p id="try-it" class="text-sm font-semibold">"Try it: who am I?"</p>
            <pre aria-labelledby="try-it" tabindex="0" class="mt-1 overflow-x-auto focus-visible:outline-2 focus-visible:outline-indigo-600 rounded-lg bg-slate-900 p-3 text-xs text-slate-100"><code>{curl}</code></pre>
            <p class="mt-2 text-sm text-slate-600">
                "Connecting Claude, Cursor or another AI client? "
                <a href=CONNECTING_AI_AGENTS class="font-semibold text-indigo-700 underline">"How to connect AI agents"</a>
            </p>
        </div>
    }
}

/// This site's origin: from the request on the server (the page without JavaScript), from the
/// address bar in the browser (the dialog).
fn page_origin() -> String {
    #[cfg(feature = "ssr")]
    {
        crate::api::context::site_origin()
    }
    #[cfg(not(feature = "ssr"))]
    {
        web_sys::window()
            .and_then(|window| window.location().origin().ok())
            .unwrap_or_default()
    }
}

/// "Close without copying?": the last chance to keep the plaintext. Focus starts on keeping it.
#[component]
fn ConfirmLeave(leaving: Leaving, on_done: Callback<()>) -> impl IntoView {
    let keep = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = keep.get() {
            let _ = button.focus();
        }
    });
    view! {
        <div role="alert" class="mt-4 rounded-xl border border-rose-300 bg-rose-50 p-3 text-sm text-rose-900">
            <p class="font-semibold">"Close without copying?"</p>
            <p class="mt-1">"This token will not be shown again. If it is lost, revoke it and create a new one."</p>
            <div class="mt-3 flex flex-wrap justify-end gap-2">
                <button type="button" node_ref=keep class=BUTTON_SECONDARY on:click=move |_| leaving.asking.set(false)>
                    "Keep it open"
                </button>
                <button type="button" class=BUTTON_DANGER on:click=move |_| on_done.run(())>
                    "Close without copying"
                </button>
            </div>
        </div>
    }
}

/// Copies `text` to the clipboard and says whether it worked. Needs the script: hidden when it
/// is off, and a click made before it is ready is replayed once it is.
#[island]
pub fn CopyButton(text: String) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    // Inside the dialog's reveal: a copy counts as keeping the token.
    let leaving = use_context::<Leaving>();
    let text = StoredValue::new(text);
    let copy = move |_| {
        spawn_local(async move {
            let ok = copy_to_clipboard(&text.get_value()).await;
            copied.set(Some(ok));
            if let (true, Some(leaving)) = (ok, leaving) {
                leaving.kept.set(true);
            }
        });
    };
    view! {
        <button type="button" id="copy-token" data-needs-script="" class=BUTTON_PRIMARY on:click=copy>"Copy"</button>
        <p role="status" class="min-h-5 self-center text-sm font-medium sm:order-last">
            {move || match copied.get() {
                Some(true) => EitherOf3::A(view! { <span class="text-emerald-700">"Copied"</span> }),
                Some(false) => EitherOf3::B(view! { <span class="text-rose-700">"Your browser blocked the clipboard. Select the token and copy it by hand."</span> }),
                None => EitherOf3::C(()),
            }}
        </p>
    }
}

/// A file-name-safe version of a token name.
fn slug(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if slug.is_empty() {
        "token".into()
    } else {
        slug
    }
}
