//! Per-tenant webhook signing secrets from `webhook_subscriptions` / `webhook_secrets`.
//!
//! The core's resolver is synchronous (verification is pure), and a database read is not, so
//! the lookup happens first: parse the header, fetch the secrets its `kid` names, then verify
//! with what was fetched. See [`PgSecretResolver::resolve`].

use deadpool_postgres::Pool;
use molam_core::webhook::{SecretResolver, WebhookSecret};

use crate::error::Error;
use crate::sql;

/// Reads the secrets a tenant's active subscriptions accept now.
#[derive(Clone)]
pub struct PgSecretResolver {
    pool: Pool,
}

impl std::fmt::Debug for PgSecretResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSecretResolver").finish_non_exhaustive()
    }
}

impl PgSecretResolver {
    /// A resolver over a connection pool.
    pub fn new(pool: Pool) -> Self {
        PgSecretResolver { pool }
    }

    /// Every secret `tenant` accepts now, newest first: those of its active subscriptions
    /// that have not expired. Hand them to `molam_core::webhook::verify`, which picks the
    /// ones the header's `kid` names.
    ///
    /// ```no_run
    /// # async fn demo(resolver: molam_postgres::PgSecretResolver, header: &str, body: &[u8],
    /// #               now_unix: i64) -> Result<(), Box<dyn std::error::Error>> {
    /// use molam_core::webhook::{verify, DEFAULT_TOLERANCE};
    /// let secrets = resolver.secrets("tenant_42").await?;
    /// verify(header, body, now_unix, &secrets, DEFAULT_TOLERANCE)?;
    /// # Ok(()) }
    /// ```
    pub async fn secrets(&self, tenant: &str) -> Result<Vec<WebhookSecret>, Error> {
        let client = self.pool.get().await?;
        let rows = client.query(sql::TENANT_SECRETS, &[&tenant]).await?;
        rows.iter().map(secret_from_row).collect()
    }

    /// The secrets of `tenant` to try for a header with key id `kid`, by the core's rule
    /// (`SecretResolver for Vec<WebhookSecret>`): with a `kid`, the secrets published under it
    /// and those without a key id; without one, all of them. Empty for an unknown tenant or
    /// `kid`, which verification reports as an unknown key id.
    ///
    /// ```no_run
    /// # async fn demo(resolver: molam_postgres::PgSecretResolver, header: &str, body: &[u8],
    /// #               now_unix: i64) -> Result<(), Box<dyn std::error::Error>> {
    /// use molam_core::webhook::{SignatureHeader, DEFAULT_TOLERANCE};
    /// let parsed = SignatureHeader::parse(header)?;
    /// let secrets = resolver.resolve("tenant_42", parsed.kid()).await?;
    /// parsed.verify(body, &secrets, now_unix, DEFAULT_TOLERANCE)?;
    /// # Ok(()) }
    /// ```
    pub async fn resolve(
        &self,
        tenant: &str,
        kid: Option<&str>,
    ) -> Result<Vec<WebhookSecret>, Error> {
        Ok(self.secrets(tenant).await?.resolve(kid))
    }
}

pub(crate) fn secret_from_row(row: &tokio_postgres::Row) -> Result<WebhookSecret, Error> {
    let kid: Option<String> = row.try_get(0)?;
    let secret = WebhookSecret::new(row.try_get::<_, String>(1)?);
    Ok(match kid {
        Some(kid) => secret.with_kid(kid),
        None => secret,
    })
}
