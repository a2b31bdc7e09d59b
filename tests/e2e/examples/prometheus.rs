//! The SDK's metrics in Prometheus' text format, after a run that exercises each of them:
//! calls with retries (503s injected by the mock), a circuit breaker that opens, half-opens
//! and closes, an exhausted retry budget, webhook deliveries verified by a molam-axum
//! endpoint into a PostgreSQL inbox and handled by its workers, and a forged one refused.
//!
//! The SDK emits through the `metrics` facade (the `metrics` feature of molam-core, enabled
//! here through molam-e2e); any recorder works, this one is `metrics-exporter-prometheus`.
//! In a service you would serve `handle.render()` on `/metrics`.
//!
//! ```text
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo run -p molam-e2e --example prometheus
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use molam_axum::{StaticSecrets, WebhookEndpoint};
use molam_core::params::CreatePaymentIntent;
use molam_core::resources::Currency;
use molam_core::retry::{BreakerConfig, BudgetConfig};
use molam_core::webhook::{sign_header, WebhookSecret};
use molam_e2e::molam_mock::{FaultKind, MockConfig};
use molam_e2e::Harness;
use molam_postgres::{PgWebhookInbox, WorkerOptions};

/// The secret the mock signs deliveries with.
const SECRET: &str = "whsec_mock_secret";

#[allow(dead_code)] // Also compiled into the test that scrapes it, which calls `run` itself.
fn main() -> Result<(), Box<dyn Error>> {
    let handle = install()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let Some(db) = molam_postgres::testing::TestDb::migrated().await else {
            return Err("PostgreSQL is unreachable: set DATABASE_URL".into());
        };
        run(db.pool.clone()).await
    })?;
    print!("{}", handle.render());
    Ok(())
}

/// Installs the Prometheus recorder as the process' `metrics` recorder, with the SDK's
/// descriptions.
pub fn install() -> Result<PrometheusHandle, Box<dyn Error>> {
    let handle = PrometheusBuilder::new().install_recorder()?;
    molam_core::metrics::describe();
    Ok(handle)
}

/// The run: everything it does shows up in the recorder.
pub async fn run(pool: molam_postgres::deadpool_postgres::Pool) -> Result<(), Box<dyn Error>> {
    // A webhook endpoint recording into the PostgreSQL inbox, for the mock to deliver to.
    let inbox = PgWebhookInbox::new(pool);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook = format!("http://{}/webhooks/molam", listener.local_addr()?);
    let endpoint = WebhookEndpoint::new(
        StaticSecrets::new(vec![WebhookSecret::new(SECRET)]),
        Arc::new(inbox.clone()),
    );
    let app = endpoint.router("/webhooks/molam");
    tokio::spawn(async move { axum::serve(listener, app).await });

    let harness = Harness::start_configured(MockConfig {
        webhook_urls: vec![hook],
        ..MockConfig::default()
    });
    // Retries: two 503s, then the intent is created.
    let client = molam_tokio::Client::new(harness.config().build()?)?;
    harness.next_faults(&[FaultKind::Http503, FaultKind::Http503]);
    client
        .payment_intents()
        .create(&CreatePaymentIntent::new(2500, Currency::XOF))
        .await?;

    // A fragile client: its breaker opens after two failures and its budget pays for one
    // retry, so three 503s open the breaker and exhaust the budget in one call.
    let fragile = molam_tokio::Client::new(
        harness
            .config()
            .breaker(BreakerConfig {
                failure_threshold: 2,
                cool_down: Duration::from_millis(50),
            })
            .budget(BudgetConfig {
                capacity: 5,
                retry_cost: 5,
                ..BudgetConfig::default()
            })
            .build()?,
    )?;
    harness.next_faults(&[FaultKind::Http503, FaultKind::Http503, FaultKind::Http503]);
    let failed = fragile
        .payment_intents()
        .create(&CreatePaymentIntent::new(100, Currency::XOF))
        .await;
    if failed.is_ok() {
        return Err("three 503s should have ended the fragile call".into());
    }
    // After the cool-down the breaker lets a probe through, which succeeds: closed again.
    tokio::time::sleep(Duration::from_millis(80)).await;
    harness.faults_off();
    fragile
        .payment_intents()
        .create(&CreatePaymentIntent::new(100, Currency::XOF))
        .await?;

    // A forged delivery is refused (here through the client's own webhook check).
    let body = br#"{"id":"evt_forged","object":"event","type":"payout.paid","data":{"object":{}}}"#;
    let forged = sign_header(&WebhookSecret::new("whsec_not_molams"), now_unix(), body);
    let checker = molam_tokio::Client::new(
        harness
            .config()
            .webhook_secret(WebhookSecret::new(SECRET))
            .build()?,
    )?;
    if checker
        .webhooks()
        .verify_header(Some(&forged), body)
        .is_ok()
    {
        return Err("a forged delivery verified".into());
    }

    // The mock delivers the events of the calls above (two intents created: two events);
    // workers handle them from the inbox.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while harness.stats()["webhooks"]["succeeded"]
        .as_u64()
        .unwrap_or(0)
        < 2
    {
        if tokio::time::Instant::now() > deadline {
            return Err(format!(
                "the mock's deliveries did not arrive: {}",
                harness.stats()["webhooks"]
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let options = WorkerOptions {
        workers: 1,
        poll_interval: Duration::from_millis(20),
        ..WorkerOptions::default()
    };
    let report = inbox
        .run(
            |_event| async { Ok::<(), String>(()) },
            options,
            tokio::time::sleep(Duration::from_millis(300)),
        )
        .await;
    if report.succeeded == 0 {
        return Err("the workers handled no event".into());
    }
    Ok(())
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
