//! The sans-IO mock: [`Mock::handle`] turns an `http::Request` into an `http::Response` over
//! in-memory state, at a time the caller hands in.
//!
//! Order of calls for a shell (the server):
//! 1. for each request, [`Mock::handle_with_faults`] and act on the [`Outcome`];
//! 2. in a loop, [`Mock::poll_deliveries`], send each, report with
//!    [`Mock::handle_delivery_result`]; [`Mock::poll_timeout`] says when to look again.
//!
//! The request's JSON is parsed before the state lock is taken; the lock covers only the
//! state change, so a multi-threaded server shares one `Mock` cheaply.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use http::{header, Method};

use crate::auth::{authenticate, Caller};
use crate::clock::MockTime;
use crate::config::{FaultKind, MockConfig};
use crate::control;
use crate::dashboard::journal::RequestEntry;
use crate::idempotency::{is_valid_key, Claim, Fingerprint};
use crate::ids::IdGenerator;
use crate::params::Body;
use crate::platform::Stamp;
use crate::router::{self, Endpoint};
use crate::shared::Shared;
use crate::state::{self, Call, Ctx, EventRequest};
use crate::webhooks::{Delivery, DeliveryAnswer, DeliveryId, DeliveryResult};
use crate::wire::{response, ApiError, Reply};

const REQUEST_ID_SALT: u64 = 0x7265_7175_6573_7473; // "requests"

/// A stateful Molam API in memory. Clones share the same state.
///
/// ```
/// use molam_mock::{Mock, MockConfig, MockTime};
/// let mock = Mock::new(MockConfig::default());
/// let request = http::Request::post("/v1/connect/payment_intents")
///     .header("authorization", "Bearer sk_test_doc")
///     .header("content-type", "application/json")
///     .header("idempotency-key", "order-1:create")
///     .body(br#"{"amount": 2500, "currency": "XOF"}"#.to_vec())
///     .unwrap();
/// let response = mock.handle(request, MockTime::from_unix_seconds(1_700_000_000));
/// assert_eq!(response.status(), 200);
/// let pi: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
/// assert_eq!(pi["status"], "requires_payment_method");
/// assert!(response.headers()["x-request-id"].to_str().unwrap().starts_with("req_"));
/// ```
#[derive(Debug, Clone)]
pub struct Mock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: MockConfig,
    shared: Mutex<Shared>,
}

/// What the shell must do with a request (faults are transport-level, so they are outputs).
#[must_use]
#[derive(Debug)]
pub enum Outcome {
    /// Send this response.
    Respond(http::Response<Vec<u8>>),
    /// Close the connection without answering; nothing was processed.
    DropBeforeProcessing,
    /// Close the connection without answering; the request *was* processed and committed.
    DropAfterCommit,
    /// Wait `delay`, then [`PendingRequest::resume`] and send its response. The request's
    /// idempotency key is held meanwhile.
    Delay {
        /// How long to wait.
        delay: Duration,
        /// The request, to process after the wait.
        pending: PendingRequest,
    },
}

impl Outcome {
    /// The response to send, if this outcome is one (not a drop or a delay).
    pub fn response(self) -> Option<http::Response<Vec<u8>>> {
        match self {
            Outcome::Respond(r) => Some(r),
            _ => None,
        }
    }
}

/// A request held back by a delay fault. Dropping it (the client went away) frees the
/// idempotency key it holds, as for any request that never executed.
#[derive(Debug)]
#[must_use]
pub struct PendingRequest {
    mock: Mock,
    prepared: Box<Prepared>,
    request_id: String,
    claimed: Option<(String, String)>,
}

impl PendingRequest {
    /// Processes the request at `now` and returns its response.
    pub fn resume(mut self, now: MockTime) -> http::Response<Vec<u8>> {
        let claimed = self.claimed.take();
        let mut shared = self.mock.lock();
        let now = shared.effective(now);
        shared.tick(now);
        let response = process(
            &mut shared,
            &self.prepared,
            &self.request_id,
            now,
            claimed.is_some(),
        );
        let entry = journal_entry(
            &self.prepared,
            &self.request_id,
            now,
            Some(&response),
            Some(FaultKind::Delay),
        );
        shared.journal.push(entry);
        response
    }
}

impl Drop for PendingRequest {
    fn drop(&mut self) {
        if let Some((account, key)) = self.claimed.take() {
            let mut shared = self.mock.lock();
            if let Some(acct) = shared.world.accounts.get_mut(&account) {
                acct.idempotency.release(&key);
            }
        }
    }
}

/// The dashboard's line for a request: its answer (`None`: dropped), and the fault injected.
fn journal_entry(
    p: &Prepared,
    request_id: &str,
    now: MockTime,
    response: Option<&http::Response<Vec<u8>>>,
    fault: Option<FaultKind>,
) -> RequestEntry {
    let header = |name: &str| {
        response
            .and_then(|r| r.headers().get(name))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    RequestEntry {
        at_ms: now.unix_ms(),
        method: p.method.to_string(),
        path: p.target.clone(),
        status: response.map(|r| r.status().as_u16()),
        // A replay answers with the first request's id.
        request_id: header("x-request-id").unwrap_or_else(|| request_id.to_owned()),
        idempotency_key: p.idempotency_key.clone().ok().flatten(),
        account: p.caller.as_ref().ok().and_then(|c| c.account.clone()),
        replayed: header("idempotent-replayed").is_some(),
        fault: fault.map(FaultKind::name),
    }
}

/// A request parsed outside the lock.
#[derive(Debug)]
struct Prepared {
    method: Method,
    path: String,
    target: String,
    query: Option<String>,
    route: Option<(usize, Endpoint, Option<String>)>,
    caller: Result<Caller, ApiError>,
    idempotency_key: Result<Option<String>, ApiError>,
    body: Result<Body, ApiError>,
    raw_body: Vec<u8>,
}

fn prepare(request: http::Request<Vec<u8>>) -> Prepared {
    let (parts, raw_body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
    let route = router::route(&parts.method, &path)
        .map(|m| (m.index, m.route.endpoint, m.id.map(str::to_owned)));
    let is_api = router::is_api_path(&path);
    let caller = if is_api {
        authenticate(&parts.headers)
    } else {
        Err(ApiError::internal(String::new()))
    };
    let idempotency_key = match parts.headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => match v.to_str() {
            Ok(k) if is_valid_key(k) => Ok(Some(k.to_owned())),
            _ => Err(ApiError::invalid(
                "Idempotency-Key",
                "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.",
            )),
        },
    };
    let body = if is_api && parts.method == Method::POST {
        let json = parts.headers.get(header::CONTENT_TYPE).is_none_or(|ct| {
            ct.to_str().is_ok_and(|ct| {
                ct.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            })
        });
        if json || raw_body.iter().all(u8::is_ascii_whitespace) {
            Body::parse(&raw_body)
        } else {
            Err(ApiError::invalid_request(
                "Content-Type must be application/json.",
            ))
        }
    } else {
        Ok(Body::default())
    };
    Prepared {
        method: parts.method,
        path,
        target,
        query,
        route,
        caller,
        idempotency_key,
        body,
        raw_body,
    }
}

/// Runs a prepared `/v1/` request: auth, route, idempotency, the endpoint, its effects.
fn process(
    shared: &mut Shared,
    p: &Prepared,
    request_id: &str,
    now: MockTime,
    claimed: bool,
) -> http::Response<Vec<u8>> {
    let fail = |e: ApiError| response(e.reply(), request_id, false);
    let caller = match &p.caller {
        Ok(c) => c,
        Err(e) => return fail(e.clone()),
    };
    let Some((_, endpoint, id)) = &p.route else {
        return fail(ApiError::unknown_route(&p.method, &p.path));
    };
    let body = match &p.body {
        Ok(b) => b,
        Err(e) => return fail(e.clone()),
    };
    // Only POSTs change state; a GET's key is ignored, as Stripe does.
    let key = match &p.idempotency_key {
        Ok(k) if p.method == Method::POST => k.as_deref(),
        Ok(_) => None,
        Err(e) => return fail(e.clone()),
    };
    let shared_parts = &mut *shared;
    let scope = caller.scope();
    let account = shared_parts
        .world
        .accounts
        .entry(scope.clone())
        .or_default();
    account.livemode = caller.livemode;
    account.connected.clone_from(&caller.account);
    let stamp = Stamp {
        account: caller.account.as_deref(),
        extra: Some(&shared_parts.extra_object_fields),
    };
    if let (Some(key), false) = (key, claimed) {
        let fingerprint = Fingerprint {
            method: p.method.clone(),
            target: p.target.clone(),
            body: body.clone(),
        };
        match account.idempotency.claim(key, &fingerprint, now.unix_ms()) {
            Claim::Proceed => {}
            Claim::Replay { reply, request_id } => {
                shared_parts.stats.replayed();
                return response(reply, &request_id, true);
            }
            Claim::InUse => return fail(ApiError::key_in_use(key)),
            Claim::Reused => return fail(ApiError::key_reused(key)),
        }
    }
    let call = Call {
        endpoint: *endpoint,
        id: id.as_deref(),
        query: p.query.as_deref(),
        body,
    };
    let mut cx = Ctx {
        now,
        ids: &mut shared_parts.world.ids,
        livemode: caller.livemode,
        restricted: caller.restricted,
        effects: Default::default(),
    };
    let result = state::execute(account, &call, &mut cx);
    let effects = cx.effects;
    let (reply, executed) = match result {
        Ok(reply) => (
            Reply {
                body: stamp.apply(reply.body),
                ..reply
            },
            true,
        ),
        Err(e) => (e.reply(), e.executed),
    };
    if let Some(key) = key {
        if executed {
            account
                .idempotency
                .complete(key, &reply, request_id, now.unix_ms());
        } else {
            account.idempotency.release(key);
        }
    }
    let request = EventRequest {
        id: request_id.to_owned(),
        idempotency_key: key.map(str::to_owned),
    };
    shared.record(&scope, caller.livemode, now, effects, Some(request));
    response(reply, request_id, false)
}

impl Mock {
    /// A mock with empty state.
    pub fn new(config: MockConfig) -> Self {
        let shared = Shared::new(&config);
        Mock {
            inner: Arc::new(Inner {
                config,
                shared: Mutex::new(shared),
            }),
        }
    }

    /// The configuration the mock started with.
    pub fn config(&self) -> &MockConfig {
        &self.inner.config
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panic under the lock cannot leave the state half-changed in a way later requests
        // trip over more than a fresh error would, so a poisoned lock is taken over.
        self.inner
            .shared
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Answers `request` at `now`, without injecting faults (configured faults apply only
    /// through [`Mock::handle_with_faults`]).
    pub fn handle(
        &self,
        request: http::Request<Vec<u8>>,
        now: MockTime,
    ) -> http::Response<Vec<u8>> {
        match self.run(request, now, false) {
            Outcome::Respond(r) => r,
            // Without faults every outcome is a response; keep the types honest anyway.
            Outcome::DropBeforeProcessing | Outcome::DropAfterCommit => response(
                ApiError::internal("no fault expected".into()).reply(),
                "req_none",
                false,
            ),
            Outcome::Delay { pending, .. } => pending.resume(now),
        }
    }

    /// Answers `request` at `now`, first drawing a fault for `/v1/` routes (see
    /// [`crate::FaultConfig`]). This is what the server calls.
    pub fn handle_with_faults(&self, request: http::Request<Vec<u8>>, now: MockTime) -> Outcome {
        self.run(request, now, true)
    }

    fn run(&self, request: http::Request<Vec<u8>>, now: MockTime, faults: bool) -> Outcome {
        let prepared = prepare(request);
        let mut shared = self.lock();
        let now = shared.effective(now);
        shared.tick(now);
        shared.stats.request(prepared.route.as_ref().map(|r| r.0));
        let request_id = shared.request_ids.next("req");
        if !router::is_api_path(&prepared.path) {
            let reply = match &prepared.route {
                Some((_, endpoint, id)) => control::handle(
                    &mut shared,
                    &self.inner.config,
                    *endpoint,
                    id.as_deref(),
                    &prepared.raw_body,
                    now,
                ),
                None => ApiError::unknown_route(&prepared.method, &prepared.path).reply(),
            };
            let mut answer = response(reply, &request_id, false);
            if let Some((_, Endpoint::MockDashboard, _)) = &prepared.route {
                crate::dashboard::page_headers(&mut answer);
            }
            return Outcome::Respond(answer);
        }
        let fault = if faults { shared.faults.draw() } else { None };
        if let Some(kind) = fault {
            shared.stats.fault(kind);
        }
        let retry_after = shared.faults.retry_after();
        let error = |status, retry, message: &str| {
            Outcome::Respond(response(
                ApiError::server(status, retry, message).reply(),
                &request_id,
                false,
            ))
        };
        let outcome = match fault {
            None => Outcome::Respond(process(&mut shared, &prepared, &request_id, now, false)),
            Some(FaultKind::DropBeforeProcessing) => Outcome::DropBeforeProcessing,
            Some(FaultKind::DropAfterCommit) => {
                let _lost = process(&mut shared, &prepared, &request_id, now, false);
                Outcome::DropAfterCommit
            }
            Some(FaultKind::Http500) => error(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                None,
                "An unexpected error occurred (injected fault).",
            ),
            Some(FaultKind::Http503) => error(
                http::StatusCode::SERVICE_UNAVAILABLE,
                Some(retry_after),
                "The service is temporarily unavailable (injected fault).",
            ),
            Some(FaultKind::Http429) => Outcome::Respond(response(
                ApiError::rate_limited(retry_after).reply(),
                &request_id,
                false,
            )),
            Some(FaultKind::Delay) => {
                let claimed = shared.claim_for_delay(
                    &prepared.caller,
                    &prepared.idempotency_key,
                    &prepared.method,
                    &prepared.target,
                    &prepared.body,
                    now,
                );
                let delay = Duration::from_millis(shared.faults.delay_ms());
                drop(shared);
                // Logged when it resumes, with the answer it then gets.
                return Outcome::Delay {
                    delay,
                    pending: PendingRequest {
                        mock: self.clone(),
                        prepared: Box::new(prepared),
                        request_id,
                        claimed,
                    },
                };
            }
        };
        let answered = match &outcome {
            Outcome::Respond(r) => Some(r),
            _ => None,
        };
        let entry = journal_entry(&prepared, &request_id, now, answered, fault);
        shared.journal.push(entry);
        outcome
    }

    /// Webhook deliveries due at `now`, signed at `now`. Also moves time-driven states.
    pub fn poll_deliveries(&self, now: MockTime) -> Vec<Delivery> {
        let mut shared = self.lock();
        let effective = shared.effective(now);
        shared.tick(effective);
        let shared = &mut *shared;
        shared
            .webhooks
            .poll(now.unix_ms(), &mut shared.stats.webhooks)
    }

    /// Reports what became of a delivery; failures are retried with backoff.
    pub fn handle_delivery_result(&self, id: DeliveryId, result: DeliveryResult, now: MockTime) {
        self.handle_delivery_report(id, result, DeliveryAnswer::default(), now);
    }

    /// Reports what became of a delivery with what the answer looked like (latency, the
    /// start of the body), which the dashboard shows; failures are retried with backoff.
    pub fn handle_delivery_report(
        &self,
        id: DeliveryId,
        result: DeliveryResult,
        answer: DeliveryAnswer,
        now: MockTime,
    ) {
        let mut shared = self.lock();
        let shared = &mut *shared;
        shared.webhooks.result(
            id,
            &result,
            &answer,
            now.unix_ms(),
            &mut shared.stats.webhooks,
        );
    }

    /// When [`Mock::poll_deliveries`] next has something to do (a delivery or a timer), in
    /// the caller's time.
    pub fn poll_timeout(&self) -> Option<MockTime> {
        let shared = self.lock();
        let timer = shared
            .world
            .timers
            .next_due()
            .map(|t| t - shared.clock_offset_ms);
        let delivery = shared.webhooks.next_due();
        timer
            .into_iter()
            .chain(delivery)
            .min()
            .map(MockTime::from_unix_ms)
    }

    /// Registers a webhook endpoint (as `POST /__mock/webhooks` does).
    pub fn add_webhook_endpoint(&self, url: impl Into<String>) {
        self.lock().webhooks.add_endpoint(url.into());
    }

    /// The answer to a request whose body the server would not read (over 1 MiB).
    pub fn body_too_large(&self) -> http::Response<Vec<u8>> {
        let request_id = self.lock().request_ids.next("req");
        let error = ApiError {
            status: http::StatusCode::PAYLOAD_TOO_LARGE,
            ..ApiError::invalid_request("The request body is over 1 MiB.")
        };
        response(error.reply(), &request_id, false)
    }

    /// The counters of `/__mock/stats`.
    pub fn stats(&self) -> serde_json::Value {
        self.lock().stats.to_json()
    }
}

impl IdGenerator {
    pub(crate) fn for_requests(seed: u64) -> Self {
        IdGenerator::new(seed ^ REQUEST_ID_SALT)
    }
}
