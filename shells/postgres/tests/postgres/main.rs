//! molam-postgres against a real PostgreSQL: each test in its own schema.
//! See `support.rs` for how to enable them (`DATABASE_URL`, `MOLAM_REQUIRE_DATABASE`).

#[cfg(feature = "blocking")]
mod blocking;
mod cleanup;
mod idempotency;
mod inbox;
mod migrate;
mod secrets;
mod support;
mod worker;
