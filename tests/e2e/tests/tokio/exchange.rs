//! The exchange seen from the async client: store replays are answers, not attempts, and
//! a call that gives up after sending names the key that finishes it exactly once.

use std::sync::Arc;

use molam_core::idempotency::InMemoryIdempotencyStore;
use molam_core::response::AnswerSource;
use molam_core::retry::{BreakerConfig, BreakerState};
use molam_e2e::molam_mock::FaultKind;
use molam_e2e::Harness;
use molam_tokio::params::CreatePaymentIntent;
use molam_tokio::resources::Currency;
use molam_tokio::{Client, Error, RequestOptions};

use crate::{keyed, CREATE};

fn params() -> CreatePaymentIntent {
    CreatePaymentIntent::new(700, Currency::XOF)
}

#[tokio::test]
async fn a_store_replay_leaves_an_open_breaker_open_and_the_budget_unchanged() {
    let mock = Harness::start();
    let breaker = BreakerConfig {
        failure_threshold: 2,
        cool_down: std::time::Duration::from_secs(60),
    };
    let config = mock.config().breaker(breaker).build().expect("config");
    let store = Arc::new(InMemoryIdempotencyStore::new());
    let client = Client::builder(config)
        .idempotency_store(store)
        .build()
        .expect("client");
    let first = client
        .with_options(keyed("order-21"))
        .payment_intents()
        .create(&params())
        .await
        .expect("created");
    assert_eq!(first.meta().source, AnswerSource::Network);
    assert_eq!(first.meta().attempts, 1);

    // An outage opens the breaker: two GETs meet a 503 each and give up at once.
    mock.next_faults(&[FaultKind::Http503, FaultKind::Http503]);
    let once = client.with_options(RequestOptions::new().max_retries(0));
    for _ in 0..2 {
        once.payment_intents()
            .retrieve(&first.id)
            .await
            .expect_err("503");
    }
    let shared = client.core().shared_state();
    let open = shared.breaker().state();
    assert!(matches!(open, BreakerState::Open { .. }), "{open:?}");
    let tokens = shared.budget().tokens();

    let replay = client
        .with_options(keyed("order-21"))
        .payment_intents()
        .create(&params())
        .await
        .expect("answered by the store while the breaker is open");
    assert_eq!(replay.id, first.id);
    assert_eq!(replay.meta().source, AnswerSource::Store);
    assert_eq!(replay.meta().attempts, 0, "a store replay sends nothing");
    assert!(replay.meta().idempotent_replayed);
    assert_eq!(shared.breaker().state(), open, "still open");
    assert_eq!(shared.budget().tokens(), tokens, "no refund");
    assert_eq!(mock.requests_to(CREATE), 1);
}

#[tokio::test]
async fn a_call_that_gives_up_after_sending_names_its_key_and_retrying_with_it_creates_nothing_new()
{
    let mock = Harness::start();
    let client = Client::new(mock.config().build().expect("config")).expect("client");
    // Molam creates the intent, then every response is lost (4 attempts, 4 drops).
    mock.next_faults(&[FaultKind::DropAfterCommit; 4]);
    let error = client
        .payment_intents()
        .create(&params())
        .await
        .expect_err("every response was lost");
    assert!(matches!(error, Error::OutcomeUnknown { .. }), "{error:?}");
    let key = error
        .unknown_outcome_key()
        .expect("the generated key is named")
        .to_owned();
    assert!(error.to_string().contains(&key), "{error}");
    assert_eq!(mock.created("payment_intent"), 1);

    let finished = client
        .with_options(keyed(&key))
        .payment_intents()
        .create(&params())
        .await
        .expect("finished with the key");
    assert_eq!(finished.meta().source, AnswerSource::ServerReplay);
    assert_eq!(
        finished.meta().idempotency_key.as_deref(),
        Some(key.as_str())
    );
    assert_eq!(mock.created("payment_intent"), 1, "nothing new was created");
}
