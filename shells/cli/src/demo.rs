//! `molam demo`: the whole SDK end to end on this machine, no account needed.
//!
//! It starts the mock API in-process and a `molam-axum` webhook endpoint registered with it,
//! runs a checkout through the async client (create → confirm → refund → payout, and a
//! declined card), and follows every webhook: verified and recorded by the endpoint, then
//! handled by the inbox worker. Each step is a line of the timeline, timed from the start.
//! It fails (exit 1) if any event the API reports was not received and processed in time.
//!
//! With `DATABASE_URL` the idempotency store and the inbox are PostgreSQL's (in the schema
//! `--schema`, default `molam_demo`, migrated first); without, in memory. Two demos at once
//! in one schema would handle each other's events: give each its own `--schema`.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use bytes::Bytes;
use clap::Args;
use http_body_util::Full;
use molam_axum::{StaticSecrets, WebhookEndpoint};
use molam_core::idempotency::{AsyncIdempotencyStore, InMemoryIdempotencyStore};
use molam_core::inbox::{
    AsyncWebhookInbox, InMemoryWebhookInbox, InboxFuture, ReceivedEvent, Recorded,
};
use molam_core::resources::{Currency, Event, EventObject, PayoutMethod};
use molam_core::webhook::WebhookSecret;
use molam_mock::{DeliveryRetry, MockConfig, MockServer};
use molam_postgres::{InboxEvent, PgIdempotencyStore, PgWebhookInbox, WorkerOptions};
use molam_tokio::params::{
    ConfirmPaymentIntent, CreatePaymentIntent, CreatePayout, CreateRefund, ListEvents, ListParams,
};
use molam_tokio::{Client, Config, Error};
use tokio::sync::{watch, Notify};

use crate::failure::{Failure, Kind};

/// `molam demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Use PostgreSQL for the idempotency store and the webhook inbox (in --schema).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// The PostgreSQL schema the demo migrates and uses.
    #[arg(long, default_value = "molam_demo")]
    schema: String,
    /// How long to wait for every webhook to be received and processed, in seconds.
    #[arg(long, default_value_t = 15)]
    timeout_secs: u64,
}

const SECRET: &str = "whsec_demo_7f3a9c01d2e4";
const KID: &str = "demo";
const API_KEY: &str = "sk_test_demo_4242424242";
const WEBHOOK_PATH: &str = "/webhooks/molam";
/// Event types the checkout must produce, at least.
const EXPECTED_TYPES: [&str; 7] = [
    "payment_intent.created",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "refund.created",
    "charge.refunded",
    "payout.created",
    "payout.paid",
];

/// Lines printed as things happen, each stamped with the time since the start.
struct Timeline {
    start: Instant,
    out: Mutex<()>,
}

impl Timeline {
    fn line(&self, mark: &str, what: &str, detail: impl Display) {
        let elapsed = self.start.elapsed().as_secs_f64();
        // One line at a time: the endpoint and the worker print from other tasks.
        let _guard = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        println!(
            "{:>8}  {mark} {what:<23} {detail}",
            format!("+{elapsed:.3}s")
        );
    }
}

/// What the worker has handled, by event id.
#[derive(Default)]
struct Processed {
    events: Mutex<BTreeMap<String, String>>,
    changed: Notify,
}

impl Processed {
    fn add(&self, id: &str, event_type: &str) {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_owned(), event_type.to_owned());
        self.changed.notify_waiters();
    }

    fn missing<'a>(&self, expected: &'a BTreeMap<String, String>) -> Vec<(&'a String, &'a String)> {
        let done = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        expected
            .iter()
            .filter(|(id, _)| !done.contains_key(*id))
            .collect()
    }
}

/// The inbox the endpoint records into, printing a line for each verified delivery.
struct TimelineInbox {
    inner: Arc<dyn AsyncWebhookInbox>,
    timeline: Arc<Timeline>,
}

impl AsyncWebhookInbox for TimelineInbox {
    fn record<'a>(&'a self, event: &'a ReceivedEvent) -> InboxFuture<'a, Recorded> {
        Box::pin(async move {
            let recorded = self.inner.record(event).await;
            let what = format!("{} {}", event.event_id, event.event_type);
            match &recorded {
                Ok(Recorded::New) => {
                    self.timeline
                        .line("⇐", "webhook verified", format!("{what}  recorded → 200"))
                }
                Ok(Recorded::Duplicate) => {
                    self.timeline
                        .line("⇐", "webhook verified", format!("{what}  duplicate → 200"))
                }
                Err(e) => {
                    self.timeline
                        .line("✗", "webhook not recorded", format!("{what}  {e} → 503"))
                }
            }
            recorded
        })
    }
}

/// The merchant's handler, run by the inbox worker on each recorded event.
fn handle(
    timeline: &Timeline,
    processed: &Processed,
    payload: &[u8],
    attempt: u32,
) -> Result<(), String> {
    let event: Event = serde_json::from_slice(payload).map_err(|e| format!("not an event: {e}"))?;
    let subject = match &event.data.object {
        EventObject::PaymentIntent(pi) => {
            format!("{} {} {} {}", pi.id, pi.status, pi.amount, pi.currency)
        }
        EventObject::Refund(re) => format!("{} {} {} {}", re.id, re.status, re.amount, re.currency),
        EventObject::Payout(po) => format!("{} {} {} {}", po.id, po.status, po.amount, po.currency),
        other => other.id().unwrap_or("-").to_owned(),
    };
    timeline.line(
        "⚙",
        "processed by worker",
        format!(
            "{} {}  {subject} (attempt {attempt})",
            event.id, event.event_type
        ),
    );
    processed.add(&event.id, event.event_type.as_str());
    Ok(())
}

enum Storage {
    Memory(Arc<InMemoryWebhookInbox>),
    Postgres(PgWebhookInbox),
}

/// Runs the demo; `Ok` only when every event was received, verified and processed.
pub async fn run(args: DemoArgs) -> Result<(), Failure> {
    let timeline = Arc::new(Timeline {
        start: Instant::now(),
        out: Mutex::new(()),
    });
    println!("molam demo: a checkout end to end, against the mock API, on this machine\n");
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| u64::try_from(d.as_micros()).unwrap_or(1));
    // A tenant per run keeps runs apart in a durable inbox (the mock's ids follow its seed).
    let tenant = format!("demo-{seed}");

    let (storage, store): (Storage, Arc<dyn AsyncIdempotencyStore>) = match &args.database_url {
        Some(url) => {
            let pool = crate::migrate::pool_in_schema(url, &args.schema, 4).await?;
            let applied = molam_postgres::migrate(&pool).await?;
            let schema = match applied.len() {
                0 => format!("schema {} up to date", args.schema),
                n => format!("schema {} migrated ({n} applied)", args.schema),
            };
            timeline.line(
                "✓",
                "PostgreSQL",
                format!("{schema}: idempotency store and webhook inbox ready"),
            );
            (
                Storage::Postgres(PgWebhookInbox::new(pool.clone())),
                Arc::new(PgIdempotencyStore::new(pool)),
            )
        }
        None => {
            timeline.line(
                "✓",
                "in-memory storage",
                "idempotency store and webhook inbox (set DATABASE_URL for PostgreSQL)",
            );
            (
                Storage::Memory(Arc::new(InMemoryWebhookInbox::new())),
                Arc::new(InMemoryIdempotencyStore::new()),
            )
        }
    };
    let inbox: Arc<dyn AsyncWebhookInbox> = match &storage {
        Storage::Memory(inbox) => inbox.clone(),
        Storage::Postgres(inbox) => Arc::new(inbox.clone()),
    };

    // The webhook endpoint first, so the mock can be told where to deliver.
    let endpoint = WebhookEndpoint::new(
        StaticSecrets::new(vec![WebhookSecret::new(SECRET).with_kid(KID)]),
        TimelineInbox {
            inner: inbox,
            timeline: Arc::clone(&timeline),
        },
    )
    .with_tenant(tenant.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let webhook_url = format!("http://{}{WEBHOOK_PATH}", listener.local_addr()?);
    let app: Router = endpoint.router(WEBHOOK_PATH);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    timeline.line(
        "✓",
        "webhook endpoint",
        format!("{webhook_url} (molam-axum, kid {KID})"),
    );

    let mock = MockServer::start(MockConfig {
        seed,
        webhook_secret: SECRET.to_owned(),
        webhook_kid: Some(KID.to_owned()),
        webhook_urls: vec![webhook_url],
        webhook_retry: DeliveryRetry {
            max_attempts: 8,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
        },
        ..MockConfig::default()
    })?;
    let base_url = mock.base_url().to_owned();
    timeline.line(
        "✓",
        "mock API",
        format!("{base_url} (in-process, signs webhooks)"),
    );

    // The worker: handles what the endpoint recorded, until told to stop.
    let processed = Arc::new(Processed::default());
    let (stop, stopped) = watch::channel(false);
    let worker = spawn_worker(
        &storage,
        &tenant,
        Arc::clone(&timeline),
        Arc::clone(&processed),
        stopped,
    );

    let outcome = checkout(&timeline, &base_url, store).await;
    let result = match outcome {
        Ok(expected) => {
            wait_for(
                &timeline,
                &processed,
                &expected,
                Duration::from_secs(args.timeout_secs),
            )
            .await
        }
        Err(failure) => Err(failure),
    };

    let _ = stop.send(true);
    let _ = worker.await;
    server.abort();
    // Joining the mock's thread blocks: not on the runtime's workers.
    let _ = tokio::task::spawn_blocking(move || mock.shutdown()).await;
    if result.is_ok() {
        println!(
            "\ndone in {:.2} s: every API call answered as expected and every webhook verified, \
             recorded once, then processed by the inbox worker.",
            timeline.start.elapsed().as_secs_f64()
        );
    }
    result
}

fn spawn_worker(
    storage: &Storage,
    tenant: &str,
    timeline: Arc<Timeline>,
    processed: Arc<Processed>,
    mut stopped: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    match storage {
        Storage::Memory(inbox) => {
            let inbox = Arc::clone(inbox);
            tokio::spawn(async move {
                while !*stopped.borrow() {
                    for entry in inbox.claim_batch(16) {
                        match handle(&timeline, &processed, &entry.event.payload, entry.attempt) {
                            Ok(()) => {
                                inbox.succeed(&entry);
                            }
                            Err(e) => {
                                let _ = inbox.fail(&entry, &e);
                            }
                        }
                    }
                    let _ =
                        tokio::time::timeout(Duration::from_millis(20), stopped.changed()).await;
                }
            })
        }
        Storage::Postgres(inbox) => {
            let inbox = inbox.clone();
            let tenant = tenant.to_owned();
            tokio::spawn(async move {
                let options = WorkerOptions {
                    workers: 1,
                    batch_size: 8,
                    poll_interval: Duration::from_millis(25),
                    name: "molam-demo".to_owned(),
                    ..WorkerOptions::default()
                };
                let handler = move |event: InboxEvent| {
                    let timeline = Arc::clone(&timeline);
                    let processed = Arc::clone(&processed);
                    let mine = event.tenant == tenant;
                    async move {
                        if !mine {
                            // An event of another run left in the demo schema: nothing to do.
                            return Ok(());
                        }
                        handle(&timeline, &processed, &event.payload, event.attempt)
                    }
                };
                let _ = inbox
                    .run(handler, options, async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    })
                    .await;
            })
        }
    }
}

/// The checkout; returns every event the API reports for it, by id.
async fn checkout(
    timeline: &Timeline,
    base_url: &str,
    store: Arc<dyn AsyncIdempotencyStore>,
) -> Result<BTreeMap<String, String>, Failure> {
    let config = Config::builder()
        .api_key(API_KEY)
        .api_base(base_url)
        .allow_insecure_http(true)
        .build()?;
    let client = Client::builder(config).idempotency_store(store).build()?;
    let request = |id: Option<&str>| format!("({})", id.unwrap_or("no request id"));

    let intent = client
        .payment_intents()
        .create(&CreatePaymentIntent::new(2500, Currency::XOF).description("Order #1001"))
        .await?;
    timeline.line(
        "✓",
        "create payment intent",
        format!(
            "{} {} XOF {}  {}",
            intent.id,
            intent.amount,
            intent.status,
            request(intent.request_id())
        ),
    );

    let confirmed = client
        .payment_intents()
        .confirm(
            &intent.id,
            &ConfirmPaymentIntent::new().payment_method("pm_card_visa"),
        )
        .await?;
    let charge = confirmed
        .latest_charge
        .clone()
        .ok_or_else(|| Failure::other(format!("{} succeeded without a charge", confirmed.id)))?;
    timeline.line(
        "✓",
        "confirm (pm_card_visa)",
        format!(
            "{} {} charge {charge}  {}",
            confirmed.id,
            confirmed.status,
            request(confirmed.request_id())
        ),
    );

    let refund = client
        .refunds()
        .create(&charge, &CreateRefund::new().amount(1000))
        .await?;
    timeline.line(
        "✓",
        "refund 1000 XOF",
        format!(
            "{} {} of {}  {}",
            refund.id,
            refund.status,
            charge,
            request(refund.request_id())
        ),
    );

    let payout = client
        .payouts()
        .create(&CreatePayout::new(
            1500,
            Currency::XOF,
            PayoutMethod::MobileMoney,
            "+221770000000",
        ))
        .await?;
    timeline.line(
        "✓",
        "payout 1500 XOF",
        format!(
            "{} {} mobile_money  {}",
            payout.id,
            payout.status,
            request(payout.request_id())
        ),
    );

    let declined = client
        .payment_intents()
        .create(&CreatePaymentIntent::new(5000, Currency::XOF).description("Order #1002"))
        .await?;
    match client
        .payment_intents()
        .confirm(
            &declined.id,
            &ConfirmPaymentIntent::new().payment_method("pm_card_declined"),
        )
        .await
    {
        Err(Error::Api(e)) if e.status == 402 => timeline.line(
            "✗",
            "confirm (declined card)",
            format!(
                "{} {} ({}), as expected  ({})",
                declined.id,
                e.code.as_deref().unwrap_or("declined"),
                e.status,
                e.request_id.as_deref().unwrap_or("no request id")
            ),
        ),
        Err(other) => return Err(other.into()),
        Ok(paid) => {
            return Err(Failure::other(format!(
                "{} with pm_card_declined was {}, not declined",
                paid.id, paid.status
            )))
        }
    }

    // Mobile money arrives within a minute: move the mock's clock instead of waiting.
    advance_mock_clock(base_url).await?;
    let arrived = client.payouts().retrieve(&payout.id).await?;
    timeline.line(
        "✓",
        "payout arrived",
        format!(
            "{} {} (mock clock advanced)  {}",
            arrived.id,
            arrived.status,
            request(arrived.request_id())
        ),
    );

    let events = client
        .events()
        .list(&ListEvents::new().page(ListParams::new().limit(100)))
        .await?;
    let expected: BTreeMap<String, String> = events
        .data
        .iter()
        .map(|e| (e.id.clone(), e.event_type.as_str().to_owned()))
        .collect();
    let missing_types: Vec<&str> = EXPECTED_TYPES
        .iter()
        .copied()
        .filter(|t| !expected.values().any(|v| v == t))
        .collect();
    if !missing_types.is_empty() {
        return Err(Failure::other(format!(
            "the API reported no {} event",
            missing_types.join(", ")
        )));
    }
    timeline.line(
        "…",
        "waiting for webhooks",
        format!("{} events reported by GET /v1/events", expected.len()),
    );
    Ok(expected)
}

async fn advance_mock_clock(base_url: &str) -> Result<(), Failure> {
    let uri = crate::http_client::endpoint_uri(&format!("{base_url}/__mock/advance"), "mock")?;
    let request = http::Request::post(uri)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from_static(b"{}")))
        .map_err(|e| Failure::other(e.to_string()))?;
    let client = crate::http_client::client(None, "mock")?;
    match crate::http_client::send(&client, request).await {
        Ok(answer) if answer.status.is_success() => Ok(()),
        Ok(answer) => Err(Failure::new(
            Kind::Api,
            format!("mock clock advance: {}", answer.status),
        )),
        Err(e) => Err(Failure::new(
            Kind::Network,
            format!("mock clock advance: {e}"),
        )),
    }
}

/// Waits until every expected event was processed, or the timeout.
async fn wait_for(
    timeline: &Timeline,
    processed: &Processed,
    expected: &BTreeMap<String, String>,
    timeout: Duration,
) -> Result<(), Failure> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let changed = processed.changed.notified();
        if processed.missing(expected).is_empty() {
            timeline.line(
                "✓",
                "all webhooks handled",
                format!(
                    "{0}/{0} received, verified, recorded and processed",
                    expected.len()
                ),
            );
            return Ok(());
        }
        if tokio::time::timeout_at(deadline, changed).await.is_err() {
            // One more look: the last event may have landed as the timer fired.
            let missing = processed.missing(expected);
            if missing.is_empty() {
                continue;
            }
            let list: Vec<String> = missing.iter().map(|(id, t)| format!("{id} {t}")).collect();
            timeline.line("✗", "webhooks missing", list.join(", "));
            return Err(Failure::other(format!(
                "{} of {} webhooks not processed within {:.1} s",
                missing.len(),
                expected.len(),
                timeout.as_secs_f64()
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline() -> Timeline {
        Timeline {
            start: Instant::now(),
            out: Mutex::new(()),
        }
    }

    fn expected() -> BTreeMap<String, String> {
        [("evt_1", "payout.paid"), ("evt_2", "refund.created")]
            .into_iter()
            .map(|(id, t)| (id.to_owned(), t.to_owned()))
            .collect()
    }

    #[tokio::test]
    async fn a_missing_webhook_fails_the_demo_after_the_timeout() {
        let processed = Processed::default();
        processed.add("evt_1", "payout.paid");
        let started = Instant::now();
        let result = wait_for(
            &timeline(),
            &processed,
            &expected(),
            Duration::from_millis(100),
        )
        .await;
        let failure = result.expect_err("evt_2 never arrives");
        assert_eq!(
            failure.to_string(),
            "1 of 2 webhooks not processed within 0.1 s"
        );
        assert!(started.elapsed() >= Duration::from_millis(100));
    }

    #[tokio::test]
    async fn the_wait_ends_as_soon_as_the_last_webhook_is_processed() {
        let processed = Arc::new(Processed::default());
        let late = Arc::clone(&processed);
        tokio::spawn(async move {
            late.add("evt_1", "payout.paid");
            tokio::time::sleep(Duration::from_millis(30)).await;
            late.add("evt_2", "refund.created");
        });
        let started = Instant::now();
        let result = wait_for(
            &timeline(),
            &processed,
            &expected(),
            Duration::from_secs(10),
        )
        .await;
        assert!(result.is_ok());
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
