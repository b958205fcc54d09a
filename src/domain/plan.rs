//! Plans and the one rule that decides which scopes an account may grant.
//! The create form, the server function and (later) the REST API all ask [`PlanAccess`].

use super::scope::Scope;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Plan {
    Nano,
    Starter,
    Pro,
    Agency,
}

impl Plan {
    pub const ALL: [Plan; 4] = [Plan::Nano, Plan::Starter, Plan::Pro, Plan::Agency];

    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Nano => "nano",
            Plan::Starter => "starter",
            Plan::Pro => "pro",
            Plan::Agency => "agency",
        }
    }

    pub fn parse(value: &str) -> Option<Plan> {
        Plan::ALL.into_iter().find(|plan| plan.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Plan::Nano => "Nano",
            Plan::Starter => "Starter",
            Plan::Pro => "Pro",
            Plan::Agency => "Agency",
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What an account has bought: its plan and whether the Drive Storage Add-on is active.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAccess {
    pub plan: Plan,
    pub drive_addon: bool,
}

impl PlanAccess {
    pub fn new(plan: Plan, drive_addon: bool) -> Self {
        Self { plan, drive_addon }
    }

    /// The rule, in one place:
    /// - Nano: the Email Verifier scopes, plus the nine Drive scopes with the Drive Storage Add-on;
    /// - Starter: every read scope, the full Email Verifier and the full Drive;
    /// - Pro and Agency: everything.
    pub fn allows(self, scope: Scope) -> bool {
        match self.plan {
            Plan::Nano => scope.is_verifier() || (self.drive_addon && scope.is_drive()),
            Plan::Starter => scope.is_read_only() || scope.is_verifier() || scope.is_drive(),
            Plan::Pro | Plan::Agency => true,
        }
    }

    pub fn allowed_scopes(self) -> Vec<Scope> {
        Scope::all().filter(|scope| self.allows(*scope)).collect()
    }

    /// The scopes among `requested` that this plan does not allow.
    pub fn disallowed(self, requested: &[Scope]) -> Vec<Scope> {
        requested
            .iter()
            .copied()
            .filter(|scope| !self.allows(*scope))
            .collect()
    }

    /// Message tokens (and the Message API they call) come with Pro and Agency.
    pub fn has_message_api(self) -> bool {
        matches!(self.plan, Plan::Pro | Plan::Agency)
    }

    /// How many forwarding targets one mailbox may have (TrekMail: Starter 5, Pro 15,
    /// Agency 30). Nano has no forwarding.
    pub fn forwarding_target_cap(self) -> usize {
        match self.plan {
            Plan::Nano => 0,
            Plan::Starter => 5,
            Plan::Pro => 15,
            Plan::Agency => 30,
        }
    }

    /// What a locked scope needs, for the hint next to its disabled checkbox.
    pub fn unlocked_by(self, scope: Scope) -> Option<&'static str> {
        if self.allows(scope) {
            return None;
        }
        let starter = PlanAccess::new(Plan::Starter, false);
        Some(match (self.plan, scope.is_drive(), starter.allows(scope)) {
            (Plan::Nano, true, _) => "Starter or the Drive Storage Add-on",
            (_, _, true) => "Starter",
            _ => "Pro",
        })
    }

    pub fn label(self) -> String {
        if self.drive_addon {
            format!("{} + Drive Storage Add-on", self.plan.label())
        } else {
            self.plan.label().to_string()
        }
    }

    /// A plain sentence about what the plan lets tokens do; the form and the tour show it.
    pub fn summary(self) -> String {
        match (self.plan, self.drive_addon) {
            (Plan::Nano, false) => {
                "On Nano, tokens can use the Email Verifier scopes (verify:read, verify:write)."
                    .to_string()
            }
            (Plan::Nano, true) => "On Nano with the Drive Storage Add-on, tokens can use the Email Verifier scopes and the nine Drive scopes.".to_string(),
            (Plan::Starter, _) => "On Starter, tokens can use every read scope, the Email Verifier and Drive. Write scopes need Pro or Agency.".to_string(),
            (plan, _) => format!("On {plan}, tokens can use every scope."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(name: &str) -> Scope {
        Scope::parse(name).unwrap()
    }

    fn access(plan: Plan, addon: bool) -> PlanAccess {
        PlanAccess::new(plan, addon)
    }

    #[test]
    fn plan_by_scope_table() {
        // (scope, nano, nano+drive, starter, pro, agency)
        let table = [
            ("verify:read", [true, true, true, true, true]),
            ("verify:write", [true, true, true, true, true]),
            ("account:read", [false, false, true, true, true]),
            ("domains:read", [false, false, true, true, true]),
            ("domains:dns:read", [false, false, true, true, true]),
            ("domains:create", [false, false, false, true, true]),
            ("domains:delete", [false, false, false, true, true]),
            (
                "mailboxes:forwarding:write",
                [false, false, false, true, true],
            ),
            (
                "mailboxes:message-tokens:manage",
                [false, false, false, true, true],
            ),
            ("drive:account:read", [false, true, true, true, true]),
            ("drive:account:purge", [false, true, true, true, true]),
            ("drive:mailbox:share", [false, true, true, true, true]),
            ("drive:addon:read", [false, true, true, true, true]),
        ];
        let accesses = [
            access(Plan::Nano, false),
            access(Plan::Nano, true),
            access(Plan::Starter, false),
            access(Plan::Pro, false),
            access(Plan::Agency, false),
        ];
        for (name, expected) in table {
            for (access, allowed) in accesses.iter().zip(expected) {
                assert_eq!(
                    access.allows(scope(name)),
                    allowed,
                    "{name} on {}",
                    access.label()
                );
            }
        }
    }

    #[test]
    fn allowed_scope_counts() {
        assert_eq!(access(Plan::Nano, false).allowed_scopes().len(), 2);
        assert_eq!(access(Plan::Nano, true).allowed_scopes().len(), 11);
        assert_eq!(
            access(Plan::Pro, false).allowed_scopes().len(),
            Scope::all().count()
        );
        assert_eq!(
            access(Plan::Agency, true).allowed_scopes().len(),
            Scope::all().count()
        );
        let starter = access(Plan::Starter, false).allowed_scopes();
        assert!(starter
            .iter()
            .all(|s| s.is_read_only() || s.is_verifier() || s.is_drive()));
    }

    #[test]
    fn unlock_hints_name_the_cheapest_way() {
        let nano = access(Plan::Nano, false);
        assert_eq!(nano.unlocked_by(scope("account:read")), Some("Starter"));
        assert_eq!(nano.unlocked_by(scope("domains:create")), Some("Pro"));
        assert_eq!(
            nano.unlocked_by(scope("drive:account:read")),
            Some("Starter or the Drive Storage Add-on")
        );
        assert_eq!(nano.unlocked_by(scope("verify:read")), None);
        assert_eq!(
            access(Plan::Starter, false).unlocked_by(scope("domains:write")),
            Some("Pro")
        );
    }

    #[test]
    fn disallowed_lists_only_what_the_plan_lacks() {
        let requested = [
            scope("verify:read"),
            scope("domains:read"),
            scope("domains:delete"),
        ];
        assert_eq!(
            access(Plan::Nano, false).disallowed(&requested),
            [scope("domains:read"), scope("domains:delete")]
        );
        assert!(access(Plan::Pro, false).disallowed(&requested).is_empty());
    }

    #[test]
    fn plan_round_trips_through_its_stored_form() {
        for plan in Plan::ALL {
            assert_eq!(Plan::parse(plan.as_str()), Some(plan));
        }
        assert_eq!(Plan::parse("enterprise"), None);
    }
}
