//! The one task that writes the request log: it takes up to [`BATCH`] queued requests at a time
//! and writes them in one transaction, with their day summaries (`api_request_day`), addresses
//! (`api_token_ip`) and the requests that could not be logged (`api_request_gap`); then, unless
//! the batch was full (the queue is filling faster than that: no time to rest), pauses for
//! [`PAUSE`], so a busy API fills large batches instead of many small transactions.

use super::{count_dropped, Message, RequestRecord};
use crate::domain::activity::{day_of, StatusClass};
use crate::server::db::{self, Pool, Query};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::mpsc;

/// Requests written per transaction at most.
pub const BATCH: usize = 2_000;
/// Rest between batches.
pub const PAUSE: Duration = Duration::from_millis(200);
/// Summary rows per `insert` statement (of up to 8 values each).
const ROWS_PER_STATEMENT: usize = 200;

type Dropped = Mutex<HashMap<i64, (u64, i64)>>;
/// A day summary's key: token, day, method, route, path id.
type DayKey<'a> = (i64, i64, &'a str, &'a str, i64);

/// Writes batches until every sender is gone (the server stopped).
pub(super) async fn run(
    pool: Pool,
    mut queue: mpsc::Receiver<Message>,
    dropped: std::sync::Arc<Dropped>,
) {
    let mut messages = Vec::with_capacity(BATCH);
    loop {
        let received = queue.recv_many(&mut messages, BATCH).await;
        if received == 0 {
            break;
        }
        let mut records = Vec::with_capacity(messages.len());
        let mut waiting = Vec::new();
        for message in messages.drain(..) {
            match message {
                Message::Record(record) => records.push(record),
                Message::Flush(done) => waiting.push(done),
            }
        }
        let gaps = std::mem::take(&mut *dropped.lock().unwrap_or_else(|p| p.into_inner()));
        if !records.is_empty() || !gaps.is_empty() {
            if let Err(error) = write(&pool, &records, &gaps).await {
                crate::server::telemetry::log_unexpected(&error, "could not write the request log");
                // Counted, so the detail page says requests are missing; retried with the next batch.
                for (token_id, (count, at)) in gaps {
                    count_dropped(&dropped, token_id, count, at);
                }
                for record in &records {
                    count_dropped(&dropped, record.token_id, 1, record.at);
                }
            }
        }
        for done in waiting {
            let _ = done.send(());
        }
        if received < BATCH {
            tokio::time::sleep(PAUSE).await;
        }
    }
}

/// One batch, in one transaction.
pub async fn write(
    pool: &Pool,
    records: &[RequestRecord],
    gaps: &HashMap<i64, (u64, i64)>,
) -> Result<(), sqlx::Error> {
    let mut tx = db::begin_write(pool).await?;
    tx.insert_api_requests(&columns(records)).await?;
    // Sorted maps: every server upserts summary rows in key order, so two servers writing the
    // same rows on PostgreSQL wait for each other instead of deadlocking (and losing a batch).
    let mut days: BTreeMap<DayKey<'_>, (i64, i64, i64)> = BTreeMap::new();
    let mut addresses: BTreeMap<(i64, &str), (i64, i64, i64)> = BTreeMap::new();
    for record in records {
        let day = days
            .entry((
                record.token_id,
                day_of(record.at),
                record.method,
                record.route,
                record.target_id,
            ))
            .or_default();
        if record.status < 400 {
            day.0 += 1;
        } else {
            day.1 += 1;
        }
        day.2 += i64::from(record.authorized);
        let address = addresses
            .entry((record.token_id, record.ip.as_str()))
            .or_insert((record.at, record.at, 0));
        address.0 = address.0.min(record.at);
        address.1 = address.1.max(record.at);
        address.2 += 1;
    }
    let days: Vec<_> = days.into_iter().collect();
    for chunk in days.chunks(ROWS_PER_STATEMENT) {
        let mut query = Query::build(
            "insert into api_request_day
                (api_token_id, day, method, route, target_id, succeeded, failed, authorized) values ",
        );
        for (index, ((token, day, method, route, target), (ok, failed, authorized))) in
            chunk.iter().enumerate()
        {
            query.push(if index == 0 { "(" } else { ", (" });
            query.push_list([*token, *day]).push(", ");
            query.push_list([*method, *route]).push(", ");
            query
                .push_list([*target, *ok, *failed, *authorized])
                .push(")");
        }
        query.push(
            " on conflict (api_token_id, day, method, route, target_id) do update
                set succeeded = api_request_day.succeeded + excluded.succeeded,
                    failed = api_request_day.failed + excluded.failed,
                    authorized = api_request_day.authorized + excluded.authorized",
        );
        query.execute(&mut tx).await?;
    }
    let addresses: Vec<_> = addresses.into_iter().collect();
    for chunk in addresses.chunks(ROWS_PER_STATEMENT) {
        let mut query = Query::build(
            "insert into api_token_ip (api_token_id, ip, first_seen, last_seen, requests) values ",
        );
        for (index, ((token, ip), (first, last, count))) in chunk.iter().enumerate() {
            query.push(if index == 0 { "(" } else { ", (" });
            query.push_bind(*token).push(", ").push_bind(*ip).push(", ");
            query.push_list([*first, *last, *count]).push(")");
        }
        query.push(
            " on conflict (api_token_id, ip) do update
                set first_seen = case when excluded.first_seen < api_token_ip.first_seen
                                      then excluded.first_seen else api_token_ip.first_seen end,
                    last_seen = case when excluded.last_seen > api_token_ip.last_seen
                                     then excluded.last_seen else api_token_ip.last_seen end,
                    requests = api_token_ip.requests + excluded.requests",
        );
        query.execute(&mut tx).await?;
    }
    let mut gaps: Vec<_> = gaps.iter().collect();
    gaps.sort_unstable_by_key(|(token_id, _)| **token_id);
    for (token_id, (count, at)) in gaps {
        db::query(
            "insert into api_request_gap (api_token_id, dropped, last_at) values ($1, $2, $3)
             on conflict (api_token_id) do update
               set dropped = api_request_gap.dropped + excluded.dropped,
                   last_at = case when excluded.last_at > api_request_gap.last_at
                                  then excluded.last_at else api_request_gap.last_at end",
        )
        .bind(*token_id)
        .bind(i64::try_from(*count).unwrap_or(i64::MAX))
        .bind(*at)
        .execute(&mut tx)
        .await?;
    }
    // Bookkeeping: no token or account changed, so the verified-token cache stays valid.
    db::commit_bookkeeping(tx).await
}

/// The batch as the engines' inserts take it.
fn columns(records: &[RequestRecord]) -> db::ApiRequestColumns<'_> {
    let mut columns = db::ApiRequestColumns::default();
    for record in records {
        columns.at.push(record.at);
        columns.api_token_id.push(record.token_id);
        columns.method.push(record.method);
        columns.route.push(record.route);
        columns.target_id.push(record.target_id);
        columns.status.push(i64::from(record.status));
        columns
            .status_class
            .push(StatusClass::of(record.status).stored());
        columns.error_code.push(record.error_code);
        columns.ip.push(&record.ip);
        columns.user_agent.push(&record.user_agent);
        columns.request_id.push(&record.request_id);
        columns.duration_us.push(record.duration_us);
    }
    columns
}

/// Deletes requests, day summaries and addresses older than `days` days, in batches.
pub async fn prune(pool: &Pool, days: i64, now: i64) -> Result<u64, sqlx::Error> {
    let cutoff = now - days * crate::domain::activity::DAY_MS;
    let mut total = 0;
    for (sql, before) in [
        (
            "delete from api_request where (at, api_request_id) in
               (select at, api_request_id from api_request where at < $1 limit $2)",
            cutoff,
        ),
        (
            "delete from api_request_day where (api_token_id, day, method, route, target_id) in
               (select api_token_id, day, method, route, target_id from api_request_day
                 where day < $1 limit $2)",
            day_of(cutoff),
        ),
        (
            "delete from api_token_ip where (api_token_id, ip) in
               (select api_token_id, ip from api_token_ip where last_seen < $1 limit $2)",
            cutoff,
        ),
    ] {
        total += crate::server::maintenance::delete_in_batches(pool, sql, before).await?;
    }
    Ok(total)
}
