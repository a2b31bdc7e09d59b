//! # molam-blocking
//!
//! The blocking Molam client, over ureq 3 with rustls (the `ring` provider) and one pooled
//! agent. It is a thin shell around [`molam_core`]: the core builds every request, validates
//! every parameter, and decides every retry; this crate carries bytes, reads the clock,
//! sleeps, and draws randomness from the operating system.
//!
//! ```no_run
//! use molam_blocking::{Client, Config, RequestOptions};
//! use molam_blocking::params::{ConfirmPaymentIntent, CreatePaymentIntent};
//! use molam_blocking::resources::Currency;
//!
//! let client = Client::new(Config::from_env()?)?;
//! let intent = client
//!     .with_options(RequestOptions::new().idempotency_key("order-1001:intent")?)
//!     .payment_intents()
//!     .create(&CreatePaymentIntent::new(2500, Currency::XOF))?;
//! let confirmed = client
//!     .payment_intents()
//!     .confirm(&intent.id, &ConfirmPaymentIntent::new().payment_method("pm_card_visa"))?;
//! println!("{} is {} (request {})", confirmed.id, confirmed.status, confirmed.request_id().unwrap_or("-"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - Every endpoint of the API is on a handle: [`Client::payment_intents`],
//!   [`Client::charges`], [`Client::refunds`], [`Client::payouts`], [`Client::events`];
//!   per-request options (idempotency key, timeout, retries, API version) through
//!   [`Client::with_options`]. The handles are generated from one table in
//!   [`molam_core::shell`]; every call runs the core's exchange ([`molam_core::exchange`]).
//! - Results are [`ApiResponse`]s (the request id is [`ApiResponse::request_id`]); errors are
//!   the core's [`Error`] (with [`Error::request_id`]).
//! - `list_all` iterates over a whole list lazily ([`ListIter`]).
//! - [`Client::webhooks`] verifies deliveries with the configured secrets.
//! - Each call is a `molam.call` tracing span and each attempt a `molam.attempt` span, with
//!   OpenTelemetry's HTTP field names; no key, secret or body is ever recorded.
#![forbid(unsafe_code)]

mod client;
mod list;
mod transport;
mod webhooks;

pub use client::{
    Charges, Client, ClientBuilder, Events, PaymentIntents, Payouts, Refunds, Requests,
};
pub use list::ListIter;
pub use webhooks::Webhooks;

molam_core::shell_exports!();

/// The README's example, compiled as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
