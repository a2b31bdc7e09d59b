#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::sync::Arc;

use http::Method;

use super::{charges, events, payment_intents as intents, payouts, refunds};
use crate::call::{Call, PreparedRequest, RequestOptions};
use crate::client::Client;
use crate::config::Config;
use crate::error::{Error, ParamError};
use crate::params::*;
use crate::random::SeededRandom;
use crate::resources::*;

type Built = Result<PreparedRequest, ParamError>;

/// Asserts method, path with query, and body bytes (as text) of a built request.
#[track_caller]
fn assert_request(built: Built, method: Method, path_and_query: &str, body: Option<&str>) {
    let request = built.unwrap();
    assert_eq!(request.method, method);
    assert_eq!(request.path_and_query, path_and_query);
    let sent = request.body.map(|bytes| String::from_utf8(bytes).unwrap());
    assert_eq!(sent.as_deref(), body);
}

#[track_caller]
fn assert_refused(built: Built, field: &str) {
    assert_eq!(built.unwrap_err().field, field);
}

const INTENTS: &str = "/v1/connect/payment_intents";

#[test]
fn create_payment_intent_posts_only_the_fields_set() {
    let params = CreatePaymentIntent::new(2500, Currency::new("xof").unwrap())
        .payment_method("pm_card_visa")
        .metadata_entry("order_id", "42");
    let body = concat!(
        r#"{"amount":2500,"currency":"XOF","metadata":{"order_id":"42"},"#,
        r#""payment_method":"pm_card_visa"}"#
    );
    assert_request(
        intents::request::create(&params),
        Method::POST,
        INTENTS,
        Some(body),
    );
}

#[test]
fn retrieve_payment_intent_gets_its_path() {
    let path = "/v1/connect/payment_intents/pi_123";
    assert_request(
        intents::request::retrieve("pi_123"),
        Method::GET,
        path,
        None,
    );
}

#[test]
fn confirm_payment_intent_posts_to_confirm() {
    let path = "/v1/connect/payment_intents/pi_123/confirm";
    let params = ConfirmPaymentIntent::new().payment_method("pm_momo_success");
    let body = r#"{"payment_method":"pm_momo_success"}"#;
    assert_request(
        intents::request::confirm("pi_123", &params),
        Method::POST,
        path,
        Some(body),
    );
    let attached = ConfirmPaymentIntent::new();
    assert_request(
        intents::request::confirm("pi_123", &attached),
        Method::POST,
        path,
        Some("{}"),
    );
}

#[test]
fn cancel_payment_intent_posts_the_reason() {
    let path = "/v1/connect/payment_intents/pi_123/cancel";
    let params = CancelPaymentIntent::new().cancellation_reason(CancellationReason::Duplicate);
    let body = r#"{"cancellation_reason":"duplicate"}"#;
    assert_request(
        intents::request::cancel("pi_123", &params),
        Method::POST,
        path,
        Some(body),
    );
}

#[test]
fn list_payment_intents_puts_page_and_status_in_the_query() {
    let params = ListPaymentIntents::new()
        .page(ListParams::new().limit(3).starting_after("pi_9"))
        .status(PaymentIntentStatus::RequiresAction);
    let path = "/v1/connect/payment_intents?limit=3&starting_after=pi_9&status=requires_action";
    assert_request(intents::request::list(&params), Method::GET, path, None);
    let all = ListPaymentIntents::new();
    assert_request(intents::request::list(&all), Method::GET, INTENTS, None);
}

#[test]
fn create_refund_posts_to_the_charge() {
    let path = "/v1/connect/charges/ch_1/refund";
    let partial = CreateRefund::new()
        .amount(500)
        .reason(RefundReason::RequestedByCustomer);
    let body = r#"{"amount":500,"reason":"requested_by_customer"}"#;
    assert_request(
        refunds::request::create("ch_1", &partial),
        Method::POST,
        path,
        Some(body),
    );
    let all = CreateRefund::new();
    assert_request(
        refunds::request::create("ch_1", &all),
        Method::POST,
        path,
        Some("{}"),
    );
}

#[test]
fn retrieve_charge_gets_its_path_and_checks_the_id() {
    let path = "/v1/connect/charges/ch_1";
    assert_request(charges::request::retrieve("ch_1"), Method::GET, path, None);
    assert_refused(charges::request::retrieve("ch_1/refund"), "id");
    assert_refused(charges::request::retrieve(""), "id");
}

#[test]
fn retrieve_and_list_refunds_get_their_paths() {
    let path = "/v1/connect/refunds/re_1";
    assert_request(refunds::request::retrieve("re_1"), Method::GET, path, None);
    let params = ListRefunds::new()
        .payment_intent("pi_1")
        .page(ListParams::new().created_lte(99));
    let path = "/v1/connect/refunds?created_lte=99&payment_intent=pi_1";
    assert_request(refunds::request::list(&params), Method::GET, path, None);
}

#[test]
fn create_payout_posts_every_required_field() {
    let params = CreatePayout::new(
        10_000,
        Currency::XOF,
        PayoutMethod::BankTransfer,
        "SN08 SN01",
    );
    let body = concat!(
        r#"{"amount":10000,"currency":"XOF","method":"bank_transfer","#,
        r#""destination":"SN08 SN01"}"#
    );
    let path = "/v1/treasury/payouts";
    assert_request(
        payouts::request::create(&params),
        Method::POST,
        path,
        Some(body),
    );
}

#[test]
fn retrieve_cancel_and_list_payouts() {
    let path = "/v1/treasury/payouts/po_1";
    assert_request(payouts::request::retrieve("po_1"), Method::GET, path, None);
    let path = "/v1/treasury/payouts/po_1/cancel";
    assert_request(
        payouts::request::cancel("po_1"),
        Method::POST,
        path,
        Some("{}"),
    );
    let params = ListPayouts::new()
        .status(PayoutStatus::Pending)
        .page(ListParams::new().ending_before("po_5"));
    let path = "/v1/treasury/payouts?ending_before=po_5&status=pending";
    assert_request(payouts::request::list(&params), Method::GET, path, None);
}

#[test]
fn retrieve_and_list_events() {
    assert_request(
        events::request::retrieve("evt_1"),
        Method::GET,
        "/v1/events/evt_1",
        None,
    );
    let params = ListEvents::new()
        .event_type(EventType::PaymentIntentSucceeded)
        .page(ListParams::new().limit(100));
    let path = "/v1/events?limit=100&type=payment_intent.succeeded";
    assert_request(events::request::list(&params), Method::GET, path, None);
}

#[test]
fn ids_that_could_change_the_path_are_refused_before_building() {
    let bad = "pi_1/../../treasury/payouts";
    assert_refused(intents::request::retrieve(bad), "id");
    assert_refused(
        intents::request::confirm(bad, &ConfirmPaymentIntent::new()),
        "id",
    );
    assert_refused(
        intents::request::cancel(bad, &CancelPaymentIntent::new()),
        "id",
    );
    assert_refused(
        refunds::request::create("ch_1?amount=1", &CreateRefund::new()),
        "charge",
    );
    assert_refused(refunds::request::retrieve(""), "id");
    assert_refused(payouts::request::retrieve("po 1"), "id");
    assert_refused(payouts::request::cancel("po_1#"), "id");
    assert_refused(events::request::retrieve("evt_1%2F"), "id");
}

#[test]
fn invalid_params_are_refused_before_building() {
    let zero = CreatePaymentIntent::new(0, Currency::XOF);
    assert_refused(intents::request::create(&zero), "amount");
    assert_refused(
        refunds::request::create("ch_1", &CreateRefund::new().amount(0)),
        "amount",
    );
    let blank = CreatePayout::new(1, Currency::XOF, PayoutMethod::MobileMoney, "");
    assert_refused(payouts::request::create(&blank), "destination");
    let page = ListParams::new().limit(500);
    let intents_page = ListPaymentIntents::new().page(page.clone());
    assert_refused(intents::request::list(&intents_page), "limit");
    assert_refused(
        refunds::request::list(&ListRefunds::new().page(page.clone())),
        "limit",
    );
    assert_refused(
        payouts::request::list(&ListPayouts::new().page(page.clone())),
        "limit",
    );
    assert_refused(
        events::request::list(&ListEvents::new().page(page)),
        "limit",
    );
}

fn client() -> Client {
    let config = Config::builder()
        .api_key("sk_test_0123456789abcdef")
        .build()
        .unwrap();
    Client::new(config, "test", Arc::new(SeededRandom::new(7)))
}

/// The path a handle's call will request.
fn path<T: serde::de::DeserializeOwned>(call: Result<Call<T>, Error>) -> String {
    call.unwrap().path_and_query().to_owned()
}

#[track_caller]
fn assert_invalid<T>(call: Result<Call<T>, Error>, field: &str) {
    match call {
        Err(Error::InvalidParams(error)) => assert_eq!(error.field, field),
        Err(other) => panic!("expected InvalidParams({field}), got {other:?}"),
        Ok(_) => panic!("expected InvalidParams({field}), got a call"),
    }
}

#[test]
fn handles_turn_invalid_params_into_invalid_params_errors() {
    let client = client();
    let none = RequestOptions::new();
    let negative = CreatePaymentIntent::new(-5, Currency::XOF);
    assert_invalid(client.payment_intents().create(&negative, &none), "amount");
    assert_invalid(client.refunds().retrieve("re/1", &none), "id");
    assert_invalid(client.payouts().cancel("", &none), "id");
    assert_invalid(client.events().retrieve("evt 1", &none), "id");
}

#[test]
fn handles_hand_the_built_request_to_the_client() {
    let client = client();
    let keyed = RequestOptions::new()
        .idempotency_key("order-42:create")
        .unwrap();
    let params = CreatePaymentIntent::new(2500, Currency::XOF);
    let call = client.payment_intents().create(&params, &keyed).unwrap();
    assert_eq!(call.method(), Method::POST);
    assert_eq!(call.path_and_query(), INTENTS);
    assert_eq!(call.body(), br#"{"amount":2500,"currency":"XOF"}"#);
    assert_eq!(call.idempotency_key().unwrap().as_str(), "order-42:create");
}

#[test]
fn every_handle_requests_its_endpoint() {
    let client = client();
    let (intents, refunds, payouts, events) = (
        client.payment_intents(),
        client.refunds(),
        client.payouts(),
        client.events(),
    );
    let o = &RequestOptions::new();
    let payout = CreatePayout::new(1, Currency::XOF, PayoutMethod::MobileMoney, "+221");
    let cases = [
        (
            path(intents.retrieve("pi_1", o)),
            "/v1/connect/payment_intents/pi_1",
        ),
        (
            path(intents.confirm("pi_1", &ConfirmPaymentIntent::new(), o)),
            "/v1/connect/payment_intents/pi_1/confirm",
        ),
        (
            path(intents.cancel("pi_1", &CancelPaymentIntent::new(), o)),
            "/v1/connect/payment_intents/pi_1/cancel",
        ),
        (path(intents.list(&ListPaymentIntents::new(), o)), INTENTS),
        (
            path(refunds.create("ch_1", &CreateRefund::new(), o)),
            "/v1/connect/charges/ch_1/refund",
        ),
        (
            path(refunds.retrieve("re_1", o)),
            "/v1/connect/refunds/re_1",
        ),
        (
            path(refunds.list(&ListRefunds::new(), o)),
            "/v1/connect/refunds",
        ),
        (path(payouts.create(&payout, o)), "/v1/treasury/payouts"),
        (
            path(payouts.retrieve("po_1", o)),
            "/v1/treasury/payouts/po_1",
        ),
        (
            path(payouts.cancel("po_1", o)),
            "/v1/treasury/payouts/po_1/cancel",
        ),
        (
            path(payouts.list(&ListPayouts::new(), o)),
            "/v1/treasury/payouts",
        ),
        (path(events.retrieve("evt_1", o)), "/v1/events/evt_1"),
        (path(events.list(&ListEvents::new(), o)), "/v1/events"),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
}

#[test]
fn posts_without_a_caller_key_get_a_generated_one_and_gets_none() {
    let client = client();
    let none = RequestOptions::new();
    let post = client.payouts().cancel("po_1", &none).unwrap();
    assert_eq!(post.idempotency_key().unwrap().as_str().len(), 36);
    let get = client.payouts().retrieve("po_1", &none).unwrap();
    assert_eq!(get.idempotency_key(), None);
}
