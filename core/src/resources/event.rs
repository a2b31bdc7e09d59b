//! The Event object (`evt_…`): what webhooks deliver and `/v1/events` lists.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::account::AccountId;

use super::{Charge, PaymentIntent, Payout, Refund, Resource};

string_enum! {
    /// What happened.
    pub enum EventType {
        /// `payment_intent.created`
        PaymentIntentCreated = "payment_intent.created",
        /// `payment_intent.succeeded`
        PaymentIntentSucceeded = "payment_intent.succeeded",
        /// `payment_intent.payment_failed`
        PaymentIntentPaymentFailed = "payment_intent.payment_failed",
        /// `payment_intent.canceled`
        PaymentIntentCanceled = "payment_intent.canceled",
        /// `payment_intent.requires_action`
        PaymentIntentRequiresAction = "payment_intent.requires_action",
        /// `charge.refunded`
        ChargeRefunded = "charge.refunded",
        /// `refund.created`
        RefundCreated = "refund.created",
        /// `refund.updated`
        RefundUpdated = "refund.updated",
        /// `payout.created`
        PayoutCreated = "payout.created",
        /// `payout.paid`
        PayoutPaid = "payout.paid",
        /// `payout.failed`
        PayoutFailed = "payout.failed",
        /// `payout.canceled`
        PayoutCanceled = "payout.canceled",
    }
}

/// Something that happened to an object. Receivers dedupe on `id`: events may arrive twice
/// and out of order.
///
/// ```
/// use molam_core::resources::{Event, EventObject, EventType};
/// let body = r#"{"id":"evt_1","object":"event","type":"payment_intent.succeeded",
///   "data":{"object":{"id":"pi_1","object":"payment_intent","amount":2500,"currency":"XOF","status":"succeeded"}}}"#;
/// let event: Event = serde_json::from_str(body)?;
/// assert_eq!(event.event_type, EventType::PaymentIntentSucceeded);
/// let EventObject::PaymentIntent(intent) = &event.data.object else { panic!("typed by its object field") };
/// assert_eq!(intent.amount, 2500);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// `evt_…`
    pub id: String,
    /// `event`
    #[serde(default)]
    pub object: String,
    /// Creation time, unix seconds.
    #[serde(default)]
    pub created: i64,
    /// True in live mode.
    #[serde(default)]
    pub livemode: bool,
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// The API version the object was rendered with.
    pub api_version: Option<String>,
    /// The object as it was when the event happened; [`EventObject::Unknown`] holding
    /// `null` when the body has no `data` (an envelope with an `id` and a `type` is still
    /// an event a receiver can record).
    #[serde(default)]
    pub data: EventData,
    /// The API request that caused the event; `None` for automatic events.
    pub request: Option<EventRequest>,
    /// The connected account this object belongs to (REFERENCE.md §6); `None` for the
    /// platform's own objects (and for an id that is not a well-formed `acct_…`).
    #[serde(
        default,
        deserialize_with = "super::lenient_account",
        skip_serializing_if = "Option::is_none"
    )]
    pub account: Option<AccountId>,
    /// The fields this SDK does not know (yet), as the API sent them: the API grows, and
    /// nothing it sends is lost (REFERENCE.md §3). Serialized back in place.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Resource for Event {
    const OBJECT: &'static str = "event";

    fn id(&self) -> &str {
        &self.id
    }

    fn account(&self) -> Option<&AccountId> {
        self.account.as_ref()
    }

    fn extra(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.extra
    }
}

/// An event's `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventData {
    /// The object as it was.
    pub object: EventObject,
    /// For `*.updated` events, the fields that changed and their old values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_attributes: Option<Value>,
}

impl Default for EventData {
    fn default() -> Self {
        EventData {
            object: EventObject::Unknown(Value::Null),
            previous_attributes: None,
        }
    }
}

/// An event's object, typed by its own `object` field (`payment_intent`, `charge`,
/// `refund`, `payout`) rather than by the event type, so new event types about known objects
/// are typed too.
///
/// Objects of other kinds, and known kinds this SDK cannot decode, are kept whole as
/// [`EventObject::Unknown`]: an event is never lost because one of its fields is unexpected.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum EventObject {
    /// `"object": "payment_intent"`
    PaymentIntent(Box<PaymentIntent>),
    /// `"object": "charge"`, as `charge.refunded` carries it.
    Charge(Box<Charge>),
    /// `"object": "refund"`
    Refund(Box<Refund>),
    /// `"object": "payout"`
    Payout(Box<Payout>),
    /// Anything else, as received.
    Unknown(Value),
}

impl EventObject {
    /// Types a JSON object by its `object` field; see [`EventObject`].
    pub fn from_value(value: Value) -> Self {
        fn typed<T: for<'de> Deserialize<'de>>(value: &Value) -> Option<Box<T>> {
            T::deserialize(value).ok().map(Box::new)
        }
        let object = value.get("object").and_then(Value::as_str);
        let decoded = match object {
            Some(PaymentIntent::OBJECT) => typed(&value).map(EventObject::PaymentIntent),
            Some(Charge::OBJECT) => typed(&value).map(EventObject::Charge),
            Some(Refund::OBJECT) => typed(&value).map(EventObject::Refund),
            Some(Payout::OBJECT) => typed(&value).map(EventObject::Payout),
            _ => None,
        };
        decoded.unwrap_or(EventObject::Unknown(value))
    }

    /// The object's id, if it has one.
    pub fn id(&self) -> Option<&str> {
        match self {
            EventObject::PaymentIntent(o) => Some(&o.id),
            EventObject::Charge(o) => Some(&o.id),
            EventObject::Refund(o) => Some(&o.id),
            EventObject::Payout(o) => Some(&o.id),
            EventObject::Unknown(v) => v.get("id").and_then(Value::as_str),
        }
    }
}

impl<'de> Deserialize<'de> for EventObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(EventObject::from_value)
    }
}

/// The API request behind an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventRequest {
    /// The request's `X-Request-Id` (`req_…`).
    pub id: Option<String>,
    /// The request's `Idempotency-Key`, if it had one.
    pub idempotency_key: Option<String>,
}
