//! A Molam webhook endpoint with an in-memory inbox and a worker that handles what it records,
//! served with the bounds of `molam_axum::serve` (timeouts, connection limit, body budget).
//!
//! ```sh
//! MOLAM_WEBHOOK_SECRET=whsec_… cargo run -p molam-axum --example endpoint
//! ```
use std::{sync::Arc, time::Duration};

use molam_axum::{
    serve, InMemoryWebhookInbox, ServeOptions, StaticSecrets, WebhookEndpoint, WebhookSecret,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = WebhookSecret::new(std::env::var("MOLAM_WEBHOOK_SECRET")?);
    let inbox = Arc::new(InMemoryWebhookInbox::new());
    let endpoint = WebhookEndpoint::new(StaticSecrets::new(vec![secret]), inbox.clone());

    let worker = inbox.clone();
    tokio::spawn(async move {
        loop {
            for entry in worker.claim_batch(10) {
                println!("{} {}", entry.event.event_type, entry.event.event_id);
                worker.succeed(&entry);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });

    let listener = tokio::net::TcpListener::bind("127.0.0.1:4242").await?;
    let app = endpoint.router("/webhooks/molam");
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    serve(listener, app, ServeOptions::default(), stop).await?;
    Ok(())
}
