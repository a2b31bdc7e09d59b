//! molam-postgres against a real PostgreSQL: each test in its own schema.
//! See `molam_postgres::testing` for how to enable them (`DATABASE_URL`,
//! `MOLAM_REQUIRE_DATABASE`).

#[cfg(feature = "blocking")]
mod blocking;
mod cleanup;
mod errors;
mod idempotency;
mod inbox;
mod migrate;
mod processes;
mod secrets;
mod worker;

use molam_postgres::testing as support;
