//! Server-only code (the `ssr` feature): database, sessions, services and the HTTP router.

/// The account as the API reports it; verifier credits.
pub mod account;
/// Per-token request log: the queue, its writer, and what the detail page reads.
pub mod activity;
/// The browser's downloads: precompressed, hashed and cached assets; compressed pages and JSON.
pub mod assets;
/// The audit trail.
pub mod audit;
/// The Audit Log's CSV and JSON Lines export, streamed.
pub mod audit_export;
/// Passwords, sessions and the signed-in user.
pub mod auth;
/// Where a request came from (address, user agent).
pub mod client;
/// Settings from the environment.
pub mod config;
/// The connection pool and engine-specific details.
pub mod db;
/// Demo data for `make run`.
pub mod demo;
/// Keyset pagination.
pub mod keyset;
/// SQL conditions: the acting token is still live.
pub mod liveness;
/// Domains, mailboxes, forwarding and messages.
pub mod mail;
/// Pruning of expired sessions, idempotency records and throttle counters.
pub mod maintenance;
/// Redirects and status codes decided before a page renders.
pub mod page_guard;
/// Numbered pages of a filtered list.
pub mod paging;
/// HTML forms posted without JavaScript.
pub mod plain_forms;
/// The REST API under `/api/v1`.
pub mod rest;
/// Random secrets and hashing.
pub mod secrets;
/// Security headers and cross-site request refusal.
pub mod security;
/// Accepting connections, with their timeouts.
pub mod serve;
/// Shared state.
pub mod state;
/// How domain values are stored (sqlx mappings).
pub mod stored;
/// Request ids, the request span, log format.
pub mod telemetry;
/// Sign-in rate limiting.
pub mod throttle;
/// The token service.
pub mod tokens;
/// Signed webhooks: endpoints, the outbox and its worker.
pub mod webhooks;
