//! The one driver every endpoint goes through: the core's [`Call`] polled, sent with ureq,
//! handled, slept on; wrapped in the idempotency store's claim when one is configured, and in
//! tracing spans. Decisions (retry, wait, what to store) are all the core's.

use std::time::Instant;

use molam_core::call::{Call, Step};
use molam_core::idempotency::{Claim, IdempotencyStore, LockToken};
use molam_core::idempotent_call::{self, ClaimPlan, Settle};
use molam_core::response::ApiResponse;
use molam_core::Error;
use serde::de::DeserializeOwned;
use tracing::field::Empty;

use crate::client::{unix_ms, Client};

/// A claim held in the store for the duration of one call.
struct Held<'a> {
    store: &'a dyn IdempotencyStore,
    plan: ClaimPlan,
    token: LockToken,
}

impl Held<'_> {
    /// Completes or releases the claim. A store failure here is logged, not returned: the
    /// call's answer stands, and the lease expiring lets a later call with the same key
    /// proceed (the API dedupes it), whereas an error would invite a retry under a new key.
    fn settle(&self, settle: Settle) {
        let (scope, key) = (self.plan.scope(), self.plan.key());
        let result = match settle {
            Settle::Hold => return,
            Settle::Complete(stored) => {
                self.store
                    .complete(scope, key, &self.token, &stored, unix_ms())
            }
            Settle::Release => self.store.release(scope, key, &self.token),
        };
        if let Err(error) = result {
            tracing::warn!(%error, "idempotency store could not settle its claim");
        }
    }
}

impl Client {
    /// Drives a call prepared by the core (any endpoint) to its result.
    ///
    /// ```no_run
    /// # let client = molam_blocking::Client::from_env()?;
    /// use molam_blocking::RequestOptions;
    /// let call = client.core().events().retrieve("evt_123", &RequestOptions::new())?;
    /// let event = client.execute(call)?;
    /// # Ok::<(), molam_blocking::Error>(())
    /// ```
    pub fn execute<T: DeserializeOwned>(&self, call: Call<T>) -> Result<ApiResponse<T>, Error> {
        let path = call.path_and_query();
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        let span = tracing::info_span!(
            "molam.call",
            "http.request.method" = %call.method(),
            "url.path" = path,
            "molam.idempotency_key" = call.idempotency_key().map(|k| k.as_str()),
            "molam.attempts" = Empty,
            "http.response.status_code" = Empty,
            "molam.request_id" = Empty,
            "elapsed_ms" = Empty,
        );
        let _entered = span.enter();
        let started = Instant::now();
        let result = self.run(call);
        let (status, request_id, attempts) = match &result {
            Ok(answer) => (
                Some(answer.meta().status),
                answer.request_id(),
                Some(answer.meta().attempts),
            ),
            Err(error) => (error.status(), error.request_id(), None),
        };
        span.record("http.response.status_code", status);
        span.record("molam.request_id", request_id);
        span.record("molam.attempts", attempts);
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        result
    }

    fn run<T: DeserializeOwned>(&self, mut call: Call<T>) -> Result<ApiResponse<T>, Error> {
        let inner = &*self.inner;
        let held = match inner.store.as_deref() {
            Some(store) => match ClaimPlan::for_call(&call, &inner.scope, self.config()) {
                Some(plan) => {
                    let token = LockToken::random(&inner.random);
                    match store.claim(&plan.claim_request(unix_ms(), token))? {
                        Claim::Replay(stored) => {
                            tracing::debug!("answered from the idempotency store");
                            return idempotent_call::replay(call, &stored, self.now());
                        }
                        Claim::Proceed { token } => Some(Held { store, plan, token }),
                    }
                }
                None => None,
            },
            None => None,
        };
        loop {
            let request = match call.poll_request(self.now()) {
                Ok(request) => request,
                Err(error) => {
                    if let Some(held) = &held {
                        held.settle(Settle::Release);
                    }
                    return Err(error);
                }
            };
            let attempt = tracing::debug_span!(
                "molam.attempt",
                "molam.attempt" = call.attempts(),
                "http.response.status_code" = Empty,
                "molam.request_id" = Empty,
                "elapsed_ms" = Empty,
            );
            let sent = Instant::now();
            let outcome =
                attempt.in_scope(|| inner.transport.send(request, call.attempt_timeout()));
            if let (Ok(response), false) = (&outcome, attempt.is_disabled()) {
                attempt.record("http.response.status_code", response.status().as_u16());
                attempt.record(
                    "molam.request_id",
                    molam_core::response::request_id(response.headers()),
                );
            }
            attempt.record("elapsed_ms", sent.elapsed().as_millis() as u64);
            let kept = held.as_ref().and_then(|_| idempotent_call::keep(&outcome));
            let step = call.handle(outcome, self.now());
            if let Some(held) = &held {
                held.settle(idempotent_call::settle(kept, &step));
            }
            match step {
                Step::Done(result) => return result,
                Step::Retry { call: next, wait } => {
                    tracing::debug!(wait_ms = wait.as_millis() as u64, "retrying");
                    std::thread::sleep(wait);
                    call = next;
                }
            }
        }
    }
}
