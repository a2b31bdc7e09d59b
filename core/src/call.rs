//! One logical API call as a state machine: it hands out requests, takes in outcomes, and
//! says when it is done or how long to wait before the next attempt.
//!
//! ```text
//!            poll_request(now)                 transport (the shell's I/O)
//!   Call ───────────────────────▶ Request ───────────────────────────────▶ outcome
//!    ▲                                                                       │
//!    │ Step::Retry { call, wait }: sleep `wait`, then poll again    handle(outcome, now)
//!    └─────────────────────────────────────────────────────────────────────┤
//!                                            Step::Done(result) ◀───────────┘
//! ```
//!
//! Call [`Call::poll_request`] for each attempt, send what it returns, and feed what came back
//! to [`Call::handle`], which consumes the call: a finished call cannot be polled again. `now`
//! is the shell's monotonic clock (any fixed origin); the deadline is measured from the first
//! `poll_request`. Every attempt carries the same `Idempotency-Key` and the next
//! `Molam-Attempt` number. No I/O, no clock, no randomness is touched here.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use http::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use crate::account::AccountId;
use crate::config::{ApiKey, MAX_RETRIES};
use crate::error::{Error, GiveUpReason, ParamError, TransportError};
use crate::idempotency::IdempotencyKey;
use crate::random::{JitterRng, RandomSource};
use crate::response::{self, ApiResponse};
use crate::retry::{
    classify_status, classify_transport, BreakerConfig, BudgetConfig, CircuitBreaker, RetryBudget,
    RetryClass, RetryPolicy, Verdict,
};

/// What an endpoint asks for, before headers: method, path with its encoded query, JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// HTTP method.
    pub method: http::Method,
    /// Path and query, already percent-encoded, starting with `/v1/`.
    pub path_and_query: String,
    /// The JSON body, for POSTs.
    pub body: Option<Vec<u8>>,
}

/// Per-call options. The defaults come from the client's configuration.
///
/// ```
/// use std::time::Duration;
/// use molam_core::call::RequestOptions;
/// let opts = RequestOptions::new()
///     .idempotency_key("order-12345:create-intent").unwrap()
///     .max_retries(5)
///     .timeout(Duration::from_secs(10));
/// assert_eq!(opts.get_idempotency_key().unwrap().as_str(), "order-12345:create-intent");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    idempotency_key: Option<IdempotencyKey>,
    max_attempts: Option<u32>,
    timeout: Option<Duration>,
    api_version: Option<String>,
    account: Option<AccountId>,
    api_key: Option<ApiKey>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Use this idempotency key (recommended: derived from your own order id) instead of a
    /// generated UUID v4. Fails if the key is not 1–255 printable ASCII without spaces.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Result<Self, ParamError> {
        self.idempotency_key = Some(IdempotencyKey::new(key)?);
        Ok(self)
    }

    /// Use an already validated idempotency key.
    pub fn with_idempotency_key(mut self, key: IdempotencyKey) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// Retry at most `retries` times (0 disables retries for this call). Like the client's
    /// setting, at most [`MAX_RETRIES`]: a call asking for more fails without sending
    /// anything ([`RequestOptions::check`]).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_attempts = Some(retries.saturating_add(1));
        self
    }

    /// Per-attempt timeout for this call (used by the shells). Like the client's setting, it
    /// must be longer than zero: a call with a zero timeout fails without sending anything
    /// ([`RequestOptions::check`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Send this `Molam-Version` instead of the client's. Fails unless it is 1–64 characters of
    /// letters, digits, `-`, `_` or `.`.
    pub fn api_version(mut self, version: impl Into<String>) -> Result<Self, ParamError> {
        let version = version.into();
        let ok = !version.is_empty()
            && version.len() <= 64
            && version
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !ok {
            return Err(ParamError::new(
                "api_version",
                "must be 1-64 letters, digits, '-', '_' or '.'",
            ));
        }
        self.api_version = Some(version);
        Ok(self)
    }

    /// Act for this connected account (`Molam-Account`, REFERENCE.md §6) on this call,
    /// instead of the client's account (if any).
    ///
    /// ```
    /// use molam_core::{account::AccountId, call::RequestOptions};
    /// let opts = RequestOptions::new().account(AccountId::new("acct_merchant_a")?);
    /// assert_eq!(opts.get_account().map(AccountId::as_str), Some("acct_merchant_a"));
    /// # Ok::<(), molam_core::ParamError>(())
    /// ```
    pub fn account(mut self, account: AccountId) -> Self {
        self.account = Some(account);
        self
    }

    /// Send this call with another API key than the client's (a platform holding its
    /// merchants' own keys, REFERENCE.md §6). Masked like any key; fails, without echoing
    /// it, unless it is a well-formed `sk_test_…`, `sk_live_…` or `jwt_…` key.
    ///
    /// ```
    /// use molam_core::call::RequestOptions;
    /// let opts = RequestOptions::new().api_key("sk_test_merchant_0123456789")?;
    /// assert!(!format!("{opts:?}").contains("0123456789"));
    /// assert!(RequestOptions::new().api_key("pk_test_1").is_err());
    /// # Ok::<(), molam_core::ParamError>(())
    /// ```
    pub fn api_key(mut self, key: impl Into<String>) -> Result<Self, ParamError> {
        let key = ApiKey::new(key).map_err(|_| {
            ParamError::new(
                "api_key",
                "must start with sk_test_, sk_live_ or jwt_ and be printable ASCII",
            )
        })?;
        self.api_key = Some(key);
        Ok(self)
    }

    /// Use an already validated API key for this call.
    pub fn with_api_key(mut self, key: ApiKey) -> Self {
        self.api_key = Some(key);
        self
    }

    /// Whether these overrides follow the rules of the client's own settings: at most
    /// [`MAX_RETRIES`] retries, and a timeout longer than zero. Every call is checked when it
    /// is prepared; one that breaks a rule fails with [`Error::InvalidParams`] naming the
    /// option, before any request is sent or any idempotency key claimed.
    ///
    /// ```
    /// use std::time::Duration;
    /// use molam_core::call::RequestOptions;
    /// assert!(RequestOptions::new().max_retries(10).check().is_ok());
    /// assert_eq!(RequestOptions::new().max_retries(11).check().unwrap_err().field, "max_retries");
    /// assert_eq!(RequestOptions::new().timeout(Duration::ZERO).check().unwrap_err().field, "timeout");
    /// ```
    pub fn check(&self) -> Result<(), ParamError> {
        if self.max_attempts.is_some_and(|n| n > MAX_RETRIES + 1) {
            return Err(ParamError::new(
                "max_retries",
                format!(
                    "must be 0 to {MAX_RETRIES} retries (1 to {} attempts)",
                    MAX_RETRIES + 1
                ),
            ));
        }
        if self.timeout.is_some_and(|timeout| timeout.is_zero()) {
            return Err(ParamError::new("timeout", "must be longer than zero"));
        }
        Ok(())
    }

    /// The connected account override, if set.
    pub fn get_account(&self) -> Option<&AccountId> {
        self.account.as_ref()
    }

    /// The API key override, if set.
    pub fn get_api_key(&self) -> Option<&ApiKey> {
        self.api_key.as_ref()
    }

    /// The caller's idempotency key, if set.
    pub fn get_idempotency_key(&self) -> Option<&IdempotencyKey> {
        self.idempotency_key.as_ref()
    }

    /// The attempt limit override, if set.
    pub fn get_max_attempts(&self) -> Option<u32> {
        self.max_attempts
    }

    /// The per-attempt timeout override, if set.
    pub fn get_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The API version override, if set.
    pub fn get_api_version(&self) -> Option<&str> {
        self.api_version.as_deref()
    }
}

/// State shared by every call of one client: the retry budget and the circuit breaker.
#[derive(Debug)]
pub struct SharedState {
    budget: Mutex<RetryBudget>,
    breaker: Mutex<CircuitBreaker>,
}

impl SharedState {
    /// Fresh guards with the given settings.
    pub fn new(budget: BudgetConfig, breaker: BreakerConfig) -> Self {
        SharedState {
            budget: Mutex::new(RetryBudget::new(budget)),
            breaker: Mutex::new(CircuitBreaker::new(breaker)),
        }
    }

    /// The retry budget (a poisoned lock is recovered: the state is plain data).
    pub fn budget(&self) -> MutexGuard<'_, RetryBudget> {
        self.budget.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The circuit breaker.
    pub fn breaker(&self) -> MutexGuard<'_, CircuitBreaker> {
        self.breaker.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Everything a [`Call`] is built from; assembled by [`crate::client::Client::prepare`].
pub(crate) struct CallParts {
    pub(crate) method: http::Method,
    /// The URI, or why this call cannot be sent at all (a URL that could not be built, an
    /// option out of bounds): then each attempt fails with that error, sending nothing.
    pub(crate) uri: Result<http::Uri, Error>,
    /// The headers of every attempt (REFERENCE.md §1): the client's template for this kind of
    /// request, shared by its calls. It holds a slot for the idempotency key and the attempt
    /// number, which each attempt fills in its own copy, so that copy does not grow (only a
    /// per-request override without a slot, a rare case, is appended).
    pub(crate) headers: Arc<HeaderMap>,
    /// Headers this call sets over the template (a per-request API key, account or version);
    /// usually none.
    pub(crate) overrides: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Vec<u8>,
    pub(crate) idempotency_key: Option<IdempotencyKey>,
    pub(crate) policy: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) shared: Arc<SharedState>,
    /// Seeds the jitter, drawn only when a first retry needs it: most calls never retry, and
    /// a draw from the OS is a system call.
    pub(crate) random: Arc<dyn RandomSource>,
    /// Appended to a durable store's scope: the idempotency key space of this call's API key
    /// and account when they are not the client's own (see [`key_space`]).
    pub(crate) key_space: String,
    /// The `endpoint` label of its metrics (a route template, or `other`), worked out the
    /// first time it is asked for: without the `metrics` feature, never.
    pub(crate) endpoint: OnceLock<&'static str>,
    /// Where the API's own path starts in the URI's path: after the base URL's path prefix
    /// (a gateway's `/molam`, say), which no route template has.
    pub(crate) route_start: usize,
}

/// The part of a durable store's scope that keeps idempotency keys apart per API key and
/// account (REFERENCE.md §6): empty for the client's own key and account (the client's scope
/// names them), else `/acct_…` for a connected account and `/key:<digest>` for a per-call
/// API key (the first 16 hex digits of its SHA-256: the key itself is never stored).
///
/// ```
/// use molam_core::call::key_space;
/// assert_eq!(key_space(None, None), "");
/// assert_eq!(key_space(None, Some("acct_a")), "/acct_a");
/// let space = key_space(Some("sk_test_merchant_0123456789"), Some("acct_a"));
/// assert!(space.starts_with("/key:") && space.ends_with("/acct_a"), "{space}");
/// assert!(!space.contains("0123456789"));
/// ```
pub fn key_space(api_key: Option<&str>, account: Option<&str>) -> String {
    use sha2::Digest;
    use std::fmt::Write as _;
    let mut space = String::new();
    if let Some(key) = api_key {
        space.push_str("/key:");
        for byte in &sha2::Sha256::digest(key.as_bytes())[..8] {
            let _ = write!(space, "{byte:02x}");
        }
    }
    if let Some(account) = account {
        space.push('/');
        space.push_str(account);
    }
    space
}

impl std::fmt::Debug for CallParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallParts")
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("headers", &self.headers)
            .field("overrides", &self.overrides)
            .field("body_len", &self.body.len())
            .field("idempotency_key", &self.idempotency_key)
            .field("policy", &self.policy)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// What [`Call::handle`] decided.
#[derive(Debug)]
#[must_use]
pub enum Step<T> {
    /// Finished: the decoded answer, or the error to give the caller.
    Done(Result<ApiResponse<T>, Error>),
    /// Try again: sleep `wait`, then `poll_request` on `call`.
    Retry {
        /// The same call, one attempt further.
        call: Call<T>,
        /// How long to sleep first.
        wait: Duration,
    },
}

pub(crate) const ATTEMPT_HEADER: HeaderName = HeaderName::from_static("molam-attempt");
pub(crate) const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The `Molam-Attempt` value of attempt `n`: a static value for the first nine, which is
/// every attempt of every call but an unusual retry policy's.
fn attempt_value(n: u32) -> HeaderValue {
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    match usize::try_from(n).ok().and_then(|i| DIGITS.get(i)) {
        Some(digit) => HeaderValue::from_static(digit),
        None => HeaderValue::from(n),
    }
}

/// The headers an attempt's template had no slot for: a key slot a call without a key
/// leaves empty is removed, and a key, an attempt number or a per-request override with no
/// slot is set. Rare, so kept out of line, away from the code every attempt runs.
#[cold]
#[inline(never)]
fn set_unslotted(
    headers: &mut HeaderMap,
    stray_slot: bool,
    key: Option<HeaderValue>,
    attempt: Option<HeaderValue>,
    overrides: &[(HeaderName, HeaderValue)],
) {
    if stray_slot {
        headers.remove(IDEMPOTENCY_KEY);
    }
    if let Some(key) = key {
        headers.insert(IDEMPOTENCY_KEY, key);
    }
    if let Some(attempt) = attempt {
        headers.insert(ATTEMPT_HEADER, attempt);
    }
    for (name, value) in overrides {
        headers.insert(name.clone(), value.clone());
    }
}

/// A copy of an error kept for every attempt (a URL that could not be built): out of line,
/// so that the error's clone is not part of every attempt's code.
#[cold]
#[inline(never)]
pub(crate) fn cold_clone(error: &Error) -> Error {
    error.clone()
}

/// One logical API call (all its attempts). See the [module docs](self).
#[derive(Debug)]
#[must_use = "a Call does nothing until it is polled and driven"]
pub struct Call<T> {
    /// Boxed: a call moves through every state of its exchange, and a pointer moves cheaply.
    pub(crate) parts: Box<CallParts>,
    rng: Option<JitterRng>,
    attempts: u32,
    started: Option<Duration>,
    _output: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Call<T> {
    pub(crate) fn new(parts: CallParts) -> Self {
        Call {
            parts: Box::new(parts),
            rng: None,
            attempts: 0,
            started: None,
            _output: PhantomData,
        }
    }

    /// The idempotency key every attempt carries (POSTs only).
    pub fn idempotency_key(&self) -> Option<&IdempotencyKey> {
        self.parts.idempotency_key.as_ref()
    }

    /// The HTTP method.
    pub fn method(&self) -> &http::Method {
        &self.parts.method
    }

    /// The path and query the call targets (empty if the URL could not be built).
    pub fn path_and_query(&self) -> &str {
        match &self.parts.uri {
            Ok(uri) => uri.path_and_query().map_or("", |p| p.as_str()),
            Err(_) => "",
        }
    }

    /// The request body (empty for GETs).
    pub fn body(&self) -> &[u8] {
        &self.parts.body
    }

    /// The per-attempt timeout the shell should enforce.
    pub fn attempt_timeout(&self) -> Duration {
        self.parts.timeout
    }

    /// Attempts sent so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The `endpoint` label of this call's metrics: its route template, or `other`.
    pub fn endpoint(&self) -> &'static str {
        let parts = &self.parts;
        parts.endpoint.get_or_init(|| {
            let route = self.path_and_query().get(parts.route_start..).unwrap_or("");
            crate::metrics::endpoint(&parts.method, route)
        })
    }

    /// When the first attempt was asked for (`None` before it).
    pub(crate) fn started(&self) -> Option<Duration> {
        self.started
    }

    /// Counts the finished call in `molam_calls_total` and its time since the first attempt
    /// (zero if none was sent) in `molam_call_duration_seconds`.
    pub(crate) fn record_finish<U>(&self, result: &Result<U, Error>, now: Duration) {
        if !crate::metrics::ENABLED {
            return;
        }
        let elapsed = now.saturating_sub(self.started.unwrap_or(now));
        crate::metrics::record_call(
            self.endpoint(),
            crate::metrics::call_outcome(result),
            elapsed,
        );
    }

    /// The next request to send, at `now` on the shell's monotonic clock.
    ///
    /// Fails without sending anything when the URL could not be built, an option is out of
    /// bounds ([`RequestOptions::check`]) or the client's circuit breaker is open
    /// ([`Error::CircuitOpen`]).
    pub fn poll_request(&mut self, now: Duration) -> Result<http::Request<Vec<u8>>, Error> {
        let uri = match &self.parts.uri {
            Ok(uri) => uri.clone(),
            Err(error) => return Err(cold_clone(error)),
        };
        if let Err(retry_in) = self.parts.shared.breaker().try_acquire(now) {
            return Err(Error::CircuitOpen { retry_in });
        }
        self.started.get_or_insert(now);
        self.attempts = self.attempts.saturating_add(1);
        let mut request = http::Request::new(self.parts.body.clone());
        *request.method_mut() = self.parts.method.clone();
        *request.uri_mut() = uri;
        *request.headers_mut() = self.attempt_headers();
        Ok(request)
    }

    /// The headers of the attempt being made: a copy of the template (each slot already
    /// there, so the copy is made at its final size) with the key and attempt number filled
    /// in place. What the template has no slot for (a per-request override, a call without a
    /// key) is set by [`set_unslotted`], out of this hot path.
    fn attempt_headers(&self) -> HeaderMap {
        let parts = &self.parts;
        let mut headers = HeaderMap::clone(&parts.headers);
        // An idempotency key is printable ASCII, so always a valid header value.
        let key = parts.idempotency_key.as_ref();
        let mut key = key.and_then(|key| HeaderValue::from_str(key.as_str()).ok());
        let mut attempt = Some(attempt_value(self.attempts));
        let mut stray_slot = false;
        // A scan of a few entries finds the slots without hashing their names.
        for (name, value) in headers.iter_mut() {
            if *name == IDEMPOTENCY_KEY {
                match key.take() {
                    Some(key) => *value = key,
                    None => stray_slot = true,
                }
            } else if *name == ATTEMPT_HEADER {
                if let Some(attempt) = attempt.take() {
                    *value = attempt;
                }
            }
        }
        if stray_slot || key.is_some() || attempt.is_some() || !parts.overrides.is_empty() {
            set_unslotted(&mut headers, stray_slot, key, attempt, &parts.overrides);
        }
        headers
    }

    /// Feeds the outcome of the last request, received at `now`, and decides what follows.
    pub fn handle(
        mut self,
        outcome: Result<http::Response<Vec<u8>>, TransportError>,
        now: Duration,
    ) -> Step<T> {
        if crate::metrics::ENABLED {
            self.record_attempt(&outcome);
        }
        match outcome {
            Ok(response) if response.status().is_success() => {
                self.parts.shared.breaker().on_success();
                self.parts.shared.budget().on_success();
                // The call ends here: its key moves into the answer's metadata.
                let key = self
                    .parts
                    .idempotency_key
                    .take()
                    .map(IdempotencyKey::into_string);
                Step::Done(response::answer(response, self.attempts, key))
            }
            outcome => self.handle_failure(outcome, now),
        }
    }

    /// [`Call::handle`] for a transport failure or a non-2xx answer: out of line, so that the
    /// code every successful call runs stays short.
    #[inline(never)]
    fn handle_failure(
        self,
        outcome: Result<http::Response<Vec<u8>>, TransportError>,
        now: Duration,
    ) -> Step<T> {
        let response = match outcome {
            Ok(response) => response,
            Err(error) => {
                self.parts.shared.breaker().on_failure(now);
                let class = classify_transport(error.kind);
                return self.retry_or_give_up(class, Error::Transport(error), None, now);
            }
        };
        let status = response.status().as_u16();
        let api_error = response::api_error(&response);
        let should_retry = response::should_retry(response.headers());
        // An outage is a server failing or not answering; a 4xx or a 429 proves it is up.
        if status == 408 || status >= 500 {
            self.parts.shared.breaker().on_failure(now);
        } else {
            self.parts.shared.breaker().on_success();
        }
        match classify_status(status, api_error.code.as_deref(), should_retry) {
            Verdict::Retry(class) => {
                let retry_after = api_error.retry_after;
                self.retry_or_give_up(class, api_error.into(), retry_after, now)
            }
            Verdict::Final | Verdict::Success => Step::Done(Err(api_error.into())),
        }
    }

    /// Counts the attempt just made in `molam_attempts_total`.
    fn record_attempt(&self, outcome: &Result<http::Response<Vec<u8>>, TransportError>) {
        let outcome = match outcome {
            Ok(response) => {
                crate::metrics::attempt_outcome(Some(response.status().as_u16()), false)
            }
            Err(error) => crate::metrics::attempt_outcome(
                None,
                error.kind == crate::error::TransportErrorKind::Timeout,
            ),
        };
        crate::metrics::record_attempt(self.endpoint(), outcome);
    }

    fn retry_or_give_up(
        mut self,
        class: RetryClass,
        last: Error,
        retry_after: Option<Duration>,
        now: Duration,
    ) -> Step<T> {
        let reason = if self.attempts >= self.parts.policy.max_attempts {
            GiveUpReason::MaxAttempts
        } else {
            let random = &self.parts.random;
            let unit = self
                .rng
                .get_or_insert_with(|| JitterRng::new(random.next_u64()))
                .next_unit();
            let wait = self.parts.policy.backoff(self.attempts, unit, retry_after);
            let elapsed = now.saturating_sub(self.started.unwrap_or(now));
            if elapsed.saturating_add(wait) > self.parts.policy.deadline {
                GiveUpReason::Deadline
            } else if !self.parts.shared.budget().try_spend(class) {
                GiveUpReason::RetryBudget
            } else {
                crate::metrics::record_retry(class);
                return Step::Retry { call: self, wait };
            }
        };
        Step::Done(Err(Error::RetriesExhausted {
            attempts: self.attempts,
            reason,
            last: Box::new(last),
        }))
    }
}

#[cfg(test)]
mod tests;
