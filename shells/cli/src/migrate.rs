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
    let target = target(&parse(&args.database_url)?);
    let pool = match &args.schema {
        Some(schema) => pool_in_schema(&args.database_url, schema, 1).await?,
        None => pool(&args.database_url, 1)?,
    };
    let applied = molam_postgres::migrate(&pool)
        .await
        .map_err(|e| database_failure(&target, "migrating", &e))?;
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

fn parse(url: &str) -> Result<tokio_postgres::Config, Failure> {
    url.parse()
        .map_err(|_| Failure::usage("DATABASE_URL is not a valid PostgreSQL connection string"))
}

/// Where a connection string points, for messages: hosts and ports, database and user, never
/// the password (`PostgreSQL at 127.0.0.1:5432, database "shop", user "app"`).
fn target(config: &tokio_postgres::Config) -> String {
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            match host {
                tokio_postgres::config::Host::Tcp(name) => format!("{name}:{port}"),
                #[cfg(unix)]
                tokio_postgres::config::Host::Unix(dir) => {
                    format!("{}/.s.PGSQL.{port}", dir.display())
                }
            }
        })
        .collect();
    let user = config.get_user().unwrap_or("(none)");
    let database = config.get_dbname().unwrap_or(user);
    let hosts = if hosts.is_empty() {
        "(no host)".to_owned()
    } else {
        hosts.join(", ")
    };
    format!("PostgreSQL at {hosts}, database \"{database}\", user \"{user}\"")
}

/// A database failure that names the server, database and user it happened with.
fn database_failure(target: &str, doing: &str, error: &molam_postgres::Error) -> Failure {
    Failure::new(Kind::Database, format!("{doing} {target}: {error}"))
}

/// A small pool on `url`. The URL is never printed: it may hold a password.
pub fn pool(url: &str, size: usize) -> Result<Pool, Failure> {
    let config = parse(url)?;
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
    let mut config = parse(url)?;
    config.options(format!("-c search_path={schema}"));
    let target = target(&config);
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
    let creating = format!("creating schema {schema} in");
    let client = pool
        .get()
        .await
        .map_err(|e| database_failure(&target, &creating, &e.into()))?;
    client
        .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
        .await
        .map_err(|e| database_failure(&target, &creating, &e.into()))?;
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(url: &str) -> MigrateArgs {
        MigrateArgs {
            database_url: url.to_owned(),
            schema: None,
        }
    }

    #[test]
    fn the_target_names_address_database_and_user_never_the_password() {
        let config = parse("postgres://app:hunter2@db.internal:6432/shop").unwrap();
        assert_eq!(
            target(&config),
            "PostgreSQL at db.internal:6432, database \"shop\", user \"app\""
        );
        assert_eq!(
            target(&parse("host=/run/postgresql user=me").unwrap()),
            "PostgreSQL at /run/postgresql/.s.PGSQL.5432, database \"me\", user \"me\""
        );
    }

    #[tokio::test]
    async fn a_missing_database_is_said_not_to_exist() {
        let Some(url) = molam_postgres::testing::reachable_url().await else {
            return;
        };
        let mut config = parse(&url).unwrap();
        config.dbname("molam_no_such_database");
        let url = format!(
            "postgres://{}@{}/molam_no_such_database",
            config.get_user().unwrap_or("postgres"),
            target_address(&config)
        );
        let failure = run(args(&url)).await.unwrap_err();
        assert_eq!(
            failure.to_string(),
            format!(
                "migrating {}: connection pool: could not open a connection: database \
                 \"molam_no_such_database\" does not exist (SQLSTATE 3D000)",
                target(&config)
            )
        );
        assert_eq!(failure.exit_code(), std::process::ExitCode::from(6));
    }

    #[tokio::test]
    async fn a_closed_port_names_the_address() {
        let failure = run(args("postgres://postgres:hunter2@127.0.0.1:1/test"))
            .await
            .unwrap_err();
        let text = failure.to_string();
        assert!(
            text.starts_with(
                "migrating PostgreSQL at 127.0.0.1:1, database \"test\", user \"postgres\": \
                 connection pool: could not open a connection: error connecting to server: "
            ) && text.contains("Connection refused"),
            "{text}"
        );
        assert!(!text.contains("hunter2"), "{text}");
    }

    fn target_address(config: &tokio_postgres::Config) -> String {
        match (config.get_hosts().first(), config.get_ports().first()) {
            (Some(tokio_postgres::config::Host::Tcp(host)), Some(port)) => {
                format!("{host}:{port}")
            }
            _ => "127.0.0.1:5432".to_owned(),
        }
    }
}
