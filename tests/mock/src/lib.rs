//! # molam-mock
//!
//! A stateful local Molam API for tests, demos and benchmarks: every endpoint of the wire
//! contract (`REFERENCE.md` §4) with its state machines, idempotency, events, signed webhook
//! deliveries with retries, and seeded fault injection.
//!
//! Two layers:
//! - [`Mock`], sans-IO: `handle(http::Request<Vec<u8>>, now) -> http::Response<Vec<u8>>`
//!   over in-memory state, deterministic for a seed. Tests of the SDK's core can run
//!   request → mock → response with no socket.
//! - [`server::MockServer`]: the same mock behind hyper on 127.0.0.1 (HTTP, or HTTPS on a
//!   self-signed certificate), usable in-process from sync and async tests, and the
//!   `molam-mock` binary.
//!
//! The mock parses requests as a server would; it never reuses the SDK's request building.
#![forbid(unsafe_code)]

mod auth;
mod clock;
mod config;
mod control;
mod dashboard;
mod faults;
mod handler;
mod idempotency;
mod ids;
pub mod logging;
mod params;
mod platform;
pub mod router;
mod shared;
mod state;
mod stats;
mod webhooks;
mod wire;

pub mod cli;
pub mod server;

pub use clock::MockTime;
pub use config::{DeliveryRetry, FaultConfig, FaultKind, MockConfig};
pub use handler::{Mock, Outcome, PendingRequest};
pub use server::{MockServer, ServerOptions};
pub use webhooks::{Delivery, DeliveryAnswer, DeliveryId, DeliveryResult};

/// The README's examples, compiled as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
