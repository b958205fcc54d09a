//! Sign-in, sign-out and the signed-in viewer.

use crate::model::error::AppError;
use crate::model::session::Viewer;
use leptos::prelude::*;

/// The signed-in user, or `Unauthenticated`.
#[server(endpoint = "current_viewer")]
pub async fn current_viewer() -> Result<Viewer, AppError> {
    use crate::api::context::signed_in_user;
    use crate::server::auth::tour_done_in_browser;
    let mut viewer = signed_in_user().await?.viewer();
    viewer.tour_done |= tour_done_in_browser(&expect_context::<http::request::Parts>().headers);
    Ok(viewer)
}

/// Remembers on the server that the signed-in user finished or dismissed the guided tour, so the
/// invitation stays away in every browser. Calling it again keeps the first time.
#[server(endpoint = "finish_tour")]
pub async fn finish_tour() -> Result<(), AppError> {
    use crate::api::context::{signed_in_user, state};
    use crate::server::auth::mark_tour_done;

    let state = state();
    let user = signed_in_user().await?;
    mark_tour_done(&state.pool, user.user_id)
        .await
        .map_err(AppError::from)
}

/// The browser's note that the tour is done belongs to whoever was signed in: forgotten when
/// someone signs in or out, so the next user of the browser is invited on their own record.
#[cfg(feature = "ssr")]
fn forget_tour_done_in_browser(response: &leptos_axum::ResponseOptions) {
    response.append_header(
        http::header::SET_COOKIE,
        http::HeaderValue::from_str(&crate::server::auth::clear_tour_done_cookie())
            .expect("a cookie made of fixed ASCII is a valid header"),
    );
}

/// Longest email an account can have (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;
/// Longest password worth hashing; longer ones cannot be an account's.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Checks the credentials, starts a session and goes to the Tokens page. Works as a plain HTML
/// form too (before hydration or without JavaScript).
#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use crate::api::context::{client_meta, internal, state};
    use crate::server::auth::{
        authenticate, create_session, session_cookie, AuthError, CookiePolicy,
    };
    use crate::server::throttle::Refused;

    let state = state();
    let ip = client_meta().ip;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    let wait_for = |wait: std::time::Duration, message: String| {
        response.insert_header(
            http::header::RETRY_AFTER,
            http::HeaderValue::from(wait.as_secs().max(1)),
        );
        AppError::Throttled(message).fail()
    };
    // No account has an email or password this long: refused before anything is remembered or
    // hashed, so oversized values cannot fill the throttle's memory or the hashing threads.
    // Nor a NUL character (which PostgreSQL cannot even compare).
    if email.len() > MAX_EMAIL_BYTES
        || password.len() > MAX_PASSWORD_BYTES
        || email.contains('\0')
        || password.contains('\0')
    {
        return Err(AppError::Refused("Incorrect email or password.".into()).fail());
    }
    // Counted before the password is checked, so simultaneous guesses cannot all slip through.
    let attempt =
        state
            .login_throttle
            .admit(&email, &ip)
            .await
            .map_err(|refused| match refused {
                Refused::Wait(wait) => wait_for(
                    wait,
                    format!(
                        "Too many failed sign-in attempts. Try again in {}.",
                        crate::domain::time::wait_phrase(wait.as_secs())
                    ),
                ),
                Refused::Db(error) => AppError::from(error).fail(),
            })?;
    let user_id = match authenticate(&state.pool, &email, &password).await {
        Ok(user_id) => user_id,
        // The password was never checked: the attempt is not held against anyone.
        Err(AuthError::Busy(_)) => {
            state
                .login_throttle
                .give_back(attempt)
                .await
                .map_err(AppError::from)?;
            return Err(wait_for(
                std::time::Duration::from_secs(1),
                "The server is busy. Try again in a moment.".into(),
            ));
        }
        Err(AuthError::Db(error)) => {
            // Best effort: the database failing already is what is reported.
            let _ = state.login_throttle.give_back(attempt).await;
            return Err(error.into());
        }
    };
    let Some(user_id) = user_id else {
        return Err(AppError::Refused("Incorrect email or password.".into()).fail());
    };
    state
        .login_throttle
        .succeeded(attempt)
        .await
        .map_err(AppError::from)?;
    let session_id = create_session(&state.pool, user_id, state.config.session_days)
        .await
        .map_err(AppError::from)?;
    let parts = expect_context::<http::request::Parts>();
    let cookie = session_cookie(
        &session_id,
        state.config.session_days,
        CookiePolicy::for_request(&state.config, &parts.headers),
    );
    response.append_header(
        http::header::SET_COOKIE,
        http::HeaderValue::from_str(&cookie).map_err(internal)?,
    );
    forget_tour_done_in_browser(&response);
    leptos_axum::redirect(crate::model::routes::TOKENS);
    Ok(())
}

/// Ends the session on the server and in the browser.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::api::context::{internal, state};
    use crate::server::auth::{
        clear_session_cookie, delete_session, session_id_from_headers, CookiePolicy,
    };

    let state = state();
    let parts = expect_context::<http::request::Parts>();
    let response = expect_context::<leptos_axum::ResponseOptions>();
    if let Some(session_id) = session_id_from_headers(&parts.headers, state.config.secure_cookies) {
        delete_session(&state.pool, &session_id)
            .await
            .map_err(AppError::from)?;
    }
    response.append_header(
        http::header::SET_COOKIE,
        http::HeaderValue::from_str(&clear_session_cookie(CookiePolicy::for_request(
            &state.config,
            &parts.headers,
        )))
        .map_err(internal)?,
    );
    forget_tour_done_in_browser(&response);
    leptos_axum::redirect(crate::model::routes::SIGN_IN);
    Ok(())
}
