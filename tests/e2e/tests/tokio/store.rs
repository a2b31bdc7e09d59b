//! The idempotency store wired into the async client: a finished key is answered from the
//! store with no request at all; misuse and conflicts are typed errors.

use std::sync::Arc;
use std::time::Duration;

use molam_core::error::IdempotencyError;
use molam_core::idempotency::{
    ClaimRequest, Fingerprint, IdempotencyKey, IdempotencyStore, InMemoryIdempotencyStore,
    LockToken,
};
use molam_e2e::molam_mock::FaultKind;
use molam_e2e::Harness;
use molam_tokio::params::CreatePaymentIntent;
use molam_tokio::resources::Currency;
use molam_tokio::{Client, Error};

use crate::{keyed, CREATE};

fn client_with(mock: &Harness, store: Arc<InMemoryIdempotencyStore>) -> Client {
    let config = mock.config().build().expect("config");
    Client::builder(config)
        .idempotency_store(store)
        .idempotency_scope("acct_e2e")
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_completed_key_is_replayed_from_the_store_without_any_request() {
    let mock = Harness::start();
    let store = Arc::new(InMemoryIdempotencyStore::new());
    let client = client_with(&mock, store.clone());
    let params = CreatePaymentIntent::new(2500, Currency::XOF);
    let first = client
        .with_options(keyed("order-7"))
        .payment_intents()
        .create(&params)
        .await
        .expect("sent");
    assert_eq!(mock.requests_to(CREATE), 1);

    // Another process (another client, same store) repeats the call after a crash.
    let restarted = client_with(&mock, store.clone());
    let again = restarted
        .with_options(keyed("order-7"))
        .payment_intents()
        .create(&params)
        .await
        .expect("replayed");
    assert_eq!(again.id, first.id);
    assert_eq!(again.request_id(), first.request_id());
    assert_eq!(mock.requests_to(CREATE), 1, "no request on replay");
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn a_key_reused_for_another_body_is_refused_before_sending() {
    let mock = Harness::start();
    let client = client_with(&mock, Arc::new(InMemoryIdempotencyStore::new()));
    let requests = client.with_options(keyed("order-8"));
    requests
        .payment_intents()
        .create(&CreatePaymentIntent::new(1, Currency::XOF))
        .await
        .expect("first");
    let error = requests
        .payment_intents()
        .create(&CreatePaymentIntent::new(2, Currency::XOF))
        .await
        .expect_err("another body");
    assert_eq!(
        error,
        Error::Idempotency(IdempotencyError::FingerprintMismatch {
            key: "order-8".to_owned()
        })
    );
    assert_eq!(mock.requests_to(CREATE), 1);
}

#[tokio::test]
async fn a_key_held_by_another_process_is_in_progress() {
    let mock = Harness::start();
    let store = Arc::new(InMemoryIdempotencyStore::new());
    let client = client_with(&mock, store.clone());
    let params = CreatePaymentIntent::new(3, Currency::XOF);
    let body = serde_json::to_vec(&params).expect("params serialize");
    let key = IdempotencyKey::new("order-9").expect("key");
    let fingerprint = Fingerprint::of("POST", "/v1/connect/payment_intents", &body);
    let now_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_millis(),
    )
    .expect("fits");
    store
        .claim(&ClaimRequest {
            scope: "acct_e2e",
            key: &key,
            method: "POST",
            path: "/v1/connect/payment_intents",
            fingerprint: &fingerprint,
            lease: Duration::from_secs(60),
            now_ms,
            token: LockToken(1),
        })
        .expect("the other process claims first");
    let error = client
        .with_options(keyed("order-9"))
        .payment_intents()
        .create(&params)
        .await
        .expect_err("held elsewhere");
    assert_eq!(
        error,
        Error::Idempotency(IdempotencyError::InProgress {
            key: "order-9".to_owned()
        })
    );
    assert_eq!(mock.requests_to(CREATE), 0);
}

#[tokio::test]
async fn a_call_that_gave_up_releases_its_claim_so_a_retry_may_send() {
    let mock = Harness::start();
    let store = Arc::new(InMemoryIdempotencyStore::new());
    let client = client_with(&mock, store.clone());
    let params = CreatePaymentIntent::new(4, Currency::XOF);
    mock.next_faults(&[FaultKind::DropBeforeProcessing; 4]);
    let error = client
        .with_options(keyed("order-10"))
        .payment_intents()
        .create(&params)
        .await
        .expect_err("4 drops");
    assert_eq!(error.unknown_outcome_key(), Some("order-10"), "{error}");
    assert!(store.is_empty(), "released");
    let later = client
        .with_options(keyed("order-10"))
        .payment_intents()
        .create(&params)
        .await
        .expect("sent again");
    assert_eq!(later.amount, 4);
    assert_eq!(mock.created("payment_intent"), 1);
}
