//! The endpoint on PostgreSQL, over real HTTP: per-tenant secrets from `PgSecretResolver`,
//! events recorded in `PgWebhookInbox`, and 503 when the database cannot answer.
//!
//! Needs the `postgres` feature and a database (`DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`); without one the tests say so and pass, unless
//! `MOLAM_REQUIRE_DATABASE=1`. They work in their own schema, `molam_axum_test`.
#![cfg(feature = "postgres")]

mod support;

use std::time::Duration;

use molam_axum::WebhookEndpoint;
use molam_core::webhook::{sign_header, WebhookSecret};
use molam_postgres::deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use molam_postgres::tokio_postgres::{self, NoTls};
use molam_postgres::{PgSecretResolver, PgWebhookInbox};
use support::{deliver, serve};

const SCHEMA: &str = "molam_axum_test";
const NOW: i64 = 1_700_000_000;

fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn pool_for(url: &str, schema: &str) -> Pool {
    let mut config: tokio_postgres::Config = url.parse().expect("DATABASE_URL");
    config.options(format!("-c search_path={schema}"));
    config.connect_timeout(Duration::from_secs(2));
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
/// no database answers and none is required.
async fn database() -> Option<Pool> {
    let url = database_url();
    let (client, connection) = match tokio_postgres::connect(&url, NoTls).await {
        Ok(pair) => pair,
        Err(e) => {
            assert!(
                std::env::var("MOLAM_REQUIRE_DATABASE").as_deref() != Ok("1"),
                "MOLAM_REQUIRE_DATABASE=1 but PostgreSQL is unreachable: {e}"
            );
            eprintln!("skipped: no PostgreSQL at DATABASE_URL ({e})");
            return None;
        }
    };
    tokio::spawn(connection);
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA};"
        ))
        .await
        .expect("fresh schema");
    let pool = pool_for(&url, SCHEMA);
    molam_postgres::migrate(&pool).await.expect("migrate");
    let db = pool.get().await.expect("connection");
    db.batch_execute(
        "WITH sub AS (INSERT INTO webhook_subscriptions (tenant) VALUES ('acme') RETURNING id) \
         INSERT INTO webhook_secrets (subscription_id, kid, secret) \
         SELECT id, 'k1', 'whsec_acme_old_000000' FROM sub UNION ALL \
         SELECT id, 'k2', 'whsec_acme_new_111111' FROM sub",
    )
    .await
    .expect("seed secrets");
    Some(pool)
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

/// One test, in steps: the tests share the schema, so they must not run concurrently.
#[tokio::test]
async fn per_tenant_secrets_and_a_durable_inbox_from_postgresql() {
    let Some(pool) = database().await else { return };
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
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let down = pool_for(
        &format!("postgres://postgres@127.0.0.1:{closed_port}/none"),
        SCHEMA,
    );
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
