//! How a [`crate::Mock`] is set up: seed, webhook signing, retries of deliveries, faults.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Everything a [`crate::Mock`] needs at start. Build it with [`MockConfig::default`] and
/// change what matters:
///
/// ```
/// use molam_mock::{FaultConfig, MockConfig};
/// let config = MockConfig {
///     seed: 7,
///     webhook_urls: vec!["http://127.0.0.1:4242/webhooks".into()],
///     faults: FaultConfig::off(),
///     ..MockConfig::default()
/// };
/// assert_eq!(config.webhook_secret, "whsec_mock_secret");
/// ```
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Seed of object ids, request ids and fault draws.
    pub seed: u64,
    /// The secret webhook deliveries are signed with (REFERENCE.md §5).
    pub webhook_secret: String,
    /// The key id put in `Molam-Signature` (`kid=`); `None` leaves it out.
    pub webhook_kid: Option<String>,
    /// Endpoints that receive every event from the start (more can be added at run time).
    pub webhook_urls: Vec<String>,
    /// How failed deliveries are retried.
    pub webhook_retry: DeliveryRetry,
    /// Injected faults (off by default).
    pub faults: FaultConfig,
    /// Fields added to every object the mock answers with and delivers (unless the object
    /// already has them), as a later API version would add fields: for testing that clients
    /// keep what they do not know (REFERENCE.md §3). Empty by default.
    pub extra_object_fields: BTreeMap<String, serde_json::Value>,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            seed: 0,
            webhook_secret: "whsec_mock_secret".to_owned(),
            webhook_kid: Some("mock".to_owned()),
            webhook_urls: Vec::new(),
            webhook_retry: DeliveryRetry::default(),
            faults: FaultConfig::off(),
            extra_object_fields: BTreeMap::new(),
        }
    }
}

/// Retry schedule of webhook deliveries: attempt `n` (from 1) that fails is retried after
/// `min(initial_backoff × 2^(n−1), max_backoff)`, up to `max_attempts` attempts in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryRetry {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    /// Wait after the first failed attempt.
    pub initial_backoff: Duration,
    /// Longest wait between two attempts.
    pub max_backoff: Duration,
}

impl Default for DeliveryRetry {
    fn default() -> Self {
        DeliveryRetry {
            max_attempts: 8,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(600),
        }
    }
}

impl DeliveryRetry {
    /// The wait after failed attempt number `attempt` (1 for the first).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// One kind of injected fault. Faults apply to `/v1/` routes only, never to `/__mock/*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The connection is closed before the request is processed: nothing happens.
    DropBeforeProcessing,
    /// The request is processed and committed, then the connection is closed: the object
    /// exists but the client never sees the response.
    DropAfterCommit,
    /// 500 `api_error`, nothing processed.
    #[serde(rename = "http_500")]
    Http500,
    /// 503 `api_error` with `Retry-After`, nothing processed.
    #[serde(rename = "http_503")]
    Http503,
    /// 429 `rate_limit_error` with `Retry-After`, nothing processed.
    #[serde(rename = "http_429")]
    Http429,
    /// The request waits [`FaultConfig::delay_ms`] before it is processed; its idempotency key
    /// is held meanwhile, so a concurrent duplicate gets 409.
    Delay,
}

impl FaultKind {
    /// Every kind, in a fixed order.
    pub const ALL: [FaultKind; 6] = [
        FaultKind::DropBeforeProcessing,
        FaultKind::DropAfterCommit,
        FaultKind::Http500,
        FaultKind::Http503,
        FaultKind::Http429,
        FaultKind::Delay,
    ];

    /// The snake_case name used in JSON, flags and stats.
    pub const fn name(self) -> &'static str {
        match self {
            FaultKind::DropBeforeProcessing => "drop_before_processing",
            FaultKind::DropAfterCommit => "drop_after_commit",
            FaultKind::Http500 => "http_500",
            FaultKind::Http503 => "http_503",
            FaultKind::Http429 => "http_429",
            FaultKind::Delay => "delay",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FaultKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = FaultKind::ALL.iter().map(|k| k.name()).collect();
                format!(
                    "unknown fault kind {s:?}; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Which faults are injected and how often. Also the JSON body of `POST /__mock/faults`:
///
/// ```json
/// {"rate": 0.1, "mix": {"http_503": 2, "drop_after_commit": 1}, "delay_ms": 250,
///  "retry_after_seconds": 1, "next": ["http_429"], "seed": 7}
/// ```
/// Every `/v1/` request first takes the next kind of `next` if any; otherwise, with
/// probability `rate`, a kind drawn from `mix` by weight (seeded, so a run is reproducible).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Probability in [0, 1] that a `/v1/` request gets a drawn fault.
    pub rate: f64,
    /// Relative weights of the kinds drawn; kinds left out are never drawn.
    pub mix: std::collections::BTreeMap<FaultKind, u32>,
    /// How long a [`FaultKind::Delay`] waits, in milliseconds.
    pub delay_ms: u64,
    /// `Retry-After` (seconds) sent with 429 and 503 faults.
    pub retry_after_seconds: u64,
    /// Faults forced on the next requests, in order, before any draw.
    pub next: Vec<FaultKind>,
    /// Reseeds the fault draws when set (otherwise the mock's seed is used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig::off()
    }
}

impl FaultConfig {
    /// No faults; an even mix ready for when `rate` is raised.
    pub fn off() -> Self {
        FaultConfig {
            rate: 0.0,
            mix: FaultKind::ALL.into_iter().map(|k| (k, 1)).collect(),
            delay_ms: 250,
            retry_after_seconds: 1,
            next: Vec::new(),
            seed: None,
        }
    }

    /// Parses a mix written `kind=weight,kind=weight` (a kind alone weighs 1), as the
    /// `--fault-mix` flag takes it.
    ///
    /// ```
    /// use molam_mock::{FaultConfig, FaultKind};
    /// let mix = FaultConfig::parse_mix("http_503=3,delay").unwrap();
    /// assert_eq!(mix.get(&FaultKind::Http503), Some(&3));
    /// assert_eq!(mix.get(&FaultKind::Delay), Some(&1));
    /// assert!(FaultConfig::parse_mix("teapot=1").is_err());
    /// ```
    pub fn parse_mix(s: &str) -> Result<std::collections::BTreeMap<FaultKind, u32>, String> {
        let mut mix = std::collections::BTreeMap::new();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (name, weight) = match item.split_once('=') {
                Some((n, w)) => {
                    let w = w
                        .trim()
                        .parse::<u32>()
                        .map_err(|_| format!("weight of {n:?} is not a whole number: {w:?}"))?;
                    (n.trim(), w)
                }
                None => (item, 1),
            };
            mix.insert(name.parse::<FaultKind>()?, weight);
        }
        Ok(mix)
    }

    /// Checks the ranges a JSON body or flag could get wrong.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.rate) {
            return Err(format!("rate must be between 0 and 1, got {}", self.rate));
        }
        if self.rate > 0.0 && self.mix.values().all(|&w| w == 0) {
            return Err("rate is above 0 but every weight of mix is 0".to_owned());
        }
        if self.delay_ms > 60_000 {
            return Err("delay_ms must be at most 60000".to_owned());
        }
        Ok(())
    }
}
