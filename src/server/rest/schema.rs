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

/// A token's name (see [`token_name_pattern`]).
pub struct TokenNameText;

impl PartialSchema for TokenNameText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(255))
            .pattern(Some(token_name_pattern()))
            .description(Some(
                "1 to 255 characters on one line, not only white space (runs of it are folded \
                 into one space). Refused: control characters but tab, line and paragraph \
                 separators, invisible and text-direction characters (Unicode Format, private use \
                 and unassigned code points, Hangul fillers, U+034F, U+17B4/5, U+2800), and more \
                 than 4 accents on one letter. Variation selectors are dropped.",
            ))
            .into()
    }
}
impl ToSchema for TokenNameText {}

/// What `str::trim` and `split_whitespace` treat as white space (Unicode White_Space), as the
/// inside of a regex class that JavaScript and Python read alike.
const WHITE_SPACE: &str =
    r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// Characters a token name may not hold (all but the unassigned code points, which no regex
/// lists; the server refuses those too).
const NAME_REFUSED: &str = r"\x00-\x08\x0a\x0d-\x1f\x7f-\x9f\xad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u2800\u3164\ue000-\uf8ff\ufeff\uffa0\ufff9-\ufffb";

fn token_name_pattern() -> String {
    format!("^[^{NAME_REFUSED}]*[^{NAME_REFUSED}{WHITE_SPACE}][^{NAME_REFUSED}]*$")
}

/// A string holding a character that is not white space is not blank.
fn not_blank() -> String {
    format!("[^{WHITE_SPACE}]")
}

/// A subject: one line, no control character but tab, not blank.
fn subject_pattern() -> String {
    let line = r"\x00-\x08\x0a-\x1f\x7f";
    format!("^[^{line}]*[^{line}{WHITE_SPACE}][^{line}]*$")
}

/// A file name: white space around it is ignored; the rest starts and ends with a character that
/// is not white space and holds no slash, backslash or control character.
fn filename_pattern() -> String {
    let refused = r"/\\\x00-\x1f\x7f-\x9f";
    format!(
        "^[{WHITE_SPACE}]*[^{refused}{WHITE_SPACE}]([^{refused}]*[^{refused}{WHITE_SPACE}])?[{WHITE_SPACE}]*$"
    )
}

/// Padded base64 (RFC 4648) whose unused bits are zero, as the decoder demands; white space
/// around it is ignored.
fn base64_pattern() -> String {
    format!(
        "^[{WHITE_SPACE}]*([A-Za-z0-9+/]{{4}})*([A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{{2}}[AEIMQUYcgkosw048]=)?[{WHITE_SPACE}]*$"
    )
}

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
    let filled = json!({ "type": "string", "pattern": not_blank() });
    schemas["DraftBody"]["anyOf"] = json!([
        { "required": ["text"], "properties": { "text": filled } },
        { "required": ["html"], "properties": { "html": filled } },
    ]);
    schemas["Draft"]["properties"]["subject"]["pattern"] = json!(subject_pattern());
    let attachment = &mut schemas["DraftAttachment"]["properties"];
    attachment["filename"]["pattern"] = json!(filename_pattern());
    attachment["content_base64"]["pattern"] = json!(base64_pattern());
    schemas["VerifyRequest"]["properties"]["email"]["pattern"] = json!(not_blank());
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
    fn patterns_are_built_from_one_white_space_class() {
        assert_eq!(not_blank(), format!("[^{WHITE_SPACE}]"));
        for pattern in [
            subject_pattern(),
            filename_pattern(),
            base64_pattern(),
            token_name_pattern(),
        ] {
            assert!(
                pattern.starts_with('^') && pattern.ends_with('$'),
                "{pattern}"
            );
        }
    }

    #[test]
    fn header_names_match_in_any_case() {
        let pattern = header_name_pattern();
        assert!(pattern.starts_with("^([Xx]-[A-Za-z0-9-]+|[Ll][Ii][Ss][Tt]-"));
        assert!(pattern.contains("|[Rr][Ee][Pp][Ll][Yy]-[Tt][Oo])$"));
    }
}
