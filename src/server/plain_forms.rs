//! HTML forms posted without JavaScript. Two kinds reach the server:
//! - posts to a server function (sign-in, sign-out, the revoke confirmation). Leptos answers
//!   them with a redirect back to the page, the refusal in its URL for the page to show. A
//!   refusal also sets the response status (401, 422…), which would turn that redirect into a
//!   raw JSON page; [`keep_form_redirects`] lets the redirect win.
//! - posts to a page (the create page), which renders its answer; [`read_page_form`] reads the
//!   fields for it.

use super::state::AppState;
use crate::model::tokens::SubmittedForm;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use http::{HeaderMap, Method, StatusCode};

/// Largest form a page accepts: a name, a few dozen scopes and domain ids fit many times over.
const PAGE_FORM_LIMIT: usize = 64 * 1024;

/// A browser's own form submission asks for HTML; a script's call asks for JSON.
fn is_plain_form_post(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::POST
        && headers
            .get(ACCEPT)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.contains("text/html"))
}

pub async fn keep_form_redirects(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let server_fn = state
        .server_fn_content_types
        .contains_key(request.uri().path());
    let plain_form = server_fn && is_plain_form_post(request.method(), request.headers());
    let mut response = next.run(request).await;
    if plain_form
        && response.headers().contains_key(LOCATION)
        && !response.status().is_redirection()
    {
        *response.status_mut() = StatusCode::SEE_OTHER;
        *response.body_mut() = Body::empty();
        response.headers_mut().remove(CONTENT_TYPE);
    }
    response
}

/// The fields of a form posted to a page, or the response refusing it (wrong encoding, too big).
pub async fn read_page_form(request: Request) -> Result<(Request, SubmittedForm), Response> {
    let (parts, body) = request.into_parts();
    let urlencoded = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|value| {
            value
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !urlencoded {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send this form as application/x-www-form-urlencoded.",
        )
            .into_response());
    }
    let Ok(bytes) = axum::body::to_bytes(body, PAGE_FORM_LIMIT).await else {
        return Err((StatusCode::PAYLOAD_TOO_LARGE, "This form is too large.").into_response());
    };
    let fields = form_urlencoded::parse(&bytes).into_owned().collect();
    Ok((
        Request::from_parts(parts, Body::empty()),
        SubmittedForm(fields),
    ))
}
