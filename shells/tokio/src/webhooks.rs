//! `client.webhooks()` of the async client: the core's receipt, this shell's clock.

pub use molam_core::webhook_event::Webhooks;

impl crate::Client {
    /// Verifies webhook deliveries with the configured secrets (`MOLAM_WEBHOOK_SECRET`), no
    /// `.await` needed (verifying does no I/O): `client.webhooks().verify(&headers, &body)`.
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks::new(self.config(), || crate::client::unix_ms() / 1000)
    }
}
