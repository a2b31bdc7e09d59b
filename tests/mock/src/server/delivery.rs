//! The webhook sender: takes due deliveries from the mock, POSTs them over plain HTTP with a
//! 10 s limit (REFERENCE.md §5), and reports each outcome back so failures are retried.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::sync::{watch, Notify};

use crate::{DeliveryResult, Mock, MockTime};

const ATTEMPT_LIMIT: Duration = Duration::from_secs(10);
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
                let result =
                    match tokio::time::timeout(ATTEMPT_LIMIT, client.request(request)).await {
                        Ok(Ok(response)) => DeliveryResult::Status(response.status().as_u16()),
                        Ok(Err(e)) => DeliveryResult::Failed(e.to_string()),
                        Err(_) => DeliveryResult::Failed("no answer within 10 s".to_owned()),
                    };
                mock.handle_delivery_result(delivery.id, result, MockTime::now());
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
