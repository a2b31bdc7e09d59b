//! Idempotency keys, request fingerprints, and the pure decision a durable store makes.
//!
//! The API dedupes on `Idempotency-Key` for 24 h; a durable store makes that end-to-end on the
//! merchant's side (DESIGN.md). Before sending a POST the client *claims* its key with a
//! [`Fingerprint`] of method, path and body, and the store answers by [`decide`]:
//!
//! ```text
//!   claim ──▶ no record ──────────────────────────▶ Proceed (send; lease held until now + lease)
//!         ├─▶ other fingerprint ──────────────────▶ FingerprintMismatch (misuse of the key)
//!         ├─▶ completed ──────────────────────────▶ Replay (the stored answer, no network call)
//!         ├─▶ in progress, lease not expired ─────▶ InProgress (another process is sending)
//!         └─▶ in progress, lease expired ─────────▶ Proceed (a crashed process's claim is taken over)
//!
//!   after Proceed: final answer (should_store) ──▶ complete  → later claims Replay it
//!                  anything else (5xx, 409, 429, transport failure) ──▶ release → a retry may claim
//! ```
//!
//! No I/O here: [`decide`] is pure, time comes in as unix milliseconds from the shell's wall
//! clock, and lock tokens come from the shell's randomness. The store traits live in
//! [`store`] with an in-memory implementation; PostgreSQL implements them in `molam-postgres`.

use std::fmt;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::error::ParamError;

pub mod store;
#[cfg(test)]
mod tests;

pub use store::{
    AsyncIdempotencyStore, Claim, ClaimRequest, IdempotencyStore, InMemoryIdempotencyStore,
    LockToken, StoreFuture,
};

/// How long the API remembers a key, and so how long a completed record is worth keeping.
pub const RECORD_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// A validated `Idempotency-Key`: 1–255 printable ASCII characters, no spaces (REFERENCE.md §1).
///
/// ```
/// use molam_core::idempotency::IdempotencyKey;
/// let key = IdempotencyKey::new("order-12345:create-intent").unwrap();
/// assert_eq!(key.as_str(), "order-12345:create-intent");
/// assert!(IdempotencyKey::new("has space").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Validates a caller-chosen key.
    pub fn new(key: impl Into<String>) -> Result<Self, ParamError> {
        let key = key.into();
        if key.is_empty() || key.len() > 255 {
            return Err(ParamError::new(
                "idempotency_key",
                "must be 1 to 255 characters",
            ));
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ParamError::new(
                "idempotency_key",
                "must be printable ASCII without spaces",
            ));
        }
        Ok(IdempotencyKey(key))
    }

    /// A UUID v4 key built from 16 random bytes supplied by the caller.
    ///
    /// ```
    /// use molam_core::idempotency::IdempotencyKey;
    /// let key = IdempotencyKey::from_random_bytes([0xAB; 16]);
    /// assert_eq!(key.as_str(), "abababab-abab-4bab-abab-abababababab");
    /// ```
    pub fn from_random_bytes(mut bytes: [u8; 16]) -> Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        bytes[6] = (bytes[6] & 0x0F) | 0x40; // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80; // RFC 4122 variant

        // Where each byte's two digits go in `8-4-4-4-12`; the dashes are already there.
        const AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
        let mut text = [b'-'; 36];
        for (b, &at) in bytes.iter().zip(&AT) {
            text[at] = DIGITS[usize::from(b >> 4)];
            text[at + 1] = DIGITS[usize::from(b & 0x0f)];
        }
        // Hex digits and dashes only: always UTF-8, so never the lossy branch.
        IdempotencyKey(String::from_utf8(text.to_vec()).unwrap_or_else(lossy))
    }

    /// The key as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Text from bytes that were not UTF-8: out of line, as no caller here ever needs it.
#[cold]
#[inline(never)]
fn lossy(error: std::string::FromUtf8Error) -> String {
    String::from_utf8_lossy(error.as_bytes()).into_owned()
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdempotencyKey").field(&self.0).finish()
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// SHA-256 of a request's method, path and body: what a key was first used for.
///
/// The three fields are each prefixed with their length (8 bytes, big-endian) after a version
/// tag, so no two different requests share an encoding: `("POST", "/a", "b")` and
/// `("POST", "/ab", "")` differ. Fields are hashed exactly as given (no case folding, no JSON
/// normalisation): the client fingerprints the bytes it sends.
///
/// ```
/// use molam_core::idempotency::Fingerprint;
/// let a = Fingerprint::of("POST", "/v1/connect/payment_intents", br#"{"amount":2500}"#);
/// assert_eq!(Fingerprint::from_hex(&a.to_hex()), Some(a));
/// assert_ne!(a, Fingerprint::of("POST", "/v1/connect/payment_intents", br#"{"amount":2501}"#));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    const DOMAIN: &'static [u8] = b"molam-idempotency-fingerprint-v1";

    /// The fingerprint of a request.
    pub fn of(method: &str, path: &str, body: &[u8]) -> Self {
        let mut hash = Sha256::new();
        hash.update(Self::DOMAIN);
        for field in [method.as_bytes(), path.as_bytes(), body] {
            // usize → u64 never truncates on the platforms Rust supports (≤ 64-bit).
            hash.update((field.len() as u64).to_be_bytes());
            hash.update(field);
        }
        Fingerprint(hash.finalize().into())
    }

    /// A fingerprint from its 32 raw bytes (e.g. a `bytea` column).
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Fingerprint(bytes)
    }

    /// The 32 raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses 64 hex digits (either case); `None` for anything else.
    pub fn from_hex(s: &str) -> Option<Self> {
        if s.len() != 64 {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
            let hi = char::from(*pair.first()?).to_digit(16)?;
            let lo = char::from(*pair.get(1)?).to_digit(16)?;
            *byte = u8::try_from(hi * 16 + lo).ok()?;
        }
        Some(Fingerprint(bytes))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Fingerprint").field(&self.to_hex()).finish()
    }
}

impl From<[u8; 32]> for Fingerprint {
    fn from(bytes: [u8; 32]) -> Self {
        Fingerprint(bytes)
    }
}

/// Response headers worth replaying; everything else (`Set-Cookie`, `Authorization`,
/// hop-by-hop headers, …) is dropped before a response is stored.
const REPLAYED_HEADERS: [&str; 4] = [
    "content-type",
    "x-request-id",
    "idempotent-replayed",
    "molam-version",
];

/// A final API answer kept for replay: status, an allow-list of headers, and the body.
///
/// ```
/// use molam_core::idempotency::StoredResponse;
/// let resp = http::Response::builder()
///     .status(201)
///     .header("x-request-id", "req_1")
///     .header("set-cookie", "session=secret")
///     .body(b"{}".to_vec())
///     .unwrap();
/// let stored = StoredResponse::from_http(&resp);
/// assert_eq!(stored.headers, [("x-request-id".to_owned(), "req_1".to_owned())]);
/// assert_eq!(stored.to_http().status(), 201);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Allow-listed headers, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

impl StoredResponse {
    /// The stored answer's request id, read by the same rule as a live answer's
    /// ([`crate::response::request_id`]): the first `X-Request-Id`, trimmed, if printable
    /// ASCII and at most 255 bytes.
    ///
    /// ```
    /// use molam_core::idempotency::StoredResponse;
    /// let stored = StoredResponse {
    ///     status: 200,
    ///     headers: vec![("x-request-id".to_owned(), " req_123 ".to_owned())],
    ///     body: Vec::new(),
    /// };
    /// assert_eq!(stored.request_id(), Some("req_123"));
    /// let odd = StoredResponse { headers: vec![("x-request-id".to_owned(), "a b".to_owned())], ..stored };
    /// assert_eq!(odd.request_id(), None);
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("x-request-id"))
            .and_then(|(_, value)| crate::response::request_id_text(value))
    }

    /// Keeps the status, the body, and only the headers `Content-Type`, `X-Request-Id`,
    /// `Idempotent-Replayed` and `Molam-Version` (values that are not visible ASCII are dropped).
    pub fn from_http(resp: &http::Response<Vec<u8>>) -> Self {
        let headers = resp
            .headers()
            .iter()
            .filter(|(name, _)| REPLAYED_HEADERS.contains(&name.as_str()))
            .filter_map(|(name, value)| {
                Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
            })
            .collect();
        StoredResponse {
            status: resp.status().as_u16(),
            headers,
            body: resp.body().clone(),
        }
    }

    /// Rebuilds the response. Never panics on stored data: header names outside the
    /// allow-list or not valid, and invalid values, are skipped; a status outside 100–999
    /// (only a corrupt store holds one) becomes 500, which the client reads as a server error.
    pub fn to_http(&self) -> http::Response<Vec<u8>> {
        let mut resp = http::Response::new(self.body.clone());
        *resp.status_mut() = http::StatusCode::from_u16(self.status)
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in &self.headers {
            let name = name.to_ascii_lowercase();
            if !REPLAYED_HEADERS.contains(&name.as_str()) {
                continue;
            }
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_str(value),
            ) {
                resp.headers_mut().append(name, value);
            }
        }
        resp
    }
}

/// Whether an answer with this status is final, and so stored and replayed for its key.
///
/// Stored: 2xx, and 4xx that describe the request itself (400, 402, 404, 422, …): sending it
/// again would get the same answer. Not stored, so that a retry with the same key can still
/// succeed: 408, 409 (`idempotency_key_in_use`), 425 and 429 (come back later), 5xx (retried),
/// 1xx/3xx (not an answer), and 401 and 403, which describe the *API key* rather than the
/// request: one process with a stale key during a key rotation must not poison the shared
/// store with a 401 replayed to every other process for 24 h (nothing ran on the server, so
/// not storing them can never lead to a second charge).
///
/// ```
/// use molam_core::idempotency::should_store;
/// assert!(should_store(200) && should_store(402) && should_store(422));
/// assert!(!should_store(409) && !should_store(429) && !should_store(503) && !should_store(401));
/// ```
pub fn should_store(status: u16) -> bool {
    match status {
        200..=299 => true,
        401 | 403 | 408 | 409 | 425 | 429 => false,
        400..=499 => true,
        _ => false,
    }
}

/// Where a claimed key stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordState {
    /// A process is sending the request; its claim holds until `locked_until_ms` (unix ms,
    /// exclusive: at that instant the lease has expired).
    InProgress {
        /// End of the lease, unix milliseconds.
        locked_until_ms: i64,
    },
    /// The final answer, replayed to every later claim with the same fingerprint.
    Completed(StoredResponse),
}

/// What a store holds for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// The fingerprint of the request the key was first claimed for.
    pub fingerprint: Fingerprint,
    /// In progress or completed.
    pub state: RecordState,
}

/// What a claim should do, given the stored record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Send the request (no record, or an expired lease to take over).
    Proceed,
    /// Return this stored answer without sending.
    Replay(StoredResponse),
    /// Another process holds an unexpired lease on the key.
    InProgress,
    /// The key was claimed for a different request.
    Mismatch,
}

/// The pure rule every store applies to a claim (see the [module documentation](self)).
///
/// The fingerprint is checked first: a key reused for another request is a misuse whatever
/// state its record is in. A lease is live while `now_ms < locked_until_ms`.
///
/// ```
/// use molam_core::idempotency::{decide, Decision, Fingerprint, IdempotencyRecord, RecordState};
/// let fp = Fingerprint::of("POST", "/v1/treasury/payouts", b"{}");
/// let record = IdempotencyRecord { fingerprint: fp, state: RecordState::InProgress { locked_until_ms: 1_000 } };
/// assert_eq!(decide(None, &fp, 0), Decision::Proceed);
/// assert_eq!(decide(Some(&record), &fp, 999), Decision::InProgress);
/// assert_eq!(decide(Some(&record), &fp, 1_000), Decision::Proceed);
/// ```
pub fn decide(
    existing: Option<&IdempotencyRecord>,
    fingerprint: &Fingerprint,
    now_ms: i64,
) -> Decision {
    let Some(record) = existing else {
        return Decision::Proceed;
    };
    if record.fingerprint != *fingerprint {
        return Decision::Mismatch;
    }
    match &record.state {
        RecordState::Completed(response) => Decision::Replay(response.clone()),
        RecordState::InProgress { locked_until_ms } if now_ms < *locked_until_ms => {
            Decision::InProgress
        }
        RecordState::InProgress { .. } => Decision::Proceed,
    }
}
