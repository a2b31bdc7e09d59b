//! Why a delivery was not accepted, and the answer Molam gets for it.
//!
//! 4xx tells Molam the delivery itself is wrong; 503 says "not now", so Molam delivers again
//! and nothing is lost. Response bodies carry a code and a fixed message: never a secret, an
//! expected MAC, or a store's own error text (which may name hosts); those go to the logs.

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use molam_core::inbox::{InboxError, Refusal};
use molam_core::webhook::SignatureError;
use molam_core::webhook_event::ReceiptError;

use crate::resolver::ResolveError;

/// Why the endpoint refused a delivery. Each maps to one status ([`WebhookRejection::status`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// `Content-Type` is missing or not `application/json`: 415.
    UnsupportedContentType,
    /// The body is longer than the endpoint's limit (in bytes): 413.
    BodyTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The body could not be read (the sender went away): 400.
    BodyUnreadable,
    /// The body did not arrive within the server's body read timeout ([`crate::serve()`]): 408.
    BodyTimedOut,
    /// The server holds its budget of request-body bytes already ([`crate::serve()`]): 503
    /// with `Retry-After`, so the sender delivers again once the load has passed.
    Busy,
    /// The `Molam-Signature` check failed: 400 when the header is missing, repeated or
    /// malformed, 401
    /// for an unknown key id, a timestamp outside the tolerance, or no matching signature.
    Signature(SignatureError),
    /// The body is authentic but not an event (not JSON, or no `id`/`type`): 400.
    MalformedEvent(String),
    /// The secret lookup failed: 503.
    ResolverUnavailable(ResolveError),
    /// The inbox could not record the event: 503. Nothing was recorded.
    InboxUnavailable(InboxError),
    /// The inbox rule of the core refused the authentic event (an empty id, a tenant with
    /// NUL): 422, since delivering it again would change nothing.
    EventRefused(Refusal),
}

impl WebhookRejection {
    /// The HTTP status answered.
    pub fn status(&self) -> StatusCode {
        match self {
            WebhookRejection::UnsupportedContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebhookRejection::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            WebhookRejection::BodyTimedOut => StatusCode::REQUEST_TIMEOUT,
            WebhookRejection::Busy => StatusCode::SERVICE_UNAVAILABLE,
            WebhookRejection::BodyUnreadable | WebhookRejection::MalformedEvent(_) => {
                StatusCode::BAD_REQUEST
            }
            WebhookRejection::Signature(
                SignatureError::Malformed(_)
                | SignatureError::MissingHeader
                | SignatureError::DuplicateHeader,
            ) => StatusCode::BAD_REQUEST,
            // The receiver's secret is at fault, not the delivery: Molam retries a 5xx.
            WebhookRejection::Signature(SignatureError::UnusableSecret) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            WebhookRejection::Signature(_) => StatusCode::UNAUTHORIZED,
            WebhookRejection::ResolverUnavailable(_) | WebhookRejection::InboxUnavailable(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            WebhookRejection::EventRefused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// A stable, machine-readable code, sent in the body and logged.
    pub fn code(&self) -> &'static str {
        match self {
            WebhookRejection::UnsupportedContentType => "content_type_unsupported",
            WebhookRejection::BodyTooLarge { .. } => "body_too_large",
            WebhookRejection::BodyUnreadable => "body_unreadable",
            WebhookRejection::BodyTimedOut => "body_timeout",
            WebhookRejection::Busy => "receiver_busy",
            WebhookRejection::Signature(SignatureError::MissingHeader) => {
                "signature_header_missing"
            }
            WebhookRejection::Signature(SignatureError::DuplicateHeader) => {
                "signature_header_duplicated"
            }
            WebhookRejection::Signature(SignatureError::Malformed(_)) => {
                "signature_header_malformed"
            }
            WebhookRejection::Signature(SignatureError::UnknownKeyId) => "unknown_key_id",
            WebhookRejection::Signature(SignatureError::TimestampOutsideTolerance { .. }) => {
                "timestamp_outside_tolerance"
            }
            WebhookRejection::Signature(SignatureError::UnusableSecret) => "secret_unusable",
            WebhookRejection::Signature(_) => "signature_mismatch",
            WebhookRejection::MalformedEvent(_) => "event_malformed",
            WebhookRejection::ResolverUnavailable(_) => "secrets_unavailable",
            WebhookRejection::InboxUnavailable(_) => "inbox_unavailable",
            WebhookRejection::EventRefused(_) => "event_refused",
        }
    }

    /// The message sent to the sender. The core's signature errors never contain a secret or
    /// a MAC, so they are sent as they are; store failures get a fixed text.
    pub fn public_message(&self) -> String {
        match self {
            WebhookRejection::UnsupportedContentType => {
                "Content-Type must be application/json".to_owned()
            }
            WebhookRejection::BodyTooLarge { limit } => {
                format!("body larger than {limit} bytes")
            }
            WebhookRejection::BodyUnreadable => "body could not be read".to_owned(),
            WebhookRejection::BodyTimedOut => "body did not arrive in time".to_owned(),
            WebhookRejection::Busy => "receiver busy, deliver again later".to_owned(),
            WebhookRejection::Signature(error) => error.to_string(),
            WebhookRejection::MalformedEvent(why) => format!("not a Molam event: {why}"),
            WebhookRejection::ResolverUnavailable(_) => {
                "webhook secrets unavailable, deliver again later".to_owned()
            }
            WebhookRejection::InboxUnavailable(_) => {
                "event could not be recorded, deliver again later".to_owned()
            }
            WebhookRejection::EventRefused(refusal) => format!("event refused: {refusal}"),
        }
    }
}

/// The core's reasons, each to its answer: a signature failure as itself, an authentic body
/// that is not an event as [`WebhookRejection::MalformedEvent`].
impl From<ReceiptError> for WebhookRejection {
    fn from(error: ReceiptError) -> Self {
        match error {
            ReceiptError::Signature(e) => WebhookRejection::Signature(e),
            ReceiptError::NotAnEvent(why) => WebhookRejection::MalformedEvent(why),
            // A reason added to the core later: refused as a malformed delivery.
            other => WebhookRejection::MalformedEvent(other.to_string()),
        }
    }
}

impl std::fmt::Display for WebhookRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The full cause, for logs; the response gets `public_message`.
            WebhookRejection::ResolverUnavailable(e) => write!(f, "{e}"),
            WebhookRejection::InboxUnavailable(e) => write!(f, "{e}"),
            other => f.write_str(&other.public_message()),
        }
    }
}

impl std::error::Error for WebhookRejection {}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": {
                "type": "webhook_error",
                "code": self.code(),
                "message": self.public_message(),
            }
        });
        let mut response = (self.status(), body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if self == WebhookRejection::Busy {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}
