//! Webhook signatures against REFERENCE.md §5 and the normative vector of §7.

#![allow(
    clippy::unwrap_used,
    reason = "a test unwraps what its setup guarantees; a failure there is a test failure"
)]

use super::*;
use crate::random::RandomSource;

const SECRET: &str = "whsec_test_5f1c2a9e";
const T: i64 = 1_700_000_000;
const BODY: &[u8] = br#"{"id":"evt_1NtestVector","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_3Ntest","object":"payment_intent","amount":2500,"currency":"XOF","status":"succeeded"}}}"#;
const V1: &str = "56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73";
const HEADER: &str =
    "t=1700000000,v1=56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73";

fn secrets() -> Vec<WebhookSecret> {
    vec![WebhookSecret::new(SECRET)]
}

fn check(header: &str, body: &[u8], now: i64) -> Result<(), SignatureError> {
    verify(header, body, now, &secrets(), DEFAULT_TOLERANCE)
}

fn is_malformed(result: Result<SignatureHeader, SignatureError>) -> bool {
    matches!(result, Err(SignatureError::Malformed(_)))
}

// §7 test vector.

#[test]
fn vector_sign_yields_the_normative_v1() {
    assert_eq!(sign(SECRET, T, BODY), V1);
}

#[test]
fn vector_sign_header_yields_the_normative_header() {
    assert_eq!(sign_header(&WebhookSecret::new(SECRET), T, BODY), HEADER);
}

#[test]
fn vector_verifies_from_t_to_t_plus_tolerance() {
    assert_eq!(check(HEADER, BODY, 1_700_000_000), Ok(()));
    assert_eq!(check(HEADER, BODY, 1_700_000_300), Ok(()));
}

#[test]
fn vector_fails_one_second_past_the_tolerance() {
    assert_eq!(
        check(HEADER, BODY, 1_700_000_301),
        Err(SignatureError::TimestampOutsideTolerance { age_seconds: 301 })
    );
}

#[test]
fn vector_fails_when_t_is_more_than_the_tolerance_in_the_future() {
    assert_eq!(
        check(HEADER, BODY, 1_699_999_699),
        Err(SignatureError::TimestampOutsideTolerance { age_seconds: -301 })
    );
    assert_eq!(check(HEADER, BODY, 1_699_999_700), Ok(()));
}

#[test]
fn vector_with_empty_v1_is_malformed() {
    assert!(matches!(
        check("t=1700000000,v1=", BODY, T),
        Err(SignatureError::Malformed(_))
    ));
}

#[test]
fn vector_with_truncated_v1_is_malformed() {
    assert!(matches!(
        check("t=1700000000,v1=56de", BODY, T),
        Err(SignatureError::Malformed(_))
    ));
}

#[test]
fn vector_with_one_digit_changed_is_a_mismatch() {
    let forged = HEADER.replace("v1=56de", "v1=57de");
    assert_eq!(
        check(&forged, BODY, T),
        Err(SignatureError::SignatureMismatch)
    );
    let last_changed = format!("{}4", &HEADER[..HEADER.len() - 1]);
    assert_eq!(
        check(&last_changed, BODY, T),
        Err(SignatureError::SignatureMismatch)
    );
}

// Parsing.

#[test]
fn parse_reads_timestamp_kid_and_signatures() {
    let header = SignatureHeader::parse(&format!("t=1700000000,kid=k_2024-a,v1={V1}")).unwrap();
    assert_eq!(header.timestamp(), T);
    assert_eq!(header.kid(), Some("k_2024-a"));
    assert_eq!(header.signatures().len(), 1);
    assert_eq!(
        header.signatures()[0][..4],
        [0x56, 0xde, 0x17, 0x19],
        "v1 decoded from hex"
    );
    assert_eq!(header.signatures()[0][31], 0x73);
}

#[test]
fn from_str_is_parse() {
    assert_eq!(
        HEADER.parse::<SignatureHeader>(),
        SignatureHeader::parse(HEADER)
    );
}

#[test]
fn empty_header_is_malformed() {
    assert!(is_malformed(SignatureHeader::parse("")));
    assert!(is_malformed(SignatureHeader::parse("   ")));
}

#[test]
fn only_commas_is_malformed() {
    assert!(is_malformed(SignatureHeader::parse(",,,,")));
}

#[test]
fn missing_t_is_malformed() {
    assert!(is_malformed(SignatureHeader::parse(&format!("v1={V1}"))));
}

#[test]
fn missing_v1_is_malformed() {
    assert!(is_malformed(SignatureHeader::parse("t=1700000000,kid=k1")));
}

#[test]
fn duplicate_t_is_malformed_even_when_equal() {
    assert!(is_malformed(SignatureHeader::parse(&format!(
        "t=1700000000,t=1700000000,v1={V1}"
    ))));
}

#[test]
fn duplicate_kid_is_malformed() {
    assert!(is_malformed(SignatureHeader::parse(&format!(
        "t=1700000000,kid=a,kid=a,v1={V1}"
    ))));
}

#[test]
fn kid_with_characters_outside_the_alphabet_is_malformed() {
    for kid in ["a.b", "a/b", "a b", "k=1", "ключ", "a+b", ""] {
        let header = format!("t=1700000000,kid={kid},v1={V1}");
        assert!(is_malformed(SignatureHeader::parse(&header)), "kid {kid:?}");
    }
}

#[test]
fn kid_of_64_characters_is_accepted_and_65_is_malformed() {
    let ok = format!("t=1700000000,kid={},v1={V1}", "k".repeat(64));
    assert_eq!(
        SignatureHeader::parse(&ok).unwrap().kid().map(str::len),
        Some(64)
    );
    let long = format!("t=1700000000,kid={},v1={V1}", "k".repeat(65));
    assert!(is_malformed(SignatureHeader::parse(&long)));
}

#[test]
fn upper_case_v1_is_malformed() {
    let header = format!("t=1700000000,v1={}", V1.to_ascii_uppercase());
    assert!(is_malformed(SignatureHeader::parse(&header)));
}

#[test]
fn v1_of_63_or_65_digits_is_malformed() {
    for v1 in [&V1[..63], &format!("{V1}0")[..]] {
        let header = format!("t=1700000000,v1={v1}");
        assert!(
            is_malformed(SignatureHeader::parse(&header)),
            "{} digits",
            v1.len()
        );
    }
}

#[test]
fn v1_with_non_hex_digits_is_malformed() {
    let header = format!("t=1700000000,v1={}", V1.replace('5', "g"));
    assert!(is_malformed(SignatureHeader::parse(&header)));
}

#[test]
fn ten_thousand_items_are_malformed() {
    let header = format!("t=1700000000,v1={V1}{}", ",x=1".repeat(10_000));
    assert!(is_malformed(SignatureHeader::parse(&header)));
    let commas = format!("t=1700000000,v1={V1}{}", ",".repeat(10_000));
    assert!(is_malformed(SignatureHeader::parse(&commas)));
}

#[test]
fn sixteen_items_are_accepted_and_seventeen_are_malformed() {
    let items = |n: usize| {
        let mut header = format!("t=1700000000,v1={V1}");
        header.push_str(&",x=1".repeat(n - 2));
        header
    };
    assert!(SignatureHeader::parse(&items(16)).is_ok());
    assert!(is_malformed(SignatureHeader::parse(&items(17))));
}

#[test]
fn header_over_8_kib_is_malformed() {
    let prefix = format!("t=1700000000,v1={V1},pad=");
    let exact = format!("{prefix}{}", "a".repeat(MAX_HEADER_LEN - prefix.len()));
    assert_eq!(exact.len(), MAX_HEADER_LEN);
    assert!(SignatureHeader::parse(&exact).is_ok());
    let over = format!("{exact}a");
    assert!(is_malformed(SignatureHeader::parse(&over)));
}

#[test]
fn non_ascii_header_is_malformed() {
    assert!(is_malformed(SignatureHeader::parse(&format!(
        "t=1700000000,v1={V1},note=é"
    ))));
    assert!(is_malformed(SignatureHeader::parse(&format!(
        "t=1700000000\u{a0},v1={V1}"
    ))));
}

#[test]
fn t_that_is_not_plain_decimal_digits_is_malformed() {
    for t in [
        "-1700000000",
        "+1700000000",
        "1700000000.5",
        "0x10",
        "1e9",
        "",
        " ",
    ] {
        let header = format!("t={t},v1={V1}");
        assert!(is_malformed(SignatureHeader::parse(&header)), "t {t:?}");
    }
}

#[test]
fn t_with_spaces_inside_is_malformed() {
    for t in ["1700 000000", "1700000000\t1", " 1700000000", "=1700000000"] {
        let header = format!("t={t},v1={V1}");
        assert!(is_malformed(SignatureHeader::parse(&header)), "t {t:?}");
    }
    assert!(is_malformed(SignatureHeader::parse(&format!(
        "t =1700000000,v1={V1}"
    ))));
}

#[test]
fn t_beyond_i64_is_malformed_without_overflow() {
    let header = format!("t=99999999999999999999,v1={V1}");
    assert!(is_malformed(SignatureHeader::parse(&header)));
    let one_past = format!("t=9223372036854775808,v1={V1}");
    assert!(is_malformed(SignatureHeader::parse(&one_past)));
}

#[test]
fn t_of_i64_max_parses_and_fails_only_on_tolerance() {
    let header = format!("t={},v1={V1}", i64::MAX);
    assert_eq!(
        SignatureHeader::parse(&header).unwrap().timestamp(),
        i64::MAX
    );
    assert_eq!(
        check(&header, BODY, i64::MIN),
        Err(SignatureError::TimestampOutsideTolerance {
            age_seconds: i64::MIN
        })
    );
    assert_eq!(
        check(&header, BODY, 0),
        Err(SignatureError::TimestampOutsideTolerance {
            age_seconds: -i64::MAX
        })
    );
}

#[test]
fn t_of_zero_against_a_far_future_now_saturates_the_reported_age() {
    let header = format!("t=0,v1={V1}");
    assert_eq!(
        check(&header, BODY, i64::MAX),
        Err(SignatureError::TimestampOutsideTolerance {
            age_seconds: i64::MAX
        })
    );
}

#[test]
fn item_without_equals_or_with_empty_key_is_malformed() {
    assert!(is_malformed(SignatureHeader::parse(&format!(
        "t=1700000000,v1={V1},garbage"
    ))));
    assert!(is_malformed(SignatureHeader::parse(&format!(
        "t=1700000000,v1={V1},=x"
    ))));
}

#[test]
fn malformed_messages_never_echo_the_header() {
    let err =
        SignatureHeader::parse("t=1700000000,kid=<script>alert(1)</script>,v1=00").unwrap_err();
    assert!(!err.to_string().contains("script"), "{err}");
    let err = SignatureHeader::parse("t=12evil34,v1=00").unwrap_err();
    assert!(!err.to_string().contains("evil"), "{err}");
}

// Tolerated forms.

#[test]
fn items_in_any_order_verify() {
    let header = format!("v1={V1},t=1700000000");
    assert_eq!(check(&header, BODY, T), Ok(()));
}

#[test]
fn whitespace_around_items_is_tolerated() {
    let header = format!(" t=1700000000 ,\tv1={V1}\t");
    assert_eq!(check(&header, BODY, T), Ok(()));
}

#[test]
fn trailing_comma_is_tolerated() {
    assert_eq!(check(&format!("{HEADER},"), BODY, T), Ok(()));
}

#[test]
fn unknown_keys_are_ignored() {
    let header = format!(
        "t=1700000000,v0=abc,scheme=future,v2={},v1={V1}",
        "Z".repeat(70)
    );
    assert_eq!(check(&header, BODY, T), Ok(()));
}

#[test]
fn timestamp_with_leading_zeros_is_signed_as_received() {
    let mac = mac(SECRET, "01700000000", BODY);
    let header = format!("t=01700000000,v1={}", to_lower_hex(&mac));
    assert_eq!(check(&header, BODY, T), Ok(()));
    // The canonical signature does not cover the zero-padded text.
    let canonical = format!("t=01700000000,v1={V1}");
    assert_eq!(
        check(&canonical, BODY, T),
        Err(SignatureError::SignatureMismatch)
    );
}

// Matching.

#[test]
fn second_v1_matching_is_accepted() {
    let header = format!("t=1700000000,v1={},v1={V1}", "0".repeat(64));
    assert_eq!(check(&header, BODY, T), Ok(()));
}

#[test]
fn rotation_second_secret_matching_is_accepted() {
    let rotating = vec![
        WebhookSecret::new("whsec_new_0000000000"),
        WebhookSecret::new(SECRET),
    ];
    assert_eq!(
        verify(HEADER, BODY, T, &rotating, DEFAULT_TOLERANCE),
        Ok(())
    );
}

#[test]
fn kid_selects_the_secret_published_under_it() {
    let old = WebhookSecret::new("whsec_old_1111111111").with_kid("k1");
    let new = WebhookSecret::new("whsec_new_2222222222").with_kid("k2");
    let both = vec![old.clone(), new.clone()];
    let by_new = sign_header(&new, T, BODY);
    assert!(by_new.contains(",kid=k2,"));
    assert_eq!(verify(&by_new, BODY, T, &both, DEFAULT_TOLERANCE), Ok(()));
    // Signed by the new secret but labelled k1: only the old secret is tried.
    let mislabelled = by_new.replace("kid=k2", "kid=k1");
    assert_eq!(
        verify(&mislabelled, BODY, T, &both, DEFAULT_TOLERANCE),
        Err(SignatureError::SignatureMismatch)
    );
}

#[test]
fn unknown_kid_is_unknown_key_id() {
    let keyed = vec![WebhookSecret::new(SECRET).with_kid("k1")];
    let header = sign_header(&WebhookSecret::new(SECRET).with_kid("k9"), T, BODY);
    assert_eq!(
        verify(&header, BODY, T, &keyed, DEFAULT_TOLERANCE),
        Err(SignatureError::UnknownKeyId)
    );
}

#[test]
fn secret_without_kid_verifies_headers_with_any_kid() {
    let header = sign_header(&WebhookSecret::new(SECRET).with_kid("k2024"), T, BODY);
    assert_eq!(check(&header, BODY, T), Ok(()));
}

#[test]
fn header_without_kid_tries_every_listed_secret() {
    let keyed = vec![
        WebhookSecret::new("whsec_other_333333333").with_kid("k1"),
        WebhookSecret::new(SECRET).with_kid("k2"),
    ];
    assert_eq!(verify(HEADER, BODY, T, &keyed, DEFAULT_TOLERANCE), Ok(()));
}

#[test]
fn closure_resolver_is_asked_with_the_header_kid() {
    let asked = std::cell::RefCell::new(Vec::new());
    let resolver = |kid: Option<&str>| {
        asked.borrow_mut().push(kid.map(str::to_owned));
        match kid {
            Some("tenant_a") => vec![WebhookSecret::new(SECRET)],
            _ => vec![],
        }
    };
    let with_kid = sign_header(&WebhookSecret::new(SECRET).with_kid("tenant_a"), T, BODY);
    assert_eq!(
        verify(&with_kid, BODY, T, &resolver, DEFAULT_TOLERANCE),
        Ok(())
    );
    assert_eq!(
        verify(HEADER, BODY, T, &resolver, DEFAULT_TOLERANCE),
        Err(SignatureError::UnknownKeyId)
    );
    assert_eq!(*asked.borrow(), [Some("tenant_a".to_owned()), None]);
}

#[test]
fn empty_secret_list_is_unknown_key_id() {
    let none: Vec<WebhookSecret> = Vec::new();
    assert_eq!(
        verify(HEADER, BODY, T, &none, DEFAULT_TOLERANCE),
        Err(SignatureError::UnknownKeyId)
    );
}

#[test]
fn stale_timestamp_is_rejected_before_the_resolver_is_asked() {
    let asked = std::cell::Cell::new(false);
    let resolver = |_: Option<&str>| {
        asked.set(true);
        secrets()
    };
    assert_eq!(
        verify(HEADER, BODY, T + 301, &resolver, DEFAULT_TOLERANCE),
        Err(SignatureError::TimestampOutsideTolerance { age_seconds: 301 })
    );
    assert!(!asked.get());
}

#[test]
fn malformed_header_is_rejected_before_the_timestamp() {
    assert!(matches!(
        check("t=1,v1=56de", BODY, T),
        Err(SignatureError::Malformed(_))
    ));
}

#[test]
fn parsed_header_verifies_against_exactly_the_given_secrets() {
    let header = SignatureHeader::parse(HEADER).unwrap();
    assert_eq!(
        header.verify(BODY, &secrets(), T, DEFAULT_TOLERANCE),
        Ok(())
    );
    assert_eq!(
        header.verify(BODY, &[], T, DEFAULT_TOLERANCE),
        Err(SignatureError::UnknownKeyId)
    );
    assert_eq!(
        header.verify(BODY, &secrets(), T + 301, DEFAULT_TOLERANCE),
        Err(SignatureError::TimestampOutsideTolerance { age_seconds: 301 })
    );
}

#[test]
fn zero_tolerance_accepts_only_the_exact_second() {
    let zero = Duration::ZERO;
    assert_eq!(verify(HEADER, BODY, T, &secrets(), zero), Ok(()));
    assert!(verify(HEADER, BODY, T + 1, &secrets(), zero).is_err());
    assert!(verify(HEADER, BODY, T - 1, &secrets(), zero).is_err());
}

#[test]
fn sub_second_tolerance_rounds_down() {
    let tolerance = Duration::from_millis(300_999);
    assert_eq!(verify(HEADER, BODY, T + 300, &secrets(), tolerance), Ok(()));
    assert!(verify(HEADER, BODY, T + 301, &secrets(), tolerance).is_err());
}

// Tampering.

#[test]
fn body_with_one_byte_flipped_is_a_mismatch() {
    for i in [0, BODY.len() / 2, BODY.len() - 1] {
        let mut tampered = BODY.to_vec();
        tampered[i] ^= 0x01;
        assert_eq!(
            check(HEADER, &tampered, T),
            Err(SignatureError::SignatureMismatch),
            "byte {i}"
        );
    }
}

#[test]
fn truncated_body_is_a_mismatch() {
    assert_eq!(
        check(HEADER, &BODY[..BODY.len() - 1], T),
        Err(SignatureError::SignatureMismatch)
    );
}

#[test]
fn body_with_bytes_appended_is_a_mismatch() {
    let mut longer = BODY.to_vec();
    longer.push(b'\n');
    assert_eq!(
        check(HEADER, &longer, T),
        Err(SignatureError::SignatureMismatch)
    );
}

#[test]
fn changed_timestamp_is_a_mismatch() {
    let moved = HEADER.replace("t=1700000000", "t=1700000001");
    assert_eq!(
        check(&moved, BODY, T),
        Err(SignatureError::SignatureMismatch)
    );
}

#[test]
fn wrong_secret_is_a_mismatch() {
    let other = vec![WebhookSecret::new("whsec_test_5f1c2a9f")];
    assert_eq!(
        verify(HEADER, BODY, T, &other, DEFAULT_TOLERANCE),
        Err(SignatureError::SignatureMismatch)
    );
}

#[test]
fn empty_body_is_signed_and_verified() {
    let header = sign_header(&WebhookSecret::new(SECRET), T, b"");
    assert_eq!(check(&header, b"", T), Ok(()));
    assert_eq!(
        check(&header, b" ", T),
        Err(SignatureError::SignatureMismatch)
    );
}

#[test]
fn signature_header_formats_every_signature_in_order() {
    let sigs = [V1.to_owned(), "ab".repeat(32)];
    let header = signature_header(T, Some("k1"), &sigs);
    assert_eq!(
        header,
        format!("t=1700000000,kid=k1,v1={V1},v1={}", sigs[1])
    );
    let parsed = SignatureHeader::parse(&header).unwrap();
    assert_eq!(parsed.signatures().len(), 2);
    assert_eq!(parsed.signatures()[1], [0xab; 32]);
}

/// Stripe's `v1` scheme written independently with `hmac`: a Stripe-made header verifies.
#[test]
fn stripe_made_header_verifies() {
    let secret = "whsec_stripe_test_0123456789abcdef";
    let payload = br#"{"id":"evt_stripe","object":"event"}"#;
    let timestamp = 1_712_345_678_i64;
    let signed_payload = [timestamp.to_string().as_bytes(), b".", payload.as_slice()].concat();
    let mut stripe_mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    stripe_mac.update(&signed_payload);
    let hex: String = stripe_mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // Stripe sends a `v0` test-mode signature too; it is ignored as an unknown key.
    let header = format!("t={timestamp},v1={hex},v0={}", "0".repeat(64));
    let secrets = [WebhookSecret::new(secret)];
    assert_eq!(
        verify(
            &header,
            payload,
            timestamp + 10,
            &secrets,
            DEFAULT_TOLERANCE
        ),
        Ok(())
    );
    assert_eq!(sign(secret, timestamp, payload), hex);
}

/// No error, in `Display` or `Debug`, carries the secret or the expected MAC.
#[test]
fn errors_never_reveal_the_secret_or_the_expected_mac() {
    let expected = sign(SECRET, T, BODY);
    let tampered_expected = sign(SECRET, T, b"tampered");
    let wrong = format!("t=1700000000,v1={}", "0".repeat(64));
    let keyed = vec![WebhookSecret::new(SECRET).with_kid("k1")];
    let errors = [
        check("", BODY, T),
        check("t=x,v1=1", BODY, T),
        check(&format!("{HEADER},kid=a,kid=b"), BODY, T),
        check(HEADER, BODY, T + 10_000),
        verify(
            &format!("{HEADER},kid=k2"),
            BODY,
            T,
            &keyed,
            DEFAULT_TOLERANCE,
        ),
        check(&wrong, BODY, T),
        check(HEADER, b"tampered", T),
    ];
    for result in errors {
        let err = result.unwrap_err();
        for text in [
            err.to_string(),
            format!("{err:?}"),
            crate::Error::from(err.clone()).to_string(),
        ] {
            assert!(!text.contains(SECRET), "{text}");
            assert!(!text.contains("5f1c2a9e"), "{text}");
            assert!(!text.contains(&expected), "{text}");
            assert!(!text.contains(&tampered_expected), "{text}");
            assert!(!text.contains(&expected[..16]), "{text}");
        }
    }
}

#[test]
fn error_texts_name_the_failure() {
    assert_eq!(
        SignatureError::UnknownKeyId.to_string(),
        "no webhook secret for this key id"
    );
    assert_eq!(
        check(HEADER, BODY, T + 301).unwrap_err().to_string(),
        "timestamp 301 s in the past, outside the tolerance"
    );
    assert_eq!(
        check(HEADER, BODY, T - 301).unwrap_err().to_string(),
        "timestamp 301 s in the future, outside the tolerance"
    );
    assert_eq!(
        SignatureHeader::parse("t=1").unwrap_err().to_string(),
        "malformed Molam-Signature header: no `v1` signature"
    );
}

#[test]
fn secret_debug_is_masked() {
    let secret = WebhookSecret::new(SECRET).with_kid("k1");
    assert!(!format!("{secret:?}").contains("5f1c"));
}

// Robustness: no input panics, and no near-miss of a valid header verifies.

#[test]
fn every_single_byte_substitution_of_the_vector_header_is_rejected() {
    let printable: Vec<u8> = (0x20..0x7f).collect();
    for i in 0..HEADER.len() {
        for &b in &printable {
            let mut mutated = HEADER.as_bytes().to_vec();
            if mutated[i] == b {
                continue;
            }
            mutated[i] = b;
            let mutated = String::from_utf8(mutated).unwrap();
            assert!(
                check(&mutated, BODY, T).is_err(),
                "{mutated:?} must not verify"
            );
        }
    }
}

#[test]
fn every_strict_prefix_of_the_vector_header_is_rejected() {
    for end in 0..HEADER.len() {
        assert!(
            check(&HEADER[..end], BODY, T).is_err(),
            "prefix of {end} bytes"
        );
    }
}

#[test]
fn pseudo_random_headers_never_panic_and_parse_only_into_valid_headers() {
    let rng = crate::random::SeededRandom::new(2024);
    let alphabet = b"t=kidv1,0123456789abcdefABF -_\t";
    for round in 0..20_000 {
        let len = usize::try_from(rng.next_u64() % 120).unwrap();
        let mut text: String = (0..len)
            .map(|_| {
                let pick = usize::try_from(rng.next_u64()).unwrap() % alphabet.len();
                char::from(alphabet[pick])
            })
            .collect();
        if round % 2 == 0 {
            // Half the inputs start well-formed, so the deeper checks get exercised.
            text = format!("t=1700000000,v1={V1},{text}");
        }
        if let Ok(parsed) = SignatureHeader::parse(&text) {
            assert!(parsed.timestamp() >= 0, "{text:?}");
            assert!(!parsed.signatures().is_empty(), "{text:?}");
            assert!(parsed.kid().is_none_or(|k| (1..=64).contains(&k.len())));
        }
        let _ = verify(&text, BODY, T, &secrets(), DEFAULT_TOLERANCE);
    }
}

#[test]
fn a_secret_breaking_the_secret_rule_is_never_used_as_a_key() {
    // Anyone can sign with an empty key: such a delivery must not verify, whatever else the
    // resolver returned beside it.
    let forged = sign_header(&WebhookSecret::new(""), T, BODY);
    for secrets in [
        vec![WebhookSecret::new("")],
        vec![WebhookSecret::new(SECRET), WebhookSecret::new("")],
        vec![WebhookSecret::new("whsec with space")],
    ] {
        assert_eq!(
            verify(&forged, BODY, T, &secrets, DEFAULT_TOLERANCE),
            Err(SignatureError::UnusableSecret)
        );
        // Nor does a genuine delivery: the receiver's configuration must be fixed first.
        assert_eq!(
            verify(HEADER, BODY, T, &secrets, DEFAULT_TOLERANCE),
            Err(SignatureError::UnusableSecret)
        );
    }
    assert_eq!(check(HEADER, BODY, T), Ok(()));
    // The message says what to change and carries no secret.
    let text = SignatureError::UnusableSecret.to_string();
    assert!(text.contains("fix the secret"), "{text}");
}
