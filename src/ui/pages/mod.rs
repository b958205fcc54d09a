//! One file per page.

/// The AI Agents & API frame: header, tabs, and who may see it.
pub mod agents_layout;
/// The Audit Log tab.
pub mod audit_log;
/// "Edit access": name, scopes and domains of a token, reviewed before saving.
pub mod edit_token;
/// "Revoke all…".
pub mod emergency_revoke;
/// "Narrow to what it used": the confirmation.
pub mod narrow_token;
/// The create form as a page (without JavaScript), and the one-time reveal.
pub mod new_token;
/// Adding a webhook endpoint, and its secret shown once.
pub mod new_webhook;
/// Unknown URLs.
pub mod not_found;
/// The revoke confirmation as a page (without JavaScript).
pub mod revoke_token;
/// Rotating a token: the grace form and the one-time reveal of the new secret.
pub mod rotate_token;
/// The sign-in form.
pub mod sign_in;
/// A live token's change pages: pause or resume, expiration, allowed IP addresses.
pub mod token_change;
/// A token's own page: settings, activity, least privilege, history.
pub mod token_detail;
/// The owner's token policy.
pub mod token_policy;
/// The Tokens tab.
pub mod tokens;
/// One webhook endpoint: deliveries, test event, delete.
pub mod webhook_detail;
/// The Webhooks tab.
pub mod webhooks;
