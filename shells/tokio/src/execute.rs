//! The one driver every endpoint goes through: the core's [`Call`] polled, sent with hyper
//! under `tokio::time::timeout`, handled, slept on with `tokio::time::sleep`; wrapped in the
//! idempotency store's claim when one is configured, and in tracing spans. Decisions (retry,
//! wait, what to store) are all the core's.

use std::time::Instant;

use molam_core::call::{Call, Step};
use molam_core::idempotency::{AsyncIdempotencyStore, Claim, LockToken};
use molam_core::idempotent_call::{self, ClaimPlan, Settle};
use molam_core::response::ApiResponse;
use molam_core::Error;
use serde::de::DeserializeOwned;
use tracing::field::Empty;
use tracing::Instrument;

use crate::client::{unix_ms, Client};

/// A claim held in the store for the duration of one call. If the call's future is dropped
/// mid-flight the claim is neither completed nor released: its lease expires, and a later
/// call with the same key proceeds (the API dedupes the key).
struct Held<'a> {
    store: &'a dyn AsyncIdempotencyStore,
    plan: ClaimPlan,
    token: LockToken,
}

impl Held<'_> {
    /// Completes or releases the claim. A store failure here is logged, not returned: the
    /// call's answer stands (an error would invite a retry under a new key).
    async fn settle(&self, settle: Settle) {
        let (scope, key) = (self.plan.scope(), self.plan.key());
        let result = match settle {
            Settle::Hold => return,
            Settle::Complete(stored) => {
                self.store
                    .complete(scope, key, &self.token, &stored, unix_ms())
                    .await
            }
            Settle::Release => self.store.release(scope, key, &self.token).await,
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
    /// # async fn run(client: molam_tokio::Client) -> Result<(), molam_tokio::Error> {
    /// use molam_tokio::RequestOptions;
    /// let call = client.core().events().retrieve("evt_123", &RequestOptions::new())?;
    /// let event = client.execute(call).await?;
    /// # Ok(()) }
    /// ```
    pub async fn execute<T: DeserializeOwned>(
        &self,
        call: Call<T>,
    ) -> Result<ApiResponse<T>, Error> {
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
        let started = Instant::now();
        let result = self.run(call).instrument(span.clone()).await;
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

    /// [`Client::execute`] of a call the core may have refused to build; the future borrows
    /// only the client.
    pub(crate) async fn execute_prepared<T: DeserializeOwned>(
        &self,
        call: Result<Call<T>, Error>,
    ) -> Result<ApiResponse<T>, Error> {
        self.execute(call?).await
    }

    async fn run<T: DeserializeOwned>(&self, mut call: Call<T>) -> Result<ApiResponse<T>, Error> {
        let inner = &*self.inner;
        let mut held = None;
        if let Some(store) = inner.store.as_deref() {
            if let Some(plan) = ClaimPlan::for_call(&call, &inner.scope, self.config()) {
                let token = LockToken::random(&inner.random);
                let claim = store.claim(&plan.claim_request(unix_ms(), token)).await?;
                match claim {
                    Claim::Replay(stored) => {
                        tracing::debug!("answered from the idempotency store");
                        return idempotent_call::replay(call, &stored, self.now());
                    }
                    Claim::Proceed { token } => held = Some(Held { store, plan, token }),
                }
            }
        }
        loop {
            let request = match call.poll_request(self.now()) {
                Ok(request) => request,
                Err(error) => {
                    if let Some(held) = &held {
                        held.settle(Settle::Release).await;
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
            let outcome = inner
                .transport
                .send(request, call.attempt_timeout())
                .instrument(attempt.clone())
                .await;
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
                held.settle(idempotent_call::settle(kept, &step)).await;
            }
            match step {
                Step::Done(result) => return result,
                Step::Retry { call: next, wait } => {
                    tracing::debug!(wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await;
                    call = next;
                }
            }
        }
    }
}
