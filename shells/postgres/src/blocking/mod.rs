//! The blocking flavour, for servers built on `molam-blocking` (no async runtime): the same
//! SQL, the same rules, over the synchronous `postgres` crate.
//!
//! - [`BlockingPool`]: a small connection pool (at most `max_size` open; opened on demand,
//!   kept, and waited for at the limit).
//! - [`migrate`]: the migration runner.
//! - [`PgBlockingIdempotencyStore`]: the core's sync `IdempotencyStore`.
//! - [`PgBlockingWebhookInbox`]: record, claim, succeed, fail, release.
//!
//! Do not call these from inside a tokio runtime: the `postgres` crate drives its own.

mod idempotency;
mod inbox;
mod pool;
mod worker;

pub use idempotency::PgBlockingIdempotencyStore;
pub use inbox::PgBlockingWebhookInbox;
pub use pool::{BlockingPool, PooledClient};

pub use postgres;

use crate::error::Error;
use crate::migrate::{Applied, Step, MIGRATIONS};
use crate::sql;

/// Applies the migrations the schema has not seen yet (see [`crate::migrate`]).
///
/// ```no_run
/// # fn demo() -> Result<(), molam_postgres::Error> {
/// use molam_postgres::blocking::{migrate, BlockingPool};
/// let pool = BlockingPool::connect("postgres://postgres@127.0.0.1:5432/shop")?;
/// let mut client = pool.get()?;
/// let applied = migrate(&mut client)?;
/// # let _ = applied; Ok(()) }
/// ```
pub fn migrate(client: &mut postgres::Client) -> Result<Vec<Applied>, Error> {
    let mut applied = Vec::new();
    for migration in MIGRATIONS {
        let mut tx = client.transaction()?;
        tx.execute(sql::MIGRATION_LOCK, &[])?;
        let recorded = if tx
            .query_one(sql::MIGRATIONS_TABLE_EXISTS, &[])?
            .try_get(0)?
        {
            tx.query_opt(sql::MIGRATION_CHECKSUM, &[&migration.version])?
                .map(|row| row.try_get::<_, String>(0))
                .transpose()?
        } else {
            None
        };
        if migration.plan(recorded)? == Step::Apply {
            tx.batch_execute(migration.sql)?;
            tx.execute(
                sql::RECORD_MIGRATION,
                &[&migration.version, &migration.name, &migration.checksum()],
            )?;
            applied.push(Applied::from(migration));
        }
        tx.commit()?;
    }
    Ok(applied)
}
