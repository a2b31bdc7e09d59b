//! `molam listen`: receive webhooks on a local port, verify them, print a line per delivery,
//! and forward each verified delivery (raw body and signature, untouched) to your endpoint.
//!
//! Molam (or `molam mock --webhook-url …`) gets your endpoint's status back, so its retries
//! behave as they would against your endpoint directly; when nothing is forwarded, 200.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use clap::Args;
use http::{header, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use molam_axum::{StaticSecrets, VerifiedEvent, WebhookEndpoint, WebhookRejection};
use molam_core::inbox::InMemoryWebhookInbox;
use molam_core::webhook::WebhookSecret;

use crate::failure::Failure;
use crate::output::clock_time;

/// `molam listen`
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Where to forward verified deliveries (an http:// URL of your endpoint).
    #[arg(long, value_name = "URL")]
    forward_to: Option<String>,
    /// The secret deliveries are signed with; repeatable (kid:secret publishes it under a key id).
    #[arg(
        long,
        env = "MOLAM_WEBHOOK_SECRET",
        hide_env_values = true,
        value_delimiter = ',',
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
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// The state of the listener's handler.
struct Forwarder {
    target: Option<http::Uri>,
    client: HttpClient,
}

/// Listens until Ctrl-C.
pub async fn run(args: ListenArgs) -> Result<(), Failure> {
    let target = match &args.forward_to {
        Some(url) => Some(http_uri(url, "--forward-to")?),
        None => None,
    };
    if !args.path.starts_with('/') {
        return Err(Failure::usage("--path must start with '/'"));
    }
    let secrets: Vec<WebhookSecret> = args
        .secret
        .iter()
        .map(|s| crate::webhooks::parse_secret(s))
        .collect();
    let endpoint = WebhookEndpoint::new(
        StaticSecrets::new(secrets),
        Arc::new(InMemoryWebhookInbox::new()),
    );
    let forwarder = Arc::new(Forwarder {
        target,
        client: http_client(),
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
    if let Some(mock) = &args.register_with {
        register_with_mock(&forwarder.client, mock, &url).await?;
        println!("registered with the mock at {mock}");
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
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
    let object = event.data.object.id().unwrap_or("-").to_owned();
    let duplicate = if delivery.is_duplicate() {
        " (duplicate)"
    } else {
        ""
    };
    let prefix = format!(
        "{}  ✓ {} {} {}{}",
        clock_time(unix_now()),
        event.event_type,
        event.id,
        object,
        duplicate
    );
    let Some(target) = &forwarder.target else {
        println!("{prefix}");
        return StatusCode::OK.into_response();
    };
    match forward(&forwarder.client, target, &delivery).await {
        Ok((status, body)) => {
            println!("{prefix} → {}", status.as_u16());
            (status, body).into_response()
        }
        Err(e) => {
            println!("{prefix} → forward failed: {e}");
            (StatusCode::BAD_GATEWAY, "forward failed").into_response()
        }
    }
}

async fn forward(
    client: &HttpClient,
    target: &http::Uri,
    delivery: &VerifiedEvent,
) -> Result<(StatusCode, Bytes), String> {
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
    send(client, request).await
}

/// POSTs `url` to the mock's `/__mock/webhooks`, so it delivers every event here.
async fn register_with_mock(client: &HttpClient, mock: &str, url: &str) -> Result<(), Failure> {
    let control = http_uri(
        &format!("{}/__mock/webhooks", mock.trim_end_matches('/')),
        "--register-with",
    )?;
    let body = serde_json::json!({ "url": url }).to_string();
    let request = http::Request::post(control)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| Failure::usage(e.to_string()))?;
    match send(client, request).await {
        Ok((status, _)) if status.is_success() => Ok(()),
        Ok((status, body)) => Err(Failure::new(
            crate::failure::Kind::Api,
            format!(
                "the mock refused the registration: {} {}",
                status.as_u16(),
                String::from_utf8_lossy(&body)
            ),
        )),
        Err(e) => Err(Failure::new(
            crate::failure::Kind::Network,
            format!("cannot reach the mock at {mock}: {e}"),
        )),
    }
}

/// A plain-HTTP client (local endpoints and the mock).
pub fn http_client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// Sends a request and reads the whole answer.
pub async fn send(
    client: &HttpClient,
    request: http::Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes), String> {
    let response = client.request(request).await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, body))
}

/// An absolute `http://` URL (this client speaks plain HTTP to local endpoints only).
pub fn http_uri(url: &str, flag: &str) -> Result<http::Uri, Failure> {
    let uri: http::Uri = url
        .parse()
        .map_err(|_| Failure::usage(format!("{flag} {url:?} is not a URL")))?;
    if uri.scheme_str() != Some("http") || uri.host().is_none() {
        return Err(Failure::usage(format!(
            "{flag} {url:?}: must be an absolute http:// URL (a local endpoint)"
        )));
    }
    Ok(uri)
}

fn unix_now() -> i64 {
    crate::output::unix_now()
}
