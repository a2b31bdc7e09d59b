//! Every error type of REFERENCE.md §2 reaches the caller typed, with its request id; retryable
//! ones are retried under the same idempotency key.

use molam_blocking::params::{ConfirmPaymentIntent, CreatePaymentIntent, CreatePayout};
use molam_blocking::resources::{Currency, PayoutMethod};
use molam_blocking::{ApiErrorType, Client, Error, RequestOptions};
use molam_core::error::GiveUpReason;
use molam_e2e::molam_mock::FaultKind;

use crate::{keyed, setup};

fn intent() -> CreatePaymentIntent {
    CreatePaymentIntent::new(2500, Currency::XOF)
}

fn api_kind(error: &Error) -> (u16, ApiErrorType, Option<String>) {
    let api = error.api_error().expect("an API error");
    (api.status, api.kind.clone(), api.code.clone())
}

#[test]
fn a_400_for_a_wrong_state_is_final() {
    let (_mock, client) = setup();
    let pi = client.payment_intents().create(&intent()).expect("create");
    let error = client
        .payment_intents()
        .confirm(&pi.id, &ConfirmPaymentIntent::new())
        .expect_err("no payment method to confirm with");
    assert_eq!(error.status(), Some(400));
    assert_eq!(api_kind(&error).1, ApiErrorType::InvalidRequest);
    assert!(error.request_id().is_some_and(|id| id.starts_with("req_")));
}

#[test]
fn a_401_is_an_authentication_error() {
    let (mock, _) = setup();
    let config = mock
        .config()
        .api_key("sk_test_revoked-key")
        .build()
        .expect("config");
    let client = Client::new(config).expect("client");
    let error = client
        .payment_intents()
        .create(&intent())
        .expect_err("unknown key");
    assert_eq!(api_kind(&error).0, 401);
    assert_eq!(api_kind(&error).1, ApiErrorType::Authentication);
    assert!(!format!("{error} {error:?}").contains("revoked-key"));
}

#[test]
fn a_402_decline_carries_its_code() {
    let (_mock, client) = setup();
    let pi = client.payment_intents().create(&intent()).expect("create");
    let confirm = ConfirmPaymentIntent::new().payment_method("pm_card_declined");
    let error = client
        .payment_intents()
        .confirm(&pi.id, &confirm)
        .expect_err("declined");
    assert_eq!(
        api_kind(&error),
        (402, ApiErrorType::Payment, Some("card_declined".to_owned()))
    );
}

#[test]
fn a_403_restricted_key_may_not_pay_out() {
    let (mock, _) = setup();
    let config = mock
        .config()
        .api_key("sk_test_restricted_1")
        .build()
        .expect("config");
    let client = Client::new(config).expect("client");
    let payout = CreatePayout::new(100, Currency::XOF, PayoutMethod::BankTransfer, "SN08SN0100");
    let error = client.payouts().create(&payout).expect_err("restricted");
    assert_eq!(api_kind(&error).0, 403);
    assert_eq!(api_kind(&error).1, ApiErrorType::Permission);
}

#[test]
fn a_404_is_resource_missing() {
    let (_mock, client) = setup();
    let error = client
        .payment_intents()
        .retrieve("pi_nothere")
        .expect_err("missing");
    assert_eq!(
        api_kind(&error),
        (
            404,
            ApiErrorType::InvalidRequest,
            Some("resource_missing".to_owned())
        )
    );
}

#[test]
fn an_invalid_id_is_refused_before_any_request() {
    let (mock, client) = setup();
    let error = client
        .payment_intents()
        .retrieve("../refunds")
        .expect_err("bad id");
    assert!(matches!(error, Error::InvalidParams(ref p) if p.field == "id"));
    assert_eq!(mock.requests_to("GET /v1/connect/payment_intents/{id}"), 0);
}

#[test]
fn a_409_key_in_use_is_retried_until_the_first_call_answers() {
    let (mock, client) = setup();
    mock.set_faults(&molam_e2e::molam_mock::FaultConfig {
        next: vec![FaultKind::Delay],
        delay_ms: 300,
        ..molam_e2e::molam_mock::FaultConfig::off()
    });
    let options = keyed("order-409");
    let slow = {
        let (client, options) = (client.clone(), options.clone());
        std::thread::spawn(move || {
            client
                .with_options(options)
                .payment_intents()
                .create(&intent())
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(100));
    let policy = molam_core::retry::RetryPolicy {
        min_delay: std::time::Duration::from_millis(40),
        ..molam_e2e::fast_retries(11)
    };
    let patient = mock.config().retry_policy(policy).build().expect("config");
    let second = Client::new(patient).expect("client");
    let replay = second
        .with_options(options)
        .payment_intents()
        .create(&intent())
        .expect("replayed");
    let first = slow
        .join()
        .expect("no panic")
        .expect("the delayed call succeeds");
    assert_eq!(replay.id, first.id);
    assert!(replay.meta().attempts > 1, "409 was retried");
    assert!(replay.meta().idempotent_replayed);
    assert_eq!(mock.created("payment_intent"), 1);
}

#[test]
fn a_422_key_reused_for_another_request_is_final() {
    let (_mock, client) = setup();
    let options = keyed("order-422");
    let requests = client.with_options(options);
    requests
        .payment_intents()
        .create(&intent())
        .expect("first use");
    let other = CreatePaymentIntent::new(9999, Currency::XOF);
    let error = requests
        .payment_intents()
        .create(&other)
        .expect_err("reused key");
    assert_eq!(
        api_kind(&error),
        (
            422,
            ApiErrorType::Idempotency,
            Some("idempotency_key_reused".to_owned())
        )
    );
}

#[test]
fn a_429_is_retried_and_surfaces_typed_without_retries() {
    let (mock, client) = setup();
    mock.next_faults(&[FaultKind::Http429]);
    let pi = client.payment_intents().create(&intent()).expect("retried");
    assert_eq!(pi.meta().attempts, 2);
    mock.next_faults(&[FaultKind::Http429]);
    let no_retry = RequestOptions::new().max_retries(0);
    let error = client
        .with_options(no_retry)
        .payment_intents()
        .create(&intent())
        .expect_err("429");
    assert!(matches!(
        error,
        Error::RetriesExhausted {
            attempts: 1,
            reason: GiveUpReason::MaxAttempts,
            ..
        }
    ));
    assert_eq!(api_kind(&error).1, ApiErrorType::RateLimit);
}

#[test]
fn server_errors_are_retried_then_given_up_with_the_last_one() {
    let (mock, client) = setup();
    mock.next_faults(&[FaultKind::Http500, FaultKind::Http503]);
    let pi = client
        .payment_intents()
        .create(&intent())
        .expect("third attempt");
    assert_eq!(pi.meta().attempts, 3);
    mock.next_faults(&[FaultKind::Http503; 4]);
    let error = client
        .payment_intents()
        .create(&intent())
        .expect_err("4 x 503");
    // A 5xx may come after Molam acted: the outcome is unknown, and the error names the key.
    assert!(error.unknown_outcome_key().is_some(), "{error}");
    let Error::OutcomeUnknown { last, .. } = &error else {
        panic!("expected an unknown outcome, got {error:?}");
    };
    assert!(matches!(
        **last,
        Error::RetriesExhausted { attempts: 4, .. }
    ));
    assert_eq!(api_kind(&error).0, 503);
    assert!(error.request_id().is_some());
    assert_eq!(mock.created("payment_intent"), 1);
}
