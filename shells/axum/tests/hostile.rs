//! The endpoint under hostile load, over real sockets, served by `molam_axum::serve` in a
//! child process (so that its file-descriptor limit and its memory are its own): idle
//! connections past the descriptor limit, bodies that stall 10 bytes before their end, and a
//! slowloris. Each test prints what it measured.
//!
//! The child is this test binary run again with `MOLAM_HOSTILE_CHILD` set: the test it is
//! asked to run serves instead of testing.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use molam_axum::{serve, ServeOptions, StaticSecrets, WebhookEndpoint};
use molam_core::inbox::InMemoryWebhookInbox;
use molam_core::webhook::{sign_header, WebhookSecret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SECRET: &str = "whsec_hostile_7c1d";
const PATH: &str = "/webhooks/molam";
const CHILD: &str = "MOLAM_HOSTILE_CHILD";
const MIB: usize = 1024 * 1024;

/// The server side, in the child: serves until killed.
fn serve_in_child(options: ServeOptions) -> ! {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let inbox = Arc::new(InMemoryWebhookInbox::new());
        let endpoint =
            WebhookEndpoint::new(StaticSecrets::new(vec![WebhookSecret::new(SECRET)]), inbox);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        println!("listening {}", listener.local_addr().expect("address"));
        serve(
            listener,
            endpoint.router(PATH),
            options,
            std::future::pending(),
        )
        .await
        .expect("serve");
    });
    std::process::exit(0)
}

/// The child server, killed when the test ends.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Runs `test` (this test's name) again as a child serving with `options`, under a
    /// file-descriptor limit when given; in the child, never returns.
    fn start(test: &str, options: ServeOptions, nofile: Option<u32>) -> Server {
        if std::env::var_os(CHILD).is_some() {
            // Called from the test's own runtime: the server gets a thread and runtime of its own.
            let _ = std::thread::spawn(move || serve_in_child(options)).join();
            std::process::exit(1);
        }
        let exe = std::env::current_exe().expect("test binary");
        let mut command = match nofile {
            Some(n) => {
                let mut c = Command::new("prlimit");
                c.arg(format!("--nofile={n}:{n}")).arg(exe);
                c
            }
            None => Command::new(exe),
        };
        let mut child = command
            .args([test, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the server (prlimit is util-linux's)");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the child prints its address")
                .expect("UTF-8");
            // The harness may have printed `test … ... ` before it on the same line.
            if let Some((_, addr)) = line.split_once("listening ") {
                break addr.parse().expect("socket address");
            }
        };
        // Keep draining the child's stdout so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Server { child, addr }
    }

    /// The child's resident set size, bytes.
    fn rss(&self) -> usize {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc status of the server");
        let kib: usize = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS");
        kib * 1024
    }
}

fn unix_now() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(since.as_secs()).expect("seconds fit")
}

/// POSTs a freshly signed delivery on a new connection; its status and how long it took.
async fn deliver(addr: SocketAddr, id: &str) -> (u16, Duration) {
    let started = Instant::now();
    let body = format!(r#"{{"id":"{id}","object":"event","type":"payout.paid"}}"#);
    let header = sign_header(&WebhookSecret::new(SECRET), unix_now(), body.as_bytes());
    let request = format!(
        "POST {PATH} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nMolam-Signature: {header}\r\n\r\n{body}",
        body.len()
    );
    let answer = async {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream
            .write_all(request.as_bytes())
            .await
            .expect("write request");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read answer");
        raw
    };
    let raw = tokio::time::timeout(Duration::from_secs(10), answer)
        .await
        .expect("an answer within 10 s");
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_1100_idle_connections_and_1024_descriptors_a_delivery_gets_200_within_2_s() {
    let server = Server::start(
        "with_1100_idle_connections_and_1024_descriptors_a_delivery_gets_200_within_2_s",
        ServeOptions::default(),
        Some(1024),
    );
    let mut idle = Vec::with_capacity(1_100);
    for _ in 0..1_100 {
        let stream = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(server.addr))
            .await
            .expect("the server keeps accepting")
            .expect("connect");
        idle.push(stream);
    }
    let (status, took) = deliver(server.addr, "evt_fd_1").await;
    println!(
        "fd limit 1024, 1,100 idle connections: delivery answered {status} in {:.1} ms",
        took.as_secs_f64() * 1e3
    );
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(2), "took {took:?}");
    // And the server is still whole for the next one.
    let (status, _) = deliver(server.addr, "evt_fd_2").await;
    assert_eq!(status, 200);
    drop(idle);
}

/// Sends a head declaring 1 MiB and all but the last 10 bytes of the body, then waits for
/// the server to answer or close; returns the status (0: closed without one) and when.
async fn stall_before_the_end(addr: SocketAddr, chunk: Arc<Vec<u8>>) -> (u16, Duration) {
    let started = Instant::now();
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return (0, started.elapsed());
    };
    let head = format!(
        "POST {PATH} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {MIB}\r\nMolam-Signature: t=1,v1={}\r\n\r\n",
        "0".repeat(64)
    );
    let mut raw = Vec::new();
    if stream.write_all(head.as_bytes()).await.is_ok() {
        // A refused body's connection is answered and closed: writing then fails, fine.
        let _ = stream.write_all(&chunk[..MIB - 10]).await;
        let _ = tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut raw)).await;
    }
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_stalled_10_bytes_short_are_cut_at_the_body_timeout_within_the_byte_budget() {
    let mut options = ServeOptions::default();
    options.body_read_timeout = Duration::from_secs(2);
    let budget = options.body_budget_bytes;
    let server = Server::start(
        "bodies_stalled_10_bytes_short_are_cut_at_the_body_timeout_within_the_byte_budget",
        options,
        None,
    );
    let (status, _) = deliver(server.addr, "evt_warm_up").await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle_rss = server.rss();

    let chunk = Arc::new(vec![b' '; MIB]);
    let clients: Vec<_> = (0..300)
        .map(|_| tokio::spawn(stall_before_the_end(server.addr, Arc::clone(&chunk))))
        .collect();
    let mut peak = idle_rss;
    while !clients.iter().all(|c| c.is_finished()) {
        peak = peak.max(server.rss());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    let mut slowest = Duration::ZERO;
    for client in clients {
        let (status, took) = client.await.expect("client task");
        *statuses.entry(status).or_default() += 1;
        slowest = slowest.max(took);
    }
    let grown = peak.saturating_sub(idle_rss);
    println!(
        "300 bodies stalled 10 bytes short of 1 MiB: answers {statuses:?}, last cut after \
         {:.2} s; RSS idle {:.1} MiB, peak {:.1} MiB, grown {:.1} MiB (budget {} MiB)",
        slowest.as_secs_f64(),
        idle_rss as f64 / MIB as f64,
        peak as f64 / MIB as f64,
        grown as f64 / MIB as f64,
        budget / MIB
    );
    assert!(grown <= budget, "RSS grew {grown} bytes, budget {budget}");
    assert!(
        statuses.keys().all(|s| [408, 503].contains(s)),
        "every stalled body is answered 408 (timed out) or 503 (over the budget): {statuses:?}"
    );
    assert!(
        statuses.get(&408).copied().unwrap_or(0) > 0,
        "some were read until the timeout"
    );
    assert!(slowest < Duration::from_secs(6), "cut after {slowest:?}");
    // The budget is back once they are gone.
    let (status, _) = deliver(server.addr, "evt_after_stall").await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slowloris_of_200_connections_does_not_delay_deliveries() {
    let server = Server::start(
        "a_slowloris_of_200_connections_does_not_delay_deliveries",
        ServeOptions::default(),
        None,
    );
    let mut baseline = Duration::ZERO;
    for n in 0..5 {
        let (status, took) = deliver(server.addr, &format!("evt_base_{n}")).await;
        assert_eq!(status, 200);
        baseline = baseline.max(took);
    }
    let attack: Vec<_> = (0..200)
        .map(|n| {
            let addr = server.addr;
            tokio::spawn(async move {
                let mut stream = match TcpStream::connect(addr).await {
                    Ok(stream) => stream,
                    Err(error) => return SlowHead::NotConnected(error.kind()),
                };
                let started = Instant::now();
                let start = format!("POST {PATH} HTTP/1.1\r\nHost: {addr}\r\nX-Slow-{n}: ");
                if stream.write_all(start.as_bytes()).await.is_ok() {
                    // A byte every 200 ms, never the end of the head: only the server closing
                    // the connection makes a write fail.
                    while stream.write_all(b"a").await.is_ok() {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
                SlowHead::Cut(started.elapsed())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut under_attack = Vec::new();
    for n in 0..20 {
        let (status, took) = deliver(server.addr, &format!("evt_slowloris_{n}")).await;
        assert_eq!(status, 200);
        under_attack.push(took);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let worst = under_attack.iter().max().copied().unwrap_or_default();
    println!(
        "slowloris of 200 connections: 20 deliveries, worst {:.1} ms (worst of 5 before: {:.1} ms)",
        worst.as_secs_f64() * 1e3,
        baseline.as_secs_f64() * 1e3
    );
    assert!(worst < Duration::from_millis(500), "worst {worst:?}");
    // The slow heads are cut at the header read timeout (5 s): the attackers see it.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (mut cut, mut not_connected, mut still_open) = (Vec::new(), Vec::new(), 0);
    for attacker in attack {
        if !attacker.is_finished() {
            attacker.abort();
            still_open += 1;
            continue;
        }
        match attacker.await.expect("the attacker task ran to its end") {
            SlowHead::Cut(after) => cut.push(after),
            SlowHead::NotConnected(kind) => not_connected.push(kind),
        }
    }
    let earliest = cut.iter().min().copied().unwrap_or_default();
    println!(
        "slowloris connections: {} cut by the server, the first {:.2} s after its head began; \
         {still_open} still open; {} never connected",
        cut.len(),
        earliest.as_secs_f64(),
        not_connected.len()
    );
    assert!(
        not_connected.is_empty(),
        "every attacker connected: {not_connected:?}"
    );
    assert_eq!(cut.len(), 200, "{still_open} slow heads were never cut");
    let header_read_timeout = ServeOptions::default().header_read_timeout;
    assert!(
        earliest >= header_read_timeout - Duration::from_millis(500),
        "cut {earliest:?} after the head began, before the header read timeout"
    );
}

/// How a slowloris connection ended.
#[derive(Debug)]
enum SlowHead {
    /// The connection was never made, so there was no slow head for the server to cut.
    NotConnected(std::io::ErrorKind),
    /// Connected, then closed by the server this long after the head's first byte was sent.
    Cut(Duration),
}
