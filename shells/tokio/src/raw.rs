//! Requests to endpoints the typed API does not cover yet. The core validates the path and
//! builds the call ([`molam_core::client::Client::raw`]); [`Client::execute`] runs it.

use molam_core::call::RequestOptions;
use serde_json::Value;

use crate::endpoints::{Requests, Result};
use crate::Client;

impl Requests<'_> {
    /// `method` on `path` (from `/v1/`, query already percent-encoded) with an optional JSON
    /// `body`, awaited like every endpoint: retries, idempotency key, durable store. Returns
    /// the API's JSON value; [`ApiResponse::raw_body`](crate::ApiResponse::raw_body) has its
    /// exact bytes.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use molam_tokio::{json, Client, Method};
    /// let client = Client::from_env()?;
    /// let payload = json!({"payout": "po_123", "reason": "duplicate"});
    /// let dispute = client.raw(Method::POST, "/v1/treasury/payout_reversals", Some(&payload)).await?;
    /// assert_eq!(dispute["object"], "payout_reversal");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn raw(
        &self,
        method: http::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value> {
        let call = self
            .client()
            .core()
            .raw(method, path, body, self.options())?;
        self.client().execute(call).await
    }
}

impl Client {
    /// [`Requests::raw`] without per-request options.
    pub async fn raw(
        &self,
        method: http::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value> {
        let requests = self.with_options(RequestOptions::new());
        requests.raw(method, path, body).await
    }
}
