//! The dashboard's data (`/__mock/dashboard/state`), its page and the resend control.

use std::time::Duration;

use molam_mock::{DeliveryAnswer, DeliveryResult, MockConfig};
use serde_json::{json, Value};

use crate::support::{Api, KEY};

fn with_endpoint() -> Api {
    Api::with(MockConfig {
        webhook_urls: vec!["http://127.0.0.1:9/hooks".into()],
        ..MockConfig::default()
    })
}

fn state(api: &Api) -> Value {
    let r = api.control("GET", "/__mock/dashboard/state", json!(null));
    assert_eq!(r.status, 200);
    r.json
}

#[test]
fn the_page_is_html_served_by_the_mock_with_nothing_loaded_from_elsewhere() {
    let api = Api::new();
    let r = api.send(
        api.request("GET", "/__mock/dashboard")
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(r
        .header("content-security-policy")
        .unwrap()
        .starts_with("default-src 'none'"));
    let page = String::from_utf8(r.raw).unwrap();
    assert!(page.contains("/__mock/dashboard/state"));
    assert!(!page.contains("src=\"http"), "no external script or image");
}

#[test]
fn the_request_log_shows_keys_replays_and_injected_faults() {
    let api = Api::new();
    let body = json!({"amount": 2500, "currency": "XOF"});
    let first = api.post_keyed(
        "/v1/connect/payment_intents",
        body.clone(),
        "order-7:create",
    );
    let again = api.post_keyed("/v1/connect/payment_intents", body, "order-7:create");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    api.control("POST", "/__mock/faults", json!({"next": ["http_503"]}));
    let faulted = api.mock.handle_with_faults(
        api.request("GET", "/v1/connect/payment_intents")
            .body(Vec::new())
            .unwrap(),
        api.now,
    );
    assert!(faulted.response().is_some());
    let requests = state(&api)["requests"].clone();
    // Newest first; control calls are not logged.
    assert_eq!(requests.as_array().unwrap().len(), 3);
    assert_eq!(requests[0]["status"], 503);
    assert_eq!(requests[0]["fault"], "http_503");
    assert_eq!(requests[1]["replayed"], true);
    assert_eq!(
        requests[1]["request_id"],
        first.header("x-request-id").unwrap()
    );
    assert_eq!(requests[2]["idempotency_key"], "order-7:create");
    assert_eq!(requests[2]["method"], "POST");
    assert_eq!(requests[2]["path"], "/v1/connect/payment_intents");
    assert_eq!(requests[2]["replayed"], false);
}

#[test]
fn objects_and_events_show_their_current_state_and_no_secret() {
    let mut api = Api::new();
    let (pi, charge) = api.paid_intent(2500, "pm_card_visa");
    let s = state(&api);
    let shown = &s["objects"]["payment_intent"][0];
    assert_eq!(
        (shown["id"].as_str(), shown["status"].as_str()),
        (Some(pi.as_str()), Some("succeeded"))
    );
    assert_eq!(s["objects"]["charge"][0]["id"], charge.as_str());
    assert_eq!(s["events"][0]["type"], "payment_intent.succeeded");
    assert_eq!(s["events"][0]["object_id"], pi.as_str());
    let text = s.to_string();
    assert!(!text.contains("client_secret"), "{text}");
    assert!(!text.contains(KEY), "the API key is masked: {text}");
    assert!(!text.contains("whsec_"), "no webhook secret: {text}");
    assert_eq!(shown["scope"], "sk_test_****");
}

#[test]
fn a_delivery_shows_each_attempt_and_resend_adds_one() {
    let mut api = with_endpoint();
    let pi = api.create_intent(json!({"amount": 2500, "currency": "XOF"}));
    let d = api.mock.poll_deliveries(api.now).remove(0);
    api.mock.handle_delivery_report(
        d.id,
        DeliveryResult::Status(200),
        DeliveryAnswer {
            latency: Some(Duration::from_millis(12)),
            body: Some("received".into()),
        },
        api.now,
    );
    let delivery = state(&api)["deliveries"][0].clone();
    assert_eq!(delivery["event_type"], "payment_intent.created");
    assert_eq!(delivery["state"], "succeeded");
    assert_eq!(
        delivery["attempts"],
        json!([{"attempt": 1, "sent_at_ms": api.now.unix_ms(), "status": 200, "error": null,
                "latency_ms": 12, "answer": "received"}])
    );
    assert!(state(&api)["events"][0]["object_id"] == pi.as_str());

    let id = delivery["id"].as_u64().unwrap();
    let resent = api.control(
        "POST",
        &format!("/__mock/deliveries/{id}/resend"),
        json!(null),
    );
    assert_eq!(
        (resent.status, resent.json["resent"].as_u64()),
        (200, Some(id))
    );
    let again = api.mock.poll_deliveries(api.now);
    assert_eq!((again.len(), again[0].attempt), (1, 2));
    assert_eq!(state(&api)["deliveries"][0]["state"], "in_flight");
    let busy = api.control(
        "POST",
        &format!("/__mock/deliveries/{id}/resend"),
        json!(null),
    );
    assert_eq!(busy.status, 409);
    api.mock
        .handle_delivery_result(again[0].id, DeliveryResult::Status(500), api.now);
    let attempts = state(&api)["deliveries"][0]["attempts"].clone();
    assert_eq!(attempts.as_array().unwrap().len(), 2);
    assert_eq!(attempts[1]["status"], 500);
}

#[test]
fn resending_an_unknown_delivery_is_404() {
    let api = Api::new();
    let r = api.control("POST", "/__mock/deliveries/999/resend", json!(null));
    assert_eq!((r.status, r.error().1), (404, "resource_missing"));
}
