//! PostgreSQL idempotency store, webhook inbox and secret resolver for the Molam SDK.
//!
//! - [`migrate`] applies the schema of the crate's `migrations/` (embedded in the binary).
//! - [`PgIdempotencyStore`] is the durable `AsyncIdempotencyStore` of `molam_core`: a payment
//!   is sent once per idempotency key across crashes and restarts of the merchant's servers.
//! - [`PgWebhookInbox`] is the durable `molam_core::inbox::AsyncWebhookInbox`: it records
//!   verified webhook deliveries (deduplicated per tenant and event id) before Molam gets its
//!   2xx, and [`PgWebhookInbox::run`] hands them to the
//!   merchant's handler with leases, retries with backoff and a dead letter.
//! - [`PgSecretResolver`] reads each tenant's signing secrets, by key id, for rotation.
//!
//! Time is always the database's clock, so servers with skewed clocks agree on leases.
//! Every SQL statement lives once, in the private `sql` module, shared with the blocking
//! flavour (feature `blocking`, on by default: [`blocking`]).
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod backoff;
#[cfg(feature = "blocking")]
pub mod blocking;
mod error;
mod idempotency;
mod inbox;
mod migrate;
mod secrets;
mod sql;
#[cfg(feature = "testing")]
pub mod testing;
mod worker;

pub use backoff::Backoff;
pub use error::Error;
pub use idempotency::PgIdempotencyStore;
pub use inbox::{InboxConfig, InboxEvent, Lease, PgWebhookInbox, Settlement};
pub use migrate::{migrate, migrate_client, Applied, Migration, MIGRATIONS};
pub use secrets::PgSecretResolver;
pub use worker::{heartbeat, WorkerOptions, WorkerReport};

// What the README's programs need, so that they depend on this crate alone (with tokio).
pub use molam_core::inbox::{AsyncWebhookInbox, ReceivedEvent, Recorded};
pub use molam_core::webhook::{SignatureHeader, WebhookSecret, DEFAULT_TOLERANCE};

pub use deadpool_postgres;
pub use tokio_postgres;

/// The README's examples, compiled as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
