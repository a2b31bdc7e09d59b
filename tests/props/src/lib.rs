//! Cross-crate property and hygiene tests of the Molam SDK (no library code: see `tests/`).
//!
//! - `prop_roundtrip`: any valid parameters round-trip through the core's request building,
//!   the mock's sans-IO handler, and the core's response interpretation.
//! - `secret_hygiene`: a full end-to-end run of both clients against the mock, with every
//!   tracing span and event captured, records no API key, webhook secret or client secret.
