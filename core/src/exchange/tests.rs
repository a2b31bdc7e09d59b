//! The exchange as a specification: each rule of the module docs, on a fake clock and the
//! in-memory store.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use super::*;
use crate::call::{PreparedRequest, RequestOptions};
use crate::client::Client;
use crate::config::Config;
use crate::drive::{self, Durable};
use crate::idempotency::InMemoryIdempotencyStore;
use crate::random::SeededRandom;
use crate::retry::{BreakerConfig, BreakerState, RetryPolicy};

type Outcome = Result<http::Response<Vec<u8>>, TransportError>;

fn client() -> Client {
    client_with_breaker(5)
}

fn client_with_breaker(failure_threshold: u32) -> Client {
    let config = Config::builder()
        .api_key("sk_test_0123456789abcdef")
        .retry_policy(RetryPolicy {
            jitter: false,
            ..RetryPolicy::default()
        })
        .breaker(BreakerConfig {
            failure_threshold,
            cool_down: Duration::from_secs(30),
        })
        .build()
        .expect("valid test config");
    Client::new(config, "test", Arc::new(SeededRandom::new(3)))
}

fn post(client: &Client, options: &RequestOptions) -> Call<serde_json::Value> {
    let request = PreparedRequest {
        method: http::Method::POST,
        path_and_query: "/v1/connect/payment_intents".to_owned(),
        body: Some(br#"{"amount":1}"#.to_vec()),
    };
    client.prepare(request, options)
}

fn keyed() -> RequestOptions {
    RequestOptions::new()
        .idempotency_key("order-1:create")
        .expect("valid key")
}

fn get(client: &Client) -> Call<serde_json::Value> {
    let request = PreparedRequest {
        method: http::Method::GET,
        path_and_query: "/v1/connect/payment_intents/pi_1".to_owned(),
        body: None,
    };
    client.prepare(request, &RequestOptions::new())
}

fn response(status: u16, headers: &[(&str, &str)]) -> Outcome {
    let mut builder = http::Response::builder()
        .status(status)
        .header("x-request-id", "req_1")
        .header("set-cookie", "secret");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    Ok(builder
        .body(br#"{"id":"pi_1"}"#.to_vec())
        .expect("test response"))
}

/// Drives `call` over `script` with `store` (if any) on a fake clock; returns the result and
/// how many requests were sent.
fn drive(
    call: Call<serde_json::Value>,
    store: Option<&InMemoryIdempotencyStore>,
    script: Vec<Outcome>,
) -> (Result<ApiResponse<serde_json::Value>, Error>, usize) {
    let script = RefCell::new(script.into_iter());
    let sent = Cell::new(0);
    let clock = Cell::new(Duration::ZERO);
    let unix_ms = || 1_700_000_000_000;
    let durable = store.map(|store| Durable {
        store: store as &dyn IdempotencyStore,
        scope: "acct_1",
        unix_ms: &unix_ms,
    });
    let result = drive::run_with(
        call,
        durable,
        |_request, _timeout| {
            sent.set(sent.get() + 1);
            script
                .borrow_mut()
                .next()
                .expect("the script covers every request")
        },
        |wait| clock.set(clock.get() + wait),
        || clock.get(),
    );
    (result, sent.get())
}

#[test]
fn a_get_goes_straight_to_sending_even_with_a_store() {
    let client = client();
    match Exchange::new(get(&client), Some("acct_1")).poll(Duration::ZERO) {
        Action::Send { request, .. } => assert_eq!(request.method(), http::Method::GET),
        other => panic!("expected a request, got {other:?}"),
    }
}

/// A per-call option the client's own settings would refuse (more than `MAX_RETRIES`, a zero
/// timeout) ends the call with that option named, before a claim or a request; the bounds
/// themselves pass.
#[test]
fn an_option_out_of_bounds_ends_the_call_with_nothing_claimed_or_sent() {
    let client = client();
    let store = InMemoryIdempotencyStore::new();
    for (options, field) in [
        (
            keyed().max_retries(crate::config::MAX_RETRIES + 1),
            "max_retries",
        ),
        (keyed().max_retries(u32::MAX), "max_retries"),
        (keyed().timeout(Duration::ZERO), "timeout"),
    ] {
        match Exchange::new(post(&client, &options), Some("acct_1")).poll(Duration::ZERO) {
            Action::Done(Err(Error::InvalidParams(error))) => assert_eq!(error.field, field),
            other => panic!("expected {field} to be refused, got {other:?}"),
        }
        let (result, sent) = drive(post(&client, &options), Some(&store), vec![]);
        assert!(matches!(result, Err(Error::InvalidParams(_))), "{result:?}");
        assert_eq!(sent, 0);
    }
    let claim = IdempotencyStore::claim(
        &store,
        &ClaimRequest {
            scope: "acct_1",
            key: &IdempotencyKey::new("order-1:create").expect("valid key"),
            method: "POST",
            path: "/v1/connect/payment_intents",
            fingerprint: &Fingerprint::of(
                "POST",
                "/v1/connect/payment_intents",
                br#"{"amount":1}"#,
            ),
            lease: Duration::from_secs(60),
            now_ms: 1_700_000_000_000,
            token: LockToken::random(&SeededRandom::new(9)),
        },
    );
    assert!(
        matches!(claim, Ok(Claim::Proceed { .. })),
        "the refused calls left no claim held on their key: {claim:?}"
    );
    let bounds = keyed()
        .max_retries(crate::config::MAX_RETRIES)
        .timeout(Duration::from_millis(1));
    let (result, sent) = drive(post(&client, &bounds), None, vec![response(200, &[])]);
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(sent, 1);
}

#[test]
fn a_post_with_a_store_claims_its_key_with_the_fingerprint_of_what_it_sends() {
    let client = client();
    let Action::Claim(claim) =
        Exchange::new(post(&client, &keyed()), Some("acct")).poll(Duration::ZERO)
    else {
        panic!("a POST with a store claims first");
    };
    let request = claim.request(5);
    assert_eq!(request.scope, "acct");
    assert_eq!(request.key.as_str(), "order-1:create");
    assert_eq!(
        (request.method, request.path),
        ("POST", "/v1/connect/payment_intents")
    );
    assert_eq!(
        *request.fingerprint,
        Fingerprint::of("POST", "/v1/connect/payment_intents", br#"{"amount":1}"#)
    );
    assert_eq!(request.now_ms, 5);
    assert_eq!(request.lease, Duration::from_secs(80 + 30 + 30));
}

#[test]
fn a_final_answer_is_completed_in_the_store_with_allow_listed_headers_only() {
    let client = client();
    let store = InMemoryIdempotencyStore::new();
    let (first, sent) = drive(
        post(&client, &keyed()),
        Some(&store),
        vec![response(201, &[])],
    );
    let first = first.expect("a 201");
    assert_eq!((sent, first.meta().attempts), (1, 1));
    assert_eq!(first.meta().source, AnswerSource::Network);
    let (again, sent) = drive(post(&client, &keyed()), Some(&store), vec![]);
    let again = again.expect("replayed");
    assert_eq!(sent, 0, "the store answered");
    assert_eq!(again["id"], "pi_1");
    assert_eq!(again.request_id(), Some("req_1"));
}

#[test]
fn a_store_replay_reports_its_source_and_zero_attempts() {
    let client = client();
    let store = InMemoryIdempotencyStore::new();
    drive(
        post(&client, &keyed()),
        Some(&store),
        vec![response(200, &[])],
    )
    .0
    .expect("first call");
    let (replay, _) = drive(post(&client, &keyed()), Some(&store), vec![]);
    let meta = replay.expect("replayed").meta().clone();
    assert_eq!(meta.source, AnswerSource::Store);
    assert_eq!(meta.attempts, 0);
    assert!(meta.idempotent_replayed);
    assert_eq!(meta.idempotency_key.as_deref(), Some("order-1:create"));
}

#[test]
fn a_store_replay_leaves_an_open_breaker_open_and_the_budget_unchanged() {
    let client = client_with_breaker(2);
    let store = InMemoryIdempotencyStore::new();
    drive(
        post(&client, &keyed()),
        Some(&store),
        vec![response(200, &[])],
    )
    .0
    .expect("first call");
    // An outage: two GETs fail with 503 (each retried once then gives up); the breaker opens.
    let single = RequestOptions::new().max_retries(0);
    for _ in 0..2 {
        let request = PreparedRequest {
            method: http::Method::GET,
            path_and_query: "/v1/events/evt_1".to_owned(),
            body: None,
        };
        let call = client.prepare::<serde_json::Value>(request, &single);
        let _ = drive(call, None, vec![response(503, &[])]);
    }
    let open = client.shared_state().breaker().state();
    assert!(matches!(open, BreakerState::Open { .. }), "{open:?}");
    let tokens = client.shared_state().budget().tokens();
    let (replay, sent) = drive(post(&client, &keyed()), Some(&store), vec![]);
    assert_eq!(replay.expect("replayed").meta().source, AnswerSource::Store);
    assert_eq!(sent, 0);
    assert_eq!(client.shared_state().breaker().state(), open);
    assert_eq!(client.shared_state().budget().tokens(), tokens);
}

#[test]
fn a_replayed_decline_is_the_same_typed_error_and_a_non_final_stored_answer_is_a_store_failure() {
    let decline = StoredResponse {
        status: 402,
        headers: vec![],
        body: br#"{"error":{"type":"payment_error","code":"card_declined","message":"no"}}"#
            .to_vec(),
    };
    let error = replay::<serde_json::Value>(&decline, "k").expect_err("a stored 402");
    assert_eq!(error.status(), Some(402));
    assert_eq!(
        error.api_error().and_then(|e| e.code.as_deref()),
        Some("card_declined")
    );
    let corrupt = StoredResponse {
        status: 503,
        headers: vec![],
        body: vec![],
    };
    assert!(matches!(
        replay::<serde_json::Value>(&corrupt, "k"),
        Err(Error::Idempotency(IdempotencyError::Store(_)))
    ));
}

#[test]
fn a_claim_refused_by_the_store_ends_the_call_with_nothing_sent() {
    let client = client();
    let exchange = Exchange::new(post(&client, &keyed()), Some("acct"));
    let Action::Claim(claim) = exchange.poll(Duration::ZERO) else {
        panic!("claims first");
    };
    let refused = Err(IdempotencyError::InProgress {
        key: "order-1:create".to_owned(),
    });
    match claim.handle_claim(refused).poll(Duration::ZERO) {
        Action::Done(Err(Error::Idempotency(IdempotencyError::InProgress { .. }))) => {}
        other => panic!("expected the store's refusal, got {other:?}"),
    }
}

#[test]
fn a_retry_holds_the_claim_and_giving_up_releases_it() {
    let client = client();
    let store = InMemoryIdempotencyStore::new();
    let exchange = Exchange::new(post(&client, &keyed()), Some("acct_1"));
    let Action::Claim(claim) = exchange.poll(Duration::ZERO) else {
        panic!("claims first");
    };
    let answer = IdempotencyStore::claim(&store, &claim.request(0));
    let exchange = claim.handle_claim(answer);
    let Action::Send { next, .. } = exchange.poll(Duration::ZERO) else {
        panic!("sends after the claim");
    };
    // A 503 is retried: the exchange sleeps the first backoff, holding the claim.
    let exchange = next.handle_response(response(503, &[]), Duration::from_millis(10));
    let Action::Sleep { wait, next } = exchange.poll(Duration::from_millis(10)) else {
        panic!("a 503 is retried after a wait");
    };
    assert_eq!(wait, Duration::from_millis(500));
    assert_eq!(store.len(), 1, "the claim is held while retrying");
    // Polled early, it only says how much longer to sleep.
    let Action::Sleep { wait, next } = next.poll(Duration::from_millis(110)) else {
        panic!("still sleeping");
    };
    assert_eq!(wait, Duration::from_millis(400));
    let Action::Send { next, .. } = next.poll(Duration::from_secs(1)) else {
        panic!("the second attempt");
    };
    assert_eq!(next.attempt(), 2);
    // A final 503 (the server says not to retry) ends the call without an answer worth
    // storing: the claim is released.
    let last = response(503, &[("molam-should-retry", "false")]);
    let Action::Store(settle) = next
        .handle_response(last, Duration::from_secs(1))
        .poll(Duration::from_secs(1))
    else {
        panic!("the held claim is settled");
    };
    assert_eq!(settle.completion(), None, "released, not completed");
    let settled = settle.apply(&store, 0);
    let (exchange, failure) = settle.handle_stored(settled);
    assert!(failure.is_none());
    assert!(store.is_empty());
    let Action::Done(Err(error)) = exchange.poll(Duration::from_secs(1)) else {
        panic!("done with the 503");
    };
    assert_eq!(error.unknown_outcome_key(), Some("order-1:create"));
}

#[test]
fn giving_up_after_a_request_may_have_reached_molam_names_the_key() {
    let client = client();
    let store = InMemoryIdempotencyStore::new();
    let script = vec![
        Err(TransportError::timeout("no answer")),
        Err(TransportError::after_send("reset")),
        response(503, &[]),
    ];
    let (result, sent) = drive(post(&client, &keyed()), Some(&store), script);
    assert_eq!(sent, 3);
    let error = result.expect_err("gave up");
    assert_eq!(error.unknown_outcome_key(), Some("order-1:create"));
    let Error::OutcomeUnknown { last, .. } = &error else {
        panic!("expected an unknown outcome, got {error:?}");
    };
    assert!(matches!(
        **last,
        Error::RetriesExhausted { attempts: 3, .. }
    ));
    assert!(error.to_string().contains("order-1:create"), "{error}");
    assert!(std::error::Error::source(&error).is_some());
    assert!(
        store.is_empty(),
        "the claim was released, so a retry with the key may send"
    );
    // Retrying with the key finishes the call.
    let (retried, _) = drive(
        post(&client, &keyed()),
        Some(&store),
        vec![response(200, &[])],
    );
    assert_eq!(
        retried.expect("finished").meta().idempotency_key.as_deref(),
        Some("order-1:create")
    );
}

#[test]
fn a_generated_key_is_named_too_and_a_single_5xx_is_an_unknown_outcome() {
    let client = client();
    let (result, _) = drive(
        post(&client, &RequestOptions::new().max_retries(0)),
        None,
        vec![response(500, &[])],
    );
    let error = result.expect_err("a 500");
    let key = error
        .unknown_outcome_key()
        .expect("a POST always has a key");
    assert_eq!(key.len(), 36, "a generated UUID v4: {key}");
    assert_eq!(error.status(), Some(500));
}

#[test]
fn failures_that_never_reached_molam_or_final_answers_are_known_outcomes() {
    let client = client();
    let connect = vec![
        Err(TransportError::connect("refused")),
        Err(TransportError::connect("refused")),
        Err(TransportError::connect("refused")),
    ];
    let (result, _) = drive(post(&client, &keyed()), None, connect);
    assert!(matches!(result, Err(Error::RetriesExhausted { .. })));
    let (declined, _) = drive(post(&client, &keyed()), None, vec![response(402, &[])]);
    assert!(matches!(declined, Err(Error::Api(_))));
    // A GET is safe to repeat: it has no key, and its failure is plainly exhausted.
    let timeouts = (0..3).map(|_| Err(TransportError::timeout("t"))).collect();
    let (result, _) = drive(get(&client), None, timeouts);
    assert!(matches!(result, Err(Error::RetriesExhausted { .. })));
}

#[test]
fn a_breaker_that_opens_mid_call_after_a_timeout_is_an_unknown_outcome() {
    let client = client_with_breaker(2);
    // Threshold 2: the call's first timeout and a 503 open the breaker before its third try.
    let script = vec![Err(TransportError::timeout("t")), response(503, &[])];
    let (result, sent) = drive(post(&client, &keyed()), None, script);
    assert_eq!(sent, 2);
    let error = result.expect_err("gave up");
    let Error::OutcomeUnknown { last, .. } = &error else {
        panic!("expected an unknown outcome, got {error:?}");
    };
    assert!(matches!(**last, Error::CircuitOpen { .. }));
}

#[test]
fn molam_s_own_replay_says_so() {
    let client = client();
    let (result, _) = drive(
        post(&client, &keyed()),
        None,
        vec![response(200, &[("idempotent-replayed", "true")])],
    );
    let meta = result.expect("a replay").meta().clone();
    assert_eq!(meta.source, AnswerSource::ServerReplay);
    assert_eq!(meta.attempts, 1);
}

#[test]
fn a_store_failure_while_settling_does_not_change_the_answer() {
    let client = client();
    let exchange = Exchange::new(post(&client, &keyed()), Some("acct"));
    let Action::Claim(claim) = exchange.poll(Duration::ZERO) else {
        panic!("claims first");
    };
    let token = claim.token();
    let exchange = claim.handle_claim(Ok(Claim::Proceed { token }));
    let Action::Send { next, .. } = exchange.poll(Duration::ZERO) else {
        panic!("sends");
    };
    let Action::Store(store) = next
        .handle_response(response(200, &[]), Duration::ZERO)
        .poll(Duration::ZERO)
    else {
        panic!("settles the claim");
    };
    assert_eq!(store.completion().map(|s| s.status), Some(200));
    assert_eq!(store.key().as_str(), "order-1:create");
    let (exchange, failure) = store.handle_stored(Err(IdempotencyError::Store("down".to_owned())));
    assert!(failure.is_some());
    assert!(matches!(exchange.poll(Duration::ZERO), Action::Done(Ok(_))));
}
