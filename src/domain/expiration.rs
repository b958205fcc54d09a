//! When a token stops working, and the one parser of the expiry words every caller uses (the
//! form's `7d`…`never`, a message token's `expires_in`, a narrowing's `1h`…`90d`), each with its
//! own list of allowed words.

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The furthest a custom expiration date may lie, in months from today.
pub const MAX_CUSTOM_MONTHS: u32 = 60;

/// What an expiry word means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifetime {
    Hours(u32),
    /// The form's "Custom date": the date comes from its own field.
    Custom,
    Never,
}

const DAY: u32 = 24;

/// The "Create token" form's choices, in the order it shows them, with their labels.
pub const FORM_WORDS: &[(&str, Lifetime, &str)] = &[
    ("7d", Lifetime::Hours(7 * DAY), "7 days"),
    ("30d", Lifetime::Hours(30 * DAY), "30 days"),
    ("90d", Lifetime::Hours(90 * DAY), "90 days"),
    ("custom", Lifetime::Custom, "Custom date"),
    ("never", Lifetime::Never, "Never"),
];

/// A message token's `expires_in` (TrekMail's values; absent means never).
pub const MESSAGE_TOKEN_WORDS: &[(&str, Lifetime, &str)] = &[
    ("7d", Lifetime::Hours(7 * DAY), "7 days"),
    ("30d", Lifetime::Hours(30 * DAY), "30 days"),
    ("90d", Lifetime::Hours(90 * DAY), "90 days"),
    ("never", Lifetime::Never, "Never"),
];

/// How far away a narrowed message token's new expiry may be set (never "never").
pub const NARROWING_WORDS: &[(&str, Lifetime, &str)] = &[
    ("1h", Lifetime::Hours(1), "1 hour"),
    ("2h", Lifetime::Hours(2), "2 hours"),
    ("4h", Lifetime::Hours(4), "4 hours"),
    ("8h", Lifetime::Hours(8), "8 hours"),
    ("7d", Lifetime::Hours(7 * DAY), "7 days"),
    ("30d", Lifetime::Hours(30 * DAY), "30 days"),
    ("90d", Lifetime::Hours(90 * DAY), "90 days"),
];

/// Reads one of `words`; the refusal lists the words the caller accepts.
pub fn parse_lifetime(value: &str, words: &[(&str, Lifetime, &str)]) -> Result<Lifetime, String> {
    if let Some((_, lifetime, _)) = words.iter().find(|(word, _, _)| *word == value) {
        return Ok(*lifetime);
    }
    let names: Vec<&str> = words.iter().map(|(word, _, _)| *word).collect();
    let (last, rest) = names.split_last().expect("every word list has words");
    Err(format!(
        "\"{value}\" is not an expiry; use {} or {last}.",
        rest.join(", ")
    ))
}

/// A valid expiration. `OnDate` is always between tomorrow and five years out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expiration {
    Hours(u32),
    OnDate(NaiveDate),
    Never,
}

impl Expiration {
    /// A lifetime word as an expiration; `None` for `Custom`, whose date is parsed apart.
    pub fn from_lifetime(lifetime: Lifetime) -> Option<Expiration> {
        match lifetime {
            Lifetime::Hours(hours) => Some(Expiration::Hours(hours)),
            Lifetime::Never => Some(Expiration::Never),
            Lifetime::Custom => None,
        }
    }

    /// A custom `YYYY-MM-DD` date, between tomorrow and five years from `today` (UTC).
    pub fn custom_date(date: &str, today: NaiveDate) -> Result<Expiration, String> {
        let date = date.trim();
        if date.is_empty() {
            return Err("Pick an expiration date.".into());
        }
        // `YYYY-MM-DD` (NaiveDate's FromStr is that format, without a format string to interpret).
        let date = date
            .parse::<NaiveDate>()
            .map_err(|_| "Enter the date as YYYY-MM-DD.".to_string())?;
        if date <= today {
            return Err(
                "The expiration date must be in the future (tomorrow at the earliest).".into(),
            );
        }
        if date > Self::latest_custom_date(today) {
            return Err("The expiration date can be at most 5 years from today.".into());
        }
        Ok(Expiration::OnDate(date))
    }

    pub fn latest_custom_date(today: NaiveDate) -> NaiveDate {
        today
            .checked_add_months(Months::new(MAX_CUSTOM_MONTHS))
            .expect("five years from a real date is a real date")
    }

    /// The instant the token stops working; a custom date lasts to the end of that day, UTC.
    pub fn expires_at(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Expiration::Hours(hours) => Some(now + Duration::hours(i64::from(hours))),
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
    fn each_caller_accepts_only_its_words() {
        assert_eq!(parse_lifetime("7d", FORM_WORDS), Ok(Lifetime::Hours(168)));
        assert_eq!(parse_lifetime("custom", FORM_WORDS), Ok(Lifetime::Custom));
        assert_eq!(
            parse_lifetime("never", MESSAGE_TOKEN_WORDS),
            Ok(Lifetime::Never)
        );
        assert_eq!(
            parse_lifetime("1h", NARROWING_WORDS),
            Ok(Lifetime::Hours(1))
        );
        assert_eq!(
            parse_lifetime("custom", MESSAGE_TOKEN_WORDS),
            Err("\"custom\" is not an expiry; use 7d, 30d, 90d or never.".into())
        );
        for (value, words) in [
            ("never", NARROWING_WORDS),
            ("1h", FORM_WORDS),
            ("", FORM_WORDS),
            ("7", MESSAGE_TOKEN_WORDS),
        ] {
            assert!(parse_lifetime(value, words).is_err(), "{value}");
        }
    }

    #[test]
    fn custom_dates() {
        let good = [
            ("2026-11-27", (2026, 11, 27)),
            (" 2031-11-26 ", (2031, 11, 26)),
        ];
        for (date, (y, m, d)) in good {
            assert_eq!(
                Expiration::custom_date(date, today()),
                Ok(Expiration::OnDate(
                    NaiveDate::from_ymd_opt(y, m, d).unwrap()
                )),
                "{date}"
            );
        }
        let bad = [
            "",
            "2026-11-26",
            "2026-11-25",
            "2031-11-27",
            "26/11/2027",
            "2027-02-30",
            "tomorrow",
        ];
        for date in bad {
            assert!(Expiration::custom_date(date, today()).is_err(), "{date}");
        }
    }

    #[test]
    fn expiry_instants() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 15, 30, 0).unwrap();
        assert_eq!(
            Expiration::Hours(7 * 24).expires_at(now),
            Some(Utc.with_ymd_and_hms(2026, 12, 3, 15, 30, 0).unwrap())
        );
        assert_eq!(
            Expiration::OnDate(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()).expires_at(now),
            Some(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(Expiration::Never.expires_at(now), None);
    }
}
