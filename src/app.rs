//! The HTML document (`shell`) and the `App` component with its route table.

use crate::ui::components::ready::{PageReady, PENDING_CLICKS_SCRIPT};
use crate::ui::pages::{
    agents_layout::AgentsLayout,
    audit_log::AuditLogPage,
    edit_token::EditTokenPage,
    emergency_revoke::EmergencyRevokePage,
    narrow_token::NarrowTokenPage,
    new_token::NewTokenPage,
    new_webhook::NewWebhookPage,
    not_found::NotFound,
    revoke_token::RevokeTokenPage,
    rotate_token::RotateTokenPage,
    sign_in::SignInPage,
    token_change::{ChangeExpirationPage, IpAllowlistPage, PauseTokenPage},
    token_detail::TokenDetailPage,
    token_policy::TokenPolicyPage,
    tokens::TokensPage,
    webhook_detail::WebhookDetailPage,
    webhooks::WebhooksPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The document around the app. Its inline scripts carry the nonce that
/// the security middleware made for this request and names in the page's policy.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    use_request_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options=options.clone() islands=true />
                <script nonce=leptos::nonce::use_nonce()>{PENDING_CLICKS_SCRIPT}</script>
                // Controls that only work with the script are hidden when it is off.
                <noscript><style>"[data-needs-script]{display:none}"</style></noscript>
                <HashedStylesheet options id="leptos" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App />
                <PageReady />
            </body>
        </html>
    }
}

/// Replaces the nonce Leptos made for this render with the request's own (see `shell`). A render
/// without one (no middleware: route generation) keeps Leptos's.
#[cfg(feature = "ssr")]
fn use_request_nonce() {
    let nonce = use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<crate::model::page::PageNonce>()
            .cloned()
    });
    if let Some(crate::model::page::PageNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// The app's routes: sign-in, and the AI Agents & API section with its two tabs and the pages
/// that stand in for its dialogs without JavaScript.
///
/// Every page is rendered whole on the server before it is sent (`SsrMode::Async`): the first
/// HTML holds the real list, filters and forms, with or without JavaScript. Its queries are keyset
/// pages on indexes (a few milliseconds), so waiting for them costs less than streaming a
/// placeholder that only a script could replace.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="TrekMail" />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async />
                <ParentRoute path=path!("/agents") view=AgentsLayout ssr=SsrMode::Async>
                    <Route path=path!("/tokens") view=TokensPage ssr=SsrMode::Async />
                    <Route path=path!("/tokens/new") view=NewTokenPage ssr=SsrMode::Async />
                    <Route path=path!("/tokens/policy") view=TokenPolicyPage ssr=SsrMode::Async />
                    <Route path=path!("/tokens/emergency") view=EmergencyRevokePage ssr=SsrMode::Async />
                    <Route path=path!("/tokens/:id/edit") view=EditTokenPage ssr=SsrMode::Async />
                    <Route path=path!("/tokens/:id/revoke") view=RevokeTokenPage ssr=SsrMode::Async />
                    <Route path=path!("/tokens/:id/rotate") view=RotateTokenPage ssr=SsrMode::Async />
                    <Route path=path!("/tokens/:id/pause") view=PauseTokenPage ssr=SsrMode::Async />
                    <Route path=path!("/tokens/:id/expiration") view=ChangeExpirationPage ssr=SsrMode::Async />
                    <Route path=path!("/tokens/:id/ip-allowlist") view=IpAllowlistPage ssr=SsrMode::Async />
                    <Route path=path!("/tokens/:id/narrow") view=NarrowTokenPage ssr=SsrMode::Async />
                    <Route path=path!("/tokens/:id") view=TokenDetailPage ssr=SsrMode::Async />
                    <Route path=path!("/audit-log") view=AuditLogPage ssr=SsrMode::Async />
                    <Route path=path!("/webhooks") view=WebhooksPage ssr=SsrMode::Async />
                    <Route path=path!("/webhooks/new") view=NewWebhookPage ssr=SsrMode::Async />
                    <Route path=path!("/webhooks/:id") view=WebhookDetailPage ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
