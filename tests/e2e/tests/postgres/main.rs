//! Exactly-once across crashes: both clients wired to the PostgreSQL idempotency store
//! (`molam-postgres`), against the in-process mock, whose counters prove what was sent and
//! what was created. Each test works in a schema of its own (`molam_postgres::testing`).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use molam_core::error::IdempotencyError;
use molam_core::idempotency::{
    AsyncIdempotencyStore, ClaimRequest, Fingerprint, IdempotencyKey, LockToken,
};
use molam_core::response::AnswerSource;
use molam_e2e::molam_mock::{FaultConfig, FaultKind};
use molam_e2e::Harness;
use molam_postgres::testing::TestDb;
use molam_postgres::PgIdempotencyStore;
use molam_tokio::params::CreatePaymentIntent;
use molam_tokio::resources::Currency;
use molam_tokio::{Client, Error, RequestOptions};

const CREATE: &str = "POST /v1/connect/payment_intents";
const PATH: &str = "/v1/connect/payment_intents";
const SCOPE: &str = "acct_e2e";

/// One merchant process: its own client, sharing the database with the others.
fn process(mock: &Harness, store: &Arc<PgIdempotencyStore>) -> Client {
    let config = mock.config().build().expect("config");
    Client::builder(config)
        .idempotency_store(store.clone())
        .idempotency_scope(SCOPE)
        .build()
        .expect("client")
}

fn keyed(key: &str) -> RequestOptions {
    RequestOptions::new().idempotency_key(key).expect("key")
}

fn now_ms() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(since_epoch.as_millis()).expect("fits in i64")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completed_key_is_replayed_from_postgres_after_a_restart_without_any_request() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let mock = Harness::start();
    let store = Arc::new(PgIdempotencyStore::new(db.pool.clone()));
    let params = CreatePaymentIntent::new(2500, Currency::XOF);

    let first = process(&mock, &store)
        .with_options(keyed("order-1:create"))
        .payment_intents()
        .create(&params)
        .await
        .expect("created");
    let restarted = process(&mock, &store);
    let again = restarted
        .with_options(keyed("order-1:create"))
        .payment_intents()
        .create(&params)
        .await
        .expect("replayed from the store");

    assert_eq!(again.id, first.id);
    assert_eq!(again.request_id(), first.request_id());
    assert_eq!(mock.requests_to(CREATE), 1, "the replay sent nothing");
    assert_eq!(mock.created("payment_intent"), 1);
    assert_eq!(
        db.count("SELECT count(*) FROM server_idempotency WHERE state = 'completed'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_calls_with_one_key_send_one_request_and_create_one_intent() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let mock = Harness::start();
    // The first request is held 400 ms by the mock, so the other 49 arrive while it runs.
    mock.set_faults(&FaultConfig {
        next: vec![FaultKind::Delay],
        delay_ms: 400,
        retry_after_seconds: 0,
        ..FaultConfig::off()
    });
    let store = Arc::new(PgIdempotencyStore::new(db.pool.clone()));
    let params = CreatePaymentIntent::new(4200, Currency::XOF);
    let calls = (0..50).map(|_| {
        let client = process(&mock, &store);
        let params = params.clone();
        tokio::spawn(async move {
            client
                .with_options(keyed("order-50:create"))
                .payment_intents()
                .create(&params)
                .await
        })
    });
    let outcomes = futures_util::future::join_all(calls).await;

    let (mut created, mut in_progress) = (vec![], 0);
    for outcome in outcomes {
        match outcome.expect("the task ran") {
            Ok(intent) => created.push(intent.id.clone()),
            Err(Error::Idempotency(IdempotencyError::InProgress { key })) => {
                assert_eq!(key, "order-50:create");
                in_progress += 1;
            }
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert!(!created.is_empty(), "the claimant succeeded");
    assert!(created.iter().all(|id| *id == created[0]), "{created:?}");
    assert_eq!(created.len() + in_progress, 50);
    assert!(in_progress > 0, "concurrent duplicates were held back");
    assert_eq!(mock.requests_to(CREATE), 1, "one request reached the API");
    assert_eq!(mock.created("payment_intent"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_lost_after_commit_is_recovered_by_a_restart_with_the_same_key() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let mock = Harness::start();
    let store = Arc::new(PgIdempotencyStore::new(db.pool.clone()));
    let params = CreatePaymentIntent::new(900, Currency::XOF);
    // The API creates the intent, then the connection drops: the process sees a failure and
    // (no retries left) gives up, releasing its claim.
    mock.next_faults(&[FaultKind::DropAfterCommit]);
    let lost = process(&mock, &store)
        .with_options(keyed("order-2:create").max_retries(0))
        .payment_intents()
        .create(&params)
        .await
        .expect_err("the response was lost");
    // The error says the outcome is unknown and names the key to finish the call with.
    assert_eq!(lost.unknown_outcome_key(), Some("order-2:create"), "{lost}");
    assert_eq!(mock.created("payment_intent"), 1);
    assert_eq!(
        db.count("SELECT count(*) FROM server_idempotency").await,
        0,
        "released"
    );

    // The restarted process sends the same key; the API replays the intent it created.
    let recovered = process(&mock, &store)
        .with_options(keyed("order-2:create"))
        .payment_intents()
        .create(&params)
        .await
        .expect("recovered");
    assert!(recovered.meta().idempotent_replayed);
    assert_eq!(recovered.meta().source, AnswerSource::ServerReplay);
    assert_eq!(mock.created("payment_intent"), 1, "never created twice");
    assert_eq!(mock.requests_to(CREATE), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_left_by_a_crashed_process_is_taken_over_after_its_lease() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let mock = Harness::start();
    let store = Arc::new(PgIdempotencyStore::new(db.pool.clone()));
    let params = CreatePaymentIntent::new(1300, Currency::XOF);
    // A process claimed the key with a 500 ms lease, then died before sending anything.
    let body = serde_json::to_vec(&params).expect("params serialize");
    let key = IdempotencyKey::new("order-3:create").expect("key");
    store
        .claim(&ClaimRequest {
            scope: SCOPE,
            key: &key,
            method: "POST",
            path: PATH,
            fingerprint: &Fingerprint::of("POST", PATH, &body),
            lease: Duration::from_millis(500),
            now_ms: now_ms(),
            token: LockToken(41),
        })
        .await
        .expect("the doomed process claims");

    let survivor = process(&mock, &store);
    let early = survivor
        .with_options(keyed("order-3:create"))
        .payment_intents()
        .create(&params)
        .await
        .expect_err("still leased");
    assert!(matches!(
        early,
        Error::Idempotency(IdempotencyError::InProgress { .. })
    ));
    assert_eq!(mock.requests_to(CREATE), 0);

    tokio::time::sleep(Duration::from_millis(700)).await;
    let taken_over = survivor
        .with_options(keyed("order-3:create"))
        .payment_intents()
        .create(&params)
        .await
        .expect("the lease expired");
    assert_eq!(
        taken_over.meta().idempotency_key.as_deref(),
        Some("order-3:create")
    );
    assert_eq!(mock.created("payment_intent"), 1);
}

#[test]
fn the_blocking_client_replays_from_the_blocking_postgres_store() {
    use molam_postgres::blocking::{BlockingPool, PgBlockingIdempotencyStore};

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let Some(db) = runtime.block_on(TestDb::migrated()) else {
        return;
    };
    let mock = Harness::start();
    let store = Arc::new(PgBlockingIdempotencyStore::new(BlockingPool::new(
        db.blocking_config(),
    )));
    let process = || {
        molam_blocking::Client::builder(mock.config().build().expect("config"))
            .idempotency_store(store.clone())
            .idempotency_scope(SCOPE)
            .build()
            .expect("client")
    };
    let params = CreatePaymentIntent::new(700, Currency::XOF);
    let first = process()
        .with_options(keyed("order-4:create"))
        .payment_intents()
        .create(&params)
        .expect("created");
    let again = process()
        .with_options(keyed("order-4:create"))
        .payment_intents()
        .create(&params)
        .expect("replayed");
    assert_eq!(again.id, first.id);
    assert_eq!(mock.requests_to(CREATE), 1, "the replay sent nothing");
    drop(runtime);
}

/// A small xorshift generator: the test needs jitter, not quality, and no extra dependency.
struct Jitter(u64);

impl Jitter {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_creates_while_the_stores_backends_are_terminated_create_exactly_300() {
    use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

    const CREATES: usize = 300;
    const CALLERS: usize = 6;
    // A caller retries its own key a bounded number of times. A claim left in progress by a
    // lost connection would answer "in progress" until its lease ran out (30 s and more), far
    // beyond these attempts.
    const ATTEMPTS: u32 = 20;

    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let started = std::time::Instant::now();
    let mock = Harness::start();
    // The test pool's sessions carry the schema as their application name: only they are
    // terminated, never another test's.
    let store = Arc::new(PgIdempotencyStore::new(db.pool.clone()));
    let client = Arc::new(process(&mock, &store));

    let url = molam_postgres::testing::database_url();
    let (killer, connection) =
        molam_postgres::tokio_postgres::connect(&url, molam_postgres::tokio_postgres::NoTls)
            .await
            .expect("the terminating session connects");
    tokio::spawn(connection);
    let killer = Arc::new(killer);
    let killer_for_count = killer.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let terminated = Arc::new(AtomicU64::new(0));
    let terminator = {
        let (stop, terminated, app) = (stop.clone(), terminated.clone(), db.schema.clone());
        tokio::spawn(async move {
            let mut jitter = Jitter(u64::try_from(now_ms()).unwrap_or(1) | 1);
            // One of the pool's backends, chosen at random, every 5 to 25 ms.
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(5 + jitter.below(20))).await;
                let ended: i64 = killer
                    .query_one(
                        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) AS ended \
                         FROM pg_stat_activity WHERE application_name = $1 \
                         ORDER BY random() LIMIT 1) t WHERE ended",
                        &[&app],
                    )
                    .await
                    .expect("pg_terminate_backend runs")
                    .get(0);
                terminated.fetch_add(u64::try_from(ended).unwrap_or(0), Ordering::Relaxed);
            }
        })
    };

    let next = Arc::new(AtomicUsize::new(0));
    let caller_errors = Arc::new(AtomicU64::new(0));
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let (client, next, errors) = (client.clone(), next.clone(), caller_errors.clone());
            tokio::spawn(async move {
                let params = CreatePaymentIntent::new(1200, Currency::XOF);
                let mut ids = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= CREATES {
                        return ids;
                    }
                    let key = format!("fault-{n}:create");
                    let mut attempt = 1;
                    let id = loop {
                        match client
                            .with_options(keyed(&key))
                            .payment_intents()
                            .create(&params)
                            .await
                        {
                            Ok(intent) => break intent.id.clone(),
                            Err(_) if attempt < ATTEMPTS => {
                                errors.fetch_add(1, Ordering::Relaxed);
                                attempt += 1;
                                tokio::time::sleep(Duration::from_millis(20)).await;
                            }
                            Err(e) => panic!("{key} still failing after {ATTEMPTS} attempts: {e}"),
                        }
                    };
                    ids.push(id);
                }
            })
        })
        .collect();
    let mut ids = Vec::new();
    for caller in callers {
        ids.extend(caller.await.expect("a caller finished"));
    }
    stop.store(true, Ordering::Relaxed);
    terminator.await.expect("the terminator stopped");

    let terminated = terminated.load(Ordering::Relaxed);
    let caller_errors = caller_errors.load(Ordering::Relaxed);
    ids.sort();
    ids.dedup();
    println!(
        "{CREATES} creates: {terminated} backends terminated, {caller_errors} calls failed \
         and were retried by their caller, {} requests sent, {} intents created, {:.1} s",
        mock.requests_to(CREATE),
        mock.created("payment_intent"),
        started.elapsed().as_secs_f64()
    );
    assert!(terminated > 0, "the faults happened");
    assert_eq!(ids.len(), CREATES, "one distinct intent per key");
    assert_eq!(mock.created("payment_intent"), 300);
    // Counted on the terminating session: the pool may still hold a session it ended.
    let completed: i64 = killer_for_count
        .query_one(
            &format!(
                "SELECT count(*) FROM {}.server_idempotency WHERE state = 'completed'",
                db.schema
            ),
            &[],
        )
        .await
        .expect("the count runs")
        .get(0);
    assert_eq!(completed, 300, "no claim left in progress");
}
