//! The "Create token" dialog: the form, then the one-time reveal of the new token.

use crate::api::tokens::CreateToken;
use crate::domain::field::FieldErrors;
use crate::domain::new_token::{CreateTokenForm, Field, Limits, NewToken};
use crate::domain::plan::PlanAccess;
use crate::domain::token_name::MAX_NAME_CHARS;
use crate::domain::token_policy::TokenPolicy;
use crate::model::error::AppError;
use crate::model::routes;
use crate::model::tokens::{DomainOption, TokenRow};
use crate::ui::components::common::{FieldError, BUTTON_PRIMARY, BUTTON_SECONDARY, INPUT};
use crate::ui::components::modal::Modal;
use crate::ui::components::reveal::{Leaving, Reveal};
use crate::ui::components::scope_picker::ScopePicker;
use crate::ui::components::token_fields::{DomainFieldset, ExpirationFieldset, IpAllowlistField};
use leptos::either::Either;
use leptos::prelude::*;

/// The id of the heading that names the create form and the reveal.
pub const TITLE_ID: &str = "create-token-title";

/// A create form filled in from an existing token ("Create similar"), and what to say about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Prefill {
    pub form: CreateTokenForm,
    pub note: String,
}

impl Prefill {
    pub fn similar_to(
        token: &TokenRow,
        access: PlanAccess,
        policy: &TokenPolicy,
        domains: &[DomainOption],
    ) -> Prefill {
        let (form, dropped) = token.similar_form(access, policy, domains);
        let mut note = format!(
            "Filled in from “{}”. The new token gets its own secret and a new expiration.",
            token.name
        );
        if !dropped.is_empty() {
            note.push_str(&format!(
                " Left out, as your plan no longer allows them: {}.",
                dropped.join(", ")
            ));
        }
        Prefill { form, note }
    }
}

#[component]
pub fn CreateTokenDialog(
    open: RwSignal<bool>,
    access: PlanAccess,
    policy: TokenPolicy,
    domains: Vec<DomainOption>,
    action: ServerAction<CreateToken>,
    /// `None`: a new token's defaults.
    prefill: RwSignal<Option<Prefill>>,
) -> impl IntoView {
    // Closing forgets the answer, so the plaintext leaves the page with the dialog. After a
    // creation the list is loaded again (it is rendered on the server), with the new row.
    let close = Callback::new(move |_| {
        let created = action.value().get_untracked().and_then(Result::ok);
        open.set(false);
        action.clear();
        if let Some(created) = created {
            crate::ui::components::browser::go_to(&format!(
                "{}?created={}",
                crate::model::routes::TOKENS,
                created.row.id
            ));
        }
    });
    let created = move || action.value().get().and_then(Result::ok);
    // Escape on the reveal before the token was copied or downloaded asks first: the plaintext
    // is gone for good once the dialog closes.
    let leaving = Leaving::default();
    let escape = Callback::new(move |_| {
        let revealing = action
            .value()
            .get_untracked()
            .is_some_and(|answer| answer.is_ok());
        if revealing && !leaving.kept.get_untracked() && !leaving.asking.get_untracked() {
            leaving.asking.set(true);
        } else {
            close.run(());
        }
    });
    let domains = StoredValue::new(domains);
    let policy = StoredValue::new(policy);
    view! {
        <Modal open on_close=escape labelled_by=TITLE_ID class="max-w-3xl">
            {move || match created() {
                Some(created) => Either::Left(view! { <Reveal created on_done=close leaving /> }),
                None => Either::Right({
                    let (initial, note) = match prefill.get_untracked() {
                        Some(Prefill { form, note }) => (form, Some(note)),
                        None => (CreateTokenForm::new_for(access, &policy.read_value()), None),
                    };
                    view! {
                        <CreateForm
                            access
                            policy=policy.get_value()
                            domains=domains.get_value()
                            submit=Submit::Dialog { action, on_cancel: close }
                            initial
                            note
                        />
                    }
                }),
            }}
        </Modal>
    }
}

/// Where a form's answer goes: the dialog's server action (JavaScript), or a plain POST to the
/// create page, which answers with the reveal page or this form again with its errors.
#[derive(Clone, Copy)]
pub enum Submit {
    Dialog {
        action: ServerAction<CreateToken>,
        on_cancel: Callback<()>,
    },
    Page,
}

/// The create form. The same markup works as a plain HTML form (every input named, the custom
/// date and the domain list shown by CSS when their choice is checked) and, in the dialog, is
/// checked in the browser first and sent by the server action.
#[component]
pub fn CreateForm(
    access: PlanAccess,
    policy: TokenPolicy,
    domains: Vec<DomainOption>,
    submit: Submit,
    /// What to show in the fields: a new form, or the one the server refused.
    initial: CreateTokenForm,
    /// The server's verdict on `initial` (the page) and anything else it said.
    #[prop(optional)]
    refused: FieldErrors,
    #[prop(optional)] refused_message: Option<String>,
    /// Said under the heading (where a prefilled form came from).
    #[prop(default = None)]
    note: Option<String>,
) -> impl IntoView {
    let name = RwSignal::new(initial.name.clone());
    let expiration = RwSignal::new(initial.expiration.clone());
    let expiration_date = RwSignal::new(initial.expiration_date.clone());
    let scopes = RwSignal::new(initial.scopes.clone());
    let domain_mode = RwSignal::new(initial.domain_mode.clone());
    let domain_ids = RwSignal::new(initial.domain_ids.clone());
    let ip_allowlist = RwSignal::new(initial.ip_allowlist.clone());
    let client_errors = RwSignal::new(refused);
    let account_domain_ids: Vec<i64> = domains.iter().map(|d| d.id).collect();
    let action = match submit {
        Submit::Dialog { action, .. } => Some(action),
        Submit::Page => None,
    };

    // The server's verdict wins once it arrives; a new submission clears it.
    let errors = Memo::new(move |_| match action.and_then(|a| a.value().get()) {
        Some(Err(AppError::Invalid(errors))) if client_errors.with(FieldErrors::is_empty) => errors,
        _ => client_errors.get(),
    });
    let general_error = move || match action.and_then(|a| a.value().get()) {
        Some(Err(AppError::Invalid(_))) | Some(Ok(_)) => None,
        Some(Err(error)) => Some(error.to_string()),
        None => refused_message.clone(),
    };
    let error_for = move |field: Field| {
        Signal::derive(move || errors.with(|e| e.get(field).map(str::to_string)))
    };
    let invalid = move |field: Field| move || errors.with(|e| e.get(field).is_some()).to_string();
    let pending = move || action.is_some_and(|a| a.pending().get());
    let first_scope = access
        .allowed_scopes()
        .first()
        .map(|scope| format!("scope-{}", scope.name().replace(':', "-")))
        .unwrap_or_else(|| "scopes-error".into());
    // The page answering a refused POST has its problems from the start: focus their summary.
    let refused_on_load = !errors.get_untracked().is_empty();

    let policy_for_submit = policy.clone();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        let Some(action) = action else { return };
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
            ip_allowlist: ip_allowlist.get(),
        };
        let limits = Limits {
            access,
            account_domain_ids: &account_domain_ids,
            policy: &policy_for_submit,
            now: chrono::Utc::now(),
        };
        match NewToken::parse(&form, limits) {
            Ok(_) => {
                client_errors.set(FieldErrors::default());
                action.dispatch(CreateToken { form });
            }
            Err(errors) => client_errors.set(errors),
        }
    };
    let cancel = match submit {
        Submit::Dialog { on_cancel, .. } => Either::Left(view! {
            <button type="button" class=BUTTON_SECONDARY on:click=move |_| on_cancel.run(())>"Cancel"</button>
        }),
        Submit::Page => {
            Either::Right(view! { <a href=routes::TOKENS class=BUTTON_SECONDARY>"Cancel"</a> })
        }
    };
    let in_dialog = action.is_some();

    view! {
        <form
            method="post"
            action=routes::NEW_TOKEN
            on:submit=on_submit
            novalidate
            class=if in_dialog { "flex max-h-[90vh] flex-col" } else { "flex flex-col" }
        >
            <div class="border-b border-slate-200 px-6 py-4">
                <h2 id=TITLE_ID class="text-lg font-semibold">"Create token"</h2>
                <p class="text-sm text-slate-600">
                    "An ops token (tm_live_…) for scripts, CI and integrations. For Claude, Cursor and other AI clients, prefer connecting with OAuth."
                </p>
                {note.map(|note| view! { <p class="mt-2 rounded-lg bg-indigo-50 px-3 py-2 text-sm text-indigo-900">{note}</p> })}
            </div>
            <div class=if in_dialog { "space-y-6 overflow-y-auto px-6 py-5" } else { "space-y-6 px-6 py-5" }>
                <ErrorSummary errors first_scope autofocus=refused_on_load />
                <div data-tour="token-name">
                    <label for="token-name" class="block text-sm font-semibold">"Name"</label>
                    <input
                        id="token-name"
                        name="name"
                        type="text"
                        maxlength=MAX_NAME_CHARS
                        autocomplete="off"
                        placeholder="e.g. CI/CD Pipeline"
                        class=format!("mt-1 {INPUT}")
                        aria-describedby="token-name-error"
                        aria-invalid=invalid(Field::Name)
                        value=initial.name.clone()
                        prop:value=name
                        on:input=move |event| name.set(event_target_value(&event))
                        autofocus=!refused_on_load
                    />
                    <FieldError id="token-name-error" message=error_for(Field::Name) />
                </div>

                <ExpirationFieldset
                    policy=policy.clone()
                    selected=expiration
                    date=expiration_date
                    initial_date=initial.expiration_date.clone()
                    error=error_for(Field::Expiration)
                    date_error=error_for(Field::ExpirationDate)
                    help="Tokens that expire limit the damage of a leak. We recommend 30 or 90 days."
                />

                <ScopePicker access selected=scopes initial=initial.scopes.clone() interactive=in_dialog error=error_for(Field::Scopes) />

                <DomainFieldset
                    domains=domains.clone()
                    mode=domain_mode
                    ids=domain_ids
                    initial_ids=initial.domain_ids.clone()
                    error=error_for(Field::Domains)
                />

                <IpAllowlistField
                    initial=initial.ip_allowlist.clone()
                    value=ip_allowlist
                    error=error_for(Field::IpAllowlist)
                />
                <p role="alert" class="text-sm text-rose-700">{general_error}</p>
            </div>
            <div class="flex justify-end gap-3 border-t border-slate-200 bg-slate-50 px-6 py-4">
                {cancel}
                <button type="submit" class=BUTTON_PRIMARY disabled=pending>
                    {move || if pending() { "Creating…" } else { "Create token" }}
                </button>
            </div>
        </form>
    }
}

/// After a refused submission: what is wrong, each linked to its field. It takes focus when it
/// appears, so a keyboard or screen-reader user hears the problems first.
#[component]
fn ErrorSummary(errors: Memo<FieldErrors>, first_scope: String, autofocus: bool) -> impl IntoView {
    let summary = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if !errors.with(FieldErrors::is_empty) {
            if let Some(element) = summary.get() {
                let _ = element.focus();
            }
        }
    });
    let anchor = move |field: &str| -> String {
        match field.split('[').next().unwrap_or(field) {
            "name" => "token-name".into(),
            "expiration" => "expiration-30d".into(),
            "expiration_date" => "expiration-date".into(),
            "ip_allowlist" => "ip-allowlist".into(),
            "scopes" => first_scope.clone(),
            _ => "domain_mode-all".into(),
        }
    };
    move || {
        let problems = errors.get();
        (!problems.is_empty()).then(|| {
            let count = problems.0.len();
            view! {
                <div
                    node_ref=summary
                    id="create-token-problems"
                    role="region"
                    tabindex="-1"
                    autofocus=autofocus
                    aria-labelledby="create-token-problems-title"
                    class="rounded-xl border border-rose-300 bg-rose-50 px-4 py-3 text-sm text-rose-900 focus:outline-2 focus:outline-rose-600"
                >
                    <h3 id="create-token-problems-title" class="font-semibold">
                        {if count == 1 { "There is a problem".to_string() } else { format!("There are {count} problems") }}
                    </h3>
                    <ul class="mt-1 list-disc pl-5">
                        {problems
                            .0
                            .into_iter()
                            .map(|problem| view! {
                                <li><a href=format!("#{}", anchor(&problem.field)) class="font-medium underline">{problem.message}</a></li>
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}
