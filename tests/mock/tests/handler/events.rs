use molam_core::resources::{Event, EventObject, EventType, List};
use serde_json::json;

use crate::support::Api;

#[test]
fn a_checkout_records_events_in_order_with_their_request() {
    let mut api = Api::new();
    let (pi, ch) = api.paid_intent(2500, "pm_card_visa");
    api.post(
        &format!("/v1/connect/charges/{ch}/refund"),
        json!({"amount": 500}),
    );
    assert_eq!(
        api.event_types(),
        [
            "payment_intent.created",
            "payment_intent.succeeded",
            "refund.created",
            "charge.refunded"
        ]
    );
    let list: List<Event> = api.get("/v1/events").typed();
    let succeeded = &list.data[2];
    assert_eq!(succeeded.event_type, EventType::PaymentIntentSucceeded);
    assert_eq!(succeeded.api_version.as_deref(), Some("2025-01-16"));
    let request = succeeded.request.as_ref().unwrap();
    assert!(request.id.as_deref().unwrap().starts_with("req_"));
    assert_eq!(request.idempotency_key.as_deref(), Some("test-key-2"));
    match &succeeded.data.object {
        EventObject::PaymentIntent(p) => {
            assert_eq!((p.id.as_str(), p.amount_received), (pi.as_str(), 2500))
        }
        other => panic!("expected a payment intent, got {other:?}"),
    }
    assert_eq!(list.data[0].data.object.id(), Some(ch.as_str()));
}

#[test]
fn events_hold_the_object_as_it_was() {
    let mut api = Api::new();
    api.paid_intent(2500, "pm_card_visa");
    let r = api.get("/v1/events?type=payment_intent.created");
    assert_eq!(
        r.json["data"][0]["data"]["object"]["status"],
        "requires_confirmation"
    );
}

#[test]
fn declines_cancels_and_actions_have_their_events() {
    let mut api = Api::new();
    let a = api.create_intent(json!({"amount": 1, "currency": "XOF"}));
    api.post(
        &format!("/v1/connect/payment_intents/{a}/confirm"),
        json!({"payment_method": "pm_card_declined"}),
    );
    api.post(
        &format!("/v1/connect/payment_intents/{a}/confirm"),
        json!({"payment_method": "pm_card_3ds"}),
    );
    api.post(
        &format!("/v1/connect/payment_intents/{a}/cancel"),
        json!({"cancellation_reason": "abandoned"}),
    );
    assert_eq!(
        api.event_types(),
        [
            "payment_intent.created",
            "payment_intent.payment_failed",
            "payment_intent.requires_action",
            "payment_intent.canceled"
        ]
    );
}

#[test]
fn time_driven_events_have_no_request() {
    let mut api = Api::new();
    api.post(
        "/v1/treasury/payouts",
        json!({"amount": 1, "currency": "XOF", "method": "mobile_money", "destination": "+221"}),
    );
    api.later(30);
    let r = api.get("/v1/events?type=payout.paid");
    assert_eq!(r.json["data"][0]["request"], json!(null));
    assert_eq!(r.json["data"][0]["created"], crate::support::T0 + 30);
}

#[test]
fn events_can_be_retrieved_and_filtered_by_type_prefix() {
    let mut api = Api::new();
    api.paid_intent(2500, "pm_card_visa");
    api.post(
        "/v1/treasury/payouts",
        json!({"amount": 1, "currency": "XOF", "method": "mobile_money", "destination": "+221"}),
    );
    let payouts = api.get("/v1/events?type=payout.*");
    assert_eq!(payouts.json["data"].as_array().unwrap().len(), 1);
    let id = payouts.json["data"][0]["id"].as_str().unwrap();
    assert!(id.starts_with("evt_"));
    let one = api.get(&format!("/v1/events/{id}"));
    assert_eq!(one.json, payouts.json["data"][0]);
    let bad = api.get("/v1/events?type=teapot.brewed");
    assert_eq!((bad.status, bad.param()), (400, "type"));
}
