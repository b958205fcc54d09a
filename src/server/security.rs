//! Browser-facing protections applied to every response and state-changing request.

use super::config::Config;
use super::state::AppState;
use crate::model::error::AppError;
use crate::model::page::PageNonce;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{self, HeaderValue};
use http::{HeaderMap, Method, StatusCode};

/// For everything that is not a page (JSON, files): nothing may run or frame it.
const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// The policy for this app's pages, allowing only our own scripts plus inline scripts that carry
/// this response's nonce. WebAssembly needs `'wasm-unsafe-eval'`.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("text/html"))
}

/// Refuses state-changing requests that a browser sent on behalf of another site. The session
/// cookie is `SameSite=Lax` already; this also covers same-site subdomains and old browsers.
/// Requests without `Origin` and `Sec-Fetch-Site` are not from a browser form and pass.
pub async fn reject_cross_site(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    // The REST API authenticates with bearer tokens, never cookies, so a browser cannot be
    // tricked into sending a credential for it.
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || request.uri().path().starts_with("/api/v1/");
    if !safe && is_cross_site(request.headers(), &state.config) {
        tracing::warn!(path = %request.uri().path(), "cross-site request refused");
        return app_error(StatusCode::FORBIDDEN, &AppError::CrossSite);
    }
    next.run(request).await
}

/// Fails closed: a `Sec-Fetch-Site` other than `same-origin` or `none` (a value no browser sends
/// yet included) is refused, and an `Origin` must match this site's scheme, host and port.
fn is_cross_site(headers: &HeaderMap, config: &Config) -> bool {
    // Browsers set Sec-Fetch-Site themselves and pages cannot forge it, so it decides when present.
    // (`Origin` alone is not enough: a strict referrer policy makes browsers send `Origin: null`
    // even for a same-origin form.)
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    match headers.get(header::ORIGIN) {
        Some(origin) => {
            let expected = own_origin(headers, config);
            origin
                .to_str()
                .ok()
                .and_then(|origin| Origin::parse(origin, None))
                .is_none_or(|origin| Some(origin) != expected)
        }
        None => false,
    }
}

/// Scheme, host and port, with the scheme's default port filled in.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// `http://host:port` (an `Origin` header), or a bare `host:port` with `scheme` (a `Host`).
    fn parse(text: &str, scheme: Option<&str>) -> Option<Origin> {
        let (scheme, authority) = match scheme {
            Some(scheme) => (scheme.to_string(), text),
            None => {
                let (scheme, rest) = text.split_once("://")?;
                (scheme.to_ascii_lowercase(), rest)
            }
        };
        let authority: http::uri::Authority = authority.parse().ok()?;
        if authority.as_str().contains('@') {
            return None;
        }
        let port = match (authority.port_u16(), scheme.as_str()) {
            (Some(port), _) => port,
            (None, "http") => 80,
            (None, "https") => 443,
            _ => return None,
        };
        Some(Origin {
            host: authority.host().to_ascii_lowercase(),
            scheme,
            port,
        })
    }
}

/// This site's origin as the browser sees it: the `Host` it asked for, over HTTPS when the site
/// is served that way (secure cookies on, or a trusted proxy saying so).
fn own_origin(headers: &HeaderMap, config: &Config) -> Option<Origin> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    Origin::parse(host, Some(site_scheme(headers, config)))
}

/// `https` when the site is served over HTTPS, else `http`.
pub fn site_scheme(headers: &HeaderMap, config: &Config) -> &'static str {
    let forwarded_https = config.trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
    if config.secure_cookies || forwarded_https {
        "https"
    } else {
        "http"
    }
}

/// Server functions read only the encoding they were declared with; anything else (notably
/// `text/plain`, which browsers send cross-site without asking first) is refused with 415
/// before the function runs. `accepted` maps each server function's path to its content type.
pub async fn require_declared_content_type(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::POST {
        if let Some(expected) = state.server_fn_content_types.get(request.uri().path()) {
            let sent = request
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.split(';').next())
                .map(|value| value.trim().to_ascii_lowercase());
            if sent.as_deref() != Some(*expected) {
                return app_error(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    &AppError::UnsupportedMediaType((*expected).to_string()),
                );
            }
        }
    }
    next.run(request).await
}

/// A server function's error reply, for refusals made before it runs.
fn app_error(status: StatusCode, error: &AppError) -> Response {
    let body = serde_json::to_string(error).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The dashboard's pages (and only they) get a nonce, made before the request runs so the shell
/// renders every inline script with it (`app.rs::use_request_nonce`), and an HTML response gets
/// the page policy naming it, whatever rendered it (a page, the create page's POST, an error page).
pub async fn page_policy(mut request: Request, next: Next) -> Response {
    let nonce = leptos::nonce::Nonce::new().to_string();
    request.extensions_mut().insert(PageNonce(nonce.clone()));
    let mut response = next.run(request).await;
    if is_html(response.headers()) {
        let policy =
            HeaderValue::from_str(&page_csp(&nonce)).expect("a base64url nonce is a valid header");
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// Security headers on every response. Anything without the page policy (JSON, files, the REST
/// API, refusals made before a page ran) gets the strict default: nothing may run or frame it.
/// With HTTPS configured, HSTS tells browsers never to use plain HTTP for this host again.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        );
    }
    if state.config.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000"),
        );
    }
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

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn cross_site_detection() {
        let plain = Config::for_database("sqlite://x.db");
        let secure = Config {
            secure_cookies: true,
            ..plain.clone()
        };
        let proxied = Config {
            trust_proxy: true,
            ..plain.clone()
        };
        let host = ("host", "127.0.0.1:3000");
        // (settings, request headers, refused?)
        type Case<'a> = (&'a Config, &'a [(&'a str, &'a str)], bool);
        let cases: &[Case] = &[
            (&plain, &[host, ("origin", "http://127.0.0.1:3000")], false),
            (&plain, &[host, ("origin", "http://evil.test")], true),
            (&plain, &[host, ("origin", "null")], true),
            (&plain, &[host, ("origin", "garbage")], true),
            // The scheme counts: an https page is another origin than this http site.
            (&plain, &[host, ("origin", "https://127.0.0.1:3000")], true),
            (&plain, &[host, ("origin", "http://127.0.0.1:3001")], true),
            (
                &plain,
                &[host, ("origin", "http://127.0.0.1:3000.evil.test")],
                true,
            ),
            (
                &plain,
                &[("host", "tokens.test"), ("origin", "http://tokens.test:80")],
                false,
            ),
            (
                &plain,
                &[("host", "Tokens.TEST"), ("origin", "http://tokens.test")],
                false,
            ),
            (
                &secure,
                &[("host", "tokens.test"), ("origin", "https://tokens.test")],
                false,
            ),
            (
                &secure,
                &[("host", "tokens.test"), ("origin", "http://tokens.test")],
                true,
            ),
            (
                &proxied,
                &[
                    ("host", "tokens.test"),
                    ("x-forwarded-proto", "https"),
                    ("origin", "https://tokens.test"),
                ],
                false,
            ),
            (
                &plain,
                &[
                    ("host", "tokens.test"),
                    ("x-forwarded-proto", "https"),
                    ("origin", "https://tokens.test"),
                ],
                true,
            ),
            (&plain, &[host, ("sec-fetch-site", "cross-site")], true),
            (&plain, &[host, ("sec-fetch-site", "same-site")], true),
            // Unknown values fail closed, whatever Origin says.
            (
                &plain,
                &[
                    host,
                    ("sec-fetch-site", "same-galaxy"),
                    ("origin", "http://127.0.0.1:3000"),
                ],
                true,
            ),
            (&plain, &[host, ("sec-fetch-site", "same-origin")], false),
            (&plain, &[host, ("sec-fetch-site", "none")], false),
            (&plain, &[host], false),
        ];
        for (config, pairs, cross) in cases {
            assert_eq!(is_cross_site(&headers(pairs), config), *cross, "{pairs:?}");
        }
    }
}
