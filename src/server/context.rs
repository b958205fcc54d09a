//! What a server function needs from its request: the shared state, the caller, and where the
//! call came from. Every server function is a public endpoint, so each one resolves its caller
//! here rather than trusting the page that called it.

use super::auth::{session_id_from_headers, user_for_session, SessionUser};
use super::state::AppState;
use crate::api::error::AppError;
use crate::api::session::Role;
use axum::extract::ConnectInfo;
use http::request::Parts;
use leptos::prelude::*;
use std::net::SocketAddr;

pub fn state() -> AppState {
    use_context::<AppState>().expect("BUG: AppState is provided to every server function")
}

fn parts() -> Parts {
    use_context::<Parts>().expect("BUG: leptos_axum provides the request parts")
}

/// Where a request came from, for the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientMeta {
    pub ip: String,
    pub user_agent: String,
}

impl ClientMeta {
    /// The socket's peer address; the last `X-Forwarded-For` entry only when the proxy is trusted.
    pub fn from_parts(parts: &Parts, trust_proxy: bool) -> ClientMeta {
        Self::from_request(&parts.headers, &parts.extensions, trust_proxy)
    }

    pub fn from_request(
        headers: &http::HeaderMap,
        extensions: &http::Extensions,
        trust_proxy: bool,
    ) -> ClientMeta {
        // The proxy appends the address it saw to whatever the client sent, as a last entry or a
        // last header line; anything before that is the client's to forge.
        let forwarded = trust_proxy
            .then(|| headers.get_all("x-forwarded-for").iter().next_back())
            .flatten()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .and_then(|ip| ip.trim().parse::<std::net::IpAddr>().ok())
            .map(|ip| ip.to_string());
        let socket = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        let user_agent = headers
            .get(http::header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(512)
            .collect();
        ClientMeta {
            ip: forwarded.or(socket).unwrap_or_else(|| "unknown".into()),
            user_agent,
        }
    }
}

pub fn client_meta() -> ClientMeta {
    ClientMeta::from_parts(&parts(), state().config.trust_proxy)
}

/// The signed-in user, or `Unauthenticated`.
pub async fn signed_in_user() -> Result<SessionUser, AppError> {
    let Some(session_id) = session_id_from_headers(&parts().headers, state().config.secure_cookies)
    else {
        return Err(fail(AppError::Unauthenticated));
    };
    match user_for_session(&state().pool, &session_id).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(fail(AppError::Unauthenticated)),
        Err(error) => Err(internal(error)),
    }
}

/// The signed-in account owner, or `Unauthenticated` / `OwnerOnly`.
pub async fn require_owner() -> Result<SessionUser, AppError> {
    let user = signed_in_user().await?;
    if user.role != Role::Owner {
        return Err(fail(AppError::OwnerOnly));
    }
    Ok(user)
}

/// Sets the HTTP status of the response that carries `error`, and hands it back.
pub fn fail(error: AppError) -> AppError {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(error.status_code()) {
            response.set_status(status);
        }
    }
    error
}

/// Logs an unexpected failure and returns the generic 500 error; the detail never leaves the server.
pub fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "server function failed");
    fail(AppError::Internal)
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
