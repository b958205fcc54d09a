//! The API's one error type and the envelope every `/api/v1` refusal goes through:
//! `{"error": {"code", "message", "request_id", "retryable", …}}` ([`ErrorReply`], the same struct
//! for the reply and the OpenAPI document), the request id `server::telemetry` gave the request
//! (also in its `X-Request-Id` header), and `Cache-Control: no-store` on every reply. Each
//! service's error becomes an [`ApiError`] here, in one `From` per service.

use crate::domain::field::{FieldError, FieldErrors};
use crate::domain::plan::Plan;
use crate::server::{account, mail, tokens};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::{self, HeaderValue};
use http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

/// What a 503 asks the caller to wait: long enough not to hammer a struggling server, short
/// enough that an agent picks up soon after an operator frees space.
const UNAVAILABLE_RETRY_AFTER_SECONDS: u64 = 30;

/// Every error reply.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ErrorReply {
    pub error: ErrorBody,
}

/// What went wrong. Keys beyond `code`, `message`, `request_id` and `retryable` appear only when
/// they apply; TrekMail's MCP adapter shows them to the agent as details.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct ErrorBody {
    /// `invalid_token`, `ip_not_allowed`, `insufficient_scope`, `token_scope_blocked_by_plan`, `wrong_token_type`,
    /// `feature_not_available`, `not_found`, `method_not_allowed`, `validation_error`,
    /// `limit_exceeded`, `insufficient_credits`, `token_not_active`, `token_cannot_widen`,
    /// `no_forwarding_targets`, `rate_limited`,
    /// `idempotency_key_reused`, `idempotency_key_in_use`, `invalid_json`,
    /// `unsupported_media_type`, `payload_too_large`, `bad_request`, `internal_error`,
    /// `service_unavailable`.
    pub code: &'static str,
    pub message: String,
    /// The `X-Request-Id` of the request: quote it when asking for help.
    pub request_id: String,
    /// Whether retrying the same request may succeed.
    pub retryable: bool,
    /// The field a `validation_error` or `limit_exceeded` concerns, as the request names it
    /// (`name`, `scopes[2]`, `attachments[0].filename`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem of a `validation_error`, the first one being `field`'s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// Seconds to wait before retrying (`rate_limited`, `service_unavailable`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// The scopes that would satisfy the endpoint (`insufficient_scope`,
    /// `token_scope_blocked_by_plan`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_scopes: Option<Vec<&'static str>>,
    /// The account's plan (`token_scope_blocked_by_plan`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// The limit that was reached (`limit_exceeded`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// The methods the path serves (`method_not_allowed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_methods: Option<Vec<String>>,
}

/// A refused or failed API request (its body boxed: results stay small on the happy path).
#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Box<ErrorBody>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        let retryable = matches!(status.as_u16(), 429 | 503 | 504);
        ApiError {
            status,
            body: Box::new(ErrorBody {
                code,
                message: message.into(),
                retryable,
                ..ErrorBody::default()
            }),
        }
    }

    /// Marks the error as worth retrying (or not) whatever its status.
    pub fn retryable(mut self, retryable: bool) -> ApiError {
        self.body.retryable = retryable;
        self
    }

    /// 401 for a missing, malformed, unknown, expired or revoked token (RFC 6750).
    pub fn invalid_token(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", message)
    }

    /// The token was never granted any scope the endpoint accepts.
    pub fn insufficient_scope(scopes: &[&'static str]) -> ApiError {
        let message = match scopes {
            [one] => {
                format!("This endpoint needs the {one} scope, which this token does not have.")
            }
            many => format!(
                "This endpoint needs one of these scopes: {}.",
                many.join(", ")
            ),
        };
        let mut error = ApiError::new(StatusCode::FORBIDDEN, "insufficient_scope", message);
        error.body.required_scopes = Some(scopes.to_vec());
        error
    }

    /// The token holds the scope, but the account's current plan no longer allows it (the plan
    /// changed after the token was created).
    pub fn scope_blocked_by_plan(scopes: &[&'static str], plan: Plan) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::FORBIDDEN,
            "token_scope_blocked_by_plan",
            format!(
                "This token was granted {}, but the account's {plan} plan no longer includes it. \
                 Upgrade the plan to use this endpoint again.",
                scopes.join(", ")
            ),
        );
        error.body.required_scopes = Some(scopes.to_vec());
        error.body.plan = Some(plan.to_string());
        error
    }

    /// The same reply for "does not exist", "another account's" and "outside the token's
    /// domain constraint", so a constrained token learns nothing about the rest.
    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No such resource, or this token cannot see it.",
        )
    }

    /// 422 naming the field (as the request names it) in `field`, and in `errors`.
    pub fn validation(field: &str, message: impl Into<String>) -> ApiError {
        FieldErrors::single(field, message).into()
    }

    pub fn rate_limited(seconds: u64) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("This token made too many requests. Try again in {seconds} s."),
        );
        error.body.retry_after = Some(seconds.max(1));
        error
    }

    pub fn payload_too_large() -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "The request body is larger than {} bytes.",
                super::MAX_BODY_BYTES
            ),
        )
    }

    /// 405 for a method the path does not serve, naming those it does (also in `Allow`).
    pub fn method_not_allowed(allowed: Vec<String>) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("This endpoint answers {} only.", allowed.join(", ")),
        );
        error.body.allowed_methods = Some(allowed);
        error
    }

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on our side. Please try again.",
        )
    }

    /// 503: the database cannot serve or store anything right now; the change was not made.
    pub fn unavailable() -> ApiError {
        let mut error = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "The database cannot be reached or cannot store changes right now (for example, its \
             disk is full). Nothing was changed; retry later.",
        );
        error.body.retry_after = Some(UNAVAILABLE_RETRY_AFTER_SECONDS);
        error
    }

    /// The reply when the token was revoked or expired while its request ran.
    pub fn token_gone() -> ApiError {
        ApiError::invalid_token(
            "This token was revoked or expired, or lost the scope the request needs, while the \
             request ran.",
        )
    }

    fn reply(mut self, request_id: &str) -> Response {
        self.body.request_id = request_id.to_string();
        (self.status, Json(ErrorReply { error: *self.body })).into_response()
    }
}

/// A parser's refusal: the first problem's field and message up front (where TrekMail's adapter
/// shows them), and every problem in `errors`.
impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        let first = errors.first().cloned().unwrap_or(FieldError {
            field: String::new(),
            message: "The request broke a rule.".into(),
        });
        let mut error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_error",
            first.message,
        );
        error.body.field = Some(first.field);
        error.body.errors = Some(errors.0);
        error
    }
}

/// Logged in full, never described to the caller: a database that cannot serve or store anything
/// right now (disk full, read-only, unreachable) is a retryable 503, anything else a 500.
impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        crate::server::telemetry::log_unexpected(&error, "database error in the API");
        if crate::server::db::is_unavailable(&error) {
            ApiError::unavailable()
        } else if crate::server::db::is_unstorable_text(&error) {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_text",
                crate::server::db::UNSTORABLE_TEXT,
            )
        } else {
            ApiError::internal()
        }
    }
}

/// The token service's refusals.
impl From<tokens::Error> for ApiError {
    fn from(error: tokens::Error) -> Self {
        use tokens::Error;
        match error {
            Error::NotFound => ApiError::not_found(),
            Error::Invalid(errors) => errors.into(),
            Error::Widens(errors) => {
                let mut error = ApiError::from(errors);
                error.status = StatusCode::CONFLICT;
                error.body.code = "token_cannot_widen";
                error
            }
            Error::ActorInactive => ApiError::token_gone(),
            Error::NotActive => ApiError::new(
                StatusCode::CONFLICT,
                "token_not_active",
                "This token is revoked or expired; there is nothing left to change.",
            ),
            Error::LimitReached(message) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "limit_exceeded", message)
            }
            Error::Db(error) => error.into(),
        }
    }
}

/// The mail service's refusals.
impl From<mail::Error> for ApiError {
    fn from(error: mail::Error) -> Self {
        use mail::Error;
        match error {
            Error::NotFound => ApiError::not_found(),
            Error::OverCap { plan, cap, given } => {
                let mut error = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "limit_exceeded",
                    format!(
                        "The {plan} plan allows {cap} forwarding targets per mailbox; {given} were given."
                    ),
                );
                error.body.field = Some("targets".into());
                error.body.limit = Some(cap);
                error
            }
            Error::Invalid(errors) => errors.into(),
            Error::NoTargets => {
                let mut error = ApiError::new(
                    StatusCode::CONFLICT,
                    "no_forwarding_targets",
                    "The mailbox has no forwarding targets to turn on; give them in targets.",
                );
                error.body.field = Some("targets".into());
                error
            }
            Error::TokenGone => ApiError::token_gone(),
            Error::Db(error) => error.into(),
        }
    }
}

/// The account service's refusals.
impl From<account::ChargeError> for ApiError {
    fn from(error: account::ChargeError) -> Self {
        use account::ChargeError;
        match error {
            // Not a plan code: TrekMail's adapter would blame the subscription.
            ChargeError::InsufficientCredits(cost) => ApiError::new(
                StatusCode::FORBIDDEN,
                "insufficient_credits",
                format!(
                    "This check needs {cost} credit(s) and the account has fewer left. Buy more \
                     verifier credits in the dashboard, or use the quick mode (1 credit)."
                ),
            ),
            ChargeError::TokenGone => ApiError::token_gone(),
            ChargeError::Db(error) => error.into(),
        }
    }
}

impl IntoResponse for ApiError {
    /// The envelope middleware renders the body, because only it knows the request id.
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Bearer realm="TrekMail API", error="invalid_token""#),
            );
        }
        if let Some(seconds) = self.body.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(allowed) = &self.body.allowed_methods {
            if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
                headers.insert(header::ALLOW, value);
            }
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// The request's id, available to handlers (send echoes it) as an extension.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Wraps every `/api/v1` request: makes its id available to handlers, renders errors as the
/// envelope (including axum's own 404/405/413 answers), and marks the reply uncacheable.
pub async fn envelope(mut request: Request, next: Next) -> Response {
    let request_id = crate::server::telemetry::request_id_of(&request);
    request
        .extensions_mut()
        .insert(RequestId(request_id.clone()));
    let mut response = next.run(request).await;

    if let Some(error) = response.extensions_mut().remove::<ApiError>() {
        let headers = response.headers().clone();
        response = error.reply(&request_id);
        for name in [header::WWW_AUTHENTICATE, header::RETRY_AFTER, header::ALLOW] {
            if let Some(value) = headers.get(&name) {
                response.headers_mut().insert(name, value.clone());
            }
        }
    } else if response.status().is_client_error() || response.status().is_server_error() {
        // Something below answered with a bare status (an axum rejection we did not map).
        let allow = response.headers().get(header::ALLOW).cloned();
        let error = match response.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(),
            StatusCode::NOT_FOUND => unknown_endpoint_error(),
            // Only a path parameter axum could not read (not UTF-8) gets here: it names nothing.
            StatusCode::BAD_REQUEST => ApiError::not_found(),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::method_not_allowed(
                allow
                    .as_ref()
                    .and_then(|value| value.to_str().ok())
                    .map(|list| list.split(',').map(|m| m.trim().to_string()).collect())
                    .unwrap_or_default(),
            ),
            status if status.is_client_error() => ApiError::new(
                status,
                "bad_request",
                "The request could not be understood.",
            ),
            _ => ApiError::internal(),
        };
        response = error.reply(&request_id);
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn unknown_endpoint_error() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is no such API endpoint.",
    )
}

/// Any path under `/api/v1` that no route serves.
pub async fn unknown_endpoint() -> ApiError {
    unknown_endpoint_error()
}
