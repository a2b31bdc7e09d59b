//! The cleanup functions and the `updated_at` triggers of the migration.

use crate::support::TestDb;

const FINGERPRINT: &str = "decode(repeat('ab', 32), 'hex')";

#[tokio::test]
async fn idempotency_cleanup_deletes_only_expired_rows_without_a_live_lease() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let insert = format!(
        "INSERT INTO server_idempotency (scope, key, method, path, fingerprint, state, \
             lock_token, locked_until, response_status, response_headers, response_body, \
             expires_at) VALUES \
         ('s', 'completed-expired', 'POST', '/v1/x', {FINGERPRINT}, 'completed', \
             NULL, NULL, 200, '[]', '', now() - interval '1 hour'), \
         ('s', 'completed-expired-2', 'POST', '/v1/x', {FINGERPRINT}, 'completed', \
             NULL, NULL, 200, '[]', '', now() - interval '2 hours'), \
         ('s', 'completed-fresh', 'POST', '/v1/x', {FINGERPRINT}, 'completed', \
             NULL, NULL, 200, '[]', '', now() + interval '1 hour'), \
         ('s', 'abandoned', 'POST', '/v1/x', {FINGERPRINT}, 'in_progress', \
             1, now() - interval '1 minute', NULL, NULL, NULL, \
             now() - interval '1 hour'), \
         ('s', 'in-flight', 'POST', '/v1/x', {FINGERPRINT}, 'in_progress', \
             2, now() + interval '1 minute', NULL, NULL, NULL, \
             now() - interval '1 hour')"
    );
    let client = db.client().await;
    client.batch_execute(&insert).await.expect("insert");
    // Batches of one row exercise the loop; a grace of 90 minutes keeps the newer expiry.
    let graced = "SELECT molam_cleanup_idempotency(interval '90 minutes', 1)";
    assert_eq!(db.count(graced).await, 1);
    assert_eq!(
        db.count("SELECT molam_cleanup_idempotency(interval '0', 1)")
            .await,
        2
    );
    let rows = client
        .query("SELECT key FROM server_idempotency ORDER BY key", &[])
        .await
        .expect("select");
    let left: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(left, vec!["completed-fresh", "in-flight"]);
}

#[tokio::test]
async fn webhook_cleanup_deletes_only_old_finished_events_and_dead_ones_on_request() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let old = "now() - interval '2 days'";
    let insert = format!(
        "INSERT INTO received_webhooks (event_id, event_type, payload, state, attempts, \
             locked_until, processed_at) VALUES \
         ('old-succeeded', 't', '', 'succeeded', 1, NULL, {old}), \
         ('new-succeeded', 't', '', 'succeeded', 1, NULL, now()), \
         ('old-dead', 't', '', 'dead', 8, NULL, {old}), \
         ('pending', 't', '', 'pending', 0, NULL, NULL), \
         ('retryable', 't', '', 'retryable', 2, NULL, NULL), \
         ('processing', 't', '', 'processing', 1, now() - interval '1 day', NULL)"
    );
    let client = db.client().await;
    client.batch_execute(&insert).await.expect("insert");
    let default = "SELECT molam_cleanup_webhooks(interval '1 day', 1)";
    assert_eq!(db.count(default).await, 1);
    let with_dead = "SELECT molam_cleanup_webhooks(interval '1 day', 1, true)";
    assert_eq!(db.count(with_dead).await, 1);
    let rows = client
        .query(
            "SELECT event_id FROM received_webhooks ORDER BY event_id",
            &[],
        )
        .await
        .expect("select");
    let left: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(
        left,
        vec!["new-succeeded", "pending", "processing", "retryable"]
    );
}

#[tokio::test]
async fn cleanup_refuses_a_batch_size_below_one() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let client = db.client().await;
    let err = client
        .query_one("SELECT molam_cleanup_webhooks(interval '0', 0)", &[])
        .await
        .expect_err("batch size 0 is refused");
    let message = err.as_db_error().map(|e| e.message().to_owned());
    assert_eq!(
        message.as_deref(),
        Some("batch_size must be at least 1, got 0")
    );
}

#[tokio::test]
async fn updated_at_follows_every_update() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let client = db.client().await;
    client
        .batch_execute(
            "INSERT INTO webhook_subscriptions (tenant, created_at, updated_at) \
             VALUES ('acme', now() - interval '1 day', now() - interval '1 day')",
        )
        .await
        .expect("insert");
    client
        .batch_execute("UPDATE webhook_subscriptions SET description = 'shop'")
        .await
        .expect("update");
    let recent = "SELECT count(*) FROM webhook_subscriptions \
         WHERE updated_at > now() - interval '1 minute' \
           AND created_at < now() - interval '23 hours'";
    assert_eq!(db.count(recent).await, 1);
}
