//! Platforms (REFERENCE.md §6): `Molam-Account` scopes objects, lists, events and idempotency
//! keys to a connected account, and stamps `account` on what that account sees.

use molam_mock::MockConfig;
use serde_json::{json, Value};

use crate::support::Api;

const A: &str = "acct_merchant_a";
const B: &str = "acct_merchant_b";
const PI: &str = "/v1/connect/payment_intents";

fn ids(r: &crate::support::Resp) -> Vec<String> {
    r.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_object_of_account_a_is_invisible_without_the_header_and_to_account_b() {
    let mut api = Api::new();
    api.as_account(Some(A));
    let pi = api.create_intent(json!({"amount": 2500, "currency": "XOF"}));
    let path = format!("{PI}/{pi}");
    assert_eq!(api.get(&path).status, 200);
    assert_eq!(ids(&api.get(PI)), vec![pi.clone()]);

    for other in [None, Some(B)] {
        api.as_account(other);
        let r = api.get(&path);
        assert_eq!(
            (r.status, r.error()),
            (404, ("invalid_request_error", "resource_missing")),
            "{other:?}"
        );
        assert!(ids(&api.get(PI)).is_empty(), "{other:?}");
        let confirm = api.post(
            &format!("{path}/confirm"),
            json!({"payment_method": "pm_card_visa"}),
        );
        assert_eq!(confirm.status, 404, "{other:?}");
        assert!(ids(&api.get("/v1/events")).is_empty(), "{other:?}");
    }
}

#[test]
fn objects_and_events_of_a_connected_account_carry_it_and_the_platforms_do_not() {
    let mut api = Api::new();
    api.as_account(Some(A));
    let (pi, charge) = api.paid_intent(2500, "pm_card_visa");
    let refund = api.post(&format!("/v1/connect/charges/{charge}/refund"), json!({}));
    assert_eq!(refund.json["account"], A);
    assert_eq!(api.get(&format!("{PI}/{pi}")).json["account"], A);
    let events = api.get("/v1/events?limit=100");
    let events = events.json["data"].as_array().unwrap();
    assert!(events.len() >= 3);
    for event in events {
        assert_eq!(event["account"], A, "{event}");
        assert_eq!(event["data"]["object"]["account"], A, "{event}");
    }
    let payout = api.post(
        "/v1/treasury/payouts",
        json!({"amount": 1000, "currency": "XOF", "method": "mobile_money", "destination": "+221770000000"}),
    );
    assert_eq!(payout.json["account"], A);

    api.as_account(None);
    let own = api.post(PI, json!({"amount": 100, "currency": "XOF"}));
    assert_eq!(own.json.get("account"), None);
    let list = api.get(PI);
    assert_eq!(list.json.get("account"), None);
    assert_eq!(list.json["data"][0].get("account"), None);
}

#[test]
fn the_same_idempotency_key_under_two_accounts_creates_two_objects() {
    let mut api = Api::new();
    let body = json!({"amount": 2500, "currency": "XOF"});
    api.as_account(Some(A));
    let a = api.post_keyed(PI, body.clone(), "order-1:create");
    api.as_account(Some(B));
    let b = api.post_keyed(PI, body.clone(), "order-1:create");
    api.as_account(None);
    let own = api.post_keyed(PI, body.clone(), "order-1:create");
    assert_eq!((a.status, b.status, own.status), (200, 200, 200));
    assert_eq!(b.header("idempotent-replayed"), None);
    assert_eq!(own.header("idempotent-replayed"), None);
    assert_ne!(a.id(), b.id());
    assert_ne!(a.id(), own.id());
    api.as_account(Some(A));
    let again = api.post_keyed(PI, body, "order-1:create");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.raw, a.raw);
}

#[test]
fn the_same_account_under_two_api_keys_is_two_scopes() {
    let mut api = Api::new();
    api.as_account(Some(A));
    let pi = api.create_intent(json!({"amount": 2500, "currency": "XOF"}));
    api.as_key("sk_test_other_platform");
    assert_eq!(api.get(&format!("{PI}/{pi}")).status, 404);
}

#[test]
fn a_malformed_account_header_is_refused_before_anything_runs() {
    let mut api = Api::new();
    for bad in ["acct_", "acct_a-b", "merchant_1"] {
        api.as_account(Some(bad));
        let r = api.post(PI, json!({"amount": 2500, "currency": "XOF"}));
        assert_eq!(
            (r.status, r.error(), r.param()),
            (
                400,
                ("invalid_request_error", "parameter_invalid"),
                "Molam-Account"
            ),
            "{bad}"
        );
    }
    assert_eq!(
        api.mock.stats()["objects_created"]["payment_intent"],
        Value::Null
    );
}

#[test]
fn webhook_deliveries_of_a_connected_accounts_events_carry_it() {
    let mut api = Api::with(MockConfig {
        seed: 1,
        webhook_urls: vec!["http://127.0.0.1:9/hooks".into()],
        ..MockConfig::default()
    });
    api.as_account(Some(A));
    let pi = api.create_intent(json!({"amount": 2500, "currency": "XOF"}));
    let deliveries = api.mock.poll_deliveries(api.now);
    assert_eq!(deliveries.len(), 1);
    let event: Value = serde_json::from_slice(deliveries[0].request.body()).unwrap();
    assert_eq!(
        (
            event["account"].as_str(),
            event["data"]["object"]["id"].as_str()
        ),
        (Some(A), Some(pi.as_str()))
    );
    assert_eq!(event["data"]["object"]["account"], A);
}

#[test]
fn configured_extra_fields_reach_every_object_as_a_later_api_version_would() {
    let mut api = Api::with(MockConfig {
        seed: 1,
        extra_object_fields: [("risk".to_owned(), json!({"score": 3}))].into(),
        ..MockConfig::default()
    });
    let pi = api.create_intent(json!({"amount": 2500, "currency": "XOF"}));
    assert_eq!(
        api.get(&format!("{PI}/{pi}")).json["risk"],
        json!({"score": 3})
    );
    let list = api.get(PI);
    assert_eq!(list.json.get("risk"), None);
    assert_eq!(list.json["data"][0]["risk"], json!({"score": 3}));
    let event = &api.get("/v1/events").json["data"][0];
    assert_eq!(
        (&event["risk"], &event["data"]["object"]["risk"]),
        (&json!({"score": 3}), &json!({"score": 3}))
    );
    let error = api.get(&format!("{PI}/pi_missing"));
    assert_eq!(error.json.get("risk"), None);
}
