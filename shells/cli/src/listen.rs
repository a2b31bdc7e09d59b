//! `molam listen`: receive webhooks on a local port, verify them, print a line per delivery,
//! and forward each verified delivery (raw body and signature, untouched) to your endpoint,
//! over `http://` or `https://` (trusting an extra root with `--forward-ca-cert`).
//!
//! `--events` keeps only some types (others are answered 200 and not forwarded); Connect
//! events (those with an `account` field, REFERENCE.md §6) go to `--forward-connect-to` when
//! it is given. Each line shows your endpoint's answer: status, latency, the first line of
//! its body.
//!
//! Molam (or `molam mock --webhook-url …`) gets your endpoint's status back, so its retries
//! behave as they would against your endpoint directly; when nothing is forwarded, 200.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use clap::Args;
use http::{header, StatusCode};
use http_body_util::Full;
use molam_axum::{StaticSecrets, VerifiedEvent, WebhookEndpoint, WebhookRejection};
use molam_core::inbox::{AsyncWebhookInbox, InMemoryWebhookInbox};
use molam_core::resources::EventType;
use molam_postgres::{InboxEvent, PgWebhookInbox, WorkerOptions};

use crate::failure::Failure;
use crate::http_client::{self, endpoint_uri, snippet, HttpClient};
use crate::output::clock_time;

/// `molam listen`
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Where to forward verified deliveries (an http:// or https:// URL of your endpoint).
    #[arg(long, value_name = "URL")]
    forward_to: Option<String>,
    /// Where to forward Connect events (those of a connected account, with an `account`
    /// field) instead of --forward-to.
    #[arg(long, value_name = "URL")]
    forward_connect_to: Option<String>,
    /// A PEM file of extra root certificates to trust when forwarding to https:// (e.g. your
    /// endpoint's self-signed certificate).
    #[arg(long, value_name = "PEM_FILE")]
    forward_ca_cert: Option<PathBuf>,
    /// Only these event types (comma-separated; `payout.*` takes a whole family); others are
    /// answered 200 and neither printed nor forwarded.
    #[arg(long, value_delimiter = ',', value_name = "TYPES")]
    events: Vec<String>,
    /// The secrets deliveries are signed with: kid:secret (published under a key id) or
    /// secret, a whsec_… entry whole; repeatable, or a comma-separated list, read and checked
    /// as MOLAM_WEBHOOK_SECRET is.
    #[arg(
        long,
        env = "MOLAM_WEBHOOK_SECRET",
        hide_env_values = true,
        required = true
    )]
    secret: Vec<String>,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 4242)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// The path deliveries are POSTed to.
    #[arg(long, default_value = "/webhooks")]
    path: String,
    /// Register this listener with a running `molam mock` at this base URL.
    #[arg(long, value_name = "MOCK_URL")]
    register_with: Option<String>,
    /// Record deliveries in the PostgreSQL inbox here (migrated first) and run its worker,
    /// which prints each event it processes, as the demo does; without it, in memory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    database_url: Option<String>,
    /// With --database-url: the schema of the inbox (created if missing; default: the
    /// connection's search_path).
    #[arg(long, requires = "database_url")]
    schema: Option<String>,
}

/// Where `molam listen` records deliveries.
async fn inbox(
    args: &ListenArgs,
) -> Result<(Arc<dyn AsyncWebhookInbox>, Option<PgWebhookInbox>), Failure> {
    let Some(url) = &args.database_url else {
        return Ok((Arc::new(InMemoryWebhookInbox::new()), None));
    };
    let pool = match &args.schema {
        Some(schema) => crate::migrate::pool_in_schema(url, schema, 8).await?,
        None => crate::migrate::pool(url, 8)?,
    };
    molam_postgres::migrate(&pool)
        .await
        .map_err(|e| Failure::new(crate::failure::Kind::Database, format!("migrate: {e}")))?;
    let inbox = PgWebhookInbox::new(pool);
    Ok((Arc::new(inbox.clone()), Some(inbox)))
}

/// The PostgreSQL inbox's workers until `stop`: a line per processed event.
async fn process(inbox: PgWebhookInbox, stop: impl std::future::Future<Output = ()>) {
    let options = WorkerOptions {
        workers: 2,
        batch_size: 8,
        poll_interval: std::time::Duration::from_millis(100),
        name: format!("molam-listen-{}", std::process::id()),
        ..WorkerOptions::default()
    };
    let handler = |event: InboxEvent| async move {
        println!(
            "{}  ⚙ processed {} {} (attempt {})",
            clock_time(unix_now()),
            event.event_type,
            event.event_id,
            event.attempt
        );
        Ok::<(), String>(())
    };
    let report = inbox.run(handler, options, stop).await;
    println!("inbox worker stopped: {} processed", report.succeeded);
}

/// The state of the listener's handler.
struct Forwarder {
    target: Option<http::Uri>,
    connect_target: Option<http::Uri>,
    events: EventFilter,
    client: HttpClient,
}

/// `--events`: exact types, or `family.*`.
#[derive(Debug, Default)]
struct EventFilter(Vec<String>);

impl EventFilter {
    /// Checks each pattern against the contract's event types, so that a typo does not
    /// silently filter everything out.
    fn new(patterns: &[String]) -> Result<Self, Failure> {
        for pattern in patterns {
            let known = match pattern.strip_suffix(".*") {
                Some(family) => EventType::KNOWN
                    .iter()
                    .any(|t| t.split('.').next() == Some(family)),
                None => EventType::KNOWN.contains(&pattern.as_str()),
            };
            if !known {
                return Err(Failure::usage(format!(
                    "--events {pattern:?} is not an event type of the API (nor family.*): \
                     one of {}",
                    EventType::KNOWN.join(", ")
                )));
            }
        }
        Ok(EventFilter(patterns.to_vec()))
    }

    fn wants(&self, event_type: &str) -> bool {
        self.0.is_empty()
            || self.0.iter().any(|p| match p.strip_suffix(".*") {
                Some(family) => event_type
                    .strip_prefix(family)
                    .is_some_and(|rest| rest.starts_with('.')),
                None => p == event_type,
            })
    }
}

/// Listens until Ctrl-C.
pub async fn run(args: ListenArgs) -> Result<(), Failure> {
    let secrets = crate::webhooks::secret_list(&args.secret, crate::webhooks::SECRET_OR_VARIABLE)?;
    let target = match &args.forward_to {
        Some(url) => Some(endpoint_uri(url, "--forward-to")?),
        None => None,
    };
    let connect_target = match &args.forward_connect_to {
        Some(url) => Some(endpoint_uri(url, "--forward-connect-to")?),
        None => None,
    };
    let events = EventFilter::new(&args.events)?;
    let extra_roots =
        match &args.forward_ca_cert {
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                Failure::usage(format!("--forward-ca-cert {}: {e}", path.display()))
            })?),
            None => None,
        };
    let client = http_client::client(extra_roots.as_deref(), "--forward-ca-cert")?;
    if !args.path.starts_with('/') {
        return Err(Failure::usage("--path must start with '/'"));
    }
    let (recorder, worker_inbox) = inbox(&args).await?;
    let endpoint = WebhookEndpoint::new(StaticSecrets::new(secrets), recorder);
    let forwarder = Arc::new(Forwarder {
        target,
        connect_target,
        events,
        client,
    });
    let handler_state = Arc::clone(&forwarder);
    let app = Router::new()
        .route(
            &args.path,
            post(move |delivery| on_delivery(Arc::clone(&handler_state), delivery)),
        )
        .with_state(endpoint);
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.host, args.port)).await?;
    let url = format!("http://{}{}", listener.local_addr()?, args.path);
    println!("listening for Molam webhooks on {url}");
    match &forwarder.target {
        Some(target) => println!("forwarding verified deliveries to {target}"),
        None => println!("not forwarding (no --forward-to): verified deliveries get 200"),
    }
    if let Some(target) = &forwarder.connect_target {
        println!("forwarding Connect events (with an account) to {target}");
    }
    if !forwarder.events.0.is_empty() {
        println!("only {}", forwarder.events.0.join(", "));
    }
    if let Some(mock) = &args.register_with {
        register_with_mock(&forwarder.client, mock, &url).await?;
        println!("registered with the mock at {mock}");
    }
    let (stop_worker, worker_stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = worker_inbox.map(|inbox| {
        println!("recording in PostgreSQL (received_webhooks) and processing with 2 workers");
        tokio::spawn(process(inbox, async {
            let _ = worker_stopped.await;
        }))
    });
    // The bounds every server of this project has (timeouts, connections, body budget).
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let served = molam_axum::serve(listener, app, molam_axum::ServeOptions::default(), stop).await;
    let _ = stop_worker.send(());
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    served?;
    Ok(())
}

async fn on_delivery(
    forwarder: Arc<Forwarder>,
    delivery: Result<VerifiedEvent, WebhookRejection>,
) -> Response {
    let delivery = match delivery {
        Ok(delivery) => delivery,
        Err(rejection) => {
            println!(
                "{}  ✗ {} {}: {}",
                clock_time(unix_now()),
                rejection.status().as_u16(),
                rejection.code(),
                rejection.public_message()
            );
            return rejection.into_response();
        }
    };
    let event = &delivery.event;
    if !forwarder.events.wants(event.event_type.as_str()) {
        return StatusCode::OK.into_response();
    }
    let object = event.data.object.id().unwrap_or("-").to_owned();
    // Read from the raw body, so that it works whatever the core's Event carries.
    let account = serde_json::from_slice::<serde_json::Value>(&delivery.received.payload)
        .ok()
        .and_then(|v| v.get("account").and_then(|a| a.as_str()).map(str::to_owned));
    let account_note = account
        .as_deref()
        .map(|a| format!(" [{a}]"))
        .unwrap_or_default();
    let duplicate = if delivery.is_duplicate() {
        " (duplicate)"
    } else {
        ""
    };
    let prefix = format!(
        "{}  ✓ {} {} {}{}{}",
        clock_time(unix_now()),
        event.event_type,
        event.id,
        object,
        account_note,
        duplicate
    );
    let target = match (&account, &forwarder.connect_target) {
        (Some(_), Some(connect)) => Some(connect),
        _ => forwarder.target.as_ref(),
    };
    let Some(target) = target else {
        println!("{prefix}");
        return StatusCode::OK.into_response();
    };
    match forward(&forwarder.client, target, &delivery).await {
        Ok(answer) => {
            println!(
                "{prefix} → {} {} in {} ms: {}",
                target,
                answer.status.as_u16(),
                answer.elapsed.as_millis(),
                snippet(&answer.body)
            );
            (answer.status, answer.body).into_response()
        }
        Err(e) => {
            println!("{prefix} → {target} failed: {e}");
            (StatusCode::BAD_GATEWAY, "forward failed").into_response()
        }
    }
}

async fn forward(
    client: &HttpClient,
    target: &http::Uri,
    delivery: &VerifiedEvent,
) -> Result<http_client::Answer, String> {
    let mut request = http::Request::post(target.clone())
        .header(header::CONTENT_TYPE, "application/json")
        .header(
            header::USER_AGENT,
            concat!("molam-cli/", env!("CARGO_PKG_VERSION")),
        );
    if let Some(signature) = &delivery.received.signature_header {
        request = request.header(molam_axum::SIGNATURE_HEADER, signature.as_str());
    }
    let request = request
        .body(Full::new(Bytes::from(delivery.received.payload.clone())))
        .map_err(|e| e.to_string())?;
    http_client::send(client, request).await
}

/// POSTs `url` to the mock's `/__mock/webhooks`, so it delivers every event here.
async fn register_with_mock(client: &HttpClient, mock: &str, url: &str) -> Result<(), Failure> {
    let control = endpoint_uri(
        &format!("{}/__mock/webhooks", mock.trim_end_matches('/')),
        "--register-with",
    )?;
    let body = serde_json::json!({ "url": url }).to_string();
    let request = http::Request::post(control)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| Failure::usage(e.to_string()))?;
    match http_client::send(client, request).await {
        Ok(answer) if answer.status.is_success() => Ok(()),
        Ok(answer) => Err(Failure::new(
            crate::failure::Kind::Api,
            format!(
                "the mock refused the registration: {} {}",
                answer.status.as_u16(),
                snippet(&answer.body)
            ),
        )),
        Err(e) => Err(Failure::new(
            crate::failure::Kind::Network,
            format!("cannot reach the mock at {mock}: {e}"),
        )),
    }
}

fn unix_now() -> i64 {
    crate::output::unix_now()
}

#[cfg(test)]
mod tests {
    use super::EventFilter;

    #[test]
    fn an_event_filter_takes_exact_types_and_families() {
        let filter =
            EventFilter::new(&["payout.*".to_owned(), "refund.created".to_owned()]).unwrap();
        assert!(filter.wants("payout.failed"));
        assert!(filter.wants("refund.created"));
        assert!(!filter.wants("refund.updated"));
        assert!(!filter.wants("payment_intent.succeeded"));
        assert!(EventFilter::new(&[]).unwrap().wants("charge.refunded"));
    }

    #[test]
    fn an_unknown_event_type_in_the_filter_is_refused() {
        let error = EventFilter::new(&["payout.paied".to_owned()]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("--events \"payout.paied\" is not an event type of the API"),
            "{error}"
        );
    }
}
