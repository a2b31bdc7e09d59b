//! The headers of REFERENCE.md §1 on what the client prepares, for every endpoint.

use std::time::Duration;

use super::*;
use crate::params::{
    CancelPaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent, CreatePayout, CreateRefund,
    ListEvents, ListPaymentIntents, ListPayouts, ListRefunds,
};
use crate::random::SeededRandom;
use crate::resources::{Currency, PayoutMethod};

const KEY: &str = "sk_test_0123456789abcdef";

fn client() -> Client {
    let config = Config::builder()
        .api_key(KEY)
        .build()
        .expect("valid config");
    Client::new(config, "test", Arc::new(SeededRandom::new(3)))
}

fn header_names(request: &http::Request<Vec<u8>>) -> Vec<&str> {
    let mut names: Vec<_> = request.headers().keys().map(|k| k.as_str()).collect();
    names.sort_unstable();
    names
}

fn first_request<T: DeserializeOwned>(call: Result<Call<T>, Error>) -> http::Request<Vec<u8>> {
    call.expect("valid params")
        .poll_request(Duration::ZERO)
        .expect("nothing stops the first attempt")
}

#[test]
fn a_post_carries_exactly_the_contract_headers() {
    let client = client();
    let params = CreatePaymentIntent::new(2500, Currency::XOF);
    let request = first_request(
        client
            .payment_intents()
            .create(&params, &RequestOptions::new()),
    );
    assert_eq!(
        header_names(&request),
        [
            "accept",
            "authorization",
            "content-type",
            "idempotency-key",
            "molam-attempt",
            "molam-version",
            "user-agent"
        ]
    );
    let h = request.headers();
    assert_eq!(h["authorization"], format!("Bearer {KEY}").as_str());
    assert!(
        h["authorization"].is_sensitive(),
        "kept out of Debug output"
    );
    assert_eq!(
        h["user-agent"],
        format!("molam-rust/{} (test; rust)", env!("CARGO_PKG_VERSION")).as_str()
    );
    assert_eq!(h["accept"], "application/json");
    assert_eq!(h["content-type"], "application/json");
    assert_eq!(h["molam-version"], "2025-01-16");
    assert_eq!(h["molam-attempt"], "1");
    let key = h["idempotency-key"].to_str().expect("ASCII");
    assert_eq!(key.len(), 36, "a UUID: {key}");
    assert_eq!(&key[14..15], "4", "version 4: {key}");
    assert!(
        !format!("{request:?}").contains(KEY),
        "the key never shows in Debug"
    );
}

#[test]
fn a_get_has_no_body_headers_and_no_idempotency_key() {
    let request = first_request(client().events().retrieve("evt_1", &RequestOptions::new()));
    assert_eq!(
        header_names(&request),
        [
            "accept",
            "authorization",
            "molam-attempt",
            "molam-version",
            "user-agent"
        ]
    );
    assert!(request.body().is_empty());
    assert_eq!(request.uri(), "https://api.molam.com/v1/events/evt_1");
}

#[test]
fn options_override_the_key_the_version_and_the_attempts() {
    let options = RequestOptions::new()
        .idempotency_key("order-9:refund")
        .expect("valid key")
        .api_version("2026-01-01")
        .expect("valid version")
        .max_retries(0);
    let call = client()
        .refunds()
        .create("ch_1", &CreateRefund::new(), &options)
        .expect("valid params");
    assert_eq!(
        call.idempotency_key().map(|k| k.as_str()),
        Some("order-9:refund")
    );
    let request = first_request(Ok(call));
    assert_eq!(request.headers()["idempotency-key"], "order-9:refund");
    assert_eq!(request.headers()["molam-version"], "2026-01-01");
}

#[test]
fn two_calls_get_two_keys_but_one_call_keeps_its_key() {
    let client = client();
    let params = CreatePaymentIntent::new(1, Currency::XOF);
    let a = client
        .payment_intents()
        .create(&params, &RequestOptions::new());
    let b = client
        .payment_intents()
        .create(&params, &RequestOptions::new());
    let (a, b) = (a.expect("valid"), b.expect("valid"));
    assert_ne!(a.idempotency_key(), b.idempotency_key());
}

#[test]
fn every_endpoint_has_its_method_path_and_a_key_exactly_when_it_posts() {
    let c = client();
    let o = RequestOptions::new();
    let pi = c.payment_intents();
    let payout = CreatePayout::new(5, Currency::XOF, PayoutMethod::MobileMoney, "+221770000000");
    let requests = [
        first_request(pi.create(&CreatePaymentIntent::new(1, Currency::USD), &o)),
        first_request(pi.retrieve("pi_1", &o)),
        first_request(pi.confirm("pi_1", &ConfirmPaymentIntent::new(), &o)),
        first_request(pi.cancel("pi_1", &CancelPaymentIntent::new(), &o)),
        first_request(pi.list(&ListPaymentIntents::new(), &o)),
        first_request(c.refunds().create("ch_1", &CreateRefund::new(), &o)),
        first_request(c.refunds().retrieve("re_1", &o)),
        first_request(c.refunds().list(&ListRefunds::new(), &o)),
        first_request(c.payouts().create(&payout, &o)),
        first_request(c.payouts().retrieve("po_1", &o)),
        first_request(c.payouts().cancel("po_1", &o)),
        first_request(c.payouts().list(&ListPayouts::new(), &o)),
        first_request(c.events().retrieve("evt_1", &o)),
        first_request(c.events().list(&ListEvents::new(), &o)),
    ];
    let seen: Vec<_> = requests
        .iter()
        .map(|r| (r.method().as_str(), r.uri().path()))
        .collect();
    assert_eq!(
        seen,
        [
            ("POST", "/v1/connect/payment_intents"),
            ("GET", "/v1/connect/payment_intents/pi_1"),
            ("POST", "/v1/connect/payment_intents/pi_1/confirm"),
            ("POST", "/v1/connect/payment_intents/pi_1/cancel"),
            ("GET", "/v1/connect/payment_intents"),
            ("POST", "/v1/connect/charges/ch_1/refund"),
            ("GET", "/v1/connect/refunds/re_1"),
            ("GET", "/v1/connect/refunds"),
            ("POST", "/v1/treasury/payouts"),
            ("GET", "/v1/treasury/payouts/po_1"),
            ("POST", "/v1/treasury/payouts/po_1/cancel"),
            ("GET", "/v1/treasury/payouts"),
            ("GET", "/v1/events/evt_1"),
            ("GET", "/v1/events"),
        ]
    );
    for r in &requests {
        let posts = r.method() == http::Method::POST;
        assert_eq!(
            r.headers().contains_key("idempotency-key"),
            posts,
            "{}",
            r.uri()
        );
        assert_eq!(
            r.headers().contains_key("content-type"),
            posts,
            "{}",
            r.uri()
        );
        assert_eq!(r.uri().host(), Some("api.molam.com"));
    }
}

#[test]
fn a_base_url_with_a_path_prefix_keeps_it() {
    let config = Config::builder()
        .api_key(KEY)
        .api_base("https://gateway.example.com/molam")
        .build()
        .expect("valid config");
    let client = Client::new(config, "test", Arc::new(SeededRandom::new(1)));
    let call = client.payouts().retrieve("po_1", &RequestOptions::new());
    // The metrics label is the API's route, without the gateway's prefix.
    let label = call.as_ref().map(Call::endpoint).ok();
    assert_eq!(label, Some("GET /v1/treasury/payouts/{id}"));
    let request = first_request(call);
    assert_eq!(
        request.uri(),
        "https://gateway.example.com/molam/v1/treasury/payouts/po_1"
    );
}

#[test]
fn a_shell_name_with_odd_characters_cannot_break_the_user_agent() {
    let config = Config::builder()
        .api_key(KEY)
        .build()
        .expect("valid config");
    let client = Client::new(config, "ev\r\nil; x", Arc::new(SeededRandom::new(1)));
    assert_eq!(
        client.user_agent(),
        format!("molam-rust/{} (evilx; rust)", env!("CARGO_PKG_VERSION"))
    );
}
