//! One file per page.

/// The AI Agents & API frame: header, tabs, and who may see it.
pub mod agents_layout;
/// The Audit Log tab.
pub mod audit_log;
/// Unknown URLs.
pub mod not_found;
/// The sign-in form.
pub mod sign_in;
/// The Tokens tab.
pub mod tokens;
