//! Both clients under faults, outages, TLS and runtime edge cases.

mod breaker;
mod exactly_once;
mod runtime;
mod spans;
mod tls;
