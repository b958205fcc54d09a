//! The ops-token scope catalog: every scope an ops token (`tm_live_…`) can carry,
//! grouped by family, with what it allows and how risky it is.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How much harm a scope can do in the wrong hands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Risk {
    /// Only reads data.
    Read,
    /// Creates or changes data.
    Write,
    /// Deletes or permanently purges data; the docs advise a separate, tightly held token.
    HighRisk,
}

/// One entry of the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScopeInfo {
    pub name: &'static str,
    pub family: &'static str,
    pub description: &'static str,
    pub risk: Risk,
}

const fn scope(
    name: &'static str,
    family: &'static str,
    description: &'static str,
    risk: Risk,
) -> ScopeInfo {
    ScopeInfo {
        name,
        family,
        description,
        risk,
    }
}

use Risk::{HighRisk, Read, Write};

/// Every ops-token scope, in display order. Families appear in the order of their first scope.
pub const CATALOG: &[ScopeInfo] = &[
    scope(
        "account:read",
        "Account & Billing",
        "Read account info, plan, limits and usage",
        Read,
    ),
    scope(
        "billing:read",
        "Account & Billing",
        "Read billing status and invoices",
        Read,
    ),
    scope(
        "domains:read",
        "Domains",
        "List and view domains and spam metrics",
        Read,
    ),
    scope("domains:create", "Domains", "Add domains", Write),
    scope(
        "domains:write",
        "Domains",
        "Change catch-all, DKIM, notes and domain settings",
        Write,
    ),
    scope(
        "domains:delete",
        "Domains",
        "Delete a domain and everything in it",
        HighRisk,
    ),
    scope(
        "domains:dns:read",
        "Domains",
        "Read required DNS records and check results",
        Read,
    ),
    scope(
        "domains:dns:recheck",
        "Domains",
        "Start a new DNS verification run",
        Write,
    ),
    scope(
        "mailboxes:read",
        "Mailboxes",
        "List and view mailboxes and aliases",
        Read,
    ),
    scope("mailboxes:create", "Mailboxes", "Create mailboxes", Write),
    scope(
        "mailboxes:delete",
        "Mailboxes",
        "Delete mailboxes through delete intents",
        HighRisk,
    ),
    scope(
        "mailboxes:invites:create",
        "Mailboxes",
        "Send mailbox setup invites",
        Write,
    ),
    scope(
        "mailboxes:write",
        "Mailboxes",
        "Change passwords, notes, aliases; pause and resume",
        Write,
    ),
    scope(
        "mailboxes:message-tokens:manage",
        "Mailboxes",
        "Create, list and revoke message tokens (tm_msg_) for a mailbox",
        Write,
    ),
    scope(
        "mailboxes:forwarding:read",
        "Forwarding",
        "Read a mailbox's forwarding",
        Read,
    ),
    scope(
        "mailboxes:forwarding:write",
        "Forwarding",
        "Create and change forwarding",
        Write,
    ),
    scope(
        "mailboxes:rules:read",
        "Mail filters",
        "List mail filters and read Sieve scripts",
        Read,
    ),
    scope(
        "mailboxes:rules:write",
        "Mail filters",
        "Create, reorder and delete mail filters",
        Write,
    ),
    scope(
        "mailboxes:auto-reply:read",
        "Auto-reply",
        "Read vacation auto-reply settings",
        Read,
    ),
    scope(
        "mailboxes:auto-reply:write",
        "Auto-reply",
        "Set vacation auto-replies",
        Write,
    ),
    scope(
        "migrations:read",
        "Migrations",
        "List migrations and their progress",
        Read,
    ),
    scope(
        "migrations:write",
        "Migrations",
        "Start, cancel, retry and delete migrations",
        Write,
    ),
    scope(
        "tickets:read",
        "Tickets",
        "List and read support tickets",
        Read,
    ),
    scope(
        "tickets:write",
        "Tickets",
        "Create, reply to and close tickets",
        Write,
    ),
    scope(
        "smtp:read",
        "SMTP",
        "Read SMTP configuration, routes and profiles",
        Read,
    ),
    scope(
        "smtp:write",
        "SMTP",
        "Change SMTP configuration, routes and profiles",
        Write,
    ),
    scope(
        "cloudflare:read",
        "Cloudflare",
        "List zones and preview DNS changes",
        Read,
    ),
    scope(
        "cloudflare:write",
        "Cloudflare",
        "Connect domains and apply DNS records",
        Write,
    ),
    scope(
        "cloudflare:delete",
        "Cloudflare",
        "Delete a stored Cloudflare token",
        HighRisk,
    ),
    scope(
        "verify:read",
        "Email Verifier",
        "Check credits and read verification jobs",
        Read,
    ),
    scope(
        "verify:write",
        "Email Verifier",
        "Verify addresses and manage jobs",
        Write,
    ),
    scope(
        "drive:account:read",
        "Drive",
        "Browse Account Drive files and usage",
        Read,
    ),
    scope(
        "drive:account:write",
        "Drive",
        "Upload, rename, move and trash Account Drive files",
        Write,
    ),
    scope(
        "drive:account:share",
        "Drive",
        "Create and revoke public links to Account Drive files",
        Write,
    ),
    scope(
        "drive:account:purge",
        "Drive",
        "Permanently purge trashed Account Drive items",
        HighRisk,
    ),
    scope(
        "drive:mailbox:read",
        "Drive",
        "Browse mailbox Drive spaces",
        Read,
    ),
    scope(
        "drive:mailbox:write",
        "Drive",
        "Upload and manage files in mailbox Drive spaces",
        Write,
    ),
    scope(
        "drive:mailbox:share",
        "Drive",
        "Create and revoke public links to mailbox Drive files",
        Write,
    ),
    scope(
        "drive:mailbox:purge",
        "Drive",
        "Permanently purge trashed mailbox Drive files",
        HighRisk,
    ),
    scope(
        "drive:addon:read",
        "Drive",
        "Read Drive Storage Add-on status and pricing",
        Read,
    ),
];

/// A scope name known to the catalog. It can only be made by [`Scope::parse`], so holding one
/// proves the name is real.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Scope(&'static str);

impl Scope {
    /// A catalog scope named in code (`const ACCOUNT_READ: Scope = Scope::known("account:read")`):
    /// a name missing from the catalog stops the build.
    pub const fn known(name: &'static str) -> Scope {
        const fn same(a: &str, b: &str) -> bool {
            let (a, b) = (a.as_bytes(), b.as_bytes());
            if a.len() != b.len() {
                return false;
            }
            let mut i = 0;
            while i < a.len() {
                if a[i] != b[i] {
                    return false;
                }
                i += 1;
            }
            true
        }
        let mut i = 0;
        while i < CATALOG.len() {
            if same(CATALOG[i].name, name) {
                return Scope(CATALOG[i].name);
            }
            i += 1;
        }
        panic!("not a scope of the catalog")
    }

    pub fn parse(name: &str) -> Option<Scope> {
        CATALOG
            .iter()
            .find(|info| info.name == name)
            .map(|info| Scope(info.name))
    }

    pub fn name(self) -> &'static str {
        self.0
    }

    pub fn info(self) -> &'static ScopeInfo {
        CATALOG
            .iter()
            .find(|info| info.name == self.0)
            .expect("a Scope is always in the catalog")
    }

    pub fn is_read_only(self) -> bool {
        self.info().risk == Risk::Read
    }

    pub fn is_high_risk(self) -> bool {
        self.info().risk == Risk::HighRisk
    }

    pub fn is_drive(self) -> bool {
        self.0.starts_with("drive:")
    }

    pub fn is_verifier(self) -> bool {
        self.0.starts_with("verify:")
    }

    /// Every scope in catalog order.
    pub fn all() -> impl Iterator<Item = Scope> {
        CATALOG.iter().map(|info| Scope(info.name))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl TryFrom<String> for Scope {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Scope::parse(&value).ok_or_else(|| format!("unknown scope {value}"))
    }
}

impl From<Scope> for String {
    fn from(scope: Scope) -> Self {
        scope.0.to_string()
    }
}

/// The catalog's families in display order, each with its scopes.
pub fn families() -> Vec<(&'static str, Vec<Scope>)> {
    let mut families: Vec<(&'static str, Vec<Scope>)> = Vec::new();
    for scope in Scope::all() {
        let family = scope.info().family;
        match families.iter_mut().find(|(name, _)| *name == family) {
            Some((_, scopes)) => scopes.push(scope),
            None => families.push((family, vec![scope])),
        }
    }
    families
}

/// The parsed scope set of a token request: de-duplicated, in catalog order.
/// Unknown names are reported together so the form can name all of them at once.
pub fn parse_scopes<S: AsRef<str>>(names: &[S]) -> Result<Vec<Scope>, Vec<String>> {
    let unknown: Vec<String> = names
        .iter()
        .map(AsRef::as_ref)
        .filter(|name| Scope::parse(name).is_none())
        .map(str::to_string)
        .collect();
    if !unknown.is_empty() {
        return Err(unknown);
    }
    Ok(Scope::all()
        .filter(|scope| names.iter().any(|name| name.as_ref() == scope.name()))
        .collect())
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn catalog_names_are_unique() {
        for (i, a) in CATALOG.iter().enumerate() {
            for b in &CATALOG[i + 1..] {
                assert_ne!(a.name, b.name);
            }
        }
    }

    #[test]
    fn the_catalog_has_the_nine_drive_scopes() {
        assert_eq!(Scope::all().filter(|s| s.is_drive()).count(), 9);
    }

    #[test]
    fn parse_accepts_known_and_rejects_unknown_names() {
        let cases = [
            ("domains:read", true),
            ("verify:write", true),
            ("drive:addon:read", true),
            ("domains:READ", false),
            ("domains:*", false),
            ("", false),
            ("messages:read", false), // a message-token scope, not an ops scope
        ];
        for (name, known) in cases {
            assert_eq!(Scope::parse(name).is_some(), known, "{name}");
        }
    }

    #[test]
    fn parse_scopes_dedups_orders_and_reports_every_unknown_name() {
        let parsed = parse_scopes(&["verify:read", "account:read", "verify:read"]).unwrap();
        assert_eq!(
            parsed.iter().map(|s| s.name()).collect::<Vec<_>>(),
            ["account:read", "verify:read"]
        );
        assert_eq!(
            parse_scopes(&["account:read", "nope", "also:nope"]).unwrap_err(),
            ["nope", "also:nope"]
        );
    }

    #[test]
    fn high_risk_scopes_include_deletes_and_purges() {
        for name in [
            "domains:delete",
            "drive:account:purge",
            "drive:mailbox:purge",
            "cloudflare:delete",
        ] {
            assert!(Scope::parse(name).unwrap().is_high_risk(), "{name}");
        }
        assert!(!Scope::parse("domains:read").unwrap().is_high_risk());
    }

    #[test]
    fn families_keep_catalog_order() {
        let names: Vec<_> = families().into_iter().map(|(name, _)| name).collect();
        assert_eq!(names.first(), Some(&"Account & Billing"));
        assert_eq!(names.last(), Some(&"Drive"));
        assert_eq!(
            families().iter().map(|(_, s)| s.len()).sum::<usize>(),
            CATALOG.len()
        );
    }
}
