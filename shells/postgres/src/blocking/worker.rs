//! The blocking inbox worker loop: the async loop's rules on threads. N workers claim, handle
//! (renewing the lease every [`heartbeat`] while the handler runs) and settle events until
//! `stop` is set, then finish the event in hand, give back the ones not started, and return.

use std::fmt::Display;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use super::inbox::PgBlockingWebhookInbox;
use crate::inbox::{InboxEvent, Lease};
use crate::worker::{heartbeat, WorkerOptions, WorkerReport};

impl PgBlockingWebhookInbox {
    /// Runs `options.workers` worker threads until `stop` is set (by a signal handler, say),
    /// then lets each finish the event it is handling, releases the ones it had not started,
    /// and returns the tally: the blocking form of `PgWebhookInbox::run`.
    ///
    /// The handler gets each event (at least once); `Ok` marks it succeeded, `Err` (any
    /// `Display`) or a panic counts a failed attempt.
    ///
    /// ```no_run
    /// # fn demo(inbox: molam_postgres::blocking::PgBlockingWebhookInbox) {
    /// use std::sync::atomic::AtomicBool;
    /// use molam_postgres::{InboxEvent, WorkerOptions};
    /// let stop = AtomicBool::new(false);
    /// let report = inbox.run(
    ///     |event: InboxEvent| {
    ///         println!("{} {}", event.event_type, event.event_id);
    ///         Ok::<(), String>(())
    ///     },
    ///     WorkerOptions::default(),
    ///     &stop,
    /// );
    /// println!("{} events handled", report.succeeded);
    /// # }
    /// ```
    pub fn run<H, E>(&self, handler: H, options: WorkerOptions, stop: &AtomicBool) -> WorkerReport
    where
        H: Fn(InboxEvent) -> Result<(), E> + Sync,
        E: Display,
    {
        let handler = &handler;
        let options = &options;
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..options.workers.max(1))
                .map(|n| {
                    let id = format!("{}-{n}", options.name);
                    scope.spawn(move || self.work(&id, handler, options, stop))
                })
                .collect();
            let mut report = WorkerReport::default();
            for worker in workers {
                // A worker thread only ends early by panicking in this crate's own code
                // (handler panics are caught); its leases expire and others rescue them.
                if let Ok(worker_report) = worker.join() {
                    report.add(worker_report);
                }
            }
            report
        })
    }

    fn work<H, E>(
        &self,
        id: &str,
        handler: &H,
        options: &WorkerOptions,
        stop: &AtomicBool,
    ) -> WorkerReport
    where
        H: Fn(InboxEvent) -> Result<(), E> + Sync,
        E: Display,
    {
        let mut report = WorkerReport::default();
        let stopping = || stop.load(Ordering::Acquire);
        while !stopping() {
            let events = match self.claim_batch(id, options.batch_size, options.lease) {
                Ok(events) if !events.is_empty() => events,
                Ok(_) => {
                    idle(options.poll_interval, stop);
                    continue;
                }
                Err(_) => {
                    report.database_errors += 1;
                    idle(options.poll_interval, stop);
                    continue;
                }
            };
            // The batch's unsettled leases are renewed together (see the async loop).
            let leases: Vec<Lease> = events.iter().map(InboxEvent::lease).collect();
            for (i, event) in events.into_iter().enumerate() {
                let lease = event.lease();
                let held = &leases[i..];
                let settled =
                    if stopping() {
                        self.release(&lease)
                    } else {
                        let attempt = event.attempt;
                        let outcome = self.with_heartbeat(held, options.lease, &mut report, || {
                            match catch_unwind(AssertUnwindSafe(|| handler(event))) {
                                Ok(Ok(())) => Ok(()),
                                Ok(Err(error)) => Err(error.to_string()),
                                Err(_) => Err("the handler panicked".to_owned()),
                            }
                        });
                        match outcome {
                            Ok(()) => self.succeed(&lease),
                            Err(error) => self.fail(&lease, &error, options.backoff.delay(attempt)),
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

    /// Runs `work` on this thread while another renews `leases` every [`heartbeat`].
    fn with_heartbeat<T>(
        &self,
        leases: &[Lease],
        duration: Duration,
        report: &mut WorkerReport,
        work: impl FnOnce() -> T,
    ) -> T {
        let every = heartbeat(duration);
        std::thread::scope(|scope| {
            let (done, finished) = mpsc::channel::<()>();
            let beats = scope.spawn(move || {
                let (mut renewals, mut errors) = (0, 0);
                while let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(every) {
                    for lease in leases {
                        match self.renew(lease, duration) {
                            Ok(true) => renewals += 1,
                            // Lost: the handler finishes, and settling reports LeaseLost.
                            Ok(false) => {}
                            Err(_) => errors += 1,
                        }
                    }
                }
                (renewals, errors)
            });
            let value = work();
            drop(done);
            if let Ok((renewals, errors)) = beats.join() {
                report.renewals += renewals;
                report.database_errors += errors;
            }
            value
        })
    }
}

/// Waits `poll_interval`, or less when `stop` is set meanwhile.
fn idle(poll_interval: Duration, stop: &AtomicBool) {
    let step = Duration::from_millis(10);
    let mut waited = Duration::ZERO;
    while waited < poll_interval && !stop.load(Ordering::Acquire) {
        std::thread::sleep(step.min(poll_interval - waited));
        waited += step;
    }
}
