//! The per-token request budget of the REST API, shared by every app server.
//!
//! The rule: at most `TREKMAIL_API_RATE_LIMIT` requests per token in each clock minute (UTC,
//! `12:04:00`–`12:04:59`); a request over it answers 429 with `Retry-After` set to the seconds
//! left in that minute. Fixed windows add up across servers, which a token bucket does not.
//!
//! A request never waits on the database for this: each server counts in memory and, every
//! [`SYNC_INTERVAL`], adds its new requests to the shared count (`api_request_count`) and reads
//! back the total of all servers. A server refuses once its last reading of the total plus its
//! own requests not yet added reach the limit. On one server the count is exact; with several,
//! each can admit at most what it believed was left during one interval before it hears of the
//! others', so a token spread over N servers can exceed the minute's limit by at most what the
//! other servers admit for it between two readings (250 ms): the most is at the start of a minute,
//! when each server may admit up to the whole limit before its first reading of that minute.
//! On SQLite (one server) nothing is synced: the count in memory is exact.

use crate::server::db::{self, Pool, Query};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// How often each server adds its requests to the shared count and reads the total back.
pub const SYNC_INTERVAL: Duration = Duration::from_millis(250);
const MINUTE_MS: i64 = 60_000;
/// Windows held before past minutes are forgotten on a check.
const FORGET_AT: usize = 10_000;
/// Tokens per statement of a sync (three placeholders each).
const SYNC_BATCH: usize = 300;

/// One token's requests in one minute, as this server knows them.
#[derive(Clone, Copy, Debug, Default)]
struct Window {
    minute: i64,
    /// This server's requests in the minute.
    mine: u32,
    /// How many of `mine` the shared count already holds.
    added: u32,
    /// The shared count (every server) at the last reading.
    total: u32,
}

impl Window {
    fn estimate(&self) -> u32 {
        self.total
            .saturating_add(self.mine.saturating_sub(self.added))
    }
}

pub struct ApiRateLimiter {
    limit: u32,
    pool: Pool,
    windows: Mutex<HashMap<i64, Window>>,
    /// One sync at a time: two would add the same requests twice.
    syncing: tokio::sync::Mutex<()>,
}

impl ApiRateLimiter {
    pub fn per_minute(requests: u32, pool: Pool) -> ApiRateLimiter {
        ApiRateLimiter {
            limit: requests.max(1),
            pool,
            windows: Mutex::default(),
            syncing: tokio::sync::Mutex::default(),
        }
    }

    /// Counts a request of the token; `Err(seconds to wait)` when its minute's budget is spent.
    pub fn check(&self, token_id: i64) -> Result<(), u64> {
        self.check_at(token_id, db::now_ms())
    }

    /// [`ApiRateLimiter::check`] at the time `now` (Unix milliseconds).
    pub fn check_at(&self, token_id: i64, now: i64) -> Result<(), u64> {
        let minute = now.div_euclid(MINUTE_MS);
        let mut windows = self.windows.lock().expect("rate limit lock");
        // A limiter never synced (the request log's budget) forgets past minutes here instead,
        // once the map is large: it holds one entry per token that made a request.
        if windows.len() >= FORGET_AT {
            windows.retain(|_, window| window.minute >= minute - 1);
        }
        let window = windows.entry(token_id).or_default();
        if window.minute != minute {
            *window = Window {
                minute,
                ..Window::default()
            };
        }
        if window.estimate() >= self.limit {
            let left_ms = (minute + 1) * MINUTE_MS - now;
            return Err((left_ms as u64).div_ceil(1000).max(1));
        }
        window.mine += 1;
        Ok(())
    }

    /// Adds this server's new requests to the shared count and reads back every server's total
    /// for the tokens used this minute; forgets windows of past minutes.
    pub async fn sync(&self) -> Result<(), sqlx::Error> {
        self.sync_at(db::now_ms()).await
    }

    /// [`ApiRateLimiter::sync`] at the time `now` (Unix milliseconds).
    pub async fn sync_at(&self, now: i64) -> Result<(), sqlx::Error> {
        let _one_at_a_time = self.syncing.lock().await;
        let minute = now.div_euclid(MINUTE_MS);
        let new: Vec<(i64, Window)> = {
            let mut windows = self.windows.lock().expect("rate limit lock");
            windows.retain(|_, window| window.minute >= minute - 1);
            windows
                .iter()
                .filter(|(_, window)| window.mine > window.added)
                .map(|(token_id, window)| (*token_id, *window))
                .collect()
        };
        // One statement for every token with new requests (in batches, within the engines'
        // limits on placeholders), in token order so concurrent syncs of two servers never wait
        // on each other in a circle.
        let mut new = new;
        new.sort_by_key(|(token_id, window)| (*token_id, window.minute));
        for batch in new.chunks(SYNC_BATCH) {
            let mut add = Query::build(
                "insert into api_request_count (api_token_id, minute, requests) values ",
            );
            for (index, (token_id, window)) in batch.iter().enumerate() {
                add.push(if index == 0 { "(" } else { ", (" });
                add.push_bind(*token_id)
                    .push(", ")
                    .push_bind(window.minute)
                    .push(", ")
                    .push_bind(i64::from(window.mine.saturating_sub(window.added)))
                    .push(")");
            }
            add.push(
                " on conflict (api_token_id, minute)
                  do update set requests = api_request_count.requests + excluded.requests
                  returning api_token_id, minute, requests",
            );
            let totals: Vec<(i64, i64, i64)> = add.fetch_all(&self.pool).await?;
            for (token_id, minute, total) in totals {
                let added = batch
                    .iter()
                    .find(|(id, window)| *id == token_id && window.minute == minute)
                    .map(|(_, window)| window.mine);
                self.learn(token_id, minute, total, added);
            }
        }
        // Tokens this server used this minute without new requests since: the others' share.
        let quiet: Vec<i64> = {
            let windows = self.windows.lock().expect("rate limit lock");
            windows
                .iter()
                .filter(|(token_id, window)| {
                    window.minute == minute && !new.iter().any(|(id, _)| id == *token_id)
                })
                .map(|(token_id, _)| *token_id)
                .collect()
        };
        if !quiet.is_empty() {
            let mut read = Query::build(
                "select api_token_id, requests from api_request_count where minute = ",
            );
            read.push_bind(minute).push(" and api_token_id in (");
            read.push_list(quiet.iter().copied()).push(")");
            let totals: Vec<(i64, i64)> = read.fetch_all(&self.pool).await?;
            for (token_id, total) in totals {
                self.learn(token_id, minute, total, None);
            }
        }
        Ok(())
    }

    /// Records a reading of the shared count; `added`: how many of this server's requests it
    /// now holds.
    fn learn(&self, token_id: i64, minute: i64, total: i64, added: Option<u32>) {
        let mut windows = self.windows.lock().expect("rate limit lock");
        if let Some(window) = windows.get_mut(&token_id) {
            if window.minute == minute {
                window.total = u32::try_from(total).unwrap_or(u32::MAX);
                if let Some(added) = added {
                    window.added = added;
                }
            }
        }
    }

    /// Runs [`ApiRateLimiter::sync`] every [`SYNC_INTERVAL`] for as long as the server runs.
    pub async fn sync_forever(limiter: std::sync::Arc<ApiRateLimiter>) {
        let mut ticks = tokio::time::interval(SYNC_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = limiter.sync().await {
                tracing::warn!(%error, "could not share the API request counts; retrying");
            }
        }
    }
}

/// The statement that deletes request counts of minutes before `$1`, `$2` at a time, and that
/// time for `now`: for the housekeeping.
pub fn expired(now: i64) -> (&'static str, i64) {
    (
        "delete from api_request_count where minute < $1 and (api_token_id, minute) in
           (select api_token_id, minute from api_request_count where minute < $1 limit $2)",
        now.div_euclid(MINUTE_MS) - 1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_the_clock_minute_and_the_wait_what_is_left_of_it() {
        let window = Window {
            minute: 7,
            mine: 5,
            added: 3,
            total: 10,
        };
        assert_eq!(
            window.estimate(),
            12,
            "the total plus what it does not hold yet"
        );
        assert_eq!(
            ((8 * MINUTE_MS - (7 * MINUTE_MS + 59_001)) as u64).div_ceil(1000),
            1
        );
    }
}
