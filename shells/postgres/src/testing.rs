//! Test support (feature `testing`): the one place that decides whether a test can reach
//! PostgreSQL, and a schema of its own for each test (so tests run in parallel), dropped when
//! the test ends. Every crate of the workspace whose tests need a database uses it.
//!
//! `DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`) names the database.
//! With `MOLAM_REQUIRE_DATABASE=1` (CI) an unreachable database fails the test; without it
//! the test prints how to enable it and returns early.
//!
//! ```no_run
//! # async fn t() {
//! use molam_postgres::testing::TestDb;
//! let Some(db) = TestDb::migrated().await else { return }; // skipped: said why on stderr
//! assert_eq!(db.count("SELECT count(*) FROM server_idempotency").await, 0);
//! # }
//! ```

use std::io::Write;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use crate::tokio_postgres::{self, NoTls};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The database URL the tests use.
pub fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

fn required() -> bool {
    std::env::var("MOLAM_REQUIRE_DATABASE").is_ok_and(|v| v == "1")
}

/// Fails (CI) or explains and skips (a laptop) a test that cannot run for `reason`.
pub fn unavailable<T>(reason: &str) -> Option<T> {
    assert!(
        !required(),
        "MOLAM_REQUIRE_DATABASE=1 but PostgreSQL is unusable: {reason}"
    );
    // Once per run, and past libtest's capture (which only catches the print macros), so
    // that a newcomer sees it without --nocapture.
    static SAID: Once = Once::new();
    SAID.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "molam-postgres tests SKIPPED: PostgreSQL unusable ({reason}); start PostgreSQL and \
             set DATABASE_URL (default {DEFAULT_URL}) to run them"
        );
    });
    None
}

/// `DATABASE_URL` once a connection to it succeeds, for tests that hand the URL to another
/// process; `None` (after saying why, or failing under `MOLAM_REQUIRE_DATABASE=1`) otherwise.
pub async fn reachable_url() -> Option<String> {
    let url = database_url();
    match tokio_postgres::connect(&url, NoTls).await {
        Ok(_) => Some(url),
        Err(e) => unavailable(&format!("cannot connect to {url}: {e}")),
    }
}

/// A fresh schema of its own for one test; dropped (with everything in it) on drop.
pub struct TestDb {
    /// A pool whose connections have `search_path` set to [`TestDb::schema`].
    pub pool: Pool,
    /// The schema's name.
    pub schema: String,
    url: String,
}

impl TestDb {
    /// An empty schema, or `None` (after saying why) when the database is unreachable.
    pub async fn empty() -> Option<TestDb> {
        Self::with_pool_size(16).await
    }

    /// A schema with the migrations applied.
    pub async fn migrated() -> Option<TestDb> {
        let db = Self::empty().await?;
        crate::migrate(&db.pool)
            .await
            .expect("migrations apply to a fresh schema");
        Some(db)
    }

    /// An empty schema whose pool holds at most `size` connections.
    pub async fn with_pool_size(size: usize) -> Option<TestDb> {
        let url = database_url();
        let (client, connection) = match tokio_postgres::connect(&url, NoTls).await {
            Ok(pair) => pair,
            Err(e) => return unavailable(&format!("cannot connect to {url}: {e}")),
        };
        tokio::spawn(connection);
        let schema = unique_schema_name();
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .expect("the test database lets us create a schema");
        let mut config = tokio_postgres::Config::from_str(&url).expect("DATABASE_URL parses");
        config.options(format!("-c search_path={schema}"));
        // Names the pool's sessions, so that the drop can end them (see `Drop`).
        config.application_name(&schema);
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(size)
            .build()
            .expect("a pool with a tokio runtime builds");
        Some(TestDb { pool, schema, url })
    }

    /// A connection configuration for the `postgres` (blocking) crate, on this schema.
    pub fn blocking_config(&self) -> postgres::Config {
        let mut config = postgres::Config::from_str(&self.url).expect("DATABASE_URL parses");
        config.options(&format!("-c search_path={}", self.schema));
        config.application_name(&self.schema);
        config
    }

    /// One connection of the pool, for assertions.
    pub async fn client(&self) -> crate::deadpool_postgres::Object {
        self.pool.get().await.expect("a pooled connection")
    }

    /// Runs a query returning one `bigint`.
    pub async fn count(&self, sql: &str) -> i64 {
        self.client()
            .await
            .query_one(sql, &[])
            .await
            .expect("the assertion query runs")
            .get(0)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.pool.close();
        let url = self.url.clone();
        let schema = self.schema.clone();
        // Drop cannot await; a thread keeps the blocking client away from the tokio runtime.
        let dropped = std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&url, NoTls)?;
            // The test's own sessions may still hold locks (a transaction whose ROLLBACK is
            // queued on a runtime blocked right here, in this join): end them first.
            client.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE application_name = $1 AND pid <> pg_backend_pid()",
                &[&schema],
            )?;
            client.batch_execute(&format!(
                "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {schema} CASCADE"
            ))
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            let test = std::thread::current().name().unwrap_or("?").to_owned();
            eprintln!(
                "could not drop test schema {} of {test}: {dropped:?}",
                self.schema
            );
        }
    }
}

fn unique_schema_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "molam_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}
