//! Server-only code (the `ssr` feature): database, sessions, services and the HTTP router.

/// Building the axum router and its state.
pub mod app;
/// The audit trail.
pub mod audit;
/// Passwords, sessions and the signed-in user.
pub mod auth;
/// Settings from the environment.
pub mod config;
/// What server functions read from their request.
pub mod context;
/// The connection pool and engine-specific details.
pub mod db;
/// Demo data for `make run`.
pub mod demo;
/// Keyset pagination.
pub mod keyset;
/// Pruning of expired sessions, idempotency records and throttle counters.
pub mod maintenance;
/// Redirects and status codes decided before a page renders.
pub mod page_guard;
/// The REST API under `/api/v1`.
pub mod rest;
/// Random secrets and hashing.
pub mod secrets;
/// Security headers and cross-site request refusal.
pub mod security;
/// Shared state.
pub mod state;
/// Sign-in rate limiting.
pub mod throttle;
/// The token service.
pub mod tokens;

use crate::api::error::AppError;

/// The token service's refusals as the dashboard shows them.
impl From<tokens::Error> for AppError {
    fn from(error: tokens::Error) -> Self {
        match error {
            tokens::Error::Invalid(errors) => AppError::Invalid(errors),
            tokens::Error::Field { field, message } => {
                AppError::BadRequest(format!("{field}: {message}"))
            }
            tokens::Error::NotFound => AppError::NotFound,
            tokens::Error::ActorInactive => AppError::Unauthenticated,
            tokens::Error::NotActive => {
                AppError::Conflict("This token is revoked or expired.".into())
            }
            tokens::Error::LimitReached(message) => AppError::Conflict(message),
            tokens::Error::Db(error) => error.into(),
        }
    }
}

/// Database failures are the server's fault: logged in full, reported as a bare 500.
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error");
        AppError::Internal
    }
}
