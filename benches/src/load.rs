//! One load run of one variant, in a process of its own (so its peak RSS is its own): the
//! SDK client or the raw client under it, sequential or concurrent create-payment-intent
//! calls against a mock on loopback, or many calls held in flight by a delaying mock.
//!
//! The raw clients send the very request the core builds — method, URL, headers and body
//! taken from a `poll_request` of the same core client, with a fresh idempotency key of the
//! same length per call — over a transport configured exactly as the SDK's, and decode the
//! answer into the same `PaymentIntent` type. What is left is the SDK's own cost: the call
//! state machine, UUID keys from the OS, tracing spans, timeouts, header interpretation.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use molam_core::call::RequestOptions;
use molam_core::config::Config;
use molam_core::params::CreatePaymentIntent;
use molam_core::random::SeededRandom;
use molam_core::resources::{Currency, PaymentIntent};
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
}

/// What one run measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
}

/// The request the core builds, to be replayed by the raw clients.
struct Template {
    url: String,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

fn params() -> CreatePaymentIntent {
    CreatePaymentIntent::new(2500, Currency::XOF)
        .description("Order 1001")
        .metadata_entry("order_id", "1001")
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
        .create(&params(), &RequestOptions::new())?;
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
        Variant::BlockingSdk | Variant::BlockingRaw => blocking(plan, config, template),
        Variant::TokioSdk | Variant::TokioRaw => tokio_run(plan, config, template),
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
    }
}

// ---------------------------------------------------------------- blocking

/// The ureq agent `molam-blocking` builds for `config` (shells/blocking/src/transport.rs).
fn raw_agent(config: &Config) -> ureq::Agent {
    use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(RootCerts::WebPki)
        .build();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_connect(Some(config.connect_timeout()))
        .timeout_send_request(Some(config.timeout()))
        .timeout_send_body(Some(config.timeout()))
        .timeout_recv_response(Some(config.timeout()))
        .timeout_recv_body(Some(config.timeout()))
        .tls_config(tls)
        .build()
        .new_agent()
}

enum BlockingClient {
    Sdk(molam_blocking::Client),
    Raw(ureq::Agent, Arc<Template>),
}

impl BlockingClient {
    fn call(&self, n: usize) -> bool {
        match self {
            BlockingClient::Sdk(client) => client.payment_intents().create(&params()).is_ok(),
            BlockingClient::Raw(agent, template) => {
                let Ok(response) = agent.run(template.request(n)) else {
                    return false;
                };
                let (parts, mut body) = response.into_parts();
                let Ok(bytes) = body.with_config().limit(16 << 20).read_to_vec() else {
                    return false;
                };
                parts.status == 200 && serde_json::from_slice::<PaymentIntent>(&bytes).is_ok()
            }
        }
    }
}

fn blocking(
    plan: &Plan,
    config: Config,
    template: Arc<Template>,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let client = match plan.variant {
        Variant::BlockingSdk => BlockingClient::Sdk(molam_blocking::Client::new(config)?),
        _ => BlockingClient::Raw(raw_agent(&config), template),
    };
    let client = &client;
    let workers = plan.concurrency.max(1);
    let next = AtomicUsize::new(0);
    let tally = Mutex::new(Tally::default());
    let run_phase = |count: usize, offset: usize, measure: bool| {
        next.store(0, Ordering::Relaxed);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    let mut mine = Tally::default();
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if n >= count {
                            break;
                        }
                        let started = Instant::now();
                        let ok = client.call(offset + n);
                        if ok {
                            mine.latencies.push(started.elapsed());
                        } else {
                            mine.errors += 1;
                        }
                    }
                    if measure {
                        let mut all = tally.lock().unwrap_or_else(|e| e.into_inner());
                        all.latencies.extend(mine.latencies);
                        all.errors += mine.errors;
                    }
                });
            }
        });
    };
    run_phase(plan.warmup, 0, false);
    let base = rss::current_kib();
    let started = Instant::now();
    run_phase(plan.calls, plan.warmup, true);
    let seconds = started.elapsed().as_secs_f64();
    let tally = tally.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(outcome(tally, seconds, base, 0))
}

// ---------------------------------------------------------------- tokio

type RawHyper = HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The pooled hyper client `molam-tokio` builds for `config` (shells/tokio/src/transport.rs).
fn raw_hyper(config: &Config) -> Result<RawHyper, Box<dyn std::error::Error>> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(config.connect_timeout()));
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Ok(HyperClient::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .build(https))
}

#[derive(Clone)]
enum AsyncClient {
    Sdk(molam_tokio::Client),
    Raw(RawHyper, Arc<Template>),
}

impl AsyncClient {
    async fn call(&self, n: usize) -> bool {
        match self {
            AsyncClient::Sdk(client) => client.payment_intents().create(&params()).await.is_ok(),
            AsyncClient::Raw(client, template) => {
                let request = template.request(n).map(|b| Full::new(Bytes::from(b)));
                let Ok(response) = client.request(request).await else {
                    return false;
                };
                let (parts, body) = response.into_parts();
                let Ok(body) = body.collect().await else {
                    return false;
                };
                parts.status == 200
                    && serde_json::from_slice::<PaymentIntent>(&body.to_bytes()).is_ok()
            }
        }
    }
}

fn tokio_run(
    plan: &Plan,
    config: Config,
    template: Arc<Template>,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let client = match plan.variant {
            Variant::TokioSdk => AsyncClient::Sdk(molam_tokio::Client::new(config)?),
            _ => AsyncClient::Raw(raw_hyper(&config)?, template),
        };
        if plan.in_flight {
            return in_flight(plan, client).await;
        }
        let workers = plan.concurrency.max(1);
        phase(&client, workers, plan.warmup, 0).await;
        let base = rss::current_kib();
        let started = Instant::now();
        let tally = phase(&client, workers, plan.calls, plan.warmup).await;
        let seconds = started.elapsed().as_secs_f64();
        Ok(outcome(tally, seconds, base, 0))
    })
}

/// `count` calls over `workers` tasks pulling from one counter.
async fn phase(client: &AsyncClient, workers: usize, count: usize, offset: usize) -> Tally {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (client, next) = (client.clone(), next.clone());
        tasks.spawn(async move {
            let mut mine = Tally::default();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    break;
                }
                let started = Instant::now();
                if client.call(offset + n).await {
                    mine.latencies.push(started.elapsed());
                } else {
                    mine.errors += 1;
                }
            }
            mine
        });
    }
    let mut tally = Tally::default();
    while let Some(done) = tasks.join_next().await {
        let mine = done.unwrap_or_default();
        tally.latencies.extend(mine.latencies);
        tally.errors += mine.errors;
    }
    tally
}

/// Starts `plan.calls` calls at once and samples the resident set until the first answer
/// arrives: the mock holds every answer back, so each sample sees them all in flight.
async fn in_flight(
    plan: &Plan,
    client: AsyncClient,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    // One call first, so code, TLS roots and the runtime are paged in before the baseline.
    client.call(usize::MAX / 2).await;
    let base = rss::current_kib();
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..plan.calls {
        let (client, done) = (client.clone(), done.clone());
        tasks.spawn(async move {
            let begun = Instant::now();
            let ok = client.call(n).await;
            done.fetch_add(1, Ordering::Relaxed);
            (ok, begun.elapsed())
        });
    }
    let mut highest = 0;
    while done.load(Ordering::Relaxed) == 0 && started.elapsed() < Duration::from_secs(60) {
        highest = highest.max(rss::current_kib());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut tally = Tally::default();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((true, latency)) => tally.latencies.push(latency),
            _ => tally.errors += 1,
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(outcome(tally, seconds, base, highest))
}
