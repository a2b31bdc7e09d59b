//! The mock's sans-IO handler (`Mock::handle`) on sequences of arbitrary requests against one
//! stateful mock: it never panics and always answers a valid HTTP status with a request id
//! and a JSON body; every non-2xx body is an REFERENCE.md §2 error object.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use molam_fuzz::Cursor;
use molam_mock::{Mock, MockConfig, MockTime};

const METHODS: [&str; 6] = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD"];
const PATHS: [&str; 20] = [
    "/v1/connect/payment_intents",
    "/v1/connect/payment_intents/pi_1",
    "/v1/connect/payment_intents/pi_1/confirm",
    "/v1/connect/payment_intents/pi_1/cancel",
    "/v1/connect/charges/ch_1/refund",
    "/v1/connect/refunds",
    "/v1/connect/refunds/re_1",
    "/v1/treasury/payouts",
    "/v1/treasury/payouts/po_1",
    "/v1/treasury/payouts/po_1/cancel",
    "/v1/events",
    "/v1/events/evt_1",
    "/v1/connect/payment_intents?limit=3&starting_after=pi_1&status=succeeded",
    "/v1/events?limit=100&created_gte=0&created_lte=9999999999&type=payout.paid",
    "/__mock/health",
    "/__mock/stats",
    "/__mock/faults",
    "/__mock/advance",
    "/__mock/reset",
    "/__mock/webhooks",
];
const HEADERS: [&str; 6] = [
    "idempotency-key",
    "content-type",
    "molam-version",
    "molam-attempt",
    "authorization",
    "accept",
];

/// Byte layout, repeated for up to 8 requests:
///
/// ```text
/// flags: u8 (bit 0: no default Authorization; bit 1: JSON content-type)
/// method: u8 (index into METHODS, modulo)
/// path: u8 (< PATHS.len(): PATHS[p] then a suffix: len u8, bytes; else raw: len u8, bytes)
/// n: u8 (headers, n % 6) × { name: u8 (HEADERS, modulo), len: u8, value }
/// advance: u16 BE (seconds to add to the clock before this request)
/// body: len u16 BE, bytes
/// ```
#[derive(Debug)]
struct Requests(Vec<(http::Request<Vec<u8>>, u16)>);

impl Requests {
    fn decode(data: &[u8]) -> Self {
        let mut c = Cursor::new(data);
        let mut out = Vec::new();
        while !c.rest().is_empty() && out.len() < 8 {
            let flags = c.byte();
            let method = METHODS[usize::from(c.byte()) % METHODS.len()];
            let p = usize::from(c.byte());
            let mut path = match PATHS.get(p) {
                Some(path) => path.as_bytes().to_vec(),
                None => Vec::new(),
            };
            let len = usize::from(c.byte());
            path.extend_from_slice(c.bytes(len));
            let mut builder = http::Request::builder().method(method);
            builder = match http::Uri::try_from(path.as_slice()) {
                Ok(uri) => builder.uri(uri),
                Err(_) => builder.uri("/v1/events"),
            };
            if flags & 1 == 0 {
                builder = builder.header("authorization", "Bearer sk_test_fuzz_0123456789");
            }
            if flags & 2 != 0 {
                builder = builder.header("content-type", "application/json");
            }
            for _ in 0..c.byte() % 6 {
                let name = HEADERS[usize::from(c.byte()) % HEADERS.len()];
                let len = usize::from(c.byte());
                if let Ok(value) = http::HeaderValue::from_bytes(c.bytes(len)) {
                    builder = builder.header(name, value);
                }
            }
            let advance = u16::from_be_bytes(c.be());
            let len = usize::from(u16::from_be_bytes(c.be()));
            let body = c.bytes(len).to_vec();
            if let Ok(request) = builder.body(body) {
                out.push((request, advance));
            }
        }
        Requests(out)
    }
}

impl<'a> Arbitrary<'a> for Requests {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let len = u.len();
        Ok(Requests::decode(u.bytes(len)?))
    }

    fn arbitrary_take_rest(u: Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Requests::decode(u.take_rest()))
    }
}

fuzz_target!(|input: Requests| {
    let mock = Mock::new(MockConfig::default());
    let mut now = MockTime::from_unix_seconds(1_700_000_000);
    for (request, advance) in input.0 {
        now = now.plus(std::time::Duration::from_secs(u64::from(advance)));
        let path = request.uri().path().to_owned();
        let response = mock.handle(request, now);
        let status = response.status().as_u16();
        assert!((100..=599).contains(&status), "status {status}");
        let id = response
            .headers()
            .get("x-request-id")
            .map(|v| v.to_str().map(str::to_owned));
        assert!(
            matches!(&id, Some(Ok(id)) if id.starts_with("req_")),
            "no request id on {path}: {id:?}"
        );
        if response.body().is_empty() {
            continue;
        }
        let body: serde_json::Value = match serde_json::from_slice(response.body()) {
            Ok(body) => body,
            Err(e) => panic!(
                "{status} body of {path} is not JSON ({e}): {:?}",
                String::from_utf8_lossy(response.body())
            ),
        };
        if !response.status().is_success() {
            assert!(
                body["error"]["type"].is_string() && body["error"]["message"].is_string(),
                "{status} error body of {path} is not an REFERENCE.md §2 error: {body}"
            );
        }
    }
});
