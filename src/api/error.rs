//! Each service's errors as the dashboard shows them: the one place where a service's refusal
//! becomes an [`AppError`] (and so an HTTP status for the browser).

use crate::model::error::AppError;
use crate::server::tokens;

/// The token service's refusals as the dashboard shows them.
impl From<tokens::Error> for AppError {
    fn from(error: tokens::Error) -> Self {
        let error = match error {
            tokens::Error::Invalid(errors) | tokens::Error::Widens(errors) => {
                AppError::Invalid(errors)
            }
            tokens::Error::NotFound => AppError::NotFound,
            tokens::Error::ActorInactive => AppError::Unauthenticated,
            tokens::Error::NotActive => AppError::Conflict(
                "This token is revoked or expired, so it can no longer be changed.".into(),
            ),
            tokens::Error::LimitReached(message) => AppError::Conflict(message),
            tokens::Error::Db(error) => return error.into(),
        };
        error.fail()
    }
}

/// Database failures are logged in full and never described to the browser: a database that
/// cannot serve or store anything right now (disk full, read-only, unreachable) is a 503 the owner
/// can wait out, anything else the bare 500.
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        crate::server::telemetry::log_unexpected(&error, "database error");
        if crate::server::db::is_unavailable(&error) {
            AppError::Unavailable.fail()
        } else if crate::server::db::is_unstorable_text(&error) {
            AppError::BadRequest(crate::server::db::UNSTORABLE_TEXT.into()).fail()
        } else {
            AppError::Internal.fail()
        }
    }
}
