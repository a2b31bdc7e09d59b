//! Every webhook delivery the mock made, with each attempt's outcome, for the dashboard: the
//! status or the error, how long the endpoint took, and the first bytes of its answer.
//! Bounded: the oldest deliveries are forgotten past [`HISTORY_LEN`].

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

/// How many deliveries are remembered.
pub(crate) const HISTORY_LEN: usize = 500;
/// How much of an endpoint's answer is kept.
pub(crate) const SNIPPET_LEN: usize = 200;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DeliveryState {
    /// Due, or waiting for a retry.
    Pending,
    /// Sent, no outcome reported yet.
    InFlight,
    /// Answered 2xx.
    Succeeded,
    /// Given up after the last attempt.
    Abandoned,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AttemptRecord {
    pub(crate) attempt: u32,
    /// When it was sent, unix ms (the caller's clock).
    pub(crate) sent_at_ms: i64,
    pub(crate) status: Option<u16>,
    pub(crate) error: Option<String>,
    pub(crate) latency_ms: Option<u64>,
    /// The first [`SNIPPET_LEN`] characters of the endpoint's answer.
    pub(crate) answer: Option<String>,
}

/// One delivery: an event to one endpoint, over its attempts.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DeliveryRecord {
    pub(crate) id: u64,
    pub(crate) event_id: String,
    pub(crate) event_type: String,
    pub(crate) url: String,
    pub(crate) state: DeliveryState,
    pub(crate) attempts: Vec<AttemptRecord>,
    /// The event's JSON, to send again on resend.
    #[serde(skip)]
    pub(crate) body: Arc<Vec<u8>>,
}

/// What an attempt's outcome adds to its record.
pub(crate) struct Outcome<'a> {
    pub(crate) status: Option<u16>,
    pub(crate) error: Option<&'a str>,
    pub(crate) latency_ms: Option<u64>,
    pub(crate) answer: Option<&'a str>,
    pub(crate) state: DeliveryState,
}

#[derive(Debug, Default)]
pub(crate) struct DeliveryHistory {
    records: BTreeMap<u64, DeliveryRecord>,
}

impl DeliveryHistory {
    pub(crate) fn queued(&mut self, id: u64, event_id: &str, url: &str, body: &Arc<Vec<u8>>) {
        let event_type = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
            .unwrap_or_default();
        self.records.insert(
            id,
            DeliveryRecord {
                id,
                event_id: event_id.to_owned(),
                event_type,
                url: url.to_owned(),
                state: DeliveryState::Pending,
                attempts: Vec::new(),
                body: Arc::clone(body),
            },
        );
        while self.records.len() > HISTORY_LEN {
            self.records.pop_first();
        }
    }

    pub(crate) fn sent(&mut self, id: u64, attempt: u32, now_ms: i64) {
        if let Some(record) = self.records.get_mut(&id) {
            record.state = DeliveryState::InFlight;
            record.attempts.push(AttemptRecord {
                attempt,
                sent_at_ms: now_ms,
                status: None,
                error: None,
                latency_ms: None,
                answer: None,
            });
        }
    }

    pub(crate) fn finished(&mut self, id: u64, outcome: Outcome<'_>) {
        let Some(record) = self.records.get_mut(&id) else {
            return;
        };
        record.state = outcome.state;
        if let Some(last) = record.attempts.last_mut() {
            last.status = outcome.status;
            last.error = outcome.error.map(str::to_owned);
            last.latency_ms = outcome.latency_ms;
            last.answer = outcome
                .answer
                .map(|a| a.chars().take(SNIPPET_LEN).collect());
        }
    }

    pub(crate) fn get(&self, id: u64) -> Option<&DeliveryRecord> {
        self.records.get(&id)
    }

    pub(crate) fn set_state(&mut self, id: u64, state: DeliveryState) {
        if let Some(record) = self.records.get_mut(&id) {
            record.state = state;
        }
    }

    /// The newest `n` deliveries, newest first.
    pub(crate) fn newest(&self, n: usize) -> impl Iterator<Item = &DeliveryRecord> {
        self.records.values().rev().take(n)
    }
}
