//! Housekeeping that keeps the database from growing without bound: expired sessions and
//! idempotency records past their replay window are deleted in small batches (each a short
//! transaction, so requests are never held up for long), the sign-in throttle forgets
//! expired counters, and the request log forgets requests past its retention. `main.rs` runs it every [`INTERVAL`]; tests call [`prune`] directly.

use super::db::{now_ms, Pool};
use super::rest::idempotency::REPLAY_WINDOW_MS;
use super::state::AppState;
use crate::server::db;
use std::time::Duration;

/// How often the housekeeping runs.
pub const INTERVAL: Duration = Duration::from_secs(10 * 60);
/// Rows deleted per statement.
pub const BATCH: i64 = 1_000;

/// What one pass removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Expired sign-in failure counters and trusted addresses.
    pub throttle_rows: u64,
    /// API request counts and leak report counts of past minutes.
    pub request_counts: u64,
    pub sessions: u64,
    pub idempotency_records: u64,
    /// Logged API requests, day summaries and addresses past `TREKMAIL_ACTIVITY_DAYS`.
    pub request_log: u64,
    /// Webhook deliveries (delivered or failed) and their attempts past `DELIVERY_DAYS`.
    pub webhook_deliveries: u64,
}

/// How long a finished webhook delivery stays on its endpoint's page.
pub const DELIVERY_DAYS: i64 = 30;

/// One pass over everything that expires.
pub async fn prune(state: &AppState) -> Result<Pruned, sqlx::Error> {
    let now = now_ms();
    let mut throttle_rows = 0;
    for (sql, before) in crate::server::throttle::expired(now) {
        throttle_rows += delete_in_batches(&state.pool, sql, before).await?;
    }
    let mut request_counts = 0;
    for (sql, before) in [
        crate::server::rest::rate_limit::expired(now),
        crate::server::rest::leak::expired(now),
    ] {
        request_counts += delete_in_batches(&state.pool, sql, before).await?;
    }
    Ok(Pruned {
        throttle_rows,
        request_counts,
        sessions: delete_in_batches(
            &state.pool,
            "delete from session where expires_at <= $1 and session_hash in
               (select session_hash from session where expires_at <= $1 limit $2)",
            now,
        )
        .await?,
        idempotency_records: delete_in_batches(
            &state.pool,
            "delete from idempotency_record where created_at < $1 and (api_token_id, idempotency_key) in
               (select api_token_id, idempotency_key from idempotency_record
                 where created_at < $1 limit $2)",
            now - REPLAY_WINDOW_MS,
        )
        .await?,
        request_log: crate::server::activity::writer::prune(
            &state.pool,
            state.config.activity_days,
            now,
        )
        .await?,
        webhook_deliveries: prune_deliveries(&state.pool, now - DELIVERY_DAYS * 86_400_000).await?,
    })
}

/// Finished deliveries made before `before`, attempts first (they point at their delivery).
async fn prune_deliveries(pool: &Pool, before: i64) -> Result<u64, sqlx::Error> {
    delete_in_batches(
        pool,
        "delete from webhook_attempt where webhook_attempt_id in
           (select a.webhook_attempt_id from webhook_attempt a
              join webhook_delivery d on d.webhook_delivery_id = a.webhook_delivery_id
             where d.created_at < $1 and d.next_attempt_at is null limit $2)",
        before,
    )
    .await?;
    delete_in_batches(
        pool,
        "delete from webhook_delivery where webhook_delivery_id in
           (select webhook_delivery_id from webhook_delivery
             where created_at < $1 and next_attempt_at is null limit $2)",
        before,
    )
    .await
}

pub async fn delete_in_batches(
    pool: &Pool,
    sql: &'static str,
    before: i64,
) -> Result<u64, sqlx::Error> {
    let mut total = 0;
    loop {
        let deleted = db::query(sql)
            .bind(before)
            .bind(BATCH)
            .execute(pool)
            .await?
            .rows_affected();
        total += deleted;
        if deleted < BATCH as u64 {
            return Ok(total);
        }
        // Let waiting writers in between batches.
        tokio::task::yield_now().await;
    }
}

/// Runs [`prune`] every [`INTERVAL`] for as long as the server runs; a failed pass is logged
/// and retried at the next interval.
pub async fn run_forever(state: AppState) {
    let mut ticks = tokio::time::interval(INTERVAL);
    loop {
        ticks.tick().await;
        match prune(&state).await {
            Ok(pruned) if pruned != Pruned::default() => tracing::info!(?pruned, "pruned"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "pruning failed; retrying later"),
        }
    }
}
