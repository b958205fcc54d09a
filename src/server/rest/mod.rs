//! The REST API under `/api/v1`, called with ops tokens (`tm_live_`) and message tokens
//! (`tm_msg_`). Routes and their OpenAPI description are registered together (utoipa-axum), the
//! access rules come from one table ([`access::ENDPOINTS`]), and every reply goes through one
//! envelope ([`error::envelope`]).

/// Bearer authentication, rate limiting, token kinds and scopes.
pub mod access;
/// `/account`, `/drive/addon` and the Email Verifier.
pub mod account;
/// The error envelope and request ids.
pub mod error;
/// Parsing bodies, queries and ids.
pub mod extract;
/// `Idempotency-Key` replays.
pub mod idempotency;
/// Domains, mailboxes and forwarding.
pub mod mail;
/// `/me` and `/messages/_me`.
pub mod me;
/// Minting, listing and revoking message tokens.
pub mod message_tokens;
/// A message token's mailbox: listing and sending messages.
pub mod messages;
/// The per-token request budget.
pub mod rate_limit;

use crate::server::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get};
use axum::{middleware, Json, Router};
use http::Method;
use serde::Serialize;
use std::sync::Arc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Largest request body accepted (a send with a full HTML body and attachments fits).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The shape of every error reply (for the OpenAPI document).
#[derive(Serialize, ToSchema)]
pub struct ErrorReply {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
struct ErrorDetail {
    /// `invalid_token`, `insufficient_scope`, `wrong_token_type`, `not_found`,
    /// `validation_error`, `limit_exceeded`, `feature_not_available`, `token_scope_blocked_by_plan`,
    /// `insufficient_credits`,
    /// `rate_limited`, `idempotency_key_reused`, `idempotency_key_in_use`, `invalid_json`,
    /// `unsupported_media_type`, `payload_too_large`, `internal_error`.
    code: String,
    message: String,
    /// The `X-Request-Id` of the request.
    request_id: String,
    /// Whether retrying the same request may succeed.
    retryable: bool,
    /// The offending field (`validation_error`).
    field: Option<String>,
    /// Seconds to wait (`rate_limited`).
    retry_after: Option<u64>,
    /// The scopes the endpoint needs (`insufficient_scope`).
    required_scopes: Option<Vec<String>>,
}

/// Every documented route, each registered with its handler.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me::whoami))
        .routes(routes!(me::whoami_message_token))
        .routes(routes!(account::get_account))
        .routes(routes!(account::drive_addon_get))
        .routes(routes!(account::verify_credits))
        .routes(routes!(account::verify_email))
        .routes(routes!(mail::list_domains))
        .routes(routes!(mail::get_domain))
        .routes(routes!(mail::list_mailboxes))
        .routes(routes!(mail::get_mailbox))
        .routes(routes!(mail::get_forwarding, mail::set_forwarding))
        .routes(routes!(
            message_tokens::create_message_token,
            message_tokens::list_message_tokens
        ))
        .routes(routes!(
            message_tokens::revoke_message_token,
            message_tokens::narrow_message_token
        ))
        .routes(routes!(messages::list_messages))
        .routes(routes!(messages::send_message))
}

/// The OpenAPI document: the routes above, plus each operation's token kind and scope taken
/// from the access table, so the document states exactly what the server enforces.
fn document(mut api: OpenApi) -> OpenApi {
    api.info.title = "TrekMail API".into();
    api.info.version = "1".into();
    api.info.description = Some(
        "Ops tokens (tm_live_…) manage the account; message tokens (tm_msg_…) reach one mailbox. \
         Errors use {\"error\": {\"code\", \"message\", \"request_id\"}}."
            .into(),
    );
    let components = api.components.get_or_insert_with(Default::default);
    for (name, description) in [
        ("ops_token", "An ops token: tm_live_…"),
        ("message_token", "A message token: tm_msg_…"),
    ] {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(description))
            .build();
        components
            .security_schemes
            .insert(name.to_string(), SecurityScheme::Http(scheme).into());
    }
    for (path, item) in api.paths.paths.iter_mut() {
        let operations = [
            (Method::GET, &mut item.get),
            (Method::PUT, &mut item.put),
            (Method::POST, &mut item.post),
            (Method::DELETE, &mut item.delete),
            (Method::PATCH, &mut item.patch),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else { continue };
            let endpoint = access::endpoint(&method, path).unwrap_or_else(|| {
                panic!("BUG: {method} {path} is missing from access::ENDPOINTS")
            });
            let scheme = match endpoint.token {
                crate::domain::token::TokenKind::Ops => "ops_token",
                crate::domain::token::TokenKind::Message => "message_token",
            };
            // One alternative per scope that satisfies the route; none needed is one empty list.
            let names = endpoint.needs.names();
            let alternatives: Vec<Vec<&str>> = if names.is_empty() {
                vec![vec![]]
            } else {
                names.into_iter().map(|name| vec![name]).collect()
            };
            operation.security = Some(
                alternatives
                    .into_iter()
                    .map(|scopes| SecurityRequirement::new(scheme, scopes))
                    .collect(),
            );
        }
    }
    api
}

/// The API's router, merged into the application's.
pub fn router(state: AppState) -> Router<AppState> {
    let (routes, api) = api_routes().split_for_parts();
    let document = Arc::new(document(api));
    routes
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::idempotency,
        ))
        .route_layer(middleware::from_fn_with_state(state, access::authorize))
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let document = document.clone();
                async move { Json(document.as_ref().clone()) }
            }),
        )
        .route("/api/v1", any(error::unknown_endpoint))
        .route("/api/v1/{*rest}", any(error::unknown_endpoint))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(error::envelope))
}

/// API timestamps: RFC 3339 in UTC, to the second.
pub fn timestamp(ms: i64) -> String {
    crate::domain::time::to_datetime(ms).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn optional_timestamp(ms: Option<i64>) -> Option<String> {
    ms.map(timestamp)
}
