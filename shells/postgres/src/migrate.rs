//! Applies the numbered files of this crate's `migrations/` directory in order, each once, each
//! in a transaction.
//!
//! That directory is the schema's one source: the files are embedded at build time (so a
//! deployed binary carries the schema it expects) and ship in the published crate, and the
//! repository's top-level `migrations/` is a symbolic link to it, for `psql -f`. A new
//! migration is a new file there plus its entry in [`MIGRATIONS`]; a test checks the two agree.
//! Concurrent migrators (several replicas starting at once) are serialized by a transaction
//! advisory lock per schema; the one that comes second finds the migration recorded and skips
//! it. A file edited after it was applied is refused ([`Error::MigrationChanged`]).
//!
//! The first migration creates `schema_migrations` itself, so the runner never repeats its
//! definition; a schema built by `psql -f` (which records nothing) is simply re-applied once,
//! harmlessly, since every file is idempotent, and recorded then.

use deadpool_postgres::Pool;
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::sql;

/// One embedded migration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// Its number, the order of application.
    pub version: i64,
    /// Its name (the file name without number and extension).
    pub name: &'static str,
    /// The SQL, applied as one multi-statement batch.
    pub sql: &'static str,
}

impl Migration {
    /// Lower-case hex SHA-256 of the SQL text, recorded in `schema_migrations.checksum`.
    pub fn checksum(&self) -> String {
        Sha256::digest(self.sql.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Decides whether this migration must run, given the checksum recorded for its version.
    pub(crate) fn plan(&self, recorded: Option<String>) -> Result<Step, Error> {
        match recorded {
            None => Ok(Step::Apply),
            Some(recorded) if recorded == self.checksum() => Ok(Step::Skip),
            Some(recorded) => Err(Error::MigrationChanged {
                version: self.version,
                name: self.name.to_owned(),
                recorded,
                current: self.checksum(),
            }),
        }
    }
}

/// What to do with one migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Apply,
    Skip,
}

/// Every migration of this crate, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "idempotency_and_webhooks",
        sql: include_str!("../migrations/001_idempotency_and_webhooks.sql"),
    },
    Migration {
        version: 2,
        name: "event_keys",
        sql: include_str!("../migrations/002_event_keys.sql"),
    },
];

/// A migration this call applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Its number.
    pub version: i64,
    /// Its name.
    pub name: String,
}

impl From<&Migration> for Applied {
    fn from(m: &Migration) -> Self {
        Applied {
            version: m.version,
            name: m.name.to_owned(),
        }
    }
}

/// Applies the migrations the schema (the first of the connection's `search_path`) has not
/// seen yet, and returns them; an up-to-date schema returns an empty list.
///
/// ```no_run
/// # async fn demo(pool: deadpool_postgres::Pool) -> Result<(), molam_postgres::Error> {
/// let applied = molam_postgres::migrate(&pool).await?;
/// println!("applied {} migration(s)", applied.len());
/// # Ok(()) }
/// ```
pub async fn migrate(pool: &Pool) -> Result<Vec<Applied>, Error> {
    let mut client = pool.get().await?;
    migrate_client(&mut client).await
}

/// [`migrate`] on a single connection.
pub async fn migrate_client(client: &mut tokio_postgres::Client) -> Result<Vec<Applied>, Error> {
    let mut applied = Vec::new();
    for migration in MIGRATIONS {
        let tx = client.transaction().await?;
        tx.execute(sql::MIGRATION_LOCK, &[]).await?;
        let recorded = if tx
            .query_one(sql::MIGRATIONS_TABLE_EXISTS, &[])
            .await?
            .try_get(0)?
        {
            tx.query_opt(sql::MIGRATION_CHECKSUM, &[&migration.version])
                .await?
                .map(|row| row.try_get::<_, String>(0))
                .transpose()?
        } else {
            None
        };
        let step = match migration.plan(recorded) {
            Ok(step) => step,
            Err(e) => {
                // Explicitly, so the pooled connection goes back clean and unlocked.
                tx.rollback().await?;
                return Err(e);
            }
        };
        if step == Step::Apply {
            tx.batch_execute(migration.sql).await?;
            tx.execute(
                sql::RECORD_MIGRATION,
                &[&migration.version, &migration.name, &migration.checksum()],
            )
            .await?;
            applied.push(Applied::from(migration));
        }
        tx.commit().await?;
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_from_one_without_gaps() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        let expected: Vec<i64> = (1..=MIGRATIONS.len() as i64).collect();
        assert_eq!(versions, expected);
    }

    #[test]
    fn every_sql_file_of_the_migrations_directory_is_embedded_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "sql"))
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&path).unwrap())
            })
            .collect();
        files.sort();
        let embedded: Vec<(String, String)> = MIGRATIONS
            .iter()
            .map(|m| (format!("{:03}_{}.sql", m.version, m.name), m.sql.to_owned()))
            .collect();
        assert_eq!(files, embedded);
    }

    #[test]
    fn checksum_is_the_sha256_of_the_file() {
        let m = Migration {
            version: 9,
            name: "x",
            sql: "abc",
        };
        assert_eq!(
            m.checksum(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn recorded_migration_with_the_same_checksum_is_skipped() {
        let m = MIGRATIONS[0];
        assert_eq!(m.plan(Some(m.checksum())).ok(), Some(Step::Skip));
        assert_eq!(m.plan(None).ok(), Some(Step::Apply));
    }

    #[test]
    fn recorded_migration_with_another_checksum_is_refused() {
        let m = MIGRATIONS[0];
        match m.plan(Some("00".into())) {
            Err(Error::MigrationChanged {
                version, recorded, ..
            }) => assert_eq!((version, recorded.as_str()), (1, "00")),
            other => panic!("expected MigrationChanged, got {other:?}"),
        }
    }
}
