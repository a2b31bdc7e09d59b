//! Payouts (REFERENCE.md §3, §4):
//!
//! ```text
//! create ─▶ pending ─(mobile_money 5 s, bank_transfer 60 s)─▶ in_transit ─(arrival_date)─▶ paid
//!              │                                                   └─ destination "fail_…" ─▶ failed
//!              └─(cancel, only while pending)─▶ canceled
//! ```
//! `arrival_date` is 30 s after creation for mobile money and one day for bank transfers.
//! A restricted key (`sk_test_restricted_…`) may not create or cancel payouts (403).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Account, Call, Ctx, EventObject, Listed, TimerAction};
use crate::wire::{ApiError, Reply};

const STATUSES: &[&str] = &["pending", "in_transit", "paid", "failed", "canceled"];

/// Seconds until `in_transit`, and until arrival, per method.
fn schedule(method: &str) -> (i64, i64) {
    match method {
        "mobile_money" => (5, 30),
        _ => (60, 86_400),
    }
}

/// A payout exactly as REFERENCE.md §3 puts it on the wire.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Payout {
    pub(crate) id: String,
    pub(crate) object: &'static str,
    pub(crate) amount: i64,
    pub(crate) arrival_date: i64,
    pub(crate) created: i64,
    pub(crate) currency: String,
    pub(crate) description: Option<String>,
    pub(crate) destination: String,
    pub(crate) failure_code: Option<&'static str>,
    pub(crate) livemode: bool,
    pub(crate) metadata: BTreeMap<String, String>,
    pub(crate) method: &'static str,
    pub(crate) status: &'static str,
}

impl Listed for Payout {
    const KIND: &'static str = "payout";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
}

fn check_permission(cx: &Ctx<'_>) -> Result<(), ApiError> {
    if cx.restricted {
        return Err(ApiError::permission(
            "This API key is restricted and may not create or cancel payouts.",
        ));
    }
    Ok(())
}

pub(crate) fn create(
    account: &mut Account,
    call: &Call<'_>,
    cx: &mut Ctx<'_>,
) -> Result<Reply, ApiError> {
    check_permission(cx)?;
    let body = call.body;
    body.only(&[
        "amount",
        "currency",
        "method",
        "destination",
        "description",
        "metadata",
    ])?;
    let amount = body.required_amount("amount")?;
    let currency = body.currency()?;
    let method = body
        .one_of("method", &["bank_transfer", "mobile_money"])?
        .ok_or_else(|| ApiError::missing("method"))?;
    let destination = body.required_string("destination", 255)?;
    let description = body.string("description", 1000)?;
    let metadata = body.metadata()?;

    let (in_transit, arrival) = schedule(method);
    let created = cx.now.unix_seconds();
    let payout = Payout {
        id: cx.ids.next("po"),
        object: "payout",
        amount,
        arrival_date: created + arrival,
        created,
        currency,
        description,
        destination,
        failure_code: None,
        livemode: cx.livemode,
        metadata,
        method,
        status: "pending",
    };
    cx.after(in_transit, TimerAction::PayoutInTransit(payout.id.clone()));
    let payout = account.payouts.insert(payout);
    let reply = Reply::ok(&*payout);
    cx.event("payout.created", EventObject::Payout(payout.clone()));
    cx.created("payout");
    Ok(reply)
}

pub(crate) fn cancel(
    account: &mut Account,
    call: &Call<'_>,
    cx: &mut Ctx<'_>,
) -> Result<Reply, ApiError> {
    check_permission(cx)?;
    call.body.only(&[])?;
    let payout = account.payouts.find_mut(call.id())?;
    if payout.status != "pending" {
        return Err(ApiError::state(
            "payout_unexpected_state",
            format!("You cannot cancel this payout because it has a status of {}; only pending payouts can be canceled.", payout.status),
        ));
    }
    payout.status = "canceled";
    let snapshot = payout.clone();
    let reply = Reply::ok(&snapshot);
    cx.event("payout.canceled", EventObject::Payout(snapshot));
    Ok(reply)
}

pub(crate) fn list(account: &Account, call: &Call<'_>) -> Result<Reply, ApiError> {
    let q = call.list("status")?;
    if let Some(s) = q.filter.as_deref().filter(|s| !STATUSES.contains(s)) {
        return Err(ApiError::invalid(
            "status",
            format!("Invalid status: '{s}'."),
        ));
    }
    account.payouts.page("/v1/treasury/payouts", &q, |p| {
        q.filter.as_deref().is_none_or(|s| p.status == s)
    })
}

/// Timer: `pending` → `in_transit` (no event: REFERENCE.md lists none for it).
pub(crate) fn in_transit(account: &mut Account, id: &str, cx: &mut Ctx<'_>) {
    if let Some(payout) = account
        .payouts
        .get_mut(id)
        .filter(|p| p.status == "pending")
    {
        payout.status = "in_transit";
        let wait = payout.arrival_date * 1000 - cx.now.unix_ms();
        cx.after_ms(wait.max(0), TimerAction::PayoutArrives(id.to_owned()));
    }
}

/// Timer: an `in_transit` payout arrives, or fails for a `fail_…` destination.
pub(crate) fn arrive(account: &mut Account, id: &str, cx: &mut Ctx<'_>) {
    if let Some(payout) = account
        .payouts
        .get_mut(id)
        .filter(|p| p.status == "in_transit")
    {
        let kind = if payout.destination.starts_with("fail_") {
            payout.status = "failed";
            payout.failure_code = Some("account_closed");
            "payout.failed"
        } else {
            payout.status = "paid";
            "payout.paid"
        };
        let snapshot = payout.clone();
        cx.event(kind, EventObject::Payout(snapshot));
    }
}
