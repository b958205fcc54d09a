//! The list of tokens, rendered on the server. Only each row's Revoke and Create similar controls
//! are islands.

use crate::domain::plan::PlanAccess;
use crate::domain::scope::Scope;
use crate::domain::scope_summary::ScopeSummary;
use crate::domain::time;
use crate::domain::token::TokenKind;
use crate::model::routes;
use crate::model::tokens::TokenRow;
use crate::ui::components::common::{StatusBadge, BUTTON_SMALL};
use crate::ui::components::data_table::{
    DataTable, CARD_CELL, CARD_CELL_WIDE, CARD_ROW, CARD_TITLE, CARD_TOP,
};
use crate::ui::components::token_dialogs::{
    CreateSimilarButton, PauseButton, RevokeButton, RotateButton,
};
use leptos::prelude::*;

/// `highlight`: the row just created or revoked. `access`: what the account's plan allows now,
/// so a row can say when its token asks for more.
#[component]
pub fn TokenTable(
    rows: Vec<TokenRow>,
    now: i64,
    highlight: Option<i64>,
    access: PlanAccess,
    /// Names the table and its order ("API tokens, newest first").
    caption: String,
) -> impl IntoView {
    let columns = vec![
        "Name",
        "Token",
        "Scopes",
        "Domains",
        "Status",
        "Expires",
        "Created",
        "Last used",
        "Actions",
    ];
    view! {
        <DataTable caption columns tour="token-list">
            {rows
                .into_iter()
                .map(|row| {
                    let highlighted = highlight == Some(row.id);
                    view! { <TokenRowView row now highlighted access /> }
                })
                .collect_view()}
        </DataTable>
    }
}

/// What can be done to a token, each a link to a page that works without JavaScript (Revoke and
/// Create similar open dialogs once the page's script is ready). A live token can be changed;
/// the quick fix for an ops token that no longer works is a new one like it.
#[component]
fn TokenActions(row: TokenRow) -> impl IntoView {
    let ops = row.kind == TokenKind::Ops;
    let live = row.is_live();
    let rotated_out = row.rotated_to.is_some();
    let link = |change: &'static str, text: &'static str, label: String| {
        view! {
            <a href=routes::token_change(row.id, change) class=BUTTON_SMALL aria-label=label>{text}</a>
        }
    };
    let name = row.name.clone();
    view! {
        <div class="flex max-w-56 flex-wrap justify-end gap-1 max-md:max-w-full max-md:justify-start">
            {(live && ops && !rotated_out).then(|| view! { <RotateButton token=row.clone() /> })}
            {live.then(|| view! { <PauseButton token=row.clone() /> })}
            {(live && ops && !rotated_out).then(|| link("expiration", "Expiration", format!("Change the expiration of {name}")))}
            {(live && ops && !rotated_out).then(|| link("edit", "Edit", format!("Edit access of {name}")))}
            {(live && ops).then(|| link("ip-allowlist", "IP allowlist", format!("Allowed IP addresses of {name}")))}
            {ops.then(|| view! { <CreateSimilarButton token=row.clone() /> })}
            {live.then(|| view! { <RevokeButton token=row.clone() /> })}
        </div>
    }
}

#[component]
fn TokenRowView(row: TokenRow, now: i64, highlighted: bool, access: PlanAccess) -> impl IntoView {
    let active = row.is_live();
    // Inactive rows are quieter: they no longer work, and revoked ones never will again.
    let row_class = match (highlighted, active) {
        (true, _) => format!("{CARD_ROW} bg-indigo-50"),
        (false, true) => CARD_ROW.to_string(),
        (false, false) => format!("{CARD_ROW} bg-slate-50/60 text-slate-600"),
    };
    view! {
        <tr class=row_class>
            <th scope="row" class=format!("{CARD_TITLE} font-medium text-slate-900")>
                <a href=routes::token_detail(row.id) class="hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600">{row.name.clone()}</a>
                {(row.kind == TokenKind::Message).then(|| view! {
                    <div class="text-xs font-normal text-slate-600">
                        {format!("Message token for {}", row.mailbox.clone().unwrap_or_default())}
                    </div>
                })}
            </th>
            <td data-label="Token" class=format!("{CARD_CELL} whitespace-nowrap font-mono text-xs text-slate-700")>{format!("{}…", row.visible_prefix)}</td>
            <td data-label="Scopes" class=CARD_CELL_WIDE>
                <ScopesCell row=row.clone() access />
            </td>
            <td data-label="Domains" class=format!("{CARD_CELL} text-slate-700")>
                {match row.domains.clone() {
                    None => "All domains".to_string(),
                    Some(domains) => domains.join(", "),
                }}
            </td>
            <td class=CARD_TOP>
                <StatusBadge status=row.status />
                {row.expires_soon(now).then(|| view! {
                    <div class="mt-1">
                        <span class="inline-flex items-center whitespace-nowrap rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-800 ring-1 ring-inset ring-amber-600/30">"Expires soon"</span>
                    </div>
                })}
            </td>
            <td data-label="Expires" class=format!("{CARD_CELL} whitespace-nowrap text-slate-700")>
                {match (row.revoked_at, row.expires_at) {
                    (Some(at), _) => view! {
                        <span class="text-xs font-medium">"Revoked on"</span>
                        <div><time datetime=time::iso(at) title=time::exact(at)>{time::date(at)}</time></div>
                        <div class="text-xs" data-relative-to=at>{time::relative(at, now)}</div>
                        {row.revoked_by.clone().map(|by| view! { <div class="max-w-48 truncate text-xs" title=by.clone()>{format!("by {by}")}</div> })}
                    }.into_any(),
                    (None, None) => view! { <span>"Never"</span> }.into_any(),
                    (None, Some(at)) if row.rotated_to.is_some() => view! {
                        <span class="text-xs font-medium">{if at > now { "Rotated — works until" } else { "Rotated — stopped on" }}</span>
                        <div><time datetime=time::iso(at) title=time::exact(at)>{time::exact(at)}</time></div>
                        <div class="text-xs text-slate-600" data-relative-to=at>{time::relative(at, now)}</div>
                        <div class="text-xs">{format!("New secret: {}…", row.rotated_to.clone().unwrap_or_default())}</div>
                    }.into_any(),
                    (None, Some(at)) => view! {
                        <time datetime=time::iso(at) title=time::exact(at)>{time::date(at)}</time>
                        <div class="text-xs text-slate-600" data-relative-to=at>{time::relative(at, now)}</div>
                    }.into_any(),
                }}
            </td>
            <td data-label="Created" class=format!("{CARD_CELL} whitespace-nowrap text-slate-700")>
                <time datetime=time::iso(row.created_at) title=time::exact(row.created_at)>{time::date(row.created_at)}</time>
            </td>
            <td data-label="Last used" class=format!("{CARD_CELL} whitespace-nowrap text-slate-700")>
                {match (row.last_used_at, row.last_used_ip.clone()) {
                    (Some(at), ip) => view! {
                        <time datetime=time::iso(at) title=time::exact(at) data-relative-to=at>{time::relative(at, now)}</time>
                        {ip.map(|ip| view! { <div class="text-xs text-slate-600">{format!("from {ip}")}</div> })}
                    }.into_any(),
                    (None, _) => view! { <span class="text-slate-600">"Never"</span> }.into_any(),
                }}
            </td>
            <td class=format!("{CARD_TOP} text-right")>
                <TokenActions row=row.clone() />
            </td>
        </tr>
    }
}

/// The scopes in one line, the whole list on demand, and what the current plan refuses: an
/// ops token's scopes beyond the plan (the API answers 403 for them), or a message token on a
/// plan without the Message API (the API refuses it altogether).
#[component]
fn ScopesCell(row: TokenRow, access: PlanAccess) -> impl IntoView {
    let message_token = row.kind == TokenKind::Message;
    let summary = if message_token {
        format!("Message · {}", row.scopes.join(", "))
    } else {
        ScopeSummary::of(&row.scopes).label()
    };
    let granted: Vec<Scope> = row
        .scopes
        .iter()
        .filter_map(|name| Scope::parse(name))
        .collect();
    let refused: Vec<&str> = access
        .disallowed(&granted)
        .into_iter()
        .map(Scope::name)
        .collect();
    let active = row.is_live();
    let warning = match (active, message_token) {
        (false, _) => None,
        (true, true) if !access.has_message_api() => Some(
            "Refused: message tokens need the Message API of Pro or Agency. Upgrade to use it again."
                .to_string(),
        ),
        (true, false) if !refused.is_empty() => Some(format!(
            "Scopes not available on your plan: {}. The API refuses them; create a narrower token, or upgrade.",
            refused.join(", ")
        )),
        _ => None,
    };
    let count = row.scopes.len();
    view! {
        <div class="whitespace-nowrap text-sm">{summary}</div>
        {(!message_token && count > 0).then(|| view! {
            <details class="mt-1">
                <summary class="cursor-pointer text-xs font-medium text-indigo-700">
                    {format!("Show {count} scope{}", if count == 1 { "" } else { "s" })}
                </summary>
                <ul class="mt-1 flex max-w-xs flex-wrap gap-1">
                    {row.scopes.iter().cloned().map(|s| view! { <li><ScopeChip name=s /></li> }).collect_view()}
                </ul>
            </details>
        })}
        {warning.map(|message| view! {
            <p class="mt-1 max-w-xs text-xs font-medium text-amber-800">{message}</p>
        })}
    }
}

#[component]
fn ScopeChip(name: String) -> impl IntoView {
    view! {
        <code class="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">{name}</code>
    }
}
