//! The account, its Drive Storage Add-on, and the Email Verifier (so Nano tokens have work).

use super::access::Caller;
use super::error::ApiError;
use super::extract::ApiJson;
use super::{optional_timestamp, timestamp};
use crate::domain::email::{self, Verdict, VerifyMode};
use crate::domain::field::present;
use crate::server::account;
use crate::server::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Account {
    id: i64,
    name: String,
    /// `nano`, `starter`, `pro` or `agency`.
    plan: &'static str,
    plan_label: &'static str,
    created_at: String,
    add_ons: AddOns,
    limits: Limits,
    usage: Usage,
}

#[derive(Serialize, ToSchema)]
pub struct AddOns {
    drive_storage: DriveStorage,
}

#[derive(Serialize, ToSchema)]
pub struct DriveStorage {
    active: bool,
    size_gb: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Limits {
    forwarding_targets_per_mailbox: usize,
    /// Whether the plan includes the Message API (message tokens).
    message_tokens: bool,
    api_requests_per_minute_per_token: u32,
    /// The scopes the plan lets a token use.
    allowed_scopes: Vec<&'static str>,
}

#[derive(Serialize, ToSchema)]
pub struct Usage {
    domains: i64,
    mailboxes: i64,
    active_ops_tokens: i64,
    active_message_tokens: i64,
    verify_credits_remaining: i64,
}

/// Plan, add-ons, limits and usage.
#[utoipa::path(get, path = "/api/v1/account", tag = "account",
    responses((status = 200, description = "The account", body = Account)))]
pub async fn get_account(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Account>, ApiError> {
    let record = account::load(&state.pool, caller.account_id).await?;
    let usage = account::usage(&state.pool, caller.account_id).await?;
    let access = caller.access;
    Ok(Json(Account {
        id: caller.account_id,
        name: record.name,
        plan: access.plan.as_str(),
        plan_label: access.plan.label(),
        created_at: timestamp(record.created_at),
        add_ons: AddOns {
            drive_storage: DriveStorage {
                active: access.drive_addon,
                size_gb: record.drive_addon_size_gb,
            },
        },
        limits: Limits {
            forwarding_targets_per_mailbox: access.forwarding_target_cap(),
            message_tokens: access.has_message_api(),
            api_requests_per_minute_per_token: state.config.api_rate_limit,
            allowed_scopes: access.allowed_scopes().iter().map(|s| s.name()).collect(),
        },
        usage: Usage {
            domains: usage.domains,
            mailboxes: usage.mailboxes,
            active_ops_tokens: usage.active_ops_tokens,
            active_message_tokens: usage.active_message_tokens,
            verify_credits_remaining: record.verify_credits,
        },
    }))
}

#[derive(Serialize, ToSchema)]
pub struct DriveAddon {
    active: bool,
    /// `active` or `not_purchased`.
    status: &'static str,
    in_grace: bool,
    size_gb: Option<i64>,
    current_period_ends_at: Option<String>,
    hard_delete_at: Option<String>,
}

/// The Drive Storage Add-on's status. Buying, resizing and cancelling happen in the dashboard.
#[utoipa::path(get, path = "/api/v1/drive/addon", tag = "drive",
    responses((status = 200, description = "Add-on status", body = DriveAddon)))]
pub async fn drive_addon_get(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<DriveAddon>, ApiError> {
    let record = account::load(&state.pool, caller.account_id).await?;
    let active = caller.access.drive_addon;
    Ok(Json(DriveAddon {
        active,
        status: if active { "active" } else { "not_purchased" },
        in_grace: false,
        size_gb: active.then_some(record.drive_addon_size_gb).flatten(),
        current_period_ends_at: optional_timestamp(
            active.then_some(record.drive_addon_renews_at).flatten(),
        ),
        hard_delete_at: None,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Credits {
    credits_remaining: i64,
    costs: Costs,
}

#[derive(Serialize, ToSchema)]
pub struct Costs {
    quick: i64,
    deep: i64,
}

/// Credits left for the Email Verifier.
#[utoipa::path(get, path = "/api/v1/verify/credits", tag = "verifier",
    responses((status = 200, description = "Credits", body = Credits)))]
pub async fn verify_credits(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Credits>, ApiError> {
    let record = account::load(&state.pool, caller.account_id).await?;
    Ok(Json(Credits {
        credits_remaining: record.verify_credits,
        costs: Costs {
            quick: VerifyMode::Quick.credits(),
            deep: VerifyMode::Deep.credits(),
        },
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The address to check: 1 to 320 characters, not blank.
    #[schema(min_length = 1, max_length = 320)]
    email: String,
    /// `quick` (default, 1 credit) or `deep` (2 credits: adds disposable, role, typo and
    /// provider checks).
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    mode: Option<VerifyMode>,
}

#[derive(Serialize, ToSchema)]
pub struct VerifyReply {
    #[serde(flatten)]
    verdict: Verdict,
    credits_charged: i64,
    credits_remaining: i64,
}

/// Checks one address's syntax and domain (no DNS or SMTP probing) and charges its credits.
#[utoipa::path(post, path = "/api/v1/verify", tag = "verifier", request_body = VerifyRequest,
    responses((status = 200, description = "The verdict", body = VerifyReply)))]
pub async fn verify_email(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<VerifyRequest>,
) -> Result<Json<VerifyReply>, ApiError> {
    let mode = request.mode.unwrap_or(VerifyMode::Quick);
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
    let credits_remaining =
        account::charge_verification(&state.pool, caller.account_id, cost, caller.token_id).await?;
    Ok(Json(VerifyReply {
        verdict: email::verify(request.email.trim(), mode),
        credits_charged: cost,
        credits_remaining,
    }))
}
