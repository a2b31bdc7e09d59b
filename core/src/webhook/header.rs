//! Parsing of the `Molam-Signature` header (REFERENCE.md §5).
//!
//! The parser is strict where a mistake could weaken verification (`t`, `kid`, `v1`) and
//! lenient only where the contract asks for it (whitespace around items, unknown keys). It
//! never echoes any part of the header in its errors: the header is attacker-controlled text
//! and errors end up in logs.

use std::str::FromStr;

use super::{SignatureError, MAX_HEADER_LEN, MAX_ITEMS};

/// Length in bytes of a `v1` signature (an HMAC-SHA256 output).
const MAC_LEN: usize = 32;
/// Longest `kid` allowed by REFERENCE.md §5.
const MAX_KID_LEN: usize = 64;

/// A parsed `Molam-Signature` header: `t=<unix seconds>[,kid=<key id>],v1=<hex>[,v1=<hex>…]`.
///
/// Parsing checks the form only; [`SignatureHeader::verify`] checks the timestamp and the MACs.
///
/// ```
/// use molam_core::webhook::SignatureHeader;
/// let h: SignatureHeader = " t=1700000000 , kid=k2024 , v1=56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73 "
///     .parse()
///     .unwrap();
/// assert_eq!(h.timestamp(), 1_700_000_000);
/// assert_eq!(h.kid(), Some("k2024"));
/// assert_eq!(h.signatures().len(), 1);
/// assert_eq!(h.signatures()[0][0], 0x56);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// `t` exactly as received (decimal digits): the signed content starts with these bytes.
    timestamp_text: String,
    timestamp: i64,
    kid: Option<String>,
    signatures: Vec<[u8; MAC_LEN]>,
}

impl SignatureHeader {
    /// Parses a `Molam-Signature` header value.
    ///
    /// Rejected as [`SignatureError::Malformed`]: a header over [`MAX_HEADER_LEN`] bytes or
    /// with more than [`MAX_ITEMS`] comma-separated items (unknown and empty ones count),
    /// non-ASCII text, an item without `=`, a missing or repeated `t`, a `t` that is not
    /// plain decimal digits or does not fit an `i64`, a repeated `kid` or one outside
    /// `[A-Za-z0-9_-]{1,64}`, no `v1`, or a `v1` that is not exactly 64 lower-case hex digits.
    /// Whitespace around items is ignored, and so are empty items (a trailing comma) and
    /// items with unknown keys.
    pub fn parse(header: &str) -> Result<Self, SignatureError> {
        if header.len() > MAX_HEADER_LEN {
            return Err(malformed("longer than 8 KiB"));
        }
        if !header.is_ascii() {
            return Err(malformed("not ASCII"));
        }
        // Bounded before any per-item work: `nth` stops at the first item past the limit.
        if header.split(',').nth(MAX_ITEMS).is_some() {
            return Err(malformed("more than 16 items"));
        }

        let mut timestamp: Option<(String, i64)> = None;
        let mut kid: Option<String> = None;
        let mut signatures = Vec::new();
        for item in header
            .split(',')
            .map(|i| i.trim_matches(|c: char| c.is_ascii_whitespace()))
        {
            if item.is_empty() {
                continue;
            }
            let Some((key, value)) = item.split_once('=') else {
                return Err(malformed("an item is not key=value"));
            };
            match key {
                "t" => {
                    if timestamp.is_some() {
                        return Err(malformed("`t` appears more than once"));
                    }
                    timestamp = Some((value.to_owned(), parse_timestamp(value)?));
                }
                "kid" => {
                    if kid.is_some() {
                        return Err(malformed("`kid` appears more than once"));
                    }
                    if !is_valid_kid(value) {
                        return Err(malformed("`kid` must match [A-Za-z0-9_-]{1,64}"));
                    }
                    kid = Some(value.to_owned());
                }
                "v1" => signatures.push(parse_v1(value)?),
                "" => return Err(malformed("an item has an empty key")),
                // Forward compatibility: future schemes (`v2=…`) and fields are skipped.
                _ => {}
            }
        }

        let Some((timestamp_text, timestamp)) = timestamp else {
            return Err(malformed("no `t`"));
        };
        if signatures.is_empty() {
            return Err(malformed("no `v1` signature"));
        }
        Ok(SignatureHeader {
            timestamp_text,
            timestamp,
            kid,
            signatures,
        })
    }

    /// `t`: when Molam signed the delivery, in unix seconds (never negative).
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// `kid`: the key id of the secret that signed, when the header names one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Every `v1` signature, decoded, in header order (at least one).
    pub fn signatures(&self) -> &[[u8; 32]] {
        &self.signatures
    }

    /// The ASCII decimal `t` exactly as received, which starts the signed content.
    pub(super) fn timestamp_text(&self) -> &str {
        &self.timestamp_text
    }
}

impl FromStr for SignatureHeader {
    type Err = SignatureError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SignatureHeader::parse(s)
    }
}

fn malformed(reason: &str) -> SignatureError {
    SignatureError::Malformed(reason.to_owned())
}

/// Decimal digits only: no sign, no spaces, no empty value, no overflow past `i64::MAX`.
fn parse_timestamp(value: &str) -> Result<i64, SignatureError> {
    if value.is_empty() {
        return Err(malformed("`t` is empty"));
    }
    value.bytes().try_fold(0i64, |acc, b| {
        if !b.is_ascii_digit() {
            return Err(malformed("`t` must be decimal digits"));
        }
        acc.checked_mul(10)
            .and_then(|acc| acc.checked_add(i64::from(b - b'0')))
            .ok_or_else(|| malformed("`t` is out of range"))
    })
}

pub(crate) fn is_valid_kid(value: &str) -> bool {
    (1..=MAX_KID_LEN).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Exactly 64 lower-case hex digits.
fn parse_v1(value: &str) -> Result<[u8; MAC_LEN], SignatureError> {
    let bad = || malformed("`v1` must be 64 lower-case hex digits");
    if value.len() != 2 * MAC_LEN {
        return Err(bad());
    }
    let mut mac = [0u8; MAC_LEN];
    for (byte, pair) in mac.iter_mut().zip(value.as_bytes().chunks_exact(2)) {
        let (Some(hi), Some(lo)) = (
            pair.first().copied().and_then(lower_hex_value),
            pair.get(1).copied().and_then(lower_hex_value),
        ) else {
            return Err(bad());
        };
        *byte = (hi << 4) | lo;
    }
    Ok(mac)
}

fn lower_hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}
