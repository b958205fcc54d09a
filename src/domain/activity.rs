//! A token's activity as the detail page filters and summarises it: days, status classes and the
//! recent-requests filters as kept in the URL (`?class=4xx&route=/api/v1/mailboxes/{id}`).

use crate::domain::field::FieldErrors;
use serde::{Deserialize, Serialize};

pub const DAY_MS: i64 = 86_400_000;
/// Days the chart and "scopes used" look back over.
pub const CHART_DAYS: i64 = 30;
/// Distinct addresses the detail page lists.
pub const RECENT_ADDRESSES: i64 = 5;

/// The UTC day (days since 1970-01-01) an instant falls on.
pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

/// Which replies the recent requests show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusClass {
    /// 1xx–3xx.
    Success,
    /// 4xx: refused (bad token, scope, input, rate limit).
    ClientError,
    /// 5xx: failed on our side.
    ServerError,
}

impl StatusClass {
    pub const ALL: [StatusClass; 3] = [
        StatusClass::Success,
        StatusClass::ClientError,
        StatusClass::ServerError,
    ];

    /// The URL word.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusClass::Success => "ok",
            StatusClass::ClientError => "4xx",
            StatusClass::ServerError => "5xx",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusClass::Success => "Succeeded",
            StatusClass::ClientError => "Refused (4xx)",
            StatusClass::ServerError => "Failed (5xx)",
        }
    }

    /// How the request log stores it (`status_class`).
    pub fn stored(self) -> i64 {
        match self {
            StatusClass::Success => 2,
            StatusClass::ClientError => 4,
            StatusClass::ServerError => 5,
        }
    }

    /// The class of a reply's status.
    pub fn of(status: u16) -> StatusClass {
        match status {
            500.. => StatusClass::ServerError,
            400.. => StatusClass::ClientError,
            _ => StatusClass::Success,
        }
    }

    pub fn parse(value: &str) -> Option<StatusClass> {
        StatusClass::ALL
            .into_iter()
            .find(|class| class.as_str() == value)
    }
}

/// The recent-requests filters, parsed from the URL against the API's routes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFilter {
    pub class: Option<StatusClass>,
    /// A route template of the API.
    pub route: Option<String>,
}

impl RequestFilter {
    /// Empty values mean "any"; anything else must be a known class or route.
    pub fn parse(
        class: Option<&str>,
        route: Option<&str>,
        routes: &[&str],
    ) -> Result<RequestFilter, FieldErrors> {
        let mut errors = FieldErrors::default();
        let class = match class.map(str::trim).filter(|value| !value.is_empty()) {
            None => None,
            Some(value) => StatusClass::parse(value).or_else(|| {
                errors.add(
                    "class",
                    format!("“{value}” is not a status class; use ok, 4xx or 5xx."),
                );
                None
            }),
        };
        let route = match route.map(str::trim).filter(|value| !value.is_empty()) {
            None => None,
            Some(value) if routes.contains(&value) => Some(value.to_string()),
            Some(value) => {
                errors.add(
                    "route",
                    format!("“{value}” is not an API route; choose one from the list."),
                );
                None
            }
        };
        if errors.is_empty() {
            Ok(RequestFilter { class, route })
        } else {
            Err(errors)
        }
    }

    /// The filters as a query string (without `?`), for links that keep them.
    pub fn query(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(class) = self.class {
            pairs.push(format!("class={}", class.as_str()));
        }
        if let Some(route) = &self.route {
            let encoded =
                percent_encoding::utf8_percent_encode(route, percent_encoding::NON_ALPHANUMERIC);
            pairs.push(format!("route={encoded}"));
        }
        pairs.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &[&str] = &["/api/v1/me", "/api/v1/mailboxes/{id}"];

    #[test]
    fn days_are_utc_and_count_from_1970() {
        assert_eq!(day_of(0), 0);
        assert_eq!(day_of(DAY_MS - 1), 0);
        assert_eq!(day_of(DAY_MS), 1);
        assert_eq!(day_of(-1), -1);
    }

    #[test]
    fn filters_parse_known_values_and_name_bad_ones() {
        let filter = RequestFilter::parse(Some("4xx"), Some("/api/v1/mailboxes/{id}"), ROUTES);
        assert_eq!(
            filter,
            Ok(RequestFilter {
                class: Some(StatusClass::ClientError),
                route: Some("/api/v1/mailboxes/{id}".into()),
            })
        );
        assert_eq!(
            filter.unwrap().query(),
            "class=4xx&route=%2Fapi%2Fv1%2Fmailboxes%2F%7Bid%7D"
        );
        assert_eq!(
            RequestFilter::parse(Some(""), None, ROUTES),
            Ok(RequestFilter::default())
        );
        let errors =
            RequestFilter::parse(Some("2xx"), Some("/api/v1/mailboxes/7"), ROUTES).unwrap_err();
        assert!(errors.get("class").unwrap().contains("ok, 4xx or 5xx"));
        assert!(errors.get("route").unwrap().contains("not an API route"));
    }
}
