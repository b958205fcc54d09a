//! A token's name, scopes and domain constraint: the fields the create form and "Edit access"
//! share, each parsed by the one rule both use.

use super::field::FieldErrors;
use super::new_token::{CreateTokenForm, DomainConstraint, Field};
use super::plan::PlanAccess;
use super::scope::{parse_scopes, Scope};
use super::token_name::TokenName;

/// What a token may reach and is called: the fields the create form and "Edit access" share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    pub name: TokenName,
    pub scopes: Vec<Scope>,
    pub domains: DomainConstraint,
}

impl Access {
    /// The name, scopes and domain constraint of `form`, by the create form's rules (its other
    /// fields are not read).
    pub fn parse(
        form: &CreateTokenForm,
        access: PlanAccess,
        account_domain_ids: &[i64],
    ) -> Result<Access, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = parse_name_field(form, &mut errors);
        let scopes = parse_scope_field(form, access, &mut errors);
        let domains = parse_domain_field(form, account_domain_ids, &mut errors);
        match (name, scopes, domains) {
            (Some(name), Some(scopes), Some(domains)) if errors.is_empty() => Ok(Access {
                name,
                scopes,
                domains,
            }),
            _ => Err(errors),
        }
    }
}

pub(super) fn parse_name_field(
    form: &CreateTokenForm,
    errors: &mut FieldErrors,
) -> Option<TokenName> {
    TokenName::parse(&form.name)
        .map_err(|message| errors.add(Field::Name, message))
        .ok()
}

pub(super) fn parse_scope_field(
    form: &CreateTokenForm,
    access: PlanAccess,
    errors: &mut FieldErrors,
) -> Option<Vec<Scope>> {
    parse_scopes(&form.scopes)
        .map_err(|unknown| {
            errors.add(
                Field::Scopes,
                format!("Unknown scopes: {}.", unknown.join(", ")),
            )
        })
        .ok()
        .and_then(|scopes| {
            let disallowed = access.disallowed(&scopes);
            if scopes.is_empty() {
                errors.add(Field::Scopes, "Select at least one scope.");
                None
            } else if !disallowed.is_empty() {
                let names: Vec<&str> = disallowed.iter().map(|s| s.name()).collect();
                errors.add(
                    Field::Scopes,
                    format!("Scopes not available on your plan: {}.", names.join(", ")),
                );
                None
            } else {
                Some(scopes)
            }
        })
}

pub(super) fn parse_domain_field(
    form: &CreateTokenForm,
    account_domain_ids: &[i64],
    errors: &mut FieldErrors,
) -> Option<DomainConstraint> {
    match form.domain_mode.as_str() {
        "all" => Some(DomainConstraint::AllDomains),
        "selected" => {
            let mut ids = form.domain_ids.clone();
            ids.sort_unstable();
            ids.dedup();
            if ids.is_empty() {
                errors.add(Field::Domains, "Select at least one domain.");
                None
            } else if ids.iter().any(|id| !account_domain_ids.contains(id)) {
                errors.add(
                    Field::Domains,
                    "One of the selected domains is not in this account.",
                );
                None
            } else {
                Some(DomainConstraint::Only(ids))
            }
        }
        _ => {
            errors.add(Field::Domains, "Choose all domains or selected domains.");
            None
        }
    }
}
