//! Browser-facing protections applied to every response and state-changing request.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{self, HeaderValue};
use http::{Method, StatusCode};

/// The policy for HTML pages, allowing only our own scripts plus the inline hydration script
/// that carries this response's nonce. WebAssembly needs `'wasm-unsafe-eval'`.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// For everything that is not a page (JSON, files): nothing may run or frame it.
const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Refuses state-changing requests that a browser sent on behalf of another site. The session
/// cookie is `SameSite=Lax` already; this also covers same-site subdomains and old browsers.
/// Requests without `Origin` and `Sec-Fetch-Site` are not from a browser form and pass.
pub async fn reject_cross_site(request: Request, next: Next) -> Response {
    // The REST API authenticates with bearer tokens, never cookies, so a browser cannot be
    // tricked into sending a credential for it.
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || request.uri().path().starts_with("/api/v1/");
    if !safe && is_cross_site(&request) {
        tracing::warn!(path = %request.uri().path(), "cross-site request refused");
        let body =
            serde_json::to_string(&crate::api::error::AppError::CrossSite).unwrap_or_default();
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
    }
    next.run(request).await
}

fn is_cross_site(request: &Request<Body>) -> bool {
    let headers = request.headers();
    // Browsers set Sec-Fetch-Site themselves and pages cannot forge it, so it decides when present.
    // (`Origin` alone is not enough: a strict referrer policy makes browsers send `Origin: null`
    // even for a same-origin form.)
    if let Some(site) = headers.get("sec-fetch-site").and_then(|s| s.to_str().ok()) {
        return matches!(site, "cross-site" | "same-site");
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        Some(origin) => Some(origin.split("://").nth(1).unwrap_or("")) != host,
        None => false,
    }
}

/// Security headers on every response; pages set their own nonce-bearing CSP first.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(DEFAULT_CSP));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(headers: &[(&str, &str)]) -> Request<Body> {
        let mut builder = Request::post("/api/revoke_token");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn cross_site_detection() {
        let cases: &[(&[(&str, &str)], bool)] = &[
            (
                &[
                    ("host", "127.0.0.1:3000"),
                    ("origin", "http://127.0.0.1:3000"),
                ],
                false,
            ),
            (
                &[("host", "127.0.0.1:3000"), ("origin", "http://evil.test")],
                true,
            ),
            (&[("host", "127.0.0.1:3000"), ("origin", "null")], true),
            (
                &[("host", "127.0.0.1:3000"), ("sec-fetch-site", "cross-site")],
                true,
            ),
            (
                &[
                    ("host", "127.0.0.1:3000"),
                    ("sec-fetch-site", "same-origin"),
                ],
                false,
            ),
            (&[("host", "127.0.0.1:3000")], false),
        ];
        for (headers, cross) in cases {
            assert_eq!(is_cross_site(&post(headers)), *cross, "{headers:?}");
        }
    }
}
