//! Webhook deliveries, sans-IO: every event is queued for every registered endpoint; the
//! shell takes due deliveries with [`crate::Mock::poll_deliveries`], sends them, and reports
//! each outcome with [`crate::Mock::handle_delivery_result`]. A non-2xx answer (or none) is
//! retried with exponential backoff up to [`DeliveryRetry::max_attempts`].
//!
//! Signatures follow REFERENCE.md §5 and are computed here, independently of `molam-core`, so
//! that the core's verifier is checked against a second implementation.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::config::DeliveryRetry;
use crate::dashboard::history::{DeliveryHistory, DeliveryState, Outcome};
use crate::stats::WebhookStats;

/// An attempt that got no result within this long counts as failed (the shell lost it).
const LOST_AFTER_MS: i64 = 60_000;
/// How many delivery attempts `/__mock/webhooks` remembers.
const LOG_LEN: usize = 200;

/// Identifies one queued delivery across its attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeliveryId(pub u64);

/// One attempt to send, ready for an HTTP client: `POST` to the endpoint with the event as
/// JSON and a fresh `Molam-Signature`.
#[derive(Debug)]
pub struct Delivery {
    /// Report the outcome under this id.
    pub id: DeliveryId,
    /// The event delivered.
    pub event_id: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The request to send (its URI is the endpoint's URL).
    pub request: http::Request<Vec<u8>>,
}

/// What the endpoint's answer looked like, for the dashboard (see
/// [`crate::Mock::handle_delivery_report`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryAnswer {
    /// From sending the request to the answer.
    pub latency: Option<std::time::Duration>,
    /// The start of the answer's body, as text.
    pub body: Option<String>,
}

/// What became of an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryResult {
    /// The endpoint answered with this status (2xx is success).
    Status(u16),
    /// No answer: refused, reset, timed out (the text says why).
    Failed(String),
}

#[derive(Debug)]
struct Task {
    url: String,
    event_id: String,
    body: Arc<Vec<u8>>,
    attempts: u32,
    due_ms: i64,
    sent_at_ms: Option<i64>,
}

/// One line of the delivery log.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Attempt {
    event_id: String,
    url: String,
    attempt: u32,
    status: Option<u16>,
    error: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Webhooks {
    pub(crate) endpoints: Vec<String>,
    secret: String,
    kid: Option<String>,
    retry: DeliveryRetry,
    tasks: BTreeMap<u64, Task>,
    next_id: u64,
    log: VecDeque<Attempt>,
    /// Every delivery with its attempts, for the dashboard.
    pub(crate) history: DeliveryHistory,
}

/// Lower-case hex HMAC-SHA256 of `"{t}.{body}"` keyed by the secret's bytes (REFERENCE.md §5).
pub(crate) fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let mut hex = String::with_capacity(64);
    for b in mac.finalize().into_bytes() {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

impl Webhooks {
    pub(crate) fn new(
        endpoints: Vec<String>,
        secret: String,
        kid: Option<String>,
        retry: DeliveryRetry,
    ) -> Self {
        Webhooks {
            endpoints,
            secret,
            kid,
            retry,
            tasks: BTreeMap::new(),
            next_id: 1,
            log: VecDeque::new(),
            history: DeliveryHistory::default(),
        }
    }

    pub(crate) fn wants_events(&self) -> bool {
        !self.endpoints.is_empty()
    }

    pub(crate) fn add_endpoint(&mut self, url: String) {
        if !self.endpoints.contains(&url) {
            self.endpoints.push(url);
        }
    }

    /// Queues `body` (an event's JSON) for every endpoint, due at once.
    pub(crate) fn enqueue(&mut self, event_id: &str, body: Vec<u8>, now_ms: i64) {
        let body = Arc::new(body);
        for url in &self.endpoints {
            self.tasks.insert(
                self.next_id,
                Task {
                    url: url.clone(),
                    event_id: event_id.to_owned(),
                    body: Arc::clone(&body),
                    attempts: 0,
                    due_ms: now_ms,
                    sent_at_ms: None,
                },
            );
            self.history.queued(self.next_id, event_id, url, &body);
            self.next_id += 1;
        }
    }

    /// The earliest time something is due (a delivery, or the loss of an unanswered one).
    pub(crate) fn next_due(&self) -> Option<i64> {
        self.tasks
            .values()
            .map(|t| t.sent_at_ms.map_or(t.due_ms, |s| s + LOST_AFTER_MS))
            .min()
    }

    /// Hands out the deliveries due at `now_ms`, signed at `now_ms`.
    pub(crate) fn poll(&mut self, now_ms: i64, stats: &mut WebhookStats) -> Vec<Delivery> {
        let lost: Vec<u64> = self
            .tasks
            .iter()
            .filter(|(_, t)| t.sent_at_ms.is_some_and(|s| s + LOST_AFTER_MS <= now_ms))
            .map(|(&id, _)| id)
            .collect();
        for id in lost {
            self.result(
                DeliveryId(id),
                &DeliveryResult::Failed("no result reported".into()),
                &DeliveryAnswer::default(),
                now_ms,
                stats,
            );
        }
        let t = now_ms.div_euclid(1000);
        let mut out = Vec::new();
        for (&id, task) in self.tasks.iter_mut() {
            if task.sent_at_ms.is_some() || task.due_ms > now_ms {
                continue;
            }
            task.attempts += 1;
            task.sent_at_ms = Some(now_ms);
            stats.attempts += 1;
            self.history.sent(id, task.attempts, now_ms);
            let mut header = format!("t={t}");
            if let Some(kid) = &self.kid {
                let _ = write!(header, ",kid={kid}");
            }
            let _ = write!(header, ",v1={}", sign(&self.secret, t, &task.body));
            let request = http::Request::post(task.url.as_str())
                .header(http::header::CONTENT_TYPE, "application/json")
                .header(http::header::USER_AGENT, "molam-mock/webhooks")
                .header("molam-signature", header)
                .body(task.body.as_ref().clone());
            match request {
                Ok(request) => out.push(Delivery {
                    id: DeliveryId(id),
                    event_id: task.event_id.clone(),
                    attempt: task.attempts,
                    request,
                }),
                // An endpoint URL that is not a valid URI can never be delivered to.
                Err(_) => task.attempts = self.retry.max_attempts,
            }
        }
        out
    }

    pub(crate) fn result(
        &mut self,
        id: DeliveryId,
        result: &DeliveryResult,
        answer: &DeliveryAnswer,
        now_ms: i64,
        stats: &mut WebhookStats,
    ) {
        let Some(task) = self.tasks.get_mut(&id.0) else {
            return;
        };
        if task.sent_at_ms.is_none() {
            return;
        }
        let (status, error) = match result {
            DeliveryResult::Status(s) => (Some(*s), None),
            DeliveryResult::Failed(e) => (None, Some(e.clone())),
        };
        if self.log.len() == LOG_LEN {
            self.log.pop_front();
        }
        self.log.push_back(Attempt {
            event_id: task.event_id.clone(),
            url: task.url.clone(),
            attempt: task.attempts,
            status,
            error: error.clone(),
        });
        let succeeded = status.is_some_and(|s| (200..300).contains(&s));
        let given_up = !succeeded && task.attempts >= self.retry.max_attempts;
        self.history.finished(
            id.0,
            Outcome {
                status,
                error: error.as_deref(),
                latency_ms: answer
                    .latency
                    .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                answer: answer.body.as_deref(),
                state: match (succeeded, given_up) {
                    (true, _) => DeliveryState::Succeeded,
                    (false, true) => DeliveryState::Abandoned,
                    (false, false) => DeliveryState::Pending,
                },
            },
        );
        if succeeded {
            stats.succeeded += 1;
            self.tasks.remove(&id.0);
            return;
        }
        stats.failed += 1;
        if given_up {
            stats.abandoned += 1;
            self.tasks.remove(&id.0);
            return;
        }
        let wait = i64::try_from(self.retry.backoff(task.attempts).as_millis()).unwrap_or(i64::MAX);
        task.due_ms = now_ms.saturating_add(wait);
        task.sent_at_ms = None;
    }

    /// Sends delivery `id` again now, as one more attempt: at once if it waits for a retry,
    /// or anew if it succeeded or was given up. Refused while an attempt is in flight.
    pub(crate) fn resend(&mut self, id: u64, now_ms: i64) -> Result<(), &'static str> {
        if let Some(task) = self.tasks.get_mut(&id) {
            if task.sent_at_ms.is_some() {
                return Err("an attempt of this delivery is in flight");
            }
            task.due_ms = now_ms;
            return Ok(());
        }
        let record = self.history.get(id).ok_or("no such delivery")?;
        let task = Task {
            url: record.url.clone(),
            event_id: record.event_id.clone(),
            body: Arc::clone(&record.body),
            attempts: u32::try_from(record.attempts.len()).unwrap_or(u32::MAX),
            due_ms: now_ms,
            sent_at_ms: None,
        };
        self.tasks.insert(id, task);
        self.history.set_state(id, DeliveryState::Pending);
        Ok(())
    }

    pub(crate) fn pending(&self) -> usize {
        self.tasks.len()
    }

    pub(crate) fn log(&self) -> impl Iterator<Item = &Attempt> {
        self.log.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::sign;

    #[test]
    fn signature_matches_the_normative_vector_of_api_md() {
        let body = br#"{"id":"evt_1NtestVector","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_3Ntest","object":"payment_intent","amount":2500,"currency":"XOF","status":"succeeded"}}}"#;
        assert_eq!(
            sign("whsec_test_5f1c2a9e", 1_700_000_000, body),
            "56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73"
        );
    }
}
