//! The core's [`Error`] as the exceptions of `molam.exceptions` (defined in Python, so that
//! they carry the seed's attributes and can be caught and subclassed as usual).
//!
//! The mapping only moves fields: which failures are retried, final or misuse is decided by
//! the core before an error ever gets here.

use molam_core::error::{GiveUpReason, IdempotencyError, TransportErrorKind};
use molam_core::{ApiErrorType, ConfigError, Error};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};

static EXCEPTIONS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let module = EXCEPTIONS.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("molam.exceptions")?.unbind())
    })?;
    module.bind(py).getattr(name)
}

/// Raises `molam.exceptions.<name>(message, **fields)`.
fn raise(py: Python<'_>, name: &str, message: String, fields: &Bound<'_, PyDict>) -> PyErr {
    let built = class(py, name).and_then(|class| class.call((message,), Some(fields)));
    match built {
        Ok(exception) => PyErr::from_value(exception),
        Err(error) => error,
    }
}

/// The exception for `error`.
pub(crate) fn to_pyerr(py: Python<'_>, error: Error) -> PyErr {
    match build(py, &error, error.to_string(), None) {
        Ok(exception) => exception,
        Err(failed) => failed,
    }
}

/// A `ValidationError`'s `errors`: `[{"field": …, "message": …}]`.
fn field_errors<'py>(py: Python<'py>, field: &str, message: &str) -> PyResult<Bound<'py, PyList>> {
    let entry = PyDict::new(py);
    entry.set_item("field", field)?;
    entry.set_item("message", message)?;
    PyList::new(py, [entry])
}

fn config_field(error: &ConfigError) -> &'static str {
    match error {
        ConfigError::MissingApiKey | ConfigError::InvalidApiKey => "api_key",
        ConfigError::InvalidBaseUrl(_)
        | ConfigError::InsecureHttp(_)
        | ConfigError::InsecureRemoteHttp(_) => "api_base",
        ConfigError::InvalidValue { name, .. } => name,
        _ => "config",
    }
}

fn give_up_reason(reason: GiveUpReason) -> &'static str {
    match reason {
        GiveUpReason::MaxAttempts => "max_attempts",
        GiveUpReason::Deadline => "deadline",
        GiveUpReason::RetryBudget => "retry_budget",
        _ => "other",
    }
}

/// The `ApiError` subclass for an API error `type` (REFERENCE.md §2).
fn api_class(kind: &ApiErrorType) -> &'static str {
    match kind {
        ApiErrorType::InvalidRequest => "InvalidRequestError",
        ApiErrorType::Authentication => "AuthenticationError",
        ApiErrorType::Payment => "PaymentError",
        ApiErrorType::Permission => "PermissionDeniedError",
        ApiErrorType::Idempotency => "ApiIdempotencyError",
        ApiErrorType::RateLimit => "RateLimitError",
        ApiErrorType::Api => "ServerError",
        _ => "ApiError",
    }
}

/// Builds the exception with `message` (the core's text); `retried` is `(attempts, reason)` when the core gave up retrying
/// and `error` was its last failure.
fn build(
    py: Python<'_>,
    error: &Error,
    message: String,
    retried: Option<(u32, GiveUpReason)>,
) -> PyResult<PyErr> {
    let fields = PyDict::new(py);
    if let Some((attempts, reason)) = retried {
        fields.set_item("attempts", attempts)?;
        fields.set_item("give_up_reason", give_up_reason(reason))?;
    }
    let name = match error {
        Error::RetriesExhausted {
            attempts,
            reason,
            last,
        } => return build(py, last, message, Some((*attempts, *reason))),
        Error::OutcomeUnknown {
            idempotency_key,
            last,
        } => {
            fields.set_item("idempotency_key", idempotency_key)?;
            fields.set_item("last_error", to_pyerr(py, (**last).clone()).into_value(py))?;
            "OutcomeUnknownError"
        }
        Error::InvalidConfig(e) => {
            fields.set_item("errors", field_errors(py, config_field(e), &e.to_string())?)?;
            "ConfigError"
        }
        Error::InvalidParams(e) => {
            fields.set_item("errors", field_errors(py, &e.field, &e.reason)?)?;
            "ValidationError"
        }
        Error::Api(e) => {
            let body = PyDict::new(py);
            body.set_item("type", e.kind.as_str())?;
            body.set_item("code", e.code.as_deref())?;
            body.set_item("message", &e.message)?;
            body.set_item("param", e.param.as_deref())?;
            body.set_item("decline_code", e.decline_code.as_deref())?;
            body.set_item("doc_url", e.doc_url.as_deref())?;
            let payload = PyDict::new(py);
            payload.set_item("error", body)?;
            fields.set_item("status_code", e.status)?;
            fields.set_item("payload", payload)?;
            fields.set_item("request_id", e.request_id.as_deref())?;
            fields.set_item("type", e.kind.as_str())?;
            fields.set_item("code", e.code.as_deref())?;
            fields.set_item("param", e.param.as_deref())?;
            fields.set_item("decline_code", e.decline_code.as_deref())?;
            fields.set_item("retry_after", e.retry_after.map(|d| d.as_secs_f64()))?;
            fields.set_item("raw_body", e.raw_body.as_deref())?;
            api_class(&e.kind)
        }
        Error::Transport(e) => {
            fields.set_item(
                "kind",
                match e.kind {
                    TransportErrorKind::Connect => "connect",
                    TransportErrorKind::AfterSend => "after_send",
                    TransportErrorKind::Timeout => "timeout",
                    _ => "other",
                },
            )?;
            match e.kind {
                TransportErrorKind::Timeout => "TimeoutError",
                _ => "NetworkError",
            }
        }
        Error::Decode(e) => {
            fields.set_item("status_code", e.status)?;
            fields.set_item("request_id", e.request_id.as_deref())?;
            "DecodeError"
        }
        Error::CircuitOpen { retry_in } => {
            fields.set_item("retry_in", retry_in.as_secs_f64())?;
            "CircuitOpenError"
        }
        Error::Signature(e) => {
            fields.set_item("reason", molam_core::metrics::rejection_reason(e))?;
            "SignatureError"
        }
        Error::InvalidEvent { .. } => "InvalidEventError",
        Error::Idempotency(e) => {
            let key = match e {
                IdempotencyError::InProgress { key } => Some(key.as_str()),
                IdempotencyError::FingerprintMismatch { key } => Some(key.as_str()),
                _ => None,
            };
            fields.set_item("idempotency_key", key)?;
            "IdempotencyError"
        }
        _ => "MolamError",
    };
    Ok(raise(py, name, message, &fields))
}
