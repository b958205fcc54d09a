//! "Revoke all…": revoke every live token of the account, or every token that can reach one
//! domain, at once. Step one chooses (a GET form, so the choice is in the URL); step two lists how
//! many tokens and which, and asks for the account's name before revoking them in one go.

use crate::api::lifecycle::{list_emergency_targets, EmergencyRevoke, EmergencyTarget};
use crate::api::tokens::account_domains;
use crate::domain::token::TokenKind;
use crate::model::error::AppError;
use crate::model::routes;
use crate::ui::components::common::{
    FormActions, LoadError, BUTTON_DANGER, BUTTON_SECONDARY, INPUT,
};
use crate::ui::pages::agents_layout::ViewerResource;
use crate::ui::pages::token_change::CARD;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn EmergencyRevokePage() -> impl IntoView {
    let viewer = expect_context::<ViewerResource>();
    let (scope, domain) = leptos_router::hooks::use_query_map().with_untracked(|q| {
        (
            q.get("scope"),
            q.get("domain").and_then(|d| d.parse::<i64>().ok()),
        )
    });
    let domains = Resource::new(|| (), |_| account_domains());
    let targets = {
        let scope = scope.clone();
        Resource::new(
            || (),
            move |_| {
                let scope = scope.clone();
                async move {
                    match scope {
                        Some(scope) => Some(list_emergency_targets(scope, domain).await),
                        None => None,
                    }
                }
            },
        )
    };
    view! {
        <Title text="Revoke all tokens · AI Agents & API · TrekMail" />
        <Suspense>
            {move || {
                let scope = scope.clone();
                Suspend::new(async move {
                let (Ok(viewer), Ok(domains)) = (viewer.await, domains.await) else {
                    return view! { <LoadError message="The page could not be loaded. Please reload it." /> }.into_any();
                };
                let body = match targets.await {
                    Some(Ok(targets)) => {
                        let domain_name = domain.and_then(|id| domains.iter().find(|d| d.id == id)).map(|d| d.name.clone());
                        view! { <Confirm scope=scope.unwrap_or_default() domain domain_name targets account_name=viewer.account_name /> }.into_any()
                    }
                    Some(Err(AppError::Invalid(errors))) => view! {
                        <Choose domains refused=Some(errors.to_string()) />
                    }.into_any(),
                    Some(Err(error)) => view! { <LoadError message=error.to_string() /> }.into_any(),
                    None => view! { <Choose domains refused=None /> }.into_any(),
                };
                view! {
                    <section aria-labelledby="emergency-title" class=CARD>
                        <h2 id="emergency-title" class="text-lg font-semibold">"Revoke all tokens"</h2>
                        <p class="mt-1 text-sm text-slate-600">
                            "For a leak or a compromised machine: revoke many tokens at once. Revoking is permanent; apps and agents using them stop working at their next request."
                        </p>
                        {body}
                    </section>
                }.into_any()
            })}}
        </Suspense>
    }
}

/// Step one: every token, or those that can reach one domain.
#[component]
fn Choose(
    domains: Vec<crate::model::tokens::DomainOption>,
    refused: Option<String>,
) -> impl IntoView {
    view! {
        <form method="get" action=routes::EMERGENCY_REVOKE class="mt-4 space-y-4">
            <fieldset class="space-y-2">
                <legend class="text-sm font-semibold">"Which tokens?"</legend>
                <div class="flex items-center gap-2">
                    <input type="radio" id="scope-all" name="scope" value="all" checked class="size-4 border-slate-300 text-rose-600" />
                    <label for="scope-all" class="text-sm">"Every active token of the account"</label>
                </div>
                <div class="flex items-center gap-2">
                    <input type="radio" id="scope-domain" name="scope" value="domain" class="size-4 border-slate-300 text-rose-600" />
                    <label for="scope-domain" class="text-sm">"Every token that can reach one domain"</label>
                </div>
            </fieldset>
            <div>
                <label for="emergency-domain" class="block text-sm font-semibold">"Domain"</label>
                <select id="emergency-domain" name="domain" class=format!("mt-1 {INPUT}") aria-describedby="emergency-domain-help">
                    {domains.into_iter().map(|d| view! { <option value=d.id>{d.name}</option> }).collect_view()}
                </select>
                <p id="emergency-domain-help" class="mt-1 text-xs text-slate-600">
                    "With “one domain”: tokens for all domains, tokens constrained to it, message tokens of its mailboxes, and the message tokens those ops tokens minted."
                </p>
            </div>
            <p role="alert" class="text-sm text-rose-700">{refused}</p>
            <FormActions cancel=routes::TOKENS submit="Review tokens" />
        </form>
    }
}

/// How many shown by name before "and N more".
const SHOWN: usize = 20;

/// Step two: how many and which, and the account's name to confirm.
#[component]
fn Confirm(
    scope: String,
    domain: Option<i64>,
    domain_name: Option<String>,
    targets: Vec<EmergencyTarget>,
    account_name: String,
) -> impl IntoView {
    let action = ServerAction::<EmergencyRevoke>::new();
    let count = targets.len();
    let refusal = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    };
    let what = match &domain_name {
        Some(name) if scope == "domain" => format!("that can reach {name}"),
        _ => "of the account".to_string(),
    };
    if count == 0 {
        return view! {
            <p class="mt-4 text-sm text-slate-700">{format!("No active token {what}: there is nothing to revoke.")}</p>
            <a href=routes::TOKENS class=format!("mt-4 {BUTTON_SECONDARY}")>"Back to tokens"</a>
        }.into_any();
    }
    let plural = if count == 1 { "" } else { "s" };
    view! {
        <div class="mt-4 rounded-xl bg-rose-50 p-4 text-sm text-rose-900 ring-1 ring-rose-200">
            <h3 class="font-semibold">{format!("{count} active token{plural} {what} will be revoked:")}</h3>
            <ul class="mt-2 list-disc pl-5">
                {targets.iter().take(SHOWN).map(|t| {
                    let kind = match t.kind { TokenKind::Ops => "ops token", TokenKind::Message => "message token" };
                    view! { <li>{format!("{} ({}…, {kind})", t.name, t.prefix)}</li> }
                }).collect_view()}
            </ul>
            {(count > SHOWN).then(|| view! { <p class="mt-1">{format!("…and {} more.", count - SHOWN)}</p> })}
        </div>
        <ActionForm action attr:class="mt-4 space-y-4">
            <input type="hidden" name="scope" value=scope.clone() />
            {domain.map(|id| view! { <input type="hidden" name="domain" value=id /> })}
            <div>
                <label for="emergency-confirmation" class="block text-sm font-semibold">{format!("Type the account name, {account_name}, to confirm")}</label>
                <input id="emergency-confirmation" name="confirmation" type="text" autocomplete="off" required
                    class=format!("mt-1 {INPUT}") aria-describedby="emergency-confirmation-error" />
                <p id="emergency-confirmation-error" role="alert" class="mt-1 text-sm text-rose-700">{refusal}</p>
            </div>
            <div class="flex justify-end gap-3">
                <a href=routes::EMERGENCY_REVOKE class=BUTTON_SECONDARY>"Back"</a>
                <button type="submit" class=BUTTON_DANGER>{format!("Revoke {count} token{plural}")}</button>
            </div>
        </ActionForm>
    }.into_any()
}
