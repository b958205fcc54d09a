//! Pure product rules shared by the server and the browser. Nothing here touches the database
//! or the network; every type parses its input and cannot hold a bad value.

/// A token's activity: days, status classes, the recent-requests filters.
pub mod activity;
/// The "Needs attention" panel's kinds of token.
pub mod attention;
/// The kinds of change the audit log records.
pub mod audit;
/// The Audit Log's search: action, token, actor, dates.
pub mod audit_filter;
/// Email address syntax and the Email Verifier's verdicts.
pub mod email;
/// When a token stops working.
pub mod expiration;
/// The one field-error type every parser returns.
pub mod field;
/// A mailbox's forwarding targets.
pub mod forwarding;
/// The addresses a token's API calls may come from.
pub mod ip_allowlist;
/// Message tokens (`tm_msg_`): their scopes and a creation request.
pub mod message_token;
/// A "Create token" submission and its validation.
pub mod new_token;
/// A message to send: the request and the rules it must pass.
pub mod outgoing;
/// Plans and which scopes they allow.
pub mod plan;
/// Owner or member.
pub mod role;
/// A rotation's grace period.
pub mod rotation;
/// The ops-token scope catalog.
pub mod scope;
/// Ready-made scope selections (the help article's Drive recipes).
pub mod scope_presets;
/// A token's granted scopes as stored.
pub mod scope_set;
/// A token's scopes at a glance ("Read-only · 16 scopes").
pub mod scope_summary;
/// Active / Paused / Expired / Revoked, derived from timestamps.
pub mod status;
/// Display helpers for timestamps.
pub mod time;
/// The `tm_live_` / `tm_msg_` token format and checksum.
pub mod token;
/// A token's name, scopes and domains, as creating and "Edit access" parse them.
pub mod token_access;
/// A token's name.
pub mod token_name;
/// The owner's limits on token lifetimes.
pub mod token_policy;
/// The Tokens list's view: status, search and order, as kept in the URL.
pub mod token_query;
/// NFC and general categories: from the Unicode crates on the server, from the browser's engine in the browser.
pub mod unicode;
/// Signed webhooks: events, delivery states, retries.
pub mod webhook;
