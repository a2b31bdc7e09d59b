//! A full end-to-end run — the blocking and the async client against the mock server over
//! HTTP, successes, declines, 404s, retried 503s, a refused API key, webhooks verified and
//! rejected — with every tracing span, field and event of every thread captured: none of it
//! may contain the API key, the webhook secret or a payment intent's `client_secret`.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use molam_core::params::{ConfirmPaymentIntent, CreatePaymentIntent, ListPaymentIntents};
use molam_core::resources::Currency;
use molam_core::webhook::{sign_header, WebhookSecret};
use molam_e2e::molam_mock::FaultKind;
use molam_e2e::{Harness, API_KEY};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const WEBHOOK_SECRET: &str = "whsec_props_5ecretWebhookMaterial";

/// Everything recorded, as text: span and event names, targets, every field.
#[derive(Default)]
struct Capture {
    text: Mutex<String>,
    records: AtomicU64,
    next: AtomicU64,
}

struct Fields<'a>(&'a Capture);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let line = format!("{}={value:?} ", field.name());
        self.0.text.lock().unwrap().push_str(&line);
        self.0.records.fetch_add(1, Ordering::Relaxed);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let line = format!("{}={value} ", field.name());
        self.0.text.lock().unwrap().push_str(&line);
        self.0.records.fetch_add(1, Ordering::Relaxed);
    }
}

impl Capture {
    fn header(&self, kind: &str, meta: &Metadata<'_>) {
        let line = format!("\n{kind} {} {} ", meta.target(), meta.name());
        self.text.lock().unwrap().push_str(&line);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.header("span", span.metadata());
        span.record(&mut Fields(self));
        Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(self));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        self.header("event", event.metadata());
        event.record(&mut Fields(self));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn now_unix() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// The part of a secret that must never show: all but a known prefix and the last 4.
fn must_not_show(secret: &str) -> &str {
    let rest = ["sk_test_", "whsec_"]
        .iter()
        .find_map(|p| secret.strip_prefix(p))
        .unwrap_or(secret);
    &rest[..rest.len() - 4]
}

#[test]
fn a_full_run_of_both_clients_logs_no_secret() {
    let capture = Arc::new(Capture::default());
    tracing::subscriber::set_global_default(capture.clone()).unwrap();

    let mock = Harness::start();
    let config = mock
        .config()
        .webhook_secret(WebhookSecret::new(WEBHOOK_SECRET).with_kid("k1"))
        .build()
        .unwrap();
    let mut client_secrets = Vec::new();

    // Blocking client: create, confirm, decline, 404, a retried 503, list, webhooks.
    let blocking = molam_blocking::Client::new(config.clone()).unwrap();
    let intent = blocking
        .payment_intents()
        .create(&CreatePaymentIntent::new(2500, Currency::XOF).description("order 1"))
        .unwrap();
    client_secrets.push(
        intent
            .client_secret
            .clone()
            .unwrap()
            .expose_secret()
            .to_owned(),
    );
    let paid = blocking
        .payment_intents()
        .confirm(
            &intent.id,
            &ConfirmPaymentIntent::new().payment_method("pm_card_visa"),
        )
        .unwrap();
    assert_eq!(paid.amount_received, 2500);
    let declined = blocking
        .payment_intents()
        .create(&CreatePaymentIntent::new(100, Currency::XOF).payment_method("pm_card_declined"))
        .unwrap();
    client_secrets.push(
        declined
            .client_secret
            .clone()
            .unwrap()
            .expose_secret()
            .to_owned(),
    );
    let error = blocking
        .payment_intents()
        .confirm(&declined.id, &ConfirmPaymentIntent::new())
        .unwrap_err();
    assert_eq!(error.status(), Some(402));
    let missing = blocking
        .payment_intents()
        .retrieve("pi_missing")
        .unwrap_err();
    assert_eq!(missing.status(), Some(404));
    mock.next_faults(&[FaultKind::Http503]);
    let page = blocking
        .payment_intents()
        .list(&ListPaymentIntents::new())
        .unwrap();
    assert_eq!(page.data.len(), 2);

    let body = br#"{"id":"evt_1","object":"event","type":"payment_intent.succeeded","data":{"object":{}}}"#;
    let header = sign_header(
        &WebhookSecret::new(WEBHOOK_SECRET).with_kid("k1"),
        now_unix(),
        body,
    );
    let event = blocking
        .webhooks()
        .verify_header(Some(&header), body)
        .unwrap();
    assert_eq!(event.id, "evt_1");
    assert!(blocking
        .webhooks()
        .verify_header(Some(&header), b"{}")
        .is_err());
    assert!(blocking.webhooks().verify_header(None, body).is_err());

    // Another merchant's key: its account does not see this intent.
    let stranger = mock
        .config()
        .api_key("sk_test_unknownStrangerKey0000")
        .build()
        .unwrap();
    let refused = molam_blocking::Client::new(stranger)
        .unwrap()
        .payment_intents()
        .retrieve(&intent.id)
        .unwrap_err();
    assert_eq!(refused.status(), Some(404));

    // Async client: the same kinds of calls.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = molam_tokio::Client::new(config.clone()).unwrap();
        let intent = client
            .payment_intents()
            .create(&CreatePaymentIntent::new(4200, Currency::XOF).payment_method("pm_card_visa"))
            .await
            .unwrap();
        client_secrets.push(
            intent
                .client_secret
                .clone()
                .unwrap()
                .expose_secret()
                .to_owned(),
        );
        mock.next_faults(&[FaultKind::Http503]);
        let paid = client
            .payment_intents()
            .confirm(&intent.id, &ConfirmPaymentIntent::new())
            .await
            .unwrap();
        assert_eq!(paid.amount_received, 4200);
        let missing = client
            .payment_intents()
            .retrieve("pi_missing")
            .await
            .unwrap_err();
        assert_eq!(missing.status(), Some(404));
        assert_eq!(
            client
                .webhooks()
                .verify_header(Some(&header), body)
                .unwrap()
                .id,
            "evt_1"
        );
        assert!(client
            .webhooks()
            .verify_header(Some(&header), b"{}")
            .is_err());
    });

    let text = capture.text.lock().unwrap().clone();
    // The run was observed: the clients' call spans were recorded.
    assert!(
        capture.records.load(Ordering::Relaxed) > 20,
        "too little recorded: {text}"
    );
    assert!(text.contains("molam.call"), "no call span recorded: {text}");
    let mut secrets = vec![
        API_KEY.to_owned(),
        must_not_show(API_KEY).to_owned(),
        WEBHOOK_SECRET.to_owned(),
        must_not_show(WEBHOOK_SECRET).to_owned(),
        "unknownStrangerKey".to_owned(),
    ];
    for cs in &client_secrets {
        assert!(cs.contains("_secret_"), "{cs}");
        secrets.push(cs.clone());
        secrets.push(cs.rsplit("_secret_").next().unwrap().to_owned());
    }
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "{secret:?} was logged");
    }
}
