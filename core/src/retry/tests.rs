use super::*;

const MS: fn(u64) -> Duration = Duration::from_millis;

fn no_jitter() -> RetryPolicy {
    RetryPolicy {
        jitter: false,
        ..RetryPolicy::default()
    }
}

#[test]
fn backoff_caps_double_then_stop_at_max_delay() {
    let p = no_jitter();
    let waits: Vec<_> = (1..=7).map(|n| p.backoff(n, 0.0, None)).collect();
    assert_eq!(
        waits,
        [
            MS(500),
            MS(1000),
            MS(2000),
            MS(4000),
            MS(8000),
            MS(8000),
            MS(8000)
        ]
    );
}

#[test]
fn full_jitter_scales_the_cap_and_respects_the_floor() {
    let p = RetryPolicy::default();
    assert_eq!(p.backoff(2, 0.5, None), MS(500));
    assert_eq!(p.backoff(1, 0.0, None), MS(100), "floor");
    assert_eq!(p.backoff(1, 0.999_999, None), MS(500).mul_f64(0.999_999));
    assert_eq!(
        p.backoff(u32::MAX, 0.5, None),
        MS(4000),
        "huge retry numbers stay capped"
    );
}

#[test]
fn non_finite_jitter_draws_do_not_panic() {
    let p = RetryPolicy::default();
    assert_eq!(p.backoff(1, f64::NAN, None), MS(500));
    assert_eq!(p.backoff(1, f64::INFINITY, None), MS(500));
    assert_eq!(p.backoff(1, -3.0, None), MS(100));
}

#[test]
fn retry_after_replaces_backoff_and_is_capped() {
    let p = RetryPolicy::default();
    assert_eq!(
        p.backoff(1, 0.9, Some(Duration::from_secs(7))),
        Duration::from_secs(7)
    );
    assert_eq!(
        p.backoff(1, 0.9, Some(Duration::from_secs(3600))),
        Duration::from_secs(30)
    );
    assert_eq!(p.backoff(1, 0.9, Some(Duration::ZERO)), MS(100));
}

#[test]
fn status_classification_follows_the_contract() {
    for s in [200, 201, 204] {
        assert_eq!(classify_status(s, None, None), Verdict::Success);
    }
    for s in [400, 401, 402, 403, 404, 422] {
        assert_eq!(classify_status(s, None, None), Verdict::Final, "{s}");
    }
    for s in [408, 500, 502, 503, 504] {
        assert_eq!(
            classify_status(s, None, None),
            Verdict::Retry(RetryClass::Server),
            "{s}"
        );
    }
    assert_eq!(
        classify_status(429, None, None),
        Verdict::Retry(RetryClass::Throttling)
    );
    assert_eq!(classify_status(409, None, None), Verdict::Final);
    assert_eq!(
        classify_status(409, Some("idempotency_key_in_use"), None),
        Verdict::Retry(RetryClass::Throttling)
    );
}

#[test]
fn should_retry_header_overrides_the_status() {
    assert_eq!(classify_status(500, None, Some(false)), Verdict::Final);
    assert_eq!(
        classify_status(400, None, Some(true)),
        Verdict::Retry(RetryClass::ServerDirected)
    );
    assert_eq!(classify_status(200, None, Some(true)), Verdict::Success);
}

#[test]
fn transport_failures_are_all_retryable() {
    assert_eq!(
        classify_transport(TransportErrorKind::Connect),
        RetryClass::Transient
    );
    assert_eq!(
        classify_transport(TransportErrorKind::AfterSend),
        RetryClass::Transient
    );
    assert_eq!(
        classify_transport(TransportErrorKind::Timeout),
        RetryClass::Timeout
    );
}

#[test]
fn budget_charges_timeouts_double_and_refills_on_success() {
    let mut b = RetryBudget::new(BudgetConfig {
        capacity: 12,
        ..BudgetConfig::default()
    });
    assert!(b.try_spend(RetryClass::Timeout));
    assert_eq!(b.tokens(), 2);
    assert!(!b.try_spend(RetryClass::Server));
    assert_eq!(b.tokens(), 2, "a refused spend takes nothing");
    for _ in 0..3 {
        b.on_success();
    }
    assert!(b.try_spend(RetryClass::Server));
    assert_eq!(b.tokens(), 0);
    for _ in 0..100 {
        b.on_success();
    }
    assert_eq!(b.tokens(), 12, "never above capacity");
}

fn breaker(threshold: u32) -> CircuitBreaker {
    CircuitBreaker::new(BreakerConfig {
        failure_threshold: threshold,
        cool_down: Duration::from_secs(10),
    })
}

#[test]
fn breaker_opens_after_consecutive_failures_only() {
    let mut b = breaker(3);
    b.on_failure(MS(0));
    b.on_failure(MS(1));
    b.on_success();
    b.on_failure(MS(2));
    b.on_failure(MS(3));
    assert_eq!(b.state(), BreakerState::Closed { failures: 2 });
    b.on_failure(MS(4));
    assert_eq!(b.state(), BreakerState::Open { until: MS(10_004) });
    assert_eq!(b.try_acquire(MS(5)), Err(MS(9_999)));
}

#[test]
fn breaker_half_open_lets_one_probe_then_closes_on_success() {
    let mut b = breaker(1);
    b.on_failure(MS(0));
    assert_eq!(b.try_acquire(MS(10_000)), Ok(()));
    assert_eq!(
        b.state(),
        BreakerState::HalfOpen {
            probe_sent: MS(10_000)
        }
    );
    assert_eq!(
        b.try_acquire(MS(10_001)),
        Err(MS(9_999)),
        "second caller fails fast"
    );
    b.on_success();
    assert_eq!(b.state(), BreakerState::Closed { failures: 0 });
    assert_eq!(b.try_acquire(MS(10_002)), Ok(()));
}

#[test]
fn breaker_failed_probe_reopens_for_a_full_cool_down() {
    let mut b = breaker(1);
    b.on_failure(MS(0));
    assert_eq!(b.try_acquire(MS(10_000)), Ok(()));
    b.on_failure(MS(10_500));
    assert_eq!(b.state(), BreakerState::Open { until: MS(20_500) });
}

#[test]
fn breaker_lost_probe_does_not_block_forever() {
    let mut b = breaker(1);
    b.on_failure(MS(0));
    assert_eq!(b.try_acquire(MS(10_000)), Ok(()));
    // The probe's caller vanished: after another cool-down a new probe may go.
    assert_eq!(b.try_acquire(MS(20_000)), Ok(()));
}

#[test]
fn breaker_threshold_zero_never_opens() {
    let mut b = breaker(0);
    for i in 0..100 {
        b.on_failure(MS(i));
    }
    assert_eq!(b.try_acquire(MS(100)), Ok(()));
}
