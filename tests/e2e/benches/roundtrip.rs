//! SDK round-trip vs a raw client sending the same bytes, against the in-process mock on
//! loopback: `cargo bench -p molam-e2e --bench roundtrip`.
//!
//! The raw side sends the very request the core builds (same method, URL, headers, body)
//! and reads the body into a `Vec`; the SDK side also runs the call state machine, records
//! its tracing spans and decodes the JSON into a `PaymentIntent`. Rounds alternate raw and
//! SDK to share the machine's noise; each figure is the best round (the machine is shared,
//! so the fastest round is the closest to the code's own cost), with the median beside it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use molam_core::call::RequestOptions;
use molam_core::params::CreatePaymentIntent;
use molam_core::resources::Currency;
use molam_e2e::Harness;

const ROUNDS: usize = 7;
const SEQUENTIAL: usize = 400;
const TASKS: usize = 64;
const PER_TASK: usize = 20;

type Raw = HyperClient<HttpConnector, Full<Bytes>>;

/// The best and the median of the rounds.
fn best_and_median(mut xs: Vec<Duration>) -> (Duration, Duration) {
    xs.sort();
    (xs[0], xs[xs.len() / 2])
}

fn report(name: &str, ops: usize, raw: Vec<Duration>, sdk: Vec<Duration>) {
    let ((raw, raw_median), (sdk, sdk_median)) = (best_and_median(raw), best_and_median(sdk));
    let per = |d: Duration| d.as_secs_f64() * 1e6 / ops as f64;
    let ratio = |s: Duration, r: Duration| s.as_secs_f64() / r.as_secs_f64();
    println!(
        "{name:<30} raw {:>6.1} µs/op  sdk {:>6.1} µs/op  sdk/raw {:.3} ({:+.1} %)  [medians: {:.1} / {:.1}, {:.3}]",
        per(raw),
        per(sdk),
        ratio(sdk, raw),
        (ratio(sdk, raw) - 1.0) * 100.0,
        per(raw_median),
        per(sdk_median),
        ratio(sdk_median, raw_median),
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = Harness::start();
    let config = mock.config().build()?;
    let blocking = molam_blocking::Client::new(config.clone())?;
    let intent = blocking
        .payment_intents()
        .create(&CreatePaymentIntent::new(2500, Currency::XOF))?;
    let id = intent.id.clone();
    // The exact request the SDK sends for a retrieve.
    let mut call = blocking
        .core()
        .payment_intents()
        .retrieve(&id, &RequestOptions::new())?;
    let request = call.poll_request(Duration::ZERO)?;
    println!(
        "request: GET {} ({} headers)",
        request.uri(),
        request.headers().len()
    );

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let raw_ureq = |req: &http::Request<Vec<u8>>| -> Result<Vec<u8>, ureq::Error> {
        let (parts, mut body) = agent.run(req.clone())?.into_parts();
        assert_eq!(parts.status, 200);
        body.read_to_vec()
    };

    // Blocking, sequential.
    let (mut raw, mut sdk) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..SEQUENTIAL {
            raw_ureq(&request)?;
        }
        raw.push(t.elapsed());
        let t = Instant::now();
        for _ in 0..SEQUENTIAL {
            blocking.payment_intents().retrieve(&id)?;
        }
        sdk.push(t.elapsed());
    }
    report("blocking (ureq), sequential", SEQUENTIAL, raw, sdk);

    // Blocking, 64 threads.
    let (mut raw, mut sdk) = (Vec::new(), Vec::new());
    let shared_request = Arc::new(request.clone());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..TASKS {
                let req = shared_request.clone();
                let raw_ureq = &raw_ureq;
                s.spawn(move || {
                    for _ in 0..PER_TASK {
                        raw_ureq(&req).expect("raw ureq");
                    }
                });
            }
        });
        raw.push(t.elapsed());
        let t = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..TASKS {
                let (client, id) = (blocking.clone(), id.clone());
                s.spawn(move || {
                    for _ in 0..PER_TASK {
                        client.payment_intents().retrieve(&id).expect("sdk");
                    }
                });
            }
        });
        sdk.push(t.elapsed());
    }
    report("blocking (ureq), 64 threads", TASKS * PER_TASK, raw, sdk);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async_bench(config, request, id))
}

async fn raw_hyper(client: &Raw, request: &http::Request<Vec<u8>>) -> Vec<u8> {
    let req = request.clone().map(|b| Full::new(Bytes::from(b)));
    let response = client.request(req).await.expect("raw hyper");
    assert_eq!(response.status(), 200);
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec()
}

async fn async_bench(
    config: molam_core::config::Config,
    request: http::Request<Vec<u8>>,
    id: String,
) -> Result<(), Box<dyn std::error::Error>> {
    let sdk_client = molam_tokio::Client::new(config)?;
    let raw: Raw = HyperClient::builder(TokioExecutor::new()).build(HttpConnector::new());
    let request = Arc::new(request);

    let (mut raws, mut sdks) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..SEQUENTIAL {
            raw_hyper(&raw, &request).await;
        }
        raws.push(t.elapsed());
        let t = Instant::now();
        for _ in 0..SEQUENTIAL {
            sdk_client.payment_intents().retrieve(&id).await?;
        }
        sdks.push(t.elapsed());
    }
    report("tokio (hyper), sequential", SEQUENTIAL, raws, sdks);

    let (mut raws, mut sdks) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..TASKS {
            let (raw, request) = (raw.clone(), request.clone());
            tasks.spawn(async move {
                for _ in 0..PER_TASK {
                    raw_hyper(&raw, &request).await;
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        raws.push(t.elapsed());
        let t = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..TASKS {
            let (client, id) = (sdk_client.clone(), id.clone());
            tasks.spawn(async move {
                for _ in 0..PER_TASK {
                    client.payment_intents().retrieve(&id).await.expect("sdk");
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        sdks.push(t.elapsed());
    }
    report("tokio (hyper), 64 tasks", TASKS * PER_TASK, raws, sdks);
    Ok(())
}
