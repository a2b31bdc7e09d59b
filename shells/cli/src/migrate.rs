//! `molam migrate`: apply the embedded PostgreSQL schema (`migrations/`) to `DATABASE_URL`.

use clap::Args;
use molam_postgres::deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use molam_postgres::tokio_postgres::{self, NoTls};

use crate::failure::{Failure, Kind};

/// `molam migrate`
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// PostgreSQL connection string (postgres://user@host:port/db).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: String,
    /// Apply to this schema (created if missing) instead of the connection's search_path.
    #[arg(long)]
    schema: Option<String>,
}

/// Applies what the database has not seen yet; one line per migration applied.
pub async fn run(args: MigrateArgs) -> Result<String, Failure> {
    let pool = match &args.schema {
        Some(schema) => pool_in_schema(&args.database_url, schema, 1).await?,
        None => pool(&args.database_url, 1)?,
    };
    let applied = molam_postgres::migrate(&pool).await?;
    if applied.is_empty() {
        return Ok(format!(
            "schema up to date ({} migration(s) known)",
            molam_postgres::MIGRATIONS.len()
        ));
    }
    Ok(applied
        .iter()
        .map(|m| format!("applied {:03} {}", m.version, m.name))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// A small pool on `url`. The URL is never printed: it may hold a password.
pub fn pool(url: &str, size: usize) -> Result<Pool, Failure> {
    let config: tokio_postgres::Config = url
        .parse()
        .map_err(|_| Failure::usage("DATABASE_URL is not a valid PostgreSQL connection string"))?;
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size.max(1))
        .build()
        .map_err(|e| Failure::new(Kind::Database, format!("database pool: {e}")))
}

/// A pool whose connections work in `schema` (created if missing): the demo's tables stay
/// apart from the application's, and `molam migrate --schema` targets one schema.
pub async fn pool_in_schema(url: &str, schema: &str, size: usize) -> Result<Pool, Failure> {
    // The name goes into SQL and a connection option: only a plain identifier.
    let plain = !schema.is_empty()
        && schema.len() <= 63
        && !schema.starts_with(|c: char| c.is_ascii_digit())
        && schema
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !plain {
        return Err(Failure::usage(
            "--schema must be 1 to 63 lower-case letters, digits and _, not starting with a digit",
        ));
    }
    let mut config: tokio_postgres::Config = url
        .parse()
        .map_err(|_| Failure::usage("DATABASE_URL is not a valid PostgreSQL connection string"))?;
    config.options(format!("-c search_path={schema}"));
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager)
        .max_size(size.max(1))
        .build()
        .map_err(|e| Failure::new(Kind::Database, format!("database pool: {e}")))?;
    let client = pool
        .get()
        .await
        .map_err(|e| Failure::new(Kind::Database, format!("database: {e}")))?;
    client
        .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
        .await
        .map_err(|e| Failure::new(Kind::Database, format!("database: {e}")))?;
    Ok(pool)
}
