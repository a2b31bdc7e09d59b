//! Counters for tests and demos, served at `/__mock/stats`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::FaultKind;
use crate::router::ROUTES;

/// Webhook delivery counters.
#[derive(Debug, Default, Clone, Serialize)]
pub(crate) struct WebhookStats {
    /// Deliveries handed to the server to send.
    pub(crate) attempts: u64,
    /// Attempts answered 2xx.
    pub(crate) succeeded: u64,
    /// Attempts answered otherwise or not at all.
    pub(crate) failed: u64,
    /// Deliveries given up after the last attempt.
    pub(crate) abandoned: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct Stats {
    requests: Vec<u64>,
    unmatched: u64,
    objects: BTreeMap<&'static str, u64>,
    replays: u64,
    faults: BTreeMap<FaultKind, u64>,
    pub(crate) webhooks: WebhookStats,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            requests: vec![0; ROUTES.len()],
            unmatched: 0,
            objects: BTreeMap::new(),
            replays: 0,
            faults: BTreeMap::new(),
            webhooks: WebhookStats::default(),
        }
    }
}

/// The JSON of `/__mock/stats`.
#[derive(Serialize)]
struct StatsBody<'a> {
    requests_total: u64,
    /// `"METHOD /templated/path"` → count; `"unmatched"` for paths no route takes.
    requests: BTreeMap<String, u64>,
    objects_created: &'a BTreeMap<&'static str, u64>,
    idempotent_replays: u64,
    faults: BTreeMap<&'static str, u64>,
    webhooks: &'a WebhookStats,
}

impl Stats {
    pub(crate) fn request(&mut self, route: Option<usize>) {
        match route.and_then(|i| self.requests.get_mut(i)) {
            Some(n) => *n += 1,
            None => self.unmatched += 1,
        }
    }

    pub(crate) fn created(&mut self, kind: &'static str) {
        *self.objects.entry(kind).or_default() += 1;
    }

    pub(crate) fn replayed(&mut self) {
        self.replays += 1;
    }

    pub(crate) fn fault(&mut self, kind: FaultKind) {
        *self.faults.entry(kind).or_default() += 1;
    }

    pub(crate) fn to_json(&self) -> serde_json::Value {
        let mut requests: BTreeMap<String, u64> = ROUTES
            .iter()
            .zip(&self.requests)
            .filter(|(_, &n)| n > 0)
            .map(|(r, &n)| (format!("{} {}", r.method, r.path), n))
            .collect();
        if self.unmatched > 0 {
            requests.insert("unmatched".to_owned(), self.unmatched);
        }
        let body = StatsBody {
            requests_total: self.requests.iter().sum::<u64>() + self.unmatched,
            requests,
            objects_created: &self.objects,
            idempotent_replays: self.replays,
            faults: self.faults.iter().map(|(k, &n)| (k.name(), n)).collect(),
            webhooks: &self.webhooks,
        };
        serde_json::to_value(body).unwrap_or(serde_json::Value::Null)
    }
}
