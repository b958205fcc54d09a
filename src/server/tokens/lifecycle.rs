//! Changing a live token: pause and resume (ops and message tokens), a new expiration, an IP
//! allowlist, and rotation to a new secret with a grace period for the old one (ops tokens).
//! Each change holds the token's row, checks it is still live, and writes its audit event with
//! old and new values, all in one transaction. Repeating a change that is already in place
//! (a double click) succeeds without a second event.

use super::{hold_account, Error, Result};
use crate::domain::audit::AuditAction;
use crate::domain::expiration::{parse_lifetime, Expiration, Lifetime, FORM_WORDS};
use crate::domain::field::FieldErrors;
use crate::domain::ip_allowlist::IpAllowlist;
use crate::domain::rotation::Grace;
use crate::domain::scope_set::ScopeSet;
use crate::domain::status::TokenStatus;
use crate::domain::time;
use crate::domain::token::TokenKind;
use crate::domain::token_policy::TokenPolicy;
use crate::model::tokens::CreatedToken;
use crate::server::audit::{record, AuditEntry};
use crate::server::auth::SessionUser;
use crate::server::client::ClientMeta;
use crate::server::db::{self, begin_write, Pool, Query, Transaction};
use crate::server::secrets::{new_token, sha256_hex};

/// A token's row as a change reads it, held until commit.
#[derive(sqlx::FromRow)]
pub(super) struct Held {
    pub kind: String,
    pub name: String,
    pub visible_prefix: String,
    pub scopes: ScopeSet,
    pub all_domains: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub paused_at: Option<i64>,
    pub ip_allowlist: String,
    pub replaced_by_token_id: Option<i64>,
}

impl Held {
    fn is_ops(&self) -> bool {
        self.kind == TokenKind::Ops.as_str()
    }
}

/// The account's token, held until commit; another account's is "not found", and a revoked or
/// expired one cannot be changed.
pub(super) async fn hold_live(
    tx: &mut Transaction<'_>,
    account_id: i64,
    token_id: i64,
    now: i64,
) -> Result<Held> {
    let mut read = Query::build(
        "select kind, name, visible_prefix, scopes, all_domains, expires_at, revoked_at,
                paused_at, ip_allowlist, replaced_by_token_id
           from api_token where api_token_id = $1 and account_id = $2",
    );
    read.push(tx.hold_rows_for_update());
    let held: Held = read
        .bind(token_id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::NotFound)?;
    if !TokenStatus::derive(held.revoked_at, held.expires_at, held.paused_at, now).is_live() {
        return Err(Error::NotActive);
    }
    Ok(held)
}

/// The event of a change to `token_id`, by the owner.
pub(super) async fn audit(
    tx: &mut Transaction<'_>,
    owner: &SessionUser,
    (token_id, held): (i64, &Held),
    action: AuditAction,
    detail: &str,
    (client, at): (&ClientMeta, i64),
) -> Result<()> {
    record(
        tx,
        AuditEntry {
            account_id: owner.account_id,
            action,
            token_id: Some(token_id),
            token_name: &held.name,
            token_prefix: &held.visible_prefix,
            actor: &owner.email,
            client,
            at,
            detail,
        },
    )
    .await?;
    Ok(())
}

pub(super) fn only_ops(held: &Held, what: &str) -> Result<()> {
    if held.is_ops() {
        return Ok(());
    }
    Err(Error::Invalid(FieldErrors::single(
        "token",
        format!("{what} applies to ops tokens; a message token keeps what it was minted with."),
    )))
}

/// Pauses (`pause`) or resumes a token: a paused token is refused by the API (401, "paused")
/// until it is resumed, and is otherwise unchanged.
pub async fn set_paused(
    pool: &Pool,
    owner: &SessionUser,
    token_id: i64,
    pause: bool,
    client: &ClientMeta,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let now = db::now_ms();
    let held = hold_live(&mut tx, owner.account_id, token_id, now).await?;
    if held.paused_at.is_some() == pause {
        return Ok(());
    }
    db::query("update api_token set paused_at = $1 where api_token_id = $2")
        .bind(pause.then_some(now))
        .bind(token_id)
        .execute(&mut tx)
        .await?;
    let action = if pause {
        AuditAction::TokenPaused
    } else {
        AuditAction::TokenResumed
    };
    audit(&mut tx, owner, (token_id, &held), action, "", (client, now)).await?;
    db::commit(tx).await?;
    tracing::info!(token_id, pause, "token paused or resumed");
    Ok(())
}

/// Two expiries this close are the same choice made twice.
const SAME_EXPIRY_MS: i64 = 60_000;

/// A new expiration as the form posts it (`7d`…`never`, a custom date).
pub struct ExpirationChange<'a> {
    pub expiration: &'a str,
    pub expiration_date: &'a str,
}

impl ExpirationChange<'_> {
    /// The expiration, within the owner's policy; refusals name the form's field.
    pub fn parse(
        &self,
        policy: &TokenPolicy,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Expiration> {
        let invalid =
            |field: &str, message: String| Error::Invalid(FieldErrors::single(field, message));
        let expiration = match parse_lifetime(self.expiration, FORM_WORDS) {
            Ok(Lifetime::Custom) => Expiration::custom_date(self.expiration_date, now.date_naive())
                .map_err(|message| invalid("expiration_date", message))?,
            Ok(lifetime) => Expiration::from_lifetime(lifetime).ok_or(Error::NotFound)?,
            Err(_) => {
                return Err(invalid(
                    "expiration",
                    "Choose one of the listed expirations.".into(),
                ))
            }
        };
        let field = match expiration {
            Expiration::OnDate(_) => "expiration_date",
            _ => "expiration",
        };
        policy
            .check(expiration, now)
            .map_err(|message| invalid(field, message))?;
        Ok(expiration)
    }
}

/// "Change expiration" of a live ops token, within the owner's policy. An old secret that a
/// rotation is retiring keeps the end the rotation gave it.
pub async fn change_expiration(
    pool: &Pool,
    owner: &SessionUser,
    token_id: i64,
    change: ExpirationChange<'_>,
    client: &ClientMeta,
) -> Result<()> {
    let policy = super::policy(pool, owner.account_id).await?;
    let now = chrono::Utc::now();
    let expiration = change.parse(&policy, now)?;
    let new_expiry = expiration.expires_at(now).map(|at| at.timestamp_millis());
    let mut tx = begin_write(pool).await?;
    let now_ms = now.timestamp_millis();
    let held = hold_live(&mut tx, owner.account_id, token_id, now_ms).await?;
    only_ops(&held, "Changing the expiration")?;
    if held.replaced_by_token_id.is_some() {
        return Err(Error::Invalid(FieldErrors::single(
            "expiration",
            "This secret was rotated out and stops working as the rotation set; change the new token's expiration instead.",
        )));
    }
    // The same choice again (a double click, a resent form) lands within a minute of the last:
    // already in place.
    let same = match (held.expires_at, new_expiry) {
        (Some(old), Some(new)) => (old - new).abs() < SAME_EXPIRY_MS,
        (old, new) => old == new,
    };
    if same {
        return Ok(());
    }
    db::query("update api_token set expires_at = $1 where api_token_id = $2")
        .bind(new_expiry)
        .bind(token_id)
        .execute(&mut tx)
        .await?;
    // A new end gets its own `token.expiring` warning (and, in time, `token.expired`).
    db::query("delete from webhook_token_notice where api_token_id = $1")
        .bind(token_id)
        .execute(&mut tx)
        .await?;
    let detail = format!(
        "Expiration: {} → {}",
        expiry_words(held.expires_at),
        expiry_words(new_expiry)
    );
    let action = AuditAction::TokenExpirationChanged;
    audit(
        &mut tx,
        owner,
        (token_id, &held),
        action,
        &detail,
        (client, now_ms),
    )
    .await?;
    db::commit(tx).await?;
    tracing::info!(token_id, "token expiration changed");
    Ok(())
}

fn expiry_words(at: Option<i64>) -> String {
    at.map_or_else(|| "never".into(), time::exact)
}

/// Replaces a live ops token's IP allowlist (empty: any address).
pub async fn set_ip_allowlist(
    pool: &Pool,
    owner: &SessionUser,
    token_id: i64,
    text: &str,
    client: &ClientMeta,
) -> Result<()> {
    let list = IpAllowlist::parse(text)
        .map_err(|message| Error::Invalid(FieldErrors::single("ip_allowlist", message)))?;
    let mut tx = begin_write(pool).await?;
    let now = db::now_ms();
    let held = hold_live(&mut tx, owner.account_id, token_id, now).await?;
    only_ops(&held, "An IP allowlist")?;
    let old = IpAllowlist::from_stored(&held.ip_allowlist);
    if old == list {
        return Ok(());
    }
    db::query("update api_token set ip_allowlist = $1 where api_token_id = $2")
        .bind(list.to_stored())
        .bind(token_id)
        .execute(&mut tx)
        .await?;
    let detail = format!(
        "Allowed IP addresses: {} → {}",
        allowlist_words(&old),
        allowlist_words(&list)
    );
    let action = AuditAction::TokenIpAllowlistChanged;
    audit(
        &mut tx,
        owner,
        (token_id, &held),
        action,
        &detail,
        (client, now),
    )
    .await?;
    db::commit(tx).await?;
    tracing::info!(token_id, "token IP allowlist changed");
    Ok(())
}

fn allowlist_words(list: &IpAllowlist) -> String {
    if list.is_empty() {
        "any".into()
    } else {
        list.entries().join(", ")
    }
}

/// Rotates a live ops token: a new secret with the same name, scopes, domains, expiry and IP
/// allowlist, returned this once; the old secret keeps working for the grace period
/// (`domain::rotation`), its end written into its `expires_at`. `hour_ms` is how long an hour
/// lasts (shortened only by a test setting).
pub async fn rotate(
    pool: &Pool,
    owner: &SessionUser,
    token_id: i64,
    grace: Grace,
    hour_ms: i64,
    client: &ClientMeta,
) -> Result<CreatedToken> {
    let secret = new_token(TokenKind::Ops);
    let mut tx = begin_write(pool).await?;
    hold_account(&mut tx, owner.account_id).await?;
    let now = db::now_ms();
    let held = hold_live(&mut tx, owner.account_id, token_id, now).await?;
    only_ops(&held, "Rotation")?;
    if held.replaced_by_token_id.is_some() {
        return Err(Error::Invalid(FieldErrors::single(
            "grace",
            "This token was already rotated; rotate its new secret instead.",
        )));
    }
    let (new_id,): (i64,) = db::query(
        "insert into api_token
            (account_id, kind, name, token_hash, visible_prefix, scopes, all_domains, expires_at,
             ip_allowlist, created_by_user_id, created_at)
         values ($1, 'ops', $2, $3, $4, $5, $6, $7, $8, $9, $10)
         returning api_token_id",
    )
    .bind(owner.account_id)
    .bind(held.name.as_str())
    .bind(sha256_hex(secret.expose()))
    .bind(secret.visible_prefix())
    .bind(held.scopes.clone())
    .bind(held.all_domains)
    .bind(held.expires_at)
    .bind(held.ip_allowlist.as_str())
    .bind(owner.user_id)
    .bind(now)
    .fetch_one(&mut tx)
    .await?;
    db::query(
        "insert into api_token_domain (api_token_id, domain_id)
         select $1, domain_id from api_token_domain where api_token_id = $2",
    )
    .bind(new_id)
    .bind(token_id)
    .execute(&mut tx)
    .await?;
    // The message tokens it minted carry on with the new secret (a message token works only
    // while its maker does, and the old secret is going away).
    let moved = db::query(
        "update api_token set created_by_token_id = $1
          where created_by_token_id = $2 and kind = 'message' and revoked_at is null",
    )
    .bind(new_id)
    .bind(token_id)
    .execute(&mut tx)
    .await?
    .rows_affected();
    let latest_end = grace.latest_end(now, hour_ms);
    let old_end = held.expires_at.map_or(latest_end, |at| at.min(latest_end));
    db::query(
        "update api_token set rotated_at = $1, replaced_by_token_id = $2, rotation_grace_ms = $3,
                expires_at = $4
          where api_token_id = $5",
    )
    .bind(now)
    .bind(new_id)
    .bind(grace.length_ms(hour_ms))
    .bind(old_end)
    .bind(token_id)
    .execute(&mut tx)
    .await?;
    let mut detail = match grace {
        Grace::Immediately => format!(
            "New secret {}…. The old secret stopped working at once.",
            secret.visible_prefix()
        ),
        grace => format!(
            "New secret {}…. The old secret works until {} at the latest, or {} after the new secret is first used.",
            secret.visible_prefix(),
            time::exact(old_end),
            grace.label()
        ),
    };
    if moved > 0 {
        detail.push_str(&format!(
            " {moved} message token{} it minted now belong to the new secret.",
            if moved == 1 { "" } else { "s" }
        ));
    }
    let action = AuditAction::TokenRotated;
    audit(
        &mut tx,
        owner,
        (token_id, &held),
        action,
        &detail,
        (client, now),
    )
    .await?;
    db::commit(tx).await?;
    tracing::info!(token_id, new_id, prefix = %secret.visible_prefix(), "token rotated");
    let row = super::find(pool, owner.account_id, new_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(CreatedToken {
        token: secret.expose().to_string(),
        row,
    })
}

/// The first use of a rotated token's new secret starts its predecessor's grace period: the old
/// secret now stops at `now` plus its grace (sooner, never later, than the rotation set).
/// Repeating it (another server, a retry) changes nothing.
pub async fn start_grace(
    pool: &Pool,
    new_token_id: i64,
    now: i64,
) -> std::result::Result<(), sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    db::query(
        "update api_token set expires_at = $1 + rotation_grace_ms
          where replaced_by_token_id = $2 and revoked_at is null
            and (expires_at is null or expires_at > $1 + rotation_grace_ms)",
    )
    .bind(now)
    .bind(new_token_id)
    .execute(&mut tx)
    .await?;
    db::commit(tx).await
}
