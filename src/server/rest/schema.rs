//! Schemas for the OpenAPI document that plain Rust types cannot state: the words and names a
//! field accepts, and rules across fields ([`refine`]), taken from the domain's own lists and
//! limits so the document and the parser agree.

use crate::domain::expiration::{Lifetime, MESSAGE_TOKEN_WORDS, NARROWING_WORDS};
use crate::domain::message_token::MessageScope;
use crate::domain::outgoing::MAX_HEADERS;
use serde_json::{json, Value};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

fn one_of_words<'a>(words: impl IntoIterator<Item = &'a str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(words.into_iter().collect::<Vec<_>>()))
        .into()
}

/// `messages:read`, `messages:write` or `messages:send`.
pub struct MessageScopeName;

impl PartialSchema for MessageScopeName {
    fn schema() -> RefOr<Schema> {
        one_of_words(MessageScope::ALL.map(MessageScope::name))
    }
}
impl ToSchema for MessageScopeName {}

fn words(list: &[(&'static str, Lifetime, &'static str)]) -> RefOr<Schema> {
    one_of_words(list.iter().map(|(word, _, _)| *word))
}

/// A message token's lifetime (`never` when absent).
pub struct MessageTokenExpiry;

impl PartialSchema for MessageTokenExpiry {
    fn schema() -> RefOr<Schema> {
        words(MESSAGE_TOKEN_WORDS)
    }
}
impl ToSchema for MessageTokenExpiry {}

/// How far away a narrowed token's new expiry is.
pub struct NarrowingExpiry;

impl PartialSchema for NarrowingExpiry {
    fn schema() -> RefOr<Schema> {
        words(NARROWING_WORDS)
    }
}
impl ToSchema for NarrowingExpiry {}

/// A token's name: 1 to 255 characters on one line, not blank, without control characters.
/// (Invisible and text-direction characters and piles of accents are refused too; the pattern
/// states the ASCII part of the rule.)
pub struct TokenNameText;

impl PartialSchema for TokenNameText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(255))
            .pattern(Some(TOKEN_NAME_PATTERN))
            .into()
    }
}
impl ToSchema for TokenNameText {}

/// No control character but tab, vertical tab and form feed (whitespace, folded into spaces), and
/// at least one character that is not whitespace.
const TOKEN_NAME_PATTERN: &str =
    r"^[^\x00-\x08\x0a\x0d-\x1f\x7f]*[^\x00-\x20\x7f][^\x00-\x08\x0a\x0d-\x1f\x7f]*$";

/// Any character but ASCII whitespace: a string holding one is not blank.
const NOT_BLANK: &str = r"[^\t\n\x0b\x0c\r ]";

/// The header names a message may set, in any case (the server compares them so).
fn header_name_pattern() -> String {
    let any_case = |name: &str| -> String {
        name.chars()
            .map(|c| match c {
                'a'..='z' => format!("[{}{c}]", c.to_ascii_uppercase()),
                other => other.to_string(),
            })
            .collect()
    };
    format!(
        "^({}-[A-Za-z0-9-]+|{}|{}|{})$",
        any_case("x"),
        any_case("list-unsubscribe"),
        any_case("list-unsubscribe-post"),
        any_case("reply-to")
    )
}

/// Adds to the document the rules the derive macros cannot state, each from the constant the
/// server checks: a message body needs text or HTML that is not blank; a message has one
/// sender; custom header names and values; forwarding targets are distinct, and turning
/// forwarding on with a list needs one target. (That To, Cc and Bcc hold 10 addresses together
/// is in the description only: listing the ways to split 10 between three lists made the
/// schema too heavy for schemathesis to generate from.)
pub fn refine(document: &mut Value) {
    let schemas = &mut document["components"]["schemas"];
    let not_blank = json!({ "type": "string", "pattern": NOT_BLANK });
    schemas["DraftBody"]["anyOf"] = json!([
        { "required": ["text"], "properties": { "text": not_blank } },
        { "required": ["html"], "properties": { "html": not_blank } },
    ]);
    let headers = &mut schemas["Draft"]["properties"]["headers"];
    headers["maxProperties"] = json!(MAX_HEADERS);
    headers["propertyNames"] = json!({ "pattern": header_name_pattern() });
    headers["additionalProperties"] =
        json!({ "type": "string", "maxLength": 998, "pattern": r"^[^\r\n]*$" });
    // At most one way to send as someone other than the mailbox.
    schemas["Draft"]["not"] = json!({ "anyOf": [
        { "required": ["identity_id", "shared_mailbox_id"] },
        { "required": ["identity_id", "external_account_id"] },
        { "required": ["shared_mailbox_id", "external_account_id"] },
    ]});
    // Each target once (the server also refuses the same address in another case).
    schemas["ForwardingRequest"]["properties"]["targets"]["uniqueItems"] = json!(true);
    schemas["ForwardingRequest"]["if"] =
        json!({ "properties": { "enabled": { "const": true } }, "required": ["enabled"] });
    schemas["ForwardingRequest"]["then"] =
        json!({ "properties": { "targets": { "minItems": 1 } } });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_match_in_any_case() {
        let pattern = header_name_pattern();
        assert!(pattern.starts_with("^([Xx]-[A-Za-z0-9-]+|[Ll][Ii][Ss][Tt]-"));
        assert!(pattern.contains("|[Rr][Ee][Pp][Ll][Yy]-[Tt][Oo])$"));
    }
}
