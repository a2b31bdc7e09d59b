//! `molam.utils.webhook`: the core's webhook signatures (REFERENCE.md §5) for Python. The
//! parsing, the tolerance, the secret routing by `kid` and the constant-time comparison are
//! all the core's; this reads the clock (for these free functions: a client's
//! `verify_webhook_signature` and `construct_event` use its Rust client's `webhooks()`) and calls
//! the caller's secret lookup.

use std::cell::RefCell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use molam_core::webhook::{self, SignatureError, SignatureHeader, WebhookSecret};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::errors::to_pyerr;

/// Now, in unix seconds.
fn now_unix() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
}

/// The body as bytes: `bytes`/`bytearray` as they are, `str` as UTF-8.
fn body_bytes(raw_body: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(text) = raw_body.cast::<PyString>() {
        return Ok(text.to_str()?.as_bytes().to_vec());
    }
    raw_body.extract::<Vec<u8>>()
}

/// Secrets from what `get_secret` returned: a `str`, a list of `str`, or `None`.
fn secrets_from(value: &Bound<'_, PyAny>) -> PyResult<Vec<WebhookSecret>> {
    if value.is_none() {
        return Ok(Vec::new());
    }
    if let Ok(secret) = value.cast::<PyString>() {
        return Ok(vec![WebhookSecret::new(secret.to_str()?)]);
    }
    let secrets: Vec<String> = value.extract()?;
    Ok(secrets.into_iter().map(WebhookSecret::new).collect())
}

/// Verifies `header` for `raw_body` at `now` (unix seconds, default the clock) with the
/// secrets `get_secret(kid)` returns (`kid` is `None` when the header has none). `get_secret`
/// may also be a secret or a list of secrets. `tolerance` (seconds) defaults to the core's
/// five minutes. Returns `True`, or raises `SignatureError` whose `reason` says which check
/// failed.
#[pyfunction]
#[pyo3(signature = (header, raw_body, get_secret, *, tolerance = None, now = None))]
pub fn verify_signature(
    py: Python<'_>,
    header: Option<&str>,
    raw_body: &Bound<'_, PyAny>,
    get_secret: &Bound<'_, PyAny>,
    tolerance: Option<u64>,
    now: Option<i64>,
) -> PyResult<bool> {
    let body = body_bytes(raw_body)?;
    let Some(header) = header else {
        return Err(to_pyerr(py, SignatureError::MissingHeader.into()));
    };
    let lookup_failure: RefCell<Option<PyErr>> = RefCell::new(None);
    let resolve = |kid: Option<&str>| -> Vec<WebhookSecret> {
        let found = if get_secret.is_callable() {
            get_secret.call1((kid,)).and_then(|v| secrets_from(&v))
        } else {
            secrets_from(get_secret)
        };
        found.unwrap_or_else(|error| {
            *lookup_failure.borrow_mut() = Some(error);
            Vec::new()
        })
    };
    let verified = webhook::verify(
        header,
        &body,
        now.unwrap_or_else(now_unix),
        &resolve,
        tolerance.map_or(webhook::DEFAULT_TOLERANCE, Duration::from_secs),
    );
    match verified {
        Ok(()) => Ok(true),
        Err(error) => {
            let raised = to_pyerr(py, error.into());
            if let Some(cause) = lookup_failure.into_inner() {
                raised.set_cause(py, Some(cause));
            }
            Err(raised)
        }
    }
}

/// The parts of a `Molam-Signature` header: `{"t": int, "kid": str | None, "v1": [hex, …]}`.
/// Raises `SignatureError` (reason `malformed_header`) when it is not of REFERENCE.md §5's form.
#[pyfunction]
pub fn parse_signature_header<'py>(py: Python<'py>, header: &str) -> PyResult<Bound<'py, PyDict>> {
    let parsed = SignatureHeader::parse(header).map_err(|e| to_pyerr(py, e.into()))?;
    let parts = PyDict::new(py);
    parts.set_item("t", parsed.timestamp())?;
    parts.set_item("kid", parsed.kid())?;
    let signatures: Vec<String> = parsed
        .signatures()
        .iter()
        .map(|mac| mac.iter().map(|b| format!("{b:02x}")).collect())
        .collect();
    parts.set_item("v1", PyList::new(py, signatures)?)?;
    Ok(parts)
}

/// A `Molam-Signature` header for `raw_body` signed with `secret` at `timestamp` (default
/// now), with `kid` if given: what Molam sends, for tests and local tools.
#[pyfunction]
#[pyo3(signature = (secret, raw_body, *, timestamp = None, kid = None))]
pub fn generate_signature(
    secret: &str,
    raw_body: &Bound<'_, PyAny>,
    timestamp: Option<i64>,
    kid: Option<&str>,
) -> PyResult<String> {
    let body = body_bytes(raw_body)?;
    let mut secret = WebhookSecret::new(secret);
    if let Some(kid) = kid {
        secret = secret.with_kid(kid);
    }
    Ok(webhook::sign_header(
        &secret,
        timestamp.unwrap_or_else(now_unix),
        &body,
    ))
}
