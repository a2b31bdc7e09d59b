//! `PgSecretResolver`: a tenant's active, unexpired secrets by key id.

use molam_postgres::PgSecretResolver;

use crate::support::TestDb;

async fn seed(db: &TestDb) {
    db.client()
        .await
        .batch_execute(
            "INSERT INTO webhook_subscriptions (id, tenant, active) VALUES \
                 (1, 'acme', true), (2, 'acme', false), (3, 'globex', true); \
             INSERT INTO webhook_secrets (subscription_id, kid, secret, created_at, expires_at) \
             VALUES \
                 (1, 'k2023', 'whsec_old', now() - interval '2 days', now() - interval '1 hour'), \
                 (1, 'k2024', 'whsec_current', now() - interval '1 day', NULL), \
                 (1, 'k2025', 'whsec_next', now(), now() + interval '30 days'), \
                 (1, NULL, 'whsec_default', now() - interval '3 days', NULL), \
                 (2, 'k2024', 'whsec_disabled', now(), NULL), \
                 (3, 'k2024', 'whsec_globex', now(), NULL)",
        )
        .await
        .expect("seed");
}

fn names(secrets: &[molam_core::webhook::WebhookSecret]) -> Vec<(Option<&str>, &str)> {
    secrets
        .iter()
        .map(|s| (s.kid(), s.expose_secret()))
        .collect()
}

#[tokio::test]
async fn kid_selects_its_active_unexpired_secret_and_the_default_of_that_tenant_only() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    seed(&db).await;
    let resolver = PgSecretResolver::new(db.pool.clone());
    // A kid selects its own secret plus the tenant's kid-less default (the core's rule).
    let current = resolver
        .resolve("acme", Some("k2024"))
        .await
        .expect("resolve");
    assert_eq!(
        names(&current),
        vec![(Some("k2024"), "whsec_current"), (None, "whsec_default")]
    );
    let expired = resolver
        .resolve("acme", Some("k2023"))
        .await
        .expect("resolve");
    assert_eq!(names(&expired), vec![(None, "whsec_default")]);
    let nobody = resolver
        .resolve("initech", Some("k2024"))
        .await
        .expect("resolve");
    assert_eq!(names(&nobody), vec![]);
}

#[tokio::test]
async fn without_kid_every_valid_secret_of_the_tenant_newest_first() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    seed(&db).await;
    let resolver = PgSecretResolver::new(db.pool.clone());
    let all = resolver.resolve("acme", None).await.expect("resolve");
    assert_eq!(
        names(&all),
        vec![
            (Some("k2025"), "whsec_next"),
            (Some("k2024"), "whsec_current"),
            (None, "whsec_default"),
        ]
    );
    let none = resolver.resolve("initech", None).await.expect("resolve");
    assert_eq!(names(&none), vec![]);
}

#[tokio::test]
async fn resolved_secrets_verify_a_header_signed_with_the_current_kid_only() {
    use molam_core::webhook::{sign_header, SignatureError, SignatureHeader, WebhookSecret};
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    seed(&db).await;
    let resolver = PgSecretResolver::new(db.pool.clone());
    let (body, t) = (br#"{"id":"evt_1"}"#, 1_700_000_000);
    let tolerance = molam_core::webhook::DEFAULT_TOLERANCE;
    let verify = |header: String| {
        let resolver = resolver.clone();
        async move {
            let parsed = SignatureHeader::parse(&header).expect("a well-formed header");
            let secrets = resolver
                .resolve("acme", parsed.kid())
                .await
                .expect("resolve");
            parsed.verify(body, &secrets, t, tolerance)
        }
    };
    let current = WebhookSecret::new("whsec_current").with_kid("k2024");
    assert_eq!(verify(sign_header(&current, t, body)).await, Ok(()));
    let expired = WebhookSecret::new("whsec_old").with_kid("k2023");
    assert_eq!(
        verify(sign_header(&expired, t, body)).await,
        Err(SignatureError::SignatureMismatch)
    );
    let other_tenant = WebhookSecret::new("whsec_globex").with_kid("k2024");
    assert_eq!(
        verify(sign_header(&other_tenant, t, body)).await,
        Err(SignatureError::SignatureMismatch)
    );
}
