use molam_mock::{FaultConfig, FaultKind, MockConfig, Outcome};
use serde_json::json;

use crate::support::{resp, Api};

fn create(api: &Api, key: &str) -> http::Request<Vec<u8>> {
    api.request("POST", "/v1/connect/payment_intents")
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(br#"{"amount": 2500, "currency": "XOF"}"#.to_vec())
        .unwrap()
}

fn force(api: &Api, kinds: &[&str]) {
    let r = api.control("POST", "/__mock/faults", json!({"next": kinds}));
    assert_eq!(r.status, 200, "{:?}", r.json);
}

fn count(api: &Api) -> usize {
    api.get("/v1/connect/payment_intents").json["data"]
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn drop_before_processing_changes_nothing() {
    let api = Api::new();
    force(&api, &["drop_before_processing"]);
    assert!(matches!(
        api.mock.handle_with_faults(create(&api, "k"), api.now),
        Outcome::DropBeforeProcessing
    ));
    assert_eq!(count(&api), 0);
    let retry = resp(
        api.mock
            .handle_with_faults(create(&api, "k"), api.now)
            .response()
            .expect("a response"),
    );
    assert_eq!(
        (retry.status, retry.header("idempotent-replayed")),
        (200, None)
    );
}

#[test]
fn drop_after_commit_keeps_the_object_and_the_retry_replays_it() {
    let api = Api::new();
    force(&api, &["drop_after_commit"]);
    assert!(matches!(
        api.mock.handle_with_faults(create(&api, "k"), api.now),
        Outcome::DropAfterCommit
    ));
    assert_eq!(count(&api), 1);
    let retry = resp(
        api.mock
            .handle_with_faults(create(&api, "k"), api.now)
            .response()
            .expect("a response"),
    );
    assert_eq!(
        (retry.status, retry.header("idempotent-replayed")),
        (200, Some("true"))
    );
    assert_eq!(count(&api), 1);
}

#[test]
fn server_errors_and_rate_limits_are_not_stored() {
    let api = Api::new();
    force(&api, &["http_500", "http_503", "http_429"]);
    let r500 = resp(
        api.mock
            .handle_with_faults(create(&api, "k"), api.now)
            .response()
            .expect("a response"),
    );
    assert_eq!(
        (r500.status, r500.error().0, r500.header("retry-after")),
        (500, "api_error", None)
    );
    let r503 = resp(
        api.mock
            .handle_with_faults(create(&api, "k"), api.now)
            .response()
            .expect("a response"),
    );
    assert_eq!(
        (r503.status, r503.error().0, r503.header("retry-after")),
        (503, "api_error", Some("1"))
    );
    let r429 = resp(
        api.mock
            .handle_with_faults(create(&api, "k"), api.now)
            .response()
            .expect("a response"),
    );
    assert_eq!(
        (r429.status, r429.error().0, r429.header("retry-after")),
        (429, "rate_limit_error", Some("1"))
    );
    assert!(r429.header("x-request-id").is_some());
    let ok = resp(
        api.mock
            .handle_with_faults(create(&api, "k"), api.now)
            .response()
            .expect("a response"),
    );
    assert_eq!((ok.status, ok.header("idempotent-replayed")), (200, None));
    let stats = api.mock.stats();
    assert_eq!(
        stats["faults"],
        json!({"http_500": 1, "http_503": 1, "http_429": 1})
    );
}

#[test]
fn delay_holds_the_request_for_the_configured_time() {
    let api = Api::new();
    api.control(
        "POST",
        "/__mock/faults",
        json!({"next": ["delay"], "delay_ms": 40}),
    );
    match api.mock.handle_with_faults(create(&api, "k"), api.now) {
        Outcome::Delay { delay, pending } => {
            assert_eq!(delay.as_millis(), 40);
            assert_eq!(count(&api), 0, "nothing happens before the delay");
            assert_eq!(resp(pending.resume(api.now)).status, 200);
        }
        other => panic!("expected a delay, got {other:?}"),
    }
    assert_eq!(count(&api), 1);
}

#[test]
fn control_endpoints_never_get_faults() {
    let api = Api::new();
    api.control(
        "POST",
        "/__mock/faults",
        json!({"rate": 1.0, "mix": {"http_500": 1}}),
    );
    let req = http::Request::get("/__mock/stats")
        .body(Vec::new())
        .unwrap();
    let r = resp(
        api.mock
            .handle_with_faults(req, api.now)
            .response()
            .expect("a response"),
    );
    assert_eq!(r.status, 200);
    let r = resp(
        api.mock
            .handle_with_faults(create(&api, "k"), api.now)
            .response()
            .expect("a response"),
    );
    assert_eq!(r.status, 500);
}

#[test]
fn the_same_seed_draws_the_same_faults() {
    let config = MockConfig {
        seed: 99,
        faults: FaultConfig {
            rate: 0.5,
            ..FaultConfig::off()
        },
        ..MockConfig::default()
    };
    let run = || {
        let api = Api::with(config.clone());
        (0..40)
            .map(|i| {
                match api
                    .mock
                    .handle_with_faults(create(&api, &format!("k{i}")), api.now)
                {
                    Outcome::Respond(r) => r.status().as_u16().to_string(),
                    Outcome::DropBeforeProcessing => "drop_before".into(),
                    Outcome::DropAfterCommit => "drop_after".into(),
                    Outcome::Delay { .. } => "delay".into(),
                }
            })
            .collect::<Vec<_>>()
    };
    let first = run();
    assert_eq!(first, run());
    assert!(first.iter().any(|o| o == "200") && first.iter().any(|o| o != "200"));
}

#[test]
fn fault_settings_are_validated_and_readable() {
    let api = Api::new();
    let bad = api.control("POST", "/__mock/faults", json!({"rate": 2.0}));
    assert_eq!(bad.status, 400);
    let bad = api.control("POST", "/__mock/faults", json!({"mix": {"teapot": 1}}));
    assert_eq!(bad.status, 400);
    api.control(
        "POST",
        "/__mock/faults",
        json!({"rate": 0.25, "mix": {"http_503": 3}, "retry_after_seconds": 7}),
    );
    let got = api.control("GET", "/__mock/faults", json!(null));
    assert_eq!(got.json["rate"], 0.25);
    assert_eq!(got.json["mix"], json!({"http_503": 3}));
    assert_eq!(got.json["retry_after_seconds"], 7);
    assert_eq!(FaultKind::Http503.name(), "http_503");
}

#[test]
fn reset_forgets_everything() {
    let mut api = Api::new();
    let id = api.create_intent(json!({"amount": 1, "currency": "XOF"}));
    assert_eq!(api.control("POST", "/__mock/reset", json!({})).status, 200);
    assert_eq!(
        api.get(&format!("/v1/connect/payment_intents/{id}")).status,
        404
    );
    let again = api.create_intent(json!({"amount": 1, "currency": "XOF"}));
    assert_eq!(again, id, "ids restart from the seed");
}

#[test]
fn stats_count_requests_per_route_and_objects() {
    let mut api = Api::new();
    let (_, ch) = api.paid_intent(100, "pm_card_visa");
    api.post(&format!("/v1/connect/charges/{ch}/refund"), json!({}));
    api.get("/v1/nothing");
    let s = api.control("GET", "/__mock/stats", json!(null)).json;
    assert_eq!(s["requests"]["POST /v1/connect/payment_intents"], 1);
    assert_eq!(
        s["requests"]["POST /v1/connect/payment_intents/{id}/confirm"],
        1
    );
    assert_eq!(s["requests"]["POST /v1/connect/charges/{charge}/refund"], 1);
    assert_eq!(s["requests"]["unmatched"], 1);
    assert_eq!(s["requests_total"], 5);
    assert_eq!(
        s["objects_created"],
        json!({"payment_intent": 1, "refund": 1, "event": 4})
    );
}
