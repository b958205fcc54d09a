//! Message tokens minted and narrowed by ops tokens through the REST API. The acting token is
//! checked again inside the write transaction: a revocation that commits first wins, and the
//! mint or narrowing is refused, so no message token outlives the token that made it.

use super::{check_cap, hold_account, Error, Result, MAX_ACTIVE_MESSAGE_TOKENS};
use crate::domain::audit::AuditAction;
use crate::domain::field::FieldErrors;
use crate::domain::message_token::{Narrowing, NarrowingError, NewMessageToken};
use crate::domain::scope_set::ScopeSet;
use crate::domain::status::TokenStatus;
use crate::domain::token::{TokenKind, TokenSecret};
use crate::server::audit::{record, AuditEntry};
use crate::server::client::ClientMeta;
use crate::server::db::{self, begin_write, Pool, Query, Transaction};
use crate::server::mail::Reach;
use crate::server::secrets::{new_token, sha256_hex};

/// A message token as a narrowing finds it.
#[derive(sqlx::FromRow)]
struct Narrowed {
    domain_id: i64,
    scopes: ScopeSet,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    paused_at: Option<i64>,
}

/// A message token just minted by an ops token: its id and the only copy of its plaintext.
pub struct MintedMessageToken {
    pub id: i64,
    pub secret: TokenSecret,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

/// The ops token acting through the API, as named in the audit trail.
pub struct Actor<'a> {
    pub token_id: i64,
    pub name: &'a str,
}

/// Refuses the change if the acting token was revoked, expired or paused since its request was
/// authenticated; its expiry otherwise. The row stays as read until commit: a revocation that
/// commits first is seen (the read waits for it), one that comes later waits for this change and
/// then revokes what it made too.
pub(super) async fn require_live_actor(
    tx: &mut Transaction<'_>,
    actor_token_id: i64,
    now: i64,
) -> Result<Option<i64>> {
    let mut live = Query::build(
        "select expires_at from api_token
          where api_token_id = $1 and revoked_at is null and (expires_at is null or expires_at > $2)
            and paused_at is null",
    );
    live.push(tx.keep_rows_as_read());
    let live: Option<(Option<i64>,)> = live
        .bind(actor_token_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
    live.map(|(expires_at,)| expires_at)
        .ok_or(Error::ActorInactive)
}

/// Refuses a mint whose ops token lost the mailbox's domain or the minting scope since its request
/// was authenticated (an "Edit access" that committed first wins): it looks like no mailbox.
async fn require_reach(
    tx: &mut Transaction<'_>,
    actor_token_id: i64,
    domain_id: i64,
) -> Result<()> {
    let reach: Option<(ScopeSet,)> = db::query(
        "select scopes from api_token
          where api_token_id = $1
            and (all_domains = 1 or exists (select 1 from api_token_domain
                                              where api_token_id = $1 and domain_id = $2))",
    )
    .bind(actor_token_id)
    .bind(domain_id)
    .fetch_optional(&mut *tx)
    .await?;
    match reach {
        Some((scopes,)) if scopes.contains("mailboxes:message-tokens:manage") => Ok(()),
        _ => Err(Error::NotFound),
    }
}

/// Mints a message token for one mailbox, with its audit event (the ops token as the actor).
/// The caller has already checked that the mailbox is the account's and within its reach.
pub async fn create_message_token(
    pool: &Pool,
    account_id: i64,
    mailbox: (i64, i64),
    new: &NewMessageToken,
    actor: Actor<'_>,
    client: &ClientMeta,
) -> Result<MintedMessageToken> {
    let (mailbox_id, domain_id) = mailbox;
    // The owner's maximum lifetime binds what ops tokens mint too ("never" included).
    super::policy(pool, account_id)
        .await?
        .check(new.expiration, chrono::Utc::now())
        .map_err(|message| Error::Invalid(FieldErrors::single("expires_in", message)))?;
    let secret = new_token(TokenKind::Message);
    let mut tx = begin_write(pool).await?;
    let now = chrono::Utc::now();
    let now_ms = now.timestamp_millis();
    // The account first, as every change that holds it does (rotate, Edit access, "Revoke
    // all"), so two never wait on each other in a circle.
    hold_account(&mut tx, account_id).await?;
    let minter_expires_at = require_live_actor(&mut tx, actor.token_id, now_ms).await?;
    require_reach(&mut tx, actor.token_id, domain_id).await?;
    check_cap(
        &mut tx,
        account_id,
        TokenKind::Message,
        MAX_ACTIVE_MESSAGE_TOKENS,
        now_ms,
    )
    .await?;
    // A message token never outlives the ops token that minted it: revoking the ops token
    // revokes it, and its expiry is at most the ops token's (the reply says when).
    let requested = new
        .expiration
        .expires_at(now)
        .map(|at| at.timestamp_millis());
    let expires_at = match (requested, minter_expires_at) {
        (Some(requested), Some(minter)) => Some(requested.min(minter)),
        (requested, minter) => requested.or(minter),
    };
    // The token's one domain is its mailbox's, so the dashboard's Domains column reads true. It
    // takes its maker's IP allowlist: a token made from an allowed address is used from one.
    let (token_id,): (i64,) = db::query(
        "insert into api_token
            (account_id, kind, mailbox_id, name, token_hash, visible_prefix, scopes, all_domains,
             expires_at, created_by_token_id, created_at, ip_allowlist)
         values ($1, 'message', $2, $3, $4, $5, $6, 0, $7, $8, $9,
                 (select m.ip_allowlist from api_token m where m.api_token_id = $8))
         returning api_token_id",
    )
    .bind(account_id)
    .bind(mailbox_id)
    .bind(new.name.as_str())
    .bind(sha256_hex(secret.expose()))
    .bind(secret.visible_prefix())
    .bind(ScopeSet::of_messages(&new.scopes))
    .bind(expires_at)
    .bind(actor.token_id)
    .bind(now_ms)
    .fetch_one(&mut tx)
    .await?;
    db::query("insert into api_token_domain (api_token_id, domain_id) values ($1, $2)")
        .bind(token_id)
        .bind(domain_id)
        .execute(&mut tx)
        .await?;
    record(
        &mut tx,
        AuditEntry {
            account_id,
            action: AuditAction::MessageTokenCreated,
            token_id: Some(token_id),
            token_name: new.name.as_str(),
            token_prefix: &secret.visible_prefix(),
            actor: actor.name,
            client,
            at: now_ms,
            detail: "",
        },
    )
    .await?;
    db::commit(tx).await?;
    tracing::info!(token_id, prefix = %secret.visible_prefix(), "message token created");
    Ok(MintedMessageToken {
        id: token_id,
        secret,
        expires_at,
        created_at: now_ms,
    })
}

/// What a client asked to narrow, unparsed: it is checked against the token as it is inside
/// the write transaction, so two concurrent narrowings can never end wider than either asked.
pub struct NarrowRequest<'a> {
    pub name: Option<&'a str>,
    pub scopes: Option<&'a [String]>,
    pub expires_in: Option<&'a str>,
}

/// Narrows a live message token whose mailbox the caller can reach, with its audit event.
pub async fn narrow_message_token(
    pool: &Pool,
    reach: Reach<'_>,
    token_id: i64,
    request: NarrowRequest<'_>,
    actor: Actor<'_>,
    client: &ClientMeta,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let now = crate::server::db::now_ms();
    // The acting token first, then the one it narrows: the order a revocation takes them in
    // (an ops token, then what it minted), so the two never wait on each other in a circle.
    require_live_actor(&mut tx, actor.token_id, now).await?;
    // The token's row (alone, not its mailbox's) is held until commit: a concurrent narrowing
    // waits and then narrows what this one left.
    let mut hold = Query::build("select api_token_id from api_token where api_token_id = $1");
    hold.push(tx.hold_rows_for_update());
    let _: Option<(i64,)> = hold.bind(token_id).fetch_optional(&mut tx).await?;
    let found: Option<Narrowed> = db::query(
        "select m.domain_id, t.scopes, t.expires_at, t.revoked_at, t.paused_at from api_token t
           join mailbox m on m.mailbox_id = t.mailbox_id
          where t.api_token_id = $1 and t.account_id = $2 and t.kind = 'message'",
    )
    .bind(token_id)
    .bind(reach.account_id)
    .fetch_optional(&mut tx)
    .await?;
    let (scopes, expires_at) = match found {
        Some(token) if reach.can_see_domain(token.domain_id) => {
            // A paused token can be narrowed: it only ever loses access.
            let status =
                TokenStatus::derive(token.revoked_at, token.expires_at, token.paused_at, now);
            if !status.is_live() {
                return Err(Error::NotActive);
            }
            (token.scopes, token.expires_at)
        }
        _ => return Err(Error::NotFound),
    };
    let narrowing = Narrowing::parse(
        request.name,
        request.scopes,
        request.expires_in,
        &scopes.messages(),
        expires_at,
        now,
    )
    .map_err(|error| match error {
        NarrowingError::Invalid(errors) => Error::Invalid(errors),
        NarrowingError::Widens(errors) => Error::Widens(errors),
    })?;
    let scopes = narrowing.scopes.as_deref().map(ScopeSet::of_messages);
    let (name, prefix): (String, String) = db::query(
        "update api_token
            set name = coalesce($1, name), scopes = coalesce($2, scopes),
                expires_at = coalesce($3, expires_at)
          where api_token_id = $4
          returning name, visible_prefix",
    )
    .bind(narrowing.name.as_ref().map(|name| name.as_str()))
    .bind(scopes)
    .bind(narrowing.expires_at)
    .bind(token_id)
    .fetch_one(&mut tx)
    .await?;
    record(
        &mut tx,
        AuditEntry {
            account_id: reach.account_id,
            action: AuditAction::MessageTokenNarrowed,
            token_id: Some(token_id),
            token_name: &name,
            token_prefix: &prefix,
            actor: actor.name,
            client,
            at: now,
            detail: "",
        },
    )
    .await?;
    db::commit(tx).await?;
    Ok(())
}
