//! The Audit Log tab: every token creation and revocation, newest first.

use crate::api::audit::list_audit_events;
use crate::domain::audit::AuditAction;
use crate::domain::time;
use crate::model::audit::AuditRow;
use crate::model::routes;
use crate::ui::components::common::{use_cursor, FilterNav, FilterOption, LoadError, Pager};
use crate::ui::components::data_table::{
    DataTable, CARD_CELL, CARD_CELL_WIDE, CARD_ROW, CARD_TITLE, CARD_TOP,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let query = use_query_map();
    let action =
        Memo::new(move |_| query.with(|q| q.get("action").as_deref().and_then(AuditAction::parse)));
    let cursor = use_cursor();
    let events = Resource::new(
        move || (action.get(), cursor.get()),
        |(action, cursor)| {
            list_audit_events(
                action.map(|a| a.as_str().to_string()),
                cursor.after,
                cursor.before,
            )
        },
    );
    view! {
        <Title text="Audit Log · AI Agents & API · TrekMail" />
        <section aria-labelledby="audit-title">
            <h2 id="audit-title" class="text-lg font-semibold">"Audit Log"</h2>
            <p class="text-sm text-slate-600">"Every token creation and revocation, with who did it and from where. Times are UTC."</p>
            <ActionFilter action />
            <Transition fallback=|| view! { <p class="py-8 text-sm text-slate-600">"Loading events…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(page) if page.rows.is_empty() => view! {
                            <p class="mt-6 rounded-2xl border-2 border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-600">
                                "No events yet. Creating or revoking a token records an event here."
                            </p>
                        }.into_any(),
                        Ok(page) => {
                            let base_query = action.get_untracked().map(|a| format!("action={}", a.as_str())).unwrap_or_default();
                            view! {
                                <AuditTable rows=page.rows.clone() />
                                <Pager page base_query label="Audit log pages" />
                            }.into_any()
                        }
                        Err(error) => view! { <LoadError message=error.to_string() /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ActionFilter(action: Memo<Option<AuditAction>>) -> impl IntoView {
    let options = std::iter::once((None, "All actions"))
        .chain(AuditAction::ALL.into_iter().map(|a| (Some(a), a.label())))
        .map(|(option, label)| {
            let href = option
                .map(|a| format!("?action={}", a.as_str()))
                .unwrap_or_else(|| routes::AUDIT_LOG.into());
            FilterOption {
                href,
                label,
                count: None,
                current: Signal::derive(move || action.get() == option),
            }
        })
        .collect();
    view! { <FilterNav label="Action" options /> }
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
