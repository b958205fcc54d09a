//! What a token's detail page reads: the day summaries (chart, scopes and domains used), its
//! addresses, its audit events and a keyset page of its requests. Each is a read of a few rows on
//! an index, however many requests the token made (the summaries are written with the log).

use crate::domain::activity::{
    day_of, RequestFilter, StatusClass, CHART_DAYS, DAY_MS, RECENT_ADDRESSES,
};
use crate::domain::token::TokenKind;
use crate::model::activity::{AddressSeen, DayCount, RequestRow, Usage};
use crate::model::tokens::{DomainOption, TokenRow};
use crate::model::{Cursor, Page};
use crate::server::db::{self, Pool, Query};
use crate::server::keyset;
use crate::server::rest::access::{endpoint, ENDPOINTS};
use http::Method;
use std::collections::BTreeSet;

/// The API's route templates, once each, in the table's order (the route filter's choices).
pub fn routes() -> Vec<&'static str> {
    let mut routes: Vec<&'static str> = Vec::new();
    for endpoint in ENDPOINTS {
        if !routes.contains(&endpoint.path) {
            routes.push(endpoint.path);
        }
    }
    routes
}

/// Requests per day over the chart's 30 days ending today, oldest first, zero-filled.
pub async fn days(pool: &Pool, token_id: i64, now: i64) -> Result<Vec<DayCount>, sqlx::Error> {
    let today = day_of(now);
    let first = today - CHART_DAYS + 1;
    let rows: Vec<(i64, i64, i64)> = db::query(
        "select day, cast(sum(succeeded) as bigint), cast(sum(failed) as bigint) from api_request_day
          where api_token_id = $1 and day >= $2 group by day",
    )
    .bind(token_id)
    .bind(first)
    .fetch_all(pool)
    .await?;
    Ok((first..=today)
        .map(|day| {
            let (succeeded, failed) = rows
                .iter()
                .find(|row| row.0 == day)
                .map_or((0, 0), |row| (row.1, row.2));
            DayCount {
                day,
                succeeded,
                failed,
            }
        })
        .collect())
}

/// The last distinct addresses the token was used from.
pub async fn addresses(pool: &Pool, token_id: i64) -> Result<Vec<AddressSeen>, sqlx::Error> {
    let rows: Vec<(String, i64, i64, i64)> = db::query(
        "select ip, first_seen, last_seen, requests from api_token_ip
          where api_token_id = $1 order by last_seen desc limit $2",
    )
    .bind(token_id)
    .bind(RECENT_ADDRESSES)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(ip, first_seen, last_seen, requests)| AddressSeen {
            ip,
            first_seen,
            last_seen,
            requests,
        })
        .collect())
}

/// Requests that could not be logged: how many, and when the last was.
pub async fn gap(pool: &Pool, token_id: i64) -> Result<Option<(i64, i64)>, sqlx::Error> {
    db::query("select dropped, last_at from api_request_gap where api_token_id = $1")
        .bind(token_id)
        .fetch_optional(pool)
        .await
}

#[derive(sqlx::FromRow)]
struct RequestRecord {
    api_request_id: i64,
    at: i64,
    method: String,
    route: String,
    status: i64,
    error_code: String,
    ip: String,
    user_agent: String,
    request_id: String,
    duration_us: i64,
}

/// One page of the token's requests, last logged first, under the filters.
pub async fn requests(
    pool: &Pool,
    token_id: i64,
    filter: &RequestFilter,
    cursor: Cursor,
) -> Result<Page<RequestRow>, sqlx::Error> {
    let fetch = |direction: keyset::Direction, limit: i64| async move {
        let mut query = Query::build(
            "select api_request_id, at, method, route, status, error_code, ip, user_agent,
                    request_id, duration_us
               from api_request where api_token_id = ",
        );
        query.push_bind(token_id);
        if let Some(class) = filter.class {
            query.push(" and status_class = ").push_bind(class.stored());
            // Stated as the partial index states it, so SQLite sees the index applies.
            if class != StatusClass::Success {
                query.push(" and status_class >= 4");
            }
        }
        if let Some(route) = &filter.route {
            query.push(" and route = ").push_bind(route.as_str());
        }
        let (condition, bound, order) = direction.sql("api_request_id");
        if let Some(bound) = bound {
            query.push(" and ").push(condition).push_bind(bound);
        }
        query
            .push(format!(" order by api_request_id {order} limit "))
            .push_bind(limit);
        query.fetch_all::<RequestRecord>(pool).await
    };
    let (records, older, newer) = keyset::page(cursor, |r| r.api_request_id, fetch).await?;
    Ok(Page {
        rows: records
            .into_iter()
            .map(|r| RequestRow {
                id: r.api_request_id,
                at: r.at,
                method: r.method,
                route: r.route,
                status: r.status,
                error_code: r.error_code,
                ip: r.ip,
                user_agent: r.user_agent,
                request_id: r.request_id,
                duration_us: r.duration_us,
            })
            .collect(),
        older,
        newer,
        now: db::now_ms(),
    })
}

/// What part of the account a route's request touches, for "which domains did it need".
enum Touches {
    Nothing,
    /// A list across every domain the token reaches.
    EveryDomain,
    /// The domain named by the path's id.
    Domain,
    /// The domain of the mailbox named by the path's id.
    Mailbox,
    /// The domain of the message token's mailbox named by the path's id.
    MessageToken,
}

fn touches(route: &str) -> Touches {
    match route {
        "/api/v1/domains" | "/api/v1/mailboxes" => Touches::EveryDomain,
        "/api/v1/domains/{id}" => Touches::Domain,
        "/api/v1/message-tokens/{id}" => Touches::MessageToken,
        route if route.starts_with("/api/v1/mailboxes/{id}") => Touches::Mailbox,
        _ => Touches::Nothing,
    }
}

/// Scopes and domains the token was granted against those its authorised requests of the last
/// 30 days used, and what narrowing it to them would change.
pub async fn usage(
    pool: &Pool,
    token: &TokenRow,
    domains: &[DomainOption],
    retention_days: i64,
    now: i64,
) -> Result<Usage, sqlx::Error> {
    let used: Vec<(String, String, i64)> = db::query(
        "select distinct method, route, target_id from api_request_day
          where api_token_id = $1 and day >= $2 and authorized > 0",
    )
    .bind(token.id)
    .bind(day_of(now) - CHART_DAYS + 1)
    .fetch_all(pool)
    .await?;
    let mut scopes_used: BTreeSet<&str> = BTreeSet::new();
    let (mut every_domain, mut domain_ids, mut mailbox_ids, mut message_token_ids) =
        (false, BTreeSet::new(), Vec::new(), Vec::new());
    for (method, route, target) in &used {
        let Some(endpoint) = Method::from_bytes(method.as_bytes())
            .ok()
            .and_then(|method| endpoint(&method, route))
        else {
            continue;
        };
        // The first scope the token holds that satisfies the route is the one it used.
        if let Some(name) = endpoint
            .needs
            .names()
            .into_iter()
            .find(|name| token.scopes.iter().any(|granted| granted == name))
        {
            scopes_used.insert(name);
        }
        match touches(route) {
            Touches::Nothing => {}
            Touches::EveryDomain => every_domain = true,
            Touches::Domain => {
                domain_ids.insert(*target);
            }
            Touches::Mailbox => mailbox_ids.push(*target),
            Touches::MessageToken => message_token_ids.push(*target),
        }
    }
    for (sql, ids) in [
        (
            "select domain_id from mailbox where mailbox_id in (",
            &mailbox_ids,
        ),
        (
            "select m.domain_id from api_token t join mailbox m on m.mailbox_id = t.mailbox_id
              where t.api_token_id in (",
            &message_token_ids,
        ),
    ] {
        for chunk in ids.chunks(500) {
            let mut query = Query::build(sql);
            query.push_list(chunk.iter().copied()).push(")");
            let found: Vec<(i64,)> = query.fetch_all(pool).await?;
            domain_ids.extend(found.into_iter().map(|(id,)| id));
        }
    }
    let names = |ids: &BTreeSet<i64>| -> Vec<String> {
        domains
            .iter()
            .filter(|domain| ids.contains(&domain.id))
            .map(|domain| domain.name.clone())
            .collect()
    };
    let domains_used = (!every_domain && !domain_ids.is_empty()).then(|| names(&domain_ids));
    let scopes: Vec<(String, bool)> = token
        .scopes
        .iter()
        .map(|name| (name.clone(), scopes_used.contains(name.as_str())))
        .collect();
    let mut usage = Usage {
        scopes,
        domains_granted: token.domains.clone(),
        domains_used,
        narrowing: Vec::new(),
        uncovered: uncovered(pool, token, retention_days, now).await?,
    };
    if usage.uncovered.is_none() {
        usage.narrowing = narrowing(token, &usage);
    }
    Ok(usage)
}

/// Why the log may not show everything the token needs over the last 30 days (`None`: it
/// shows it all, so narrowing may trust it). The window starts 30 days ago, or when the token's
/// work began if later: a rotated secret's successor carries on its predecessor's work, whose
/// requests are logged on the predecessor.
async fn uncovered(
    pool: &Pool,
    token: &TokenRow,
    retention_days: i64,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    if retention_days < CHART_DAYS {
        return Ok(Some(format!(
            "The request log keeps {retention_days} days of requests, fewer than the 30 that narrowing reads, so it cannot tell what this token needs."
        )));
    }
    let window_start = now - CHART_DAYS * DAY_MS;
    let predecessor: Option<(i64,)> =
        db::query("select created_at from api_token where replaced_by_token_id = $1")
            .bind(token.id)
            .fetch_optional(pool)
            .await?;
    if predecessor.is_some() && token.created_at > window_start {
        return Ok(Some(
            "It replaced a rotated secret less than 30 days ago; the requests made with the old secret are not counted here, so narrowing waits until this one has 30 days of its own.".into(),
        ));
    }
    let from = token.created_at.max(window_start);
    let off: Option<(i64,)> = db::query("select last_at from request_log_off")
        .fetch_optional(pool)
        .await?;
    if off.is_some_and(|(last_at,)| last_at >= from) {
        return Ok(Some(
            "The request log was turned off (TREKMAIL_REQUEST_LOG=0) during this token's last 30 days, so it may miss a scope the token needs.".into(),
        ));
    }
    let (first_day,): (Option<i64>,) = db::query("select min(day) from api_request_day")
        .fetch_one(pool)
        .await?;
    if first_day.is_none_or(|first| first > day_of(from)) {
        return Ok(Some(
            "The request log does not reach back over the whole window yet (it started, or was emptied, after this token's window began), so it cannot tell what this token needs.".into(),
        ));
    }
    let (gaps,): (i64,) =
        db::query("select count(*) from api_request_gap where api_token_id = $1 and last_at >= $2")
            .bind(token.id)
            .bind(from)
            .fetch_one(pool)
            .await?;
    Ok((gaps > 0).then(|| {
        "Some of its requests in the last 30 days could not be logged, so the log may miss a scope it needs.".to_string()
    }))
}

/// What "Narrow to what it used" would change, in words (empty: nothing). It only ever removes:
/// scopes not used, and domains not touched when the log names the ones it touched.
fn narrowing(token: &TokenRow, usage: &Usage) -> Vec<String> {
    if token.kind != TokenKind::Ops || !token.is_live() || token.rotated_to.is_some() {
        return Vec::new();
    }
    let unused: Vec<&str> = usage
        .scopes
        .iter()
        .filter(|(_, used)| !used)
        .map(|(name, _)| name.as_str())
        .collect();
    // A token that used nothing is narrowed by revoking it, not by taking every scope away.
    if unused.len() == usage.scopes.len() {
        return Vec::new();
    }
    let mut changes = Vec::new();
    if !unused.is_empty() {
        changes.push(format!("Scopes removed: {}", unused.join(", ")));
    }
    if let Some(used) = &usage.domains_used {
        let before = usage.domains_granted.clone();
        let narrower = match &before {
            None => true,
            Some(granted) => granted.iter().any(|name| !used.contains(name)),
        };
        if narrower {
            let after: Vec<&str> = used
                .iter()
                .filter(|name| before.as_ref().is_none_or(|granted| granted.contains(name)))
                .map(String::as_str)
                .collect();
            let before = before.map_or("all domains".to_string(), |names| names.join(", "));
            if !after.is_empty() {
                changes.push(format!("Domains: {before} → {}", after.join(", ")));
            }
        }
    }
    changes
}
