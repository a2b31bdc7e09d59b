//! [`VerifiedEvent`]: the typed [`Event`] for handlers that act on a delivery inline.

use axum::extract::{FromRef, FromRequest, Request};
use molam_core::inbox::{ReceivedEvent, Recorded};
use molam_core::resources::Event;
use tracing::Instrument;

use crate::endpoint::{log_rejection, WebhookEndpoint};
use crate::rejection::WebhookRejection;

/// A delivery that passed every check of [`WebhookEndpoint`] and **was recorded in its inbox
/// before your handler runs**, decoded as a typed [`Event`].
///
/// As an extractor it needs a [`WebhookEndpoint`] in the router's state (or reachable by
/// [`FromRef`]); when a check fails the handler is not called and the sender gets the
/// endpoint's answer (400, 401, 413, 415, 503).
///
/// Your handler's response is what Molam sees. Events arrive more than once: check
/// [`VerifiedEvent::is_duplicate`]. The event is already durable, so a handler that fails may
/// still answer 2xx and leave the work to the inbox's workers.
///
/// ```
/// use std::sync::Arc;
/// use axum::{routing::post, Router};
/// use molam_axum::{StaticSecrets, VerifiedEvent, WebhookEndpoint};
/// use molam_core::{inbox::InMemoryWebhookInbox, resources::EventType, webhook::WebhookSecret};
///
/// async fn on_event(delivery: VerifiedEvent) -> &'static str {
///     if !delivery.is_duplicate() && delivery.event.event_type == EventType::PaymentIntentSucceeded {
///         // fulfil the order
///     }
///     "ok"
/// }
///
/// let endpoint = WebhookEndpoint::new(
///     StaticSecrets::new(vec![WebhookSecret::new("whsec_test_5f1c2a9e")]),
///     Arc::new(InMemoryWebhookInbox::new()),
/// );
/// let app: Router = Router::new().route("/webhooks/molam", post(on_event)).with_state(endpoint);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedEvent {
    /// The event, typed.
    pub event: Event,
    /// The delivery as recorded: raw payload, signature header, tenant, receive time.
    pub received: ReceivedEvent,
    /// Whether this delivery was new to the inbox.
    pub recorded: Recorded,
}

impl VerifiedEvent {
    /// True when the inbox already had this event (a redelivery).
    pub fn is_duplicate(&self) -> bool {
        self.recorded == Recorded::Duplicate
    }

    /// The connected account the event belongs to (REFERENCE.md §6), for a platform that
    /// acts for several; `None` for the platform's own events.
    pub fn account(&self) -> Option<&molam_core::account::AccountId> {
        self.event.account.as_ref()
    }
}

impl<S> FromRequest<S> for VerifiedEvent
where
    S: Send + Sync,
    WebhookEndpoint: FromRef<S>,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let endpoint = WebhookEndpoint::from_ref(state);
        let tenant = endpoint.tenant().to_owned();
        let span = tracing::info_span!(
            "molam.webhook.receive",
            tenant = tenant.as_str(),
            "event.id" = tracing::field::Empty,
            "event.type" = tracing::field::Empty,
        );
        let result = async {
            let verified = endpoint.verify(&tenant, request).await?;
            let event = verified.event.clone();
            let receipt = endpoint.record(verified).await?;
            Ok(VerifiedEvent {
                event,
                received: receipt.event,
                recorded: receipt.recorded,
            })
        }
        .instrument(span.clone())
        .await;
        match &result {
            Ok(delivery) => {
                span.record("event.id", delivery.event.id.as_str());
                span.record("event.type", delivery.event.event_type.as_str());
                span.in_scope(|| tracing::info!(recorded = ?delivery.recorded, "webhook recorded"));
            }
            Err(rejection) => span.in_scope(|| log_rejection(rejection)),
        }
        result
    }
}
