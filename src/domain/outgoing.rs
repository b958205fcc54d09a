//! A message to send from a message token's mailbox (TrekMail's `send_message`): the request as
//! the client sends it ([`Draft`]) and the [`OutgoingMessage`] it parses into. Every rule lives
//! here; the first broken one is reported with the field it concerns (`to[2]`,
//! `attachments[0].content_base64`, `headers.X-Tag`).

use super::email::Address;
use super::field::{present, whole_number, FieldErrors};
use base64::Engine;
use serde::Deserialize;
use std::collections::BTreeMap;

pub const MAX_RECIPIENTS: usize = 10;
pub const MAX_SUBJECT_CHARS: usize = 998;
pub const MAX_TEXT_CHARS: usize = 204_800;
pub const MAX_HTML_CHARS: usize = 512_000;
pub const MAX_ATTACHMENTS: usize = 5;
pub const MAX_HEADERS: usize = 20;

/// The body: text, HTML or both (TrekMail's adapter sends both keys, one of them `null`).
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    /// Plain text, at most 204,800 characters.
    #[cfg_attr(feature = "ssr", schema(max_length = 204_800))]
    pub text: Option<String>,
    /// HTML, at most 512,000 characters.
    #[cfg_attr(feature = "ssr", schema(max_length = 512_000))]
    pub html: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DraftAttachment {
    /// At most 255 characters; without the white space around it, not empty and free of
    /// slashes and control characters.
    #[cfg_attr(feature = "ssr", schema(max_length = 255))]
    pub filename: String,
    /// A MIME type such as `application/pdf`.
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 255, pattern = r"^[^/\r\n ]+/[^\r\n ]+$")
    )]
    pub content_type: String,
    /// The content, base64 (RFC 4648, with padding; white space around it is ignored).
    pub content_base64: String,
}

/// What TrekMail's `send_message` tool sends. Optional fields are left out, never `null`.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// 1 to 10 addresses; To, Cc and Bcc together hold at most 10.
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Address>, min_items = 1, max_items = 10))]
    pub to: Vec<String>,
    /// 1 to 998 characters on one line, not blank, without control characters but tab.
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 998))]
    pub subject: String,
    pub body: DraftBody,
    /// At most 9 (To holds one at least, and the three lists 10 together).
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Vec<Address>>, max_items = 9, nullable = false))]
    pub cc: Option<Vec<String>>,
    /// At most 9, as Cc.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Vec<Address>>, max_items = 9, nullable = false))]
    pub bcc: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(max_items = 5, nullable = false))]
    pub attachments: Option<Vec<DraftAttachment>>,
    /// A Message-ID to reply to (sets In-Reply-To and References); one line.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 500, pattern = r"^[^\r\n]*$", nullable = false)
    )]
    pub reply_to_message_id: Option<String>,
    /// Only List-Unsubscribe, List-Unsubscribe-Post, Reply-To and X-* headers, at most 20, each
    /// value one line of at most 998 characters.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(nullable = false))]
    pub headers: Option<BTreeMap<String, String>>,
    /// Send through a connected external account (none is connected here: any id is a 404).
    #[serde(default, deserialize_with = "whole_number")]
    #[cfg_attr(feature = "ssr", schema(nullable = false))]
    pub external_account_id: Option<i64>,
    /// Send as one of the mailbox's identities (it has none here: any id is a 404).
    #[serde(default, deserialize_with = "whole_number")]
    #[cfg_attr(feature = "ssr", schema(nullable = false))]
    pub identity_id: Option<i64>,
    /// Send as a shared mailbox the mailbox belongs to (none here: any id is a 404).
    #[serde(default, deserialize_with = "whole_number")]
    #[cfg_attr(feature = "ssr", schema(nullable = false))]
    pub shared_mailbox_id: Option<i64>,
    /// Accepted as the adapter sends it; no mailbox here has default recipients to add.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(nullable = false))]
    pub apply_default_recipients: Option<bool>,
}

/// Whom a message is sent as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    /// The token's mailbox itself.
    Mailbox,
    Identity(i64),
    SharedMailbox(i64),
    ExternalAccount(i64),
}

/// A message that passed every rule, ready to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub bcc: Vec<Address>,
    /// Trimmed, one line.
    pub subject: String,
    pub text: Option<String>,
    pub html: Option<String>,
    pub attachments: usize,
    pub reply_to_message_id: Option<String>,
    pub headers: BTreeMap<String, String>,
    pub sender: Sender,
}

type Checked<T> = Result<T, FieldErrors>;

fn refuse<T>(field: impl Into<String>, message: impl Into<String>) -> Checked<T> {
    Err(FieldErrors::single(field, message))
}

fn recipients(field: &str, raw: &[String]) -> Checked<Vec<Address>> {
    raw.iter()
        .enumerate()
        .map(|(index, address)| {
            Address::parse(address)
                .map_err(|problem| FieldErrors::single(format!("{field}[{index}]"), problem))
        })
        .collect()
}

fn one_line(field: &str, value: &str, max: usize) -> Checked<()> {
    if value.chars().count() > max {
        return refuse(field, format!("{field} can be at most {max} characters."));
    }
    if value.contains(['\r', '\n']) {
        return refuse(field, format!("{field} must be a single line."));
    }
    Ok(())
}

fn attachment(index: usize, attachment: &DraftAttachment) -> Checked<()> {
    let field = |name: &str| format!("attachments[{index}].{name}");
    // The length counts what was sent; the rest, the name without the white space around it.
    let filename = attachment.filename.trim();
    if filename.is_empty()
        || attachment.filename.chars().count() > 255
        || filename.contains(['/', '\\'])
        || filename.chars().any(char::is_control)
    {
        return refuse(
            field("filename"),
            "A file name is 1 to 255 characters without slashes or control characters.",
        );
    }
    let (kind, subtype) = attachment.content_type.split_once('/').unwrap_or(("", ""));
    if kind.is_empty()
        || subtype.is_empty()
        || attachment.content_type.chars().count() > 255
        || attachment.content_type.contains(['\r', '\n', ' '])
    {
        return refuse(
            field("content_type"),
            "content_type must be a MIME type such as application/pdf.",
        );
    }
    if base64::engine::general_purpose::STANDARD
        .decode(attachment.content_base64.trim())
        .is_err()
    {
        return refuse(
            field("content_base64"),
            "content_base64 is not valid base64.",
        );
    }
    Ok(())
}

fn header(name: &str, value: &str) -> Checked<()> {
    let field = format!("headers.{name}");
    let lower = name.to_ascii_lowercase();
    let allowed = ["list-unsubscribe", "list-unsubscribe-post", "reply-to"]
        .contains(&lower.as_str())
        || (lower.starts_with("x-") && lower.len() > 2);
    let well_formed = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !allowed || !well_formed {
        return refuse(
            &field,
            format!("{name} is managed by TrekMail; only List-Unsubscribe, List-Unsubscribe-Post, Reply-To and X-* headers can be set."),
        );
    }
    one_line(&field, value, 998)
}

/// Non-blank text, or `None`.
fn filled(value: Option<String>) -> Option<String> {
    value.filter(|text| !text.trim().is_empty())
}

impl OutgoingMessage {
    pub fn parse(draft: Draft) -> Checked<OutgoingMessage> {
        if draft.to.is_empty() {
            return refuse("to", "Give at least one recipient in to.");
        }
        let (cc, bcc) = (draft.cc.unwrap_or_default(), draft.bcc.unwrap_or_default());
        // Counted before any address is read, so a huge list costs nothing.
        if draft.to.len() + cc.len() + bcc.len() > MAX_RECIPIENTS {
            return refuse(
                "to",
                format!("To, Cc and Bcc together can hold at most {MAX_RECIPIENTS} addresses."),
            );
        }
        let to = recipients("to", &draft.to)?;
        let cc = recipients("cc", &cc)?;
        let bcc = recipients("bcc", &bcc)?;
        if draft.subject.trim().is_empty() {
            return refuse("subject", "Give the message a subject.");
        }
        one_line("subject", &draft.subject, MAX_SUBJECT_CHARS)?;
        if draft
            .subject
            .chars()
            .any(|c| c.is_ascii_control() && c != '\t')
        {
            return refuse("subject", "subject cannot contain control characters.");
        }
        let text = filled(draft.body.text);
        let html = filled(draft.body.html);
        if text.is_none() && html.is_none() {
            return refuse("body", "Give body.text, body.html or both.");
        }
        if text
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_TEXT_CHARS)
        {
            return refuse(
                "body.text",
                format!("body.text can be at most {MAX_TEXT_CHARS} characters."),
            );
        }
        if html
            .as_ref()
            .is_some_and(|h| h.chars().count() > MAX_HTML_CHARS)
        {
            return refuse(
                "body.html",
                format!("body.html can be at most {MAX_HTML_CHARS} characters."),
            );
        }
        let attachments = draft.attachments.unwrap_or_default();
        if attachments.len() > MAX_ATTACHMENTS {
            return refuse(
                "attachments",
                format!("At most {MAX_ATTACHMENTS} attachments."),
            );
        }
        for (index, item) in attachments.iter().enumerate() {
            attachment(index, item)?;
        }
        if let Some(reply_to) = &draft.reply_to_message_id {
            one_line("reply_to_message_id", reply_to, 500)?;
        }
        let headers = draft.headers.unwrap_or_default();
        if headers.len() > MAX_HEADERS {
            return refuse("headers", format!("At most {MAX_HEADERS} custom headers."));
        }
        for (name, value) in &headers {
            header(name, value)?;
        }
        let sender =
            match (
                draft.identity_id,
                draft.shared_mailbox_id,
                draft.external_account_id,
            ) {
                (None, None, None) => Sender::Mailbox,
                (Some(id), None, None) => Sender::Identity(id),
                (None, Some(id), None) => Sender::SharedMailbox(id),
                (None, None, Some(id)) => Sender::ExternalAccount(id),
                _ => return refuse(
                    "identity_id",
                    "Give at most one of identity_id, shared_mailbox_id and external_account_id.",
                ),
            };
        Ok(OutgoingMessage {
            to,
            cc,
            bcc,
            subject: draft.subject.trim().to_string(),
            text,
            html,
            attachments: attachments.len(),
            reply_to_message_id: draft.reply_to_message_id,
            headers,
            sender,
        })
    }

    pub fn recipients(&self) -> usize {
        self.to.len() + self.cc.len() + self.bcc.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(patch: serde_json::Value) -> Draft {
        let mut base = serde_json::json!({
            "to": ["a@example.org"], "subject": "Hi", "body": { "text": "Hello" }
        });
        for (key, value) in patch.as_object().unwrap() {
            base[key] = value.clone();
        }
        serde_json::from_value(base).unwrap()
    }

    fn field_of(patch: serde_json::Value) -> String {
        let errors = OutgoingMessage::parse(draft(patch)).unwrap_err();
        errors.first().unwrap().field.clone()
    }

    #[test]
    fn a_good_message_parses() {
        let message = OutgoingMessage::parse(draft(serde_json::json!({
            "subject": "  Hi  ", "cc": ["b@example.org"], "headers": { "X-Tag": "1" }
        })))
        .unwrap();
        assert_eq!(message.subject, "Hi");
        assert_eq!(message.recipients(), 2);
        assert_eq!(message.text.as_deref(), Some("Hello"));
        assert_eq!(message.sender, Sender::Mailbox);
        let as_identity = draft(serde_json::json!({ "identity_id": 7.0 }));
        assert_eq!(
            OutgoingMessage::parse(as_identity).unwrap().sender,
            Sender::Identity(7)
        );
    }

    #[test]
    fn optional_fields_may_be_absent_but_not_null() {
        let mut base = serde_json::json!({ "to": ["a@example.org"], "subject": "Hi", "body": { "text": "x", "html": null } });
        base["cc"] = serde_json::Value::Null;
        assert!(serde_json::from_value::<Draft>(base).is_err());
    }

    #[test]
    fn each_refusal_names_its_field() {
        use serde_json::json;
        let cases = [
            (json!({ "to": [] }), "to"),
            (json!({ "to": ["a@example.org", "nope"] }), "to[1]"),
            (json!({ "cc": ["x"] }), "cc[0]"),
            (json!({ "subject": " " }), "subject"),
            (json!({ "subject": "a\nb" }), "subject"),
            (json!({ "body": { "html": " " } }), "body"),
            (
                json!({ "attachments": [{ "filename": "a/b", "content_type": "text/plain", "content_base64": "" }] }),
                "attachments[0].filename",
            ),
            (
                json!({ "attachments": [{ "filename": "a", "content_type": "text", "content_base64": "" }] }),
                "attachments[0].content_type",
            ),
            (
                json!({ "attachments": [{ "filename": "a", "content_type": "text/plain", "content_base64": "!!" }] }),
                "attachments[0].content_base64",
            ),
            (json!({ "headers": { "From": "x" } }), "headers.From"),
            (
                json!({ "identity_id": 3, "external_account_id": 4 }),
                "identity_id",
            ),
            (json!({ "subject": "a\u{7}b" }), "subject"),
        ];
        for (patch, field) in cases {
            assert_eq!(field_of(patch.clone()), field, "{patch}");
        }
    }
}
