//! "Narrow to what it used": a live ops token keeps only the scopes its requests of the last 30
//! days used, and the domains they touched when the log names them. Worked out again here from
//! the log, never from the page; applied by "Edit access" (the same checks and transaction), so
//! it can only remove; audited as "Token narrowed".

use super::{account_domains, edit_access, find, Error, Result};
use crate::domain::audit::AuditAction;
use crate::domain::field::FieldErrors;
use crate::domain::new_token::CreateTokenForm;
use crate::server::activity::report;
use crate::server::auth::SessionUser;
use crate::server::client::ClientMeta;
use crate::server::db::{now_ms, Pool};

/// Narrows the token and returns what changed, in words; with `apply` false, only says what it
/// would change (the confirmation page), including the message tokens it would revoke.
pub async fn narrow_to_usage(
    pool: &Pool,
    owner: &SessionUser,
    token_id: i64,
    retention_days: i64,
    apply: bool,
    client: &ClientMeta,
) -> Result<String> {
    let token = find(pool, owner.account_id, token_id)
        .await?
        .ok_or(Error::NotFound)?;
    if !token.is_live() {
        return Err(Error::NotActive);
    }
    let domains = account_domains(pool, owner.account_id).await?;
    let usage = report::usage(pool, &token, &domains, retention_days, now_ms()).await?;
    if let Some(why) = usage.uncovered {
        return Err(Error::Invalid(FieldErrors::single("scopes", why)));
    }
    if usage.narrowing.is_empty() {
        return Err(Error::Invalid(FieldErrors::single(
            "scopes",
            if usage.scopes.iter().any(|(_, used)| *used) {
                "It already holds only what it used in the last 30 days: there is nothing to remove."
            } else {
                "It used none of its scopes in the last 30 days. Revoke it instead of narrowing it."
            },
        )));
    }
    let scopes = usage
        .scopes
        .iter()
        .filter(|(_, used)| *used)
        .map(|(name, _)| name.clone())
        .collect();
    let granted_ids: Vec<i64> = domains
        .iter()
        .filter(|domain| {
            token
                .domains
                .as_ref()
                .is_none_or(|names| names.contains(&domain.name))
        })
        .map(|domain| domain.id)
        .collect();
    // The touched domains it still reaches; else it keeps the domains it has.
    let touched: Vec<i64> = match &usage.domains_used {
        Some(used) => domains
            .iter()
            .filter(|domain| used.contains(&domain.name) && granted_ids.contains(&domain.id))
            .map(|domain| domain.id)
            .collect(),
        None => Vec::new(),
    };
    let (domain_mode, domain_ids) = match (touched.is_empty(), &token.domains) {
        (false, _) => ("selected", touched),
        (true, None) => ("all", Vec::new()),
        (true, Some(_)) => ("selected", granted_ids),
    };
    let form = CreateTokenForm {
        name: token.name.clone(),
        scopes,
        domain_mode: domain_mode.into(),
        domain_ids,
        ..CreateTokenForm::default()
    };
    edit_access(
        pool,
        owner,
        token_id,
        &form,
        apply,
        client,
        AuditAction::TokenNarrowed,
    )
    .await
}
