//! Property tests of webhook signing and verification (REFERENCE.md §5): a freshly signed header
//! verifies for any body, secret and time within the tolerance; any single-bit change of the
//! body or of a signature fails; any time outside the tolerance fails.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::time::Duration;

use molam_core::webhook::{
    sign, sign_header, signature_header, verify, SignatureError, WebhookSecret, DEFAULT_TOLERANCE,
};
use proptest::prelude::*;

const TOLERANCE: i64 = 300;

fn secret() -> impl Strategy<Value = WebhookSecret> {
    ("[!-~]{1,80}", proptest::option::of("[A-Za-z0-9_-]{1,64}")).prop_map(|(secret, kid)| match kid
    {
        Some(kid) => WebhookSecret::new(secret).with_kid(kid),
        None => WebhookSecret::new(secret),
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..512)
}

/// Any `t` a real sender may use (non-negative, and far from overflowing with the tolerance).
fn timestamp() -> impl Strategy<Value = i64> {
    0..=i64::MAX / 2
}

fn flip_hex_bit(signature: &str, bit: usize) -> String {
    let mut bytes: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&signature[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    bytes[bit / 8 % 32] ^= 1 << (bit % 8);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_freshly_signed_header_verifies_within_the_tolerance(
        secret in secret(),
        body in body(),
        t in timestamp(),
        offset in -TOLERANCE..=TOLERANCE,
    ) {
        let header = sign_header(&secret, t, &body);
        let secrets = [secret];
        prop_assert_eq!(verify(&header, &body, t + offset, &secrets, DEFAULT_TOLERANCE), Ok(()));
    }

    #[test]
    fn a_signature_verifies_among_rotated_secrets(
        signer in secret(),
        others in proptest::collection::vec(secret(), 0..4),
        position in any::<prop::sample::Index>(),
        body in body(),
        t in timestamp(),
    ) {
        let header = sign_header(&signer, t, &body);
        let mut secrets = others;
        let at = position.index(secrets.len() + 1);
        secrets.insert(at, signer);
        prop_assert_eq!(verify(&header, &body, t, &secrets, DEFAULT_TOLERANCE), Ok(()));
    }

    #[test]
    fn any_single_bit_flip_in_the_body_fails(
        secret in secret(),
        body in proptest::collection::vec(any::<u8>(), 1..512),
        bit in any::<prop::sample::Index>(),
        t in timestamp(),
    ) {
        let header = sign_header(&secret, t, &body);
        let mut tampered = body.clone();
        let bit = bit.index(tampered.len() * 8);
        tampered[bit / 8] ^= 1 << (bit % 8);
        prop_assert_eq!(
            verify(&header, &tampered, t, &[secret], DEFAULT_TOLERANCE),
            Err(SignatureError::SignatureMismatch)
        );
    }

    #[test]
    fn any_single_bit_flip_in_the_signature_fails(
        secret in secret(),
        body in body(),
        bit in 0usize..256,
        t in timestamp(),
    ) {
        let good = sign(secret.expose_secret(), t, &body);
        let bad = flip_hex_bit(&good, bit);
        let header = signature_header(t, secret.kid(), &[bad]);
        prop_assert_eq!(
            verify(&header, &body, t, &[secret], DEFAULT_TOLERANCE),
            Err(SignatureError::SignatureMismatch)
        );
    }

    #[test]
    fn any_single_bit_flip_in_the_header_text_never_verifies(
        secret in secret(),
        body in body(),
        bit in any::<prop::sample::Index>(),
        t in timestamp(),
    ) {
        let header = sign_header(&secret, t, &body);
        let mut bytes = header.clone().into_bytes();
        let bit = bit.index(bytes.len() * 8);
        bytes[bit / 8] ^= 1 << (bit % 8);
        let tampered = String::from_utf8_lossy(&bytes).into_owned();
        // A flip may leave an equivalent header (e.g. `kid` changed to another valid id, which
        // is not signed, or whitespace); verifying must then still be a MAC decision, and never
        // accept a `t` or `v1` that differs from what was signed.
        let result = verify(&tampered, &body, t, std::slice::from_ref(&secret), DEFAULT_TOLERANCE);
        if result.is_ok() {
            let parsed = molam_core::webhook::SignatureHeader::parse(&tampered).unwrap();
            let original = molam_core::webhook::SignatureHeader::parse(&header).unwrap();
            prop_assert_eq!(parsed.timestamp(), original.timestamp());
            prop_assert_eq!(parsed.signatures(), original.signatures());
        }
    }

    #[test]
    fn any_time_outside_the_tolerance_fails(
        secret in secret(),
        body in body(),
        t in timestamp(),
        distance in (TOLERANCE + 1)..=i64::MAX / 4,
        future in any::<bool>(),
    ) {
        let header = sign_header(&secret, t, &body);
        let now = if future { t - distance } else { t + distance };
        let expected_age = now - t;
        prop_assert_eq!(
            verify(&header, &body, now, &[secret], DEFAULT_TOLERANCE),
            Err(SignatureError::TimestampOutsideTolerance { age_seconds: expected_age })
        );
    }

    #[test]
    fn the_tolerance_bound_is_exact_for_any_tolerance(
        secret in secret(),
        body in body(),
        t in timestamp(),
        tolerance in 0u64..=1_000_000,
    ) {
        let header = sign_header(&secret, t, &body);
        let tol = Duration::from_secs(tolerance);
        let edge = i64::try_from(tolerance).unwrap();
        let secrets = [secret];
        prop_assert_eq!(verify(&header, &body, t + edge, &secrets, tol), Ok(()));
        prop_assert_eq!(verify(&header, &body, t - edge, &secrets, tol), Ok(()));
        prop_assert!(verify(&header, &body, t + edge + 1, &secrets, tol).is_err());
        prop_assert!(verify(&header, &body, t - edge - 1, &secrets, tol).is_err());
    }

    #[test]
    fn a_wrong_secret_never_verifies(
        signer in "[!-~]{1,64}",
        other in "[!-~]{1,64}",
        body in body(),
        t in timestamp(),
    ) {
        // Printable ASCII keys of at most 64 bytes are HMAC-distinct when they differ.
        prop_assume!(signer != other);
        let header = sign_header(&WebhookSecret::new(signer), t, &body);
        prop_assert_eq!(
            verify(&header, &body, t, &[WebhookSecret::new(other)], DEFAULT_TOLERANCE),
            Err(SignatureError::SignatureMismatch)
        );
    }
}
