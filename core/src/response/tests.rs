use super::*;

fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> http::Response<Vec<u8>> {
    let mut b = http::Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body.to_vec()).expect("test response is well-formed")
}

fn error_body(kind: &str, code: &str) -> Vec<u8> {
    format!(r#"{{"error":{{"type":"{kind}","code":"{code}","message":"m","param":"amount"}}}}"#)
        .into_bytes()
}

#[test]
fn every_error_row_of_the_contract_maps_to_its_type() {
    let rows = [
        (
            400,
            "invalid_request_error",
            "parameter_invalid",
            ApiErrorType::InvalidRequest,
        ),
        (
            400,
            "invalid_request_error",
            "payment_intent_unexpected_state",
            ApiErrorType::InvalidRequest,
        ),
        (
            401,
            "authentication_error",
            "",
            ApiErrorType::Authentication,
        ),
        (402, "payment_error", "card_declined", ApiErrorType::Payment),
        (
            402,
            "payment_error",
            "insufficient_funds",
            ApiErrorType::Payment,
        ),
        (
            402,
            "payment_error",
            "mobile_money_timeout",
            ApiErrorType::Payment,
        ),
        (403, "permission_error", "", ApiErrorType::Permission),
        (
            404,
            "invalid_request_error",
            "resource_missing",
            ApiErrorType::InvalidRequest,
        ),
        (
            409,
            "idempotency_error",
            "idempotency_key_in_use",
            ApiErrorType::Idempotency,
        ),
        (
            422,
            "idempotency_error",
            "idempotency_key_reused",
            ApiErrorType::Idempotency,
        ),
        (429, "rate_limit_error", "", ApiErrorType::RateLimit),
        (500, "api_error", "", ApiErrorType::Api),
        (502, "api_error", "", ApiErrorType::Api),
        (503, "api_error", "", ApiErrorType::Api),
        (504, "api_error", "", ApiErrorType::Api),
    ];
    for (status, kind, code, expected) in rows {
        let resp = response(
            status,
            &[("x-request-id", "req_1")],
            &error_body(kind, code),
        );
        let e = api_error(&resp);
        assert_eq!(e.status, status);
        assert_eq!(e.kind, expected, "{status} {kind}");
        assert_eq!(e.code.as_deref(), Some(code));
        assert_eq!(e.param.as_deref(), Some("amount"));
        assert_eq!(e.message, "m");
        assert_eq!(e.request_id.as_deref(), Some("req_1"));
        assert_eq!(e.raw_body, None, "a well-formed error keeps no raw body");
    }
}

#[test]
fn decline_code_and_doc_url_are_kept_and_unknown_fields_ignored() {
    let body = br#"{"error":{"type":"payment_error","code":"card_declined","decline_code":"do_not_honor","doc_url":"https://docs.molam.com/e","message":"no","future":{"x":1}},"extra":true}"#;
    let e = api_error(&response(402, &[], body));
    assert_eq!(e.decline_code.as_deref(), Some("do_not_honor"));
    assert_eq!(e.doc_url.as_deref(), Some("https://docs.molam.com/e"));
}

#[test]
fn unknown_error_type_is_kept_verbatim() {
    let e = api_error(&response(400, &[], &error_body("brand_new_error", "x")));
    assert_eq!(e.kind, ApiErrorType::Unknown("brand_new_error".into()));
}

#[test]
fn html_error_page_keeps_status_request_id_and_a_snippet() {
    let html = b"<html><body>502 Bad Gateway</body></html>";
    let e = api_error(&response(502, &[("x-request-id", "req_proxy")], html));
    assert_eq!(e.status, 502);
    assert_eq!(e.kind, ApiErrorType::Api);
    assert_eq!(e.request_id.as_deref(), Some("req_proxy"));
    assert_eq!(
        e.raw_body.as_deref(),
        Some("<html><body>502 Bad Gateway</body></html>")
    );
    assert!(e.message.contains("502"), "{}", e.message);
}

#[test]
fn empty_and_truncated_error_bodies_still_give_the_status() {
    let e = api_error(&response(503, &[], b""));
    assert_eq!((e.status, e.raw_body.clone()), (503, None));
    assert!(e.message.contains("empty body"));
    let e = api_error(&response(400, &[], br#"{"error":{"type":"invalid_req"#));
    assert_eq!(e.kind, ApiErrorType::InvalidRequest);
    assert_eq!(
        e.raw_body.as_deref(),
        Some(r#"{"error":{"type":"invalid_req"#)
    );
}

#[test]
fn enormous_bodies_are_capped_at_one_kib_on_a_char_boundary() {
    let mut body = vec![b'a'; 1023];
    body.extend_from_slice("é".repeat(1_000_000).as_bytes());
    let e = api_error(&response(500, &[], &body));
    let raw = e.raw_body.expect("kept");
    assert_eq!(raw.len(), 1023, "the split 'é' is dropped, not mangled");
    let d = decode::<serde_json::Value>(&response(200, &[], &body)).unwrap_err();
    assert!(d.body_snippet.len() <= MAX_KEPT_BODY);
}

#[test]
fn invalid_utf8_bodies_do_not_panic() {
    let e = api_error(&response(500, &[], &[0xff, 0xfe, b'{', 0xc3]));
    assert!(e.raw_body.is_some());
}

#[test]
fn unusual_statuses_get_an_unknown_type() {
    assert_eq!(
        api_error(&response(418, &[], b"")).kind,
        ApiErrorType::Unknown("http_418".into())
    );
    assert_eq!(api_error(&response(408, &[], b"")).kind, ApiErrorType::Api);
}

#[test]
fn retry_after_accepts_only_whole_seconds() {
    let ra = |v: &str| retry_after(response(429, &[("retry-after", v)], b"").headers());
    assert_eq!(ra("7"), Some(Duration::from_secs(7)));
    assert_eq!(ra(" 0 "), Some(Duration::ZERO));
    assert_eq!(
        ra("99999999999999999999999"),
        Some(Duration::from_secs(u64::MAX))
    );
    for bad in [
        "",
        "-1",
        "1.5",
        "Wed, 21 Oct 2015 07:28:00 GMT",
        "1e3",
        "+5",
    ] {
        assert_eq!(ra(bad), None, "{bad:?}");
    }
    assert_eq!(retry_after(&HeaderMap::new()), None);
}

#[test]
fn should_retry_header_is_parsed_strictly() {
    let sr = |v: &str| should_retry(response(500, &[("molam-should-retry", v)], b"").headers());
    assert_eq!(sr("true"), Some(true));
    assert_eq!(sr("FALSE"), Some(false));
    assert_eq!(sr("yes"), None);
    assert_eq!(sr(""), None);
}

#[test]
fn request_id_must_be_sane() {
    let rid = |v: &[u8]| {
        let mut h = HeaderMap::new();
        h.insert(
            "x-request-id",
            http::HeaderValue::from_bytes(v).expect("valid header bytes"),
        );
        request_id(&h)
    };
    assert_eq!(rid(b"req_abc").as_deref(), Some("req_abc"));
    assert_eq!(rid(&[b'r'; 300]), None);
    assert_eq!(rid("req_é".as_bytes()), None);
    assert_eq!(rid(b"req 1"), None);
}

#[test]
fn replayed_header_is_reported() {
    let r = response(200, &[("idempotent-replayed", "true")], b"{}");
    let ok = interpret::<serde_json::Value>(&r).expect("2xx json");
    assert!(ok.meta().idempotent_replayed);
    assert!(!idempotent_replayed(&HeaderMap::new()));
}

#[test]
fn success_with_wrong_shape_is_a_decode_error_with_the_status() {
    #[derive(Debug, serde::Deserialize)]
    struct NeedsId {
        #[allow(dead_code)]
        id: String,
    }
    let r = response(200, &[("x-request-id", "req_9")], br#"{"no_id":1}"#);
    let err = interpret::<NeedsId>(&r).unwrap_err();
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("req_9"));
    assert!(matches!(err, Error::Decode(ref d) if d.body_snippet == r#"{"no_id":1}"#));
}

#[test]
fn a_client_secret_in_an_undecodable_body_never_reaches_the_error_text() {
    let body = br#"{"id":"pi_1","object":"payment_intent","client_secret":"pi_1_secret_TOPSECRET","amount":"oops"}"#;
    let err = interpret::<crate::resources::PaymentIntent>(&response(200, &[], body)).unwrap_err();
    let api = api_error(&response(500, &[], body));
    for text in [
        format!("{err:?}"),
        format!("{err}"),
        format!("{api:?}"),
        format!("{api}"),
    ] {
        assert!(!text.contains("TOPSECRET"), "{text}");
    }
    assert!(
        matches!(err, Error::Decode(ref d) if d.body_snippet.contains(r#""client_secret":"****""#)),
        "{err:?}"
    );
}
