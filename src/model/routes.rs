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
