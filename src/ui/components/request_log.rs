//! A token's recent requests on its detail page: filters by status class (links) and route (a
//! plain GET form), kept in the URL; a keyset-paged table, last logged first.

use crate::api::activity::list_token_requests;
use crate::domain::activity::StatusClass;
use crate::domain::time;
use crate::model::activity::{RequestPage, RequestRow};
use crate::model::error::AppError;
use crate::ui::components::common::{
    use_cursor, FilterNav, FilterOption, LoadError, Pager, BUTTON_SECONDARY, INPUT,
};
use crate::ui::components::data_table::{DataTable, CARD_CELL, CARD_ROW, CARD_TITLE, CARD_TOP};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn RecentRequests(id: i64) -> impl IntoView {
    let query = use_query_map();
    let class = Memo::new(move |_| query.with(|q| q.get("class")));
    let route = Memo::new(move |_| query.with(|q| q.get("route")));
    let cursor = use_cursor();
    let requests = Resource::new(
        move || (class.get(), route.get(), cursor.get()),
        move |(class, route, cursor)| {
            list_token_requests(id, class, route, cursor.after, cursor.before)
        },
    );
    view! {
        <section aria-labelledby="requests-title" class="mt-8">
            <h3 id="requests-title" class="text-base font-semibold">"Recent requests"</h3>
            <p class="text-sm text-slate-600">"Every API call made with this token, last first. Times are UTC."</p>
            <Transition fallback=|| view! { <p class="py-6 text-sm text-slate-600">"Loading requests…"</p> }>
                {move || Suspend::new(async move {
                    match requests.await {
                        Ok(page) => view! { <Requests page /> }.into_any(),
                        Err(AppError::Invalid(errors)) => view! {
                            <LoadError message=format!("{errors} Clear the filters to see every request.") />
                            <a href="?" class=format!("mt-3 {BUTTON_SECONDARY}")>"Clear filters"</a>
                        }.into_any(),
                        Err(error) => view! { <LoadError message=error.to_string() /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Requests(page: RequestPage) -> impl IntoView {
    let filter = page.filter.clone();
    let route_query = filter
        .route
        .as_ref()
        .map(|_| {
            let only_route = crate::domain::activity::RequestFilter {
                class: None,
                route: filter.route.clone(),
            };
            format!("&{}", only_route.query())
        })
        .unwrap_or_default();
    let options = std::iter::once((None, "All"))
        .chain(StatusClass::ALL.into_iter().map(|c| (Some(c), c.label())))
        .map(|(option, label)| FilterOption {
            href: match option {
                Some(class) => format!("?class={}{route_query}", class.as_str()),
                None => format!("?{}", route_query.trim_start_matches('&')),
            },
            label,
            count: None,
            current: Signal::derive(move || filter.class == option),
        })
        .collect();
    let chosen_route = page.filter.route.clone().unwrap_or_default();
    let base_query = page.filter.query();
    view! {
        <div class="flex flex-wrap items-end justify-between gap-3">
            <FilterNav label="Status" options />
            <form method="get" class="flex items-end gap-2">
                {page.filter.class.map(|class| view! { <input type="hidden" name="class" value=class.as_str() /> })}
                <div>
                    <label for="route-filter" class="block text-xs font-semibold text-slate-700">"Route"</label>
                    <select id="route-filter" name="route" class=format!("{INPUT} mt-1 font-mono text-xs")>
                        <option value="" selected=chosen_route.is_empty()>"All routes"</option>
                        {page.routes.iter().map(|route| view! {
                            <option value=route.clone() selected=*route == chosen_route>{route.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class=BUTTON_SECONDARY>"Filter"</button>
            </form>
        </div>
        {if page.page.rows.is_empty() {
            view! {
                <p class="mt-4 rounded-2xl border-2 border-dashed border-slate-300 bg-white px-6 py-8 text-center text-sm text-slate-600">
                    "No requests match. Calls made with this token appear here within a second."
                </p>
            }.into_any()
        } else {
            view! {
                <RequestTable rows=page.page.rows.clone() />
                <Pager page=page.page.clone() base_query label="Request pages" />
            }.into_any()
        }}
    }
}

#[component]
fn RequestTable(rows: Vec<RequestRow>) -> impl IntoView {
    let columns = vec![
        "Request",
        "Time (UTC)",
        "Status",
        "IP address",
        "Duration",
        "Request id",
    ];
    view! {
        <DataTable caption="Recent requests, last first" columns>
            {rows.into_iter().map(|row| {
                let tone = match row.status {
                    s if s >= 500 => "text-rose-700",
                    s if s >= 400 => "text-amber-800",
                    _ => "text-emerald-700",
                };
                let status = if row.error_code.is_empty() {
                    row.status.to_string()
                } else {
                    format!("{} {}", row.status, row.error_code)
                };
                view! {
                    <tr class=CARD_ROW>
                        <th scope="row" class=format!("{CARD_TITLE} font-mono text-xs font-medium text-slate-900")>
                            {format!("{} {}", row.method, row.route)}
                        </th>
                        <td class=format!("{CARD_TOP} whitespace-nowrap text-slate-700")>
                            <time datetime=time::iso(row.at)>{time::exact(row.at)}</time>
                        </td>
                        <td data-label="Status" class=format!("{CARD_CELL} whitespace-nowrap font-medium {tone}")>{status}</td>
                        <td data-label="IP address" class=format!("{CARD_CELL} whitespace-nowrap font-mono text-xs text-slate-700")>
                            <span title=row.user_agent.clone()>{row.ip.clone()}</span>
                        </td>
                        <td data-label="Duration" class=format!("{CARD_CELL} whitespace-nowrap tabular-nums text-slate-700")>{duration(row.duration_us)}</td>
                        <td data-label="Request id" class=format!("{CARD_CELL} max-w-40 truncate font-mono text-xs text-slate-600")>
                            <span title=row.request_id.clone()>{row.request_id.clone()}</span>
                        </td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}

/// "0.4 ms", "12 ms", "1.3 s".
fn duration(us: i64) -> String {
    match us {
        us if us < 10_000 => format!("{:.1} ms", us as f64 / 1000.0),
        us if us < 1_000_000 => format!("{} ms", us / 1000),
        us => format!("{:.1} s", us as f64 / 1_000_000.0),
    }
}
