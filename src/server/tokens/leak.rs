//! Leak reports (`POST /api/v1/credentials/revoke`, like GitHub's credential revocation API):
//! anyone who finds our secrets where they leaked sends them, and every one that still works is
//! revoked at once (with the message tokens it minted), audited as revoked with the reason
//! "Reported leaked" and the reporter's address. What the reporter learns is the same whatever it
//! sent; even timing tells nothing worth having: a secret that existed is revoked by the report.

use super::{revoke, Result, RevokedBy, LEAK_REPORT_ACTOR};
use crate::domain::token::TokenSecret;
use crate::server::client::ClientMeta;
use crate::server::db::{self, now_ms, Pool};
use crate::server::secrets::sha256_hex;

/// Secrets one report may carry.
pub const MAX_REPORTED: usize = 100;
/// How long the Tokens page mentions a revocation by a leak report.
const RECENT_MS: i64 = 30 * 86_400_000;

/// Revokes every not-yet-revoked token among `reported` (malformed strings are skipped); returns
/// how many were revoked, for the server's log only.
pub async fn revoke_reported(
    pool: &Pool,
    reported: &[String],
    client: &ClientMeta,
) -> Result<usize> {
    let mut revoked = 0;
    for text in reported {
        let Ok(secret) = TokenSecret::parse(text.trim()) else {
            continue;
        };
        let found: Option<(i64, i64)> = db::query(
            "select api_token_id, account_id from api_token
              where token_hash = $1 and revoked_at is null",
        )
        .bind(sha256_hex(secret.expose()))
        .fetch_optional(pool)
        .await?;
        if let Some((token_id, account_id)) = found {
            match revoke(pool, account_id, token_id, RevokedBy::LeakReport, client).await {
                Ok(()) => revoked += 1,
                // Revoked meanwhile by someone else: nothing left to do.
                Err(super::Error::NotFound) => {}
                Err(error) => return Err(error),
            }
        }
    }
    Ok(revoked)
}

/// The account's tokens revoked by a leak report in the last 30 days: how many, and the latest
/// revocation (`None` when there were none).
pub async fn recent_leaks(pool: &Pool, account_id: i64) -> Result<Option<(i64, i64)>> {
    let (count, latest): (i64, Option<i64>) = db::query(
        "select count(*), max(revoked_at) from api_token
          where account_id = $1 and revoked_by = $2 and revoked_at > $3",
    )
    .bind(account_id)
    .bind(LEAK_REPORT_ACTOR)
    .bind(now_ms() - RECENT_MS)
    .fetch_one(pool)
    .await?;
    Ok(latest.map(|latest| (count, latest)))
}
