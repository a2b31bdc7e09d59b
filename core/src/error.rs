//! The one error type of the SDK, and the smaller errors it wraps.
//!
//! Every failure a caller can see is a variant of [`Error`]: bad configuration, bad parameters
//! (caught before anything is sent), an answer from the API, a transport failure, an
//! undecodable body, a retry loop that gave up, an open circuit breaker, a webhook that failed
//! verification, or a misuse of an idempotency key. No variant ever carries an API key or a
//! webhook secret: their text is safe to log.

use std::fmt;
use std::time::Duration;

use crate::webhook::SignatureError;

/// Anything that can go wrong in a call to Molam.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client configuration is invalid (nothing was sent).
    #[error("invalid configuration: {0}")]
    InvalidConfig(#[from] ConfigError),
    /// A parameter is invalid (nothing was sent).
    #[error("invalid parameter: {0}")]
    InvalidParams(#[from] ParamError),
    /// The API answered with a non-2xx status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request could not be carried (connect, send, read, timeout).
    #[error("transport: {0}")]
    Transport(#[from] TransportError),
    /// A 2xx response whose body is not the expected JSON.
    #[error("{0}")]
    Decode(Box<DecodeError>),
    /// Retrying stopped (attempt limit, deadline or retry budget); the last failure is inside.
    #[error("gave up after {attempts} attempt(s) ({reason}): {last}")]
    RetriesExhausted {
        /// How many attempts were sent.
        attempts: u32,
        /// Why retrying stopped.
        reason: GiveUpReason,
        /// The failure of the last attempt.
        last: Box<Error>,
    },
    /// The call gave up after a request may have reached Molam (a failure after sending, a
    /// timeout, a 5xx): whether it took effect is unknown. Retrying with the same
    /// `idempotency_key` (`RequestOptions::idempotency_key`) finishes the call exactly once:
    /// Molam replays the answer if the first request went through, and runs it otherwise.
    /// A retry under a new key could act twice.
    #[error(
        "outcome unknown: a request may have reached Molam before the call gave up; retry with \
         idempotency key {idempotency_key} to finish it exactly once ({last})"
    )]
    OutcomeUnknown {
        /// The idempotency key every attempt carried.
        idempotency_key: String,
        /// Why the call stopped: [`Error::RetriesExhausted`], [`Error::CircuitOpen`] or a
        /// final [`Error::Api`] with a 5xx status.
        #[source]
        last: Box<Error>,
    },
    /// The client-wide circuit breaker is open: the call failed fast without any I/O.
    #[error(
        "circuit breaker open: Molam looks unavailable, next probe in {:.1} s",
        retry_in.as_secs_f64()
    )]
    CircuitOpen {
        /// How long until the breaker lets a probe request through.
        retry_in: Duration,
    },
    /// A webhook failed verification.
    #[error("webhook signature: {0}")]
    Signature(#[from] SignatureError),
    /// A webhook whose signature verified but whose body is not a Molam event.
    #[error("verified webhook body is not a Molam event: {message}")]
    InvalidEvent {
        /// What the decoder said (never the body's secrets).
        message: String,
    },
    /// A durable idempotency store refused the call.
    #[error("idempotency: {0}")]
    Idempotency(#[from] IdempotencyError),
}

impl Error {
    /// The `X-Request-Id` of the response this error came from, if any.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Decode(e) => e.request_id.as_deref(),
            Error::RetriesExhausted { last, .. } | Error::OutcomeUnknown { last, .. } => {
                last.request_id()
            }
            _ => None,
        }
    }

    /// The HTTP status of the response this error came from, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::RetriesExhausted { last, .. } | Error::OutcomeUnknown { last, .. } => {
                last.status()
            }
            _ => None,
        }
    }

    /// The API error inside this error (directly, or as the last failure before giving up).
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::RetriesExhausted { last, .. } | Error::OutcomeUnknown { last, .. } => {
                last.api_error()
            }
            _ => None,
        }
    }

    /// For [`Error::OutcomeUnknown`], the idempotency key to retry with so that the call is
    /// finished exactly once; `None` for every error whose outcome is known.
    pub fn unknown_outcome_key(&self) -> Option<&str> {
        match self {
            Error::OutcomeUnknown {
                idempotency_key, ..
            } => Some(idempotency_key),
            _ => None,
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(Box::new(e))
    }
}

/// Why a retry loop stopped retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GiveUpReason {
    /// The maximum number of attempts was sent.
    MaxAttempts,
    /// The next wait would pass the per-call deadline.
    Deadline,
    /// The client-wide retry budget is spent (an outage is likely).
    RetryBudget,
}

impl fmt::Display for GiveUpReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GiveUpReason::MaxAttempts => "attempt limit reached",
            GiveUpReason::Deadline => "call deadline reached",
            GiveUpReason::RetryBudget => "retry budget exhausted",
        })
    }
}

/// A configuration value that cannot be used. Never contains the value of a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No API key was given.
    #[error("no API key: set MOLAM_API_KEY or call ConfigBuilder::api_key")]
    MissingApiKey,
    /// The API key does not start with `sk_test_`, `sk_live_` or `jwt_`, or has bad characters.
    #[error("API key must start with sk_test_, sk_live_ or jwt_ and be printable ASCII")]
    InvalidApiKey,
    /// The base URL cannot be parsed or uses another scheme than https/http.
    #[error("invalid API base URL: {0}")]
    InvalidBaseUrl(String),
    /// `http://` to a loopback host (the host is inside) without the opt-in.
    #[error(
        "plain http:// to {0} needs the opt-in for local mocks: set MOLAM_ALLOW_INSECURE_HTTP=1 \
         or call ConfigBuilder::allow_insecure_http(true)"
    )]
    InsecureHttp(String),
    /// `http://` to a host that is not a loopback address (the host is inside): refused even
    /// with the opt-in, which only ever allows a local mock.
    #[error(
        "plain http:// to {0} is refused: it is not a loopback host (localhost, 127.0.0.0/8, \
         [::1]), and MOLAM_ALLOW_INSECURE_HTTP / allow_insecure_http only allow those; use https://"
    )]
    InsecureRemoteHttp(String),
    /// A setting has a value out of range or unparsable.
    #[error("invalid value for {name}: {reason}")]
    InvalidValue {
        /// The setting (builder method or environment variable).
        name: &'static str,
        /// What is wrong with it (never the value of a secret).
        reason: String,
    },
}

/// A parameter that failed validation before any request was built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ParamError {
    /// The parameter, as named on the wire (e.g. `amount`, `metadata`, `id`).
    pub field: String,
    /// Why it was rejected.
    pub reason: String,
}

impl ParamError {
    /// A parameter error for `field`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ParamError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// The `type` of an API error (REFERENCE.md §2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorType {
    /// `invalid_request_error`: bad parameters, wrong state, unknown object.
    InvalidRequest,
    /// `authentication_error`: missing or unknown key.
    Authentication,
    /// `payment_error`: the payment was declined.
    Payment,
    /// `permission_error`: the key may not do this.
    Permission,
    /// `idempotency_error`: key in use (409) or reused with other parameters (422).
    Idempotency,
    /// `rate_limit_error`: too many requests.
    RateLimit,
    /// `api_error`: a server-side failure.
    Api,
    /// A type this SDK does not know, kept verbatim.
    Unknown(String),
}

impl ApiErrorType {
    /// Parses the wire name; unknown names are kept as [`ApiErrorType::Unknown`].
    pub fn from_wire(s: &str) -> Self {
        match s {
            "invalid_request_error" => ApiErrorType::InvalidRequest,
            "authentication_error" => ApiErrorType::Authentication,
            "payment_error" => ApiErrorType::Payment,
            "permission_error" => ApiErrorType::Permission,
            "idempotency_error" => ApiErrorType::Idempotency,
            "rate_limit_error" => ApiErrorType::RateLimit,
            "api_error" => ApiErrorType::Api,
            other => ApiErrorType::Unknown(other.to_owned()),
        }
    }

    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            ApiErrorType::InvalidRequest => "invalid_request_error",
            ApiErrorType::Authentication => "authentication_error",
            ApiErrorType::Payment => "payment_error",
            ApiErrorType::Permission => "permission_error",
            ApiErrorType::Idempotency => "idempotency_error",
            ApiErrorType::RateLimit => "rate_limit_error",
            ApiErrorType::Api => "api_error",
            ApiErrorType::Unknown(s) => s,
        }
    }
}

impl fmt::Display for ApiErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-2xx answer from the API (REFERENCE.md §2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The error's `type`; derived from the status when the body has none.
    pub kind: ApiErrorType,
    /// The error's `code` (e.g. `card_declined`, `resource_missing`).
    pub code: Option<String>,
    /// Human-readable message from the API (or a summary when the body was not JSON).
    pub message: String,
    /// The parameter at fault, if the API named one.
    pub param: Option<String>,
    /// For declines, the issuer's reason.
    pub decline_code: Option<String>,
    /// A link to documentation about this error.
    pub doc_url: Option<String>,
    /// The `X-Request-Id` response header.
    pub request_id: Option<String>,
    /// `Retry-After`, when the server sent a valid one.
    pub retry_after: Option<Duration>,
    /// At most 1 KiB of the raw body, kept when it was not a well-formed error object.
    pub raw_body: Option<String>,
}

impl ApiError {
    /// An API error with only a status and a kind; the other fields empty.
    pub fn new(status: u16, kind: ApiErrorType, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            code: None,
            message: message.into(),
            param: None,
            decline_code: None,
            doc_url: None,
            request_id: None,
            retry_after: None,
            raw_body: None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Molam API error {} {}", self.status, self.kind)?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(param) = &self.param {
            write!(f, " [param: {param}]")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id: {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A 2xx response whose body could not be decoded into the expected type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not decode the {status} response{}: {message}", RequestIdSuffix(request_id.as_deref()))]
#[non_exhaustive]
pub struct DecodeError {
    /// HTTP status.
    pub status: u16,
    /// The `X-Request-Id` response header.
    pub request_id: Option<String>,
    /// What the decoder said.
    pub message: String,
    /// At most 1 KiB of the body.
    pub body_snippet: String,
}

impl DecodeError {
    /// A decode error.
    pub fn new(
        status: u16,
        request_id: Option<String>,
        message: impl Into<String>,
        body_snippet: impl Into<String>,
    ) -> Self {
        DecodeError {
            status,
            request_id,
            message: message.into(),
            body_snippet: body_snippet.into(),
        }
    }
}

/// ` (request id req_…)`, or nothing when the response had no `X-Request-Id`.
struct RequestIdSuffix<'a>(Option<&'a str>);

impl fmt::Display for RequestIdSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, " (request id {id})"),
            None => Ok(()),
        }
    }
}

/// What went wrong in carrying a request, as reported by a shell's transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The request was never sent: DNS, connection refused, TLS handshake. Always safe to retry.
    Connect,
    /// The request may have reached the server: reset, broken pipe, truncated response.
    /// Retried because GETs are safe and every POST carries an idempotency key.
    AfterSend,
    /// No complete response within the per-attempt timeout (the request may have been processed).
    Timeout,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::AfterSend => "connection failed after the request was sent",
            TransportErrorKind::Timeout => "no response in time",
        })
    }
}

/// A transport failure. Shells build it from their HTTP client's error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct TransportError {
    /// Where in the exchange it failed.
    pub kind: TransportErrorKind,
    /// The HTTP client's description (must not contain secrets; shells never put headers here).
    pub message: String,
}

impl TransportError {
    /// A failure before the request was sent.
    pub fn connect(message: impl Into<String>) -> Self {
        TransportError {
            kind: TransportErrorKind::Connect,
            message: message.into(),
        }
    }

    /// A failure after the request may have been sent.
    pub fn after_send(message: impl Into<String>) -> Self {
        TransportError {
            kind: TransportErrorKind::AfterSend,
            message: message.into(),
        }
    }

    /// A per-attempt timeout.
    pub fn timeout(message: impl Into<String>) -> Self {
        TransportError {
            kind: TransportErrorKind::Timeout,
            message: message.into(),
        }
    }
}

/// A durable idempotency store refused to let a call proceed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdempotencyError {
    /// Another process holds this key and has not finished; try again after its lease.
    #[error("idempotency key {key} is in progress elsewhere")]
    InProgress {
        /// The idempotency key.
        key: String,
    },
    /// The key was used before for a different request (method, path or body differ).
    #[error("idempotency key {key} was already used for a different request")]
    FingerprintMismatch {
        /// The idempotency key.
        key: String,
    },
    /// The store itself failed (database down, …). Nothing was sent.
    #[error("idempotency store failed: {0}")]
    Store(String),
}

#[cfg(test)]
mod tests;
