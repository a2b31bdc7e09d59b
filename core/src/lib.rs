//! # molam-core
//!
//! The sans-IO protocol core of the Molam Rust SDK. It turns API calls into
//! [`http::Request`] values, interprets [`http::Response`] values into typed results or
//! errors, and decides retries as a state machine. It does no I/O, reads no clock and
//! gathers no randomness: shells hand in the time, the random bytes and the transport.
//!
//! How a call behaves — claiming its idempotency key in a durable store, attempts and their
//! retries, replays, settling the claim, unknown outcomes — is decided in one place, the
//! [`exchange`] state machine (its module docs have the diagram). [`drive`] runs it over any
//! HTTP client, blocking or async; the client shells use [`drive`] too, and get their builder
//! and endpoint handles from [`shell`].
#![forbid(unsafe_code)]

pub mod account;
pub mod api;
pub mod call;
pub mod client;
pub mod config;
pub mod drive;
pub mod error;
pub mod exchange;
pub mod idempotency;
pub mod inbox;
pub mod metrics;
pub mod pagination;
pub mod params;
pub mod random;
mod raw;
mod redact;
pub mod resources;
pub mod response;
pub mod retry;
pub mod shell;
pub mod webhook;
pub mod webhook_event;

pub use account::AccountId;
pub use config::{ApiKey, AppInfo, Config, ConfigBuilder, ProxyConfig, TlsRoots};
pub use error::{ApiError, ApiErrorType, ConfigError, Error, ParamError, TransportError};

/// The README's example, compiled as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

// For the `shell_client!` macro, which names them from the shells.
#[doc(hidden)]
pub use http;
#[doc(hidden)]
pub use serde_json;
