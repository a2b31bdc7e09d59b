//! The worker loop `PgWebhookInbox::run`: exactly-once handling with 4 workers, retries,
//! dead letters and graceful shutdown.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use molam_postgres::{Backoff, InboxConfig, InboxEvent, WorkerOptions, WorkerReport};
use tokio::sync::Notify;

use crate::inbox::inbox_with_events;
use crate::support::TestDb;

fn fast_options() -> WorkerOptions {
    WorkerOptions {
        workers: 4,
        batch_size: 5,
        lease: Duration::from_secs(10),
        poll_interval: Duration::from_millis(20),
        backoff: Backoff {
            base: Duration::from_millis(20),
            max: Duration::from_millis(100),
        },
        name: "test".into(),
    }
}

/// Counts handler invocations per event id and wakes the test when a condition holds.
#[derive(Clone, Default)]
struct Calls {
    per_event: Arc<Mutex<HashMap<String, u32>>>,
    changed: Arc<Notify>,
}

impl Calls {
    fn record(&self, event: &InboxEvent) -> u32 {
        let mut map = self
            .per_event
            .lock()
            .expect("no test thread panicked holding the lock");
        let n = map.entry(event.event_id.clone()).or_default();
        *n += 1;
        let n = *n;
        drop(map);
        self.changed.notify_one();
        n
    }

    fn snapshot(&self) -> HashMap<String, u32> {
        self.per_event
            .lock()
            .expect("no test thread panicked holding the lock")
            .clone()
    }

    /// Resolves once `done` holds for the database (checked after each call), or panics
    /// after 20 s.
    async fn until(&self, db: &TestDb, done: &str) {
        let waited = tokio::time::timeout(Duration::from_secs(20), async {
            while db.count(done).await == 0 {
                let _ =
                    tokio::time::timeout(Duration::from_millis(50), self.changed.notified()).await;
            }
        })
        .await;
        assert!(waited.is_ok(), "condition never held: {done}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_workers_handle_every_event_exactly_once() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = inbox_with_events(&db, InboxConfig::default(), 300).await;
    let calls = Calls::default();
    let handler_calls = calls.clone();
    let handler = move |event: InboxEvent| {
        let calls = handler_calls.clone();
        async move {
            calls.record(&event);
            tokio::time::sleep(Duration::from_millis(1)).await;
            Ok::<(), String>(())
        }
    };
    let all_done = "SELECT (count(*) FILTER (WHERE state = 'succeeded') = 300)::int::bigint \
         FROM received_webhooks";
    let report = inbox
        .run(handler, fast_options(), calls.until(&db, all_done))
        .await;
    let per_event = calls.snapshot();
    assert_eq!(per_event.len(), 300);
    assert!(per_event.values().all(|&n| n == 1), "{per_event:?}");
    assert_eq!(
        report,
        WorkerReport {
            succeeded: 300,
            ..WorkerReport::default()
        }
    );
    let once = "SELECT count(*) FROM received_webhooks WHERE attempts = 1";
    assert_eq!(db.count(once).await, 300);
    let workers = "SELECT count(DISTINCT locked_by) FROM received_webhooks";
    assert_eq!(db.count(workers).await, 0, "no lease is left behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_failing_twice_then_succeeding_ends_succeeded_after_three_attempts() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = inbox_with_events(&db, InboxConfig::default(), 1).await;
    let calls = Calls::default();
    let handler_calls = calls.clone();
    let handler = move |event: InboxEvent| {
        let calls = handler_calls.clone();
        async move {
            match calls.record(&event) {
                1 => Err("first failure".to_owned()),
                2 => Err("second failure".to_owned()),
                _ => Ok(()),
            }
        }
    };
    let done = "SELECT count(*) FROM received_webhooks WHERE state = 'succeeded'";
    let report = inbox
        .run(handler, fast_options(), calls.until(&db, done))
        .await;
    assert_eq!((report.retrying, report.succeeded), (2, 1));
    assert_eq!(calls.snapshot().get("evt_0"), Some(&3));
    let row = "SELECT count(*) FROM received_webhooks \
         WHERE state = 'succeeded' AND attempts = 3 AND last_error IS NULL";
    assert_eq!(db.count(row).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_that_always_fails_ends_dead_after_max_attempts() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = inbox_with_events(&db, InboxConfig { max_attempts: 4 }, 1).await;
    let calls = Calls::default();
    let handler_calls = calls.clone();
    let handler = move |event: InboxEvent| {
        let calls = handler_calls.clone();
        async move {
            let n = calls.record(&event);
            Err::<(), Box<dyn std::error::Error>>(format!("failure {n}").into())
        }
    };
    let dead = "SELECT count(*) FROM received_webhooks WHERE state = 'dead'";
    let report = inbox
        .run(handler, fast_options(), calls.until(&db, dead))
        .await;
    assert_eq!((report.retrying, report.dead), (3, 1));
    assert_eq!(calls.snapshot().get("evt_0"), Some(&4));
    let row = "SELECT count(*) FROM received_webhooks \
         WHERE state = 'dead' AND attempts = 4 AND last_error = 'failure 4'";
    assert_eq!(db.count(row).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panicking_handler_counts_as_a_failed_attempt() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = inbox_with_events(&db, InboxConfig { max_attempts: 1 }, 1).await;
    let calls = Calls::default();
    let handler_calls = calls.clone();
    let handler = move |event: InboxEvent| {
        let calls = handler_calls.clone();
        async move {
            calls.record(&event);
            if event.attempt > 0 {
                panic!("handler bug");
            }
            Ok::<(), String>(())
        }
    };
    let dead = "SELECT count(*) FROM received_webhooks \
         WHERE state = 'dead' AND last_error = 'the handler panicked'";
    let report = inbox
        .run(handler, fast_options(), calls.until(&db, dead))
        .await;
    assert_eq!(report.dead, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_the_event_in_hand_finish_and_claims_nothing_more() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = inbox_with_events(&db, InboxConfig::default(), 3).await;
    let started = Arc::new(Notify::new());
    let handler_started = Arc::clone(&started);
    let handler = move |_event: InboxEvent| {
        let started = Arc::clone(&handler_started);
        async move {
            started.notify_one();
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok::<(), String>(())
        }
    };
    let options = WorkerOptions {
        workers: 1,
        batch_size: 3,
        ..fast_options()
    };
    // Shut down as soon as the first event is in the handler.
    let report = inbox.run(handler, options, started.notified()).await;
    assert_eq!(
        report,
        WorkerReport {
            succeeded: 1,
            released: 2,
            ..WorkerReport::default()
        }
    );
    let states = "SELECT count(*) FILTER (WHERE state = 'succeeded') * 10 \
         + count(*) FILTER (WHERE state = 'pending' AND attempts = 0) FROM received_webhooks";
    assert_eq!(db.count(states).await, 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_slower_than_its_lease_keeps_its_event_by_renewing_it() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = inbox_with_events(&db, InboxConfig::default(), 1).await;
    let calls = Calls::default();
    let handler = {
        let calls = calls.clone();
        move |event: InboxEvent| {
            let calls = calls.clone();
            async move {
                calls.record(&event);
                // Three leases long: without renewal a second worker would take it over.
                tokio::time::sleep(Duration::from_millis(900)).await;
                Ok::<(), String>(())
            }
        }
    };
    let options = WorkerOptions {
        workers: 2,
        lease: Duration::from_millis(300),
        ..fast_options()
    };
    let done = "SELECT count(*) FROM received_webhooks WHERE state = 'succeeded'";
    let report = inbox.run(handler, options, calls.until(&db, done)).await;
    assert_eq!(calls.snapshot().get("evt_0"), Some(&1), "handled once");
    assert_eq!(report.succeeded, 1);
    assert_eq!(report.lease_lost, 0);
    assert!(report.renewals >= 2, "{report:?}");
    assert_eq!(
        db.count("SELECT attempts::bigint FROM received_webhooks")
            .await,
        1
    );
}
