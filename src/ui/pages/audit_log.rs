//! The Audit Log tab: every change to a token, newest first, searched by action, token, actor and
//! dates (kept in the URL), and exported as CSV or JSON Lines.

use crate::api::audit::list_audit_events;
use crate::domain::audit::AuditAction;
use crate::domain::audit_filter::{AuditFilter, AuditFilterForm};
use crate::domain::time;
use crate::model::audit::AuditRow;
use crate::model::error::AppError;
use crate::model::routes;
use crate::ui::components::common::{
    use_cursor, FilterNav, FilterOption, LoadError, Pager, BUTTON_SECONDARY, INPUT,
};
use crate::ui::components::data_table::{
    DataTable, CARD_CELL, CARD_CELL_WIDE, CARD_ROW, CARD_TITLE, CARD_TOP,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let query = use_query_map();
    let form = Memo::new(move |_| {
        query.with(|q| AuditFilterForm {
            action: q.get("action"),
            token: q.get("token"),
            actor: q.get("actor"),
            from: q.get("from"),
            to: q.get("to"),
        })
    });
    let filter = Memo::new(move |_| AuditFilter::parse(&form.get()).unwrap_or_default());
    let cursor = use_cursor();
    let events = Resource::new(
        move || (form.get(), cursor.get()),
        |(form, cursor)| {
            list_audit_events(
                form.action,
                form.token,
                form.actor,
                form.from,
                form.to,
                cursor.after,
                cursor.before,
            )
        },
    );
    view! {
        <Title text="Audit Log · AI Agents & API · TrekMail" />
        <section aria-labelledby="audit-title">
            <h2 id="audit-title" class="text-lg font-semibold">"Audit Log"</h2>
            <p class="text-sm text-slate-600">"Every change to a token, with who made it and from where. Times are UTC."</p>
            <ActionFilter filter />
            <SearchForm form=form.get_untracked() filter=filter.get_untracked() />
            <Transition fallback=|| view! { <p class="py-8 text-sm text-slate-600">"Loading events…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(page) if page.rows.is_empty() => view! {
                            <p class="mt-6 rounded-2xl border-2 border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-600">
                                {if filter.get_untracked() == AuditFilter::default() {
                                    "No events yet. Creating or revoking a token records an event here."
                                } else {
                                    "No events match this search."
                                }}
                            </p>
                        }.into_any(),
                        Ok(page) => {
                            let base_query = filter.get_untracked().query();
                            view! {
                                <AuditTable rows=page.rows.clone() />
                                <Pager page base_query label="Audit log pages" />
                            }.into_any()
                        }
                        Err(AppError::Invalid(errors)) => view! {
                            <LoadError message=format!("{errors} Correct the search, or clear it to see every event.") />
                        }.into_any(),
                        Err(error) => view! { <LoadError message=error.to_string() /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ActionFilter(filter: Memo<AuditFilter>) -> impl IntoView {
    let options = std::iter::once((None, "All actions"))
        .chain(AuditAction::ALL.into_iter().map(|a| (Some(a), a.label())))
        .map(|(option, label)| {
            let query = filter.get_untracked().with_action(option).query();
            let href = if query.is_empty() {
                routes::AUDIT_LOG.to_string()
            } else {
                format!("?{query}")
            };
            FilterOption {
                href,
                label,
                count: None,
                current: Signal::derive(move || filter.get().action == option),
            }
        })
        .collect();
    view! { <FilterNav label="Action" options /> }
}

/// Token, actor and dates: a plain GET form (it keeps the action), and the exports of what it
/// finds, which carry the same search.
#[component]
fn SearchForm(form: AuditFilterForm, filter: AuditFilter) -> impl IntoView {
    let field = |id: &'static str,
                 label: &'static str,
                 kind: &'static str,
                 value: Option<String>,
                 hint: &'static str| {
        view! {
            <div>
                <label for=id class="block text-xs font-semibold text-slate-700">{label}</label>
                <input id=id name=id type=kind value=value.unwrap_or_default() placeholder=hint class=format!("mt-1 {INPUT}") />
            </div>
        }
    };
    let query = filter.query();
    let export = move |format: &str| {
        if query.is_empty() {
            format!("{}?format={format}", routes::AUDIT_EXPORT)
        } else {
            format!("{}?format={format}&{query}", routes::AUDIT_EXPORT)
        }
    };
    view! {
        <form method="get" action=routes::AUDIT_LOG role="search" aria-label="Search the audit log" class="mt-3 flex flex-wrap items-end gap-2">
            {filter.action.map(|action| view! { <input type="hidden" name="action" value=action.as_str() /> })}
            {field("token", "Token name or prefix", "search", form.token, "e.g. deploy")}
            {field("actor", "Actor", "search", form.actor, "e.g. owner@ or Leak report")}
            {field("from", "From (UTC)", "date", form.from, "YYYY-MM-DD")}
            {field("to", "To (UTC)", "date", form.to, "YYYY-MM-DD")}
            <button type="submit" class=BUTTON_SECONDARY>"Search"</button>
            <a href=routes::AUDIT_LOG class="px-2 py-2 text-sm font-semibold text-indigo-700 hover:underline">"Clear"</a>
        </form>
        <p class="mt-3 flex flex-wrap items-center gap-3 text-sm">
            <span class="text-slate-700">"Export what this search finds:"</span>
            <a href=export("csv") download class="font-semibold text-indigo-700 hover:underline">"Export CSV"</a>
            <a href=export("jsonl") download class="font-semibold text-indigo-700 hover:underline">"Export JSON Lines"</a>
        </p>
    }
}

#[component]
fn AuditTable(rows: Vec<AuditRow>) -> impl IntoView {
    let columns = vec![
        "Time (UTC)",
        "Action",
        "Token",
        "Actor",
        "IP address",
        "User agent",
    ];
    view! {
        <DataTable caption="Audit events, newest first" columns>
            {rows
                .into_iter()
                .map(|row| {
                    let tone = match row.action {
                        AuditAction::TokenRevoked | AuditAction::MessageTokenRevoked | AuditAction::EmergencyRevoke => "font-medium text-rose-700",
                        AuditAction::TokenCreated | AuditAction::MessageTokenCreated => "font-medium text-emerald-700",
                        _ => "font-medium text-indigo-700",
                    };
                    view! {
                        <tr class=CARD_ROW>
                            <td class=format!("{CARD_TOP} whitespace-nowrap text-slate-700")>
                                <time datetime=time::iso(row.at)>{time::exact(row.at)}</time>
                            </td>
                            <td class=CARD_TITLE>
                                <span class=format!("whitespace-nowrap {tone}")>{row.action.label()}</span>
                                {(!row.detail.is_empty()).then(|| view! {
                                    <div class="mt-0.5 max-w-md text-xs text-slate-600">{row.detail.clone()}</div>
                                })}
                            </td>
                            <td data-label="Token" class=CARD_CELL>
                                <div class="font-medium text-slate-900">{row.token_name.clone()}</div>
                                {(!row.token_prefix.is_empty()).then(|| view! {
                                    <div class="font-mono text-xs text-slate-600">{format!("{}…", row.token_prefix)}</div>
                                })}
                            </td>
                            <td data-label="Actor" class=format!("{CARD_CELL} break-words text-slate-700")>{row.actor.clone()}</td>
                            <td data-label="IP address" class=format!("{CARD_CELL} whitespace-nowrap font-mono text-xs text-slate-700")>{row.ip.clone()}</td>
                            <td data-label="User agent" class=format!("{CARD_CELL_WIDE} max-w-xs truncate text-xs text-slate-600 max-md:max-w-full") title=row.user_agent.clone()>
                                {row.user_agent.clone()}
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </DataTable>
    }
}
