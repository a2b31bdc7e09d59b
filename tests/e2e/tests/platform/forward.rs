//! Forward compatibility (REFERENCE.md §3): when the API adds a field to every object, the
//! typed results keep it, the raw body is the API's, and a raw request reaches any path.

use molam_blocking::params::{CreatePaymentIntent, ListPaymentIntents};
use molam_blocking::resources::{Currency, Resource};
use molam_blocking::{json, Method};
use molam_e2e::molam_mock::MockConfig;
use molam_e2e::Harness;

fn with_risk_field() -> Harness {
    Harness::start_configured(MockConfig {
        extra_object_fields: [("risk".to_owned(), json!({"score": 3, "level": "normal"}))].into(),
        ..MockConfig::default()
    })
}

#[test]
fn a_field_the_sdk_does_not_know_is_kept_on_every_typed_object() {
    let harness = with_risk_field();
    let client =
        molam_blocking::Client::new(harness.config().build().expect("config")).expect("client");
    let created = client
        .payment_intents()
        .create(&CreatePaymentIntent::new(2500, Currency::XOF))
        .expect("create");
    assert_eq!(created.extra()["risk"]["score"], 3);
    let raw: serde_json::Value = serde_json::from_slice(created.raw_body()).expect("JSON");
    assert_eq!(raw["risk"]["level"], "normal");
    assert_eq!(raw["id"], created.id.as_str());
    let page = client
        .payment_intents()
        .list(&ListPaymentIntents::new())
        .expect("list");
    assert_eq!(page.data[0].extra()["risk"]["score"], 3);
    let events = client.events().list(&Default::default()).expect("events");
    assert_eq!(events.data[0].extra()["risk"]["score"], 3);
}

#[tokio::test]
async fn the_async_client_keeps_unknown_fields_and_the_raw_body_too() {
    let harness = with_risk_field();
    let client =
        molam_tokio::Client::new(harness.config().build().expect("config")).expect("client");
    let created = client
        .payment_intents()
        .create(&CreatePaymentIntent::new(2500, Currency::XOF))
        .await
        .expect("create");
    assert_eq!(created.extra()["risk"]["level"], "normal");
    assert!(std::str::from_utf8(created.raw_body())
        .expect("UTF-8")
        .contains(r#""risk":{"#));
}

#[test]
fn a_raw_request_goes_through_the_same_retries_and_idempotency() {
    let harness = with_risk_field();
    let client =
        molam_blocking::Client::new(harness.config().build().expect("config")).expect("client");
    harness.next_faults(&[molam_e2e::molam_mock::FaultKind::Http503]);
    let options = molam_blocking::RequestOptions::new()
        .idempotency_key("raw-1")
        .expect("key");
    let body = json!({"amount": 1200, "currency": "XOF"});
    let created = client
        .with_options(options)
        .raw(Method::POST, "/v1/connect/payment_intents", Some(&body))
        .expect("a raw create, retried after the 503");
    assert_eq!(created["amount"], 1200);
    assert_eq!(created["risk"]["score"], 3);
    assert_eq!(created.meta().attempts, 2);
    assert_eq!(created.meta().idempotency_key.as_deref(), Some("raw-1"));
    let id = created["id"].as_str().expect("an id").to_owned();
    let fetched = client
        .raw(
            Method::GET,
            &format!("/v1/connect/payment_intents/{id}"),
            None,
        )
        .expect("a raw retrieve");
    assert_eq!(fetched["id"], id.as_str());
    let missing = client
        .raw(Method::GET, "/v1/connect/not_yet_modelled", None)
        .unwrap_err();
    assert_eq!(missing.status(), Some(404));
}

#[tokio::test]
async fn the_async_raw_request_answers_the_apis_json() {
    let harness = with_risk_field();
    let client =
        molam_tokio::Client::new(harness.config().build().expect("config")).expect("client");
    let body = json!({"amount": 800, "currency": "XOF", "payment_method": "pm_card_visa"});
    let created = client
        .raw(Method::POST, "/v1/connect/payment_intents", Some(&body))
        .await
        .expect("raw create");
    let id = created["id"].as_str().expect("an id").to_owned();
    let confirmed = client
        .raw(
            Method::POST,
            &format!("/v1/connect/payment_intents/{id}/confirm"),
            Some(&json!({})),
        )
        .await
        .expect("raw confirm");
    assert_eq!(confirmed["status"], "succeeded");
    assert_eq!(harness.created("payment_intent"), 1);
}
