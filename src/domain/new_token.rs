//! Parsing a "Create token" submission into a [`NewToken`] that cannot hold a bad value.
//! The form runs this for instant feedback; the server runs it again as the authority.

use super::expiration::{parse_lifetime, Expiration, Lifetime, FORM_WORDS};
use super::field::FieldErrors;
use super::plan::PlanAccess;
use super::scope::{parse_scopes, Scope};
use super::token_name::TokenName;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The raw submission, exactly as the browser sends it (and as a forger might).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTokenForm {
    pub name: String,
    /// `7d`, `30d`, `90d`, `custom` or `never`.
    pub expiration: String,
    /// `YYYY-MM-DD`, read only when `expiration` is `custom`.
    pub expiration_date: String,
    pub scopes: Vec<String>,
    /// `all` or `selected`.
    pub domain_mode: String,
    pub domain_ids: Vec<i64>,
}

impl CreateTokenForm {
    /// The form as a browser posts it without JavaScript: `name=value` pairs, `scopes` and
    /// `domain_ids` repeated. A domain id that is not a number is kept as an impossible id, so the
    /// parser refuses it as "not one of your domains" rather than dropping it silently.
    pub fn from_pairs(pairs: &[(String, String)]) -> CreateTokenForm {
        let mut form = CreateTokenForm::default();
        for (key, value) in pairs {
            match key.as_str() {
                "name" => form.name = value.clone(),
                "expiration" => form.expiration = value.clone(),
                "expiration_date" => form.expiration_date = value.clone(),
                "scopes" => form.scopes.push(value.clone()),
                "domain_mode" => form.domain_mode = value.clone(),
                "domain_ids" => form.domain_ids.push(value.trim().parse().unwrap_or(-1)),
                _ => {}
            }
        }
        form
    }

    /// What a new form starts with: 30 days, every scope the plan allows, all domains.
    pub fn new_for(access: PlanAccess) -> CreateTokenForm {
        CreateTokenForm {
            expiration: "30d".into(),
            scopes: access
                .allowed_scopes()
                .into_iter()
                .map(String::from)
                .collect(),
            domain_mode: "all".into(),
            ..CreateTokenForm::default()
        }
    }
}

/// Which domains a token may reach.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DomainConstraint {
    AllDomains,
    /// A non-empty list of the account's own domain ids.
    Only(Vec<i64>),
}

/// The form fields an error can belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Name,
    Expiration,
    ExpirationDate,
    Scopes,
    Domains,
}

impl Field {
    /// The field's name in the form and in a JSON request; [`FieldErrors`] keys by it.
    pub fn name(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Expiration => "expiration",
            Field::ExpirationDate => "expiration_date",
            Field::Scopes => "scopes",
            Field::Domains => "domains",
        }
    }
}

impl AsRef<str> for Field {
    fn as_ref(&self) -> &str {
        self.name()
    }
}

impl From<Field> for String {
    fn from(field: Field) -> String {
        field.name().to_string()
    }
}

/// A request to create an ops token that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewToken {
    pub name: TokenName,
    pub expiration: Expiration,
    pub scopes: Vec<Scope>,
    pub domains: DomainConstraint,
}

impl NewToken {
    /// Checks every field and reports all problems at once. Name uniqueness needs the database
    /// and is checked by the server when it inserts.
    pub fn parse(
        form: &CreateTokenForm,
        access: PlanAccess,
        account_domain_ids: &[i64],
        today: NaiveDate,
    ) -> Result<NewToken, FieldErrors> {
        let mut errors = FieldErrors::default();

        let name = TokenName::parse(&form.name)
            .map_err(|message| errors.add(Field::Name, message))
            .ok();

        let expiration = match parse_lifetime(&form.expiration, FORM_WORDS) {
            Ok(Lifetime::Custom) => Expiration::custom_date(&form.expiration_date, today)
                .map_err(|message| errors.add(Field::ExpirationDate, message))
                .ok(),
            Ok(lifetime) => Expiration::from_lifetime(lifetime),
            Err(_) if form.expiration.is_empty() => {
                errors.add(Field::Expiration, "Choose when the token expires.");
                None
            }
            Err(_) => {
                errors.add(Field::Expiration, "Choose one of the listed expirations.");
                None
            }
        };

        let scopes = parse_scopes(&form.scopes)
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
            });

        let domains = match form.domain_mode.as_str() {
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
        };

        match (name, expiration, scopes, domains) {
            (Some(name), Some(expiration), Some(scopes), Some(domains)) if errors.is_empty() => {
                Ok(NewToken {
                    name,
                    expiration,
                    scopes,
                    domains,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::Plan;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn valid() -> CreateTokenForm {
        CreateTokenForm {
            name: "CI".into(),
            expiration: "30d".into(),
            expiration_date: String::new(),
            scopes: vec!["domains:read".into()],
            domain_mode: "all".into(),
            domain_ids: vec![],
        }
    }

    fn parse(form: CreateTokenForm, plan: Plan) -> Result<NewToken, FieldErrors> {
        NewToken::parse(&form, PlanAccess::new(plan, false), &[1, 2], today())
    }

    #[test]
    fn a_valid_form_parses() {
        let token = parse(valid(), Plan::Pro).unwrap();
        assert_eq!(token.name.as_str(), "CI");
        assert_eq!(token.domains, DomainConstraint::AllDomains);
        let only = parse(
            CreateTokenForm {
                domain_mode: "selected".into(),
                domain_ids: vec![2, 1, 2],
                ..valid()
            },
            Plan::Pro,
        )
        .unwrap();
        assert_eq!(only.domains, DomainConstraint::Only(vec![1, 2]));
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        let cases: Vec<(CreateTokenForm, Field, &str)> = vec![
            (
                CreateTokenForm {
                    name: " ".into(),
                    ..valid()
                },
                Field::Name,
                "Enter a name",
            ),
            (
                CreateTokenForm {
                    expiration: "".into(),
                    ..valid()
                },
                Field::Expiration,
                "Choose when",
            ),
            (
                CreateTokenForm {
                    expiration: "custom".into(),
                    expiration_date: "2026-11-26".into(),
                    ..valid()
                },
                Field::ExpirationDate,
                "future",
            ),
            (
                CreateTokenForm {
                    scopes: vec![],
                    ..valid()
                },
                Field::Scopes,
                "at least one scope",
            ),
            (
                CreateTokenForm {
                    scopes: vec!["root:all".into()],
                    ..valid()
                },
                Field::Scopes,
                "Unknown scopes: root:all",
            ),
            (
                CreateTokenForm {
                    domain_mode: "selected".into(),
                    ..valid()
                },
                Field::Domains,
                "at least one domain",
            ),
            (
                CreateTokenForm {
                    domain_mode: "selected".into(),
                    domain_ids: vec![1, 99],
                    ..valid()
                },
                Field::Domains,
                "not in this account",
            ),
            (
                CreateTokenForm {
                    domain_mode: "".into(),
                    ..valid()
                },
                Field::Domains,
                "Choose",
            ),
        ];
        for (form, field, message) in cases {
            let errors = parse(form.clone(), Plan::Pro).unwrap_err();
            let got = errors
                .get(field)
                .unwrap_or_else(|| panic!("no {field:?} error for {form:?}"));
            assert!(got.contains(message), "{got}");
        }
    }

    #[test]
    fn plan_limits_name_the_refused_scopes() {
        let form = CreateTokenForm {
            scopes: vec![
                "verify:read".into(),
                "domains:read".into(),
                "domains:delete".into(),
            ],
            ..valid()
        };
        let errors = parse(form, Plan::Nano).unwrap_err();
        assert_eq!(
            errors.get(Field::Scopes),
            Some("Scopes not available on your plan: domains:read, domains:delete.")
        );
    }

    #[test]
    fn all_problems_are_reported_together() {
        let form = CreateTokenForm {
            name: "".into(),
            expiration: "".into(),
            scopes: vec![],
            ..valid()
        };
        assert_eq!(parse(form, Plan::Pro).unwrap_err().0.len(), 3);
    }
}
