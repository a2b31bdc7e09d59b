//! One whole logical API call as a state machine: the one place that says how a call behaves.
//!
//! An [`Exchange`] owns a prepared [`Call`] and everything around its attempts: claiming the
//! idempotency key in a durable store, sending, waiting between attempts, storing the final
//! answer or releasing the claim, and naming an outcome that is unknown. The shell (or
//! [`crate::drive`], for any HTTP client) only does what [`Exchange::poll`] asks and hands
//! back what happened; it decides nothing.
//!
//! ```text
//!                         Exchange::new(call, scope)
//!                                  │
//!              scope and a key? ───┼─── no (a GET, or no store) ───────────────┐
//!                                  ▼ yes                                       │
//!                      Action::Claim ── store.claim ──▶ handle_claim           │
//!                          │             │             │                       │
//!        Replay(stored) ◀──┘  InProgress / Mismatch /  │ Proceed (claim held)  │
//!        answer, no I/O,      store failure: error,    ▼                       ▼
//!        breaker and budget   nothing sent      ┌──────────────────────────────────┐
//!        untouched                              │ Action::Send ── transport ──▶    │
//!              │                                │   handle_response(outcome, now)  │◀─┐
//!              │                                └──────────────────────────────────┘  │
//!              │              retry (policy, breaker, budget, deadline): Sleep(wait) ─┘
//!              │                                      │ finished
//!              │                          claim held? ├── no ──────────────────┐
//!              │                                      ▼ yes                    │
//!              │     Action::Store: complete (a final answer) / release (none) │
//!              │                       └── handle_stored ──┐                   │
//!              ▼                                           ▼                   ▼
//!         Action::Done(result)  ◀──────────────────────────┴───────────────────┘
//! ```
//!
//! Rules, each written once, here or in what this drives:
//! - **Attempts** are decided by [`Call`]: retry policy, `Retry-After`, `Molam-Should-Retry`,
//!   the deadline, and the client-wide retry budget and circuit breaker ([`crate::retry`]).
//!   Every attempt carries the same `Idempotency-Key` and the next `Molam-Attempt`.
//! - **Replays are answers, not attempts.** An answer from the durable store is decoded
//!   directly: it never touches the breaker or the budget, and its [`ResponseMeta`] says
//!   `source: Store`, `attempts: 0` (this call sent nothing) and `idempotent_replayed: true`.
//!   A network answer counts attempts from 1, and says `ServerReplay` when Molam replayed it.
//! - **Unknown outcomes are named.** When a call with an idempotency key gives up after a
//!   request may have reached Molam (a failure after sending, a timeout, a 408, 409 or 5xx),
//!   the error is [`Error::OutcomeUnknown`] with the key: retrying with that key finishes the
//!   call exactly once.
//! - **The claim** is held while the call retries, completed with a final answer
//!   ([`should_store`]), and released otherwise (a transport failure, a 5xx, gave up, breaker
//!   open), so that a later call with the same key may send. A store failure while settling
//!   does not change the call's result: the lease expires and the API dedupes the key.
//!
//! Illegal orders cannot be written: every action that waits for an answer owns the
//! exchange, and only that answer's `handle_*` gives it back, once.
//!
//! ```compile_fail
//! # use molam_core::exchange::{Action, Exchange};
//! # fn f(exchange: Exchange<serde_json::Value>, now: std::time::Duration) {
//! if let Action::Send { next, .. } = exchange.poll(now) {
//!     let first = next.handle_response(Err(molam_core::TransportError::timeout("t")), now);
//!     let again = next.handle_response(Err(molam_core::TransportError::timeout("t")), now);
//! }
//! # }
//! ```
//!
//! ```compile_fail
//! # use molam_core::exchange::{Action, Exchange};
//! # fn f(exchange: Exchange<serde_json::Value>, now: std::time::Duration) {
//! if let Action::Claim(claim) = exchange.poll(now) {
//!     // A claim's answer is not a response: there is no such input.
//!     claim.handle_response(Err(molam_core::TransportError::timeout("t")), now);
//! }
//! # }
//! ```
//!
//! No I/O, no clock, no randomness but the client's [`RandomSource`](crate::random::RandomSource).

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::call::{Call, Step};
use crate::error::{Error, IdempotencyError, TransportError, TransportErrorKind};
use crate::idempotency::{
    should_store, AsyncIdempotencyStore, Claim, ClaimRequest, Fingerprint, IdempotencyKey,
    IdempotencyStore, LockToken, StoreFuture, StoredResponse,
};
use crate::response::{self, AnswerSource, ApiResponse};

/// Slack on top of a call's longest run before its lease may be taken over.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// One logical call and everything around its attempts. See the [module docs](self).
#[derive(Debug)]
#[must_use = "an Exchange does nothing until it is polled and driven"]
pub struct Exchange<T> {
    state: State<T>,
}

// The large parts (the claim's plan, a claim's settlement) are boxed: an exchange moves at
// every step, and a pointer moves cheaply.
#[derive(Debug)]
enum State<T> {
    Claim(Call<T>, Box<ClaimPlan>),
    Attempt(Attempting<T>),
    Wait(Attempting<T>, Duration),
    Store(AwaitStore<T>),
    Done(Result<ApiResponse<T>, Error>),
}

#[derive(Debug)]
struct Attempting<T> {
    call: Call<T>,
    held: Option<Held>,
    /// A request of this call may have reached the server without a final answer.
    reached: bool,
}

#[derive(Debug)]
struct Held {
    plan: Box<ClaimPlan>,
    token: LockToken,
}

/// What the store is asked to do with a held claim once the call is finished.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Settle {
    Complete(StoredResponse),
    Release,
}

/// What one call claims in the store: its key and the fingerprint of what it sends.
#[derive(Debug, Clone)]
struct ClaimPlan {
    scope: String,
    key: IdempotencyKey,
    method: String,
    path: String,
    fingerprint: Fingerprint,
    lease: Duration,
}

/// What the shell must do next. Every variant that waits for an answer owns the exchange and
/// gives it back through that answer's `handle_*`.
// `Send` carries the request, so it is the large one; the request goes to the transport
// as it is, and boxing it would only allocate. The drivers take an action apart in one
// statement, so it is never part of a future's state.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[must_use = "the shell must carry out every action"]
pub enum Action<T> {
    /// Claim the idempotency key in the durable store, then [`AwaitClaim::handle_claim`].
    Claim(AwaitClaim<T>),
    /// Send `request` with a per-attempt `timeout`, then [`AwaitResponse::handle_response`].
    Send {
        /// The request to send, every header set.
        request: http::Request<Vec<u8>>,
        /// The per-attempt timeout to enforce.
        timeout: Duration,
        /// Where the outcome goes.
        next: AwaitResponse<T>,
    },
    /// Sleep `wait`, then poll `next`.
    Sleep {
        /// How long to sleep.
        wait: Duration,
        /// The exchange to poll after the sleep.
        next: Exchange<T>,
    },
    /// Complete or release the held claim in the store, then [`AwaitStore::handle_stored`].
    Store(AwaitStore<T>),
    /// Finished: the caller's answer or error.
    Done(Result<ApiResponse<T>, Error>),
}

/// An exchange waiting for the store's answer to its claim.
#[derive(Debug)]
#[must_use = "the claim must be made and its answer handled"]
pub struct AwaitClaim<T> {
    call: Call<T>,
    plan: Box<ClaimPlan>,
    token: LockToken,
}

/// An exchange waiting for the outcome of the request it handed out.
#[derive(Debug)]
#[must_use = "the request's outcome must be handled"]
pub struct AwaitResponse<T> {
    attempt: Attempting<T>,
}

/// An exchange waiting for the store to complete or release its claim.
#[derive(Debug)]
#[must_use = "the claim must be settled and the result handled"]
pub struct AwaitStore<T> {
    settling: Box<Settling<T>>,
}

#[derive(Debug)]
struct Settling<T> {
    held: Held,
    settle: Settle,
    result: Result<ApiResponse<T>, Error>,
}

impl<T: DeserializeOwned> Exchange<T> {
    /// The exchange of `call`. With a `scope` (the key space in a durable store; pass it only
    /// when the shell has a store) a call with an idempotency key claims it first; without,
    /// or for a call without a key (a GET: safe to repeat), it goes straight to sending. A
    /// call that cannot be sent at all (its URL or an option is invalid) claims nothing: it
    /// ends with its error at the first poll.
    pub fn new(call: Call<T>, scope: Option<&str>) -> Self {
        let scope = scope.filter(|_| call.parts.uri.is_ok());
        let state = match scope.and_then(|scope| ClaimPlan::for_call(&call, scope)) {
            Some(plan) => State::Claim(call, plan),
            None => State::Attempt(Attempting {
                call,
                held: None,
                reached: false,
            }),
        };
        Exchange { state }
    }

    /// What to do next, at `now` on the shell's monotonic clock (any fixed origin).
    pub fn poll(self, now: Duration) -> Action<T> {
        match self.state {
            State::Claim(call, plan) => {
                let token = LockToken::random(&*call.parts.random);
                Action::Claim(AwaitClaim { call, plan, token })
            }
            State::Wait(attempt, until) if now < until => Action::Sleep {
                wait: until - now,
                next: Exchange {
                    state: State::Wait(attempt, until),
                },
            },
            State::Attempt(attempt) | State::Wait(attempt, _) => attempt.send(now),
            State::Store(store) => Action::Store(store),
            State::Done(result) => Action::Done(result),
        }
    }
}

impl<T: DeserializeOwned> Attempting<T> {
    fn send(mut self, now: Duration) -> Action<T> {
        match self.call.poll_request(now) {
            Ok(request) => Action::Send {
                request,
                timeout: self.call.attempt_timeout(),
                next: AwaitResponse { attempt: self },
            },
            Err(error) => {
                let error = name_unknown(error, self.reached, self.call.idempotency_key());
                let result: Result<ApiResponse<T>, Error> = Err(error);
                self.call.record_finish(&result, now);
                finish(self.held, None, result).poll(now)
            }
        }
    }
}

impl<T: DeserializeOwned> AwaitClaim<T> {
    /// The claim to hand the store at `now_ms` (wall clock, unix milliseconds).
    pub fn request(&self, now_ms: i64) -> ClaimRequest<'_> {
        self.plan.request(now_ms, self.token)
    }

    /// The lock token this claim carries.
    pub fn token(&self) -> LockToken {
        self.token
    }

    /// Takes the store's answer. `Proceed`: the key is held, the call sends. `Replay`: the
    /// stored answer is the result, without any request and without touching the breaker
    /// or the budget. An error (in progress elsewhere, another request's key, a failed
    /// store) ends the call with nothing sent.
    pub fn handle_claim(self, answer: Result<Claim, IdempotencyError>) -> Exchange<T> {
        let state = match answer {
            Ok(Claim::Proceed { token }) => State::Attempt(Attempting {
                call: self.call,
                held: Some(Held {
                    plan: self.plan,
                    token,
                }),
                reached: false,
            }),
            Ok(Claim::Replay(stored)) => {
                let result = replay(&stored, self.plan.key.as_str());
                self.call.record_finish(&result, Duration::ZERO);
                State::Done(result)
            }
            Err(error) => State::Done(Err(Error::Idempotency(error))),
        };
        Exchange { state }
    }
}

impl<T: DeserializeOwned> AwaitResponse<T> {
    /// The attempt number of the request handed out (1 = first).
    pub fn attempt(&self) -> u32 {
        self.attempt.call.attempts()
    }

    /// Takes the request's outcome, received at `now`, and decides what follows: a retry
    /// after a wait, or the end of the call (settling its claim first, if one is held).
    pub fn handle_response(
        self,
        outcome: Result<http::Response<Vec<u8>>, TransportError>,
        now: Duration,
    ) -> Exchange<T> {
        let Attempting {
            call,
            held,
            reached,
        } = self.attempt;
        let reached = reached || may_have_reached(&outcome);
        // Taken before the call consumes the outcome: only answers worth storing are copied.
        let kept = match (&held, &outcome) {
            (Some(_), Ok(response)) if should_store(response.status().as_u16()) => {
                Some(StoredResponse::from_http(response))
            }
            _ => None,
        };
        let key = reached.then(|| call.idempotency_key().cloned()).flatten();
        let endpoint = crate::metrics::ENABLED.then(|| call.endpoint());
        let started = call.started();
        match call.handle(outcome, now) {
            Step::Retry { call, wait } => Exchange {
                state: State::Wait(
                    Attempting {
                        call,
                        held,
                        reached,
                    },
                    now.saturating_add(wait),
                ),
            },
            Step::Done(result) => {
                let result = result.map_err(|e| name_unknown(e, reached, key.as_ref()));
                if let Some(endpoint) = endpoint {
                    crate::metrics::record_call(
                        endpoint,
                        crate::metrics::call_outcome(&result),
                        now.saturating_sub(started.unwrap_or(now)),
                    );
                }
                finish(held, kept, result)
            }
        }
    }
}

impl<T> AwaitStore<T> {
    /// The key space of the held claim.
    pub fn scope(&self) -> &str {
        &self.settling.held.plan.scope
    }

    /// The idempotency key of the held claim.
    pub fn key(&self) -> &IdempotencyKey {
        &self.settling.held.plan.key
    }

    /// The token the claim is held with.
    pub fn token(&self) -> &LockToken {
        &self.settling.held.token
    }

    /// The final answer to store, or `None` when the claim is to be released.
    pub fn completion(&self) -> Option<&StoredResponse> {
        match &self.settling.settle {
            Settle::Complete(stored) => Some(stored),
            Settle::Release => None,
        }
    }

    /// Settles the claim in a blocking store at `now_ms` (wall clock, unix milliseconds).
    pub fn apply(&self, store: &dyn IdempotencyStore, now_ms: i64) -> Result<(), IdempotencyError> {
        match self.completion() {
            Some(stored) => store.complete(self.scope(), self.key(), self.token(), stored, now_ms),
            None => store.release(self.scope(), self.key(), self.token()),
        }
    }

    /// Settles the claim in an async store at `now_ms`.
    pub fn apply_async<'a>(
        &'a self,
        store: &'a dyn AsyncIdempotencyStore,
        now_ms: i64,
    ) -> StoreFuture<'a, ()> {
        match self.completion() {
            Some(stored) => store.complete(self.scope(), self.key(), self.token(), stored, now_ms),
            None => store.release(self.scope(), self.key(), self.token()),
        }
    }

    /// Takes the store's answer. The call's result stands either way: a store that failed
    /// to settle leaves a lease that expires, and a later call with the key proceeds (the
    /// API dedupes it), whereas an error here would invite a retry under a new key. The
    /// store's failure is handed back for the shell to log.
    pub fn handle_stored(
        self,
        settled: Result<(), IdempotencyError>,
    ) -> (Exchange<T>, Option<IdempotencyError>) {
        let Settling { result, .. } = *self.settling;
        let exchange = Exchange {
            state: State::Done(result),
        };
        (exchange, settled.err())
    }
}

/// The state after the last attempt: settle a held claim, or done.
fn finish<T>(
    held: Option<Held>,
    kept: Option<StoredResponse>,
    result: Result<ApiResponse<T>, Error>,
) -> Exchange<T> {
    let state = match held {
        Some(held) => {
            let settle = kept.map_or(Settle::Release, Settle::Complete);
            State::Store(AwaitStore {
                settling: Box::new(Settling {
                    held,
                    settle,
                    result,
                }),
            })
        }
        None => State::Done(result),
    };
    Exchange { state }
}

/// May this outcome mean the request reached the server without a final answer?
fn may_have_reached(outcome: &Result<http::Response<Vec<u8>>, TransportError>) -> bool {
    match outcome {
        Err(error) => error.kind != TransportErrorKind::Connect,
        Ok(response) => matches!(response.status().as_u16(), 408 | 409 | 500..=599),
    }
}

/// A call that stopped without a final answer after a request may have reached the server
/// has an unknown outcome; it names the key to finish it with.
fn name_unknown(error: Error, reached: bool, key: Option<&IdempotencyKey>) -> Error {
    let Some(key) = key.filter(|_| reached) else {
        return error;
    };
    let unknown = match &error {
        Error::RetriesExhausted { .. } | Error::CircuitOpen { .. } | Error::Transport(_) => true,
        Error::Api(api) => api.status >= 500 || api.status == 408,
        _ => false,
    };
    if !unknown {
        return error;
    }
    Error::OutcomeUnknown {
        idempotency_key: key.as_str().to_owned(),
        last: Box::new(error),
    }
}

/// The stored answer of an earlier call with the same key, decoded without any network I/O
/// and without touching the breaker or the budget. A stored answer is final by
/// construction ([`should_store`]); one that is not means a corrupt store.
fn replay<T: DeserializeOwned>(
    stored: &StoredResponse,
    key: &str,
) -> Result<ApiResponse<T>, Error> {
    if !should_store(stored.status) {
        return Err(Error::Idempotency(IdempotencyError::Store(format!(
            "stored answer with status {} is not final",
            stored.status
        ))));
    }
    let response = stored.to_http();
    if !response.status().is_success() {
        return Err(response::api_error(&response).into());
    }
    let mut meta = response::meta(&response, 0, Some(key));
    meta.source = AnswerSource::Store;
    meta.idempotent_replayed = true;
    let value = response::decode(&response)?;
    Ok(ApiResponse::new(value, meta))
}

impl ClaimPlan {
    /// The claim for `call` in key space `scope`, or `None` for a call without an
    /// idempotency key. The lease outlives the longest run the call may have: the deadline
    /// plus one attempt plus a margin. Out of line: only a client with a store claims.
    #[inline(never)]
    fn for_call<T: DeserializeOwned>(call: &Call<T>, scope: &str) -> Option<Box<ClaimPlan>> {
        let key = call.idempotency_key()?.clone();
        let method = call.method().as_str().to_owned();
        let path = call.path_and_query().to_owned();
        let fingerprint = Fingerprint::of(&method, &path, call.body());
        let lease = call
            .parts
            .policy
            .deadline
            .saturating_add(call.attempt_timeout())
            .saturating_add(LEASE_MARGIN);
        Some(Box::new(ClaimPlan {
            scope: format!("{scope}{}", call.parts.key_space),
            key,
            method,
            path,
            fingerprint,
            lease,
        }))
    }

    fn request(&self, now_ms: i64, token: LockToken) -> ClaimRequest<'_> {
        ClaimRequest {
            scope: &self.scope,
            key: &self.key,
            method: &self.method,
            path: &self.path,
            fingerprint: &self.fingerprint,
            lease: self.lease,
            now_ms,
            token,
        }
    }
}

#[cfg(test)]
mod tests;
