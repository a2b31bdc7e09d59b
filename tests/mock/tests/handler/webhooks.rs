use std::time::Duration;

use molam_core::webhook::{verify, SignatureError, WebhookSecret, DEFAULT_TOLERANCE};
use molam_mock::{DeliveryResult, DeliveryRetry, MockConfig, MockTime};
use serde_json::{json, Value};

use crate::support::{Api, T0};

const HOOK: &str = "http://127.0.0.1:9/hooks";

fn with_endpoint() -> Api {
    Api::with(MockConfig {
        seed: 1,
        webhook_secret: "whsec_test_rotating".into(),
        webhook_kid: Some("k2025".into()),
        webhook_urls: vec![HOOK.into()],
        webhook_retry: DeliveryRetry {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
        },
        ..MockConfig::default()
    })
}

#[test]
fn deliveries_are_signed_so_that_molam_core_verifies_them() {
    let mut api = with_endpoint();
    let pi = api.create_intent(json!({"amount": 2500, "currency": "XOF"}));
    let deliveries = api.mock.poll_deliveries(api.now);
    assert_eq!(deliveries.len(), 1);
    let d = &deliveries[0];
    assert_eq!(
        (
            d.attempt,
            d.request.method().as_str(),
            d.request.uri().to_string()
        ),
        (1, "POST", HOOK.to_owned())
    );
    let header = d.request.headers()["molam-signature"].to_str().unwrap();
    assert!(
        header.starts_with(&format!("t={T0},kid=k2025,v1=")),
        "{header}"
    );
    let secrets = [WebhookSecret::new("whsec_test_rotating").with_kid("k2025")];
    assert_eq!(
        verify(header, d.request.body(), T0, &secrets, DEFAULT_TOLERANCE),
        Ok(())
    );
    let wrong = [WebhookSecret::new("whsec_other").with_kid("k2025")];
    assert_eq!(
        verify(header, d.request.body(), T0, &wrong, DEFAULT_TOLERANCE),
        Err(SignatureError::SignatureMismatch)
    );
    let event: Value = serde_json::from_slice(d.request.body()).unwrap();
    assert_eq!(event["type"], "payment_intent.created");
    assert_eq!(event["data"]["object"]["id"], pi.as_str());
    assert_eq!(event["id"].as_str(), Some(d.event_id.as_str()));
    assert_eq!(d.request.headers()["content-type"], "application/json");
}

#[test]
fn without_kid_the_header_has_only_t_and_v1() {
    let mut api = Api::with(MockConfig {
        webhook_kid: None,
        webhook_urls: vec![HOOK.into()],
        ..MockConfig::default()
    });
    api.create_intent(json!({"amount": 1, "currency": "XOF"}));
    let d = api.mock.poll_deliveries(api.now).remove(0);
    let header = d.request.headers()["molam-signature"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        header.split(',').map(|p| &p[..2]).collect::<Vec<_>>(),
        ["t=", "v1"]
    );
    let secrets = [WebhookSecret::new("whsec_mock_secret")];
    assert_eq!(
        verify(&header, d.request.body(), T0, &secrets, DEFAULT_TOLERANCE),
        Ok(())
    );
}

#[test]
fn failed_deliveries_are_retried_with_backoff_then_abandoned() {
    let mut api = with_endpoint();
    api.create_intent(json!({"amount": 1, "currency": "XOF"}));
    let d = api.mock.poll_deliveries(api.now).remove(0);
    api.mock
        .handle_delivery_result(d.id, DeliveryResult::Status(500), api.now);
    assert!(
        api.mock.poll_deliveries(api.now).is_empty(),
        "not before the backoff"
    );
    assert_eq!(
        api.mock.poll_timeout(),
        Some(MockTime::from_unix_seconds(T0 + 2))
    );
    api.later(2);
    let d2 = api.mock.poll_deliveries(api.now).remove(0);
    assert_eq!((d2.id, d2.attempt), (d.id, 2));
    // Re-signed at the time of the attempt.
    assert!(d2.request.headers()["molam-signature"]
        .to_str()
        .unwrap()
        .starts_with(&format!("t={}", T0 + 2)));
    api.mock.handle_delivery_result(
        d2.id,
        DeliveryResult::Failed("connection refused".into()),
        api.now,
    );
    api.later(3);
    assert!(
        api.mock.poll_deliveries(api.now).is_empty(),
        "second backoff is 4 s"
    );
    api.later(1);
    let d3 = api.mock.poll_deliveries(api.now).remove(0);
    assert_eq!(d3.attempt, 3);
    api.mock
        .handle_delivery_result(d3.id, DeliveryResult::Status(404), api.now);
    api.later(3600);
    assert!(api.mock.poll_deliveries(api.now).is_empty());
    let stats = api.mock.stats();
    assert_eq!(
        stats["webhooks"],
        json!({"attempts": 3, "succeeded": 0, "failed": 3, "abandoned": 1})
    );
    let log = api.control("GET", "/__mock/webhooks", json!(null));
    assert_eq!(log.json["attempts"].as_array().unwrap().len(), 3);
    assert_eq!(log.json["attempts"][2]["status"], 404);
}

#[test]
fn a_2xx_ends_the_delivery() {
    let mut api = with_endpoint();
    api.create_intent(json!({"amount": 1, "currency": "XOF"}));
    let d = api.mock.poll_deliveries(api.now).remove(0);
    api.mock
        .handle_delivery_result(d.id, DeliveryResult::Status(204), api.now);
    api.later(3600);
    assert!(api.mock.poll_deliveries(api.now).is_empty());
    assert_eq!(api.mock.stats()["webhooks"]["succeeded"], 1);
}

#[test]
fn endpoints_registered_at_run_time_get_later_events() {
    let mut api = Api::new();
    api.create_intent(json!({"amount": 1, "currency": "XOF"}));
    assert!(api.mock.poll_deliveries(api.now).is_empty());
    let r = api.control(
        "POST",
        "/__mock/webhooks",
        json!({"url": "http://127.0.0.1:4242/hooks"}),
    );
    assert_eq!(r.json["endpoints"], json!(["http://127.0.0.1:4242/hooks"]));
    api.post(
        "/v1/treasury/payouts",
        json!({"amount": 1, "currency": "XOF", "method": "mobile_money", "destination": "+221"}),
    );
    let ds = api.mock.poll_deliveries(api.now);
    assert_eq!(ds.len(), 1);
    let bad = api.control("POST", "/__mock/webhooks", json!({"url": "ftp://x"}));
    assert_eq!((bad.status, bad.param()), (400, "url"));
}

#[test]
fn time_driven_changes_are_delivered_when_polled() {
    let mut api = with_endpoint();
    api.post(
        "/v1/treasury/payouts",
        json!({"amount": 1, "currency": "XOF", "method": "mobile_money", "destination": "+221"}),
    );
    for d in api.mock.poll_deliveries(api.now) {
        api.mock
            .handle_delivery_result(d.id, DeliveryResult::Status(200), api.now);
    }
    api.later(30);
    let ds = api.mock.poll_deliveries(api.now);
    let types: Vec<String> = ds
        .iter()
        .map(|d| {
            serde_json::from_slice::<Value>(d.request.body()).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(types, ["payout.paid"]);
}
