//! A tiny client for driving the sans-IO mock in tests: plain `http::Request`s, as any HTTP
//! client would send them, and responses decoded as JSON.

use molam_mock::{Mock, MockConfig, MockTime};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub const KEY: &str = "sk_test_alice";
pub const T0: i64 = 1_700_000_000;

pub struct Api {
    pub mock: Mock,
    pub now: MockTime,
    pub key: String,
    /// Sent as `Molam-Account` when set (REFERENCE.md §6).
    pub account: Option<String>,
    counter: u32,
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub json: Value,
    pub raw: Vec<u8>,
}

impl Resp {
    pub fn error(&self) -> (&str, &str) {
        (
            self.json["error"]["type"].as_str().unwrap_or(""),
            self.json["error"]["code"].as_str().unwrap_or(""),
        )
    }

    pub fn param(&self) -> &str {
        self.json["error"]["param"].as_str().unwrap_or("")
    }

    pub fn id(&self) -> String {
        self.json["id"].as_str().unwrap_or_default().to_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Decodes the body into molam-core's type: the SDK's view of the mock's answer.
    pub fn typed<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.raw).expect("the mock's JSON decodes into molam-core's types")
    }
}

pub fn resp(r: http::Response<Vec<u8>>) -> Resp {
    let json = serde_json::from_slice(r.body()).unwrap_or(Value::Null);
    Resp {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        json,
        raw: r.into_body(),
    }
}

impl Api {
    pub fn new() -> Api {
        Api::with(MockConfig {
            seed: 1,
            ..MockConfig::default()
        })
    }

    pub fn with(config: MockConfig) -> Api {
        Api {
            mock: Mock::new(config),
            now: MockTime::from_unix_seconds(T0),
            key: KEY.to_owned(),
            account: None,
            counter: 0,
        }
    }

    pub fn as_key(&mut self, key: &str) -> &mut Api {
        self.key = key.to_owned();
        self
    }

    /// Acts for `account` (`None`: the platform's own account) from now on.
    pub fn as_account(&mut self, account: Option<&str>) -> &mut Api {
        self.account = account.map(str::to_owned);
        self
    }

    pub fn later(&mut self, seconds: i64) {
        self.now = MockTime::from_unix_ms(self.now.unix_ms() + seconds * 1000);
    }

    pub fn send(&self, request: http::Request<Vec<u8>>) -> Resp {
        resp(self.mock.handle(request, self.now))
    }

    pub fn request(&self, method: &str, path: &str) -> http::request::Builder {
        let builder = http::Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {}", self.key))
            .header("accept", "application/json")
            .header("molam-version", "2025-01-16");
        match &self.account {
            Some(account) => builder.header("molam-account", account),
            None => builder,
        }
    }

    /// A POST with a fresh idempotency key.
    pub fn post(&mut self, path: &str, body: Value) -> Resp {
        self.counter += 1;
        let key = format!("test-key-{}", self.counter);
        self.post_keyed(path, body, &key)
    }

    pub fn post_keyed(&self, path: &str, body: Value, key: &str) -> Resp {
        let request = self
            .request("POST", path)
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(serde_json::to_vec(&body).unwrap())
            .unwrap();
        self.send(request)
    }

    pub fn get(&self, path: &str) -> Resp {
        self.send(self.request("GET", path).body(Vec::new()).unwrap())
    }

    pub fn control(&self, method: &str, path: &str, body: Value) -> Resp {
        let request = http::Request::builder()
            .method(method)
            .uri(path)
            .body(serde_json::to_vec(&body).unwrap())
            .unwrap();
        self.send(request)
    }

    pub fn create_intent(&mut self, body: Value) -> String {
        let r = self.post("/v1/connect/payment_intents", body);
        assert_eq!(r.status, 200, "{:?}", r.json);
        r.id()
    }

    /// A succeeded intent of `amount` paid with `pm`; returns (intent id, charge id).
    pub fn paid_intent(&mut self, amount: i64, pm: &str) -> (String, String) {
        let id = self.create_intent(
            serde_json::json!({"amount": amount, "currency": "XOF", "payment_method": pm}),
        );
        let r = self.post(
            &format!("/v1/connect/payment_intents/{id}/confirm"),
            serde_json::json!({}),
        );
        assert_eq!(r.json["status"], "succeeded", "{:?}", r.json);
        (id, r.json["latest_charge"].as_str().unwrap().to_owned())
    }

    pub fn event_types(&self) -> Vec<String> {
        let r = self.get("/v1/events?limit=100");
        let mut types: Vec<String> = r.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .collect();
        types.reverse();
        types
    }
}
