//! A token's detail page: its settings, history and what it did through the API.

use crate::domain::activity::RequestFilter;
use crate::model::audit::AuditRow;
use crate::model::tokens::TokenRow;
use crate::model::Page;
use serde::{Deserialize, Serialize};

/// Everything the detail page shows about one token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenDetail {
    pub token: TokenRow,
    /// Its audit events, newest first (the latest [`TIMELINE_EVENTS`]).
    pub events: Vec<AuditRow>,
    /// The last few distinct addresses it was used from, most recent first.
    pub addresses: Vec<AddressSeen>,
    /// Requests per day for the chart, oldest first, one entry per day (zero-filled).
    pub days: Vec<DayCount>,
    /// Requests that could not be logged, and when the last of them was.
    pub gap: Option<(i64, i64)>,
    pub usage: Usage,
    /// Days the request log keeps.
    pub retention_days: i64,
}

/// Audit events the timeline shows.
pub const TIMELINE_EVENTS: i64 = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressSeen {
    pub ip: String,
    pub first_seen: i64,
    pub last_seen: i64,
    pub requests: i64,
}

/// One day of the chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    pub succeeded: i64,
    pub failed: i64,
}

/// Scopes and domains granted against those the last 30 days of requests used.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Every granted scope, in catalog order, and whether it was used.
    pub scopes: Vec<(String, bool)>,
    /// Domain names it was constrained to (`None`: every domain).
    pub domains_granted: Option<Vec<String>>,
    /// Domains its requests touched; `None` when a request listed every domain it reaches (or
    /// none touched a domain), so the log cannot tell which it needs.
    pub domains_used: Option<Vec<String>>,
    /// What "Narrow to what it used" would change, in words; empty when it would change nothing.
    pub narrowing: Vec<String>,
    /// Why narrowing is not offered although the log may look incomplete: it does not cover the
    /// last 30 days of this token's work (retention, a recent rotation, a gap, a new log).
    pub uncovered: Option<String>,
}

/// One logged API request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRow {
    pub id: i64,
    pub at: i64,
    pub method: String,
    pub route: String,
    pub status: i64,
    pub error_code: String,
    pub ip: String,
    pub user_agent: String,
    pub request_id: String,
    pub duration_us: i64,
}

/// A page of recent requests under the filters that chose them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPage {
    pub filter: RequestFilter,
    pub page: Page<RequestRow>,
    /// The API's route templates, for the route filter.
    pub routes: Vec<String>,
}
