//! Typed query parameters. Each endpoint reads its query into a `Deserialize + IntoParams`
//! struct whose field types carry their bounds ([`Int`], [`Text`], [`Since`]), so the parser and
//! the OpenAPI document state each limit once. Keys an endpoint does not know are ignored
//! (TrekMail's adapter may send some); a known key with a bad value is a 422 naming it.

use super::error::ApiError;
use axum::extract::FromRequestParts;
use http::request::Parts;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use utoipa::openapi::schema::{AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::PartialSchema;

/// The query string of a request as `T`.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parse_query(parts.uri.query().unwrap_or("")).map(ApiQuery)
    }
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    // A key given twice keeps its last value (as most servers read it), not a "duplicate field".
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        pairs.retain(|(seen, _)| *seen != key);
        pairs.push((key.into_owned(), value.into_owned()));
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    let pairs = form_urlencoded::parse(query.as_bytes());
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs)).map_err(|error| {
        let field = error.path().to_string();
        let field = if field == "." {
            "query".to_string()
        } else {
            field
        };
        ApiError::validation(&field, format!("{field}: {}.", error.inner()))
    })
}

/// A whole number from `MIN` to `MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Int<const MIN: i64, const MAX: i64>(pub i64);

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Int<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.parse::<i64>() {
            Ok(number) if (MIN..=MAX).contains(&number) => Ok(Int(number)),
            _ => Err(D::Error::custom(format!(
                "must be a whole number from {MIN} to {MAX}"
            ))),
        }
    }
}

impl<const MIN: i64, const MAX: i64> PartialSchema for Int<MIN, MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(MIN))
            .maximum(Some(MAX))
            .into()
    }
}

/// `page`: from 1.
pub type PageNumber = Int<1, 1_000_000>;
/// A positive row id.
pub type Id = Int<1, { i64::MAX }>;

/// Text of at most `MAX` characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text<const MAX: usize>(pub String);

impl<'de, const MAX: usize> Deserialize<'de> for Text<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.chars().count() > MAX {
            return Err(D::Error::custom(format!("can be at most {MAX} characters")));
        }
        Ok(Text(text))
    }
}

impl<const MAX: usize> PartialSchema for Text<MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(MAX))
            .into()
    }
}

/// A point in time as a date (`2026-11-26`, from midnight UTC) or an RFC 3339 date-time; Unix ms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Since(pub i64);

impl<'de> Deserialize<'de> for Since {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if let Ok(at) = chrono::DateTime::parse_from_rfc3339(&text) {
            return Ok(Since(at.timestamp_millis()));
        }
        chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .ok()
            .and_then(|date| date.and_hms_opt(0, 0, 0))
            .map(|midnight| Since(midnight.and_utc().timestamp_millis()))
            .ok_or_else(|| {
                D::Error::custom(
                    "must be an ISO 8601 date (2026-11-26) or date-time (2026-11-26T09:00:00Z)",
                )
            })
    }
}

impl PartialSchema for Since {
    fn schema() -> RefOr<Schema> {
        let format = |known| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(known)))
        };
        // anyOf: `format` only annotates, so under oneOf every string would match both branches.
        AnyOfBuilder::new()
            .item(format(KnownFormat::Date))
            .item(format(KnownFormat::DateTime))
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Query {
        per_page: Option<Int<1, 20>>,
        search: Option<Text<5>>,
        since: Option<Since>,
        unread_only: Option<bool>,
    }

    fn field_of(query: &str) -> String {
        let error = parse_query::<Query>(query).unwrap_err();
        error.body.field.clone().unwrap_or_default()
    }

    #[test]
    fn values_are_read_and_bad_ones_name_their_key() {
        let query: Query =
            parse_query("per_page=20&search=a+b&since=2026-11-26&x=ignored").unwrap();
        assert_eq!(query.per_page, Some(Int(20)));
        assert_eq!(query.search, Some(Text("a b".into())), "+ is a space");
        assert_eq!(query.since, Some(Since(1_795_651_200_000)));
        assert_eq!(query.unread_only, None);
        let twice: Query = parse_query("per_page=3&per_page=7").unwrap();
        assert_eq!(twice.per_page, Some(Int(7)), "the last value wins");
        for (bad, field) in [
            ("per_page=21", "per_page"),
            ("per_page=x", "per_page"),
            ("search=abcdef", "search"),
            ("since=yesterday", "since"),
            ("unread_only=yes", "unread_only"),
        ] {
            assert_eq!(field_of(bad), field, "{bad}");
        }
    }
}
