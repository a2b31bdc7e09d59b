//! The blocking flavour: same schema, same rules, without an async runtime.

use std::sync::Arc;
use std::time::Duration;

use molam_core::error::IdempotencyError;
use molam_core::idempotency::{Claim, IdempotencyStore, LockToken};
use molam_core::inbox::Recorded;
use molam_postgres::blocking::{
    migrate, BlockingPool, PgBlockingIdempotencyStore, PgBlockingWebhookInbox,
};
use molam_postgres::{Applied, Settlement, MIGRATIONS};

use crate::idempotency::{claim, created, fingerprint, key};
use crate::inbox::delivery;
use crate::support::TestDb;

/// A test schema made with a throwaway runtime; the test itself then runs without one, as a
/// blocking server would.
fn test_db(migrated: bool) -> Option<(TestDb, BlockingPool)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let db = runtime.block_on(TestDb::empty())?;
    let pool = BlockingPool::new(db.blocking_config()).with_max_size(16);
    if migrated {
        migrate(&mut pool.get().expect("connect")).expect("migrate");
    }
    Some((db, pool))
}

#[test]
fn blocking_migrate_applies_once() {
    let Some((_db, pool)) = test_db(false) else {
        return;
    };
    let mut client = pool.get().expect("connect");
    let first = migrate(&mut client).expect("migrate");
    let every: Vec<Applied> = MIGRATIONS.iter().map(Applied::from).collect();
    assert_eq!(first, every);
    assert_eq!(migrate(&mut client).expect("migrate"), vec![]);
}

#[test]
fn fifty_threads_claiming_one_key_let_exactly_one_proceed() {
    let Some((_db, pool)) = test_db(true) else {
        return;
    };
    // Fewer connections than threads: claims also queue for the pool.
    let store = Arc::new(PgBlockingIdempotencyStore::new(pool.with_max_size(8)));
    let threads: Vec<_> = (0..50u64)
        .map(|token| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let (k, fp) = (key("order-1"), fingerprint("{}"));
                store.claim(&claim(&k, &fp, token, Duration::from_secs(60)))
            })
        })
        .collect();
    let (mut proceeded, mut in_progress) = (0, 0);
    for thread in threads {
        match thread.join().expect("claim thread") {
            Ok(Claim::Proceed { .. }) => proceeded += 1,
            Err(IdempotencyError::InProgress { .. }) => in_progress += 1,
            other => panic!("unexpected claim outcome {other:?}"),
        }
    }
    assert_eq!((proceeded, in_progress), (1, 49));
}

#[test]
fn blocking_store_replays_rejects_mismatch_and_recovers_a_crash() {
    let Some((_db, pool)) = test_db(true) else {
        return;
    };
    let store = PgBlockingIdempotencyStore::new(pool);
    let k = key("order-2");
    let (fp, other) = (fingerprint("{}"), fingerprint(r#"{"x":1}"#));
    let lease = Duration::from_millis(200);
    assert_eq!(
        store.claim(&claim(&k, &fp, 1, lease)),
        Ok(Claim::Proceed {
            token: LockToken(1)
        })
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        store.claim(&claim(&k, &fp, 2, lease)),
        Ok(Claim::Proceed {
            token: LockToken(2)
        })
    );
    store
        .complete("acct_1", &k, &LockToken(2), &created(), 0)
        .expect("complete");
    assert_eq!(
        store.claim(&claim(&k, &fp, 3, lease)),
        Ok(Claim::Replay(created()))
    );
    assert_eq!(
        store.claim(&claim(&k, &other, 4, lease)),
        Err(IdempotencyError::FingerprintMismatch {
            key: "order-2".into()
        })
    );
}

#[test]
fn blocking_inbox_dedupes_claims_and_settles() {
    let Some((_db, pool)) = test_db(true) else {
        return;
    };
    let inbox = PgBlockingWebhookInbox::new(pool);
    let event = delivery("evt_1", b"{}");
    assert_eq!(inbox.record(&event).ok(), Some(Recorded::New));
    assert_eq!(inbox.record(&event).ok(), Some(Recorded::Duplicate));
    let lease = Duration::from_secs(30);
    let events = inbox.claim_batch("w", 10, lease).expect("claim");
    assert_eq!(
        events
            .iter()
            .map(|e| (e.event_id.as_str(), e.attempt))
            .collect::<Vec<_>>(),
        vec![("evt_1", 1)]
    );
    assert!(inbox
        .claim_batch("w2", 10, lease)
        .expect("claim")
        .is_empty());
    let failed = inbox
        .fail(&events[0].lease(), "boom", Duration::ZERO)
        .expect("fail");
    assert_eq!(failed, Settlement::Retrying);
    let retry = inbox.claim_batch("w", 10, lease).expect("claim");
    assert_eq!(retry.iter().map(|e| e.attempt).collect::<Vec<_>>(), vec![2]);
    assert_eq!(
        inbox.succeed(&events[0].lease()).expect("settle"),
        Settlement::LeaseLost
    );
    assert_eq!(
        inbox.succeed(&retry[0].lease()).expect("settle"),
        Settlement::Succeeded
    );
}

#[test]
fn the_blocking_worker_loop_handles_each_event_once_and_renews_slow_ones() {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    use molam_postgres::{InboxEvent, WorkerOptions};

    let Some((db, pool)) = test_db(true) else {
        return;
    };
    let inbox = PgBlockingWebhookInbox::new(pool);
    for i in 0..100 {
        let recorded = inbox.record(&delivery(&format!("evt_{i}"), b"{}"));
        assert_eq!(recorded.ok(), Some(Recorded::New));
    }
    let calls = Mutex::new(HashMap::<String, u32>::new());
    let stop = AtomicBool::new(false);
    let handler = |event: InboxEvent| {
        if event.event_id == "evt_0" {
            // Three leases long: the heartbeat keeps the event with this worker.
            std::thread::sleep(Duration::from_millis(900));
        }
        let mut calls = calls.lock().expect("no handler panicked holding it");
        *calls.entry(event.event_id).or_default() += 1;
        let done = calls.len() == 100;
        drop(calls);
        if done {
            stop.store(true, Ordering::Release);
        }
        Ok::<(), String>(())
    };
    let options = WorkerOptions {
        workers: 4,
        batch_size: 5,
        lease: Duration::from_millis(300),
        poll_interval: Duration::from_millis(20),
        name: "blocking-test".into(),
        ..WorkerOptions::default()
    };
    let report = inbox.run(handler, options, &stop);
    let calls = calls.into_inner().expect("no handler panicked holding it");
    assert_eq!(calls.len(), 100);
    assert!(calls.values().all(|&n| n == 1), "{calls:?}");
    assert_eq!(report.succeeded, 100);
    assert_eq!(report.lease_lost, 0);
    assert!(report.renewals >= 2, "{report:?}");
    let _ = db;
}
