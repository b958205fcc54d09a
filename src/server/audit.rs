//! The audit trail of token changes.

use super::client::ClientMeta;
use super::db::{Pool, Query, Transaction};
use super::keyset::{self, Direction};
use crate::domain::audit::AuditAction;
use crate::domain::audit_filter::AuditFilter;
use crate::model::audit::AuditRow;
use crate::model::{Cursor, Page};
use crate::server::db;

/// One event, written by the same transaction as the change it describes.
pub struct AuditEntry<'a> {
    pub account_id: i64,
    pub action: AuditAction,
    /// `None` for a change to the account's token policy.
    pub token_id: Option<i64>,
    pub token_name: &'a str,
    pub token_prefix: &'a str,
    pub actor: &'a str,
    pub client: &'a ClientMeta,
    pub at: i64,
    /// What changed, in words; empty for creations and revocations.
    pub detail: &'a str,
}

pub async fn record(tx: &mut Transaction<'_>, entry: AuditEntry<'_>) -> Result<(), sqlx::Error> {
    db::query(
        "insert into audit_event
            (account_id, action, api_token_id, token_name, token_prefix, actor, ip, user_agent,
             created_at, detail)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(entry.account_id)
    .bind(entry.action.as_str())
    .bind(entry.token_id)
    .bind(entry.token_name)
    .bind(entry.token_prefix)
    .bind(entry.actor)
    .bind(&entry.client.ip)
    .bind(&entry.client.user_agent)
    .bind(entry.at)
    .bind(entry.detail)
    .execute(&mut *tx)
    .await?;
    // The webhooks this event announces go out with it or not at all.
    crate::server::webhooks::enqueue_for_audit(tx, &entry).await
}

#[derive(sqlx::FromRow)]
struct AuditRecord {
    audit_event_id: i64,
    action: String,
    token_name: String,
    token_prefix: String,
    actor: String,
    ip: String,
    user_agent: String,
    created_at: i64,
    detail: String,
}

impl AuditRecord {
    /// The row as the dashboard shows it (`None` for an action this version does not know).
    fn into_row(self) -> Option<AuditRow> {
        Some(AuditRow {
            id: self.audit_event_id,
            at: self.created_at,
            action: AuditAction::parse(&self.action)?,
            token_name: self.token_name,
            token_prefix: self.token_prefix,
            actor: self.actor,
            ip: self.ip,
            user_agent: self.user_agent,
            detail: self.detail,
        })
    }
}

const SELECT_EVENTS: &str = "select audit_event_id, action, token_name, token_prefix, actor, ip,
        user_agent, created_at, detail
   from audit_event where account_id = ";

/// Adds the filter's conditions to a query over `audit_event`.
fn push_filter(query: &mut Query<'_>, filter: &AuditFilter) {
    if let Some(action) = filter.action {
        query.push(" and action = ").push_bind(action.as_str());
    }
    if let Some(token) = &filter.token {
        let (contains, starts) = token.like_patterns();
        query
            .push(" and (lower(token_name) like ")
            .push_bind(contains)
            .push(" escape '\\' or lower(token_prefix) like ")
            .push_bind(starts)
            .push(" escape '\\')");
    }
    if let Some(actor) = &filter.actor {
        query
            .push(" and lower(actor) like ")
            .push_bind(actor.like_patterns().0)
            .push(" escape '\\'");
    }
    let (from, to) = filter.range_ms();
    if let Some(from) = from {
        query.push(" and created_at >= ").push_bind(from);
    }
    if let Some(to) = to {
        query.push(" and created_at < ").push_bind(to);
    }
}

/// Events per read of an export.
pub const EXPORT_BATCH: i64 = 1_000;

/// One read of an export: the events this version can show, and where the next read starts
/// (`None`: this was the last). The cursor follows the rows read, not the rows shown, so an event
/// of an action this version does not know never ends an export early.
pub struct ExportBatch {
    pub rows: Vec<AuditRow>,
    pub next: Option<i64>,
}

/// The export's next batch: the filtered events older than `before` (all when `None`), newest
/// first. An export reads batch after batch, so its memory stays one batch whatever the size.
pub async fn export_batch(
    pool: &Pool,
    account_id: i64,
    filter: &AuditFilter,
    before: Option<i64>,
) -> Result<ExportBatch, sqlx::Error> {
    let mut query = Query::build(SELECT_EVENTS);
    query.push_bind(account_id);
    push_filter(&mut query, filter);
    if let Some(before) = before {
        query.push(" and audit_event_id < ").push_bind(before);
    }
    query
        .push(" order by audit_event_id desc limit ")
        .push_bind(EXPORT_BATCH);
    let records: Vec<AuditRecord> = query.fetch_all(pool).await?;
    let next = records
        .last()
        .filter(|_| records.len() == EXPORT_BATCH as usize)
        .map(|record| record.audit_event_id);
    Ok(ExportBatch {
        rows: records
            .into_iter()
            .filter_map(AuditRecord::into_row)
            .collect(),
        next,
    })
}

/// One token's latest events, newest first (its detail page's history).
pub async fn for_token(
    pool: &Pool,
    token_id: i64,
    limit: i64,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    let records: Vec<AuditRecord> = db::query(
        "select audit_event_id, action, token_name, token_prefix, actor, ip, user_agent, created_at,
                detail
           from audit_event where api_token_id = $1 order by audit_event_id desc limit $2",
    )
    .bind(token_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(records
        .into_iter()
        .filter_map(AuditRecord::into_row)
        .collect())
}

/// One page of the account's events under the filter, newest first.
pub async fn list(
    pool: &Pool,
    account_id: i64,
    filter: &AuditFilter,
    cursor: Cursor,
) -> Result<Page<AuditRow>, sqlx::Error> {
    let fetch = |direction: Direction, limit: i64| async move {
        let mut query = Query::build(SELECT_EVENTS);
        query.push_bind(account_id);
        push_filter(&mut query, filter);
        let (condition, bound, order) = direction.sql("audit_event_id");
        if let Some(bound) = bound {
            query.push(" and ").push(condition).push_bind(bound);
        }
        query
            .push(format!(" order by audit_event_id {order} limit "))
            .push_bind(limit);
        query.fetch_all(pool).await
    };
    let (records, older, newer) =
        keyset::page(cursor, |r: &AuditRecord| r.audit_event_id, fetch).await?;
    let rows = records
        .into_iter()
        .filter_map(AuditRecord::into_row)
        .collect();
    Ok(Page {
        rows,
        older,
        newer,
        now: super::db::now_ms(),
    })
}
