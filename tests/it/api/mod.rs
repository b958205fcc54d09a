//! The REST API over the real router and a real SQLite database: authentication, the access
//! table, domain constraints, plan changes, message tokens, idempotency, last used, rate limits,
//! bad input and the OpenAPI document, one module per area. Each module starts with
//! `use super::*` for the helpers and demo accounts below.

/// Tokens at the door: authentication, request ids, the access table, plans, last used and rate limits.
mod access;
/// The account and the Email Verifier.
mod account;
/// The OpenAPI document against the access table.
mod contract;
/// Idempotency-Key replays.
mod idempotency;
/// Bad input: every refusal is a 4xx envelope naming its field, and changes nothing.
mod input;
/// Leak reports: revoked at once, the same reply whatever was sent.
mod leak;
/// Domains, mailboxes and forwarding through a token's domain constraint.
mod mail;
/// Message tokens: minting, listing, narrowing, revoking, and what their scopes allow.
mod message_tokens;

use crate::support::{
    acme_hello, acme_shop_orders, assert_api_error, code, error, error_without_id, id,
    message_token, ops_token, TestApp, CLIENT_IP,
};
use http::StatusCode;
use serde_json::{json, Value};
use trekmail_tokens::api::tokens::{CreateToken, RevokeToken};
use trekmail_tokens::domain::token::TokenKind;
use trekmail_tokens::server::rest::access::{Needs, ENDPOINTS};

const PRO: &str = "owner@pro.test";
const ALL_PRO_OPS_SCOPES: &[&str] = &[
    "account:read",
    "domains:read",
    "mailboxes:read",
    "mailboxes:forwarding:read",
    "mailboxes:forwarding:write",
    "mailboxes:message-tokens:manage",
    "verify:read",
    "verify:write",
    "drive:addon:read",
];
