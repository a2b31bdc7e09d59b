//! Pure-handler tests: the mock driven with `http::Request` values, no socket.
#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod support;

mod charges;
mod dashboard;
mod errors;
mod events;
mod faults;
mod idempotency;
mod openapi;
mod pagination;
mod payment_intents;
mod payouts;
mod platforms;
mod refunds;
mod webhooks;
