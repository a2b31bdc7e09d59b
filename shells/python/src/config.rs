//! `molam.Config`: the core's [`Config`], built from keyword arguments over the `MOLAM_*`
//! environment variables. Every check (key prefix, URL, insecure HTTP, ranges) is the core's.

use std::time::Duration;

use molam_core::config::{AppInfo, ConfigBuilder};
use molam_core::webhook::WebhookSecret;
use molam_core::{Config, Error};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::errors::to_pyerr;

/// The client configuration. Arguments left out are read from the `MOLAM_*` environment
/// variables (`MOLAM_API_KEY`, `MOLAM_API_BASE`, `MOLAM_WEBHOOK_SECRET`, …), then defaults.
/// Invalid values raise `molam.exceptions.ConfigError`; `repr` masks every secret.
#[pyclass(name = "Config", module = "molam", frozen)]
#[derive(Clone)]
pub struct PyConfig {
    pub(crate) inner: Config,
}

fn seconds(name: &'static str, value: f64) -> Result<Duration, Error> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        Error::InvalidConfig(molam_core::ConfigError::InvalidValue {
            name,
            reason: "must be a finite, non-negative number of seconds".to_owned(),
        })
    })
}

/// `webhook_secret`: a string, a list of strings, or a dict of key id to secret.
fn webhook_secrets(value: &Bound<'_, PyAny>) -> PyResult<Vec<WebhookSecret>> {
    if let Ok(secret) = value.cast::<PyString>() {
        return Ok(vec![WebhookSecret::new(secret.to_str()?)]);
    }
    if let Ok(by_kid) = value.cast::<PyDict>() {
        let mut secrets = Vec::new();
        for (kid, secret) in by_kid.iter() {
            let secret: String = secret.extract()?;
            secrets.push(match kid.extract::<Option<String>>()? {
                Some(kid) => WebhookSecret::new(secret).with_kid(kid),
                None => WebhookSecret::new(secret),
            });
        }
        return Ok(secrets);
    }
    let list: Vec<String> = value.extract().map_err(|_| {
        PyTypeError::new_err("webhook_secret must be a str, a list of str or a dict of kid to str")
    })?;
    Ok(list.into_iter().map(WebhookSecret::new).collect())
}

/// `app_info`: `{"name": …, "version": …}` and optionally `"url"`, as strings. The core
/// checks the values; this only reads the dict.
fn app_info(value: &Bound<'_, PyAny>) -> PyResult<(String, String, Option<String>)> {
    let shape = "app_info must be a dict of str: 'name' and 'version', optionally 'url'";
    let dict = value
        .cast::<PyDict>()
        .map_err(|_| PyTypeError::new_err(shape))?;
    let (mut name, mut version, mut url) = (None, None, None);
    for (key, value) in dict.iter() {
        let (key, value): (String, String) = (key.extract()?, value.extract()?);
        match key.as_str() {
            "name" => name = Some(value),
            "version" => version = Some(value),
            "url" => url = Some(value),
            other => {
                return Err(PyTypeError::new_err(format!(
                    "app_info has no key {other:?}: {shape}"
                )))
            }
        }
    }
    match (name, version) {
        (Some(name), Some(version)) => Ok((name, version, url)),
        _ => Err(PyTypeError::new_err(shape)),
    }
}

#[pymethods]
impl PyConfig {
    #[new]
    #[pyo3(signature = (
        api_key = None, *, api_base = None, api_version = None, webhook_secret = None,
        timeout = None, connect_timeout = None, max_retries = None, deadline = None,
        webhook_tolerance = None, allow_insecure_http = None, account = None, app_info = None,
        from_env = true,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        api_base: Option<String>,
        api_version: Option<String>,
        webhook_secret: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        max_retries: Option<u32>,
        deadline: Option<f64>,
        webhook_tolerance: Option<f64>,
        allow_insecure_http: Option<bool>,
        account: Option<String>,
        app_info: Option<&Bound<'_, PyAny>>,
        from_env: bool,
    ) -> PyResult<Self> {
        let secrets = match webhook_secret {
            Some(value) if !value.is_none() => Some(webhook_secrets(value)?),
            _ => None,
        };
        let app = match app_info {
            Some(value) if !value.is_none() => Some(self::app_info(value)?),
            _ => None,
        };
        let built = (|| -> Result<Config, Error> {
            let mut builder = if from_env {
                ConfigBuilder::from_lookup(|name| std::env::var(name).ok())?
            } else {
                Config::builder()
            };
            if let Some(key) = api_key {
                builder = builder.api_key(key);
            }
            if let Some(base) = api_base {
                builder = builder.api_base(base);
            }
            if let Some(version) = api_version {
                builder = builder.api_version(version);
            }
            if let Some(secrets) = secrets {
                builder = builder.webhook_secrets(secrets);
            }
            if let Some(t) = timeout {
                builder = builder.timeout(seconds("timeout", t)?);
            }
            if let Some(t) = connect_timeout {
                builder = builder.connect_timeout(seconds("connect_timeout", t)?);
            }
            if let Some(n) = max_retries {
                builder = builder.max_retries(n);
            }
            if let Some(t) = deadline {
                builder = builder.deadline(seconds("deadline", t)?);
            }
            if let Some(t) = webhook_tolerance {
                builder = builder.webhook_tolerance(seconds("webhook_tolerance", t)?);
            }
            if let Some(allow) = allow_insecure_http {
                builder = builder.allow_insecure_http(allow);
            }
            if let Some(account) = account {
                builder = builder.account(molam_core::account::AccountId::new(account)?);
            }
            if let Some((name, version, url)) = app {
                let mut app = AppInfo::new(name, version)?;
                if let Some(url) = url {
                    app = app.with_url(url)?;
                }
                builder = builder.app_info(app);
            }
            Ok(builder.build()?)
        })();
        built
            .map(|inner| PyConfig { inner })
            .map_err(|e| to_pyerr(py, e))
    }

    /// A configuration from the `MOLAM_*` environment variables alone.
    #[staticmethod]
    fn from_env(py: Python<'_>) -> PyResult<Self> {
        Config::from_env()
            .map(|inner| PyConfig { inner })
            .map_err(|e| to_pyerr(py, e.into()))
    }

    /// The API key, masked (`sk_test_****cdef`); the key itself is never readable back.
    #[getter]
    fn api_key(&self) -> String {
        self.inner.api_key().to_string()
    }

    /// The base URL, without a trailing slash.
    #[getter]
    fn api_base(&self) -> &str {
        self.inner.api_base()
    }

    /// The pinned API version (`Molam-Version`).
    #[getter]
    fn api_version(&self) -> &str {
        self.inner.api_version()
    }

    /// Per-attempt timeout, in seconds.
    #[getter]
    fn timeout(&self) -> f64 {
        self.inner.timeout().as_secs_f64()
    }

    /// Connect timeout, in seconds.
    #[getter]
    fn connect_timeout(&self) -> f64 {
        self.inner.connect_timeout().as_secs_f64()
    }

    /// Attempts per call, the first one included.
    #[getter]
    fn max_attempts(&self) -> u32 {
        self.inner.retry_policy().max_attempts
    }

    /// How far a webhook's timestamp may be from now, in seconds.
    #[getter]
    fn webhook_tolerance(&self) -> f64 {
        self.inner.webhook_tolerance().as_secs_f64()
    }

    /// How many webhook secrets are configured (their values are never readable back).
    #[getter]
    fn webhook_secret_count(&self) -> usize {
        self.inner.webhook_secrets().len()
    }

    /// The connected account (`acct_…`) every request acts for (REFERENCE.md §6), if any.
    #[getter]
    fn account(&self) -> Option<String> {
        self.inner.account().map(|a| a.to_string())
    }

    /// The integration declared in the `User-Agent` (`{"name", "version", "url"}`), if any.
    #[getter]
    fn app_info<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(app) = self.inner.app_info() else {
            return Ok(None);
        };
        let dict = PyDict::new(py);
        dict.set_item("name", app.name())?;
        dict.set_item("version", app.version())?;
        if let Some(url) = app.url() {
            dict.set_item("url", url)?;
        }
        Ok(Some(dict))
    }

    /// Whether plain `http://` to a loopback host is allowed.
    #[getter]
    fn allow_insecure_http(&self) -> bool {
        self.inner.allow_insecure_http()
    }

    fn __repr__(&self) -> String {
        let secrets: Vec<String> = self
            .inner
            .webhook_secrets()
            .iter()
            .map(|s| format!("{s:?}"))
            .collect();
        format!(
            "Config(api_key='{}', api_base='{}', api_version='{}', webhook_secrets=[{}], \
             timeout={}, max_attempts={}, allow_insecure_http={})",
            self.inner.api_key(),
            self.inner.api_base(),
            self.inner.api_version(),
            secrets.join(", "),
            self.inner.timeout().as_secs_f64(),
            self.inner.retry_policy().max_attempts,
            if self.inner.allow_insecure_http() {
                "True"
            } else {
                "False"
            },
        )
    }
}
