//! Parsing a "Create token" submission into a [`NewToken`] that cannot hold a bad value.
//! The form runs this for instant feedback; the server runs it again as the authority.

use super::expiration::{parse_lifetime, Expiration, Lifetime, FORM_WORDS};
use super::field::FieldErrors;
use super::ip_allowlist::IpAllowlist;
use super::plan::PlanAccess;
use super::scope::Scope;
use super::token_access::{parse_domain_field, parse_name_field, parse_scope_field};
use super::token_name::TokenName;
use super::token_policy::TokenPolicy;
use chrono::{DateTime, Utc};
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
    /// Addresses and CIDR ranges, separated by commas, spaces or lines; empty: any address.
    #[serde(default)]
    pub ip_allowlist: String,
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
                "ip_allowlist" => form.ip_allowlist = value.clone(),
                _ => {}
            }
        }
        form
    }

    /// What a new form starts with: the policy's default expiration, every scope the plan
    /// allows, all domains, any address.
    pub fn new_for(access: PlanAccess, policy: &TokenPolicy) -> CreateTokenForm {
        CreateTokenForm {
            expiration: policy.starting_word(),
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
    IpAllowlist,
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
            Field::IpAllowlist => "ip_allowlist",
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
    pub ip_allowlist: IpAllowlist,
}

/// What a new token must fit besides its own fields: the plan, the account's domains and the
/// owner's token policy, at a moment.
#[derive(Clone, Copy)]
pub struct Limits<'a> {
    pub access: PlanAccess,
    pub account_domain_ids: &'a [i64],
    pub policy: &'a TokenPolicy,
    pub now: DateTime<Utc>,
}

impl NewToken {
    /// Checks every field and reports all problems at once. Name uniqueness needs the database
    /// and is checked by the server when it inserts.
    pub fn parse(form: &CreateTokenForm, limits: Limits<'_>) -> Result<NewToken, FieldErrors> {
        let Limits {
            access,
            account_domain_ids,
            policy,
            now,
        } = limits;
        let today = now.date_naive();
        let mut errors = FieldErrors::default();

        let name = parse_name_field(form, &mut errors);

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
        let expiration = expiration.and_then(|expiration| {
            let field = match expiration {
                Expiration::OnDate(_) => Field::ExpirationDate,
                _ => Field::Expiration,
            };
            policy
                .check(expiration, now)
                .map_err(|message| errors.add(field, message))
                .ok()
                .map(|()| expiration)
        });

        let scopes = parse_scope_field(form, access, &mut errors);
        let domains = parse_domain_field(form, account_domain_ids, &mut errors);

        let ip_allowlist = IpAllowlist::parse(&form.ip_allowlist)
            .map_err(|message| errors.add(Field::IpAllowlist, message))
            .ok();

        match (name, expiration, scopes, domains, ip_allowlist) {
            (Some(name), Some(expiration), Some(scopes), Some(domains), Some(ip_allowlist))
                if errors.is_empty() =>
            {
                Ok(NewToken {
                    name,
                    expiration,
                    scopes,
                    domains,
                    ip_allowlist,
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

    fn now() -> DateTime<Utc> {
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 26, 12, 0, 0).unwrap()
    }

    fn valid() -> CreateTokenForm {
        CreateTokenForm {
            name: "CI".into(),
            expiration: "30d".into(),
            expiration_date: String::new(),
            scopes: vec!["domains:read".into()],
            domain_mode: "all".into(),
            domain_ids: vec![],
            ip_allowlist: String::new(),
        }
    }

    fn parse_under(
        form: CreateTokenForm,
        plan: Plan,
        policy: &TokenPolicy,
    ) -> Result<NewToken, FieldErrors> {
        let limits = Limits {
            access: PlanAccess::new(plan, false),
            account_domain_ids: &[1, 2],
            policy,
            now: now(),
        };
        NewToken::parse(&form, limits)
    }

    fn parse(form: CreateTokenForm, plan: Plan) -> Result<NewToken, FieldErrors> {
        parse_under(form, plan, &TokenPolicy::default())
    }

    #[test]
    fn the_policy_refuses_never_and_dates_past_its_maximum() {
        let policy = TokenPolicy::parse("30", "30d").unwrap();
        let never = CreateTokenForm {
            expiration: "never".into(),
            ..valid()
        };
        let errors = parse_under(never, Plan::Pro, &policy).unwrap_err();
        assert!(errors
            .get(Field::Expiration)
            .unwrap()
            .contains("at most 30 days"));
        let late = CreateTokenForm {
            expiration: "custom".into(),
            expiration_date: "2027-01-10".into(),
            ..valid()
        };
        let errors = parse_under(late, Plan::Pro, &policy).unwrap_err();
        assert!(errors.get(Field::ExpirationDate).is_some());
        assert!(parse_under(valid(), Plan::Pro, &policy).is_ok());
    }

    #[test]
    fn the_ip_allowlist_is_parsed_and_refused_next_to_its_field() {
        let token = parse(
            CreateTokenForm {
                ip_allowlist: "10.0.0.0/8, 203.0.113.7".into(),
                ..valid()
            },
            Plan::Pro,
        )
        .unwrap();
        assert_eq!(token.ip_allowlist.entries(), ["10.0.0.0/8", "203.0.113.7"]);
        let errors = parse(
            CreateTokenForm {
                ip_allowlist: "0.0.0.0/0".into(),
                ..valid()
            },
            Plan::Pro,
        )
        .unwrap_err();
        assert!(errors
            .get(Field::IpAllowlist)
            .unwrap()
            .contains("allows every address"));
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
