//! The Audit Log tab. Owner only.

use super::error::AppError;
use super::Page;
use leptos::prelude::*;
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub action: AuditAction,
    pub token_name: String,
    pub token_prefix: String,
    pub actor: String,
    pub ip: String,
    pub user_agent: String,
}

/// One page of the account's audit events, newest first; `action` narrows to one kind.
#[server]
pub async fn list_audit_events(
    action: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
) -> Result<Page<AuditRow>, AppError> {
    use crate::server::context::{internal, require_owner, state};
    let pool = state().pool;
    let owner = require_owner().await?;
    let action = action.as_deref().and_then(AuditAction::parse);
    crate::server::audit::list(
        &pool,
        owner.account_id,
        action,
        crate::api::Cursor { after, before },
    )
    .await
    .map_err(internal)
}
