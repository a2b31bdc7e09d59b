//! A webhook receiver for the socket-level tests: a real HTTP/1.1 endpoint on a free loopback
//! port that answers every delivery `200 received` and hands over its signature and body.
//!
//! Shared by the test binaries of this folder (`server.rs`, `dashboard_browser.rs`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;

/// A delivery as received: its `Molam-Signature` header and its body.
pub type Delivery = (String, Vec<u8>);

/// Starts a receiver: its URL, and the deliveries it answered, in order. A delivery is
/// handed over once answered, so that nobody waiting for it delays the mock; with the
/// receiving end dropped, deliveries are still answered.
pub fn webhook_receiver() -> (String, mpsc::Receiver<Delivery>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let tx = tx.clone();
            std::thread::spawn(move || answer_deliveries(stream, &tx));
        }
    });
    (format!("http://{addr}/hooks"), rx)
}

/// Answers the deliveries of one keep-alive connection until it closes or breaks.
fn answer_deliveries(stream: TcpStream, deliveries: &mpsc::Sender<Delivery>) -> Option<()> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).ok()? == 0 {
            return None;
        }
        let (mut length, mut signature) = (0, String::new());
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':')?;
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().ok()?,
                "molam-signature" => signature = value.trim().to_owned(),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).ok()?;
        writer
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nreceived")
            .ok()?;
        let _ = deliveries.send((signature, body));
    }
}
