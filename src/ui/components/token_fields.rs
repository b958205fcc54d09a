//! Fields the create form shares with the change pages and dialogs: radio choices, the
//! expiration within the token policy, the domain constraint and the IP allowlist. Each works as
//! plain HTML (named inputs, CSS showing what a choice reveals) and binds a signal once hydrated.

use crate::domain::expiration::{Expiration, FORM_WORDS};
use crate::domain::ip_allowlist::MAX_ENTRIES;
use crate::domain::token_policy::TokenPolicy;
use crate::model::tokens::DomainOption;
use crate::ui::components::common::{FieldError, INPUT};
use leptos::prelude::*;

/// A row of labelled radio buttons bound to `selected` (the chosen value); those in `disabled`
/// cannot be chosen (the caller says why).
#[component]
pub fn RadioChoices(
    name: &'static str,
    choices: Vec<(&'static str, &'static str)>,
    selected: RwSignal<String>,
    #[prop(optional)] disabled: Vec<&'static str>,
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
                                class="size-4 shrink-0 border-slate-300 text-indigo-600 focus:ring-indigo-600"
                                checked=selected.get_untracked() == value
                                disabled=disabled.contains(&value)
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

/// The expiration choices and the custom date, within the owner's token policy: what it does not
/// allow is disabled, with the reason under the choices. The create form and the "Change
/// expiration" page use it; both post `expiration` and `expiration_date`.
#[component]
pub fn ExpirationFieldset(
    policy: TokenPolicy,
    selected: RwSignal<String>,
    date: RwSignal<String>,
    initial_date: String,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] date_error: Signal<Option<String>>,
    help: &'static str,
) -> impl IntoView {
    let today = chrono::Utc::now().date_naive();
    // A date's Display is `YYYY-MM-DD` (and leaves chrono's format-string code out of the bundle).
    let min_date = (today + chrono::Duration::days(1)).to_string();
    let latest = Expiration::latest_custom_date(today);
    let max_date = policy
        .latest_custom_date(today)
        .map_or(latest, |allowed| allowed.min(latest))
        .to_string();
    let disabled: Vec<&'static str> = FORM_WORDS
        .iter()
        .map(|(word, _, _)| *word)
        .filter(|word| policy.allows_word(word).is_err())
        .collect();
    let reason = disabled
        .first()
        .and_then(|word| policy.allows_word(word).err());
    let invalid =
        move |message: Signal<Option<String>>| move || message.with(Option::is_some).to_string();
    view! {
        <fieldset class="group" aria-describedby="expiration-help expiration-policy expiration-error" data-tour="token-expiration">
            <legend class="text-sm font-semibold">"Expiration"</legend>
            <p id="expiration-help" class="mt-1 text-sm text-slate-600">{help}</p>
            <RadioChoices name="expiration" choices=FORM_WORDS.iter().map(|(word, _, label)| (*word, *label)).collect() selected disabled />
            <p id="expiration-policy" class="mt-1 text-xs text-slate-600">{reason}</p>
            <FieldError id="expiration-error" message=error />
            // Shown by CSS while "Custom date" is checked, so it works without JavaScript.
            <div class="mt-2 hidden max-w-xs group-has-[[value=custom]:checked]:block">
                <label for="expiration-date" class="block text-sm font-medium">"Expiration date"</label>
                <input
                    id="expiration-date"
                    name="expiration_date"
                    type="date"
                    min=min_date
                    max=max_date
                    class=format!("mt-1 {INPUT}")
                    aria-describedby="expiration-date-help expiration-date-error"
                    aria-invalid=invalid(date_error)
                    value=initial_date
                    prop:value=date
                    on:input=move |event| date.set(event_target_value(&event))
                />
                <p id="expiration-date-help" class="mt-1 text-xs text-slate-600">
                    "The token stops working at the end of this day (UTC)."
                </p>
                <FieldError id="expiration-date-error" message=date_error />
            </div>
        </fieldset>
    }
}

/// "Allowed IP addresses": optional, one entry per line or separated by commas. The create form
/// and the allowlist page use it; both post `ip_allowlist`.
#[component]
pub fn IpAllowlistField(
    initial: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div>
            <label for="ip-allowlist" class="block text-sm font-semibold">"Allowed IP addresses"</label>
            <p id="ip-allowlist-help" class="mt-1 text-sm text-slate-600">
                {format!("Optional. IPv4 or IPv6 addresses and CIDR ranges (e.g. 203.0.113.7, 10.0.0.0/8), up to {MAX_ENTRIES}. The API refuses calls from anywhere else with 403. Leave empty to allow any address.")}
            </p>
            <textarea
                id="ip-allowlist"
                name="ip_allowlist"
                rows="3"
                spellcheck="false"
                autocomplete="off"
                class=format!("mt-1 font-mono {INPUT}")
                aria-describedby="ip-allowlist-help ip-allowlist-error"
                aria-invalid=move || error.with(Option::is_some).to_string()
                prop:value=value
                on:input=move |event| value.set(event_target_value(&event))
            >
                {initial}
            </textarea>
            <FieldError id="ip-allowlist-error" message=error />
        </div>
    }
}

/// "Domain constraint": all domains, or the chosen ones (shown by CSS while "Selected domains" is
/// checked, so it works without JavaScript). The create form and "Edit access" use it; both post
/// `domain_mode` and `domain_ids`.
#[component]
pub fn DomainFieldset(
    domains: Vec<DomainOption>,
    mode: RwSignal<String>,
    ids: RwSignal<Vec<i64>>,
    initial_ids: Vec<i64>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <fieldset class="group" aria-describedby="domains-help domains-error" data-tour="token-domains">
            <legend class="text-sm font-semibold">"Domain constraint"</legend>
            <p id="domains-help" class="mt-1 text-sm text-slate-600">
                "A constrained token only sees the chosen domains; the API answers 404 for everything else."
            </p>
            <RadioChoices
                name="domain_mode"
                choices=vec![("all", "All domains"), ("selected", "Selected domains")]
                selected=mode
            />
            <fieldset class="mt-3 hidden rounded-xl border border-slate-200 p-3 group-has-[[value=selected]:checked]:block">
                <legend class="px-1 text-xs font-semibold uppercase tracking-wide text-slate-600">"Domains"</legend>
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
                                        name="domain_ids"
                                        value=id
                                        class="size-4 shrink-0 rounded border-slate-300 text-indigo-600 focus:ring-indigo-600"
                                        checked=initial_ids.contains(&id)
                                        prop:checked=move || ids.with(|ids| ids.contains(&id))
                                        on:change=move |event| {
                                            let on = event_target_checked(&event);
                                            ids.update(|ids| {
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
            <FieldError id="domains-error" message=error />
        </fieldset>
    }
}
