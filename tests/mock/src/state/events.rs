//! Events (REFERENCE.md §3): one per state change, holding the object as it was, and the request
//! that caused it (`null` for changes that time brought).

use serde::Serialize;

use super::{Account, Call, Charge, Listed, PaymentIntent, Payout, Refund};
use crate::wire::{ApiError, Reply};

/// The API version events are rendered with (REFERENCE.md §1 `Molam-Version`).
pub(crate) const API_VERSION: &str = "2025-01-16";

/// Every event type of REFERENCE.md §3.
pub(crate) const EVENT_TYPES: &[&str] = &[
    "payment_intent.created",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.requires_action",
    "charge.refunded",
    "refund.created",
    "refund.updated",
    "payout.created",
    "payout.paid",
    "payout.failed",
    "payout.canceled",
];

/// The object an event carries, as it was when the event happened.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(crate) enum EventObject {
    PaymentIntent(PaymentIntent),
    Charge(Charge),
    Refund(Refund),
    Payout(Payout),
}

/// `data` of an event.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EventData {
    pub(crate) object: EventObject,
}

/// `request` of an event: the API request that caused the change.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EventRequest {
    pub(crate) id: String,
    pub(crate) idempotency_key: Option<String>,
}

/// An event exactly as REFERENCE.md §3 puts it on the wire.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Event {
    pub(crate) id: String,
    pub(crate) object: &'static str,
    pub(crate) api_version: &'static str,
    pub(crate) created: i64,
    pub(crate) data: EventData,
    pub(crate) livemode: bool,
    pub(crate) request: Option<EventRequest>,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
}

impl Listed for Event {
    const KIND: &'static str = "event";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
}

/// Whether `kind` passes the `type` filter: an exact type, or `prefix.*`.
fn type_matches(filter: &str, kind: &str) -> bool {
    match filter.strip_suffix(".*") {
        Some(prefix) => kind
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('.')),
        None => filter == kind,
    }
}

pub(crate) fn list(account: &Account, call: &Call<'_>) -> Result<Reply, ApiError> {
    let q = call.list("type")?;
    if let Some(t) = q.filter.as_deref() {
        if !EVENT_TYPES.iter().any(|k| type_matches(t, k)) {
            return Err(ApiError::invalid(
                "type",
                format!("Invalid type: '{t}' matches no event type."),
            ));
        }
    }
    account.events.page("/v1/events", &q, |e| {
        q.filter.as_deref().is_none_or(|t| type_matches(t, e.kind))
    })
}

#[cfg(test)]
mod tests {
    use super::type_matches;

    #[test]
    fn type_filter_takes_exact_types_and_prefix_wildcards() {
        assert!(type_matches("payout.paid", "payout.paid"));
        assert!(type_matches("payout.*", "payout.paid"));
        assert!(!type_matches("payout.*", "payment_intent.created"));
        assert!(!type_matches("pay.*", "payout.paid"));
    }
}
