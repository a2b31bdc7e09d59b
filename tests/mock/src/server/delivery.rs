//! The webhook sender: takes due deliveries from the mock, POSTs them over plain HTTP with a
//! 10 s limit (REFERENCE.md §5), and reports each outcome back so failures are retried.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::sync::{watch, Notify};

use crate::{DeliveryAnswer, DeliveryResult, Mock, MockTime};

const ATTEMPT_LIMIT: Duration = Duration::from_secs(10);
/// The most of an endpoint's answer read (the dashboard shows its start; a body over this
/// is not kept at all).
const ANSWER_KEPT: usize = 4096;
const LONGEST_NAP: Duration = Duration::from_secs(1);
const BATCH_GAP: Duration = Duration::from_millis(20);

/// Runs until `stop` turns true. `wake` is notified when a request may have made events.
pub(crate) async fn run(mock: Mock, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    loop {
        let now = MockTime::now();
        for delivery in mock.poll_deliveries(now) {
            let client = client.clone();
            let mock = mock.clone();
            tokio::spawn(async move {
                let request = delivery.request.map(|b| Full::new(Bytes::from(b)));
                let started = Instant::now();
                // The status, and the start of the body for the dashboard, within the limit.
                let exchange = async {
                    let response = client.request(request).await?;
                    let status = response.status().as_u16();
                    let body = Limited::new(response.into_body(), ANSWER_KEPT)
                        .collect()
                        .await
                        .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
                        .ok();
                    Ok::<_, hyper_util::client::legacy::Error>((status, body))
                };
                let (result, body) = match tokio::time::timeout(ATTEMPT_LIMIT, exchange).await {
                    Ok(Ok((status, body))) => (DeliveryResult::Status(status), body),
                    Ok(Err(e)) => (DeliveryResult::Failed(e.to_string()), None),
                    Err(_) => (
                        DeliveryResult::Failed("no answer within 10 s".to_owned()),
                        None,
                    ),
                };
                let answer = DeliveryAnswer {
                    latency: Some(started.elapsed()),
                    body,
                };
                mock.handle_delivery_report(delivery.id, result, answer, MockTime::now());
            });
        }
        let nap = mock
            .poll_timeout()
            .map(|due| u64::try_from(due.unix_ms() - now.unix_ms()).unwrap_or(0))
            .map_or(LONGEST_NAP, |ms| {
                Duration::from_millis(ms.max(5)).min(LONGEST_NAP)
            });
        tokio::select! {
            _ = tokio::time::sleep(nap) => {}
            // Wake-ups come with requests; a short gap batches them so that a busy server
            // polls at most 50 times a second.
            _ = wake.notified() => tokio::time::sleep(BATCH_GAP).await,
            _ = stop.changed() => return,
        }
    }
}
