#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use super::*;
use crate::resources::{
    CancellationReason, Currency, EventType, Metadata, PaymentIntentStatus, PayoutMethod,
    PayoutStatus, RefundReason,
};

fn field(result: Result<(), ParamError>) -> String {
    result.unwrap_err().field
}

fn body(params: &impl serde::Serialize) -> String {
    serde_json::to_string(params).unwrap()
}

#[test]
fn ids_of_word_characters_up_to_255_are_accepted() {
    assert_eq!(validate_id("id", "pi_3Ntest"), Ok(()));
    assert_eq!(validate_id("id", &"a".repeat(255)), Ok(()));
}

#[test]
fn ids_that_could_change_the_path_are_rejected_naming_the_field() {
    for bad in [
        "",
        "../v1/payouts",
        "pi_1/cancel",
        "pi_1?x=1",
        "pi 1",
        "pi%2F1",
        "pi-1",
        "pî",
        "pi_1#",
    ] {
        assert_eq!(field(validate_id("charge", bad)), "charge", "{bad:?}");
    }
    assert_eq!(field(validate_id("id", &"a".repeat(256))), "id");
}

#[test]
fn amount_zero_negative_or_above_99_999_999_999_is_rejected_naming_amount() {
    assert_eq!(MAX_AMOUNT, 99_999_999_999);
    for bad in [0, -1, i64::MIN, MAX_AMOUNT + 1, i64::MAX] {
        assert_eq!(
            field(CreatePaymentIntent::new(bad, Currency::XOF).validate()),
            "amount"
        );
    }
    assert_eq!(
        CreatePaymentIntent::new(MAX_AMOUNT, Currency::XOF).validate(),
        Ok(())
    );
    assert_eq!(
        CreatePaymentIntent::new(1, Currency::XOF).validate(),
        Ok(())
    );
}

#[test]
fn create_payment_intent_checks_ids_url_and_metadata() {
    let base = || CreatePaymentIntent::new(2500, Currency::XOF);
    assert_eq!(field(base().customer("cus 1").validate()), "customer");
    assert_eq!(
        field(base().payment_method("pm/../x").validate()),
        "payment_method"
    );
    assert_eq!(
        field(base().return_url("/relative").validate()),
        "return_url"
    );
    assert_eq!(
        field(base().return_url("not a url").validate()),
        "return_url"
    );
    assert_eq!(
        field(base().metadata_entry("k".repeat(41), "v").validate()),
        "metadata"
    );
    let full = base()
        .customer("cus_1")
        .payment_method("pm_card_visa")
        .return_url("myapp://paid")
        .metadata(Metadata::new().with("order_id", "42"));
    assert_eq!(full.validate(), Ok(()));
}

#[test]
fn create_payment_intent_body_has_only_the_fields_set() {
    let minimal = CreatePaymentIntent::new(2500, Currency::new("xof").unwrap());
    assert_eq!(body(&minimal), r#"{"amount":2500,"currency":"XOF"}"#);
    let full = CreatePaymentIntent::new(1999, Currency::USD)
        .description("Order 42")
        .metadata_entry("order_id", "42")
        .metadata_entry("channel", "web")
        .customer("cus_1")
        .payment_method("pm_card_visa")
        .return_url("https://shop.example/return?o=42");
    assert_eq!(
        body(&full),
        concat!(
            r#"{"amount":1999,"currency":"USD","description":"Order 42","#,
            r#""metadata":{"channel":"web","order_id":"42"},"customer":"cus_1","#,
            r#""payment_method":"pm_card_visa","return_url":"https://shop.example/return?o=42"}"#
        )
    );
}

#[test]
fn confirm_and_cancel_bodies_have_only_the_fields_set() {
    assert_eq!(body(&ConfirmPaymentIntent::new()), "{}");
    assert_eq!(
        body(
            &ConfirmPaymentIntent::new()
                .payment_method("pm_card_3ds")
                .return_url("https://a.example/r")
        ),
        r#"{"payment_method":"pm_card_3ds","return_url":"https://a.example/r"}"#
    );
    assert_eq!(body(&CancelPaymentIntent::new()), "{}");
    assert_eq!(
        body(
            &CancelPaymentIntent::new()
                .cancellation_reason(CancellationReason::RequestedByCustomer)
        ),
        r#"{"cancellation_reason":"requested_by_customer"}"#
    );
}

#[test]
fn confirm_checks_payment_method_and_return_url() {
    assert_eq!(
        field(ConfirmPaymentIntent::new().payment_method("").validate()),
        "payment_method"
    );
    assert_eq!(
        field(ConfirmPaymentIntent::new().return_url("").validate()),
        "return_url"
    );
    assert_eq!(CancelPaymentIntent::new().validate(), Ok(()));
}

#[test]
fn refund_amount_is_optional_but_must_be_positive() {
    assert_eq!(CreateRefund::new().validate(), Ok(()));
    assert_eq!(field(CreateRefund::new().amount(0).validate()), "amount");
    assert_eq!(
        field(CreateRefund::new().metadata_entry("", "v").validate()),
        "metadata"
    );
    assert_eq!(body(&CreateRefund::new()), "{}");
    assert_eq!(
        body(
            &CreateRefund::new()
                .amount(500)
                .reason(RefundReason::Duplicate)
                .metadata_entry("a", "b")
        ),
        r#"{"amount":500,"reason":"duplicate","metadata":{"a":"b"}}"#
    );
}

#[test]
fn payout_destination_must_not_be_blank() {
    let payout = |destination: &str| {
        CreatePayout::new(
            10_000,
            Currency::XOF,
            PayoutMethod::BankTransfer,
            destination,
        )
    };
    assert_eq!(field(payout("").validate()), "destination");
    assert_eq!(field(payout("  \t").validate()), "destination");
    assert_eq!(payout("SN08SN0100152000048500003035").validate(), Ok(()));
    assert_eq!(
        field(CreatePayout::new(0, Currency::XOF, PayoutMethod::MobileMoney, "+221").validate()),
        "amount"
    );
}

#[test]
fn payout_body_sends_method_and_upper_case_currency() {
    let payout = CreatePayout::new(
        10_000,
        Currency::new("xaf").unwrap(),
        PayoutMethod::MobileMoney,
        "+237600000000",
    )
    .description("Weekly settlement");
    assert_eq!(
        body(&payout),
        r#"{"amount":10000,"currency":"XAF","method":"mobile_money","destination":"+237600000000","description":"Weekly settlement"}"#
    );
}

#[test]
fn list_limit_must_be_1_to_100() {
    assert_eq!(field(ListParams::new().limit(0).validate()), "limit");
    assert_eq!(field(ListParams::new().limit(101).validate()), "limit");
    assert_eq!(ListParams::new().limit(1).validate(), Ok(()));
    assert_eq!(ListParams::new().limit(100).validate(), Ok(()));
}

#[test]
fn list_cursors_are_ids_and_exclusive() {
    assert_eq!(
        field(ListParams::new().starting_after("a&b=c").validate()),
        "starting_after"
    );
    assert_eq!(
        field(ListParams::new().ending_before("").validate()),
        "ending_before"
    );
    let both = ListParams::new()
        .starting_after("pi_1")
        .ending_before("pi_2");
    assert_eq!(field(both.validate()), "ending_before");
}

#[test]
fn list_created_bounds_must_be_in_order() {
    assert_eq!(
        field(ListParams::new().created_gte(10).created_lte(9).validate()),
        "created_gte"
    );
    assert_eq!(
        ListParams::new().created_gte(10).created_lte(10).validate(),
        Ok(())
    );
}

#[test]
fn list_filters_are_validated() {
    let bad_page = ListParams::new().limit(0);
    assert_eq!(
        field(ListPaymentIntents::new().page(bad_page.clone()).validate()),
        "limit"
    );
    assert_eq!(
        field(ListPayouts::new().page(bad_page.clone()).validate()),
        "limit"
    );
    assert_eq!(field(ListEvents::new().page(bad_page).validate()), "limit");
    assert_eq!(
        field(ListRefunds::new().payment_intent("pi 1").validate()),
        "payment_intent"
    );
}

#[test]
fn list_query_has_every_pair_in_a_fixed_order() {
    let page = ListParams::new()
        .limit(20)
        .starting_after("pi_9")
        .created_gte(1_700_000_000)
        .created_lte(1_800_000_000);
    assert_eq!(
        ListPaymentIntents::new().page(page).status(PaymentIntentStatus::Succeeded).to_query().after_path("/p"),
        "/p?limit=20&starting_after=pi_9&created_gte=1700000000&created_lte=1800000000&status=succeeded"
    );
    assert_eq!(ListPaymentIntents::new().to_query().after_path("/p"), "/p");
    assert_eq!(
        ListRefunds::new()
            .page(ListParams::new().ending_before("re_1"))
            .payment_intent("pi_1")
            .to_query()
            .after_path("/r"),
        "/r?ending_before=re_1&payment_intent=pi_1"
    );
    assert_eq!(
        ListPayouts::new()
            .status(PayoutStatus::InTransit)
            .to_query()
            .after_path("/o"),
        "/o?status=in_transit"
    );
    assert_eq!(
        ListEvents::new()
            .event_type(EventType::ChargeRefunded)
            .to_query()
            .after_path("/e"),
        "/e?type=charge.refunded"
    );
}

#[test]
fn query_values_are_percent_encoded_except_unreserved_characters() {
    let mut query = Query::default();
    query.push("status", "a b&c=d/é~-._Z9");
    query.push("k+", "%");
    assert_eq!(
        query.after_path("/x"),
        "/x?status=a%20b%26c%3Dd%2F%C3%A9~-._Z9&k%2B=%25"
    );
}

#[test]
fn unknown_filter_values_are_sent_encoded_never_raw() {
    let query = ListEvents::new()
        .event_type(EventType::from("x&limit=100"))
        .to_query();
    assert_eq!(
        query.after_path("/v1/events"),
        "/v1/events?type=x%26limit%3D100"
    );
}
