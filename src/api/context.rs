//! What a server function needs from its request: the shared state, the caller, and where the
//! call came from. Every server function is a public endpoint, so each one resolves its caller
//! here rather than trusting the page that called it.

use crate::domain::role::Role;
use crate::model::error::AppError;
use crate::server::auth::{session_id_from_headers, user_for_session, SessionUser};
use crate::server::client::ClientMeta;
use crate::server::state::AppState;
use http::request::Parts;
use leptos::prelude::*;

pub fn state() -> AppState {
    use_context::<AppState>().expect("BUG: AppState is provided to every server function")
}

fn parts() -> Parts {
    use_context::<Parts>().expect("BUG: leptos_axum provides the request parts")
}

pub fn client_meta() -> ClientMeta {
    ClientMeta::from_parts(&parts(), state().config.trust_proxy)
}

/// The signed-in user, or `Unauthenticated`. While a page renders, the page guard has already
/// found the user (`server/page_guard.rs`); a server function called on its own looks it up.
pub async fn signed_in_user() -> Result<SessionUser, AppError> {
    if let Some(user) = parts().extensions.get::<SessionUser>() {
        return Ok(user.clone());
    }
    let Some(session_id) = session_id_from_headers(&parts().headers, state().config.secure_cookies)
    else {
        return Err(AppError::Unauthenticated.fail());
    };
    match user_for_session(&state().pool, &session_id).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(AppError::Unauthenticated.fail()),
        Err(error) => Err(error.into()),
    }
}

/// The signed-in account owner, or `Unauthenticated` / `OwnerOnly`.
pub async fn require_owner() -> Result<SessionUser, AppError> {
    let user = signed_in_user().await?;
    if user.role != Role::Owner {
        return Err(AppError::OwnerOnly.fail());
    }
    Ok(user)
}

/// This site's origin as the browser sees it (`https://host`), for examples that call the API.
pub fn site_origin() -> String {
    let parts = parts();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("localhost");
    let scheme = crate::server::security::site_scheme(&parts.headers, &state().config);
    format!("{scheme}://{host}")
}

/// Logs an unexpected failure and returns the generic 500 error; the detail never leaves the server.
pub fn internal(error: impl std::error::Error + 'static) -> AppError {
    crate::server::telemetry::log_unexpected(&error, "server function failed");
    AppError::Internal.fail()
}

/// Responses that carry a plaintext token must never be cached anywhere.
pub fn no_store() {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
    }
}
