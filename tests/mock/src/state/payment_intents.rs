//! Payment intents and their charges (REFERENCE.md §3, §4), with the test payment methods:
//!
//! ```text
//! create ─▶ requires_payment_method ─(confirm + pm)─┐
//! create + pm ─▶ requires_confirmation ─(confirm)───┤
//!                                                   ├─ pm_card_visa, pm_momo_success ─▶ succeeded
//!                                                   ├─ pm_card_3ds ─▶ requires_action ─(30 s)─▶ succeeded
//!                                                   ├─ pm_momo_pending ─▶ processing ─(10 s)─▶ succeeded
//!                                                   └─ pm_card_declined, pm_card_insufficient_funds,
//!                                                      pm_momo_timeout ─▶ 402, back to requires_payment_method
//! any state but succeeded and canceled ─(cancel)─▶ canceled
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Account, Call, Ctx, EventObject, Listed, TimerAction};
use crate::wire::{ApiError, Reply};

/// Seconds a `processing` intent takes to succeed.
pub(crate) const PROCESSING_SECONDS: i64 = 10;
/// Seconds the customer takes to complete a `requires_action` step.
pub(crate) const ACTION_SECONDS: i64 = 30;

const STATUSES: &[&str] = &[
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "succeeded",
    "canceled",
];

/// What a test payment method does on confirm.
enum TestMethod {
    Succeeds,
    RequiresAction,
    Pending,
    Declined {
        code: &'static str,
        decline_code: &'static str,
        message: &'static str,
    },
}

const TEST_METHODS: &[&str] = &[
    "pm_card_visa",
    "pm_momo_success",
    "pm_card_declined",
    "pm_card_insufficient_funds",
    "pm_card_3ds",
    "pm_momo_pending",
    "pm_momo_timeout",
];

fn test_method(pm: &str) -> Option<TestMethod> {
    Some(match pm {
        "pm_card_visa" | "pm_momo_success" => TestMethod::Succeeds,
        "pm_card_3ds" => TestMethod::RequiresAction,
        "pm_momo_pending" => TestMethod::Pending,
        "pm_card_declined" => TestMethod::Declined {
            code: "card_declined",
            decline_code: "generic_decline",
            message: "Your card was declined.",
        },
        "pm_card_insufficient_funds" => TestMethod::Declined {
            code: "insufficient_funds",
            decline_code: "insufficient_funds",
            message: "Your card has insufficient funds.",
        },
        "pm_momo_timeout" => TestMethod::Declined {
            code: "mobile_money_timeout",
            decline_code: "mobile_money_timeout",
            message: "The customer did not approve the mobile money payment in time.",
        },
        _ => return None,
    })
}

/// A payment intent exactly as REFERENCE.md §3 puts it on the wire.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PaymentIntent {
    pub(crate) id: String,
    pub(crate) object: &'static str,
    pub(crate) amount: i64,
    pub(crate) amount_received: i64,
    pub(crate) amount_refunded: i64,
    pub(crate) cancellation_reason: Option<&'static str>,
    pub(crate) client_secret: String,
    pub(crate) created: i64,
    pub(crate) currency: String,
    pub(crate) customer: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) last_payment_error: Option<PaymentError>,
    pub(crate) latest_charge: Option<String>,
    pub(crate) livemode: bool,
    pub(crate) metadata: BTreeMap<String, String>,
    pub(crate) payment_method: Option<String>,
    pub(crate) status: &'static str,
}

/// `last_payment_error`: the error object of the decline.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PaymentError {
    #[serde(rename = "type")]
    kind: &'static str,
    code: &'static str,
    decline_code: &'static str,
    message: &'static str,
    payment_method: String,
}

/// The charge behind a paid intent (REFERENCE.md §3): `GET /v1/connect/charges/{id}` serves it,
/// refunds name it and `charge.refunded` events carry it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Charge {
    pub(crate) id: String,
    pub(crate) object: &'static str,
    pub(crate) amount: i64,
    pub(crate) amount_refunded: i64,
    pub(crate) created: i64,
    pub(crate) currency: String,
    pub(crate) livemode: bool,
    pub(crate) payment_intent: String,
    pub(crate) payment_method: String,
    pub(crate) refunded: bool,
    pub(crate) status: &'static str,
}

impl Listed for PaymentIntent {
    const KIND: &'static str = "payment_intent";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
}

impl Listed for Charge {
    const KIND: &'static str = "charge";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
}

fn payment_method_param(call: &Call<'_>) -> Result<Option<String>, ApiError> {
    let pm = call.body.string("payment_method", 255)?;
    match pm {
        Some(pm) if test_method(&pm).is_none() => Err(ApiError::invalid(
            "payment_method",
            format!(
                "No such payment method: '{pm}'. The mock knows {}.",
                TEST_METHODS.join(", ")
            ),
        )),
        pm => Ok(pm),
    }
}

fn return_url_param(call: &Call<'_>) -> Result<Option<String>, ApiError> {
    match call.body.string("return_url", 2048)? {
        Some(u) if !(u.starts_with("https://") || u.starts_with("http://")) => Err(
            ApiError::invalid("return_url", "Invalid return_url: must be an http(s) URL."),
        ),
        u => Ok(u),
    }
}

pub(crate) fn create(
    account: &mut Account,
    call: &Call<'_>,
    cx: &mut Ctx<'_>,
) -> Result<Reply, ApiError> {
    let body = call.body;
    body.only(&[
        "amount",
        "currency",
        "description",
        "metadata",
        "customer",
        "payment_method",
        "return_url",
    ])?;
    let amount = body.required_amount("amount")?;
    let currency = body.currency()?;
    let description = body.string("description", 1000)?;
    let metadata = body.metadata()?;
    let customer = body.string("customer", 255)?;
    let payment_method = payment_method_param(call)?;
    return_url_param(call)?;

    let id = cx.ids.next("pi");
    let client_secret = format!("{id}_secret_{}", cx.ids.secret_suffix());
    let pi = account.payment_intents.insert(PaymentIntent {
        status: if payment_method.is_some() {
            "requires_confirmation"
        } else {
            "requires_payment_method"
        },
        id,
        object: "payment_intent",
        amount,
        amount_received: 0,
        amount_refunded: 0,
        cancellation_reason: None,
        client_secret,
        created: cx.now.unix_seconds(),
        currency,
        customer,
        description,
        last_payment_error: None,
        latest_charge: None,
        livemode: cx.livemode,
        metadata,
        payment_method,
    });
    let reply = Reply::ok(&*pi);
    cx.event(
        "payment_intent.created",
        EventObject::PaymentIntent(pi.clone()),
    );
    cx.created("payment_intent");
    Ok(reply)
}

fn unexpected_state(pi: &PaymentIntent, action: &str) -> ApiError {
    ApiError::state(
        "payment_intent_unexpected_state",
        format!(
            "You cannot {action} this PaymentIntent because it has a status of {}.",
            pi.status
        ),
    )
}

/// Creates the intent's charge and makes it its `latest_charge`.
fn new_charge(
    account: &mut Account,
    pi_id: &str,
    pm: &str,
    status: &'static str,
    cx: &mut Ctx<'_>,
) {
    let Some(pi) = account.payment_intents.get_mut(pi_id) else {
        return;
    };
    let id = cx.ids.next("ch");
    pi.latest_charge = Some(id.clone());
    let charge = Charge {
        id,
        object: "charge",
        amount: pi.amount,
        amount_refunded: 0,
        created: cx.now.unix_seconds(),
        currency: pi.currency.clone(),
        livemode: pi.livemode,
        payment_intent: pi.id.clone(),
        payment_method: pm.to_owned(),
        refunded: false,
        status,
    };
    account.charges.insert(charge);
}

/// Marks the intent and its charge succeeded and records `payment_intent.succeeded`.
fn succeed(account: &mut Account, pi_id: &str, cx: &mut Ctx<'_>) {
    let Some(pi) = account.payment_intents.get_mut(pi_id) else {
        return;
    };
    pi.status = "succeeded";
    pi.amount_received = pi.amount;
    pi.last_payment_error = None;
    let snapshot = pi.clone();
    if let Some(charge) = snapshot
        .latest_charge
        .as_deref()
        .and_then(|c| account.charges.get_mut(c))
    {
        charge.status = "succeeded";
    }
    cx.event(
        "payment_intent.succeeded",
        EventObject::PaymentIntent(snapshot),
    );
}

pub(crate) fn confirm(
    account: &mut Account,
    call: &Call<'_>,
    cx: &mut Ctx<'_>,
) -> Result<Reply, ApiError> {
    call.body.only(&["payment_method", "return_url"])?;
    let body_pm = payment_method_param(call)?;
    return_url_param(call)?;
    let pi = account.payment_intents.find_mut(call.id())?;
    if !matches!(
        pi.status,
        "requires_payment_method" | "requires_confirmation"
    ) {
        return Err(unexpected_state(pi, "confirm"));
    }
    let pm = body_pm
        .or_else(|| pi.payment_method.clone())
        .ok_or_else(|| ApiError::missing("payment_method"))?;
    pi.payment_method = Some(pm.clone());
    let pi_id = pi.id.clone();
    match test_method(&pm) {
        Some(TestMethod::Succeeds) => {
            new_charge(account, &pi_id, &pm, "pending", cx);
            succeed(account, &pi_id, cx);
        }
        Some(TestMethod::RequiresAction) => {
            pi.status = "requires_action";
            let snapshot = pi.clone();
            cx.event(
                "payment_intent.requires_action",
                EventObject::PaymentIntent(snapshot),
            );
            cx.after(ACTION_SECONDS, TimerAction::CompleteAction(pi_id.clone()));
        }
        Some(TestMethod::Pending) => {
            pi.status = "processing";
            new_charge(account, &pi_id, &pm, "pending", cx);
            cx.after(
                PROCESSING_SECONDS,
                TimerAction::SettlePaymentIntent(pi_id.clone()),
            );
        }
        Some(TestMethod::Declined {
            code,
            decline_code,
            message,
        }) => {
            pi.status = "requires_payment_method";
            pi.payment_method = None;
            pi.last_payment_error = Some(PaymentError {
                kind: "payment_error",
                code,
                decline_code,
                message,
                payment_method: pm,
            });
            let snapshot = pi.clone();
            cx.event(
                "payment_intent.payment_failed",
                EventObject::PaymentIntent(snapshot),
            );
            return Err(ApiError::declined(code, decline_code, message));
        }
        None => {
            return Err(ApiError::invalid(
                "payment_method",
                format!("No such payment method: '{pm}'."),
            ))
        }
    }
    Ok(Reply::ok(account.payment_intents.find(&pi_id)?))
}

pub(crate) fn cancel(
    account: &mut Account,
    call: &Call<'_>,
    cx: &mut Ctx<'_>,
) -> Result<Reply, ApiError> {
    call.body.only(&["cancellation_reason"])?;
    let reason = call.body.one_of(
        "cancellation_reason",
        &[
            "duplicate",
            "fraudulent",
            "requested_by_customer",
            "abandoned",
        ],
    )?;
    let pi = account.payment_intents.find_mut(call.id())?;
    if matches!(pi.status, "succeeded" | "canceled") {
        return Err(unexpected_state(pi, "cancel"));
    }
    pi.status = "canceled";
    pi.cancellation_reason = reason;
    let snapshot = pi.clone();
    if let Some(charge) = snapshot
        .latest_charge
        .as_deref()
        .and_then(|c| account.charges.get_mut(c))
    {
        // A charge is pending, succeeded or failed (REFERENCE.md §3): a canceled intent's
        // pending charge never moved money.
        charge.status = "failed";
    }
    let reply = Reply::ok(&snapshot);
    cx.event(
        "payment_intent.canceled",
        EventObject::PaymentIntent(snapshot),
    );
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
    account
        .payment_intents
        .page("/v1/connect/payment_intents", &q, |pi| {
            q.filter.as_deref().is_none_or(|s| pi.status == s)
        })
}

/// Timer: a `processing` intent succeeds (unless it was canceled meanwhile).
pub(crate) fn settle(account: &mut Account, id: &str, cx: &mut Ctx<'_>) {
    if account
        .payment_intents
        .get(id)
        .is_some_and(|pi| pi.status == "processing")
    {
        succeed(account, id, cx);
    }
}

/// Timer: the customer completed the `requires_action` step.
pub(crate) fn complete_action(account: &mut Account, id: &str, cx: &mut Ctx<'_>) {
    let Some(pi) = account.payment_intents.get(id) else {
        return;
    };
    if pi.status != "requires_action" {
        return;
    }
    let pm = pi.payment_method.clone().unwrap_or_default();
    new_charge(account, id, &pm, "pending", cx);
    succeed(account, id, cx);
}
