//! The token service: creating, listing and revoking tokens, with the audit event of each change
//! written in the same transaction. Both the dashboard and the REST API call these functions.
//!
//! Every check that a concurrent request could invalidate (name uniqueness, the token cap, the
//! acting token still being live, the row a narrowing starts from) is made inside the write
//! transaction, and event times are taken there too, so the audit trail follows commit order.

/// "Edit access": name, scopes and domains without a new secret.
mod access_change;
/// "Needs attention": idle, never-expiring, over-broad tokens.
mod attention;
/// Revoking every token of the account, or every token that can reach one domain.
mod emergency;
/// Leak reports: secrets found where they leaked, revoked at once.
mod leak;
/// Pause, resume, expiration, IP allowlist, rotation and the owner's token policy.
mod lifecycle;
/// Listing and finding tokens as the dashboard shows them.
mod list;
/// A mailbox's message tokens as the API shows them.
mod mailbox;
/// Message tokens: minting and narrowing.
mod message;
/// "Narrow to what it used".
mod narrow;
/// The owner's token policy.
mod policy;

pub use access_change::edit_access;
pub use attention::attention_counts;
pub use emergency::{emergency_revoke, emergency_targets, EmergencyScope};
pub use leak::{recent_leaks, revoke_reported, MAX_REPORTED};
pub use lifecycle::{
    change_expiration, rotate, set_ip_allowlist, set_paused, start_grace, ExpirationChange,
};
pub use list::{constraint_domains, counts, find, list};
pub use mailbox::{find_message_token, list_for_mailbox, revoke_message_token, MessageTokenRecord};
pub use message::{
    create_message_token, narrow_message_token, Actor, MintedMessageToken, NarrowRequest,
};
pub use narrow::narrow_to_usage;
pub use policy::{beyond_policy, policy, set_policy};

use super::audit::{record, AuditEntry};
use super::auth::SessionUser;
use super::client::ClientMeta;
use super::db::{self, begin_write, now_ms, Pool, Query, Transaction};
use super::secrets::{new_token, sha256_hex};
use crate::domain::audit::AuditAction;
use crate::domain::field::FieldErrors;
use crate::domain::new_token::{CreateTokenForm, DomainConstraint, Field, Limits, NewToken};
use crate::domain::scope_set::ScopeSet;
use crate::domain::token::TokenKind;
use crate::model::tokens::{CreatedToken, DomainOption};

/// Active ops tokens one account may hold (GitHub allows 50 fine-grained tokens per app per
/// user, Stripe 100s of restricted keys): plenty for every agent and script, and a bound on
/// what a runaway script can create.
pub const MAX_ACTIVE_OPS_TOKENS: i64 = 500;
/// Active message tokens one account may hold over all its mailboxes.
pub const MAX_ACTIVE_MESSAGE_TOKENS: i64 = 2_000;

/// Who revokes a token.
pub enum RevokedBy<'a> {
    /// The owner in the dashboard, by email.
    Owner(&'a str),
    /// An ops token through the API.
    Token(Actor<'a>),
    /// Anyone, through `POST /api/v1/credentials/revoke`, who found the secret where it leaked.
    LeakReport,
}

/// How the audit log and the list name a revocation by a leak report.
pub const LEAK_REPORT_ACTOR: &str = "Leak report";
/// The audit detail of a token revoked because a leak report named it (`token.leaked`).
pub const LEAK_DETAIL: &str = "Reported leaked";
/// The audit detail of a message token revoked with the reported ops token that minted it.
pub const LEAK_CHILD_DETAIL: &str = "Revoked with the reported token that minted it";

/// Why the token service refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input broke a rule: each problem with the field it concerns, as the request names it.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// A narrowing that would widen the token as it is now.
    #[error("{0}")]
    Widens(FieldErrors),
    /// Missing, another account's, or outside the caller's reach (all look the same).
    #[error("not found")]
    NotFound,
    /// The ops token acting through the API was revoked or expired before the change committed.
    #[error("the acting token is no longer valid")]
    ActorInactive,
    /// The token is revoked or expired: nothing left to change.
    #[error("the token is revoked or expired")]
    NotActive,
    /// The account holds as many active tokens as it may.
    #[error("{0}")]
    LimitReached(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

pub async fn account_domains(
    pool: &Pool,
    account_id: i64,
) -> std::result::Result<Vec<DomainOption>, sqlx::Error> {
    let rows: Vec<(i64, String)> =
        db::query("select domain_id, name from domain where account_id = $1 order by name")
            .bind(account_id)
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| DomainOption { id, name })
        .collect())
}

/// Revokes, at `at`, the account's live tokens a condition picks (`$3` is `token_id`).
struct RevokeLive<'a> {
    at: i64,
    account_id: i64,
    token_id: i64,
    actor: &'a str,
}

impl RevokeLive<'_> {
    /// The tokens `which` picks, revoked: id, name, visible prefix and kind of each.
    async fn run(
        &self,
        tx: &mut Transaction<'_>,
        which: &str,
    ) -> Result<Vec<(i64, String, String, String)>> {
        let mut statement = Query::build(
            "update api_token set revoked_at = $1, revoked_by = $4
              where account_id = $2 and revoked_at is null and ",
        );
        statement
            .push(which)
            .push(" returning api_token_id, name, visible_prefix, kind");
        Ok(statement
            .bind(self.at)
            .bind(self.account_id)
            .bind(self.token_id)
            .bind(self.actor)
            .fetch_all(&mut *tx)
            .await?)
    }
}

/// Holds the account's row until commit, so the account's token changes that count or compare
/// (the cap, a duplicate name) run one at a time: on SQLite the write lock does this already,
/// on PostgreSQL two requests could otherwise both count one below the cap and both insert.
pub(crate) async fn hold_account(tx: &mut Transaction<'_>, account_id: i64) -> Result<()> {
    let mut hold = Query::build("select account_id from account where account_id = $1");
    hold.push(tx.hold_rows_for_update());
    let _: Option<(i64,)> = hold.bind(account_id).fetch_optional(&mut *tx).await?;
    Ok(())
}

/// Refuses when the account already holds `max` active tokens of `kind`.
async fn check_cap(
    tx: &mut Transaction<'_>,
    account_id: i64,
    kind: TokenKind,
    max: i64,
    now: i64,
) -> Result<()> {
    let (active,): (i64,) = db::query(
        "select count(*) from api_token
          where account_id = $1 and kind = $2
            and revoked_at is null and (expires_at is null or expires_at > $3)",
    )
    .bind(account_id)
    .bind(kind.as_str())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    if active >= max {
        let what = match kind {
            TokenKind::Ops => "API tokens",
            TokenKind::Message => "message tokens",
        };
        return Err(Error::LimitReached(format!(
            "This account already has {max} active {what}, the most it can hold. Revoke tokens you no longer use, then try again."
        )));
    }
    Ok(())
}

/// Creates an ops token for the owner's account and returns its plaintext (the only copy).
pub async fn create_ops_token(
    pool: &Pool,
    owner: &SessionUser,
    form: &CreateTokenForm,
    client: &ClientMeta,
) -> Result<CreatedToken> {
    let domain_ids: Vec<i64> = account_domains(pool, owner.account_id)
        .await?
        .into_iter()
        .map(|domain| domain.id)
        .collect();
    let policy = policy(pool, owner.account_id).await?;
    let limits = Limits {
        access: owner.access,
        account_domain_ids: &domain_ids,
        policy: &policy,
        now: chrono::Utc::now(),
    };
    let new = NewToken::parse(form, limits).map_err(Error::Invalid)?;
    let secret = new_token(TokenKind::Ops);

    let mut tx = begin_write(pool).await?;
    hold_account(&mut tx, owner.account_id).await?;
    let now = chrono::Utc::now();
    let now_ms = now.timestamp_millis();
    let (duplicates,): (i64,) = db::query(
        "select count(*) from api_token
          where account_id = $1 and kind = 'ops' and name = $2
            and revoked_at is null and (expires_at is null or expires_at > $3)
            and replaced_by_token_id is null",
    )
    .bind(owner.account_id)
    .bind(new.name.as_str())
    .bind(now_ms)
    .fetch_one(&mut tx)
    .await?;
    if duplicates > 0 {
        return Err(Error::Invalid(FieldErrors::single(
            Field::Name,
            "An active token already has this name. Choose another name.",
        )));
    }
    check_cap(
        &mut tx,
        owner.account_id,
        TokenKind::Ops,
        MAX_ACTIVE_OPS_TOKENS,
        now_ms,
    )
    .await?;
    let (token_id,): (i64,) = db::query(
        "insert into api_token
            (account_id, kind, name, token_hash, visible_prefix, scopes, all_domains,
             expires_at, created_by_user_id, created_at, ip_allowlist)
         values ($1, 'ops', $2, $3, $4, $5, $6, $7, $8, $9, $10)
         returning api_token_id",
    )
    .bind(owner.account_id)
    .bind(new.name.as_str())
    .bind(sha256_hex(secret.expose()))
    .bind(secret.visible_prefix())
    .bind(ScopeSet::of_ops(&new.scopes))
    .bind(i64::from(new.domains == DomainConstraint::AllDomains))
    .bind(
        new.expiration
            .expires_at(now)
            .map(|at| at.timestamp_millis()),
    )
    .bind(owner.user_id)
    .bind(now_ms)
    .bind(new.ip_allowlist.to_stored())
    .fetch_one(&mut tx)
    .await?;
    if let DomainConstraint::Only(ids) = &new.domains {
        for domain_id in ids {
            db::query("insert into api_token_domain (api_token_id, domain_id) values ($1, $2)")
                .bind(token_id)
                .bind(domain_id)
                .execute(&mut tx)
                .await?;
        }
    }
    record(
        &mut tx,
        AuditEntry {
            account_id: owner.account_id,
            action: AuditAction::TokenCreated,
            token_id: Some(token_id),
            token_name: new.name.as_str(),
            token_prefix: &secret.visible_prefix(),
            actor: &owner.email,
            client,
            at: now_ms,
            detail: "",
        },
    )
    .await?;
    db::commit(tx).await?;
    tracing::info!(token_id, prefix = %secret.visible_prefix(), "token created");

    let row = find(pool, owner.account_id, token_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(CreatedToken {
        token: secret.expose().to_string(),
        row,
    })
}

/// Revokes a token of the account, and with an ops token every live message token it minted
/// (an owner revoking a leaked token expects what it created to die with it). Each revoked
/// token gets its own audit event. A token of another account is "not found"; revoking an
/// already revoked token succeeds without a second event.
/// `actor` is the owner's email (dashboard) or the acting ops token (REST API), which must still
/// be live when the revocation commits.
pub async fn revoke(
    pool: &Pool,
    account_id: i64,
    token_id: i64,
    actor: RevokedBy<'_>,
    client: &ClientMeta,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let now = now_ms();
    // Decided by who revokes, never by a name: an ops token may be called "Leak report".
    let (detail, child_detail) = match actor {
        RevokedBy::LeakReport => (LEAK_DETAIL, LEAK_CHILD_DETAIL),
        _ => ("", ""),
    };
    let actor = match actor {
        RevokedBy::Owner(email) => email,
        RevokedBy::Token(acting) => {
            message::require_live_actor(&mut tx, acting.token_id, now).await?;
            acting.name
        }
        RevokedBy::LeakReport => LEAK_REPORT_ACTOR,
    };
    // The token first, then what it minted, in two statements: the first waits for any mint by
    // this token still in flight (which holds it `for share`) to commit, and the second, reading
    // afterwards, revokes that new message token too. (One statement would read the minted tokens
    // as they were when it started, and on PostgreSQL miss one committed meanwhile.)
    let revoke = RevokeLive {
        at: now,
        account_id,
        token_id,
        actor,
    };
    let mut revoked = revoke.run(&mut tx, "api_token_id = $3").await?;
    if !revoked.is_empty() {
        let minted = revoke
            .run(&mut tx, "created_by_token_id = $3 and kind = 'message'")
            .await?;
        revoked.extend(minted);
    }
    if revoked.is_empty() {
        // Already revoked (its children went with it then), or not this account's.
        let exists: Option<(i64,)> = db::query(
            "select api_token_id from api_token where api_token_id = $1 and account_id = $2",
        )
        .bind(token_id)
        .bind(account_id)
        .fetch_optional(&mut tx)
        .await?;
        return exists.map(|_| ()).ok_or(Error::NotFound);
    }
    // The token itself first, then what it minted, oldest first.
    revoked.sort_by_key(|(id, ..)| (*id != token_id, *id));
    for (id, name, prefix, kind) in &revoked {
        let action = match TokenKind::parse(kind) {
            Some(TokenKind::Message) => AuditAction::MessageTokenRevoked,
            _ => AuditAction::TokenRevoked,
        };
        record(
            &mut tx,
            AuditEntry {
                account_id,
                action,
                token_id: Some(*id),
                token_name: name,
                token_prefix: prefix,
                actor,
                client,
                at: now,
                detail: if *id == token_id {
                    detail
                } else {
                    child_detail
                },
            },
        )
        .await?;
    }
    db::commit(tx).await?;
    tracing::info!(token_id, revoked = revoked.len(), "token revoked");
    Ok(())
}
