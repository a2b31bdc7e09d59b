//! Both clients under faults, outages, TLS and runtime edge cases.

mod breaker;
mod exactly_once;
mod runtime;
mod spans;
mod tls;

use molam_core::params::CreatePaymentIntent;
use molam_core::resources::Currency;

/// The route a payment intent is created on, as the mock counts requests.
const CREATE: &str = "POST /v1/connect/payment_intents";

/// The payment intent these suites create: 2,500 XOF.
fn params() -> CreatePaymentIntent {
    CreatePaymentIntent::new(2500, Currency::XOF)
}
