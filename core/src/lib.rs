//! # molam-core
//!
//! The sans-IO protocol core of the Molam Rust SDK. It turns API calls into
//! [`http::Request`] values, interprets [`http::Response`] values into typed results or
//! errors, and decides retries as a state machine. It does no I/O, reads no clock and
//! gathers no randomness: shells hand in the time, the random bytes and the transport.
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
