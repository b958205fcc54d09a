//! Accepting connections, with deliberate timeouts so that idle or slow clients cannot hold the
//! server's sockets and memory for ever.
//!
//! `axum::serve` sets no timer on hyper, so hyper's header-read timeout never runs there: a
//! connection that opens and sends nothing (or a request head one byte at a time) stays open as
//! long as the client likes. Here each connection is served by hyper's HTTP/1.1 builder with a
//! timer, and the request body has its own limit (`startup.rs`, [`BODY_READ_TIMEOUT`]).
//! HTTP/1.1 only: browsers speak HTTP/2 only over TLS, which a proxy in front terminates.

use axum::extract::connect_info::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// A client must send a whole request head within this time of connecting, and the next one
/// within this time of its previous response. A connection that sends nothing (an idle keep-alive
/// or a slowloris trickle) is closed then. Long enough for any real client on a slow link (a
/// request head is a few hundred bytes), short enough that thousands of idle sockets cannot pile up.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A request body must arrive whole within this time of its head: the largest accepted body
/// (2 MiB) at 70 KB/s. A slower body fails to read: the request is refused (400) and the
/// connection closed.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` until `shutdown` completes, then lets the requests in flight
/// finish (the caller bounds how long).
pub async fn serve(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors, or the client left before it was accepted: the
                // connections already open go on; try again in a moment.
                Err(error) => {
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Responses are written whole; waiting to fill a packet only adds latency.
        let _ = stream.set_nodelay(true);
        // What `into_make_service_with_connect_info` would give each request: the client's
        // address (the trusted-proxy rule reads it).
        let service = app
            .clone()
            .map_request(move |mut request: http::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(client));
                request
            });
        let connection = graceful
            .watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %client, "connection ended early");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
