//! Runtime edge cases: the blocking client inside a tokio runtime, and cancelling an async
//! call by dropping its future.

use std::time::{Duration, Instant};

use molam_e2e::molam_mock::{FaultConfig, FaultKind};
use molam_e2e::Harness;

use crate::params;

#[tokio::test(flavor = "current_thread")]
async fn a_blocking_client_built_and_used_inside_a_runtime_neither_panics_nor_deadlocks() {
    let mock = Harness::start();
    let client =
        molam_blocking::Client::new(mock.config().build().expect("config")).expect("client");
    let pi = client
        .payment_intents()
        .create(&params())
        .expect("ureq needs no runtime");
    let fetched = client.payment_intents().retrieve(&pi.id).expect("retrieve");
    assert_eq!(fetched.id, pi.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_client_in_spawn_blocking_works_beside_async_tasks() {
    let mock = Harness::start();
    let client =
        molam_blocking::Client::new(mock.config().build().expect("config")).expect("client");
    let blocking = tokio::task::spawn_blocking(move || client.payment_intents().create(&params()));
    let pi = blocking.await.expect("no panic").expect("created");
    assert_eq!(pi.amount, 2500);
}

#[tokio::test]
async fn dropping_an_in_flight_async_call_cancels_it_promptly() {
    let mock = Harness::start();
    mock.set_faults(&FaultConfig {
        next: vec![FaultKind::Delay],
        delay_ms: 3_000,
        ..FaultConfig::off()
    });
    let client = molam_tokio::Client::new(mock.config().build().expect("config")).expect("client");
    let started = Instant::now();
    let call = client.payment_intents().create(&params());
    let outcome = tokio::time::timeout(Duration::from_millis(100), call).await;
    assert!(
        outcome.is_err(),
        "the call was still waiting on the delayed mock"
    );
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "dropped promptly"
    );
    let next = client
        .payment_intents()
        .create(&params())
        .await
        .expect("the client still works");
    assert_eq!(next.meta().attempts, 1);
    assert!(
        started.elapsed() < Duration::from_millis(1_500),
        "not queued behind the dropped call"
    );
}

/// A mock that holds the next request for 2 s.
fn stalled_mock() -> Harness {
    let mock = Harness::start();
    mock.set_faults(&FaultConfig {
        next: vec![FaultKind::Delay],
        delay_ms: 2_000,
        ..FaultConfig::off()
    });
    mock
}

fn assert_timed_out(error: &molam_core::Error, started: Instant) {
    // A timed-out POST may have been acted on: the outcome is unknown, with the key.
    let error = match error {
        molam_core::Error::OutcomeUnknown { last, .. } => last.as_ref(),
        other => other,
    };
    let last = match error {
        molam_core::Error::RetriesExhausted { last, .. } => last.as_ref(),
        other => other,
    };
    assert!(
        matches!(last, molam_core::Error::Transport(t) if t.kind == molam_core::error::TransportErrorKind::Timeout),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(1_000),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn blocking_per_request_timeout_fails_the_attempt_as_a_timeout() {
    let mock = stalled_mock();
    let client =
        molam_blocking::Client::new(mock.config().build().expect("config")).expect("client");
    let options = molam_core::call::RequestOptions::new()
        .timeout(Duration::from_millis(150))
        .max_retries(0);
    let started = Instant::now();
    let error = client
        .with_options(options)
        .payment_intents()
        .create(&params())
        .expect_err("stalled");
    assert_timed_out(&error, started);
}

#[tokio::test]
async fn tokio_per_request_timeout_fails_the_attempt_as_a_timeout() {
    let mock = stalled_mock();
    let client = molam_tokio::Client::new(mock.config().build().expect("config")).expect("client");
    let options = molam_core::call::RequestOptions::new()
        .timeout(Duration::from_millis(150))
        .max_retries(0);
    let started = Instant::now();
    let requests = client.with_options(options);
    let error = requests
        .payment_intents()
        .create(&params())
        .await
        .expect_err("stalled");
    assert_timed_out(&error, started);
}
