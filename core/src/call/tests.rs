//! Scripted retry sequences on a fake clock: every delay is asserted.

use super::*;
use crate::error::{ApiErrorType, TransportErrorKind};
use crate::retry::BreakerState;

mod template;

const MS: fn(u64) -> Duration = Duration::from_millis;

fn shared() -> Arc<SharedState> {
    Arc::new(SharedState::new(
        BudgetConfig::default(),
        BreakerConfig::default(),
    ))
}

fn call_with(policy: RetryPolicy, shared: Arc<SharedState>) -> Call<serde_json::Value> {
    Call::new(CallParts {
        method: http::Method::POST,
        uri: Ok(http::Uri::from_static(
            "https://api.molam.com/v1/connect/payment_intents",
        )),
        headers: Arc::new(HeaderMap::new()),
        overrides: Vec::new(),
        body: br#"{"amount":2500}"#.to_vec(),
        idempotency_key: Some(IdempotencyKey::new("key-1").expect("valid key")),
        policy,
        timeout: Duration::from_secs(30),
        shared,
        random: Arc::new(crate::random::SeededRandom::new(7)),
        key_space: String::new(),
        endpoint: OnceLock::new(),
        route_start: 0,
    })
}

fn no_jitter() -> RetryPolicy {
    RetryPolicy {
        jitter: false,
        ..RetryPolicy::default()
    }
}

type Outcome = Result<http::Response<Vec<u8>>, TransportError>;

fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> Outcome {
    let mut b = http::Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    Ok(b.body(body.as_bytes().to_vec()).expect("test response"))
}

fn ok() -> Outcome {
    resp(200, &[("x-request-id", "req_ok")], r#"{"id":"pi_1"}"#)
}

fn server_error(status: u16) -> Outcome {
    resp(
        status,
        &[],
        r#"{"error":{"type":"api_error","message":"boom"}}"#,
    )
}

struct Run {
    result: Result<ApiResponse<serde_json::Value>, Error>,
    waits: Vec<Duration>,
    requests: Vec<http::Request<Vec<u8>>>,
}

/// Drives `call` over `script`; each exchange takes `latency` on the fake clock.
fn run(mut call: Call<serde_json::Value>, script: Vec<Outcome>, latency: Duration) -> Run {
    let mut now = Duration::ZERO;
    let (mut waits, mut requests) = (vec![], vec![]);
    for outcome in script {
        let request = match call.poll_request(now) {
            Ok(r) => r,
            Err(e) => {
                return Run {
                    result: Err(e),
                    waits,
                    requests,
                }
            }
        };
        requests.push(request);
        now += latency;
        match call.handle(outcome, now) {
            Step::Done(result) => {
                return Run {
                    result,
                    waits,
                    requests,
                }
            }
            Step::Retry { call: next, wait } => {
                waits.push(wait);
                now += wait;
                call = next;
            }
        }
    }
    panic!("script ran out before the call finished");
}

#[test]
fn success_first_time_carries_request_id_and_key() {
    let r = run(call_with(no_jitter(), shared()), vec![ok()], MS(5));
    let ok = r.result.expect("success");
    assert_eq!(ok["id"], "pi_1");
    assert_eq!(ok.request_id(), Some("req_ok"));
    assert_eq!(ok.meta().attempts, 1);
    assert_eq!(ok.meta().idempotency_key.as_deref(), Some("key-1"));
    assert!(r.waits.is_empty());
}

#[test]
fn status_503_then_200_waits_the_first_backoff_cap() {
    let r = run(
        call_with(no_jitter(), shared()),
        vec![server_error(503), ok()],
        MS(5),
    );
    assert_eq!(r.waits, [MS(500)]);
    assert_eq!(r.result.expect("recovers").meta().attempts, 2);
}

#[test]
fn every_attempt_has_the_same_key_and_the_next_attempt_number() {
    let script = vec![
        server_error(500),
        Err(TransportError::connect("refused")),
        ok(),
    ];
    let r = run(call_with(no_jitter(), shared()), script, MS(5));
    assert!(r.result.is_ok());
    let keys: Vec<_> = r
        .requests
        .iter()
        .map(|q| q.headers()["idempotency-key"].clone())
        .collect();
    let attempts: Vec<_> = r
        .requests
        .iter()
        .map(|q| q.headers()["molam-attempt"].clone())
        .collect();
    assert_eq!(keys, ["key-1", "key-1", "key-1"]);
    assert_eq!(attempts, ["1", "2", "3"]);
    assert!(r.requests.iter().all(|q| q.body() == br#"{"amount":2500}"#));
    assert_eq!(r.waits, [MS(500), MS(1000)]);
}

#[test]
fn status_429_honours_retry_after() {
    let script = vec![resp(429, &[("retry-after", "7")], "{}"), ok()];
    let r = run(call_with(no_jitter(), shared()), script, MS(5));
    assert_eq!(r.waits, [Duration::from_secs(7)]);
    assert!(r.result.is_ok());
}

#[test]
fn retry_after_over_the_cap_is_capped_at_30_seconds() {
    let script = vec![resp(503, &[("retry-after", "3600")], ""), ok()];
    let r = run(call_with(no_jitter(), shared()), script, MS(5));
    assert_eq!(r.waits, [Duration::from_secs(30)]);
}

#[test]
fn connect_errors_are_retried_until_the_attempt_limit() {
    let script = vec![
        Err(TransportError::connect("refused")),
        Err(TransportError::connect("refused")),
        Err(TransportError::connect("refused")),
    ];
    let r = run(call_with(no_jitter(), shared()), script, MS(5));
    assert_eq!(r.waits, [MS(500), MS(1000)]);
    match r.result.unwrap_err() {
        Error::RetriesExhausted {
            attempts: 3,
            reason: GiveUpReason::MaxAttempts,
            last,
        } => {
            assert!(
                matches!(*last, Error::Transport(ref t) if t.kind == TransportErrorKind::Connect)
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn should_retry_false_on_a_500_is_final_at_once() {
    let script = vec![resp(500, &[("molam-should-retry", "false")], "{}")];
    let r = run(call_with(no_jitter(), shared()), script, MS(5));
    let err = r.result.unwrap_err();
    assert!(matches!(err, Error::Api(ref e) if e.status == 500 && e.kind == ApiErrorType::Api));
    assert!(r.waits.is_empty());
}

#[test]
fn should_retry_true_on_a_400_is_retried() {
    let script = vec![resp(400, &[("molam-should-retry", "true")], "{}"), ok()];
    let r = run(call_with(no_jitter(), shared()), script, MS(5));
    assert_eq!(r.waits, [MS(500)]);
    assert!(r.result.is_ok());
}

#[test]
fn final_client_errors_are_never_retried() {
    for status in [400, 401, 402, 403, 404, 422] {
        let r = run(
            call_with(no_jitter(), shared()),
            vec![server_error(status)],
            MS(5),
        );
        assert_eq!(r.result.unwrap_err().status(), Some(status));
        assert!(r.waits.is_empty(), "{status}");
    }
}

#[test]
fn idempotency_key_in_use_is_retried() {
    let body = r#"{"error":{"type":"idempotency_error","code":"idempotency_key_in_use","message":"busy"}}"#;
    let r = run(
        call_with(no_jitter(), shared()),
        vec![resp(409, &[], body), ok()],
        MS(5),
    );
    assert_eq!(r.waits, [MS(500)]);
    assert!(r.result.is_ok());
}

#[test]
fn deadline_stops_retrying_when_the_next_wait_would_pass_it() {
    let policy = RetryPolicy {
        max_attempts: 10,
        deadline: Duration::from_secs(10),
        ..no_jitter()
    };
    // Waits 0.5 + 1 + 2 + 4 = 7.5 s, with 0.5 s per exchange: at t = 10 s the next wait (8 s)
    // would end at 18 s, past the 10 s deadline.
    let script = (0..10).map(|_| server_error(503)).collect();
    let r = run(call_with(policy, shared()), script, MS(500));
    assert_eq!(r.waits, [MS(500), MS(1000), MS(2000), MS(4000)]);
    assert!(matches!(
        r.result.unwrap_err(),
        Error::RetriesExhausted {
            attempts: 5,
            reason: GiveUpReason::Deadline,
            ..
        }
    ));
}

#[test]
fn retry_budget_exhausted_stops_retrying() {
    let shared = Arc::new(SharedState::new(
        BudgetConfig {
            capacity: 10,
            ..BudgetConfig::default()
        },
        BreakerConfig {
            failure_threshold: 0,
            ..BreakerConfig::default()
        },
    ));
    // Two retries cost 5 each; the third retry of the second call finds the bucket empty.
    let r1 = run(
        call_with(no_jitter(), shared.clone()),
        vec![server_error(503), server_error(503), ok()],
        MS(1),
    );
    assert!(r1.result.is_ok());
    assert_eq!(
        shared.budget().tokens(),
        1,
        "10 - 5 - 5 + 1 for the success"
    );
    let r2 = run(
        call_with(no_jitter(), shared.clone()),
        vec![server_error(503)],
        MS(1),
    );
    assert!(r2.waits.is_empty());
    assert!(matches!(
        r2.result.unwrap_err(),
        Error::RetriesExhausted {
            attempts: 1,
            reason: GiveUpReason::RetryBudget,
            ..
        }
    ));
}

#[test]
fn timeouts_cost_double_from_the_budget() {
    let shared = shared();
    let script = vec![Err(TransportError::timeout("read timed out")), ok()];
    let r = run(call_with(no_jitter(), shared.clone()), script, MS(1));
    assert!(r.result.is_ok());
    assert_eq!(shared.budget().tokens(), 500 - 10 + 1);
}

#[test]
fn breaker_opens_then_fails_fast_then_half_opens_and_closes_on_success() {
    let shared = Arc::new(SharedState::new(
        BudgetConfig::default(),
        BreakerConfig {
            failure_threshold: 3,
            cool_down: Duration::from_secs(10),
        },
    ));
    let one_shot = RetryPolicy {
        max_attempts: 1,
        ..no_jitter()
    };
    let mut now = Duration::ZERO;
    for _ in 0..3 {
        let mut call = call_with(one_shot.clone(), shared.clone());
        let _request = call
            .poll_request(now)
            .expect("closed breaker lets requests through");
        assert!(matches!(
            call.handle(server_error(503), now),
            Step::Done(Err(_))
        ));
        now += MS(1);
    }
    assert_eq!(
        shared.breaker().state(),
        BreakerState::Open {
            until: MS(2) + Duration::from_secs(10)
        }
    );

    // Open: fails fast, nothing to send.
    let mut call = call_with(one_shot.clone(), shared.clone());
    assert_eq!(
        call.poll_request(Duration::from_secs(5)).unwrap_err(),
        Error::CircuitOpen {
            retry_in: Duration::from_secs(5) + MS(2)
        }
    );
    assert_eq!(call.attempts(), 0);

    // Half-open: one probe goes, a concurrent call still fails fast.
    let probe_at = Duration::from_secs(11);
    let mut probe = call_with(one_shot.clone(), shared.clone());
    let _probe_request = probe
        .poll_request(probe_at)
        .expect("probe allowed after cool-down");
    let mut other = call_with(one_shot.clone(), shared.clone());
    assert!(matches!(
        other.poll_request(probe_at),
        Err(Error::CircuitOpen { .. })
    ));

    // The probe succeeds: closed again.
    assert!(matches!(probe.handle(ok(), probe_at), Step::Done(Ok(_))));
    assert_eq!(
        shared.breaker().state(),
        BreakerState::Closed { failures: 0 }
    );
    assert!(other.poll_request(probe_at).is_ok());
}

#[test]
fn rate_limits_and_client_errors_do_not_open_the_breaker() {
    let shared = Arc::new(SharedState::new(
        BudgetConfig::default(),
        BreakerConfig {
            failure_threshold: 1,
            cool_down: Duration::from_secs(10),
        },
    ));
    let one_shot = RetryPolicy {
        max_attempts: 1,
        ..no_jitter()
    };
    for outcome in [resp(429, &[], "{}"), server_error(404)] {
        let mut call = call_with(one_shot.clone(), shared.clone());
        let _request = call.poll_request(MS(0)).expect("sent");
        let _done = call.handle(outcome, MS(0));
    }
    assert_eq!(
        shared.breaker().state(),
        BreakerState::Closed { failures: 0 }
    );
}

#[test]
fn jittered_waits_are_reproducible_for_a_seed_and_within_bounds() {
    let script = || vec![server_error(503), server_error(503), ok()];
    let a = run(call_with(RetryPolicy::default(), shared()), script(), MS(1));
    let b = run(call_with(RetryPolicy::default(), shared()), script(), MS(1));
    assert_eq!(a.waits, b.waits);
    assert!(
        MS(100) <= a.waits[0] && a.waits[0] <= MS(500),
        "{:?}",
        a.waits
    );
    assert!(
        MS(100) <= a.waits[1] && a.waits[1] <= MS(1000),
        "{:?}",
        a.waits
    );
}

#[test]
fn a_2xx_with_an_undecodable_body_is_a_final_decode_error() {
    let r = run(
        call_with(no_jitter(), shared()),
        vec![resp(200, &[], "<html>")],
        MS(1),
    );
    assert!(matches!(r.result.unwrap_err(), Error::Decode(ref d) if d.status == 200));
}

#[test]
fn an_unbuildable_url_fails_before_anything_is_sent() {
    let mut call = call_with(no_jitter(), shared());
    call.parts.uri = Err(Error::InvalidParams(ParamError::new("api_base", "bad")));
    assert!(matches!(
        call.poll_request(MS(0)),
        Err(Error::InvalidParams(_))
    ));
    assert_eq!(call.attempts(), 0);
}

#[test]
fn request_options_reject_bad_keys_and_versions() {
    assert_eq!(
        RequestOptions::new().idempotency_key("").unwrap_err().field,
        "idempotency_key"
    );
    assert!(RequestOptions::new().idempotency_key("a b").is_err());
    assert!(RequestOptions::new()
        .idempotency_key("k".repeat(256))
        .is_err());
    assert!(RequestOptions::new()
        .api_version("2025-01-16\r\nX: y")
        .is_err());
    assert_eq!(
        RequestOptions::new()
            .max_retries(u32::MAX)
            .get_max_attempts(),
        Some(u32::MAX)
    );
}
