//! A [`Call`] wrapped in a durable idempotency store's claim: what to claim before the first
//! attempt, and what to do with the claim once an attempt has an outcome. The shells do the
//! store's I/O; every decision is here, once.
//!
//! ```text
//!   ClaimPlan::for_call ── None (a GET: no key) ──▶ drive the call as usual
//!        │ Some(plan)
//!        ▼
//!   store.claim(plan.claim_request(now_ms, token))
//!        ├─ Replay(stored) ──▶ replay(call, stored, now): the stored answer, no network
//!        ├─ Err(InProgress / FingerprintMismatch / Store) ──▶ Error::Idempotency, nothing sent
//!        └─ Proceed ──▶ for each attempt: kept = keep(&outcome); step = call.handle(outcome)
//!                        settle(kept, &step):  Hold     → still retrying, keep the claim
//!                                              Complete → store.complete(stored answer)
//!                                              Release  → store.release (no final answer)
//!   A call that fails before sending (circuit open) releases its claim too.
//! ```
//!
//! No I/O here.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::call::{Call, Step};
use crate::config::Config;
use crate::error::{Error, IdempotencyError, TransportError};
use crate::idempotency::{
    should_store, ClaimRequest, Fingerprint, IdempotencyKey, LockToken, StoredResponse,
};
use crate::response::ApiResponse;

/// Slack on top of a call's longest run before its lease may be taken over.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// What one call claims in the store: its key and the fingerprint of what it sends.
///
/// ```
/// use std::{sync::Arc, time::Duration};
/// use molam_core::{call::{PreparedRequest, RequestOptions}, client::Client, config::Config};
/// use molam_core::{idempotent_call::ClaimPlan, idempotency::LockToken, random::SeededRandom};
///
/// let config = Config::builder().api_key("sk_test_0123456789abcdef").build().unwrap();
/// let client = Client::new(config, "doc", Arc::new(SeededRandom::new(1)));
/// let options = RequestOptions::new().idempotency_key("order-7:create-intent").unwrap();
/// let post = PreparedRequest {
///     method: http::Method::POST,
///     path_and_query: "/v1/connect/payment_intents".into(),
///     body: Some(br#"{"amount":2500}"#.to_vec()),
/// };
/// let call = client.prepare::<serde_json::Value>(post, &options);
/// let plan = ClaimPlan::for_call(&call, "acct_1", client.config()).unwrap();
/// let claim = plan.claim_request(1_700_000_000_000, LockToken(9));
/// assert_eq!(claim.key.as_str(), "order-7:create-intent");
/// assert_eq!(claim.lease, Duration::from_secs(80 + 30 + 30));
/// ```
#[derive(Debug, Clone)]
pub struct ClaimPlan {
    scope: String,
    key: IdempotencyKey,
    method: String,
    path: String,
    fingerprint: Fingerprint,
    lease: Duration,
}

impl ClaimPlan {
    /// The claim for `call` in key space `scope`, or `None` for a call without an
    /// idempotency key (a GET: safe to repeat, nothing to claim). The lease outlives the
    /// longest run the call may have: the deadline plus one attempt plus a margin.
    pub fn for_call<T: DeserializeOwned>(
        call: &Call<T>,
        scope: &str,
        config: &Config,
    ) -> Option<ClaimPlan> {
        let key = call.idempotency_key()?.clone();
        let method = call.method().as_str().to_owned();
        let path = call.path_and_query().to_owned();
        let fingerprint = Fingerprint::of(&method, &path, call.body());
        let lease = config
            .retry_policy()
            .deadline
            .saturating_add(call.attempt_timeout())
            .saturating_add(LEASE_MARGIN);
        Some(ClaimPlan {
            scope: scope.to_owned(),
            key,
            method,
            path,
            fingerprint,
            lease,
        })
    }

    /// The claim to hand the store at `now_ms` (wall clock, unix milliseconds) with a fresh
    /// random `token`.
    pub fn claim_request(&self, now_ms: i64, token: LockToken) -> ClaimRequest<'_> {
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

    /// The key space.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The idempotency key claimed.
    pub fn key(&self) -> &IdempotencyKey {
        &self.key
    }
}

/// What to do with a held claim after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settle {
    /// The call goes on retrying under the same key: keep the claim.
    Hold,
    /// The call ended with this final answer: store it for replay.
    Complete(StoredResponse),
    /// The call ended without a final answer (transport failure, 5xx, 429, gave up, breaker
    /// open): release the claim so a later call with the same key may send again.
    Release,
}

/// The copy of an attempt's outcome worth storing, taken before the outcome is handed to
/// [`Call::handle`]: only responses [`should_store`] accepts (so a 503 body is never cloned).
pub fn keep(outcome: &Result<http::Response<Vec<u8>>, TransportError>) -> Option<StoredResponse> {
    match outcome {
        Ok(response) if should_store(response.status().as_u16()) => {
            Some(StoredResponse::from_http(response))
        }
        _ => None,
    }
}

/// The rule: hold while the call retries; once it is done, complete with a final answer,
/// release otherwise.
pub fn settle<T>(kept: Option<StoredResponse>, step: &Step<T>) -> Settle {
    match (step, kept) {
        (Step::Retry { .. }, _) => Settle::Hold,
        (Step::Done(_), Some(stored)) => Settle::Complete(stored),
        (Step::Done(_), None) => Settle::Release,
    }
}

/// Answers `call` with the stored response of an earlier call with the same key and request,
/// without any network I/O. A stored answer is final by construction ([`should_store`]); one
/// that would still ask for a retry means a corrupt store, reported as a store failure.
pub fn replay<T: DeserializeOwned>(
    call: Call<T>,
    stored: &StoredResponse,
    now: Duration,
) -> Result<ApiResponse<T>, Error> {
    match call.handle(Ok(stored.to_http()), now) {
        Step::Done(result) => result,
        Step::Retry { .. } => Err(Error::Idempotency(IdempotencyError::Store(format!(
            "stored answer with status {} is not final",
            stored.status
        )))),
    }
}

#[cfg(test)]
mod tests;
