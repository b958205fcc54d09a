//! A token's name: what the owner calls it ("Claude Agent", "CI/CD Pipeline").

use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_NAME_CHARS: usize = 100;

/// A trimmed name of 1 to [`MAX_NAME_CHARS`] characters without control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenName(String);

impl TokenName {
    pub fn parse(raw: &str) -> Result<TokenName, String> {
        Self::parse_with_max(raw, MAX_NAME_CHARS)
    }

    /// The same rules with another length limit (message tokens allow 255 characters, as
    /// TrekMail's API does).
    pub fn parse_with_max(raw: &str, max_chars: usize) -> Result<TokenName, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("Enter a name for the token.".into());
        }
        if name.chars().count() > max_chars {
            return Err(format!("The name can be at most {max_chars} characters."));
        }
        if name.chars().any(char::is_control) {
            return Err("The name cannot contain line breaks or control characters.".into());
        }
        Ok(TokenName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TokenName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        let cases: &[(&str, Option<&str>)] = &[
            ("CI/CD Pipeline", Some("CI/CD Pipeline")),
            ("  Claude Agent \t", Some("Claude Agent")),
            ("é", Some("é")),
            ("", None),
            ("   ", None),
            ("line\nbreak", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(
                TokenName::parse(raw).ok().as_ref().map(TokenName::as_str),
                *expected,
                "{raw:?}"
            );
        }
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(TokenName::parse(&"ü".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(TokenName::parse(&"a".repeat(MAX_NAME_CHARS + 1)).is_err());
    }
}
