//! The async client against the in-process mock: every endpoint, every error type,
//! pagination, webhooks, and the idempotency store.

mod charges;
mod endpoints;
mod errors;
mod exchange;
mod store;

use molam_e2e::Harness;
use molam_tokio::Client;

/// A mock and a async client configured for it.
fn setup() -> (Harness, Client) {
    let harness = Harness::start();
    let config = harness.config().build().expect("a valid test config");
    let client = Client::new(config).expect("a client for the mock");
    (harness, client)
}
