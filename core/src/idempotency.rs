//! Idempotency keys, request fingerprints, and the pure decision a durable store makes.
//!
//! No I/O: stores (in-memory, PostgreSQL) live in the shells and call these functions.

use std::fmt;

use crate::error::ParamError;

/// A validated `Idempotency-Key`: 1–255 printable ASCII characters, no spaces (API.md §1).
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
        bytes[6] = (bytes[6] & 0x0F) | 0x40; // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80; // RFC 4122 variant
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        IdempotencyKey(format!(
            "{}-{}-{}-{}-{}",
            hex(&bytes[0..4]),
            hex(&bytes[4..6]),
            hex(&bytes[6..8]),
            hex(&bytes[8..10]),
            hex(&bytes[10..16])
        ))
    }

    /// The key as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
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
