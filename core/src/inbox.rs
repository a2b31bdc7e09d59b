//! The webhook inbox port: where a verified delivery is recorded before Molam gets its 2xx.
//!
//! DESIGN.md, "Webhooks on the merchant's side": verify → **record**, keyed by tenant and
//! event id, duplicates ignored → answer 2xx → workers handle the recorded events. An endpoint
//! (`molam-axum`) holds an [`AsyncWebhookInbox`] and answers 2xx only once
//! [`AsyncWebhookInbox::record`] returned `Ok`, for [`Recorded::New`] and
//! [`Recorded::Duplicate`] alike; on `Err` it answers 503 so Molam delivers again. So no event
//! is lost once a 2xx was sent, and none is handled before it is recorded.
//!
//! Two implementations: [`InMemoryWebhookInbox`] here (one process, no durability: demos and
//! tests), and `PgWebhookInbox` in `molam-postgres` (durable, leases, many workers).
//!
//! No I/O and no clock here: the receive time is the caller's, in [`ReceivedEvent`].
//!
//! ```
//! use molam_core::inbox::{AsyncWebhookInbox, InMemoryWebhookInbox, ReceivedEvent, Recorded};
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     struct Noop;
//! #     impl std::task::Wake for Noop { fn wake(self: std::sync::Arc<Self>) {} }
//! #     let waker = std::task::Waker::from(std::sync::Arc::new(Noop));
//! #     let mut f = std::pin::pin!(f);
//! #     let mut cx = std::task::Context::from_waker(&waker);
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! let inbox = InMemoryWebhookInbox::new();
//! let event = ReceivedEvent {
//!     tenant: String::new(),
//!     event_id: "evt_1".into(),
//!     event_type: "payment_intent.succeeded".into(),
//!     payload: br#"{"id":"evt_1"}"#.to_vec(),
//!     signature_header: Some("t=1700000000,v1=…".into()),
//!     received_at_unix: 1_700_000_000,
//! };
//! assert_eq!(block_on(inbox.record(&event)), Ok(Recorded::New));
//! assert_eq!(block_on(inbox.record(&event)), Ok(Recorded::Duplicate));
//!
//! let claimed = inbox.claim_batch(10);
//! assert_eq!(claimed.len(), 1);
//! assert!(inbox.succeed(&claimed[0]));
//! assert_eq!(inbox.count(molam_core::inbox::EntryState::Succeeded), 1);
//! ```

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

#[cfg(test)]
mod tests;

/// What [`AsyncWebhookInbox::record`] did with a delivery. Either way, answer 2xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub enum Recorded {
    /// A new event, now stored.
    New,
    /// The tenant already has an event with this id: nothing stored.
    Duplicate,
}

/// A verified delivery, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedEvent {
    /// The receiving tenant; `""` for a single-tenant receiver.
    pub tenant: String,
    /// The event's `id` (`evt_…`): the deduplication key within the tenant.
    pub event_id: String,
    /// The event's `type` (`payment_intent.succeeded`, …).
    pub event_type: String,
    /// The raw body, exactly as received (and verified).
    pub payload: Vec<u8>,
    /// The `Molam-Signature` header it came with.
    pub signature_header: Option<String>,
    /// When it was received, unix seconds (the receiver's clock).
    pub received_at_unix: i64,
}

/// The digest an inbox keys an event by: SHA-256 of the tenant's length (8 bytes, big
/// endian), the tenant and the event id, all as UTF-8. Whatever an id holds (NUL, 10,000
/// characters), its key is 32 bytes, so every store can index it.
///
/// ```
/// use molam_core::inbox::EventKey;
/// let key = EventKey::new("acme", "evt_1");
/// assert_eq!(key, EventKey::new("acme", "evt_1"));
/// assert_ne!(key, EventKey::new("acm", "eevt_1"), "the tenant's length is part of it");
/// assert_eq!(key.as_bytes().len(), 32);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventKey([u8; 32]);

impl EventKey {
    /// The key of `event_id` within `tenant`.
    pub fn new(tenant: &str, event_id: &str) -> Self {
        use sha2::{Digest, Sha256};
        let tenant_len = u64::try_from(tenant.len()).unwrap_or(u64::MAX);
        let mut hasher = Sha256::new();
        hasher.update(tenant_len.to_be_bytes());
        hasher.update(tenant.as_bytes());
        hasher.update(event_id.as_bytes());
        let digest = hasher.finalize();
        let mut key = [0u8; 32];
        key.copy_from_slice(&digest);
        EventKey(key)
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for EventKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventKey(")?;
        for b in &self.0[..8] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}

/// Why an inbox refuses a verified event: the one rule every inbox applies
/// ([`ReceivedEvent::admit`]), so the in-memory and the PostgreSQL inbox agree. A refused
/// event is answered at once with a 4xx saying why; it is never "not now" (503), which the
/// sender would repeat until it gives up.
///
/// The rule refuses little: any id and type are recorded (keyed by [`EventKey`], stored
/// byte for byte).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The event's `id` is empty: there is nothing to deduplicate on.
    #[error("the event id is empty")]
    EmptyEventId,
    /// The tenant contains a NUL character (a receiver's route gave it; no store keeps it).
    #[error("the tenant name contains a NUL character")]
    TenantWithNul,
}

impl ReceivedEvent {
    /// The key this event is recorded under.
    pub fn key(&self) -> EventKey {
        EventKey::new(&self.tenant, &self.event_id)
    }

    /// The rule every inbox applies before recording: the event's key, or why it is refused.
    ///
    /// ```
    /// use molam_core::inbox::{ReceivedEvent, Refusal};
    /// let mut event = ReceivedEvent {
    ///     tenant: String::new(),
    ///     event_id: "evt_\u{0}".repeat(2_000),
    ///     event_type: "payout.paid".into(),
    ///     payload: b"{}".to_vec(),
    ///     signature_header: None,
    ///     received_at_unix: 1_700_000_000,
    /// };
    /// assert!(event.admit().is_ok(), "NUL and 10,000 characters are recorded");
    /// event.event_id.clear();
    /// assert_eq!(event.admit(), Err(Refusal::EmptyEventId));
    /// ```
    pub fn admit(&self) -> Result<EventKey, Refusal> {
        if self.event_id.is_empty() {
            return Err(Refusal::EmptyEventId);
        }
        if self.tenant.contains('\0') {
            return Err(Refusal::TenantWithNul);
        }
        Ok(self.key())
    }
}

/// The inbox could not record (or settle) an event: a database down, a pool exhausted — or it
/// refused the event by the inbox rule ([`InboxError::refusal`]).
///
/// Its message is the store's, which must not contain secrets (the stores here never put
/// connection strings or payloads in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxError {
    message: String,
    refusal: Option<Refusal>,
}

impl InboxError {
    /// A failure with this message: nothing was recorded, try again later.
    pub fn new(message: impl Into<String>) -> Self {
        InboxError {
            message: message.into(),
            refusal: None,
        }
    }

    /// The event was refused by the inbox rule; delivering it again will not change that.
    pub fn refused(refusal: Refusal) -> Self {
        InboxError {
            message: refusal.to_string(),
            refusal: Some(refusal),
        }
    }

    /// The store's message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Why the event was refused, when it was (`None`: a failure, try again later).
    pub fn refusal(&self) -> Option<&Refusal> {
        self.refusal.as_ref()
    }
}

impl fmt::Display for InboxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.refusal {
            Some(refusal) => write!(f, "webhook inbox refused the event: {refusal}"),
            None => write!(f, "webhook inbox failed: {}", self.message),
        }
    }
}

impl std::error::Error for InboxError {}

impl From<Refusal> for InboxError {
    fn from(refusal: Refusal) -> Self {
        InboxError::refused(refusal)
    }
}

/// The future [`AsyncWebhookInbox::record`] returns.
pub type InboxFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, InboxError>> + Send + 'a>>;

/// Where an endpoint records verified deliveries.
///
/// Contract: `record` is atomic per `(tenant, event_id)`: of concurrent records of one event,
/// exactly one gets [`Recorded::New`]. `Ok` means the event survives whatever the inbox
/// promises to survive (a process crash for PostgreSQL, nothing for the in-memory inbox);
/// only then may the endpoint answer 2xx. `Err` means nothing may be assumed stored.
pub trait AsyncWebhookInbox: Send + Sync {
    /// Stores `event` unless its tenant already has an event with its id.
    fn record<'a>(&'a self, event: &'a ReceivedEvent) -> InboxFuture<'a, Recorded>;
}

impl<T: AsyncWebhookInbox + ?Sized> AsyncWebhookInbox for Arc<T> {
    fn record<'a>(&'a self, event: &'a ReceivedEvent) -> InboxFuture<'a, Recorded> {
        (**self).record(event)
    }
}

/// Where an event of an [`InMemoryWebhookInbox`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryState {
    /// Recorded, or failed and due again: the next [`InMemoryWebhookInbox::claim_batch`] hands it out.
    Pending,
    /// Claimed by a worker, not yet settled.
    Processing,
    /// Handled.
    Succeeded,
    /// Failed on its last allowed attempt.
    Dead,
}

/// An event claimed from an [`InMemoryWebhookInbox`]: settle it with
/// [`InMemoryWebhookInbox::succeed`] or [`InMemoryWebhookInbox::fail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxEntry {
    /// The delivery as recorded.
    pub event: ReceivedEvent,
    /// Which attempt this claim is, from 1.
    pub attempt: u32,
}

/// The default number of attempts before an event is dead-lettered (as `molam-postgres`).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;

/// An inbox in the process's memory, for demos, tests and single-process receivers that can
/// afford to lose events on a crash (use `PgWebhookInbox` otherwise).
///
/// Events are claimed oldest first. There are no leases: a claimed event stays
/// [`EntryState::Processing`] until its worker settles it.
pub struct InMemoryWebhookInbox {
    inner: Mutex<Entries>,
    max_attempts: u32,
}

#[derive(Default)]
struct Entries {
    by_key: HashMap<EventKey, Slot>,
    next_seq: u64,
}

struct Slot {
    seq: u64,
    event: ReceivedEvent,
    state: EntryState,
    attempts: u32,
    last_error: Option<String>,
}

impl Default for InMemoryWebhookInbox {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for InMemoryWebhookInbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryWebhookInbox")
            .field("events", &self.lock().by_key.len())
            .field("max_attempts", &self.max_attempts)
            .finish()
    }
}

impl InMemoryWebhookInbox {
    /// An empty inbox; events get [`DEFAULT_MAX_ATTEMPTS`] attempts.
    pub fn new() -> Self {
        Self::with_max_attempts(DEFAULT_MAX_ATTEMPTS)
    }

    /// An empty inbox whose events get `max_attempts` attempts (at least 1).
    pub fn with_max_attempts(max_attempts: u32) -> Self {
        InMemoryWebhookInbox {
            inner: Mutex::new(Entries::default()),
            max_attempts: max_attempts.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        // Every critical section leaves the map consistent, so a panic elsewhere while the
        // lock was held does not make the data unusable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The synchronous form of [`AsyncWebhookInbox::record`]: the inbox rule
    /// ([`ReceivedEvent::admit`]), then the event is stored under its [`EventKey`] unless the
    /// key is there already.
    pub fn record_now(&self, event: &ReceivedEvent) -> Result<Recorded, Refusal> {
        let key = event.admit()?;
        let mut entries = self.lock();
        if entries.by_key.contains_key(&key) {
            return Ok(Recorded::Duplicate);
        }
        let seq = entries.next_seq;
        entries.next_seq += 1;
        entries.by_key.insert(
            key,
            Slot {
                seq,
                event: event.clone(),
                state: EntryState::Pending,
                attempts: 0,
                last_error: None,
            },
        );
        Ok(Recorded::New)
    }

    /// Hands out up to `n` pending events, oldest first, marking them
    /// [`EntryState::Processing`] and counting an attempt for each.
    pub fn claim_batch(&self, n: usize) -> Vec<InboxEntry> {
        let mut entries = self.lock();
        let mut due: Vec<&mut Slot> = entries
            .by_key
            .values_mut()
            .filter(|slot| slot.state == EntryState::Pending)
            .collect();
        due.sort_by_key(|slot| slot.seq);
        due.into_iter()
            .take(n)
            .map(|slot| {
                slot.state = EntryState::Processing;
                slot.attempts += 1;
                InboxEntry {
                    event: slot.event.clone(),
                    attempt: slot.attempts,
                }
            })
            .collect()
    }

    /// Marks a claimed event handled. `false` if it is not [`EntryState::Processing`] (it was
    /// never claimed, or already settled).
    pub fn succeed(&self, entry: &InboxEntry) -> bool {
        self.settle(entry, |_, slot| {
            slot.state = EntryState::Succeeded;
            slot.last_error = None;
        })
    }

    /// Records a failed attempt of a claimed event: it is pending again, or
    /// [`EntryState::Dead`] if that was its last attempt. Returns the new state, `None` if
    /// the event was not [`EntryState::Processing`].
    pub fn fail(&self, entry: &InboxEntry, error: &str) -> Option<EntryState> {
        let mut new_state = None;
        self.settle(entry, |max_attempts, slot| {
            slot.state = if slot.attempts >= max_attempts {
                EntryState::Dead
            } else {
                EntryState::Pending
            };
            slot.last_error = Some(error.to_owned());
            new_state = Some(slot.state);
        });
        new_state
    }

    fn settle(&self, entry: &InboxEntry, change: impl FnOnce(u32, &mut Slot)) -> bool {
        let max_attempts = self.max_attempts;
        let mut entries = self.lock();
        match entries.by_key.get_mut(&entry.event.key()) {
            Some(slot)
                if slot.state == EntryState::Processing && slot.attempts == entry.attempt =>
            {
                change(max_attempts, slot);
                true
            }
            _ => false,
        }
    }

    /// Where the event `event_id` of `tenant` stands, `None` if it was never recorded.
    pub fn state(&self, tenant: &str, event_id: &str) -> Option<EntryState> {
        self.lock()
            .by_key
            .get(&EventKey::new(tenant, event_id))
            .map(|slot| slot.state)
    }

    /// The error of the last failed attempt of an event, if any.
    pub fn last_error(&self, tenant: &str, event_id: &str) -> Option<String> {
        self.lock()
            .by_key
            .get(&EventKey::new(tenant, event_id))
            .and_then(|slot| slot.last_error.clone())
    }

    /// How many events are in `state`.
    pub fn count(&self, state: EntryState) -> usize {
        self.lock()
            .by_key
            .values()
            .filter(|slot| slot.state == state)
            .count()
    }

    /// How many events were recorded (duplicates not counted).
    pub fn len(&self) -> usize {
        self.lock().by_key.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every recorded event, in the order recorded.
    pub fn events(&self) -> Vec<ReceivedEvent> {
        let entries = self.lock();
        let mut slots: Vec<&Slot> = entries.by_key.values().collect();
        slots.sort_by_key(|slot| slot.seq);
        slots.into_iter().map(|slot| slot.event.clone()).collect()
    }
}

impl AsyncWebhookInbox for InMemoryWebhookInbox {
    fn record<'a>(&'a self, event: &'a ReceivedEvent) -> InboxFuture<'a, Recorded> {
        let recorded = self.record_now(event).map_err(InboxError::refused);
        Box::pin(std::future::ready(recorded))
    }
}
