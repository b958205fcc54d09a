//! Tokens as the dashboard lists and creates them.

use crate::domain::status::TokenStatus;
use crate::domain::token::TokenKind;
use serde::{Deserialize, Serialize};

/// One of the account's domains, for the domain-constraint checkboxes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainOption {
    pub id: i64,
    pub name: String,
}

/// A token as the list shows it. Never holds the plaintext.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    pub kind: TokenKind,
    pub name: String,
    /// `tm_live_` plus 8 characters.
    pub visible_prefix: String,
    pub scopes: Vec<String>,
    /// `None`: all domains.
    pub domains: Option<Vec<String>>,
    /// The mailbox address of a message token.
    pub mailbox: Option<String>,
    pub status: TokenStatus,
    pub expires_at: Option<i64>,
    /// When it was revoked (revoked rows show this instead of their expiry).
    pub revoked_at: Option<i64>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
    /// Live message tokens this ops token minted ("name (prefix…)"): revoking it revokes them.
    pub minted: Vec<String>,
}

/// The answer to a successful creation: the plaintext, this once, and the new row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: String,
    pub row: TokenRow,
}

/// The fields of a form posted to a page without JavaScript (the create page), in order, for the
/// page to act on while it renders its answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubmittedForm(pub Vec<(String, String)>);
