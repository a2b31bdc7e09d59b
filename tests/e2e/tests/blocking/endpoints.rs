//! Every endpoint of REFERENCE.md §4, end to end, and pagination over 250 objects.

use molam_blocking::params::{
    CancelPaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent, CreatePayout, CreateRefund,
    ListEvents, ListParams, ListPaymentIntents, ListPayouts, ListRefunds,
};
use molam_blocking::resources::{
    Currency, EventType, PaymentIntentStatus, PayoutMethod, PayoutStatus, RefundStatus,
};

use crate::{keyed, setup};

#[test]
fn a_payment_intent_is_created_confirmed_retrieved_listed_and_refunded() {
    let (_mock, client) = setup();
    let created = client
        .payment_intents()
        .create(&CreatePaymentIntent::new(2500, Currency::XOF).description("order 1"))
        .expect("create");
    assert_eq!(created.status, PaymentIntentStatus::RequiresPaymentMethod);
    assert_eq!(created.amount, 2500);
    assert!(created
        .request_id()
        .is_some_and(|id| id.starts_with("req_")));
    assert_eq!(created.meta().attempts, 1);

    let confirm = ConfirmPaymentIntent::new().payment_method("pm_card_visa");
    let paid = client
        .payment_intents()
        .confirm(&created.id, &confirm)
        .expect("confirm");
    assert_eq!(paid.status, PaymentIntentStatus::Succeeded);
    let charge = paid
        .latest_charge
        .clone()
        .expect("a paid intent has a charge");

    let fetched = client
        .payment_intents()
        .retrieve(&created.id)
        .expect("retrieve");
    assert_eq!(fetched.status, PaymentIntentStatus::Succeeded);

    let page = client
        .payment_intents()
        .list(&ListPaymentIntents::new())
        .expect("list");
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.data[0].id, created.id);

    let refund = client
        .refunds()
        .create(&charge, &CreateRefund::new().amount(1000))
        .expect("refund");
    assert_eq!(refund.amount, 1000);
    assert_eq!(refund.payment_intent.as_deref(), Some(created.id.as_str()));
    assert_eq!(refund.status, RefundStatus::Succeeded);
    let again = client
        .refunds()
        .retrieve(&refund.id)
        .expect("retrieve refund");
    assert_eq!(again.id, refund.id);
    let refunds = client
        .refunds()
        .list(&ListRefunds::new().payment_intent(created.id.clone()))
        .expect("list refunds");
    assert_eq!(refunds.data.len(), 1);
}

#[test]
fn a_payment_intent_is_canceled() {
    let (_mock, client) = setup();
    let created = client
        .payment_intents()
        .create(&CreatePaymentIntent::new(700, Currency::XAF))
        .expect("create");
    let canceled = client
        .payment_intents()
        .cancel(&created.id, &CancelPaymentIntent::new())
        .expect("cancel");
    assert_eq!(canceled.status, PaymentIntentStatus::Canceled);
}

#[test]
fn a_payout_is_created_retrieved_listed_and_canceled() {
    let (_mock, client) = setup();
    let params = CreatePayout::new(
        5000,
        Currency::XOF,
        PayoutMethod::MobileMoney,
        "+221770000000",
    );
    let payout = client.payouts().create(&params).expect("create payout");
    assert_eq!(payout.status, PayoutStatus::Pending);
    let fetched = client
        .payouts()
        .retrieve(&payout.id)
        .expect("retrieve payout");
    assert_eq!(fetched.amount, 5000);
    let page = client
        .payouts()
        .list(&ListPayouts::new())
        .expect("list payouts");
    assert_eq!(page.data.len(), 1);
    let canceled = client.payouts().cancel(&payout.id).expect("cancel payout");
    assert_eq!(canceled.status, PayoutStatus::Canceled);
}

#[test]
fn events_record_what_happened_and_are_retrieved() {
    let (_mock, client) = setup();
    let intent = client
        .payment_intents()
        .create(&CreatePaymentIntent::new(100, Currency::XOF))
        .expect("create");
    let params = ListEvents::new().event_type(EventType::PaymentIntentCreated);
    let events = client.events().list(&params).expect("list events");
    assert_eq!(events.data.len(), 1);
    let event = client
        .events()
        .retrieve(&events.data[0].id)
        .expect("retrieve event");
    assert_eq!(event.event_type, EventType::PaymentIntentCreated);
    let request = event.request.as_ref().expect("an API request caused it");
    assert_eq!(
        request.idempotency_key.as_deref(),
        intent.meta().idempotency_key.as_deref()
    );
}

#[test]
fn auto_pagination_walks_250_objects_lazily_and_caps() {
    let (mock, client) = setup();
    for i in 0..250 {
        let key = keyed(&format!("bulk-{i}"));
        client
            .with_options(key)
            .payment_intents()
            .create(&CreatePaymentIntent::new(100 + i, Currency::XOF))
            .expect("create");
    }
    let params = ListPaymentIntents::new().page(ListParams::new().limit(100));
    let all: Vec<_> = client
        .payment_intents()
        .list_all(&params)
        .collect::<Result<_, _>>()
        .expect("every page");
    assert_eq!(all.len(), 250);
    let amounts: Vec<i64> = all.iter().map(|pi| pi.amount).collect();
    let newest_first: Vec<i64> = (100..350).rev().collect();
    assert_eq!(amounts, newest_first);
    assert_eq!(mock.requests_to("GET /v1/connect/payment_intents"), 3);

    let capped = client
        .payment_intents()
        .list_all(&params)
        .collect_up_to(120)
        .expect("capped");
    assert_eq!(capped.len(), 120);
    assert_eq!(
        mock.requests_to("GET /v1/connect/payment_intents"),
        5,
        "2 pages for 120 items"
    );
}

#[test]
fn a_webhook_signed_with_the_configured_secret_verifies_into_its_event() {
    use molam_core::webhook::{sign_header, WebhookSecret};
    let (mock, _) = setup();
    let secret = WebhookSecret::new("whsec_mock_secret").with_kid("mock");
    let config = mock
        .config()
        .webhook_secret(secret.clone())
        .build()
        .expect("config");
    let client = molam_blocking::Client::new(config).expect("client");
    let body = br#"{"id":"evt_1","object":"event","type":"payout.paid","data":{"object":{}}}"#;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let header = sign_header(&secret, i64::try_from(now).expect("fits"), body);
    let mut headers = http::HeaderMap::new();
    headers.insert("molam-signature", header.parse().expect("ASCII"));
    let event = client.webhooks().verify(&headers, body).expect("authentic");
    assert_eq!(event.id, "evt_1");
    assert_eq!(event.event_type, EventType::PayoutPaid);
    let tampered = br#"{"id":"evt_2","object":"event","type":"payout.paid","data":{"object":{}}}"#;
    let error = client
        .webhooks()
        .verify(&headers, tampered)
        .expect_err("tampered");
    assert!(matches!(
        error,
        molam_blocking::Error::Signature(molam_core::webhook::SignatureError::SignatureMismatch)
    ));
}
