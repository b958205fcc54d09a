//! Tokens as the dashboard lists and creates them.

use crate::domain::new_token::CreateTokenForm;
use crate::domain::plan::PlanAccess;
use crate::domain::scope::Scope;
use crate::domain::status::{StatusFilter, TokenStatus};
use crate::domain::token::TokenKind;
use crate::domain::token_policy::TokenPolicy;
use serde::{Deserialize, Serialize};

/// One of the account's domains, for the domain-constraint checkboxes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainOption {
    pub id: i64,
    pub name: String,
}

/// A token as the list shows it. Never holds the plaintext.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    pub kind: TokenKind,
    pub name: String,
    /// `tm_live_` plus 8 characters.
    pub visible_prefix: String,
    pub scopes: Vec<String>,
    /// `None`: all domains.
    pub domains: Option<Vec<String>>,
    /// The mailbox address of a message token.
    pub mailbox: Option<String>,
    pub status: TokenStatus,
    pub expires_at: Option<i64>,
    /// When it was revoked (revoked rows show this instead of their expiry).
    pub revoked_at: Option<i64>,
    /// Who revoked it: the owner's email, or the ops token that did it through the API.
    pub revoked_by: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
    /// When it was paused (while paused).
    pub paused_at: Option<i64>,
    /// The addresses and ranges its API calls may come from; empty: any.
    pub ip_allowlist: Vec<String>,
    /// An old secret replaced by a rotation: the new secret's visible prefix. It works until
    /// `expires_at`, which the rotation brought in.
    pub rotated_to: Option<String>,
    /// Live message tokens this ops token minted ("name (prefix…)"): revoking it revokes them.
    pub minted: Vec<String>,
}

impl TokenRow {
    /// Whether it still works or could again (active or paused): it can be changed.
    pub fn is_live(&self) -> bool {
        self.status.is_live()
    }

    /// Live and expiring within a week: the "Expires soon" badge.
    pub fn expires_soon(&self, now: i64) -> bool {
        self.is_live()
            && self
                .expires_at
                .is_some_and(|at| at - now <= crate::domain::status::EXPIRING_SOON_MS)
    }

    /// "Create similar": a new form with this token's name, scopes and domain constraint. It never
    /// widens anything: scopes the plan no longer allows and domains that are gone are left out
    /// (the second element names the scopes left out), and a constrained token whose domains
    /// are all gone asks for a choice instead of falling back to all domains.
    pub fn similar_form(
        &self,
        access: PlanAccess,
        policy: &TokenPolicy,
        domains: &[DomainOption],
    ) -> (CreateTokenForm, Vec<String>) {
        let (kept, dropped): (Vec<&String>, Vec<&String>) = self
            .scopes
            .iter()
            .partition(|name| Scope::parse(name).is_some_and(|scope| access.allows(scope)));
        let domain_ids = match &self.domains {
            None => Vec::new(),
            Some(names) => domains
                .iter()
                .filter(|domain| names.contains(&domain.name))
                .map(|domain| domain.id)
                .collect(),
        };
        let form = CreateTokenForm {
            name: self.name.clone(),
            scopes: kept.into_iter().cloned().collect(),
            domain_mode: if self.domains.is_some() {
                "selected"
            } else {
                "all"
            }
            .into(),
            domain_ids,
            ip_allowlist: self.ip_allowlist.join(", "),
            ..CreateTokenForm::new_for(access, policy)
        };
        (form, dropped.into_iter().cloned().collect())
    }
}

/// The status tabs count up to this many tokens; beyond it they say "1,000+".
pub const COUNT_CAP: u32 = 1_000;

/// How many tokens each status tab holds for the current search, each at most [`COUNT_CAP`] + 1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub all: u32,
    pub active: u32,
    pub expiring: u32,
    pub paused: u32,
    pub expired: u32,
    pub revoked: u32,
}

impl StatusCounts {
    /// The count for one tab, as the tab shows it ("12", "1,000+").
    pub fn label(&self, status: crate::domain::status::StatusFilter) -> String {
        let n = match status {
            StatusFilter::All => self.all,
            StatusFilter::Only(TokenStatus::Active) => self.active,
            StatusFilter::ExpiringSoon => self.expiring,
            StatusFilter::Only(TokenStatus::Paused) => self.paused,
            StatusFilter::Only(TokenStatus::Expired) => self.expired,
            StatusFilter::Only(TokenStatus::Revoked) => self.revoked,
        };
        if n > COUNT_CAP {
            format!("{}+", group_thousands(COUNT_CAP))
        } else {
            group_thousands(n)
        }
    }
}

fn group_thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The answer to a successful creation: the plaintext, this once, and the new row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: String,
    pub row: TokenRow,
}

/// The fields of a form posted to a page without JavaScript (the create page), in order, for the
/// page to act on while it renders its answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubmittedForm(pub Vec<(String, String)>);
