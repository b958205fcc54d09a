//! "Edit access": a live ops token's name, scopes and domain constraint, changed without a new
//! secret (the quick fix for a token that answers 404 on some domains is to add them). The same
//! rules as creating one; the audit event records before and after; the next API call sees it.

use super::lifecycle::{audit, hold_live, only_ops};
use super::{account_domains, Error, Result, RevokeLive};
use crate::domain::audit::AuditAction;
use crate::domain::field::FieldErrors;
use crate::domain::new_token::{CreateTokenForm, DomainConstraint, Field};
use crate::domain::scope_set::ScopeSet;
use crate::domain::token_access::Access;
use crate::server::audit::{record, AuditEntry};
use crate::server::auth::SessionUser;
use crate::server::client::ClientMeta;
use crate::server::db::{self, begin_write, Pool};

/// Applies `form`'s name, scopes and domains to the token and returns what changed, in words
/// (empty when nothing did); with `apply` false, only says what would change (the review step),
/// leaving everything as it was. `action` names the change in the audit log ("Token access
/// changed", or "Token narrowed" for "Narrow to what it used"). Message tokens it minted for mailboxes outside a narrowed
/// domain constraint are revoked with it: none keeps a reach its maker lost.
pub async fn edit_access(
    pool: &Pool,
    owner: &SessionUser,
    token_id: i64,
    form: &CreateTokenForm,
    apply: bool,
    client: &ClientMeta,
    action: AuditAction,
) -> Result<String> {
    let domains = account_domains(pool, owner.account_id).await?;
    let ids: Vec<i64> = domains.iter().map(|domain| domain.id).collect();
    let new = Access::parse(form, owner.access, &ids).map_err(Error::Invalid)?;
    let mut tx = begin_write(pool).await?;
    super::hold_account(&mut tx, owner.account_id).await?;
    let now = db::now_ms();
    let held = hold_live(&mut tx, owner.account_id, token_id, now).await?;
    only_ops(&held, "Editing access")?;
    if held.replaced_by_token_id.is_some() {
        return Err(Error::Invalid(FieldErrors::single(
            Field::Name,
            "This secret was rotated out; edit the new token instead.",
        )));
    }
    let (duplicates,): (i64,) = db::query(
        "select count(*) from api_token
          where account_id = $1 and kind = 'ops' and name = $2 and api_token_id <> $3
            and revoked_at is null and (expires_at is null or expires_at > $4)
            and replaced_by_token_id is null",
    )
    .bind(owner.account_id)
    .bind(new.name.as_str())
    .bind(token_id)
    .bind(now)
    .fetch_one(&mut tx)
    .await?;
    if duplicates > 0 {
        return Err(Error::Invalid(FieldErrors::single(
            Field::Name,
            "An active token already has this name. Choose another name.",
        )));
    }
    let old_domains: Vec<(i64,)> =
        db::query("select domain_id from api_token_domain where api_token_id = $1")
            .bind(token_id)
            .fetch_all(&mut tx)
            .await?;
    let old_domains: Vec<i64> = old_domains.into_iter().map(|(id,)| id).collect();
    let name_of = |ids: &[i64]| -> String {
        let names: Vec<&str> = domains
            .iter()
            .filter(|domain| ids.contains(&domain.id))
            .map(|domain| domain.name.as_str())
            .collect();
        names.join(", ")
    };
    let before_domains = match held.all_domains {
        1 => "all domains".to_string(),
        _ => name_of(&old_domains),
    };
    let after_domains = match &new.domains {
        DomainConstraint::AllDomains => "all domains".to_string(),
        DomainConstraint::Only(ids) => name_of(ids),
    };
    let new_scopes = ScopeSet::of_ops(&new.scopes);
    let mut changes = Vec::new();
    if held.name != new.name.as_str() {
        changes.push(format!("Name: {} → {}", held.name, new.name.as_str()));
    }
    let (old_names, new_names) = (held.scopes.to_strings(), new_scopes.to_strings());
    let added: Vec<&str> = new_names
        .iter()
        .filter(|scope| !old_names.contains(scope))
        .map(String::as_str)
        .collect();
    let removed: Vec<&str> = old_names
        .iter()
        .filter(|scope| !new_names.contains(scope))
        .map(String::as_str)
        .collect();
    // "Narrow to what it used" worked its change out before this transaction: if the token was
    // widened (or renamed) meanwhile, applying it would undo that under the name "narrowed".
    let widens_domains = match (&new.domains, held.all_domains) {
        (_, 1) => false,
        (DomainConstraint::AllDomains, _) => true,
        (DomainConstraint::Only(ids), _) => ids.iter().any(|id| !old_domains.contains(id)),
    };
    let renamed = held.name != new.name.as_str();
    if action == AuditAction::TokenNarrowed && (!added.is_empty() || widens_domains || renamed) {
        return Err(Error::Widens(FieldErrors::single(
            "scopes",
            "The token's access changed while it was being narrowed. Open its page again and narrow it from there.",
        )));
    }
    if !added.is_empty() {
        changes.push(format!("Scopes added: {}", added.join(", ")));
    }
    if !removed.is_empty() {
        changes.push(format!("Scopes removed: {}", removed.join(", ")));
    }
    if before_domains != after_domains {
        changes.push(format!("Domains: {before_domains} → {after_domains}"));
    }
    if changes.is_empty() {
        return Ok(String::new());
    }
    db::query(
        "update api_token set name = $1, scopes = $2, all_domains = $3 where api_token_id = $4",
    )
    .bind(new.name.as_str())
    .bind(new_scopes)
    .bind(i64::from(new.domains == DomainConstraint::AllDomains))
    .bind(token_id)
    .execute(&mut tx)
    .await?;
    db::query("delete from api_token_domain where api_token_id = $1")
        .bind(token_id)
        .execute(&mut tx)
        .await?;
    let mut orphaned = Vec::new();
    if let DomainConstraint::Only(ids) = &new.domains {
        for domain_id in ids {
            db::query("insert into api_token_domain (api_token_id, domain_id) values ($1, $2)")
                .bind(token_id)
                .bind(domain_id)
                .execute(&mut tx)
                .await?;
        }
        // The ids are the account's own, read from the database above: whole numbers only.
        let kept: Vec<String> = ids.iter().map(i64::to_string).collect();
        let revoke = RevokeLive {
            at: now,
            account_id: owner.account_id,
            token_id,
            actor: &owner.email,
        };
        orphaned = revoke
            .run(
                &mut tx,
                &format!(
                    "created_by_token_id = $3 and kind = 'message' and mailbox_id in
                       (select mailbox_id from mailbox where domain_id not in ({}))",
                    kept.join(", ")
                ),
            )
            .await?;
    }
    if !orphaned.is_empty() {
        changes.push(format!(
            "{} message token{} it minted outside its new domains: revoked",
            orphaned.len(),
            if orphaned.len() == 1 { "" } else { "s" }
        ));
    }
    let detail = changes.join("; ");
    if !apply {
        // Dropping the transaction rolls back everything above.
        return Ok(detail);
    }
    let mut after = held;
    after.name = new.name.as_str().to_string();
    audit(
        &mut tx,
        owner,
        (token_id, &after),
        action,
        &detail,
        (client, now),
    )
    .await?;
    for (id, name, prefix, _) in &orphaned {
        record(
            &mut tx,
            AuditEntry {
                account_id: owner.account_id,
                action: AuditAction::MessageTokenRevoked,
                token_id: Some(*id),
                token_name: name,
                token_prefix: prefix,
                actor: &owner.email,
                client,
                at: now,
                detail: "Its ops token no longer reaches this mailbox's domain",
            },
        )
        .await?;
    }
    db::commit(tx).await?;
    tracing::info!(token_id, "token access changed");
    Ok(detail)
}
