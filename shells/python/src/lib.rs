//! # molam-python
//!
//! The extension module `molam._molam` of the Python package `molam`: the SDK's Rust core and
//! its two clients (`molam-blocking`, `molam-tokio`), the webhook verification and the mock,
//! bound with PyO3. The Python half of the package (python/molam) holds the exceptions, the
//! result type and the typing stubs.
//!
//! This crate only converts types and waits: every rule (validation, retries, idempotency
//! keys, breaker, budget, webhook checks) is the core's. Blocking calls release the GIL while
//! they wait; async calls run on a tokio runtime and come back to asyncio in batches.

mod async_client;
mod bridge;
mod config;
mod convert;
mod endpoints;
mod errors;
mod mock;
mod sync_client;
mod webhook;

use pyo3::prelude::*;

/// The extension module: classes and functions re-exported by `molam`.
#[pymodule]
fn _molam(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<config::PyConfig>()?;
    module.add_class::<sync_client::MolamClient>()?;
    module.add_class::<sync_client::PageIterator>()?;
    module.add_class::<async_client::MolamAsyncClient>()?;
    module.add_class::<async_client::AsyncPageIterator>()?;
    module.add_class::<bridge::LoopBridge>()?;
    module.add_class::<mock::PyMockServer>()?;
    module.add_function(wrap_pyfunction!(webhook::verify_signature, module)?)?;
    module.add_function(wrap_pyfunction!(webhook::parse_signature_header, module)?)?;
    module.add_function(wrap_pyfunction!(webhook::generate_signature, module)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
