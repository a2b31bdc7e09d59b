//! Several worker processes on one database: the claim, lease and rescue rules hold across
//! processes, not only tasks. Three processes (this test binary run again with
//! `MOLAM_WORKER_CHILD` set) drain 2,000 events; one is killed with SIGKILL mid-batch.

use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use molam_postgres::deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use molam_postgres::tokio_postgres::{self, NoTls};
use molam_postgres::{InboxEvent, PgWebhookInbox, WorkerOptions};

use crate::inbox::delivery;
use crate::support::{database_url, TestDb};

const CHILD: &str = "MOLAM_WORKER_CHILD";
const TEST: &str = "processes::three_worker_processes_one_killed_mid_batch_process_every_event";
const EVENTS: i64 = 2_000;

/// The worker process: handles events of the schema in `MOLAM_WORKER_CHILD` until none is
/// left, noting each handler call in `handled`.
async fn work_in_child(schema: String) -> ! {
    let mut config = tokio_postgres::Config::from_str(&database_url()).expect("DATABASE_URL");
    config.options(format!("-c search_path={schema}"));
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager).max_size(4).build().expect("pool");
    let inbox = PgWebhookInbox::new(pool.clone());
    let me = std::process::id().to_string();
    let handler = {
        let pool = pool.clone();
        move |event: InboxEvent| {
            let (pool, me) = (pool.clone(), me.clone());
            async move {
                let client = pool.get().await.map_err(|e| e.to_string())?;
                client
                    .execute(
                        "INSERT INTO handled (event_id, worker) VALUES ($1, $2)",
                        &[&event.event_id, &me],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                tokio::time::sleep(Duration::from_millis(2)).await;
                Ok::<(), String>(())
            }
        }
    };
    let options = WorkerOptions {
        workers: 2,
        batch_size: 10,
        lease: Duration::from_secs(1),
        poll_interval: Duration::from_millis(50),
        name: format!("proc-{}", std::process::id()),
        ..WorkerOptions::default()
    };
    let all_done = async {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let done = "SELECT count(*) FROM received_webhooks WHERE state <> 'succeeded'";
            if let Ok(client) = pool.get().await {
                if let Ok(row) = client.query_one(done, &[]).await {
                    if row.get::<_, i64>(0) == 0 {
                        return;
                    }
                }
            }
        }
    };
    let report = inbox.run(handler, options, all_done).await;
    println!("worker {} report {report:?}", std::process::id());
    std::process::exit(0)
}

struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_worker_processes_one_killed_mid_batch_process_every_event() {
    if let Ok(schema) = std::env::var(CHILD) {
        work_in_child(schema).await;
    }
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    db.client()
        .await
        .batch_execute("CREATE TABLE handled (event_id text NOT NULL, worker text NOT NULL)")
        .await
        .expect("handled table");
    let inbox = PgWebhookInbox::new(db.pool.clone());
    for i in 0..EVENTS {
        let recorded = inbox
            .record(&delivery(&format!("evt_{i}"), b"{}"))
            .await
            .expect("record");
        assert_eq!(recorded, molam_core::inbox::Recorded::New);
    }
    let exe = std::env::current_exe().expect("test binary");
    let mut workers: Vec<Worker> = (0..3)
        .map(|_| {
            Worker(
                Command::new(&exe)
                    .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
                    .env(CHILD, &db.schema)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("spawn a worker process"),
            )
        })
        .collect();
    // Kill one once the work is well under way: it holds leased, unsettled events.
    let started = Instant::now();
    while db.count("SELECT count(*) FROM handled").await < 400 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "workers started"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let victim = workers[0].0.id().to_string();
    workers[0].0.kill().expect("SIGKILL");
    let _ = workers[0].0.wait();
    for worker in &mut workers[1..] {
        let deadline = Instant::now() + Duration::from_secs(45);
        loop {
            if worker.0.try_wait().expect("wait").is_some() {
                break;
            }
            assert!(Instant::now() < deadline, "the survivors finish");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let succeeded = "SELECT count(*) FROM received_webhooks WHERE state = 'succeeded'";
    assert_eq!(db.count(succeeded).await, EVENTS, "every event processed");
    let unhandled = "SELECT count(*) FROM received_webhooks r \
         WHERE NOT EXISTS (SELECT 1 FROM handled h WHERE h.event_id = r.event_id)";
    assert_eq!(db.count(unhandled).await, 0, "none lost");
    let duplicates = db.count("SELECT count(*) FROM handled").await - EVENTS;
    // At least once: an event runs again only after the killed worker's lease on it was
    // lost, so every repeat is of an event the killed worker had handled.
    let unexplained = format!(
        "SELECT count(*) FROM (SELECT event_id FROM handled GROUP BY event_id \
         HAVING count(*) > 1) d WHERE NOT EXISTS (SELECT 1 FROM handled h \
         WHERE h.event_id = d.event_id AND h.worker = '{victim}')"
    );
    assert_eq!(
        db.count(&unexplained).await,
        0,
        "no duplicate outside the lost lease"
    );
    let victim_handled = db
        .count(&format!(
            "SELECT count(*) FROM handled WHERE worker = '{victim}'"
        ))
        .await;
    println!(
        "3 worker processes, {EVENTS} events, one killed with SIGKILL after {victim_handled} \
         handler calls: all {EVENTS} succeeded, {duplicates} handled twice (each after the \
         killed worker's lease was lost), in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Each of the killed process's two worker tasks had at most one event between its
    // handler and its settlement.
    assert!(duplicates <= 2, "duplicates: {duplicates}");
}
