//! Throughput of the PostgreSQL layer on the local database (`DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`), in a schema of its own that it drops after:
//!
//! - inbox ingest: deliveries/s recorded by 4 concurrent writers, 30 % of them duplicates;
//! - claim-process: events/s handled by `PgWebhookInbox::run` with 4 workers (no-op handler);
//! - idempotency: latency of one claim + complete of a fresh key, p50 / p99.
//!
//! `cargo bench -p molam-postgres --bench throughput` (`-- --quick` for a tenth of the work).

use std::str::FromStr;
use std::time::{Duration, Instant};

use molam_core::idempotency::{
    AsyncIdempotencyStore, ClaimRequest, Fingerprint, IdempotencyKey, LockToken, StoredResponse,
};
use molam_core::inbox::{ReceivedEvent, Recorded};
use molam_postgres::deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use molam_postgres::tokio_postgres::{self, NoTls};
use molam_postgres::{InboxEvent, PgIdempotencyStore, PgWebhookInbox, WorkerOptions};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> BenchResult<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let scale = if quick { 10 } else { 1 };
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let (admin, connection) = match tokio_postgres::connect(&url, NoTls).await {
        Ok(pair) => pair,
        Err(e) => {
            println!("benchmark skipped: cannot connect to {url} ({e}); start PostgreSQL");
            return Ok(());
        }
    };
    tokio::spawn(connection);
    let schema = format!("molam_bench_{}", std::process::id());
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await?;
    let outcome = run(&url, &schema, scale).await;
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await?;
    outcome
}

async fn run(url: &str, schema: &str, scale: usize) -> BenchResult<()> {
    let mut config = tokio_postgres::Config::from_str(url)?;
    config.options(format!("-c search_path={schema}"));
    let manager_config = ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = Manager::from_config(config, NoTls, manager_config);
    let pool = Pool::builder(manager).max_size(8).build()?;
    molam_postgres::migrate(&pool).await?;

    let deliveries = 20_000 / scale;
    let distinct = ingest(&pool, deliveries).await?;
    process(&pool, distinct).await?;
    idempotency(&pool, 3_000 / scale).await?;
    Ok(())
}

async fn ingest(pool: &Pool, deliveries: usize) -> BenchResult<usize> {
    let distinct = deliveries * 7 / 10;
    let inbox = PgWebhookInbox::new(pool.clone());
    let payload = vec![b'x'; 1024];
    let started = Instant::now();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (inbox, payload) = (inbox.clone(), payload.clone());
            tokio::spawn(async move {
                let mut new = 0;
                for i in (w..deliveries).step_by(4) {
                    let n = if i < distinct {
                        i
                    } else {
                        (i - distinct) * 7 % distinct
                    };
                    let delivery = ReceivedEvent {
                        tenant: "bench".into(),
                        event_id: format!("evt_{n}"),
                        event_type: "payment_intent.succeeded".into(),
                        payload: payload.clone(),
                        signature_header: Some("t=1700000000,v1=00".into()),
                        received_at_unix: 1_700_000_000,
                    };
                    if inbox.record(&delivery).await? == Recorded::New {
                        new += 1;
                    }
                }
                Ok::<usize, molam_postgres::Error>(new)
            })
        })
        .collect();
    let mut stored = 0;
    for writer in writers {
        stored += writer.await??;
    }
    let elapsed = started.elapsed();
    assert_eq!(stored, distinct, "every distinct event is stored once");
    println!(
        "inbox ingest: {deliveries} deliveries (1 KiB, 30 % duplicates, 4 writers) in {:.2} s \
         = {:.0} deliveries/s",
        elapsed.as_secs_f64(),
        deliveries as f64 / elapsed.as_secs_f64()
    );
    Ok(distinct)
}

async fn process(pool: &Pool, events: usize) -> BenchResult<()> {
    let inbox = PgWebhookInbox::new(pool.clone());
    let options = WorkerOptions {
        workers: 4,
        batch_size: 10,
        lease: Duration::from_secs(30),
        poll_interval: Duration::from_millis(10),
        ..WorkerOptions::default()
    };
    let check = pool.clone();
    let all_done = async move {
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let done = "SELECT count(*) FROM received_webhooks WHERE state <> 'succeeded'";
            let left: Option<i64> = match check.get().await {
                Ok(client) => client.query_one(done, &[]).await.ok().map(|r| r.get(0)),
                Err(_) => None,
            };
            if left == Some(0) {
                return;
            }
        }
    };
    let started = Instant::now();
    let handler = |_event: InboxEvent| async { Ok::<(), String>(()) };
    let report = inbox.run(handler, options, all_done).await;
    let elapsed = started.elapsed();
    println!(
        "claim-process: {} events (4 workers, batches of 10, no-op handler) in {:.2} s \
         = {:.0} events/s",
        report.succeeded,
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}

async fn idempotency(pool: &Pool, calls: usize) -> BenchResult<()> {
    let store = PgIdempotencyStore::new(pool.clone());
    let fingerprint = Fingerprint::of("POST", "/v1/connect/payment_intents", b"{}");
    let response = StoredResponse {
        status: 201,
        headers: vec![("x-request-id".into(), "req_1".into())],
        body: vec![b'x'; 512],
    };
    let mut latencies = Vec::with_capacity(calls);
    for i in 0..calls {
        let key = IdempotencyKey::new(format!("order-{i}:create-intent"))?;
        let request = ClaimRequest {
            scope: "acct_bench",
            key: &key,
            method: "POST",
            path: "/v1/connect/payment_intents",
            fingerprint: &fingerprint,
            lease: Duration::from_secs(60),
            now_ms: 0,
            token: LockToken(i as u64),
        };
        let started = Instant::now();
        store.claim(&request).await?;
        store
            .complete("acct_bench", &key, &LockToken(i as u64), &response, 0)
            .await?;
        latencies.push(started.elapsed());
    }
    latencies.sort();
    let pct = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    println!(
        "idempotency claim+complete: {calls} sequential keys, p50 {:.0} µs, p99 {:.0} µs",
        pct(50).as_secs_f64() * 1e6,
        pct(99).as_secs_f64() * 1e6
    );
    Ok(())
}
