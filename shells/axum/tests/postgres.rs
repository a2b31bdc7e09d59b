//! The endpoint on PostgreSQL, over real HTTP: per-tenant secrets from `PgSecretResolver`,
//! events recorded in `PgWebhookInbox`, and 503 when the database cannot answer.
//!
//! Needs the `postgres` feature and a database (`DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`); without one the tests say so and pass, unless
//! `MOLAM_REQUIRE_DATABASE=1`. Each works in a schema of its own (`molam_postgres::testing`).
#![cfg(feature = "postgres")]

mod support;

use std::time::Duration;

use molam_axum::WebhookEndpoint;
use molam_core::webhook::{sign_header, WebhookSecret};
use molam_postgres::deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use molam_postgres::testing::TestDb;
use molam_postgres::tokio_postgres::{self, NoTls};
use molam_postgres::{PgSecretResolver, PgWebhookInbox};
use support::{deliver, serve};

const NOW: i64 = 1_700_000_000;

/// A pool to a database that is not there (a closed port): every use fails.
fn unreachable_pool() -> Pool {
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut config = tokio_postgres::Config::new();
    config
        .host("127.0.0.1")
        .port(closed_port)
        .user("postgres")
        .dbname("none")
        .connect_timeout(Duration::from_secs(2));
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager).max_size(4).build().expect("pool")
}

/// A fresh, migrated schema with tenant `acme` (secrets under `k1` and `k2`), or `None` when
/// no database answers and none is required (see `molam_postgres::testing`).
async fn database() -> Option<TestDb> {
    let db = TestDb::migrated().await?;
    db.client()
        .await
        .batch_execute(
            "WITH sub AS (INSERT INTO webhook_subscriptions (tenant) VALUES ('acme') RETURNING id) \
             INSERT INTO webhook_secrets (subscription_id, kid, secret) \
             SELECT id, 'k1', 'whsec_acme_old_000000' FROM sub UNION ALL \
             SELECT id, 'k2', 'whsec_acme_new_111111' FROM sub",
        )
        .await
        .expect("seed secrets");
    Some(db)
}

async fn recorded(pool: &Pool) -> Vec<(String, String, String)> {
    let db = pool.get().await.expect("connection");
    db.query(
        "SELECT tenant, event_id, event_type FROM received_webhooks ORDER BY id",
        &[],
    )
    .await
    .expect("query")
    .iter()
    .map(|row| (row.get(0), row.get(1), row.get(2)))
    .collect()
}

#[tokio::test]
async fn per_tenant_secrets_and_a_durable_inbox_from_postgresql() {
    let Some(db) = database().await else { return };
    let pool = db.pool.clone();
    let endpoint = WebhookEndpoint::new(
        PgSecretResolver::new(pool.clone()),
        PgWebhookInbox::new(pool.clone()),
    )
    .with_clock(|| NOW);
    let addr = serve(endpoint.tenant_router("/webhooks/{tenant}")).await;

    // The new secret and the old one both verify during the rotation; each event once.
    let body = br#"{"id":"evt_pg_1","type":"payment_intent.succeeded"}"#;
    let new = WebhookSecret::new("whsec_acme_new_111111").with_kid("k2");
    let header = sign_header(&new, NOW, body);
    let first = deliver(addr, "/webhooks/acme", Some(&header), body).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let again = deliver(addr, "/webhooks/acme", Some(&header), body).await;
    assert_eq!(again.status, 200);
    assert!(again.body.contains(r#""duplicate":true"#), "{}", again.body);

    let old_body = br#"{"id":"evt_pg_2","type":"refund.created"}"#;
    let old = WebhookSecret::new("whsec_acme_old_000000").with_kid("k1");
    let answer = deliver(
        addr,
        "/webhooks/acme",
        Some(&sign_header(&old, NOW, old_body)),
        old_body,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    // Another tenant has no secrets; a secret published under the wrong kid does not match.
    let elsewhere = deliver(addr, "/webhooks/globex", Some(&header), body).await;
    assert_eq!(elsewhere.status, 401);
    let mislabelled = WebhookSecret::new("whsec_acme_old_000000").with_kid("k2");
    let forged = deliver(
        addr,
        "/webhooks/acme",
        Some(&sign_header(
            &mislabelled,
            NOW,
            b"{\"id\":\"evt_pg_3\",\"type\":\"x\"}",
        )),
        b"{\"id\":\"evt_pg_3\",\"type\":\"x\"}",
    )
    .await;
    assert_eq!(forged.status, 401);

    assert_eq!(
        recorded(&pool).await,
        vec![
            (
                "acme".to_owned(),
                "evt_pg_1".to_owned(),
                "payment_intent.succeeded".to_owned()
            ),
            (
                "acme".to_owned(),
                "evt_pg_2".to_owned(),
                "refund.created".to_owned()
            ),
        ]
    );

    // The database that holds the inbox is down: 503, and nothing was recorded.
    let down = unreachable_pool();
    let broken_inbox = WebhookEndpoint::new(
        PgSecretResolver::new(pool.clone()),
        PgWebhookInbox::new(down.clone()),
    )
    .with_clock(|| NOW);
    let addr = serve(broken_inbox.tenant_router("/webhooks/{tenant}")).await;
    let lost_body = br#"{"id":"evt_pg_4","type":"payout.paid"}"#;
    let lost_header = sign_header(&new, NOW, lost_body);
    let answer = deliver(addr, "/webhooks/acme", Some(&lost_header), lost_body).await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert!(answer.body.contains("inbox_unavailable"), "{}", answer.body);

    // The secrets' database is down: 503 too, so Molam delivers again.
    let broken_secrets = WebhookEndpoint::new(
        PgSecretResolver::new(down),
        PgWebhookInbox::new(pool.clone()),
    )
    .with_clock(|| NOW);
    let addr = serve(broken_secrets.tenant_router("/webhooks/{tenant}")).await;
    let answer = deliver(addr, "/webhooks/acme", Some(&lost_header), lost_body).await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert!(
        answer.body.contains("secrets_unavailable"),
        "{}",
        answer.body
    );

    assert_eq!(recorded(&pool).await.len(), 2);
}
