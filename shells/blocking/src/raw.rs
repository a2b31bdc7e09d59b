//! The escape hatch for endpoints this SDK does not model yet; the core builds the call
//! ([`molam_core::client::Client::raw`]), [`Client::execute`] drives it like any other.

use molam_core::call::RequestOptions;
use serde_json::Value;

use crate::endpoints::{Requests, Result};
use crate::Client;

impl Requests<'_> {
    /// Calls any endpoint: `method` on `path` (starting `/v1/`, query percent-encoded) with
    /// `body` as JSON. Same headers, retries, idempotency key and durable store as the typed
    /// endpoints; the answer is the JSON the API sent (also byte for byte in
    /// [`ApiResponse::raw_body`](crate::ApiResponse::raw_body)).
    ///
    /// ```no_run
    /// use molam_blocking::{json, Client, Method, RequestOptions};
    /// let client = Client::from_env()?;
    /// let options = RequestOptions::new().idempotency_key("order-7:quote")?;
    /// let body = json!({"amount": 500, "currency": "XOF"});
    /// let quote = client.with_options(options).raw(Method::POST, "/v1/connect/quotes", Some(&body))?;
    /// println!("quote {} expires at {}", quote["id"], quote["expires_at"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn raw(&self, method: http::Method, path: &str, body: Option<&Value>) -> Result<Value> {
        let core = self.client().core();
        self.client()
            .execute(core.raw(method, path, body, self.options())?)
    }
}

impl Client {
    /// [`Requests::raw`] with the client's own options.
    pub fn raw(&self, method: http::Method, path: &str, body: Option<&Value>) -> Result<Value> {
        self.with_options(RequestOptions::new())
            .raw(method, path, body)
    }
}
