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

/// Each server function's path and the one content type it reads (its input encoding), so the
/// server can refuse any other before the function runs. A new server function goes here too;
/// a test checks that every registered one is listed.
#[cfg(feature = "ssr")]
pub fn server_fn_content_types() -> std::collections::HashMap<&'static str, &'static str> {
    use leptos::server_fn::codec::Encoding;
    use leptos::server_fn::{Http, ServerFn};

    fn entry<F, I, O>() -> (&'static str, &'static str)
    where
        F: ServerFn<Protocol = Http<I, O>>,
        I: Encoding,
    {
        (F::PATH, I::CONTENT_TYPE)
    }

    [
        entry::<session::CurrentViewer, _, _>(),
        entry::<session::FinishTour, _, _>(),
        entry::<session::SignIn, _, _>(),
        entry::<session::SignOut, _, _>(),
        entry::<tokens::AccountDomains, _, _>(),
        entry::<tokens::ListTokens, _, _>(),
        entry::<tokens::CreateToken, _, _>(),
        entry::<tokens::RevokeToken, _, _>(),
        entry::<audit::ListAuditEvents, _, _>(),
    ]
    .into_iter()
    .collect()
}
