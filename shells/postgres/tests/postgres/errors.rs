//! Errors say what failed and keep their cause (issue 12): an unknown database is named, a
//! refused connection says so, and the driver's error stays reachable through `source()`.

use std::error::Error as _;

use molam_postgres::deadpool_postgres::{Manager, Pool};
use molam_postgres::tokio_postgres::{Config, NoTls};
use molam_postgres::{migrate, Error};

use crate::support::reachable_url;

fn pool(config: Config) -> Pool {
    Pool::builder(Manager::new(config, NoTls))
        .max_size(1)
        .build()
        .expect("a pool with a runtime builds")
}

/// The messages of `error` and of every error under it.
fn chain(error: &Error) -> Vec<String> {
    let mut texts = vec![error.to_string()];
    let mut cause = error.source();
    while let Some(e) = cause {
        texts.push(e.to_string());
        cause = e.source();
    }
    texts
}

#[tokio::test]
async fn an_unknown_database_is_named_with_its_sqlstate() {
    let Some(url) = reachable_url().await else {
        return;
    };
    let mut config: Config = url.parse().unwrap();
    config.dbname("molam_no_such_database");
    let error = migrate(&pool(config)).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "connection pool: could not open a connection: \
         database \"molam_no_such_database\" does not exist (SQLSTATE 3D000)"
    );
    assert_eq!(error.sqlstate(), Some("3D000"));
    // The cause is kept: the pool's error, then the driver's.
    let chain = chain(&error);
    assert!(chain.len() >= 3, "{chain:?}");
    assert_eq!(chain[2], "db error");
}

#[tokio::test]
async fn a_closed_port_says_the_connection_was_refused() {
    let mut config = Config::new();
    // Port 1 (tcpmux) is closed on any machine these tests run on.
    config
        .host("127.0.0.1")
        .port(1)
        .user("postgres")
        .dbname("test");
    let error = migrate(&pool(config)).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with(
            "connection pool: could not open a connection: error connecting to server: "
        ) && text.contains("Connection refused"),
        "{text}"
    );
    assert_eq!(error.sqlstate(), None);
    assert!(error.source().is_some());
}

#[tokio::test]
async fn a_failed_statement_carries_the_servers_message() {
    let Some(url) = reachable_url().await else {
        return;
    };
    let (client, connection) = molam_postgres::tokio_postgres::connect(&url, NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let driver = client
        .batch_execute("SELECT * FROM molam_no_such_table")
        .await
        .unwrap_err();
    let error = Error::from(driver);
    assert_eq!(
        error.to_string(),
        "database: relation \"molam_no_such_table\" does not exist (SQLSTATE 42P01)"
    );
    assert_eq!(error.sqlstate(), Some("42P01"));
    assert_eq!(
        error.source().map(ToString::to_string).as_deref(),
        Some("db error")
    );
}
