//! The migration runner and the migration file itself.

use std::path::Path;
use std::process::Command;

use molam_postgres::{migrate, Applied, Error, MIGRATIONS};

use crate::support::{database_url, unavailable, TestDb};

const TABLES: &str = "SELECT count(*) FROM information_schema.tables \
     WHERE table_schema = current_schema() AND table_name IN ('schema_migrations', \
     'server_idempotency', 'received_webhooks', 'webhook_subscriptions', 'webhook_secrets')";

/// Every migration, as a first run applies them.
fn first() -> Vec<Applied> {
    MIGRATIONS.iter().map(Applied::from).collect()
}

#[tokio::test]
async fn migration_applies_on_an_empty_schema_and_records_its_checksum() {
    let Some(db) = TestDb::empty().await else {
        return;
    };
    assert_eq!(db.count(TABLES).await, 0);
    let applied = migrate(&db.pool).await.expect("migrate");
    assert_eq!(applied, first());
    assert_eq!(db.count(TABLES).await, 5);
    let row = db
        .client()
        .await
        .query_one(
            "SELECT version, name, checksum FROM schema_migrations WHERE version = 1",
            &[],
        )
        .await
        .expect("one recorded migration");
    let recorded: (i64, String, String) = (row.get(0), row.get(1), row.get(2));
    let expected = (
        1,
        "idempotency_and_webhooks".to_owned(),
        MIGRATIONS[0].checksum(),
    );
    assert_eq!(recorded, expected);
}

#[tokio::test]
async fn second_migrate_is_a_no_op() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    let again = migrate(&db.pool).await.expect("migrate again");
    assert_eq!(again, Vec::<Applied>::new());
    assert_eq!(
        db.count("SELECT count(*) FROM schema_migrations").await,
        MIGRATIONS.len() as i64
    );
}

#[tokio::test]
async fn concurrent_migrators_apply_each_migration_once() {
    let Some(db) = TestDb::empty().await else {
        return;
    };
    let runs = (0..4).map(|_| {
        let pool = db.pool.clone();
        tokio::spawn(async move { migrate(&pool).await })
    });
    let mut applied = Vec::new();
    for run in runs {
        applied.extend(run.await.expect("task").expect("every migrator succeeds"));
    }
    assert_eq!(applied, first());
}

#[tokio::test]
async fn migration_edited_after_it_was_applied_is_refused() {
    let Some(db) = TestDb::migrated().await else {
        return;
    };
    db.client()
        .await
        .execute("UPDATE schema_migrations SET checksum = 'edited'", &[])
        .await
        .expect("update");
    match migrate(&db.pool).await {
        Err(Error::MigrationChanged {
            version, recorded, ..
        }) => assert_eq!((version, recorded.as_str()), (1, "edited")),
        other => panic!("expected MigrationChanged, got {other:?}"),
    }
}

fn psql(db: &TestDb, file: &Path) -> Option<std::process::Output> {
    let output = Command::new("psql")
        .arg(database_url())
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
        .arg(file)
        .env("PGOPTIONS", format!("-c search_path={}", db.schema))
        .env("PGCLIENTMIN_MESSAGES", "warning")
        .output();
    match output {
        Ok(output) => Some(output),
        Err(e) => unavailable(&format!("cannot run psql: {e}")),
    }
}

#[tokio::test]
async fn psql_applies_the_same_file_twice_and_migrate_adopts_the_result() {
    let Some(db) = TestDb::empty().await else {
        return;
    };
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/001_idempotency_and_webhooks.sql");
    let text = std::fs::read_to_string(&file).expect("the migration file is readable");
    assert_eq!(
        text, MIGRATIONS[0].sql,
        "psql and the runner apply the same text"
    );
    for run in 1..=2 {
        let Some(output) = psql(&db, &file) else {
            return;
        };
        assert!(
            output.status.success(),
            "psql run {run} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(db.count(TABLES).await, 5);
    let functions = "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE n.nspname = current_schema() AND p.proname LIKE 'molam\\_%'";
    assert_eq!(db.count(functions).await, 3);
    // psql records nothing; the runner re-applies the idempotent file once and records it.
    assert_eq!(migrate(&db.pool).await.expect("migrate"), first());
    assert_eq!(
        migrate(&db.pool).await.expect("migrate"),
        Vec::<Applied>::new()
    );
}
