use std::sync::Arc;

use super::*;
use crate::call::{PreparedRequest, RequestOptions};
use crate::client::Client;
use crate::random::SeededRandom;

fn client() -> Client {
    let config = Config::builder()
        .api_key("sk_test_0123456789abcdef")
        .build()
        .expect("valid test config");
    Client::new(config, "test", Arc::new(SeededRandom::new(3)))
}

fn post(body: &[u8]) -> Call<serde_json::Value> {
    let request = PreparedRequest {
        method: http::Method::POST,
        path_and_query: "/v1/connect/payment_intents".to_owned(),
        body: Some(body.to_vec()),
    };
    let options = RequestOptions::new()
        .idempotency_key("order-1:create")
        .expect("valid key");
    client().prepare(request, &options)
}

fn response(status: u16) -> Result<http::Response<Vec<u8>>, TransportError> {
    Ok(http::Response::builder()
        .status(status)
        .header("x-request-id", "req_1")
        .header("set-cookie", "secret")
        .body(br#"{"id":"pi_1"}"#.to_vec())
        .expect("test response"))
}

#[test]
fn a_get_has_nothing_to_claim() {
    let get = PreparedRequest {
        method: http::Method::GET,
        path_and_query: "/v1/connect/payment_intents/pi_1".to_owned(),
        body: None,
    };
    let call = client().prepare::<serde_json::Value>(get, &RequestOptions::new());
    assert!(ClaimPlan::for_call(&call, "s", client().config()).is_none());
}

#[test]
fn the_claim_fingerprints_method_path_and_body() {
    let plan = ClaimPlan::for_call(&post(b"{\"amount\":1}"), "acct", client().config())
        .expect("a POST has a key");
    let other = ClaimPlan::for_call(&post(b"{\"amount\":2}"), "acct", client().config())
        .expect("a POST has a key");
    let claim = plan.claim_request(5, LockToken(1));
    assert_eq!(claim.scope, "acct");
    assert_eq!(claim.method, "POST");
    assert_eq!(claim.path, "/v1/connect/payment_intents");
    assert_eq!(
        *claim.fingerprint,
        Fingerprint::of("POST", "/v1/connect/payment_intents", b"{\"amount\":1}")
    );
    assert_ne!(
        claim.fingerprint,
        other.claim_request(5, LockToken(1)).fingerprint
    );
}

#[test]
fn a_final_answer_is_completed_with_allow_listed_headers() {
    let outcome = response(201);
    let kept = keep(&outcome);
    let step = post(b"{}").handle(outcome, Duration::ZERO);
    match settle(kept, &step) {
        Settle::Complete(stored) => {
            assert_eq!(stored.status, 201);
            assert_eq!(
                stored.headers,
                [("x-request-id".to_owned(), "req_1".to_owned())]
            );
        }
        other => panic!("expected Complete, got {other:?}"),
    }
}

#[test]
fn a_decline_is_final_and_stored() {
    let outcome = response(402);
    let kept = keep(&outcome);
    let step = post(b"{}").handle(outcome, Duration::ZERO);
    assert!(matches!(settle(kept, &step), Settle::Complete(s) if s.status == 402));
}

#[test]
fn a_retried_503_holds_the_claim_and_a_final_503_releases_it() {
    let mut call = post(b"{}");
    let _ = call.poll_request(Duration::ZERO);
    let outcome = response(503);
    let kept = keep(&outcome);
    assert_eq!(kept, None);
    let step = call.handle(outcome, Duration::ZERO);
    assert_eq!(settle(kept.clone(), &step), Settle::Hold);
    let options = RequestOptions::new().max_retries(0);
    let mut single = client().prepare::<serde_json::Value>(
        PreparedRequest {
            method: http::Method::POST,
            path_and_query: "/v1/treasury/payouts".to_owned(),
            body: Some(b"{}".to_vec()),
        },
        &options,
    );
    let _ = single.poll_request(Duration::ZERO);
    let step = single.handle(response(503), Duration::ZERO);
    assert_eq!(settle(None, &step), Settle::Release);
}

#[test]
fn a_transport_failure_keeps_nothing() {
    let outcome = Err(TransportError::after_send("reset"));
    assert_eq!(keep(&outcome), None);
}

#[test]
fn replay_answers_from_the_stored_response() {
    let stored = StoredResponse {
        status: 200,
        headers: vec![("x-request-id".to_owned(), "req_stored".to_owned())],
        body: br#"{"id":"pi_9"}"#.to_vec(),
    };
    let answer = replay(post(b"{}"), &stored, Duration::ZERO).expect("a stored 200");
    assert_eq!(answer["id"], "pi_9");
    assert_eq!(answer.request_id(), Some("req_stored"));
}

#[test]
fn replay_of_a_stored_decline_is_the_same_typed_error() {
    let stored = StoredResponse {
        status: 402,
        headers: vec![],
        body: br#"{"error":{"type":"payment_error","code":"card_declined","message":"no"}}"#
            .to_vec(),
    };
    let error = replay(post(b"{}"), &stored, Duration::ZERO).expect_err("a stored 402");
    assert_eq!(error.status(), Some(402));
    assert_eq!(
        error.api_error().and_then(|e| e.code.as_deref()),
        Some("card_declined")
    );
}
