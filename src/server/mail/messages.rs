//! A message token's mailbox: listing its messages and queueing mail to send. Nothing leaves the
//! server: an accepted message is stored in the mailbox's Sent folder as `queued`.

use super::{Error, Result};
use crate::domain::email::{store_list, Address};
use crate::domain::outgoing::{OutgoingMessage, Sender};
use crate::server::db;
use crate::server::db::{now_ms, push_contains, Pool, Query};
use crate::server::liveness::token_still_holds;

#[derive(Debug, sqlx::FromRow)]
pub struct MessageRecord {
    pub message_id: i64,
    pub folder: String,
    pub message_ref: String,
    pub from_address: String,
    pub to_addresses: String,
    pub cc_addresses: String,
    pub subject: String,
    pub body_text: Option<String>,
    pub unread: i64,
    pub status: String,
    pub created_at: i64,
}

/// Which messages a list holds.
#[derive(Clone, Debug)]
pub struct MessageFilter {
    /// An IMAP folder; INBOX in any case is INBOX, other names are exact.
    pub folder: String,
    /// At most this many (the caller learns whether there are more).
    pub limit: i64,
    /// Only messages with a lower UID (the next page).
    pub before_uid: Option<i64>,
    pub unread_only: bool,
    /// Unix ms: only messages from then on.
    pub since: Option<i64>,
    /// A subject keyword, any case.
    pub search: Option<String>,
}

/// One page of the mailbox's messages, newest first, and whether older ones remain.
pub async fn list(
    pool: &Pool,
    mailbox_id: i64,
    filter: &MessageFilter,
) -> Result<(Vec<MessageRecord>, bool)> {
    let mut rows = Query::build(
        "select message_id, folder, message_ref, from_address, to_addresses, cc_addresses, subject,
                body_text, unread, status, created_at
           from message where mailbox_id = ",
    );
    rows.push_bind(mailbox_id)
        .push(" and folder = ")
        .push_bind(filter.folder.clone());
    if let Some(uid) = filter.before_uid {
        rows.push(" and message_id < ").push_bind(uid);
    }
    if filter.unread_only {
        rows.push(" and unread = 1");
    }
    if let Some(since) = filter.since {
        rows.push(" and created_at >= ").push_bind(since);
    }
    if let Some(search) = &filter.search {
        push_contains(&mut rows, "subject", search);
    }
    rows.push(" order by message_id desc limit ")
        .push_bind(filter.limit + 1);
    let mut records: Vec<MessageRecord> = rows.fetch_all(pool).await?;
    let has_more = records.len() as i64 > filter.limit;
    records.truncate(filter.limit as usize);
    Ok((records, has_more))
}

/// A message accepted for delivery.
#[derive(Debug)]
pub struct Queued {
    pub uid: i64,
    /// The Message-ID, without angle brackets.
    pub message_ref: String,
    pub from: String,
    pub queued_at: i64,
}

/// Stores `message` in the mailbox's Sent folder as queued, if the acting token still holds
/// `messages:send` when it commits.
pub async fn queue(
    pool: &Pool,
    mailbox_id: i64,
    message: &OutgoingMessage,
    acting_token_id: i64,
) -> Result<Queued> {
    // The mailbox has no identities, shared mailboxes or external accounts to send as.
    if message.sender != Sender::Mailbox {
        return Err(Error::NotFound);
    }
    let from = super::mailbox_address(pool, mailbox_id).await?;
    let domain = from.rsplit('@').next().unwrap_or("localhost");
    let message_ref = format!("{}@{domain}", uuid::Uuid::new_v4());
    let join = |list: &[Address]| store_list(&list.iter().map(Address::as_str).collect::<Vec<_>>());
    let now = now_ms();
    let inserted: Option<(i64,)> = db::query(concat!(
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
    .bind(join(&message.to))
    .bind(join(&message.cc))
    .bind(join(&message.bcc))
    .bind(&message.subject)
    .bind(message.text.as_deref())
    .bind(message.html.as_deref())
    .bind(acting_token_id)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    let Some((uid,)) = inserted else {
        return Err(Error::TokenGone);
    };
    tracing::info!(uid, "message queued");
    Ok(Queued {
        uid,
        message_ref,
        from,
        queued_at: now,
    })
}
