//! Recording, claiming and settling webhook events, one call at a time.

use std::collections::HashSet;
use std::time::Duration;

use molam_core::inbox::{ReceivedEvent, Recorded};
use molam_postgres::{InboxConfig, PgWebhookInbox, Settlement};

use crate::support::TestDb;

pub fn delivery(event_id: &str, payload: &[u8]) -> ReceivedEvent {
    ReceivedEvent {
        tenant: "acme".into(),
        event_id: event_id.into(),
        event_type: "payment_intent.succeeded".into(),
        payload: payload.to_vec(),
        signature_header: Some("t=1700000000,v1=00".into()),
        received_at_unix: 1_700_000_000,
    }
}

/// Records `n` events `evt_0` … and returns the inbox.
pub async fn inbox_with_events(db: &TestDb, config: InboxConfig, n: usize) -> PgWebhookInbox {
    let inbox = PgWebhookInbox::with_config(db.pool.clone(), config);
    for i in 0..n {
        let id = format!("evt_{i}");
        let recorded = inbox.record(&delivery(&id, b"{}")).await.expect("record");
        assert_eq!(recorded, Recorded::New);
    }
    inbox
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousand_deliveries_with_thirty_percent_duplicates_from_four_writers_store_each_event_once(
) {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    // 700 distinct events; 300 more deliveries repeat some of them (every 7th id, spread
    // over writers so that duplicates race with their originals).
    let ids: Vec<String> = (0..1000)
        .map(|i| {
            let n = if i < 700 { i } else { (i - 700) * 7 % 700 };
            format!("evt_{n}")
        })
        .collect();
    let inbox = PgWebhookInbox::new(db.pool.clone());
    let writers = (0..4).map(|w| {
        let inbox = inbox.clone();
        let mine: Vec<String> = ids.iter().skip(w).step_by(4).cloned().collect();
        tokio::spawn(async move {
            let (mut new, mut duplicate) = (0, 0);
            for id in &mine {
                let payload = format!(r#"{{"id":"{id}"}}"#);
                match inbox.record(&delivery(id, payload.as_bytes())).await {
                    Ok(Recorded::New) => new += 1,
                    Ok(Recorded::Duplicate) => duplicate += 1,
                    Err(e) => panic!("record failed: {e}"),
                }
            }
            (new, duplicate)
        })
    });
    let (mut new, mut duplicate) = (0, 0);
    for writer in writers {
        let (n, d) = writer.await.expect("writer task");
        new += n;
        duplicate += d;
    }
    assert_eq!((new, duplicate), (700, 300));
    assert_eq!(
        db.count("SELECT count(*) FROM received_webhooks").await,
        700
    );
    let distinct = "SELECT count(DISTINCT event_id) FROM received_webhooks \
         WHERE state = 'pending' AND attempts = 0";
    assert_eq!(db.count(distinct).await, 700);
}

#[tokio::test]
async fn same_event_id_for_two_tenants_is_two_events() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = PgWebhookInbox::new(db.pool.clone());
    let mut first = delivery("evt_1", b"{}");
    let a = inbox.record(&first).await.expect("record");
    first.tenant = "globex".into();
    let b = inbox.record(&first).await.expect("record");
    let again = inbox.record(&first).await.expect("record");
    assert_eq!(
        (a, b, again),
        (Recorded::New, Recorded::New, Recorded::Duplicate)
    );
}

#[tokio::test]
async fn claimed_event_carries_the_delivery_and_is_not_claimed_twice() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = PgWebhookInbox::new(db.pool.clone());
    let recorded = inbox
        .record(&delivery("evt_9", b"{\"raw\": true}"))
        .await
        .expect("record");
    assert_eq!(recorded, Recorded::New);
    let claimed = inbox
        .claim_batch("w1", 10, Duration::from_secs(30))
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    let event = &claimed[0];
    assert_eq!(
        (event.tenant.as_str(), event.event_id.as_str()),
        ("acme", "evt_9")
    );
    assert_eq!(event.received_at_ms, 1_700_000_000_000);
    assert_eq!(event.payload, b"{\"raw\": true}".to_vec());
    assert_eq!(
        event.signature_header.as_deref(),
        Some("t=1700000000,v1=00")
    );
    assert_eq!((event.attempt, event.max_attempts), (1, 8));
    let second = inbox
        .claim_batch("w2", 10, Duration::from_secs(30))
        .await
        .expect("claim");
    assert!(second.is_empty());
    let locked_by = db
        .client()
        .await
        .query_one("SELECT locked_by FROM received_webhooks", &[])
        .await
        .expect("row")
        .get::<_, String>(0);
    assert_eq!(locked_by, "w1");
}

#[tokio::test]
async fn concurrent_claims_split_a_backlog_without_overlap() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = inbox_with_events(&db, InboxConfig::default(), 100).await;
    let claims = (0..4).map(|w| {
        let inbox = inbox.clone();
        tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = inbox
                    .claim_batch(&format!("w{w}"), 7, Duration::from_secs(30))
                    .await
                    .expect("claim");
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|e| e.id));
            }
        })
    });
    let mut all = Vec::new();
    for claim in claims {
        all.extend(claim.await.expect("task"));
    }
    let distinct: HashSet<i64> = all.iter().copied().collect();
    assert_eq!((all.len(), distinct.len()), (100, 100));
}

#[tokio::test]
async fn failed_event_waits_for_its_backoff_then_is_claimed_as_the_next_attempt() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = inbox_with_events(&db, InboxConfig::default(), 1).await;
    let lease = Duration::from_secs(30);
    let event = inbox
        .claim_batch("w", 1, lease)
        .await
        .expect("claim")
        .remove(0);
    let failed = inbox
        .fail(&event.lease(), "upstream 503", Duration::from_millis(1000))
        .await
        .expect("fail");
    assert_eq!(failed, Settlement::Retrying);
    assert!(inbox
        .claim_batch("w", 1, lease)
        .await
        .expect("claim")
        .is_empty());
    let last_error = "SELECT count(*) FROM received_webhooks \
         WHERE state = 'retryable' AND last_error = 'upstream 503' AND next_attempt_at > now()";
    assert_eq!(db.count(last_error).await, 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let retry = inbox.claim_batch("w", 1, lease).await.expect("claim");
    assert_eq!(retry.iter().map(|e| e.attempt).collect::<Vec<_>>(), vec![2]);
}

#[tokio::test]
async fn failure_on_the_last_attempt_dead_letters_the_event() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let config = InboxConfig { max_attempts: 1 };
    let inbox = inbox_with_events(&db, config, 1).await;
    let event = inbox
        .claim_batch("w", 1, Duration::from_secs(30))
        .await
        .expect("claim")
        .remove(0);
    let settled = inbox
        .fail(&event.lease(), "boom", Duration::ZERO)
        .await
        .expect("fail");
    assert_eq!(settled, Settlement::Dead);
    let dead = "SELECT count(*) FROM received_webhooks \
         WHERE state = 'dead' AND processed_at IS NOT NULL AND locked_until IS NULL";
    assert_eq!(db.count(dead).await, 1);
}

#[tokio::test]
async fn worker_killed_mid_lease_loses_its_event_to_another_after_the_lease_expires() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = inbox_with_events(&db, InboxConfig::default(), 1).await;
    let short = Duration::from_millis(1000);
    let crashed = inbox.claim_batch("crashed", 1, short).await.expect("claim");
    assert_eq!(crashed.len(), 1);
    // The "crashed" worker never settles. Until its lease ends, nobody else gets the event.
    let early = inbox.claim_batch("rescuer", 1, short).await.expect("claim");
    assert!(early.is_empty());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let rescued = inbox
        .claim_batch("rescuer", 1, Duration::from_secs(30))
        .await
        .expect("claim");
    assert_eq!(rescued.len(), 1);
    assert_eq!((rescued[0].id, rescued[0].attempt), (crashed[0].id, 2));
    // The old lease is fenced off: a late answer from the first worker changes nothing.
    let late = inbox.succeed(&crashed[0].lease()).await.expect("succeed");
    assert_eq!(late, Settlement::LeaseLost);
    let done = inbox.succeed(&rescued[0].lease()).await.expect("succeed");
    assert_eq!(done, Settlement::Succeeded);
    let row = "SELECT count(*) FROM received_webhooks \
         WHERE state = 'succeeded' AND attempts = 2 AND locked_by IS NULL";
    assert_eq!(db.count(row).await, 1);
}

#[tokio::test]
async fn lease_expired_on_the_last_attempt_is_dead_lettered_not_rescued() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = inbox_with_events(&db, InboxConfig { max_attempts: 1 }, 1).await;
    let short = Duration::from_millis(100);
    assert_eq!(
        inbox
            .claim_batch("crashed", 1, short)
            .await
            .expect("claim")
            .len(),
        1
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(inbox
        .claim_batch("w", 1, short)
        .await
        .expect("claim")
        .is_empty());
    let dead = "SELECT count(*) FROM received_webhooks \
         WHERE state = 'dead' AND last_error = 'lease expired on the last attempt'";
    assert_eq!(db.count(dead).await, 1);
}

#[tokio::test]
async fn released_event_is_due_at_once_and_its_attempt_does_not_count() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = inbox_with_events(&db, InboxConfig::default(), 1).await;
    let lease = Duration::from_secs(30);
    let claim = || async {
        inbox
            .claim_batch("w", 1, lease)
            .await
            .expect("claim")
            .remove(0)
    };
    let first = claim().await;
    let released = inbox.release(&first.lease()).await.expect("release");
    assert_eq!(released, Settlement::Released);
    let pending = "SELECT count(*) FROM received_webhooks WHERE state = 'pending'";
    assert_eq!(db.count(pending).await, 1);
    let again = claim().await;
    assert_eq!(again.attempt, 1);
    // After a failure, a released second attempt is retryable again, still at one attempt.
    let failed = inbox.fail(&again.lease(), "boom", Duration::ZERO).await;
    assert_eq!(failed.ok(), Some(Settlement::Retrying));
    let second = claim().await;
    assert_eq!(second.attempt, 2);
    let released = inbox.release(&second.lease()).await.expect("release");
    assert_eq!(released, Settlement::Released);
    let retryable = "SELECT count(*) FROM received_webhooks \
         WHERE state = 'retryable' AND attempts = 1 AND last_error = 'boom'";
    assert_eq!(db.count(retryable).await, 1);
}

#[tokio::test]
async fn the_backlog_counts_events_waiting_and_not_those_leased_or_handled() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = inbox_with_events(&db, InboxConfig::default(), 3).await;
    assert_eq!(inbox.backlog().await.expect("backlog"), 3);
    let claimed = inbox
        .claim_batch("w1", 2, Duration::from_secs(30))
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 2);
    assert_eq!(inbox.backlog().await.expect("backlog"), 1);
    let handled = inbox.succeed(&claimed[0].lease()).await.expect("succeed");
    let failed = inbox
        .fail(&claimed[1].lease(), "boom", Duration::from_secs(60))
        .await
        .expect("fail");
    assert_eq!(
        (handled, failed),
        (Settlement::Succeeded, Settlement::Retrying)
    );
    assert_eq!(
        inbox.backlog().await.expect("backlog"),
        2,
        "one waiting, one to retry"
    );
}

#[tokio::test]
async fn ids_and_types_with_nul_and_ids_of_10_000_characters_are_recorded_and_processed_once() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = PgWebhookInbox::new(db.pool.clone());
    let mut with_nul = delivery("evt_\u{0}nul", br#"{"id":"evt_\u0000nul"}"#);
    with_nul.event_type = "payout.\u{0}paid".into();
    let long = delivery(&"e".repeat(10_000), b"{}");
    let long_3000 = delivery(&"f".repeat(3_000), b"{}");
    for event in [&with_nul, &long, &long_3000] {
        assert_eq!(inbox.record(event).await.expect("recorded"), Recorded::New);
        assert_eq!(
            inbox.record(event).await.expect("recorded"),
            Recorded::Duplicate
        );
    }
    let claimed = inbox
        .claim_batch("w", 10, Duration::from_secs(30))
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 3);
    let got: HashSet<(String, String)> = claimed
        .iter()
        .map(|e| (e.event_id.clone(), e.event_type.clone()))
        .collect();
    for event in [&with_nul, &long, &long_3000] {
        assert!(
            got.contains(&(event.event_id.clone(), event.event_type.clone())),
            "the exact id and type come back"
        );
    }
    let nul = claimed
        .iter()
        .find(|e| e.event_id == with_nul.event_id)
        .expect("NUL event claimed");
    assert_eq!(nul.payload, with_nul.payload, "the body byte for byte");
    for event in &claimed {
        assert_eq!(
            inbox.succeed(&event.lease()).await.expect("settle"),
            Settlement::Succeeded
        );
    }
    assert!(inbox
        .claim_batch("w", 10, Duration::from_secs(30))
        .await
        .expect("claim")
        .is_empty());
    // The readable text shows NUL as U+FFFD.
    assert_eq!(
        db.count("SELECT count(*) FROM received_webhooks WHERE event_id = 'evt_\u{FFFD}nul'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_core_rule_refuses_the_same_events_as_the_in_memory_inbox() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let inbox = PgWebhookInbox::new(db.pool.clone());
    let memory = molam_core::inbox::InMemoryWebhookInbox::new();
    let empty_id = delivery("", b"{}");
    let mut nul_tenant = delivery("evt_1", b"{}");
    nul_tenant.tenant = "a\u{0}b".into();
    for event in [&empty_id, &nul_tenant] {
        let pg = match inbox.record(event).await {
            Err(molam_postgres::Error::Refused(r)) => r,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(memory.record_now(event), Err(pg));
    }
    assert_eq!(db.count("SELECT count(*) FROM received_webhooks").await, 0);
}
