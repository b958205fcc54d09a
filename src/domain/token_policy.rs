//! The owner's token policy: the longest a new or extended ops token may last, and the
//! expiration the create form starts with (as GitHub's and GitLab's maximum token lifetimes).
//! Message tokens minted through the API obey the same maximum.

use super::expiration::{parse_lifetime, Expiration, Lifetime, FORM_WORDS};
use super::field::FieldErrors;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The maximum lifetimes an owner can choose, as the form posts them, with their labels.
pub const MAX_LIFETIME_CHOICES: &[(&str, Option<u32>, &str)] = &[
    ("none", None, "No maximum"),
    ("30", Some(30), "30 days"),
    ("90", Some(90), "90 days"),
    ("180", Some(180), "180 days"),
    ("365", Some(365), "365 days"),
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPolicy {
    /// `None`: tokens may last any time, "never" included.
    pub max_lifetime_days: Option<u32>,
    /// A word of the create form's expirations other than `custom` (`7d`, `30d`, `90d`, `never`).
    pub default_expiration: String,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        TokenPolicy {
            max_lifetime_days: None,
            default_expiration: "30d".into(),
        }
    }
}

impl TokenPolicy {
    /// A submitted policy (`max_lifetime`, `default_expiration`): the default must itself be
    /// within the maximum.
    pub fn parse(max_lifetime: &str, default_expiration: &str) -> Result<TokenPolicy, FieldErrors> {
        let mut errors = FieldErrors::default();
        let max = MAX_LIFETIME_CHOICES
            .iter()
            .find(|(word, _, _)| *word == max_lifetime)
            .map(|(_, days, _)| *days);
        if max.is_none() {
            errors.add(
                "max_lifetime",
                "Choose no maximum, 30, 90, 180 or 365 days.",
            );
        }
        let default = match parse_lifetime(default_expiration, FORM_WORDS) {
            Ok(Lifetime::Custom) | Err(_) => {
                errors.add(
                    "default_expiration",
                    "Choose 7, 30 or 90 days, or never, as the default.",
                );
                None
            }
            Ok(lifetime) => Expiration::from_lifetime(lifetime),
        };
        if let (Some(max), Some(default)) = (max, default) {
            let policy = TokenPolicy {
                max_lifetime_days: max,
                default_expiration: default_expiration.into(),
            };
            if let Err(message) = policy.check(default, Utc::now()) {
                errors.add(
                    "default_expiration",
                    format!("The default must be within the maximum: {message}"),
                );
            }
            if errors.is_empty() {
                return Ok(policy);
            }
        }
        Err(errors)
    }

    /// The latest instant a token made or extended at `now` may expire at, if there is a maximum.
    pub fn latest_expiry(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.max_lifetime_days
            .map(|days| now + Duration::days(i64::from(days)))
    }

    /// The latest custom date the form offers (a custom date lasts to the end of its day).
    pub fn latest_custom_date(&self, today: NaiveDate) -> Option<NaiveDate> {
        self.max_lifetime_days
            .map(|days| today + Duration::days(i64::from(days) - 1))
    }

    /// Whether a form word is allowed (`custom` is, up to [`Self::latest_custom_date`]); `Err`
    /// holds why not, as the form shows it next to the disabled choice.
    pub fn allows_word(&self, word: &str) -> Result<(), String> {
        let Some(days) = self.max_lifetime_days else {
            return Ok(());
        };
        match parse_lifetime(word, FORM_WORDS) {
            Ok(Lifetime::Never) => Err(self.limit_sentence()),
            Ok(Lifetime::Hours(hours)) if hours > days * 24 => Err(self.limit_sentence()),
            _ => Ok(()),
        }
    }

    /// Refuses an expiration beyond the maximum, saying what the maximum is.
    pub fn check(&self, expiration: Expiration, now: DateTime<Utc>) -> Result<(), String> {
        let Some(latest) = self.latest_expiry(now) else {
            return Ok(());
        };
        match expiration.expires_at(now) {
            Some(at) if at <= latest => Ok(()),
            _ => Err(self.limit_sentence()),
        }
    }

    /// The form's starting expiration: the default, or the longest allowed word if an older
    /// default no longer fits.
    pub fn starting_word(&self) -> String {
        if self.allows_word(&self.default_expiration).is_ok() {
            return self.default_expiration.clone();
        }
        ["90d", "30d", "7d"]
            .into_iter()
            .find(|word| self.allows_word(word).is_ok())
            .unwrap_or("7d")
            .to_string()
    }

    fn limit_sentence(&self) -> String {
        match self.max_lifetime_days {
            Some(days) => format!(
                "Your token policy allows tokens to last at most {days} days, so “Never” and later dates are not available."
            ),
            None => String::new(),
        }
    }

    /// The maximum as the policy form shows it ("No maximum", "90 days").
    pub fn max_label(&self) -> &'static str {
        MAX_LIFETIME_CHOICES
            .iter()
            .find(|(_, days, _)| *days == self.max_lifetime_days)
            .map_or("", |(_, _, label)| *label)
    }

    /// The maximum as the form posts it (`none`, `90`).
    pub fn max_word(&self) -> &'static str {
        MAX_LIFETIME_CHOICES
            .iter()
            .find(|(_, days, _)| *days == self.max_lifetime_days)
            .map_or("none", |(word, _, _)| *word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 15, 0, 0).unwrap()
    }

    fn thirty() -> TokenPolicy {
        TokenPolicy::parse("30", "30d").unwrap()
    }

    #[test]
    fn without_a_maximum_everything_is_allowed() {
        let policy = TokenPolicy::default();
        assert!(policy.check(Expiration::Never, now()).is_ok());
        assert!(policy.allows_word("never").is_ok());
    }

    #[test]
    fn a_maximum_refuses_never_and_longer_lifetimes() {
        let policy = thirty();
        assert!(policy.check(Expiration::Hours(30 * 24), now()).is_ok());
        assert!(policy.check(Expiration::Hours(90 * 24), now()).is_err());
        let error = policy.check(Expiration::Never, now()).unwrap_err();
        assert!(error.contains("at most 30 days"), "{error}");
        let today = now().date_naive();
        let latest = policy.latest_custom_date(today).unwrap();
        assert!(policy.check(Expiration::OnDate(latest), now()).is_ok());
        assert!(policy
            .check(Expiration::OnDate(latest + Duration::days(1)), now())
            .is_err());
        assert!(policy.allows_word("30d").is_ok());
        assert!(policy.allows_word("custom").is_ok());
        assert!(policy.allows_word("90d").is_err());
        assert!(policy.allows_word("never").is_err());
    }

    #[test]
    fn bad_policies_are_refused_field_by_field() {
        let errors = TokenPolicy::parse("45", "custom").unwrap_err();
        assert!(errors.get("max_lifetime").is_some());
        assert!(errors.get("default_expiration").is_some());
        let errors = TokenPolicy::parse("30", "never").unwrap_err();
        assert!(errors
            .get("default_expiration")
            .unwrap()
            .contains("within the maximum"));
        assert!(TokenPolicy::parse("90", "90d").is_ok());
    }

    #[test]
    fn the_form_starts_with_an_allowed_word() {
        let mut policy = thirty();
        policy.default_expiration = "never".into();
        assert_eq!(policy.starting_word(), "30d");
        assert_eq!(TokenPolicy::default().starting_word(), "30d");
    }
}
