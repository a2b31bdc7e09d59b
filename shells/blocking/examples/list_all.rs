//! Auto-pagination: every payment intent, fetched lazily 100 at a time.
//!
//! `cargo run -p molam-blocking --example list_all` runs against an embedded mock (seeded
//! with 250 intents); set `MOLAM_API_BASE` and `MOLAM_API_KEY` to list another server's.

use molam_blocking::params::{CreatePaymentIntent, ListParams, ListPaymentIntents};
use molam_blocking::resources::Currency;
use molam_blocking::{Client, Config};
use molam_mock::{MockConfig, MockServer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (config, mock) = config()?;
    let client = Client::new(config)?;
    if mock.is_some() {
        for amount in 1..=250 {
            client
                .payment_intents()
                .create(&CreatePaymentIntent::new(amount, Currency::XOF))?;
        }
    }
    let params = ListPaymentIntents::new().page(ListParams::new().limit(100));
    let mut count = 0;
    let mut total = 0;
    for intent in client.payment_intents().list_all(&params) {
        let intent = intent?;
        count += 1;
        total += intent.amount;
    }
    println!("{count} payment intents, {total} in all");
    let first = client
        .payment_intents()
        .list_all(&params)
        .collect_up_to(10)?;
    let ids: Vec<&str> = first.iter().map(|pi| pi.id.as_str()).collect();
    println!("the 10 newest: {}", ids.join(", "));
    Ok(())
}

/// The environment's configuration when `MOLAM_API_BASE` is set, else an embedded mock's.
fn config() -> Result<(Config, Option<MockServer>), Box<dyn std::error::Error>> {
    if std::env::var_os("MOLAM_API_BASE").is_some() {
        return Ok((Config::from_env()?, None));
    }
    let mock = MockServer::start(MockConfig::default())?;
    let config = Config::builder()
        .api_key("sk_test_example")
        .api_base(mock.base_url())
        .allow_insecure_http(true)
        .build()?;
    Ok((config, Some(mock)))
}
