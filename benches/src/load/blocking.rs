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

pub(super) fn run(
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
