//! The account, its Drive Storage Add-on, and the Email Verifier (so Nano tokens have work).

use super::access::{token_still_live, Caller};
use super::error::ApiError;
use super::extract::ApiJson;
use super::{optional_timestamp, ErrorReply};
use crate::domain::email::{self, Verdict, VerifyMode};
use crate::server::db::now_ms;
use crate::server::state::AppState;
use axum::extract::State;
use axum::Json;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

#[derive(sqlx::FromRow)]
struct AccountRecord {
    name: String,
    created_at: i64,
    verify_credits: i64,
    drive_addon_size_gb: Option<i64>,
    drive_addon_renews_at: Option<i64>,
}

async fn load(state: &AppState, caller: &Caller) -> Result<AccountRecord, ApiError> {
    Ok(sqlx::query_as(
        "select name, created_at, verify_credits, drive_addon_size_gb, drive_addon_renews_at
           from account where account_id = $1",
    )
    .bind(caller.account_id)
    .fetch_one(&state.pool)
    .await?)
}

/// Plan, add-ons, limits and usage.
#[utoipa::path(get, path = "/api/v1/account", tag = "account",
    responses((status = 200, description = "The account", body = Object), (status = 403, description = "Wrong token kind, missing scope, or not on this plan", body = ErrorReply)))]
pub async fn get_account(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let record = load(&state, &caller).await?;
    let now = now_ms();
    let (domains, mailboxes, ops_tokens, message_tokens): (i64, i64, i64, i64) = sqlx::query_as(
        "select
            (select count(*) from domain where account_id = $1),
            (select count(*) from mailbox m join domain d on d.domain_id = m.domain_id where d.account_id = $1),
            (select count(*) from api_token where account_id = $1 and kind = 'ops'
                and revoked_at is null and (expires_at is null or expires_at > $2)),
            (select count(*) from api_token where account_id = $1 and kind = 'message'
                and revoked_at is null and (expires_at is null or expires_at > $2))",
    )
    .bind(caller.account_id)
    .bind(now)
    .fetch_one(&state.pool)
    .await?;
    let access = caller.access;
    Ok(Json(json!({
        "id": caller.account_id,
        "name": record.name,
        "plan": access.plan.as_str(),
        "plan_label": access.plan.label(),
        "created_at": super::timestamp(record.created_at),
        "add_ons": {
            "drive_storage": { "active": access.drive_addon, "size_gb": record.drive_addon_size_gb },
        },
        "limits": {
            "forwarding_targets_per_mailbox": access.forwarding_target_cap(),
            "message_tokens": access.has_message_api(),
            "api_requests_per_minute_per_token": state.config.api_rate_limit,
            "allowed_scopes": access.allowed_scopes().iter().map(|scope| scope.name()).collect::<Vec<_>>(),
        },
        "usage": {
            "domains": domains,
            "mailboxes": mailboxes,
            "active_ops_tokens": ops_tokens,
            "active_message_tokens": message_tokens,
            "verify_credits_remaining": record.verify_credits,
        },
    })))
}

/// The Drive Storage Add-on's status. Buying, resizing and cancelling happen in the dashboard.
#[utoipa::path(get, path = "/api/v1/drive/addon", tag = "drive",
    responses((status = 200, description = "Add-on status", body = Object), (status = 403, description = "Wrong token kind, missing scope, or not on this plan", body = ErrorReply)))]
pub async fn drive_addon_get(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let record = load(&state, &caller).await?;
    let active = caller.access.drive_addon;
    Ok(Json(json!({
        "active": active,
        "status": if active { "active" } else { "not_purchased" },
        "in_grace": false,
        "size_gb": active.then_some(record.drive_addon_size_gb).flatten(),
        "current_period_ends_at": optional_timestamp(active.then_some(record.drive_addon_renews_at).flatten()),
        "hard_delete_at": Value::Null,
    })))
}

/// Credits left for the Email Verifier.
#[utoipa::path(get, path = "/api/v1/verify/credits", tag = "verifier",
    responses((status = 200, description = "Credits", body = Object), (status = 403, description = "Wrong token kind, missing scope, or not on this plan", body = ErrorReply)))]
pub async fn verify_credits(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let record = load(&state, &caller).await?;
    Ok(Json(json!({
        "credits_remaining": record.verify_credits,
        "costs": { "quick": VerifyMode::Quick.credits(), "deep": VerifyMode::Deep.credits() },
    })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The address to check (at most 320 characters).
    email: String,
    /// `quick` (default, 1 credit) or `deep` (2 credits: adds disposable, role, typo and
    /// provider checks).
    mode: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VerifyReply {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    verdict: Verdict,
    credits_charged: i64,
    credits_remaining: i64,
}

/// Checks one address's syntax and domain (no DNS or SMTP probing) and charges its credits.
#[utoipa::path(post, path = "/api/v1/verify", tag = "verifier", request_body = VerifyRequest,
    responses((status = 200, description = "OK", body = VerifyReply), (status = 403, description = "Wrong token kind, missing scope, or not on this plan", body = ErrorReply), (status = 422, description = "Invalid input", body = ErrorReply)))]
pub async fn verify_email(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<VerifyRequest>,
) -> Result<Json<VerifyReply>, ApiError> {
    let mode = match request.mode.as_deref() {
        None => VerifyMode::Quick,
        Some(mode) => VerifyMode::parse(mode)
            .ok_or_else(|| ApiError::validation("mode", "mode must be quick or deep."))?,
    };
    if request.email.trim().is_empty() {
        return Err(ApiError::validation("email", "Give the address to verify."));
    }
    if request.email.chars().count() > 320 {
        return Err(ApiError::validation(
            "email",
            "email can be at most 320 characters.",
        ));
    }
    let cost = mode.credits();
    let now = crate::server::db::now_ms();
    let remaining: Option<(i64,)> = sqlx::query_as(concat!(
        "update account set verify_credits = verify_credits - $1
          where account_id = $2 and verify_credits >= $1 and ",
        token_still_live!("$3", "$4"),
        " returning verify_credits"
    ))
    .bind(cost)
    .bind(caller.account_id)
    .bind(caller.token_id)
    .bind(now)
    .fetch_optional(&state.pool)
    .await?;
    let Some((credits_remaining,)) = remaining else {
        let live: Option<(i64,)> =
            sqlx::query_as(concat!("select 1 where ", token_still_live!("$1", "$2")))
                .bind(caller.token_id)
                .bind(now)
                .fetch_optional(&state.pool)
                .await?;
        if live.is_none() {
            return Err(super::access::token_gone());
        }
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "insufficient_credits",
            format!(
                "A {} check needs {cost} credit(s) and the account has fewer left. Buy more \
                 verifier credits in the dashboard, or try a cheaper mode.",
                mode.as_str()
            ),
        ));
    };
    Ok(Json(VerifyReply {
        verdict: email::verify(request.email.trim(), mode),
        credits_charged: cost,
        credits_remaining,
    }))
}
