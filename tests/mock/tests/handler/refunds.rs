use molam_core::resources::{Refund, RefundStatus};
use serde_json::json;

use crate::support::Api;

#[test]
fn refund_without_amount_takes_what_is_left() {
    let mut api = Api::new();
    let (pi, ch) = api.paid_intent(2500, "pm_card_visa");
    let first = api.post(
        &format!("/v1/connect/charges/{ch}/refund"),
        json!({"amount": 1000, "reason": "requested_by_customer", "metadata": {"ticket": "7"}}),
    );
    assert_eq!(first.status, 200, "{:?}", first.json);
    let refund: Refund = first.typed();
    assert!(refund.id.starts_with("re_"));
    assert_eq!(refund.amount, 1000);
    assert_eq!(refund.status, RefundStatus::Succeeded);
    assert_eq!(first.json["charge"], ch.as_str());
    assert_eq!(first.json["payment_intent"], pi.as_str());
    assert_eq!(first.json["reason"], "requested_by_customer");
    assert_eq!(first.json["currency"], "XOF");
    let rest = api.post(&format!("/v1/connect/charges/{ch}/refund"), json!({}));
    assert_eq!(rest.json["amount"], 1500);
    let intent = api.get(&format!("/v1/connect/payment_intents/{pi}"));
    assert_eq!(intent.json["amount_refunded"], 2500);
}

#[test]
fn refund_larger_than_what_is_left_is_rejected() {
    let mut api = Api::new();
    let (_, ch) = api.paid_intent(2500, "pm_card_visa");
    api.post(
        &format!("/v1/connect/charges/{ch}/refund"),
        json!({"amount": 2000}),
    );
    let r = api.post(
        &format!("/v1/connect/charges/{ch}/refund"),
        json!({"amount": 501}),
    );
    assert_eq!(
        (r.status, r.error()),
        (400, ("invalid_request_error", "amount_too_large"))
    );
    assert_eq!(r.param(), "amount");
}

#[test]
fn a_fully_refunded_charge_cannot_be_refunded_again() {
    let mut api = Api::new();
    let (_, ch) = api.paid_intent(2500, "pm_card_visa");
    api.post(&format!("/v1/connect/charges/{ch}/refund"), json!({}));
    let r = api.post(&format!("/v1/connect/charges/{ch}/refund"), json!({}));
    assert_eq!((r.status, r.error().1), (400, "charge_already_refunded"));
}

#[test]
fn an_intent_id_in_the_path_stands_for_its_latest_charge() {
    let mut api = Api::new();
    let (pi, ch) = api.paid_intent(2500, "pm_card_visa");
    let r = api.post(
        &format!("/v1/connect/charges/{pi}/refund"),
        json!({"amount": 100}),
    );
    assert_eq!(r.json["charge"], ch.as_str());
}

#[test]
fn unknown_charge_is_404() {
    let mut api = Api::new();
    let r = api.post("/v1/connect/charges/ch_nope/refund", json!({}));
    assert_eq!(
        (r.status, r.error()),
        (404, ("invalid_request_error", "resource_missing"))
    );
}

#[test]
fn a_processing_intent_cannot_be_refunded_yet() {
    let mut api = Api::new();
    let pi = api.create_intent(
        json!({"amount": 100, "currency": "XOF", "payment_method": "pm_momo_pending"}),
    );
    let confirmed = api.post(
        &format!("/v1/connect/payment_intents/{pi}/confirm"),
        json!({}),
    );
    let ch = confirmed.json["latest_charge"].as_str().unwrap().to_owned();
    let r = api.post(&format!("/v1/connect/charges/{ch}/refund"), json!({}));
    assert_eq!(
        (r.status, r.error().1),
        (400, "payment_intent_unexpected_state")
    );
}

#[test]
fn mobile_money_refunds_are_pending_then_succeed() {
    let mut api = Api::new();
    let (_, ch) = api.paid_intent(2500, "pm_momo_success");
    let r = api.post(&format!("/v1/connect/charges/{ch}/refund"), json!({}));
    assert_eq!(r.json["status"], "pending");
    api.later(10);
    let got = api.get(&format!("/v1/connect/refunds/{}", r.id()));
    assert_eq!(got.json["status"], "succeeded");
    let types = api.event_types();
    assert_eq!(types.last().map(String::as_str), Some("refund.updated"));
}

#[test]
fn invalid_reason_is_400_naming_reason() {
    let mut api = Api::new();
    let (_, ch) = api.paid_intent(2500, "pm_card_visa");
    let r = api.post(
        &format!("/v1/connect/charges/{ch}/refund"),
        json!({"reason": "bored"}),
    );
    assert_eq!(
        (r.status, r.error().1, r.param()),
        (400, "parameter_invalid", "reason")
    );
}

#[test]
fn list_filters_by_payment_intent() {
    let mut api = Api::new();
    let (pi1, ch1) = api.paid_intent(2500, "pm_card_visa");
    let (_, ch2) = api.paid_intent(2500, "pm_card_visa");
    api.post(
        &format!("/v1/connect/charges/{ch1}/refund"),
        json!({"amount": 1}),
    );
    api.post(
        &format!("/v1/connect/charges/{ch2}/refund"),
        json!({"amount": 2}),
    );
    let all = api.get("/v1/connect/refunds");
    assert_eq!(all.json["data"].as_array().unwrap().len(), 2);
    let one = api.get(&format!("/v1/connect/refunds?payment_intent={pi1}"));
    assert_eq!(one.json["data"].as_array().unwrap().len(), 1);
    assert_eq!(one.json["data"][0]["amount"], 1);
    assert_eq!(one.json["url"], "/v1/connect/refunds");
}
