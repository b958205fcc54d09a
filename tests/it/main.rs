//! The integration tests: one binary (it links once), a module per area, each driving the real
//! application in-process on a fresh database per test, SQLite or PostgreSQL (see `support`).

/// Building the app, sending requests, signing in.
mod support;

/// Per-token activity: the request log, the detail page, narrowing.
mod activity;
/// The REST API.
mod api;
/// The Tokens page's "Needs attention" panel and filters.
mod attention;
/// The Audit Log's search and exports.
mod audit;
/// The dashboard's server functions and pages.
mod dashboard;
/// Floods, races and hostile input (the hardening review).
mod hardening;
/// The one-way layer rule, read from the sources.
mod layers;
/// Pause, expiration, IP allowlists, rotation and the token policy.
mod lifecycle;
/// Request ids and the request span in the logs.
mod observability;
/// The dashboard without JavaScript: whole pages from the server, plain HTML forms.
mod pages;
/// Properties of the parsers on thousands of generated inputs (proptest).
mod properties;
/// Several app servers sharing one database.
mod servers;
/// Settings and start-up of the real binary.
mod startup;
/// A database that cannot store anything: 503s, and recovery.
mod storage;
/// Search, orders, counts, who revoked, Create similar.
mod token_list;
/// The guided tour's server side.
mod tour;
/// Signed webhooks: endpoints, the outbox, deliveries and retries.
mod webhooks;
/// What goes over the wire: cached, precompressed assets; compressed pages and JSON.
mod wire;
