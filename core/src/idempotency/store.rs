//! The idempotency store contract, sync and async, and the in-memory store.
//!
//! A store records, per `(scope, key)`, the request a key was claimed for and, once known, its
//! final answer. Every store applies [`decide`] to a claim; the stores differ only in where the
//! records live. The scope separates key spaces (one per Molam account or tenant, say) so two
//! tenants' identical keys never meet.
//!
//! Contract for every implementation (PostgreSQL's included):
//! - `claim` is atomic per `(scope, key)`: of concurrent claims on a free key exactly one gets
//!   [`Claim::Proceed`]; the record then holds the caller's [`LockToken`] and a lease until
//!   `now_ms + lease`.
//! - `complete` stores the response only if [`should_store`] says so, and otherwise releases
//!   the claim; `release` deletes an in-progress record. Both act only while the record is in
//!   progress under the caller's token, and are otherwise no-ops returning `Ok(())`: the lease
//!   was taken over after it expired, and the new holder sends the same key, which the API
//!   dedupes. Failing there instead would turn a call that succeeded into an error, and invite
//!   the caller to retry under a new key — the one way to charge twice.
//! - A record is forgotten [`RECORD_TTL`] after its claim or completion, as the API forgets keys.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::{
    decide, should_store, Decision, Fingerprint, IdempotencyKey, IdempotencyRecord, RecordState,
    StoredResponse, RECORD_TTL,
};
use crate::error::IdempotencyError;
use crate::random::RandomSource;

/// The future an [`AsyncIdempotencyStore`] method returns.
pub type StoreFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, IdempotencyError>> + Send + 'a>>;

/// Proof of holding a claim: a random number the caller draws for each claim and hands back to
/// `complete` or `release`. A process whose lease expired and was taken over holds a stale
/// token, so it cannot complete or release the new holder's claim.
///
/// ```
/// use molam_core::idempotency::LockToken;
/// use molam_core::random::SeededRandom;
/// let token = LockToken::random(&SeededRandom::new(7));
/// assert_eq!(LockToken::from_i64(token.to_i64()), token);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LockToken(pub u64);

impl LockToken {
    /// A fresh token from the shell's randomness.
    pub fn random(source: &(impl RandomSource + ?Sized)) -> Self {
        LockToken(source.next_u64())
    }

    /// The same 64 bits as an `i64`, for a `BIGINT` column.
    pub fn to_i64(self) -> i64 {
        i64::from_be_bytes(self.0.to_be_bytes())
    }

    /// The token stored by [`LockToken::to_i64`].
    pub fn from_i64(value: i64) -> Self {
        LockToken(u64::from_be_bytes(value.to_be_bytes()))
    }
}

/// A claim on an idempotency key, made before sending a request.
#[derive(Debug, Clone)]
pub struct ClaimRequest<'a> {
    /// The key space (an account or tenant id); keys of different scopes never collide.
    pub scope: &'a str,
    /// The idempotency key the request is sent with.
    pub key: &'a IdempotencyKey,
    /// HTTP method, for the record (the fingerprint already covers it).
    pub method: &'a str,
    /// Request path, for the record (the fingerprint already covers it).
    pub path: &'a str,
    /// [`Fingerprint::of`] the method, path and body.
    pub fingerprint: &'a Fingerprint,
    /// How long the claim holds if its holder never completes nor releases it (a crash).
    /// Longer than a whole call with its retries (DESIGN.md: 80 s deadline).
    pub lease: Duration,
    /// Now, on the shell's wall clock, in unix milliseconds.
    pub now_ms: i64,
    /// A fresh random token from the shell ([`LockToken::random`]).
    pub token: LockToken,
}

/// The answer to a successful claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The caller holds the key: send the request, then `complete` or `release` with `token`.
    Proceed {
        /// The token now on the record (the one from the request).
        token: LockToken,
    },
    /// The key already has a final answer: return it and send nothing.
    Replay(StoredResponse),
}

/// A durable idempotency store used by the blocking client. See the [module docs](self) for
/// the contract. A key in progress elsewhere is `Err(IdempotencyError::InProgress)`; a key
/// claimed for another request is `Err(IdempotencyError::FingerprintMismatch)`.
pub trait IdempotencyStore: Send + Sync {
    /// Claims `request.key` in `request.scope`.
    fn claim(&self, request: &ClaimRequest<'_>) -> Result<Claim, IdempotencyError>;

    /// Records the final answer of the claim held with `token` (or releases the claim if
    /// `response` is not worth storing, per [`should_store`]).
    fn complete(
        &self,
        scope: &str,
        key: &IdempotencyKey,
        token: &LockToken,
        response: &StoredResponse,
        now_ms: i64,
    ) -> Result<(), IdempotencyError>;

    /// Gives up the claim held with `token` (no final answer: a transport failure, a 5xx), so
    /// that a later call with the same key may proceed at once.
    fn release(
        &self,
        scope: &str,
        key: &IdempotencyKey,
        token: &LockToken,
    ) -> Result<(), IdempotencyError>;
}

/// The async twin of [`IdempotencyStore`], used by the tokio client. Same contract.
pub trait AsyncIdempotencyStore: Send + Sync {
    /// Claims `request.key` in `request.scope`.
    fn claim<'a>(&'a self, request: &'a ClaimRequest<'_>) -> StoreFuture<'a, Claim>;

    /// Records the final answer of the claim held with `token`, or releases it.
    fn complete<'a>(
        &'a self,
        scope: &'a str,
        key: &'a IdempotencyKey,
        token: &'a LockToken,
        response: &'a StoredResponse,
        now_ms: i64,
    ) -> StoreFuture<'a, ()>;

    /// Gives up the claim held with `token`.
    fn release<'a>(
        &'a self,
        scope: &'a str,
        key: &'a IdempotencyKey,
        token: &'a LockToken,
    ) -> StoreFuture<'a, ()>;
}

impl<T: IdempotencyStore + ?Sized> IdempotencyStore for Arc<T> {
    fn claim(&self, request: &ClaimRequest<'_>) -> Result<Claim, IdempotencyError> {
        (**self).claim(request)
    }

    fn complete(
        &self,
        scope: &str,
        key: &IdempotencyKey,
        token: &LockToken,
        response: &StoredResponse,
        now_ms: i64,
    ) -> Result<(), IdempotencyError> {
        (**self).complete(scope, key, token, response, now_ms)
    }

    fn release(
        &self,
        scope: &str,
        key: &IdempotencyKey,
        token: &LockToken,
    ) -> Result<(), IdempotencyError> {
        (**self).release(scope, key, token)
    }
}

impl<T: AsyncIdempotencyStore + ?Sized> AsyncIdempotencyStore for Arc<T> {
    fn claim<'a>(&'a self, request: &'a ClaimRequest<'_>) -> StoreFuture<'a, Claim> {
        (**self).claim(request)
    }

    fn complete<'a>(
        &'a self,
        scope: &'a str,
        key: &'a IdempotencyKey,
        token: &'a LockToken,
        response: &'a StoredResponse,
        now_ms: i64,
    ) -> StoreFuture<'a, ()> {
        (**self).complete(scope, key, token, response, now_ms)
    }

    fn release<'a>(
        &'a self,
        scope: &'a str,
        key: &'a IdempotencyKey,
        token: &'a LockToken,
    ) -> StoreFuture<'a, ()> {
        (**self).release(scope, key, token)
    }
}

/// A store in the process's memory: the default, for a single process (it does not survive a
/// restart nor coordinate several processes; use the PostgreSQL store for that).
///
/// Expired records are dropped lazily: the claimed key's on each claim, and all of them in a
/// sweep whenever the map has doubled since the last one (amortised O(1) per claim), or on
/// [`InMemoryIdempotencyStore::purge_expired`].
///
/// ```
/// use std::time::Duration;
/// use molam_core::idempotency::{
///     ClaimRequest, Claim, Fingerprint, IdempotencyKey, IdempotencyStore, InMemoryIdempotencyStore,
///     LockToken, StoredResponse,
/// };
/// let store = InMemoryIdempotencyStore::new();
/// let key = IdempotencyKey::new("order-1:create-intent").unwrap();
/// let fp = Fingerprint::of("POST", "/v1/connect/payment_intents", b"{}");
/// let claim = |token| ClaimRequest {
///     scope: "acct_1", key: &key, method: "POST", path: "/v1/connect/payment_intents",
///     fingerprint: &fp, lease: Duration::from_secs(120), now_ms: 0, token: LockToken(token),
/// };
/// assert_eq!(store.claim(&claim(1)), Ok(Claim::Proceed { token: LockToken(1) }));
/// let answer = StoredResponse { status: 200, headers: vec![], body: b"{}".to_vec() };
/// store.complete("acct_1", &key, &LockToken(1), &answer, 5).unwrap();
/// assert_eq!(store.claim(&claim(2)), Ok(Claim::Replay(answer)));
/// ```
#[derive(Default)]
pub struct InMemoryIdempotencyStore {
    inner: Mutex<Records>,
}

#[derive(Default)]
struct Records {
    entries: HashMap<(String, IdempotencyKey), Entry>,
    /// Sweep every expired entry once the map reaches this size.
    sweep_at: usize,
}

struct Entry {
    record: IdempotencyRecord,
    /// The holder's token while in progress; `None` once completed.
    token: Option<LockToken>,
    expires_at_ms: i64,
}

impl Entry {
    fn holds(&self, token: &LockToken) -> bool {
        matches!(self.record.state, RecordState::InProgress { .. }) && self.token == Some(*token)
    }
}

const MIN_SWEEP_AT: usize = 1024;

impl InMemoryIdempotencyStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many records the store holds (expired ones not yet purged included).
    pub fn len(&self) -> usize {
        self.records().entries.len()
    }

    /// Whether the store holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every record expired at `now_ms`; returns how many.
    pub fn purge_expired(&self, now_ms: i64) -> usize {
        let mut records = self.records();
        let before = records.entries.len();
        records.entries.retain(|_, e| e.expires_at_ms > now_ms);
        before - records.entries.len()
    }

    /// The records. A panic cannot leave them half-updated (no code under the lock panics),
    /// so a poisoned lock is still sound to use.
    fn records(&self) -> MutexGuard<'_, Records> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for InMemoryIdempotencyStore {
    /// Only the size: stored bodies may hold client secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryIdempotencyStore")
            .field("records", &self.len())
            .finish()
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl IdempotencyStore for InMemoryIdempotencyStore {
    fn claim(&self, request: &ClaimRequest<'_>) -> Result<Claim, IdempotencyError> {
        let now_ms = request.now_ms;
        let mut records = self.records();
        let id = (request.scope.to_owned(), request.key.clone());
        if records
            .entries
            .get(&id)
            .is_some_and(|e| e.expires_at_ms <= now_ms)
        {
            records.entries.remove(&id);
        }
        let existing = records.entries.get(&id).map(|e| &e.record);
        match decide(existing, request.fingerprint, now_ms) {
            Decision::Proceed => {
                let locked_until_ms = now_ms.saturating_add(millis(request.lease));
                let entry = Entry {
                    record: IdempotencyRecord {
                        fingerprint: *request.fingerprint,
                        state: RecordState::InProgress { locked_until_ms },
                    },
                    token: Some(request.token),
                    expires_at_ms: now_ms
                        .saturating_add(millis(RECORD_TTL))
                        .max(locked_until_ms),
                };
                records.entries.insert(id, entry);
                if records.entries.len() >= records.sweep_at {
                    records.entries.retain(|_, e| e.expires_at_ms > now_ms);
                    records.sweep_at = (records.entries.len() * 2).max(MIN_SWEEP_AT);
                }
                Ok(Claim::Proceed {
                    token: request.token,
                })
            }
            Decision::Replay(response) => Ok(Claim::Replay(response)),
            Decision::InProgress => Err(IdempotencyError::InProgress {
                key: request.key.to_string(),
            }),
            Decision::Mismatch => Err(IdempotencyError::FingerprintMismatch {
                key: request.key.to_string(),
            }),
        }
    }

    fn complete(
        &self,
        scope: &str,
        key: &IdempotencyKey,
        token: &LockToken,
        response: &StoredResponse,
        now_ms: i64,
    ) -> Result<(), IdempotencyError> {
        let mut records = self.records();
        let id = (scope.to_owned(), key.clone());
        if !records.entries.get(&id).is_some_and(|e| e.holds(token)) {
            return Ok(());
        }
        if !should_store(response.status) {
            records.entries.remove(&id);
            return Ok(());
        }
        if let Some(entry) = records.entries.get_mut(&id) {
            entry.record.state = RecordState::Completed(response.clone());
            entry.token = None;
            entry.expires_at_ms = now_ms.saturating_add(millis(RECORD_TTL));
        }
        Ok(())
    }

    fn release(
        &self,
        scope: &str,
        key: &IdempotencyKey,
        token: &LockToken,
    ) -> Result<(), IdempotencyError> {
        let mut records = self.records();
        let id = (scope.to_owned(), key.clone());
        if records.entries.get(&id).is_some_and(|e| e.holds(token)) {
            records.entries.remove(&id);
        }
        Ok(())
    }
}

/// Runs the sync operations (a short critical section, never blocking on I/O) in a ready future.
impl AsyncIdempotencyStore for InMemoryIdempotencyStore {
    fn claim<'a>(&'a self, request: &'a ClaimRequest<'_>) -> StoreFuture<'a, Claim> {
        Box::pin(std::future::ready(IdempotencyStore::claim(self, request)))
    }

    fn complete<'a>(
        &'a self,
        scope: &'a str,
        key: &'a IdempotencyKey,
        token: &'a LockToken,
        response: &'a StoredResponse,
        now_ms: i64,
    ) -> StoreFuture<'a, ()> {
        let result = IdempotencyStore::complete(self, scope, key, token, response, now_ms);
        Box::pin(std::future::ready(result))
    }

    fn release<'a>(
        &'a self,
        scope: &'a str,
        key: &'a IdempotencyKey,
        token: &'a LockToken,
    ) -> StoreFuture<'a, ()> {
        Box::pin(std::future::ready(IdempotencyStore::release(
            self, scope, key, token,
        )))
    }
}
