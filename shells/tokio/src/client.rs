//! The async [`Client`]: hyper, `tokio::time`, the monotonic and wall clocks, the OS's
//! randomness and an async store, driving the core's exchange. Its constructors and endpoint
//! handles come from [`molam_core::shell_client!`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use molam_core::call::Call;
use molam_core::client::Client as CoreClient;
use molam_core::drive;
use molam_core::idempotency::AsyncIdempotencyStore;
use molam_core::response::ApiResponse;
use molam_core::shell::{Base, Listed, OsRandom, PageParams, Pages, Parts, Shell};
use molam_core::Error;
use serde::de::DeserializeOwned;

use crate::list::ListStream;
use crate::transport::{parse_pem_certificates, HyperTransport};

/// The future of one call: `Send`, borrowing only the client; dropping it cancels the call.
pub type CallFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<ApiResponse<T>, Error>> + Send + 'a>>;

/// The async Molam client, for tokio. Cheap to clone (clones share the connection pool, the
/// retry budget and the circuit breaker), `Send + Sync`, and its futures are `Send`: share it
/// across tasks. The parameters are validated and the request built when an endpoint method
/// is called; the future it returns borrows only the client, so it may be stored, raced or
/// dropped (which cancels the call).
///
/// Every endpoint is reached through a handle — `client.payment_intents()`, `charges()`,
/// `refunds()`, `payouts()`, `events()` — and per-request options through
/// [`Client::with_options`], which returns the same handles:
///
/// ```no_run
/// use molam_tokio::{Client, Config, RequestOptions};
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::new(Config::from_env()?)?;
/// let options = RequestOptions::new().idempotency_key("order-42:intent")?.max_retries(5);
/// let intent = client.with_options(options).payment_intents().retrieve("pi_123").await?;
/// println!("{} (request {})", intent.id, intent.request_id().unwrap_or("-"));
/// # Ok(()) }
/// ```
///
/// Built with [`Client::builder`] (no runtime is needed to build it, one is to use it):
///
/// ```
/// use molam_tokio::{Client, Config};
/// let config = Config::builder().api_key("sk_test_0123456789abcdef").build()?;
/// let client = Client::builder(config).idempotency_scope("acct_1").build()?;
/// assert!(client.core().user_agent().contains("(hyper; rust)"));
/// # Ok::<(), molam_tokio::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: HyperTransport,
    started: Instant,
    base: Base<dyn AsyncIdempotencyStore>,
}

molam_core::shell_client!(Client);

/// Only the core client and whether a store is set: no transport internals.
impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.inner.base, f)
    }
}

impl Client {
    /// Drives a call prepared by the core (any endpoint) to its result: the core's exchange
    /// ([`molam_core::exchange`]) run by [`drive::run_async`] over hyper (each attempt under
    /// `tokio::time::timeout`), `tokio::time::sleep`, the clocks and the store. If the
    /// future is dropped mid-flight, a claim it holds is neither completed nor released: its
    /// lease expires, and a later call with the same key proceeds (the API dedupes it).
    ///
    /// ```no_run
    /// # async fn run(client: molam_tokio::Client) -> Result<(), molam_tokio::Error> {
    /// use molam_tokio::RequestOptions;
    /// let call = client.core().events().retrieve("evt_123", &RequestOptions::new())?;
    /// let event = client.execute(call).await?;
    /// # Ok(()) }
    /// ```
    pub fn execute<'a, T: DeserializeOwned + 'a>(
        &'a self,
        call: Call<T>,
    ) -> impl Future<Output = Result<ApiResponse<T>, Error>> + 'a {
        let Inner {
            transport,
            started,
            base,
        } = &*self.inner;
        let send = |request, timeout| transport.send(request, timeout);
        let durable = base.durable(&unix_ms);
        drive::run_async(call, durable, send, tokio::time::sleep, || {
            started.elapsed()
        })
    }
}

impl Shell for Client {
    type Store = dyn AsyncIdempotencyStore;
    type Output<'a, T: 'a> = CallFuture<'a, T>;
    type List<P, T> = ListStream<P, T>;

    fn build(parts: Parts<Self::Store>) -> Result<Client, Error> {
        let pems = parts.root_pems.iter();
        let extra_roots = pems
            .map(|pem| parse_pem_certificates(pem))
            .collect::<Result<Vec<_>, _>>()?
            .concat();
        let transport = HyperTransport::new(&parts.config, &extra_roots)?;
        let random = OsRandom::checked(getrandom::fill)?;
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                started: Instant::now(),
                base: Base::new(parts, "hyper", Arc::new(random)),
            }),
        })
    }

    fn core_client(&self) -> &CoreClient {
        self.inner.base.core()
    }

    fn run<'a, T>(&'a self, call: Result<Call<T>, Error>) -> CallFuture<'a, T>
    where
        T: DeserializeOwned + Send + 'a,
    {
        match call {
            Ok(call) => Box::pin(self.execute(call)),
            Err(error) => Box::pin(std::future::ready(Err(error))),
        }
    }

    fn list<P: PageParams, T: Listed>(&self, pages: Pages<P, T>) -> ListStream<P, T> {
        ListStream::new(self.clone(), pages)
    }
}

/// Now on the wall clock, in unix milliseconds (for the store's leases and webhooks).
pub(crate) fn unix_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use molam_core::params::ListPaymentIntents;

    fn client() -> Client {
        let config = molam_core::Config::builder()
            .api_key("sk_test_0123456789abcdef")
            .build()
            .expect("a valid config");
        Client::new(config).expect("a client needs no runtime to be built")
    }

    fn shareable<T: Clone + Send + Sync + 'static>(_: &T) {}
    fn sendable<T: Send + 'static>(_: &T) {}

    /// Compiles only while the client can be shared across tasks and its list streams and
    /// call futures moved into them.
    #[test]
    fn the_client_its_streams_and_its_futures_cross_tasks() {
        let client = client();
        shareable(&client);
        let stream = client
            .payment_intents()
            .list_all(&ListPaymentIntents::new());
        sendable(&stream);
        let owned = client.clone();
        let task = async move {
            owned
                .payment_intents()
                .retrieve("pi_1")
                .await
                .map(|pi| pi.id.clone())
        };
        sendable(&task);
        assert!(client.core().user_agent().ends_with("(hyper; rust)"));
    }

    /// Each call boxes its future once: kept under 1 KiB, the box comes from the allocator's
    /// per-thread cache and moving it in is cheap. At 4,984 bytes (the call, the action and
    /// the result held across every await) it cost a slow allocation and a 5 KB copy per call.
    #[test]
    fn a_call_future_stays_under_one_kibibyte() {
        use molam_core::params::CreatePaymentIntent;
        use molam_core::resources::Currency;
        let client = client();
        let params = CreatePaymentIntent::new(2500, Currency::XOF);
        let call = client
            .core()
            .payment_intents()
            .create(&params, &molam_core::call::RequestOptions::new());
        let future = client.run(call);
        let size = std::mem::size_of_val(&*future);
        assert!(size <= 1024, "a call's future is {size} bytes");
    }
}
