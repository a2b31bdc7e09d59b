//! REFERENCE.md §7, the normative webhook vector, checked through the public API only (what a
//! merchant's code and the mock server see).

use molam_core::webhook::{
    sign, sign_header, verify, SignatureError, SignatureHeader, WebhookSecret, DEFAULT_TOLERANCE,
};
use molam_core::Error;

const SECRET: &str = "whsec_test_5f1c2a9e";
const BODY: &[u8] = br#"{"id":"evt_1NtestVector","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_3Ntest","object":"payment_intent","amount":2500,"currency":"XOF","status":"succeeded"}}}"#;
const V1: &str = "56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73";
const HEADER: &str =
    "t=1700000000,v1=56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73";

fn at(header: &str, now: i64) -> Result<(), SignatureError> {
    verify(
        header,
        BODY,
        now,
        &[WebhookSecret::new(SECRET)],
        DEFAULT_TOLERANCE,
    )
}

#[test]
fn signing_the_vector_gives_its_v1_and_its_header() {
    assert_eq!(sign(SECRET, 1_700_000_000, BODY), V1);
    assert_eq!(
        sign_header(&WebhookSecret::new(SECRET), 1_700_000_000, BODY),
        HEADER
    );
}

#[test]
fn the_vector_verifies_over_the_whole_tolerance_window() {
    for now in [1_700_000_000, 1_700_000_150, 1_700_000_300, 1_699_999_700] {
        assert_eq!(at(HEADER, now), Ok(()), "now = {now}");
    }
}

#[test]
fn the_vector_fails_just_outside_the_window() {
    assert_eq!(
        at(HEADER, 1_700_000_301),
        Err(SignatureError::TimestampOutsideTolerance { age_seconds: 301 })
    );
    assert_eq!(
        at(HEADER, 1_699_999_699),
        Err(SignatureError::TimestampOutsideTolerance { age_seconds: -301 })
    );
}

#[test]
fn the_vector_negative_cases_fail_with_their_kinds() {
    assert!(matches!(
        at("t=1700000000,v1=", 1_700_000_000),
        Err(SignatureError::Malformed(_))
    ));
    assert!(matches!(
        at("t=1700000000,v1=56de", 1_700_000_000),
        Err(SignatureError::Malformed(_))
    ));
    let one_digit_changed = HEADER.replace("2b73", "2b74");
    assert_eq!(
        at(&one_digit_changed, 1_700_000_000),
        Err(SignatureError::SignatureMismatch)
    );
}

#[test]
fn the_vector_header_parses_into_its_parts() {
    let header: SignatureHeader = HEADER.parse().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(header.timestamp(), 1_700_000_000);
    assert_eq!(header.kid(), None);
    assert_eq!(header.signatures().len(), 1);
}

#[test]
fn a_signature_failure_is_an_sdk_error_without_secrets() {
    let err = Error::from(SignatureError::SignatureMismatch);
    assert_eq!(err.to_string(), "webhook signature: no signature matches");
    assert!(!format!("{err:?}").contains(SECRET));
}
