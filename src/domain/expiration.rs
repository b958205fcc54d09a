//! When a token stops working.

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The furthest a custom expiration date may lie, in months from today.
pub const MAX_CUSTOM_MONTHS: u32 = 60;

/// A valid expiration choice. `OnDate` is always between tomorrow and five years out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expiration {
    Days(u32),
    OnDate(NaiveDate),
    Never,
}

/// The radio choices of the form, with the value each one submits.
pub const CHOICES: [(&str, &str); 5] = [
    ("7d", "7 days"),
    ("30d", "30 days"),
    ("90d", "90 days"),
    ("custom", "Custom date"),
    ("never", "Never"),
];

/// Which form field a parse error belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpirationError {
    /// The choice itself (no choice, or an unknown one).
    Choice(String),
    /// The custom date.
    Date(String),
}

impl Expiration {
    /// Parses the form's choice (`7d`, `30d`, `90d`, `custom`, `never`) and, for `custom`, the
    /// `YYYY-MM-DD` date, against today's date in UTC.
    pub fn parse(
        choice: &str,
        date: &str,
        today: NaiveDate,
    ) -> Result<Expiration, ExpirationError> {
        match choice {
            "7d" => Ok(Expiration::Days(7)),
            "30d" => Ok(Expiration::Days(30)),
            "90d" => Ok(Expiration::Days(90)),
            "never" => Ok(Expiration::Never),
            "custom" => Self::parse_date(date.trim(), today).map(Expiration::OnDate),
            "" => Err(ExpirationError::Choice(
                "Choose when the token expires.".into(),
            )),
            _ => Err(ExpirationError::Choice(
                "Choose one of the listed expirations.".into(),
            )),
        }
    }

    fn parse_date(date: &str, today: NaiveDate) -> Result<NaiveDate, ExpirationError> {
        if date.is_empty() {
            return Err(ExpirationError::Date("Pick an expiration date.".into()));
        }
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|_| ExpirationError::Date("Enter the date as YYYY-MM-DD.".into()))?;
        if date <= today {
            return Err(ExpirationError::Date(
                "The expiration date must be in the future (tomorrow at the earliest).".into(),
            ));
        }
        if date > Self::latest_custom_date(today) {
            return Err(ExpirationError::Date(
                "The expiration date can be at most 5 years from today.".into(),
            ));
        }
        Ok(date)
    }

    pub fn latest_custom_date(today: NaiveDate) -> NaiveDate {
        today
            .checked_add_months(Months::new(MAX_CUSTOM_MONTHS))
            .expect("five years from a real date is a real date")
    }

    /// The instant the token stops working; a custom date lasts to the end of that day, UTC.
    pub fn expires_at(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Expiration::Days(days) => Some(now + Duration::days(i64::from(days))),
            Expiration::OnDate(date) => Some(
                (date + Duration::days(1))
                    .and_hms_opt(0, 0, 0)
                    .expect("midnight exists")
                    .and_utc(),
            ),
            Expiration::Never => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn choices_parse() {
        let cases = [
            ("7d", "", Ok(Expiration::Days(7))),
            ("30d", "2020-01-01", Ok(Expiration::Days(30))), // the date is ignored unless custom
            ("90d", "", Ok(Expiration::Days(90))),
            ("never", "", Ok(Expiration::Never)),
            (
                "custom",
                "2026-11-27",
                Ok(Expiration::OnDate(
                    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
                )),
            ),
            (
                "custom",
                " 2031-11-26 ",
                Ok(Expiration::OnDate(
                    NaiveDate::from_ymd_opt(2031, 11, 26).unwrap(),
                )),
            ),
        ];
        for (choice, date, expected) in cases {
            assert_eq!(
                Expiration::parse(choice, date, today()),
                expected,
                "{choice} {date}"
            );
        }
    }

    #[test]
    fn bad_choices_and_dates_are_refused_with_the_right_field() {
        let choice_errors = [("", ""), ("1y", ""), ("7", "")];
        for (choice, date) in choice_errors {
            assert!(
                matches!(
                    Expiration::parse(choice, date, today()),
                    Err(ExpirationError::Choice(_))
                ),
                "{choice}"
            );
        }
        let date_errors = [
            "",
            "2026-11-26",
            "2026-11-25",
            "2031-11-27",
            "26/11/2027",
            "2027-02-30",
            "tomorrow",
        ];
        for date in date_errors {
            assert!(
                matches!(
                    Expiration::parse("custom", date, today()),
                    Err(ExpirationError::Date(_))
                ),
                "{date}"
            );
        }
    }

    #[test]
    fn expiry_instants() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 15, 30, 0).unwrap();
        assert_eq!(
            Expiration::Days(7).expires_at(now),
            Some(Utc.with_ymd_and_hms(2026, 12, 3, 15, 30, 0).unwrap())
        );
        assert_eq!(
            Expiration::OnDate(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()).expires_at(now),
            Some(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(Expiration::Never.expires_at(now), None);
    }
}
