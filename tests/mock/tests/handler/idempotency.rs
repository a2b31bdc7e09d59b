use molam_mock::{FaultConfig, FaultKind, MockConfig, Outcome};
use serde_json::json;

use crate::support::{resp, Api};

#[test]
fn the_same_request_replays_the_stored_answer() {
    let api = Api::new();
    let body = json!({"amount": 2500, "currency": "XOF"});
    let first = api.post_keyed(
        "/v1/connect/payment_intents",
        body.clone(),
        "order-1:create",
    );
    let again = api.post_keyed("/v1/connect/payment_intents", body, "order-1:create");
    assert_eq!(again.status, 200);
    assert_eq!(again.raw, first.raw);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(first.header("idempotent-replayed"), None);
    assert_eq!(again.header("x-request-id"), first.header("x-request-id"));
    assert_eq!(
        api.get("/v1/connect/payment_intents").json["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(api.mock.stats()["idempotent_replays"], 1);
}

#[test]
fn a_replayed_decline_is_the_same_402() {
    let mut api = Api::new();
    let id = api.create_intent(json!({"amount": 100, "currency": "XOF"}));
    let path = format!("/v1/connect/payment_intents/{id}/confirm");
    let first = api.post_keyed(&path, json!({"payment_method": "pm_card_declined"}), "k");
    let again = api.post_keyed(&path, json!({"payment_method": "pm_card_declined"}), "k");
    assert_eq!((first.status, again.status), (402, 402));
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
}

#[test]
fn the_same_key_with_other_parameters_is_422() {
    let api = Api::new();
    api.post_keyed(
        "/v1/connect/payment_intents",
        json!({"amount": 2500, "currency": "XOF"}),
        "k",
    );
    let r = api.post_keyed(
        "/v1/connect/payment_intents",
        json!({"amount": 2600, "currency": "XOF"}),
        "k",
    );
    assert_eq!(
        (r.status, r.error()),
        (422, ("idempotency_error", "idempotency_key_reused"))
    );
    let r = api.post_keyed(
        "/v1/treasury/payouts",
        json!({"amount": 2500, "currency": "XOF"}),
        "k",
    );
    assert_eq!(r.status, 422);
}

#[test]
fn keys_are_per_api_key() {
    let mut api = Api::new();
    api.post_keyed(
        "/v1/connect/payment_intents",
        json!({"amount": 1, "currency": "XOF"}),
        "k",
    );
    api.as_key("sk_test_bob");
    let r = api.post_keyed(
        "/v1/connect/payment_intents",
        json!({"amount": 2, "currency": "XOF"}),
        "k",
    );
    assert_eq!((r.status, r.header("idempotent-replayed")), (200, None));
}

#[test]
fn keys_are_forgotten_after_24_hours() {
    let mut api = Api::new();
    let body = json!({"amount": 1, "currency": "XOF"});
    let first = api.post_keyed("/v1/connect/payment_intents", body.clone(), "k");
    api.later(24 * 3600);
    let later = api.post_keyed("/v1/connect/payment_intents", body, "k");
    assert_eq!(later.header("idempotent-replayed"), None);
    assert_ne!(later.id(), first.id());
}

#[test]
fn validation_failures_are_not_stored() {
    let api = Api::new();
    let bad = api.post_keyed(
        "/v1/connect/payment_intents",
        json!({"currency": "XOF"}),
        "k",
    );
    assert_eq!(bad.status, 400);
    let good = api.post_keyed(
        "/v1/connect/payment_intents",
        json!({"amount": 1, "currency": "XOF"}),
        "k",
    );
    assert_eq!(
        (good.status, good.header("idempotent-replayed")),
        (200, None)
    );
}

fn delayed() -> Api {
    Api::with(MockConfig {
        seed: 1,
        faults: FaultConfig {
            next: vec![FaultKind::Delay],
            ..FaultConfig::off()
        },
        ..MockConfig::default()
    })
}

fn create(api: &Api, amount: i64) -> http::Request<Vec<u8>> {
    api.request("POST", "/v1/connect/payment_intents")
        .header("content-type", "application/json")
        .header("idempotency-key", "slow-1")
        .body(serde_json::to_vec(&json!({"amount": amount, "currency": "XOF"})).unwrap())
        .unwrap()
}

#[test]
fn a_concurrent_duplicate_is_409_while_the_first_executes() {
    let api = delayed();
    let Outcome::Delay { pending, .. } = api.mock.handle_with_faults(create(&api, 1), api.now)
    else {
        panic!("the forced delay fault holds the first request");
    };
    let dup = resp(api.mock.handle(create(&api, 1), api.now));
    assert_eq!(
        (dup.status, dup.error()),
        (409, ("idempotency_error", "idempotency_key_in_use"))
    );
    let other = resp(api.mock.handle(create(&api, 2), api.now));
    assert_eq!(other.status, 409);
    let first = resp(pending.resume(api.now));
    assert_eq!(first.status, 200);
    let replay = resp(api.mock.handle(create(&api, 1), api.now));
    assert_eq!(
        (replay.header("idempotent-replayed"), replay.id()),
        (Some("true"), first.id())
    );
}

#[test]
fn a_delayed_request_abandoned_by_its_client_frees_its_key() {
    let api = delayed();
    let Outcome::Delay { pending, .. } = api.mock.handle_with_faults(create(&api, 1), api.now)
    else {
        panic!("the forced delay fault holds the first request");
    };
    drop(pending);
    let retry = resp(api.mock.handle(create(&api, 1), api.now));
    assert_eq!(
        (retry.status, retry.header("idempotent-replayed")),
        (200, None)
    );
}
