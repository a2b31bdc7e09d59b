//! The error rows of REFERENCE.md §2 that the API itself produces (faults are in `faults.rs`,
//! idempotency errors in `idempotency.rs`).

use serde_json::json;

use crate::support::Api;

fn raw_post(api: &Api, path: &str, content_type: &str, body: &[u8]) -> crate::support::Resp {
    api.send(
        api.request("POST", path)
            .header("content-type", content_type)
            .header("idempotency-key", "raw-1")
            .body(body.to_vec())
            .unwrap(),
    )
}

#[test]
fn missing_amount_is_parameter_missing() {
    let mut api = Api::new();
    let r = api.post("/v1/connect/payment_intents", json!({"currency": "XOF"}));
    assert_eq!(
        (r.status, r.error(), r.param()),
        (
            400,
            ("invalid_request_error", "parameter_missing"),
            "amount"
        )
    );
    assert_eq!(
        r.json["error"]["message"],
        "Missing required param: amount."
    );
}

#[test]
fn bad_values_are_parameter_invalid_naming_the_field() {
    let mut api = Api::new();
    for (body, param) in [
        (json!({"amount": -5, "currency": "XOF"}), "amount"),
        (json!({"amount": "5", "currency": "XOF"}), "amount"),
        (json!({"amount": 5, "currency": "FRANCS"}), "currency"),
        (
            json!({"amount": 5, "currency": "XOF", "payment_method": "pm_unknown"}),
            "payment_method",
        ),
        (
            json!({"amount": 5, "currency": "XOF", "return_url": "ftp://x"}),
            "return_url",
        ),
        (
            json!({"amount": 5, "currency": "XOF", "metadata": {"k": 1}}),
            "metadata[k]",
        ),
        (
            json!({"amount": 5, "currency": "XOF", "colour": "red"}),
            "colour",
        ),
    ] {
        let r = api.post("/v1/connect/payment_intents", body.clone());
        assert_eq!(
            (r.status, r.error().1, r.param()),
            (400, "parameter_invalid", param),
            "{body}"
        );
    }
}

#[test]
fn the_largest_amount_of_the_reference_is_accepted() {
    let mut api = Api::new();
    let r = api.post(
        "/v1/connect/payment_intents",
        json!({"amount": 99_999_999_999_i64, "currency": "XOF"}),
    );
    assert_eq!(
        (r.status, r.json["amount"].as_i64()),
        (200, Some(99_999_999_999))
    );
}

#[test]
fn a_currency_outside_iso_4217_is_parameter_invalid_for_intents_and_payouts() {
    let mut api = Api::new();
    let intent = api.post(
        "/v1/connect/payment_intents",
        json!({"amount": 2500, "currency": "XYZ"}),
    );
    let payout = api.post(
        "/v1/treasury/payouts",
        json!({"amount": 2500, "currency": "xyz", "method": "mobile_money", "destination": "+221770000000"}),
    );
    for r in [intent, payout] {
        assert_eq!(
            (r.status, r.error().1, r.param()),
            (400, "parameter_invalid", "currency")
        );
        assert_eq!(
            r.json["error"]["message"],
            "Invalid currency: XYZ is not an ISO 4217 currency code."
        );
    }
}

#[test]
fn too_large_amount_is_amount_too_large() {
    let mut api = Api::new();
    let r = api.post(
        "/v1/connect/payment_intents",
        json!({"amount": 100_000_000_000_i64, "currency": "XOF"}),
    );
    assert_eq!(
        (r.status, r.error().1, r.param()),
        (400, "amount_too_large", "amount")
    );
}

#[test]
fn malformed_json_and_wrong_content_type_are_400_not_a_panic() {
    let api = Api::new();
    for (ct, body) in [
        ("application/json", &b"{\"amount\": 25"[..]),
        ("application/json", b"[1, 2]"),
        ("application/json", b"\xff\xfe"),
        ("application/x-www-form-urlencoded", b"amount=25"),
    ] {
        let r = raw_post(&api, "/v1/connect/payment_intents", ct, body);
        assert_eq!(
            (r.status, r.error()),
            (400, ("invalid_request_error", "parameter_invalid")),
            "{ct}"
        );
    }
}

#[test]
fn malformed_idempotency_key_is_400() {
    let api = Api::new();
    let r = api.post_keyed(
        "/v1/connect/payment_intents",
        json!({"amount": 1, "currency": "XOF"}),
        "has space",
    );
    assert_eq!((r.status, r.param()), (400, "Idempotency-Key"));
}

#[test]
fn posts_without_idempotency_key_are_accepted() {
    let api = Api::new();
    let r = api.send(
        api.request("POST", "/v1/connect/payment_intents")
            .header("content-type", "application/json")
            .body(br#"{"amount": 1, "currency": "XOF"}"#.to_vec())
            .unwrap(),
    );
    assert_eq!(r.status, 200);
}

#[test]
fn missing_key_is_401_authentication_error() {
    let api = Api::new();
    let r = api.send(http::Request::get("/v1/events").body(Vec::new()).unwrap());
    assert_eq!((r.status, r.error().0), (401, "authentication_error"));
    assert!(r
        .header("x-request-id")
        .is_some_and(|id| id.starts_with("req_")));
}

#[test]
fn unknown_key_format_is_401() {
    let mut api = Api::new();
    api.as_key("pk_test_publishable");
    let r = api.get("/v1/events");
    assert_eq!((r.status, r.error().0), (401, "authentication_error"));
}

#[test]
fn unknown_object_is_404_resource_missing() {
    let api = Api::new();
    for path in [
        "/v1/connect/payment_intents/pi_nope",
        "/v1/connect/refunds/re_nope",
        "/v1/treasury/payouts/po_nope",
        "/v1/events/evt_nope",
    ] {
        let r = api.get(path);
        assert_eq!(
            (r.status, r.error()),
            (404, ("invalid_request_error", "resource_missing")),
            "{path}"
        );
    }
}

#[test]
fn unknown_route_and_bad_ids_are_404() {
    let api = Api::new();
    assert_eq!(api.get("/v1/nothing").status, 404);
    assert_eq!(api.get("/v1/connect/payment_intents/pi_1%2F..").status, 404);
    let r = api.send(
        api.request("DELETE", "/v1/connect/payment_intents")
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!((r.status, r.error().0), (404, "invalid_request_error"));
}

#[test]
fn every_response_carries_a_distinct_request_id() {
    let mut api = Api::new();
    let a = api.post(
        "/v1/connect/payment_intents",
        json!({"amount": 1, "currency": "XOF"}),
    );
    let b = api.get("/v1/nothing");
    let c = api.control("GET", "/__mock/stats", json!(null));
    let ids: Vec<&str> = [&a, &b, &c]
        .iter()
        .map(|r| r.header("x-request-id").unwrap())
        .collect();
    assert!(ids.iter().all(|id| id.starts_with("req_")));
    assert_ne!(ids[0], ids[1]);
    assert_ne!(ids[1], ids[2]);
    assert_eq!(a.header("content-type"), Some("application/json"));
}

#[test]
fn the_same_seed_gives_the_same_ids() {
    let mut one = Api::new();
    let mut two = Api::new();
    let a = one.post(
        "/v1/connect/payment_intents",
        json!({"amount": 1, "currency": "XOF"}),
    );
    let b = two.post(
        "/v1/connect/payment_intents",
        json!({"amount": 1, "currency": "XOF"}),
    );
    assert_eq!(a.id(), b.id());
    assert_eq!(a.header("x-request-id"), b.header("x-request-id"));
    assert_eq!(a.json["client_secret"], b.json["client_secret"]);
}
