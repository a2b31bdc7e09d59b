//! The mock's in-memory world: one [`Account`] per API key and connected account, the objects in it, the timers
//! that move time-driven states, and the effects (events, timers) an endpoint leaves behind.
//! Endpoints live in the sibling modules, one per resource; none of them does I/O.

mod events;
mod list;
mod payment_intents;
mod payouts;
mod refunds;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

pub(crate) use events::{Event, EventData, EventObject, EventRequest, API_VERSION};
pub(crate) use list::{Collection, Listed};
pub(crate) use payment_intents::{Charge, PaymentIntent};
pub(crate) use payouts::Payout;
pub(crate) use refunds::Refund;

use crate::clock::MockTime;
use crate::idempotency::IdempotencyStore;
use crate::ids::IdGenerator;
use crate::params::{Body, ListQuery};
use crate::router::Endpoint;
use crate::wire::{ApiError, Reply};

/// Everything one API key sees, or one connected account through one API key
/// (REFERENCE.md §6): its objects, events and idempotency records.
#[derive(Debug, Default)]
pub(crate) struct Account {
    pub(crate) livemode: bool,
    /// The connected account this state belongs to (`None`: the key's own account).
    pub(crate) connected: Option<String>,
    pub(crate) payment_intents: Collection<PaymentIntent>,
    pub(crate) charges: Collection<Charge>,
    pub(crate) refunds: Collection<Refund>,
    pub(crate) payouts: Collection<Payout>,
    pub(crate) events: Collection<Event>,
    pub(crate) idempotency: IdempotencyStore,
}

/// A state change due at a time: applied when a later request, a delivery poll or
/// `/__mock/advance` brings the clock past it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TimerAction {
    /// `processing` → `succeeded`.
    SettlePaymentIntent(String),
    /// The customer completes the `requires_action` step: → `succeeded`.
    CompleteAction(String),
    /// Refund `pending` → `succeeded`.
    SettleRefund(String),
    /// Payout `pending` → `in_transit`.
    PayoutInTransit(String),
    /// Payout `in_transit` → `paid` (or `failed` for a failing destination).
    PayoutArrives(String),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Timer {
    due_ms: i64,
    seq: u64,
    account: String,
    action: TimerAction,
}

/// What an endpoint did besides answering: events to record, timers to set, objects made.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    pub(crate) events: Vec<(&'static str, EventObject)>,
    pub(crate) timers: Vec<(i64, TimerAction)>,
    pub(crate) created: Vec<&'static str>,
}

/// What an endpoint gets: the time, the id generator, the caller's rights, and a place to
/// leave effects.
pub(crate) struct Ctx<'a> {
    pub(crate) now: MockTime,
    pub(crate) ids: &'a mut IdGenerator,
    pub(crate) livemode: bool,
    pub(crate) restricted: bool,
    pub(crate) effects: Effects,
}

impl Ctx<'_> {
    pub(crate) fn event(&mut self, kind: &'static str, object: EventObject) {
        self.effects.events.push((kind, object));
    }

    pub(crate) fn after(&mut self, seconds: i64, action: TimerAction) {
        self.after_ms(seconds.saturating_mul(1000), action);
    }

    pub(crate) fn after_ms(&mut self, ms: i64, action: TimerAction) {
        let due = self.now.unix_ms().saturating_add(ms);
        self.effects.timers.push((due, action));
    }

    pub(crate) fn created(&mut self, kind: &'static str) {
        self.effects.created.push(kind);
    }
}

/// A request reduced to what endpoints read.
pub(crate) struct Call<'a> {
    pub(crate) endpoint: Endpoint,
    pub(crate) id: Option<&'a str>,
    pub(crate) query: Option<&'a str>,
    pub(crate) body: &'a Body,
}

impl Call<'_> {
    pub(crate) fn id(&self) -> &str {
        self.id.unwrap_or("")
    }

    pub(crate) fn list(&self, filter: &str) -> Result<ListQuery, ApiError> {
        ListQuery::parse(self.query, filter)
    }
}

/// Runs one `/v1/` endpoint against `account`.
pub(crate) fn execute(
    account: &mut Account,
    call: &Call<'_>,
    cx: &mut Ctx<'_>,
) -> Result<Reply, ApiError> {
    use Endpoint::*;
    match call.endpoint {
        CreatePaymentIntent => payment_intents::create(account, call, cx),
        RetrievePaymentIntent => Ok(Reply::ok(account.payment_intents.find(call.id())?)),
        ConfirmPaymentIntent => payment_intents::confirm(account, call, cx),
        CancelPaymentIntent => payment_intents::cancel(account, call, cx),
        ListPaymentIntents => payment_intents::list(account, call),
        RetrieveCharge => Ok(Reply::ok(account.charges.find(call.id())?)),
        CreateRefund => refunds::create(account, call, cx),
        RetrieveRefund => Ok(Reply::ok(account.refunds.find(call.id())?)),
        ListRefunds => refunds::list(account, call),
        CreatePayout => payouts::create(account, call, cx),
        RetrievePayout => Ok(Reply::ok(account.payouts.find(call.id())?)),
        CancelPayout => payouts::cancel(account, call, cx),
        ListPayouts => payouts::list(account, call),
        RetrieveEvent => Ok(Reply::ok(account.events.find(call.id())?)),
        ListEvents => events::list(account, call),
        MockHealth | MockStats | MockGetFaults | MockSetFaults | MockAdvance | MockReset
        | MockListWebhooks | MockAddWebhook | MockDashboard | MockDashboardState
        | MockResendDelivery => Err(ApiError::internal(
            "a control endpoint reached the API dispatcher".to_owned(),
        )),
    }
}

/// Applies a due timer to its account.
fn fire(account: &mut Account, action: &TimerAction, cx: &mut Ctx<'_>) {
    match action {
        TimerAction::SettlePaymentIntent(id) => payment_intents::settle(account, id, cx),
        TimerAction::CompleteAction(id) => payment_intents::complete_action(account, id, cx),
        TimerAction::SettleRefund(id) => refunds::settle(account, id, cx),
        TimerAction::PayoutInTransit(id) => payouts::in_transit(account, id, cx),
        TimerAction::PayoutArrives(id) => payouts::arrive(account, id, cx),
    }
}

/// Pending timers, earliest first.
#[derive(Debug, Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<Timer>>,
    seq: u64,
}

impl Timers {
    pub(crate) fn add(&mut self, account: &str, due_ms: i64, action: TimerAction) {
        self.seq += 1;
        self.heap.push(Reverse(Timer {
            due_ms,
            seq: self.seq,
            account: account.to_owned(),
            action,
        }));
    }

    pub(crate) fn next_due(&self) -> Option<i64> {
        self.heap.peek().map(|Reverse(t)| t.due_ms)
    }

    /// Removes and returns the earliest timer if it is due at `now_ms`.
    fn pop_due(&mut self, now_ms: i64) -> Option<Timer> {
        match self.heap.peek() {
            Some(Reverse(t)) if t.due_ms <= now_ms => self.heap.pop().map(|Reverse(t)| t),
            _ => None,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }
}

/// All accounts plus what spans them.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) accounts: HashMap<String, Account>,
    pub(crate) ids: IdGenerator,
    pub(crate) timers: Timers,
}

/// The events and objects a step left behind, tagged with their account, for the caller to
/// record (events go to webhooks, counts to stats).
pub(crate) struct Fired {
    pub(crate) account: String,
    pub(crate) effects: Effects,
    pub(crate) livemode: bool,
    pub(crate) when: MockTime,
}

impl World {
    pub(crate) fn new(seed: u64) -> Self {
        World {
            accounts: HashMap::new(),
            ids: IdGenerator::new(seed),
            timers: Timers::default(),
        }
    }

    /// Fires the timers due at `now`, in due order; a fired timer may set further ones,
    /// which fire too if due. Returns what they did.
    pub(crate) fn run_timers(&mut self, now: MockTime) -> Vec<Fired> {
        let mut fired = Vec::new();
        while let Some(timer) = self.timers.pop_due(now.unix_ms()) {
            let Some(account) = self.accounts.get_mut(&timer.account) else {
                continue;
            };
            // A timer's changes happen at its due time, which is never after `now`.
            let when = MockTime::from_unix_ms(timer.due_ms);
            let mut cx = Ctx {
                now: when,
                ids: &mut self.ids,
                livemode: account.livemode,
                restricted: false,
                effects: Effects::default(),
            };
            fire(account, &timer.action, &mut cx);
            let effects = cx.effects;
            for (due, action) in &effects.timers {
                self.timers.add(&timer.account, *due, action.clone());
            }
            fired.push(Fired {
                account: timer.account,
                livemode: account.livemode,
                effects,
                when,
            });
        }
        fired
    }
}
