//! The types the browser and the server exchange: what server functions return and the error
//! they fail with. They sit below `api/` so the server's services can build them without
//! depending on the RPC layer; they may use `domain` and nothing else of this crate.

/// A token's detail page: history, requests, usage.
pub mod activity;
/// The audit log's rows.
pub mod audit;
/// The error every server function returns.
pub mod error;
/// What a page's render takes from the middleware (its CSP nonce).
pub mod page;
/// The dashboard's page paths.
pub mod routes;
/// The signed-in viewer.
pub mod session;
/// Token rows and a freshly created token.
pub mod tokens;
/// Webhook endpoints and their deliveries.
pub mod webhooks;

use serde::{Deserialize, Serialize};

/// A keyset cursor from the URL: `after` pages to older rows, `before` to newer ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub after: Option<i64>,
    pub before: Option<i64>,
}

/// One page of a list, newest first, with the cursors of its neighbours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Pass as `after` to see older rows.
    pub older: Option<i64>,
    /// Pass as `before` to see newer rows.
    pub newer: Option<i64>,
    /// The server's clock (Unix ms) when the page was read, for relative times.
    pub now: i64,
}
