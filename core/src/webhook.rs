//! Webhook signatures (REFERENCE.md §5): parsing `Molam-Signature`, signing, verifying.
//!
//! Pure functions: the time of verification is a parameter (`now_unix`), secrets come from a
//! [`SecretResolver`] the caller supplies. Nothing here reads a clock or does I/O.
//!
//! Verification runs in this order, each step only when the previous one passed:
//!
//! 1. **parse** the header ([`SignatureHeader::parse`]) → [`SignatureError::Malformed`];
//! 2. **timestamp**: `|now − t|` at most the tolerance → [`SignatureError::TimestampOutsideTolerance`].
//!    Checked before any secret is looked up, so a stale or replayed delivery costs no
//!    resolver call (which may be a database read) and no MAC;
//! 3. **resolve** the secrets for the header's `kid` → [`SignatureError::UnknownKeyId`] when none,
//!    [`SignatureError::UnusableSecret`] when one breaks [`WebhookSecret::check`];
//! 4. **MAC**: accept when any `v1` equals the HMAC-SHA256 of any secret, every comparison in
//!    constant time and all of them done → [`SignatureError::SignatureMismatch`].
//!
//! ```
//! use molam_core::webhook::{self, WebhookSecret, DEFAULT_TOLERANCE};
//! let secret = WebhookSecret::new("whsec_test_5f1c2a9e").with_kid("k2024");
//! let body = br#"{"id":"evt_1","object":"event"}"#;
//! let header = webhook::sign_header(&secret, 1_700_000_000, body);
//! assert!(header.starts_with("t=1700000000,kid=k2024,v1="));
//!
//! let secrets = [secret];
//! assert_eq!(webhook::verify(&header, body, 1_700_000_120, &secrets[..], DEFAULT_TOLERANCE), Ok(()));
//! assert!(webhook::verify(&header, b"{}", 1_700_000_120, &secrets[..], DEFAULT_TOLERANCE).is_err());
//! ```

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

pub(crate) mod header;
mod secret;
#[cfg(test)]
mod tests;

pub use header::SignatureHeader;
pub use secret::{SecretListError, WebhookSecret, WebhookSecretError};

/// How far `t` may be from now, in the past or the future, by default: 300 s (REFERENCE.md §5).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);
/// A `Molam-Signature` header longer than this many bytes is malformed.
pub const MAX_HEADER_LEN: usize = 8 * 1024;
/// A `Molam-Signature` header with more comma-separated items than this is malformed.
pub const MAX_ITEMS: usize = 16;

/// Why a webhook was rejected. The text never contains a secret or an expected MAC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The delivery has no `Molam-Signature` header.
    #[error("no Molam-Signature header")]
    MissingHeader,
    /// The delivery has more than one `Molam-Signature` header: an ambiguous delivery is not
    /// guessed at.
    #[error("more than one Molam-Signature header")]
    DuplicateHeader,
    /// The `Molam-Signature` header is too long, not ASCII, or not of the form of
    /// REFERENCE.md §5.
    #[error("malformed Molam-Signature header: {0}")]
    Malformed(String),
    /// No secret is known for the header's `kid` (or no default secret without `kid`).
    #[error("no webhook secret for this key id")]
    UnknownKeyId,
    /// `t` is further than the tolerance from now, in the past or the future.
    ///
    /// ```
    /// use molam_core::webhook::SignatureError;
    /// let stale = SignatureError::TimestampOutsideTolerance { age_seconds: 301 };
    /// assert_eq!(stale.to_string(), "timestamp 301 s in the past, outside the tolerance");
    /// let early = SignatureError::TimestampOutsideTolerance { age_seconds: -301 };
    /// assert_eq!(early.to_string(), "timestamp 301 s in the future, outside the tolerance");
    /// ```
    #[error("timestamp {}, outside the tolerance", describe_age(*age_seconds))]
    TimestampOutsideTolerance {
        /// now − t, in seconds (positive: in the past; negative: in the future).
        age_seconds: i64,
    },
    /// No `v1` matches any secret.
    #[error("no signature matches")]
    SignatureMismatch,
    /// A secret resolved for the header's `kid` breaks the rule every secret follows
    /// ([`WebhookSecret::check`]: non-empty printable ASCII without spaces): an empty secret,
    /// say, from a lookup that found nothing. It is never used as an HMAC key, since anyone
    /// could sign with it; the receiver's configuration is what must change, not the delivery.
    ///
    /// ```
    /// use molam_core::webhook::{self, SignatureError, WebhookSecret};
    /// let body = br#"{"id":"evt_1"}"#;
    /// let forged = webhook::sign_header(&WebhookSecret::new(""), 1_700_000_000, body);
    /// let empty = [WebhookSecret::new("")];
    /// let result = webhook::verify(&forged, body, 1_700_000_000, &empty[..], webhook::DEFAULT_TOLERANCE);
    /// assert_eq!(result, Err(SignatureError::UnusableSecret));
    /// ```
    #[error("the webhook secret configured for this key id is empty or not printable ASCII: fix the secret the receiver uses")]
    UnusableSecret,
}

/// `301 s in the past` for a positive age, `301 s in the future` for a negative one.
fn describe_age(age_seconds: i64) -> String {
    if age_seconds >= 0 {
        format!("{age_seconds} s in the past")
    } else {
        format!("{} s in the future", age_seconds.unsigned_abs())
    }
}

/// The `v1` signature of `body` sent at `timestamp`: lower-case hex of
/// HMAC-SHA256(key = `secret`'s UTF-8 bytes, message = `"{timestamp}.{body}"`).
///
/// This is Stripe's `v1` scheme. A negative `timestamp` is signed as written (`-5.…`) but no
/// header carrying it will parse.
///
/// ```
/// let body = br#"{"id":"evt_1NtestVector","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_3Ntest","object":"payment_intent","amount":2500,"currency":"XOF","status":"succeeded"}}}"#;
/// assert_eq!(
///     molam_core::webhook::sign("whsec_test_5f1c2a9e", 1_700_000_000, body),
///     "56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73",
/// );
/// ```
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    to_lower_hex(&mac(secret, &timestamp.to_string(), body))
}

/// A `Molam-Signature` value: `t=<timestamp>[,kid=<kid>],v1=<sig>[,v1=<sig>…]`.
///
/// It only formats: a `kid` or signature out of the REFERENCE.md §5 form yields a header that
/// [`SignatureHeader::parse`] rejects, which is what tests of bad senders want.
///
/// ```
/// use molam_core::webhook::signature_header;
/// let sigs = ["aa".repeat(32), "bb".repeat(32)];
/// assert_eq!(
///     signature_header(1_700_000_000, Some("k1"), &sigs),
///     format!("t=1700000000,kid=k1,v1={},v1={}", sigs[0], sigs[1]),
/// );
/// ```
pub fn signature_header(timestamp: i64, kid: Option<&str>, signatures: &[String]) -> String {
    let mut header = format!("t={timestamp}");
    if let Some(kid) = kid {
        header.push_str(",kid=");
        header.push_str(kid);
    }
    for signature in signatures {
        header.push_str(",v1=");
        header.push_str(signature);
    }
    header
}

/// The full `Molam-Signature` header Molam would send for `body` at `timestamp`, signed with
/// `secret` and carrying its key id: for tests, mocks and webhook senders.
///
/// ```
/// use molam_core::webhook::{sign, sign_header, WebhookSecret};
/// let secret = WebhookSecret::new("whsec_test_5f1c2a9e");
/// assert_eq!(
///     sign_header(&secret, 1_700_000_000, b"{}"),
///     format!("t=1700000000,v1={}", sign("whsec_test_5f1c2a9e", 1_700_000_000, b"{}")),
/// );
/// ```
pub fn sign_header(secret: &WebhookSecret, timestamp: i64, body: &[u8]) -> String {
    let signature = sign(secret.expose_secret(), timestamp, body);
    signature_header(timestamp, secret.kid(), &[signature])
}

/// Where verification gets the candidate secrets for a header's `kid`.
///
/// `resolve(Some(kid))` is called for a header that names a key id, `resolve(None)` for one
/// that does not (the default secrets). Return every secret that may have signed — during a
/// rotation, the old and the new one. [`verify`] tries every secret returned, whatever its
/// own `kid`; an empty list fails with [`SignatureError::UnknownKeyId`].
///
/// Implemented for closures `Fn(Option<&str>) -> Vec<WebhookSecret>` (a multi-tenant platform
/// reads its tenant's secrets there) and for lists of secrets (slices, arrays, `Vec`), which
/// route by key id:
///
/// - header without `kid` → every secret in the list;
/// - header with `kid` → the secrets published under that `kid`, plus the secrets that have no
///   `kid` at all (a secret configured without a key id is not pinned to one, so a merchant
///   who pasted only `whsec_…` still verifies headers that carry a `kid`).
///
/// Routing is a matter of which secrets to try, never of trust: `kid` is not signed, and a
/// delivery is accepted only on a MAC match.
///
/// ```
/// use molam_core::webhook::{SecretResolver, WebhookSecret};
/// let secrets = vec![
///     WebhookSecret::new("whsec_old").with_kid("k1"),
///     WebhookSecret::new("whsec_new").with_kid("k2"),
/// ];
/// assert_eq!(secrets.resolve(Some("k2")), [WebhookSecret::new("whsec_new").with_kid("k2")]);
/// assert_eq!(secrets.resolve(None).len(), 2);
/// assert!(secrets.resolve(Some("k3")).is_empty());
/// ```
pub trait SecretResolver {
    /// The secrets to try for a header with this `kid` (`None`: the header has none).
    fn resolve(&self, kid: Option<&str>) -> Vec<WebhookSecret>;
}

impl SecretResolver for [WebhookSecret] {
    fn resolve(&self, kid: Option<&str>) -> Vec<WebhookSecret> {
        self.iter()
            .filter(|secret| match (kid, secret.kid()) {
                (None, _) | (Some(_), None) => true,
                (Some(wanted), Some(own)) => wanted == own,
            })
            .cloned()
            .collect()
    }
}

impl<const N: usize> SecretResolver for [WebhookSecret; N] {
    fn resolve(&self, kid: Option<&str>) -> Vec<WebhookSecret> {
        self.as_slice().resolve(kid)
    }
}

impl SecretResolver for Vec<WebhookSecret> {
    fn resolve(&self, kid: Option<&str>) -> Vec<WebhookSecret> {
        self.as_slice().resolve(kid)
    }
}

impl<F> SecretResolver for F
where
    F: Fn(Option<&str>) -> Vec<WebhookSecret>,
{
    fn resolve(&self, kid: Option<&str>) -> Vec<WebhookSecret> {
        self(kid)
    }
}

/// Verifies a webhook delivery: its raw `Molam-Signature` header value and raw body bytes,
/// at `now_unix` (unix seconds, from the caller's clock), against the secrets `resolver`
/// gives for the header's `kid`.
///
/// Parse → timestamp → resolve → MAC, as in the [module documentation](self); the first
/// failing step names the error. `Ok(())` means the body is authentic and fresh; only then
/// may it be parsed and handed to a handler.
///
/// ```
/// use molam_core::webhook::{verify, SignatureError, WebhookSecret, DEFAULT_TOLERANCE};
/// let body = br#"{"id":"evt_1NtestVector","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_3Ntest","object":"payment_intent","amount":2500,"currency":"XOF","status":"succeeded"}}}"#;
/// let header = "t=1700000000,v1=56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73";
/// let secrets = [WebhookSecret::new("whsec_test_5f1c2a9e")];
/// assert_eq!(verify(header, body, 1_700_000_300, &secrets, DEFAULT_TOLERANCE), Ok(()));
/// assert_eq!(
///     verify(header, body, 1_700_000_301, &secrets, DEFAULT_TOLERANCE),
///     Err(SignatureError::TimestampOutsideTolerance { age_seconds: 301 }),
/// );
/// ```
pub fn verify(
    header: &str,
    body: &[u8],
    now_unix: i64,
    resolver: &(impl SecretResolver + ?Sized),
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let header = SignatureHeader::parse(header)?;
    header.check_timestamp(now_unix, tolerance)?;
    let secrets = resolver.resolve(header.kid());
    header.check_signatures(body, &secrets)
}

impl SignatureHeader {
    /// Verifies this header for `body` at `now_unix` against exactly `secrets` (no routing by
    /// `kid`: every secret given is tried). Timestamp first, then
    /// [`SignatureError::UnknownKeyId`] if `secrets` is empty, [`SignatureError::UnusableSecret`]
    /// if one breaks [`WebhookSecret::check`], then the MACs.
    ///
    /// ```
    /// use molam_core::webhook::{sign_header, SignatureHeader, WebhookSecret, DEFAULT_TOLERANCE};
    /// let secret = WebhookSecret::new("whsec_test_5f1c2a9e");
    /// let header: SignatureHeader = sign_header(&secret, 1_700_000_000, b"{}").parse().unwrap();
    /// assert_eq!(header.verify(b"{}", &[secret], 1_700_000_000, DEFAULT_TOLERANCE), Ok(()));
    /// ```
    pub fn verify(
        &self,
        body: &[u8],
        secrets: &[WebhookSecret],
        now_unix: i64,
        tolerance: Duration,
    ) -> Result<(), SignatureError> {
        self.check_timestamp(now_unix, tolerance)?;
        self.check_signatures(body, secrets)
    }

    /// `|now − t| ≤ tolerance`, in exact (128-bit) arithmetic: no `t` or `now` can overflow.
    pub(crate) fn check_timestamp(
        &self,
        now_unix: i64,
        tolerance: Duration,
    ) -> Result<(), SignatureError> {
        let age = i128::from(now_unix) - i128::from(self.timestamp());
        if age.unsigned_abs() > u128::from(tolerance.as_secs()) {
            let age_seconds =
                i64::try_from(age).unwrap_or(if age < 0 { i64::MIN } else { i64::MAX });
            return Err(SignatureError::TimestampOutsideTolerance { age_seconds });
        }
        Ok(())
    }

    /// Accepts when any `v1` equals the MAC under any secret. Every pair is compared in
    /// constant time and the results are OR-ed, so the time taken does not depend on which
    /// secret or which signature matched, or how many bytes of a forgery were right.
    pub(crate) fn check_signatures(
        &self,
        body: &[u8],
        secrets: &[WebhookSecret],
    ) -> Result<(), SignatureError> {
        if secrets.is_empty() {
            return Err(SignatureError::UnknownKeyId);
        }
        // A secret given at run time (a resolver, a store, an argument) follows the same rule
        // as a configured one: an empty key would accept what anyone signs.
        if secrets.iter().any(|secret| secret.check().is_err()) {
            return Err(SignatureError::UnusableSecret);
        }
        let mut matched = Choice::from(0);
        for secret in secrets {
            let expected = mac(secret.expose_secret(), self.timestamp_text(), body);
            for signature in self.signatures() {
                // Both sides are [u8; 32]: the equal-length check holds by construction.
                matched |= expected.ct_eq(signature);
            }
        }
        if bool::from(matched) {
            Ok(())
        } else {
            Err(SignatureError::SignatureMismatch)
        }
    }
}

/// HMAC-SHA256 of `"{timestamp_text}.{body}"` keyed with `secret`'s UTF-8 bytes.
fn mac(secret: &str, timestamp_text: &str, body: &[u8]) -> [u8; 32] {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(timestamp_text.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

fn to_lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        hex.push(char::from(DIGITS[usize::from(b >> 4)]));
        hex.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    hex
}
