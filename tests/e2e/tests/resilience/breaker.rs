//! An outage (every request 503) makes calls fail fast with typed errors — the circuit
//! breaker opens, the retry budget runs dry — and recovery closes the breaker.

use std::time::{Duration, Instant};

use molam_core::error::GiveUpReason;
use molam_core::retry::{BreakerConfig, BreakerState, BudgetConfig};
use molam_core::Error;
use molam_e2e::molam_mock::FaultKind;
use molam_e2e::Harness;

use crate::{params, CREATE};

/// A POST that gave up after 503s may have been acted on: its error names the outcome
/// unknown, with the key; this is the failure inside.
fn unknown(error: &Error) -> &Error {
    match error {
        Error::OutcomeUnknown {
            idempotency_key,
            last,
        } => {
            assert_eq!(idempotency_key.len(), 36, "the generated key");
            last
        }
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
}

#[test]
fn blocking_outage_opens_the_breaker_and_recovery_closes_it() {
    let mock = Harness::start();
    let client =
        molam_blocking::Client::new(mock.config().build().expect("config")).expect("client");
    mock.random_faults(1.0, &[(FaultKind::Http503, 1)], 1);
    let mut errors = Vec::new();
    for _ in 0..4 {
        errors.push(
            client
                .payment_intents()
                .create(&params())
                .expect_err("outage"),
        );
    }
    assert!(matches!(
        unknown(&errors[0]),
        Error::RetriesExhausted { attempts: 4, .. }
    ));
    // The 5th failure (the second call's first 503) opened the breaker before its retry.
    assert!(
        matches!(unknown(&errors[1]), Error::CircuitOpen { .. }),
        "{:?}",
        errors[1]
    );
    let sent = mock.requests_to(CREATE);
    assert_eq!(
        sent, 5,
        "4 attempts, then the 5th failure opened the breaker"
    );
    let started = Instant::now();
    let error = client
        .payment_intents()
        .create(&params())
        .expect_err("still open");
    assert!(matches!(error, Error::CircuitOpen { .. }));
    assert!(started.elapsed() < Duration::from_millis(50), "failed fast");
    assert_eq!(mock.requests_to(CREATE), sent, "nothing sent while open");

    mock.faults_off();
    std::thread::sleep(Duration::from_millis(250));
    client
        .payment_intents()
        .create(&params())
        .expect("the probe succeeds");
    let state = client.core().shared_state().breaker().state();
    assert_eq!(state, BreakerState::Closed { failures: 0 });
}

#[tokio::test]
async fn tokio_outage_opens_the_breaker_and_recovery_closes_it() {
    let mock = Harness::start();
    let client = molam_tokio::Client::new(mock.config().build().expect("config")).expect("client");
    mock.random_faults(1.0, &[(FaultKind::Http503, 1)], 2);
    let first = client
        .payment_intents()
        .create(&params())
        .await
        .expect_err("outage");
    assert!(matches!(
        unknown(&first),
        Error::RetriesExhausted { attempts: 4, .. }
    ));
    let second = client
        .payment_intents()
        .create(&params())
        .await
        .expect_err("outage");
    assert!(
        matches!(unknown(&second), Error::CircuitOpen { .. }),
        "{second:?}"
    );
    let sent = mock.requests_to(CREATE);
    let started = Instant::now();
    let error = client
        .payment_intents()
        .create(&params())
        .await
        .expect_err("still open");
    assert!(matches!(error, Error::CircuitOpen { .. }));
    assert!(started.elapsed() < Duration::from_millis(50), "failed fast");
    assert_eq!(mock.requests_to(CREATE), sent);

    mock.faults_off();
    tokio::time::sleep(Duration::from_millis(250)).await;
    client
        .payment_intents()
        .create(&params())
        .await
        .expect("the probe succeeds");
    let state = client.core().shared_state().breaker().state();
    assert_eq!(state, BreakerState::Closed { failures: 0 });
}

#[test]
fn an_outage_drains_the_retry_budget_and_calls_stop_retrying() {
    let mock = Harness::start();
    let config = mock
        .config()
        .breaker(BreakerConfig {
            failure_threshold: 0,
            ..BreakerConfig::default()
        })
        .budget(BudgetConfig {
            capacity: 20,
            retry_cost: 5,
            ..BudgetConfig::default()
        })
        .build()
        .expect("config");
    let client = molam_blocking::Client::new(config).expect("client");
    mock.random_faults(1.0, &[(FaultKind::Http503, 1)], 3);
    let first = client
        .payment_intents()
        .create(&params())
        .expect_err("outage");
    assert!(matches!(
        unknown(&first),
        Error::RetriesExhausted {
            attempts: 4,
            reason: GiveUpReason::MaxAttempts,
            ..
        }
    ));
    let second = client
        .payment_intents()
        .create(&params())
        .expect_err("outage");
    assert!(
        matches!(
            unknown(&second),
            Error::RetriesExhausted {
                attempts: 2,
                reason: GiveUpReason::RetryBudget,
                ..
            }
        ),
        "{second:?}"
    );
    let third = client
        .payment_intents()
        .create(&params())
        .expect_err("outage");
    assert!(matches!(
        unknown(&third),
        Error::RetriesExhausted {
            attempts: 1,
            reason: GiveUpReason::RetryBudget,
            ..
        }
    ));
    assert_eq!(third.status(), Some(503));
}
