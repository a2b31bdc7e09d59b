//! What the client shells share, written once: the builder, the endpoint handles, listing
//! page by page, and the checks on what a shell supplies (root certificates, randomness).
//!
//! A shell (`molam-blocking`, `molam-tokio`) implements [`Shell`] for its `Client` — how to
//! build it from [`Parts`], how to run a call (blocking: the result; async: a future of it),
//! how to iterate a list — and invokes [`shell_client!`](crate::shell_client) once. The
//! handles are generated from one table in this module: adding an endpoint method is one
//! line there (after its request builder in [`crate::api`]), and both clients have it.
//!
//! ```
//! use molam_core::shell::Parts;
//! # use molam_core::{Config, Error, idempotency::IdempotencyStore};
//! let config = Config::builder().api_key("sk_test_0123456789abcdef").build()?;
//! let parts = Parts::<dyn IdempotencyStore>::new(config);
//! assert_eq!(parts.scope, "default");
//! # Ok::<(), Error>(())
//! ```

use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::call::{Call, RequestOptions};
use crate::client::Client as CoreClient;
use crate::config::Config;
use crate::drive::Durable;
use crate::error::{ConfigError, Error};
use crate::pagination::{AutoPager, PageStep, Paginate};
use crate::params::{
    CancelPaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent, CreatePayout, CreateRefund,
    ListEvents, ListPaymentIntents, ListPayouts, ListRefunds,
};
use crate::random::RandomSource;
use crate::resources::{Charge, Event, List, PaymentIntent, Payout, Refund, Resource};
use crate::response::ApiResponse;

/// The most of a response body a client shell reads before it gives up on the answer (a
/// Molam object or page is a few KiB): both transports cap their reads at it.
pub const MAX_RESPONSE_BODY: usize = 16 * 1024 * 1024;

/// A client shell: its transport and its way of waiting (blocking or async).
pub trait Shell: Sized {
    /// The idempotency store it drives (`dyn IdempotencyStore` or `dyn AsyncIdempotencyStore`).
    type Store: ?Sized + Send + Sync;
    /// What an endpoint method returns: the result, or a future of it.
    type Output<'a, T: 'a>
    where
        Self: 'a;
    /// What `list_all` returns: an iterator or a stream over [`Pages`].
    type List<P, T>;

    /// Builds the client from what the builder collected.
    fn build(parts: Parts<Self::Store>) -> Result<Self, Error>;
    /// The sans-IO core client.
    fn core_client(&self) -> &CoreClient;
    /// Runs a call the core prepared (or refused to prepare) to its result.
    fn run<'a, T>(&'a self, call: Result<Call<T>, Error>) -> Self::Output<'a, T>
    where
        T: DeserializeOwned + Send + 'a;
    /// Iterates over a whole list.
    fn list<P: PageParams, T: Listed>(&self, pages: Pages<P, T>) -> Self::List<P, T>;
}

/// The params of a list endpoint, as a shell's list iterator or stream holds them.
pub trait PageParams: Paginate + Send + Unpin + 'static {}
impl<P: Paginate + Send + Unpin + 'static> PageParams for P {}

/// An object of a list, as a shell's list iterator or stream yields it.
pub trait Listed: Resource + DeserializeOwned + Send + Unpin + 'static {}
impl<T: Resource + DeserializeOwned + Send + Unpin + 'static> Listed for T {}

/// What a shell's `Client` holds besides its transport and clock: the core client, the
/// durable store and its key space.
pub struct Base<S: ?Sized> {
    core: CoreClient,
    store: Option<Arc<S>>,
    scope: String,
}

impl<S: ?Sized> Base<S> {
    /// The core client named `shell` in the `User-Agent`, with `random` for keys, jitter
    /// and lock tokens, and the builder's store. `parts.root_pems` are the shell's to use
    /// before.
    pub fn new(parts: Parts<S>, shell: &str, random: Arc<dyn RandomSource>) -> Self {
        Base {
            core: CoreClient::new(parts.config, shell, random),
            store: parts.store,
            scope: parts.scope,
        }
    }

    /// The core client.
    pub fn core(&self) -> &CoreClient {
        &self.core
    }

    /// The store for a driver, with the wall clock `unix_ms` (unix milliseconds).
    pub fn durable<'a>(
        &'a self,
        unix_ms: &'a (dyn Fn() -> i64 + Send + Sync),
    ) -> Option<Durable<'a, S>> {
        let store = self.store.as_deref()?;
        Some(Durable {
            store,
            scope: &self.scope,
            unix_ms,
        })
    }
}

impl<S: ?Sized> std::fmt::Debug for Base<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("core", &self.core)
            .field("idempotency_store", &self.store.is_some())
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// What a shell's `ClientBuilder` collects.
#[non_exhaustive]
pub struct Parts<S: ?Sized> {
    /// The configuration.
    pub config: Config,
    /// PEM bundles whose certificates are trusted besides the configured roots.
    pub root_pems: Vec<Vec<u8>>,
    /// The durable idempotency store, if any.
    pub store: Option<Arc<S>>,
    /// The key space of this client's keys in the store.
    pub scope: String,
}

impl<S: ?Sized> Parts<S> {
    /// Defaults: no extra roots, no store, scope `default`.
    pub fn new(config: Config) -> Self {
        Parts {
            config,
            root_pems: Vec::new(),
            store: None,
            scope: "default".to_owned(),
        }
    }
}

/// Builds a shell's `Client`: `Client::builder(config)….build()`.
pub struct Builder<C: Shell> {
    parts: Parts<C::Store>,
    client: PhantomData<fn() -> C>,
}

impl<C: Shell> Builder<C> {
    /// Defaults: the configured root certificates, no idempotency store.
    pub fn new(config: Config) -> Self {
        Builder {
            parts: Parts::new(config),
            client: PhantomData,
        }
    }

    /// Also trusts the certificates of this PEM bundle (a private CA, the mock's `--tls`).
    /// A bundle without any certificate makes [`Builder::build`] fail.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        self.parts.root_pems.push(pem.to_vec());
        self
    }

    /// A durable idempotency store: every POST claims its key first, a finished key is
    /// answered from the store without any request, and final answers are recorded.
    pub fn idempotency_store(mut self, store: Arc<C::Store>) -> Self {
        self.parts.store = Some(store);
        self
    }

    /// The key space of this client's keys in the store (e.g. the Molam account or tenant
    /// id; default `default`).
    pub fn idempotency_scope(mut self, scope: impl Into<String>) -> Self {
        self.parts.scope = scope.into();
        self
    }

    /// Builds the client (no connection is made yet).
    pub fn build(self) -> Result<C, Error> {
        C::build(self.parts)
    }
}

impl<C: Shell> std::fmt::Debug for Builder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.parts.config)
            .field("root_pems", &self.parts.root_pems.len())
            .field("idempotency_store", &self.parts.store.is_some())
            .field("scope", &self.parts.scope)
            .finish()
    }
}

/// The rule on a PEM bundle, whatever library parsed it: a bundle that does not parse, or
/// holds no certificate, is refused.
///
/// ```
/// use molam_core::shell::root_certificates;
/// assert!(root_certificates::<u8, &str>(Ok(vec![])).is_err());
/// assert_eq!(root_certificates::<u8, &str>(Ok(vec![1])).ok(), Some(vec![1]));
/// assert!(root_certificates::<u8, &str>(Err("bad base64")).is_err());
/// ```
pub fn root_certificates<C, E: std::fmt::Display>(
    parsed: Result<Vec<C>, E>,
) -> Result<Vec<C>, Error> {
    let bad = |reason: String| {
        Error::InvalidConfig(ConfigError::InvalidValue {
            name: "root_certificate",
            reason,
        })
    };
    let certs = parsed.map_err(|e| bad(format!("not a PEM bundle: {e}")))?;
    if certs.is_empty() {
        return Err(bad("no CERTIFICATE block in the PEM".to_owned()));
    }
    Ok(certs)
}

/// A [`RandomSource`] over the operating system's fill function (the shells pass
/// `getrandom::fill`), checked once when the client is built: a client is never built over a
/// source that would fail later.
///
/// ```
/// use molam_core::shell::OsRandom;
/// let failing = |_: &mut [u8]| -> Result<(), &'static str> { Err("no entropy") };
/// assert!(OsRandom::checked(failing).is_err());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct OsRandom<E> {
    fill: fn(&mut [u8]) -> Result<(), E>,
}

impl<E: std::fmt::Display> OsRandom<E> {
    /// `fill`, once it has answered.
    pub fn checked(fill: fn(&mut [u8]) -> Result<(), E>) -> Result<Self, Error> {
        let mut probe = [0u8; 16];
        fill(&mut probe).map_err(|e| {
            Error::InvalidConfig(ConfigError::InvalidValue {
                name: "random",
                reason: format!("the operating system's random source failed: {e}"),
            })
        })?;
        Ok(OsRandom { fill })
    }
}

impl<E: std::fmt::Display + 'static> RandomSource for OsRandom<E> {
    fn fill(&self, buf: &mut [u8]) {
        // Checked in `OsRandom::checked`; an OS whose CSPRNG stops answering mid-process cannot
        // produce safe idempotency keys, and a predictable fallback could collide them.
        if let Err(e) = (self.fill)(buf) {
            panic!("the OS random source answered when the client was built, not now: {e}");
        }
    }
}

/// How a list endpoint's call is prepared for given params.
pub type Fetch<P, T> = fn(&CoreClient, &P, &RequestOptions) -> Result<Call<List<T>>, Error>;

/// A whole list, page by page: the sans-IO half of a shell's `list_all` iterator or stream.
/// The core's [`AutoPager`] decides cursors and caps; the shell runs the calls it asks for.
pub struct Pages<P, T> {
    options: RequestOptions,
    fetch: Fetch<P, T>,
    pager: AutoPager<P, T>,
}

/// What [`Pages::poll`] wants next.
#[must_use]
pub enum PageAction<T> {
    /// The next object.
    Item(T),
    /// Run this call for the next page, then [`Pages::handle_page`].
    Fetch(Result<Call<List<T>>, Error>),
    /// The list is over.
    Done,
}

impl<P: Paginate, T: Resource + DeserializeOwned> Pages<P, T> {
    /// The list from `params` on, each page fetched with `fetch` and `options`.
    pub fn new(options: &RequestOptions, params: &P, fetch: Fetch<P, T>) -> Self {
        Pages {
            options: options.clone(),
            fetch,
            pager: AutoPager::new(params.clone()),
        }
    }

    /// Hands out at most `max_items` objects, and fetches no page beyond them.
    pub fn up_to(mut self, max_items: usize) -> Self {
        self.pager = self.pager.up_to(max_items);
        self
    }

    /// The next object, or the call for the next page, or the end.
    pub fn poll(&mut self, core: &CoreClient) -> PageAction<T> {
        match self.pager.poll() {
            PageStep::Item(item) => PageAction::Item(item),
            PageStep::Done => PageAction::Done,
            PageStep::Fetch(params) => {
                PageAction::Fetch((self.fetch)(core, &params, &self.options))
            }
        }
    }

    /// Takes the page fetched; a failure (already retried as the policy allows) ends the
    /// list after it is handed back, to be yielded once.
    pub fn handle_page(&mut self, page: Result<ApiResponse<List<T>>, Error>) -> Result<(), Error> {
        match page {
            Ok(page) => {
                self.pager.handle_page(page.into_inner());
                Ok(())
            }
            Err(error) => {
                self.pager.fail();
                Err(error)
            }
        }
    }
}

impl<P, T> std::fmt::Debug for Pages<P, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").finish_non_exhaustive()
    }
}

/// The endpoints of a shell's client with per-request options; see `Client::with_options`.
#[derive(Debug, Clone)]
pub struct Requests<'a, C> {
    client: &'a C,
    options: RequestOptions,
}

impl<'a, C> Requests<'a, C> {
    /// The endpoints of `client`, each call with `options`.
    pub fn new(client: &'a C, options: RequestOptions) -> Self {
        Requests { client, options }
    }
}

impl<'a, C: Shell> Requests<'a, C> {
    /// Calls an endpoint this SDK does not model yet: `method` on `path` (from `/v1/`, query
    /// already percent-encoded) with an optional JSON `body`. Same headers, retries,
    /// idempotency key and durable store as the typed endpoints
    /// ([`CoreClient::raw`] checks the path); the answer is the API's JSON, also byte for
    /// byte in [`ApiResponse::raw_body`].
    pub fn raw(
        &self,
        method: http::Method,
        path: &str,
        body: Option<&Value>,
    ) -> C::Output<'a, Value> {
        let call = self
            .client
            .core_client()
            .raw(method, path, body, &self.options);
        self.client.run(call.map_err(Error::from))
    }
}

/// The table of endpoint handles: one line an endpoint method.
macro_rules! handles {
    ($(
        $(#[$hdoc:meta])*
        $Handle:ident = $accessor:ident {
            $( $(#[$mdoc:meta])* fn $method:ident($($arg:ident: $ty:ty),*) -> $Out:ty; )*
            $( list_all($Params:ty) -> $Item:ty; )?
        }
    )*) => {
        impl<'a, C: Shell> Requests<'a, C> {$(
            $(#[$hdoc])*
            pub fn $accessor(&self) -> $Handle<'a, C> {
                $Handle { client: self.client, options: self.options.clone() }
            }
        )*}
        $(
            $(#[$hdoc])*
            #[derive(Debug, Clone)]
            pub struct $Handle<'a, C> {
                client: &'a C,
                options: RequestOptions,
            }

            /// The handle of these requests' options, taken over without a copy.
            impl<'a, C> From<Requests<'a, C>> for $Handle<'a, C> {
                fn from(requests: Requests<'a, C>) -> Self {
                    $Handle { client: requests.client, options: requests.options }
                }
            }

            impl<'a, C: Shell> $Handle<'a, C> {
                $(
                    $(#[$mdoc])*
                    pub fn $method(&self, $($arg: $ty),*) -> C::Output<'a, $Out> {
                        let core = self.client.core_client();
                        self.client.run(core.$accessor().$method($($arg,)* &self.options))
                    }
                )*
                $(
                    /// Every object from `params` on, fetched page by page as it is consumed.
                    pub fn list_all(&self, params: &$Params) -> C::List<$Params, $Item> {
                        let fetch: Fetch<$Params, $Item> = |core, p, o| core.$accessor().list(p, o);
                        self.client.list(Pages::new(&self.options, params, fetch))
                    }
                )?
            }
        )*
    };
}

handles! {
    /// Payment intents (`/v1/connect/payment_intents`).
    PaymentIntents = payment_intents {
        /// Creates a payment intent.
        fn create(params: &CreatePaymentIntent) -> PaymentIntent;
        /// Retrieves a payment intent.
        fn retrieve(id: &str) -> PaymentIntent;
        /// Confirms a payment intent (with the body's payment method, else the attached one).
        fn confirm(id: &str, params: &ConfirmPaymentIntent) -> PaymentIntent;
        /// Cancels a payment intent that has not succeeded.
        fn cancel(id: &str, params: &CancelPaymentIntent) -> PaymentIntent;
        /// One page of payment intents, newest first.
        fn list(params: &ListPaymentIntents) -> List<PaymentIntent>;
        list_all(ListPaymentIntents) -> PaymentIntent;
    }
    /// Charges (`/v1/connect/charges/{id}`).
    Charges = charges {
        /// Retrieves a charge, such as a payment intent's `latest_charge`.
        fn retrieve(id: &str) -> Charge;
    }
    /// Refunds (`/v1/connect/charges/{charge}/refund`, `/v1/connect/refunds`).
    Refunds = refunds {
        /// Refunds a charge (`ch_…`); by default what is left of it.
        fn create(charge: &str, params: &CreateRefund) -> Refund;
        /// Retrieves a refund.
        fn retrieve(id: &str) -> Refund;
        /// One page of refunds, newest first.
        fn list(params: &ListRefunds) -> List<Refund>;
        list_all(ListRefunds) -> Refund;
    }
    /// Payouts (`/v1/treasury/payouts`).
    Payouts = payouts {
        /// Creates a payout.
        fn create(params: &CreatePayout) -> Payout;
        /// Retrieves a payout.
        fn retrieve(id: &str) -> Payout;
        /// Cancels a payout while it is `pending`.
        fn cancel(id: &str) -> Payout;
        /// One page of payouts, newest first.
        fn list(params: &ListPayouts) -> List<Payout>;
        list_all(ListPayouts) -> Payout;
    }
    /// Events (`/v1/events`).
    Events = events {
        /// Retrieves an event.
        fn retrieve(id: &str) -> Event;
        /// One page of events, newest first.
        fn list(params: &ListEvents) -> List<Event>;
        list_all(ListEvents) -> Event;
    }
}

/// The public face every shell's `Client` shares — constructors, the core client, and the
/// endpoint handles — for a type that implements [`Shell`]. Invoked once by each shell.
#[macro_export]
macro_rules! shell_client {
    ($Client:ident) => {
        impl $Client {
            /// A client with default transport settings for `config`.
            pub fn new(config: $crate::Config) -> Result<$Client, $crate::Error> {
                $Client::builder(config).build()
            }

            /// A client configured from the `MOLAM_*` environment variables.
            pub fn from_env() -> Result<$Client, $crate::Error> {
                $Client::new($crate::Config::from_env()?)
            }

            /// A builder, for extra root certificates or an idempotency store.
            pub fn builder(config: $crate::Config) -> $crate::shell::Builder<$Client> {
                $crate::shell::Builder::new(config)
            }

            /// The sans-IO core client: its configuration, retry budget and breaker.
            pub fn core(&self) -> &$crate::client::Client {
                $crate::shell::Shell::core_client(self)
            }

            /// The configuration.
            pub fn config(&self) -> &$crate::Config {
                self.core().config()
            }

            /// The endpoints with per-request options (idempotency key, timeout, retries,
            /// version).
            pub fn with_options(
                &self,
                options: $crate::call::RequestOptions,
            ) -> $crate::shell::Requests<'_, $Client> {
                $crate::shell::Requests::new(self, options)
            }

            /// [`Requests::raw`](molam_core::shell::Requests::raw) with the client's own
            /// options: an endpoint this SDK does not model yet, as JSON.
            pub fn raw(
                &self,
                method: $crate::http::Method,
                path: &str,
                body: Option<&$crate::serde_json::Value>,
            ) -> <Self as $crate::shell::Shell>::Output<'_, $crate::serde_json::Value> {
                self.with_options(Default::default())
                    .raw(method, path, body)
            }

            /// Payment intents (`/v1/connect/payment_intents`).
            pub fn payment_intents(&self) -> $crate::shell::PaymentIntents<'_, $Client> {
                self.with_options(Default::default()).into()
            }

            /// Charges (`/v1/connect/charges/{id}`).
            pub fn charges(&self) -> $crate::shell::Charges<'_, $Client> {
                self.with_options(Default::default()).into()
            }

            /// Refunds (`/v1/connect/charges/{charge}/refund`, `/v1/connect/refunds`).
            pub fn refunds(&self) -> $crate::shell::Refunds<'_, $Client> {
                self.with_options(Default::default()).into()
            }

            /// Payouts (`/v1/treasury/payouts`).
            pub fn payouts(&self) -> $crate::shell::Payouts<'_, $Client> {
                self.with_options(Default::default()).into()
            }

            /// Events (`/v1/events`).
            pub fn events(&self) -> $crate::shell::Events<'_, $Client> {
                self.with_options(Default::default()).into()
            }
        }

        /// The endpoints with per-request options; see [`Client::with_options`].
        pub type Requests<'a> = $crate::shell::Requests<'a, $Client>;
        /// Payment intent endpoints; see [`Client::payment_intents`].
        pub type PaymentIntents<'a> = $crate::shell::PaymentIntents<'a, $Client>;
        /// Charge endpoints; see [`Client::charges`].
        pub type Charges<'a> = $crate::shell::Charges<'a, $Client>;
        /// Refund endpoints; see [`Client::refunds`].
        pub type Refunds<'a> = $crate::shell::Refunds<'a, $Client>;
        /// Payout endpoints; see [`Client::payouts`].
        pub type Payouts<'a> = $crate::shell::Payouts<'a, $Client>;
        /// Event endpoints; see [`Client::events`].
        pub type Events<'a> = $crate::shell::Events<'a, $Client>;
        /// Builds a [`Client`].
        pub type ClientBuilder = $crate::shell::Builder<$Client>;
    };
}

/// The names every shell re-exports at its root, so that a program built on one client
/// needs no other Molam crate: options, configuration, results and errors, parameters and
/// resources, the in-memory store, webhook secrets, a request built by hand, and what a raw
/// request (`Client::raw`) takes and answers.
#[macro_export]
macro_rules! shell_exports {
    () => {
        pub use $crate::account::AccountId;
        pub use $crate::call::{PreparedRequest, RequestOptions};
        pub use $crate::config::{AppInfo, Config, ProxyConfig, TlsRoots};
        pub use $crate::http::Method;
        pub use $crate::idempotency::InMemoryIdempotencyStore;
        pub use $crate::response::{AnswerSource, ApiResponse};
        pub use $crate::serde_json::{json, Value};
        pub use $crate::webhook::WebhookSecret;
        pub use $crate::{params, resources, ApiError, ApiErrorType, Error};
    };
}
