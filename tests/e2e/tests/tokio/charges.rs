//! `client.charges().retrieve` (REFERENCE.md §3, §4), end to end against the mock.

use molam_tokio::params::{ConfirmPaymentIntent, CreatePaymentIntent, CreateRefund};
use molam_tokio::resources::{ChargeStatus, Currency};
use molam_tokio::Error;

use crate::setup;

#[tokio::test]
async fn a_paid_intents_charge_is_retrieved_and_shows_its_refunds() {
    let (_mock, client) = setup();
    let intent = client
        .payment_intents()
        .create(&CreatePaymentIntent::new(2500, Currency::XOF))
        .await
        .expect("create");
    let paid = client
        .payment_intents()
        .confirm(
            &intent.id,
            &ConfirmPaymentIntent::new().payment_method("pm_card_visa"),
        )
        .await
        .expect("confirm");
    let charge_id = paid
        .latest_charge
        .clone()
        .expect("a paid intent has a charge");

    let charge = client
        .charges()
        .retrieve(&charge_id)
        .await
        .expect("retrieve");
    assert_eq!(charge.id, charge_id);
    assert_eq!(charge.status, ChargeStatus::Succeeded);
    assert_eq!(
        (charge.amount, charge.amount_refunded, charge.refunded),
        (2500, 0, false)
    );
    assert_eq!(charge.currency, Currency::XOF);
    assert_eq!(charge.payment_intent.as_deref(), Some(intent.id.as_str()));
    assert_eq!(charge.payment_method.as_deref(), Some("pm_card_visa"));
    assert!(charge.request_id().is_some_and(|id| id.starts_with("req_")));

    client
        .refunds()
        .create(&charge_id, &CreateRefund::new())
        .await
        .expect("refund all of it");
    let refunded = client
        .charges()
        .retrieve(&charge_id)
        .await
        .expect("retrieve");
    assert_eq!((refunded.amount_refunded, refunded.refunded), (2500, true));
}

#[tokio::test]
async fn an_unknown_charge_is_a_typed_404() {
    let (_mock, client) = setup();
    let error = client
        .charges()
        .retrieve("ch_nope")
        .await
        .expect_err("no such charge");
    let api = error.api_error().expect("an API error");
    assert_eq!(
        (api.status, api.code.as_deref()),
        (404, Some("resource_missing"))
    );
}

#[tokio::test]
async fn a_charge_id_that_would_change_the_path_is_refused_before_sending() {
    let (_mock, client) = setup();
    // Refused by the core: a request sent would have come back as an API error instead.
    match client.charges().retrieve("ch_1/refund").await {
        Err(Error::InvalidParams(e)) => assert_eq!(e.field, "id"),
        other => panic!("expected InvalidParams, got {other:?}"),
    }
}
