//! Self-checks: what the calling token is and may do (as GitLab's `/personal_access_tokens/self`
//! and Cloudflare's `/user/tokens/verify`). TrekMail's MCP adapter reads the top-level
//! `capabilities.effective_scopes` at start-up to decide which tools to offer.

use super::access::Caller;
use super::error::ApiError;
use super::{optional_timestamp, timestamp};
use crate::domain::status::TokenStatus;
use crate::server::db::now_ms;
use crate::server::state::AppState;
use crate::server::{mail, tokens};
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct TokenSelf {
    /// `ops` or `message`.
    kind: &'static str,
    id: i64,
    name: String,
    /// The visible start of the token, as the dashboard shows it.
    prefix: String,
    /// The scopes granted at creation.
    scopes: Vec<String>,
    capabilities: Capabilities,
    /// The domains an ops token is limited to; `null` means every domain of the account.
    domain_constraint: Option<Vec<DomainRef>>,
    /// The mailbox of a message token.
    mailbox: Option<MailboxRef>,
    /// `active` (a paused, expired or revoked token is refused before it gets here).
    status: TokenStatus,
    /// RFC 3339; `null` for a token that never expires.
    expires_at: Option<String>,
    /// The addresses and CIDR ranges the token's calls may come from; empty: any address.
    ip_allowlist: Vec<String>,
    /// For an old secret replaced by a rotation: when it stops working (RFC 3339), so a client
    /// can warn that it must switch to the new secret; `null` otherwise.
    rotated_out_until: Option<String>,
    created_at: String,
    account: AccountRef,
}

#[derive(Serialize, ToSchema)]
pub struct Capabilities {
    /// The granted scopes that the account's current plan still allows: what the token can
    /// actually do right now.
    effective_scopes: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DomainRef {
    id: i64,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct MailboxRef {
    id: i64,
    address: String,
}

#[derive(Serialize, ToSchema)]
pub struct AccountRef {
    id: i64,
    name: String,
    /// `nano`, `starter`, `pro` or `agency`.
    plan: &'static str,
    drive_storage_addon: bool,
}

async fn describe(state: &AppState, caller: &Caller) -> Result<TokenSelf, ApiError> {
    let domain_constraint = match &caller.domain_ids {
        None => None,
        Some(_) => Some(
            tokens::constraint_domains(&state.pool, caller.token_id)
                .await?
                .into_iter()
                .map(|(id, name)| DomainRef { id, name })
                .collect(),
        ),
    };
    let mailbox = match caller.mailbox_id {
        None => None,
        Some(id) => Some(MailboxRef {
            id,
            address: mail::mailbox_address(&state.pool, id).await?,
        }),
    };
    Ok(TokenSelf {
        kind: caller.kind.as_str(),
        id: caller.token_id,
        name: caller.name.clone(),
        prefix: caller.prefix.clone(),
        scopes: caller.scopes.to_strings(),
        capabilities: Capabilities {
            effective_scopes: caller.effective_scopes(),
        },
        domain_constraint,
        mailbox,
        status: TokenStatus::derive(None, caller.expires_at, caller.paused_at, now_ms()),
        expires_at: optional_timestamp(caller.expires_at),
        ip_allowlist: caller.ip_allowlist.entries(),
        rotated_out_until: caller
            .rotated_out
            .then(|| optional_timestamp(caller.expires_at))
            .flatten(),
        created_at: timestamp(caller.created_at),
        account: AccountRef {
            id: caller.account_id,
            name: caller.account_name.clone(),
            plan: caller.access.plan.as_str(),
            drive_storage_addon: caller.access.drive_addon,
        },
    })
}

/// The calling ops token.
#[utoipa::path(get, path = "/api/v1/me", tag = "tokens",
    responses((status = 200, description = "OK", body = TokenSelf)))]
pub async fn whoami(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<TokenSelf>, ApiError> {
    describe(&state, &caller).await.map(Json)
}

/// The calling message token.
#[utoipa::path(get, path = "/api/v1/messages/_me", tag = "messages",
    responses((status = 200, description = "OK", body = TokenSelf)))]
pub async fn whoami_message_token(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<TokenSelf>, ApiError> {
    describe(&state, &caller).await.map(Json)
}
