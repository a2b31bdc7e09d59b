//! `molam.testing.MockServer`: the stateful `molam-mock` served in-process on 127.0.0.1,
//! for the user's own tests and the examples.

use std::sync::Mutex;

use molam_mock::{MockConfig, MockServer};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::config::PyConfig;
use crate::convert::to_python;

/// A local Molam API with state (payment intents, refunds, payouts, events, idempotency),
/// serving on a free port of 127.0.0.1 until `stop()` or the end of its `with` block.
#[pyclass(name = "MockServer", module = "molam.testing", frozen)]
pub struct PyMockServer {
    server: Mutex<Option<MockServer>>,
    base_url: String,
    webhook_secret: String,
}

#[pymethods]
impl PyMockServer {
    /// Starts the server. `webhook_urls` receive every event, signed with `webhook_secret`.
    #[new]
    #[pyo3(signature = (*, seed = 0, webhook_secret = "whsec_mock_secret".to_owned(), webhook_urls = Vec::new()))]
    fn new(
        py: Python<'_>,
        seed: u64,
        webhook_secret: String,
        webhook_urls: Vec<String>,
    ) -> PyResult<Self> {
        let config = MockConfig {
            seed,
            webhook_secret: webhook_secret.clone(),
            webhook_kid: None,
            webhook_urls,
            ..MockConfig::default()
        };
        let server = py
            .detach(|| MockServer::start(config))
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start the mock server: {e}")))?;
        Ok(PyMockServer {
            base_url: server.base_url().to_owned(),
            server: Mutex::new(Some(server)),
            webhook_secret,
        })
    }

    /// `http://127.0.0.1:<port>`.
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The secret webhook deliveries are signed with.
    #[getter]
    fn webhook_secret(&self) -> &str {
        &self.webhook_secret
    }

    /// A `Config` for this server: `api_key` (any well-formed test key; each key sees only
    /// its own objects), plain HTTP allowed to it, the webhook secret set.
    #[pyo3(signature = (api_key = "sk_test_molam_mock".to_owned(), *, max_retries = None))]
    fn config(
        &self,
        py: Python<'_>,
        api_key: String,
        max_retries: Option<u32>,
    ) -> PyResult<PyConfig> {
        let mut builder = molam_core::Config::builder()
            .api_key(api_key)
            .api_base(self.base_url.clone())
            .allow_insecure_http(true)
            .webhook_secret(molam_core::webhook::WebhookSecret::new(
                self.webhook_secret.clone(),
            ));
        if let Some(n) = max_retries {
            builder = builder.max_retries(n);
        }
        builder
            .build()
            .map(|inner| PyConfig { inner })
            .map_err(|e| crate::errors::to_pyerr(py, e.into()))
    }

    /// The mock's counters (requests seen, objects created, …).
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let stats = match self.server.lock() {
            Ok(server) => server.as_ref().map(|s| s.mock().stats()),
            Err(_) => None,
        };
        to_python(py, &stats.unwrap_or(serde_json::Value::Null))
    }

    /// Stops accepting, lets open requests finish and joins the server thread.
    fn stop(&self, py: Python<'_>) {
        let server = match self.server.lock() {
            Ok(mut server) => server.take(),
            Err(_) => None,
        };
        if let Some(server) = server {
            py.detach(|| server.shutdown());
        }
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.stop(py);
        false
    }

    fn __repr__(&self) -> String {
        format!("MockServer(base_url='{}')", self.base_url)
    }
}
