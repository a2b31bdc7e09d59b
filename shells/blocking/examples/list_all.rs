//! Auto-pagination: every payment intent, fetched lazily 100 at a time.
//!
//! ```sh
//! cargo install molam-mock && molam-mock &     # a local API on 127.0.0.1:12111
//! cargo run -p molam-blocking --example list_all
//! ```
//!
//! Without `MOLAM_API_KEY` it talks to that local mock (and first creates 250 intents there); with `MOLAM_API_KEY` (and
//! `MOLAM_API_BASE`, …) set, to the server they name.

use molam_blocking::params::{CreatePaymentIntent, ListParams, ListPaymentIntents};
use molam_blocking::resources::Currency;
use molam_blocking::{Client, Config};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (config, local_mock) = config()?;
    let client = Client::new(config)?;
    if local_mock {
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
