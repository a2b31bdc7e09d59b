//! Throughput of the PostgreSQL layer on the local database (`DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`), in a schema of its own that it drops after:
//!
//! - inbox ingest, SDK against raw SQL: the same deliveries (1 KiB, 30 % duplicates, 4
//!   writers, one pool) recorded by `PgWebhookInbox::record` and by a bare
//!   `INSERT … ON CONFLICT DO NOTHING`; the ratio of their times, per round;
//! - claim-process, SDK against raw SQL: the recorded events claimed 10 at a time and marked
//!   succeeded by 4 workers, with `claim_batch` + `succeed` and with a bare
//!   `FOR UPDATE SKIP LOCKED` claim and `UPDATE`; the ratio, per round;
//! - backlog: 10,000 events drained by `PgWebhookInbox::run` with 4 workers, events/s;
//! - idempotency: latency of one claim + complete of a fresh key, p50 / p99.
//!
//! SDK and raw alternate within each round (which goes first alternates too); the ratios are
//! reported as median and range over the rounds. Target: at most 1.5 each.
//!
//! `cargo bench -p molam-postgres --bench throughput` (`-- --quick` for fewer rounds).

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

    let rounds = if scale > 1 { 3 } else { 7 };
    let deliveries = 3_000;
    let (mut ingest_ratios, mut process_ratios) = (Vec::new(), Vec::new());
    let (mut sdk_rates, mut raw_rates) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let mut times = [(Duration::ZERO, Duration::ZERO); 2];
        let order = if round % 2 == 0 {
            [Side::Sdk, Side::Raw]
        } else {
            [Side::Raw, Side::Sdk]
        };
        for side in order {
            truncate(&pool).await?;
            let ingest = ingest(&pool, side, deliveries).await?;
            let process = process(&pool, side).await?;
            times[side as usize] = (ingest, process);
        }
        let [(sdk_in, sdk_proc), (raw_in, raw_proc)] = times;
        ingest_ratios.push(sdk_in.as_secs_f64() / raw_in.as_secs_f64());
        process_ratios.push(sdk_proc.as_secs_f64() / raw_proc.as_secs_f64());
        sdk_rates.push(deliveries as f64 / sdk_in.as_secs_f64());
        raw_rates.push(deliveries as f64 / raw_in.as_secs_f64());
    }
    println!(
        "inbox ingest, SDK / raw INSERT … ON CONFLICT DO NOTHING ({deliveries} deliveries, 1 KiB, \
         30 % duplicates, 4 writers, {rounds} rounds): ratio {} (SDK {:.0} deliveries/s, raw {:.0})",
        spread(&mut ingest_ratios),
        median(&mut sdk_rates),
        median(&mut raw_rates)
    );
    println!(
        "inbox claim-process, SDK claim_batch+succeed / raw FOR UPDATE SKIP LOCKED + UPDATE \
         ({} events, 4 workers, batches of 10, {rounds} rounds): ratio {}",
        deliveries * 7 / 10,
        spread(&mut process_ratios)
    );
    truncate(&pool).await?;
    backlog(&pool, 10_000).await?;
    idempotency(&pool, 3_000 / scale).await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Sdk = 0,
    Raw = 1,
}

/// `1.07 (1.02 … 1.12)`: median and range.
fn spread(values: &mut [f64]) -> String {
    let mid = median(values);
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{mid:.2} (range {lo:.2} … {hi:.2})")
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn truncate(pool: &Pool) -> BenchResult<()> {
    pool.get()
        .await?
        .batch_execute("TRUNCATE received_webhooks")
        .await?;
    Ok(())
}

fn delivery(n: usize, payload: &[u8]) -> ReceivedEvent {
    ReceivedEvent {
        tenant: "bench".into(),
        event_id: format!("evt_{n}"),
        event_type: "payment_intent.succeeded".into(),
        payload: payload.to_vec(),
        signature_header: Some("t=1700000000,v1=00".into()),
        received_at_unix: 1_700_000_000,
    }
}

/// The raw SQL of a record: the same row, no digest computed by the client (the table's
/// trigger keys it), no inbox rule.
const RAW_INSERT: &str = "INSERT INTO received_webhooks \
     (tenant, event_id, event_type, payload, signature_header, max_attempts, received_at) \
     VALUES ($1, $2, $3, $4, $5, 8, to_timestamp($6::bigint)) \
     ON CONFLICT DO NOTHING RETURNING id";

/// Records the deliveries (30 % duplicates) with 4 writers; how long it took.
async fn ingest(pool: &Pool, side: Side, deliveries: usize) -> BenchResult<Duration> {
    let distinct = deliveries * 7 / 10;
    let inbox = PgWebhookInbox::new(pool.clone());
    let payload = vec![b'x'; 1024];
    let started = Instant::now();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (inbox, pool, payload) = (inbox.clone(), pool.clone(), payload.clone());
            tokio::spawn(async move {
                let mut new = 0;
                for i in (w..deliveries).step_by(4) {
                    let n = if i < distinct {
                        i
                    } else {
                        (i - distinct) * 7 % distinct
                    };
                    let d = delivery(n, &payload);
                    let stored = match side {
                        Side::Sdk => inbox.record(&d).await? == Recorded::New,
                        Side::Raw => {
                            let client = pool.get().await.map_err(molam_postgres::Error::from)?;
                            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 6] = [
                                &d.tenant,
                                &d.event_id,
                                &d.event_type,
                                &d.payload,
                                &d.signature_header,
                                &d.received_at_unix,
                            ];
                            client
                                .query_opt(RAW_INSERT, &params)
                                .await
                                .map_err(molam_postgres::Error::from)?
                                .is_some()
                        }
                    };
                    new += usize::from(stored);
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
    Ok(elapsed)
}

/// The raw SQL of a claim: the same partial index, lease and attempt count, no rescue of
/// expired leases.
const RAW_CLAIM: &str = "WITH due AS ( \
         SELECT id FROM received_webhooks \
         WHERE state IN ('pending', 'retryable') AND next_attempt_at <= now() \
         ORDER BY next_attempt_at, id LIMIT 10 FOR UPDATE SKIP LOCKED) \
     UPDATE received_webhooks w SET state = 'processing', attempts = w.attempts + 1, \
         locked_by = $1, locked_until = now() + interval '30 seconds' \
     FROM due WHERE w.id = due.id RETURNING w.id, w.payload";
const RAW_SUCCEED: &str = "UPDATE received_webhooks SET state = 'succeeded', locked_by = NULL, \
     locked_until = NULL, processed_at = now() WHERE id = $1 AND state = 'processing'";

/// Claims and settles every recorded event with 4 workers; how long it took.
async fn process(pool: &Pool, side: Side) -> BenchResult<Duration> {
    let inbox = PgWebhookInbox::new(pool.clone());
    let started = Instant::now();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (inbox, pool) = (inbox.clone(), pool.clone());
            tokio::spawn(async move {
                let worker = format!("bench-{w}");
                let mut done = 0usize;
                loop {
                    let n = match side {
                        Side::Sdk => {
                            let events = inbox
                                .claim_batch(&worker, 10, Duration::from_secs(30))
                                .await?;
                            for event in &events {
                                let settled = inbox.succeed(&event.lease()).await?;
                                assert_eq!(settled, molam_postgres::Settlement::Succeeded);
                            }
                            events.len()
                        }
                        Side::Raw => {
                            let rows = {
                                let client =
                                    pool.get().await.map_err(molam_postgres::Error::from)?;
                                client
                                    .query(RAW_CLAIM, &[&worker])
                                    .await
                                    .map_err(molam_postgres::Error::from)?
                            };
                            for row in &rows {
                                let id: i64 = row.get(0);
                                let client =
                                    pool.get().await.map_err(molam_postgres::Error::from)?;
                                client
                                    .execute(RAW_SUCCEED, &[&id])
                                    .await
                                    .map_err(molam_postgres::Error::from)?;
                            }
                            rows.len()
                        }
                    };
                    if n == 0 {
                        return Ok::<usize, molam_postgres::Error>(done);
                    }
                    done += n;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await??;
    }
    Ok(started.elapsed())
}

/// Records `events`, then drains them with `PgWebhookInbox::run` and 4 workers.
async fn backlog(pool: &Pool, events: usize) -> BenchResult<()> {
    let inbox = PgWebhookInbox::new(pool.clone());
    let payload = vec![b'x'; 1024];
    for n in 0..events {
        let _ = inbox.record(&delivery(n, &payload)).await?;
    }
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
    assert_eq!(
        report.succeeded as usize, events,
        "the whole backlog is drained"
    );
    println!(
        "backlog: {events} events drained by PgWebhookInbox::run (4 workers, batches of 10, \
         no-op handler) in {:.2} s = {:.0} events/s",
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
