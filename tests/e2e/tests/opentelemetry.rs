//! The OpenTelemetry example exports the SDK's spans: one `molam.call` with its HTTP fields
//! and an attempt span per attempt, parented to it, and no secret in any attribute.

#[path = "../examples/opentelemetry.rs"]
mod example;

use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};

#[test]
fn the_example_exports_a_call_span_with_one_attempt_span_per_attempt() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    example::run(&provider).expect("the example's run");
    let spans = exporter.get_finished_spans().expect("the exported spans");
    let calls: Vec<_> = spans.iter().filter(|s| s.name == "molam.call").collect();
    let attempts: Vec<_> = spans.iter().filter(|s| s.name == "molam.attempt").collect();
    assert_eq!(calls.len(), 1, "{spans:?}");
    assert_eq!(attempts.len(), 2, "a 503, then the answer: {spans:?}");
    let call = calls[0];
    for attempt in &attempts {
        assert_eq!(attempt.parent_span_id, call.span_context.span_id());
    }
    let attribute = |key: &str| {
        call.attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.to_string())
    };
    assert_eq!(attribute("http.request.method").as_deref(), Some("POST"));
    assert_eq!(
        attribute("url.path").as_deref(),
        Some("/v1/connect/payment_intents")
    );
    assert_eq!(
        attribute("http.response.status_code").as_deref(),
        Some("200")
    );
    let everything = format!("{spans:?}");
    assert!(
        !everything.contains(molam_e2e::API_KEY),
        "no key in any span"
    );
}
