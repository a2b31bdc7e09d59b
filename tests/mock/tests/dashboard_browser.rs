//! The dashboard in a real browser: headless Chromium, driven over WebDriver (chromedriver,
//! plain HTTP and JSON, so no driver crate is needed), looks at the mock after a scripted
//! checkout, presses "resend", and forces a fault with the fault controls.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Where they are
//! missing the test says so and passes, except in CI (`CI=true`), where it fails.
//! `MOLAM_DASHBOARD_SCREENSHOT=path.png` also saves a screenshot (the mock's README has one).
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests: a panic is the failure report.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use molam_mock::{MockConfig, MockServer};
use serde_json::{json, Value};

mod support;
use support::webhook_receiver;

const KEY: &str = "sk_test_dashboard_0123456789";

/// A program on PATH.
fn find(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    })
}

/// One HTTP/1.1 exchange over a fresh connection: the status and the body as JSON (or
/// `Null`).
fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("write");
    // Read until the body is complete: a server may keep the connection open regardless.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16384];
    let (head, body) = loop {
        let n = stream.read(&mut buf).expect("read");
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let lower = head.to_ascii_lowercase();
            let length = lower.lines().find_map(|l| {
                l.strip_prefix("content-length:")
                    .and_then(|v| v.trim().parse::<usize>().ok())
            });
            let complete = match length {
                Some(length) => body.len() >= length,
                None if lower.contains("transfer-encoding: chunked") => body.ends_with("0\r\n\r\n"),
                None => n == 0,
            };
            if complete || n == 0 {
                let body = if lower.contains("transfer-encoding: chunked") {
                    dechunk(body)
                } else {
                    body.to_owned()
                };
                break (head.to_owned(), body);
            }
        }
        assert!(n > 0, "the connection closed before a response");
    };
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn dechunk(mut text: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = text.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        text = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// Polls `check` every 100 ms until it gives a value, or fails after `secs` seconds.
fn eventually<T>(what: &str, secs: u64, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// chromedriver and one session of headless Chromium; both end when this is dropped.
struct Browser {
    driver: Child,
    addr: String,
    session: String,
    profile: PathBuf,
}

impl Browser {
    fn start(chromium: &PathBuf, chromedriver: &PathBuf) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let addr = format!("127.0.0.1:{port}");
        eventually("chromedriver to be ready", 20, || {
            TcpStream::connect(&addr).ok()?;
            let (_, status) = http(&addr, "GET", "/status", &[], "");
            status["value"]["ready"].as_bool().filter(|r| *r)
        });
        let profile = std::env::temp_dir().join(format!(
            "molam-dashboard-chromium-{}-{port}",
            std::process::id()
        ));
        std::fs::create_dir_all(&profile).unwrap();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1400,1100",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}});
        let (status, created) = http(&addr, "POST", "/session", &[], &capabilities.to_string());
        assert_eq!(status, 200, "new session: {created}");
        let session = created["value"]["sessionId"]
            .as_str()
            .expect("session id")
            .to_owned();
        Browser {
            driver,
            addr,
            session,
            profile,
        }
    }

    fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let path = format!("/session/{}{path}", self.session);
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let (status, answer) = http(&self.addr, method, &path, &[], &body);
        assert_eq!(status, 200, "{method} {path}: {answer}");
        answer["value"].clone()
    }

    fn open(&self, url: &str) {
        self.command("POST", "/url", json!({ "url": url }));
    }

    /// Runs `script` in the page and returns its value.
    fn eval(&self, script: &str) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
    }

    /// Acts on the element `css` selects (`click`, or `value` to type), as a user would (not
    /// a script), retrying when the page re-renders it in between.
    fn act(&self, css: &str, action: &str, body: Value) {
        eventually(&format!("{action} on {css}"), 10, || {
            let path = format!("/session/{}/element", self.session);
            let find = json!({"using": "css selector", "value": css}).to_string();
            let (status, found) = http(&self.addr, "POST", &path, &[], &find);
            if status != 200 {
                return None;
            }
            let element = found["value"]
                .as_object()?
                .values()
                .next()?
                .as_str()?
                .to_owned();
            let act = format!("/session/{}/element/{element}/{action}", self.session);
            let (status, _) = http(&self.addr, "POST", &act, &[], &body.to_string());
            (status == 200).then_some(())
        });
    }

    fn click(&self, css: &str) {
        self.act(css, "click", json!({}));
    }

    fn type_into(&self, css: &str, text: &str) {
        self.act(css, "clear", json!({}));
        self.act(css, "value", json!({ "text": text }));
    }

    fn screenshot(&self, path: &str) {
        let png = self.command("GET", "/screenshot", Value::Null);
        let bytes = STANDARD
            .decode(png.as_str().expect("a base64 string"))
            .expect("WebDriver sends a screenshot as standard base64");
        std::fs::write(path, bytes).expect("write the screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let path = format!("/session/{}", self.session);
        let _ = std::panic::catch_unwind(|| http(&self.addr, "DELETE", &path, &[], ""));
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

#[test]
fn the_dashboard_shows_a_checkout_and_resend_makes_a_new_attempt() {
    let (Some(chromium), Some(chromedriver)) = (find("chromium"), find("chromedriver")) else {
        // CI as the Python suite reads it (shells/python/tests/pytest.rs): set and not 0/false.
        let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
        assert!(
            !in_ci,
            "chromium and chromedriver must be installed in CI (.ci/run installs Debian's \
             chromium and chromium-driver)"
        );
        // Straight to stderr: the test harness keeps a passing test's `eprintln!` to itself.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: chromium or chromedriver is not installed (apt-get install chromium chromium-driver)"
        );
        return;
    };
    // Nothing here waits on the deliveries themselves: the dashboard shows them.
    let (hook_url, _) = webhook_receiver();
    let server = MockServer::start(MockConfig {
        webhook_urls: vec![hook_url],
        ..MockConfig::default()
    })
    .expect("start the mock");
    let api = server.addr().to_string();
    let auth = format!("Bearer {KEY}");

    // The scripted checkout: an intent, confirmed with a test card.
    let (status, intent) = http(
        &api,
        "POST",
        "/v1/connect/payment_intents",
        &[
            ("Authorization", &auth),
            ("Idempotency-Key", "order-1001:intent"),
        ],
        r#"{"amount": 2500, "currency": "XOF", "description": "Order 1001"}"#,
    );
    assert_eq!(status, 200, "{intent}");
    let pi = intent["id"].as_str().unwrap().to_owned();
    let (status, confirmed) = http(
        &api,
        "POST",
        &format!("/v1/connect/payment_intents/{pi}/confirm"),
        &[
            ("Authorization", &auth),
            ("Idempotency-Key", "order-1001:confirm"),
        ],
        r#"{"payment_method": "pm_card_visa"}"#,
    );
    assert_eq!(
        (status, confirmed["status"].as_str()),
        (200, Some("succeeded"))
    );
    // The delivery of payment_intent.succeeded, once its first attempt is answered.
    let delivery = eventually("the succeeded event's delivery", 20, || {
        let (_, state) = http(&api, "GET", "/__mock/dashboard/state", &[], "");
        state["deliveries"]
            .as_array()?
            .iter()
            .find(|d| d["event_type"] == "payment_intent.succeeded" && d["state"] == "succeeded")
            .map(|d| {
                (
                    d["id"].as_u64().unwrap(),
                    d["event_id"].as_str().unwrap().to_owned(),
                )
            })
    });
    let (delivery_id, event_id) = delivery;

    let browser = Browser::start(&chromium, &chromedriver);
    browser.open(&format!("{}/__mock/dashboard", server.base_url()));

    let intent_row = eventually("the payment intent on the page", 20, || {
        let row = browser.eval(&format!(
            "const r = document.querySelector('#objects tr[data-id=\"{pi}\"]'); return r && r.innerText"
        ));
        row.as_str()
            .filter(|t| t.contains("succeeded"))
            .map(str::to_owned)
    });
    assert!(intent_row.contains("2500 XOF"), "{intent_row}");
    let events = browser.eval(
        "return [...document.querySelectorAll('#events tr[data-type]')].map(r => r.dataset.type)",
    );
    assert_eq!(
        events,
        json!(["payment_intent.succeeded", "payment_intent.created"]),
        "newest first"
    );
    let row = format!("#deliveries tr[data-delivery=\"{delivery_id}\"]");
    let attempts = |row: &str| {
        browser.eval(&format!(
            "return [...document.querySelectorAll('{row} .attempt')].map(a => a.innerText.replace(/\\s+/g, ' ').trim())"
        ))
    };
    let first = attempts(&row);
    assert_eq!(first.as_array().map(Vec::len), Some(1), "{first}");
    let shown = first[0].as_str().unwrap();
    assert!(
        shown.starts_with("#1 200 · ") && shown.ends_with(" ms · received"),
        "{shown}"
    );
    let page_text = browser.eval("return document.body.innerText");
    assert!(page_text.as_str().unwrap().contains(&event_id));
    assert!(page_text.as_str().unwrap().contains("order-1001:intent"));
    assert!(
        !page_text.as_str().unwrap().contains(KEY),
        "the API key is never shown"
    );

    browser.click(&format!("{row} button.resend"));
    let second = eventually("a second attempt after resend", 20, || {
        let now = attempts(&row);
        (now.as_array()?.len() == 2 && now[1].as_str()?.contains("received")).then_some(now)
    });
    assert!(
        second[1].as_str().unwrap().starts_with("#2 200 · "),
        "{second}"
    );

    // The fault controls: force a 503 on the next request.
    browser.type_into("#fault-next", "http_503");
    browser.click("#faults button[type=submit]");
    eventually("the fault to be in force", 10, || {
        let (_, faults) = http(&api, "GET", "/__mock/faults", &[], "");
        (faults["next"] == json!(["http_503"])).then_some(())
    });
    let (status, _) = http(
        &api,
        "GET",
        "/v1/connect/payment_intents",
        &[("Authorization", &auth)],
        "",
    );
    assert_eq!(status, 503);
    eventually("the faulted request in the log", 10, || {
        let text = browser.eval("return document.querySelector('#requests tbody tr').innerText");
        text.as_str()
            .filter(|t| t.contains("503") && t.contains("http_503"))
            .map(|_| ())
    });

    if let Ok(path) = std::env::var("MOLAM_DASHBOARD_SCREENSHOT") {
        browser.screenshot(&path);
    }
}
