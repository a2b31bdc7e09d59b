//! The blocking runs: `molam-blocking` or a ureq `Agent` configured as its transport, on
//! threads sharing one client.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use molam_core::config::Config;
use molam_core::resources::PaymentIntent;

use super::{outcome, params, Outcome, Plan, Tally, Template, Variant};
use crate::rss;

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
        .max_idle_connections(64)
        .max_idle_connections_per_host(64)
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
            BlockingClient::Sdk(client) => client.payment_intents().create(params()).is_ok(),
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

fn client(
    variant: Variant,
    config: &Config,
    template: &Arc<Template>,
) -> Result<BlockingClient, Box<dyn std::error::Error>> {
    Ok(match variant {
        Variant::BlockingSdk => BlockingClient::Sdk(molam_blocking::Client::new(config.clone())?),
        _ => BlockingClient::Raw(raw_agent(config), template.clone()),
    })
}

pub(super) fn run(
    plan: &Plan,
    config: Config,
    template: Arc<Template>,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let workers = plan.concurrency.max(1);
    if plan.batches > 0 {
        let sdk = client(Variant::BlockingSdk, &config, &template)?;
        let raw = client(Variant::BlockingRaw, &config, &template)?;
        let mut batches = super::Batches::default();
        for turn in super::turns(plan) {
            let client = if turn.sdk { &sdk } else { &raw };
            let started = Instant::now();
            let tally = phase(client, workers, turn.calls, turn.offset);
            batches.record(turn, started.elapsed().as_secs_f64(), tally.errors);
        }
        return Ok(batches.finish());
    }
    let client = client(plan.variant, &config, &template)?;
    phase(&client, workers, plan.warmup, 0);
    let base = rss::current_kib();
    let started = Instant::now();
    let tally = phase(&client, workers, plan.calls, plan.warmup);
    let seconds = started.elapsed().as_secs_f64();
    Ok(outcome(tally, seconds, base, 0))
}

/// `count` calls over `workers` threads pulling from one counter.
fn phase(client: &BlockingClient, workers: usize, count: usize, offset: usize) -> Tally {
    let next = AtomicUsize::new(0);
    let tally = Mutex::new(Tally::default());
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
                    if client.call(offset + n) {
                        mine.latencies.push(started.elapsed());
                    } else {
                        mine.errors += 1;
                    }
                }
                let mut all = tally.lock().unwrap_or_else(|e| e.into_inner());
                all.latencies.extend(mine.latencies);
                all.errors += mine.errors;
            });
        }
    });
    tally.into_inner().unwrap_or_else(|e| e.into_inner())
}
