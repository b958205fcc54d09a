//! One file per page.

/// The AI Agents & API frame: header, tabs, and who may see it.
pub mod agents_layout;
/// The Audit Log tab.
pub mod audit_log;
/// The create form as a page (without JavaScript), and the one-time reveal.
pub mod new_token;
/// Unknown URLs.
pub mod not_found;
/// The revoke confirmation as a page (without JavaScript).
pub mod revoke_token;
/// The sign-in form.
pub mod sign_in;
/// The Tokens tab.
pub mod tokens;
