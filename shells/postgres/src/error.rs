//! The one error type of this crate.

/// Why a call to the database layer failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// PostgreSQL refused a statement, or the connection broke.
    #[error("database: {0}")]
    Database(#[from] tokio_postgres::Error),
    /// No connection could be taken from the pool.
    #[error("connection pool: {0}")]
    Pool(String),
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
    /// A row breaks an invariant the schema is meant to guarantee (edited by hand?).
    #[error("unexpected row in {table}: {detail}")]
    UnexpectedRow {
        /// The table the row came from.
        table: &'static str,
        /// What is wrong with it.
        detail: String,
    },
}

impl From<deadpool_postgres::PoolError> for Error {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Error::Pool(e.to_string())
    }
}
