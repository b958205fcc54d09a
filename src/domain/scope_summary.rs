//! A token's scopes at a glance, as the list shows them in one line: "Full access · 40 scopes",
//! "Read-only · 16 scopes", "Custom · 12 scopes, 2 high-risk" (the full list opens on demand).

use super::scope::Scope;

/// What kind of grant a set of ops-token scopes is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeSummary {
    /// Every scope of the catalog.
    FullAccess { count: usize },
    /// Only read scopes.
    ReadOnly { count: usize },
    /// Anything else; `high_risk` of them can delete, purge or change delivery.
    Custom { count: usize, high_risk: usize },
}

impl ScopeSummary {
    /// Names that are not catalog scopes (a message token's, a retired one) are not counted.
    pub fn of(names: &[String]) -> ScopeSummary {
        let scopes: Vec<Scope> = names.iter().filter_map(|name| Scope::parse(name)).collect();
        let count = scopes.len();
        if count > 0 && count == Scope::all().count() {
            ScopeSummary::FullAccess { count }
        } else if count > 0 && scopes.iter().all(|scope| scope.is_read_only()) {
            ScopeSummary::ReadOnly { count }
        } else {
            let high_risk = scopes.iter().filter(|scope| scope.is_high_risk()).count();
            ScopeSummary::Custom { count, high_risk }
        }
    }

    pub fn label(self) -> String {
        let scopes = |count: usize| format!("{count} scope{}", if count == 1 { "" } else { "s" });
        match self {
            ScopeSummary::FullAccess { count } => format!("Full access · {}", scopes(count)),
            ScopeSummary::ReadOnly { count } => format!("Read-only · {}", scopes(count)),
            ScopeSummary::Custom {
                count,
                high_risk: 0,
            } => format!("Custom · {}", scopes(count)),
            ScopeSummary::Custom { count, high_risk } => {
                format!("Custom · {}, {high_risk} high-risk", scopes(count))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(scopes: &[&str]) -> Vec<String> {
        scopes.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_kind_of_grant_reads_in_one_line() {
        let every: Vec<String> = Scope::all().map(|s| s.name().to_string()).collect();
        let reads: Vec<String> = Scope::all()
            .filter(|s| s.is_read_only())
            .map(|s| s.name().to_string())
            .collect();
        let cases = [
            (
                every.clone(),
                format!("Full access · {} scopes", every.len()),
            ),
            (reads.clone(), format!("Read-only · {} scopes", reads.len())),
            (names(&["domains:read"]), "Read-only · 1 scope".to_string()),
            (
                names(&["domains:read", "verify:write"]),
                "Custom · 2 scopes".to_string(),
            ),
            (
                names(&["domains:read", "domains:delete", "drive:mailbox:purge"]),
                "Custom · 3 scopes, 2 high-risk".to_string(),
            ),
            (
                names(&["messages:read", "retired:scope"]),
                "Custom · 0 scopes".to_string(),
            ),
        ];
        for (granted, expected) in cases {
            assert_eq!(ScopeSummary::of(&granted).label(), expected, "{granted:?}");
        }
    }
}
