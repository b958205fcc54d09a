//! Sign-in, sign-out and the signed-in viewer.

use super::error::AppError;
use crate::domain::plan::PlanAccess;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Owner,
    Member,
}

/// What the page needs to know about whoever is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub email: String,
    pub role: Role,
    pub account_name: String,
    pub access: PlanAccess,
    /// Finished or dismissed the guided tour.
    pub tour_done: bool,
}

/// The signed-in user, or `Unauthenticated`.
#[server]
pub async fn current_viewer() -> Result<Viewer, AppError> {
    use crate::server::context::signed_in_user;
    Ok(signed_in_user().await?.viewer())
}

/// Remembers on the server that the signed-in user finished or dismissed the guided tour, so the
/// invitation stays away in every browser. Calling it again keeps the first time.
#[server]
pub async fn finish_tour() -> Result<(), AppError> {
    use crate::server::auth::mark_tour_done;
    use crate::server::context::{internal, signed_in_user, state};

    let state = state();
    let user = signed_in_user().await?;
    mark_tour_done(&state.pool, user.user_id)
        .await
        .map_err(internal)
}

/// Checks the credentials, starts a session and goes to the Tokens page. Works as a plain HTML
/// form too (before hydration or without JavaScript).
#[server]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use crate::server::auth::{authenticate, create_session, session_cookie};
    use crate::server::context::{client_meta, fail, internal, state};

    let state = state();
    let ip = client_meta().ip;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    if let Err(wait) = state.login_throttle.check(&email, &ip) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let error = AppError::Refused(format!(
            "Too many failed sign-in attempts. Try again in {minutes} minute{}.",
            if minutes == 1 { "" } else { "s" }
        ));
        response.set_status(http::StatusCode::TOO_MANY_REQUESTS);
        response.insert_header(
            http::header::RETRY_AFTER,
            http::HeaderValue::from(wait.as_secs().max(1)),
        );
        return Err(error);
    }
    let user_id = authenticate(&state.pool, &email, &password)
        .await
        .map_err(internal)?;
    let Some(user_id) = user_id else {
        state.login_throttle.record_failure(&email, &ip);
        return Err(fail(AppError::Refused(
            "Incorrect email or password.".into(),
        )));
    };
    state.login_throttle.record_success(&email);
    let session_id = create_session(&state.pool, user_id, state.config.session_days)
        .await
        .map_err(internal)?;
    let cookie = session_cookie(
        &session_id,
        state.config.session_days,
        state.config.secure_cookies,
    );
    response.append_header(
        http::header::SET_COOKIE,
        http::HeaderValue::from_str(&cookie).map_err(internal)?,
    );
    leptos_axum::redirect("/agents/tokens");
    Ok(())
}

/// Ends the session on the server and in the browser.
#[server]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::auth::{clear_session_cookie, delete_session, session_id_from_headers};
    use crate::server::context::{internal, state};

    let state = state();
    let parts = expect_context::<http::request::Parts>();
    let response = expect_context::<leptos_axum::ResponseOptions>();
    if let Some(session_id) = session_id_from_headers(&parts.headers) {
        delete_session(&state.pool, &session_id)
            .await
            .map_err(internal)?;
    }
    response.append_header(
        http::header::SET_COOKIE,
        http::HeaderValue::from_str(&clear_session_cookie(state.config.secure_cookies))
            .map_err(internal)?,
    );
    leptos_axum::redirect("/sign-in");
    Ok(())
}
