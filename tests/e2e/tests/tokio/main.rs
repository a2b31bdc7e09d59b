//! The async client against the in-process mock: every endpoint, every error type,
//! pagination, webhooks, and the idempotency store.

mod body;
mod charges;
mod endpoints;
mod errors;
mod exchange;
mod store;

use molam_e2e::Harness;
use molam_tokio::{Client, RequestOptions};

/// A mock and a async client configured for it.
fn setup() -> (Harness, Client) {
    let harness = Harness::start();
    let config = harness.config().build().expect("a valid test config");
    let client = Client::new(config).expect("a client for the mock");
    (harness, client)
}

/// The route a payment intent is created on, as the mock counts requests.
const CREATE: &str = "POST /v1/connect/payment_intents";

/// Options that send the call under the idempotency key `key`.
fn keyed(key: &str) -> RequestOptions {
    RequestOptions::new()
        .idempotency_key(key)
        .expect("a valid idempotency key")
}
