//! The outbox's worker: every [`POLL`] it claims the deliveries that are due, posts each one
//! signed, and records the attempt. A 2xx delivers it; anything else (another status, a
//! redirect — never followed —, a timeout, a refused connection, an address webhooks may not
//! reach) schedules the next attempt (`domain::webhook::RETRY_DELAYS_MS`) or, after the last,
//! fails it. At least once: a server that stops between the receiver's answer and its record
//! sends it again later, with the same `webhook-id`, so the receiver can tell.
//!
//! Several servers share one outbox: a delivery is claimed for [`CLAIM_MS`] by an update that
//! only one of them can win, and a claim left by a server that died runs out by itself.

use super::{expiry, sign, target};
use crate::domain::webhook::{next_attempt, DeliveryState};
use crate::server::db::{self, begin_write, now_ms, Pool};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the worker looks for due deliveries (and tokens to announce as expiring).
pub const POLL: Duration = Duration::from_secs(1);
/// How long one attempt may take, connection included.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claim holds a delivery: longer than any attempt.
const CLAIM_MS: i64 = 60_000;
/// Deliveries claimed per pass, and sent at once.
const BATCH: i64 = 50;
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
    let candidates: Vec<(i64,)> = db::query(
        "select webhook_delivery_id from webhook_delivery
          where next_attempt_at is not null and next_attempt_at <= $1 and claimed_until < $1
          order by next_attempt_at limit $2",
    )
    .bind(now)
    .bind(BATCH)
    .fetch_all(pool)
    .await?;
    let mut claimed = Vec::new();
    for (id,) in candidates {
        let won = db::query(
            "update webhook_delivery set claimed_until = $1
              where webhook_delivery_id = $2 and next_attempt_at is not null and claimed_until < $3",
        )
        .bind(now + CLAIM_MS)
        .bind(id)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
            == 1;
        if won {
            let due: Due = db::query(
                "select d.webhook_delivery_id, d.message_id, d.payload, d.attempts, e.url, e.secret
                   from webhook_delivery d
                   join webhook_endpoint e on e.webhook_endpoint_id = d.webhook_endpoint_id
                  where d.webhook_delivery_id = $1",
            )
            .bind(id)
            .fetch_one(pool)
            .await?;
            claimed.push(due);
        }
    }
    let attempted = claimed.len();
    let results: Vec<Result<(), sqlx::Error>> = futures_util::stream::iter(claimed)
        .map(|due| async move {
            let outcome = attempt(client, allow_private, &due).await;
            record(pool, &due, outcome, now).await
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    results.into_iter().collect::<Result<(), _>>()?;
    Ok(attempted)
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
    words.truncate(500);
    words.push('.');
    words
}

/// Records an attempt and what follows it: delivered, the next attempt's time, or failed.
async fn record(pool: &Pool, due: &Due, outcome: Outcome, now: i64) -> Result<(), sqlx::Error> {
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
    db::query(
        "update webhook_delivery
            set attempts = $1, state = $2, next_attempt_at = $3, last_status = $4, claimed_until = 0
          where webhook_delivery_id = $5",
    )
    .bind(attempts)
    .bind(state.as_str())
    .bind(next)
    .bind(outcome.status)
    .bind(due.webhook_delivery_id)
    .execute(&mut tx)
    .await?;
    db::commit_bookkeeping(tx).await
}

/// Runs the worker for as long as the server runs: announces expiring and expired tokens, then
/// sends what is due. A failed pass is logged and tried again at the next one.
pub async fn run_forever(pool: Pool, allow_private: bool) {
    let client = client(allow_private);
    let mut ticks = tokio::time::interval(POLL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let now = now_ms();
        if let Err(error) = expiry::announce(&pool, now).await {
            tracing::warn!(%error, "announcing expiring tokens failed; retrying");
        }
        match deliver_due(&pool, &client, allow_private, now).await {
            Ok(0) => {}
            Ok(attempted) => tracing::info!(attempted, "webhook deliveries attempted"),
            Err(error) => tracing::warn!(%error, "webhook deliveries failed; retrying"),
        }
    }
}
