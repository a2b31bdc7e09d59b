//! Refunds of a paid intent's charge (REFERENCE.md §3, §4): the refunds of a charge never add up
//! to more than its amount received; without `amount` a refund takes what is left. Card
//! refunds succeed at once; mobile money refunds are `pending` for 10 s, then `succeeded`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Account, Call, Ctx, EventObject, Listed, TimerAction};
use crate::wire::{ApiError, Reply};

/// Seconds a mobile money refund stays `pending`.
pub(crate) const MOBILE_MONEY_REFUND_SECONDS: i64 = 10;

/// A refund exactly as REFERENCE.md §3 puts it on the wire.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Refund {
    pub(crate) id: String,
    pub(crate) object: &'static str,
    pub(crate) amount: i64,
    pub(crate) charge: String,
    pub(crate) created: i64,
    pub(crate) currency: String,
    pub(crate) livemode: bool,
    pub(crate) metadata: BTreeMap<String, String>,
    pub(crate) payment_intent: String,
    pub(crate) reason: Option<&'static str>,
    pub(crate) status: &'static str,
}

impl Listed for Refund {
    const KIND: &'static str = "refund";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
}

/// The charge a path names: a `ch_…` id, or a `pi_…` id standing for its latest charge.
fn charge_id(account: &Account, path_id: &str) -> Result<String, ApiError> {
    if path_id.starts_with("pi_") {
        let pi = account.payment_intents.find(path_id)?;
        return pi.latest_charge.clone().ok_or_else(|| {
            ApiError::state(
                "payment_intent_unexpected_state",
                format!(
                    "PaymentIntent {path_id} has no charge to refund; its status is {}.",
                    pi.status
                ),
            )
        });
    }
    Ok(account.charges.find(path_id)?.id.clone())
}

pub(crate) fn create(
    account: &mut Account,
    call: &Call<'_>,
    cx: &mut Ctx<'_>,
) -> Result<Reply, ApiError> {
    let body = call.body;
    body.only(&["amount", "reason", "metadata"])?;
    let requested = body.amount("amount")?;
    let reason = body.one_of(
        "reason",
        &["duplicate", "fraudulent", "requested_by_customer"],
    )?;
    let metadata = body.metadata()?;

    let charge_id = charge_id(account, call.id())?;
    let charge = account.charges.find(&charge_id)?;
    let pi = account.payment_intents.find(&charge.payment_intent)?;
    if pi.status != "succeeded" {
        return Err(ApiError::state(
            "payment_intent_unexpected_state",
            format!(
                "Charge {charge_id} cannot be refunded: its PaymentIntent has a status of {}.",
                pi.status
            ),
        ));
    }
    let left = pi.amount_received - pi.amount_refunded;
    if left <= 0 {
        return Err(ApiError::state(
            "charge_already_refunded",
            format!("Charge {charge_id} has already been refunded."),
        ));
    }
    let amount = requested.unwrap_or(left);
    if amount > left {
        return Err(ApiError {
            code: Some("amount_too_large"),
            param: Some("amount".to_owned()),
            ..ApiError::state(
                "amount_too_large",
                format!("Refund amount ({amount}) is greater than the unrefunded amount on charge {charge_id} ({left})."),
            )
        });
    }
    let is_card = charge.payment_method.starts_with("pm_card");
    let pi_id = pi.id.clone();
    let refund = Refund {
        id: cx.ids.next("re"),
        object: "refund",
        amount,
        charge: charge_id.clone(),
        created: cx.now.unix_seconds(),
        currency: pi.currency.clone(),
        livemode: cx.livemode,
        metadata,
        payment_intent: pi_id.clone(),
        reason,
        status: if is_card { "succeeded" } else { "pending" },
    };
    if let Some(pi) = account.payment_intents.get_mut(&pi_id) {
        pi.amount_refunded += amount;
    }
    let charge = account.charges.find_mut(&charge_id)?;
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    let charge = charge.clone();
    if !is_card {
        cx.after(
            MOBILE_MONEY_REFUND_SECONDS,
            TimerAction::SettleRefund(refund.id.clone()),
        );
    }
    let refund = account.refunds.insert(refund);
    let reply = Reply::ok(&*refund);
    cx.event("refund.created", EventObject::Refund(refund.clone()));
    cx.event("charge.refunded", EventObject::Charge(charge));
    cx.created("refund");
    Ok(reply)
}

pub(crate) fn list(account: &Account, call: &Call<'_>) -> Result<Reply, ApiError> {
    let q = call.list("payment_intent")?;
    account.refunds.page("/v1/connect/refunds", &q, |r| {
        q.filter.as_deref().is_none_or(|p| r.payment_intent == p)
    })
}

/// Timer: a `pending` refund succeeds.
pub(crate) fn settle(account: &mut Account, id: &str, cx: &mut Ctx<'_>) {
    if let Some(refund) = account
        .refunds
        .get_mut(id)
        .filter(|r| r.status == "pending")
    {
        refund.status = "succeeded";
        let snapshot = refund.clone();
        cx.event("refund.updated", EventObject::Refund(snapshot));
    }
}
