//! Per-token activity: every `/api/v1` request made with a known token is logged (time, method,
//! route template, status, error code, address, user agent, request id, duration).
//!
//! **Off the request's path.** A request only puts its [`RequestRecord`] on a bounded in-process
//! queue ([`ActivityLog::record`], never waiting); one background task ([`writer`]) takes what is
//! queued and writes it in one transaction per batch, with the day summaries and address list the
//! detail page reads. A full queue drops the record and counts it per token; the counts are
//! written with the next batch and the detail page says how many requests are missing. A batch
//! the database refuses is counted the same way: the log never blocks or fails an API call.
//!
//! **Within the token's budget.** Each token may have at most twice its API rate limit of requests
//! logged per minute: calls refused before the rate limit applies (a revoked, expired or paused
//! token, an address outside its allowlist) and 429s are logged too, so without a budget one
//! leaked token could fill the queue and crowd every other token's requests out. Requests past the
//! budget are counted as not logged, like a full queue's.
//!
//! Records still queued when the server stops are written by [`ActivityLog::flush`] on the way
//! out; a crash loses what was queued and not yet written: up to [`QUEUE_CAPACITY`] records when
//! the writer had fallen behind, usually the last [`writer::PAUSE`] of requests.

/// What the detail page reads: summaries, addresses, recent requests.
pub mod report;
/// The background writer and retention.
pub mod writer;

use crate::domain::activity::RequestFilter;
use crate::model::activity::TokenDetail;
use crate::model::{Cursor, Page};
use crate::server::db::{now_ms, Pool};
use crate::server::rest::rate_limit::ApiRateLimiter;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// Requests held in memory at most while the writer catches up (about 300 bytes each).
pub const QUEUE_CAPACITY: usize = 20_000;

/// One API request made with a known token.
#[derive(Clone, Debug)]
pub struct RequestRecord {
    pub token_id: i64,
    /// Unix milliseconds when it arrived.
    pub at: i64,
    pub method: &'static str,
    /// As routed and documented: `/api/v1/mailboxes/{id}`.
    pub route: &'static str,
    /// The path's `{id}` (0: none), so the detail page can tell which domains were touched.
    pub target_id: i64,
    pub status: u16,
    /// The error envelope's code; empty on success.
    pub error_code: &'static str,
    pub ip: String,
    pub user_agent: String,
    pub request_id: String,
    pub duration_us: i64,
    /// Let past every access check: it used the route's scope.
    pub authorized: bool,
}

enum Message {
    Record(RequestRecord),
    /// Answered once everything queued before it is written.
    Flush(oneshot::Sender<()>),
}

/// The queue in front of the writer, shared by every request.
pub struct ActivityLog {
    queue: Option<mpsc::Sender<Message>>,
    /// Each token's logging budget per minute (never synced: each server keeps its own).
    budget: ApiRateLimiter,
    /// Requests not logged per token, not yet written to the database.
    dropped: Arc<Mutex<HashMap<i64, (u64, i64)>>>,
    /// Requests not logged since the process started (for the logs and tests).
    dropped_total: Arc<AtomicU64>,
}

impl ActivityLog {
    /// Starts the writer on the current runtime; `enabled` false logs nothing
    /// (`TREKMAIL_REQUEST_LOG=0`). `rate_limit`: the API's requests per minute per token.
    pub fn start(pool: Pool, enabled: bool, rate_limit: u32) -> ActivityLog {
        ActivityLog::with_capacity(pool, enabled, QUEUE_CAPACITY, rate_limit)
    }

    /// The same with a queue of `capacity` records (tests fill a small one).
    pub fn with_capacity(
        pool: Pool,
        enabled: bool,
        capacity: usize,
        rate_limit: u32,
    ) -> ActivityLog {
        let budget = ApiRateLimiter::per_minute(rate_limit.saturating_mul(2), pool.clone());
        let dropped = Arc::new(Mutex::new(HashMap::new()));
        let dropped_total = Arc::new(AtomicU64::new(0));
        let queue = if enabled {
            let (sender, receiver) = mpsc::channel(capacity);
            tokio::spawn(writer::run(pool, receiver, dropped.clone()));
            Some(sender)
        } else {
            tokio::spawn(note_log_off_forever(pool));
            None
        };
        ActivityLog {
            queue,
            budget,
            dropped,
            dropped_total,
        }
    }

    /// Queues a request for the log without waiting; a full queue, or a token past its budget,
    /// counts it as dropped.
    pub fn record(&self, record: RequestRecord) {
        let Some(queue) = &self.queue else { return };
        if self.budget.check_at(record.token_id, record.at).is_err() {
            self.dropped_total.fetch_add(1, Ordering::Relaxed);
            count_dropped(&self.dropped, record.token_id, 1, record.at);
            return;
        }
        if let Err(error) = queue.try_send(Message::Record(record)) {
            let record = match error {
                mpsc::error::TrySendError::Full(Message::Record(record))
                | mpsc::error::TrySendError::Closed(Message::Record(record)) => record,
                _ => return,
            };
            self.dropped_total.fetch_add(1, Ordering::Relaxed);
            count_dropped(&self.dropped, record.token_id, 1, record.at);
        }
    }

    /// Waits until every request queued so far is written (tests, and the server on its way out).
    pub async fn flush(&self) {
        let Some(queue) = &self.queue else { return };
        let (done, written) = oneshot::channel();
        if queue.send(Message::Flush(done)).await.is_ok() {
            let _ = written.await;
        }
    }

    /// Whether requests are logged at all.
    pub fn enabled(&self) -> bool {
        self.queue.is_some()
    }

    /// Requests this process could not log.
    pub fn dropped_total(&self) -> u64 {
        self.dropped_total.load(Ordering::Relaxed)
    }
}

/// How often a server with the log off notes it ([`note_log_off`]).
const LOG_OFF_NOTE: std::time::Duration = std::time::Duration::from_secs(60);

/// Notes that this server runs with the log off (`TREKMAIL_REQUEST_LOG=0`) at `now`: its
/// requests go unlogged, so narrowing does not trust the log over a window that includes this
/// moment (`report::uncovered`). The server notes it as it starts, then every minute.
pub async fn note_log_off(pool: &Pool, now: i64) -> Result<(), sqlx::Error> {
    crate::server::db::query(
        "insert into request_log_off (singleton, last_at) values (1, $1)
         on conflict (singleton) do update
           set last_at = case when excluded.last_at > request_log_off.last_at
                              then excluded.last_at else request_log_off.last_at end",
    )
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

async fn note_log_off_forever(pool: Pool) {
    let mut ticks = tokio::time::interval(LOG_OFF_NOTE);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate, and the server's start-up has just noted it (`build_state`).
    ticks.tick().await;
    loop {
        ticks.tick().await;
        if let Err(error) = note_log_off(&pool, now_ms()).await {
            tracing::warn!(%error, "could not note that the request log is off; retrying");
        }
    }
}

/// Adds `count` requests of a token to the not-yet-written drop counts.
fn count_dropped(dropped: &Mutex<HashMap<i64, (u64, i64)>>, token_id: i64, count: u64, at: i64) {
    let mut dropped = dropped
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let entry = dropped.entry(token_id).or_insert((0, at));
    entry.0 += count;
    entry.1 = entry.1.max(at);
}

/// Everything the detail page shows about one of the account's tokens (`None`: no such token in
/// this account).
pub async fn detail(
    pool: &Pool,
    account_id: i64,
    token_id: i64,
    retention_days: i64,
) -> Result<Option<TokenDetail>, sqlx::Error> {
    let Some(token) = crate::server::tokens::find(pool, account_id, token_id).await? else {
        return Ok(None);
    };
    let now = now_ms();
    let domains = crate::server::tokens::account_domains(pool, account_id).await?;
    Ok(Some(TokenDetail {
        events: crate::server::audit::for_token(
            pool,
            token_id,
            crate::model::activity::TIMELINE_EVENTS,
        )
        .await?,
        addresses: report::addresses(pool, token_id).await?,
        days: report::days(pool, token_id, now).await?,
        gap: report::gap(pool, token_id).await?,
        usage: report::usage(pool, &token, &domains, retention_days, now).await?,
        retention_days,
        token,
    }))
}

/// One page of one of the account's tokens' requests (`None`: no such token in this account).
pub async fn requests(
    pool: &Pool,
    account_id: i64,
    token_id: i64,
    filter: &RequestFilter,
    cursor: Cursor,
) -> Result<Option<Page<crate::model::activity::RequestRow>>, sqlx::Error> {
    if crate::server::tokens::find(pool, account_id, token_id)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    report::requests(pool, token_id, filter, cursor)
        .await
        .map(Some)
}
