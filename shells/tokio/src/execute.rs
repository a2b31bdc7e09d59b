//! The one driver every endpoint goes through: the core's exchange
//! ([`molam_core::exchange`]), run by [`drive::run_async`] over hyper (each attempt under
//! `tokio::time::timeout`), `tokio::time::sleep`, the monotonic clock and the store. Every
//! decision is the core's.

use molam_core::call::Call;
use molam_core::drive::{self, Durable};
use molam_core::response::ApiResponse;
use molam_core::Error;
use serde::de::DeserializeOwned;

use crate::client::{unix_ms, Client};

impl Client {
    /// Drives a call prepared by the core (any endpoint) to its result. If the future is
    /// dropped mid-flight, a claim it holds in the store is neither completed nor released:
    /// its lease expires, and a later call with the same key proceeds (the API dedupes it).
    ///
    /// ```no_run
    /// # async fn run(client: molam_tokio::Client) -> Result<(), molam_tokio::Error> {
    /// use molam_tokio::RequestOptions;
    /// let call = client.core().events().retrieve("evt_123", &RequestOptions::new())?;
    /// let event = client.execute(call).await?;
    /// # Ok(()) }
    /// ```
    pub async fn execute<T: DeserializeOwned>(
        &self,
        call: Call<T>,
    ) -> Result<ApiResponse<T>, Error> {
        let inner = &*self.inner;
        let durable = inner.store.as_deref().map(|store| Durable {
            store,
            scope: &inner.scope,
            unix_ms: &unix_ms,
        });
        let send = |request, timeout| inner.transport.send(request, timeout);
        drive::run_async(call, durable, send, tokio::time::sleep, || self.now()).await
    }

    /// [`Client::execute`] of a call the core may have refused to build; the future borrows
    /// only the client.
    pub(crate) async fn execute_prepared<T: DeserializeOwned>(
        &self,
        call: Result<Call<T>, Error>,
    ) -> Result<ApiResponse<T>, Error> {
        self.execute(call?).await
    }
}
