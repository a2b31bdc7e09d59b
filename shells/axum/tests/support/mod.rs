//! A real HTTP round trip for the tests: the app served on 127.0.0.1:0 by `molam_axum::serve`,
//! and a raw HTTP/1.1 client over a TCP socket (one request per connection).
//!
//! Shared by the test binaries of this crate; each uses only part of it.
#![allow(dead_code)]

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The REFERENCE.md §7 vector.
pub const VECTOR_SECRET: &str = "whsec_test_5f1c2a9e";
pub const VECTOR_T: i64 = 1_700_000_000;
pub const VECTOR_BODY: &str = r#"{"id":"evt_1NtestVector","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_3Ntest","object":"payment_intent","amount":2500,"currency":"XOF","status":"succeeded"}}}"#;
pub const VECTOR_HEADER: &str =
    "t=1700000000,v1=56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73";

/// Serves `app` with `molam_axum::serve` and its default bounds on an ephemeral loopback
/// port until the test's runtime ends.
pub async fn serve(app: axum::Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move {
        molam_axum::serve(
            listener,
            app,
            molam_axum::ServeOptions::default(),
            std::future::pending(),
        )
        .await
        .expect("serve");
    });
    addr
}

/// A response: status and body text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// Sends a raw request: `head` lines (without the request line), then `body`.
pub async fn send_raw(addr: SocketAddr, path: &str, head: &[String], body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut request = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for line in head {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).await.expect("write request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read response");
    let text = String::from_utf8(raw).expect("UTF-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("response head");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    Answer {
        status,
        body: body.to_owned(),
    }
}

/// POSTs `body` as `application/json` with the given `Molam-Signature` (if any).
pub async fn deliver(addr: SocketAddr, path: &str, signature: Option<&str>, body: &[u8]) -> Answer {
    let mut head = vec![
        "Content-Type: application/json".to_owned(),
        format!("Content-Length: {}", body.len()),
    ];
    if let Some(signature) = signature {
        head.push(format!("Molam-Signature: {signature}"));
    }
    send_raw(addr, path, &head, body).await
}
