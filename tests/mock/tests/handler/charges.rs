//! `GET /v1/connect/charges/{id}` and the Charge object (REFERENCE.md §3, §4).

use molam_core::resources::{Charge, ChargeStatus, Event, EventObject, List};
use serde_json::json;

use crate::support::Api;

#[test]
fn a_paid_intents_latest_charge_is_retrievable_and_decodes_into_the_sdks_charge() {
    let mut api = Api::new();
    let (pi, ch) = api.paid_intent(2500, "pm_card_visa");
    let r = api.get(&format!("/v1/connect/charges/{ch}"));
    assert_eq!(r.status, 200, "{:?}", r.json);
    let charge: Charge = r.typed();
    assert_eq!(charge.id, ch);
    assert_eq!(charge.object, "charge");
    assert_eq!(
        (charge.amount, charge.amount_refunded, charge.refunded),
        (2500, 0, false)
    );
    assert_eq!(charge.payment_intent.as_deref(), Some(pi.as_str()));
    assert_eq!(charge.payment_method.as_deref(), Some("pm_card_visa"));
    assert_eq!(charge.status, ChargeStatus::Succeeded);
}

#[test]
fn an_unknown_charge_is_404_resource_missing() {
    let api = Api::new();
    let r = api.get("/v1/connect/charges/ch_nope");
    assert_eq!(
        (r.status, r.error()),
        (404, ("invalid_request_error", "resource_missing"))
    );
}

#[test]
fn a_full_refund_marks_the_charge_refunded_and_charge_refunded_carries_it() {
    let mut api = Api::new();
    let (_, ch) = api.paid_intent(2500, "pm_card_visa");
    api.post(
        &format!("/v1/connect/charges/{ch}/refund"),
        json!({"amount": 1000}),
    );
    let partly: Charge = api.get(&format!("/v1/connect/charges/{ch}")).typed();
    assert_eq!((partly.amount_refunded, partly.refunded), (1000, false));
    api.post(&format!("/v1/connect/charges/{ch}/refund"), json!({}));
    let fully: Charge = api.get(&format!("/v1/connect/charges/{ch}")).typed();
    assert_eq!((fully.amount_refunded, fully.refunded), (2500, true));

    let events: List<Event> = api.get("/v1/events?type=charge.refunded").typed();
    let carried: Vec<(i64, bool)> = events
        .data
        .iter()
        .map(|e| match &e.data.object {
            EventObject::Charge(c) if c.id == ch => (c.amount_refunded, c.refunded),
            other => panic!("charge.refunded should carry the charge, got {other:?}"),
        })
        .collect();
    assert_eq!(carried, [(2500, true), (1000, false)], "newest first");
}

#[test]
fn canceling_a_processing_intent_fails_its_pending_charge() {
    let mut api = Api::new();
    let id = api.create_intent(
        json!({"amount": 5000, "currency": "XOF", "payment_method": "pm_momo_pending"}),
    );
    let confirmed = api.post(
        &format!("/v1/connect/payment_intents/{id}/confirm"),
        json!({}),
    );
    let ch = confirmed.json["latest_charge"].as_str().unwrap().to_owned();
    let pending: Charge = api.get(&format!("/v1/connect/charges/{ch}")).typed();
    assert_eq!(pending.status, ChargeStatus::Pending);
    api.post(
        &format!("/v1/connect/payment_intents/{id}/cancel"),
        json!({}),
    );
    let failed: Charge = api.get(&format!("/v1/connect/charges/{ch}")).typed();
    assert_eq!(failed.status, ChargeStatus::Failed);
}
