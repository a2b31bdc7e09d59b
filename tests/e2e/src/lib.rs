//! What the end-to-end suites share: an in-process mock server per test, a client
//! configuration tuned for fast tests (short backoffs with jitter on, a short breaker
//! cool-down), and the mock's control plane (faults, stats) driven in-process.

use std::collections::BTreeMap;
use std::time::Duration;

use molam_core::config::ConfigBuilder;
use molam_core::retry::{BreakerConfig, BudgetConfig, RetryPolicy};
use molam_mock::{FaultConfig, FaultKind, MockConfig, MockServer, MockTime, ServerOptions};

pub use molam_mock;

pub mod proxy;

/// An API key the mock accepts.
pub const API_KEY: &str = "sk_test_e2e_merchant";

/// Retries that take milliseconds, not seconds: jitter on, `Retry-After` capped at 20 ms.
pub fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(20),
        min_delay: Duration::from_millis(1),
        max_retry_after: Duration::from_millis(20),
        deadline: Duration::from_secs(10),
        jitter: true,
    }
}

/// A running mock and the knobs the suites turn.
pub struct Harness {
    server: MockServer,
}

impl Harness {
    /// A plain-HTTP mock on 127.0.0.1.
    pub fn start() -> Harness {
        Harness::start_with(ServerOptions::default())
    }

    /// An HTTPS mock on a self-signed certificate.
    pub fn start_tls() -> Harness {
        Harness::start_with(ServerOptions {
            tls: true,
            ..ServerOptions::default()
        })
    }

    /// A plain-HTTP mock with this configuration (extra object fields, webhook endpoints…).
    pub fn start_configured(config: MockConfig) -> Harness {
        let server = MockServer::start_with(config, ServerOptions::default())
            .expect("the mock binds a free loopback port");
        Harness { server }
    }

    fn start_with(options: ServerOptions) -> Harness {
        let server = MockServer::start_with(MockConfig::default(), options)
            .expect("the mock binds a free loopback port");
        Harness { server }
    }

    /// `http://127.0.0.1:port` or `https://…`.
    pub fn base_url(&self) -> &str {
        self.server.base_url()
    }

    /// The mock's self-signed certificate, in TLS mode.
    pub fn certificate_pem(&self) -> &str {
        self.server
            .certificate_pem()
            .expect("the harness was started with TLS")
    }

    /// A configuration for this mock: the test key, loopback HTTP allowed, fast retries,
    /// an ample budget, and a breaker that opens after 5 failures and cools down in 200 ms.
    pub fn config(&self) -> ConfigBuilder {
        molam_core::config::Config::builder()
            .api_key(API_KEY)
            .api_base(self.base_url())
            .allow_insecure_http(true)
            .retry_policy(fast_retries(4))
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(2))
            .budget(BudgetConfig {
                capacity: 100_000,
                ..BudgetConfig::default()
            })
            .breaker(BreakerConfig {
                failure_threshold: 5,
                cool_down: Duration::from_millis(200),
            })
    }

    /// Injects faults on `/v1/` requests from now on.
    pub fn set_faults(&self, faults: &FaultConfig) {
        let body = serde_json::to_vec(faults).expect("a fault config serializes");
        let request = http::Request::post("/__mock/faults")
            .header("content-type", "application/json")
            .body(body)
            .expect("a valid control request");
        let response = self.server.mock().handle(request, MockTime::now());
        assert_eq!(response.status(), 200, "the mock took the faults");
    }

    /// Forces these faults on the next `/v1/` requests, in order.
    pub fn next_faults(&self, kinds: &[FaultKind]) {
        self.set_faults(&FaultConfig {
            next: kinds.to_vec(),
            retry_after_seconds: 0,
            ..FaultConfig::off()
        });
    }

    /// Faults drawn at `rate` from `mix`, seeded, with `Retry-After: 0`.
    pub fn random_faults(&self, rate: f64, mix: &[(FaultKind, u32)], seed: u64) {
        self.set_faults(&FaultConfig {
            rate,
            mix: mix.iter().copied().collect::<BTreeMap<_, _>>(),
            retry_after_seconds: 0,
            seed: Some(seed),
            ..FaultConfig::off()
        });
    }

    /// No more faults.
    pub fn faults_off(&self) {
        self.set_faults(&FaultConfig::off());
    }

    /// `/__mock/stats`.
    pub fn stats(&self) -> serde_json::Value {
        self.server.mock().stats()
    }

    /// How many objects of `kind` (`payment_intent`, `refund`, …) the mock created.
    pub fn created(&self, kind: &str) -> u64 {
        self.stats()["objects_created"][kind].as_u64().unwrap_or(0)
    }

    /// Requests the mock has seen on one route, e.g. `POST /v1/connect/payment_intents`.
    pub fn requests_to(&self, route: &str) -> u64 {
        self.stats()["requests"][route].as_u64().unwrap_or(0)
    }
}

/// The workspace README's examples, run as doctests so the front door cannot rot. They live
/// here because this crate depends on every other one.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
