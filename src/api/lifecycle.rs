//! Changing a live token from the dashboard: pause and resume, a new expiration, an IP allowlist,
//! rotation; and the account's token policy. Owner only. Each change answers a plain form post
//! (the token's page, without JavaScript) with a redirect to the list confirming it.

use crate::domain::token_policy::TokenPolicy;
use crate::model::error::AppError;
use crate::model::tokens::CreatedToken;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// Back to the list, confirming `change` of token `id` (`?paused=12`).
#[cfg(feature = "ssr")]
fn confirm(change: &str, id: i64) {
    leptos_axum::redirect(&format!("{}?{change}={id}", crate::model::routes::TOKENS));
}

/// Pauses (`paused` true) or resumes a live token. Repeating it changes nothing.
#[server(endpoint = "set_token_paused")]
pub async fn set_token_paused(id: i64, paused: bool) -> Result<(), AppError> {
    use crate::api::context::{client_meta, require_owner, state};
    let (pool, client) = (state().pool.clone(), client_meta());
    let owner = require_owner().await?;
    crate::server::tokens::set_paused(&pool, &owner, id, paused, &client).await?;
    confirm(if paused { "paused" } else { "resumed" }, id);
    Ok(())
}

/// A new expiration for a live ops token (`7d`, `30d`, `90d`, `custom` with `expiration_date`,
/// `never`), within the token policy.
#[server(endpoint = "change_token_expiration")]
pub async fn change_token_expiration(
    id: i64,
    expiration: String,
    expiration_date: Option<String>,
) -> Result<(), AppError> {
    use crate::api::context::{client_meta, require_owner, state};
    let (pool, client) = (state().pool.clone(), client_meta());
    let owner = require_owner().await?;
    let change = crate::server::tokens::ExpirationChange {
        expiration: &expiration,
        expiration_date: expiration_date.as_deref().unwrap_or(""),
    };
    crate::server::tokens::change_expiration(&pool, &owner, id, change, &client).await?;
    confirm("expiration_changed", id);
    Ok(())
}

/// Replaces a live ops token's IP allowlist; empty allows any address.
#[server(endpoint = "set_token_ip_allowlist")]
pub async fn set_token_ip_allowlist(id: i64, ip_allowlist: String) -> Result<(), AppError> {
    use crate::api::context::{client_meta, require_owner, state};
    let (pool, client) = (state().pool.clone(), client_meta());
    let owner = require_owner().await?;
    crate::server::tokens::set_ip_allowlist(&pool, &owner, id, &ip_allowlist, &client).await?;
    confirm("allowlist_changed", id);
    Ok(())
}

/// Rotates a live ops token; the answer holds the new secret (this once) and is never cached.
/// `grace`: `now`, `1h`, `24h` or `7d` (see `domain::rotation`).
#[server(endpoint = "rotate_token", input = Json)]
pub async fn rotate_token(id: i64, grace: String) -> Result<CreatedToken, AppError> {
    use crate::api::context::{client_meta, no_store, require_owner, state};
    no_store();
    let (pool, client, hour_ms) = (
        state().pool.clone(),
        client_meta(),
        state().config.rotation_hour_ms,
    );
    let owner = require_owner().await?;
    let grace = parse_grace(&grace)?;
    crate::server::tokens::rotate(&pool, &owner, id, grace, hour_ms, &client)
        .await
        .map_err(AppError::from)
}

#[cfg(feature = "ssr")]
fn parse_grace(grace: &str) -> Result<crate::domain::rotation::Grace, AppError> {
    crate::domain::rotation::Grace::parse(grace).map_err(|message| {
        AppError::Invalid(crate::domain::field::FieldErrors::single("grace", message)).fail()
    })
}

/// The rotate page's POST (without JavaScript), acted on once per request as the create page's
/// is (see `OncePerRequest`); the answer is the reveal of the new secret.
#[cfg(feature = "ssr")]
pub async fn rotate_token_from_page(
    id: i64,
    grace: String,
    once: crate::api::tokens::OncePerRequest,
) -> Result<CreatedToken, AppError> {
    use crate::api::context::{client_meta, require_owner, state};
    let (pool, client, hour_ms) = (
        state().pool.clone(),
        client_meta(),
        state().config.rotation_hour_ms,
    );
    let owner = require_owner().await;
    crate::api::tokens::answer_page(once, move || async move {
        let grace = parse_grace(&grace)?;
        crate::server::tokens::rotate(&pool, &owner?, id, grace, hour_ms, &client)
            .await
            .map_err(AppError::from)
    })
    .await
}

/// The token policy and the live tokens that last longer than it allows new ones to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyView {
    pub policy: TokenPolicy,
    /// Name, visible prefix and expiry (`None`: never) of each token beyond the maximum.
    pub beyond: Vec<(String, String, Option<i64>)>,
}

#[server(endpoint = "token_policy")]
pub async fn get_token_policy() -> Result<PolicyView, AppError> {
    use crate::api::context::{require_owner, state};
    let pool = state().pool.clone();
    let owner = require_owner().await?;
    let policy = crate::server::tokens::policy(&pool, owner.account_id).await?;
    let beyond = crate::server::tokens::beyond_policy(&pool, owner.account_id, &policy)
        .await?
        .into_iter()
        .map(|(_, name, prefix, expires_at)| (name, prefix, expires_at))
        .collect();
    Ok(PolicyView { policy, beyond })
}

/// Sets the token policy: `max_lifetime` (`none`, `30`, `90`, `180`, `365`) and
/// `default_expiration` (`7d`, `30d`, `90d`, `never`, within the maximum).
#[server(endpoint = "set_token_policy")]
pub async fn set_token_policy(
    max_lifetime: String,
    default_expiration: String,
) -> Result<(), AppError> {
    use crate::api::context::{client_meta, require_owner, state};
    let (pool, client) = (state().pool.clone(), client_meta());
    let owner = require_owner().await?;
    let policy = TokenPolicy::parse(&max_lifetime, &default_expiration)
        .map_err(|errors| AppError::Invalid(errors).fail())?;
    crate::server::tokens::set_policy(&pool, &owner, &policy, &client).await?;
    leptos_axum::redirect(&format!("{}?saved=1", crate::model::routes::TOKEN_POLICY));
    Ok(())
}

/// "Edit access": a live ops token's name, scopes and domains (the form's other fields are not
/// read), without a new secret. Answers what changed, in words ("" when nothing did).
#[server(endpoint = "edit_token_access", input = Json)]
pub async fn edit_token_access(
    id: i64,
    form: crate::domain::new_token::CreateTokenForm,
) -> Result<String, AppError> {
    use crate::api::context::{client_meta, require_owner, state};
    let (pool, client) = (state().pool.clone(), client_meta());
    let owner = require_owner().await?;
    crate::server::tokens::edit_access(
        &pool,
        &owner,
        id,
        &form,
        true,
        &client,
        crate::domain::audit::AuditAction::TokenAccessChanged,
    )
    .await
    .map_err(AppError::from)
}

/// The edit page's POST (without JavaScript), acted on once per request: the review step says
/// what would change; the save step (`apply`) changes it and answers with a redirect to the list.
#[cfg(feature = "ssr")]
pub async fn edit_access_from_page(
    id: i64,
    form: crate::domain::new_token::CreateTokenForm,
    apply: bool,
    once: crate::api::tokens::OncePerRequest<String>,
) -> Result<String, AppError> {
    use crate::api::context::{client_meta, require_owner, state};
    let (pool, client) = (state().pool.clone(), client_meta());
    let owner = require_owner().await;
    let outcome = crate::api::tokens::answer_page(once, move || async move {
        crate::server::tokens::edit_access(
            &pool,
            &owner?,
            id,
            &form,
            apply,
            &client,
            crate::domain::audit::AuditAction::TokenAccessChanged,
        )
        .await
        .map_err(AppError::from)
    })
    .await;
    if apply && outcome.is_ok() {
        confirm("access_changed", id);
    }
    outcome
}

/// Which tokens "Revoke all…" takes: `scope` `all`, or `domain` with one of the account's
/// domain ids.
#[cfg(feature = "ssr")]
fn emergency_scope(
    scope: &str,
    domain: Option<i64>,
) -> Result<crate::server::tokens::EmergencyScope, AppError> {
    use crate::server::tokens::EmergencyScope;
    match (scope, domain) {
        ("all", _) => Ok(EmergencyScope::Everything),
        ("domain", Some(domain)) => Ok(EmergencyScope::Domain(domain)),
        ("domain", None) => Err(AppError::Invalid(crate::domain::field::FieldErrors::single(
            "domain",
            "Choose the domain whose tokens to revoke.",
        ))
        .fail()),
        _ => Err(AppError::Invalid(crate::domain::field::FieldErrors::single(
            "scope",
            "Choose every token, or the tokens that can reach one domain.",
        ))
        .fail()),
    }
}

/// A token "Revoke all…" would take.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmergencyTarget {
    pub name: String,
    pub prefix: String,
    pub kind: crate::domain::token::TokenKind,
}

/// The tokens "Revoke all…" would take now, for the confirmation to list.
#[server(endpoint = "emergency_targets")]
pub async fn list_emergency_targets(
    scope: String,
    domain: Option<i64>,
) -> Result<Vec<EmergencyTarget>, AppError> {
    use crate::api::context::{require_owner, state};
    let pool = state().pool.clone();
    let owner = require_owner().await?;
    let scope = emergency_scope(&scope, domain)?;
    let targets = crate::server::tokens::emergency_targets(&pool, owner.account_id, scope).await?;
    Ok(targets
        .into_iter()
        .map(|(_, name, prefix, kind)| EmergencyTarget {
            name,
            prefix,
            kind: crate::domain::token::TokenKind::parse(&kind)
                .unwrap_or(crate::domain::token::TokenKind::Ops),
        })
        .collect())
}

/// Revokes every live token `scope` takes, once `confirmation` is the account's name.
#[server(endpoint = "emergency_revoke")]
pub async fn emergency_revoke(
    scope: String,
    domain: Option<i64>,
    confirmation: String,
) -> Result<usize, AppError> {
    use crate::api::context::{client_meta, require_owner, state};
    let (pool, client) = (state().pool.clone(), client_meta());
    let owner = require_owner().await?;
    let scope = emergency_scope(&scope, domain)?;
    let count =
        crate::server::tokens::emergency_revoke(&pool, &owner, scope, &confirmation, &client)
            .await?;
    leptos_axum::redirect(&format!(
        "{}?{}={count}",
        crate::model::routes::TOKENS,
        crate::model::routes::EMERGENCY_KEY
    ));
    Ok(count)
}
