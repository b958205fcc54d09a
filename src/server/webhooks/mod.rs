//! Signed webhooks for token events. An owner registers endpoints (URL, events, a secret shown
//! once); every token event the audit trail records is also written, by the same transaction, to
//! an outbox (`webhook_delivery`) for each endpoint that wants it ([`enqueue_for_audit`]), so a
//! crash between the change and its delivery loses nothing. The worker (`deliver.rs`) sends what
//! is due, signed (`sign.rs`), retrying for about a day; `expiry.rs` adds the time-driven events.

/// Sending what is due, with retries; the worker that runs it.
pub mod deliver;
/// `token.expiring` and `token.expired`, found by a scan.
pub mod expiry;
/// Secrets and the Standard Webhooks signature.
pub mod sign;
/// Which URLs may receive webhooks (SSRF).
pub mod target;

use super::audit::{record, AuditEntry};
use super::auth::SessionUser;
use super::client::ClientMeta;
use super::db::{self, begin_write, now_ms, Pool, Query, Transaction};
use super::tokens::{Error, Result, LEAK_DETAIL, LEAK_REPORT_ACTOR};
use crate::domain::audit::AuditAction;
use crate::domain::field::FieldErrors;
use crate::domain::webhook::{
    DeliveryState, EventSelection, WebhookEvent, EVENTS_FIELD, URL_FIELD,
};
use crate::model::webhooks::{
    AttemptRow, CreatedEndpoint, DeliveryRow, EndpointDetail, EndpointRow, RECENT_DELIVERIES,
};
use serde_json::json;

/// Endpoints one account may register.
pub const MAX_ENDPOINTS: i64 = 20;

/// Adds an endpoint from the form's fields (`url`, `events` once per event); the answer carries
/// its secret, which is never shown again. Audited.
pub async fn create_endpoint(
    pool: &Pool,
    owner: &SessionUser,
    fields: &[(String, String)],
    allow_private: bool,
    client: &ClientMeta,
) -> Result<CreatedEndpoint> {
    let values = |name: &'static str| {
        fields
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let url = target::parse_url(values(URL_FIELD).next().unwrap_or_default(), allow_private);
    let events = EventSelection::parse(values(EVENTS_FIELD));
    let (url, events) = match (url, events) {
        (Ok(url), Ok(events)) => (url, events),
        (url, events) => {
            let mut errors = FieldErrors::default();
            errors.0.extend(url.err().into_iter().flat_map(|e| e.0));
            errors.0.extend(events.err().into_iter().flat_map(|e| e.0));
            return Err(Error::Invalid(errors));
        }
    };
    let secret = sign::new_secret();
    let mut tx = begin_write(pool).await?;
    // One add at a time per account, so concurrent adds cannot pass the cap together.
    crate::server::tokens::hold_account(&mut tx, owner.account_id).await?;
    let now = now_ms();
    let (count,): (i64,) = db::query("select count(*) from webhook_endpoint where account_id = $1")
        .bind(owner.account_id)
        .fetch_one(&mut tx)
        .await?;
    if count >= MAX_ENDPOINTS {
        return Err(Error::LimitReached(format!(
            "An account can have {MAX_ENDPOINTS} webhook endpoints. Delete one you no longer use first."
        )));
    }
    let (id,): (i64,) = db::query(
        "insert into webhook_endpoint (account_id, url, events, secret, created_at)
         values ($1, $2, $3, $4, $5) returning webhook_endpoint_id",
    )
    .bind(owner.account_id)
    .bind(url.as_str())
    .bind(events.to_stored())
    .bind(&secret)
    .bind(now)
    .fetch_one(&mut tx)
    .await?;
    let detail = audit_detail(url.as_str(), &events.to_stored());
    audit_endpoint(
        &mut tx,
        owner,
        AuditAction::WebhookAdded,
        &detail,
        client,
        now,
    )
    .await?;
    db::commit(tx).await?;
    tracing::info!(endpoint = id, "webhook endpoint added");
    let row = EndpointRow {
        id,
        url: url.to_string(),
        events: events.events().to_vec(),
        created_at: now,
        latest: None,
    };
    Ok(CreatedEndpoint { row, secret })
}

/// An endpoint as the audit log names it: its URL without the query (hook URLs often carry a
/// key there, and the audit log is exported), and its events.
fn audit_detail(url: &str, events: &str) -> String {
    let shown = url.split(['?', '#']).next().unwrap_or(url);
    format!("{shown} · {}", events.replace(' ', ", "))
}

async fn audit_endpoint(
    tx: &mut Transaction<'_>,
    owner: &SessionUser,
    action: AuditAction,
    detail: &str,
    client: &ClientMeta,
    at: i64,
) -> std::result::Result<(), sqlx::Error> {
    let entry = AuditEntry {
        account_id: owner.account_id,
        action,
        token_id: None,
        token_name: "Webhook endpoint",
        token_prefix: "",
        actor: &owner.email,
        client,
        at,
        detail,
    };
    record(tx, entry).await
}

/// Deletes an endpoint with its deliveries (pending ones are never sent). Audited.
pub async fn delete_endpoint(
    pool: &Pool,
    owner: &SessionUser,
    id: i64,
    client: &ClientMeta,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let found: Option<(String, String)> = db::query(
        "select url, events from webhook_endpoint where webhook_endpoint_id = $1 and account_id = $2",
    )
    .bind(id)
    .bind(owner.account_id)
    .fetch_optional(&mut tx)
    .await?;
    let Some((url, events)) = found else {
        return Err(Error::NotFound);
    };
    // Its deliveries and their attempts go with it (`on delete cascade`); one being sent right
    // now finds nothing to record its attempt on.
    db::query("delete from webhook_endpoint where webhook_endpoint_id = $1")
        .bind(id)
        .execute(&mut tx)
        .await?;
    let detail = audit_detail(&url, &events);
    let now = now_ms();
    audit_endpoint(
        &mut tx,
        owner,
        AuditAction::WebhookRemoved,
        &detail,
        client,
        now,
    )
    .await?;
    db::commit(tx).await?;
    tracing::info!(endpoint = id, "webhook endpoint deleted");
    Ok(())
}

/// "Send test event": a `webhook.test` delivery to one endpoint, sent like any other.
pub async fn send_test(pool: &Pool, owner: &SessionUser, id: i64) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let found: Option<(i64,)> = db::query(
        "select webhook_endpoint_id from webhook_endpoint
          where webhook_endpoint_id = $1 and account_id = $2",
    )
    .bind(id)
    .bind(owner.account_id)
    .fetch_optional(&mut tx)
    .await?;
    if found.is_none() {
        return Err(Error::NotFound);
    }
    // One test on its way at a time: a button pressed a thousand times cannot fill the outbox.
    let (pending,): (i64,) = db::query(
        "select count(*) from webhook_delivery
          where webhook_endpoint_id = $1 and event = $2 and next_attempt_at is not null",
    )
    .bind(id)
    .bind(WebhookEvent::Test.as_str())
    .fetch_one(&mut tx)
    .await?;
    if pending > 0 {
        return Err(Error::LimitReached(
            "A test event is already on its way to this endpoint. Wait for it to be delivered or to fail.".into(),
        ));
    }
    let now = now_ms();
    let data =
        json!({ "message": "A test event sent from the Webhooks page.", "sent_by": owner.email });
    let payload = payload(WebhookEvent::Test, now, data);
    insert_delivery(&mut tx, id, WebhookEvent::Test, &payload, now).await?;
    db::commit_bookkeeping(tx).await?;
    Ok(())
}

/// The body every delivery carries: `type`, `timestamp` (RFC 3339) and `data`.
fn payload(event: WebhookEvent, at: i64, data: serde_json::Value) -> String {
    let timestamp = chrono::DateTime::from_timestamp_millis(at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    json!({ "type": event.as_str(), "timestamp": timestamp, "data": data }).to_string()
}

async fn insert_delivery(
    tx: &mut Transaction<'_>,
    endpoint_id: i64,
    event: WebhookEvent,
    payload: &str,
    at: i64,
) -> std::result::Result<(), sqlx::Error> {
    db::query(
        "insert into webhook_delivery
            (webhook_endpoint_id, message_id, event, payload, created_at, state, next_attempt_at)
         values ($1, $2, $3, $4, $5, 'pending', $5)",
    )
    .bind(endpoint_id)
    .bind(sign::new_message_id())
    .bind(event.as_str())
    .bind(payload)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Writes `event` to the outbox of each of the account's endpoints that subscribed to it, in the
/// caller's transaction.
pub async fn enqueue(
    tx: &mut Transaction<'_>,
    account_id: i64,
    event: WebhookEvent,
    data: serde_json::Value,
    at: i64,
) -> std::result::Result<(), sqlx::Error> {
    // Held as read until commit (PostgreSQL's `for share`): an endpoint deleted meanwhile waits
    // for this change, then goes with its new delivery, instead of failing the change.
    let sql = format!(
        "select webhook_endpoint_id, events from webhook_endpoint where account_id = $1{}",
        tx.keep_rows_as_read()
    );
    let endpoints: Vec<(i64, String)> = Query::build(&sql)
        .bind(account_id)
        .fetch_all(&mut *tx)
        .await?;
    let mut body = None;
    for (endpoint_id, events) in endpoints {
        if EventSelection::from_stored(&events).contains(event) {
            let body = body.get_or_insert_with(|| payload(event, at, data.clone()));
            insert_delivery(tx, endpoint_id, event, body, at).await?;
        }
    }
    Ok(())
}

/// The webhook events an audited change announces: its own, and `token.leaked` as well when a
/// leak report revoked the token.
fn events_for(entry: &AuditEntry<'_>) -> Vec<WebhookEvent> {
    // The reported token itself: the message tokens revoked with it carry another detail.
    let leaked = entry.actor == LEAK_REPORT_ACTOR && entry.detail == LEAK_DETAIL;
    match entry.action {
        AuditAction::TokenCreated => vec![WebhookEvent::TokenCreated],
        AuditAction::TokenRevoked if leaked => {
            vec![WebhookEvent::TokenRevoked, WebhookEvent::TokenLeaked]
        }
        AuditAction::MessageTokenRevoked if leaked => {
            vec![WebhookEvent::TokenRevoked, WebhookEvent::TokenLeaked]
        }
        AuditAction::TokenRevoked => vec![WebhookEvent::TokenRevoked],
        AuditAction::TokenRotated => vec![WebhookEvent::TokenRotated],
        AuditAction::TokenPaused => vec![WebhookEvent::TokenPaused],
        AuditAction::TokenResumed => vec![WebhookEvent::TokenResumed],
        _ => Vec::new(),
    }
}

/// Called by [`record`] for every audit event: the token events webhooks announce go to the
/// outbox in the same transaction. Message tokens are announced only when reported leaked (an
/// agent may mint and drop them by the hundred; their ops token's events are what owners follow).
pub async fn enqueue_for_audit(
    tx: &mut Transaction<'_>,
    entry: &AuditEntry<'_>,
) -> std::result::Result<(), sqlx::Error> {
    let Some(token_id) = entry.token_id else {
        return Ok(());
    };
    let message = entry.token_prefix.starts_with("tm_msg_");
    let kind = if message { "message" } else { "ops" };
    let leaked = events_for(entry).contains(&WebhookEvent::TokenLeaked);
    for event in events_for(entry) {
        if message && !leaked {
            continue;
        }
        let data = json!({
            "token": { "id": token_id, "name": entry.token_name, "prefix": entry.token_prefix, "kind": kind },
            "actor": entry.actor,
            "ip": entry.client.ip,
            "detail": entry.detail,
        });
        enqueue(tx, entry.account_id, event, data, entry.at).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EndpointRecord {
    webhook_endpoint_id: i64,
    url: String,
    events: String,
    created_at: i64,
    latest_state: Option<String>,
    latest_at: Option<i64>,
}

impl EndpointRecord {
    fn into_row(self) -> EndpointRow {
        let state = self.latest_state.as_deref().and_then(DeliveryState::parse);
        EndpointRow {
            id: self.webhook_endpoint_id,
            url: self.url,
            events: EventSelection::from_stored(&self.events).events().to_vec(),
            created_at: self.created_at,
            latest: state.zip(self.latest_at),
        }
    }
}

const SELECT_ENDPOINTS: &str = "select e.webhook_endpoint_id, e.url, e.events, e.created_at,
        (select d.state from webhook_delivery d where d.webhook_endpoint_id = e.webhook_endpoint_id
          order by d.webhook_delivery_id desc limit 1) as latest_state,
        (select d.created_at from webhook_delivery d where d.webhook_endpoint_id = e.webhook_endpoint_id
          order by d.webhook_delivery_id desc limit 1) as latest_at
   from webhook_endpoint e where e.account_id = ";

/// The account's endpoints, oldest first.
pub async fn list_endpoints(
    pool: &Pool,
    account_id: i64,
) -> std::result::Result<Vec<EndpointRow>, sqlx::Error> {
    let mut query = Query::build(SELECT_ENDPOINTS);
    query
        .push_bind(account_id)
        .push(" order by e.webhook_endpoint_id");
    let records: Vec<EndpointRecord> = query.fetch_all(pool).await?;
    Ok(records.into_iter().map(EndpointRecord::into_row).collect())
}

#[derive(sqlx::FromRow)]
struct DeliveryRecord {
    webhook_delivery_id: i64,
    message_id: String,
    event: String,
    payload: String,
    created_at: i64,
    state: String,
    next_attempt_at: Option<i64>,
}

/// One of the account's endpoints with its latest deliveries and their attempts (`None`: no such
/// endpoint in this account).
pub async fn endpoint_detail(
    pool: &Pool,
    account_id: i64,
    id: i64,
) -> std::result::Result<Option<EndpointDetail>, sqlx::Error> {
    let mut query = Query::build(SELECT_ENDPOINTS);
    query
        .push_bind(account_id)
        .push(" and e.webhook_endpoint_id = ")
        .push_bind(id);
    let Some(endpoint) = query.fetch_optional::<EndpointRecord>(pool).await? else {
        return Ok(None);
    };
    let records: Vec<DeliveryRecord> = db::query(
        "select webhook_delivery_id, message_id, event, payload, created_at, state, next_attempt_at
           from webhook_delivery where webhook_endpoint_id = $1
          order by webhook_delivery_id desc limit $2",
    )
    .bind(id)
    .bind(RECENT_DELIVERIES)
    .fetch_all(pool)
    .await?;
    let mut attempts: Vec<(i64, i64, Option<i64>, String, i64)> = Vec::new();
    if !records.is_empty() {
        let mut query = Query::build(
            "select webhook_delivery_id, at, status, error, duration_ms from webhook_attempt
              where webhook_delivery_id in (",
        );
        query
            .push_list(records.iter().map(|record| record.webhook_delivery_id))
            .push(") order by webhook_attempt_id");
        attempts = query.fetch_all(pool).await?;
    }
    let deliveries = records
        .into_iter()
        .map(|record| DeliveryRow {
            id: record.webhook_delivery_id,
            message_id: record.message_id,
            event: record.event,
            created_at: record.created_at,
            state: DeliveryState::parse(&record.state).unwrap_or(DeliveryState::Failed),
            next_attempt_at: record.next_attempt_at,
            payload: record.payload,
            attempts: attempts
                .iter()
                .filter(|attempt| attempt.0 == record.webhook_delivery_id)
                .map(|(_, at, status, error, duration_ms)| AttemptRow {
                    at: *at,
                    status: *status,
                    error: error.clone(),
                    duration_ms: *duration_ms,
                })
                .collect(),
        })
        .collect();
    Ok(Some(EndpointDetail {
        endpoint: endpoint.into_row(),
        deliveries,
        now: now_ms(),
    }))
}
