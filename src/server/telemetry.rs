//! Logs a person can follow request by request. Every request gets an id (the client's own
//! `X-Request-Id` when it is sane, else a fresh UUID), echoed in the `X-Request-Id` response
//! header and the REST error envelope. One span per request carries the id, method, matched
//! route, status and latency, and for API calls the token's visible prefix (never the token), so
//! every line logged while the request runs carries them too. `RUST_LOG` filters;
//! `TREKMAIL_LOG_FORMAT=json` writes JSON lines for log shippers.

use axum::extract::{MatchedPath, Request};
use http::{HeaderName, Response};
use std::time::Duration;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::request_id::{MakeRequestUuid, RequestId, SetRequestIdLayer};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::field::Empty;
use tracing::Span;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event, with its request's fields.
    Text,
    /// One JSON object per line, with the request's fields under `span`.
    Json,
}

/// Installs the process-wide subscriber. `RUST_LOG` overrides the default filter. Lines are
/// written to stdout by a background thread, so a request never waits for the terminal or the
/// log shipper; none is dropped (a full buffer of 128k lines makes the logging request wait).
/// Keep the returned guard until the process ends: dropping it writes what is still buffered.
#[must_use = "dropping the guard stops the log writer"]
pub fn init(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::stdout());
    // Colours only for a person at a terminal: a file or a log shipper gets plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    guard
}

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest client request id we keep; anything else gets a fresh UUID.
const MAX_REQUEST_ID_LEN: usize = 200;

/// Drops a client's `X-Request-Id` that could not be logged and echoed safely (empty, too long,
/// or not printable ASCII), so [`set_request_id`] replaces it with a fresh one.
pub async fn drop_unsafe_request_id(mut request: Request) -> Request {
    let sane = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|id| {
            !id.is_empty()
                && id.len() <= MAX_REQUEST_ID_LEN
                && id.bytes().all(|b| b.is_ascii_graphic())
        });
    if !sane {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

/// Gives every request without an id a fresh UUID.
pub fn set_request_id() -> SetRequestIdLayer<MakeRequestUuid> {
    SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid)
}

/// The id [`set_request_id`] gave this request.
pub fn request_id_of<B>(request: &http::Request<B>) -> String {
    request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-")
        .to_string()
}

/// The request span and its closing line.
pub fn trace_layer(
) -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, (), LogResponse, (), (), ()>
{
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_request(())
        .on_response(LogResponse)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

#[derive(Clone, Copy, Debug)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &http::Request<B>) -> Span {
        // The route template, not the path: ids and search terms stay out of the field.
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or_else(|| request.uri().path(), MatchedPath::as_str);
        tracing::info_span!(
            "request",
            id = %request_id_of(request),
            method = %request.method(),
            route = %route,
            token = Empty,
            status = Empty,
            latency_ms = Empty,
        )
    }
}

/// Records the API token's visible prefix on the current request span.
pub fn record_token_prefix(prefix: &str) {
    Span::current().record("token", prefix);
}

/// One line per finished request, with its status and latency on the span.
#[derive(Clone, Copy, Debug)]
pub struct LogResponse;

impl<B> OnResponse<B> for LogResponse {
    fn on_response(self, response: &Response<B>, latency: Duration, span: &Span) {
        let status = response.status().as_u16();
        span.record("status", status);
        span.record("latency_ms", latency.as_secs_f64() * 1000.0);
        // Info even for a 5xx: its cause was logged once, at error level, where it happened.
        tracing::info!("request finished");
    }
}

/// An unexpected failure, logged once where it is turned into a bare 500, with its whole cause
/// chain (`outer: inner: root`); the client gets only the request id to quote.
pub fn log_unexpected(error: &(dyn std::error::Error + 'static), what: &str) {
    tracing::error!(error = %cause_chain(error), "{what}");
}

fn cause_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[tokio::test]
    async fn unsafe_ids_are_dropped_and_sane_ones_kept() {
        for (id, kept) in [("abc-123", true), ("", false), ("a b", false), ("é", false)] {
            let request = http::Request::builder()
                .header(
                    "x-request-id",
                    http::HeaderValue::from_bytes(id.as_bytes()).unwrap(),
                )
                .body(axum::body::Body::empty())
                .unwrap();
            let request = drop_unsafe_request_id(request).await;
            assert_eq!(
                request.headers().contains_key("x-request-id"),
                kept,
                "{id:?}"
            );
        }
        let long = "a".repeat(MAX_REQUEST_ID_LEN + 1);
        let request = http::Request::builder()
            .header("x-request-id", long)
            .body(axum::body::Body::empty())
            .unwrap();
        assert!(!drop_unsafe_request_id(request)
            .await
            .headers()
            .contains_key("x-request-id"));
    }

    #[test]
    fn the_cause_chain_is_spelled_out() {
        let error = Outer(std::io::Error::other("disk full"));
        assert_eq!(cause_chain(&error), "outer: disk full");
    }
}
