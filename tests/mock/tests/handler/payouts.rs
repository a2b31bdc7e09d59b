use molam_core::resources::{Payout, PayoutMethod, PayoutStatus};
use serde_json::json;

use crate::support::{Api, T0};

fn payout(api: &mut Api, method: &str, destination: &str) -> serde_json::Value {
    let r = api.post("/v1/treasury/payouts", json!({"amount": 10000, "currency": "XOF", "method": method, "destination": destination, "description": "weekly"}));
    assert_eq!(r.status, 200, "{:?}", r.json);
    r.json
}

#[test]
fn created_payouts_are_pending_with_an_arrival_date() {
    let mut api = Api::new();
    let json = payout(&mut api, "bank_transfer", "SN08 SN01 0000");
    let po: Payout = serde_json::from_value(json.clone()).unwrap();
    assert!(po.id.starts_with("po_"));
    assert_eq!(po.status, PayoutStatus::Pending);
    assert_eq!(po.method, PayoutMethod::BankTransfer);
    assert_eq!(json["arrival_date"], T0 + 86_400);
    assert_eq!(json["failure_code"], json!(null));
    assert_eq!(json["destination"], "SN08 SN01 0000");
}

#[test]
fn mobile_money_payouts_go_in_transit_then_paid() {
    let mut api = Api::new();
    let id = payout(&mut api, "mobile_money", "+221770000000")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.later(5);
    assert_eq!(
        api.get(&format!("/v1/treasury/payouts/{id}")).json["status"],
        "in_transit"
    );
    api.later(25);
    assert_eq!(
        api.get(&format!("/v1/treasury/payouts/{id}")).json["status"],
        "paid"
    );
    assert_eq!(api.event_types(), ["payout.created", "payout.paid"]);
}

#[test]
fn failing_destinations_fail_with_a_code() {
    let mut api = Api::new();
    let id = payout(&mut api, "bank_transfer", "fail_closed_account")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.control("POST", "/__mock/advance", json!({}));
    let r = api.get(&format!("/v1/treasury/payouts/{id}"));
    assert_eq!(r.json["status"], "failed");
    assert_eq!(r.json["failure_code"], "account_closed");
    assert_eq!(api.event_types(), ["payout.created", "payout.failed"]);
}

#[test]
fn advance_by_seconds_moves_only_what_is_due() {
    let mut api = Api::new();
    let id = payout(&mut api, "bank_transfer", "acct_1")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = api.control("POST", "/__mock/advance", json!({"seconds": 60}));
    assert_eq!(r.json["offset_seconds"], 60);
    assert_eq!(
        api.get(&format!("/v1/treasury/payouts/{id}")).json["status"],
        "in_transit"
    );
}

#[test]
fn pending_payouts_can_be_canceled() {
    let mut api = Api::new();
    let id = payout(&mut api, "bank_transfer", "acct_1")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = api.post(&format!("/v1/treasury/payouts/{id}/cancel"), json!({}));
    assert_eq!(
        (r.status, r.json["status"].as_str()),
        (200, Some("canceled"))
    );
    api.control("POST", "/__mock/advance", json!({}));
    assert_eq!(
        api.get(&format!("/v1/treasury/payouts/{id}")).json["status"],
        "canceled"
    );
}

#[test]
fn payouts_in_transit_cannot_be_canceled() {
    let mut api = Api::new();
    let id = payout(&mut api, "mobile_money", "+221770000000")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.later(5);
    let r = api.post(&format!("/v1/treasury/payouts/{id}/cancel"), json!({}));
    assert_eq!(
        (r.status, r.error()),
        (400, ("invalid_request_error", "payout_unexpected_state"))
    );
}

#[test]
fn missing_fields_are_named() {
    let mut api = Api::new();
    for (body, param) in [
        (
            json!({"currency": "XOF", "method": "mobile_money", "destination": "x"}),
            "amount",
        ),
        (
            json!({"amount": 1, "method": "mobile_money", "destination": "x"}),
            "currency",
        ),
        (
            json!({"amount": 1, "currency": "XOF", "destination": "x"}),
            "method",
        ),
        (
            json!({"amount": 1, "currency": "XOF", "method": "mobile_money"}),
            "destination",
        ),
    ] {
        let r = api.post("/v1/treasury/payouts", body);
        assert_eq!(
            (r.status, r.error().1, r.param()),
            (400, "parameter_missing", param)
        );
    }
    let r = api.post(
        "/v1/treasury/payouts",
        json!({"amount": 1, "currency": "XOF", "method": "pigeon", "destination": "x"}),
    );
    assert_eq!((r.error().1, r.param()), ("parameter_invalid", "method"));
}

#[test]
fn restricted_keys_may_not_create_payouts() {
    let mut api = Api::new();
    api.as_key("sk_test_restricted_ops");
    let r = api.post(
        "/v1/treasury/payouts",
        json!({"amount": 1, "currency": "XOF", "method": "mobile_money", "destination": "x"}),
    );
    assert_eq!((r.status, r.error().0), (403, "permission_error"));
    assert_eq!(api.get("/v1/treasury/payouts").status, 200);
}

#[test]
fn list_filters_by_status() {
    let mut api = Api::new();
    let a = payout(&mut api, "bank_transfer", "acct_1")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    payout(&mut api, "bank_transfer", "acct_2");
    api.post(&format!("/v1/treasury/payouts/{a}/cancel"), json!({}));
    let r = api.get("/v1/treasury/payouts?status=canceled");
    assert_eq!(r.json["data"].as_array().unwrap().len(), 1);
    assert_eq!(r.json["data"][0]["id"], a.as_str());
    assert_eq!(r.json["url"], "/v1/treasury/payouts");
}
