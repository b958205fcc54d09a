//! The REST API under `/api/v1`, called with ops tokens (`tm_live_`) and message tokens
//! (`tm_msg_`). Routes and their OpenAPI description are registered together (utoipa-axum), the
//! access rules come from one table ([`access::ENDPOINTS`]), and every reply goes through one
//! envelope ([`error::envelope`]).

/// Bearer authentication, rate limiting, token kinds and scopes.
pub mod access;
/// `/account`, `/drive/addon` and the Email Verifier.
pub mod account;
/// Who is calling: the bearer token, found and checked live.
pub mod authenticate;
/// The error envelope and request ids.
pub mod error;
/// Parsing bodies and ids.
pub mod extract;
/// `Idempotency-Key` replays.
pub mod idempotency;
/// Leak reports: `POST /api/v1/credentials/revoke`, without a token.
pub mod leak;
/// Domains, mailboxes and forwarding.
pub mod mail;
/// `/me` and `/messages/_me`.
pub mod me;
/// Minting, listing and revoking message tokens.
pub mod message_tokens;
/// A message token's mailbox: listing and sending messages.
pub mod messages;
/// Typed query parameters with their bounds.
pub mod params;
/// The per-token request budget.
pub mod rate_limit;
/// Schemas stating the domain's word lists and name rules.
pub mod schema;
/// Tokens already looked up, trusted until the next write.
pub mod token_cache;

use crate::server::paging::PageRequest;
use crate::server::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get};
use axum::{middleware, Json, Router};
use http::Method;
use serde::Serialize;
use std::sync::Arc;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::{PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Largest request body accepted (a send with a full HTML body and attachments fits).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The `meta` of a numbered list.
#[derive(Serialize, ToSchema)]
pub struct PageMeta {
    page: i64,
    per_page: i64,
    total: i64,
    total_pages: i64,
}

impl PageMeta {
    pub fn new(page: PageRequest, total: i64) -> PageMeta {
        PageMeta {
            page: page.page,
            per_page: page.per_page,
            total,
            total_pages: (total + page.per_page - 1) / page.per_page,
        }
    }
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
    // The envelope every refusal uses (`document_refusals` points at it).
    let mut schemas = vec![(
        error::ErrorReply::name().into(),
        error::ErrorReply::schema(),
    )];
    <error::ErrorReply as ToSchema>::schemas(&mut schemas);
    components.schemas.extend(schemas);
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
            document_refusals(operation, &method, path);
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

/// Adds every refusal an operation can answer, each with the error envelope: what any call can
/// meet (401, 403, 429, 500, 503), and what a path id or a query naming an id (404), a query (422), a
/// JSON body (400, 415) or a change with its `Idempotency-Key` (409, 413, 422) adds. (A method a
/// path lacks answers 405 with `Allow`; that is no operation's answer, so none lists it.)
fn document_refusals(operation: &mut Operation, method: &Method, path: &str) {
    let mut refusals: Vec<(u16, &str)> = vec![
        (401, "Missing, malformed, unknown, expired, revoked or paused token, or an old secret past its rotation's grace period (`invalid_token`)"),
        (403, "A call from outside the token's IP allowlist (`ip_not_allowed`), wrong token kind, scope not granted or no longer in the plan, or a feature the plan lacks"),
        (429, "Too many requests for this token (`rate_limited`, with `retry_after`)"),
        (500, "Something failed on our side (`internal_error`)"),
        (503, "The database cannot be reached or cannot store changes right now (`service_unavailable`, with `retry_after`); nothing was changed"),
    ];
    let query_names: Vec<&str> = operation
        .parameters
        .iter()
        .flatten()
        .filter_map(|parameter| match parameter {
            RefOr::T(parameter) if parameter.parameter_in == ParameterIn::Query => {
                Some(parameter.name.as_str())
            }
            _ => None,
        })
        .collect();
    // A path id, or a query naming a resource by id, may name one that is not there.
    if path.contains('{') || query_names.iter().any(|name| name.ends_with("_id")) {
        refusals.push((404, "Not found, or outside the token's reach (`not_found`)"));
    }
    let has_body = operation.request_body.is_some();
    let changes = *method != Method::GET;
    if has_body {
        refusals.extend([
            (400, "The body is not JSON (`invalid_json`)"),
            (
                415,
                "The body is not sent as application/json (`unsupported_media_type`)",
            ),
        ]);
    }
    // A change reads its whole body (for the Idempotency-Key's hash) even when it takes none.
    if has_body || changes {
        refusals.push((413, "The body is larger than 2 MiB (`payload_too_large`)"));
    }
    if changes {
        refusals.push((422, "A value broke a rule (`validation_error`, naming the `field`), or an Idempotency-Key was reused for another request (`idempotency_key_reused`)"));
        refusals.push((409, "A request with this Idempotency-Key is still running (`idempotency_key_in_use`), or the change conflicts with the resource as it is (`token_not_active`, `token_cannot_widen`, `no_forwarding_targets`)"));
    } else if !query_names.is_empty() {
        refusals.push((
            422,
            "A query value broke a rule (`validation_error`, naming the `field`)",
        ));
    }
    for (status, description) in refusals {
        let status = status.to_string();
        if operation.responses.responses.contains_key(&status) {
            continue;
        }
        let response = ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorReply")))
                    .build(),
            )
            .build();
        operation
            .responses
            .responses
            .insert(status, response.into());
    }
}

/// The API's router, merged into the application's.
pub fn router(state: AppState) -> Router<AppState> {
    let (routes, api) = api_routes().split_for_parts();
    let mut document =
        serde_json::to_value(document(api)).expect("the OpenAPI document serializes");
    schema::refine(&mut document);
    let document = Arc::new(document);
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
        // No token: whoever found a leaked secret reports it (`leak.rs`).
        .route(
            "/api/v1/credentials/revoke",
            axum::routing::post(leak::report),
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
