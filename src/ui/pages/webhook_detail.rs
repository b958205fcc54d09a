//! One endpoint's page: what it listens to, "Send test event", its latest deliveries with every
//! attempt (status or error, time taken) and the body that was signed, and "Delete endpoint…"
//! with its confirmation.

use crate::api::webhooks::{get_webhook, DeleteWebhook, SendTestWebhook};
use crate::domain::time;
use crate::domain::webhook::DeliveryState;
use crate::model::error::AppError;
use crate::model::routes;
use crate::model::webhooks::{DeliveryRow, EndpointDetail, RECENT_DELIVERIES};
use crate::ui::components::common::{
    action_error, FormActions, LoadFailure, Notice, BUTTON_DANGER, BUTTON_SECONDARY,
};
use crate::ui::components::data_table::{
    DataTable, CARD_CELL, CARD_CELL_WIDE, CARD_ROW, CARD_TITLE, CARD_TOP,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

const SECTION: &str = "mt-6 rounded-2xl bg-white px-6 py-5 shadow-sm ring-1 ring-slate-900/5";

#[component]
pub fn WebhookDetailPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let tested = use_query_map().with_untracked(|q| q.get("tested").is_some());
    let detail = Resource::new(
        || (),
        move |_| async move {
            match id {
                Some(id) => get_webhook(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Webhook endpoint · AI Agents & API · TrekMail" />
        <Suspense fallback=|| view! { <p class="py-8 text-sm text-slate-600">"Loading the endpoint…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <Detail detail tested /> }.into_any(),
                    Err(error) => view! {
                        <LoadFailure error missing="This webhook endpoint does not exist, or belongs to another account." />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Detail(detail: EndpointDetail, tested: bool) -> impl IntoView {
    let endpoint = detail.endpoint;
    let test = ServerAction::<SendTestWebhook>::new();
    let delete = ServerAction::<DeleteWebhook>::new();
    let events: Vec<&str> = endpoint.events.iter().map(|event| event.as_str()).collect();
    // "Delete endpoint…" leads to `?delete`, the confirmation: a link, so it works before and
    // without the page's script, as the token pages' confirmations do.
    let query = use_query_map();
    let confirming = move || query.with(|q| q.get("delete").is_some());
    view! {
        <nav aria-label="Breadcrumb" class="text-sm">
            <a href=routes::WEBHOOKS class="font-medium text-indigo-700 hover:underline">"← All endpoints"</a>
        </nav>
        <h2 class="mt-3 break-all text-xl font-semibold">{endpoint.url.clone()}</h2>
        {tested.then(|| view! { <Notice message="Test event queued: it appears below within a few seconds, with the endpoint's answer." /> })}
        <section aria-labelledby="endpoint-settings" class=SECTION>
            <h3 id="endpoint-settings" class="text-base font-semibold">"Settings"</h3>
            <dl class="mt-2 divide-y divide-slate-100 text-sm">
                <div class="py-2 sm:grid sm:grid-cols-3 sm:gap-4">
                    <dt class="font-medium text-slate-600">"Events"</dt>
                    <dd class="font-mono text-xs sm:col-span-2">{events.join(", ")}</dd>
                </div>
                <div class="py-2 sm:grid sm:grid-cols-3 sm:gap-4">
                    <dt class="font-medium text-slate-600">"Added"</dt>
                    <dd class="sm:col-span-2">{time::exact(endpoint.created_at)}</dd>
                </div>
            </dl>
            <p role="alert" class="mt-2 text-sm text-rose-700">{action_error(test)}{action_error(delete)}</p>
            {move || if confirming() {
                view! { <ConfirmDelete id=endpoint.id delete /> }.into_any()
            } else {
                view! {
                    <div class="mt-4 flex flex-wrap gap-3">
                        <ActionForm action=test>
                            <input type="hidden" name="id" value=endpoint.id />
                            <button type="submit" class=BUTTON_SECONDARY>"Send test event"</button>
                        </ActionForm>
                        <a href=format!("{}?delete", routes::webhook(endpoint.id)) class=BUTTON_DANGER>"Delete endpoint…"</a>
                    </div>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="deliveries-title" class="mt-8">
            <h3 id="deliveries-title" class="text-base font-semibold">"Recent deliveries"</h3>
            <p class="mt-1 text-sm text-slate-600">{format!("The latest {RECENT_DELIVERIES}, newest first; finished ones are kept for 30 days.")}</p>
            {if detail.deliveries.is_empty() {
                view! { <p class="mt-3 text-sm text-slate-600">"Nothing was sent yet. Send a test event to try the endpoint."</p> }.into_any()
            } else {
                view! { <Deliveries rows=detail.deliveries now=detail.now /> }.into_any()
            }}
        </section>
    }
}

/// The question before an endpoint is deleted, in place of the page's buttons.
#[component]
fn ConfirmDelete(id: i64, delete: ServerAction<DeleteWebhook>) -> impl IntoView {
    view! {
        <div role="group" aria-labelledby="delete-title" class="mt-4 rounded-xl bg-rose-50 p-4 ring-1 ring-rose-200">
            <h4 id="delete-title" class="text-sm font-semibold text-rose-900">"Delete this endpoint?"</h4>
            <p class="mt-1 text-sm text-rose-900">
                "Nothing more is sent to it, retries included, and its deliveries are removed. This cannot be undone: to listen again, add the endpoint anew (it gets a new secret)."
            </p>
            <ActionForm action=delete attr:class="mt-3">
                <input type="hidden" name="id" value=id />
                <FormActions cancel=routes::webhook(id) submit="Delete endpoint" danger=true />
            </ActionForm>
        </div>
    }
}

#[component]
fn Deliveries(rows: Vec<DeliveryRow>, now: i64) -> impl IntoView {
    view! {
        <DataTable caption="Recent deliveries" columns=vec!["Event", "Status", "Created (UTC)", "Attempts"]>
            {rows.into_iter().map(|row| {
                let status = match (row.state, row.next_attempt_at) {
                    (DeliveryState::Pending, Some(next)) if row.attempts.is_empty() => format!("Sending · due {}", time::relative(next, now)),
                    (DeliveryState::Pending, Some(next)) => format!("Retrying · next attempt {}", time::relative(next, now)),
                    (state, _) => state.label().to_string(),
                };
                let badge = match row.state {
                    DeliveryState::Delivered => "bg-emerald-50 text-emerald-800 ring-emerald-600/30",
                    DeliveryState::Pending => "bg-amber-50 text-amber-900 ring-amber-600/30",
                    DeliveryState::Failed => "bg-rose-50 text-rose-800 ring-rose-600/30",
                };
                let count = row.attempts.len();
                view! {
                    <tr class=CARD_ROW>
                        <th scope="row" class=format!("{CARD_TITLE} font-mono text-xs font-semibold")>{row.event.clone()}</th>
                        <td class=CARD_TOP>
                            <span class=format!("rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ring-inset {badge}")>{status}</span>
                        </td>
                        <td data-label="Created (UTC)" class=CARD_CELL>{time::exact(row.created_at)}</td>
                        <td data-label="Attempts" class=CARD_CELL_WIDE>
                            <details>
                                <summary class="cursor-pointer text-sm">{format!("{count} attempt{}", if count == 1 { "" } else { "s" })}</summary>
                                <ol class="mt-2 space-y-1 text-xs">
                                    {row.attempts.iter().map(|attempt| {
                                        let answer = match attempt.status {
                                            Some(status) if attempt.error.is_empty() => format!("HTTP {status}"),
                                            _ => attempt.error.clone(),
                                        };
                                        view! { <li>{format!("{} · {answer} · {} ms", time::exact(attempt.at), attempt.duration_ms)}</li> }
                                    }).collect_view()}
                                </ol>
                                <p class="mt-2 text-xs text-slate-600">{format!("webhook-id: {}", row.message_id)}</p>
                                <pre tabindex="0" aria-label="The body that was signed" class="mt-1 max-w-xl overflow-x-auto rounded bg-slate-50 p-2 text-xs focus-visible:outline-2 focus-visible:outline-indigo-600">{row.payload.clone()}</pre>
                            </details>
                        </td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}
