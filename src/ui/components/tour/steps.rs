//! What the tour says at each stop, written from the same plan and scope rules as the create form.

use crate::domain::plan::PlanAccess;
use crate::domain::scope::Scope;
use crate::model::routes;

/// The tab a step needs; the tour switches to it itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// Both tabs show the target (it is part of the layout).
    Any,
    Tokens,
    AuditLog,
}

impl Tab {
    pub(super) fn of_path(path: &str) -> Tab {
        if path.starts_with(routes::AUDIT_LOG) {
            Tab::AuditLog
        } else {
            Tab::Tokens
        }
    }

    pub(super) fn home(self) -> &'static str {
        match self {
            Tab::AuditLog => routes::AUDIT_LOG,
            Tab::Tokens | Tab::Any => routes::TOKENS,
        }
    }
}

/// What a step says and shows when its target is not on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fallback {
    /// Another element to point at (the empty list), or `None` for a centered popover.
    pub target: Option<&'static str>,
    pub body: String,
}

/// One stop of the tour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub title: &'static str,
    pub body: String,
    /// The `data-tour` name of the element to highlight.
    pub target: &'static str,
    /// Highlighted together with the target when present (the status filter above the list).
    pub companion: Option<&'static str>,
    pub fallback: Option<Fallback>,
    pub tab: Tab,
    /// Whether the create dialog must be open (the tour opens and closes it).
    pub create_dialog: bool,
    /// Shows the example reveal panel, which holds no token: the tour never creates one.
    pub example_reveal: bool,
}

impl Step {
    fn new(title: &'static str, target: &'static str, tab: Tab, body: impl Into<String>) -> Step {
        Step {
            title,
            body: body.into(),
            target,
            companion: None,
            fallback: None,
            tab,
            create_dialog: false,
            example_reveal: false,
        }
    }

    fn in_create_dialog(self) -> Step {
        Step {
            create_dialog: true,
            ..self
        }
    }
}

/// The tour for an account with `access`, in order.
pub fn steps(access: PlanAccess) -> Vec<Step> {
    vec![
        Step::new(
            "What API tokens are for",
            "intro",
            Tab::Any,
            "A token lets a script, a CI job or your own integration call the TrekMail API as your account. \
             If an AI client such as Claude or Cursor can connect with OAuth, prefer that: there is no secret to copy or leak.",
        ),
        Step::new(
            "Start here",
            "create-token",
            Tab::Tokens,
            "Every token starts with this button. The tour only shows you the form; it never creates a token.",
        ),
        Step::new(
            "Name",
            "token-name",
            Tab::Tokens,
            "Name each token after where it runs, like “CI/CD Pipeline”, so you know what stops working if you revoke it.",
        )
        .in_create_dialog(),
        Step::new(
            "Expiration",
            "token-expiration",
            Tab::Tokens,
            "We recommend 30 or 90 days: a token that expires limits the damage of a leak. \
             Choose Never only for a token you rotate yourself.",
        )
        .in_create_dialog(),
        Step::new("Scopes", "token-scopes", Tab::Tokens, scopes_text(access)).in_create_dialog(),
        Step::new(
            "Domain constraint",
            "token-domains",
            Tab::Tokens,
            "Limit a token to some of your domains. For anything under another domain the API answers 404 Not Found, as if it did not exist.",
        )
        .in_create_dialog(),
        // The create form closes for the example: one layer under the popover, not three.
        Step {
            example_reveal: true,
            ..Step::new(
                "Copy it once",
                "example-reveal",
                Tab::Tokens,
                "After you create a token, it is shown exactly once, as in this example (which holds no real token). \
                 Copy or download it then: TrekMail keeps only a hash and can never show it again.",
            )
        },
        Step {
            companion: Some("status-filter"),
            fallback: Some(Fallback {
                target: Some("token-list-empty"),
                body: "No tokens to show here yet. Tokens are listed in this place with their scopes, domains, expiry and last use, \
                       and the status filter above narrows the list to active, paused, expiring, expired or revoked ones. \
                       Each row can Rotate its secret (the old one keeps working for a grace period you choose) or Pause it until you resume it."
                    .into(),
            }),
            ..Step::new(
                "Your tokens",
                "token-list",
                Tab::Tokens,
                "Every token is listed with its scopes, domains, expiry and last use; the status filter narrows the list. \
                 Rotate gives a token a new secret while the old one keeps working for a grace period you choose; \
                 Pause stops it until you resume it, without losing its settings.",
            )
        },
        Step {
            fallback: Some(Fallback {
                target: None,
                body: "Each active token gets a Revoke button at the end of its row. Revoking is permanent and immediate: \
                       the token's next API call gets 401 Unauthorized."
                    .into(),
            }),
            ..Step::new(
                "Revoke",
                "revoke",
                Tab::Tokens,
                "Revoke ends a token for good, at once: its next API call gets 401 Unauthorized. \
                 It cannot be undone, so set up the replacement first.",
            )
        },
        Step::new(
            "Audit Log",
            "audit-log-tab",
            Tab::AuditLog,
            "Every change to a token is recorded here: who did it, when, from which IP address, and what changed.",
        ),
    ]
}

/// The scope step, from the same rules as the scope picker: what the plan allows, how many scopes
/// it leaves disabled, least privilege, and the high-risk scopes among the allowed ones.
pub fn scopes_text(access: PlanAccess) -> String {
    let catalog: Vec<Scope> = Scope::all().collect();
    let disabled = access.disallowed(&catalog).len();
    let high_risk: Vec<&str> = access
        .allowed_scopes()
        .into_iter()
        .filter(|scope| scope.is_high_risk())
        .map(Scope::name)
        .collect();
    let mut text = access.summary();
    if disabled > 0 {
        text.push_str(&format!(
            " The other {disabled} scopes need a higher plan: they are folded away below, each with the plan that unlocks it."
        ));
    }
    text.push_str(" Grant only what the token needs");
    if high_risk.is_empty() {
        text.push('.');
    } else {
        text.push_str(&format!(
            ", and keep the High risk ones ({}) for a separate, tightly held token.",
            high_risk.join(", ")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::Plan;

    #[test]
    fn scope_step_follows_the_plan_rules() {
        let catalog = Scope::all().count();
        let nano = scopes_text(PlanAccess::new(Plan::Nano, false));
        assert!(nano.starts_with(
            "On Nano, tokens can use the Email Verifier scopes (verify:read, verify:write)."
        ));
        assert!(nano.contains(&format!(
            "The other {} scopes need a higher plan",
            catalog - 2
        )));
        assert!(!nano.contains("High risk"));

        let starter = scopes_text(PlanAccess::new(Plan::Starter, false));
        assert!(starter.contains("drive:account:purge"));
        assert!(
            !starter.contains("domains:delete"),
            "Starter cannot grant domains:delete"
        );

        let pro = scopes_text(PlanAccess::new(Plan::Pro, false));
        assert!(!pro.contains("higher plan"));
        for scope in Scope::all().filter(|scope| scope.is_high_risk()) {
            assert!(
                pro.contains(scope.name()),
                "{} missing from {pro}",
                scope.name()
            );
        }
    }

    #[test]
    fn steps_cover_the_page_in_order() {
        let steps = steps(PlanAccess::new(Plan::Pro, false));
        let targets: Vec<&str> = steps.iter().map(|step| step.target).collect();
        assert_eq!(
            targets,
            [
                "intro",
                "create-token",
                "token-name",
                "token-expiration",
                "token-scopes",
                "token-domains",
                "example-reveal",
                "token-list",
                "revoke",
                "audit-log-tab"
            ]
        );
        // The dialog is open for one uninterrupted stretch, so going back and forth never flickers;
        // it closes for the example reveal, so only one layer sits under the popover.
        let open: Vec<bool> = steps.iter().map(|step| step.create_dialog).collect();
        assert_eq!(
            open,
            [false, false, true, true, true, true, false, false, false, false]
        );
        assert!(steps
            .iter()
            .all(|step| !step.title.is_empty() && !step.body.is_empty()));
    }
}
