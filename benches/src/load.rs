//! One load run of one variant, in a process of its own (so its peak RSS is its own): the
//! SDK client or the raw client under it, sequential or concurrent create-payment-intent
//! calls against a mock on loopback, or many calls held in flight by a delaying mock.
//!
//! The raw clients send the very request the core builds — method, URL, headers and body
//! taken from a `poll_request` of the same core client, with a fresh idempotency key of the
//! same length per call — over a transport configured exactly as the SDK's, and decode the
//! answer into the same `PaymentIntent` type. The SDK's arm passes one `CreatePaymentIntent`
//! built once (the caller's data, as the raw arm's body is), which the SDK validates and
//! serializes on every call. What is left is the SDK's own cost: validation and JSON, the
//! call state machine, UUID keys from the OS, tracing spans, timeouts, header interpretation.

mod asynchronous;
mod blocking;

use std::sync::Arc;
use std::time::Duration;

use molam_core::call::RequestOptions;
use molam_core::config::Config;
use molam_core::params::CreatePaymentIntent;
use molam_core::random::SeededRandom;
use molam_core::resources::Currency;
use serde::{Deserialize, Serialize};

use crate::rss;

/// Which client does the calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Variant {
    /// `molam-blocking`.
    BlockingSdk,
    /// A ureq `Agent` configured as `molam-blocking`'s.
    BlockingRaw,
    /// `molam-tokio`.
    TokioSdk,
    /// hyper-util's pooled client over the same connector as `molam-tokio`'s.
    TokioRaw,
}

impl Variant {
    /// The name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Variant::BlockingSdk => "blocking-sdk",
            Variant::BlockingRaw => "blocking-raw",
            Variant::TokioSdk => "tokio-sdk",
            Variant::TokioRaw => "tokio-raw",
        }
    }

    fn shell(self) -> &'static str {
        match self {
            Variant::BlockingSdk | Variant::BlockingRaw => "ureq",
            Variant::TokioSdk | Variant::TokioRaw => "hyper",
        }
    }
}

/// What one run does.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    /// The client.
    pub variant: Variant,
    /// The mock's base URL (loopback only).
    pub base_url: String,
    /// Calls (or tasks) run concurrently: 1 is sequential.
    pub concurrency: usize,
    /// Calls measured.
    pub calls: usize,
    /// Calls made before measuring, spread over the workers.
    pub warmup: usize,
    /// Start every call at once and measure memory while they are in flight (the mock must
    /// delay its answers); `calls` is the number in flight.
    pub in_flight: bool,
    /// When above 0: the SDK and the raw client of `variant`'s kind in this one process,
    /// in this many pairs of batches of `calls` calls each, alternating which goes first
    /// (after a warm-up batch of each); the outcome holds every batch's time.
    #[serde(default)]
    pub batches: usize,
}

/// One batch of an interleaved run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Turn {
    /// The SDK's batch (else the raw client's).
    pub sdk: bool,
    /// Which pair it belongs to; `None` for the warm-up.
    pub pair: Option<usize>,
    /// Calls in the batch.
    pub calls: usize,
    /// The number of the batch's first call (raw idempotency keys stay fresh).
    pub offset: usize,
}

/// The batches of an interleaved run: a warm-up batch of each client, then `plan.batches`
/// pairs, raw first in even pairs and the SDK first in odd ones.
pub(crate) fn turns(plan: &Plan) -> Vec<Turn> {
    let mut turns = Vec::new();
    let mut offset = 0;
    let mut push = |sdk, pair, calls| {
        turns.push(Turn {
            sdk,
            pair,
            calls,
            offset,
        });
        offset += calls;
    };
    push(false, None, plan.warmup);
    push(true, None, plan.warmup);
    for pair in 0..plan.batches {
        let sdk_first = pair % 2 == 1;
        push(sdk_first, Some(pair), plan.calls);
        push(!sdk_first, Some(pair), plan.calls);
    }
    turns
}

/// The batch times of an interleaved run, as they come.
#[derive(Default)]
pub(crate) struct Batches {
    outcome: Outcome,
}

impl Batches {
    pub(crate) fn record(&mut self, turn: Turn, seconds: f64, errors: usize) {
        if turn.pair.is_none() {
            return;
        }
        let times = if turn.sdk {
            &mut self.outcome.batch_sdk_s
        } else {
            &mut self.outcome.batch_raw_s
        };
        times.push(seconds);
        self.outcome.errors += errors;
        self.outcome.calls += turn.calls;
        self.outcome.seconds += seconds;
    }

    pub(crate) fn finish(mut self) -> Outcome {
        self.outcome.peak_rss_kib = rss::peak_kib();
        self.outcome
    }
}

/// What one run measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Outcome {
    /// Calls that succeeded in the measured part.
    pub calls: usize,
    /// Calls that failed.
    pub errors: usize,
    /// Wall time of the measured part, seconds.
    pub seconds: f64,
    /// Latency percentiles of the measured calls, microseconds.
    pub p50_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// Peak resident set of the process (`VmHWM`), KiB.
    pub peak_rss_kib: u64,
    /// Resident set before the measured part, KiB.
    pub base_rss_kib: u64,
    /// Highest resident set seen while every call was in flight (in-flight runs), KiB.
    pub in_flight_rss_kib: u64,
    /// Interleaved runs: each pair's raw batch time, seconds.
    #[serde(default)]
    pub batch_raw_s: Vec<f64>,
    /// Interleaved runs: each pair's SDK batch time, seconds (same pair order).
    #[serde(default)]
    pub batch_sdk_s: Vec<f64>,
}

/// The request the core builds, to be replayed by the raw clients.
struct Template {
    url: String,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

/// The caller's data, built once like the raw arm's body: what the SDK's arm measures is
/// validating and serializing it on every call, not the caller building it.
fn params() -> &'static CreatePaymentIntent {
    static PARAMS: std::sync::LazyLock<CreatePaymentIntent> = std::sync::LazyLock::new(|| {
        CreatePaymentIntent::new(2500, Currency::XOF)
            .description("Order 1001")
            .metadata_entry("order_id", "1001")
    });
    &PARAMS
}

fn config(plan: &Plan) -> Result<Config, Box<dyn std::error::Error>> {
    Ok(Config::builder()
        .api_key("sk_test_bench_merchant")
        .api_base(plan.base_url.as_str())
        .allow_insecure_http(true)
        .build()?)
}

fn template(plan: &Plan, config: &Config) -> Result<Template, Box<dyn std::error::Error>> {
    let core = molam_core::client::Client::new(
        config.clone(),
        plan.variant.shell(),
        Arc::new(SeededRandom::new(1)),
    );
    let mut call = core
        .payment_intents()
        .create(params(), &RequestOptions::new())?;
    let request = call.poll_request(Duration::ZERO)?;
    Ok(Template {
        url: request.uri().to_string(),
        headers: request.headers().clone(),
        body: request.body().clone(),
    })
}

/// A fresh idempotency key shaped like the SDK's UUID v4 (same length, so the same bytes
/// count), spread like random ones.
fn raw_key(n: usize) -> http::HeaderValue {
    let mixed = (n as u64 ^ u64::from(std::process::id()) << 40)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .rotate_left(29);
    let text = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        mixed >> 32,
        (mixed >> 16) & 0xffff,
        mixed & 0xfff,
        (mixed >> 52) & 0xfff,
        mixed & 0xffff_ffff_ffff
    );
    http::HeaderValue::from_str(&text).expect("hex and dashes are a valid header value")
}

impl Template {
    fn request(&self, n: usize) -> http::Request<Vec<u8>> {
        let mut request = http::Request::new(self.body.clone());
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = self.url.parse().expect("the core built this URI");
        *request.headers_mut() = self.headers.clone();
        request.headers_mut().insert("idempotency-key", raw_key(n));
        request
    }
}

/// Runs `plan` and returns what it measured.
pub fn run(plan: &Plan) -> Result<Outcome, Box<dyn std::error::Error>> {
    let config = config(plan)?;
    let template = Arc::new(template(plan, &config)?);
    match plan.variant {
        Variant::BlockingSdk | Variant::BlockingRaw => blocking::run(plan, config, template),
        Variant::TokioSdk | Variant::TokioRaw => asynchronous::run(plan, config, template),
    }
}

/// Latencies of the measured calls and the count of failures.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
}

fn outcome(tally: Tally, seconds: f64, base_rss_kib: u64, in_flight_rss_kib: u64) -> Outcome {
    let mut latencies = tally.latencies;
    latencies.sort();
    let pick = |q: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies[i].as_secs_f64() * 1e6
    };
    Outcome {
        calls: latencies.len(),
        errors: tally.errors,
        seconds,
        p50_us: pick(0.50),
        p99_us: pick(0.99),
        peak_rss_kib: rss::peak_kib(),
        base_rss_kib,
        in_flight_rss_kib,
        ..Outcome::default()
    }
}
