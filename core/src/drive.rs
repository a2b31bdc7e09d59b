//! Driving an [`Exchange`] to its end over any HTTP client, blocking or async.
//!
//! [`run_with`] and [`run_async`] are the loops both client shells use: the shell supplies
//! only its transport, its sleep and its clocks (and, optionally, a durable idempotency
//! store); every decision is the exchange's. A program that brings its own HTTP client gets
//! the same retries, breaker, budget, durable store and exactly-once behaviour in a few lines
//! (`cargo run -p molam-core --example own_http_client` shows it end to end).
//!
//! With the `tracing` feature each call is a `molam.call` span and each attempt a
//! `molam.attempt` span, with OpenTelemetry's HTTP field names; no key, secret or body is
//! ever recorded.

use std::future::Future;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::call::Call;
use crate::error::{Error, TransportError};
use crate::exchange::{Action, AwaitClaim, AwaitStore, Exchange};
use crate::idempotency::{AsyncIdempotencyStore, Claim, IdempotencyStore};
use crate::response::ApiResponse;

/// A durable idempotency store for a driver: the store, the key space of this client's keys
/// in it, and the wall clock its leases are measured on (unix milliseconds).
pub struct Durable<'a, S: ?Sized> {
    /// The store ([`IdempotencyStore`] for [`run_with`], [`AsyncIdempotencyStore`] for
    /// [`run_async`]).
    pub store: &'a S,
    /// The key space (an account or tenant id).
    pub scope: &'a str,
    /// The wall clock, in unix milliseconds.
    pub unix_ms: &'a (dyn Fn() -> i64 + Send + Sync),
}

impl<S: ?Sized> std::fmt::Debug for Durable<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Durable")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Drives `call` with no durable store: `send` carries each request, `sleep` waits between
/// attempts, and `now` reads a monotonic clock with any fixed origin (in a real program, the
/// `elapsed()` of a `std::time::Instant` taken at start-up).
///
/// ```
/// use std::{cell::Cell, sync::Arc, time::Duration};
/// use molam_core::{call::{PreparedRequest, RequestOptions}, client::Client, config::Config, drive};
/// use molam_core::random::SeededRandom;
///
/// let config = Config::builder().api_key("sk_test_0123456789abcdef").build().unwrap();
/// let client = Client::new(config, "closure", Arc::new(SeededRandom::new(1)));
/// let call = client.prepare::<serde_json::Value>(
///     PreparedRequest { method: http::Method::GET, path_and_query: "/v1/events/evt_1".into(), body: None },
///     &RequestOptions::new(),
/// );
/// // Any HTTP client fits here; this one answers 503 once, then 200.
/// let mut answers = vec![
///     http::Response::builder().status(200).body(br#"{"id":"evt_1"}"#.to_vec()).unwrap(),
///     http::Response::builder().status(503).body(Vec::new()).unwrap(),
/// ];
/// let clock = Cell::new(Duration::ZERO); // a simulated clock: sleeping advances it
/// let event = drive::run(
///     call,
///     |_request| Ok(answers.pop().unwrap()),
///     |wait| clock.set(clock.get() + wait),
///     || clock.get(),
/// )
/// .unwrap();
/// assert_eq!(event["id"], "evt_1");
/// assert_eq!(event.meta().attempts, 2);
/// ```
pub fn run<T, S, W, C>(
    call: Call<T>,
    mut send: S,
    sleep: W,
    now: C,
) -> Result<ApiResponse<T>, Error>
where
    T: DeserializeOwned,
    S: FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError>,
    W: FnMut(Duration),
    C: FnMut() -> Duration,
{
    run_with(call, None, |request, _timeout| send(request), sleep, now)
}

/// Drives `call` to its end, blocking: claims its key in `durable`'s store first when there
/// is one, sends each attempt with `send` (which enforces the per-attempt timeout it is
/// given), sleeps between attempts, and settles the claim. See [`crate::exchange`].
pub fn run_with<T, S, W, C>(
    call: Call<T>,
    durable: Option<Durable<'_, dyn IdempotencyStore>>,
    mut send: S,
    mut sleep: W,
    mut now: C,
) -> Result<ApiResponse<T>, Error>
where
    T: DeserializeOwned,
    S: FnMut(http::Request<Vec<u8>>, Duration) -> Result<http::Response<Vec<u8>>, TransportError>,
    W: FnMut(Duration),
    C: FnMut() -> Duration,
{
    let span = trace::CallSpan::new(&call, &mut now);
    let _entered = span.enter();
    let mut exchange = Exchange::new(call, durable.as_ref().map(|d| d.scope));
    let result = loop {
        exchange = match exchange.poll(now()) {
            Action::Claim(claim) => {
                let answer = match &durable {
                    Some(d) => d.store.claim(&claim.request((d.unix_ms)())),
                    None => Ok(Claim::Proceed {
                        token: claim.token(),
                    }),
                };
                claim.handle_claim(answer)
            }
            Action::Send {
                request,
                timeout,
                next,
            } => {
                let attempt = trace::Attempt::new(next.attempt(), &mut now);
                let outcome = attempt.in_scope(|| send(request, timeout));
                attempt.finish(&outcome, &mut now);
                next.handle_response(outcome, now())
            }
            Action::Sleep { wait, next } => {
                trace::retrying(wait);
                sleep(wait);
                next
            }
            Action::Store(store) => {
                let settled = match &durable {
                    Some(d) => store.apply(d.store, (d.unix_ms)()),
                    None => Ok(()),
                };
                trace::settled(store.handle_stored(settled))
            }
            Action::Done(result) => break result,
        }
    };
    span.finish(&result, &mut now);
    result
}

/// Drives `call` to its end, async, on any runtime: the same as [`run_with`], with `send`,
/// `sleep` and the store returning futures. The future is `Send` when they are, and small:
/// while a request is out it holds that request's future and the exchange's next step, not
/// the call's request or result (molam-tokio boxes it once per call, in under 1 KiB).
///
/// ```
/// # use std::{sync::Arc, time::Duration};
/// use molam_core::{call::{PreparedRequest, RequestOptions}, client::Client, config::Config, drive};
/// use molam_core::{idempotency::InMemoryIdempotencyStore, random::SeededRandom};
///
/// let config = Config::builder().api_key("sk_test_0123456789abcdef").build()?;
/// let client = Client::new(config, "doc", Arc::new(SeededRandom::new(1)));
/// let store = InMemoryIdempotencyStore::new();
/// let options = RequestOptions::new().idempotency_key("order-7:intent")?;
/// let unix_ms = || 1_700_000_000_000;
/// let durable = || drive::Durable { store: &store as &dyn molam_core::idempotency::AsyncIdempotencyStore, scope: "acct_1", unix_ms: &unix_ms };
/// let sent = std::cell::Cell::new(0);
/// let send = |_request: http::Request<Vec<u8>>, _timeout| {
///     sent.set(sent.get() + 1);
///     std::future::ready(Ok(http::Response::builder().status(200).body(br#"{"id":"pi_1"}"#.to_vec()).unwrap()))
/// };
/// let call = || client.prepare::<serde_json::Value>(PreparedRequest {
///     method: http::Method::POST,
///     path_and_query: "/v1/connect/payment_intents".into(),
///     body: Some(br#"{"amount":2500,"currency":"XOF"}"#.to_vec()),
/// }, &options);
/// let first = drive::run_async(call(), Some(durable()), send, |_| std::future::ready(()), || Duration::ZERO);
/// let again = drive::run_async(call(), Some(durable()), send, |_| std::future::ready(()), || Duration::ZERO);
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     match f.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
/// #         std::task::Poll::Ready(v) => v,
/// #         std::task::Poll::Pending => unreachable!("every future here is ready at once"),
/// #     }
/// # }
/// let (first, again) = (block_on(first)?, block_on(again)?);
/// assert_eq!((first["id"].as_str(), again["id"].as_str()), (Some("pi_1"), Some("pi_1")));
/// assert_eq!(sent.get(), 1, "the second call was answered by the store");
/// assert_eq!(again.meta().source, molam_core::response::AnswerSource::Store);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_async<'a, T, S, SF, W, WF, C>(
    call: Call<T>,
    durable: Option<Durable<'a, dyn AsyncIdempotencyStore>>,
    mut send: S,
    mut sleep: W,
    mut now: C,
) -> impl Future<Output = Result<ApiResponse<T>, Error>> + use<'a, T, S, SF, W, WF, C>
where
    T: DeserializeOwned,
    S: FnMut(http::Request<Vec<u8>>, Duration) -> SF,
    SF: Future<Output = Result<http::Response<Vec<u8>>, TransportError>>,
    W: FnMut(Duration) -> WF,
    WF: Future<Output = ()>,
    C: FnMut() -> Duration,
{
    let span = trace::CallSpan::new(&call, &mut now);
    let exchange = Exchange::new(call, durable.as_ref().map(|d| d.scope));
    // One async block, whose state is kept small: what a call holds while its request is out
    // is the request's future and the exchange's next step, nothing more (the shells box
    // this future, once per call).
    span.clone().instrument(async move {
        let mut turn = Turn::Poll(exchange);
        let result = loop {
            let exchange = match turn {
                Turn::Poll(exchange) => exchange,
                Turn::Claim(claim) => {
                    let answer = match &durable {
                        Some(d) => d.store.claim(&claim.request((d.unix_ms)())).await,
                        None => Ok(Claim::Proceed {
                            token: claim.token(),
                        }),
                    };
                    claim.handle_claim(answer)
                }
                Turn::Sleep(wait, next) => {
                    trace::retrying(wait);
                    sleep(wait).await;
                    next
                }
                Turn::Store(store) => {
                    let settled = match &durable {
                        Some(d) => store.apply_async(d.store, (d.unix_ms)()).await,
                        None => Ok(()),
                    };
                    trace::settled(store.handle_stored(settled))
                }
            };
            // The action is taken apart in this one statement, with no await in it: the
            // action (large: it may carry the result) is never part of the future's state.
            let (request, timeout, next) = match exchange.poll(now()) {
                Action::Send {
                    request,
                    timeout,
                    next,
                } => (request, timeout, next),
                Action::Done(result) => break result,
                Action::Claim(claim) => {
                    turn = Turn::Claim(claim);
                    continue;
                }
                Action::Sleep { wait, next } => {
                    turn = Turn::Sleep(wait, next);
                    continue;
                }
                Action::Store(store) => {
                    turn = Turn::Store(store);
                    continue;
                }
            };
            let attempt = trace::Attempt::new(next.attempt(), &mut now);
            let outcome = attempt.instrument(send(request, timeout)).await;
            attempt.finish(&outcome, &mut now);
            turn = Turn::Poll(next.handle_response(outcome, now()));
        };
        span.finish(&result, &mut now);
        result
    })
}

/// What the async driver does next: poll the exchange, or first wait on the store or time.
enum Turn<T> {
    Poll(Exchange<T>),
    Claim(AwaitClaim<T>),
    Sleep(Duration, Exchange<T>),
    Store(AwaitStore<T>),
}

/// The `molam.call` and `molam.attempt` spans, with the `tracing` feature.
#[cfg(feature = "tracing")]
mod trace {
    use std::future::Future;
    use std::time::Duration;

    use tracing::field::Empty;
    use tracing::{Instrument, Span};

    use crate::call::Call;
    use crate::error::{Error, IdempotencyError, TransportError};
    use crate::exchange::Exchange;
    use crate::response::{self, ApiResponse};

    fn millis(d: Duration) -> u64 {
        u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
    }

    #[derive(Clone)]
    pub(super) struct CallSpan(Span, Duration);

    impl CallSpan {
        /// The clock is read only for a span a subscriber wants.
        pub(super) fn new<T: serde::de::DeserializeOwned>(
            call: &Call<T>,
            now: &mut impl FnMut() -> Duration,
        ) -> Self {
            let path = || {
                let path = call.path_and_query();
                path.split_once('?').map_or(path, |(p, _)| p)
            };
            let span = tracing::info_span!(
                "molam.call",
                "http.request.method" = %call.method(),
                "url.path" = path(),
                "molam.idempotency_key" = call.idempotency_key().map(|k| k.as_str()),
                "molam.attempts" = Empty,
                "molam.source" = Empty,
                "http.response.status_code" = Empty,
                "molam.request_id" = Empty,
                "elapsed_ms" = Empty,
            );
            let started = if span.is_disabled() {
                Duration::ZERO
            } else {
                now()
            };
            CallSpan(span, started)
        }

        pub(super) fn enter(&self) -> tracing::span::Entered<'_> {
            self.0.enter()
        }

        pub(super) fn instrument<F: Future>(self, f: F) -> impl Future<Output = F::Output> {
            f.instrument(self.0)
        }

        pub(super) fn finish<T>(
            &self,
            result: &Result<ApiResponse<T>, Error>,
            now: &mut impl FnMut() -> Duration,
        ) {
            let span = &self.0;
            if span.is_disabled() {
                return;
            }
            match result {
                Ok(answer) => {
                    let meta = answer.meta();
                    span.record("http.response.status_code", meta.status);
                    span.record("molam.request_id", meta.request_id.as_deref());
                    span.record("molam.attempts", meta.attempts);
                    span.record("molam.source", format!("{:?}", meta.source));
                }
                Err(error) => {
                    span.record("http.response.status_code", error.status());
                    span.record("molam.request_id", error.request_id());
                }
            }
            span.record("elapsed_ms", millis(now().saturating_sub(self.1)));
        }
    }

    pub(super) struct Attempt(Span, Duration);

    impl Attempt {
        /// The clock is read only for a span a subscriber wants.
        pub(super) fn new(number: u32, now: &mut impl FnMut() -> Duration) -> Self {
            let span = tracing::debug_span!(
                "molam.attempt",
                "molam.attempt" = number,
                "http.response.status_code" = Empty,
                "molam.request_id" = Empty,
                "elapsed_ms" = Empty,
            );
            let started = if span.is_disabled() {
                Duration::ZERO
            } else {
                now()
            };
            Attempt(span, started)
        }

        pub(super) fn in_scope<R>(&self, f: impl FnOnce() -> R) -> R {
            self.0.in_scope(f)
        }

        pub(super) fn instrument<F: Future>(&self, f: F) -> impl Future<Output = F::Output> {
            f.instrument(self.0.clone())
        }

        pub(super) fn finish(
            &self,
            outcome: &Result<http::Response<Vec<u8>>, TransportError>,
            now: &mut impl FnMut() -> Duration,
        ) {
            if self.0.is_disabled() {
                return;
            }
            if let Ok(response) = outcome {
                self.0
                    .record("http.response.status_code", response.status().as_u16());
                self.0
                    .record("molam.request_id", response::request_id(response.headers()));
            }
            self.0
                .record("elapsed_ms", millis(now().saturating_sub(self.1)));
        }
    }

    pub(super) fn retrying(wait: Duration) {
        tracing::debug!(wait_ms = millis(wait), "retrying");
    }

    pub(super) fn settled<T>(
        (exchange, failure): (Exchange<T>, Option<IdempotencyError>),
    ) -> Exchange<T> {
        if let Some(error) = failure {
            tracing::warn!(%error, "idempotency store could not settle its claim");
        }
        exchange
    }
}

/// No spans without the `tracing` feature: each hook is free.
#[cfg(not(feature = "tracing"))]
mod trace {
    use std::future::Future;
    use std::time::Duration;

    use crate::call::Call;
    use crate::error::{Error, IdempotencyError, TransportError};
    use crate::exchange::Exchange;
    use crate::response::ApiResponse;

    #[derive(Clone)]
    pub(super) struct CallSpan;

    /// Stands for an entered span.
    pub(super) struct Entered;

    impl CallSpan {
        pub(super) fn new<T>(_call: &Call<T>, _now: &mut impl FnMut() -> Duration) -> Self {
            CallSpan
        }

        pub(super) fn enter(&self) -> Entered {
            Entered
        }

        pub(super) fn instrument<F: Future>(self, f: F) -> F {
            f
        }

        pub(super) fn finish<T>(
            &self,
            _result: &Result<ApiResponse<T>, Error>,
            _now: &mut impl FnMut() -> Duration,
        ) {
        }
    }

    pub(super) struct Attempt;

    impl Attempt {
        pub(super) fn new(_number: u32, _now: &mut impl FnMut() -> Duration) -> Self {
            Attempt
        }

        pub(super) fn in_scope<R>(&self, f: impl FnOnce() -> R) -> R {
            f()
        }

        pub(super) fn instrument<F: Future>(&self, f: F) -> F {
            f
        }

        pub(super) fn finish(
            &self,
            _outcome: &Result<http::Response<Vec<u8>>, TransportError>,
            _now: &mut impl FnMut() -> Duration,
        ) {
        }
    }

    pub(super) fn retrying(_wait: Duration) {}

    pub(super) fn settled<T>(
        (exchange, _failure): (Exchange<T>, Option<IdempotencyError>),
    ) -> Exchange<T> {
        exchange
    }
}
