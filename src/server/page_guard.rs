//! Decides, before a page renders, whether the visitor may see it: signed-out visitors of the
//! AI Agents & API pages go to sign-in (also without JavaScript), signed-in visitors of the
//! sign-in page go to their tokens, and a member's view of the owner-only pages answers 403.
//! Every method is guarded (HEAD and POST too), not only GET.
//! The user it found rides along in the request's extensions, so the page's server functions
//! (run while the page renders) do not look the session up again.

use super::auth::{session_id_from_headers, user_for_session};
use super::state::AppState;
use crate::domain::role::Role;
use crate::model::routes;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::{Method, StatusCode};

pub async fn guard_pages(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let protected = path == routes::AGENTS || path.starts_with(&format!("{}/", routes::AGENTS));
    let sign_in = path == routes::SIGN_IN;
    if !(protected || sign_in) {
        return next.run(request).await;
    }
    let user = match session_id_from_headers(request.headers(), state.config.secure_cookies) {
        Some(session_id) => match user_for_session(&state.pool, &session_id).await {
            Ok(user) => user,
            Err(error) => {
                tracing::error!(%error, "session lookup failed");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The dashboard is briefly unavailable. Please try again in a moment.",
                )
                    .into_response();
            }
        },
        None => None,
    };
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    if let Some(user) = &user {
        request.extensions_mut().insert(user.clone());
    }
    match user {
        None if protected => Redirect::to(routes::SIGN_IN).into_response(),
        Some(_) if sign_in && reads => Redirect::to(routes::TOKENS).into_response(),
        Some(user) if protected && user.role == Role::Member => {
            let mut response = next.run(request).await;
            *response.status_mut() = StatusCode::FORBIDDEN;
            response
        }
        _ => next.run(request).await,
    }
}
