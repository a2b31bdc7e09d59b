//! The async runs: `molam-tokio` or hyper-util's pooled client over the same connector, as
//! tasks on a 2-thread runtime; and many calls held in flight.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use molam_core::config::Config;
use molam_core::resources::PaymentIntent;

use super::{outcome, params, Outcome, Plan, Tally, Template, Variant};
use crate::rss;

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
            AsyncClient::Sdk(client) => client.payment_intents().create(params()).await.is_ok(),
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

pub(super) fn run(
    plan: &Plan,
    config: Config,
    template: Arc<Template>,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let build = |variant| -> Result<AsyncClient, Box<dyn std::error::Error>> {
            Ok(match variant {
                Variant::TokioSdk => AsyncClient::Sdk(molam_tokio::Client::new(config.clone())?),
                _ => AsyncClient::Raw(raw_hyper(&config)?, template.clone()),
            })
        };
        let workers = plan.concurrency.max(1);
        if plan.batches > 0 {
            let (sdk, raw) = (build(Variant::TokioSdk)?, build(Variant::TokioRaw)?);
            let mut batches = super::Batches::default();
            for turn in super::turns(plan) {
                let client = if turn.sdk { &sdk } else { &raw };
                let started = Instant::now();
                let tally = phase(client, workers, turn.calls, turn.offset).await;
                batches.record(turn, started.elapsed().as_secs_f64(), tally.errors);
            }
            return Ok(batches.finish());
        }
        let client = build(plan.variant)?;
        if plan.in_flight {
            return in_flight(plan, client).await;
        }
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
