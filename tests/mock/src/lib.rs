//! A stateful local Molam API for tests, demos and benchmarks.
