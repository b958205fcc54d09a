//! Server functions: the dashboard's calls to the server, one file per resource. Each is a
//! public HTTP endpoint; each parses its input, resolves the caller, calls a `server::` service
//! and maps the error. The types here cross the network and are shared with the browser.

/// The audit log.
pub mod audit;
/// The error every server function returns.
pub mod error;
/// Sign-in, sign-out and who is signed in.
pub mod session;
/// Listing, creating and revoking tokens.
pub mod tokens;

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
