//! A checkout, synchronously: create → confirm → retrieve → refund → payout.
//!
//! `cargo run -p molam-blocking --example checkout` runs against an embedded mock; set
//! `MOLAM_API_BASE` and `MOLAM_API_KEY` to run it against another server.

use molam_blocking::params::{
    ConfirmPaymentIntent, CreatePaymentIntent, CreatePayout, CreateRefund,
};
use molam_blocking::resources::{Currency, PayoutMethod};
use molam_blocking::{Client, Config, RequestOptions};
use molam_mock::{MockConfig, MockServer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the embedded mock (if any) alive for the whole run.
    let (config, _mock) = config()?;
    let client = Client::new(config)?;
    let order = "order-1001";

    let intent = client
        .with_options(RequestOptions::new().idempotency_key(format!("{order}:intent"))?)
        .payment_intents()
        .create(&CreatePaymentIntent::new(2500, Currency::XOF).description("Order 1001"))?;
    println!(
        "created   {} {} (request {:?})",
        intent.id,
        intent.status,
        intent.request_id()
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

/// The environment's configuration when `MOLAM_API_BASE` is set, else an embedded mock's.
fn config() -> Result<(Config, Option<MockServer>), Box<dyn std::error::Error>> {
    if std::env::var_os("MOLAM_API_BASE").is_some() {
        return Ok((Config::from_env()?, None));
    }
    let mock = MockServer::start(MockConfig::default())?;
    println!("embedded mock at {}", mock.base_url());
    let config = Config::builder()
        .api_key("sk_test_example")
        .api_base(mock.base_url())
        .allow_insecure_http(true)
        .build()?;
    Ok((config, Some(mock)))
}
