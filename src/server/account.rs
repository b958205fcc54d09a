//! The account service: the account as the API reports it, and charging Email Verifier credits.

use super::db::{now_ms, Pool};
use super::liveness::token_still_live;
use crate::server::db;

#[derive(Debug, sqlx::FromRow)]
pub struct AccountRecord {
    pub name: String,
    pub created_at: i64,
    pub verify_credits: i64,
    pub drive_addon_size_gb: Option<i64>,
    pub drive_addon_renews_at: Option<i64>,
}

pub async fn load(pool: &Pool, account_id: i64) -> Result<AccountRecord, sqlx::Error> {
    db::query(
        "select name, created_at, verify_credits, drive_addon_size_gb, drive_addon_renews_at
           from account where account_id = $1",
    )
    .bind(account_id)
    .fetch_one(pool)
    .await
}

/// What the account holds right now.
#[derive(Debug, sqlx::FromRow)]
pub struct Usage {
    pub domains: i64,
    pub mailboxes: i64,
    pub active_ops_tokens: i64,
    pub active_message_tokens: i64,
}

pub async fn usage(pool: &Pool, account_id: i64) -> Result<Usage, sqlx::Error> {
    db::query(
        "select
            (select count(*) from domain where account_id = $1) as domains,
            (select count(*) from mailbox m join domain d on d.domain_id = m.domain_id
              where d.account_id = $1) as mailboxes,
            (select count(*) from api_token where account_id = $1 and kind = 'ops'
                and revoked_at is null and (expires_at is null or expires_at > $2)) as active_ops_tokens,
            (select count(*) from api_token where account_id = $1 and kind = 'message'
                and revoked_at is null and (expires_at is null or expires_at > $2)) as active_message_tokens",
    )
    .bind(account_id)
    .bind(now_ms())
    .fetch_one(pool)
    .await
}

/// Why credits could not be charged.
#[derive(Debug, thiserror::Error)]
pub enum ChargeError {
    #[error("the account has fewer than {0} credits left")]
    InsufficientCredits(i64),
    /// The acting token was revoked or expired before the charge.
    #[error("the acting token is no longer valid")]
    TokenGone,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Takes `cost` verifier credits if the account has them and the acting token is still live;
/// returns the credits left.
pub async fn charge_verification(
    pool: &Pool,
    account_id: i64,
    cost: i64,
    acting_token_id: i64,
) -> Result<i64, ChargeError> {
    let now = now_ms();
    let remaining: Option<(i64,)> = db::query(concat!(
        "update account set verify_credits = verify_credits - $1
          where account_id = $2 and verify_credits >= $1 and ",
        token_still_live!("$3", "$4"),
        " returning verify_credits"
    ))
    .bind(cost)
    .bind(account_id)
    .bind(acting_token_id)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    if let Some((remaining,)) = remaining {
        return Ok(remaining);
    }
    let live: Option<(i32,)> = db::query(concat!("select 1 where ", token_still_live!("$1", "$2")))
        .bind(acting_token_id)
        .bind(now)
        .fetch_optional(pool)
        .await?;
    Err(match live {
        Some(_) => ChargeError::InsufficientCredits(cost),
        None => ChargeError::TokenGone,
    })
}
