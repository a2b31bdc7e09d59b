//! The escape hatch for endpoints this SDK does not know yet: any method, path and JSON body,
//! through the same headers, retries, idempotency (and durable store) as every endpoint,
//! answering the JSON value as sent.

use serde_json::Value;

use crate::call::{Call, PreparedRequest, RequestOptions};
use crate::client::Client;
use crate::error::ParamError;

impl Client {
    /// A call of `method` on `path_and_query` (which must start with `/v1/`, already
    /// percent-encoded) with `body` as JSON. Like every call, a POST carries an idempotency
    /// key (the options' or a fresh one reused by every retry).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use molam_core::{call::RequestOptions, client::Client, config::Config, random::SeededRandom};
    /// let config = Config::builder().api_key("sk_test_0123456789abcdef").build()?;
    /// let client = Client::new(config, "doc", Arc::new(SeededRandom::new(1)));
    /// let body = serde_json::json!({"amount": 500, "currency": "XOF"});
    /// let call = client.raw(http::Method::POST, "/v1/connect/quotes", Some(&body), &RequestOptions::new())?;
    /// assert_eq!(call.path_and_query(), "/v1/connect/quotes");
    /// assert_eq!(call.body(), br#"{"amount":500,"currency":"XOF"}"#);
    /// assert!(call.idempotency_key().is_some());
    /// assert!(client.raw(http::Method::GET, "https://evil.example/v1/x", None, &RequestOptions::new()).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn raw(
        &self,
        method: http::Method,
        path_and_query: &str,
        body: Option<&Value>,
        options: &RequestOptions,
    ) -> Result<Call<Value>, ParamError> {
        let well_formed = path_and_query.starts_with("/v1/")
            && path_and_query.len() <= 8192
            && path_and_query.bytes().all(|b| b.is_ascii_graphic())
            && !path_and_query
                .split(['?', '#'])
                .next()
                .is_some_and(|path| path.split('/').any(|s| s == ".." || s == "."))
            && !path_and_query.contains('#');
        if !well_formed || path_and_query.parse::<http::uri::PathAndQuery>().is_err() {
            return Err(ParamError::new(
                "path",
                "must start with /v1/, be percent-encoded printable ASCII, and have no . or .. segment",
            ));
        }
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| ParamError::new("body", e.to_string()))?;
        let request = PreparedRequest {
            method,
            path_and_query: path_and_query.to_owned(),
            body,
        };
        Ok(self.prepare(request, options))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::config::Config;
    use crate::random::SeededRandom;

    fn client() -> Client {
        let config = Config::builder()
            .api_key("sk_test_0123456789abcdef")
            .build()
            .expect("valid config");
        Client::new(config, "test", Arc::new(SeededRandom::new(1)))
    }

    #[test]
    fn any_method_and_v1_path_goes_out_with_the_contract_headers() {
        let mut call = client()
            .raw(
                http::Method::DELETE,
                "/v1/connect/customers/cus_1?expand=x",
                None,
                &RequestOptions::new(),
            )
            .expect("a /v1/ path");
        let request = call.poll_request(Duration::ZERO).expect("first attempt");
        assert_eq!(request.method(), http::Method::DELETE);
        assert_eq!(
            request.uri(),
            "https://api.molam.com/v1/connect/customers/cus_1?expand=x"
        );
        assert_eq!(request.headers()["molam-attempt"], "1");
        assert!(request.headers().contains_key("authorization"));
        assert!(
            !request.headers().contains_key("idempotency-key"),
            "not a POST"
        );
    }

    #[test]
    fn paths_that_could_leave_the_api_are_refused() {
        for path in [
            "v1/x",
            "/v2/x",
            "//evil.example/v1/x",
            "/v1/../admin",
            "/v1/a/./b",
            "/v1/a b",
            "/v1/a#frag",
            "/v1/é",
            "http://evil.example/v1/x",
        ] {
            let refused = client().raw(http::Method::GET, path, None, &RequestOptions::new());
            assert_eq!(
                refused.err().map(|e| e.field),
                Some("path".to_owned()),
                "{path}"
            );
        }
    }
}
