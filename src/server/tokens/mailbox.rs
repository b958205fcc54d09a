//! A mailbox's message tokens as the REST API shows them (never their secrets), and revoking one
//! through the API.

use super::{revoke, Actor, Error, Result, RevokedBy};
use crate::domain::scope_set::ScopeSet;
use crate::server::client::ClientMeta;
use crate::server::db;
use crate::server::db::Pool;
use crate::server::mail::Reach;
use crate::server::paging::PageRequest;

#[derive(Debug, sqlx::FromRow)]
pub struct MessageTokenRecord {
    pub api_token_id: i64,
    pub visible_prefix: String,
    pub name: String,
    pub scopes: ScopeSet,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub created_at: i64,
    pub paused_at: Option<i64>,
}

/// One page of the mailbox's message tokens, newest first, and how many there are.
pub async fn list_for_mailbox(
    pool: &Pool,
    account_id: i64,
    mailbox_id: i64,
    page: PageRequest,
) -> Result<(Vec<MessageTokenRecord>, i64)> {
    let (total,): (i64,) = db::query(
        "select count(*) from api_token where account_id = $1 and kind = 'message' and mailbox_id = $2",
    )
    .bind(account_id)
    .bind(mailbox_id)
    .fetch_one(pool)
    .await?;
    let records = db::query(
        "select api_token_id, visible_prefix, name, scopes, expires_at, revoked_at, last_used_at, created_at,
                paused_at
           from api_token where account_id = $1 and kind = 'message' and mailbox_id = $2
          order by api_token_id desc limit $3 offset $4",
    )
    .bind(account_id)
    .bind(mailbox_id)
    .bind(page.per_page)
    .bind(page.offset())
    .fetch_all(pool)
    .await?;
    Ok((records, total))
}

/// A message token of the account, as it is now.
pub async fn find_message_token(
    pool: &Pool,
    account_id: i64,
    token_id: i64,
) -> Result<MessageTokenRecord> {
    db::query(
        "select api_token_id, visible_prefix, name, scopes, expires_at, revoked_at, last_used_at, created_at,
                paused_at
           from api_token where api_token_id = $1 and account_id = $2 and kind = 'message'",
    )
    .bind(token_id)
    .bind(account_id)
    .fetch_optional(pool)
    .await?
    .ok_or(Error::NotFound)
}

/// Revokes a message token whose mailbox the caller can reach; revoking a revoked one changes
/// nothing. Returns when it was revoked.
pub async fn revoke_message_token(
    pool: &Pool,
    reach: Reach<'_>,
    token_id: i64,
    actor: Actor<'_>,
    client: &ClientMeta,
) -> Result<Option<i64>> {
    let found: Option<(i64,)> = db::query(
        "select m.domain_id from api_token t join mailbox m on m.mailbox_id = t.mailbox_id
          where t.api_token_id = $1 and t.account_id = $2 and t.kind = 'message'",
    )
    .bind(token_id)
    .bind(reach.account_id)
    .fetch_optional(pool)
    .await?;
    match found {
        Some((domain_id,)) if reach.can_see_domain(domain_id) => {}
        _ => return Err(Error::NotFound),
    }
    revoke(
        pool,
        reach.account_id,
        token_id,
        RevokedBy::Token(actor),
        client,
    )
    .await?;
    Ok(find_message_token(pool, reach.account_id, token_id)
        .await?
        .revoked_at)
}
