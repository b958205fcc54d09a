//! A token's status is derived from its timestamps, never stored, so it cannot go stale.

use serde::{Deserialize, Serialize};

/// `active`, `expired` or `revoked` (as the API and the URL filter spell them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum TokenStatus {
    Active,
    Expired,
    Revoked,
}

impl TokenStatus {
    /// Revoked wins over expired: a revoked token stays revoked after its expiry passes.
    /// Times are Unix milliseconds; a token expires at the instant `expires_at` is reached.
    pub fn derive(revoked_at: Option<i64>, expires_at: Option<i64>, now: i64) -> TokenStatus {
        match (revoked_at, expires_at) {
            (Some(_), _) => TokenStatus::Revoked,
            (None, Some(expires_at)) if expires_at <= now => TokenStatus::Expired,
            _ => TokenStatus::Active,
        }
    }

    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::Expired => "expired",
            TokenStatus::Revoked => "revoked",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenStatus::Active => "Active",
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
}

impl StatusFilter {
    pub const OPTIONS: [(StatusFilter, &'static str); 4] = [
        (StatusFilter::All, "All"),
        (StatusFilter::Only(TokenStatus::Active), "Active"),
        (StatusFilter::Only(TokenStatus::Expired), "Expired"),
        (StatusFilter::Only(TokenStatus::Revoked), "Revoked"),
    ];

    /// Unknown values fall back to "All", so a hand-edited URL still shows a page.
    pub fn from_query(value: Option<&str>) -> StatusFilter {
        match value {
            Some("active") => StatusFilter::Only(TokenStatus::Active),
            Some("expired") => StatusFilter::Only(TokenStatus::Expired),
            Some("revoked") => StatusFilter::Only(TokenStatus::Revoked),
            _ => StatusFilter::All,
        }
    }

    pub fn query_value(self) -> Option<&'static str> {
        match self {
            StatusFilter::All => None,
            StatusFilter::Only(TokenStatus::Active) => Some("active"),
            StatusFilter::Only(TokenStatus::Expired) => Some("expired"),
            StatusFilter::Only(TokenStatus::Revoked) => Some("revoked"),
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
            (None, None, TokenStatus::Active),
            (None, Some(1_001), TokenStatus::Active),
            (None, Some(1_000), TokenStatus::Expired),
            (None, Some(999), TokenStatus::Expired),
            (Some(500), None, TokenStatus::Revoked),
            (Some(500), Some(999), TokenStatus::Revoked),
            (Some(500), Some(5_000), TokenStatus::Revoked),
        ];
        for (revoked, expires, expected) in cases {
            assert_eq!(
                TokenStatus::derive(revoked, expires, now),
                expected,
                "{revoked:?} {expires:?}"
            );
        }
    }

    #[test]
    fn filter_round_trips_through_the_url() {
        for (filter, _) in StatusFilter::OPTIONS {
            assert_eq!(StatusFilter::from_query(filter.query_value()), filter);
        }
        assert_eq!(StatusFilter::from_query(Some("bogus")), StatusFilter::All);
    }
}
