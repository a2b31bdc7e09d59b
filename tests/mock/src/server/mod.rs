//! The mock over the network: hyper 1 (HTTP/1.1 with keep-alive) on a tokio multi-thread
//! runtime, optionally HTTPS on a self-signed certificate, with a webhook sender beside it.
//! The server only does I/O: every decision is the sans-IO [`Mock`]'s, including faults,
//! which it carries out (closing the connection, sleeping).

mod delivery;
mod tls;

use std::future::Future;
use std::io;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::service::service_fn;
use molam_axum::serve::{Connections, GuardedBody, ServeOptions};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio_rustls::TlsAcceptor;

use crate::{Mock, MockConfig, MockTime, Outcome};

/// The largest request body the server reads.
const MAX_BODY: usize = 1 << 20;
/// How long shutdown waits for open connections to finish their requests.
const DRAIN: Duration = Duration::from_secs(5);

/// Where and how to serve.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Address to bind; port 0 picks a free one. Default `127.0.0.1:0`.
    pub addr: SocketAddr,
    /// Serve HTTPS on a self-signed certificate made at start.
    pub tls: bool,
    /// Write the certificate (PEM) here, for clients to trust.
    pub cert_out: Option<PathBuf>,
    /// Write the certificate's private key (PEM) here.
    pub key_out: Option<PathBuf>,
    /// Worker threads of the runtime [`MockServer::start`] makes. Default 2.
    pub worker_threads: usize,
    /// Bounds on connections, heads and bodies (`molam_axum::serve`'s): the mock can be
    /// reached by anything on its address. Defaults as there.
    pub limits: ServeOptions,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: false,
            cert_out: None,
            key_out: None,
            worker_threads: 2,
            limits: ServeOptions::default(),
        }
    }
}

/// An I/O error that says what was being done (the address, the file), keeping the
/// original error as its `source()` and its kind.
#[derive(Debug)]
struct Doing {
    what: String,
    source: io::Error,
}

impl std::fmt::Display for Doing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, self.source)
    }
}

impl std::error::Error for Doing {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn doing(what: String) -> impl FnOnce(io::Error) -> io::Error {
    move |source| io::Error::new(source.kind(), Doing { what, source })
}

/// A bound, not yet running server: the socket, the TLS material, the mock.
pub struct Bound {
    listener: StdListener,
    addr: SocketAddr,
    tls: Option<TlsAcceptor>,
    cert_pem: Option<String>,
    mock: Mock,
    limits: ServeOptions,
}

impl Bound {
    /// Binds the address and, with `tls`, makes the certificate and writes it out.
    pub fn bind(config: MockConfig, options: &ServerOptions) -> io::Result<Bound> {
        let listening = || format!("listening on {}", options.addr);
        let listener = StdListener::bind(options.addr).map_err(doing(listening()))?;
        listener.set_nonblocking(true).map_err(doing(listening()))?;
        let addr = listener.local_addr().map_err(doing(listening()))?;
        let (tls, cert_pem) = if options.tls {
            let made = tls::self_signed()?;
            if let Some(path) = &options.cert_out {
                std::fs::write(path, &made.cert_pem).map_err(doing(format!(
                    "writing the certificate to {}",
                    path.display()
                )))?;
            }
            if let Some(path) = &options.key_out {
                std::fs::write(path, &made.key_pem).map_err(doing(format!(
                    "writing the private key to {}",
                    path.display()
                )))?;
            }
            (Some(made.acceptor), Some(made.cert_pem))
        } else {
            (None, None)
        };
        Ok(Bound {
            listener,
            addr,
            tls,
            cert_pem,
            mock: Mock::new(config),
            limits: options.limits.clone(),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:port` or `https://…`.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The mock behind the server (clones share its state).
    pub fn mock(&self) -> &Mock {
        &self.mock
    }

    /// Serves until `shutdown` completes, then lets open requests finish (up to 5 s).
    /// Must run inside a tokio runtime.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) -> io::Result<()> {
        let listener = TcpListener::from_std(self.listener)?;
        let mock = self.mock;
        let wake = Arc::new(Notify::new());
        let (stop_tx, stop_rx) = watch::channel(false);
        let sender = tokio::spawn(delivery::run(mock.clone(), Arc::clone(&wake), stop_rx));
        let drain = self.limits.drain_timeout.min(DRAIN);
        let handshake = self.limits.header_read_timeout;
        let connections = Connections::new(self.limits);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = connections.accept(&listener) => {
                    let (stream, admitted) = accepted?;
                    let service = {
                        let mock = mock.clone();
                        let wake = Arc::clone(&wake);
                        service_fn(move |req| answer(mock.clone(), Arc::clone(&wake), req))
                    };
                    let connections = connections.clone();
                    let acceptor = self.tls.clone();
                    tokio::spawn(async move {
                        match acceptor {
                            None => connections.serve(admitted, stream, service).await,
                            Some(acceptor) => {
                                // The handshake is bounded like a request head.
                                let tls = tokio::time::timeout(handshake, acceptor.accept(stream));
                                if let Ok(Ok(stream)) = tls.await {
                                    connections.serve(admitted, stream, service).await;
                                }
                            }
                        }
                    });
                }
                () = &mut shutdown => break,
            }
        }
        drop(listener);
        let _ = stop_tx.send(true);
        connections.shutdown(drain).await;
        let _ = sender.await;
        Ok(())
    }
}

/// The connection is closed without a response (a fault, or a body that could not be read).
#[derive(Debug)]
struct CloseConnection;

impl std::fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed by fault injection")
    }
}

impl std::error::Error for CloseConnection {}

async fn answer(
    mock: Mock,
    wake: Arc<Notify>,
    request: http::Request<GuardedBody>,
) -> Result<http::Response<Full<Bytes>>, CloseConnection> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => {
            let r = mock.body_too_large();
            return Ok(r.map(|b| Full::new(Bytes::from(b))));
        }
    };
    let is_post = parts.method == http::Method::POST;
    let request = http::Request::from_parts(parts, body);
    let response = match mock.handle_with_faults(request, MockTime::now()) {
        Outcome::Respond(r) => r,
        Outcome::DropBeforeProcessing => return Err(CloseConnection),
        Outcome::DropAfterCommit => {
            wake.notify_one();
            return Err(CloseConnection);
        }
        Outcome::Delay { delay, pending } => {
            tokio::time::sleep(delay).await;
            pending.resume(MockTime::now())
        }
    };
    if is_post {
        wake.notify_one();
    }
    Ok(response.map(|b| Full::new(Bytes::from(b))))
}

/// A mock server running on its own thread and tokio runtime, for tests (sync or async)
/// and tools. Dropping it shuts it down.
///
/// ```
/// use molam_mock::{MockConfig, MockServer};
/// let server = MockServer::start(MockConfig::default()).unwrap();
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// server.shutdown();
/// ```
pub struct MockServer {
    addr: SocketAddr,
    base_url: String,
    mock: Mock,
    cert_pem: Option<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts a plain-HTTP server on `127.0.0.1` and a free port.
    pub fn start(config: MockConfig) -> io::Result<MockServer> {
        MockServer::start_with(config, ServerOptions::default())
    }

    /// Starts a server as `options` say.
    pub fn start_with(config: MockConfig, options: ServerOptions) -> io::Result<MockServer> {
        let bound = Bound::bind(config, &options)?;
        let (addr, base_url, mock, cert_pem) = (
            bound.addr(),
            bound.base_url(),
            bound.mock().clone(),
            bound.cert_pem.clone(),
        );
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(options.worker_threads.max(1))
            .thread_name("molam-mock")
            .enable_all()
            .build()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("molam-mock-server".into())
            .spawn(move || {
                let _ = runtime.block_on(bound.serve(async {
                    let _ = stopped.await;
                }));
            })?;
        Ok(MockServer {
            addr,
            base_url,
            mock,
            cert_pem,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:port` (or `https://…` with TLS), without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The mock behind the server, for direct inspection or driving.
    pub fn mock(&self) -> &Mock {
        &self.mock
    }

    /// The self-signed certificate (PEM) when serving HTTPS.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.cert_pem.as_deref()
    }

    /// Stops accepting, lets open requests finish (up to 5 s) and joins the server thread.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// Runs a server until Ctrl-C, as the `molam-mock` binary does; `ready` is called with the
/// bound server before serving (to print its URL).
pub fn run_until_ctrl_c(
    config: MockConfig,
    options: &ServerOptions,
    ready: impl FnOnce(&Bound),
) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.worker_threads.max(1))
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let bound = Bound::bind(config, options)?;
        ready(&bound);
        bound
            .serve(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })
}
