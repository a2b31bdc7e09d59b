//! Bring your own HTTP client and still get retries, the durable idempotency store and
//! exactly-once: `drive::run_with` runs the same exchange the client shells run.
//!
//! Here the "HTTP client" is a closure over a stand-in for Molam that keeps the first answer
//! per `Idempotency-Key` as the API does (REFERENCE.md §4), and the connection loses the
//! response of the first request after the server has acted on it (a connection reset).
//! The exchange retries with the same idempotency key and Molam replays its answer: one
//! payment intent. A second call with the key is answered by the store without a request.
//!
//! Run it: `cargo run -p molam-core --example own_http_client`.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use molam_core::call::RequestOptions;
use molam_core::client::Client;
use molam_core::drive::{self, Durable};
use molam_core::idempotency::{IdempotencyStore, InMemoryIdempotencyStore};
use molam_core::params::CreatePaymentIntent;
use molam_core::random::SeededRandom;
use molam_core::resources::{Currency, PaymentIntent};
use molam_core::response::AnswerSource;
use molam_core::{Config, TransportError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::builder()
        .api_key("sk_test_0123456789abcdef")
        .build()?;
    // A real program draws randomness from the OS (the shells use `getrandom`).
    let client = Client::new(config, "my-http-client", Arc::new(SeededRandom::new(42)));
    let store = InMemoryIdempotencyStore::new();
    // Molam's memory of idempotency keys: key → the body of its first answer.
    let answered: RefCell<HashMap<String, Vec<u8>>> = RefCell::new(HashMap::new());
    let molam = |request: &http::Request<Vec<u8>>| -> http::Response<Vec<u8>> {
        let key = request
            .headers()
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let mut answered = answered.borrow_mut();
        let replayed = answered.contains_key(&key);
        let created = answered.len() + 1;
        let body = answered.entry(key).or_insert_with(|| {
            format!(
                r#"{{"id":"pi_{created}","object":"payment_intent","amount":2500,"currency":"XOF","status":"requires_payment_method"}}"#
            )
            .into_bytes()
        });
        let mut response = http::Response::new(body.clone());
        if replayed {
            response.headers_mut().insert(
                "idempotent-replayed",
                http::HeaderValue::from_static("true"),
            );
        }
        response
    };
    let started = Instant::now();
    let unix_ms = || {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
    };
    let sent = Cell::new(0);
    // Your HTTP client: send the request, honour the timeout, map failures to TransportError.
    let send = |request: http::Request<Vec<u8>>, _timeout: Duration| {
        sent.set(sent.get() + 1);
        let response = molam(&request);
        if sent.get() == 1 {
            return Err(TransportError::after_send(
                "connection reset reading the response",
            ));
        }
        Ok(response)
    };
    let options = RequestOptions::new().idempotency_key("order-1001:intent")?;
    let params = CreatePaymentIntent::new(2500, Currency::XOF);
    let create = || -> Result<_, molam_core::Error> {
        let call = client.payment_intents().create(&params, &options)?;
        let durable = Durable {
            store: &store as &dyn IdempotencyStore,
            scope: "acct_1",
            unix_ms: &unix_ms,
        };
        drive::run_with::<PaymentIntent, _, _, _>(
            call,
            Some(durable),
            send,
            std::thread::sleep,
            || started.elapsed(),
        )
    };

    let first = create()?;
    println!(
        "created {} after {} attempts ({:?})",
        first.id,
        first.meta().attempts,
        first.meta().source
    );
    assert_eq!(first.meta().source, AnswerSource::ServerReplay);
    let again = create()?;
    println!(
        "again: {} from {:?}, {} requests in all",
        again.id,
        again.meta().source,
        sent.get()
    );
    assert_eq!(
        (again.id.as_str(), again.meta().source),
        (first.id.as_str(), AnswerSource::Store)
    );
    assert_eq!(sent.get(), 2, "the second call sent nothing");
    Ok(())
}
