//! Where the endpoint gets a delivery's candidate secrets: fixed secrets through the core's
//! [`SecretResolver`], or an asynchronous per-tenant lookup (a database) through
//! [`AsyncSecretResolver`].
//!
//! Resolving only chooses which secrets to try; trust comes from the MAC check alone, which
//! stays in `molam_core::webhook`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use molam_core::webhook::{SecretResolver, WebhookSecret};

/// The lookup failed (a database down): the endpoint answers 503 so Molam delivers again.
/// The message is logged, never sent in a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveError {
    message: String,
}

impl ResolveError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        ResolveError {
            message: message.into(),
        }
    }

    /// The lookup's message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "webhook secret lookup failed: {}", self.message)
    }
}

impl std::error::Error for ResolveError {}

/// The future [`AsyncSecretResolver::resolve`] returns.
pub type ResolveFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<WebhookSecret>, ResolveError>> + Send + 'a>>;

/// The secrets to try for a delivery to `tenant` whose header names key id `kid`.
///
/// Same rule as the core's [`SecretResolver`]: return every secret that may have signed
/// (during a rotation, the old and the new one); an empty list is an unknown key id (401).
/// A single-tenant endpoint gets `tenant == ""`.
///
/// With the `postgres` feature, `molam_postgres::PgSecretResolver` implements it.
pub trait AsyncSecretResolver: Send + Sync {
    /// The candidate secrets.
    fn resolve<'a>(&'a self, tenant: &'a str, kid: Option<&'a str>) -> ResolveFuture<'a>;
}

impl<T: AsyncSecretResolver + ?Sized> AsyncSecretResolver for Arc<T> {
    fn resolve<'a>(&'a self, tenant: &'a str, kid: Option<&'a str>) -> ResolveFuture<'a> {
        (**self).resolve(tenant, kid)
    }
}

/// Secrets known when the endpoint is built, the same for every tenant: any core
/// [`SecretResolver`] (a `Vec<WebhookSecret>`, which routes by `kid`, or a closure).
///
/// ```
/// use molam_axum::{AsyncSecretResolver, StaticSecrets};
/// use molam_core::webhook::WebhookSecret;
/// let secrets = StaticSecrets::new(vec![
///     WebhookSecret::new("whsec_old").with_kid("k1"),
///     WebhookSecret::new("whsec_new").with_kid("k2"),
/// ]);
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let found = rt.block_on(secrets.resolve("", Some("k2"))).unwrap();
/// assert_eq!(found, [WebhookSecret::new("whsec_new").with_kid("k2")]);
/// ```
pub struct StaticSecrets<R> {
    resolver: R,
}

impl<R> StaticSecrets<R> {
    /// Wraps a synchronous resolver.
    pub fn new(resolver: R) -> Self {
        StaticSecrets { resolver }
    }
}

impl<R> fmt::Debug for StaticSecrets<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The resolver may hold secrets in the clear: show nothing of it.
        f.debug_struct("StaticSecrets").finish_non_exhaustive()
    }
}

impl<R: SecretResolver + Send + Sync> AsyncSecretResolver for StaticSecrets<R> {
    fn resolve<'a>(&'a self, _tenant: &'a str, kid: Option<&'a str>) -> ResolveFuture<'a> {
        Box::pin(std::future::ready(Ok(self.resolver.resolve(kid))))
    }
}

/// Each tenant's active secrets from `webhook_subscriptions` / `webhook_secrets`, routed by
/// `kid` with the core's rule. A database failure is a [`ResolveError`] (the endpoint answers
/// 503); an unknown tenant has no secrets (401).
#[cfg(feature = "postgres")]
impl AsyncSecretResolver for molam_postgres::PgSecretResolver {
    fn resolve<'a>(&'a self, tenant: &'a str, kid: Option<&'a str>) -> ResolveFuture<'a> {
        Box::pin(async move {
            molam_postgres::PgSecretResolver::resolve(self, tenant, kid)
                .await
                .map_err(|e| ResolveError::new(e.to_string()))
        })
    }
}
