//! The outbox's worker: every [`POLL`] it claims the deliveries that are due, posts each one
//! signed, and records the attempt. A 2xx delivers it; anything else (another status, a
//! redirect — never followed —, a timeout, a refused connection, an address webhooks may not
//! reach) schedules the next attempt (`domain::webhook::RETRY_DELAYS_MS`) or, after the last,
//! fails it. At least once: a server that stops between the receiver's answer and its record
//! sends it again later, with the same `webhook-id`, so the receiver can tell.
//!
//! Several servers share one outbox: a delivery is claimed, right before it is sent, for
//! [`CLAIM_MS`] (far longer than an attempt may take) by an update that only one of them can win;
//! its attempt is recorded only while the claim is still its own, and a claim left by a server
//! that died runs out by itself. Each pass sends at most one delivery per endpoint, oldest due
//! first: a slow or failing endpoint holds up only its own deliveries, in their order.

use super::{expiry, sign, target};
use crate::domain::webhook::{next_attempt, DeliveryState};
use crate::server::db::{self, begin_write, now_ms, Pool};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the worker looks for due deliveries.
pub const POLL: Duration = Duration::from_secs(1);
/// How often it looks for tokens to announce as expiring or expired: a warning a week ahead
/// may be half a minute late, and the two indexed queries need not run every second.
pub const EXPIRY_SCAN: Duration = Duration::from_secs(30);
/// How long one attempt may take, connection included.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claim holds a delivery: longer than any attempt.
const CLAIM_MS: i64 = 60_000;
/// Due deliveries read per pass; at most one per endpoint of them is sent.
const CANDIDATES: i64 = 200;
/// Deliveries sent at once.
const PARALLEL: usize = 8;

/// The HTTP client deliveries go through: no redirects, no proxies from the environment (they
/// would bypass the address check), DNS answers filtered (`target.rs`).
pub fn client(allow_private: bool) -> reqwest::Client {
    client_with_timeout(allow_private, ATTEMPT_TIMEOUT)
}

/// The same with another time limit per attempt (tests shorten it).
pub fn client_with_timeout(allow_private: bool, timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(5))
        .user_agent("TrekMail-Webhooks/1.0")
        .dns_resolver(Arc::new(target::GuardedResolver { allow_private }))
        .build()
        .expect("the webhook client's settings are valid")
}

/// One due delivery, claimed, with what sending it needs.
#[derive(sqlx::FromRow)]
struct Due {
    webhook_delivery_id: i64,
    message_id: String,
    payload: String,
    attempts: i64,
    url: String,
    secret: String,
}

/// An attempt's outcome: the response's status (if any) and why it failed (empty: delivered).
struct Outcome {
    status: Option<i64>,
    error: String,
    duration_ms: i64,
}

/// Sends every delivery due at `now` (once each, whoever else is sending); returns how many were
/// attempted. Tests pass a `now` of their choosing to reach the next retry without waiting.
pub async fn deliver_due(
    pool: &Pool,
    client: &reqwest::Client,
    allow_private: bool,
    now: i64,
) -> Result<usize, sqlx::Error> {
    let candidates: Vec<(i64, i64)> = db::query(
        "select webhook_delivery_id, webhook_endpoint_id from webhook_delivery
          where next_attempt_at is not null and next_attempt_at <= $1 and claimed_until < $1
          order by next_attempt_at, webhook_delivery_id limit $2",
    )
    .bind(now)
    .bind(CANDIDATES)
    .fetch_all(pool)
    .await?;
    let mut endpoints = std::collections::HashSet::new();
    let chosen: Vec<i64> = candidates
        .into_iter()
        .filter(|(_, endpoint)| endpoints.insert(*endpoint))
        .map(|(id, _)| id)
        .collect();
    let results: Vec<Result<bool, sqlx::Error>> = futures_util::stream::iter(chosen)
        .map(|id| send_one(pool, client, allow_private, id, now))
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let mut attempted = 0;
    for result in results {
        attempted += usize::from(result?);
    }
    Ok(attempted)
}

/// Claims one delivery, sends it and records the attempt; false when another server had it.
async fn send_one(
    pool: &Pool,
    client: &reqwest::Client,
    allow_private: bool,
    id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let claim = now.max(now_ms()) + CLAIM_MS;
    let won = db::query(
        "update webhook_delivery set claimed_until = $1
          where webhook_delivery_id = $2 and next_attempt_at is not null and claimed_until < $3",
    )
    .bind(claim)
    .bind(id)
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected()
        == 1;
    if !won {
        return Ok(false);
    }
    let due: Option<Due> = db::query(
        "select d.webhook_delivery_id, d.message_id, d.payload, d.attempts, e.url, e.secret
           from webhook_delivery d
           join webhook_endpoint e on e.webhook_endpoint_id = d.webhook_endpoint_id
          where d.webhook_delivery_id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    // Deleted with its endpoint in between: nothing to send.
    let Some(due) = due else { return Ok(false) };
    let outcome = attempt(client, allow_private, &due).await;
    record(pool, &due, outcome, now, claim).await?;
    Ok(true)
}

/// Posts one delivery, signed with the endpoint's secret.
async fn attempt(client: &reqwest::Client, allow_private: bool, due: &Due) -> Outcome {
    let started = Instant::now();
    let finish = |status: Option<i64>, error: String| Outcome {
        status,
        error,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
    };
    let url = match target::parse_url(&due.url, allow_private) {
        Ok(url) => url,
        Err(refused) => return finish(None, format!("Not sent: {refused}")),
    };
    let timestamp = now_ms() / 1_000;
    let signature = sign::signature(&due.secret, &due.message_id, timestamp, &due.payload);
    let sent = client
        .post(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", &due.message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(due.payload.clone())
        .send()
        .await;
    match sent {
        Ok(response) => {
            let status = response.status();
            let code = Some(i64::from(status.as_u16()));
            if status.is_success() {
                finish(code, String::new())
            } else if status.is_redirection() {
                let location = response
                    .headers()
                    .get(http::header::LOCATION)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or("(no Location)");
                finish(
                    code,
                    format!("Redirect to {location} not followed: register the final URL instead."),
                )
            } else {
                finish(code, format!("The endpoint answered {status}."))
            }
        }
        Err(error) => finish(None, describe(&error)),
    }
}

/// A failed send in words, without the URL (already on the page) and with its cause.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "The endpoint did not answer in time.".to_string();
    }
    let mut words = if error.is_connect() {
        "Could not connect".to_string()
    } else {
        "The request failed".to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        words.push_str(": ");
        words.push_str(&cause.to_string());
        source = cause.source();
    }
    // At most 500 bytes, cut at a character boundary.
    let mut end = words.len().min(500);
    while !words.is_char_boundary(end) {
        end -= 1;
    }
    words.truncate(end);
    words.push('.');
    words
}

/// Records an attempt and what follows it: delivered, the next attempt's time, or failed; only
/// while `claim` is still this server's (else the attempt is forgotten: whoever holds the claim
/// records its own).
async fn record(
    pool: &Pool,
    due: &Due,
    outcome: Outcome,
    now: i64,
    claim: i64,
) -> Result<(), sqlx::Error> {
    let attempts = due.attempts + 1;
    let (state, next) = if outcome.error.is_empty() {
        (DeliveryState::Delivered, None)
    } else {
        let now = now.max(now_ms());
        match next_attempt(usize::try_from(attempts).unwrap_or(usize::MAX), now) {
            Some(next) => (DeliveryState::Pending, Some(next)),
            None => (DeliveryState::Failed, None),
        }
    };
    let mut tx = begin_write(pool).await?;
    let ours = db::query(
        "update webhook_delivery
            set attempts = attempts + 1, state = $1, next_attempt_at = $2, last_status = $3,
                claimed_until = 0
          where webhook_delivery_id = $4 and claimed_until = $5",
    )
    .bind(state.as_str())
    .bind(next)
    .bind(outcome.status)
    .bind(due.webhook_delivery_id)
    .bind(claim)
    .execute(&mut tx)
    .await?
    .rows_affected()
        == 1;
    if ours {
        db::query(
            "insert into webhook_attempt (webhook_delivery_id, at, status, error, duration_ms)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(due.webhook_delivery_id)
        .bind(now_ms())
        .bind(outcome.status)
        .bind(outcome.error.as_str())
        .bind(outcome.duration_ms)
        .execute(&mut tx)
        .await?;
    }
    db::commit_bookkeeping(tx).await
}

/// Runs the worker for as long as the server runs: every [`EXPIRY_SCAN`] announces expiring and
/// expired tokens; every [`POLL`] sends what is due. A failed pass is logged and tried again at the next one.
pub async fn run_forever(pool: Pool, allow_private: bool) {
    let client = client(allow_private);
    let mut ticks = tokio::time::interval(POLL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_scan: Option<Instant> = None;
    loop {
        ticks.tick().await;
        let scan = last_scan.is_none_or(|at| at.elapsed() >= EXPIRY_SCAN);
        if scan {
            last_scan = Some(Instant::now());
        }
        // Each pass in a task of its own: a panic (a bug) ends that pass, never the worker.
        let (pool, client) = (pool.clone(), client.clone());
        let pass = tokio::spawn(async move {
            let now = now_ms();
            if scan {
                if let Err(error) = expiry::announce(&pool, now).await {
                    tracing::warn!(%error, "announcing expiring tokens failed; retrying");
                }
            }
            match deliver_due(&pool, &client, allow_private, now).await {
                Ok(0) => {}
                Ok(attempted) => tracing::info!(attempted, "webhook deliveries attempted"),
                Err(error) => tracing::warn!(%error, "webhook deliveries failed; retrying"),
            }
        });
        if let Err(error) = pass.await {
            tracing::error!(%error, "a webhook pass failed; the next one runs as usual");
        }
    }
}
