//! The SDK's tracing spans (`molam.call` per call, `molam.attempt` per attempt, named and
//! fielded after OpenTelemetry's HTTP conventions) exported as OpenTelemetry spans, through
//! `tracing-opentelemetry`. This one prints them to stdout; swap the exporter for OTLP to
//! send them to a collector. The run creates a payment intent against the mock, which
//! answers the first attempt with a 503, so the call has two attempt spans.
//!
//! ```text
//! cargo run -p molam-e2e --example opentelemetry
//! ```

use std::error::Error;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;

use molam_core::params::CreatePaymentIntent;
use molam_core::resources::Currency;
use molam_e2e::molam_mock::FaultKind;
use molam_e2e::Harness;

#[allow(dead_code)] // Also compiled into the test that checks the exported spans.
fn main() -> Result<(), Box<dyn Error>> {
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(opentelemetry_stdout::SpanExporter::default())
        .build();
    run(&provider)?;
    provider.shutdown()?;
    Ok(())
}

/// One call with a retry, traced into `provider`'s exporter.
pub fn run(provider: &SdkTracerProvider) -> Result<(), Box<dyn Error>> {
    let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("molam"));
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, || {
        let harness = Harness::start();
        let client = molam_blocking::Client::new(harness.config().build()?)?;
        harness.next_faults(&[FaultKind::Http503]);
        let intent = client
            .payment_intents()
            .create(&CreatePaymentIntent::new(2500, Currency::XOF))?;
        println!(
            "created {} in {} attempts",
            intent.id,
            intent.meta().attempts
        );
        Ok(())
    })
}
