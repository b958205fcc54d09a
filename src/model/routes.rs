//! The dashboard's page paths: the route table in `app.rs`, the pages' links, the server's
//! redirects and its page guard all use these (a test checks the route table serves them).

/// The sign-in page.
pub const SIGN_IN: &str = "/sign-in";
/// The "AI Agents & API" section; every page under it needs a session.
pub const AGENTS: &str = "/agents";
/// The Tokens tab, where a signed-in owner lands.
pub const TOKENS: &str = "/agents/tokens";
/// The Audit Log tab.
pub const AUDIT_LOG: &str = "/agents/audit-log";
/// The Audit Log's export (`?format=csv|jsonl` and the search), a streamed download.
pub const AUDIT_EXPORT: &str = "/agents/audit-log/export";
/// The Webhooks tab: the account's endpoints.
pub const WEBHOOKS: &str = "/agents/webhooks";
/// Adding an endpoint; a POST to it adds the endpoint and answers with its secret, once.
pub const NEW_WEBHOOK: &str = "/agents/webhooks/new";

/// An endpoint's page: its deliveries, "Send test event", delete.
pub fn webhook(id: i64) -> String {
    format!("{WEBHOOKS}/{id}")
}

/// The create form as a page of its own (the dialog's stand-in without JavaScript); a POST to it
/// creates the token and answers with the one-time reveal.
pub const NEW_TOKEN: &str = "/agents/tokens/new";

/// "Revoke all…": every token of the account, or every token that can reach one domain.
pub const EMERGENCY_REVOKE: &str = "/agents/tokens/emergency";
/// The owner's token policy.
pub const TOKEN_POLICY: &str = "/agents/tokens/policy";

/// A live token's change pages (`pause`, `expiration`, `ip-allowlist`, `rotate`), which work
/// without JavaScript.
pub fn token_change(id: i64, change: &str) -> String {
    format!("{TOKENS}/{id}/{change}")
}

/// A token's detail page: settings, history, activity and least privilege.
pub fn token_detail(id: i64) -> String {
    format!("{TOKENS}/{id}")
}

/// The confirmation page before a token is revoked (the dialog's stand-in without JavaScript).
pub fn revoke_token(id: i64) -> String {
    format!("{TOKENS}/{id}/revoke")
}

/// The create page prefilled from an expired or revoked token ("Create similar").
pub fn create_similar(id: i64) -> String {
    format!("{NEW_TOKEN}?like={id}")
}

/// The one-time keys a change puts in the list's URL to confirm it (`?revoked=7`): the list shows
/// the confirmation, then takes them out of the address bar.
pub const CHANGE_KEYS: [&str; 8] = [
    "created",
    "revoked",
    "rotated",
    "paused",
    "resumed",
    "expiration_changed",
    "allowlist_changed",
    "access_changed",
];

/// After "Revoke all…": how many tokens it revoked (`?emergency=3`).
pub const EMERGENCY_KEY: &str = "emergency";
