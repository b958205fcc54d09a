//! Webhook endpoints and their deliveries as the Webhooks pages show them.

use crate::domain::webhook::{DeliveryState, WebhookEvent};
use serde::{Deserialize, Serialize};

/// A registered endpoint. Never holds its secret (shown once, when added).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRow {
    pub id: i64,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub created_at: i64,
    /// Its latest delivery: what happened to it, and when it was made.
    pub latest: Option<(DeliveryState, i64)>,
}

/// An endpoint just added, with its signing secret: the only time the secret is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedEndpoint {
    pub row: EndpointRow,
    pub secret: String,
}

/// One event sent (or being sent) to an endpoint, with its attempts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: i64,
    /// The `webhook-id` header every attempt carries.
    pub message_id: String,
    pub event: String,
    pub created_at: i64,
    pub state: DeliveryState,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<i64>,
    /// Oldest first.
    pub attempts: Vec<AttemptRow>,
    /// The JSON body, as signed.
    pub payload: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRow {
    pub at: i64,
    /// The response's status; `None` when there was no response.
    pub status: Option<i64>,
    /// Why it failed, in words; empty when delivered.
    pub error: String,
    pub duration_ms: i64,
}

/// An endpoint's page: its settings and its latest deliveries, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointDetail {
    pub endpoint: EndpointRow,
    pub deliveries: Vec<DeliveryRow>,
    pub now: i64,
}

/// Deliveries an endpoint's page shows.
pub const RECENT_DELIVERIES: i64 = 50;
