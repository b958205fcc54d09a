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

/// A change to a live message token. It can only narrow: drop scopes, bring the expiry closer,
/// or rename. It never adds a scope or extends a lifetime (TrekMail's `update_message_token`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Narrowing {
    pub name: Option<TokenName>,
    pub scopes: Option<Vec<MessageScope>>,
    /// The new expiry, Unix milliseconds.
    pub expires_at: Option<i64>,
}

/// How far away a narrowed expiry may be set.
fn narrowing_lifetime_ms(value: &str) -> Option<i64> {
    const HOUR: i64 = 60 * 60 * 1000;
    Some(match value {
        "1h" => HOUR,
        "2h" => 2 * HOUR,
        "4h" => 4 * HOUR,
        "8h" => 8 * HOUR,
        "7d" => 7 * 24 * HOUR,
        "30d" => 30 * 24 * HOUR,
        "90d" => 90 * 24 * HOUR,
        _ => return None,
    })
}

impl Narrowing {
    pub fn parse(
        name: Option<&str>,
        scopes: Option<&[String]>,
        expires_in: Option<&str>,
        current_scopes: &[&str],
        current_expiry: Option<i64>,
        now: i64,
    ) -> Result<Narrowing, FieldProblem> {
        let problem = |field, message: String| FieldProblem { field, message };
        if name.is_none() && scopes.is_none() && expires_in.is_none() {
            return Err(problem(
                "body",
                "Give at least one of name, scopes or expires_in.".into(),
            ));
        }
        let name = name
            .map(|name| TokenName::parse_with_max(name, MAX_MESSAGE_TOKEN_NAME_CHARS))
            .transpose()
            .map_err(|message| problem("name", message))?;
        let scopes = match scopes {
            None => None,
            Some([]) => {
                return Err(problem(
                    "scopes",
                    "Keep at least one scope; revoke the token to take all of them away.".into(),
                ))
            }
            Some(requested) => {
                let mut kept = Vec::new();
                for name in requested {
                    if !current_scopes.contains(&name.as_str()) {
                        return Err(problem(
                            "scopes",
                            format!("\"{name}\" is not one of this token's scopes; a token can only lose scopes."),
                        ));
                    }
                    let scope = MessageScope::parse(name).expect("a token's own scopes parse");
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
                let lifetime = narrowing_lifetime_ms(value).ok_or_else(|| {
                    problem(
                        "expires_in",
                        format!(
                            "\"{value}\" is not an expiry; use 1h, 2h, 4h, 8h, 7d, 30d or 90d."
                        ),
                    )
                })?;
                let at = now + lifetime;
                if current_expiry.is_some_and(|current| at >= current) {
                    return Err(problem(
                        "expires_in",
                        "The new expiry must be sooner than the current one; a token's life can only be shortened.".into(),
                    ));
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
        assert_eq!(token.expiration, Expiration::Days(30));
        let forever = NewMessageToken::parse("x", &scopes(&["messages:write"]), None).unwrap();
        assert_eq!(forever.expiration, Expiration::Never);
    }

    #[test]
    fn narrowing_only_takes_away() {
        let now = 1_000_000_000;
        let current = ["messages:read", "messages:send"];
        let narrow = |scopes: Option<&[&str]>, expires_in, expiry| {
            let scopes: Option<Vec<String>> =
                scopes.map(|s| s.iter().map(|s| s.to_string()).collect());
            Narrowing::parse(None, scopes.as_deref(), expires_in, &current, expiry, now)
        };
        let kept = narrow(Some(&["messages:read"]), None, None).unwrap();
        assert_eq!(kept.scopes, Some(vec![MessageScope::Read]));
        assert_eq!(
            narrow(Some(&["messages:write"]), None, None)
                .unwrap_err()
                .field,
            "scopes"
        );
        assert_eq!(narrow(Some(&[]), None, None).unwrap_err().field, "scopes");
        let hour = narrow(None, Some("1h"), None).unwrap();
        assert_eq!(hour.expires_at, Some(now + 3_600_000));
        assert!(narrow(None, Some("1h"), Some(now + 7_200_000)).is_ok());
        assert_eq!(
            narrow(None, Some("90d"), Some(now + 7_200_000))
                .unwrap_err()
                .field,
            "expires_in"
        );
        assert_eq!(
            narrow(None, Some("1y"), None).unwrap_err().field,
            "expires_in"
        );
        assert_eq!(narrow(None, None, None).unwrap_err().field, "body");
        let renamed = Narrowing::parse(Some(" New "), None, None, &current, None, now).unwrap();
        assert_eq!(renamed.name.unwrap().as_str(), "New");
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
