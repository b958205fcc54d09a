//! The audit log as the dashboard shows it.

use crate::domain::audit::AuditAction;
use serde::{Deserialize, Serialize};

/// One recorded change, with who made it and from where.
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
    /// What changed, in words ("Expiration: 2026-12-01 → Never"); empty when the action says it all.
    pub detail: String,
}
