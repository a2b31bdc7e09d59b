//! Reading an answer's body over a real socket: a body in several chunks is put together
//! whole, and a body over the core's cap (`MAX_RESPONSE_BODY`) is refused, whether its
//! `Content-Length` says so up front or a chunked stream runs past it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

use molam_core::error::TransportErrorKind;
use molam_core::shell::MAX_RESPONSE_BODY;
use molam_tokio::{Client, Config, Error, RequestOptions};

/// A one-connection HTTP/1.1 server that reads one request's head and writes `answer` to it.
fn serve_once(answer: impl FnOnce(&mut TcpStream) + Send + 'static) -> Client {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("its address").port();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let mut reader = BufReader::new(stream.try_clone().expect("clone the socket"));
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
            line.clear();
        }
        answer(&mut stream);
        // Drain until the client closes, so a refused body is the client's doing.
        let _ = stream.read_to_end(&mut Vec::new());
    });
    let config = Config::builder()
        .api_key("sk_test_0123456789abcdef")
        .api_base(format!("http://127.0.0.1:{port}"))
        .allow_insecure_http(true)
        .build()
        .expect("a loopback config");
    Client::new(config).expect("a client")
}

const HEAD: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: req_body\r\n";

fn once() -> RequestOptions {
    RequestOptions::new().max_retries(0)
}

#[tokio::test]
async fn a_chunked_body_is_read_whole() {
    let client = serve_once(|stream| {
        let body =
            br#"{"id":"evt_1","type":"payment_intent.succeeded","created":1,"data":{"object":{}}}"#;
        let mut wire = format!("{HEAD}transfer-encoding: chunked\r\n\r\n").into_bytes();
        for piece in body.chunks(7) {
            wire.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
            wire.extend_from_slice(piece);
            wire.extend_from_slice(b"\r\n");
        }
        wire.extend_from_slice(b"0\r\n\r\n");
        // Written piece by piece, so the client sees several reads.
        for part in wire.chunks(16) {
            let _ = stream.write_all(part);
            let _ = stream.flush();
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    });
    let event = client
        .with_options(once())
        .events()
        .retrieve("evt_1")
        .await
        .expect("a chunked answer");
    assert_eq!(event.id, "evt_1");
    assert_eq!(event.request_id(), Some("req_body"));
    assert!(event.raw_body().starts_with(br#"{"id":"evt_1""#));
}

/// One retrieve from `client`: its one attempt fails reading the body, and says how long a
/// body may be.
async fn refused_as_too_long(client: Client) {
    let error = client
        .with_options(once())
        .events()
        .retrieve("evt_1")
        .await
        .expect_err("a body over the cap");
    let Error::RetriesExhausted { last, .. } = &error else {
        panic!("expected the attempt's failure, got {error}");
    };
    let Error::Transport(transport) = &**last else {
        panic!("expected a transport error, got {last}");
    };
    assert_eq!(transport.kind, TransportErrorKind::AfterSend);
    assert!(
        error.to_string().contains(&MAX_RESPONSE_BODY.to_string()),
        "{error}"
    );
}

#[tokio::test]
async fn a_content_length_over_the_cap_is_refused_unread() {
    let client = serve_once(|stream| {
        let head = format!("{HEAD}content-length: {}\r\n\r\n{{", MAX_RESPONSE_BODY + 1);
        let _ = stream.write_all(head.as_bytes());
    });
    refused_as_too_long(client).await;
}

#[tokio::test]
async fn a_chunked_body_running_past_the_cap_is_refused() {
    let client = serve_once(|stream| {
        let _ = stream.write_all(format!("{HEAD}transfer-encoding: chunked\r\n\r\n").as_bytes());
        let chunk = vec![b' '; 1024 * 1024];
        let framed = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk,
            b"\r\n".to_vec(),
        ];
        // One MiB more than the cap, unless the client hangs up first.
        for _ in 0..=MAX_RESPONSE_BODY / (1024 * 1024) {
            if framed.iter().any(|part| stream.write_all(part).is_err()) {
                return;
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n");
    });
    refused_as_too_long(client).await;
}
