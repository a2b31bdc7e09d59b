//! The webhook inbox (`received_webhooks`): record every verified delivery before answering
//! 2xx, then let workers lease, handle and settle the events.
//!
//! ```text
//!  record ──► pending ──claim──► processing ──succeed──► succeeded
//!                 ▲                 │   │
//!                 │ (lease expired) │   └──fail──► retryable ──(due)──claim──► processing
//!                 └─────────────────┘          └──(last attempt)──► dead
//! ```
//!
//! Every claim counts as an attempt; its number is the lease's fencing token, so a worker
//! whose lease expired (and whose event another worker took over) cannot settle it any more.
//! Delivery to the handler is at least once: a handler must tolerate seeing an event again
//! after a crash between its side effects and `succeed`.

use std::time::Duration;

use deadpool_postgres::Pool;
use molam_core::inbox::{
    AsyncWebhookInbox, InboxError, InboxFuture, ReceivedEvent, Recorded, Refusal,
    DEFAULT_MAX_ATTEMPTS,
};
use tokio_postgres::types::ToSql;

use crate::error::Error;
use crate::sql;

/// The parameters of [`sql::INBOX_RECORD`], for an event the core's inbox rule admitted.
pub(crate) struct RecordArgs<'a> {
    event: &'a ReceivedEvent,
    max_attempts: i32,
    key: Vec<u8>,
    id_text: String,
    id_exact: Option<Vec<u8>>,
    type_text: String,
    type_exact: Option<Vec<u8>>,
}

/// PostgreSQL text cannot hold NUL: the readable form shows it as U+FFFD, and the exact bytes
/// go beside it (`None` when the text is exact).
fn text_and_exact(value: &str) -> (String, Option<Vec<u8>>) {
    if value.contains('\0') {
        (
            value.replace('\0', "\u{FFFD}"),
            Some(value.as_bytes().to_vec()),
        )
    } else {
        (value.to_owned(), None)
    }
}

impl<'a> RecordArgs<'a> {
    /// The arguments, or the core's refusal of the event (the same in every inbox).
    pub(crate) fn new(event: &'a ReceivedEvent, config: &InboxConfig) -> Result<Self, Refusal> {
        let key = event.admit()?;
        let (id_text, id_exact) = text_and_exact(&event.event_id);
        let (type_text, type_exact) = text_and_exact(&event.event_type);
        Ok(RecordArgs {
            event,
            max_attempts: i32::try_from(config.max_attempts.max(1)).unwrap_or(i32::MAX),
            key: key.as_bytes().to_vec(),
            id_text,
            id_exact,
            type_text,
            type_exact,
        })
    }

    pub(crate) fn params(&self) -> [&(dyn ToSql + Sync); 10] {
        [
            &self.event.tenant,
            &self.id_text,
            &self.type_text,
            &self.event.payload,
            &self.event.signature_header,
            &self.max_attempts,
            &self.event.received_at_unix,
            &self.key,
            &self.id_exact,
            &self.type_exact,
        ]
    }
}

/// The exact value of a text column kept with [`text_and_exact`].
fn exact(text: String, exact: Option<Vec<u8>>, id: i64) -> Result<String, Error> {
    match exact {
        None => Ok(text),
        Some(bytes) => String::from_utf8(bytes).map_err(|_| Error::UnexpectedRow {
            table: "received_webhooks",
            detail: format!("exact bytes of row {id} are not UTF-8"),
        }),
    }
}

pub(crate) fn recorded(row: Option<tokio_postgres::Row>) -> Recorded {
    match row {
        Some(_) => Recorded::New,
        None => Recorded::Duplicate,
    }
}

/// The right to settle one claimed event: its row id and the attempt it was claimed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lease {
    /// The event's row id in `received_webhooks`.
    pub id: i64,
    attempt: i32,
}

/// An event leased to a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxEvent {
    /// Its row id.
    pub id: i64,
    /// The receiving tenant.
    pub tenant: String,
    /// The event's `id`.
    pub event_id: String,
    /// The event's `type`.
    pub event_type: String,
    /// The raw body, exactly as received.
    pub payload: Vec<u8>,
    /// The `Molam-Signature` header it came with.
    pub signature_header: Option<String>,
    /// Which attempt this is, from 1.
    pub attempt: u32,
    /// The attempt after which a failure dead-letters the event.
    pub max_attempts: u32,
    /// When it was received, Unix milliseconds.
    pub received_at_ms: i64,
    lease: Lease,
}

impl Lease {
    /// The parameters every settling statement starts with: row id, attempt.
    pub(crate) fn parts(&self) -> (i64, i32) {
        (self.id, self.attempt)
    }
}

impl InboxEvent {
    /// The lease to settle this event with.
    pub fn lease(&self) -> Lease {
        self.lease
    }

    pub(crate) fn from_row(row: &tokio_postgres::Row) -> Result<Self, Error> {
        let id: i64 = row.try_get(0)?;
        let attempt: i32 = row.try_get(6)?;
        let max_attempts: i32 = row.try_get(7)?;
        let count = |n: i32, what: &str| {
            u32::try_from(n).map_err(|_| Error::UnexpectedRow {
                table: "received_webhooks",
                detail: format!("negative {what} {n} for row {id}"),
            })
        };
        Ok(InboxEvent {
            id,
            tenant: row.try_get(1)?,
            event_id: exact(row.try_get(2)?, row.try_get(9)?, id)?,
            event_type: exact(row.try_get(3)?, row.try_get(10)?, id)?,
            payload: row.try_get(4)?,
            signature_header: row.try_get(5)?,
            attempt: count(attempt, "attempts")?,
            max_attempts: count(max_attempts, "max_attempts")?,
            received_at_ms: row.try_get(8)?,
            lease: Lease { id, attempt },
        })
    }
}

/// How settling a leased event ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Settlement {
    /// Marked `succeeded`.
    Succeeded,
    /// Marked `retryable`, due again after the given delay.
    Retrying,
    /// Marked `dead`: it used its last attempt.
    Dead,
    /// Due again at once, without counting the attempt (see `release`).
    Released,
    /// Nothing changed: the lease expired and another worker took the event over.
    LeaseLost,
}

impl Settlement {
    pub(crate) fn from_state(row: Option<tokio_postgres::Row>) -> Result<Self, Error> {
        let Some(row) = row else {
            return Ok(Settlement::LeaseLost);
        };
        let state: String = row.try_get(0)?;
        match state.as_str() {
            "succeeded" => Ok(Settlement::Succeeded),
            "retryable" => Ok(Settlement::Retrying),
            "dead" => Ok(Settlement::Dead),
            "released" => Ok(Settlement::Released),
            other => Err(Error::UnexpectedRow {
                table: "received_webhooks",
                detail: format!("state {other:?} after settling"),
            }),
        }
    }
}

/// Bounds and parameters of the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxConfig {
    /// Attempts an event gets before it is dead-lettered (stored per event at record time).
    pub max_attempts: u32,
}

impl Default for InboxConfig {
    fn default() -> Self {
        InboxConfig {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }
}

/// Milliseconds as the SQL statements take them, saturating (an absurd duration is "forever").
pub(crate) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub(crate) fn batch_param(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The webhook inbox over a connection pool.
///
/// ```no_run
/// # async fn demo(pool: deadpool_postgres::Pool) -> Result<(), molam_postgres::Error> {
/// use molam_core::inbox::ReceivedEvent;
/// use molam_postgres::PgWebhookInbox;
/// let inbox = PgWebhookInbox::new(pool);
/// let event = ReceivedEvent {
///     tenant: String::new(),
///     event_id: "evt_1".into(),
///     event_type: "payment_intent.succeeded".into(),
///     payload: br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#.to_vec(),
///     signature_header: Some("t=1700000000,v1=…".into()),
///     received_at_unix: 1_700_000_000,
/// };
/// let recorded = inbox.record(&event).await?;
/// // Answer 2xx now, whether `recorded` is New or Duplicate.
/// # let _ = recorded; Ok(()) }
/// ```
#[derive(Clone)]
pub struct PgWebhookInbox {
    pub(crate) pool: Pool,
    config: InboxConfig,
}

impl std::fmt::Debug for PgWebhookInbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgWebhookInbox")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl PgWebhookInbox {
    /// An inbox with the default configuration.
    pub fn new(pool: Pool) -> Self {
        Self::with_config(pool, InboxConfig::default())
    }

    /// An inbox with the given configuration.
    pub fn with_config(pool: Pool, config: InboxConfig) -> Self {
        PgWebhookInbox { pool, config }
    }

    /// Stores a verified delivery unless its tenant already has an event with its id. Once
    /// this returns `Ok`, the event is durable: answer Molam 2xx (New and Duplicate alike).
    ///
    /// The core's inbox rule comes first ([`ReceivedEvent::admit`]): a refused event is
    /// [`Error::Refused`] here and answered with a 4xx by an endpoint. Any id and type are
    /// recorded: keyed by their digest, kept byte for byte.
    pub async fn record(&self, event: &ReceivedEvent) -> Result<Recorded, Error> {
        let args = RecordArgs::new(event, &self.config).map_err(Error::Refused)?;
        let client = self.pool.get().await?;
        Ok(recorded(
            client.query_opt(sql::INBOX_RECORD, &args.params()).await?,
        ))
    }

    /// Leases up to `n` due events to `worker_id` for `lease`; events whose previous lease
    /// expired are rescued. Concurrent callers never get the same event.
    pub async fn claim_batch(
        &self,
        worker_id: &str,
        n: usize,
        lease: Duration,
    ) -> Result<Vec<InboxEvent>, Error> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                sql::INBOX_CLAIM,
                &[&worker_id, &batch_param(n), &millis(lease)],
            )
            .await?;
        rows.iter().map(InboxEvent::from_row).collect()
    }

    /// How many events wait to be handled: received but not yet handled, or failed and due
    /// again later (not those leased right now, handled, or dead-lettered).
    pub async fn backlog(&self) -> Result<u64, Error> {
        let client = self.pool.get().await?;
        let count: i64 = client
            .query_one(sql::INBOX_BACKLOG, &[])
            .await?
            .try_get(0)?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Extends a lease still held by `lease` from now: the heartbeat of a handler that runs
    /// long. `false`: the lease was lost (it had expired and another worker took the event).
    pub async fn renew(&self, lease: &Lease, duration: Duration) -> Result<bool, Error> {
        let client = self.pool.get().await?;
        let (id, attempt) = lease.parts();
        let row = client
            .query_opt(sql::INBOX_RENEW, &[&id, &attempt, &millis(duration)])
            .await?;
        Ok(row.is_some())
    }

    /// Marks a leased event handled.
    pub async fn succeed(&self, lease: &Lease) -> Result<Settlement, Error> {
        self.settle(sql::INBOX_SUCCEED, lease, &[]).await
    }

    /// Records a failed attempt: the event is retried after `retry_in`, or dead-lettered if
    /// that was its last attempt. `error` is kept (its first 4096 characters) in `last_error`.
    pub async fn fail(
        &self,
        lease: &Lease,
        error: &str,
        retry_in: Duration,
    ) -> Result<Settlement, Error> {
        self.settle(sql::INBOX_FAIL, lease, &[&error, &millis(retry_in)])
            .await
    }

    /// Gives back a leased event that was not handled (shutting down): it is due again at
    /// once and this attempt does not count.
    pub async fn release(&self, lease: &Lease) -> Result<Settlement, Error> {
        self.settle(sql::INBOX_RELEASE, lease, &[]).await
    }

    async fn settle(
        &self,
        statement: &str,
        lease: &Lease,
        extra: &[&(dyn ToSql + Sync)],
    ) -> Result<Settlement, Error> {
        let client = self.pool.get().await?;
        let (id, attempt) = lease.parts();
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&id, &attempt];
        params.extend_from_slice(extra);
        Settlement::from_state(client.query_opt(statement, &params).await?)
    }
}

/// The core's inbox port, for webhook endpoints (`molam-axum`): an `Err` makes the endpoint
/// answer 503, so Molam delivers again.
impl AsyncWebhookInbox for PgWebhookInbox {
    fn record<'a>(&'a self, event: &'a ReceivedEvent) -> InboxFuture<'a, Recorded> {
        Box::pin(async move {
            PgWebhookInbox::record(self, event)
                .await
                .map_err(|e| match e {
                    Error::Refused(refusal) => InboxError::refused(refusal),
                    other => InboxError::new(other.to_string()),
                })
        })
    }
}
