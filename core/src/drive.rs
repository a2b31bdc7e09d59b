//! Driving a [`Call`] to completion over any HTTP client, without a shell.
//!
//! The shells (`molam-blocking`, `molam-tokio`) do exactly this with their own transport,
//! clock and sleep; [`run`] lets any other HTTP client do it in a few lines.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::call::{Call, Step};
use crate::error::{Error, TransportError};
use crate::response::ApiResponse;

/// Drives `call`: `send` carries each request, `sleep` waits between attempts, and `now`
/// reads a monotonic clock with any fixed origin (in a real program, the `elapsed()` of a
/// `std::time::Instant` taken at start-up).
///
/// ```
/// use std::{cell::Cell, sync::Arc, time::Duration};
/// use molam_core::{call::{PreparedRequest, RequestOptions}, client::Client, config::Config, drive};
/// use molam_core::random::SeededRandom;
///
/// let config = Config::builder().api_key("sk_test_0123456789abcdef").build().unwrap();
/// let client = Client::new(config, "closure", Arc::new(SeededRandom::new(1)));
/// let call = client.prepare::<serde_json::Value>(
///     PreparedRequest { method: http::Method::GET, path_and_query: "/v1/events/evt_1".into(), body: None },
///     &RequestOptions::new(),
/// );
/// // Any HTTP client fits here; this one answers 503 once, then 200.
/// let mut answers = vec![
///     http::Response::builder().status(200).body(br#"{"id":"evt_1"}"#.to_vec()).unwrap(),
///     http::Response::builder().status(503).body(Vec::new()).unwrap(),
/// ];
/// let clock = Cell::new(Duration::ZERO); // a simulated clock: sleeping advances it
/// let event = drive::run(
///     call,
///     |_request| Ok(answers.pop().unwrap()),
///     |wait| clock.set(clock.get() + wait),
///     || clock.get(),
/// )
/// .unwrap();
/// assert_eq!(event["id"], "evt_1");
/// assert_eq!(event.meta().attempts, 2);
/// ```
pub fn run<T, S, W, C>(
    mut call: Call<T>,
    mut send: S,
    mut sleep: W,
    mut now: C,
) -> Result<ApiResponse<T>, Error>
where
    T: DeserializeOwned,
    S: FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError>,
    W: FnMut(Duration),
    C: FnMut() -> Duration,
{
    loop {
        let request = call.poll_request(now())?;
        let outcome = send(request);
        match call.handle(outcome, now()) {
            Step::Done(result) => return result,
            Step::Retry { call: next, wait } => {
                sleep(wait);
                call = next;
            }
        }
    }
}
