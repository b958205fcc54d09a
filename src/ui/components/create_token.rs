//! The "Create token" dialog: the form, then the one-time reveal of the new token.

use crate::api::tokens::CreateToken;
use crate::domain::expiration::{Expiration, FORM_WORDS};
use crate::domain::field::FieldErrors;
use crate::domain::new_token::{CreateTokenForm, Field, NewToken};
use crate::domain::plan::PlanAccess;
use crate::domain::time;
use crate::domain::token_name::MAX_NAME_CHARS;
use crate::model::error::AppError;
use crate::model::tokens::{CreatedToken, DomainOption};
use crate::ui::components::browser::{copy_to_clipboard, download_text};
use crate::ui::components::common::{FieldError, BUTTON_PRIMARY, BUTTON_SECONDARY, INPUT};
use crate::ui::components::modal::Modal;
use crate::ui::components::scope_picker::ScopePicker;
use leptos::prelude::*;
use leptos::task::spawn_local;

const TITLE_ID: &str = "create-token-title";

#[component]
pub fn CreateTokenDialog(
    open: RwSignal<bool>,
    access: PlanAccess,
    domains: Vec<DomainOption>,
    action: ServerAction<CreateToken>,
) -> impl IntoView {
    // Closing forgets the answer, so the plaintext leaves the page with the dialog.
    let close = Callback::new(move |_| {
        open.set(false);
        action.clear();
    });
    let created = move || action.value().get().and_then(Result::ok);
    let domains = StoredValue::new(domains);
    view! {
        <Modal open on_close=close labelled_by=TITLE_ID class="max-w-3xl">
            {move || match created() {
                Some(created) => view! { <Reveal created on_done=close /> }.into_any(),
                None => view! { <CreateForm access domains=domains.get_value() action on_cancel=close /> }.into_any(),
            }}
        </Modal>
    }
}

#[component]
fn CreateForm(
    access: PlanAccess,
    domains: Vec<DomainOption>,
    action: ServerAction<CreateToken>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let expiration = RwSignal::new("30d".to_string());
    let expiration_date = RwSignal::new(String::new());
    let scopes = RwSignal::new(
        access
            .allowed_scopes()
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>(),
    );
    let domain_mode = RwSignal::new("all".to_string());
    let domain_ids = RwSignal::new(Vec::<i64>::new());
    let client_errors = RwSignal::new(FieldErrors::default());
    let account_domain_ids: Vec<i64> = domains.iter().map(|d| d.id).collect();

    // The server's verdict wins once it arrives; a new submission clears it.
    let errors = Memo::new(move |_| match action.value().get() {
        Some(Err(AppError::Invalid(errors))) if client_errors.with(FieldErrors::is_empty) => errors,
        _ => client_errors.get(),
    });
    let general_error = move || match action.value().get() {
        Some(Err(AppError::Invalid(_))) | Some(Ok(_)) | None => None,
        Some(Err(error)) => Some(error.to_string()),
    };
    let error_for = move |field: Field| {
        Signal::derive(move || errors.with(|e| e.get(field).map(str::to_string)))
    };
    let invalid = move |field: Field| move || errors.with(|e| e.get(field).is_some()).to_string();

    let today = chrono::Utc::now().date_naive();
    let min_date = (today + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let max_date = Expiration::latest_custom_date(today)
        .format("%Y-%m-%d")
        .to_string();

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let form = CreateTokenForm {
            name: name.get(),
            expiration: expiration.get(),
            expiration_date: expiration_date.get(),
            scopes: scopes.get(),
            domain_mode: domain_mode.get(),
            domain_ids: if domain_mode.get() == "selected" {
                domain_ids.get()
            } else {
                Vec::new()
            },
        };
        let today = chrono::Utc::now().date_naive();
        match NewToken::parse(&form, access, &account_domain_ids, today) {
            Ok(_) => {
                client_errors.set(FieldErrors::default());
                action.dispatch(CreateToken { form });
            }
            Err(errors) => client_errors.set(errors),
        }
    };

    view! {
        <form on:submit=submit novalidate class="flex max-h-[90vh] flex-col">
            <div class="border-b border-slate-200 px-6 py-4">
                <h2 id=TITLE_ID class="text-lg font-semibold">"Create token"</h2>
                <p class="text-sm text-slate-600">
                    "An ops token (tm_live_…) for scripts, CI and integrations. For Claude, Cursor and other AI clients, prefer connecting with OAuth."
                </p>
            </div>
            <div class="space-y-6 overflow-y-auto px-6 py-5">
                <div data-tour="token-name">
                    <label for="token-name" class="block text-sm font-semibold">"Name"</label>
                    <input
                        id="token-name"
                        type="text"
                        maxlength=MAX_NAME_CHARS
                        autocomplete="off"
                        placeholder="e.g. CI/CD Pipeline"
                        class=format!("mt-1 {INPUT}")
                        aria-describedby="token-name-error"
                        aria-invalid=invalid(Field::Name)
                        prop:value=name
                        on:input=move |event| name.set(event_target_value(&event))
                        autofocus
                    />
                    <FieldError id="token-name-error" message=error_for(Field::Name) />
                </div>

                <fieldset aria-describedby="expiration-help expiration-error" data-tour="token-expiration">
                    <legend class="text-sm font-semibold">"Expiration"</legend>
                    <p id="expiration-help" class="mt-1 text-sm text-slate-600">
                        "Tokens that expire limit the damage of a leak. We recommend 30 or 90 days."
                    </p>
                    <RadioChoices name="expiration" choices=FORM_WORDS.iter().map(|(word, _, label)| (*word, *label)).collect() selected=expiration />
                    <FieldError id="expiration-error" message=error_for(Field::Expiration) />
                    <Show when=move || expiration.get() == "custom">
                        <div class="mt-2 max-w-xs">
                            <label for="expiration-date" class="block text-sm font-medium">"Expiration date"</label>
                            <input
                                id="expiration-date"
                                type="date"
                                min=min_date.clone()
                                max=max_date.clone()
                                class=format!("mt-1 {INPUT}")
                                aria-describedby="expiration-date-help expiration-date-error"
                                aria-invalid=invalid(Field::ExpirationDate)
                                prop:value=expiration_date
                                on:input=move |event| expiration_date.set(event_target_value(&event))
                            />
                            <p id="expiration-date-help" class="mt-1 text-xs text-slate-500">
                                "The token stops working at the end of this day (UTC)."
                            </p>
                            <FieldError id="expiration-date-error" message=error_for(Field::ExpirationDate) />
                        </div>
                    </Show>
                </fieldset>

                <ScopePicker access selected=scopes error=error_for(Field::Scopes) />

                <fieldset aria-describedby="domains-help domains-error" data-tour="token-domains">
                    <legend class="text-sm font-semibold">"Domain constraint"</legend>
                    <p id="domains-help" class="mt-1 text-sm text-slate-600">
                        "A constrained token only sees the chosen domains; the API answers 404 for everything else."
                    </p>
                    <RadioChoices
                        name="domain_mode"
                        choices=vec![("all", "All domains"), ("selected", "Selected domains")]
                        selected=domain_mode
                    />
                    <Show when=move || domain_mode.get() == "selected">
                        <fieldset class="mt-3 rounded-xl border border-slate-200 p-3">
                            <legend class="px-1 text-xs font-semibold uppercase tracking-wide text-slate-500">"Domains"</legend>
                            <ul class="grid gap-2 sm:grid-cols-2">
                                {domains
                                    .iter()
                                    .map(|domain| {
                                        let id = domain.id;
                                        let input_id = format!("domain-{id}");
                                        view! {
                                            <li class="flex items-center gap-2">
                                                <input
                                                    type="checkbox"
                                                    id=input_id.clone()
                                                    class="size-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-600"
                                                    prop:checked=move || domain_ids.with(|ids| ids.contains(&id))
                                                    on:change=move |event| {
                                                        let on = event_target_checked(&event);
                                                        domain_ids.update(|ids| {
                                                            ids.retain(|existing| *existing != id);
                                                            if on {
                                                                ids.push(id);
                                                            }
                                                        });
                                                    }
                                                />
                                                <label for=input_id class="text-sm">{domain.name.clone()}</label>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </fieldset>
                    </Show>
                    <FieldError id="domains-error" message=error_for(Field::Domains) />
                </fieldset>
                <p role="alert" class="text-sm text-rose-700">{general_error}</p>
            </div>
            <div class="flex justify-end gap-3 border-t border-slate-200 bg-slate-50 px-6 py-4">
                <button type="button" class=BUTTON_SECONDARY on:click=move |_| on_cancel.run(())>"Cancel"</button>
                <button type="submit" class=BUTTON_PRIMARY disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating…" } else { "Create token" }}
                </button>
            </div>
        </form>
    }
}

/// A row of labelled radio buttons bound to `selected` (the chosen value).
#[component]
fn RadioChoices(
    name: &'static str,
    choices: Vec<(&'static str, &'static str)>,
    selected: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="mt-2 flex flex-wrap gap-x-5 gap-y-2">
            {choices
                .into_iter()
                .map(|(value, label)| {
                    let id = format!("{name}-{value}");
                    view! {
                        <div class="flex items-center gap-2">
                            <input
                                type="radio"
                                id=id.clone()
                                name=name
                                value=value
                                class="size-4 border-slate-300 text-indigo-600 focus:ring-indigo-600"
                                prop:checked=move || selected.get() == value
                                on:change=move |_| selected.set(value.to_string())
                            />
                            <label for=id class="text-sm">{label}</label>
                        </div>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// Shows the plaintext once, with Copy and Download.
#[component]
fn Reveal(created: CreatedToken, on_done: Callback<()>) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let token = StoredValue::new(created.token.clone());
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
    let copy = move |_| {
        spawn_local(async move {
            let ok = copy_to_clipboard(&token.get_value()).await;
            copied.set(Some(ok));
        });
    };
    let download = move |_| {
        download_text(&file_name, &file_text);
    };
    view! {
        <div class="px-6 py-5">
            <h2 id=TITLE_ID class="text-lg font-semibold">"Token created"</h2>
            <p class="mt-1 text-sm text-slate-600">
                {format!("“{}” is ready to use.", row.name)}
            </p>
            <div class="mt-4 rounded-xl border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" role="note">
                <strong>"Copy this token now."</strong>
                " For your security it will not be shown again: TrekMail keeps only a hash of it."
            </div>
            <label for="new-token" class="mt-4 block text-sm font-semibold">"Your new token"</label>
            <div class="mt-1 flex flex-col gap-2 sm:flex-row">
                <input
                    id="new-token"
                    type="text"
                    readonly
                    class=format!("font-mono {INPUT}")
                    prop:value=created.token.clone()
                    on:focus=move |event| {
                        use wasm_bindgen::JsCast;
                        if let Some(input) = event.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                            input.select();
                        }
                    }
                />
                <button type="button" class=BUTTON_PRIMARY on:click=copy>"Copy"</button>
                <button type="button" class=BUTTON_SECONDARY on:click=download>"Download"</button>
            </div>
            <p role="status" class="mt-2 min-h-5 text-sm font-medium">
                {move || match copied.get() {
                    Some(true) => view! { <span class="text-emerald-700">"Copied"</span> }.into_any(),
                    Some(false) => view! { <span class="text-rose-700">"Your browser blocked the clipboard. Select the token and copy it by hand."</span> }.into_any(),
                    None => ().into_any(),
                }}
            </p>
            <div class="mt-4 flex justify-end">
                <button type="button" class=BUTTON_SECONDARY on:click=move |_| on_done.run(())>"Done"</button>
            </div>
        </div>
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
