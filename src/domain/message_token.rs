//! Message tokens (`tm_msg_…`): one mailbox, the three message scopes, and the rules for a
//! creation request (`POST /api/v1/mailboxes/{id}/message-tokens`).

use super::expiration::{
    parse_lifetime, Expiration, Lifetime, MESSAGE_TOKEN_WORDS, NARROWING_WORDS,
};
use super::field::FieldErrors;
use super::token_name::TokenName;
use serde::{Deserialize, Serialize};

/// Message-token names follow TrekMail's API limit, longer than the dashboard's.
pub const MAX_MESSAGE_TOKEN_NAME_CHARS: usize = 255;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MessageScope {
    /// List and read the mailbox's messages.
    Read,
    /// Change messages (flags, folders). Also lets the token list them.
    Write,
    /// Send mail as the mailbox.
    Send,
}

impl MessageScope {
    pub const ALL: [MessageScope; 3] =
        [MessageScope::Read, MessageScope::Send, MessageScope::Write];

    pub fn name(self) -> &'static str {
        match self {
            MessageScope::Read => "messages:read",
            MessageScope::Write => "messages:write",
            MessageScope::Send => "messages:send",
        }
    }

    pub fn parse(name: &str) -> Option<MessageScope> {
        Self::ALL.into_iter().find(|scope| scope.name() == name)
    }
}

/// A valid creation request: a name, 1 to 3 distinct scopes (sorted by name), an expiry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessageToken {
    pub name: TokenName,
    pub scopes: Vec<MessageScope>,
    pub expiration: Expiration,
}

impl NewMessageToken {
    pub fn parse(
        name: &str,
        scopes: &[String],
        expires_in: Option<&str>,
    ) -> Result<NewMessageToken, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = TokenName::parse_with_max(name, MAX_MESSAGE_TOKEN_NAME_CHARS)
            .map_err(|message| errors.add("name", message))
            .ok();
        if scopes.is_empty() {
            errors.add(
                "scopes",
                "Choose at least one of messages:read, messages:write, messages:send.",
            );
        }
        let mut parsed = Vec::with_capacity(scopes.len());
        for (index, scope) in scopes.iter().enumerate() {
            match MessageScope::parse(scope) {
                Some(scope) if !parsed.contains(&scope) => parsed.push(scope),
                Some(_) => {}
                None => errors.add(
                    format!("scopes[{index}]"),
                    format!("\"{scope}\" is not a message-token scope; use messages:read, messages:write or messages:send."),
                ),
            }
        }
        parsed.sort_by_key(|scope| scope.name());
        let expiration = parse_lifetime(expires_in.unwrap_or("never"), MESSAGE_TOKEN_WORDS)
            .map_err(|message| errors.add("expires_in", message))
            .ok()
            .and_then(Expiration::from_lifetime);
        match (name, expiration) {
            (Some(name), Some(expiration)) if errors.is_empty() => Ok(NewMessageToken {
                name,
                scopes: parsed,
                expiration,
            }),
            _ => Err(errors),
        }
    }

    pub fn scope_names(&self) -> Vec<&'static str> {
        self.scopes.iter().map(|scope| scope.name()).collect()
    }
}

/// Why a narrowing was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NarrowingError {
    /// The request itself is wrong (an unknown word, an empty list, a bad name).
    Invalid(FieldErrors),
    /// The request is well-formed but would widen this token as it is now (a scope it lacks,
    /// an expiry later than its own).
    Widens(FieldErrors),
}

/// A change to a live message token. It can only narrow: drop scopes, bring the expiry closer,
/// or rename. It never adds a scope or extends a lifetime (TrekMail's `update_message_token`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Narrowing {
    pub name: Option<TokenName>,
    pub scopes: Option<Vec<MessageScope>>,
    /// The new expiry, Unix milliseconds.
    pub expires_at: Option<i64>,
}

impl Narrowing {
    pub fn parse(
        name: Option<&str>,
        scopes: Option<&[String]>,
        expires_in: Option<&str>,
        current_scopes: &[MessageScope],
        current_expiry: Option<i64>,
        now: i64,
    ) -> Result<Narrowing, NarrowingError> {
        let invalid = |field: &str, message: String| {
            NarrowingError::Invalid(FieldErrors::single(field, message))
        };
        if name.is_none() && scopes.is_none() && expires_in.is_none() {
            let mut errors = FieldErrors::default();
            for field in ["name", "scopes", "expires_in"] {
                errors.add(field, "Give at least one of name, scopes or expires_in.");
            }
            return Err(NarrowingError::Invalid(errors));
        }
        let name = name
            .map(|name| TokenName::parse_with_max(name, MAX_MESSAGE_TOKEN_NAME_CHARS))
            .transpose()
            .map_err(|message| invalid("name", message))?;
        let scopes = match scopes {
            None => None,
            Some([]) => {
                return Err(invalid(
                    "scopes",
                    "Keep at least one scope; revoke the token to take all of them away.".into(),
                ))
            }
            Some(requested) => {
                let mut kept = Vec::new();
                for (index, name) in requested.iter().enumerate() {
                    let field = format!("scopes[{index}]");
                    let scope = MessageScope::parse(name).ok_or_else(|| {
                        invalid(&field, format!("\"{name}\" is not a message-token scope; use messages:read, messages:write or messages:send."))
                    })?;
                    if !current_scopes.contains(&scope) {
                        return Err(NarrowingError::Widens(FieldErrors::single(
                            field,
                            format!("\"{name}\" is not one of this token's scopes; a token can only lose scopes."),
                        )));
                    }
                    if !kept.contains(&scope) {
                        kept.push(scope);
                    }
                }
                kept.sort_by_key(|scope| scope.name());
                Some(kept)
            }
        };
        let expires_at = match expires_in {
            None => None,
            Some(value) => {
                let Lifetime::Hours(hours) = parse_lifetime(value, NARROWING_WORDS)
                    .map_err(|message| invalid("expires_in", message))?
                else {
                    unreachable!("every narrowing word is a number of hours")
                };
                let at = now + i64::from(hours) * 60 * 60 * 1000;
                if current_expiry.is_some_and(|current| at >= current) {
                    return Err(NarrowingError::Widens(FieldErrors::single(
                        "expires_in",
                        "The new expiry must be sooner than the current one; a token's life can only be shortened.",
                    )));
                }
                Some(at)
            }
        };
        Ok(Narrowing {
            name,
            scopes,
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_a_good_request_with_sorted_distinct_scopes() {
        let token = NewMessageToken::parse(
            " Support bot ",
            &scopes(&["messages:send", "messages:read", "messages:send"]),
            Some("30d"),
        )
        .unwrap();
        assert_eq!(token.name.as_str(), "Support bot");
        assert_eq!(token.scope_names(), ["messages:read", "messages:send"]);
        assert_eq!(token.expiration, Expiration::Hours(30 * 24));
        let forever = NewMessageToken::parse("x", &scopes(&["messages:write"]), None).unwrap();
        assert_eq!(forever.expiration, Expiration::Never);
    }

    #[test]
    fn narrowing_only_takes_away() {
        let now = 1_000_000_000;
        let current = [MessageScope::Read, MessageScope::Send];
        let narrow = |scopes: Option<&[&str]>, expires_in, expiry| {
            let scopes: Option<Vec<String>> =
                scopes.map(|s| s.iter().map(|s| s.to_string()).collect());
            Narrowing::parse(None, scopes.as_deref(), expires_in, &current, expiry, now)
        };
        let kept = narrow(Some(&["messages:read"]), None, None).unwrap();
        assert_eq!(kept.scopes, Some(vec![MessageScope::Read]));
        // Widening the token as it is now is a conflict with it; a malformed request is invalid.
        let refused = |result: Result<Narrowing, NarrowingError>| match result.unwrap_err() {
            NarrowingError::Widens(errors) => ("widens", errors.first().unwrap().field.clone()),
            NarrowingError::Invalid(errors) => ("invalid", errors.first().unwrap().field.clone()),
        };
        let field = |kind: &'static str, field: &str| (kind, field.to_string());
        assert_eq!(
            refused(narrow(
                Some(&["messages:read", "messages:write"]),
                None,
                None
            )),
            field("widens", "scopes[1]")
        );
        assert_eq!(
            refused(narrow(Some(&["messages:read", "root"]), None, None)),
            field("invalid", "scopes[1]")
        );
        assert_eq!(
            refused(narrow(Some(&[]), None, None)),
            field("invalid", "scopes")
        );
        let hour = narrow(None, Some("1h"), None).unwrap();
        assert_eq!(hour.expires_at, Some(now + 3_600_000));
        assert!(narrow(None, Some("1h"), Some(now + 7_200_000)).is_ok());
        assert_eq!(
            refused(narrow(None, Some("90d"), Some(now + 7_200_000))),
            field("widens", "expires_in")
        );
        assert_eq!(
            refused(narrow(None, Some("1y"), None)),
            field("invalid", "expires_in")
        );
        let NarrowingError::Invalid(nothing) = narrow(None, None, None).unwrap_err() else {
            panic!("an empty narrowing is invalid, not a widening")
        };
        assert!(["name", "scopes", "expires_in"]
            .iter()
            .all(|f| nothing.get(f).is_some()));
        let renamed = Narrowing::parse(Some(" New "), None, None, &current, None, now).unwrap();
        assert_eq!(renamed.name.unwrap().as_str(), "New");
    }

    #[test]
    fn names_the_field_of_each_mistake() {
        let field = |name: &str, s: &[&str], e: Option<&str>| {
            NewMessageToken::parse(name, &scopes(s), e)
                .unwrap_err()
                .first()
                .unwrap()
                .field
                .clone()
        };
        assert_eq!(field("", &["messages:read"], None), "name");
        assert_eq!(field(&"a".repeat(256), &["messages:read"], None), "name");
        assert!(
            NewMessageToken::parse(&"a".repeat(255), &scopes(&["messages:read"]), None).is_ok()
        );
        assert_eq!(field("x", &[], None), "scopes");
        assert_eq!(field("x", &["account:read"], None), "scopes[0]");
        assert_eq!(
            field("x", &["messages:read", "messages:send", "root"], None),
            "scopes[2]"
        );
        assert_eq!(field("x", &["messages:read"], Some("1y")), "expires_in");
        assert_eq!(field("x", &["messages:read"], Some("")), "expires_in");
    }
}
