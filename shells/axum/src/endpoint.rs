//! The endpoint: content type → body (size-limited) → `Molam-Signature` → event id → inbox →
//! answer. No merchant code runs here; the inbox's workers (or a [`crate::VerifiedEvent`]
//! handler, after recording) do that.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use http::{header, HeaderMap, HeaderValue, StatusCode};
use http_body_util::BodyExt;
use molam_core::inbox::{AsyncWebhookInbox, ReceivedEvent, Recorded};
use molam_core::resources::Event;
use molam_core::webhook::DEFAULT_TOLERANCE;
use molam_core::webhook_event::FreshDelivery;
use tracing::Instrument;

use crate::rejection::WebhookRejection;
use crate::resolver::{AsyncSecretResolver, StaticSecrets};
use crate::serve::BodyError;

pub use molam_core::webhook_event::SIGNATURE_HEADER;

/// Bodies longer than this are refused with 413 unless configured otherwise: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// A Molam webhook endpoint: verifies each delivery, records it in an inbox, answers.
///
/// | delivery | answer |
/// |---|---|
/// | verified, recorded now or recorded before (a duplicate) | 200 |
/// | malformed or missing `Molam-Signature`, body that is not an event with an `id` | 400 |
/// | unknown `kid`, timestamp outside the tolerance (past or future), no matching `v1` | 401 |
/// | body over the limit (default 1 MiB) | 413 |
/// | `Content-Type` not `application/json` | 415 |
/// | the secret lookup or the inbox failed | 503 (Molam delivers again) |
///
/// Cheap to clone (it is a few `Arc`s): hand it to axum as state.
///
/// ```
/// use std::sync::Arc;
/// use molam_axum::{StaticSecrets, WebhookEndpoint};
/// use molam_core::{inbox::InMemoryWebhookInbox, webhook::WebhookSecret};
///
/// let inbox = Arc::new(InMemoryWebhookInbox::new());
/// let secrets = StaticSecrets::new(vec![WebhookSecret::new("whsec_test_5f1c2a9e")]);
/// let app: axum::Router = WebhookEndpoint::new(secrets, inbox.clone()).router("/webhooks/molam");
/// ```
#[derive(Clone)]
pub struct WebhookEndpoint {
    resolver: Arc<dyn AsyncSecretResolver>,
    inbox: Arc<dyn AsyncWebhookInbox>,
    tolerance: Duration,
    max_body_bytes: usize,
    clock: Clock,
    tenant: Arc<str>,
}

impl fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookEndpoint")
            .field("tolerance", &self.tolerance)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

/// A delivery that was verified and recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// What was recorded (for a duplicate: what would have been).
    pub event: ReceivedEvent,
    /// Whether it was new.
    pub recorded: Recorded,
}

/// A delivery whose signature and event checked out, not yet recorded.
#[derive(Debug, Clone)]
pub(crate) struct Verified {
    pub(crate) received: ReceivedEvent,
    pub(crate) event: Event,
}

fn system_clock() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        // A clock before 1970 verifies nothing recent, which is the safe failure.
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

impl WebhookEndpoint {
    /// An endpoint that verifies with `resolver` and records in `inbox`, with the defaults:
    /// a 300 s tolerance, a 1 MiB body limit, the system clock, tenant `""`.
    pub fn new(
        resolver: impl AsyncSecretResolver + 'static,
        inbox: impl AsyncWebhookInbox + 'static,
    ) -> Self {
        WebhookEndpoint {
            resolver: Arc::new(resolver),
            inbox: Arc::new(inbox),
            tolerance: DEFAULT_TOLERANCE,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            clock: Arc::new(system_clock),
            tenant: Arc::from(""),
        }
    }

    /// An endpoint with the webhook secrets and tolerance of a client configuration
    /// (`MOLAM_WEBHOOK_SECRET`, `kid:secret` pairs for rotation), recording in `inbox`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use molam_axum::WebhookEndpoint;
    /// use molam_core::{config::Config, inbox::InMemoryWebhookInbox, webhook::WebhookSecret};
    /// let config = Config::builder()
    ///     .api_key("sk_test_0123456789abcdef")
    ///     .webhook_secret(WebhookSecret::new("whsec_test_5f1c2a9e").with_kid("k1"))
    ///     .webhook_tolerance(std::time::Duration::from_secs(120))
    ///     .build()?;
    /// let endpoint = WebhookEndpoint::from_config(&config, Arc::new(InMemoryWebhookInbox::new()));
    /// assert!(format!("{endpoint:?}").contains("tolerance: 120s"));
    /// # Ok::<(), molam_core::ConfigError>(())
    /// ```
    pub fn from_config(
        config: &molam_core::config::Config,
        inbox: impl AsyncWebhookInbox + 'static,
    ) -> Self {
        WebhookEndpoint::new(StaticSecrets::new(config.webhook_secrets().to_vec()), inbox)
            .with_tolerance(config.webhook_tolerance())
    }

    /// How far a delivery's `t` may be from now, past or future.
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The largest body accepted, in bytes; longer ones get 413.
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// The clock deliveries are checked against, in unix seconds (tests pin it).
    pub fn with_clock(mut self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The tenant of a single-tenant endpoint ([`WebhookEndpoint::router`] and
    /// [`crate::VerifiedEvent`]): the one its resolver is asked about and events are recorded
    /// under. `""` by default.
    pub fn with_tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Arc::from(tenant.into());
        self
    }

    /// The tenant of a single-tenant endpoint.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// A router answering `POST path` for the endpoint's own tenant.
    pub fn router(self, path: &str) -> Router {
        Router::new()
            .route(path, post(receive_single))
            .with_state(self)
    }

    /// A router answering `POST path` where `path` holds a `{tenant}` segment
    /// (`/webhooks/{tenant}`): each delivery is verified with that tenant's secrets and
    /// recorded under it.
    pub fn tenant_router(self, path: &str) -> Router {
        Router::new()
            .route(path, post(receive_for_tenant))
            .with_state(self)
    }

    /// Checks, records and answers one delivery to `tenant`: what the routers run. Also
    /// usable from a handler of your own.
    pub async fn receive(
        &self,
        tenant: &str,
        request: Request,
    ) -> Result<Receipt, WebhookRejection> {
        let verified = self.verify(tenant, request).await?;
        self.record(verified).await
    }

    /// Every check before recording, in order: content type (415), body size (413), then
    /// the core's receipt ([`molam_core::webhook_event`]): header, freshness, the secrets of
    /// the header's `kid` (503 when the lookup fails), signature (400/401), event (400).
    pub(crate) async fn verify(
        &self,
        tenant: &str,
        request: Request,
    ) -> Result<Verified, WebhookRejection> {
        let (parts, body) = request.into_parts();
        if !is_json(&parts.headers) {
            return Err(WebhookRejection::UnsupportedContentType);
        }
        let body = self.read_body(&parts.headers, body).await?;
        let now = (self.clock)();
        let fresh = FreshDelivery::check(&parts.headers, &body, now, self.tolerance)?;
        let secrets = self
            .resolver
            .resolve(tenant, fresh.kid())
            .await
            .map_err(WebhookRejection::ResolverUnavailable)?;
        let delivery = fresh.authenticate(&secrets)?;
        Ok(Verified {
            received: delivery.to_received(tenant, now),
            event: delivery.event,
        })
    }

    pub(crate) async fn record(&self, verified: Verified) -> Result<Receipt, WebhookRejection> {
        let recorded =
            self.inbox
                .record(&verified.received)
                .await
                .map_err(|e| match e.refusal() {
                    // The core's inbox rule: delivering it again changes nothing, so say why now.
                    Some(refusal) => WebhookRejection::EventRefused(refusal.clone()),
                    None => WebhookRejection::InboxUnavailable(e),
                })?;
        Ok(Receipt {
            event: verified.received,
            recorded,
        })
    }

    /// Reads the body into one buffer of the declared length, frame by frame, so a body
    /// costs its own size in memory and no more (frames are dropped as they are copied).
    async fn read_body(
        &self,
        headers: &HeaderMap,
        body: Body,
    ) -> Result<Vec<u8>, WebhookRejection> {
        let too_large = WebhookRejection::BodyTooLarge {
            limit: self.max_body_bytes,
        };
        // Refuse a declared oversize before reading a byte of it.
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.max_body_bytes as u64) {
            return Err(too_large);
        }
        let capacity = declared
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0)
            .min(self.max_body_bytes);
        let mut buffer = Vec::with_capacity(capacity);
        let mut body = body;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| match BodyError::find(&e) {
                // Bounds of `crate::serve`, when the endpoint is served by it.
                Some(BodyError::TimedOut) => WebhookRejection::BodyTimedOut,
                Some(BodyError::BudgetExhausted) => WebhookRejection::Busy,
                _ => WebhookRejection::BodyUnreadable,
            })?;
            if let Ok(data) = frame.into_data() {
                if buffer.len().saturating_add(data.len()) > self.max_body_bytes {
                    return Err(too_large);
                }
                buffer.extend_from_slice(&data);
            }
        }
        Ok(buffer)
    }
}

/// `application/json`, with or without parameters (`; charset=utf-8`), in any case.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

async fn receive_single(State(endpoint): State<WebhookEndpoint>, request: Request) -> Response {
    let tenant = Arc::clone(&endpoint.tenant);
    answer(&endpoint, &tenant, request).await
}

async fn receive_for_tenant(
    State(endpoint): State<WebhookEndpoint>,
    Path(tenant): Path<String>,
    request: Request,
) -> Response {
    answer(&endpoint, &tenant, request).await
}

async fn answer(endpoint: &WebhookEndpoint, tenant: &str, request: Request) -> Response {
    let span = tracing::info_span!(
        "molam.webhook.receive",
        tenant,
        "event.id" = tracing::field::Empty,
        "event.type" = tracing::field::Empty,
        "http.response.status_code" = tracing::field::Empty,
    );
    let outcome = endpoint
        .receive(tenant, request)
        .instrument(span.clone())
        .await;
    // Recorded on the span itself, not on `Span::current()`, which a subscriber without
    // span tracking does not know.
    match outcome {
        Ok(receipt) => {
            span.record("event.id", receipt.event.event_id.as_str());
            span.record("event.type", receipt.event.event_type.as_str());
            span.record("http.response.status_code", 200);
            span.in_scope(|| tracing::info!(recorded = ?receipt.recorded, "webhook recorded"));
            accepted(&receipt)
        }
        Err(rejection) => {
            span.record("http.response.status_code", rejection.status().as_u16());
            span.in_scope(|| log_rejection(&rejection));
            rejection.into_response()
        }
    }
}

pub(crate) fn log_rejection(rejection: &WebhookRejection) {
    if rejection.status() == StatusCode::SERVICE_UNAVAILABLE {
        tracing::error!(code = rejection.code(), error = %rejection, "webhook not recorded");
    } else {
        tracing::warn!(code = rejection.code(), error = %rejection, "webhook rejected");
    }
}

/// The 200 answer: `{"received":true,"event_id":"evt_…","duplicate":false}`.
pub(crate) fn accepted(receipt: &Receipt) -> Response {
    let body = serde_json::json!({
        "received": true,
        "event_id": receipt.event.event_id,
        "duplicate": receipt.recorded == Recorded::Duplicate,
    });
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
