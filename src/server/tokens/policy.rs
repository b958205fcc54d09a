//! The owner's token policy: reading it, changing it (audited), and the live tokens that last
//! longer than it allows new ones to.

use super::{hold_account, Result};
use crate::domain::audit::AuditAction;
use crate::domain::expiration::FORM_WORDS;
use crate::domain::token_policy::TokenPolicy;
use crate::server::audit::{record, AuditEntry};
use crate::server::auth::SessionUser;
use crate::server::client::ClientMeta;
use crate::server::db::{self, begin_write, Pool};

/// The account's token policy.
pub async fn policy(pool: &Pool, account_id: i64) -> std::result::Result<TokenPolicy, sqlx::Error> {
    let (max, default): (Option<i64>, String) = db::query(
        "select token_max_lifetime_days, token_default_expiration from account where account_id = $1",
    )
    .bind(account_id)
    .fetch_one(pool)
    .await?;
    Ok(TokenPolicy {
        max_lifetime_days: max.and_then(|days| u32::try_from(days).ok()),
        default_expiration: default,
    })
}

/// Sets the account's token policy. Tokens made before it are left as they are (the policy page
/// lists those that break it).
pub async fn set_policy(
    pool: &Pool,
    owner: &SessionUser,
    policy: &TokenPolicy,
    client: &ClientMeta,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    hold_account(&mut tx, owner.account_id).await?;
    // Read while the account is held: two identical saves at once write one event.
    let (max, default): (Option<i64>, String) = db::query(
        "select token_max_lifetime_days, token_default_expiration from account where account_id = $1",
    )
    .bind(owner.account_id)
    .fetch_one(&mut tx)
    .await?;
    let old = TokenPolicy {
        max_lifetime_days: max.and_then(|days| u32::try_from(days).ok()),
        default_expiration: default,
    };
    if old == *policy {
        return Ok(());
    }
    let now = db::now_ms();
    db::query(
        "update account set token_max_lifetime_days = $1, token_default_expiration = $2
          where account_id = $3",
    )
    .bind(policy.max_lifetime_days.map(i64::from))
    .bind(policy.default_expiration.as_str())
    .bind(owner.account_id)
    .execute(&mut tx)
    .await?;
    let word = |w: &str| {
        FORM_WORDS
            .iter()
            .find(|(word, _, _)| *word == w)
            .map_or(w.to_string(), |(_, _, label)| label.to_string())
    };
    let detail = format!(
        "Maximum lifetime: {} → {}; default expiration: {} → {}",
        old.max_label(),
        policy.max_label(),
        word(&old.default_expiration),
        word(&policy.default_expiration)
    );
    record(
        &mut tx,
        AuditEntry {
            account_id: owner.account_id,
            action: AuditAction::TokenPolicyChanged,
            token_id: None,
            token_name: "Token policy",
            token_prefix: "",
            actor: &owner.email,
            client,
            at: now,
            detail: &detail,
        },
    )
    .await?;
    db::commit(tx).await?;
    tracing::info!("token policy changed");
    Ok(())
}

/// Live ops tokens that last longer than `policy` allows a new token to (never, or past its
/// maximum from now), soonest made first: listed on the policy page, never changed silently.
pub async fn beyond_policy(
    pool: &Pool,
    account_id: i64,
    policy: &TokenPolicy,
) -> std::result::Result<Vec<(i64, String, String, Option<i64>)>, sqlx::Error> {
    let now = chrono::Utc::now();
    let Some(latest) = policy.latest_expiry(now) else {
        return Ok(Vec::new());
    };
    db::query(
        "select api_token_id, name, visible_prefix, expires_at from api_token
          where account_id = $1 and kind = 'ops' and revoked_at is null
            and (expires_at is null or expires_at > $2)
            and (expires_at is null or expires_at > $3)
          order by api_token_id limit 100",
    )
    .bind(account_id)
    .bind(now.timestamp_millis())
    .bind(latest.timestamp_millis())
    .fetch_all(pool)
    .await
}
