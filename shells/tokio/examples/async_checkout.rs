//! A checkout, asynchronously: create → confirm → retrieve → refund → payout, then 100
//! payment intents created concurrently by tasks sharing one client.
//!
//! ```sh
//! cargo install molam-mock && molam-mock &     # a local API on 127.0.0.1:12111
//! cargo run -p molam-tokio --example async_checkout
//! ```
//!
//! Without `MOLAM_API_KEY` it talks to that local mock; with `MOLAM_API_KEY` (and
//! `MOLAM_API_BASE`, …) set, to the server they name.

use std::time::Instant;

use molam_tokio::params::{ConfirmPaymentIntent, CreatePaymentIntent, CreatePayout, CreateRefund};
use molam_tokio::resources::{Currency, PayoutMethod};
use molam_tokio::{Client, Config, RequestOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (config, _) = config()?;
    let client = Client::new(config)?;
    let order = "order-2002";

    let intent = client
        .with_options(RequestOptions::new().idempotency_key(format!("{order}:intent"))?)
        .payment_intents()
        .create(&CreatePaymentIntent::new(2500, Currency::XOF).description("Order 2002"))
        .await?;
    println!(
        "created   {} {} (request {})",
        intent.id,
        intent.status,
        intent.request_id().unwrap_or("-")
    );

    let confirm = ConfirmPaymentIntent::new().payment_method("pm_momo_success");
    let paid = client
        .payment_intents()
        .confirm(&intent.id, &confirm)
        .await?;
    println!("confirmed {} {}", paid.id, paid.status);

    let fetched = client.payment_intents().retrieve(&intent.id).await?;
    let charge = fetched
        .latest_charge
        .clone()
        .ok_or("a paid intent has a charge")?;
    let refund = client
        .with_options(RequestOptions::new().idempotency_key(format!("{order}:refund"))?)
        .refunds()
        .create(&charge, &CreateRefund::new())
        .await?;
    println!("refunded  {} {} of {}", refund.id, refund.amount, charge);

    let payout = CreatePayout::new(
        2000,
        Currency::XOF,
        PayoutMethod::BankTransfer,
        "SN08SN0100",
    );
    let payout = client.payouts().create(&payout).await?;
    println!(
        "payout    {} {} {}",
        payout.id, payout.amount, payout.status
    );

    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..100 {
        let client = client.clone();
        tasks.spawn(async move {
            let params = CreatePaymentIntent::new(1000 + n, Currency::XOF);
            client.payment_intents().create(&params).await
        });
    }
    let mut created = 0;
    while let Some(result) = tasks.join_next().await {
        result??;
        created += 1;
    }
    println!("{created} concurrent intents in {:?}", started.elapsed());
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
