//! The sans-IO core against the physical limit of the same work, in pairs that run side by
//! side (`sdk` then `raw` in each group):
//!
//! - `build/create_payment_intent`: `payment_intents().create` + `poll_request` vs
//!   `serde_json::to_vec` of the same params + `http::Request::builder` with the same headers;
//! - `parse/<resource>`: `response::interpret` vs `serde_json::from_slice` into the same type,
//!   over the same bytes (real answers of the mock's sans-IO handler, headers included);
//! - `roundtrip/create_payment_intent`: build + `poll_request` + `Call::handle` (what a shell
//!   does per call) vs to_vec + builder + from_slice;
//! - `webhook_verify/<size>`: `webhook::verify` vs HMAC-SHA256 with the `hmac` crate over the
//!   same signed payload and a constant-time compare;
//! - `idempotency_key/uuid_v4`: the key a POST gets, vs the same text in one `String`;
//! - `signature_header/parse`: `SignatureHeader::parse` alone.
//!
//! `cargo bench -p molam-bench --bench core`; `cargo run -p molam-bench --release -- all`
//! runs it in rounds and reports the ratios.
#![allow(clippy::unwrap_used, clippy::expect_used)] // A benchmark: a panic is the report.

use std::cell::RefCell;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, KeyInit, Mac};
use molam_core::call::RequestOptions;
use molam_core::client::Client;
use molam_core::config::Config;
use molam_core::drive;
use molam_core::idempotency::IdempotencyKey;
use molam_core::params::{
    ConfirmPaymentIntent, CreatePaymentIntent, CreatePayout, CreateRefund, ListEvents, ListParams,
    ListPaymentIntents,
};
use molam_core::random::SeededRandom;
use molam_core::resources::{Currency, Event, List, PaymentIntent, PayoutMethod, Refund};
use molam_core::response::{self, ApiResponse};
use molam_core::webhook::{self, SignatureHeader, WebhookSecret, DEFAULT_TOLERANCE};
use molam_mock::{Mock, MockConfig, MockTime};
use serde::de::DeserializeOwned;
use sha2::Sha256;

const API_KEY: &str = "sk_test_bench_merchant";
const WEBHOOK_SECRET: &str = "whsec_bench_5f1c2a9e";

/// Registers an `sdk`/`raw` pair in the order the runner asks for: it swaps the order every
/// other round (`MOLAM_BENCH_RAW_FIRST`), so neither side always runs on the warmer machine.
fn pair<S, R>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    (sdk_id, sdk): (BenchmarkId, S),
    (raw_id, raw): (BenchmarkId, R),
) where
    S: FnMut(&mut criterion::Bencher<'_>),
    R: FnMut(&mut criterion::Bencher<'_>),
{
    if std::env::var_os("MOLAM_BENCH_RAW_FIRST").is_some() {
        group.bench_function(raw_id, raw);
        group.bench_function(sdk_id, sdk);
    } else {
        group.bench_function(sdk_id, sdk);
        group.bench_function(raw_id, raw);
    }
}

fn id(name: &str, side: &str) -> BenchmarkId {
    BenchmarkId::new(name, side)
}

fn client() -> Client {
    let config = Config::builder().api_key(API_KEY).build().unwrap();
    Client::new(config, "bench", Arc::new(SeededRandom::new(7)))
}

fn create_params() -> CreatePaymentIntent {
    CreatePaymentIntent::new(2500, Currency::XOF)
        .description("Order 1001")
        .metadata_entry("order_id", "1001")
}

/// Real answers of the mock for each resource, captured with their headers.
struct Fixtures {
    intent: http::Response<Vec<u8>>,
    refund: http::Response<Vec<u8>>,
    payout: http::Response<Vec<u8>>,
    event: http::Response<Vec<u8>>,
    intents_100: http::Response<Vec<u8>>,
}

fn copy(response: &http::Response<Vec<u8>>) -> http::Response<Vec<u8>> {
    let mut copy = http::Response::new(response.body().clone());
    *copy.status_mut() = response.status();
    *copy.headers_mut() = response.headers().clone();
    copy
}

/// Drives `call` against the mock's handler, keeping the last raw response.
fn capture<T: DeserializeOwned>(
    mock: &Mock,
    call: molam_core::call::Call<T>,
) -> (ApiResponse<T>, http::Response<Vec<u8>>) {
    let last = RefCell::new(None);
    let value = drive::run(
        call,
        |request| {
            let response = mock.handle(request, MockTime::now());
            *last.borrow_mut() = Some(copy(&response));
            Ok(response)
        },
        |_| {},
        || Duration::ZERO,
    )
    .expect("the mock answers a valid call");
    (value, last.into_inner().expect("one response at least"))
}

fn fixtures() -> Fixtures {
    let mock = Mock::new(MockConfig::default());
    let client = client();
    let opts = RequestOptions::new();
    let intents = client.payment_intents();
    let (created, intent) = capture(&mock, intents.create(&create_params(), &opts).unwrap());
    let confirm = ConfirmPaymentIntent::new().payment_method("pm_card_visa");
    let (paid, _) = capture(
        &mock,
        intents.confirm(&created.id, &confirm, &opts).unwrap(),
    );
    let charge = paid
        .latest_charge
        .clone()
        .expect("a paid intent has a charge");
    let (_, refund) = capture(
        &mock,
        client
            .refunds()
            .create(&charge, &CreateRefund::new().amount(500), &opts)
            .unwrap(),
    );
    let payout = CreatePayout::new(
        2000,
        Currency::XOF,
        PayoutMethod::MobileMoney,
        "+221770000000",
    );
    let (_, payout) = capture(&mock, client.payouts().create(&payout, &opts).unwrap());
    let (events, _) = capture(
        &mock,
        client.events().list(&ListEvents::new(), &opts).unwrap(),
    );
    let first = events.data.first().expect("the mock recorded events");
    let (_, event) = capture(&mock, client.events().retrieve(&first.id, &opts).unwrap());
    for _ in 0..100 {
        capture(&mock, intents.create(&create_params(), &opts).unwrap());
    }
    let page = ListPaymentIntents::new().page(ListParams::new().limit(100));
    let (listed, intents_100) = capture(&mock, intents.list(&page, &opts).unwrap());
    assert_eq!(listed.data.len(), 100, "a full page of 100 intents");
    Fixtures {
        intent,
        refund,
        payout,
        event,
        intents_100,
    }
}

/// The headers the core sends for create-payment-intent, to give the raw builder the same.
fn raw_headers(client: &Client) -> Vec<(http::HeaderName, http::HeaderValue)> {
    let mut call = client
        .payment_intents()
        .create(&create_params(), &RequestOptions::new())
        .unwrap();
    let request = call.poll_request(Duration::ZERO).unwrap();
    request
        .headers()
        .iter()
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

fn raw_build(
    url: &str,
    headers: &[(http::HeaderName, http::HeaderValue)],
    params: &CreatePaymentIntent,
) -> http::Request<Vec<u8>> {
    let body = serde_json::to_vec(params).unwrap();
    let mut builder = http::Request::post(url);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    builder.body(body).unwrap()
}

fn build(c: &mut Criterion) {
    let client = client();
    let params = create_params();
    let opts = RequestOptions::new();
    let headers = raw_headers(&client);
    let url = "https://api.molam.com/v1/connect/payment_intents";
    let mut group = c.benchmark_group("build");
    pair(
        &mut group,
        (id("create_payment_intent", "sdk"), |b| {
            b.iter(|| {
                let mut call = client
                    .payment_intents()
                    .create(black_box(&params), &opts)
                    .unwrap();
                call.poll_request(Duration::ZERO).unwrap()
            })
        }),
        (id("create_payment_intent", "raw"), |b| {
            b.iter(|| raw_build(url, &headers, black_box(&params)))
        }),
    );
    group.finish();
}

fn parse_pair<T: DeserializeOwned>(
    c: &mut Criterion,
    name: &str,
    response: &http::Response<Vec<u8>>,
) {
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(response.body().len() as u64));
    pair(
        &mut group,
        (id(name, "sdk"), |b| {
            b.iter(|| response::interpret::<T>(black_box(response)).unwrap())
        }),
        (id(name, "raw"), |b| {
            b.iter(|| serde_json::from_slice::<T>(black_box(response.body())).unwrap())
        }),
    );
    group.finish();
}

fn parse(c: &mut Criterion) {
    let fixtures = fixtures();
    parse_pair::<PaymentIntent>(c, "payment_intent", &fixtures.intent);
    parse_pair::<Refund>(c, "refund", &fixtures.refund);
    parse_pair::<molam_core::resources::Payout>(c, "payout", &fixtures.payout);
    parse_pair::<Event>(c, "event", &fixtures.event);
    parse_pair::<List<PaymentIntent>>(c, "list_100_intents", &fixtures.intents_100);
}

fn roundtrip(c: &mut Criterion) {
    let client = client();
    let params = create_params();
    let opts = RequestOptions::new();
    let headers = raw_headers(&client);
    let url = "https://api.molam.com/v1/connect/payment_intents";
    let answer = fixtures().intent;
    let mut group = c.benchmark_group("roundtrip");
    pair(
        &mut group,
        (id("create_payment_intent", "sdk"), |b| {
            b.iter_batched(
                || copy(&answer),
                |answer| {
                    let mut call = client
                        .payment_intents()
                        .create(black_box(&params), &opts)
                        .unwrap();
                    let request = call.poll_request(Duration::ZERO).unwrap();
                    black_box(&request);
                    match call.handle(Ok(answer), Duration::ZERO) {
                        molam_core::call::Step::Done(result) => result.unwrap(),
                        molam_core::call::Step::Retry { .. } => unreachable!("a 200 is final"),
                    }
                },
                BatchSize::SmallInput,
            )
        }),
        (id("create_payment_intent", "raw"), |b| {
            b.iter_batched(
                || copy(&answer),
                |answer| {
                    let request = raw_build(url, &headers, black_box(&params));
                    black_box(&request);
                    serde_json::from_slice::<PaymentIntent>(answer.body()).unwrap()
                },
                BatchSize::SmallInput,
            )
        }),
    );
    group.finish();
}

/// The UUID v4 idempotency key every POST without a caller's key gets, against the same 36
/// characters written into one preallocated `String`.
fn idempotency_key(c: &mut Criterion) {
    let mut group = c.benchmark_group("idempotency_key");
    pair(
        &mut group,
        (id("uuid_v4", "sdk"), |b| {
            b.iter(|| IdempotencyKey::from_random_bytes(black_box([0x5a; 16])))
        }),
        (id("uuid_v4", "raw"), |b| {
            b.iter(|| {
                const DIGITS: &[u8; 16] = b"0123456789abcdef";
                let bytes = black_box([0x5a_u8; 16]);
                let mut key = String::with_capacity(36);
                for (i, byte) in bytes.iter().enumerate() {
                    if matches!(i, 4 | 6 | 8 | 10) {
                        key.push('-');
                    }
                    key.push(char::from(DIGITS[usize::from(byte >> 4)]));
                    key.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
                }
                key
            })
        }),
    );
    group.finish();
}

fn webhooks(c: &mut Criterion) {
    let secrets = [WebhookSecret::new(WEBHOOK_SECRET)];
    let timestamp = 1_700_000_000_i64;
    let mut group = c.benchmark_group("webhook_verify");
    for (label, size) in [("1KiB", 1024), ("64KiB", 64 * 1024), ("1MiB", 1024 * 1024)] {
        let body: Vec<u8> = (0..size).map(|i| b'a' + (i % 26) as u8).collect();
        let header = webhook::sign_header(&secrets[0], timestamp, &body);
        let expected = Hmac::<Sha256>::new_from_slice(WEBHOOK_SECRET.as_bytes())
            .unwrap()
            .chain_update(timestamp.to_string().as_bytes())
            .chain_update(b".")
            .chain_update(&body)
            .finalize()
            .into_bytes();
        let timestamp_text = timestamp.to_string();
        group.throughput(Throughput::Bytes(size as u64));
        pair(
            &mut group,
            (id("sdk", label), |b| {
                b.iter(|| {
                    webhook::verify(
                        black_box(&header),
                        black_box(&body),
                        timestamp,
                        &secrets,
                        DEFAULT_TOLERANCE,
                    )
                    .unwrap()
                })
            }),
            (id("raw", label), |b| {
                b.iter(|| {
                    let mut mac =
                        Hmac::<Sha256>::new_from_slice(WEBHOOK_SECRET.as_bytes()).unwrap();
                    mac.update(timestamp_text.as_bytes());
                    mac.update(b".");
                    mac.update(black_box(&body));
                    mac.verify_slice(black_box(&expected)).unwrap()
                })
            }),
        );
    }
    group.finish();
    let body = b"{}";
    let header = webhook::sign_header(&secrets[0], timestamp, body);
    let mut group = c.benchmark_group("signature_header");
    group.bench_function("parse", |b| {
        b.iter(|| SignatureHeader::parse(black_box(&header)).unwrap())
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1))
}

/// The group criterion runs; `criterion_group!` makes an undocumented `pub fn`.
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group! {
        name = benches;
        config = config();
        targets = build, parse, roundtrip, idempotency_key, webhooks
    }
}
criterion_main!(group::benches);
