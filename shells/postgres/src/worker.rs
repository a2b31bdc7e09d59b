//! The inbox worker loop: N concurrent workers claim, handle and settle events until told to
//! stop, then finish the event in hand, give back the ones not started, and return.

use std::fmt::Display;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::sync::watch;

use crate::backoff::Backoff;
use crate::inbox::{InboxEvent, Lease, PgWebhookInbox, Settlement};

/// How [`PgWebhookInbox::run`] works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerOptions {
    /// Concurrent workers (each its own task and connection).
    pub workers: usize,
    /// Events leased per claim by one worker.
    pub batch_size: usize,
    /// How long an event is leased. While its handler runs, the lease is renewed every
    /// third of it ([`heartbeat`]), so a slow handler keeps its event; only a worker that
    /// stops renewing (it crashed, or lost the database) loses it to another.
    pub lease: Duration,
    /// How long an idle worker waits before looking again.
    pub poll_interval: Duration,
    /// When a failed event is tried again.
    pub backoff: Backoff,
    /// Prefix of the worker ids recorded in `locked_by` (`<name>-<n>`).
    pub name: String,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            workers: 4,
            batch_size: 1,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(500),
            backoff: Backoff::default(),
            name: format!("molam-worker-{}", std::process::id()),
        }
    }
}

/// What a run did, summed over its workers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkerReport {
    /// Events handled and marked `succeeded`.
    pub succeeded: u64,
    /// Failed attempts scheduled for a retry.
    pub retrying: u64,
    /// Events dead-lettered.
    pub dead: u64,
    /// Events whose lease was lost before they could be settled.
    pub lease_lost: u64,
    /// Leased events given back unstarted at shutdown.
    pub released: u64,
    /// Leases renewed while a handler ran.
    pub renewals: u64,
    /// Database calls that failed (the worker waited and went on).
    pub database_errors: u64,
}

impl WorkerReport {
    pub(crate) fn count(&mut self, settled: Settlement) {
        match settled {
            Settlement::Succeeded => self.succeeded += 1,
            Settlement::Retrying => self.retrying += 1,
            Settlement::Dead => self.dead += 1,
            Settlement::LeaseLost => self.lease_lost += 1,
            Settlement::Released => self.released += 1,
        }
    }

    pub(crate) fn add(&mut self, other: WorkerReport) {
        self.succeeded += other.succeeded;
        self.retrying += other.retrying;
        self.dead += other.dead;
        self.lease_lost += other.lease_lost;
        self.released += other.released;
        self.renewals += other.renewals;
        self.database_errors += other.database_errors;
    }
}

/// How often a running handler's lease is renewed: every third of the lease (at least every
/// 10 ms), so that two renewals may fail before it expires. The one rule of both worker loops.
pub fn heartbeat(lease: Duration) -> Duration {
    (lease / 3).max(Duration::from_millis(10))
}

impl PgWebhookInbox {
    /// Runs `options.workers` workers until `shutdown` completes, then lets each finish the
    /// event it is handling, releases the ones it had not started, and returns the tally.
    ///
    /// The handler gets each event (at least once); `Ok` marks it succeeded, `Err` (any
    /// `Display`, e.g. `String` or `Box<dyn Error>`) or a panic counts a failed attempt.
    ///
    /// ```no_run
    /// # async fn demo(inbox: molam_postgres::PgWebhookInbox) {
    /// use molam_postgres::{InboxEvent, WorkerOptions};
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// // Keep `stop`; dropping it or sending on it (on SIGTERM, say) ends the run.
    /// let report = inbox
    ///     .run(
    ///         |event: InboxEvent| async move {
    ///             println!("{} {}", event.event_type, event.event_id);
    ///             Ok::<(), String>(())
    ///         },
    ///         WorkerOptions::default(),
    ///         async { let _ = stopped.await; },
    ///     )
    ///     .await;
    /// println!("{} events handled", report.succeeded);
    /// # drop(stop);
    /// # }
    /// ```
    pub async fn run<H, Fut, E>(
        &self,
        handler: H,
        options: WorkerOptions,
        shutdown: impl Future<Output = ()>,
    ) -> WorkerReport
    where
        H: Fn(InboxEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Display + 'static,
    {
        let handler = Arc::new(handler);
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut workers = tokio::task::JoinSet::new();
        for n in 0..options.workers.max(1) {
            let worker = Worker {
                inbox: self.clone(),
                id: format!("{}-{n}", options.name),
                options: options.clone(),
                stop: stop_rx.clone(),
            };
            workers.spawn(worker.run(Arc::clone(&handler)));
        }
        shutdown.await;
        // Receivers live in the workers; a send error only means they all ended already.
        let _ = stop_tx.send(true);
        let mut report = WorkerReport::default();
        while let Some(done) = workers.join_next().await {
            // A worker task only ends early by panicking in this crate's own code (handler
            // panics are caught); its events' leases expire and other workers rescue them.
            if let Ok(worker_report) = done {
                report.add(worker_report);
            }
        }
        report
    }
}

struct Worker {
    inbox: PgWebhookInbox,
    id: String,
    options: WorkerOptions,
    stop: watch::Receiver<bool>,
}

impl Worker {
    fn stopping(&self) -> bool {
        *self.stop.borrow()
    }

    async fn idle(&mut self) {
        tokio::select! {
            _ = tokio::time::sleep(self.options.poll_interval) => {}
            _ = self.stop.changed() => {}
        }
    }

    /// With the `metrics` feature: the backlog left after a claim, and how long each claimed
    /// event waited since it was received (`molam_inbox_*`, see `molam_core::metrics`).
    #[cfg(feature = "metrics")]
    async fn record_metrics(&self, claimed: &[InboxEvent]) {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        for event in claimed {
            let waited = u64::try_from(now_ms.saturating_sub(event.received_at_ms)).unwrap_or(0);
            molam_core::metrics::record_inbox_lag(Duration::from_millis(waited));
        }
        if let Ok(backlog) = self.inbox.backlog().await {
            molam_core::metrics::record_inbox_backlog(backlog);
        }
    }

    /// Runs `work` while renewing `leases` every [`heartbeat`].
    async fn with_heartbeat<T>(
        &self,
        leases: &[Lease],
        work: impl Future<Output = T>,
        report: &mut WorkerReport,
    ) -> T {
        let every = heartbeat(self.options.lease);
        tokio::pin!(work);
        loop {
            tokio::select! {
                done = &mut work => return done,
                () = tokio::time::sleep(every) => {
                    for lease in leases {
                        match self.inbox.renew(lease, self.options.lease).await {
                            Ok(true) => report.renewals += 1,
                            // Lost: the handler finishes, and settling reports LeaseLost.
                            Ok(false) => {}
                            // The next beat tries again; the lease has two more in it.
                            Err(_) => report.database_errors += 1,
                        }
                    }
                }
            }
        }
    }

    async fn run<H, Fut, E>(mut self, handler: Arc<H>) -> WorkerReport
    where
        H: Fn(InboxEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Display + 'static,
    {
        let mut report = WorkerReport::default();
        while !self.stopping() {
            let claimed = self
                .inbox
                .claim_batch(&self.id, self.options.batch_size, self.options.lease)
                .await;
            let events = match claimed {
                Ok(events) if events.is_empty() => {
                    self.idle().await;
                    continue;
                }
                Ok(events) => events,
                Err(_) => {
                    report.database_errors += 1;
                    self.idle().await;
                    continue;
                }
            };
            #[cfg(feature = "metrics")]
            self.record_metrics(&events).await;
            // The leases of the batch not settled yet: renewed together while a handler
            // runs, so that events waiting behind a slow one keep their leases too.
            let leases: Vec<Lease> = events.iter().map(InboxEvent::lease).collect();
            for (i, event) in events.into_iter().enumerate() {
                let lease = event.lease();
                let held = &leases[i..];
                let settled = if self.stopping() {
                    self.inbox.release(&lease).await
                } else {
                    let attempt = event.attempt;
                    let outcome = self
                        .with_heartbeat(held, handle(&*handler, event), &mut report)
                        .await;
                    match outcome {
                        Ok(()) => self.inbox.succeed(&lease).await,
                        Err(error) => {
                            let retry_in = self.options.backoff.delay(attempt);
                            self.inbox.fail(&lease, &error, retry_in).await
                        }
                    }
                };
                match settled {
                    Ok(settled) => report.count(settled),
                    // The lease will expire and another worker will take the event again.
                    Err(_) => report.database_errors += 1,
                }
            }
        }
        report
    }
}

/// Runs the handler on one event; its error or panic becomes a message for `last_error`.
async fn handle<H, Fut, E>(handler: &H, event: InboxEvent) -> Result<(), String>
where
    H: Fn(InboxEvent) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Display,
{
    match AssertUnwindSafe(handler(event)).catch_unwind().await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("the handler panicked".to_owned()),
    }
}
