//! Metrics through the [`metrics`](https://docs.rs/metrics) facade, with the `metrics`
//! feature; without it every function here is an empty inline function. The core emits them
//! where it decides (calls, attempts, retries, the breaker, the budget, webhook
//! verification), so both clients report the same things; time is handed in, as everywhere
//! in the core. An application installs whichever recorder it likes (Prometheus, StatsD, …).
//!
//! | name | kind | labels |
//! |---|---|---|
//! | `molam_calls_total` | counter | `endpoint`, `outcome` |
//! | `molam_call_duration_seconds` | histogram | `endpoint`, `outcome` |
//! | `molam_attempts_total` | counter | `endpoint`, `outcome` |
//! | `molam_retries_total` | counter | `reason` |
//! | `molam_breaker_transitions_total` | counter | `to` (`open`, `half_open`, `closed`) |
//! | `molam_retry_budget_exhausted_total` | counter | |
//! | `molam_webhooks_verified_total` | counter | |
//! | `molam_webhooks_rejected_total` | counter | `reason` |
//! | `molam_inbox_backlog` | gauge | |
//! | `molam_inbox_processing_lag_seconds` | histogram | |
//!
//! No label ever holds a key, a secret or an id: `endpoint` is a route template of
//! REFERENCE.md §4 (`POST /v1/connect/payment_intents/{id}/confirm`) or `other`, and every
//! other label takes one of a few fixed values.

use std::time::Duration;

/// Calls by endpoint and outcome.
pub const CALLS: &str = "molam_calls_total";
/// Time a call took, all attempts and waits included.
pub const CALL_DURATION: &str = "molam_call_duration_seconds";
/// Attempts (requests sent, or failed to send) by endpoint and outcome.
pub const ATTEMPTS: &str = "molam_attempts_total";
/// Retries by reason.
pub const RETRIES: &str = "molam_retries_total";
/// Circuit breaker state changes, by the state entered.
pub const BREAKER_TRANSITIONS: &str = "molam_breaker_transitions_total";
/// Retries refused because the client's retry budget was empty.
pub const BUDGET_EXHAUSTED: &str = "molam_retry_budget_exhausted_total";
/// Webhooks whose signature verified.
pub const WEBHOOKS_VERIFIED: &str = "molam_webhooks_verified_total";
/// Webhooks refused, by reason.
pub const WEBHOOKS_REJECTED: &str = "molam_webhooks_rejected_total";
/// Inbox events waiting to be handled.
pub const INBOX_BACKLOG: &str = "molam_inbox_backlog";
/// Time from an event's receipt to its handling.
pub const INBOX_LAG: &str = "molam_inbox_processing_lag_seconds";

/// Every metric name above, for exporters and tests.
pub const ALL: [&str; 10] = [
    CALLS,
    CALL_DURATION,
    ATTEMPTS,
    RETRIES,
    BREAKER_TRANSITIONS,
    BUDGET_EXHAUSTED,
    WEBHOOKS_VERIFIED,
    WEBHOOKS_REJECTED,
    INBOX_BACKLOG,
    INBOX_LAG,
];

/// The routes of REFERENCE.md §4 (method, template, label): the only values of the
/// `endpoint` label besides `other`.
const ROUTES: [(&str, &str, &str); 15] = [
    (
        "POST",
        "/v1/connect/payment_intents",
        "POST /v1/connect/payment_intents",
    ),
    (
        "GET",
        "/v1/connect/payment_intents",
        "GET /v1/connect/payment_intents",
    ),
    (
        "GET",
        "/v1/connect/payment_intents/{id}",
        "GET /v1/connect/payment_intents/{id}",
    ),
    (
        "POST",
        "/v1/connect/payment_intents/{id}/confirm",
        "POST /v1/connect/payment_intents/{id}/confirm",
    ),
    (
        "POST",
        "/v1/connect/payment_intents/{id}/cancel",
        "POST /v1/connect/payment_intents/{id}/cancel",
    ),
    (
        "GET",
        "/v1/connect/charges/{id}",
        "GET /v1/connect/charges/{id}",
    ),
    (
        "POST",
        "/v1/connect/charges/{id}/refund",
        "POST /v1/connect/charges/{id}/refund",
    ),
    ("GET", "/v1/connect/refunds", "GET /v1/connect/refunds"),
    (
        "GET",
        "/v1/connect/refunds/{id}",
        "GET /v1/connect/refunds/{id}",
    ),
    ("POST", "/v1/treasury/payouts", "POST /v1/treasury/payouts"),
    ("GET", "/v1/treasury/payouts", "GET /v1/treasury/payouts"),
    (
        "GET",
        "/v1/treasury/payouts/{id}",
        "GET /v1/treasury/payouts/{id}",
    ),
    (
        "POST",
        "/v1/treasury/payouts/{id}/cancel",
        "POST /v1/treasury/payouts/{id}/cancel",
    ),
    ("GET", "/v1/events", "GET /v1/events"),
    ("GET", "/v1/events/{id}", "GET /v1/events/{id}"),
];

/// The `endpoint` label of a request: `METHOD /route/{id}/template`, or `other` for a path
/// this SDK does not know (a raw request), so that no id or caller input becomes a label.
///
/// ```
/// use molam_core::metrics::endpoint;
/// assert_eq!(endpoint(&http::Method::POST, "/v1/connect/payment_intents/pi_123/confirm"),
///            "POST /v1/connect/payment_intents/{id}/confirm");
/// assert_eq!(endpoint(&http::Method::GET, "/v1/treasury/payouts?limit=3"), "GET /v1/treasury/payouts");
/// assert_eq!(endpoint(&http::Method::GET, "/v1/customers/cus_1"), "other");
/// ```
pub fn endpoint(method: &http::Method, path_and_query: &str) -> &'static str {
    let path = path_and_query
        .split_once('?')
        .map_or(path_and_query, |(p, _)| p);
    ROUTES
        .iter()
        .find(|(m, template, _)| method.as_str() == *m && route_matches(path, template))
        .map_or("other", |(_, _, label)| label)
}

/// Whether `path` fits `template`, where each `{id}` segment stands for one non-empty
/// segment. Byte by byte, with no iterator of segments: a call works its label out once,
/// the first time it is recorded (with the `metrics` feature) or asked for.
fn route_matches(path: &str, template: &str) -> bool {
    const ID: &[u8] = b"{id}";
    let (path, template) = (path.as_bytes(), template.as_bytes());
    let (mut p, mut t) = (0, 0);
    while t < template.len() {
        if template[t..].starts_with(ID) {
            let start = p;
            while p < path.len() && path[p] != b'/' {
                p += 1;
            }
            if p == start {
                return false;
            }
            t += ID.len();
        } else if path.get(p) == Some(&template[t]) {
            p += 1;
            t += 1;
        } else {
            return false;
        }
    }
    p == path.len()
}

/// How an attempt ended, as the `outcome` label of [`ATTEMPTS`].
pub fn attempt_outcome(status: Option<u16>, timed_out: bool) -> &'static str {
    match status {
        Some(200..=299) => "success",
        Some(429) => "rate_limited",
        Some(400..=499) => "client_error",
        Some(_) => "server_error",
        None if timed_out => "timeout",
        None => "transport_error",
    }
}

/// How a call ended, as the `outcome` label of [`CALLS`]. Every variant is named (no
/// wildcard), so a new error kind cannot go uncounted.
pub fn call_outcome<T>(result: &Result<T, crate::Error>) -> &'static str {
    use crate::Error;
    match result {
        Ok(_) => "success",
        Err(Error::Api(_)) => "api_error",
        Err(Error::RetriesExhausted { .. }) => "retries_exhausted",
        Err(Error::OutcomeUnknown { .. }) => "outcome_unknown",
        Err(Error::Idempotency(_)) => "idempotency_error",
        Err(Error::CircuitOpen { .. }) => "circuit_open",
        Err(Error::Transport(_)) => "transport_error",
        Err(Error::Decode(_)) => "decode_error",
        Err(Error::InvalidParams(_) | Error::InvalidConfig(_)) => "invalid",
        Err(Error::Signature(_) | Error::InvalidEvent { .. }) => "webhook_error",
    }
}

/// The `reason` label of [`RETRIES`].
pub fn retry_reason(class: crate::retry::RetryClass) -> &'static str {
    use crate::retry::RetryClass;
    match class {
        RetryClass::Transient => "transient",
        RetryClass::Timeout => "timeout",
        RetryClass::Throttling => "throttling",
        RetryClass::Server => "server",
        RetryClass::ServerDirected => "server_directed",
    }
}

/// The `reason` label of [`WEBHOOKS_REJECTED`].
pub fn rejection_reason(error: &crate::webhook::SignatureError) -> &'static str {
    use crate::webhook::SignatureError;
    match error {
        SignatureError::MissingHeader => "missing_header",
        SignatureError::DuplicateHeader => "duplicate_header",
        SignatureError::Malformed(_) => "malformed_header",
        SignatureError::UnknownKeyId => "unknown_key_id",
        SignatureError::TimestampOutsideTolerance { .. } => "timestamp_outside_tolerance",
        SignatureError::SignatureMismatch => "signature_mismatch",
        SignatureError::UnusableSecret => "unusable_secret",
    }
}

#[cfg(feature = "metrics")]
mod emit {
    use super::*;

    pub(super) fn describe() {
        use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
        describe_counter!(CALLS, "Calls to the Molam API by endpoint and outcome.");
        describe_histogram!(
            CALL_DURATION,
            Unit::Seconds,
            "Time a call took, all attempts and waits included."
        );
        describe_counter!(
            ATTEMPTS,
            "Requests sent to the Molam API by endpoint and outcome."
        );
        describe_counter!(RETRIES, "Retries by reason.");
        describe_counter!(BREAKER_TRANSITIONS, "Circuit breaker state changes.");
        describe_counter!(
            BUDGET_EXHAUSTED,
            "Retries refused: the retry budget was empty."
        );
        describe_counter!(WEBHOOKS_VERIFIED, "Webhooks whose signature verified.");
        describe_counter!(WEBHOOKS_REJECTED, "Webhooks refused, by reason.");
        describe_gauge!(INBOX_BACKLOG, "Inbox events waiting to be handled.");
        describe_histogram!(
            INBOX_LAG,
            Unit::Seconds,
            "Time from an event's receipt to its handling."
        );
    }

    pub(super) fn call(endpoint: &'static str, outcome: &'static str, elapsed: Duration) {
        metrics::counter!(CALLS, "endpoint" => endpoint, "outcome" => outcome).increment(1);
        metrics::histogram!(CALL_DURATION, "endpoint" => endpoint, "outcome" => outcome)
            .record(elapsed.as_secs_f64());
    }

    pub(super) fn attempt(endpoint: &'static str, outcome: &'static str) {
        metrics::counter!(ATTEMPTS, "endpoint" => endpoint, "outcome" => outcome).increment(1);
    }

    pub(super) fn retry(reason: &'static str) {
        metrics::counter!(RETRIES, "reason" => reason).increment(1);
    }

    pub(super) fn breaker(to: &'static str) {
        metrics::counter!(BREAKER_TRANSITIONS, "to" => to).increment(1);
    }

    pub(super) fn budget_exhausted() {
        metrics::counter!(BUDGET_EXHAUSTED).increment(1);
    }

    pub(super) fn webhook_verified() {
        metrics::counter!(WEBHOOKS_VERIFIED).increment(1);
    }

    pub(super) fn webhook_rejected(reason: &'static str) {
        metrics::counter!(WEBHOOKS_REJECTED, "reason" => reason).increment(1);
    }

    pub(super) fn inbox_backlog(events: u64) {
        #[allow(clippy::cast_precision_loss)] // a backlog fits f64's 53 bits
        metrics::gauge!(INBOX_BACKLOG).set(events as f64);
    }

    pub(super) fn inbox_lag(lag: Duration) {
        metrics::histogram!(INBOX_LAG).record(lag.as_secs_f64());
    }
}

#[cfg(not(feature = "metrics"))]
mod emit {
    use std::time::Duration;

    #[inline(always)]
    pub(super) fn describe() {}
    #[inline(always)]
    pub(super) fn call(_: &'static str, _: &'static str, _: Duration) {}
    #[inline(always)]
    pub(super) fn attempt(_: &'static str, _: &'static str) {}
    #[inline(always)]
    pub(super) fn retry(_: &'static str) {}
    #[inline(always)]
    pub(super) fn breaker(_: &'static str) {}
    #[inline(always)]
    pub(super) fn budget_exhausted() {}
    #[inline(always)]
    pub(super) fn webhook_verified() {}
    #[inline(always)]
    pub(super) fn webhook_rejected(_: &'static str) {}
    #[inline(always)]
    pub(super) fn inbox_backlog(_: u64) {}
    #[inline(always)]
    pub(super) fn inbox_lag(_: Duration) {}
}

/// Whether this build emits metrics (the `metrics` feature): without it, the core skips
/// working out what it would record.
pub(crate) const ENABLED: bool = cfg!(feature = "metrics");

/// Registers each metric's description and unit with the installed recorder (optional: an
/// exporter shows them as `# HELP`).
pub fn describe() {
    emit::describe();
}

/// A call ended with `outcome` after `elapsed` (from its first attempt to its answer).
pub fn record_call(endpoint: &'static str, outcome: &'static str, elapsed: Duration) {
    emit::call(endpoint, outcome, elapsed);
}

/// An attempt ended with `outcome` (see [`attempt_outcome`]).
pub fn record_attempt(endpoint: &'static str, outcome: &'static str) {
    emit::attempt(endpoint, outcome);
}

/// A retry of `class` was decided.
pub fn record_retry(class: crate::retry::RetryClass) {
    emit::retry(retry_reason(class));
}

/// The breaker entered `to` (`open`, `half_open` or `closed`).
pub fn record_breaker_transition(to: &'static str) {
    emit::breaker(to);
}

/// A retry was refused because the budget was empty.
pub fn record_budget_exhausted() {
    emit::budget_exhausted();
}

/// A webhook's signature verified (`Ok`) or was refused (`Err`, by reason).
pub fn record_webhook(result: &Result<(), crate::webhook::SignatureError>) {
    match result {
        Ok(()) => emit::webhook_verified(),
        Err(e) => emit::webhook_rejected(rejection_reason(e)),
    }
}

/// A webhook was refused for a reason other than its signature (`not_an_event`, say).
pub fn record_webhook_rejected(reason: &'static str) {
    emit::webhook_rejected(reason);
}

/// The inbox holds `events` events waiting to be handled.
pub fn record_inbox_backlog(events: u64) {
    emit::inbox_backlog(events);
}

/// An inbox event was handled `lag` after it was received.
pub fn record_inbox_lag(lag: Duration) {
    emit::inbox_lag(lag);
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    #[test]
    fn every_route_of_the_reference_has_its_template_and_ids_never_become_labels() {
        let cases = [
            (
                Method::POST,
                "/v1/connect/payment_intents",
                "POST /v1/connect/payment_intents",
            ),
            (
                Method::GET,
                "/v1/connect/payment_intents?limit=3",
                "GET /v1/connect/payment_intents",
            ),
            (
                Method::GET,
                "/v1/connect/payment_intents/pi_1",
                "GET /v1/connect/payment_intents/{id}",
            ),
            (
                Method::POST,
                "/v1/connect/payment_intents/pi_1/cancel",
                "POST /v1/connect/payment_intents/{id}/cancel",
            ),
            (
                Method::GET,
                "/v1/connect/charges/ch_1",
                "GET /v1/connect/charges/{id}",
            ),
            (
                Method::POST,
                "/v1/connect/charges/ch_1/refund",
                "POST /v1/connect/charges/{id}/refund",
            ),
            (
                Method::GET,
                "/v1/connect/refunds/re_1",
                "GET /v1/connect/refunds/{id}",
            ),
            (
                Method::POST,
                "/v1/treasury/payouts/po_1/cancel",
                "POST /v1/treasury/payouts/{id}/cancel",
            ),
            (Method::GET, "/v1/events/evt_1", "GET /v1/events/{id}"),
            (Method::GET, "/v1/events?type=payout.*", "GET /v1/events"),
        ];
        for (method, path, label) in cases {
            assert_eq!(endpoint(&method, path), label, "{method} {path}");
        }
        for (method, path) in [
            (Method::DELETE, "/v1/connect/payment_intents/pi_1"),
            (Method::GET, "/v1/customers/cus_secret_1"),
            (Method::GET, "/v1/connect/payment_intents//confirm"),
            (Method::GET, "/__health"),
            (Method::GET, "/v1/events/"),
            (Method::GET, "/v1/connect/payment_intents/pi_1/"),
            (Method::GET, "/v1/connect/payment_intent"),
            (Method::GET, "/v1/connect/payment_intents_all"),
            (
                Method::POST,
                "/v1/connect/payment_intents/pi_1/confirm/extra",
            ),
        ] {
            assert_eq!(endpoint(&method, path), "other", "{method} {path}");
        }
    }

    #[test]
    fn outcomes_take_a_few_fixed_values() {
        assert_eq!(attempt_outcome(Some(200), false), "success");
        assert_eq!(attempt_outcome(Some(429), false), "rate_limited");
        assert_eq!(attempt_outcome(Some(402), false), "client_error");
        assert_eq!(attempt_outcome(Some(503), false), "server_error");
        assert_eq!(attempt_outcome(None, true), "timeout");
        assert_eq!(attempt_outcome(None, false), "transport_error");
        assert_eq!(call_outcome::<()>(&Ok(())), "success");
    }
}
