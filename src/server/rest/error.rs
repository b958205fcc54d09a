//! The API's one error type and the envelope every `/api/v1` reply goes through:
//! `{"error": {"code", "message", "request_id", …}}` (the id `server::telemetry` gave the
//! request, also in its `X-Request-Id` header), and `Cache-Control: no-store`.

use crate::domain::field::{FieldError, FieldErrors};
use crate::domain::plan::Plan;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::{self, HeaderValue};
use http::StatusCode;
use serde_json::{json, Map, Value};

/// A refused or failed API request. Extra details (the field, the scope, `retry_after`) travel
/// inside the `error` object, where TrekMail's MCP adapter reads them.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Map<String, Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Map::new(),
        }
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> ApiError {
        self.details.insert(key.to_string(), value.into());
        self
    }

    /// 401 for a missing, malformed, unknown, expired or revoked token (RFC 6750).
    pub fn invalid_token(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", message)
    }

    /// The token was never granted any scope the endpoint accepts.
    pub fn insufficient_scope(scopes: &[&str]) -> ApiError {
        let message = match scopes {
            [one] => {
                format!("This endpoint needs the {one} scope, which this token does not have.")
            }
            many => format!(
                "This endpoint needs one of these scopes: {}.",
                many.join(", ")
            ),
        };
        ApiError::new(StatusCode::FORBIDDEN, "insufficient_scope", message)
            .with("required_scopes", scopes.to_vec())
    }

    /// The token holds the scope, but the account's current plan no longer allows it (the plan
    /// changed after the token was created).
    pub fn scope_blocked_by_plan(scopes: &[&str], plan: Plan) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "token_scope_blocked_by_plan",
            format!(
                "This token was granted {}, but the account's {plan} plan no longer includes it. \
                 Upgrade the plan to use this endpoint again.",
                scopes.join(", ")
            ),
        )
        .with("required_scopes", scopes.to_vec())
        .with("plan", plan.to_string())
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

    /// 422 naming the field (as the request names it) in `field`, and in `errors`, the list of
    /// every problem that a parser reporting several fills.
    pub fn validation(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        let errors = json!([{ "field": field, "message": message }]);
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_error",
            message,
        )
        .with("field", field)
        .with("errors", errors)
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

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on our side. Please try again.",
        )
    }

    fn body(&self, request_id: &str) -> Value {
        let mut error = Map::new();
        error.insert("code".into(), self.code.into());
        error.insert("message".into(), self.message.clone().into());
        error.extend(self.details.clone());
        error.insert("request_id".into(), request_id.into());
        error
            .entry("retryable")
            .or_insert_with(|| Value::Bool(matches!(self.status.as_u16(), 429 | 503 | 504)));
        json!({ "error": error })
    }
}

/// A parser's refusal: the first problem's field and message up front (where TrekMail's adapter
/// shows them), and every problem in `errors`.
impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        let first = errors.first().cloned().unwrap_or_else(|| FieldError {
            field: String::new(),
            message: "The request broke a rule.".into(),
        });
        ApiError::validation(&first.field, first.message).with(
            "errors",
            serde_json::to_value(&errors.0).expect("field errors serialize"),
        )
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        crate::server::telemetry::log_unexpected(&error, "database error in the API");
        ApiError::internal()
    }
}

/// The token service's refusals on the API's envelope, each with the field it concerns.
impl From<crate::server::tokens::Error> for ApiError {
    fn from(error: crate::server::tokens::Error) -> Self {
        use crate::server::tokens::Error;
        match error {
            Error::NotFound => ApiError::not_found(),
            Error::Invalid(errors) => errors.into(),
            Error::ActorInactive => {
                ApiError::invalid_token("This token was revoked or expired while the request ran.")
            }
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

impl IntoResponse for ApiError {
    /// The envelope middleware renders the body, because only it knows the request id.
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Bearer realm="TrekMail API", error="invalid_token""#),
            );
        }
        if let Some(seconds) = self.details.get("retry_after").and_then(Value::as_u64) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// The request's id, available to handlers (send echoes it) as an extension.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Wraps every `/api/v1` request: assigns the request id, renders errors as the envelope
/// (including axum's own 404/405/413 answers), and marks the reply uncacheable.
pub async fn envelope(mut request: Request, next: Next) -> Response {
    let request_id = crate::server::telemetry::request_id_of(&request);
    request
        .extensions_mut()
        .insert(RequestId(request_id.clone()));
    let mut response = next.run(request).await;

    if let Some(error) = response.extensions_mut().remove::<ApiError>() {
        let headers = response.headers().clone();
        response = (error.status, Json(error.body(&request_id))).into_response();
        for name in [header::WWW_AUTHENTICATE, header::RETRY_AFTER] {
            if let Some(value) = headers.get(&name) {
                response.headers_mut().insert(name, value.clone());
            }
        }
    } else if response.status().is_client_error() || response.status().is_server_error() {
        // Something below answered with a bare status (an axum rejection we did not map).
        let error = match response.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(),
            // Includes 405: TrekMail's adapter expects a JSON 404 for endpoints we do not serve.
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => unknown_endpoint_error(),
            status if status.is_client_error() => ApiError::new(
                status,
                "bad_request",
                "The request could not be understood.",
            ),
            _ => ApiError::internal(),
        };
        response = (error.status, Json(error.body(&request_id))).into_response();
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
