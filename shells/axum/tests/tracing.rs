//! What the endpoint tells `tracing`: a `molam.webhook.receive` span per delivery with the
//! tenant, event id and type, and status; never a secret, a MAC or the body.

mod support;

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use molam_axum::{StaticSecrets, WebhookEndpoint};
use molam_core::inbox::InMemoryWebhookInbox;
use molam_core::webhook::WebhookSecret;
use support::{deliver, serve, VECTOR_BODY, VECTOR_HEADER, VECTOR_SECRET, VECTOR_T};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Every span name and every `field=value` recorded, as text.
#[derive(Default, Clone)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut Vec<String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push(format!("{}={value:?}", field.name()));
    }
}

impl Recorder {
    fn push(&self, prefix: String, fields: impl FnOnce(&mut Fields<'_>)) {
        let mut recorded = vec![prefix];
        fields(&mut Fields(&mut recorded));
        self.lines
            .lock()
            .expect("recorder lock")
            .push(recorded.join(" "));
    }

    fn text(&self) -> String {
        self.lines.lock().expect("recorder lock").join("\n")
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.push(format!("span {}", span.metadata().name()), |f| {
            span.record(f)
        });
        Id::from_u64(self.next_id.fetch_add(1, Ordering::SeqCst) + 1)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        self.push("record".to_owned(), |f| values.record(f));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        self.push(format!("event {}", event.metadata().level()), |f| {
            event.record(f)
        });
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

// Current-thread runtime: the server's tasks run on this thread, under this subscriber.
#[tokio::test(flavor = "current_thread")]
async fn each_delivery_is_a_span_with_event_and_status_and_no_secret_or_body() {
    let recorder = Recorder::default();
    let _default = tracing::subscriber::set_default(recorder.clone());
    let inbox = Arc::new(InMemoryWebhookInbox::new());
    let endpoint = WebhookEndpoint::new(
        StaticSecrets::new(vec![WebhookSecret::new(VECTOR_SECRET)]),
        inbox.clone(),
    )
    .with_clock(|| VECTOR_T);
    let addr = serve(endpoint.router("/hooks")).await;

    let ok = deliver(addr, "/hooks", Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
    let forged = VECTOR_HEADER.replace("56de1719", "56de1718");
    let bad = deliver(addr, "/hooks", Some(&forged), VECTOR_BODY.as_bytes()).await;
    assert_eq!((ok.status, bad.status), (200, 401));

    let text = recorder.text();
    assert!(
        text.contains("span molam.webhook.receive tenant=\"\""),
        "{text}"
    );
    assert!(text.contains("event.id=\"evt_1NtestVector\""), "{text}");
    assert!(
        text.contains("event.type=\"payment_intent.succeeded\""),
        "{text}"
    );
    assert!(text.contains("http.response.status_code=200"), "{text}");
    assert!(text.contains("http.response.status_code=401"), "{text}");
    assert!(text.contains("code=\"signature_mismatch\""), "{text}");
    assert!(!text.contains(VECTOR_SECRET), "{text}");
    assert!(!text.contains("56de1719"), "{text}");
    assert!(
        !text.contains("pi_3Ntest"),
        "the body stays out of the logs: {text}"
    );
}

/// When the inbox fails, the delivery is answered 503 (Molam retries) and the log line says
/// what failed in the store's own words: here PostgreSQL naming the missing database.
#[tokio::test(flavor = "current_thread")]
async fn a_failing_store_is_logged_with_its_own_error_text() {
    use molam_postgres::deadpool_postgres::{Manager, Pool};
    use molam_postgres::tokio_postgres::{Config, NoTls};

    let Some(url) = molam_postgres::testing::reachable_url().await else {
        return;
    };
    let mut config: Config = url.parse().expect("DATABASE_URL parses");
    config.dbname("molam_no_such_database");
    let pool = Pool::builder(Manager::new(config, NoTls))
        .max_size(1)
        .build()
        .expect("pool builds");
    let recorder = Recorder::default();
    let _default = tracing::subscriber::set_default(recorder.clone());
    let endpoint = WebhookEndpoint::new(
        StaticSecrets::new(vec![WebhookSecret::new(VECTOR_SECRET)]),
        Arc::new(molam_postgres::PgWebhookInbox::new(pool)),
    )
    .with_clock(|| VECTOR_T);
    let addr = serve(endpoint.router("/hooks")).await;

    let answer = deliver(addr, "/hooks", Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 503);
    let text = recorder.text();
    assert!(
        text.contains(
            "error=webhook inbox failed: connection pool: could not open a connection: \
             database \"molam_no_such_database\" does not exist (SQLSTATE 3D000)"
        ),
        "{text}"
    );
}
