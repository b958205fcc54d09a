//! The Audit Log's export: the events a search finds, as CSV or JSON Lines, streamed batch by
//! batch (a million events cost one batch of memory), newest first. The export is itself audited,
//! in its own transaction, before the first byte is sent. Owner only (the page guard sends
//! signed-out visitors to sign-in; a member is refused here, before anything is read).

use crate::domain::audit::AuditAction;
use crate::domain::audit_filter::{AuditFilter, AuditFilterForm};
use crate::domain::role::Role;
use crate::model::audit::AuditRow;
use crate::server::audit::{export_batch, record, AuditEntry};
use crate::server::auth::SessionUser;
use crate::server::client::ClientMeta;
use crate::server::db::{self, begin_write, now_ms};
use crate::server::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde::Deserialize;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    JsonLines,
}

#[derive(Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
    action: Option<String>,
    token: Option<String>,
    actor: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

const COLUMNS: [&str; 9] = [
    "id",
    "time",
    "action",
    "token_name",
    "token_prefix",
    "actor",
    "ip",
    "user_agent",
    "detail",
];

pub async fn export(
    State(state): State<AppState>,
    Query(query): Query<ExportQuery>,
    request: Request,
) -> Response {
    let refuse = |status: StatusCode, message: String| (status, message).into_response();
    let Some(user) = request.extensions().get::<SessionUser>().cloned() else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "Sign in to export the audit log.".into(),
        );
    };
    if user.role != Role::Owner {
        return refuse(
            StatusCode::FORBIDDEN,
            "Only the account owner can export the audit log.".into(),
        );
    }
    let format = match query.format.as_deref() {
        Some("csv") => Format::Csv,
        Some("jsonl") => Format::JsonLines,
        _ => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "Choose the export's format: format=csv or format=jsonl.".into(),
            )
        }
    };
    let form = AuditFilterForm {
        action: query.action,
        token: query.token,
        actor: query.actor,
        from: query.from,
        to: query.to,
    };
    let filter = match AuditFilter::parse(&form) {
        Ok(filter) => filter,
        Err(errors) => return refuse(StatusCode::BAD_REQUEST, errors.to_string()),
    };
    let client = ClientMeta::from_request(
        request.headers(),
        request.extensions(),
        state.config.trust_proxy,
    );
    if let Err(error) = audit_export(&state, &user, &filter, format, &client).await {
        crate::server::telemetry::log_unexpected(&error, "could not audit an export");
        let status = if db::is_unavailable(&error) {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        return refuse(
            status,
            "The export could not be started. Nothing was exported; please try again.".into(),
        );
    }
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::JsonLines => ("application/x-ndjson; charset=utf-8", "jsonl"),
    };
    let filename = format!(
        "trekmail-audit-log-{}.{extension}",
        crate::domain::time::to_datetime(now_ms()).format("%Y-%m-%d")
    );
    let body = Body::from_stream(stream(state, user.account_id, filter, format));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

async fn audit_export(
    state: &AppState,
    user: &SessionUser,
    filter: &AuditFilter,
    format: Format,
    client: &ClientMeta,
) -> Result<(), sqlx::Error> {
    let detail = format!(
        "{} export of {}",
        if format == Format::Csv {
            "CSV"
        } else {
            "JSON Lines"
        },
        filter.describe()
    );
    let mut tx = begin_write(&state.pool).await?;
    record(
        &mut tx,
        AuditEntry {
            account_id: user.account_id,
            action: AuditAction::AuditLogExported,
            token_id: None,
            token_name: "",
            token_prefix: "",
            actor: &user.email,
            client,
            at: now_ms(),
            detail: &detail,
        },
    )
    .await?;
    db::commit(tx).await
}

/// The file, batch by batch: the header line first (CSV), then each batch's rows.
fn stream(
    state: AppState,
    account_id: i64,
    filter: AuditFilter,
    format: Format,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    // (the next batch's bound, whether the header is written, whether the end was reached)
    futures_util::stream::try_unfold((None, false, false), move |(before, started, done)| {
        let (state, filter) = (state.clone(), filter.clone());
        async move {
            if done {
                return Ok(None);
            }
            let batch = export_batch(&state.pool, account_id, &filter, before)
                .await
                .map_err(|error| {
                    crate::server::telemetry::log_unexpected(&error, "an export stopped");
                    std::io::Error::other("the export stopped: the database could not be read")
                })?;
            let bytes = encode(&batch.rows, format, !started)?;
            Ok(Some((
                Bytes::from(bytes),
                (batch.next, true, batch.next.is_none()),
            )))
        }
    })
}

fn encode(rows: &[AuditRow], format: Format, header: bool) -> Result<Vec<u8>, std::io::Error> {
    match format {
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            if header {
                writer.write_record(COLUMNS)?;
            }
            for row in rows {
                let id = row.id.to_string();
                let time = crate::domain::time::iso(row.at);
                writer.write_record([
                    id.as_str(),
                    time.as_str(),
                    row.action.as_str(),
                    &spreadsheet_safe(&row.token_name),
                    &spreadsheet_safe(&row.token_prefix),
                    &spreadsheet_safe(&row.actor),
                    &spreadsheet_safe(&row.ip),
                    &spreadsheet_safe(&row.user_agent),
                    &spreadsheet_safe(&row.detail),
                ])?;
            }
            writer.into_inner().map_err(|error| error.into_error())
        }
        Format::JsonLines => {
            let mut out = Vec::new();
            for row in rows {
                serde_json::to_writer(
                    &mut out,
                    &serde_json::json!({
                        "id": row.id,
                        "time": crate::domain::time::iso(row.at),
                        "action": row.action.as_str(),
                        "token_name": row.token_name,
                        "token_prefix": row.token_prefix,
                        "actor": row.actor,
                        "ip": row.ip,
                        "user_agent": row.user_agent,
                        "detail": row.detail,
                    }),
                )?;
                out.push(b'\n');
            }
            Ok(out)
        }
    }
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, return first: a token
/// named `=HYPERLINK(…)`) gets a leading apostrophe, as OWASP advises for CSV exports.
fn spreadsheet_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}
