//! The Prometheus example's output after its run (retries, breaker, budget, webhooks, inbox)
//! holds every metric the SDK documents, with bounded labels only.

#[path = "../examples/prometheus.rs"]
mod example;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_prometheus_example_exposes_every_metric_after_a_run() {
    let Some(db) = molam_postgres::testing::TestDb::migrated().await else {
        return;
    };
    let handle = example::install().expect("the only recorder of this test binary");
    example::run(db.pool.clone())
        .await
        .expect("the example's run");
    let scrape = handle.render();
    for name in molam_core::metrics::ALL {
        assert!(
            scrape.lines().any(|line| line.starts_with(name)),
            "{name} is missing from:\n{scrape}"
        );
    }
    let has = |needle: &str| scrape.lines().any(|line| line.contains(needle));
    assert!(has(r#"molam_retries_total{reason="server"}"#), "{scrape}");
    assert!(
        has(r#"molam_breaker_transitions_total{to="open"}"#),
        "{scrape}"
    );
    assert!(
        has(r#"molam_breaker_transitions_total{to="half_open"}"#),
        "{scrape}"
    );
    assert!(
        has(r#"molam_breaker_transitions_total{to="closed"}"#),
        "{scrape}"
    );
    assert!(
        has(r#"molam_webhooks_rejected_total{reason="signature_mismatch"}"#),
        "{scrape}"
    );
    assert!(
        has(r#"endpoint="POST /v1/connect/payment_intents",outcome="success""#),
        "{scrape}"
    );
    assert!(
        has(
            r#"molam_attempts_total{endpoint="POST /v1/connect/payment_intents",outcome="server_error"}"#
        ),
        "{scrape}"
    );
    assert!(
        has(
            r#"molam_calls_total{endpoint="POST /v1/connect/payment_intents",outcome="outcome_unknown"}"#
        ),
        "the fragile call gave up after its request may have run: {scrape}"
    );
    // No label holds an id, a key or a secret.
    for forbidden in ["pi_", "evt_", "sk_test", "whsec", "req_"] {
        assert!(!scrape.contains(forbidden), "{forbidden} in:\n{scrape}");
    }
}
