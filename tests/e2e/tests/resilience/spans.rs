//! The tracing spans of a call carry OpenTelemetry's HTTP fields and never a secret.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use molam_core::params::CreatePaymentIntent;
use molam_core::resources::Currency;
use molam_e2e::molam_mock::FaultKind;
use molam_e2e::{Harness, API_KEY};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Every (span or event name, field, value) recorded.
#[derive(Default)]
struct Capture {
    names: Mutex<HashMap<u64, &'static str>>,
    fields: Mutex<Vec<(String, String, String)>>,
    next: AtomicU64,
}

struct Fields<'a>(&'a Capture, &'static str);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let entry = (
            self.1.to_owned(),
            field.name().to_owned(),
            format!("{value:?}"),
        );
        self.0.fields.lock().expect("not poisoned").push(entry);
    }
}

impl Capture {
    fn name(&self, id: &Id) -> &'static str {
        self.names
            .lock()
            .expect("not poisoned")
            .get(&id.into_u64())
            .copied()
            .unwrap_or("?")
    }

    fn values(&self, span: &str, field: &str) -> Vec<String> {
        let fields = self.fields.lock().expect("not poisoned");
        fields
            .iter()
            .filter(|(s, f, _)| s == span && f == field)
            .map(|(_, _, v)| v.clone())
            .collect()
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let name = span.metadata().name();
        self.names.lock().expect("not poisoned").insert(id, name);
        span.record(&mut Fields(self, name));
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        values.record(&mut Fields(self, self.name(span)));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        event.record(&mut Fields(self, "event"));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn call_and_attempt_spans_carry_http_fields_and_no_secret() {
    let mock = Harness::start();
    let client =
        molam_blocking::Client::new(mock.config().build().expect("config")).expect("client");
    mock.next_faults(&[FaultKind::Http503]);
    let capture = Arc::new(Capture::default());
    let intent = tracing::subscriber::with_default(capture.clone(), || {
        client
            .payment_intents()
            .create(&CreatePaymentIntent::new(2500, Currency::XOF))
    })
    .expect("second attempt succeeds");

    assert_eq!(
        capture.values("molam.call", "http.request.method"),
        ["POST"]
    );
    assert_eq!(
        capture.values("molam.call", "url.path"),
        ["\"/v1/connect/payment_intents\""]
    );
    assert_eq!(
        capture.values("molam.call", "http.response.status_code"),
        ["200"]
    );
    assert_eq!(capture.values("molam.call", "molam.attempts"), ["2"]);
    let key = intent
        .meta()
        .idempotency_key
        .clone()
        .expect("a POST has a key");
    assert_eq!(
        capture.values("molam.call", "molam.idempotency_key"),
        [format!("{key:?}")]
    );
    let request_id = intent.request_id().expect("the mock sends one");
    assert_eq!(
        capture.values("molam.call", "molam.request_id"),
        [format!("{request_id:?}")]
    );
    assert_eq!(capture.values("molam.attempt", "molam.attempt"), ["1", "2"]);
    assert_eq!(
        capture.values("molam.attempt", "http.response.status_code"),
        ["503", "200"]
    );
    assert_eq!(capture.values("molam.attempt", "elapsed_ms").len(), 2);

    let everything = format!("{:?}", capture.fields.lock().expect("not poisoned"));
    assert!(!everything.contains(API_KEY), "the API key was recorded");
    assert!(!everything.contains("2500"), "a body was recorded");
}
