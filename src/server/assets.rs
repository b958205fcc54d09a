//! What the browser downloads, and how: the script, WASM and CSS under `/pkg/` come precompressed
//! from the build (brotli and gzip files beside each, chosen by `Accept-Encoding`) and carry a
//! hash in their names, so they are cached for a year and a new build is a new URL. Pages and
//! JSON are compressed per response; the WASM never is (it is compressed once, at build time).

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, VARY};
use http::{HeaderMap, HeaderValue, StatusCode, Version};
use std::convert::Infallible;
use tower::ServiceExt;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// Where the built assets are served from.
pub const PKG_PREFIX: &str = "/pkg";

/// Hashed file names never change content: cache them for a year, without revalidation.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Without hashed names (a development build) a new build reuses the names: always revalidate.
const REVALIDATE: &str = "no-cache";

/// Serves `/pkg/…` from `site_root/pkg`, precompressed, with the cache policy above.
pub async fn serve_pkg(site_root: String, hashed: bool, request: Request) -> Response {
    let service = ServeDir::new(format!("{site_root}{PKG_PREFIX}"))
        .precompressed_br()
        .precompressed_gzip();
    let (mut parts, body) = request.into_parts();
    // ServeDir resolves the path below its own root.
    let inner = parts
        .uri
        .path()
        .strip_prefix(PKG_PREFIX)
        .unwrap_or("/")
        .to_string();
    parts.uri = inner.parse().unwrap_or_default();
    let result: Result<_, Infallible> = service.oneshot(Request::from_parts(parts, body)).await;
    let Ok(response) = result;
    let mut response = response.map(Body::new);
    if response.status() == StatusCode::OK {
        let headers = response.headers_mut();
        let policy = if hashed { IMMUTABLE } else { REVALIDATE };
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(policy));
        // The same URL has several encodings: caches must key on the request's Accept-Encoding.
        headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Compresses pages and JSON (brotli or gzip, as the client accepts) once they are worth it, and
/// nothing else: the assets are precompressed, and a response that carries a plaintext token
/// (`Cache-Control: no-store`) is sent as is, so its length cannot leak the secret (BREACH).
pub fn compression() -> CompressionLayer<impl Predicate> {
    let worth_it = SizeAbove::new(512);
    let html_or_json = |_: StatusCode, _: Version, headers: &HeaderMap, _: &http::Extensions| {
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        let carries_secret = headers
            .get(CACHE_CONTROL)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.contains("no-store"));
        (content_type.starts_with("text/html") || content_type.starts_with("application/json"))
            && !carries_secret
    };
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .compress_when(worth_it.and(html_or_json))
}
