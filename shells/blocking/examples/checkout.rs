//! A checkout, synchronously: create → confirm → retrieve → refund → payout.
//!
//! ```sh
//! cargo install molam-mock && molam-mock &     # a local API on 127.0.0.1:12111
//! cargo run -p molam-blocking --example checkout
//! ```
//!
//! Without `MOLAM_API_KEY` it talks to that local mock; with `MOLAM_API_KEY` (and
//! `MOLAM_API_BASE`, …) set, to the server they name.

use molam_blocking::params::{
    ConfirmPaymentIntent, CreatePaymentIntent, CreatePayout, CreateRefund,
};
use molam_blocking::resources::{Currency, PayoutMethod};
use molam_blocking::{Client, Config, RequestOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (config, _) = config()?;
    let client = Client::new(config)?;
    let order = "order-1001";

    let intent = client
        .with_options(RequestOptions::new().idempotency_key(format!("{order}:intent"))?)
        .payment_intents()
        .create(&CreatePaymentIntent::new(2500, Currency::XOF).description("Order 1001"))?;
    println!(
        "created   {} {} (request {})",
        intent.id,
        intent.status,
        intent.request_id().unwrap_or("-")
    );

    let confirm = ConfirmPaymentIntent::new().payment_method("pm_card_visa");
    let paid = client.payment_intents().confirm(&intent.id, &confirm)?;
    println!("confirmed {} {}", paid.id, paid.status);

    let fetched = client.payment_intents().retrieve(&intent.id)?;
    println!(
        "retrieved {} {} {}",
        fetched.id, fetched.amount, fetched.currency
    );

    let charge = fetched
        .latest_charge
        .as_deref()
        .ok_or("a paid intent has a charge")?;
    let refund = client
        .with_options(RequestOptions::new().idempotency_key(format!("{order}:refund"))?)
        .refunds()
        .create(charge, &CreateRefund::new().amount(500))?;
    println!("refunded  {} {} of {}", refund.id, refund.amount, charge);

    let payout = CreatePayout::new(
        2000,
        Currency::XOF,
        PayoutMethod::MobileMoney,
        "+221770000000",
    );
    let payout = client.payouts().create(&payout)?;
    println!(
        "payout    {} {} {}",
        payout.id, payout.amount, payout.status
    );
    Ok(())
}

/// Where a local `molam-mock` listens by default.
const LOCAL_MOCK: &str = "http://127.0.0.1:12111";

/// The environment's configuration when `MOLAM_API_KEY` is set; else the local mock's (and
/// `true`: the API is a disposable mock).
fn config() -> Result<(Config, bool), Box<dyn std::error::Error>> {
    if std::env::var_os("MOLAM_API_KEY").is_some() {
        return Ok((Config::from_env()?, false));
    }
    println!("MOLAM_API_KEY is not set: using the local mock at {LOCAL_MOCK}");
    let config = Config::builder()
        .api_key("sk_test_example")
        .api_base(LOCAL_MOCK)
        .allow_insecure_http(true)
        .build()?;
    Ok((config, true))
}
