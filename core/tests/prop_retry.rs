//! Property tests of the retry rules: every backoff delay lies within its bounds, and a
//! [`Call`](molam_core::call::Call) driven through any script of outcomes waits only within
//! those bounds, never past its deadline, never beyond its attempt limit, always with the
//! same idempotency key.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::sync::Arc;
use std::time::Duration;

use molam_core::call::{PreparedRequest, RequestOptions, Step};
use molam_core::client::Client;
use molam_core::config::Config;
use molam_core::error::{Error, GiveUpReason, TransportError};
use molam_core::random::SeededRandom;
use molam_core::retry::RetryPolicy;
use proptest::prelude::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn policy() -> impl Strategy<Value = RetryPolicy> {
    (
        1u32..=11,
        0u64..=5_000,
        0u64..=60_000,
        0u64..=2_000,
        0u64..=120,
        1u64..=200_000,
        any::<bool>(),
    )
        .prop_map(
            |(max_attempts, base, max, min, max_ra, deadline, jitter)| RetryPolicy {
                max_attempts,
                base_delay: ms(base),
                max_delay: ms(max),
                min_delay: ms(min),
                max_retry_after: Duration::from_secs(max_ra),
                deadline: ms(deadline),
                jitter,
            },
        )
}

/// The largest wait `policy` may choose for a retry, given the server's `Retry-After`.
fn ceiling(policy: &RetryPolicy, retry_after: Option<Duration>) -> Duration {
    let honoured = retry_after.map_or(Duration::ZERO, |ra| ra.min(policy.max_retry_after));
    policy.max_delay.max(honoured).max(policy.min_delay)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn default_backoff_stays_within_floor_and_cap(
        retry in 0u32..=64,
        unit in any::<f64>(),
        retry_after in proptest::option::of(0u64..=u64::MAX),
    ) {
        let p = RetryPolicy::default();
        let ra = retry_after.map(Duration::from_secs);
        let wait = p.backoff(retry, unit, ra);
        prop_assert!(wait >= ms(100), "{wait:?}");
        match ra {
            Some(ra) => prop_assert_eq!(wait, ra.clamp(ms(100), Duration::from_secs(30))),
            None => prop_assert!(wait <= Duration::from_secs(8), "{wait:?}"),
        }
    }

    #[test]
    fn backoff_stays_within_bounds_for_any_policy(
        p in policy(),
        retry in 0u32..=64,
        unit in any::<f64>(),
        retry_after in proptest::option::of(0u64..=1_000),
    ) {
        let ra = retry_after.map(Duration::from_secs);
        let wait = p.backoff(retry, unit, ra);
        prop_assert!(wait >= p.min_delay, "{wait:?} < {:?}", p.min_delay);
        prop_assert!(wait <= ceiling(&p, ra), "{wait:?} > {:?}", ceiling(&p, ra));
    }

    #[test]
    fn full_jitter_never_exceeds_the_exponential_cap(
        p in policy(),
        retry in 1u32..=20,
        unit in 0.0f64..1.0,
    ) {
        let cap = p
            .base_delay
            .checked_mul(1u32 << (retry - 1).min(31))
            .unwrap_or(p.max_delay)
            .min(p.max_delay);
        let wait = p.backoff(retry, unit, None);
        prop_assert!(wait <= cap.max(p.min_delay), "{wait:?} > {cap:?}");
        let fixed = RetryPolicy { jitter: false, ..p.clone() }.backoff(retry, unit, None);
        prop_assert_eq!(fixed, cap.max(p.min_delay));
    }
}

#[derive(Debug, Clone)]
enum Outcome {
    Transport(u8),
    Status(u16, Option<u64>, Option<bool>),
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        (0u8..3).prop_map(Outcome::Transport),
        (
            prop::sample::select(vec![
                200u16, 400, 402, 404, 408, 409, 422, 429, 500, 502, 503, 504
            ]),
            proptest::option::of(0u64..=120),
            proptest::option::of(any::<bool>()),
        )
            .prop_map(|(s, ra, sr)| Outcome::Status(s, ra, sr)),
    ]
}

fn to_outcome(o: &Outcome) -> (Result<http::Response<Vec<u8>>, TransportError>, Option<u64>) {
    match o {
        Outcome::Transport(0) => (Err(TransportError::connect("refused")), None),
        Outcome::Transport(1) => (Err(TransportError::after_send("reset")), None),
        Outcome::Transport(_) => (Err(TransportError::timeout("slow")), None),
        Outcome::Status(status, ra, sr) => {
            let mut b = http::Response::builder().status(*status);
            if let Some(ra) = ra {
                b = b.header("retry-after", ra.to_string());
            }
            if let Some(sr) = sr {
                b = b.header("molam-should-retry", sr.to_string());
            }
            let body = if *status == 200 {
                br#"{"id":"pi_1"}"#.to_vec()
            } else if *status == 409 {
                br#"{"error":{"type":"idempotency_error","code":"idempotency_key_in_use","message":"busy"}}"#.to_vec()
            } else {
                b"{}".to_vec()
            };
            (Ok(b.body(body).unwrap()), *ra)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_call_waits_within_bounds_and_never_past_its_deadline(
        p in policy(),
        seed in any::<u64>(),
        post in any::<bool>(),
        script in proptest::collection::vec((outcome(), 0u64..=40_000), 1..12),
    ) {
        let config = Config::builder()
            .api_key("sk_test_0123456789abcdef")
            .retry_policy(p.clone())
            .build()
            .unwrap();
        let client = Client::new(config, "prop", Arc::new(SeededRandom::new(seed)));
        let request = PreparedRequest {
            method: if post { http::Method::POST } else { http::Method::GET },
            path_and_query: "/v1/connect/payment_intents".into(),
            body: post.then(|| b"{}".to_vec()),
        };
        let mut call = client.prepare::<serde_json::Value>(request, &RequestOptions::new());
        let start = Duration::from_secs(1_000);
        let mut now = start;
        let mut key = None;
        let mut done = false;
        for (n, (o, latency)) in script.iter().enumerate() {
            let attempt = u32::try_from(n).unwrap() + 1;
            let request = match call.poll_request(now) {
                Ok(request) => request,
                // Five failures in a row open the client's breaker (the default): the call ends.
                Err(Error::CircuitOpen { .. }) => {
                    prop_assert!(n >= 5, "breaker open after {n} attempts");
                    done = true;
                    break;
                }
                Err(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
            };
            prop_assert!(attempt <= p.max_attempts);
            prop_assert_eq!(&request.headers()["molam-attempt"], &attempt.to_string());
            let this_key = request.headers().get("idempotency-key").cloned();
            prop_assert_eq!(this_key.is_some(), post);
            if n == 0 { key = this_key; } else { prop_assert_eq!(&key, &this_key); }

            now += ms(*latency);
            let (outcome, ra) = to_outcome(o);
            match call.handle(outcome, now) {
                Step::Retry { call: next, wait } => {
                    prop_assert!(attempt < p.max_attempts);
                    prop_assert!(wait >= p.min_delay);
                    prop_assert!(wait <= ceiling(&p, ra.map(Duration::from_secs)));
                    prop_assert!(now - start + wait <= p.deadline, "{:?} past {:?}", now - start + wait, p.deadline);
                    now += wait;
                    call = next;
                }
                Step::Done(result) => {
                    if let Err(Error::RetriesExhausted { attempts, reason, .. }) = &result {
                        prop_assert_eq!(*attempts, attempt);
                        if *reason == GiveUpReason::MaxAttempts {
                            prop_assert_eq!(attempt, p.max_attempts);
                        }
                    }
                    done = true;
                    break;
                }
            }
        }
        // A script as long as the attempt limit always ends the call.
        if script.len() >= usize::try_from(p.max_attempts).unwrap() {
            prop_assert!(done, "still retrying after {} attempts", p.max_attempts);
        }
    }
}
