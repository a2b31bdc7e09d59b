//! The blocking client against the in-process mock: every endpoint, every error type,
//! pagination, webhooks, and the idempotency store.

mod charges;
mod endpoints;
mod errors;
mod exchange;
mod store;

use molam_blocking::Client;
use molam_e2e::Harness;

/// A mock and a blocking client configured for it.
fn setup() -> (Harness, Client) {
    let harness = Harness::start();
    let config = harness.config().build().expect("a valid test config");
    let client = Client::new(config).expect("a client for the mock");
    (harness, client)
}
