//! Schemas for the OpenAPI document that plain Rust types cannot state: the words and names a
//! field accepts, and rules across fields ([`refine`]), taken from the domain's own lists and
//! limits so the document and the parser agree.

use crate::domain::expiration::{Lifetime, MESSAGE_TOKEN_WORDS, NARROWING_WORDS};
use crate::domain::message_token::MessageScope;
use crate::domain::outgoing::{MAX_HEADERS, MAX_RECIPIENTS};
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

/// To, Cc and Bcc hold at most `max` addresses together: one branch per way of splitting
/// `max` between them (JSON Schema cannot add up lengths, but it can list the splits).
fn recipient_splits(max: usize) -> Value {
    let mut splits = Vec::new();
    for to in 1..=max {
        for cc in 0..=max - to {
            splits.push(json!({ "properties": {
                "to": { "maxItems": to },
                "cc": { "maxItems": cc },
                "bcc": { "maxItems": max - to - cc },
            }}));
        }
    }
    Value::Array(splits)
}

/// Adds to the document the rules the derive macros cannot state, each from the constant the
/// server checks: a message body needs text or HTML that is not blank; To, Cc and Bcc share
/// one limit; custom header names and values; forwarding turned on with a list needs one target.
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
    schemas["Draft"]["anyOf"] = recipient_splits(MAX_RECIPIENTS);
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

    #[test]
    fn every_split_of_the_recipients_adds_up_to_the_limit() {
        let splits = recipient_splits(10);
        assert_eq!(splits.as_array().unwrap().len(), 55);
        for split in splits.as_array().unwrap() {
            let total: u64 = ["to", "cc", "bcc"]
                .iter()
                .map(|key| split["properties"][key]["maxItems"].as_u64().unwrap())
                .sum();
            assert_eq!(total, 10);
        }
    }
}
