//! Signed webhooks: the token events an endpoint can subscribe to, the state of a delivery, and
//! how long a failing delivery is retried. The URL's rules (scheme, private addresses) need the
//! network's view of an address and live on the server (`server/webhooks/target.rs`).

use crate::domain::field::FieldErrors;
use serde::{Deserialize, Serialize};

/// What an endpoint is told about. Every event names one token (ops or message).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WebhookEvent {
    TokenCreated,
    TokenRevoked,
    TokenRotated,
    TokenPaused,
    TokenResumed,
    /// Seven days before an ops token stops working (tokens made to last a week or less, and
    /// rotated secrets, are not announced: their owner just chose that end).
    TokenExpiring,
    TokenExpired,
    /// Revoked by a leak report (`POST /api/v1/credentials/revoke`); also sent as `token.revoked`.
    TokenLeaked,
    /// "Send test event": sent to one endpoint whatever it subscribed to.
    Test,
}

impl WebhookEvent {
    /// What an endpoint may subscribe to, in the order the form lists them.
    pub const SUBSCRIBABLE: [WebhookEvent; 8] = [
        WebhookEvent::TokenCreated,
        WebhookEvent::TokenRevoked,
        WebhookEvent::TokenLeaked,
        WebhookEvent::TokenRotated,
        WebhookEvent::TokenPaused,
        WebhookEvent::TokenResumed,
        WebhookEvent::TokenExpiring,
        WebhookEvent::TokenExpired,
    ];

    /// The event's `type` in the payload, also its stored and submitted value.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::TokenCreated => "token.created",
            WebhookEvent::TokenRevoked => "token.revoked",
            WebhookEvent::TokenRotated => "token.rotated",
            WebhookEvent::TokenPaused => "token.paused",
            WebhookEvent::TokenResumed => "token.resumed",
            WebhookEvent::TokenExpiring => "token.expiring",
            WebhookEvent::TokenExpired => "token.expired",
            WebhookEvent::TokenLeaked => "token.leaked",
            WebhookEvent::Test => "webhook.test",
        }
    }

    pub fn parse(value: &str) -> Option<WebhookEvent> {
        WebhookEvent::SUBSCRIBABLE
            .into_iter()
            .chain([WebhookEvent::Test])
            .find(|event| event.as_str() == value)
    }

    /// When it is sent, in the form's words.
    pub fn description(self) -> &'static str {
        match self {
            WebhookEvent::TokenCreated => "A token was created.",
            WebhookEvent::TokenRevoked => {
                "A token was revoked (by you, an API call, an emergency revoke or a leak report)."
            }
            WebhookEvent::TokenLeaked => "A token was reported leaked and revoked at once.",
            WebhookEvent::TokenRotated => "A token got a new secret.",
            WebhookEvent::TokenPaused => "A token was paused.",
            WebhookEvent::TokenResumed => "A paused token was resumed.",
            WebhookEvent::TokenExpiring => "An ops token stops working in 7 days.",
            WebhookEvent::TokenExpired => "An ops token reached its expiration.",
            WebhookEvent::Test => "A test event you sent.",
        }
    }
}

/// The events an endpoint subscribes to: at least one, each known, in catalog order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSelection(Vec<WebhookEvent>);

/// The form field the events are submitted in (once per checked box).
pub const EVENTS_FIELD: &str = "events";
/// The form field of the endpoint's URL.
pub const URL_FIELD: &str = "url";

impl EventSelection {
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Self, FieldErrors> {
        let mut chosen = Vec::new();
        for value in values {
            match WebhookEvent::parse(value) {
                Some(WebhookEvent::Test) | None => {
                    return Err(FieldErrors::single(
                        EVENTS_FIELD,
                        format!("“{value}” is not an event you can subscribe to."),
                    ))
                }
                Some(event) => chosen.push(event),
            }
        }
        let selection: Vec<WebhookEvent> = WebhookEvent::SUBSCRIBABLE
            .into_iter()
            .filter(|event| chosen.contains(event))
            .collect();
        if selection.is_empty() {
            return Err(FieldErrors::single(
                EVENTS_FIELD,
                "Choose at least one event to send to this endpoint.",
            ));
        }
        Ok(EventSelection(selection))
    }

    /// As stored: event types separated by single spaces. Unknown words (an event a later
    /// version removed) are dropped.
    pub fn from_stored(stored: &str) -> Self {
        EventSelection(stored.split(' ').filter_map(WebhookEvent::parse).collect())
    }

    pub fn to_stored(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|event| event.as_str()).collect();
        names.join(" ")
    }

    pub fn contains(&self, event: WebhookEvent) -> bool {
        self.0.contains(&event)
    }

    pub fn events(&self) -> &[WebhookEvent] {
        &self.0
    }
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryState {
    /// Not yet answered with a 2xx; another attempt is due at `next_attempt_at`.
    Pending,
    /// An attempt was answered with a 2xx.
    Delivered,
    /// Every attempt failed; no more will be made.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<DeliveryState> {
        [
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Failed,
        ]
        .into_iter()
        .find(|state| state.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            DeliveryState::Pending => "Retrying",
            DeliveryState::Delivered => "Delivered",
            DeliveryState::Failed => "Failed",
        }
    }
}

const SECOND_MS: i64 = 1_000;
const MINUTE_MS: i64 = 60 * SECOND_MS;
const HOUR_MS: i64 = 60 * MINUTE_MS;

/// The wait after each failed attempt (Standard Webhooks' suggested schedule, shortened to end
/// within a day): the first attempt is made at once, the last of the eight about 23.6 hours
/// later; when it fails too, the delivery has failed.
pub const RETRY_DELAYS_MS: [i64; 7] = [
    5 * SECOND_MS,
    5 * MINUTE_MS,
    30 * MINUTE_MS,
    2 * HOUR_MS,
    5 * HOUR_MS,
    8 * HOUR_MS,
    8 * HOUR_MS,
];

/// When the next attempt is due after `attempts` failed ones (`None`: give up).
pub fn next_attempt(attempts: usize, now: i64) -> Option<i64> {
    attempts
        .checked_sub(1)
        .and_then(|index| RETRY_DELAYS_MS.get(index))
        .map(|delay| now + delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selection_keeps_catalog_order_and_refuses_unknown_or_empty() {
        let selection = EventSelection::parse(["token.revoked", "token.created"]).unwrap();
        assert_eq!(selection.to_stored(), "token.created token.revoked");
        assert_eq!(
            EventSelection::from_stored(&selection.to_stored()),
            selection
        );
        let unknown = EventSelection::parse(["token.deleted"]).unwrap_err();
        assert_eq!(unknown.first().unwrap().field, EVENTS_FIELD);
        assert!(EventSelection::parse(["webhook.test"]).is_err());
        assert!(EventSelection::parse([]).is_err());
    }

    #[test]
    fn retries_end_within_a_day() {
        let mut at = 0;
        let mut attempts = 1;
        while let Some(next) = next_attempt(attempts, at) {
            at = next;
            attempts += 1;
        }
        assert_eq!(attempts, 8);
        assert!(at > 20 * HOUR_MS && at < 24 * HOUR_MS, "{at}");
        assert_eq!(next_attempt(0, 0), None);
    }
}
