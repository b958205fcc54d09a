//! Server functions: the dashboard's calls to the server, one file per resource. Each is a
//! public HTTP endpoint; each parses its input, resolves the caller, calls a `server::` service
//! and maps the error. The types here cross the network and are shared with the browser.

/// A token's detail page and "Narrow to what it used".
pub mod activity;
/// The audit log.
pub mod audit;
/// Server-function glue: the caller, the request, and service errors mapped to `AppError`.
#[cfg(feature = "ssr")]
pub mod context;
/// Each service's errors as the dashboard shows them.
#[cfg(feature = "ssr")]
mod error;
/// Changing a live token (pause, expiration, IP allowlist, rotation) and the token policy.
pub mod lifecycle;
/// Sign-in, sign-out and who is signed in.
pub mod session;
/// Listing, creating and revoking tokens.
pub mod tokens;
/// Webhook endpoints and their deliveries.
pub mod webhooks;

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
        entry::<tokens::CountTokens, _, _>(),
        entry::<tokens::CountAttention, _, _>(),
        entry::<tokens::RecentLeakReports, _, _>(),
        entry::<tokens::FindToken, _, _>(),
        entry::<tokens::CreateToken, _, _>(),
        entry::<tokens::RevokeToken, _, _>(),
        entry::<audit::ListAuditEvents, _, _>(),
        entry::<activity::GetTokenDetail, _, _>(),
        entry::<activity::ListTokenRequests, _, _>(),
        entry::<activity::NarrowToken, _, _>(),
        entry::<activity::PreviewNarrowing, _, _>(),
        entry::<lifecycle::SetTokenPaused, _, _>(),
        entry::<lifecycle::ChangeTokenExpiration, _, _>(),
        entry::<lifecycle::SetTokenIpAllowlist, _, _>(),
        entry::<lifecycle::RotateToken, _, _>(),
        entry::<lifecycle::GetTokenPolicy, _, _>(),
        entry::<lifecycle::SetTokenPolicy, _, _>(),
        entry::<lifecycle::EditTokenAccess, _, _>(),
        entry::<lifecycle::ListEmergencyTargets, _, _>(),
        entry::<lifecycle::EmergencyRevoke, _, _>(),
        entry::<webhooks::ListWebhooks, _, _>(),
        entry::<webhooks::GetWebhook, _, _>(),
        entry::<webhooks::DeleteWebhook, _, _>(),
        entry::<webhooks::SendTestWebhook, _, _>(),
    ]
    .into_iter()
    .collect()
}
