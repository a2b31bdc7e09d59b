//! The one driver every endpoint goes through: the core's exchange
//! ([`molam_core::exchange`]), run by [`drive::run_with`] over ureq, `std::thread::sleep`,
//! the monotonic clock and the store. Every decision is the core's.

use molam_core::call::Call;
use molam_core::drive::{self, Durable};
use molam_core::response::ApiResponse;
use molam_core::Error;
use serde::de::DeserializeOwned;

use crate::client::{unix_ms, Client};

impl Client {
    /// Drives a call prepared by the core (any endpoint) to its result.
    ///
    /// ```no_run
    /// # let client = molam_blocking::Client::from_env()?;
    /// use molam_blocking::RequestOptions;
    /// let call = client.core().events().retrieve("evt_123", &RequestOptions::new())?;
    /// let event = client.execute(call)?;
    /// # Ok::<(), molam_blocking::Error>(())
    /// ```
    pub fn execute<T: DeserializeOwned>(&self, call: Call<T>) -> Result<ApiResponse<T>, Error> {
        let inner = &*self.inner;
        let durable = inner.store.as_deref().map(|store| Durable {
            store,
            scope: &inner.scope,
            unix_ms: &unix_ms,
        });
        let send = |request, timeout| inner.transport.send(request, timeout);
        drive::run_with(call, durable, send, std::thread::sleep, || self.now())
    }
}
