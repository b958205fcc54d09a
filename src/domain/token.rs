//! The token format, shared by ops tokens (`tm_live_…`) and message tokens (`tm_msg_…`):
//!
//! ```text
//! tm_live_ 3nV9xQ2k… (32 random base62 characters, ~190 bits) 0aZ91c (CRC32 of all before it, 6 base62)
//! ```
//!
//! The checksum lets the server (and secret scanners) reject a mistyped or made-up token without
//! touching the database, as GitHub's and Cloudflare's formats do. It is not a secret and proves
//! nothing about authenticity; only the SHA-256 lookup does.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Random characters in a token body.
pub const RANDOM_LEN: usize = 32;
/// Checksum characters at the end of a token body.
pub const CHECKSUM_LEN: usize = 6;
/// Characters after the kind prefix that the dashboard shows.
pub const VISIBLE_LEN: usize = 8;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenKind {
    /// Ops token: infrastructure endpoints.
    Ops,
    /// Message token: the content of one mailbox.
    Message,
}

impl TokenKind {
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::Ops => "tm_live_",
            TokenKind::Message => "tm_msg_",
        }
    }

    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Ops => "ops",
            TokenKind::Message => "message",
        }
    }

    pub fn parse(value: &str) -> Option<TokenKind> {
        [TokenKind::Ops, TokenKind::Message]
            .into_iter()
            .find(|kind| kind.as_str() == value)
    }
}

/// Why a string is not a well-formed token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenFormatError {
    #[error("the token does not start with tm_live_ or tm_msg_")]
    UnknownPrefix,
    #[error("the token has the wrong length")]
    WrongLength,
    #[error("the token contains characters other than letters and digits")]
    BadCharacter,
    #[error("the token's checksum does not match (mistyped or truncated?)")]
    BadChecksum,
}

/// A well-formed plaintext token. Parsing checks prefix, length, alphabet and checksum.
/// `Debug` is redacted so a token can never end up in a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret {
    kind: TokenKind,
    text: String,
}

impl TokenSecret {
    /// Builds a token from `RANDOM_LEN` random base62 characters (made by the server's CSPRNG).
    pub fn from_random_body(kind: TokenKind, random: &str) -> Result<Self, TokenFormatError> {
        if random.len() != RANDOM_LEN {
            return Err(TokenFormatError::WrongLength);
        }
        if !random.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TokenFormatError::BadCharacter);
        }
        let mut text = format!("{}{}", kind.prefix(), random);
        text.push_str(&checksum(&text));
        Ok(Self { kind, text })
    }

    pub fn parse(text: &str) -> Result<Self, TokenFormatError> {
        let (kind, body) = [TokenKind::Ops, TokenKind::Message]
            .into_iter()
            .find_map(|kind| text.strip_prefix(kind.prefix()).map(|body| (kind, body)))
            .ok_or(TokenFormatError::UnknownPrefix)?;
        if body.len() != RANDOM_LEN + CHECKSUM_LEN {
            return Err(TokenFormatError::WrongLength);
        }
        if !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TokenFormatError::BadCharacter);
        }
        let (signed, sum) = text.split_at(text.len() - CHECKSUM_LEN);
        if checksum(signed) != sum {
            return Err(TokenFormatError::BadChecksum);
        }
        Ok(Self {
            kind,
            text: text.to_string(),
        })
    }

    pub fn expose(&self) -> &str {
        &self.text
    }

    /// The part the dashboard shows: the kind prefix and the first `VISIBLE_LEN` characters.
    pub fn visible_prefix(&self) -> String {
        self.text[..self.kind.prefix().len() + VISIBLE_LEN].to_string()
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenSecret({}…)", self.visible_prefix())
    }
}

/// CRC32 of `text`, as `CHECKSUM_LEN` base62 digits (62^6 > 2^32, so it always fits).
fn checksum(text: &str) -> String {
    let mut value = u64::from(crc32fast::hash(text.as_bytes()));
    let mut digits = [b'0'; CHECKSUM_LEN];
    for digit in digits.iter_mut().rev() {
        *digit = BASE62[(value % 62) as usize];
        value /= 62;
    }
    String::from_utf8(digits.to_vec()).expect("base62 is ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";

    #[test]
    fn a_built_token_parses_back() {
        for kind in [TokenKind::Ops, TokenKind::Message] {
            let token = TokenSecret::from_random_body(kind, BODY).unwrap();
            assert!(token.expose().starts_with(kind.prefix()));
            assert_eq!(
                token.expose().len(),
                kind.prefix().len() + RANDOM_LEN + CHECKSUM_LEN
            );
            assert_eq!(TokenSecret::parse(token.expose()).unwrap(), token);
        }
    }

    #[test]
    fn visible_prefix_is_kind_prefix_and_eight_characters() {
        let token = TokenSecret::from_random_body(TokenKind::Ops, BODY).unwrap();
        assert_eq!(token.visible_prefix(), "tm_live_AbCdEfGh");
        let token = TokenSecret::from_random_body(TokenKind::Message, BODY).unwrap();
        assert_eq!(token.visible_prefix(), "tm_msg_AbCdEfGh");
    }

    #[test]
    fn malformed_tokens_are_rejected_before_any_lookup() {
        let good = TokenSecret::from_random_body(TokenKind::Ops, BODY).unwrap();
        let good = good.expose();
        let mut flipped = good.to_string();
        flipped.replace_range(10..11, if &good[10..11] == "x" { "y" } else { "x" });
        let cases: Vec<(String, TokenFormatError)> = vec![
            ("".into(), TokenFormatError::UnknownPrefix),
            ("Bearer tm_live_x".into(), TokenFormatError::UnknownPrefix),
            (
                good.replace("tm_live_", "tm_test_"),
                TokenFormatError::UnknownPrefix,
            ),
            (good[..good.len() - 1].into(), TokenFormatError::WrongLength),
            (format!("{good}0"), TokenFormatError::WrongLength),
            (good.replacen('A', "-", 1), TokenFormatError::BadCharacter),
            (flipped, TokenFormatError::BadChecksum),
        ];
        for (text, error) in cases {
            assert_eq!(TokenSecret::parse(&text).unwrap_err(), error, "{text}");
        }
    }

    #[test]
    fn bodies_of_the_wrong_shape_are_refused() {
        assert_eq!(
            TokenSecret::from_random_body(TokenKind::Ops, "short").unwrap_err(),
            TokenFormatError::WrongLength
        );
        assert_eq!(
            TokenSecret::from_random_body(TokenKind::Ops, &"_".repeat(RANDOM_LEN)).unwrap_err(),
            TokenFormatError::BadCharacter
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let token = TokenSecret::from_random_body(TokenKind::Ops, BODY).unwrap();
        assert_eq!(format!("{token:?}"), "TokenSecret(tm_live_AbCdEfGh…)");
    }
}
