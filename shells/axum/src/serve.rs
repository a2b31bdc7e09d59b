//! Serving a webhook endpoint on the open internet: every bound a receiver needs against
//! clients that connect and say nothing, send a head or a body a byte at a time, or open more
//! connections than the process has file descriptors.
//!
//! | bound | default | what happens |
//! |---|---|---|
//! | [`ServeOptions::idle_timeout`] | 10 s | a connection with no request and no byte is closed |
//! | [`ServeOptions::header_read_timeout`] | 5 s | a head not complete this long after its first byte: closed |
//! | [`ServeOptions::body_read_timeout`] | 10 s | a body not complete this long after its head: 408 |
//! | [`ServeOptions::request_timeout`] | 15 s | a request not answered this long after its head: 408 |
//! | [`ServeOptions::max_connections`] | 512 | when full, the oldest connection with no request in flight is closed to make room |
//! | [`ServeOptions::body_budget_bytes`] | 64 MiB | memory for requests: 32 KiB of buffers set aside per connection the server may open, the rest for request bodies held at once; a body that does not fit gets 503 with `Retry-After` |
//!
//! The defaults fit the delivery contract: Molam gives up on a delivery after 10 s, so no
//! bound needs to wait longer than that for a sender that is still there. Requests are
//! HTTP/1.1 with keep-alive, served by hyper; the request timeout is tower-http's.
//!
//! ```no_run
//! use std::sync::Arc;
//! use molam_axum::{serve, ServeOptions, StaticSecrets, WebhookEndpoint};
//! use molam_core::{inbox::InMemoryWebhookInbox, webhook::WebhookSecret};
//!
//! # async fn run() -> std::io::Result<()> {
//! let secrets = StaticSecrets::new(vec![WebhookSecret::new("whsec_…")]);
//! let app = WebhookEndpoint::new(secrets, Arc::new(InMemoryWebhookInbox::new()))
//!     .router("/webhooks/molam");
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:4242").await?;
//! serve(listener, app, ServeOptions::default(), std::future::pending()).await
//! # }
//! ```

mod body;
mod connections;

use std::future::Future;
use std::io;
use std::time::Duration;

use axum::Router;
use http::StatusCode;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;

pub use body::{BodyError, GuardedBody};
pub use connections::{Admitted, Connections, CONNECTION_BYTES};

/// The bounds of a server; see the [module documentation](self) for what each does.
///
/// ```
/// use std::time::Duration;
/// let mut options = molam_axum::ServeOptions::default();
/// options.max_connections = 2_000;
/// options.body_read_timeout = Duration::from_secs(5);
/// assert_eq!(options.body_budget_bytes, 64 * 1024 * 1024);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServeOptions {
    /// How long a connection may wait for a request without receiving a byte. Default 10 s.
    pub idle_timeout: Duration,
    /// How long a request head may take from its first byte to its last. Default 5 s.
    pub header_read_timeout: Duration,
    /// How long a request body may take, from the head to its last byte. Default 10 s.
    pub body_read_timeout: Duration,
    /// How long a request may take from its head to the answer (body included). Default 15 s.
    pub request_timeout: Duration,
    /// Connections open at once. Default 512; keep it below the process's file-descriptor
    /// limit minus what the rest of the process uses (database pools, files).
    pub max_connections: usize,
    /// Memory for requests, across connections: [`CONNECTION_BYTES`] per connection the
    /// server may open is set aside for its buffers, the rest bounds the request-body bytes
    /// held at once. A body that declares its length takes all of it when its reading
    /// starts. Default 64 MiB (with 512 connections: 16 MiB of buffers, 48 MiB of bodies).
    pub body_budget_bytes: usize,
    /// How long shutdown waits for requests in flight. Default 5 s.
    pub drain_timeout: Duration,
}

/// The default [`ServeOptions::body_budget_bytes`]: 64 MiB.
pub const DEFAULT_BODY_BUDGET_BYTES: usize = 64 * 1024 * 1024;

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            idle_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(5),
            body_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(15),
            max_connections: 512,
            body_budget_bytes: DEFAULT_BODY_BUDGET_BYTES,
            drain_timeout: Duration::from_secs(5),
        }
    }
}

/// Serves `app` on `listener` under `options` until `shutdown` completes, then lets requests
/// in flight finish (up to [`ServeOptions::drain_timeout`]).
///
/// What [`axum::serve`] does, with the bounds of the [module documentation](self): use this
/// for a webhook endpoint reachable from the internet.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let app = app.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        options.request_timeout,
    ));
    let drain = options.drain_timeout;
    let connections = Connections::new(options);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = connections.accept(&listener) => {
                let (stream, admitted) = accepted?;
                let service = TowerToHyperService::new(app.clone());
                let connections = connections.clone();
                tokio::spawn(async move { connections.serve(admitted, stream, service).await });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    connections.shutdown(drain).await;
    Ok(())
}
