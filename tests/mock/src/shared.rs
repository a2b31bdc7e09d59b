//! What the handler's lock guards: the world of accounts, the virtual clock offset, fault
//! draws, counters and the webhook queue; and how an endpoint's effects are recorded.

use std::collections::BTreeMap;

use http::Method;

use crate::auth::Caller;
use crate::clock::MockTime;
use crate::config::MockConfig;
use crate::dashboard::journal::Journal;
use crate::faults::Faults;
use crate::idempotency::{Claim, Fingerprint};
use crate::ids::IdGenerator;
use crate::params::Body;
use crate::platform::Stamp;
use crate::state::{Effects, Event, EventData, EventRequest, World};
use crate::stats::Stats;
use crate::webhooks::Webhooks;
use crate::wire::ApiError;

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) world: World,
    /// Added to the caller's time: `/__mock/advance` moves it forward.
    pub(crate) clock_offset_ms: i64,
    pub(crate) faults: Faults,
    pub(crate) stats: Stats,
    pub(crate) webhooks: Webhooks,
    pub(crate) request_ids: IdGenerator,
    /// Added to every object answered (`MockConfig::extra_object_fields`).
    pub(crate) extra_object_fields: BTreeMap<String, serde_json::Value>,
    /// The dashboard's request log.
    pub(crate) journal: Journal,
}

impl Shared {
    pub(crate) fn new(config: &MockConfig) -> Self {
        Shared {
            world: World::new(config.seed),
            clock_offset_ms: 0,
            faults: Faults::new(config.faults.clone(), config.seed),
            stats: Stats::default(),
            webhooks: Webhooks::new(
                config.webhook_urls.clone(),
                config.webhook_secret.clone(),
                config.webhook_kid.clone(),
                config.webhook_retry,
            ),
            request_ids: IdGenerator::for_requests(config.seed),
            extra_object_fields: config.extra_object_fields.clone(),
            journal: Journal::default(),
        }
    }

    /// The mock's time for a caller's time.
    pub(crate) fn effective(&self, now: MockTime) -> MockTime {
        MockTime::from_unix_ms(now.unix_ms().saturating_add(self.clock_offset_ms))
    }

    /// Fires every timer due at `now` (mock time), recording what they change.
    pub(crate) fn tick(&mut self, now: MockTime) {
        if self
            .world
            .timers
            .next_due()
            .is_none_or(|due| due > now.unix_ms())
        {
            return;
        }
        loop {
            let fired = self.world.run_timers(now);
            if fired.is_empty() {
                break;
            }
            for f in fired {
                self.record(&f.account, f.livemode, f.when, f.effects, None);
            }
        }
    }

    /// Records an endpoint's or a timer's effects: events (queued for webhooks), timers,
    /// counters.
    pub(crate) fn record(
        &mut self,
        account: &str,
        livemode: bool,
        when: MockTime,
        effects: Effects,
        request: Option<EventRequest>,
    ) {
        for kind in effects.created {
            self.stats.created(kind);
        }
        for (due, action) in effects.timers {
            self.world.timers.add(account, due, action);
        }
        if effects.events.is_empty() {
            return;
        }
        let Some(acct) = self.world.accounts.get_mut(account) else {
            return;
        };
        for (kind, object) in effects.events {
            let event = Event {
                id: self.world.ids.next("evt"),
                object: "event",
                api_version: crate::state::API_VERSION,
                created: when.unix_seconds(),
                data: EventData { object },
                livemode,
                request: request.clone(),
                kind,
            };
            if self.webhooks.wants_events() {
                let stamp = Stamp {
                    account: acct.connected.as_deref(),
                    extra: Some(&self.extra_object_fields),
                };
                if let Ok(body) = serde_json::to_vec(&event).map(|body| stamp.apply(body)) {
                    // Deliveries are due by the caller's clock, not the advanced one.
                    let now_ms = when.unix_ms().saturating_sub(self.clock_offset_ms);
                    self.webhooks.enqueue(&event.id, body, now_ms);
                }
            }
            acct.events.insert(event);
            self.stats.created("event");
        }
    }

    /// Claims a delayed request's idempotency key for the time of its delay, when the
    /// request is otherwise well-formed and the key is free. Returns (scope, key) held.
    pub(crate) fn claim_for_delay(
        &mut self,
        caller: &Result<Caller, ApiError>,
        key: &Result<Option<String>, ApiError>,
        method: &Method,
        target: &str,
        body: &Result<Body, ApiError>,
        now: MockTime,
    ) -> Option<(String, String)> {
        let (Ok(caller), Ok(Some(key)), Ok(body)) = (caller, key, body) else {
            return None;
        };
        if method != Method::POST {
            return None;
        }
        let scope = caller.scope();
        let account = self.world.accounts.entry(scope.clone()).or_default();
        account.connected.clone_from(&caller.account);
        let fingerprint = Fingerprint {
            method: method.clone(),
            target: target.to_owned(),
            body: body.clone(),
        };
        match account.idempotency.claim(key, &fingerprint, now.unix_ms()) {
            Claim::Proceed => Some((scope, key.clone())),
            _ => None,
        }
    }
}
