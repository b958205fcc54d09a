//! Message tokens (`tm_msg_…`): one mailbox, the three message scopes, and the rules for a
//! creation request (`POST /api/v1/mailboxes/{id}/message-tokens`).

use super::expiration::Expiration;
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

/// A message token's lifetime: TrekMail's `expires_in` values. Absent means never.
pub fn parse_expires_in(value: Option<&str>) -> Result<Expiration, String> {
    match value {
        None | Some("never") => Ok(Expiration::Never),
        Some("7d") => Ok(Expiration::Days(7)),
        Some("30d") => Ok(Expiration::Days(30)),
        Some("90d") => Ok(Expiration::Days(90)),
        Some(other) => Err(format!(
            "\"{other}\" is not an expiry; use 7d, 30d, 90d or never."
        )),
    }
}

/// A valid creation request: a name, 1 to 3 distinct scopes (sorted by name), an expiry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessageToken {
    pub name: TokenName,
    pub scopes: Vec<MessageScope>,
    pub expiration: Expiration,
}

/// The field a creation request got wrong, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub message: String,
}

impl NewMessageToken {
    pub fn parse(
        name: &str,
        scopes: &[String],
        expires_in: Option<&str>,
    ) -> Result<NewMessageToken, FieldProblem> {
        let problem = |field, message| FieldProblem { field, message };
        let name = TokenName::parse_with_max(name, MAX_MESSAGE_TOKEN_NAME_CHARS)
            .map_err(|message| problem("name", message))?;
        if scopes.is_empty() {
            return Err(problem(
                "scopes",
                "Choose at least one of messages:read, messages:write, messages:send.".into(),
            ));
        }
        let mut parsed = Vec::with_capacity(scopes.len());
        for scope in scopes {
            let scope = MessageScope::parse(scope).ok_or_else(|| {
                problem(
                    "scopes",
                    format!("\"{scope}\" is not a message-token scope; use messages:read, messages:write or messages:send."),
                )
            })?;
            if !parsed.contains(&scope) {
                parsed.push(scope);
            }
        }
        parsed.sort_by_key(|scope| scope.name());
        let expiration =
            parse_expires_in(expires_in).map_err(|message| problem("expires_in", message))?;
        Ok(NewMessageToken {
            name,
            scopes: parsed,
            expiration,
        })
    }

    pub fn scope_names(&self) -> Vec<&'static str> {
        self.scopes.iter().map(|scope| scope.name()).collect()
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
        assert_eq!(token.expiration, Expiration::Days(30));
        let forever = NewMessageToken::parse("x", &scopes(&["messages:write"]), None).unwrap();
        assert_eq!(forever.expiration, Expiration::Never);
    }

    #[test]
    fn names_the_field_of_each_mistake() {
        let field = |name: &str, s: &[&str], e: Option<&str>| {
            NewMessageToken::parse(name, &scopes(s), e)
                .unwrap_err()
                .field
        };
        assert_eq!(field("", &["messages:read"], None), "name");
        assert_eq!(field(&"a".repeat(256), &["messages:read"], None), "name");
        assert!(
            NewMessageToken::parse(&"a".repeat(255), &scopes(&["messages:read"]), None).is_ok()
        );
        assert_eq!(field("x", &[], None), "scopes");
        assert_eq!(field("x", &["account:read"], None), "scopes");
        assert_eq!(field("x", &["messages:read"], Some("1y")), "expires_in");
        assert_eq!(field("x", &["messages:read"], Some("")), "expires_in");
    }
}
