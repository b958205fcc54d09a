//! Schemas for the OpenAPI document that plain Rust types cannot state: the words and names a
//! field accepts, taken from the domain's own lists so the document and the parser agree.

use crate::domain::expiration::{Lifetime, MESSAGE_TOKEN_WORDS, NARROWING_WORDS};
use crate::domain::message_token::MessageScope;
use serde::{Deserialize, Deserializer};
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

/// For an optional JSON field that may be absent but never `null` (TrekMail's adapter leaves
/// out what it does not send): `#[serde(default, deserialize_with = "present")]`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}
