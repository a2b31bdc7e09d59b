//! Interpreting `http::Response` values (REFERENCE.md §1–2): headers, error bodies, decoding.
//!
//! Every function here accepts any response at all — empty, truncated, enormous, non-JSON,
//! with missing or garbage headers — and never panics.

use std::time::Duration;

use http::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{ApiError, ApiErrorType, DecodeError, Error};

/// The most of a raw body an error keeps (REFERENCE.md §2: at most 1 KiB).
pub const MAX_KEPT_BODY: usize = 1024;

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AnswerSource {
    /// Molam answered this call's request afresh.
    #[default]
    Network,
    /// Molam answered with its stored answer for this idempotency key
    /// (`Idempotent-Replayed: true`): an earlier request with the key had already run.
    ServerReplay,
    /// The client's durable idempotency store answered: an earlier call with this key had
    /// finished, and nothing was sent.
    Store,
}

/// Facts about a response that every result and error can carry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ResponseMeta {
    /// HTTP status.
    pub status: u16,
    /// `X-Request-Id`, when present and sane (printable ASCII, at most 255 bytes).
    pub request_id: Option<String>,
    /// The answer is a replay of an earlier answer for this idempotency key: the API's
    /// (`Idempotent-Replayed: true`) or the local store's. [`ResponseMeta::source`] says which.
    pub idempotent_replayed: bool,
    /// Requests this call sent: the attempt that produced the answer (1 = first). 0 for an
    /// answer from the local store ([`AnswerSource::Store`]), which sends nothing.
    pub attempts: u32,
    /// Where the answer came from: the network, Molam's idempotent replay, or the local store.
    pub source: AnswerSource,
    /// The idempotency key the call used, for POSTs.
    pub idempotency_key: Option<String>,
    /// The body exactly as the API sent it (forward compatibility: what this SDK does not
    /// model is still there, byte for byte). Its `Debug` shows only its length.
    pub raw_body: RawBody,
}

/// A response body as received. Cheap to clone (shared). Its `Debug` shows only the length:
/// bodies hold client secrets.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct RawBody(bytes::Bytes);

impl RawBody {
    /// The body's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl From<&[u8]> for RawBody {
    fn from(bytes: &[u8]) -> Self {
        RawBody(bytes::Bytes::copy_from_slice(bytes))
    }
}

impl From<Vec<u8>> for RawBody {
    /// Takes the body over without copying it, nor allocating anything to share it until
    /// it is first cloned.
    fn from(bytes: Vec<u8>) -> Self {
        RawBody(bytes::Bytes::from(bytes))
    }
}

impl std::fmt::Debug for RawBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RawBody({} bytes)", self.0.len())
    }
}

/// A successful answer: the decoded value plus what the response said about itself.
///
/// Derefs to the value, so `intent.id` works directly. It is one pointer wide (the value and
/// its facts live together on the heap), so handing it back through a call's states and
/// futures moves a pointer, not a whole resource.
#[derive(Clone, PartialEq)]
pub struct ApiResponse<T> {
    answer: Box<Answer<T>>,
}

#[derive(Clone, PartialEq)]
struct Answer<T> {
    value: T,
    meta: ResponseMeta,
}

impl<T: std::fmt::Debug> std::fmt::Debug for ApiResponse<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiResponse")
            .field("value", &self.answer.value)
            .field("meta", &self.answer.meta)
            .finish()
    }
}

impl<T> ApiResponse<T> {
    /// Wraps a value with its response facts.
    pub fn new(value: T, meta: ResponseMeta) -> Self {
        ApiResponse {
            answer: Box::new(Answer { value, meta }),
        }
    }

    /// The `X-Request-Id` of the response, to quote to Molam support.
    pub fn request_id(&self) -> Option<&str> {
        self.answer.meta.request_id.as_deref()
    }

    /// All facts about the response.
    pub fn meta(&self) -> &ResponseMeta {
        &self.answer.meta
    }

    /// The decoded value.
    pub fn into_inner(self) -> T {
        self.answer.value
    }

    /// The body exactly as the API sent it, for what the typed value does not model (and to
    /// print or forward the API's JSON unchanged).
    ///
    /// ```
    /// use molam_core::response::interpret;
    /// let resp = http::Response::builder().status(200)
    ///     .body(br#"{"id":"pi_1", "brand_new":[1,2]}"#.to_vec()).unwrap();
    /// let answer = interpret::<serde_json::Value>(&resp).unwrap();
    /// assert_eq!(answer.raw_body(), br#"{"id":"pi_1", "brand_new":[1,2]}"#);
    /// ```
    pub fn raw_body(&self) -> &[u8] {
        self.answer.meta.raw_body.as_bytes()
    }

    /// The value and the response facts.
    pub fn into_parts(self) -> (T, ResponseMeta) {
        let Answer { value, meta } = *self.answer;
        (value, meta)
    }
}

impl<T> std::ops::Deref for ApiResponse<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.answer.value
    }
}

// Names built once: a lookup by `&str` would parse and validate the name on every call.
const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const RETRY_AFTER: HeaderName = HeaderName::from_static("retry-after");
const SHOULD_RETRY: HeaderName = HeaderName::from_static("molam-should-retry");
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

fn header_str<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

/// `X-Request-Id`, if present, printable ASCII and at most 255 bytes.
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    headers.get(X_REQUEST_ID).and_then(request_id_of)
}

/// An `X-Request-Id` value, if printable ASCII and at most 255 bytes.
fn request_id_of(value: &HeaderValue) -> Option<String> {
    request_id_text(value.to_str().ok()?).map(str::to_owned)
}

/// The rule for an `X-Request-Id` value, live or stored: trimmed, non-empty, printable ASCII,
/// at most 255 bytes.
pub(crate) fn request_id_text(value: &str) -> Option<&str> {
    let v = value.trim();
    let ok = !v.is_empty() && v.len() <= 255 && v.bytes().all(|b| b.is_ascii_graphic());
    ok.then_some(v)
}

/// `Retry-After` as whole seconds (REFERENCE.md §1: an integer). Anything else — a date, a negative
/// or fractional number, garbage — is ignored. Huge values saturate (the policy caps them).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = header_str(headers, &RETRY_AFTER)?;
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Duration::from_secs(v.parse::<u64>().unwrap_or(u64::MAX)))
}

/// `Molam-Should-Retry: true|false` (case-insensitive); anything else is ignored.
pub fn should_retry(headers: &HeaderMap) -> Option<bool> {
    let v = header_str(headers, &SHOULD_RETRY)?;
    if v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// `Idempotent-Replayed: true`.
pub fn idempotent_replayed(headers: &HeaderMap) -> bool {
    headers.get(REPLAYED).is_some_and(replayed_of)
}

fn replayed_of(value: &HeaderValue) -> bool {
    value
        .to_str()
        .is_ok_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// At most [`MAX_KEPT_BODY`] bytes of `body` as text, cut on a character boundary, with
/// invalid UTF-8 replaced and the value of every JSON key ending in `secret` (a payment
/// intent's `client_secret`) masked: errors keep snippets, and errors get logged.
///
/// ```
/// use molam_core::response::body_snippet;
/// let body = br#"{"id":"pi_1","client_secret":"pi_1_secret_abc","amount":"x"}"#;
/// assert_eq!(body_snippet(body), r#"{"id":"pi_1","client_secret":"****","amount":"x"}"#);
/// ```
pub fn body_snippet(body: &[u8]) -> String {
    let cut = &body[..body.len().min(MAX_KEPT_BODY)];
    let text = String::from_utf8_lossy(cut);
    let text = match std::str::from_utf8(cut) {
        // A multi-byte character split by the cut shows as one replacement character: drop it.
        Err(e) if e.error_len().is_none() => text.trim_end_matches('\u{FFFD}').to_owned(),
        _ => text.into_owned(),
    };
    crate::redact::redact_json_secrets(&text)
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
    message: Option<String>,
    param: Option<String>,
    decline_code: Option<String>,
    doc_url: Option<String>,
}

/// The error type implied by a status when the body names none.
pub fn error_type_for_status(status: u16) -> ApiErrorType {
    match status {
        400 | 404 => ApiErrorType::InvalidRequest,
        401 => ApiErrorType::Authentication,
        402 => ApiErrorType::Payment,
        403 => ApiErrorType::Permission,
        409 | 422 => ApiErrorType::Idempotency,
        429 => ApiErrorType::RateLimit,
        408 | 500..=599 => ApiErrorType::Api,
        other => ApiErrorType::Unknown(format!("http_{other}")),
    }
}

/// Builds the [`ApiError`] for a non-2xx response. A body that is not the error object of
/// REFERENCE.md §2 still yields an error with the status, the request id and ≤ 1 KiB of the body.
pub fn api_error(response: &http::Response<Vec<u8>>) -> ApiError {
    let status = response.status().as_u16();
    let headers = response.headers();
    let mut error = ApiError::new(status, error_type_for_status(status), "");
    error.request_id = request_id(headers);
    error.retry_after = retry_after(headers);
    match serde_json::from_slice::<ErrorEnvelope>(response.body()) {
        Ok(ErrorEnvelope { error: body }) => {
            if let Some(kind) = body.kind {
                error.kind = ApiErrorType::from_wire(&kind);
            }
            error.code = body.code;
            error.param = body.param;
            error.decline_code = body.decline_code;
            error.doc_url = body.doc_url;
            error.message = body
                .message
                .unwrap_or_else(|| format!("HTTP {status} with no error message"));
        }
        Err(_) => {
            let reason = response
                .status()
                .canonical_reason()
                .unwrap_or("unknown status");
            error.message = if response.body().is_empty() {
                format!("HTTP {status} {reason} with an empty body")
            } else {
                format!("HTTP {status} {reason} with a body that is not a Molam error object")
            };
            error.raw_body = (!response.body().is_empty()).then(|| body_snippet(response.body()));
        }
    }
    error
}

/// Decodes a 2xx body into `T`.
pub fn decode<T: DeserializeOwned>(response: &http::Response<Vec<u8>>) -> Result<T, DecodeError> {
    let failed = |reason: String| {
        DecodeError::new(
            response.status().as_u16(),
            request_id(response.headers()),
            reason,
            body_snippet(response.body()),
        )
    };
    // JSON is UTF-8: checked once over the whole body, then parsed as text, which spares the
    // parser a check of every string it reads (an object holds dozens).
    let text = std::str::from_utf8(response.body())
        .map_err(|e| failed(format!("the body is not UTF-8 text: {e}")))?;
    serde_json::from_str(text).map_err(|e| failed(e.to_string()))
}

/// Interprets one response with no retry logic: `Ok` for a decodable 2xx, the typed error
/// otherwise.
///
/// ```
/// use molam_core::response::interpret;
/// let resp = http::Response::builder()
///     .status(402)
///     .header("x-request-id", "req_123")
///     .body(br#"{"error":{"type":"payment_error","code":"card_declined","message":"Declined"}}"#.to_vec())
///     .unwrap();
/// let err = interpret::<serde_json::Value>(&resp).unwrap_err();
/// assert_eq!(err.status(), Some(402));
/// assert_eq!(err.request_id(), Some("req_123"));
/// assert_eq!(err.api_error().unwrap().code.as_deref(), Some("card_declined"));
/// ```
pub fn interpret<T: DeserializeOwned>(
    response: &http::Response<Vec<u8>>,
) -> Result<ApiResponse<T>, Error> {
    if !response.status().is_success() {
        return Err(api_error(response).into());
    }
    let value = decode(response)?;
    Ok(ApiResponse::new(value, meta(response, 1, None)))
}

/// A decodable 2xx response as the call's answer, its body moved into
/// [`ResponseMeta::raw_body`] rather than copied (the answer of every successful call).
pub(crate) fn answer<T: DeserializeOwned>(
    response: http::Response<Vec<u8>>,
    attempts: u32,
    idempotency_key: Option<String>,
) -> Result<ApiResponse<T>, Error> {
    let value = decode(&response)?;
    let (parts, body) = response.into_parts();
    let meta = meta_of(
        parts.status,
        &parts.headers,
        attempts,
        idempotency_key,
        RawBody::from(body),
    );
    Ok(ApiResponse::new(value, meta))
}

/// The [`ResponseMeta`] of a response.
pub fn meta(
    response: &http::Response<Vec<u8>>,
    attempts: u32,
    idempotency_key: Option<&str>,
) -> ResponseMeta {
    meta_of(
        response.status(),
        response.headers(),
        attempts,
        idempotency_key.map(str::to_owned),
        RawBody::from(response.body().as_slice()),
    )
}

fn meta_of(
    status: http::StatusCode,
    headers: &http::HeaderMap,
    attempts: u32,
    idempotency_key: Option<String>,
    raw_body: RawBody,
) -> ResponseMeta {
    // One pass over the few headers of an answer finds both (the first of each counts, as
    // with `HeaderMap::get`), without hashing their names.
    let (mut request_id, mut replayed) = (None, None);
    for (name, value) in headers {
        if request_id.is_none() && *name == X_REQUEST_ID {
            request_id = Some(request_id_of(value));
        } else if replayed.is_none() && *name == REPLAYED {
            replayed = Some(replayed_of(value));
        }
    }
    let replayed = replayed.unwrap_or(false);
    ResponseMeta {
        status: status.as_u16(),
        request_id: request_id.flatten(),
        idempotent_replayed: replayed,
        attempts,
        idempotency_key,
        source: if replayed {
            AnswerSource::ServerReplay
        } else {
            AnswerSource::Network
        },
        raw_body,
    }
}

#[cfg(test)]
mod tests;
