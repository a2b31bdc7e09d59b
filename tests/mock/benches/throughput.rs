//! Requests per second for create-payment-intent against the in-process server on loopback,
//! with keep-alive and several connections (`cargo bench -p molam-mock --bench throughput`).
//!
//! Bounded: a 1 s warm-up, then a 5 s measurement (override with `MOLAM_BENCH_SECONDS`),
//! `MOLAM_BENCH_CONNECTIONS` connections (default 16). Only loopback is ever targeted.
#![allow(clippy::unwrap_used, clippy::expect_used)] // A benchmark: a panic is the report.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use molam_mock::{MockConfig, MockServer, ServerOptions};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn connection(
    addr: std::net::SocketAddr,
    id: u64,
    counting: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
) {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connect to the mock");
    stream.set_nodelay(true).unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let body = Bytes::from_static(
        br#"{"amount":2500,"currency":"XOF","description":"bench","metadata":{"order":"42"}}"#,
    );
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let request = http::Request::post("/v1/connect/payment_intents")
            .header("host", "127.0.0.1")
            .header("authorization", "Bearer sk_test_bench")
            .header("content-type", "application/json")
            .header("idempotency-key", format!("bench-{id}-{n}"))
            .body(Full::new(body.clone()))
            .unwrap();
        let response = sender
            .send_request(request)
            .await
            .expect("the mock answers");
        assert_eq!(response.status(), 200);
        response.into_body().collect().await.unwrap();
        if counting.load(Ordering::Relaxed) {
            done.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn main() {
    let seconds = env_or("MOLAM_BENCH_SECONDS", 5);
    let connections = env_or("MOLAM_BENCH_CONNECTIONS", 16);
    let server_threads = env_or("MOLAM_BENCH_SERVER_THREADS", 2) as usize;
    let server = MockServer::start_with(
        MockConfig::default(),
        ServerOptions {
            worker_threads: server_threads,
            ..ServerOptions::default()
        },
    )
    .expect("start the mock server");
    let addr = server.addr();
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (counting, stop, done) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
    );
    let elapsed = client.block_on(async {
        let tasks: Vec<_> = (0..connections)
            .map(|id| {
                tokio::spawn(connection(
                    addr,
                    id,
                    counting.clone(),
                    stop.clone(),
                    done.clone(),
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_secs(1)).await;
        counting.store(true, Ordering::Relaxed);
        let start = Instant::now();
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        counting.store(false, Ordering::Relaxed);
        let elapsed = start.elapsed();
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            t.await.unwrap();
        }
        elapsed
    });
    let requests = done.load(Ordering::Relaxed);
    println!(
        "create-payment-intent: {requests} requests in {:.2} s over {connections} keep-alive connections ({server_threads} server threads, 1 client thread): {:.0} req/s",
        elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64()
    );
    server.shutdown();
}
