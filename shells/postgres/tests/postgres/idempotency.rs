//! `PgIdempotencyStore` against the core's store contract.

use std::sync::Arc;
use std::time::Duration;

use molam_core::error::IdempotencyError;
use molam_core::idempotency::{
    AsyncIdempotencyStore, Claim, ClaimRequest, Fingerprint, IdempotencyKey, LockToken,
    StoredResponse,
};
use molam_postgres::PgIdempotencyStore;

use crate::support::TestDb;

pub const PATH: &str = "/v1/connect/payment_intents";

pub fn key(k: &str) -> IdempotencyKey {
    IdempotencyKey::new(k).expect("a valid test key")
}

pub fn fingerprint(body: &str) -> Fingerprint {
    Fingerprint::of("POST", PATH, body.as_bytes())
}

pub fn claim<'a>(
    key: &'a IdempotencyKey,
    fingerprint: &'a Fingerprint,
    token: u64,
    lease: Duration,
) -> ClaimRequest<'a> {
    ClaimRequest {
        scope: "acct_1",
        key,
        method: "POST",
        path: PATH,
        fingerprint,
        lease,
        now_ms: 0,
        token: LockToken(token),
    }
}

pub fn created() -> StoredResponse {
    StoredResponse {
        status: 201,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("x-request-id".into(), "req_42".into()),
        ],
        body: br#"{"id":"pi_1","object":"payment_intent"}"#.to_vec(),
    }
}

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_claims_of_one_key_let_exactly_one_proceed() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let store = Arc::new(PgIdempotencyStore::new(db.pool.clone()));
    let claims = (0..50u64).map(|token| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            let (k, fp) = (key("order-1:create-intent"), fingerprint("{}"));
            store.claim(&claim(&k, &fp, token, MINUTE)).await
        })
    });
    let mut proceeded = Vec::new();
    let mut in_progress = 0;
    for task in claims {
        match task.await.expect("claim task") {
            Ok(Claim::Proceed { token }) => proceeded.push(token),
            Err(IdempotencyError::InProgress { key }) => {
                assert_eq!(key, "order-1:create-intent");
                in_progress += 1;
            }
            other => panic!("unexpected claim outcome {other:?}"),
        }
    }
    assert_eq!((proceeded.len(), in_progress), (1, 49));
    let holder = "SELECT lock_token FROM server_idempotency WHERE state = 'in_progress'";
    assert_eq!(LockToken::from_i64(db.count(holder).await), proceeded[0]);
}

#[tokio::test]
async fn completed_key_replays_its_stored_response() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let store = PgIdempotencyStore::new(db.pool.clone());
    let (k, fp) = (key("order-2"), fingerprint(r#"{"amount":2500}"#));
    let first = store.claim(&claim(&k, &fp, 1, MINUTE)).await;
    assert_eq!(
        first,
        Ok(Claim::Proceed {
            token: LockToken(1)
        })
    );
    store
        .complete("acct_1", &k, &LockToken(1), &created(), 0)
        .await
        .expect("complete");
    let again = store.claim(&claim(&k, &fp, 2, MINUTE)).await;
    assert_eq!(again, Ok(Claim::Replay(created())));
    let request_id = "SELECT count(*) FROM server_idempotency \
         WHERE request_id = 'req_42' AND state = 'completed' AND lock_token IS NULL \
           AND expires_at > now() + interval '23 hours'";
    assert_eq!(db.count(request_id).await, 1);
}

#[tokio::test]
async fn key_reused_for_another_request_is_rejected_in_progress_or_completed() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let store = PgIdempotencyStore::new(db.pool.clone());
    let k = key("order-3");
    let (fp, other) = (
        fingerprint(r#"{"amount":2500}"#),
        fingerprint(r#"{"amount":9999}"#),
    );
    let mismatch = Err(IdempotencyError::FingerprintMismatch {
        key: "order-3".into(),
    });
    assert!(store.claim(&claim(&k, &fp, 1, MINUTE)).await.is_ok());
    assert_eq!(store.claim(&claim(&k, &other, 2, MINUTE)).await, mismatch);
    store
        .complete("acct_1", &k, &LockToken(1), &created(), 0)
        .await
        .expect("complete");
    assert_eq!(store.claim(&claim(&k, &other, 3, MINUTE)).await, mismatch);
}

#[tokio::test]
async fn crashed_claim_is_taken_over_with_the_same_key_after_its_lease() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let store = PgIdempotencyStore::new(db.pool.clone());
    let (k, fp) = (key("order-4"), fingerprint("{}"));
    let lease = Duration::from_millis(1000);
    // The first process claims and "crashes": it never completes nor releases.
    assert!(store.claim(&claim(&k, &fp, 1, lease)).await.is_ok());
    let early = store.claim(&claim(&k, &fp, 2, lease)).await;
    assert_eq!(
        early,
        Err(IdempotencyError::InProgress {
            key: "order-4".into()
        })
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let retry = store.claim(&claim(&k, &fp, 3, MINUTE)).await;
    assert_eq!(
        retry,
        Ok(Claim::Proceed {
            token: LockToken(3)
        })
    );
    // The crashed process's token is stale: its late answer changes nothing.
    let stale = StoredResponse {
        status: 500,
        ..created()
    };
    store
        .complete("acct_1", &k, &LockToken(1), &stale, 0)
        .await
        .expect("a stale complete is a no-op");
    store
        .release("acct_1", &k, &LockToken(1))
        .await
        .expect("a stale release is a no-op");
    store
        .complete("acct_1", &k, &LockToken(3), &created(), 0)
        .await
        .expect("complete");
    let replay = store.claim(&claim(&k, &fp, 4, MINUTE)).await;
    assert_eq!(replay, Ok(Claim::Replay(created())));
}

#[tokio::test]
async fn released_or_non_final_claims_let_a_retry_proceed_at_once() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let store = PgIdempotencyStore::new(db.pool.clone());
    let (k, fp) = (key("order-5"), fingerprint("{}"));
    assert!(store.claim(&claim(&k, &fp, 1, MINUTE)).await.is_ok());
    store
        .release("acct_1", &k, &LockToken(1))
        .await
        .expect("release");
    let second = store.claim(&claim(&k, &fp, 2, MINUTE)).await;
    assert_eq!(
        second,
        Ok(Claim::Proceed {
            token: LockToken(2)
        })
    );
    let unavailable = StoredResponse {
        status: 503,
        headers: vec![],
        body: vec![],
    };
    store
        .complete("acct_1", &k, &LockToken(2), &unavailable, 0)
        .await
        .expect("complete");
    assert_eq!(db.count("SELECT count(*) FROM server_idempotency").await, 0);
    let third = store.claim(&claim(&k, &fp, 3, MINUTE)).await;
    assert_eq!(
        third,
        Ok(Claim::Proceed {
            token: LockToken(3)
        })
    );
}

#[tokio::test]
async fn expired_record_is_forgotten_like_the_api_forgets_the_key() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let store = PgIdempotencyStore::new(db.pool.clone());
    let k = key("order-6");
    let (fp, other) = (fingerprint("{}"), fingerprint(r#"{"new":true}"#));
    assert!(store.claim(&claim(&k, &fp, 1, MINUTE)).await.is_ok());
    store
        .complete("acct_1", &k, &LockToken(1), &created(), 0)
        .await
        .expect("complete");
    db.client()
        .await
        .execute(
            "UPDATE server_idempotency SET expires_at = now() - interval '1 second'",
            &[],
        )
        .await
        .expect("age the record");
    let reused = store.claim(&claim(&k, &other, 2, MINUTE)).await;
    assert_eq!(
        reused,
        Ok(Claim::Proceed {
            token: LockToken(2)
        })
    );
}

#[tokio::test]
async fn scopes_keep_identical_keys_apart() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let store = PgIdempotencyStore::new(db.pool.clone());
    let (k, fp) = (key("order-7"), fingerprint("{}"));
    let mut in_other_scope = claim(&k, &fp, 2, MINUTE);
    in_other_scope.scope = "acct_2";
    assert!(store.claim(&claim(&k, &fp, 1, MINUTE)).await.is_ok());
    let other = store.claim(&in_other_scope).await;
    assert_eq!(
        other,
        Ok(Claim::Proceed {
            token: LockToken(2)
        })
    );
}
