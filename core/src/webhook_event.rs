//! Webhook receipt in one place: a delivery's headers and raw body, the secrets and the time
//! in; the verified, decoded [`Event`] or the one reason it was refused out.
//!
//! Every receiver of this SDK runs this and nothing else: `client.webhooks().verify(..)` of
//! both clients ([`Webhooks`]), the `molam-axum` endpoint, `molam listen` and
//! `molam webhooks verify`. The steps, each only when the previous one passed:
//!
//! ```text
//!  headers ──one Molam-Signature?──► parse ──fresh?──► [kid] ──secrets──► MAC ──► decode once ──► Event
//!             │                        │       │                 │          │           │
//!        MissingHeader /           Malformed  TimestampOutside  UnknownKeyId  Signature   NotAnEvent
//!        DuplicateHeader                      Tolerance                      Mismatch
//! ```
//!
//! [`receive`] does it all with a [`SecretResolver`] that answers at once. A receiver whose
//! secrets take I/O to find (a database per tenant) splits it at the `[kid]` point:
//! [`FreshDelivery::check`], look the secrets up for [`FreshDelivery::kid`], then
//! [`FreshDelivery::authenticate`]. So a malformed, stale or replayed delivery costs no lookup,
//! the timestamp is checked once and the body is decoded once.
//!
//! No I/O, no clock: `now_unix` is handed in.

use std::time::Duration;

use http::header::HeaderMap;

use crate::config::Config;
use crate::error::Error;
use crate::inbox::ReceivedEvent;
use crate::resources::Event;
use crate::webhook::{SecretResolver, SignatureError, SignatureHeader, WebhookSecret};

/// The name of the signature header (HTTP header names are case-insensitive).
pub const SIGNATURE_HEADER: &str = "molam-signature";

/// Why a delivery was refused: its signature ([`SignatureError`]: missing or duplicated
/// header, malformed, stale, no secret for its `kid`, mismatch), or an authentic body that is
/// not an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiptError {
    /// The signature check failed.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The body is authentic but not a Molam event (not JSON, no `id` or `type`, an empty
    /// `id`). The message is the decoder's; it never quotes the body.
    #[error("verified webhook body is not a Molam event: {0}")]
    NotAnEvent(String),
}

impl From<ReceiptError> for Error {
    fn from(error: ReceiptError) -> Self {
        match error {
            ReceiptError::Signature(e) => Error::Signature(e),
            ReceiptError::NotAnEvent(message) => Error::InvalidEvent { message },
        }
    }
}

/// The one `Molam-Signature` value of a delivery's headers.
///
/// ```
/// use http::HeaderMap;
/// use molam_core::webhook::SignatureError;
/// use molam_core::webhook_event::{signature_header, SIGNATURE_HEADER};
/// let mut headers = HeaderMap::new();
/// assert_eq!(signature_header(&headers), Err(SignatureError::MissingHeader));
/// headers.append(SIGNATURE_HEADER, "t=1,v1=00".parse()?);
/// assert_eq!(signature_header(&headers), Ok("t=1,v1=00"));
/// headers.append(SIGNATURE_HEADER, "t=1,v1=00".parse()?);
/// assert_eq!(signature_header(&headers), Err(SignatureError::DuplicateHeader));
/// # Ok::<(), http::header::InvalidHeaderValue>(())
/// ```
pub fn signature_header(headers: &HeaderMap) -> Result<&str, SignatureError> {
    let mut values = headers.get_all(SIGNATURE_HEADER).iter();
    let value = values.next().ok_or(SignatureError::MissingHeader)?;
    if values.next().is_some() {
        return Err(SignatureError::DuplicateHeader);
    }
    value
        .to_str()
        .map_err(|_| SignatureError::Malformed("the header is not visible ASCII".to_owned()))
}

/// A delivery whose `Molam-Signature` header is single, well-formed and fresh: not yet
/// authenticated. Look up the secrets for [`FreshDelivery::kid`], then
/// [`FreshDelivery::authenticate`].
#[derive(Debug, Clone)]
#[must_use = "a fresh delivery is not authentic until `authenticate` says so"]
pub struct FreshDelivery<'a> {
    header: SignatureHeader,
    raw_header: &'a str,
    body: &'a [u8],
}

impl<'a> FreshDelivery<'a> {
    /// The checks that need no secret, in order: exactly one `Molam-Signature` header, of
    /// the form of REFERENCE.md §5, with `|now − t| ≤ tolerance`.
    pub fn check(
        headers: &'a HeaderMap,
        body: &'a [u8],
        now_unix: i64,
        tolerance: Duration,
    ) -> Result<Self, ReceiptError> {
        let header = signature_header(headers).map_err(|e| rejected(e.into()))?;
        Self::check_header(header, body, now_unix, tolerance)
    }

    /// [`FreshDelivery::check`] given the header's value rather than the headers.
    pub fn check_header(
        raw_header: &'a str,
        body: &'a [u8],
        now_unix: i64,
        tolerance: Duration,
    ) -> Result<Self, ReceiptError> {
        let header = SignatureHeader::parse(raw_header).map_err(|e| rejected(e.into()))?;
        header
            .check_timestamp(now_unix, tolerance)
            .map_err(|e| rejected(e.into()))?;
        Ok(FreshDelivery {
            header,
            raw_header,
            body,
        })
    }

    /// The header's key id: which secrets to look up (`None`: the default ones).
    pub fn kid(&self) -> Option<&str> {
        self.header.kid()
    }

    /// Authenticates the body against exactly `secrets` (every one is tried, in constant
    /// time), then decodes it, once, into an [`Event`] with a non-empty `id`.
    pub fn authenticate(
        self,
        secrets: &[WebhookSecret],
    ) -> Result<VerifiedDelivery<'a>, ReceiptError> {
        self.header
            .check_signatures(self.body, secrets)
            .map_err(|e| rejected(e.into()))?;
        let event: Event = serde_json::from_slice(self.body)
            .map_err(|e| rejected(ReceiptError::NotAnEvent(e.to_string())))?;
        if event.id.is_empty() {
            return Err(rejected(ReceiptError::NotAnEvent(
                "the event id is empty".to_owned(),
            )));
        }
        crate::metrics::record_webhook(&Ok(()));
        Ok(VerifiedDelivery {
            event,
            signature_header: self.raw_header,
            body: self.body,
        })
    }
}

/// Counts a refused delivery in `molam_webhooks_rejected_total` by reason, and hands the
/// error back.
fn rejected(error: ReceiptError) -> ReceiptError {
    match &error {
        ReceiptError::Signature(e) => {
            crate::metrics::record_webhook_rejected(crate::metrics::rejection_reason(e));
        }
        _ => crate::metrics::record_webhook_rejected("not_an_event"),
    }
    error
}

/// An authentic, fresh delivery and its event, decoded once.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedDelivery<'a> {
    /// The event.
    pub event: Event,
    /// The `Molam-Signature` value it came with.
    pub signature_header: &'a str,
    /// The raw body, as verified.
    pub body: &'a [u8],
}

impl VerifiedDelivery<'_> {
    /// The delivery as an inbox records it: for `tenant` (`""` for a single-tenant
    /// receiver), received at `received_at_unix`, the body kept byte for byte.
    pub fn to_received(&self, tenant: &str, received_at_unix: i64) -> ReceivedEvent {
        ReceivedEvent {
            tenant: tenant.to_owned(),
            event_id: self.event.id.clone(),
            event_type: self.event.event_type.as_str().to_owned(),
            payload: self.body.to_vec(),
            signature_header: Some(self.signature_header.to_owned()),
            received_at_unix,
        }
    }
}

/// Receives a delivery: [`FreshDelivery::check`], the secrets `resolver` gives for its
/// `kid`, [`FreshDelivery::authenticate`].
///
/// ```
/// use http::HeaderMap;
/// use molam_core::webhook::{sign_header, SignatureError, WebhookSecret, DEFAULT_TOLERANCE};
/// use molam_core::webhook_event::{receive, ReceiptError, SIGNATURE_HEADER};
/// let secrets = [WebhookSecret::new("whsec_test_5f1c2a9e")];
/// let body = br#"{"id":"evt_1","object":"event","type":"payout.paid","data":{"object":{}}}"#;
/// let mut headers = HeaderMap::new();
/// headers.insert(SIGNATURE_HEADER, sign_header(&secrets[0], 1_700_000_000, body).parse()?);
///
/// let delivery = receive(&headers, body, &secrets[..], 1_700_000_010, DEFAULT_TOLERANCE)?;
/// assert_eq!(delivery.event.id, "evt_1");
/// assert_eq!(
///     receive(&headers, body, &secrets[..], 1_700_000_301, DEFAULT_TOLERANCE).unwrap_err(),
///     ReceiptError::Signature(SignatureError::TimestampOutsideTolerance { age_seconds: 301 }),
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn receive<'a>(
    headers: &'a HeaderMap,
    body: &'a [u8],
    resolver: &(impl SecretResolver + ?Sized),
    now_unix: i64,
    tolerance: Duration,
) -> Result<VerifiedDelivery<'a>, ReceiptError> {
    let fresh = FreshDelivery::check(headers, body, now_unix, tolerance)?;
    let secrets = resolver.resolve(fresh.kid());
    fresh.authenticate(&secrets)
}

/// Webhook verification with a client's configured secrets and tolerance and its shell's
/// wall clock: what `client.webhooks()` returns in both clients.
///
/// ```
/// use molam_core::{config::Config, webhook::{sign_header, WebhookSecret}, webhook_event::Webhooks};
/// let secret = WebhookSecret::new("whsec_test_5f1c2a9e");
/// let config = Config::builder()
///     .api_key("sk_test_0123456789abcdef")
///     .webhook_secret(secret.clone())
///     .build()?;
/// let body = br#"{"id":"evt_1","object":"event","type":"payout.paid","data":{"object":{}}}"#;
/// let header = sign_header(&secret, 1_700_000_000, body);
/// let webhooks = Webhooks::new(&config, || 1_700_000_010);
/// assert_eq!(webhooks.verify_header(Some(&header), body)?.id, "evt_1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Webhooks<'a> {
    config: &'a Config,
    clock: fn() -> i64,
}

impl<'a> Webhooks<'a> {
    /// Verification against `config`'s webhook secrets at the time `clock` gives (unix
    /// seconds), read once per delivery.
    pub fn new(config: &'a Config, clock: fn() -> i64) -> Self {
        Webhooks { config, clock }
    }

    /// Verifies a delivery (its headers and its raw body, byte for byte as received) and
    /// returns its event. Only an `Ok` event may reach a handler.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Event, Error> {
        let delivery = receive(
            headers,
            body,
            self.config.webhook_secrets(),
            (self.clock)(),
            self.config.webhook_tolerance(),
        )?;
        Ok(delivery.event)
    }

    /// The same, given the `Molam-Signature` header's value (`None` when it is missing).
    pub fn verify_header(&self, header: Option<&str>, body: &[u8]) -> Result<Event, Error> {
        let Some(header) = header else {
            // Counted as every refused delivery is.
            let missing = SignatureError::MissingHeader;
            crate::metrics::record_webhook_rejected(crate::metrics::rejection_reason(&missing));
            return Err(missing.into());
        };
        let fresh = FreshDelivery::check_header(
            header,
            body,
            (self.clock)(),
            self.config.webhook_tolerance(),
        )?;
        let secrets = self.config.webhook_secrets().resolve(fresh.kid());
        Ok(fresh.authenticate(&secrets)?.event)
    }
}

#[cfg(test)]
mod tests;
