//! The kinds of change the audit log records.

use serde::{Deserialize, Serialize};

/// What happened to a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditAction {
    TokenCreated,
    TokenRevoked,
    MessageTokenCreated,
    /// Scopes dropped, expiry brought closer, or renamed (never widened).
    MessageTokenNarrowed,
    MessageTokenRevoked,
}

impl AuditAction {
    pub const ALL: [AuditAction; 5] = [
        AuditAction::TokenCreated,
        AuditAction::TokenRevoked,
        AuditAction::MessageTokenCreated,
        AuditAction::MessageTokenNarrowed,
        AuditAction::MessageTokenRevoked,
    ];

    /// The stored value, also used in the URL (`?action=token_created`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::TokenCreated => "token_created",
            AuditAction::TokenRevoked => "token_revoked",
            AuditAction::MessageTokenCreated => "message_token_created",
            AuditAction::MessageTokenNarrowed => "message_token_narrowed",
            AuditAction::MessageTokenRevoked => "message_token_revoked",
        }
    }

    pub fn parse(value: &str) -> Option<AuditAction> {
        AuditAction::ALL
            .into_iter()
            .find(|action| action.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditAction::TokenCreated => "Token created",
            AuditAction::TokenRevoked => "Token revoked",
            AuditAction::MessageTokenCreated => "Message token created",
            AuditAction::MessageTokenNarrowed => "Message token narrowed",
            AuditAction::MessageTokenRevoked => "Message token revoked",
        }
    }
}
