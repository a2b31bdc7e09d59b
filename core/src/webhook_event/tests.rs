use super::*;
use crate::webhook::{sign_header, DEFAULT_TOLERANCE};

const BODY: &[u8] = br#"{"id":"evt_1NtestVector","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_3Ntest","object":"payment_intent","amount":2500,"currency":"XOF","status":"succeeded"}}}"#;
const HEADER: &str =
    "t=1700000000,v1=56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73";
const T: i64 = 1_700_000_000;

fn secrets() -> Vec<WebhookSecret> {
    vec![WebhookSecret::new("whsec_test_5f1c2a9e")]
}

fn headers(values: &[&str]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for value in values {
        headers.append(SIGNATURE_HEADER, value.parse().expect("ASCII"));
    }
    headers
}

fn receive_at(headers: &HeaderMap, body: &[u8], now: i64) -> Result<Event, ReceiptError> {
    receive(headers, body, &secrets(), now, DEFAULT_TOLERANCE).map(|d| d.event)
}

#[test]
fn the_reference_vector_is_received_as_its_event() {
    let event = receive_at(&headers(&[HEADER]), BODY, T + 300).expect("the vector verifies");
    assert_eq!(event.id, "evt_1NtestVector");
}

#[test]
fn each_refusal_names_its_reason() {
    let signature = |e: SignatureError| Err(ReceiptError::Signature(e));
    assert_eq!(
        receive_at(&headers(&[]), BODY, T),
        signature(SignatureError::MissingHeader)
    );
    assert_eq!(
        receive_at(&headers(&[HEADER, HEADER]), BODY, T),
        signature(SignatureError::DuplicateHeader)
    );
    assert!(matches!(
        receive_at(&headers(&["t=1"]), BODY, T),
        Err(ReceiptError::Signature(SignatureError::Malformed(_)))
    ));
    assert_eq!(
        receive_at(&headers(&[HEADER]), BODY, T + 301),
        signature(SignatureError::TimestampOutsideTolerance { age_seconds: 301 })
    );
    let with_kid = HEADER.replace(",v1", ",kid=k9,v1");
    assert_eq!(
        receive(
            &headers(&[&with_kid]),
            BODY,
            &[WebhookSecret::new("whsec_x").with_kid("k1")][..],
            T,
            DEFAULT_TOLERANCE
        )
        .map(|d| d.event),
        signature(SignatureError::UnknownKeyId)
    );
    assert_eq!(
        receive_at(&headers(&[HEADER]), b"{}", T),
        signature(SignatureError::SignatureMismatch)
    );
}

#[test]
fn a_stale_delivery_costs_no_secret_lookup() {
    let resolver =
        |_: Option<&str>| -> Vec<WebhookSecret> { panic!("no lookup for a stale delivery") };
    let error = receive(
        &headers(&[HEADER]),
        BODY,
        &resolver,
        T - 301,
        DEFAULT_TOLERANCE,
    )
    .expect_err("from the future");
    assert_eq!(
        error,
        ReceiptError::Signature(SignatureError::TimestampOutsideTolerance { age_seconds: -301 })
    );
}

#[test]
fn a_signed_body_that_is_not_an_event_is_not_an_event() {
    let secret = &secrets()[0];
    for body in [
        &b"[]"[..],
        br#"{"type":"payout.paid"}"#,
        br#"{"id":"","type":"payout.paid"}"#,
    ] {
        let header = sign_header(secret, T, body);
        let error = receive_at(&headers(&[&header]), body, T).expect_err("not an event");
        assert!(matches!(error, ReceiptError::NotAnEvent(_)), "{error:?}");
        assert_eq!(Error::from(error).status(), None, "not an HTTP response");
    }
}

#[test]
fn an_envelope_without_data_is_an_event() {
    let body = br#"{"id":"evt_a","type":"payout.paid"}"#;
    let header = sign_header(&secrets()[0], T, body);
    let event = receive_at(&headers(&[&header]), body, T).expect("id and type suffice");
    assert_eq!(event.event_type.as_str(), "payout.paid");
}

#[test]
fn a_received_event_keeps_the_body_and_header_exactly() {
    let hs = headers(&[HEADER]);
    let delivery = receive(&hs, BODY, &secrets(), T, DEFAULT_TOLERANCE).expect("verifies");
    let received = delivery.to_received("acme", T + 1);
    assert_eq!(received.tenant, "acme");
    assert_eq!(received.event_id, "evt_1NtestVector");
    assert_eq!(received.event_type, "payment_intent.succeeded");
    assert_eq!(received.payload, BODY);
    assert_eq!(received.signature_header.as_deref(), Some(HEADER));
    assert_eq!(received.received_at_unix, T + 1);
}

#[test]
fn webhooks_read_the_clock_given_and_map_to_the_clients_error() {
    let config = Config::builder()
        .api_key("sk_test_0123456789abcdef")
        .webhook_secret(secrets()[0].clone())
        .build()
        .expect("valid test config");
    let late = Webhooks::new(&config, || T + 301);
    assert_eq!(
        late.verify(&headers(&[HEADER]), BODY).expect_err("stale"),
        Error::Signature(SignatureError::TimestampOutsideTolerance { age_seconds: 301 })
    );
    let on_time = Webhooks::new(&config, || T);
    assert_eq!(
        on_time.verify_header(Some(HEADER), BODY).expect("fresh").id,
        "evt_1NtestVector"
    );
    assert_eq!(
        on_time.verify_header(None, BODY).expect_err("no header"),
        Error::Signature(SignatureError::MissingHeader)
    );
}
