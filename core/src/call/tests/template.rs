//! Calls prepared by the core client, so that every attempt starts from the client's header
//! template: its slots for `Idempotency-Key` and `Molam-Attempt` are filled on each attempt,
//! and nothing in it is sent twice.

use super::*;
use crate::account::AccountId;
use crate::client::Client;
use crate::config::Config;
use crate::random::SeededRandom;

const API_KEY: &str = "sk_test_0123456789abcdef";

/// The headers of a POST with a body, sorted.
const POST_HEADERS: [&str; 8] = [
    "accept",
    "authorization",
    "content-type",
    "idempotency-key",
    "molam-account",
    "molam-attempt",
    "molam-version",
    "user-agent",
];

/// A client acting for a connected account, so the template holds every client header.
fn client() -> Client {
    let config = Config::builder()
        .api_key(API_KEY)
        .account(AccountId::new("acct_template").expect("valid account"))
        .retry_policy(no_jitter())
        .build()
        .expect("valid config");
    Client::new(config, "test", Arc::new(SeededRandom::new(11)))
}

fn create_intent() -> PreparedRequest {
    PreparedRequest {
        method: http::Method::POST,
        path_and_query: "/v1/connect/payment_intents".into(),
        body: Some(br#"{"amount":2500}"#.to_vec()),
    }
}

/// Every value of header `name` on `request`, as text.
fn values<'a>(request: &'a http::Request<Vec<u8>>, name: &str) -> Vec<&'a str> {
    request
        .headers()
        .get_all(name)
        .iter()
        .map(|v| v.to_str().expect("ASCII header"))
        .collect()
}

fn header_names(request: &http::Request<Vec<u8>>) -> Vec<&str> {
    let mut names: Vec<_> = request.headers().keys().map(|k| k.as_str()).collect();
    names.sort_unstable();
    names
}

#[test]
fn a_retried_post_fills_the_key_and_attempt_slots_once_per_attempt() {
    let call = client().prepare::<serde_json::Value>(create_intent(), &RequestOptions::new());
    let key = call
        .idempotency_key()
        .expect("a POST gets a generated key")
        .as_str()
        .to_owned();
    let r = run(call, vec![server_error(503), ok()], MS(5));
    assert!(r.result.is_ok());
    assert_eq!(r.requests.len(), 2);
    let user_agent = format!("molam-rust/{} (test; rust)", env!("CARGO_PKG_VERSION"));
    let bearer = format!("Bearer {API_KEY}");
    for (request, attempt) in r.requests.iter().zip(["1", "2"]) {
        assert_eq!(header_names(request), POST_HEADERS);
        assert_eq!(values(request, "idempotency-key"), [key.as_str()]);
        assert_eq!(values(request, "molam-attempt"), [attempt]);
        assert_eq!(values(request, "authorization"), [bearer.as_str()]);
        assert_eq!(values(request, "user-agent"), [user_agent.as_str()]);
        assert_eq!(values(request, "accept"), ["application/json"]);
        assert_eq!(values(request, "content-type"), ["application/json"]);
        assert_eq!(values(request, "molam-version"), ["2025-01-16"]);
        assert_eq!(values(request, "molam-account"), ["acct_template"]);
    }
}

#[test]
fn a_retried_post_with_per_call_overrides_sends_each_header_once() {
    let options = RequestOptions::new()
        .idempotency_key("order-31:create")
        .expect("valid key")
        .api_key("sk_test_merchant_0123456789")
        .expect("valid key")
        .account(AccountId::new("acct_merchant").expect("valid account"))
        .api_version("2026-01-01")
        .expect("valid version");
    let call = client().prepare::<serde_json::Value>(create_intent(), &options);
    let r = run(call, vec![server_error(503), ok()], MS(5));
    assert!(r.result.is_ok());
    assert_eq!(r.requests.len(), 2);
    for (request, attempt) in r.requests.iter().zip(["1", "2"]) {
        assert_eq!(values(request, "idempotency-key"), ["order-31:create"]);
        assert_eq!(values(request, "molam-attempt"), [attempt]);
        assert_eq!(
            values(request, "authorization"),
            ["Bearer sk_test_merchant_0123456789"]
        );
        assert_eq!(values(request, "molam-account"), ["acct_merchant"]);
        assert_eq!(values(request, "molam-version"), ["2026-01-01"]);
        assert_eq!(header_names(request), POST_HEADERS);
        assert_eq!(
            request.headers().len(),
            POST_HEADERS.len(),
            "one value per header"
        );
    }
}

#[test]
fn a_retried_get_has_no_key_and_numbers_its_attempts() {
    let request = PreparedRequest {
        method: http::Method::GET,
        path_and_query: "/v1/connect/payment_intents/pi_1".into(),
        body: None,
    };
    let call = client().prepare::<serde_json::Value>(request, &RequestOptions::new());
    let r = run(call, vec![server_error(503), ok()], MS(5));
    assert!(r.result.is_ok());
    for (request, attempt) in r.requests.iter().zip(["1", "2"]) {
        assert!(values(request, "idempotency-key").is_empty());
        assert_eq!(values(request, "molam-attempt"), [attempt]);
        assert_eq!(
            header_names(request),
            [
                "accept",
                "authorization",
                "molam-account",
                "molam-attempt",
                "molam-version",
                "user-agent"
            ]
        );
        assert_eq!(request.headers().len(), 6, "one value per header");
    }
}
