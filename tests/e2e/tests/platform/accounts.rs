//! REFERENCE.md §6 with both clients: an account's objects are its own, idempotency keys are
//! scoped per account (in the durable store too), and webhooks carry the account.

use std::sync::Arc;

use molam_blocking::params::CreatePaymentIntent;
use molam_blocking::resources::Currency;
use molam_blocking::{AccountId, RequestOptions};
use molam_core::idempotency::InMemoryIdempotencyStore;
use molam_e2e::Harness;

fn account(id: &str) -> RequestOptions {
    RequestOptions::new().account(AccountId::new(id).expect("a valid account id"))
}

fn blocking(harness: &Harness) -> molam_blocking::Client {
    molam_blocking::Client::new(harness.config().build().expect("config")).expect("client")
}

fn not_found(error: &molam_core::Error) -> bool {
    error
        .api_error()
        .is_some_and(|e| e.status == 404 && e.code.as_deref() == Some("resource_missing"))
}

#[test]
fn an_object_created_for_account_a_is_invisible_without_the_header_and_to_account_b() {
    let harness = Harness::start();
    let client = blocking(&harness);
    let created = client
        .with_options(account("acct_a"))
        .payment_intents()
        .create(&CreatePaymentIntent::new(2500, Currency::XOF))
        .expect("create for A");
    assert_eq!(
        created.account.as_ref().map(AccountId::as_str),
        Some("acct_a")
    );
    let again = client
        .with_options(account("acct_a"))
        .payment_intents()
        .retrieve(&created.id)
        .expect("A sees its own object");
    assert_eq!(again.id, created.id);

    let own = client.payment_intents().retrieve(&created.id).unwrap_err();
    assert!(not_found(&own), "{own}");
    let other = client
        .with_options(account("acct_b"))
        .payment_intents()
        .retrieve(&created.id)
        .unwrap_err();
    assert!(not_found(&other), "{other}");
    let listed = client
        .with_options(account("acct_b"))
        .payment_intents()
        .list(&Default::default())
        .expect("B lists");
    assert!(listed.data.is_empty());
}

#[tokio::test]
async fn the_async_client_scopes_by_the_client_level_account() {
    let harness = Harness::start();
    let for_a = molam_tokio::Client::new(
        harness
            .config()
            .account(AccountId::new("acct_a").expect("valid"))
            .build()
            .expect("config"),
    )
    .expect("client");
    let platform =
        molam_tokio::Client::new(harness.config().build().expect("config")).expect("client");
    let created = for_a
        .payment_intents()
        .create(&CreatePaymentIntent::new(900, Currency::XOF))
        .await
        .expect("create for A");
    assert_eq!(
        created.account.as_ref().map(AccountId::as_str),
        Some("acct_a")
    );
    let hidden = platform
        .payment_intents()
        .retrieve(&created.id)
        .await
        .unwrap_err();
    assert!(not_found(&hidden), "{hidden}");
    let seen = for_a
        .payment_intents()
        .retrieve(&created.id)
        .await
        .expect("A sees it");
    assert_eq!(seen.id, created.id);
}

#[test]
fn the_same_idempotency_key_under_two_accounts_creates_two_objects_even_with_a_store() {
    let harness = Harness::start();
    let client = molam_blocking::Client::builder(harness.config().build().expect("config"))
        .idempotency_store(Arc::new(InMemoryIdempotencyStore::new()))
        .build()
        .expect("client");
    let params = CreatePaymentIntent::new(2500, Currency::XOF);
    let create = |id: &str| {
        let options = account(id).idempotency_key("order-1:create").expect("key");
        client
            .with_options(options)
            .payment_intents()
            .create(&params)
            .expect("create")
    };
    let a = create("acct_a");
    let b = create("acct_b");
    let a_again = create("acct_a");
    assert_ne!(a.id, b.id);
    assert_eq!(
        a_again.id, a.id,
        "the same key under the same account is one object"
    );
    assert_eq!(harness.created("payment_intent"), 2);
}

#[tokio::test]
async fn a_per_request_api_key_acts_as_that_merchant() {
    let harness = Harness::start();
    let client =
        molam_tokio::Client::new(harness.config().build().expect("config")).expect("client");
    let merchant = RequestOptions::new()
        .api_key("sk_test_merchant_own_key_42")
        .expect("a valid key");
    let created = client
        .with_options(merchant.clone())
        .payment_intents()
        .create(&CreatePaymentIntent::new(700, Currency::XOF))
        .await
        .expect("create with the merchant's key");
    // The mock keeps each key's objects apart: the platform's key does not see it.
    let hidden = client
        .payment_intents()
        .retrieve(&created.id)
        .await
        .unwrap_err();
    assert!(not_found(&hidden), "{hidden}");
    let seen = client
        .with_options(merchant)
        .payment_intents()
        .retrieve(&created.id)
        .await
        .expect("the merchant's key sees it");
    assert_eq!(seen.id, created.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_for_account_a_carries_it_to_the_endpoints_handler() {
    use axum::routing::post;
    use molam_axum::{InMemoryWebhookInbox, StaticSecrets, VerifiedEvent, WebhookEndpoint};
    use molam_core::webhook::WebhookSecret;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let hook = format!(
        "http://{}/webhooks/molam",
        listener.local_addr().expect("addr")
    );
    let (seen, mut accounts) = tokio::sync::mpsc::unbounded_channel();
    let endpoint = WebhookEndpoint::new(
        StaticSecrets::new(vec![WebhookSecret::new("whsec_mock_secret")]),
        Arc::new(InMemoryWebhookInbox::new()),
    );
    let app = axum::Router::new()
        .route(
            "/webhooks/molam",
            post(move |delivery: VerifiedEvent| async move {
                let account = delivery.account().map(|a| a.as_str().to_owned());
                let _ = seen.send((delivery.event.event_type.to_string(), account));
                "ok"
            }),
        )
        .with_state(endpoint);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let harness = Harness::start_configured(molam_e2e::molam_mock::MockConfig {
        webhook_urls: vec![hook],
        ..Default::default()
    });
    let client =
        molam_tokio::Client::new(harness.config().build().expect("config")).expect("client");
    client
        .with_options(account("acct_a"))
        .payment_intents()
        .create(&CreatePaymentIntent::new(2500, Currency::XOF))
        .await
        .expect("create for A");
    let delivered = tokio::time::timeout(std::time::Duration::from_secs(10), accounts.recv())
        .await
        .expect("a delivery within 10 s")
        .expect("the handler ran");
    assert_eq!(
        delivered,
        (
            "payment_intent.created".to_owned(),
            Some("acct_a".to_owned())
        )
    );
}
