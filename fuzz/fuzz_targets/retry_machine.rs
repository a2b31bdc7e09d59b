//! The `Call` retry state machine fed arbitrary policies, outcome sequences and times.
//!
//! Invariants: a call asking for more than `MAX_RETRIES` retries is refused before it sends;
//! attempts ≤ max_attempts; `Molam-Attempt` counts 1, 2, 3…; the
//! `Idempotency-Key` never changes across attempts (and GETs carry none); every wait is at
//! least `min_delay`, at most the larger of the backoff cap and the capped `Retry-After`, and
//! never ends past the deadline; a call ends within max_attempts `handle` steps.
#![no_main]

use std::sync::Arc;
use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use molam_core::call::{PreparedRequest, RequestOptions, Step};
use molam_core::client::Client;
use molam_core::config::{Config, MAX_RETRIES};
use molam_core::error::{Error, TransportError};
use molam_core::random::SeededRandom;
use molam_core::retry::{BreakerConfig, BudgetConfig, RetryPolicy};

#[derive(Debug, Arbitrary)]
enum Outcome {
    Connect,
    AfterSend,
    Timeout,
    Response {
        status: u16,
        retry_after: Option<u32>,
        garbage_retry_after: bool,
        should_retry: Option<bool>,
        body: u8,
    },
}

#[derive(Debug, Arbitrary)]
struct Attempt {
    outcome: Outcome,
    latency_ms: u32,
    extra_sleep_ms: u16,
}

#[derive(Debug, Arbitrary)]
struct CallScript {
    post: bool,
    key: Option<String>,
    max_retries: Option<u8>,
    attempts: Vec<Attempt>,
}

#[derive(Debug, Arbitrary)]
struct Input {
    seed: u64,
    max_attempts: u8,
    base_delay_ms: u32,
    max_delay: (u64, u32),
    min_delay_ms: u32,
    max_retry_after_s: u32,
    deadline_ms: u32,
    jitter: bool,
    budget: (u16, u8, u8, u8),
    breaker: (u8, u32),
    start_ms: u32,
    calls: Vec<CallScript>,
}

const BODIES: [&[u8]; 6] = [
    br#"{"id":"pi_1","object":"payment_intent","amount":2500,"currency":"XOF","status":"succeeded"}"#,
    br#"{"error":{"type":"idempotency_error","code":"idempotency_key_in_use","message":"in use"}}"#,
    br#"{"error":{"type":"api_error","message":"boom"}}"#,
    b"<html>502 Bad Gateway</html>",
    b"",
    b"{\"error\":",
];

fn response(
    status: u16,
    retry_after: Option<u32>,
    garbage: bool,
    should_retry: Option<bool>,
    body: u8,
) -> http::Response<Vec<u8>> {
    let status = if (100..=999).contains(&status) {
        status
    } else {
        100 + status % 900
    };
    let mut builder = http::Response::builder()
        .status(status)
        .header("x-request-id", "req_fuzz");
    if let Some(ra) = retry_after {
        builder = builder.header("retry-after", ra.to_string());
    }
    if garbage {
        builder = builder.header("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT");
    }
    if let Some(sr) = should_retry {
        builder = builder.header("molam-should-retry", if sr { "true" } else { "false" });
    }
    builder
        .body(BODIES[usize::from(body) % BODIES.len()].to_vec())
        .expect("a valid response")
}

fuzz_target!(|input: Input| {
    let policy = RetryPolicy {
        max_attempts: u32::from(input.max_attempts % 11) + 1,
        base_delay: Duration::from_millis(u64::from(input.base_delay_ms)),
        max_delay: Duration::new(input.max_delay.0, input.max_delay.1 % 1_000_000_000),
        min_delay: Duration::from_millis(u64::from(input.min_delay_ms)),
        max_retry_after: Duration::from_secs(u64::from(input.max_retry_after_s)),
        deadline: Duration::from_millis(u64::from(input.deadline_ms).max(1)),
        jitter: input.jitter,
    };
    let config = Config::builder()
        .api_key("sk_test_fuzz_0123456789")
        .retry_policy(policy.clone())
        .budget(BudgetConfig {
            capacity: u32::from(input.budget.0),
            retry_cost: u32::from(input.budget.1),
            timeout_cost: u32::from(input.budget.2),
            success_refund: u32::from(input.budget.3),
        })
        .breaker(BreakerConfig {
            failure_threshold: u32::from(input.breaker.0 % 8),
            cool_down: Duration::from_millis(u64::from(input.breaker.1)),
        })
        .build()
        .expect("every value above is in range");
    let client = Client::new(config, "fuzz", Arc::new(SeededRandom::new(input.seed)));

    let mut now = Duration::from_millis(u64::from(input.start_ms));
    for script in input.calls.iter().take(4) {
        let request = PreparedRequest {
            method: if script.post {
                http::Method::POST
            } else {
                http::Method::GET
            },
            path_and_query: "/v1/connect/payment_intents".into(),
            body: script
                .post
                .then(|| b"{\"amount\":2500,\"currency\":\"XOF\"}".to_vec()),
        };
        let mut options = RequestOptions::new();
        if let Some(key) = &script.key {
            options = match options.clone().idempotency_key(key.clone()) {
                Ok(o) => o,
                Err(_) => options,
            };
        }
        let mut max_attempts = policy.max_attempts;
        if let Some(r) = script.max_retries {
            options = options.max_retries(u32::from(r));
            max_attempts = u32::from(r) + 1;
        }
        let expected_key = if script.post {
            options.get_idempotency_key().map(|k| k.as_str().to_owned())
        } else {
            None
        };

        let mut call = client.prepare::<serde_json::Value>(request, &options);
        // More retries than a client may be configured with: the call is refused whole,
        // before any request (`RequestOptions::check`).
        if max_attempts > MAX_RETRIES + 1 {
            match call.poll_request(now) {
                Err(Error::InvalidParams(error)) => assert_eq!(error.field, "max_retries"),
                other => panic!("{max_attempts} attempts were not refused: {other:?}"),
            }
            continue;
        }
        let mut first_key: Option<Option<String>> = None;
        let mut started: Option<Duration> = None;
        let mut steps = 0u32;
        for attempt in &script.attempts {
            let request = match call.poll_request(now) {
                Ok(r) => r,
                Err(Error::CircuitOpen { .. }) => break,
                Err(other) => panic!("poll_request failed with {other:?}"),
            };
            started.get_or_insert(now);
            steps += 1;
            assert!(
                steps <= max_attempts,
                "attempt {steps} of at most {max_attempts}"
            );
            assert_eq!(call.attempts(), steps);
            assert_eq!(
                request.headers()["molam-attempt"],
                steps.to_string().as_str()
            );
            let key = request
                .headers()
                .get("idempotency-key")
                .map(|v| v.to_str().expect("ASCII key").to_owned());
            assert_eq!(key.is_some(), script.post, "only POSTs carry a key");
            if let (Some(expected), Some(key)) = (&expected_key, &key) {
                assert_eq!(expected, key, "the caller's key is sent as is");
            }
            match &first_key {
                None => first_key = Some(key),
                Some(first) => assert_eq!(first, &key, "the key changed between attempts"),
            }

            now = now.saturating_add(Duration::from_millis(u64::from(attempt.latency_ms)));
            let (outcome, status, retry_after) = match &attempt.outcome {
                Outcome::Connect => (Err(TransportError::connect("refused")), None, None),
                Outcome::AfterSend => (Err(TransportError::after_send("reset")), None, None),
                Outcome::Timeout => (Err(TransportError::timeout("slow")), None, None),
                Outcome::Response {
                    status,
                    retry_after,
                    garbage_retry_after,
                    should_retry,
                    body,
                } => {
                    let r = response(
                        *status,
                        *retry_after,
                        *garbage_retry_after,
                        *should_retry,
                        *body,
                    );
                    let code = r.status().as_u16();
                    (Ok(r), Some(code), *retry_after)
                }
            };
            match call.handle(outcome, now) {
                Step::Done(result) => {
                    match &result {
                        Ok(_) => assert!(status.is_some_and(|s| (200..300).contains(&s))),
                        Err(Error::RetriesExhausted { attempts, .. }) => {
                            assert_eq!(*attempts, steps);
                            assert!(*attempts <= max_attempts);
                        }
                        Err(_) => {}
                    }
                    break;
                }
                Step::Retry { call: next, wait } => {
                    assert!(steps < max_attempts, "a retry after the last attempt");
                    assert!(
                        status.is_none_or(|s| !(200..300).contains(&s)),
                        "a 2xx was retried"
                    );
                    assert!(wait >= policy.min_delay, "{wait:?} under the floor");
                    let ra = retry_after
                        .map(|s| Duration::from_secs(u64::from(s)).min(policy.max_retry_after))
                        .unwrap_or_default();
                    let ceiling = policy.max_delay.max(ra).max(policy.min_delay);
                    assert!(wait <= ceiling, "{wait:?} over {ceiling:?}");
                    let elapsed = now - started.expect("polled");
                    assert!(
                        elapsed + wait <= policy.deadline,
                        "{elapsed:?} + {wait:?} past the deadline"
                    );
                    now = now
                        .saturating_add(wait)
                        .saturating_add(Duration::from_millis(u64::from(attempt.extra_sleep_ms)));
                    call = next;
                }
            }
        }
    }
});
