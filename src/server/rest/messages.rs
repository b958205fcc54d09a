//! A message token's mailbox: listing its messages and accepting mail to send (`server::mail`).

use super::access::Caller;
use super::error::{ApiError, ErrorReply, RequestId};
use super::extract::ApiJson;
use super::params::{ApiQuery, Id, Int, Since, Text};
use super::timestamp;
use crate::domain::email::read_list;
use crate::domain::outgoing::{Draft, OutgoingMessage};
use crate::server::mail::messages::{self, MessageFilter, MessageRecord};
use crate::server::state::AppState;
use axum::extract::State;
use axum::{Extension, Json};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct Message {
    /// The message's UID in its folder.
    uid: i64,
    /// Its Message-ID header.
    message_id: String,
    folder: String,
    from: String,
    to: Vec<String>,
    cc: Vec<String>,
    subject: String,
    /// The start of the text body, whitespace collapsed (at most 160 characters).
    snippet: String,
    /// RFC 3339.
    date: String,
    unread: bool,
    /// `received`, or `queued` for mail sent through the API.
    status: String,
}

impl From<MessageRecord> for Message {
    fn from(record: MessageRecord) -> Message {
        let snippet = record
            .body_text
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(160)
            .collect();
        Message {
            uid: record.message_id,
            message_id: record.message_ref,
            folder: record.folder,
            from: record.from_address,
            to: read_list(&record.to_addresses),
            cc: read_list(&record.cc_addresses),
            subject: record.subject,
            snippet,
            date: timestamp(record.created_at),
            unread: record.unread == 1,
            status: record.status,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Pagination {
    has_more: bool,
    /// Pass as `before_uid` for the next page.
    next_before_uid: Option<i64>,
    limit: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MessageList {
    folder: String,
    messages: Vec<Message>,
    pagination: Pagination,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageQuery {
    /// IMAP folder, default INBOX (in any case).
    #[param(inline)]
    folder: Option<Text<255>>,
    /// Default 20.
    #[param(inline)]
    limit: Option<Int<1, 50>>,
    /// Only messages with a lower UID (the next page).
    #[param(inline)]
    before_uid: Option<Id>,
    /// Only messages from then on: a date (from midnight UTC) or an RFC 3339 date-time.
    #[param(inline)]
    since: Option<Since>,
    /// Only unread messages.
    unread_only: Option<bool>,
    /// A subject keyword, any case.
    #[param(inline)]
    search: Option<Text<200>>,
    /// A connected external inbox (none are connected here: any id is a 404).
    #[param(inline)]
    external_account_id: Option<Id>,
}

/// The mailbox's messages in one folder, newest first.
#[utoipa::path(get, path = "/api/v1/messages", tag = "messages", params(MessageQuery),
    responses((status = 200, description = "One page of messages", body = MessageList)))]
pub async fn list_messages(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<MessageQuery>,
) -> Result<Json<MessageList>, ApiError> {
    let mailbox_id = caller.own_mailbox()?;
    if query.external_account_id.is_some() {
        return Err(ApiError::not_found());
    }
    let folder = match query.folder {
        None => "INBOX".to_string(),
        Some(Text(folder)) if folder.eq_ignore_ascii_case("inbox") => "INBOX".to_string(),
        Some(Text(folder)) => folder,
    };
    let filter = MessageFilter {
        folder,
        limit: query.limit.map_or(20, |Int(limit)| limit),
        before_uid: query.before_uid.map(|Int(uid)| uid),
        unread_only: query.unread_only.unwrap_or(false),
        since: query.since.map(|Since(at)| at),
        search: query.search.map(|Text(search)| search),
    };
    let (records, has_more) = messages::list(&state.pool, mailbox_id, &filter).await?;
    let next_before_uid = has_more
        .then(|| records.last().map(|record| record.message_id))
        .flatten();
    Ok(Json(MessageList {
        pagination: Pagination {
            has_more,
            next_before_uid,
            limit: filter.limit,
        },
        folder: filter.folder,
        messages: records.into_iter().map(Message::from).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct SendReply {
    /// Always `queued`: accepted for delivery.
    status: &'static str,
    /// The Message-ID header, in angle brackets.
    message_id: String,
    uid: i64,
    folder: &'static str,
    from: String,
    recipients: usize,
    attachments: usize,
    /// RFC 3339.
    queued_at: String,
    request_id: String,
}

/// Accepts a message for delivery from the token's mailbox (stored as queued; no SMTP here).
#[utoipa::path(post, path = "/api/v1/messages/send", tag = "messages", request_body = Draft,
    responses((status = 202, description = "Queued", body = SendReply),
        (status = 404, description = "No identity, shared mailbox or external account with this id (`not_found`)", body = ErrorReply)))]
pub async fn send_message(
    State(state): State<AppState>,
    caller: Caller,
    Extension(RequestId(request_id)): Extension<RequestId>,
    ApiJson(draft): ApiJson<Draft>,
) -> Result<(StatusCode, Json<SendReply>), ApiError> {
    let mailbox_id = caller.own_mailbox()?;
    let message = OutgoingMessage::parse(draft)?;
    let queued = messages::queue(&state.pool, mailbox_id, &message, caller.token_id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(SendReply {
            status: "queued",
            message_id: format!("<{}>", queued.message_ref),
            uid: queued.uid,
            folder: "Sent",
            from: queued.from,
            recipients: message.recipients(),
            attachments: message.attachments,
            queued_at: timestamp(queued.queued_at),
            request_id,
        }),
    ))
}
