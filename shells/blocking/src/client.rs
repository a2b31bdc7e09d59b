//! The blocking [`Client`] and its [`ClientBuilder`].

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use molam_core::call::RequestOptions;
use molam_core::client::Client as CoreClient;
use molam_core::config::Config;
use molam_core::idempotency::IdempotencyStore;
use molam_core::Error;
use ureq::tls::Certificate;

use crate::random::OsRandom;
use crate::transport::{parse_pem_certificates, UreqTransport};

/// The shell's name in the `User-Agent`.
pub(crate) const SHELL: &str = "ureq";

/// The blocking Molam client. Cheap to clone (clones share the connection pool, the retry
/// budget and the circuit breaker); `Send + Sync`. Needs no async runtime, so it may also be
/// used from a thread of one.
///
/// Every endpoint is reached through a handle — `client.payment_intents()`, `refunds()`,
/// `payouts()`, `events()` — and per-request options through
/// [`Client::with_options`], which returns the same handles:
///
/// ```no_run
/// use molam_blocking::{Client, Config, RequestOptions};
/// let client = Client::new(Config::from_env()?)?;
/// let options = RequestOptions::new().idempotency_key("order-42:intent")?.max_retries(5);
/// let intent = client.with_options(options).payment_intents().retrieve("pi_123")?;
/// println!("{} (request {:?})", intent.id, intent.request_id());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) core: CoreClient,
    pub(crate) transport: UreqTransport,
    pub(crate) origin: Instant,
    pub(crate) store: Option<Arc<dyn IdempotencyStore>>,
    pub(crate) scope: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("core", &self.inner.core)
            .field("idempotency_store", &self.inner.store.is_some())
            .field("scope", &self.inner.scope)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with default transport settings for `config`.
    pub fn new(config: Config) -> Result<Client, Error> {
        ClientBuilder::new(config).build()
    }

    /// A client configured from the `MOLAM_*` environment variables.
    pub fn from_env() -> Result<Client, Error> {
        Client::new(Config::from_env()?)
    }

    /// A builder, for extra root certificates or an idempotency store.
    pub fn builder(config: Config) -> ClientBuilder {
        ClientBuilder::new(config)
    }

    /// The sans-IO core client: its configuration, retry budget and breaker.
    pub fn core(&self) -> &CoreClient {
        &self.inner.core
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.inner.core.config()
    }

    /// The endpoints with per-request options (idempotency key, timeout, retries, version).
    pub fn with_options(&self, options: RequestOptions) -> crate::Requests<'_> {
        crate::Requests::new(self, options)
    }

    /// Now on the client's monotonic clock.
    pub(crate) fn now(&self) -> Duration {
        self.inner.origin.elapsed()
    }
}

/// Now on the wall clock, in unix milliseconds (for the idempotency store's leases).
pub(crate) fn unix_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// Builds a [`Client`].
///
/// ```
/// use molam_blocking::{Client, Config};
/// let config = Config::builder().api_key("sk_test_0123456789abcdef").build()?;
/// let client = Client::builder(config).idempotency_scope("acct_1").build()?;
/// assert!(client.core().user_agent().contains("(ureq; rust)"));
/// # Ok::<(), molam_blocking::Error>(())
/// ```
pub struct ClientBuilder {
    config: Config,
    extra_roots: Vec<Certificate<'static>>,
    pem_error: Option<Error>,
    store: Option<Arc<dyn IdempotencyStore>>,
    scope: String,
}

impl ClientBuilder {
    /// Defaults: Mozilla's root certificates, no idempotency store.
    pub fn new(config: Config) -> Self {
        ClientBuilder {
            config,
            extra_roots: Vec::new(),
            pem_error: None,
            store: None,
            scope: "default".to_owned(),
        }
    }

    /// Also trusts the certificates of this PEM bundle (a private CA, the mock's `--tls`).
    /// A bundle without any certificate makes [`ClientBuilder::build`] fail.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        match parse_pem_certificates(pem) {
            Ok(certs) => self.extra_roots.extend(certs),
            Err(e) => self.pem_error = Some(e),
        }
        self
    }

    /// A durable idempotency store: every POST claims its key first, a finished key is
    /// answered from the store without any request, and final answers are recorded.
    pub fn idempotency_store(mut self, store: Arc<dyn IdempotencyStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The key space of this client's keys in the store (e.g. the Molam account or tenant
    /// id; default `default`).
    pub fn idempotency_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// Builds the client (no connection is made yet).
    pub fn build(self) -> Result<Client, Error> {
        if let Some(error) = self.pem_error {
            return Err(error);
        }
        let random = OsRandom::checked()?;
        let transport = UreqTransport::new(&self.config, &self.extra_roots)?;
        let core = CoreClient::new(self.config, SHELL, Arc::new(random));
        Ok(Client {
            inner: Arc::new(Inner {
                core,
                transport,
                origin: Instant::now(),
                store: self.store,
                scope: self.scope,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shareable<T: Clone + Send + Sync + 'static>(_: &T) {}

    /// Compiles only while the client can be shared across threads.
    #[test]
    fn the_client_is_shared_across_threads_and_names_its_shell() {
        let config = Config::builder()
            .api_key("sk_test_0123456789abcdef")
            .build()
            .expect("a valid config");
        let client = Client::new(config).expect("a client");
        shareable(&client);
        assert!(client.core().user_agent().ends_with("(ureq; rust)"));
    }
}
