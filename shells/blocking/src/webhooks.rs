//! `client.webhooks()` of the blocking client: the core's receipt, this shell's clock.

pub use molam_core::webhook_event::Webhooks;

impl crate::Client {
    /// Verifies webhook deliveries with the configured secrets (`MOLAM_WEBHOOK_SECRET`):
    /// `client.webhooks().verify(&headers, &body)` gives the event or why it was refused.
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks::new(self.config(), || crate::client::unix_ms() / 1000)
    }
}
