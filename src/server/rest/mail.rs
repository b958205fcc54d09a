//! Domains, mailboxes and forwarding, always seen through the token's domain constraint: a list
//! holds only the allowed domains, and anything under another domain is a 404 exactly like a
//! missing id.

use super::access::{token_gone, token_still_live, Caller};
use super::error::ApiError;
use super::extract::{resource_id, ApiJson, PageRequest, QueryParams};
use super::{timestamp, ErrorReply};
use crate::domain::email::{read_list, store_list};
use crate::domain::forwarding::{ForwardingTargets, TargetsProblem};
use crate::server::db::{now_ms, push_contains, Db, Pool};
use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::QueryBuilder;
use utoipa::ToSchema;

/// Adds "and <column> in (the token's domains)" for a constrained token.
fn push_constraint(query: &mut QueryBuilder<Db>, caller: &Caller, column: &str) {
    if let Some(ids) = &caller.domain_ids {
        if ids.is_empty() {
            query.push(" and 1 = 0");
            return;
        }
        query.push(format!(" and {column} in ("));
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        query.push(")");
    }
}

/// One page of a filtered list and the list's total. `queries` are the count and the row query,
/// both ending in `account_id = ` for `filter` to continue.
async fn fetch_page<T>(
    pool: &Pool,
    queries: (&str, &str),
    filter: impl Fn(&mut QueryBuilder<Db>),
    order_by: &str,
    page: PageRequest,
) -> Result<(Vec<T>, i64), sqlx::Error>
where
    T: Send + Unpin + for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row>,
{
    let mut count = QueryBuilder::<Db>::new(queries.0);
    filter(&mut count);
    let (total,): (i64,) = count.build_query_as().fetch_one(pool).await?;
    let mut rows = QueryBuilder::<Db>::new(queries.1);
    filter(&mut rows);
    rows.push(format!(" order by {order_by} limit "))
        .push_bind(page.per_page)
        .push(" offset ")
        .push_bind(page.offset());
    Ok((rows.build_query_as().fetch_all(pool).await?, total))
}

#[derive(sqlx::FromRow)]
struct DomainRecord {
    domain_id: i64,
    name: String,
    created_at: i64,
    mailboxes: i64,
}

fn domain_json(record: DomainRecord) -> Value {
    json!({
        "id": record.domain_id,
        "name": record.name,
        "status": "active",
        "mailboxes_count": record.mailboxes,
        "created_at": timestamp(record.created_at),
    })
}

const SELECT_DOMAINS: &str = "select d.domain_id, d.name, d.created_at,
        (select count(*) from mailbox m where m.domain_id = d.domain_id) as mailboxes
   from domain d where d.account_id = ";

/// The account's domains (only the allowed ones for a constrained token), by name.
#[utoipa::path(get, path = "/api/v1/domains", tag = "domains",
    params(
        ("status" = Option<String>, Query, description = "pending_dns, active or suspended"),
        ("search" = Option<String>, Query, description = "Part of the domain name (at most 255 characters)"),
        ("page" = Option<i64>, Query, description = "From 1"),
        ("per_page" = Option<i64>, Query, description = "1 to 100, default 25"),
    ),
    responses((status = 200, description = "`data` and `meta`", body = Object), (status = 403, description = "Wrong token kind, missing scope, or not on this plan", body = ErrorReply), (status = 422, description = "Invalid input", body = ErrorReply)))]
pub async fn list_domains(
    State(state): State<AppState>,
    caller: Caller,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    let page = query.page(25, 100)?;
    let search = query.text("search", 255)?;
    let status = query.text("status", 32)?;
    if let Some(status) = &status {
        if !["pending_dns", "active", "suspended"].contains(&status.as_str()) {
            return Err(ApiError::validation(
                "status",
                "status must be pending_dns, active or suspended.",
            ));
        }
    }
    let filter = |query: &mut QueryBuilder<Db>| {
        query.push_bind(caller.account_id);
        push_constraint(query, &caller, "d.domain_id");
        if let Some(search) = &search {
            push_contains(query, "d.name", search);
        }
        // Every domain here has passed its DNS checks, so only `active` can match.
        if status.as_deref().is_some_and(|status| status != "active") {
            query.push(" and 1 = 0");
        }
    };
    let (records, total): (Vec<DomainRecord>, i64) = fetch_page(
        &state.pool,
        (
            "select count(*) from domain d where d.account_id = ",
            SELECT_DOMAINS,
        ),
        filter,
        "d.name",
        page,
    )
    .await?;
    Ok(Json(json!({
        "data": records.into_iter().map(domain_json).collect::<Vec<_>>(),
        "meta": page.meta(total),
    })))
}

async fn find_domain(pool: &Pool, caller: &Caller, id: i64) -> Result<DomainRecord, ApiError> {
    let mut query = QueryBuilder::<Db>::new(SELECT_DOMAINS);
    query
        .push_bind(caller.account_id)
        .push(" and d.domain_id = ")
        .push_bind(id);
    push_constraint(&mut query, caller, "d.domain_id");
    query
        .build_query_as()
        .fetch_optional(pool)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// One domain.
#[utoipa::path(get, path = "/api/v1/domains/{id}", tag = "domains",
    params(("id" = i64, Path, description = "Domain id")),
    responses((status = 200, description = "The domain", body = Object), (status = 404, description = "Not found, or outside the token's domains", body = ErrorReply)))]
pub async fn get_domain(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = find_domain(&state.pool, &caller, resource_id(&id)?).await?;
    Ok(Json(domain_json(record)))
}

#[derive(sqlx::FromRow)]
pub struct MailboxRecord {
    pub mailbox_id: i64,
    pub local_part: String,
    pub domain_id: i64,
    pub domain: String,
    pub forwarding_enabled: i64,
    pub forwarding_keep_copy: i64,
    pub forwarding_targets: String,
    pub created_at: i64,
}

impl MailboxRecord {
    pub fn address(&self) -> String {
        format!("{}@{}", self.local_part, self.domain)
    }

    fn targets(&self) -> Vec<String> {
        read_list(&self.forwarding_targets)
    }
}

const SELECT_MAILBOXES: &str = "select m.mailbox_id, m.local_part, d.domain_id, d.name as domain,
        m.forwarding_enabled, m.forwarding_keep_copy, m.forwarding_targets, m.created_at
   from mailbox m join domain d on d.domain_id = m.domain_id where d.account_id = ";

fn mailbox_json(record: &MailboxRecord) -> Value {
    json!({
        "id": record.mailbox_id,
        "address": record.address(),
        "local_part": record.local_part,
        "domain_id": record.domain_id,
        "domain": record.domain,
        "forwarding_enabled": record.forwarding_enabled == 1,
        "created_at": timestamp(record.created_at),
    })
}

/// A mailbox of the account that the token may see (its domain is within the constraint).
pub async fn find_mailbox(
    pool: &Pool,
    caller: &Caller,
    id: i64,
) -> Result<MailboxRecord, ApiError> {
    let mut query = QueryBuilder::<Db>::new(SELECT_MAILBOXES);
    query
        .push_bind(caller.account_id)
        .push(" and m.mailbox_id = ")
        .push_bind(id);
    push_constraint(&mut query, caller, "d.domain_id");
    query
        .build_query_as()
        .fetch_optional(pool)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// The account's mailboxes (of the allowed domains), by address.
#[utoipa::path(get, path = "/api/v1/mailboxes", tag = "mailboxes",
    params(
        ("domain_id" = Option<i64>, Query, description = "Only this domain's mailboxes"),
        ("search" = Option<String>, Query, description = "Part of the address (at most 255 characters)"),
        ("page" = Option<i64>, Query, description = "From 1"),
        ("per_page" = Option<i64>, Query, description = "1 to 100, default 25"),
    ),
    responses((status = 200, description = "`data` and `meta`", body = Object), (status = 404, description = "Not found, or outside the token's domains", body = ErrorReply), (status = 422, description = "Invalid input", body = ErrorReply)))]
pub async fn list_mailboxes(
    State(state): State<AppState>,
    caller: Caller,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    let page = query.page(25, 100)?;
    let search = query.text("search", 255)?;
    let domain_id = query.int("domain_id", 1, i64::MAX)?;
    if let Some(domain_id) = domain_id {
        // A domain the token cannot see is as missing as one that does not exist.
        find_domain(&state.pool, &caller, domain_id).await?;
    }
    let filter = |query: &mut QueryBuilder<Db>| {
        query.push_bind(caller.account_id);
        push_constraint(query, &caller, "d.domain_id");
        if let Some(domain_id) = domain_id {
            query.push(" and d.domain_id = ").push_bind(domain_id);
        }
        if let Some(search) = &search {
            push_contains(query, "m.local_part || '@' || d.name", search);
        }
    };
    let (records, total): (Vec<MailboxRecord>, i64) = fetch_page(
        &state.pool,
        (
            "select count(*) from mailbox m join domain d on d.domain_id = m.domain_id where d.account_id = ",
            SELECT_MAILBOXES,
        ),
        filter,
        "d.name, m.local_part",
        page,
    )
    .await?;
    Ok(Json(json!({
        "data": records.iter().map(mailbox_json).collect::<Vec<_>>(),
        "meta": page.meta(total),
    })))
}

/// One mailbox.
#[utoipa::path(get, path = "/api/v1/mailboxes/{id}", tag = "mailboxes",
    params(("id" = i64, Path, description = "Mailbox id")),
    responses((status = 200, description = "The mailbox", body = Object), (status = 404, description = "Not found, or outside the token's domains", body = ErrorReply)))]
pub async fn get_mailbox(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = find_mailbox(&state.pool, &caller, resource_id(&id)?).await?;
    Ok(Json(mailbox_json(&record)))
}

fn forwarding_json(record: &MailboxRecord, cap: usize) -> Value {
    json!({
        "mailbox_id": record.mailbox_id,
        "address": record.address(),
        "enabled": record.forwarding_enabled == 1,
        "targets": record.targets(),
        "keep_copy": record.forwarding_keep_copy == 1,
        "destination_limit": cap,
    })
}

/// A mailbox's forwarding.
#[utoipa::path(get, path = "/api/v1/mailboxes/{id}/forwarding", tag = "mailboxes",
    params(("id" = i64, Path, description = "Mailbox id")),
    responses((status = 200, description = "enabled, targets, keep_copy, destination_limit", body = Object), (status = 404, description = "Not found, or outside the token's domains", body = ErrorReply)))]
pub async fn get_forwarding(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = find_mailbox(&state.pool, &caller, resource_id(&id)?).await?;
    Ok(Json(forwarding_json(
        &record,
        caller.access.forwarding_target_cap(),
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwardingRequest {
    /// Whether mail is forwarded.
    enabled: bool,
    /// The addresses to forward to; absent keeps the current ones (usual when disabling).
    targets: Option<Vec<String>>,
    /// Keep a copy in the mailbox too. Default true.
    keep_copy: Option<bool>,
}

/// Replaces a mailbox's forwarding. One bad target rejects the whole save.
#[utoipa::path(put, path = "/api/v1/mailboxes/{id}/forwarding", tag = "mailboxes",
    params(("id" = i64, Path, description = "Mailbox id")),
    request_body = ForwardingRequest,
    responses((status = 200, description = "The saved forwarding", body = Object), (status = 404, description = "Not found, or outside the token's domains", body = ErrorReply), (status = 422, description = "validation_error or limit_exceeded", body = ErrorReply)))]
pub async fn set_forwarding(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ForwardingRequest>,
) -> Result<Json<Value>, ApiError> {
    let record = find_mailbox(&state.pool, &caller, resource_id(&id)?).await?;
    let cap = caller.access.forwarding_target_cap();
    let targets: Vec<String> = match &request.targets {
        None => record.targets(),
        Some(raw) => ForwardingTargets::parse(raw, &record.address(), cap)
            .map_err(|problem| match problem {
                TargetsProblem::OverCap { cap, given } => ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "limit_exceeded",
                    format!(
                        "The {} plan allows {cap} forwarding targets per mailbox; {given} were given.",
                        caller.access.plan
                    ),
                )
                .with("field", "targets")
                .with("limit", cap),
                TargetsProblem::Invalid { field, message } => ApiError::validation(&field, message),
            })?
            .addresses()
            .iter()
            .map(|address| address.as_str().to_string())
            .collect(),
    };
    if request.enabled && targets.is_empty() {
        return Err(ApiError::validation(
            "targets",
            "Give at least one target to turn forwarding on.",
        ));
    }
    let updated = sqlx::query(concat!(
        "update mailbox set forwarding_enabled = $1, forwarding_keep_copy = $2, forwarding_targets = $3
          where mailbox_id = $4 and ",
        token_still_live!("$5", "$6")
    ))
    .bind(i64::from(request.enabled))
    .bind(i64::from(request.keep_copy.unwrap_or(true)))
    .bind(store_list(&targets))
    .bind(record.mailbox_id)
    .bind(caller.token_id)
    .bind(now_ms())
    .execute(&state.pool)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(token_gone());
    }
    tracing::info!(
        mailbox_id = record.mailbox_id,
        token_id = caller.token_id,
        at = now_ms(),
        "forwarding saved"
    );
    let saved = find_mailbox(&state.pool, &caller, record.mailbox_id).await?;
    Ok(Json(forwarding_json(&saved, cap)))
}
