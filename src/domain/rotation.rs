//! Rotating a token: a new secret with the same access, and how long the old one keeps working.
//!
//! The rule (shown in the dialog and the README): the grace period starts when the new secret is
//! first used, so a deploy that has not picked it up yet is not cut off, or [`UNUSED_START_HOURS`]
//! after the rotation if the new secret is never used; the old secret stops working at that start
//! plus the chosen length. "Immediately" stops it at the rotation itself.

use serde::{Deserialize, Serialize};

/// The rule, as the rotate dialog, its page and the README state it.
pub const GRACE_RULE: &str = "The grace period starts when the new secret is first used, so a deploy that has not picked it up yet keeps working; if the new secret is never used, it starts 7 days after the rotation. The old secret stops working at that start plus the length you choose. “Immediately” stops it now.";

/// When the grace period starts if the new secret is never used: 7 days after the rotation.
pub const UNUSED_START_HOURS: u32 = 7 * 24;

/// How long the old secret keeps working once the grace period starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Grace {
    Immediately,
    Hours(u32),
}

/// The choices, as the form posts them, with their labels.
pub const GRACE_CHOICES: &[(&str, Grace, &str)] = &[
    ("now", Grace::Immediately, "Immediately"),
    ("1h", Grace::Hours(1), "1 hour"),
    ("24h", Grace::Hours(24), "24 hours"),
    ("7d", Grace::Hours(7 * 24), "7 days"),
];

impl Grace {
    pub fn parse(value: &str) -> Result<Grace, String> {
        GRACE_CHOICES
            .iter()
            .find(|(word, _, _)| *word == value)
            .map(|(_, grace, _)| *grace)
            .ok_or_else(|| {
                "Choose how long the old secret keeps working: now, 1h, 24h or 7d.".to_string()
            })
    }

    pub fn label(self) -> &'static str {
        GRACE_CHOICES
            .iter()
            .find(|(_, grace, _)| *grace == self)
            .map_or("", |(_, _, label)| *label)
    }

    /// What becomes of the old secret, said with the new one.
    pub fn old_secret_fate(self) -> String {
        match self {
            Grace::Immediately => "The old secret stopped working at once.".into(),
            grace => format!(
                "The old secret keeps working until {} after the new secret is first used, and at most 7 days and {} from now.",
                grace.label(),
                grace.label()
            ),
        }
    }

    /// The grace length in milliseconds, given how long an "hour" lasts (one hour, except in a
    /// test setting that shortens it: `TREKMAIL_ROTATION_HOUR_MS`).
    pub fn length_ms(self, hour_ms: i64) -> i64 {
        match self {
            Grace::Immediately => 0,
            Grace::Hours(hours) => i64::from(hours) * hour_ms,
        }
    }

    /// When the old secret stops working at the latest (the new one never used): the rotation
    /// plus [`UNUSED_START_HOURS`] plus the grace; or at once.
    pub fn latest_end(self, rotated_at: i64, hour_ms: i64) -> i64 {
        match self {
            Grace::Immediately => rotated_at,
            Grace::Hours(_) => {
                rotated_at + i64::from(UNUSED_START_HOURS) * hour_ms + self.length_ms(hour_ms)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn choices_parse_and_others_are_refused() {
        assert_eq!(Grace::parse("now"), Ok(Grace::Immediately));
        assert_eq!(Grace::parse("24h"), Ok(Grace::Hours(24)));
        for bad in ["", "2h", "never", "NOW"] {
            assert!(Grace::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Grace::Hours(24).label(), "24 hours");
    }

    #[test]
    fn the_old_secret_ends_a_week_and_the_grace_after_an_unused_rotation() {
        assert_eq!(Grace::Immediately.latest_end(1_000, HOUR), 1_000);
        assert_eq!(
            Grace::Hours(1).latest_end(1_000, HOUR),
            1_000 + 168 * HOUR + HOUR
        );
        assert_eq!(Grace::Hours(24).length_ms(10), 240);
    }
}
