//! PostgreSQL idempotency store, webhook inbox and secret resolver for the Molam SDK.
