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
    /// Ops or message token paused / resumed by the owner.
    TokenPaused,
    TokenResumed,
    TokenExpirationChanged,
    TokenIpAllowlistChanged,
    /// Recorded on the old secret's token, naming the new one and when the old one stops.
    TokenRotated,
    /// The account's token policy (no token).
    TokenPolicyChanged,
    /// Name, scopes or domains changed without a new secret.
    TokenAccessChanged,
    /// "Narrow to what it used": scopes and domains its requests did not use, removed.
    TokenNarrowed,
    /// The summary of an emergency revoke (each token also gets its own "revoked" event).
    EmergencyRevoke,
    /// The Audit Log exported (CSV or JSON Lines), with the filter it used (no token).
    AuditLogExported,
    /// A webhook endpoint added or deleted (no token; the detail names its URL and events).
    WebhookAdded,
    WebhookRemoved,
}

impl AuditAction {
    pub const ALL: [AuditAction; 17] = [
        AuditAction::TokenCreated,
        AuditAction::TokenRevoked,
        AuditAction::TokenRotated,
        AuditAction::TokenPaused,
        AuditAction::TokenResumed,
        AuditAction::TokenExpirationChanged,
        AuditAction::TokenIpAllowlistChanged,
        AuditAction::TokenAccessChanged,
        AuditAction::TokenNarrowed,
        AuditAction::TokenPolicyChanged,
        AuditAction::EmergencyRevoke,
        AuditAction::AuditLogExported,
        AuditAction::WebhookAdded,
        AuditAction::WebhookRemoved,
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
            AuditAction::TokenPaused => "token_paused",
            AuditAction::TokenResumed => "token_resumed",
            AuditAction::TokenExpirationChanged => "token_expiration_changed",
            AuditAction::TokenIpAllowlistChanged => "token_ip_allowlist_changed",
            AuditAction::TokenRotated => "token_rotated",
            AuditAction::TokenPolicyChanged => "token_policy_changed",
            AuditAction::TokenAccessChanged => "token_access_changed",
            AuditAction::TokenNarrowed => "token_narrowed",
            AuditAction::EmergencyRevoke => "emergency_revoke",
            AuditAction::AuditLogExported => "audit_log_exported",
            AuditAction::WebhookAdded => "webhook_added",
            AuditAction::WebhookRemoved => "webhook_removed",
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
            AuditAction::TokenPaused => "Token paused",
            AuditAction::TokenResumed => "Token resumed",
            AuditAction::TokenExpirationChanged => "Token expiration changed",
            AuditAction::TokenIpAllowlistChanged => "Token IP allowlist changed",
            AuditAction::TokenRotated => "Token rotated",
            AuditAction::TokenPolicyChanged => "Token policy changed",
            AuditAction::TokenAccessChanged => "Token access changed",
            AuditAction::TokenNarrowed => "Token narrowed",
            AuditAction::EmergencyRevoke => "Emergency revoke",
            AuditAction::AuditLogExported => "Events exported",
            AuditAction::WebhookAdded => "Webhook added",
            AuditAction::WebhookRemoved => "Webhook removed",
        }
    }
}
