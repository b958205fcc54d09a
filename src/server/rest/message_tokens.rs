//! Message tokens, minted, listed, narrowed and revoked by ops tokens holding
//! `mailboxes:message-tokens:manage`. A token's mailbox must be within the ops token's domain
//! constraint, else 404.

use super::access::Caller;
use super::error::ApiError;
use super::extract::{resource_id, ApiJson};
use super::params::{ApiQuery, Int, PageNumber};
use super::schema::{MessageScopeName, MessageTokenExpiry, NarrowingExpiry, TokenNameText};
use super::{optional_timestamp, timestamp, PageMeta};
use crate::domain::field::present;
use crate::domain::message_token::NewMessageToken;
use crate::domain::status::TokenStatus;
use crate::server::client::ClientMeta;
use crate::server::db::now_ms;
use crate::server::mail;
use crate::server::paging::PageRequest;
use crate::server::state::AppState;
use crate::server::tokens::{self, MessageTokenRecord, NarrowRequest};
use axum::extract::{Path, State};
use axum::{Extension, Json};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `per_page` of the list, as TrekMail's API caps it.
type PerPage = Int<1, 20>;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMessageToken {
    #[schema(value_type = TokenNameText)]
    name: String,
    /// One or more message scopes (repeats are ignored).
    #[schema(value_type = Vec<MessageScopeName>, min_items = 1)]
    scopes: Vec<String>,
    /// `never` when absent.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<MessageTokenExpiry>, nullable = false)]
    expires_in: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MintedToken {
    id: i64,
    /// The plaintext token: in this reply only, never stored. A replay of the request (same
    /// Idempotency-Key) leaves it out and says so in `notice`.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    /// Only in a replay: why `token` is missing and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    notice: Option<String>,
    /// The visible start of the token.
    prefix: String,
    name: String,
    scopes: Vec<String>,
    mailbox_id: i64,
    mailbox: String,
    status: TokenStatus,
    expires_at: Option<String>,
    created_at: String,
}

/// Mints a message token for the mailbox. The plaintext `token` is in this reply only.
#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/message-tokens", tag = "message tokens",
    params(("id" = i64, Path, description = "Mailbox id", minimum = 1)),
    request_body = CreateMessageToken,
    responses((status = 201, description = "The new token, with its plaintext this once", body = MintedToken)))]
pub async fn create_message_token(
    State(state): State<AppState>,
    caller: Caller,
    Extension(client): Extension<ClientMeta>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CreateMessageToken>,
) -> Result<(StatusCode, Json<MintedToken>), ApiError> {
    let mailbox = mail::find_mailbox(&state.pool, caller.reach(), resource_id(&id)?).await?;
    let new = NewMessageToken::parse(
        &request.name,
        &request.scopes,
        request.expires_in.as_deref(),
    )?;
    let minted = tokens::create_message_token(
        &state.pool,
        caller.account_id,
        (mailbox.mailbox_id, mailbox.domain_id),
        &new,
        caller.acting(),
        &client,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(MintedToken {
            id: minted.id,
            token: Some(minted.secret.expose().to_string()),
            notice: None,
            prefix: minted.secret.visible_prefix(),
            name: new.name.as_str().to_string(),
            scopes: new.scope_names().iter().map(|s| s.to_string()).collect(),
            mailbox_id: mailbox.mailbox_id,
            mailbox: mailbox.address(),
            status: TokenStatus::Active,
            expires_at: optional_timestamp(minted.expires_at),
            created_at: timestamp(minted.created_at),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct MessageToken {
    id: i64,
    prefix: String,
    name: String,
    scopes: Vec<String>,
    status: TokenStatus,
    expires_at: Option<String>,
    revoked_at: Option<String>,
    last_used_at: Option<String>,
    created_at: String,
}

impl MessageToken {
    fn new(record: MessageTokenRecord, now: i64) -> MessageToken {
        MessageToken {
            id: record.api_token_id,
            prefix: record.visible_prefix,
            name: record.name,
            scopes: record.scopes.to_strings(),
            status: TokenStatus::derive(
                record.revoked_at,
                record.expires_at,
                record.paused_at,
                now,
            ),
            expires_at: optional_timestamp(record.expires_at),
            revoked_at: optional_timestamp(record.revoked_at),
            last_used_at: optional_timestamp(record.last_used_at),
            created_at: timestamp(record.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessageTokenList {
    data: Vec<MessageToken>,
    meta: PageMeta,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageTokenQuery {
    /// From 1.
    #[param(inline)]
    page: Option<PageNumber>,
    /// Default 20.
    #[param(inline)]
    per_page: Option<PerPage>,
}

/// The mailbox's message tokens, newest first (never their secrets).
#[utoipa::path(get, path = "/api/v1/mailboxes/{id}/message-tokens", tag = "message tokens",
    params(("id" = i64, Path, description = "Mailbox id", minimum = 1), MessageTokenQuery),
    responses((status = 200, description = "One page of message tokens", body = MessageTokenList)))]
pub async fn list_message_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<MessageTokenQuery>,
) -> Result<Json<MessageTokenList>, ApiError> {
    let page = PageRequest::asked(
        query.page.map(|Int(page)| page),
        query.per_page.map(|Int(n)| n),
        20,
    );
    let mailbox = mail::find_mailbox(&state.pool, caller.reach(), resource_id(&id)?).await?;
    let (records, total) =
        tokens::list_for_mailbox(&state.pool, caller.account_id, mailbox.mailbox_id, page).await?;
    let now = now_ms();
    Ok(Json(MessageTokenList {
        data: records
            .into_iter()
            .map(|record| MessageToken::new(record, now))
            .collect(),
        meta: PageMeta::new(page, total),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct NarrowMessageToken {
    /// A new name.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<TokenNameText>, nullable = false)]
    name: Option<String>,
    /// The scopes to keep: some of the token's current ones (a scope it lacks is a 409).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<MessageScopeName>>, min_items = 1, nullable = false)]
    scopes: Option<Vec<String>>,
    /// The new expiry, from now; it must be sooner than the current one (else 409).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NarrowingExpiry>, nullable = false)]
    expires_in: Option<String>,
}

/// Narrows a live message token: drops scopes, shortens its life, or renames it. Nothing here
/// can widen a token; for more, mint a new one.
#[utoipa::path(patch, path = "/api/v1/message-tokens/{id}", tag = "message tokens",
    params(("id" = i64, Path, description = "Message token id", minimum = 1)),
    request_body = NarrowMessageToken,
    responses((status = 200, description = "The token as it is now", body = MessageToken)))]
pub async fn narrow_message_token(
    State(state): State<AppState>,
    caller: Caller,
    Extension(client): Extension<ClientMeta>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<NarrowMessageToken>,
) -> Result<Json<MessageToken>, ApiError> {
    let id = resource_id(&id)?;
    let request = NarrowRequest {
        name: request.name.as_deref(),
        scopes: request.scopes.as_deref(),
        expires_in: request.expires_in.as_deref(),
    };
    tokens::narrow_message_token(
        &state.pool,
        caller.reach(),
        id,
        request,
        caller.acting(),
        &client,
    )
    .await?;
    let record = tokens::find_message_token(&state.pool, caller.account_id, id).await?;
    Ok(Json(MessageToken::new(record, now_ms())))
}

#[derive(Serialize, ToSchema)]
pub struct Revoked {
    id: i64,
    /// Always `revoked`.
    status: TokenStatus,
    revoked_at: Option<String>,
}

/// Revokes a message token: permanent, effective on its next request. Revoking a revoked token
/// answers the same way and changes nothing.
#[utoipa::path(delete, path = "/api/v1/message-tokens/{id}", tag = "message tokens",
    params(("id" = i64, Path, description = "Message token id", minimum = 1)),
    responses((status = 200, description = "Revoked", body = Revoked)))]
pub async fn revoke_message_token(
    State(state): State<AppState>,
    caller: Caller,
    Extension(client): Extension<ClientMeta>,
    Path(id): Path<String>,
) -> Result<Json<Revoked>, ApiError> {
    let id = resource_id(&id)?;
    let revoked_at =
        tokens::revoke_message_token(&state.pool, caller.reach(), id, caller.acting(), &client)
            .await?;
    Ok(Json(Revoked {
        id,
        status: TokenStatus::Revoked,
        revoked_at: optional_timestamp(revoked_at),
    }))
}
