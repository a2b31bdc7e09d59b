//! Server-side idempotency (REFERENCE.md §1, §2): per API key, an `Idempotency-Key` is remembered
//! for 24 h with a fingerprint of the request (method, path with query, parsed body).
//!
//! ```text
//! claim ─▶ unknown or expired ──────────▶ Proceed (record InFlight)
//!       ├─▶ InFlight ───────────────────▶ InUse   (409 idempotency_key_in_use)
//!       ├─▶ Done, same fingerprint ─────▶ Replay  (stored status and body)
//!       └─▶ Done, other fingerprint ────▶ Reused  (422 idempotency_key_reused)
//! after Proceed: executed ─▶ complete (Done) · failed before executing ─▶ release
//! ```

use std::collections::{HashMap, VecDeque};

use http::Method;

use crate::params::Body;
use crate::wire::Reply;

/// How long a completed key is remembered.
pub(crate) const TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// What makes two requests "the same" for idempotency. Bodies compare as parsed JSON, so
/// key order and whitespace do not matter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fingerprint {
    pub(crate) method: Method,
    pub(crate) target: String,
    pub(crate) body: Body,
}

#[derive(Debug)]
enum Record {
    InFlight(Fingerprint),
    Done {
        fingerprint: Fingerprint,
        reply: Reply,
        request_id: String,
        expires_ms: i64,
    },
}

/// The answer to a claim.
#[derive(Debug)]
pub(crate) enum Claim {
    Proceed,
    Replay { reply: Reply, request_id: String },
    InUse,
    Reused,
}

/// One account's keys.
#[derive(Debug, Default)]
pub(crate) struct IdempotencyStore {
    records: HashMap<String, Record>,
    expiries: VecDeque<(i64, String)>,
}

impl IdempotencyStore {
    pub(crate) fn claim(&mut self, key: &str, fingerprint: &Fingerprint, now_ms: i64) -> Claim {
        self.purge(now_ms);
        match self.records.get(key) {
            Some(Record::InFlight(_)) => Claim::InUse,
            Some(Record::Done {
                fingerprint: stored,
                reply,
                request_id,
                ..
            }) => {
                if stored == fingerprint {
                    Claim::Replay {
                        reply: reply.clone(),
                        request_id: request_id.clone(),
                    }
                } else {
                    Claim::Reused
                }
            }
            None => {
                self.records
                    .insert(key.to_owned(), Record::InFlight(fingerprint.clone()));
                Claim::Proceed
            }
        }
    }

    /// Stores the final answer of a claimed key.
    pub(crate) fn complete(&mut self, key: &str, reply: &Reply, request_id: &str, now_ms: i64) {
        if let Some(record) = self.records.get_mut(key) {
            if let Record::InFlight(fingerprint) = record {
                let expires_ms = now_ms.saturating_add(TTL_MS);
                *record = Record::Done {
                    fingerprint: fingerprint.clone(),
                    reply: reply.clone(),
                    request_id: request_id.to_owned(),
                    expires_ms,
                };
                self.expiries.push_back((expires_ms, key.to_owned()));
            }
        }
    }

    /// Forgets a claimed key whose request did not execute, so a retry may run it.
    pub(crate) fn release(&mut self, key: &str) {
        if matches!(self.records.get(key), Some(Record::InFlight(_))) {
            self.records.remove(key);
        }
    }

    fn purge(&mut self, now_ms: i64) {
        while let Some((expires_ms, _)) = self.expiries.front() {
            if *expires_ms > now_ms {
                break;
            }
            let Some((expires_ms, key)) = self.expiries.pop_front() else {
                break;
            };
            if matches!(self.records.get(&key), Some(Record::Done { expires_ms: e, .. }) if *e == expires_ms)
            {
                self.records.remove(&key);
            }
        }
    }
}

/// `Idempotency-Key`: 1–255 printable ASCII characters, no spaces.
pub(crate) fn is_valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(body: &str) -> Fingerprint {
        Fingerprint {
            method: Method::POST,
            target: "/v1/treasury/payouts".into(),
            body: Body::parse(body.as_bytes()).unwrap(),
        }
    }

    fn ok() -> Reply {
        Reply::ok(&serde_json::json!({"id": "po_1"}))
    }

    #[test]
    fn a_completed_key_replays_then_expires_after_24_hours() {
        let mut s = IdempotencyStore::default();
        assert!(matches!(
            s.claim("k", &fp(r#"{"a":1,"b":2}"#), 0),
            Claim::Proceed
        ));
        s.complete("k", &ok(), "req_1", 0);
        match s.claim("k", &fp(r#"{"b":2, "a":1}"#), TTL_MS - 1) {
            Claim::Replay { request_id, .. } => assert_eq!(request_id, "req_1"),
            other => panic!("expected a replay, got {other:?}"),
        }
        assert!(matches!(s.claim("k", &fp("{}"), TTL_MS), Claim::Proceed));
    }

    #[test]
    fn in_flight_keys_conflict_and_released_keys_are_free() {
        let mut s = IdempotencyStore::default();
        assert!(matches!(s.claim("k", &fp("{}"), 0), Claim::Proceed));
        assert!(matches!(s.claim("k", &fp("{}"), 0), Claim::InUse));
        s.release("k");
        assert!(matches!(s.claim("k", &fp("{}"), 0), Claim::Proceed));
        s.complete("k", &ok(), "req_1", 0);
        assert!(matches!(s.claim("k", &fp(r#"{"x":1}"#), 0), Claim::Reused));
    }

    #[test]
    fn key_format_is_printable_ascii_without_spaces() {
        assert!(is_valid_key("order-12345:create-intent"));
        assert!(!is_valid_key(""));
        assert!(!is_valid_key("a b"));
        assert!(!is_valid_key(&"k".repeat(256)));
        assert!(!is_valid_key("clé"));
    }
}
