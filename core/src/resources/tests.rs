#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use serde_json::{json, Value};

use super::*;

/// The body of the webhook test vector of REFERENCE.md §7.
const VECTOR_BODY: &str = r#"{"id":"evt_1NtestVector","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_3Ntest","object":"payment_intent","amount":2500,"currency":"XOF","status":"succeeded"}}}"#;

fn intent_json() -> Value {
    json!({
        "id": "pi_123", "object": "payment_intent", "created": 1700000000, "livemode": false,
        "amount": 2500, "currency": "XOF", "status": "requires_payment_method",
        "description": "Order 42", "metadata": {"order_id": "42"}, "customer": null,
        "payment_method": null, "latest_charge": null, "amount_received": 0,
        "amount_refunded": 0, "cancellation_reason": null,
        "last_payment_error": {"type": "payment_error", "code": "card_declined",
            "decline_code": "generic_decline", "message": "Your card was declined."},
        "client_secret": "pi_123_secret_0123456789abcdef",
        "some_future_field": {"nested": [1, 2, 3]}
    })
}

#[test]
fn payment_intent_decodes_every_documented_field() {
    let intent: PaymentIntent = serde_json::from_value(intent_json()).unwrap();
    assert_eq!(intent.id, "pi_123");
    assert_eq!(intent.object, "payment_intent");
    assert_eq!(intent.created, 1_700_000_000);
    assert_eq!(intent.amount, 2500);
    assert_eq!(intent.currency, Currency::XOF);
    assert_eq!(intent.status, PaymentIntentStatus::RequiresPaymentMethod);
    assert_eq!(intent.description.as_deref(), Some("Order 42"));
    assert_eq!(intent.metadata.get("order_id"), Some("42"));
    let error = intent.last_payment_error.unwrap();
    assert_eq!(error.kind, Some(crate::error::ApiErrorType::Payment));
    assert_eq!(error.code.as_deref(), Some("card_declined"));
    assert_eq!(error.decline_code.as_deref(), Some("generic_decline"));
    assert_eq!(
        intent.client_secret.unwrap().expose_secret(),
        "pi_123_secret_0123456789abcdef"
    );
}

#[test]
fn client_secret_is_masked_in_debug() {
    let intent: PaymentIntent = serde_json::from_value(intent_json()).unwrap();
    let debug = format!("{intent:?}");
    assert!(!debug.contains("secret_0123456789"), "{debug}");
    assert!(debug.contains(r#"ClientSecret("****cdef")"#), "{debug}");
}

#[test]
fn missing_and_null_optional_fields_take_defaults() {
    let intent: PaymentIntent = serde_json::from_value(json!({
        "id": "pi_1", "amount": 100, "currency": "usd", "status": "processing",
        "metadata": null, "amount_received": null
    }))
    .unwrap();
    assert_eq!(intent.object, "");
    assert_eq!(intent.created, 0);
    assert!(!intent.livemode);
    assert_eq!(intent.currency, Currency::USD);
    assert!(intent.metadata.is_empty());
    assert_eq!(intent.amount_received, 0);
    assert_eq!(intent.client_secret, None);
}

#[test]
fn unknown_enum_values_are_kept_and_serialize_back_unchanged() {
    let status: PaymentIntentStatus = serde_json::from_str(r#""requires_capture""#).unwrap();
    assert_eq!(
        status,
        PaymentIntentStatus::Unknown("requires_capture".into())
    );
    assert_eq!(
        serde_json::to_string(&status).unwrap(),
        r#""requires_capture""#
    );
    assert_eq!(PayoutMethod::from_wire("wallet").as_str(), "wallet");
    assert_eq!(
        EventType::from("payout.reversed").to_string(),
        "payout.reversed"
    );
}

#[test]
fn known_enum_values_round_trip_through_their_wire_names() {
    for (value, wire) in [
        (RefundStatus::Pending.as_str(), "pending"),
        (
            RefundReason::RequestedByCustomer.as_str(),
            "requested_by_customer",
        ),
        (PayoutStatus::InTransit.as_str(), "in_transit"),
        (PayoutMethod::MobileMoney.as_str(), "mobile_money"),
        (CancellationReason::Abandoned.as_str(), "abandoned"),
        (
            EventType::PaymentIntentPaymentFailed.as_str(),
            "payment_intent.payment_failed",
        ),
    ] {
        assert_eq!(value, wire);
    }
    assert_eq!(PayoutStatus::from_wire("paid"), PayoutStatus::Paid);
    assert_eq!(
        EventType::from_wire("charge.refunded"),
        EventType::ChargeRefunded
    );
}

#[test]
fn only_succeeded_and_canceled_intents_are_final() {
    assert!(PaymentIntentStatus::Succeeded.is_final());
    assert!(PaymentIntentStatus::Canceled.is_final());
    assert!(!PaymentIntentStatus::RequiresAction.is_final());
    assert!(!PaymentIntentStatus::Unknown("x".into()).is_final());
}

#[test]
fn only_paid_failed_and_canceled_payouts_are_final() {
    assert!(PayoutStatus::Paid.is_final());
    assert!(PayoutStatus::Failed.is_final());
    assert!(PayoutStatus::Canceled.is_final());
    assert!(!PayoutStatus::Pending.is_final());
    assert!(!PayoutStatus::InTransit.is_final());
    assert!(!PayoutStatus::Unknown("on_hold".into()).is_final());
}

#[test]
fn only_succeeded_failed_and_canceled_refunds_are_final() {
    assert!(RefundStatus::Succeeded.is_final());
    assert!(RefundStatus::Failed.is_final());
    assert!(RefundStatus::Canceled.is_final());
    assert!(!RefundStatus::Pending.is_final());
    assert!(!RefundStatus::Unknown("requires_action".into()).is_final());
}

#[test]
fn refund_and_payout_decode() {
    let refund: Refund = serde_json::from_value(json!({
        "id": "re_1", "object": "refund", "created": 1, "livemode": true, "amount": 500,
        "currency": "XOF", "charge": "ch_1", "payment_intent": "pi_1", "status": "succeeded",
        "reason": "duplicate", "metadata": {}
    }))
    .unwrap();
    assert_eq!(refund.status, RefundStatus::Succeeded);
    assert_eq!(refund.reason, Some(RefundReason::Duplicate));
    assert_eq!(refund.charge.as_deref(), Some("ch_1"));
    assert!(refund.livemode);
    let payout: Payout = serde_json::from_value(json!({
        "id": "po_1", "object": "payout", "created": 1, "livemode": false, "amount": 10000,
        "currency": "XAF", "status": "failed", "method": "mobile_money",
        "destination": "+221770000000", "arrival_date": 1700086400,
        "failure_code": "account_closed"
    }))
    .unwrap();
    assert_eq!(payout.method, PayoutMethod::MobileMoney);
    assert_eq!(payout.status, PayoutStatus::Failed);
    assert_eq!(payout.arrival_date, Some(1_700_086_400));
    assert_eq!(payout.failure_code.as_deref(), Some("account_closed"));
}

#[test]
fn test_vector_event_decodes_with_a_typed_payment_intent() {
    let event: Event = serde_json::from_str(VECTOR_BODY).unwrap();
    assert_eq!(event.id, "evt_1NtestVector");
    assert_eq!(event.event_type, EventType::PaymentIntentSucceeded);
    assert_eq!(event.request, None);
    let EventObject::PaymentIntent(intent) = &event.data.object else {
        panic!("expected a payment intent, got {:?}", event.data.object);
    };
    assert_eq!((intent.id.as_str(), intent.amount), ("pi_3Ntest", 2500));
    assert_eq!(intent.currency, Currency::XOF);
    assert_eq!(intent.status, PaymentIntentStatus::Succeeded);
}

#[test]
fn event_request_and_api_version_decode() {
    let event: Event = serde_json::from_value(json!({
        "id": "evt_2", "object": "event", "created": 5, "livemode": false,
        "type": "refund.created", "api_version": "2025-01-16",
        "request": {"id": "req_9", "idempotency_key": "order-1:refund"},
        "data": {"object": {"id": "re_1", "object": "refund", "amount": 1, "currency": "XOF",
            "status": "pending"}}
    }))
    .unwrap();
    assert_eq!(event.api_version.as_deref(), Some("2025-01-16"));
    let request = event.request.unwrap();
    assert_eq!(request.id.as_deref(), Some("req_9"));
    assert_eq!(request.idempotency_key.as_deref(), Some("order-1:refund"));
    assert!(matches!(event.data.object, EventObject::Refund(_)));
    assert_eq!(event.data.object.id(), Some("re_1"));
}

#[test]
fn event_objects_of_other_kinds_or_undecodable_are_kept_whole() {
    let customer = json!({"id": "cus_1", "object": "customer", "email": "a@example.com"});
    assert_eq!(
        EventObject::from_value(customer.clone()),
        EventObject::Unknown(customer)
    );
    let charge_without_status = json!({"id": "ch_1", "object": "charge", "amount": 100});
    assert_eq!(
        EventObject::from_value(charge_without_status.clone()),
        EventObject::Unknown(charge_without_status)
    );
    let broken = json!({"id": "po_1", "object": "payout", "amount": "a lot"});
    assert_eq!(
        EventObject::from_value(broken.clone()),
        EventObject::Unknown(broken)
    );
    assert_eq!(EventObject::from_value(json!([1, 2])).id(), None);
}

#[test]
fn charge_refunded_event_carries_a_typed_charge() {
    let event: Event = serde_json::from_value(json!({
        "id": "evt_3", "object": "event", "type": "charge.refunded",
        "data": {"object": {"id": "ch_1", "object": "charge", "created": 7, "livemode": false,
            "amount": 2500, "amount_refunded": 1000, "currency": "xof",
            "payment_intent": "pi_1", "payment_method": "pm_card_visa", "refunded": false,
            "status": "succeeded"}}
    }))
    .unwrap();
    assert_eq!(event.event_type, EventType::ChargeRefunded);
    let EventObject::Charge(charge) = &event.data.object else {
        panic!("expected a charge, got {:?}", event.data.object);
    };
    assert_eq!(
        (
            charge.id.as_str(),
            charge.amount,
            charge.amount_refunded,
            charge.refunded
        ),
        ("ch_1", 2500, 1000, false)
    );
    assert_eq!(charge.currency, Currency::XOF);
    assert_eq!(charge.payment_intent.as_deref(), Some("pi_1"));
    assert_eq!(charge.status, ChargeStatus::Succeeded);
    assert_eq!(event.data.object.id(), Some("ch_1"));
}

#[test]
fn charge_status_this_sdk_does_not_know_is_kept_and_written_back() {
    let charge: Charge = serde_json::from_value(json!({
        "id": "ch_2", "amount": 1, "currency": "XOF", "status": "disputed", "new_field": 1
    }))
    .unwrap();
    assert_eq!(charge.status, ChargeStatus::Unknown("disputed".into()));
    assert_eq!(serde_json::to_value(&charge).unwrap()["status"], "disputed");
    assert_eq!((charge.refunded, charge.payment_method), (false, None));
}

#[test]
fn event_serializes_back_to_equivalent_json() {
    let event: Event = serde_json::from_str(VECTOR_BODY).unwrap();
    let again: Event = serde_json::from_str(&serde_json::to_string(&event).unwrap()).unwrap();
    assert_eq!(again, event);
}

#[test]
fn hostile_json_is_an_error_never_a_panic() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let nested_object = format!(
        r#"{{"id":"evt_1","type":"x","data":{{"object":{}1{}}}}}"#,
        r#"{"a":"#.repeat(5_000),
        "}".repeat(5_000)
    );
    for body in [
        "",
        "null",
        "[]",
        "{",
        "\"\u{0}\"",
        &deep,
        &nested_object,
        r#"{"id":1,"type":[],"data":{}}"#,
        r#"{"id":"pi_1","amount":1e400,"currency":"XOF","status":"x"}"#,
        r#"{"id":"pi_1","amount":1,"currency":"€€","status":"x"}"#,
    ] {
        assert!(serde_json::from_str::<Event>(body).is_err());
        assert!(serde_json::from_str::<PaymentIntent>(body).is_err());
        assert!(serde_json::from_str::<List<Payout>>(body).is_err());
    }
}

#[test]
fn list_pages_decode_and_give_the_next_cursor() {
    let page: List<Refund> = serde_json::from_value(json!({
        "object": "list", "url": "/v1/connect/refunds", "has_more": true,
        "data": [
            {"id": "re_2", "amount": 1, "currency": "XOF", "status": "pending"},
            {"id": "re_1", "amount": 1, "currency": "XOF", "status": "pending"}
        ]
    }))
    .unwrap();
    assert_eq!(page.url, "/v1/connect/refunds");
    assert_eq!(page.next_starting_after(), Some("re_1"));
    let ids: Vec<String> = page.into_iter().map(|refund| refund.id).collect();
    assert_eq!(ids, ["re_2", "re_1"]);
}

#[test]
fn last_page_has_no_next_cursor() {
    let page: List<Event> = serde_json::from_value(json!({"object": "list", "has_more": false,
        "data": [{"id": "evt_1", "type": "payout.paid", "data": {"object": {}}}]}))
    .unwrap();
    assert_eq!(page.next_starting_after(), None);
}

#[test]
fn currency_accepts_any_case_and_sends_upper_case() {
    let currency: Currency = serde_json::from_str(r#""xaf""#).unwrap();
    assert_eq!(currency, Currency::XAF);
    assert_eq!(serde_json::to_string(&currency).unwrap(), r#""XAF""#);
    assert_eq!(format!("{currency:?}"), "Currency(XAF)");
}

#[test]
fn malformed_currency_is_rejected_naming_currency() {
    for bad in ["", "US", "USDT", "U$D", "12A", "ÉUR"] {
        assert_eq!(Currency::new(bad).unwrap_err().field, "currency", "{bad:?}");
    }
}

#[test]
fn minor_unit_exponents_follow_iso_4217() {
    let exponent = |code: &str| Currency::new(code).unwrap().minor_unit_exponent();
    assert_eq!(
        [
            exponent("XOF"),
            exponent("xaf"),
            exponent("JPY"),
            exponent("KRW")
        ],
        [0; 4]
    );
    assert_eq!(
        [
            exponent("USD"),
            exponent("EUR"),
            exponent("GBP"),
            exponent("NGN")
        ],
        [2; 4]
    );
    assert_eq!([exponent("BHD"), exponent("KWD"), exponent("TND")], [3; 3]);
    assert_eq!([exponent("CLF"), exponent("UYW")], [4; 2]);
}

#[test]
fn a_currency_outside_iso_4217_is_refused_naming_the_field() {
    for code in ["XYZ", "xyz", "ZZZ", "XAU", "XTS"] {
        let error = Currency::new(code).unwrap_err();
        assert_eq!(error.field, "currency");
        assert!(
            error.reason.contains("is not an ISO 4217 currency code"),
            "{code}: {error}"
        );
        assert!(!Currency::is_iso_4217(code));
    }
    assert_eq!(
        Currency::new("US").unwrap_err().reason,
        "must be a three-letter ISO 4217 code"
    );
}

#[test]
fn a_currency_decoded_from_a_response_is_kept_even_if_iso_lists_it_later() {
    let code: Currency = serde_json::from_str(r#""zzz""#).unwrap();
    assert_eq!((code.as_str(), code.minor_unit_exponent()), ("ZZZ", 2));
    assert!(serde_json::from_str::<Currency>(r#""€€""#).is_err());
}

#[test]
fn decimal_amounts_become_minor_units_by_the_currency_exponent() {
    assert_eq!(Currency::USD.parse_amount("amount", "25.00"), Ok(2500));
    assert_eq!(Currency::USD.parse_amount("amount", "25.5"), Ok(2550));
    assert_eq!(Currency::USD.parse_amount("amount", " 2500 "), Ok(2500));
    assert_eq!(
        Currency::new("KWD").unwrap().parse_amount("amount", "1.5"),
        Ok(1500)
    );
    assert_eq!(Currency::XOF.parse_amount("amount", "2500"), Ok(2500));
}

#[test]
fn amounts_a_currency_cannot_have_are_refused_with_what_to_write() {
    let reason = |c: Currency, text: &str| c.parse_amount("amount", text).unwrap_err().reason;
    assert_eq!(
        reason(Currency::XOF, "2500.5"),
        "XOF has no minor unit, so amounts are whole numbers (2500 XOF is 2500)"
    );
    assert_eq!(
        reason(Currency::USD, "25.005"),
        "\"25.005\" is not an amount in USD, which has 2 decimal place(s): write 25.00 or 2500 for 25 USD"
    );
    assert_eq!(reason(Currency::USD, "-5"), "must be more than 0, not -5");
    for bad in ["", "25.", ".5", "2,5", "1e3", "+5", "twenty"] {
        assert!(
            Currency::USD.parse_amount("amount", bad).is_err(),
            "{bad:?}"
        );
    }
    assert_eq!(
        reason(Currency::USD, "99999999999999999999"),
        format!("must be at most {}", crate::params::MAX_AMOUNT)
    );
}

#[test]
fn metadata_limits_are_enforced_naming_metadata() {
    let at_limits: Metadata = (0..50)
        .map(|i| (format!("{i:0>40}"), "v".repeat(500)))
        .collect();
    assert_eq!(at_limits.validate(), Ok(()));
    let too_many: Metadata = (0..51).map(|i| (i.to_string(), "v")).collect();
    let long_key = Metadata::new().with("k".repeat(41), "v");
    let long_value = Metadata::new().with("note", "é".repeat(501));
    let empty_key = Metadata::new().with("", "v");
    for bad in [too_many, long_key, long_value, empty_key] {
        assert_eq!(bad.validate().unwrap_err().field, "metadata");
    }
}

#[test]
fn metadata_limits_count_characters_not_bytes() {
    assert_eq!(
        Metadata::new()
            .with("é".repeat(40), "é".repeat(500))
            .validate(),
        Ok(())
    );
}

#[test]
fn metadata_errors_never_quote_values() {
    let error = Metadata::new()
        .with("note", "private ".repeat(100))
        .validate()
        .unwrap_err();
    assert!(!error.reason.contains("private"), "{error}");
    assert!(error.reason.contains("note"), "{error}");
}
