//! Fingerprints, stored responses, the claim decision and the in-memory store.

#![allow(
    clippy::unwrap_used,
    reason = "a test unwraps what its setup guarantees; a failure there is a test failure"
)]

use std::sync::{Arc, Barrier};
use std::time::Duration;

use super::*;
use crate::error::IdempotencyError;

const PATH: &str = "/v1/connect/payment_intents";
const BODY: &[u8] = br#"{"amount":2500,"currency":"XOF"}"#;
const LEASE: Duration = Duration::from_secs(120);
const SCOPE: &str = "acct_1";

fn fp() -> Fingerprint {
    Fingerprint::of("POST", PATH, BODY)
}

fn key() -> IdempotencyKey {
    IdempotencyKey::new("order-12345:create-intent").unwrap()
}

fn ok_response() -> StoredResponse {
    StoredResponse {
        status: 200,
        headers: vec![("x-request-id".to_owned(), "req_1".to_owned())],
        body: br#"{"id":"pi_1"}"#.to_vec(),
    }
}

fn in_progress(fingerprint: Fingerprint, locked_until_ms: i64) -> IdempotencyRecord {
    IdempotencyRecord {
        fingerprint,
        state: RecordState::InProgress { locked_until_ms },
    }
}

// Fingerprint.

#[test]
fn fingerprint_is_a_fixed_vector() {
    assert_eq!(
        fp().to_hex(),
        "265d78ef65459291319f63711453c371731225ce7fba7f78971018acbbd764b8"
    );
    assert_eq!(
        Fingerprint::of("", "", b"").to_hex(),
        "47c9dbdf9a1af6f33499507c141005abcd2c45d240cc95f61d3650a2cf76817f"
    );
}

#[test]
fn fingerprint_distinguishes_method_path_and_body() {
    let base = fp();
    assert_ne!(base, Fingerprint::of("PUT", PATH, BODY));
    assert_ne!(base, Fingerprint::of("POST", "/v1/treasury/payouts", BODY));
    assert_ne!(base, Fingerprint::of("POST", PATH, b"{}"));
    assert_eq!(base, Fingerprint::of("POST", PATH, BODY));
}

#[test]
fn fingerprint_field_boundaries_are_unambiguous() {
    assert_ne!(
        Fingerprint::of("POST", "/a", b"b"),
        Fingerprint::of("POST", "/ab", b"")
    );
    assert_ne!(
        Fingerprint::of("POS", "T/a", b""),
        Fingerprint::of("POST", "/a", b"")
    );
}

#[test]
fn fingerprint_hex_round_trips_in_either_case() {
    let hex = fp().to_hex();
    assert_eq!(Fingerprint::from_hex(&hex), Some(fp()));
    assert_eq!(Fingerprint::from_hex(&hex.to_ascii_uppercase()), Some(fp()));
    assert_eq!(Fingerprint::from_bytes(*fp().as_bytes()), fp());
}

#[test]
fn fingerprint_from_bad_hex_is_none() {
    let hex = fp().to_hex();
    assert_eq!(Fingerprint::from_hex(&hex[..63]), None);
    assert_eq!(Fingerprint::from_hex(&format!("{hex}0")), None);
    assert_eq!(Fingerprint::from_hex(&hex.replacen('5', "g", 1)), None);
    assert_eq!(Fingerprint::from_hex(&format!("+{}", &hex[1..])), None);
    assert_eq!(Fingerprint::from_hex(&format!("é{}", &hex[2..])), None);
    assert_eq!(Fingerprint::from_hex(""), None);
}

// StoredResponse.

#[test]
fn stored_response_keeps_only_allow_listed_headers() {
    let resp = http::Response::builder()
        .status(201)
        .header("Content-Type", "application/json")
        .header("X-Request-Id", "req_42")
        .header("Idempotent-Replayed", "true")
        .header("Set-Cookie", "session=abc")
        .header("Authorization", "Bearer sk_test_0123456789abcdef")
        .header("Connection", "close")
        .body(br#"{"id":"pi_1"}"#.to_vec())
        .unwrap();
    let stored = StoredResponse::from_http(&resp);
    assert_eq!(stored.status, 201);
    assert_eq!(
        stored.headers,
        [
            ("content-type".to_owned(), "application/json".to_owned()),
            ("x-request-id".to_owned(), "req_42".to_owned()),
            ("idempotent-replayed".to_owned(), "true".to_owned()),
        ]
    );
    assert_eq!(stored.body, br#"{"id":"pi_1"}"#);
}

#[test]
fn stored_response_round_trips_through_http() {
    let stored = StoredResponse {
        status: 402,
        headers: vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("x-request-id".to_owned(), "req_7".to_owned()),
        ],
        body: br#"{"error":{"type":"payment_error"}}"#.to_vec(),
    };
    let resp = stored.to_http();
    assert_eq!(resp.status(), 402);
    assert_eq!(resp.headers()["x-request-id"], "req_7");
    assert_eq!(resp.headers().len(), 2);
    assert_eq!(StoredResponse::from_http(&resp), stored);
}

#[test]
fn to_http_skips_bad_or_disallowed_headers_and_never_panics() {
    let stored = StoredResponse {
        status: 200,
        headers: vec![
            ("set-cookie".to_owned(), "a=b".to_owned()),
            ("X-Request-Id".to_owned(), "req_ok".to_owned()),
            ("content-type".to_owned(), "bad\nvalue".to_owned()),
            ("bad name".to_owned(), "v".to_owned()),
        ],
        body: vec![],
    };
    let resp = stored.to_http();
    assert_eq!(resp.headers().len(), 1);
    assert_eq!(resp.headers()["x-request-id"], "req_ok");
}

#[test]
fn to_http_with_a_corrupt_status_is_a_server_error() {
    for status in [0, 99, 1000, u16::MAX] {
        let stored = StoredResponse {
            status,
            headers: vec![],
            body: vec![],
        };
        assert_eq!(stored.to_http().status(), 500, "status {status}");
    }
}

#[test]
fn final_answers_are_stored() {
    for status in [200, 201, 204, 299, 400, 402, 404, 405, 410, 422] {
        assert!(should_store(status), "{status}");
    }
}

#[test]
fn retryable_or_key_dependent_answers_are_not_stored() {
    for status in [
        0, 100, 199, 301, 304, 401, 403, 408, 409, 425, 429, 500, 502, 503, 504, 599, 600,
    ] {
        assert!(!should_store(status), "{status}");
    }
}

// decide.

#[test]
fn decide_without_record_proceeds() {
    assert_eq!(decide(None, &fp(), 0), Decision::Proceed);
}

#[test]
fn decide_with_other_fingerprint_is_mismatch_in_every_state() {
    let other = Fingerprint::of("POST", PATH, b"{}");
    let completed = IdempotencyRecord {
        fingerprint: other,
        state: RecordState::Completed(ok_response()),
    };
    assert_eq!(decide(Some(&completed), &fp(), 0), Decision::Mismatch);
    assert_eq!(
        decide(Some(&in_progress(other, 1_000)), &fp(), 0),
        Decision::Mismatch
    );
    assert_eq!(
        decide(Some(&in_progress(other, 1_000)), &fp(), 5_000),
        Decision::Mismatch,
        "an expired lease of another request is still a misuse"
    );
}

#[test]
fn decide_completed_replays() {
    let record = IdempotencyRecord {
        fingerprint: fp(),
        state: RecordState::Completed(ok_response()),
    };
    assert_eq!(
        decide(Some(&record), &fp(), i64::MAX),
        Decision::Replay(ok_response())
    );
}

#[test]
fn decide_live_lease_is_in_progress_until_its_last_millisecond() {
    let record = in_progress(fp(), 1_000);
    assert_eq!(decide(Some(&record), &fp(), i64::MIN), Decision::InProgress);
    assert_eq!(decide(Some(&record), &fp(), 999), Decision::InProgress);
}

#[test]
fn decide_expired_lease_proceeds_from_its_end() {
    let record = in_progress(fp(), 1_000);
    assert_eq!(decide(Some(&record), &fp(), 1_000), Decision::Proceed);
    assert_eq!(decide(Some(&record), &fp(), i64::MAX), Decision::Proceed);
}

// InMemoryIdempotencyStore.

fn claim_at(
    store: &InMemoryIdempotencyStore,
    fingerprint: &Fingerprint,
    now_ms: i64,
    token: u64,
) -> Result<Claim, IdempotencyError> {
    let key = key();
    IdempotencyStore::claim(
        store,
        &ClaimRequest {
            scope: SCOPE,
            key: &key,
            method: "POST",
            path: PATH,
            fingerprint,
            lease: LEASE,
            now_ms,
            token: LockToken(token),
        },
    )
}

fn complete(store: &InMemoryIdempotencyStore, token: u64, response: &StoredResponse, now_ms: i64) {
    IdempotencyStore::complete(store, SCOPE, &key(), &LockToken(token), response, now_ms).unwrap();
}

fn release(store: &InMemoryIdempotencyStore, token: u64) {
    IdempotencyStore::release(store, SCOPE, &key(), &LockToken(token)).unwrap();
}

fn in_progress_error() -> IdempotencyError {
    IdempotencyError::InProgress {
        key: key().to_string(),
    }
}

#[test]
fn store_first_claim_proceeds_with_the_caller_token() {
    let store = InMemoryIdempotencyStore::new();
    assert_eq!(
        claim_at(&store, &fp(), 0, 7),
        Ok(Claim::Proceed {
            token: LockToken(7)
        })
    );
    assert_eq!(store.len(), 1);
}

#[test]
fn store_second_claim_during_the_lease_is_in_progress() {
    let store = InMemoryIdempotencyStore::new();
    claim_at(&store, &fp(), 0, 1).unwrap();
    assert_eq!(
        claim_at(&store, &fp(), 119_999, 2),
        Err(in_progress_error())
    );
}

#[test]
fn store_completed_claim_replays() {
    let store = InMemoryIdempotencyStore::new();
    claim_at(&store, &fp(), 0, 1).unwrap();
    complete(&store, 1, &ok_response(), 10);
    assert_eq!(
        claim_at(&store, &fp(), 20, 2),
        Ok(Claim::Replay(ok_response()))
    );
}

#[test]
fn store_claim_with_other_fingerprint_is_mismatch() {
    let store = InMemoryIdempotencyStore::new();
    claim_at(&store, &fp(), 0, 1).unwrap();
    let other = Fingerprint::of("POST", PATH, b"{}");
    assert_eq!(
        claim_at(&store, &other, 10, 2),
        Err(IdempotencyError::FingerprintMismatch {
            key: key().to_string()
        })
    );
}

#[test]
fn store_released_claim_can_be_claimed_again() {
    let store = InMemoryIdempotencyStore::new();
    claim_at(&store, &fp(), 0, 1).unwrap();
    release(&store, 1);
    assert!(store.is_empty());
    assert_eq!(
        claim_at(&store, &fp(), 10, 2),
        Ok(Claim::Proceed {
            token: LockToken(2)
        })
    );
}

#[test]
fn store_expired_lease_is_taken_over() {
    let store = InMemoryIdempotencyStore::new();
    claim_at(&store, &fp(), 0, 1).unwrap();
    assert_eq!(
        claim_at(&store, &fp(), 120_000, 2),
        Ok(Claim::Proceed {
            token: LockToken(2)
        })
    );
    assert_eq!(
        claim_at(&store, &fp(), 120_001, 3),
        Err(in_progress_error())
    );
}

#[test]
fn store_stale_token_cannot_complete_or_release_the_new_holder() {
    let store = InMemoryIdempotencyStore::new();
    claim_at(&store, &fp(), 0, 1).unwrap();
    claim_at(&store, &fp(), 120_000, 2).unwrap();
    complete(&store, 1, &ok_response(), 120_001);
    release(&store, 1);
    assert_eq!(
        claim_at(&store, &fp(), 120_002, 3),
        Err(in_progress_error())
    );
    complete(&store, 2, &ok_response(), 120_003);
    assert_eq!(
        claim_at(&store, &fp(), 120_004, 4),
        Ok(Claim::Replay(ok_response()))
    );
}

#[test]
fn store_holder_past_its_lease_still_completes_when_nobody_took_over() {
    let store = InMemoryIdempotencyStore::new();
    claim_at(&store, &fp(), 0, 1).unwrap();
    complete(&store, 1, &ok_response(), 500_000);
    assert_eq!(
        claim_at(&store, &fp(), 500_001, 2),
        Ok(Claim::Replay(ok_response()))
    );
}

#[test]
fn store_completing_with_a_retryable_answer_releases_the_claim() {
    let store = InMemoryIdempotencyStore::new();
    claim_at(&store, &fp(), 0, 1).unwrap();
    let unavailable = StoredResponse {
        status: 503,
        headers: vec![],
        body: vec![],
    };
    complete(&store, 1, &unavailable, 10);
    assert_eq!(
        claim_at(&store, &fp(), 20, 2),
        Ok(Claim::Proceed {
            token: LockToken(2)
        })
    );
}

#[test]
fn store_release_never_drops_a_completed_answer() {
    let store = InMemoryIdempotencyStore::new();
    claim_at(&store, &fp(), 0, 1).unwrap();
    complete(&store, 1, &ok_response(), 10);
    release(&store, 1);
    assert_eq!(
        claim_at(&store, &fp(), 20, 2),
        Ok(Claim::Replay(ok_response()))
    );
}

#[test]
fn store_complete_or_release_without_a_record_is_a_no_op() {
    let store = InMemoryIdempotencyStore::new();
    complete(&store, 1, &ok_response(), 0);
    release(&store, 1);
    assert!(store.is_empty());
}

#[test]
fn store_forgets_a_completed_answer_24_hours_after_completion() {
    let store = InMemoryIdempotencyStore::new();
    let day = 24 * 60 * 60 * 1000;
    claim_at(&store, &fp(), 0, 1).unwrap();
    complete(&store, 1, &ok_response(), 1_000);
    assert_eq!(
        claim_at(&store, &fp(), 1_000 + day - 1, 2),
        Ok(Claim::Replay(ok_response()))
    );
    let other = Fingerprint::of("POST", PATH, b"{}");
    assert_eq!(
        claim_at(&store, &other, 1_000 + day, 3),
        Ok(Claim::Proceed {
            token: LockToken(3)
        })
    );
}

#[test]
fn store_purge_drops_only_expired_records() {
    let store = InMemoryIdempotencyStore::new();
    let day = 24 * 60 * 60 * 1000;
    claim_at(&store, &fp(), 0, 1).unwrap();
    let other_key = IdempotencyKey::new("order-2").unwrap();
    let request = ClaimRequest {
        scope: SCOPE,
        key: &other_key,
        method: "POST",
        path: PATH,
        fingerprint: &fp(),
        lease: LEASE,
        now_ms: day,
        token: LockToken(2),
    };
    IdempotencyStore::claim(&store, &request).unwrap();
    assert_eq!(store.purge_expired(day), 1);
    assert_eq!(store.len(), 1);
}

#[test]
fn store_scopes_keep_equal_keys_apart() {
    let store = InMemoryIdempotencyStore::new();
    let key = key();
    let other = Fingerprint::of("POST", PATH, b"{}");
    for (scope, fingerprint) in [("acct_a", fp()), ("acct_b", other)] {
        let request = ClaimRequest {
            scope,
            key: &key,
            method: "POST",
            path: PATH,
            fingerprint: &fingerprint,
            lease: LEASE,
            now_ms: 0,
            token: LockToken(1),
        };
        assert!(matches!(
            IdempotencyStore::claim(&store, &request),
            Ok(Claim::Proceed { .. })
        ));
    }
}

#[test]
fn store_huge_lease_and_time_do_not_overflow() {
    let store = InMemoryIdempotencyStore::new();
    let key = key();
    let request = ClaimRequest {
        scope: SCOPE,
        key: &key,
        method: "POST",
        path: PATH,
        fingerprint: &fp(),
        lease: Duration::MAX,
        now_ms: i64::MAX - 1,
        token: LockToken(1),
    };
    assert!(IdempotencyStore::claim(&store, &request).is_ok());
    assert_eq!(
        claim_at(&store, &fp(), i64::MAX - 1, 2),
        Err(in_progress_error())
    );
}

#[test]
fn store_debug_shows_no_stored_body() {
    let store = InMemoryIdempotencyStore::new();
    claim_at(&store, &fp(), 0, 1).unwrap();
    complete(&store, 1, &ok_response(), 10);
    assert_eq!(
        format!("{store:?}"),
        "InMemoryIdempotencyStore { records: 1 }"
    );
}

#[test]
fn store_32_threads_claiming_one_key_yield_exactly_one_proceed() {
    let store = Arc::new(InMemoryIdempotencyStore::new());
    let barrier = Arc::new(Barrier::new(32));
    let handles: Vec<_> = (0..32u64)
        .map(|i| {
            let store = Arc::clone(&store);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                claim_at(&store, &fp(), 0, i)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let proceeds = results
        .iter()
        .filter(|r| matches!(r, Ok(Claim::Proceed { .. })))
        .count();
    let in_progress = results
        .iter()
        .filter(|r| **r == Err(in_progress_error()))
        .count();
    assert_eq!((proceeds, in_progress), (1, 31));
}

#[test]
fn async_store_gives_the_same_answers() {
    let store = InMemoryIdempotencyStore::new();
    let key = key();
    let request = ClaimRequest {
        scope: SCOPE,
        key: &key,
        method: "POST",
        path: PATH,
        fingerprint: &fp(),
        lease: LEASE,
        now_ms: 0,
        token: LockToken(9),
    };
    let claimed = block_on(AsyncIdempotencyStore::claim(&store, &request));
    assert_eq!(
        claimed,
        Ok(Claim::Proceed {
            token: LockToken(9)
        })
    );
    let response = ok_response();
    let token = LockToken(9);
    block_on(AsyncIdempotencyStore::complete(
        &store, SCOPE, &key, &token, &response, 1,
    ))
    .unwrap();
    assert_eq!(
        block_on(AsyncIdempotencyStore::claim(&store, &request)),
        Ok(Claim::Replay(ok_response()))
    );
    block_on(AsyncIdempotencyStore::release(&store, SCOPE, &key, &token)).unwrap();
}

#[test]
fn lock_token_survives_a_bigint_column() {
    for value in [0, 1, u64::MAX, 1 << 63] {
        let token = LockToken(value);
        assert_eq!(LockToken::from_i64(token.to_i64()), token);
    }
    assert_eq!(LockToken(u64::MAX).to_i64(), -1);
}

/// Polls a future that is ready at once (the in-memory store never waits).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};
    struct NoWake;
    impl Wake for NoWake {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(NoWake));
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(&waker)) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the in-memory store's futures are always ready"),
    }
}

#[test]
fn uuid_v4_keys_keep_byte_order_and_set_version_and_variant() {
    let bytes: [u8; 16] = std::array::from_fn(|i| i as u8);
    assert_eq!(
        IdempotencyKey::from_random_bytes(bytes).as_str(),
        "00010203-0405-4607-8809-0a0b0c0d0e0f"
    );
    assert_eq!(
        IdempotencyKey::from_random_bytes([0xff; 16]).as_str(),
        "ffffffff-ffff-4fff-bfff-ffffffffffff"
    );
}
