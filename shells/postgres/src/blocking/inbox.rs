//! The webhook inbox over blocking connections: the async inbox's statements and rules
//! (`crate::inbox`), for a sync webhook endpoint and sync workers.

use std::time::Duration;

use molam_core::inbox::{ReceivedEvent, Recorded};
use postgres::types::ToSql;

use super::pool::BlockingPool;
use crate::error::Error;
use crate::inbox::{
    batch_param, millis, recorded, InboxConfig, InboxEvent, Lease, RecordArgs, Settlement,
};
use crate::sql;

/// The webhook inbox for blocking code. See [`crate::PgWebhookInbox`] for the life of an
/// event; a sync worker loops on `claim_batch`, its handler, then `succeed` or `fail`.
///
/// ```no_run
/// # fn demo() -> Result<(), molam_postgres::Error> {
/// use std::time::Duration;
/// use molam_postgres::blocking::{BlockingPool, PgBlockingWebhookInbox};
/// use molam_postgres::Backoff;
/// let inbox = PgBlockingWebhookInbox::new(BlockingPool::connect("postgres:///shop")?);
/// for event in inbox.claim_batch("worker-1", 10, Duration::from_secs(60))? {
///     let handled: Result<(), String> = Ok(()); // the merchant's handler
///     let _settled = match handled {
///         Ok(()) => inbox.succeed(&event.lease())?,
///         Err(e) => inbox.fail(&event.lease(), &e, Backoff::default().delay(event.attempt))?,
///     };
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct PgBlockingWebhookInbox {
    pool: BlockingPool,
    config: InboxConfig,
}

impl PgBlockingWebhookInbox {
    /// An inbox with the default configuration.
    pub fn new(pool: BlockingPool) -> Self {
        Self::with_config(pool, InboxConfig::default())
    }

    /// An inbox with the given configuration.
    pub fn with_config(pool: BlockingPool, config: InboxConfig) -> Self {
        PgBlockingWebhookInbox { pool, config }
    }

    /// Stores a verified delivery unless its tenant already has an event with its id.
    /// The core's inbox rule comes first, as in the async inbox.
    pub fn record(&self, event: &ReceivedEvent) -> Result<Recorded, Error> {
        let args = RecordArgs::new(event, &self.config).map_err(Error::Refused)?;
        Ok(recorded(
            self.pool
                .get()?
                .query_opt(sql::INBOX_RECORD, &args.params())?,
        ))
    }

    /// Leases up to `n` due (or rescued) events to `worker_id` for `lease`.
    pub fn claim_batch(
        &self,
        worker_id: &str,
        n: usize,
        lease: Duration,
    ) -> Result<Vec<InboxEvent>, Error> {
        let rows = self.pool.get()?.query(
            sql::INBOX_CLAIM,
            &[&worker_id, &batch_param(n), &millis(lease)],
        )?;
        rows.iter().map(InboxEvent::from_row).collect()
    }

    /// Extends a lease still held, as the async inbox's `renew`; `false`: the lease was lost.
    pub fn renew(&self, lease: &Lease, duration: Duration) -> Result<bool, Error> {
        let (id, attempt) = lease.parts();
        let row = self
            .pool
            .get()?
            .query_opt(sql::INBOX_RENEW, &[&id, &attempt, &millis(duration)])?;
        Ok(row.is_some())
    }

    /// Marks a leased event handled.
    pub fn succeed(&self, lease: &Lease) -> Result<Settlement, Error> {
        self.settle(sql::INBOX_SUCCEED, lease, &[])
    }

    /// Records a failed attempt: retried after `retry_in`, or dead after the last attempt.
    pub fn fail(
        &self,
        lease: &Lease,
        error: &str,
        retry_in: Duration,
    ) -> Result<Settlement, Error> {
        self.settle(sql::INBOX_FAIL, lease, &[&error, &millis(retry_in)])
    }

    /// Gives back a leased event unhandled; the attempt does not count.
    pub fn release(&self, lease: &Lease) -> Result<Settlement, Error> {
        self.settle(sql::INBOX_RELEASE, lease, &[])
    }

    fn settle(
        &self,
        statement: &str,
        lease: &Lease,
        extra: &[&(dyn ToSql + Sync)],
    ) -> Result<Settlement, Error> {
        let (id, attempt) = lease.parts();
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&id, &attempt];
        params.extend_from_slice(extra);
        Settlement::from_state(self.pool.get()?.query_opt(statement, &params)?)
    }
}
