//! Retry rules: which outcomes are retried, how long to wait, and the two client-wide guards
//! against retry storms (a token-bucket [`RetryBudget`] and a [`CircuitBreaker`]).
//!
//! Everything here is a pure function or a pure state machine: time is passed in as a
//! [`Duration`] on the shell's monotonic clock, jitter as a number in `[0, 1)`.
//!
//! ```text
//!                 N consecutive retryable failures
//!   ┌────────┐ ───────────────────────────────────▶ ┌──────┐
//!   │ Closed │                                      │ Open │ ── fails fast (CircuitOpen)
//!   └────────┘ ◀──────┐                             └──────┘
//!        ▲            │ probe succeeds                 │ cool-down elapsed
//!        │       ┌──────────┐ ◀────────────────────────┘
//!        └────── │ HalfOpen │ ── probe fails ──▶ Open (cool-down again)
//!                └──────────┘   (one probe at a time; others fail fast)
//! ```

use std::time::Duration;

use crate::error::TransportErrorKind;

/// How a single call retries. Defaults follow DESIGN.md.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (default 3; 1 disables retries).
    pub max_attempts: u32,
    /// First backoff cap (default 500 ms); doubles with each retry.
    pub base_delay: Duration,
    /// Largest backoff cap (default 8 s).
    pub max_delay: Duration,
    /// No wait is shorter than this (default 100 ms).
    pub min_delay: Duration,
    /// `Retry-After` is honoured up to this (default 30 s).
    pub max_retry_after: Duration,
    /// No retry wait may end after this much time since the call started (default 80 s).
    pub deadline: Duration,
    /// Full jitter (default true). Off, every wait is its cap: a knob for tests.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            min_delay: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(30),
            deadline: Duration::from_secs(80),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 = first retry), given `unit` in `[0, 1)` as
    /// the jitter draw and the server's `Retry-After`, if any.
    ///
    /// Full jitter: `unit × min(base × 2^(retry−1), max)`, never under `min_delay`.
    /// A `Retry-After` replaces the computed wait, capped at `max_retry_after`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use molam_core::retry::RetryPolicy;
    /// let p = RetryPolicy { jitter: false, ..RetryPolicy::default() };
    /// assert_eq!(p.backoff(1, 0.3, None), Duration::from_millis(500));
    /// assert_eq!(p.backoff(3, 0.3, None), Duration::from_secs(2));
    /// assert_eq!(p.backoff(9, 0.3, None), Duration::from_secs(8));
    /// assert_eq!(p.backoff(1, 0.3, Some(Duration::from_secs(60))), Duration::from_secs(30));
    /// ```
    pub fn backoff(&self, retry: u32, unit: f64, retry_after: Option<Duration>) -> Duration {
        if let Some(ra) = retry_after {
            return ra.min(self.max_retry_after).max(self.min_delay);
        }
        let exp = retry.saturating_sub(1).min(32);
        let cap = self
            .base_delay
            .checked_mul(1u32 << exp.min(31))
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            1.0
        };
        let wait = if self.jitter { cap.mul_f64(unit) } else { cap };
        wait.max(self.min_delay)
    }
}

/// Why an outcome is worth retrying; also decides what a retry costs from the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryClass {
    /// Connection failure or a failure after send.
    Transient,
    /// The attempt timed out.
    Timeout,
    /// 429 or 409 `idempotency_key_in_use`: the server asks us to slow down or wait.
    Throttling,
    /// 408, 500, 502, 503, 504.
    Server,
    /// Not retryable by status, but the server said `Molam-Should-Retry: true`.
    ServerDirected,
}

/// The verdict on one attempt's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A 2xx: done.
    Success,
    /// Worth another attempt, if limits allow.
    Retry(RetryClass),
    /// A final failure (a 4xx, or a `Molam-Should-Retry: false`).
    Final,
}

/// Classifies an HTTP answer. `error_code` is the error body's `code`, if one was parsed;
/// `should_retry` the `Molam-Should-Retry` header, which overrides the status.
///
/// ```
/// use molam_core::retry::{classify_status, RetryClass, Verdict};
/// assert_eq!(classify_status(503, None, None), Verdict::Retry(RetryClass::Server));
/// assert_eq!(classify_status(503, None, Some(false)), Verdict::Final);
/// assert_eq!(classify_status(402, None, None), Verdict::Final);
/// assert_eq!(classify_status(409, Some("idempotency_key_in_use"), None), Verdict::Retry(RetryClass::Throttling));
/// ```
pub fn classify_status(
    status: u16,
    error_code: Option<&str>,
    should_retry: Option<bool>,
) -> Verdict {
    if (200..300).contains(&status) {
        return Verdict::Success;
    }
    let by_status = match status {
        429 => Some(RetryClass::Throttling),
        409 if error_code == Some("idempotency_key_in_use") => Some(RetryClass::Throttling),
        408 | 500 | 502 | 503 | 504 => Some(RetryClass::Server),
        _ => None,
    };
    match (should_retry, by_status) {
        (Some(false), _) => Verdict::Final,
        (Some(true), Some(class)) => Verdict::Retry(class),
        (Some(true), None) => Verdict::Retry(RetryClass::ServerDirected),
        (None, Some(class)) => Verdict::Retry(class),
        (None, None) => Verdict::Final,
    }
}

/// Classifies a transport failure: all are retried (GETs are safe, every POST has a key).
pub fn classify_transport(kind: TransportErrorKind) -> RetryClass {
    match kind {
        TransportErrorKind::Timeout => RetryClass::Timeout,
        TransportErrorKind::Connect | TransportErrorKind::AfterSend => RetryClass::Transient,
    }
}

/// Settings of the client-wide [`RetryBudget`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetConfig {
    /// Tokens when full (default 500).
    pub capacity: u32,
    /// Cost of a retry after a non-timeout failure (default 5).
    pub retry_cost: u32,
    /// Cost of a retry after a timeout (default 10).
    pub timeout_cost: u32,
    /// Tokens a successful response gives back (default 1).
    pub success_refund: u32,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        BudgetConfig {
            capacity: 500,
            retry_cost: 5,
            timeout_cost: 10,
            success_refund: 1,
        }
    }
}

/// A token bucket shared by every call of a client: retries spend tokens, successes earn a
/// few back. In an outage it empties and calls stop retrying, instead of multiplying load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryBudget {
    config: BudgetConfig,
    tokens: u32,
}

impl RetryBudget {
    /// A full bucket.
    pub fn new(config: BudgetConfig) -> Self {
        RetryBudget {
            config,
            tokens: config.capacity,
        }
    }

    /// Takes the cost of one retry of `class`; false (and nothing taken) if the bucket lacks it.
    pub fn try_spend(&mut self, class: RetryClass) -> bool {
        let cost = match class {
            RetryClass::Timeout => self.config.timeout_cost,
            _ => self.config.retry_cost,
        };
        if self.tokens >= cost {
            self.tokens -= cost;
            true
        } else {
            crate::metrics::record_budget_exhausted();
            false
        }
    }

    /// Gives tokens back after a success, up to the capacity.
    pub fn on_success(&mut self) {
        self.tokens = self
            .tokens
            .saturating_add(self.config.success_refund)
            .min(self.config.capacity);
    }

    /// Tokens left.
    pub fn tokens(&self) -> u32 {
        self.tokens
    }
}

/// Settings of the client-wide [`CircuitBreaker`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive retryable failures that open the breaker (default 5; 0 disables it).
    pub failure_threshold: u32,
    /// How long it stays open before letting one probe through (default 30 s).
    pub cool_down: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            failure_threshold: 5,
            cool_down: Duration::from_secs(30),
        }
    }
}

/// Where a [`CircuitBreaker`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Requests flow; counting consecutive failures.
    Closed {
        /// Consecutive retryable failures so far.
        failures: u32,
    },
    /// Failing fast until `until`.
    Open {
        /// When a probe may go.
        until: Duration,
    },
    /// One probe is out (sent at `probe_sent`); others fail fast until it answers or a
    /// cool-down passes (a probe whose caller vanished must not keep the breaker shut forever).
    HalfOpen {
        /// When the probe was let through.
        probe_sent: Duration,
    },
}

/// Fails calls fast while Molam looks down. Fed outcomes and the time by the calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    state: BreakerState,
}

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> Self {
        CircuitBreaker {
            config,
            state: BreakerState::Closed { failures: 0 },
        }
    }

    /// The current state.
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// May a request be sent at `now`? `Err(wait)` tells how long until a probe may go.
    pub fn try_acquire(&mut self, now: Duration) -> Result<(), Duration> {
        match self.state {
            BreakerState::Closed { .. } => Ok(()),
            BreakerState::Open { until } if now >= until => {
                self.enter(BreakerState::HalfOpen { probe_sent: now });
                Ok(())
            }
            BreakerState::Open { until } => Err(until - now),
            BreakerState::HalfOpen { probe_sent } => {
                let next = probe_sent.saturating_add(self.config.cool_down);
                if now >= next {
                    self.state = BreakerState::HalfOpen { probe_sent: now };
                    Ok(())
                } else {
                    Err(next - now)
                }
            }
        }
    }

    /// The server answered (a 2xx, or a final 4xx: it is up): close.
    pub fn on_success(&mut self) {
        self.enter(BreakerState::Closed { failures: 0 });
    }

    /// A retryable failure at `now`: count it, open at the threshold or when a probe fails.
    pub fn on_failure(&mut self, now: Duration) {
        if self.config.failure_threshold == 0 {
            return;
        }
        let open = BreakerState::Open {
            until: now.saturating_add(self.config.cool_down),
        };
        let next = match self.state {
            BreakerState::Closed { failures } if failures + 1 >= self.config.failure_threshold => {
                open
            }
            BreakerState::Closed { failures } => BreakerState::Closed {
                failures: failures + 1,
            },
            BreakerState::HalfOpen { .. } => open,
            // A late failure from a call sent before the breaker opened: keep the cool-down.
            state @ BreakerState::Open { .. } => state,
        };
        self.enter(next);
    }

    /// Moves to `next`, counting a change of state (not a failure counted while closed, nor
    /// a new probe while half-open) in `molam_breaker_transitions_total`.
    fn enter(&mut self, next: BreakerState) {
        let name = |state: BreakerState| match state {
            BreakerState::Closed { .. } => "closed",
            BreakerState::Open { .. } => "open",
            BreakerState::HalfOpen { .. } => "half_open",
        };
        if name(self.state) != name(next) {
            crate::metrics::record_breaker_transition(name(next));
        }
        self.state = next;
    }
}

#[cfg(test)]
mod tests;
