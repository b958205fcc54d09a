//! Who is calling: the bearer token parsed before any database work, then found by its SHA-256
//! (in the verified-token cache, or the database) and checked live, with the ops token that
//! minted it; and each call let in recorded as a use (coalesced to once a minute).

use super::access::{Caller, Maker};
use super::error::ApiError;
use super::token_cache::{Hit, TokenCache, Verified};
use crate::domain::ip_allowlist::IpAllowlist;
use crate::domain::plan::{Plan, PlanAccess};
use crate::domain::scope_set::ScopeSet;
use crate::domain::token::{TokenKind, TokenSecret};
use crate::server::db::{self, now_ms, Pool};
use crate::server::secrets::sha256_hex;
use crate::server::tokens;
use http::header;
use std::sync::atomic::AtomicI64;
use std::sync::Arc;

/// Longest `Authorization` header worth reading; real tokens are under 50 characters.
const MAX_AUTHORIZATION_LEN: usize = 512;

/// Parses `Authorization: Bearer <token>` and checks the token's format and checksum, all
/// before any database work.
pub fn bearer_token(headers: &http::HeaderMap) -> Result<TokenSecret, ApiError> {
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::invalid_token("Send the token as Authorization: Bearer <token>.")
    })?;
    if value.len() > MAX_AUTHORIZATION_LEN {
        return Err(ApiError::invalid_token(
            "The Authorization header is too long to hold a TrekMail token.",
        ));
    }
    let value = value
        .to_str()
        .map_err(|_| ApiError::invalid_token("The Authorization header is not plain text."))?;
    let (scheme, token) = value.split_once(' ').ok_or_else(|| {
        ApiError::invalid_token("Send the token as Authorization: Bearer <token>.")
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::invalid_token(
            "Use the Bearer scheme: Authorization: Bearer <token>.",
        ));
    }
    TokenSecret::parse(token.trim())
        .map_err(|problem| ApiError::invalid_token(format!("The token is malformed: {problem}.")))
}

#[derive(sqlx::FromRow)]
struct TokenLookup {
    api_token_id: i64,
    kind: String,
    account_id: i64,
    account_name: String,
    plan: String,
    drive_addon: i64,
    name: String,
    visible_prefix: String,
    scopes: ScopeSet,
    all_domains: i64,
    mailbox_id: Option<i64>,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    last_used_at: Option<i64>,
    created_at: i64,
    paused_at: Option<i64>,
    ip_allowlist: String,
    replaced_by_token_id: Option<i64>,
    created_by_token_id: Option<i64>,
    maker_revoked_at: Option<i64>,
    maker_expires_at: Option<i64>,
    maker_paused_at: Option<i64>,
    maker_ip_allowlist: Option<String>,
}

/// How stale a token's "last used" may get before a request writes it again.
pub const LAST_USED_WRITE_INTERVAL_MS: i64 = 60_000;

/// Finds the token by its SHA-256 (in the cache, or else the database) and checks it is live,
/// and so is the ops token that minted it (a message token works only while its maker does).
pub async fn authenticate(
    pool: &Pool,
    cache: &TokenCache,
    secret: &TokenSecret,
) -> Result<Arc<Verified>, ApiError> {
    let token = identify(pool, cache, secret).await?;
    check_live(&token)?;
    Ok(token)
}

/// The token with this secret, live or not (the request log records calls of revoked tokens too).
pub async fn identify(
    pool: &Pool,
    cache: &TokenCache,
    secret: &TokenSecret,
) -> Result<Arc<Verified>, ApiError> {
    let hash = sha256_hex(secret.expose());
    match cache.get(&hash) {
        Some(Hit::Known(token)) => Ok(token),
        Some(Hit::Unknown) => Err(ApiError::invalid_token("This token does not exist.")),
        None => {
            // Read before the database, so a write committed meanwhile makes this entry stale.
            let generation = db::write_generation();
            let found = look_up(pool, &hash).await?.map(Arc::new);
            cache.remember(hash, generation, found.clone());
            found.ok_or_else(|| ApiError::invalid_token("This token does not exist."))
        }
    }
}

/// Refuses a revoked, expired, paused or rotated-out token, and one whose maker no longer works.
pub fn check_live(token: &Verified) -> Result<(), ApiError> {
    let now = now_ms();
    if token.revoked_at.is_some() {
        return Err(ApiError::invalid_token("This token has been revoked."));
    }
    if token.caller.expires_at.is_some_and(|at| at <= now) {
        return Err(ApiError::invalid_token(if token.caller.rotated_out {
            "This token's secret was rotated and its grace period is over; use the new secret."
        } else {
            "This token has expired."
        }));
    }
    if token.caller.paused_at.is_some() {
        return Err(ApiError::invalid_token(
            "This token is paused. The account owner can resume it in the dashboard.",
        ));
    }
    if let Some(maker) = &token.caller.maker {
        if maker.revoked || maker.expires_at.is_some_and(|at| at <= now) {
            return Err(ApiError::invalid_token(
                "The ops token that minted this token no longer works (revoked, expired or rotated out).",
            ));
        }
        if maker.paused {
            return Err(ApiError::invalid_token(
                "The ops token that minted this token is paused. The account owner can resume it in the dashboard.",
            ));
        }
    }
    Ok(())
}

/// Records a call allowed in (coalesced to once a minute): "last used" and, on a token's very
/// first call, the start of the grace period of the secret it replaced by a rotation.
pub(super) async fn record_use(pool: &Pool, token: &Verified, client_ip: &str) {
    let now = now_ms();
    // At most one write per token per minute: "last used" is exact to the minute. The statement
    // checks the minute again, so servers sharing a database write once between them.
    let last_used = token.last_used_at();
    if last_used.is_some_and(|at| now - at < LAST_USED_WRITE_INTERVAL_MS) {
        return;
    }
    token.set_last_used_at(now);
    // The grace period first: should it fail, "last used" stays unwritten and the next call
    // tries again (it is idempotent: it only ever brings the old secret's end in).
    if last_used.is_none() {
        if let Err(error) = tokens::start_grace(pool, token.caller.token_id, now).await {
            crate::server::telemetry::log_unexpected(&error, "could not start a grace period");
            token.set_last_used_at(0);
            return;
        }
    }
    let written = db::query(
        "update api_token set last_used_at = $1, last_used_ip = $2
          where api_token_id = $3 and (last_used_at is null or last_used_at <= $4)",
    )
    .bind(now)
    .bind(client_ip)
    .bind(token.caller.token_id)
    .bind(now - LAST_USED_WRITE_INTERVAL_MS)
    .execute(pool)
    .await;
    // Bookkeeping, not the caller's request: a database that cannot store it right now (disk
    // full, read-only) must not fail a read that can still be served. The next call retries.
    if let Err(error) = written {
        crate::server::telemetry::log_unexpected(&error, "could not record last use");
        token.set_last_used_at(last_used.unwrap_or(0));
    }
}

/// The token with this hash as the database holds it now.
async fn look_up(pool: &Pool, hash: &str) -> Result<Option<Verified>, ApiError> {
    let found: Option<TokenLookup> = db::query(
        "select t.api_token_id, t.kind, t.account_id, a.name as account_name, a.plan, a.drive_addon,
                t.name, t.visible_prefix, t.scopes, t.all_domains, t.mailbox_id, t.expires_at,
                t.revoked_at, t.last_used_at, t.created_at, t.paused_at, t.ip_allowlist,
                t.replaced_by_token_id, t.created_by_token_id, mk.revoked_at as maker_revoked_at,
                mk.expires_at as maker_expires_at, mk.paused_at as maker_paused_at,
                mk.ip_allowlist as maker_ip_allowlist
           from api_token t join account a on a.account_id = t.account_id
           left join api_token mk on mk.api_token_id = t.created_by_token_id
          where t.token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(pool)
    .await?;
    let Some(token) = found else {
        return Ok(None);
    };
    let domain_ids = if token.all_domains == 1 {
        None
    } else {
        let rows: Vec<(i64,)> =
            db::query("select domain_id from api_token_domain where api_token_id = $1")
                .bind(token.api_token_id)
                .fetch_all(pool)
                .await?;
        Some(rows.into_iter().map(|(id,)| id).collect())
    };
    let caller = Caller {
        token_id: token.api_token_id,
        kind: TokenKind::parse(&token.kind).ok_or_else(ApiError::internal)?,
        account_id: token.account_id,
        account_name: token.account_name,
        access: PlanAccess::new(
            Plan::parse(&token.plan).ok_or_else(ApiError::internal)?,
            token.drive_addon == 1,
        ),
        actor: format!("API token \"{}\" ({}…)", token.name, token.visible_prefix),
        name: token.name,
        prefix: token.visible_prefix,
        scopes: token.scopes,
        domain_ids,
        mailbox_id: token.mailbox_id,
        expires_at: token.expires_at,
        created_at: token.created_at,
        ip_allowlist: IpAllowlist::from_stored(&token.ip_allowlist),
        rotated_out: token.replaced_by_token_id.is_some(),
        paused_at: token.paused_at,
        maker: token.created_by_token_id.map(|_| Maker {
            revoked: token.maker_revoked_at.is_some(),
            expires_at: token.maker_expires_at,
            paused: token.maker_paused_at.is_some(),
            ip_allowlist: IpAllowlist::from_stored(
                token.maker_ip_allowlist.as_deref().unwrap_or(""),
            ),
        }),
    };
    Ok(Some(Verified {
        caller,
        revoked_at: token.revoked_at,
        last_used_at: AtomicI64::new(token.last_used_at.unwrap_or(0)),
    }))
}
