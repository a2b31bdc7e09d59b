//! Inputs found by fuzzing (`fuzz/`), kept as tests of the normal suite. Each names the
//! target that found it and the behaviour it pins down. The raw inputs are also in
//! `fuzz/seeds/<target>/regression-*`, so the fuzzers start from them.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use molam_core::error::ApiErrorType;
use molam_core::resources::{Event, EventObject, EventType};
use molam_core::response::{api_error, interpret};

fn response(status: u16, body: &[u8]) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("x-request-id", "req_8Hk2a")
        .body(body.to_vec())
        .unwrap()
}

/// `error_body`: serde skips the value of an unknown field without checking its UTF-8, so a
/// body with invalid UTF-8 there is still read as an error object. The error keeps the
/// status, the type implied by it and the request id, and says it had no message.
#[test]
fn invalid_utf8_in_an_unknown_error_field_still_yields_the_status_and_request_id() {
    let mut body = br#"{"error":{"ty`e":"authentication"#.to_vec();
    body.extend_from_slice(&[0xff; 16]);
    body.extend_from_slice(br#""}}"#);
    let error = api_error(&response(401, &body));
    assert_eq!(error.status, 401);
    assert_eq!(error.kind, ApiErrorType::Authentication);
    assert_eq!(error.request_id.as_deref(), Some("req_8Hk2a"));
    assert_eq!(error.message, "HTTP 401 with no error message");
    assert_eq!(error.raw_body, None);
}

/// `response_event`: an event whose object holds an amount no integer type can hold (a
/// 58-digit number) decodes; the object, no longer a valid payment intent, is kept as
/// received (`Unknown`), and the unknown event type verbatim.
#[test]
fn an_event_object_with_an_out_of_range_amount_is_kept_as_unknown() {
    let body = br##"{"id":"evt._J1NtestVector","object":"event","type":"paymeeeddd","data":{"object":{"id":"pi_3Ntest&","object":"payment_intent","amount":5555555000000000000000000000000000000000000000000876950927440751858,"currency":"#OF","status":"succeeded"}}}"##;
    let event = interpret::<Event>(&response(200, body)).unwrap();
    assert_eq!(event.event_type, EventType::Unknown("paymeeeddd".into()));
    let EventObject::Unknown(object) = &event.data.object else {
        panic!("expected an unknown object, got {:?}", event.data.object);
    };
    assert_eq!(object["object"], "payment_intent");
    assert!(object["amount"].is_f64());
    assert!(object["amount"].as_f64().unwrap() > 5.5e57);
}

/// `response_refund`: masking the values of `…secret` keys in a kept body snippet replaces a
/// short value with `****`, so the snippet may grow past 1 KiB; it stays bounded (each such
/// key takes at least 11 characters of the kept KiB and grows it by at most 4).
#[test]
fn a_snippet_full_of_empty_secrets_stays_bounded_and_masked() {
    let mut body = br#"{"id":"re_1","amount":"not a number","#.to_vec();
    while body.len() < 2048 {
        body.extend_from_slice(br#""secret":"","#);
    }
    let error = interpret::<molam_core::resources::Refund>(&response(200, &body)).unwrap_err();
    let molam_core::Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}");
    };
    assert!(decode.body_snippet.contains(r#""secret":"****""#));
    assert!(
        decode.body_snippet.len() > 1024,
        "{}",
        decode.body_snippet.len()
    );
    assert!(
        decode.body_snippet.len() <= 1536,
        "{}",
        decode.body_snippet.len()
    );
}
