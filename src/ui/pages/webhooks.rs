//! The Webhooks tab: the account's endpoints, what each listens to and how its latest delivery
//! went, and "Add endpoint". Every part is server-rendered, so it works without JavaScript.

use crate::api::webhooks::list_webhooks;
use crate::domain::time;
use crate::domain::webhook::DeliveryState;
use crate::model::routes;
use crate::model::webhooks::EndpointRow;
use crate::ui::components::common::{LoadError, Notice, BUTTON_PRIMARY};
use crate::ui::components::data_table::{
    DataTable, CARD_CELL, CARD_CELL_WIDE, CARD_ROW, CARD_TITLE,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let endpoints = Resource::new(|| (), |_| list_webhooks());
    let deleted = use_query_map().with_untracked(|q| q.get("deleted").is_some());
    view! {
        <Title text="Webhooks · AI Agents & API · TrekMail" />
        <div class="flex flex-wrap items-start justify-between gap-4">
            <div class="max-w-2xl">
                <h2 class="text-lg font-semibold">"Webhooks"</h2>
                <p class="mt-1 text-sm text-slate-600">
                    "TrekMail posts a signed JSON event to your endpoints when a token is created, revoked, rotated, paused or resumed, reported leaked, about to expire or expired. Signatures follow the Standard Webhooks scheme (webhook-id, webhook-timestamp and webhook-signature headers, HMAC-SHA256), so its verifier libraries check them. A delivery that fails is retried for about a day."
                </p>
            </div>
            <a href=routes::NEW_WEBHOOK class=BUTTON_PRIMARY>"Add endpoint"</a>
        </div>
        {deleted.then(|| view! { <Notice message="Endpoint deleted: it gets no more events." /> })}
        <Suspense fallback=|| view! { <p class="py-8 text-sm text-slate-600">"Loading the endpoints…"</p> }>
            {move || Suspend::new(async move {
                match endpoints.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <p class="mt-6 rounded-2xl border border-dashed border-slate-300 px-6 py-8 text-center text-sm text-slate-600">
                            "No endpoints yet. Add one to hear about token changes as they happen."
                        </p>
                    }.into_any(),
                    Ok(rows) => view! { <EndpointTable rows /> }.into_any(),
                    Err(error) => view! { <LoadError message=error.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EndpointTable(rows: Vec<EndpointRow>) -> impl IntoView {
    view! {
        <DataTable caption="Webhook endpoints" columns=vec!["Endpoint", "Events", "Latest delivery", "Added (UTC)"]>
            {rows.into_iter().map(|row| {
                let events: Vec<&str> = row.events.iter().map(|event| event.as_str()).collect();
                view! {
                    <tr class=CARD_ROW>
                        <th scope="row" class=format!("{CARD_TITLE} font-medium break-all")>
                            <a href=routes::webhook(row.id) class="text-indigo-700 hover:underline">{row.url.clone()}</a>
                        </th>
                        <td data-label="Events" class=format!("{CARD_CELL_WIDE} font-mono text-xs")>{events.join(", ")}</td>
                        <td data-label="Latest delivery" class=CARD_CELL>{latest(row.latest)}</td>
                        <td data-label="Added (UTC)" class=CARD_CELL>{time::exact(row.created_at)}</td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}

/// "Delivered · 2026-11-29 10:04", or "None yet".
fn latest(latest: Option<(DeliveryState, i64)>) -> String {
    match latest {
        Some((state, at)) => format!("{} · {}", state.label(), time::exact(at)),
        None => "None yet".to_string(),
    }
}
