//! Socket-level: the server in-process, driven with plain HTTP/1.1 over `TcpStream` (not the
//! SDK): a full checkout with keep-alive, signed webhooks to a local receiver, every fault
//! kind, the counters afterwards, and HTTPS on the self-signed certificate.
#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use molam_core::webhook::{verify, WebhookSecret, DEFAULT_TOLERANCE};
use molam_mock::{MockConfig, MockServer, MockTime, ServerOptions};
use serde_json::{json, Value};

mod support;
use support::webhook_receiver;

const KEY: &str = "sk_test_socket";

#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    json: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one HTTP/1.1 response with a Content-Length body; `None` if the server closed.
fn read_answer<R: BufRead>(reader: &mut R) -> Option<Answer> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let status = line.split_whitespace().nth(1)?.parse().ok()?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Answer {
        status,
        headers,
        json: serde_json::from_slice(&body).unwrap_or(Value::Null),
    })
}

/// One keep-alive connection.
struct Conn {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Conn {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        }
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Option<Answer> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\nAccept: application/json\r\nContent-Length: {}\r\n",
            body.len()
        );
        if !body.is_empty() {
            req.push_str("Content-Type: application/json\r\n");
        }
        if let Some(key) = key {
            req.push_str(&format!("Idempotency-Key: {key}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(&body);
        self.writer.write_all(req.as_bytes()).ok()?;
        read_answer(&mut self.reader)
    }
}

#[test]
fn full_checkout_faults_and_stats_over_a_socket() {
    let (hook_url, deliveries) = webhook_receiver();
    let server = MockServer::start(MockConfig {
        seed: 3,
        webhook_secret: "whsec_socket".into(),
        webhook_kid: Some("k1".into()),
        webhook_urls: vec![hook_url],
        ..MockConfig::default()
    })
    .unwrap();
    let addr = server.addr();
    let mut conn = Conn::open(addr);

    // A full checkout on one keep-alive connection.
    let pi = conn
        .send(
            "POST",
            "/v1/connect/payment_intents",
            Some("order-1:create"),
            Some(json!({"amount": 2500, "currency": "XOF"})),
        )
        .unwrap();
    assert_eq!(pi.status, 200);
    assert!(pi.header("x-request-id").unwrap().starts_with("req_"));
    let id = pi.json["id"].as_str().unwrap().to_owned();
    let confirmed = conn
        .send(
            "POST",
            &format!("/v1/connect/payment_intents/{id}/confirm"),
            Some("order-1:confirm"),
            Some(json!({"payment_method": "pm_card_visa"})),
        )
        .unwrap();
    assert_eq!(confirmed.json["status"], "succeeded");
    let charge = confirmed.json["latest_charge"].as_str().unwrap().to_owned();
    let refund = conn
        .send(
            "POST",
            &format!("/v1/connect/charges/{charge}/refund"),
            Some("order-1:refund"),
            Some(json!({"amount": 500})),
        )
        .unwrap();
    assert_eq!(
        (refund.status, refund.json["amount"].as_i64()),
        (200, Some(500))
    );
    let got = conn
        .send(
            "GET",
            &format!("/v1/connect/payment_intents/{id}"),
            None,
            None,
        )
        .unwrap();
    assert_eq!(got.json["amount_refunded"], 500);
    let events = conn.send("GET", "/v1/events", None, None).unwrap();
    assert_eq!(events.json["data"].as_array().unwrap().len(), 4);

    // Every event reaches the receiver, signed so that molam-core verifies it.
    let secrets = [WebhookSecret::new("whsec_socket").with_kid("k1")];
    let mut types = Vec::new();
    for _ in 0..4 {
        let (sig, body) = deliveries.recv_timeout(Duration::from_secs(10)).unwrap();
        let now = MockTime::now().unix_seconds();
        assert_eq!(
            verify(&sig, &body, now, &secrets, DEFAULT_TOLERANCE),
            Ok(())
        );
        types.push(
            serde_json::from_slice::<Value>(&body).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    types.sort();
    assert_eq!(
        types,
        [
            "charge.refunded",
            "payment_intent.created",
            "payment_intent.succeeded",
            "refund.created"
        ]
    );

    // Each fault kind, forced in order.
    let forced = json!({"next": ["drop_before_processing", "drop_after_commit", "http_500", "http_503", "http_429", "delay"], "delay_ms": 50});
    assert_eq!(
        conn.send("POST", "/__mock/faults", None, Some(forced))
            .unwrap()
            .status,
        200
    );
    let body = json!({"amount": 100, "currency": "XOF"});
    let create = |c: &mut Conn, key: &str| {
        c.send(
            "POST",
            "/v1/connect/payment_intents",
            Some(key),
            Some(body.clone()),
        )
    };

    assert!(
        create(&mut conn, "f-1").is_none(),
        "dropped before processing"
    );
    let mut conn = Conn::open(addr);
    assert!(create(&mut conn, "f-2").is_none(), "dropped after commit");
    let mut conn = Conn::open(addr);
    assert_eq!(create(&mut conn, "f-3").unwrap().status, 500);
    let unavailable = create(&mut conn, "f-3").unwrap();
    assert_eq!(
        (unavailable.status, unavailable.header("retry-after")),
        (503, Some("1"))
    );
    let limited = create(&mut conn, "f-3").unwrap();
    assert_eq!(
        (limited.status, limited.header("retry-after")),
        (429, Some("1"))
    );
    let delayed = create(&mut conn, "f-3").unwrap();
    assert_eq!(delayed.status, 200);
    // The retries: f-1 was never processed, f-2 was and replays.
    let f1 = create(&mut conn, "f-1").unwrap();
    assert_eq!((f1.status, f1.header("idempotent-replayed")), (200, None));
    let f2 = create(&mut conn, "f-2").unwrap();
    assert_eq!(
        (f2.status, f2.header("idempotent-replayed")),
        (200, Some("true"))
    );

    let stats = conn.send("GET", "/__mock/stats", None, None).unwrap().json;
    assert_eq!(
        stats["faults"],
        json!({"drop_before_processing": 1, "drop_after_commit": 1, "http_500": 1, "http_503": 1, "http_429": 1, "delay": 1})
    );
    // 1 from the checkout, then f-2 (committed), f-3 (after the delay) and f-1.
    assert_eq!(stats["objects_created"]["payment_intent"], 4);
    assert_eq!(stats["objects_created"]["refund"], 1);
    assert_eq!(stats["idempotent_replays"], 1);
    assert_eq!(stats["requests"]["POST /v1/connect/payment_intents"], 9);
    assert_eq!(stats["requests"]["GET /v1/events"], 1);
    server.shutdown();
}

#[test]
fn https_serves_with_the_written_out_certificate() {
    let dir = std::env::temp_dir().join(format!("molam-mock-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert_path = dir.join("cert.pem");
    let server = MockServer::start_with(
        MockConfig::default(),
        ServerOptions {
            tls: true,
            cert_out: Some(cert_path.clone()),
            ..ServerOptions::default()
        },
    )
    .unwrap();
    assert!(server.base_url().starts_with("https://127.0.0.1:"));
    let pem = std::fs::read_to_string(&cert_path).unwrap();
    assert_eq!(Some(pem.as_str()), server.certificate_pem());

    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).unwrap())
        .unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tls = rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
    let tcp = TcpStream::connect(server.addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut stream = rustls::StreamOwned::new(tls, tcp);
    stream
        .write_all(b"GET /__mock/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let answer = read_answer(&mut BufReader::new(stream)).unwrap();
    assert_eq!(
        (answer.status, answer.json["status"].as_str()),
        (200, Some("ok"))
    );
    server.shutdown();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn the_server_starts_and_stops_inside_an_async_test() {
    let server = MockServer::start(MockConfig::default()).unwrap();
    let addr = server.addr();
    let answer = tokio::task::spawn_blocking(move || {
        Conn::open(addr).send("GET", "/__mock/health", None, None)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(answer.status, 200);
    tokio::task::spawn_blocking(move || server.shutdown())
        .await
        .unwrap();
}

/// Reads until the server closes; how long that took.
fn time_until_closed(stream: &mut TcpStream) -> Duration {
    let started = std::time::Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    started.elapsed()
}

#[test]
fn idle_connections_and_slow_heads_are_closed_at_their_bounds_and_requests_still_served() {
    let mut limits = molam_axum::ServeOptions::default();
    limits.idle_timeout = Duration::from_millis(300);
    limits.header_read_timeout = Duration::from_millis(300);
    let server = MockServer::start_with(
        MockConfig::default(),
        ServerOptions {
            limits,
            ..ServerOptions::default()
        },
    )
    .unwrap();
    let mut idle = TcpStream::connect(server.addr()).unwrap();
    let mut slow = TcpStream::connect(server.addr()).unwrap();
    slow.write_all(b"GET /v1/events HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let idle_for = time_until_closed(&mut idle);
    let slow_for = time_until_closed(&mut slow);
    assert!(
        idle_for < Duration::from_secs(2),
        "idle closed after {idle_for:?}"
    );
    assert!(
        slow_for < Duration::from_secs(2),
        "slow head closed after {slow_for:?}"
    );

    let mut client = TcpStream::connect(server.addr()).unwrap();
    write!(
        client,
        "GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n\r\n"
    )
    .unwrap();
    let answer = read_answer(&mut BufReader::new(client)).expect("an answer");
    assert_eq!(answer.status, 200);
    server.shutdown();
}

/// Start-up failures name the address or the file, and keep the OS error as their source.
#[test]
fn a_taken_port_and_an_unwritable_certificate_path_are_named() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let Err(error) = MockServer::start_with(
        MockConfig::default(),
        ServerOptions {
            addr,
            ..ServerOptions::default()
        },
    ) else {
        panic!("the port is taken")
    };
    assert_eq!(error.kind(), std::io::ErrorKind::AddrInUse);
    assert!(
        error
            .to_string()
            .starts_with(&format!("listening on {addr}: ")),
        "{error}"
    );
    let inner = error
        .get_ref()
        .and_then(|e| e.source())
        .expect("the OS error is kept");
    assert!(inner.to_string().contains("in use"), "{inner}");

    let path = std::env::temp_dir()
        .join("molam-no-such-dir")
        .join("cert.pem");
    let Err(error) = MockServer::start_with(
        MockConfig::default(),
        ServerOptions {
            tls: true,
            cert_out: Some(path.clone()),
            ..ServerOptions::default()
        },
    ) else {
        panic!("the directory does not exist")
    };
    assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
    assert!(
        error
            .to_string()
            .starts_with(&format!("writing the certificate to {}: ", path.display())),
        "{error}"
    );
}
