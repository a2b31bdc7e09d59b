//! Shared input types of the Molam fuzz targets.
//!
//! Responses are decoded from a small, documented byte layout (see [`FuzzResponse`]) rather
//! than from `#[derive(Arbitrary)]`'s private encoding, so that the seed corpus can be written
//! from real API responses (`fuzz/make_seeds.py`) and stays valid when `arbitrary` changes.

use arbitrary::{Arbitrary, Result, Unstructured};
use http::header::{HeaderName, HeaderValue};

/// Header names the targets pick by index (byte `s < NAMES.len()`); any other `s` reads a
/// raw, length-prefixed name, so odd and invalid names are reached too.
pub const NAMES: [&str; 10] = [
    "x-request-id",
    "retry-after",
    "molam-should-retry",
    "idempotent-replayed",
    "content-type",
    "idempotency-key",
    "molam-attempt",
    "content-length",
    "set-cookie",
    "authorization",
];

/// An arbitrary HTTP response.
///
/// Byte layout (every read past the end yields zeros / empty):
///
/// ```text
/// status: u16 big-endian   (100..=999 used as is, anything else mapped into that range)
/// n:      u8               (number of headers, n % 17)
/// n × header:
///     s: u8                (s < NAMES.len(): NAMES[s]; else a name: len u8, bytes)
///     len: u8, value bytes
/// body:   all remaining bytes
/// ```
#[derive(Debug, Clone)]
pub struct FuzzResponse {
    /// Raw status (before mapping into 100..=999).
    pub status: u16,
    /// Raw header names and values, in order; invalid ones are skipped by [`Self::to_http`].
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
}

/// Reads a byte layout front to back; reads past the end give zeros or nothing.
pub struct Cursor<'a> {
    data: &'a [u8],
}

impl<'a> Cursor<'a> {
    /// A cursor over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Cursor { data }
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.data
    }

    /// Big-endian integer of `N` bytes.
    pub fn be<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for b in &mut out {
            *b = self.byte();
        }
        out
    }

    /// One byte.
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    /// Up to `n` bytes.
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }
}

impl FuzzResponse {
    /// Decodes the byte layout above.
    pub fn decode(data: &[u8]) -> Self {
        let mut c = Cursor { data };
        let status = u16::from_be_bytes([c.byte(), c.byte()]);
        let n = usize::from(c.byte()) % 17;
        let mut headers = Vec::with_capacity(n);
        for _ in 0..n {
            let s = usize::from(c.byte());
            let name = match NAMES.get(s) {
                Some(name) => name.as_bytes().to_vec(),
                None => {
                    let len = usize::from(c.byte());
                    c.bytes(len).to_vec()
                }
            };
            let len = usize::from(c.byte());
            headers.push((name, c.bytes(len).to_vec()));
        }
        let body = c.data.to_vec();
        FuzzResponse {
            status,
            headers,
            body,
        }
    }

    /// The status the response gets: the raw one if it is a valid HTTP status code.
    pub fn status_code(&self) -> http::StatusCode {
        let code = if (100..=999).contains(&self.status) {
            self.status
        } else {
            100 + self.status % 900
        };
        http::StatusCode::from_u16(code).expect("100..=999 is a valid status code")
    }

    /// The response as the core sees it. Header names or values `http` refuses are skipped,
    /// as a real client's parser would refuse them before the core saw anything.
    pub fn to_http(&self) -> http::Response<Vec<u8>> {
        let mut response = http::Response::new(self.body.clone());
        *response.status_mut() = self.status_code();
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) =
                (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
            {
                response.headers_mut().append(name, value);
            }
        }
        response
    }
}

impl<'a> Arbitrary<'a> for FuzzResponse {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let len = u.len();
        Ok(FuzzResponse::decode(u.bytes(len)?))
    }

    fn arbitrary_take_rest(u: Unstructured<'a>) -> Result<Self> {
        Ok(FuzzResponse::decode(u.take_rest()))
    }
}

/// Checks what must hold of any interpreted response, whatever the target type: a 2xx is
/// `Ok` or a decode error carrying the status; anything else is an API error carrying the
/// status, with at most 1 KiB of body kept.
pub fn check_interpretation<T: std::fmt::Debug>(
    response: &http::Response<Vec<u8>>,
    result: &std::result::Result<molam_core::response::ApiResponse<T>, molam_core::Error>,
) {
    let status = response.status().as_u16();
    match result {
        Ok(value) => {
            assert!(response.status().is_success(), "Ok for status {status}");
            assert_eq!(value.meta().status, status);
            check_request_id(value.request_id());
        }
        Err(error) => {
            assert_eq!(
                error.status(),
                Some(status),
                "error lost the status: {error:?}"
            );
            check_request_id(error.request_id());
            match error {
                molam_core::Error::Decode(d) => {
                    assert!(response.status().is_success());
                    assert!(
                        kept_body_is_bounded(&d.body_snippet),
                        "{}",
                        d.body_snippet.len()
                    );
                }
                molam_core::Error::Api(api) => {
                    assert!(!response.status().is_success());
                    if let Some(raw) = &api.raw_body {
                        assert!(kept_body_is_bounded(raw), "{}", raw.len());
                    }
                }
                other => panic!("unexpected error variant from interpret: {other:?}"),
            }
            // Display and Debug of any error must not panic either.
            let _ = format!("{error} {error:?}");
        }
    }
}

/// A kept body is at most 1 KiB of the raw body, with the value of every `…secret` key
/// replaced by `****`: a short value grows by up to 4 characters, and each such key takes
/// at least 10 characters of the kept KiB, so the text stays under 1.5 KiB.
pub fn kept_body_is_bounded(kept: &str) -> bool {
    kept.chars().count() <= molam_core::response::MAX_KEPT_BODY * 3 / 2
}

/// A request id, when kept, is 1–255 printable ASCII characters.
pub fn check_request_id(id: Option<&str>) {
    if let Some(id) = id {
        assert!(
            !id.is_empty() && id.len() <= 255,
            "request id length {}",
            id.len()
        );
        assert!(
            id.bytes().all(|b| b.is_ascii_graphic()),
            "request id {id:?}"
        );
    }
}

/// True when `value`'s JSON holds no floating-point number. serde_json (without its
/// `float_roundtrip` feature) may parse a float to a neighbouring value, so objects carrying
/// one (only in an unknown event's raw JSON) are not expected to re-decode bit for bit.
pub fn has_no_float<T: serde::Serialize>(value: &T) -> bool {
    fn walk(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Number(n) => !n.is_f64(),
            serde_json::Value::Array(a) => a.iter().all(walk),
            serde_json::Value::Object(o) => o.values().all(walk),
            _ => true,
        }
    }
    serde_json::to_value(value).is_ok_and(|v| walk(&v))
}
