//! The one error type of this crate.
//!
//! Each variant keeps the error it wraps as its [`source`](std::error::Error::source), and its
//! message says what failed in words a reader can act on: the server's own message (`database
//! "shop" does not exist`, with its SQLSTATE) or the I/O failure (`Connection refused`), not
//! only the driver's generic `db error` / `error connecting to server`. Messages never hold a
//! connection string or a password: neither is in any of the wrapped errors.

use std::error::Error as _;
use std::fmt::Write as _;

use deadpool_postgres::{PoolError, TimeoutType};

/// Why a call to the database layer failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// PostgreSQL refused a statement, or the connection broke.
    #[error("database: {}", describe(.0))]
    Database(#[from] tokio_postgres::Error),
    /// No connection could be taken from the pool: the server refused a new one (unknown
    /// database, authentication), could not be reached, or the pool timed out or was closed.
    #[error("connection pool: {}", describe_pool(.0))]
    Pool(#[from] PoolError),
    /// A migration file was edited after it had been applied: the schema and the file no
    /// longer describe the same database. Add a new numbered migration instead.
    #[error(
        "migration {version} ({name}) changed after it was applied: \
         recorded checksum {recorded}, file checksum {current}"
    )]
    MigrationChanged {
        /// The migration's number.
        version: i64,
        /// The migration's name.
        name: String,
        /// The checksum recorded in `schema_migrations`.
        recorded: String,
        /// The checksum of the embedded file.
        current: String,
    },
    /// The core's inbox rule refused a verified event (`ReceivedEvent::admit`): answer it
    /// with a 4xx, since delivering it again would change nothing. Nothing was recorded.
    #[error("webhook inbox refused the event: {0}")]
    Refused(molam_core::inbox::Refusal),
    /// A row breaks an invariant the schema is meant to guarantee (edited by hand?).
    #[error("unexpected row in {table}: {detail}")]
    UnexpectedRow {
        /// The table the row came from.
        table: &'static str,
        /// What is wrong with it.
        detail: String,
    },
}

impl Error {
    /// The server's SQLSTATE code (`3D000` for an unknown database, `28P01` for a wrong
    /// password, `40001` for a serialization failure…), when PostgreSQL itself refused.
    pub fn sqlstate(&self) -> Option<&str> {
        let driver = match self {
            Error::Database(e) | Error::Pool(PoolError::Backend(e)) => e,
            _ => return None,
        };
        driver.as_db_error().map(|db| db.code().code())
    }
}

/// The driver's text, made specific: a server error is its message and SQLSTATE; any other
/// failure is followed by its causes (the I/O error of a refused connection, say).
fn describe(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return format!("{} (SQLSTATE {})", db.message(), db.code().code());
    }
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let _ = write!(text, ": {e}");
        cause = e.source();
    }
    text
}

fn describe_pool(error: &PoolError) -> String {
    match error {
        PoolError::Backend(e) => format!("could not open a connection: {}", describe(e)),
        PoolError::Timeout(TimeoutType::Wait) => {
            "timed out waiting for a free connection (raise the pool size or its wait timeout)"
                .to_owned()
        }
        PoolError::Timeout(TimeoutType::Create) => {
            "timed out opening a connection (is the server reachable?)".to_owned()
        }
        PoolError::Timeout(TimeoutType::Recycle) => {
            "timed out checking a pooled connection before reuse".to_owned()
        }
        PoolError::Closed => "the pool was closed".to_owned(),
        PoolError::NoRuntimeSpecified => {
            "the pool has no runtime for its timeouts (build it with a tokio runtime)".to_owned()
        }
        PoolError::PostCreateHook(e) => format!("a post-create hook failed: {e}"),
    }
}
