//! "Revoke all…": every live token of the account, or every live token that can reach one
//! domain — ops tokens for all domains or constrained to it, message tokens of its mailboxes,
//! and the message tokens those ops tokens minted. One transaction; one audit event per token
//! and one "Emergency revoke" summary.

use super::{hold_account, Error, Result, RevokeLive};
use crate::domain::audit::AuditAction;
use crate::domain::field::FieldErrors;
use crate::domain::token::TokenKind;
use crate::server::audit::{record, AuditEntry};
use crate::server::auth::SessionUser;
use crate::server::client::ClientMeta;
use crate::server::db::{self, begin_write, Pool, Query};

/// Which tokens an emergency revoke takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmergencyScope {
    Everything,
    /// Those that can reach this domain of the account.
    Domain(i64),
}

/// A token an emergency revoke takes: id, name, visible prefix, kind.
pub type Target = (i64, String, String, String);

/// The condition on an `api_token` row (unaliased; `$1` is now, `$2` the account) that picks the
/// live tokens `scope` takes. `domain_id` is one of the account's own ids, checked by the caller.
fn condition(scope: EmergencyScope) -> String {
    let live = "(expires_at is null or expires_at > $1)";
    match scope {
        EmergencyScope::Everything => live.to_string(),
        EmergencyScope::Domain(domain) => {
            let ops_reach = |t: &str| {
                format!(
                    "({t}kind = 'ops' and ({t}all_domains = 1 or {t}api_token_id in
                       (select td.api_token_id from api_token_domain td where td.domain_id = {domain})))"
                )
            };
            format!(
                "{live} and ({} or (kind = 'message' and (
                     mailbox_id in (select m.mailbox_id from mailbox m where m.domain_id = {domain})
                     or created_by_token_id in
                       (select o.api_token_id from api_token o where o.account_id = $2 and {}))))",
                ops_reach(""),
                ops_reach("o.")
            )
        }
    }
}

/// Refuses a domain that is not the account's (it looks like no domain at all).
async fn check_scope(pool: &Pool, account_id: i64, scope: EmergencyScope) -> Result<()> {
    if let EmergencyScope::Domain(domain) = scope {
        let found: Option<(i64,)> =
            db::query("select domain_id from domain where domain_id = $1 and account_id = $2")
                .bind(domain)
                .bind(account_id)
                .fetch_optional(pool)
                .await?;
        found.ok_or_else(|| {
            Error::Invalid(FieldErrors::single("domain", "Choose one of your domains."))
        })?;
    }
    Ok(())
}

/// The tokens an emergency revoke would take now, oldest first: the confirmation lists them.
pub async fn emergency_targets(
    pool: &Pool,
    account_id: i64,
    scope: EmergencyScope,
) -> Result<Vec<Target>> {
    check_scope(pool, account_id, scope).await?;
    let mut query = Query::build(
        "select api_token_id, name, visible_prefix, kind from api_token
          where account_id = $2 and revoked_at is null and ",
    );
    query.push(condition(scope)).push(" order by api_token_id");
    Ok(query
        .bind(db::now_ms())
        .bind(account_id)
        .fetch_all(pool)
        .await?)
}

/// Revokes what `scope` takes once the owner typed the account's name; returns how many.
pub async fn emergency_revoke(
    pool: &Pool,
    owner: &SessionUser,
    scope: EmergencyScope,
    confirmation: &str,
    client: &ClientMeta,
) -> Result<usize> {
    if confirmation.trim() != owner.account_name {
        return Err(Error::Invalid(FieldErrors::single(
            "confirmation",
            format!(
                "Type the account name, {}, exactly as shown to confirm.",
                owner.account_name
            ),
        )));
    }
    check_scope(pool, owner.account_id, scope).await?;
    let mut tx = begin_write(pool).await?;
    // Held so no token is minted or created while the revoke picks its tokens.
    hold_account(&mut tx, owner.account_id).await?;
    let now = db::now_ms();
    let revoke = RevokeLive {
        at: now,
        account_id: owner.account_id,
        token_id: 0,
        actor: &owner.email,
    };
    // RevokeLive binds $1 now, $2 the account, $3 a token id (unused here), $4 the actor.
    let mut revoked = revoke.run(&mut tx, &condition(scope)).await?;
    if revoked.is_empty() {
        return Ok(0);
    }
    revoked.sort_by_key(|(id, ..)| *id);
    let what = match scope {
        EmergencyScope::Everything => "every active token".to_string(),
        EmergencyScope::Domain(domain) => {
            let (name,): (String,) = db::query("select name from domain where domain_id = $1")
                .bind(domain)
                .fetch_one(&mut tx)
                .await?;
            format!("every active token that could reach {name}")
        }
    };
    for (id, name, prefix, kind) in &revoked {
        let action = match TokenKind::parse(kind) {
            Some(TokenKind::Message) => AuditAction::MessageTokenRevoked,
            _ => AuditAction::TokenRevoked,
        };
        record(
            &mut tx,
            AuditEntry {
                account_id: owner.account_id,
                action,
                token_id: Some(*id),
                token_name: name,
                token_prefix: prefix,
                actor: &owner.email,
                client,
                at: now,
                detail: "Emergency revoke",
            },
        )
        .await?;
    }
    let count = revoked.len();
    let detail = format!(
        "Revoked {what}: {count} token{}",
        if count == 1 { "" } else { "s" }
    );
    record(
        &mut tx,
        AuditEntry {
            account_id: owner.account_id,
            action: AuditAction::EmergencyRevoke,
            token_id: None,
            token_name: "Emergency revoke",
            token_prefix: "",
            actor: &owner.email,
            client,
            at: now,
            detail: &detail,
        },
    )
    .await?;
    db::commit(tx).await?;
    tracing::warn!(count, "emergency revoke");
    Ok(count)
}
