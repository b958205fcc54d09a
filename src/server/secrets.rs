//! Random secrets (tokens, session ids) from the operating system's CSPRNG, and their hashes.

use crate::domain::token::{TokenKind, TokenSecret, RANDOM_LEN};
use rand::distr::{Alphanumeric, SampleString};
use rand::rngs::OsRng;
use rand::TryRngCore;
use sha2::{Digest, Sha256};

/// `len` base62 characters straight from the OS generator (no user-space PRNG in between).
pub fn random_base62(len: usize) -> String {
    Alphanumeric.sample_string(&mut OsRng.unwrap_err(), len)
}

/// A fresh token of the given kind.
pub fn new_token(kind: TokenKind) -> TokenSecret {
    TokenSecret::from_random_body(kind, &random_base62(RANDOM_LEN))
        .expect("random_base62 makes a body of the right shape")
}

/// Hex SHA-256: how tokens and session ids are stored and looked up.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_tokens_are_well_formed_and_distinct() {
        let a = new_token(TokenKind::Ops);
        let b = new_token(TokenKind::Ops);
        assert_ne!(a, b);
        assert_eq!(TokenSecret::parse(a.expose()).unwrap(), a);
        assert!(new_token(TokenKind::Message)
            .expose()
            .starts_with("tm_msg_"));
    }

    #[test]
    fn sha256_matches_a_known_vector() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
