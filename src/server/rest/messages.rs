//! A message token's mailbox: listing its messages and accepting mail to send. Nothing leaves
//! the server: an accepted message is stored in the mailbox's Sent folder as `queued`.

use super::access::{token_gone, token_still_holds, Caller};
use super::error::{ApiError, RequestId};
use super::extract::{ApiJson, QueryParams};
use super::{timestamp, ErrorReply};
use crate::domain::email::{read_list, store_list, Address};
use crate::server::db::{now_ms, push_contains, Db};
use crate::server::state::AppState;
use axum::extract::State;
use axum::{Extension, Json};
use base64::Engine;
use http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::QueryBuilder;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(sqlx::FromRow)]
struct MessageRecord {
    message_id: i64,
    folder: String,
    message_ref: String,
    from_address: String,
    to_addresses: String,
    cc_addresses: String,
    subject: String,
    body_text: Option<String>,
    unread: i64,
    status: String,
    created_at: i64,
}

fn addresses(stored: &str) -> Vec<String> {
    read_list(stored)
}

fn message_json(record: &MessageRecord) -> Value {
    let snippet: String = record
        .body_text
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(160)
        .collect();
    json!({
        "uid": record.message_id,
        "message_id": record.message_ref,
        "folder": record.folder,
        "from": record.from_address,
        "to": addresses(&record.to_addresses),
        "cc": addresses(&record.cc_addresses),
        "subject": record.subject,
        "snippet": snippet,
        "date": timestamp(record.created_at),
        "unread": record.unread == 1,
        "status": record.status,
    })
}

fn mailbox_of(caller: &Caller) -> Result<i64, ApiError> {
    caller.mailbox_id.ok_or_else(|| {
        tracing::error!(
            token_id = caller.token_id,
            "message token without a mailbox"
        );
        ApiError::internal()
    })
}

/// The mailbox's messages in one folder, newest first.
#[utoipa::path(get, path = "/api/v1/messages", tag = "messages",
    params(
        ("folder" = Option<String>, Query, description = "IMAP folder, default INBOX"),
        ("limit" = Option<i64>, Query, description = "1 to 50, default 20"),
        ("before_uid" = Option<i64>, Query, description = "Only messages with a lower UID (the next page)"),
        ("since" = Option<String>, Query, description = "RFC 3339 date-time or YYYY-MM-DD: only messages from then on"),
        ("unread_only" = Option<bool>, Query, description = "Only unread messages"),
        ("search" = Option<String>, Query, description = "Subject keyword (at most 200 characters)"),
        ("external_account_id" = Option<i64>, Query, description = "A connected external inbox"),
    ),
    responses((status = 200, description = "`messages` and `pagination`", body = Object), (status = 403, description = "Wrong token kind, missing scope, or not on this plan", body = ErrorReply), (status = 422, description = "Invalid input", body = ErrorReply)))]
pub async fn list_messages(
    State(state): State<AppState>,
    caller: Caller,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    let mailbox_id = mailbox_of(&caller)?;
    let folder = query.text("folder", 255)?.unwrap_or_else(|| "INBOX".into());
    // IMAP treats INBOX case-insensitively; other folder names are exact.
    let folder = if folder.eq_ignore_ascii_case("inbox") {
        "INBOX".to_string()
    } else {
        folder
    };
    let limit = query.int("limit", 1, 50)?.unwrap_or(20);
    let before_uid = query.int("before_uid", 1, i64::MAX)?;
    let unread_only = query.boolean("unread_only")?.unwrap_or(false);
    let search = query.text("search", 200)?;
    let since = match query.text("since", 64)? {
        None => None,
        Some(text) => Some(parse_since(&text)?),
    };
    if query.int("external_account_id", 1, i64::MAX)?.is_some() {
        // No external inboxes are connected to any mailbox here.
        return Err(ApiError::not_found());
    }
    let mut rows = QueryBuilder::<Db>::new(
        "select message_id, folder, message_ref, from_address, to_addresses, cc_addresses, subject,
                body_text, unread, status, created_at
           from message where mailbox_id = ",
    );
    rows.push_bind(mailbox_id)
        .push(" and folder = ")
        .push_bind(folder.clone());
    if let Some(uid) = before_uid {
        rows.push(" and message_id < ").push_bind(uid);
    }
    if unread_only {
        rows.push(" and unread = 1");
    }
    if let Some(since) = since {
        rows.push(" and created_at >= ").push_bind(since);
    }
    if let Some(search) = &search {
        push_contains(&mut rows, "subject", search);
    }
    rows.push(" order by message_id desc limit ")
        .push_bind(limit + 1);
    let mut records: Vec<MessageRecord> = rows.build_query_as().fetch_all(&state.pool).await?;
    let has_more = records.len() as i64 > limit;
    records.truncate(limit as usize);
    let next_before_uid = has_more
        .then(|| records.last().map(|r| r.message_id))
        .flatten();
    Ok(Json(json!({
        "folder": folder,
        "messages": records.iter().map(message_json).collect::<Vec<_>>(),
        "pagination": { "has_more": has_more, "next_before_uid": next_before_uid, "limit": limit },
    })))
}

fn parse_since(text: &str) -> Result<i64, ApiError> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(at.timestamp_millis());
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|date| {
            date.and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_utc()
                .timestamp_millis()
        })
        .map_err(|_| {
            ApiError::validation(
                "since",
                "since must be an ISO 8601 date (2026-11-26) or date-time (2026-11-26T09:00:00Z).",
            )
        })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    /// Plain text, at most 204,800 characters.
    text: Option<String>,
    /// HTML, at most 512,000 characters.
    html: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    filename: String,
    content_type: String,
    content_base64: String,
}

/// What TrekMail's `send_message` tool sends.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    /// 1 to 10 addresses; To + Cc + Bcc at most 10.
    to: Vec<String>,
    /// 1 to 998 characters, one line.
    subject: String,
    body: SendBody,
    cc: Option<Vec<String>>,
    bcc: Option<Vec<String>>,
    /// At most 5.
    attachments: Option<Vec<Attachment>>,
    /// A Message-ID to reply to (sets In-Reply-To and References).
    reply_to_message_id: Option<String>,
    /// Only List-Unsubscribe, List-Unsubscribe-Post, Reply-To and X-* headers.
    headers: Option<BTreeMap<String, String>>,
    external_account_id: Option<i64>,
    identity_id: Option<i64>,
    shared_mailbox_id: Option<i64>,
    /// Accepted as the adapter sends it; no mailbox here has default recipients to add.
    #[allow(dead_code)]
    apply_default_recipients: Option<bool>,
}

const MAX_RECIPIENTS: usize = 10;
const MAX_SUBJECT_CHARS: usize = 998;
const MAX_TEXT_CHARS: usize = 204_800;
const MAX_HTML_CHARS: usize = 512_000;
const MAX_ATTACHMENTS: usize = 5;
const MAX_HEADERS: usize = 20;

fn parse_recipients(field: &str, raw: &[String]) -> Result<Vec<Address>, ApiError> {
    raw.iter()
        .enumerate()
        .map(|(index, address)| {
            Address::parse(address)
                .map_err(|problem| ApiError::validation(&format!("{field}[{index}]"), problem))
        })
        .collect()
}

fn one_line(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.chars().count() > max {
        return Err(ApiError::validation(
            field,
            format!("{field} can be at most {max} characters."),
        ));
    }
    if value.contains(['\r', '\n']) {
        return Err(ApiError::validation(
            field,
            format!("{field} must be a single line."),
        ));
    }
    Ok(())
}

/// Checks the whole request; the recipients parsed, in order To, Cc, Bcc.
fn validate(request: &SendRequest) -> Result<[Vec<Address>; 3], ApiError> {
    if request.to.is_empty() {
        return Err(ApiError::validation(
            "to",
            "Give at least one recipient in to.",
        ));
    }
    let (cc, bcc) = (
        request.cc.as_deref().unwrap_or_default(),
        request.bcc.as_deref().unwrap_or_default(),
    );
    // Counted before any address is read, so a huge list costs nothing.
    if request.to.len() + cc.len() + bcc.len() > MAX_RECIPIENTS {
        return Err(ApiError::validation(
            "to",
            format!("To, Cc and Bcc together can hold at most {MAX_RECIPIENTS} addresses."),
        ));
    }
    let to = parse_recipients("to", &request.to)?;
    let cc = parse_recipients("cc", cc)?;
    let bcc = parse_recipients("bcc", bcc)?;
    if request.subject.trim().is_empty() {
        return Err(ApiError::validation(
            "subject",
            "Give the message a subject.",
        ));
    }
    one_line("subject", &request.subject, MAX_SUBJECT_CHARS)?;
    let text = request
        .body
        .text
        .as_deref()
        .filter(|t| !t.trim().is_empty());
    let html = request
        .body
        .html
        .as_deref()
        .filter(|h| !h.trim().is_empty());
    if text.is_none() && html.is_none() {
        return Err(ApiError::validation(
            "body",
            "Give body.text, body.html or both.",
        ));
    }
    if text.is_some_and(|t| t.chars().count() > MAX_TEXT_CHARS) {
        return Err(ApiError::validation(
            "body.text",
            format!("body.text can be at most {MAX_TEXT_CHARS} characters."),
        ));
    }
    if html.is_some_and(|h| h.chars().count() > MAX_HTML_CHARS) {
        return Err(ApiError::validation(
            "body.html",
            format!("body.html can be at most {MAX_HTML_CHARS} characters."),
        ));
    }
    let attachments = request.attachments.as_deref().unwrap_or_default();
    if attachments.len() > MAX_ATTACHMENTS {
        return Err(ApiError::validation(
            "attachments",
            format!("At most {MAX_ATTACHMENTS} attachments."),
        ));
    }
    for (index, attachment) in attachments.iter().enumerate() {
        let field = |name: &str| format!("attachments[{index}].{name}");
        let filename = attachment.filename.trim();
        if filename.is_empty()
            || filename.chars().count() > 255
            || filename.contains(['/', '\\'])
            || filename.chars().any(char::is_control)
        {
            return Err(ApiError::validation(
                &field("filename"),
                "A file name is 1 to 255 characters without slashes or control characters.",
            ));
        }
        let (kind, subtype) = attachment.content_type.split_once('/').unwrap_or(("", ""));
        if kind.is_empty()
            || subtype.is_empty()
            || attachment.content_type.len() > 255
            || attachment.content_type.contains(['\r', '\n', ' '])
        {
            return Err(ApiError::validation(
                &field("content_type"),
                "content_type must be a MIME type such as application/pdf.",
            ));
        }
        if base64::engine::general_purpose::STANDARD
            .decode(attachment.content_base64.trim())
            .is_err()
        {
            return Err(ApiError::validation(
                &field("content_base64"),
                "content_base64 is not valid base64.",
            ));
        }
    }
    if let Some(reply_to) = &request.reply_to_message_id {
        one_line("reply_to_message_id", reply_to, 500)?;
    }
    if request
        .headers
        .as_ref()
        .is_some_and(|h| h.len() > MAX_HEADERS)
    {
        return Err(ApiError::validation(
            "headers",
            format!("At most {MAX_HEADERS} custom headers."),
        ));
    }
    for (name, value) in request.headers.iter().flatten() {
        let field = format!("headers.{name}");
        let lower = name.to_ascii_lowercase();
        let allowed = ["list-unsubscribe", "list-unsubscribe-post", "reply-to"]
            .contains(&lower.as_str())
            || (lower.starts_with("x-") && lower.len() > 2);
        let well_formed = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !allowed || !well_formed {
            return Err(ApiError::validation(&field, format!("{name} is managed by TrekMail; only List-Unsubscribe, List-Unsubscribe-Post, Reply-To and X-* headers can be set.")));
        }
        one_line(&field, value, 998)?;
    }
    // The mailbox has no identities, external accounts or shared mailboxes to send through.
    for (field, value) in [
        ("external_account_id", request.external_account_id),
        ("identity_id", request.identity_id),
        ("shared_mailbox_id", request.shared_mailbox_id),
    ] {
        if value.is_some() {
            return Err(ApiError::validation(
                field,
                format!(
                    "No {} with this id belongs to the mailbox.",
                    field.trim_end_matches("_id").replace('_', " ")
                ),
            ));
        }
    }
    Ok([to, cc, bcc])
}

/// Accepts a message for delivery from the token's mailbox (stored as queued; no SMTP here).
#[utoipa::path(post, path = "/api/v1/messages/send", tag = "messages", request_body = SendRequest,
    responses((status = 202, description = "status `queued`, message_id, queued_at", body = Object), (status = 403, description = "Wrong token kind, missing scope, or not on this plan", body = ErrorReply), (status = 422, description = "Invalid input", body = ErrorReply)))]
pub async fn send_message(
    State(state): State<AppState>,
    caller: Caller,
    Extension(RequestId(request_id)): Extension<RequestId>,
    ApiJson(request): ApiJson<SendRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mailbox_id = mailbox_of(&caller)?;
    let [to, cc, bcc] = validate(&request)?;
    let (from,): (String,) = sqlx::query_as(
        "select m.local_part || '@' || d.name from mailbox m join domain d on d.domain_id = m.domain_id
          where m.mailbox_id = $1",
    )
    .bind(mailbox_id)
    .fetch_one(&state.pool)
    .await?;
    let domain = from.rsplit('@').next().unwrap_or("localhost").to_string();
    let message_ref = format!("{}@{domain}", uuid::Uuid::new_v4());
    let join = |list: &[Address]| store_list(&list.iter().map(Address::as_str).collect::<Vec<_>>());
    let now = now_ms();
    let inserted: Option<(i64,)> = sqlx::query_as(concat!(
        "insert into message
            (mailbox_id, folder, message_ref, from_address, to_addresses, cc_addresses, bcc_addresses,
             subject, body_text, body_html, unread, status, sent_by_token_id, created_at)
         select $1, 'Sent', $2, $3, $4, $5, $6, $7, $8, $9, 0, 'queued', $10, $11
          where ",
        token_still_holds!("$10", "$11", "messages:send"),
        " returning message_id"
    ))
    .bind(mailbox_id)
    .bind(&message_ref)
    .bind(&from)
    .bind(join(&to))
    .bind(join(&cc))
    .bind(join(&bcc))
    .bind(request.subject.trim())
    .bind(request.body.text.as_deref())
    .bind(request.body.html.as_deref())
    .bind(caller.token_id)
    .bind(now)
    .fetch_optional(&state.pool)
    .await?;
    let Some((uid,)) = inserted else {
        return Err(token_gone());
    };
    tracing::info!(uid, token_id = caller.token_id, "message queued");
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "status": "queued",
            "message_id": format!("<{message_ref}>"),
            "uid": uid,
            "folder": "Sent",
            "from": from,
            "recipients": to.len() + cc.len() + bcc.len(),
            "attachments": request.attachments.as_ref().map_or(0, Vec::len),
            "queued_at": timestamp(now),
            "request_id": request_id,
        })),
    ))
}
