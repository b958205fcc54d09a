//! Listing, creating and revoking tokens from the dashboard. Owner only.

use super::error::AppError;
use super::Page;
use crate::domain::new_token::CreateTokenForm;
use crate::domain::status::TokenStatus;
use crate::domain::token::TokenKind;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// One of the account's domains, for the domain-constraint checkboxes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainOption {
    pub id: i64,
    pub name: String,
}

/// A token as the list shows it. Never holds the plaintext.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    pub kind: TokenKind,
    pub name: String,
    /// `tm_live_` plus 8 characters.
    pub visible_prefix: String,
    pub scopes: Vec<String>,
    /// `None`: all domains.
    pub domains: Option<Vec<String>>,
    /// The mailbox address of a message token.
    pub mailbox: Option<String>,
    pub status: TokenStatus,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
    /// Live message tokens this ops token minted ("name (prefix…)"): revoking it revokes them.
    pub minted: Vec<String>,
}

/// The answer to a successful creation: the plaintext, this once, and the new row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: String,
    pub row: TokenRow,
}

/// The owner's domains, for the create form.
#[server]
pub async fn account_domains() -> Result<Vec<DomainOption>, AppError> {
    use crate::server::context::{internal, require_owner, state};
    // Context is read before the first await: during server rendering it is gone after one.
    let pool = state().pool;
    let owner = require_owner().await?;
    crate::server::tokens::account_domains(&pool, owner.account_id)
        .await
        .map_err(internal)
}

/// One page of the account's tokens, newest first. `status`: `active`, `expired`, `revoked`
/// or anything else for all.
#[server]
pub async fn list_tokens(
    status: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
) -> Result<Page<TokenRow>, AppError> {
    use crate::domain::status::StatusFilter;
    use crate::server::context::{internal, require_owner, state};
    let pool = state().pool;
    let owner = require_owner().await?;
    let filter = StatusFilter::from_query(status.as_deref());
    crate::server::tokens::list(
        &pool,
        owner.account_id,
        filter,
        crate::api::Cursor { after, before },
    )
    .await
    .map_err(internal)
}

/// Creates an ops token. The answer holds the plaintext and is never cached.
#[server(input = Json)]
pub async fn create_token(form: CreateTokenForm) -> Result<CreatedToken, AppError> {
    use crate::server::context::{client_meta, fail, no_store, require_owner, state};
    no_store();
    let (pool, client) = (state().pool, client_meta());
    let owner = require_owner().await?;
    crate::server::tokens::create_ops_token(&pool, &owner, &form, &client)
        .await
        .map_err(|error| fail(error.into()))
}

/// Revokes a token of the caller's account. Permanent; revoking again changes nothing.
#[server]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    use crate::server::context::{client_meta, fail, require_owner, state};
    let (pool, client) = (state().pool, client_meta());
    let owner = require_owner().await?;
    use crate::server::tokens::RevokedBy;
    crate::server::tokens::revoke(
        &pool,
        owner.account_id,
        id,
        RevokedBy::Owner(&owner.email),
        &client,
    )
    .await
    .map_err(|error| fail(error.into()))
}
