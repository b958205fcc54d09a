//! The Audit Log's search, as kept in the URL (`?action=token_revoked&token=deploy&actor=ci&
//! from=2026-11-01&to=2026-11-30`): the list and both exports read the same filter. Dates are UTC
//! days, both ends included.

use crate::domain::audit::AuditAction;
use crate::domain::field::FieldErrors;
use crate::domain::token_query::Search;
use chrono::NaiveDate;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub action: Option<AuditAction>,
    /// Matches a token's name (contains) or visible prefix (starts with), ignoring case.
    pub token: Option<Search>,
    /// Matches the actor (an owner's email, a token, "Leak report"), contains, ignoring case.
    pub actor: Option<Search>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The URL's values, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilterForm {
    pub action: Option<String>,
    pub token: Option<String>,
    pub actor: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl AuditFilter {
    /// Empty values mean "any"; an unknown action or a date that is not `YYYY-MM-DD` is refused,
    /// naming its field, and so is a range that ends before it starts.
    pub fn parse(form: &AuditFilterForm) -> Result<AuditFilter, FieldErrors> {
        let mut errors = FieldErrors::default();
        let given = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_string)
        };
        let action = given(&form.action).and_then(|value| {
            AuditAction::parse(&value).or_else(|| {
                errors.add(
                    "action",
                    format!("“{value}” is not an audit action; choose one from the list."),
                );
                None
            })
        });
        let mut date = |field: &str, value: Option<String>| {
            value.and_then(|value| {
                NaiveDate::parse_from_str(&value, "%Y-%m-%d")
                    .ok()
                    .or_else(|| {
                        errors.add(
                            field,
                            format!("“{value}” is not a date; write it as YYYY-MM-DD."),
                        );
                        None
                    })
            })
        };
        let from = date("from", given(&form.from));
        let to = date("to", given(&form.to));
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                errors.add("to", "The end date is before the start date.");
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AuditFilter {
            action,
            token: given(&form.token).as_deref().and_then(Search::parse),
            actor: given(&form.actor).as_deref().and_then(Search::parse),
            from,
            to,
        })
    }

    /// `[from, to)` in Unix milliseconds: the start of `from`, the end of `to`.
    pub fn range_ms(&self) -> (Option<i64>, Option<i64>) {
        let start = |date: NaiveDate| {
            date.and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc().timestamp_millis())
        };
        (
            self.from.and_then(start),
            self.to.and_then(|to| to.succ_opt()).and_then(start),
        )
    }

    /// The filter as a query string without `?` (empty when nothing narrows the log).
    pub fn query(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(action) = self.action {
            pairs.push(format!("action={}", action.as_str()));
        }
        for (key, value) in [("token", &self.token), ("actor", &self.actor)] {
            if let Some(value) = value {
                pairs.push(format!(
                    "{key}={}",
                    utf8_percent_encode(value.as_str(), NON_ALPHANUMERIC)
                ));
            }
        }
        for (key, value) in [("from", self.from), ("to", self.to)] {
            if let Some(date) = value {
                pairs.push(format!("{key}={date}"));
            }
        }
        pairs.join("&")
    }

    /// The same filter with another action (the action links keep the rest).
    pub fn with_action(&self, action: Option<AuditAction>) -> AuditFilter {
        AuditFilter {
            action,
            ..self.clone()
        }
    }

    /// In words, for the export's own audit event ("action Token revoked, actor ci").
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(action) = self.action {
            parts.push(format!("action {}", action.label()));
        }
        if let Some(token) = &self.token {
            parts.push(format!("token “{}”", token.as_str()));
        }
        if let Some(actor) = &self.actor {
            parts.push(format!("actor “{}”", actor.as_str()));
        }
        if let Some(from) = self.from {
            parts.push(format!("from {from}"));
        }
        if let Some(to) = self.to {
            parts.push(format!("to {to}"));
        }
        if parts.is_empty() {
            "every event".to_string()
        } else {
            parts.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> AuditFilterForm {
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        };
        AuditFilterForm {
            action: get("action"),
            token: get("token"),
            actor: get("actor"),
            from: get("from"),
            to: get("to"),
        }
    }

    #[test]
    fn a_full_filter_round_trips_and_covers_whole_days() {
        let filter = AuditFilter::parse(&form(&[
            ("action", "token_revoked"),
            ("token", " deploy bot "),
            ("actor", "ci"),
            ("from", "2026-11-01"),
            ("to", "2026-11-30"),
        ]))
        .unwrap();
        assert_eq!(
            filter.query(),
            "action=token_revoked&token=deploy%20bot&actor=ci&from=2026-11-01&to=2026-11-30"
        );
        let (start, end) = filter.range_ms();
        assert_eq!(end.unwrap() - start.unwrap(), 30 * 86_400_000);
        assert_eq!(
            AuditFilter::parse(&form(&[("token", "  ")])),
            Ok(AuditFilter::default())
        );
        assert_eq!(AuditFilter::default().describe(), "every event");
    }

    #[test]
    fn bad_values_are_named() {
        let errors = AuditFilter::parse(&form(&[
            ("action", "token_deleted"),
            ("from", "2026-13-01"),
            ("to", "yesterday"),
        ]))
        .unwrap_err();
        assert!(errors
            .get("action")
            .unwrap()
            .contains("not an audit action"));
        assert!(errors.get("from").unwrap().contains("YYYY-MM-DD"));
        assert!(errors.get("to").unwrap().contains("YYYY-MM-DD"));
        let errors =
            AuditFilter::parse(&form(&[("from", "2026-11-30"), ("to", "2026-11-01")])).unwrap_err();
        assert_eq!(
            errors.get("to"),
            Some("The end date is before the start date.")
        );
    }
}
