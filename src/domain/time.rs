//! Display helpers for Unix-millisecond timestamps. Relative phrases take `now` as an argument
//! (sent by the server with each page) so the server render and the browser agree.

use chrono::{DateTime, Utc};

pub fn to_datetime(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// "Dec 3, 2026"
pub fn date(ms: i64) -> String {
    to_datetime(ms).format("%b %-d, %Y").to_string()
}

/// "2026-12-03 14:05:09 UTC". Built from the date's and time's own Display (whole seconds), so
/// the browser bundle, which shows this in the reveal, carries no format-string interpreter.
pub fn exact(ms: i64) -> String {
    let seconds = to_datetime(ms.div_euclid(1000) * 1000).naive_utc();
    format!("{} {} UTC", seconds.date(), seconds.time())
}

/// ISO 8601 for `<time datetime=…>`.
pub fn iso(ms: i64) -> String {
    to_datetime(ms).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// "in 6 days", "3 minutes ago", "just now".
pub fn relative(ms: i64, now: i64) -> String {
    let delta = (ms - now) / 1000;
    let seconds = delta.abs();
    if seconds < 45 {
        return "just now".into();
    }
    let (amount, unit) = match seconds {
        s if s < 3_600 => ((s + 30) / 60, "minute"),
        s if s < 86_400 => ((s + 1_800) / 3_600, "hour"),
        s if s < 86_400 * 45 => ((s + 43_200) / 86_400, "day"),
        s if s < 86_400 * 548 => ((s + 86_400 * 15) / (86_400 * 30), "month"),
        s => ((s + 86_400 * 182) / (86_400 * 365), "year"),
    };
    let amount = amount.max(1);
    let plural = if amount == 1 { "" } else { "s" };
    if delta > 0 {
        format!("in {amount} {unit}{plural}")
    } else {
        format!("{amount} {unit}{plural} ago")
    }
}

/// "1 second", "40 seconds", "3 minutes": how long to wait, rounded up to whole minutes past one.
pub fn wait_phrase(seconds: u64) -> String {
    let (amount, unit) = if seconds < 60 {
        (seconds.max(1), "second")
    } else {
        (seconds.div_ceil(60), "minute")
    };
    format!("{amount} {unit}{}", if amount == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_phrases() {
        for (seconds, phrase) in [
            (0, "1 second"),
            (1, "1 second"),
            (40, "40 seconds"),
            (60, "1 minute"),
            (61, "2 minutes"),
            (900, "15 minutes"),
        ] {
            assert_eq!(wait_phrase(seconds), phrase);
        }
    }

    #[test]
    fn relative_phrases() {
        const MIN: i64 = 60_000;
        const DAY: i64 = 86_400_000;
        let now = 1_800_000_000_000;
        let cases = [
            (now, "just now"),
            (now - 3 * MIN, "3 minutes ago"),
            (now + MIN, "in 1 minute"),
            (now + 6 * DAY, "in 6 days"),
            (now + 7 * DAY - MIN, "in 7 days"),
            (now - 2 * 3_600_000, "2 hours ago"),
            (now + 90 * DAY, "in 3 months"),
            (now + 5 * 365 * DAY, "in 5 years"),
        ];
        for (ms, expected) in cases {
            assert_eq!(relative(ms, now), expected);
        }
    }

    #[test]
    fn absolute_formats() {
        let ms = 1_796_306_709_000; // 2026-12-03 14:05:09 UTC
        assert_eq!(date(ms), "Dec 3, 2026");
        assert_eq!(exact(ms), "2026-12-03 14:05:09 UTC");
        assert_eq!(iso(ms), "2026-12-03T14:05:09.000Z");
    }
}
