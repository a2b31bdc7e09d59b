//! The request log of the dashboard: every `/v1/` request with what became of it. Bounded:
//! the oldest entries are forgotten past [`JOURNAL_LEN`]. It holds no secret: the API key is
//! not recorded, only the request's method, path, answer and idempotency key.

use std::collections::VecDeque;

use serde::Serialize;

/// How many requests are remembered.
pub(crate) const JOURNAL_LEN: usize = 500;

/// One request.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RequestEntry {
    /// When it arrived, unix ms (the mock's clock).
    pub(crate) at_ms: i64,
    pub(crate) method: String,
    /// The path and query.
    pub(crate) path: String,
    /// `None` when the connection was dropped without an answer.
    pub(crate) status: Option<u16>,
    pub(crate) request_id: String,
    pub(crate) idempotency_key: Option<String>,
    /// The connected account (`Molam-Account`), if any.
    pub(crate) account: Option<String>,
    /// Answered from the idempotency store (`Idempotent-Replayed: true`).
    pub(crate) replayed: bool,
    /// The injected fault (`http_503`, `drop_before_processing`, …), if any.
    pub(crate) fault: Option<&'static str>,
}

#[derive(Debug, Default)]
pub(crate) struct Journal {
    entries: VecDeque<RequestEntry>,
}

impl Journal {
    pub(crate) fn push(&mut self, entry: RequestEntry) {
        if self.entries.len() == JOURNAL_LEN {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    /// The newest `n` requests, newest first.
    pub(crate) fn newest(&self, n: usize) -> impl Iterator<Item = &RequestEntry> {
        self.entries.iter().rev().take(n)
    }
}
