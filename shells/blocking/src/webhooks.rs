//! Webhook verification with the client's configured secrets and the system clock.

use http::header::HeaderMap;
use molam_core::resources::Event;
use molam_core::webhook_event;
use molam_core::Error;

use crate::client::unix_ms;
use crate::Client;

/// Webhook verification; see [`Client::webhooks`].
#[derive(Debug, Clone, Copy)]
pub struct Webhooks<'a> {
    client: &'a Client,
}

impl Client {
    /// Verifies webhook deliveries with the configured secrets (`MOLAM_WEBHOOK_SECRET`).
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks { client: self }
    }
}

impl Webhooks<'_> {
    /// Verifies a delivery (its headers and its raw body, byte for byte as received) and
    /// returns its event. Only an `Ok` event may reach a handler.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Event, Error> {
        self.verify_header(webhook_event::signature_header(headers), body)
    }

    /// The same, given the `Molam-Signature` header's value (`None` when it is missing).
    pub fn verify_header(&self, header: Option<&str>, body: &[u8]) -> Result<Event, Error> {
        webhook_event::construct_event(self.client.config(), header, body, unix_ms() / 1000)
    }
}
