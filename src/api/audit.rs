//! The Audit Log tab. Owner only.

use crate::model::audit::AuditRow;
use crate::model::error::AppError;
use crate::model::Page;
use leptos::prelude::*;

/// One page of the account's audit events, newest first; `action` narrows to one kind.
#[server(endpoint = "list_audit_events")]
pub async fn list_audit_events(
    action: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
) -> Result<Page<AuditRow>, AppError> {
    use crate::api::context::{require_owner, state};
    let pool = state().pool.clone();
    let owner = require_owner().await?;
    let action = action
        .as_deref()
        .and_then(crate::domain::audit::AuditAction::parse);
    crate::server::audit::list(
        &pool,
        owner.account_id,
        action,
        crate::model::Cursor { after, before },
    )
    .await
    .map_err(AppError::from)
}
