//! Exactly-once under faults: connections dropped before and after the mock commits, plus
//! 503s and 429s; every create succeeds and the mock creates each intent once.

use std::collections::HashSet;

use molam_core::params::CreatePaymentIntent;
use molam_core::resources::Currency;
use molam_core::retry::BreakerConfig;
use molam_e2e::molam_mock::FaultKind;
use molam_e2e::{fast_retries, Harness};

const CALLS: usize = 500;

/// 35 % of requests fault: 30 % dropped connections (half before, half after commit) and
/// 5 % 503 or 429. The breaker is off here (the next test covers it); the policy allows 11
/// attempts, so a call fails only with 0.35^11 ≈ 1e-5 odds.
fn faulty_mock(seed: u64) -> (Harness, molam_core::config::Config) {
    let mock = Harness::start();
    mock.random_faults(
        0.35,
        &[
            (FaultKind::DropBeforeProcessing, 15),
            (FaultKind::DropAfterCommit, 15),
            (FaultKind::Http503, 3),
            (FaultKind::Http429, 2),
        ],
        seed,
    );
    let config = mock
        .config()
        .retry_policy(fast_retries(11))
        .breaker(BreakerConfig {
            failure_threshold: 0,
            ..BreakerConfig::default()
        })
        .build()
        .expect("config");
    (mock, config)
}

fn assert_exactly_once(mock: &Harness, ids: &HashSet<String>) {
    assert_eq!(ids.len(), CALLS, "every call got its own intent");
    assert_eq!(
        mock.created("payment_intent"),
        CALLS as u64,
        "none created twice"
    );
    let stats = mock.stats();
    let faults = &stats["faults"];
    assert!(
        faults["drop_after_commit"].as_u64().unwrap_or(0) > 50,
        "{faults}"
    );
    assert!(
        faults["drop_before_processing"].as_u64().unwrap_or(0) > 50,
        "{faults}"
    );
    assert!(
        stats["idempotent_replays"].as_u64().unwrap_or(0) > 50,
        "{stats}"
    );
}

#[test]
fn blocking_500_creates_under_faults_create_500_intents() {
    let (mock, config) = faulty_mock(11);
    let client = molam_blocking::Client::new(config).expect("client");
    let params = CreatePaymentIntent::new(2500, Currency::XOF);
    let ids: HashSet<String> = (0..CALLS)
        .map(|i| {
            let pi = client.payment_intents().create(&params);
            pi.unwrap_or_else(|e| panic!("call {i} failed: {e}"))
                .id
                .clone()
        })
        .collect();
    assert_exactly_once(&mock, &ids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_500_concurrent_creates_under_faults_create_500_intents() {
    let (mock, config) = faulty_mock(12);
    let client = molam_tokio::Client::new(config).expect("client");
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..25 {
        let client = client.clone();
        tasks.spawn(async move {
            let params = CreatePaymentIntent::new(2500, Currency::XOF);
            let mut ids = Vec::new();
            for i in 0..CALLS / 25 {
                let pi = client.payment_intents().create(&params).await;
                ids.push(
                    pi.unwrap_or_else(|e| panic!("call {worker}/{i} failed: {e}"))
                        .id
                        .clone(),
                );
            }
            ids
        });
    }
    let mut ids = HashSet::new();
    while let Some(batch) = tasks.join_next().await {
        ids.extend(batch.expect("no task panicked"));
    }
    assert_exactly_once(&mock, &ids);
}
