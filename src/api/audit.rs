//! The Audit Log tab. Owner only.

use crate::model::audit::AuditRow;
use crate::model::error::AppError;
use crate::model::Page;
use leptos::prelude::*;

/// One page of the account's audit events, newest first, under the search (action, token,
/// actor, dates: `AuditFilter`); a bad value is refused naming its field.
#[server(endpoint = "list_audit_events")]
pub async fn list_audit_events(
    action: Option<String>,
    token: Option<String>,
    actor: Option<String>,
    from: Option<String>,
    to: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
) -> Result<Page<AuditRow>, AppError> {
    use crate::api::context::{require_owner, state};
    let pool = state().pool.clone();
    let owner = require_owner().await?;
    use crate::domain::audit_filter::{AuditFilter, AuditFilterForm};
    let form = AuditFilterForm {
        action,
        token,
        actor,
        from,
        to,
    };
    let filter = AuditFilter::parse(&form).map_err(AppError::Invalid)?;
    crate::server::audit::list(
        &pool,
        owner.account_id,
        &filter,
        crate::model::Cursor { after, before },
    )
    .await
    .map_err(AppError::from)
}
