//! A small HTTP `CONNECT` proxy on 127.0.0.1 for the proxy suites: it counts the tunnels it
//! opens, can demand credentials (`407` without the right `Proxy-Authorization`), and only
//! ever connects to loopback targets. One thread per connection; a test's proxy lives as
//! long as its value.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// The longest request head the proxy reads.
const MAX_HEAD: usize = 8 * 1024;

/// A running counting proxy.
pub struct CountingProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

struct Shared {
    tunnels: AtomicUsize,
    refused: AtomicUsize,
    /// `Proxy-Authorization` values seen on `CONNECT`s.
    authorizations: Mutex<Vec<String>>,
    /// The value a `CONNECT` must carry, if any.
    required: Option<String>,
    stop: AtomicBool,
}

impl CountingProxy {
    /// A proxy that tunnels every loopback `CONNECT`.
    pub fn start() -> CountingProxy {
        CountingProxy::start_with(None)
    }

    /// A proxy that demands `Proxy-Authorization: Basic base64(user:password)`.
    pub fn start_with_credentials(basic_token: &str) -> CountingProxy {
        CountingProxy::start_with(Some(format!("Basic {basic_token}")))
    }

    fn start_with(required: Option<String>) -> CountingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("a bound address");
        let shared = Arc::new(Shared {
            tunnels: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
            authorizations: Mutex::new(Vec::new()),
            required,
            stop: AtomicBool::new(false),
        });
        let accepting = shared.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                if accepting.stop.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = accepting.clone();
                thread::spawn(move || {
                    let _ = serve(stream, &shared);
                });
            }
        });
        CountingProxy { addr, shared }
    }

    /// `http://127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `127.0.0.1:port`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Tunnels opened so far.
    pub fn tunnels(&self) -> usize {
        self.shared.tunnels.load(Ordering::SeqCst)
    }

    /// `CONNECT`s refused (407) so far.
    pub fn refused(&self) -> usize {
        self.shared.refused.load(Ordering::SeqCst)
    }

    /// The `Proxy-Authorization` values the proxy was sent.
    pub fn authorizations(&self) -> Vec<String> {
        self.shared
            .authorizations
            .lock()
            .map(|a| a.clone())
            .unwrap_or_default()
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

fn serve(mut client: TcpStream, shared: &Shared) -> io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_HEAD || client.read(&mut byte)? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let authorization = lines
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("proxy-authorization"))
        .map(|(_, value)| value.trim().to_owned());
    let target = match request_line.split(' ').collect::<Vec<_>>()[..] {
        ["CONNECT", target, _] => target.to_owned(),
        _ => {
            client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")?;
            return Ok(());
        }
    };
    if let Some(value) = &authorization {
        if let Ok(mut seen) = shared.authorizations.lock() {
            seen.push(value.clone());
        }
    }
    if shared.required.is_some() && authorization != shared.required {
        shared.refused.fetch_add(1, Ordering::SeqCst);
        client.write_all(
            b"HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic\r\ncontent-length: 0\r\n\r\n",
        )?;
        return Ok(());
    }
    let loopback = target.starts_with("127.0.0.1:") || target.starts_with("localhost:");
    let upstream = match loopback.then(|| TcpStream::connect(&target)) {
        Some(Ok(upstream)) => upstream,
        _ => {
            client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")?;
            return Ok(());
        }
    };
    shared.tunnels.fetch_add(1, Ordering::SeqCst);
    client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    client.set_read_timeout(None)?;
    let (mut up_read, mut up_write) = (upstream.try_clone()?, upstream);
    let (mut down_read, mut down_write) = (client.try_clone()?, client);
    let upward = thread::spawn(move || {
        let _ = io::copy(&mut down_read, &mut up_write);
        let _ = up_write.shutdown(Shutdown::Write);
    });
    let _ = io::copy(&mut up_read, &mut down_write);
    let _ = down_write.shutdown(Shutdown::Write);
    let _ = upward.join();
    Ok(())
}
