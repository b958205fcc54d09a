//! Message tokens, minted and revoked by ops tokens holding `mailboxes:message-tokens:manage`.
//! A token's mailbox must be within the ops token's domain constraint, else 404.

use super::access::Caller;
use super::error::ApiError;
use super::extract::{resource_id, ApiJson, QueryParams};
use super::mail::find_mailbox;
use super::{optional_timestamp, timestamp, ErrorReply};
use crate::domain::message_token::NewMessageToken;
use crate::domain::status::TokenStatus;
use crate::server::client::ClientMeta;
use crate::server::db::now_ms;
use crate::server::state::AppState;
use crate::server::tokens::{self, Actor, NarrowRequest, RevokedBy};
use axum::extract::{Path, State};
use axum::{Extension, Json};
use http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

/// `per_page` cap of the list, as TrekMail's API enforces it.
pub const MAX_PER_PAGE: i64 = 20;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMessageToken {
    /// At most 255 characters.
    name: String,
    /// One or more of `messages:read`, `messages:write`, `messages:send`.
    scopes: Vec<String>,
    /// `7d`, `30d`, `90d` or `never` (the default).
    expires_in: Option<String>,
}

/// Mints a message token for the mailbox. The plaintext `token` is in this reply only.
#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/message-tokens", tag = "message tokens",
    params(("id" = i64, Path, description = "Mailbox id")),
    request_body = CreateMessageToken,
    responses(
        (status = 201, description = "id, token (once), prefix, name, scopes, expires_at", body = Object),
        (status = 404, description = "Not found, or outside the token's domains", body = ErrorReply), (status = 422, description = "Invalid input", body = ErrorReply)))]
pub async fn create_message_token(
    State(state): State<AppState>,
    caller: Caller,
    Extension(client): Extension<ClientMeta>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CreateMessageToken>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mailbox = find_mailbox(&state.pool, &caller, resource_id(&id)?).await?;
    let new = NewMessageToken::parse(
        &request.name,
        &request.scopes,
        request.expires_in.as_deref(),
    )
    .map_err(ApiError::from)?;
    let minted = tokens::create_message_token(
        &state.pool,
        caller.account_id,
        (mailbox.mailbox_id, mailbox.domain_id),
        &new,
        Actor {
            token_id: caller.token_id,
            name: &caller.actor(),
        },
        &client,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": minted.id,
            "token": minted.secret.expose(),
            "prefix": minted.secret.visible_prefix(),
            "name": new.name.as_str(),
            "scopes": new.scope_names(),
            "mailbox_id": mailbox.mailbox_id,
            "mailbox": mailbox.address(),
            "status": "active",
            "expires_at": optional_timestamp(minted.expires_at),
            "created_at": timestamp(minted.created_at),
        })),
    ))
}

#[derive(sqlx::FromRow)]
struct MessageTokenRecord {
    api_token_id: i64,
    visible_prefix: String,
    name: String,
    scopes: String,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    last_used_at: Option<i64>,
    created_at: i64,
}

fn message_token_json(record: MessageTokenRecord, now: i64) -> Value {
    json!({
        "id": record.api_token_id,
        "prefix": record.visible_prefix,
        "name": record.name,
        "scopes": record.scopes.split(' ').collect::<Vec<_>>(),
        "status": TokenStatus::derive(record.revoked_at, record.expires_at, now).as_str(),
        "expires_at": optional_timestamp(record.expires_at),
        "revoked_at": optional_timestamp(record.revoked_at),
        "last_used_at": optional_timestamp(record.last_used_at),
        "created_at": timestamp(record.created_at),
    })
}

/// The mailbox's message tokens, newest first (never their secrets).
#[utoipa::path(get, path = "/api/v1/mailboxes/{id}/message-tokens", tag = "message tokens",
    params(
        ("id" = i64, Path, description = "Mailbox id"),
        ("page" = Option<i64>, Query, description = "From 1"),
        ("per_page" = Option<i64>, Query, description = "1 to 20, default 20"),
    ),
    responses((status = 200, description = "`data` and `meta`", body = Object), (status = 404, description = "Not found, or outside the token's domains", body = ErrorReply), (status = 422, description = "Invalid input", body = ErrorReply)))]
pub async fn list_message_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    let page = query.page(MAX_PER_PAGE, MAX_PER_PAGE)?;
    let mailbox = find_mailbox(&state.pool, &caller, resource_id(&id)?).await?;
    let (total,): (i64,) = sqlx::query_as(
        "select count(*) from api_token where account_id = $1 and kind = 'message' and mailbox_id = $2",
    )
    .bind(caller.account_id)
    .bind(mailbox.mailbox_id)
    .fetch_one(&state.pool)
    .await?;
    let records: Vec<MessageTokenRecord> = sqlx::query_as(
        "select api_token_id, visible_prefix, name, scopes, expires_at, revoked_at, last_used_at, created_at
           from api_token where account_id = $1 and kind = 'message' and mailbox_id = $2
          order by api_token_id desc limit $3 offset $4",
    )
    .bind(caller.account_id)
    .bind(mailbox.mailbox_id)
    .bind(page.per_page)
    .bind(page.offset())
    .fetch_all(&state.pool)
    .await?;
    let now = now_ms();
    let data: Vec<Value> = records
        .into_iter()
        .map(|record| message_token_json(record, now))
        .collect();
    Ok(Json(json!({ "data": data, "meta": page.meta(total) })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NarrowMessageToken {
    /// A new name (at most 255 characters).
    name: Option<String>,
    /// The scopes to keep: a non-empty subset of the current ones.
    scopes: Option<Vec<String>>,
    /// `1h`, `2h`, `4h`, `8h`, `7d`, `30d` or `90d` from now; must be sooner than the current expiry.
    expires_in: Option<String>,
}

/// Narrows a live message token: drops scopes, shortens its life, or renames it. Nothing here
/// can widen a token; for more, mint a new one.
#[utoipa::path(patch, path = "/api/v1/message-tokens/{id}", tag = "message tokens",
    params(("id" = i64, Path, description = "Message token id")),
    request_body = NarrowMessageToken,
    responses((status = 200, description = "The token as it is now", body = Object), (status = 404, description = "Not found, or outside the token's domains", body = ErrorReply), (status = 422, description = "Invalid input", body = ErrorReply)))]
pub async fn narrow_message_token(
    State(state): State<AppState>,
    caller: Caller,
    Extension(client): Extension<ClientMeta>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<NarrowMessageToken>,
) -> Result<Json<Value>, ApiError> {
    let id = resource_id(&id)?;
    tokens::narrow_message_token(
        &state.pool,
        caller.account_id,
        id,
        NarrowRequest {
            name: request.name.as_deref(),
            scopes: request.scopes.as_deref(),
            expires_in: request.expires_in.as_deref(),
        },
        |domain_id| caller.can_see_domain(domain_id),
        Actor {
            token_id: caller.token_id,
            name: &caller.actor(),
        },
        &client,
    )
    .await?;
    let now = now_ms();
    let record: MessageTokenRecord = sqlx::query_as(
        "select api_token_id, visible_prefix, name, scopes, expires_at, revoked_at, last_used_at, created_at
           from api_token where api_token_id = $1",
    )
    .bind(id)
    .fetch_one(&state.pool)
    .await?;
    Ok(Json(message_token_json(record, now)))
}

/// Revokes a message token: permanent, effective on its next request. Revoking a revoked token
/// answers the same way and changes nothing.
#[utoipa::path(delete, path = "/api/v1/message-tokens/{id}", tag = "message tokens",
    params(("id" = i64, Path, description = "Message token id")),
    responses((status = 200, description = "id, status, revoked_at", body = Object), (status = 404, description = "Not found, or outside the token's domains", body = ErrorReply)))]
pub async fn revoke_message_token(
    State(state): State<AppState>,
    caller: Caller,
    Extension(client): Extension<ClientMeta>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = resource_id(&id)?;
    let found: Option<(i64, i64)> = sqlx::query_as(
        "select t.mailbox_id, m.domain_id from api_token t join mailbox m on m.mailbox_id = t.mailbox_id
          where t.api_token_id = $1 and t.account_id = $2 and t.kind = 'message'",
    )
    .bind(id)
    .bind(caller.account_id)
    .fetch_optional(&state.pool)
    .await?;
    match found {
        Some((_, domain_id)) if caller.can_see_domain(domain_id) => {}
        _ => return Err(ApiError::not_found()),
    }
    let actor = caller.actor();
    let acting = Actor {
        token_id: caller.token_id,
        name: &actor,
    };
    tokens::revoke(
        &state.pool,
        caller.account_id,
        id,
        RevokedBy::Token(acting),
        &client,
    )
    .await?;
    let (revoked_at,): (Option<i64>,) =
        sqlx::query_as("select revoked_at from api_token where api_token_id = $1")
            .bind(id)
            .fetch_one(&state.pool)
            .await?;
    Ok(Json(json!({
        "id": id,
        "status": "revoked",
        "revoked_at": optional_timestamp(revoked_at),
    })))
}
