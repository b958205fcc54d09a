//! A token's own page (`/agents/tokens/{id}`, its name in the list links here): settings and
//! status, requests per day, scopes and domains granted against those used with "Narrow to what
//! it used", the addresses it was used from, its recent requests, and its history.

use crate::api::activity::get_token_detail;
use crate::domain::time;
use crate::domain::token::TokenKind;
use crate::model::activity::{AddressSeen, TokenDetail, Usage};
use crate::model::audit::AuditRow;
use crate::model::error::AppError;
use crate::model::routes;
use crate::model::tokens::TokenRow;
use crate::ui::components::activity_chart::ActivityChart;
use crate::ui::components::common::{
    LoadFailure, Notice, StatusBadge, BUTTON_SECONDARY, TOKEN_MISSING,
};
use crate::ui::components::data_table::{DataTable, CARD_CELL, CARD_ROW, CARD_TITLE};
use crate::ui::components::request_log::RecentRequests;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

const SECTION: &str = "mt-6 rounded-2xl bg-white px-6 py-5 shadow-sm ring-1 ring-slate-900/5";

/// The token named by the page's `:id`, with everything its page shows (its narrow page too).
pub fn use_token_detail() -> Resource<Result<TokenDetail, AppError>> {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    Resource::new(
        || (),
        move |_| async move {
            match id {
                Some(id) => get_token_detail(id).await,
                None => Err(AppError::NotFound),
            }
        },
    )
}

#[component]
pub fn TokenDetailPage() -> impl IntoView {
    let narrowed = use_query_map().with_untracked(|q| q.get("narrowed").is_some());
    let detail = use_token_detail();
    view! {
        <Title text="Token · AI Agents & API · TrekMail" />
        <Suspense fallback=|| view! { <p class="py-8 text-sm text-slate-600">"Loading the token…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <Detail detail narrowed /> }.into_any(),
                    Err(error) => view! { <LoadFailure error missing=TOKEN_MISSING /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Detail(detail: TokenDetail, narrowed: bool) -> impl IntoView {
    let token = detail.token.clone();
    let id = token.id;
    view! {
        <Title text=format!("{} · Tokens · TrekMail", token.name) />
        <nav aria-label="Breadcrumb" class="text-sm">
            <a href=routes::TOKENS class="font-medium text-indigo-700 hover:underline">"← All tokens"</a>
        </nav>
        <header class="mt-3 flex flex-wrap items-center gap-3">
            <h2 class="text-xl font-semibold">{token.name.clone()}</h2>
            <StatusBadge status=token.status />
            <code class="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700">{format!("{}…", token.visible_prefix)}</code>
        </header>
        {narrowed.then(|| view! { <Notice message="Token narrowed: it now holds only what it used. The change is in its history below." /> })}
        {detail.gap.map(|(dropped, at)| view! {
            <p role="status" class="mt-4 rounded-xl border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
                {format!(
                    "{dropped} request{} made with this token could not be logged (they came faster than twice its rate limit, or the server was too busy to keep up), the last on {}. The counts below leave them out.",
                    if dropped == 1 { "" } else { "s" },
                    time::exact(at)
                )}
            </p>
        })}
        <Settings token=token.clone() />
        <section aria-labelledby="chart-title" class=SECTION>
            <h3 id="chart-title" class="text-base font-semibold">"Requests per day, last 30 days"</h3>
            <ActivityChart days=detail.days.clone() />
        </section>
        <UsagePanel id usage=detail.usage.clone() kind=token.kind />
        <Addresses addresses=detail.addresses.clone() />
        <RecentRequests id />
        <Timeline events=detail.events.clone() />
        <p class="mt-6 text-xs text-slate-600">
            {format!("Requests are kept for {} days.", detail.retention_days)}
        </p>
    }
}

#[component]
fn Settings(token: TokenRow) -> impl IntoView {
    let item = |term: &'static str, value: String| {
        view! {
            <div class="py-2 sm:grid sm:grid-cols-3 sm:gap-4">
                <dt class="text-sm font-medium text-slate-600">{term}</dt>
                <dd class="text-sm text-slate-900 sm:col-span-2">{value}</dd>
            </div>
        }
    };
    let scope = match token.kind {
        TokenKind::Message => ("Mailbox", token.mailbox.clone().unwrap_or_default()),
        TokenKind::Ops => (
            "Domains",
            token
                .domains
                .clone()
                .map_or("All domains".to_string(), |names| names.join(", ")),
        ),
    };
    let expires = match (token.revoked_at, token.expires_at) {
        (Some(at), _) => format!("Revoked on {}", time::exact(at)),
        (None, None) => "Never".to_string(),
        (None, Some(at)) => time::exact(at),
    };
    let last_used = match (token.last_used_at, &token.last_used_ip) {
        (Some(at), Some(ip)) => format!("{} from {ip}", time::exact(at)),
        (Some(at), None) => time::exact(at),
        _ => "Never".to_string(),
    };
    view! {
        <section aria-labelledby="settings-title" class=SECTION>
            <h3 id="settings-title" class="text-base font-semibold">"Settings"</h3>
            <dl class="mt-2 divide-y divide-slate-100">
                {item("Kind", match token.kind { TokenKind::Ops => "Ops token".into(), TokenKind::Message => "Message token".into() })}
                {item("Scopes", token.scopes.join(", "))}
                {item(scope.0, scope.1)}
                {item(if token.revoked_at.is_some() { "Status" } else { "Expires" }, expires)}
                {item("Created", time::exact(token.created_at))}
                {item("Last used", last_used)}
                {item("Allowed IP addresses", if token.ip_allowlist.is_empty() { "Any".into() } else { token.ip_allowlist.join(", ") })}
                {(!token.minted.is_empty()).then(|| item("Message tokens it minted", token.minted.join(", ")))}
            </dl>
        </section>
    }
}

#[component]
fn UsagePanel(id: i64, usage: Usage, kind: TokenKind) -> impl IntoView {
    let nothing_used = usage.scopes.iter().all(|(_, used)| !used);
    let domains = match (&usage.domains_granted, &usage.domains_used) {
        (_, Some(used)) => format!("Touched in the last 30 days: {}.", used.join(", ")),
        (None, None) => "Its requests listed every domain or touched none, so the log cannot tell which domains it needs.".to_string(),
        (Some(_), None) => "Its requests did not show which of its domains it needs.".to_string(),
    };
    view! {
        <section aria-labelledby="usage-title" class=SECTION>
            <h3 id="usage-title" class="text-base font-semibold">"Scopes granted and used (last 30 days)"</h3>
            <ul class="mt-3 flex flex-wrap gap-2">
                {usage.scopes.iter().map(|(name, used)| {
                    let (class, word) = if *used {
                        ("bg-emerald-50 text-emerald-800 ring-emerald-600/30", "used")
                    } else {
                        ("bg-slate-50 text-slate-700 ring-slate-400/40", "not used")
                    };
                    view! {
                        <li class=format!("rounded-lg px-2 py-1 text-xs ring-1 ring-inset {class}")>
                            <code>{name.clone()}</code>
                            <span class="ml-1 font-semibold">{format!("· {word}")}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(kind == TokenKind::Ops).then(|| view! { <p class="mt-3 text-sm text-slate-700">{domains}</p> })}
            {if !usage.narrowing.is_empty() {
                view! {
                    <div class="mt-4 flex flex-wrap items-center gap-3">
                        <a href=routes::token_change(id, "narrow") class=BUTTON_SECONDARY>"Narrow to what it used"</a>
                        <span class="text-sm text-slate-600">{usage.narrowing.join("; ")}</span>
                    </div>
                }.into_any()
            } else if let Some(why) = usage.uncovered.clone().filter(|_| kind == TokenKind::Ops) {
                view! { <p class="mt-3 text-sm text-slate-600">{why}</p> }.into_any()
            } else if nothing_used && kind == TokenKind::Ops {
                view! { <p class="mt-3 text-sm text-slate-600">"It used none of its scopes in the last 30 days. If nothing needs it, revoke it."</p> }.into_any()
            } else {
                view! { <p class="mt-3 text-sm text-slate-600">"It holds only what it used: there is nothing to narrow."</p> }.into_any()
            }}
        </section>
    }
}

#[component]
fn Addresses(addresses: Vec<AddressSeen>) -> impl IntoView {
    view! {
        <section aria-labelledby="addresses-title" class="mt-8">
            <h3 id="addresses-title" class="text-base font-semibold">"Recent IP addresses"</h3>
            {if addresses.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">"It has not been used yet."</p> }.into_any()
            } else {
                view! {
                    <DataTable caption="The last five addresses it was used from" columns=vec!["IP address", "First seen (UTC)", "Last seen (UTC)", "Requests"]>
                        {addresses.into_iter().map(|address| view! {
                            <tr class=CARD_ROW>
                                <th scope="row" class=format!("{CARD_TITLE} font-mono text-xs font-medium")>{address.ip}</th>
                                <td data-label="First seen (UTC)" class=CARD_CELL>{time::exact(address.first_seen)}</td>
                                <td data-label="Last seen (UTC)" class=CARD_CELL>{time::exact(address.last_seen)}</td>
                                <td data-label="Requests" class=format!("{CARD_CELL} tabular-nums")>{address.requests}</td>
                            </tr>
                        }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Timeline(events: Vec<AuditRow>) -> impl IntoView {
    view! {
        <section aria-labelledby="history-title" class="mt-8">
            <h3 id="history-title" class="text-base font-semibold">"History"</h3>
            <ol class="mt-3 space-y-3 border-l-2 border-slate-200 pl-4">
                {events.into_iter().map(|event| view! {
                    <li>
                        <p class="text-sm font-medium text-slate-900">{event.action.label()}</p>
                        {(!event.detail.is_empty()).then(|| view! { <p class="text-xs text-slate-700">{event.detail.clone()}</p> })}
                        <p class="text-xs text-slate-600">
                            <time datetime=time::iso(event.at)>{time::exact(event.at)}</time>
                            {format!(" · {} · {}", event.actor, event.ip)}
                        </p>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
