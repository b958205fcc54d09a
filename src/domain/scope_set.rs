//! A token's granted scopes in their stored form.

use super::message_token::MessageScope;
use super::scope::Scope;

/// A token's granted scopes as the database stores them: names separated by single spaces (as
/// OAuth writes them). Ops tokens hold catalog scopes, message tokens message scopes; reading
/// drops names no longer known, so a retired scope can never grant anything. The only place that
/// writes or reads the stored form (the sqlx mapping is in `server::stored`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScopeSet(Vec<&'static str>);

impl ScopeSet {
    pub fn of_ops(scopes: &[Scope]) -> ScopeSet {
        ScopeSet(scopes.iter().map(|scope| scope.name()).collect())
    }

    pub fn of_messages(scopes: &[MessageScope]) -> ScopeSet {
        ScopeSet(scopes.iter().map(|scope| scope.name()).collect())
    }

    /// The stored text back; unknown names are dropped.
    pub fn read(stored: &str) -> ScopeSet {
        ScopeSet(
            stored
                .split_whitespace()
                .filter_map(|name| {
                    Scope::parse(name)
                        .map(Scope::name)
                        .or_else(|| MessageScope::parse(name).map(MessageScope::name))
                })
                .collect(),
        )
    }

    /// The stored text.
    pub fn stored(&self) -> String {
        self.0.join(" ")
    }

    /// The names as owned strings (for replies).
    pub fn to_strings(&self) -> Vec<String> {
        self.0.iter().map(|name| name.to_string()).collect()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains(&name)
    }

    /// The catalog scopes (an ops token's).
    pub fn ops(&self) -> Vec<Scope> {
        self.0
            .iter()
            .filter_map(|name| Scope::parse(name))
            .collect()
    }

    /// The message scopes (a message token's).
    pub fn messages(&self) -> Vec<MessageScope> {
        self.0
            .iter()
            .filter_map(|name| MessageScope::parse(name))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scope::parse_scopes;

    #[test]
    fn stored_form_round_trips_and_drops_retired_names() {
        let scopes = parse_scopes(&["account:read", "domains:delete"]).unwrap();
        assert_eq!(
            ScopeSet::of_ops(&scopes).stored(),
            "account:read domains:delete"
        );
        assert_eq!(
            ScopeSet::read("account:read retired:scope  domains:delete").ops(),
            scopes
        );
    }

    #[test]
    fn message_scopes_are_kept_too() {
        let set = ScopeSet::read("messages:send messages:read");
        assert_eq!(set.messages(), [MessageScope::Send, MessageScope::Read]);
        assert!(set.ops().is_empty());
        assert!(set.contains("messages:send") && !set.contains("messages:write"));
    }
}
