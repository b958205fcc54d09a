//! The list of tokens, rendered on the server. Only each row's Revoke control is an island.

use crate::domain::status::TokenStatus;
use crate::domain::time;
use crate::domain::token::TokenKind;
use crate::model::tokens::TokenRow;
use crate::ui::components::common::StatusBadge;
use crate::ui::components::token_dialogs::RevokeButton;
use leptos::prelude::*;

/// `highlight`: the row just created or revoked.
#[component]
pub fn TokenTable(rows: Vec<TokenRow>, now: i64, highlight: Option<i64>) -> impl IntoView {
    view! {
        // `relative` keeps the table's visually hidden labels inside the scroll box; without it they
        // widen the whole page on phones.
        <div class="relative mt-4 overflow-x-auto rounded-2xl bg-white shadow-sm ring-1 ring-slate-900/5">
            <table class="min-w-full divide-y divide-slate-200 text-left text-sm" data-tour="token-list">
                <caption class="sr-only">"API tokens, newest first"</caption>
                <thead class="bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Name"</th>
                        <th scope="col" class="px-4 py-3">"Token"</th>
                        <th scope="col" class="px-4 py-3">"Scopes"</th>
                        <th scope="col" class="px-4 py-3">"Domains"</th>
                        <th scope="col" class="px-4 py-3">"Status"</th>
                        <th scope="col" class="px-4 py-3">"Expires"</th>
                        <th scope="col" class="px-4 py-3">"Created"</th>
                        <th scope="col" class="px-4 py-3">"Last used"</th>
                        <th scope="col" class="px-4 py-3"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {rows
                        .into_iter()
                        .map(|row| {
                            let highlighted = highlight == Some(row.id);
                            view! { <TokenRowView row now highlighted /> }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn TokenRowView(row: TokenRow, now: i64, highlighted: bool) -> impl IntoView {
    let revocable = row.status == TokenStatus::Active;
    let scopes_shown: Vec<String> = row.scopes.iter().take(2).cloned().collect();
    let scopes_more = row.scopes.len().saturating_sub(2);
    view! {
        <tr class="align-top" class:bg-indigo-50=highlighted>
            <th scope="row" class="px-4 py-3 font-medium text-slate-900">
                {row.name.clone()}
                {(row.kind == TokenKind::Message).then(|| view! {
                    <div class="text-xs font-normal text-slate-500">
                        {format!("Message token for {}", row.mailbox.clone().unwrap_or_default())}
                    </div>
                })}
            </th>
            <td class="whitespace-nowrap px-4 py-3 font-mono text-xs text-slate-700">{format!("{}…", row.visible_prefix)}</td>
            <td class="px-4 py-3">
                <ul class="flex flex-wrap gap-1">
                    {scopes_shown.into_iter().map(|s| view! { <li><ScopeChip name=s /></li> }).collect_view()}
                </ul>
                {(scopes_more > 0).then(|| view! {
                    <details class="mt-1">
                        <summary class="cursor-pointer text-xs font-medium text-indigo-600">{format!("+{scopes_more} more")}</summary>
                        <ul class="mt-1 flex max-w-xs flex-wrap gap-1">
                            {row.scopes.iter().skip(2).cloned().map(|s| view! { <li><ScopeChip name=s /></li> }).collect_view()}
                        </ul>
                    </details>
                })}
            </td>
            <td class="px-4 py-3 text-slate-700">
                {match row.domains.clone() {
                    None => "All domains".to_string(),
                    Some(domains) => domains.join(", "),
                }}
            </td>
            <td class="px-4 py-3"><StatusBadge status=row.status /></td>
            <td class="whitespace-nowrap px-4 py-3 text-slate-700">
                {match row.expires_at {
                    None => view! { <span>"Never"</span> }.into_any(),
                    Some(at) => view! {
                        <time datetime=time::iso(at) title=time::exact(at)>{time::date(at)}</time>
                        <div class="text-xs text-slate-500">{time::relative(at, now)}</div>
                    }.into_any(),
                }}
            </td>
            <td class="whitespace-nowrap px-4 py-3 text-slate-700">
                <time datetime=time::iso(row.created_at) title=time::exact(row.created_at)>{time::date(row.created_at)}</time>
            </td>
            <td class="whitespace-nowrap px-4 py-3 text-slate-700">
                {match (row.last_used_at, row.last_used_ip.clone()) {
                    (Some(at), ip) => view! {
                        <time datetime=time::iso(at) title=time::exact(at)>{time::relative(at, now)}</time>
                        {ip.map(|ip| view! { <div class="text-xs text-slate-500">{format!("from {ip}")}</div> })}
                    }.into_any(),
                    (None, _) => view! { <span class="text-slate-500">"Never"</span> }.into_any(),
                }}
            </td>
            <td class="px-4 py-3 text-right">
                {revocable.then(|| view! { <RevokeButton token=row.clone() /> })}
            </td>
        </tr>
    }
}

#[component]
fn ScopeChip(name: String) -> impl IntoView {
    view! {
        <code class="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">{name}</code>
    }
}
