//! The blocking [`Client`]: ureq, the thread's sleep, the monotonic and wall clocks, the OS's
//! randomness and a blocking store, driving the core's exchange. Its constructors and
//! endpoint handles come from [`molam_core::shell_client!`].

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use molam_core::call::Call;
use molam_core::client::Client as CoreClient;
use molam_core::drive;
use molam_core::idempotency::IdempotencyStore;
use molam_core::response::ApiResponse;
use molam_core::shell::{Base, Listed, OsRandom, PageParams, Pages, Parts, Shell};
use molam_core::Error;
use serde::de::DeserializeOwned;

use crate::list::ListIter;
use crate::transport::{parse_pem_certificates, UreqTransport};

/// The blocking Molam client. Cheap to clone (clones share the connection pool, the retry
/// budget and the circuit breaker); `Send + Sync`. Needs no async runtime, so it may also be
/// used from a thread of one.
///
/// Every endpoint is reached through a handle — `client.payment_intents()`, `charges()`,
/// `refunds()`, `payouts()`, `events()` — and per-request options through
/// [`Client::with_options`], which returns the same handles:
///
/// ```no_run
/// use molam_blocking::{Client, Config, RequestOptions};
/// let client = Client::new(Config::from_env()?)?;
/// let options = RequestOptions::new().idempotency_key("order-42:intent")?.max_retries(5);
/// let intent = client.with_options(options).payment_intents().retrieve("pi_123")?;
/// println!("{} (request {})", intent.id, intent.request_id().unwrap_or("-"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Built with [`Client::builder`]:
///
/// ```
/// use molam_blocking::{Client, Config};
/// let config = Config::builder().api_key("sk_test_0123456789abcdef").build()?;
/// let client = Client::builder(config).idempotency_scope("acct_1").build()?;
/// assert!(client.core().user_agent().contains("(ureq; rust)"));
/// # Ok::<(), molam_blocking::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base: Base<dyn IdempotencyStore>,
    transport: UreqTransport,
    origin: Instant,
}

molam_core::shell_client!(Client);

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.base.fmt(f)
    }
}

impl Client {
    /// Drives a call prepared by the core (any endpoint) to its result: the core's exchange
    /// ([`molam_core::exchange`]) run by [`drive::run_with`] over ureq, `std::thread::sleep`,
    /// the clocks and the store. Every decision is the core's.
    ///
    /// ```no_run
    /// # let client = molam_blocking::Client::from_env()?;
    /// use molam_blocking::RequestOptions;
    /// let call = client.core().events().retrieve("evt_123", &RequestOptions::new())?;
    /// let event = client.execute(call)?;
    /// # Ok::<(), molam_blocking::Error>(())
    /// ```
    pub fn execute<T: DeserializeOwned>(&self, call: Call<T>) -> Result<ApiResponse<T>, Error> {
        let inner = &*self.inner;
        let send = |request, timeout| inner.transport.send(request, timeout);
        let now = || inner.origin.elapsed();
        let durable = inner.base.durable(&unix_ms);
        drive::run_with(call, durable, send, std::thread::sleep, now)
    }
}

impl Shell for Client {
    type Store = dyn IdempotencyStore;
    type Output<'a, T: 'a> = Result<ApiResponse<T>, Error>;
    type List<P, T> = ListIter<P, T>;

    fn build(parts: Parts<Self::Store>) -> Result<Client, Error> {
        let mut roots = Vec::new();
        for pem in &parts.root_pems {
            roots.extend(parse_pem_certificates(pem)?);
        }
        let transport = UreqTransport::new(&parts.config, &roots)?;
        let random = Arc::new(OsRandom::checked(getrandom::fill)?);
        let base = Base::new(parts, "ureq", random);
        let origin = Instant::now();
        let inner = Arc::new(Inner {
            base,
            transport,
            origin,
        });
        Ok(Client { inner })
    }

    fn core_client(&self) -> &CoreClient {
        self.inner.base.core()
    }

    fn run<'a, T>(&'a self, call: Result<Call<T>, Error>) -> Result<ApiResponse<T>, Error>
    where
        T: DeserializeOwned + Send + 'a,
    {
        self.execute(call?)
    }

    fn list<P: PageParams, T: Listed>(&self, pages: Pages<P, T>) -> ListIter<P, T> {
        ListIter::new(self.clone(), pages)
    }
}

/// Now on the wall clock, in unix milliseconds (for the store's leases and webhooks).
pub(crate) fn unix_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::Client;

    fn shareable<T: Clone + Send + Sync + 'static>() {}

    /// Compiles only while the client can be shared across threads.
    #[test]
    fn the_client_is_shared_across_threads() {
        shareable::<Client>();
    }
}
