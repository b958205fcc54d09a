//! Request parsing with API-shaped errors: JSON bodies (content type, size, syntax, unknown or
//! mistyped fields, each named) and path ids (anything but a positive decimal integer names
//! nothing, so it is a 404). Query strings are read by `params`.

use super::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use http::{header, StatusCode};
use serde::de::DeserializeOwned;

/// A JSON body of type `T` (whose fields the type itself validates as far as serde can).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with Content-Type: application/json.",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::payload_too_large()
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_json",
                        "The request body could not be read.",
                    )
                }
            })?;
        parse_json(&bytes).map(ApiJson)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let syntax = |error: &serde_json::Error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("The body is not valid JSON: {error}."),
        )
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let error = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(value) => return deserializer.end().map(|()| value).map_err(|e| syntax(&e)),
        Err(error) => error,
    };
    let inner = error.inner();
    if inner.is_syntax() || inner.is_eof() {
        return Err(syntax(inner));
    }
    let path = error.path().to_string();
    let message = inner.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    // serde_path_to_error's path ends at an unknown field itself, but only at the parent of a
    // missing one; serde names the missing field in backticks.
    let missing = message
        .starts_with("missing field")
        .then(|| message.split('`').nth(1))
        .flatten();
    let field = match (path.as_str(), missing) {
        (".", Some(name)) => name.to_string(),
        (".", None) => "body".to_string(),
        (parent, Some(name)) => format!("{parent}.{name}"),
        (path, None) => path.to_string(),
    };
    Err(ApiError::validation(&field, format!("{field}: {message}.")))
}

/// A path id: a positive decimal integer. Anything else names no resource.
pub fn resource_id(raw: &str) -> Result<i64, ApiError> {
    if raw.is_empty() || raw.len() > 18 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::not_found());
    }
    match raw.parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(ApiError::not_found()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        count: u8,
    }

    fn field_of(json: &str) -> (u16, Option<String>) {
        let error = parse_json::<Body>(json.as_bytes()).unwrap_err();
        (error.status.as_u16(), error.body.field.clone())
    }

    #[test]
    fn json_errors_name_the_field() {
        assert_eq!(field_of("{"), (400, None));
        assert_eq!(field_of(r#"{"name": "a", "count": 1} x"#), (400, None));
        assert_eq!(field_of(r#""text""#), (422, Some("body".into())));
        assert_eq!(field_of(r#"{"name": "a"}"#), (422, Some("count".into())));
        assert_eq!(
            field_of(r#"{"name": 1, "count": 1}"#),
            (422, Some("name".into()))
        );
        assert_eq!(
            field_of(r#"{"name": "a", "count": 300}"#),
            (422, Some("count".into()))
        );
        assert_eq!(
            field_of(r#"{"name": "a", "count": 1, "extra": 1}"#),
            (422, Some("extra".into()))
        );
        assert!(parse_json::<Body>(br#"{"name": "a", "count": 1}"#).is_ok());
    }

    #[test]
    fn ids() {
        assert_eq!(resource_id("42").unwrap(), 42);
        for bad in ["0", "-1", "abc", "1.5", "", "99999999999999999999", "+1"] {
            assert_eq!(
                resource_id(bad).unwrap_err().status,
                StatusCode::NOT_FOUND,
                "{bad}"
            );
        }
    }
}
