//! The account's tokens as the dashboard lists them: filtered, searched and sorted keyset pages,
//! and the bounded counts of the status tabs.

use crate::domain::ip_allowlist::IpAllowlist;
use crate::domain::scope_set::ScopeSet;
use crate::domain::status::{StatusFilter, TokenStatus, EXPIRING_SOON_MS};
use crate::domain::token::TokenKind;
use crate::domain::token_query::{Search, TokenQuery, TokenSort};
use crate::model::tokens::{StatusCounts, TokenRow, COUNT_CAP};
use crate::model::{Cursor, Page};
use crate::server::db;
use crate::server::db::{now_ms, Pool, Query};
use crate::server::keyset::{self, Direction};

#[derive(sqlx::FromRow)]
struct TokenRecord {
    api_token_id: i64,
    kind: String,
    name: String,
    visible_prefix: String,
    scopes: ScopeSet,
    all_domains: i64,
    mailbox: Option<String>,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    revoked_by: Option<String>,
    created_at: i64,
    last_used_at: Option<i64>,
    last_used_ip: Option<String>,
    paused_at: Option<i64>,
    ip_allowlist: String,
    rotated_to: Option<String>,
}

const SELECT_TOKENS: &str = "select t.api_token_id, t.kind, t.name, t.visible_prefix, t.scopes,
        t.all_domains, m.local_part || '@' || md.name as mailbox, t.expires_at, t.revoked_at,
        t.revoked_by, t.created_at, t.last_used_at, t.last_used_ip, t.paused_at, t.ip_allowlist,
        r.visible_prefix as rotated_to
   from api_token t
   left join api_token r on r.api_token_id = t.replaced_by_token_id
   left join mailbox m on m.mailbox_id = t.mailbox_id
   left join domain md on md.domain_id = m.domain_id
  where t.account_id = ";

/// One page of the account's tokens in the view `query` asks for.
pub async fn list(
    pool: &Pool,
    account_id: i64,
    access: crate::domain::plan::PlanAccess,
    query: &TokenQuery,
    cursor: Cursor,
) -> Result<Page<TokenRow>, sqlx::Error> {
    let now = now_ms();
    let key = sort_key(query.sort);
    let fetch = |direction: Direction, limit: i64| async move {
        let mut sql = Query::build(SELECT_TOKENS);
        sql.push_bind(account_id);
        push_status(&mut sql, query.status, now);
        push_search(&mut sql, query.search.as_ref());
        if let Some(attention) = query.attention {
            super::attention::push_attention(&mut sql, attention, access, now);
        }
        let (bound, order) = match direction {
            Direction::Older(bound) => (bound.map(|b| ("<", b)), "desc"),
            Direction::Newer(bound) => (Some((">", bound)), "asc"),
        };
        // Keyset on (sort key, id): the bound row's key is read by its id, so the URL keeps a
        // plain `?after=ID` whatever the order.
        if let Some((op, bound)) = bound {
            match key {
                None => {
                    sql.push(format!(" and t.api_token_id {op} "))
                        .push_bind(bound);
                }
                Some(key) => {
                    let (t, a) = (key.replace("{}", "t"), key.replace("{}", "a"));
                    // The key alone first (`<=` / `>=`): SQLite seeks into the index with it,
                    // where the row value alone made it walk the index from its start (185 ms for
                    // a page in the middle of 1,000,000 tokens; 0.1 ms with it).
                    sql.push(format!(
                        " and {t} {op}= (select {a} from api_token a where a.api_token_id = "
                    ))
                    .push_bind(bound)
                    .push(format!(
                        ") and ({t}, t.api_token_id) {op} (select {a}, a.api_token_id from api_token a where a.api_token_id = "
                    ))
                    .push_bind(bound)
                    .push(")");
                }
            }
        }
        match key {
            None => sql.push(format!(" order by t.api_token_id {order} limit ")),
            Some(key) => sql.push(format!(
                " order by {} {order}, t.api_token_id {order} limit ",
                key.replace("{}", "t")
            )),
        };
        sql.push_bind(limit);
        sql.fetch_all(pool).await
    };
    let (records, older, newer) =
        keyset::page(cursor, |r: &TokenRecord| r.api_token_id, fetch).await?;
    let rows = into_rows(pool, records, now).await?;
    Ok(Page {
        rows,
        older,
        newer,
        now,
    })
}

/// How many of the account's tokens each status tab holds for this search, each counted up to
/// [`COUNT_CAP`] + 1 (so a huge account costs a bounded read, and the tab says "1,000+").
pub async fn counts(
    pool: &Pool,
    account_id: i64,
    search: Option<&Search>,
) -> Result<StatusCounts, sqlx::Error> {
    let now = now_ms();
    let mut counts = [0u32; 6];
    for (count, (status, _)) in counts.iter_mut().zip(StatusFilter::OPTIONS) {
        let mut sql =
            Query::build("select count(*) from (select 1 from api_token t where t.account_id = ");
        sql.push_bind(account_id);
        push_status(&mut sql, status, now);
        push_search(&mut sql, search);
        sql.push(" limit ")
            .push_bind(i64::from(COUNT_CAP) + 1)
            .push(") capped");
        let (n,): (i64,) = sql.fetch_one(pool).await?;
        *count = u32::try_from(n).unwrap_or(u32::MAX);
    }
    let [all, active, expiring, paused, expired, revoked] = counts;
    Ok(StatusCounts {
        all,
        active,
        expiring,
        paused,
        expired,
        revoked,
    })
}

/// The sort key as SQL over a token row (`{}` stands for its alias), descending in list order;
/// `None` for the id itself. Keys are whole numbers on both engines. Each expression is indexed
/// as written here (migrations/20261129000001_list_indexes.sql): change both together.
fn sort_key(sort: TokenSort) -> Option<&'static str> {
    match sort {
        TokenSort::Created => None,
        // Soonest first, "never" last: the negated expiry, with "never" as year 10000.
        TokenSort::Expires => Some("(0 - coalesce({}.expires_at, 253402300800000))"),
        // Most recent first, never used last.
        TokenSort::LastUsed => Some("coalesce({}.last_used_at, 0)"),
    }
}

fn push_status(sql: &mut Query<'_>, status: StatusFilter, now: i64) {
    match status {
        StatusFilter::All => {}
        StatusFilter::Only(TokenStatus::Revoked) => {
            sql.push(" and t.revoked_at is not null");
        }
        StatusFilter::Only(TokenStatus::Active) => {
            sql.push(" and t.revoked_at is null and (t.expires_at is null or t.expires_at > ");
            sql.push_bind(now).push(") and t.paused_at is null");
        }
        StatusFilter::Only(TokenStatus::Paused) => {
            sql.push(" and t.revoked_at is null and (t.expires_at is null or t.expires_at > ");
            sql.push_bind(now).push(") and t.paused_at is not null");
        }
        StatusFilter::ExpiringSoon => {
            sql.push(" and t.revoked_at is null and t.expires_at > ")
                .push_bind(now)
                .push(" and t.expires_at <= ")
                .push_bind(now + EXPIRING_SOON_MS);
        }
        StatusFilter::Only(TokenStatus::Expired) => {
            sql.push(" and t.revoked_at is null and t.expires_at <= ")
                .push_bind(now);
        }
    }
}

/// Name contains, or visible prefix starts with, the search, ignoring case (`lower` is
/// Unicode-aware on both engines; see `server/db.rs`).
fn push_search(sql: &mut Query<'_>, search: Option<&Search>) {
    if let Some(search) = search {
        let (contains, starts) = search.like_patterns();
        sql.push(" and (lower(t.name) like ")
            .push_bind(contains)
            .push(" escape '\\' or lower(t.visible_prefix) like ")
            .push_bind(starts)
            .push(" escape '\\')");
    }
}

/// One token of the account, as the list shows it.
pub async fn find(
    pool: &Pool,
    account_id: i64,
    token_id: i64,
) -> Result<Option<TokenRow>, sqlx::Error> {
    let mut query = Query::build(SELECT_TOKENS);
    query
        .push_bind(account_id)
        .push(" and t.api_token_id = ")
        .push_bind(token_id);
    let records = query.fetch_all(pool).await?;
    Ok(into_rows(pool, records, now_ms()).await?.into_iter().next())
}

/// Attaches the domain names of constrained tokens (one query for the whole page).
async fn into_rows(
    pool: &Pool,
    records: Vec<TokenRecord>,
    now: i64,
) -> Result<Vec<TokenRow>, sqlx::Error> {
    let constrained: Vec<i64> = records
        .iter()
        .filter(|r| r.all_domains == 0)
        .map(|r| r.api_token_id)
        .collect();
    let mut domain_names: Vec<(i64, String)> = Vec::new();
    if !constrained.is_empty() {
        let mut query = Query::build(
            "select td.api_token_id, d.name from api_token_domain td
               join domain d on d.domain_id = td.domain_id
              where td.api_token_id in (",
        );
        query.push_list(constrained.iter().copied());
        query.push(") order by d.name");
        domain_names = query.fetch_all(pool).await?;
    }
    let minted = live_minted(pool, &records, now).await?;
    Ok(records
        .into_iter()
        .map(|r| TokenRow {
            id: r.api_token_id,
            kind: TokenKind::parse(&r.kind).unwrap_or(TokenKind::Ops),
            status: TokenStatus::derive(r.revoked_at, r.expires_at, r.paused_at, now),
            domains: (r.all_domains == 0).then(|| {
                domain_names
                    .iter()
                    .filter(|(id, _)| *id == r.api_token_id)
                    .map(|(_, name)| name.clone())
                    .collect()
            }),
            scopes: r.scopes.to_strings(),
            minted: minted
                .iter()
                .filter(|(parent, ..)| *parent == r.api_token_id)
                .map(|(_, name, prefix)| format!("{name} ({prefix}…)"))
                .collect(),
            name: r.name,
            visible_prefix: r.visible_prefix,
            mailbox: r.mailbox,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
            revoked_by: r.revoked_by,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            last_used_ip: r.last_used_ip,
            paused_at: r.paused_at,
            ip_allowlist: IpAllowlist::from_stored(&r.ip_allowlist).entries(),
            rotated_to: r.rotated_to,
        })
        .collect())
}

/// The live message tokens each ops token on the page minted: revoking it revokes them, and
/// the confirmation names them. One query for the whole page.
async fn live_minted(
    pool: &Pool,
    records: &[TokenRecord],
    now: i64,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    let ops: Vec<i64> = records
        .iter()
        .filter(|r| r.kind == "ops" && r.revoked_at.is_none())
        .map(|r| r.api_token_id)
        .collect();
    if ops.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = Query::build(
        "select created_by_token_id, name, visible_prefix from api_token
          where kind = 'message' and revoked_at is null and (expires_at is null or expires_at > ",
    );
    // `is not null` names the partial index's condition (migrations/20261129000002_…).
    query
        .push_bind(now)
        .push(") and created_by_token_id is not null and created_by_token_id in (");
    query.push_list(ops.iter().copied());
    query.push(") order by api_token_id");
    query.fetch_all(pool).await
}

/// The domains a constrained token may reach, by name: `(id, name)`.
pub async fn constraint_domains(
    pool: &Pool,
    token_id: i64,
) -> std::result::Result<Vec<(i64, String)>, sqlx::Error> {
    db::query(
        "select d.domain_id, d.name from api_token_domain td
           join domain d on d.domain_id = td.domain_id
          where td.api_token_id = $1 order by d.name",
    )
    .bind(token_id)
    .fetch_all(pool)
    .await
}
