//! # molam-axum
//!
//! A Molam webhook endpoint for [axum]: it reads the raw body (size-limited), verifies
//! `Molam-Signature` with the core's rules (REFERENCE.md §5), records the event in an inbox keyed
//! by its id, and answers 2xx — only once the event is recorded, so none is lost after Molam
//! was told "received", and no merchant code sees a delivery before that.
//!
//! ```no_run
//! use std::sync::Arc;
//! use molam_axum::{InMemoryWebhookInbox, StaticSecrets, WebhookEndpoint, WebhookSecret};
//!
//! # async fn run() -> std::io::Result<()> {
//! let inbox = Arc::new(InMemoryWebhookInbox::new());
//! let secrets = StaticSecrets::new(vec![WebhookSecret::new("whsec_…")]);
//! let app = WebhookEndpoint::new(secrets, inbox.clone()).router("/webhooks/molam");
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:4242").await?;
//! // Timeouts, a connection limit and a body budget: see `serve`.
//! molam_axum::serve(listener, app, molam_axum::ServeOptions::default(), std::future::pending()).await
//! # }
//! ```
//!
//! - [`WebhookEndpoint`]: the checks and their answers (200, 400, 401, 413, 415, 503), as a
//!   router for one tenant ([`WebhookEndpoint::router`]) or many
//!   ([`WebhookEndpoint::tenant_router`], `/webhooks/{tenant}`).
//! - [`serve()`]: serves a router with the bounds a public endpoint needs (idle, header, body
//!   and request timeouts, a connection limit, a budget of buffered body bytes).
//! - [`VerifiedEvent`]: an extractor giving a handler the typed event, after it was recorded.
//! - [`AsyncSecretResolver`]: where secrets come from — [`StaticSecrets`] for fixed ones, or a
//!   per-tenant lookup (`molam_postgres::PgSecretResolver` with the `postgres` feature).
//! - Inboxes implement `molam_core::inbox::AsyncWebhookInbox`: the in-memory one, or
//!   `molam_postgres::PgWebhookInbox` for durability and worker pools.
//!
//! Each delivery runs in a `molam.webhook.receive` tracing span (tenant, event id and type,
//! status). Neither logs nor responses contain secrets or bodies.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod endpoint;
mod extract;
mod rejection;
mod resolver;
pub mod serve;

pub use endpoint::{Receipt, WebhookEndpoint, DEFAULT_MAX_BODY_BYTES, SIGNATURE_HEADER};
pub use extract::VerifiedEvent;
pub use rejection::WebhookRejection;
pub use resolver::{AsyncSecretResolver, ResolveError, ResolveFuture, StaticSecrets};
pub use serve::{serve, ServeOptions};

// What an endpoint is built from, so that a program needs this crate alone (with axum and
// tokio): the inbox trait and its in-memory implementation, secrets, and the event type.
pub use molam_core::inbox::{AsyncWebhookInbox, InMemoryWebhookInbox};
pub use molam_core::resources::Event;
pub use molam_core::webhook::WebhookSecret;

/// The README's examples, compiled as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
