//! A token's status is derived from its timestamps, never stored, so it cannot go stale.

use serde::{Deserialize, Serialize};

/// `active`, `paused`, `expired` or `revoked` (as the API and the URL filter spell them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum TokenStatus {
    Active,
    /// Refused by the API until the owner resumes it; nothing else about it changes.
    Paused,
    Expired,
    Revoked,
}

/// How soon an expiry counts as "soon": the badge, the page's notice and the filter.
pub const EXPIRING_SOON_MS: i64 = 7 * 24 * 3_600_000;

impl TokenStatus {
    /// Revoked wins, then expired, then paused: a revoked token stays revoked after its expiry
    /// passes, and a paused one still expires. Times are Unix milliseconds; a token expires at
    /// the instant `expires_at` is reached.
    pub fn derive(
        revoked_at: Option<i64>,
        expires_at: Option<i64>,
        paused_at: Option<i64>,
        now: i64,
    ) -> TokenStatus {
        match (revoked_at, expires_at, paused_at) {
            (Some(_), _, _) => TokenStatus::Revoked,
            (None, Some(expires_at), _) if expires_at <= now => TokenStatus::Expired,
            (None, _, Some(_)) => TokenStatus::Paused,
            _ => TokenStatus::Active,
        }
    }

    /// Whether it can still be changed (paused, resumed, rotated…): not revoked or expired.
    pub fn is_live(self) -> bool {
        matches!(self, TokenStatus::Active | TokenStatus::Paused)
    }

    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::Paused => "paused",
            TokenStatus::Expired => "expired",
            TokenStatus::Revoked => "revoked",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenStatus::Active => "Active",
            TokenStatus::Paused => "Paused",
            TokenStatus::Expired => "Expired",
            TokenStatus::Revoked => "Revoked",
        }
    }
}

/// The list's status filter, as kept in the URL (`?status=active`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusFilter {
    #[default]
    All,
    Only(TokenStatus),
    /// Live (active or paused) and expiring within [`EXPIRING_SOON_MS`].
    ExpiringSoon,
}

impl StatusFilter {
    pub const OPTIONS: [(StatusFilter, &'static str); 6] = [
        (StatusFilter::All, "All"),
        (StatusFilter::Only(TokenStatus::Active), "Active"),
        (StatusFilter::ExpiringSoon, "Expiring soon"),
        (StatusFilter::Only(TokenStatus::Paused), "Paused"),
        (StatusFilter::Only(TokenStatus::Expired), "Expired"),
        (StatusFilter::Only(TokenStatus::Revoked), "Revoked"),
    ];

    /// Unknown values fall back to "All", so a hand-edited URL still shows a page.
    pub fn from_query(value: Option<&str>) -> StatusFilter {
        StatusFilter::OPTIONS
            .into_iter()
            .map(|(filter, _)| filter)
            .find(|filter| value.is_some() && filter.query_value() == value)
            .unwrap_or_default()
    }

    pub fn query_value(self) -> Option<&'static str> {
        match self {
            StatusFilter::All => None,
            StatusFilter::Only(status) => Some(status.as_str()),
            StatusFilter::ExpiringSoon => Some("expiring"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_table() {
        let now = 1_000;
        let cases = [
            (None, None, None, TokenStatus::Active),
            (None, Some(1_001), None, TokenStatus::Active),
            (None, Some(1_000), None, TokenStatus::Expired),
            (None, Some(999), None, TokenStatus::Expired),
            (Some(500), None, None, TokenStatus::Revoked),
            (Some(500), Some(999), None, TokenStatus::Revoked),
            (Some(500), Some(5_000), None, TokenStatus::Revoked),
            (None, None, Some(700), TokenStatus::Paused),
            (None, Some(1_001), Some(700), TokenStatus::Paused),
            (None, Some(999), Some(700), TokenStatus::Expired),
            (Some(500), None, Some(700), TokenStatus::Revoked),
        ];
        for (revoked, expires, paused, expected) in cases {
            assert_eq!(
                TokenStatus::derive(revoked, expires, paused, now),
                expected,
                "{revoked:?} {expires:?} {paused:?}"
            );
        }
    }

    #[test]
    fn filter_round_trips_through_the_url() {
        for (filter, _) in StatusFilter::OPTIONS {
            assert_eq!(StatusFilter::from_query(filter.query_value()), filter);
        }
        assert_eq!(StatusFilter::from_query(Some("bogus")), StatusFilter::All);
        assert_eq!(
            StatusFilter::from_query(Some("expiring")),
            StatusFilter::ExpiringSoon
        );
    }
}
