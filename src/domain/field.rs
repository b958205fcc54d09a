//! The one shape of "this input broke a rule" for every parser: the field it concerns, named as
//! the request names it (`name`, `scopes[2]`, `expires_in`, `expiration_date`), and why. The
//! dashboard shows each message next to its field; the REST API names the field in its error.

use serde::{Deserialize, Serialize};

/// One field's problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name in the request; list items carry their index (`scopes[2]`).
    pub field: String,
    pub message: String,
}

/// Every problem a parser found, in the order of the request's fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: impl AsRef<str>) -> Option<&str> {
        self.0
            .iter()
            .find(|error| error.field == field.as_ref())
            .map(|error| error.message.as_str())
    }

    /// The first problem, which a single-error reply (the REST envelope) reports.
    pub fn first(&self) -> Option<&FieldError> {
        self.0.first()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let messages: Vec<&str> = self.0.iter().map(|e| e.message.as_str()).collect();
        f.write_str(&messages.join(" "))
    }
}

impl std::error::Error for FieldErrors {}

/// For an optional JSON field that may be absent but never `null` (TrekMail's adapter leaves
/// out what it does not send): `#[serde(default, deserialize_with = "present")]`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// An optional whole number that JSON may also write as `3.0` (JSON Schema counts it as an
/// integer): `#[serde(default, deserialize_with = "whole_number")]`; never `null`.
pub fn whole_number<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::de::Error;
    let number = serde_json::Number::deserialize(deserializer)?;
    if let Some(whole) = number.as_i64() {
        return Ok(Some(whole));
    }
    match number.as_f64() {
        Some(value) if value.fract() == 0.0 && value.abs() < 9.0e15 => Ok(Some(value as i64)),
        _ => Err(D::Error::custom(format!("{number} is not a whole number"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_problem_by_field() {
        let mut errors = FieldErrors::single("name", "Enter a name.");
        errors.add("scopes[2]", "Unknown scope.");
        assert_eq!(errors.get("scopes[2]"), Some("Unknown scope."));
        assert_eq!(errors.get("scopes"), None);
        assert_eq!(errors.first().map(|e| e.field.as_str()), Some("name"));
        assert_eq!(errors.to_string(), "Enter a name. Unknown scope.");
    }
}
