//! The connections of one server: how many, how long each may sit idle or spend on a request
//! head, and which one makes room when the server is full.

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use hyper::body::Incoming;
use hyper::service::Service;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::time::Instant;

use super::body::{BodyBudget, Charge, GuardedBody};
use super::ServeOptions;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Where one connection stands, in milliseconds since the server started.
#[derive(Debug)]
struct ConnState {
    /// Requests being handled (0 or 1 on HTTP/1.1).
    in_flight: AtomicUsize,
    /// When the connection last started waiting for a request (accepted, or answered).
    waiting_since: AtomicU64,
    /// When the first byte of the next request head arrived; 0 while none has.
    head_started: AtomicU64,
    evict: Notify,
    evicted: AtomicBool,
}

/// What the watchdog does with a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Keep,
    /// No request and no byte for the idle timeout.
    CloseIdle,
    /// A request head that took longer than the header read timeout.
    CloseSlowHead,
}

/// The rule, pure: a connection waiting for a request may be silent for `idle_timeout`; once
/// a head's first byte arrived, the whole head must follow within `header_read_timeout`. A
/// connection with a request in flight is bounded by the body deadline instead.
fn verdict(
    in_flight: usize,
    waiting_since: u64,
    head_started: u64,
    now: u64,
    options: &ServeOptions,
) -> Verdict {
    if in_flight > 0 {
        return Verdict::Keep;
    }
    if head_started == 0 {
        if now.saturating_sub(waiting_since) >= millis(options.idle_timeout) {
            return Verdict::CloseIdle;
        }
    } else if now.saturating_sub(head_started) >= millis(options.header_read_timeout) {
        return Verdict::CloseSlowHead;
    }
    Verdict::Keep
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[derive(Default)]
struct Registry {
    next_id: u64,
    live: BTreeMap<u64, Arc<ConnState>>,
}

struct Shared {
    options: ServeOptions,
    origin: Instant,
    budget: Arc<BodyBudget>,
    registry: Mutex<Registry>,
    closed: Notify,
    shutdown: watch::Sender<bool>,
    open: AtomicUsize,
}

/// The connections of one server, under [`ServeOptions`]' bounds. [`crate::serve()`] uses it
/// for a [`axum::Router`]; a server of your own (another service, TLS) uses it directly:
/// [`Connections::accept`] then [`Connections::serve`] for each connection.
#[derive(Clone)]
pub struct Connections {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("options", &self.shared.options)
            .field("open", &self.open())
            .finish_non_exhaustive()
    }
}

/// A connection admitted by [`Connections::accept`]: hand it to [`Connections::serve`].
#[derive(Debug)]
pub struct Admitted {
    id: u64,
    state: Arc<ConnState>,
}

/// The largest read buffer of a connection (hyper's `max_buf_size`): a request head must fit.
const READ_BUFFER_BYTES: usize = 16 * 1024;
/// What an open connection holds at most besides its request body — its read buffer, its
/// write buffer and its own state — set aside from the byte budget for every connection the
/// server may open, so that bodies and connections together stay within the budget.
pub const CONNECTION_BYTES: usize = 2 * READ_BUFFER_BYTES;

impl Connections {
    /// An empty set of connections under `options`.
    pub fn new(options: ServeOptions) -> Self {
        let (shutdown, _) = watch::channel(false);
        Connections {
            shared: Arc::new(Shared {
                budget: Arc::new(BodyBudget::new(body_share(&options))),
                options,
                origin: Instant::now(),
                registry: Mutex::new(Registry::default()),
                closed: Notify::new(),
                shutdown,
                open: AtomicUsize::new(0),
            }),
        }
    }

    /// Connections open now (served, or admitted and not yet served).
    pub fn open(&self) -> usize {
        self.shared.open.load(Ordering::Acquire)
    }

    /// Request-body bytes held now, across connections.
    pub fn body_bytes_held(&self) -> usize {
        self.shared.budget.used()
    }

    fn now(&self) -> u64 {
        // 1 ms past the origin at least, so that 0 can mean "not yet".
        millis(self.shared.origin.elapsed()).max(1)
    }

    fn registry(&self) -> MutexGuard<'_, Registry> {
        // Each critical section leaves the map consistent.
        self.shared
            .registry
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Closes the oldest connection that has no request in flight; false if there is none.
    fn evict_oldest_idle(&self) -> bool {
        let mut registry = self.registry();
        let oldest = registry
            .live
            .iter()
            .find(|(_, state)| state.in_flight.load(Ordering::Acquire) == 0)
            .map(|(id, _)| *id);
        let Some(state) = oldest.and_then(|id| registry.live.remove(&id)) else {
            return false;
        };
        state.evicted.store(true, Ordering::Release);
        state.evict.notify_one();
        true
    }

    /// Accepts the next connection. When `max_connections` are open, the oldest one with no
    /// request in flight is closed to make room (an idle or half-sent connection must not
    /// lock out a delivery); when every one is busy, waits for one to end. When the process
    /// is out of file descriptors, an idle connection is closed too, and accepting resumes.
    pub async fn accept(&self, listener: &TcpListener) -> io::Result<(TcpStream, Admitted)> {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    // Deliveries are small request/response exchanges: no Nagle delay.
                    let _ = stream.set_nodelay(true);
                    return Ok((stream, self.admit().await));
                }
                Err(e) if is_transient(&e) => {
                    // Out of descriptors (or a connection reset before accept): make room,
                    // back off briefly instead of spinning.
                    self.evict_oldest_idle();
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn admit(&self) -> Admitted {
        loop {
            let closed = self.shared.closed.notified();
            {
                let mut registry = self.registry();
                if registry.live.len() < self.shared.options.max_connections.max(1) {
                    let id = registry.next_id;
                    registry.next_id += 1;
                    let state = Arc::new(ConnState {
                        in_flight: AtomicUsize::new(0),
                        waiting_since: AtomicU64::new(self.now()),
                        head_started: AtomicU64::new(0),
                        evict: Notify::new(),
                        evicted: AtomicBool::new(false),
                    });
                    registry.live.insert(id, Arc::clone(&state));
                    self.shared.open.fetch_add(1, Ordering::AcqRel);
                    return Admitted { id, state };
                }
            }
            if !self.evict_oldest_idle() {
                closed.await;
            }
        }
    }

    /// Serves HTTP/1.1 on one admitted connection until it ends, is closed by a bound, or the
    /// server shuts down (then its request in flight finishes first).
    pub async fn serve<IO, S, B>(&self, admitted: Admitted, io: IO, service: S)
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
        S: Service<Request<GuardedBody>, Response = Response<B>> + Send + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let Admitted { id, state } = admitted;
        let io = TokioIo::new(Watched {
            inner: io,
            state: Arc::clone(&state),
            connections: self.clone(),
        });
        let service = Guarded {
            inner: service,
            state: Arc::clone(&state),
            connections: self.clone(),
        };
        let conn = hyper::server::conn::http1::Builder::new()
            .keep_alive(true)
            .max_buf_size(READ_BUFFER_BYTES)
            .serve_connection(io, service);
        tokio::pin!(conn);
        let mut shutdown = self.shared.shutdown.subscribe();
        let mut draining = *shutdown.borrow();
        if draining {
            conn.as_mut().graceful_shutdown();
        }
        let tick = tick(&self.shared.options);
        loop {
            tokio::select! {
                _ = conn.as_mut() => break,
                () = state.evict.notified() => break,
                () = tokio::time::sleep(tick) => {
                    let now = self.now();
                    let verdict = verdict(
                        state.in_flight.load(Ordering::Acquire),
                        state.waiting_since.load(Ordering::Acquire),
                        state.head_started.load(Ordering::Acquire),
                        now,
                        &self.shared.options,
                    );
                    if verdict != Verdict::Keep {
                        tracing::debug!(?verdict, "connection closed");
                        break;
                    }
                }
                changed = shutdown.changed(), if !draining => {
                    draining = true;
                    if changed.is_ok() {
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
        }
        if !state.evicted.load(Ordering::Acquire) {
            self.registry().live.remove(&id);
        }
        self.shared.open.fetch_sub(1, Ordering::AcqRel);
        self.shared.closed.notify_one();
    }

    /// Asks every connection to finish its request in flight and close, then waits up to
    /// `drain` for them to do so.
    pub async fn shutdown(&self, drain: Duration) {
        let _ = self.shared.shutdown.send(true);
        let deadline = Instant::now() + drain;
        while self.open() > 0 && Instant::now() < deadline {
            let _ = tokio::time::timeout_at(deadline, self.shared.closed.notified()).await;
        }
    }
}

/// The part of the byte budget left to request bodies once every connection's buffers are
/// set aside.
fn body_share(options: &ServeOptions) -> usize {
    let connections = options
        .max_connections
        .max(1)
        .saturating_mul(CONNECTION_BYTES);
    options.body_budget_bytes.saturating_sub(connections)
}

/// How often a connection's watchdog looks: a quarter of the shortest bound, within
/// [10 ms, 1 s].
fn tick(options: &ServeOptions) -> Duration {
    (options.idle_timeout.min(options.header_read_timeout) / 4)
        .clamp(Duration::from_millis(10), Duration::from_secs(1))
}

fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    ) || matches!(e.raw_os_error(), Some(23 | 24)) // ENFILE, EMFILE
}

/// The connection's socket, noting when a request head starts to arrive.
struct Watched<IO> {
    inner: IO,
    state: Arc<ConnState>,
    connections: Connections,
}

impl<IO: AsyncRead + Unpin> AsyncRead for Watched<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before
            && this.state.in_flight.load(Ordering::Acquire) == 0
            && this.state.head_started.load(Ordering::Acquire) == 0
        {
            let now = this.connections.now();
            this.state.head_started.store(now, Ordering::Release);
        }
        polled
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Watched<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The service, with each request marked in flight and its body under the deadline and the
/// budget.
struct Guarded<S> {
    inner: S,
    state: Arc<ConnState>,
    connections: Connections,
}

/// Marks the end of a request when dropped (answered, or abandoned).
struct InFlight {
    state: Arc<ConnState>,
    connections: Connections,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let now = self.connections.now();
        self.state.waiting_since.store(now, Ordering::Release);
        self.state.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<S, B> Service<Request<Incoming>> for Guarded<S>
where
    S: Service<Request<GuardedBody>, Response = Response<B>>,
    S::Future: Send + 'static,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<B>, S::Error>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        self.state.in_flight.fetch_add(1, Ordering::AcqRel);
        self.state.head_started.store(0, Ordering::Release);
        let in_flight = InFlight {
            state: Arc::clone(&self.state),
            connections: self.connections.clone(),
        };
        let shared = &self.connections.shared;
        let charge = Arc::new(Charge::new(Arc::clone(&shared.budget)));
        let deadline = Instant::now() + shared.options.body_read_timeout;
        let request = request.map(|body| GuardedBody::new(body, deadline, Arc::clone(&charge)));
        let answer = self.inner.call(request);
        Box::pin(async move {
            let answered = answer.await;
            drop(charge);
            drop(in_flight);
            answered
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ServeOptions {
        ServeOptions {
            idle_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(5),
            ..ServeOptions::default()
        }
    }

    #[test]
    fn a_silent_connection_is_closed_after_the_idle_timeout() {
        let o = options();
        assert_eq!(verdict(0, 1_000, 0, 10_999, &o), Verdict::Keep);
        assert_eq!(verdict(0, 1_000, 0, 11_000, &o), Verdict::CloseIdle);
    }

    #[test]
    fn a_head_must_arrive_within_the_header_timeout_of_its_first_byte() {
        let o = options();
        assert_eq!(verdict(0, 1_000, 9_000, 13_999, &o), Verdict::Keep);
        assert_eq!(verdict(0, 1_000, 9_000, 14_000, &o), Verdict::CloseSlowHead);
    }

    #[test]
    fn a_request_in_flight_is_left_to_the_body_deadline() {
        assert_eq!(verdict(1, 1_000, 0, 1_000_000, &options()), Verdict::Keep);
    }

    #[test]
    fn bodies_get_the_budget_less_every_connections_buffers() {
        let defaults = ServeOptions::default();
        assert_eq!(body_share(&defaults), 64 * 1024 * 1024 - 512 * 32 * 1024);
        let mut tiny = defaults;
        tiny.body_budget_bytes = 1024;
        assert_eq!(body_share(&tiny), 0, "saturates");
    }

    #[test]
    fn the_watchdog_looks_four_times_per_shortest_bound() {
        assert_eq!(
            tick(&options()),
            Duration::from_millis(1_250).min(Duration::from_secs(1))
        );
        let mut fast = options();
        fast.header_read_timeout = Duration::from_millis(200);
        assert_eq!(tick(&fast), Duration::from_millis(50));
    }
}
