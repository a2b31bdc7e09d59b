//! `molam trigger <event type>`: performs the API calls that make an event of the contract
//! (REFERENCE.md §3) happen, against any API base, and prints what it created and the event.
//!
//! Every recipe uses only calls and test values of REFERENCE.md §4 (test payment methods,
//! and the test payout destinations below), so it works against a sandbox as against the
//! mock. Steps that take time (a payout arriving, a mobile money refund settling) are waited
//! for by polling the object; against a `molam mock` (it answers `/__mock/health`), the
//! mock's clock is moved forward instead, so every trigger takes well under a second.
//!
//! Test payout destinations: any destination starting with `fail_` fails on arrival with
//! `failure_code` `account_closed` (`payout.failed`); any other is paid.

use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Args;
use http_body_util::Full;
use molam_blocking::params::{
    CancelPaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent, CreatePayout, CreateRefund,
    ListEvents, ListParams,
};
use molam_blocking::resources::{
    CancellationReason, Currency, EventType, PaymentIntent, PayoutMethod, PayoutStatus,
    RefundStatus,
};
use molam_blocking::{Client, Config};

use crate::api::{name_the_url, ConnectionArgs};
use crate::failure::{Failure, Kind};
use crate::http_client::{self, HttpClient};

/// `molam trigger`
#[derive(Debug, Args)]
pub struct TriggerArgs {
    /// The event type to make happen (see --list).
    #[arg(value_name = "EVENT_TYPE", required_unless_present = "list")]
    event_type: Option<String>,
    /// List the event types and the calls each performs.
    #[arg(long)]
    list: bool,
    /// How long to wait for a step that takes time (a payout arriving) against an API that is
    /// not a molam mock.
    #[arg(long, value_name = "SECONDS", default_value_t = 90)]
    timeout: u64,
    #[command(flatten)]
    api: ConnectionArgs,
}

/// Every event type of REFERENCE.md §3 and what `trigger` does to make it happen.
pub const RECIPES: &[(&str, &str)] = &[
    (
        "payment_intent.created",
        "create a 2500 XOF payment intent",
    ),
    (
        "payment_intent.succeeded",
        "create a payment intent with pm_card_visa and confirm it",
    ),
    (
        "payment_intent.payment_failed",
        "create a payment intent and confirm it with pm_card_declined (declined: 402)",
    ),
    (
        "payment_intent.canceled",
        "create a payment intent and cancel it (requested_by_customer)",
    ),
    (
        "payment_intent.requires_action",
        "create a payment intent and confirm it with pm_card_3ds",
    ),
    (
        "charge.refunded",
        "pay a payment intent with pm_card_visa and refund its charge",
    ),
    (
        "refund.created",
        "pay a payment intent with pm_card_visa and refund its charge",
    ),
    (
        "refund.updated",
        "pay with pm_momo_success, refund (pending), wait until the refund succeeds (10 s)",
    ),
    (
        "payout.created",
        "create a 5000 XOF mobile money payout",
    ),
    (
        "payout.paid",
        "create a mobile money payout and wait until it is paid (30 s)",
    ),
    (
        "payout.failed",
        "create a mobile money payout to the test destination fail_account_closed and wait until it fails (30 s)",
    ),
    (
        "payout.canceled",
        "create a bank transfer payout and cancel it while pending",
    ),
];

/// Seconds the contract's time-driven steps take (what the mock is moved forward by).
const MOBILE_MONEY_PAYOUT_ARRIVES: i64 = 30;
const MOBILE_MONEY_REFUND_SETTLES: i64 = 10;

/// Runs `molam trigger`.
pub fn run(args: TriggerArgs) -> Result<(), Failure> {
    if args.list {
        let width = RECIPES.iter().map(|(t, _)| t.len()).max().unwrap_or(0);
        for (event_type, recipe) in RECIPES {
            println!("{event_type:<width$}  {recipe}");
        }
        return Ok(());
    }
    let wanted = args.event_type.as_deref().unwrap_or_default();
    let Some((event_type, recipe)) = RECIPES.iter().find(|(t, _)| *t == wanted) else {
        return Err(Failure::usage(format!(
            "{wanted:?} is not an event type of the API; `molam trigger --list` shows them: {}",
            RECIPES
                .iter()
                .map(|(t, _)| *t)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let config = args.api.config()?;
    let client = Client::new(config.clone())?;
    let mut trigger = Trigger {
        client: &client,
        clock: Clock::new(&config, Duration::from_secs(args.timeout))?,
    };
    println!("triggering {event_type}: {recipe}");
    let object_id = trigger
        .perform(event_type)
        .map_err(|failure| name_the_url(failure, &config))?;
    let event = trigger
        .find_event(event_type, &object_id)
        .map_err(|failure| name_the_url(failure, &config))?;
    step("event", format!("{event} {event_type} {object_id}"));
    Ok(())
}

/// One indented line of what trigger did.
fn step(label: &str, text: String) {
    println!("  {label:<9} {text}");
}

/// How time passes for a step that takes time: the mock's clock, or waiting.
struct Clock {
    /// `Some` when the API base is a molam mock, with a client for its controls.
    mock: Option<(HttpClient, String, tokio::runtime::Runtime)>,
    timeout: Duration,
}

impl Clock {
    fn new(config: &Config, timeout: Duration) -> Result<Self, Failure> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::other(format!("cannot start the async runtime: {e}")))?;
        let client = http_client::client(None, "--api-base")?;
        let base = config.api_base().to_owned();
        let health = runtime.block_on(control(&client, &base, "GET", "/__mock/health", ""));
        let is_mock = health.is_ok_and(|body| body.contains("\"ok\""));
        Ok(Clock {
            mock: is_mock.then_some((client, base, runtime)),
            timeout,
        })
    }

    /// Lets `seconds` pass (mock) or polls `done` every second until it holds (timeout).
    fn wait(
        &self,
        what: &str,
        seconds: i64,
        mut done: impl FnMut() -> Result<bool, Failure>,
    ) -> Result<(), Failure> {
        if let Some((client, base, runtime)) = &self.mock {
            step(
                "waiting",
                format!("{what} (moving the mock's clock {seconds} s forward)"),
            );
            let body = serde_json::json!({ "seconds": seconds }).to_string();
            runtime
                .block_on(control(client, base, "POST", "/__mock/advance", &body))
                .map_err(|e| Failure::new(Kind::Network, format!("/__mock/advance: {e}")))?;
        } else {
            step(
                "waiting",
                format!(
                    "{what} (about {seconds} s, at most {} s)",
                    self.timeout.as_secs()
                ),
            );
        }
        let started = Instant::now();
        loop {
            if done()? {
                return Ok(());
            }
            if started.elapsed() >= self.timeout {
                return Err(Failure::other(format!(
                    "gave up waiting after {} s: {what} did not happen (raise --timeout)",
                    self.timeout.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}

/// A `/__mock/*` control call; the body of a 2xx answer.
async fn control(
    client: &HttpClient,
    base: &str,
    method: &str,
    path: &str,
    body: &str,
) -> Result<String, String> {
    let request = http::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"))
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body.to_owned())))
        .map_err(|e| e.to_string())?;
    let answer = http_client::send(client, request).await?;
    if !answer.status.is_success() {
        return Err(format!("answered {}", answer.status.as_u16()));
    }
    Ok(String::from_utf8_lossy(&answer.body).into_owned())
}

struct Trigger<'a> {
    client: &'a Client,
    clock: Clock,
}

impl Trigger<'_> {
    fn created(&self, kind: &str, id: &str, status: &str) {
        step("created", format!("{kind} {id} ({status})"));
    }

    fn intent(&mut self, payment_method: Option<&str>) -> Result<PaymentIntent, Failure> {
        let mut params =
            CreatePaymentIntent::new(2500, Currency::XOF).description("molam trigger".to_owned());
        if let Some(pm) = payment_method {
            params = params.payment_method(pm.to_owned());
        }
        let intent = self.client.payment_intents().create(&params)?.into_inner();
        self.created("payment intent", &intent.id, intent.status.as_str());
        Ok(intent)
    }

    fn confirm(&mut self, id: &str, payment_method: &str) -> Result<PaymentIntent, Failure> {
        let params = ConfirmPaymentIntent::new().payment_method(payment_method.to_owned());
        let intent = self
            .client
            .payment_intents()
            .confirm(id, &params)?
            .into_inner();
        step(
            "confirmed",
            format!("{} with {payment_method} ({})", intent.id, intent.status),
        );
        Ok(intent)
    }

    /// A paid intent's charge id.
    fn paid_charge(&mut self, payment_method: &str) -> Result<String, Failure> {
        let intent = self.intent(None)?;
        let intent = self.confirm(&intent.id, payment_method)?;
        intent.latest_charge.ok_or_else(|| {
            Failure::new(
                Kind::Api,
                format!(
                    "payment intent {} succeeded without a latest_charge",
                    intent.id
                ),
            )
        })
    }

    fn refund(&mut self, charge: &str) -> Result<(String, RefundStatus), Failure> {
        let refund = self
            .client
            .refunds()
            .create(charge, &CreateRefund::new())?
            .into_inner();
        self.created("refund", &refund.id, refund.status.as_str());
        Ok((refund.id, refund.status))
    }

    fn payout(&mut self, method: PayoutMethod, destination: &str) -> Result<String, Failure> {
        let params = CreatePayout::new(5000, Currency::XOF, method, destination.to_owned())
            .description("molam trigger".to_owned());
        let payout = self.client.payouts().create(&params)?.into_inner();
        self.created("payout", &payout.id, payout.status.as_str());
        Ok(payout.id)
    }

    fn payout_reaches(&self, id: &str, wanted: PayoutStatus) -> Result<(), Failure> {
        let what = format!("payout {id} to be {wanted}");
        self.clock.wait(&what, MOBILE_MONEY_PAYOUT_ARRIVES, || {
            let payout = self.client.payouts().retrieve(id)?.into_inner();
            match payout.status {
                s if s == wanted => Ok(true),
                s if !s.is_final() => Ok(false),
                other => Err(Failure::new(
                    Kind::Api,
                    format!("payout {id} became {other}, not {wanted}"),
                )),
            }
        })
    }

    /// Performs the calls for `event_type`; returns the id of the event's object.
    fn perform(&mut self, event_type: &str) -> Result<String, Failure> {
        match event_type {
            "payment_intent.created" => Ok(self.intent(None)?.id),
            "payment_intent.succeeded" => {
                let intent = self.intent(Some("pm_card_visa"))?;
                Ok(self.confirm(&intent.id, "pm_card_visa")?.id)
            }
            "payment_intent.payment_failed" => {
                let intent = self.intent(None)?;
                let params =
                    ConfirmPaymentIntent::new().payment_method("pm_card_declined".to_owned());
                match self.client.payment_intents().confirm(&intent.id, &params) {
                    // The decline is the point: the API answers 402 and emits the event.
                    Err(molam_blocking::Error::Api(declined)) if declined.status == 402 => {
                        let code = declined.code.as_deref().unwrap_or("declined");
                        step(
                            "declined",
                            format!("{} with pm_card_declined: 402 {code}", intent.id),
                        );
                        Ok(intent.id)
                    }
                    Err(other) => Err(other.into()),
                    Ok(confirmed) => Err(Failure::new(
                        Kind::Api,
                        format!(
                            "pm_card_declined was not declined: {} is {}",
                            intent.id,
                            confirmed.into_inner().status
                        ),
                    )),
                }
            }
            "payment_intent.canceled" => {
                let intent = self.intent(None)?;
                let params = CancelPaymentIntent::new()
                    .cancellation_reason(CancellationReason::RequestedByCustomer);
                let canceled = self
                    .client
                    .payment_intents()
                    .cancel(&intent.id, &params)?
                    .into_inner();
                step("canceled", format!("{} ({})", canceled.id, canceled.status));
                Ok(canceled.id)
            }
            "payment_intent.requires_action" => {
                let intent = self.intent(None)?;
                Ok(self.confirm(&intent.id, "pm_card_3ds")?.id)
            }
            "charge.refunded" => {
                let charge = self.paid_charge("pm_card_visa")?;
                self.refund(&charge)?;
                Ok(charge)
            }
            "refund.created" => {
                let charge = self.paid_charge("pm_card_visa")?;
                Ok(self.refund(&charge)?.0)
            }
            "refund.updated" => {
                let charge = self.paid_charge("pm_momo_success")?;
                let (id, _) = self.refund(&charge)?;
                let what = format!("refund {id} to be final (succeeded, failed or canceled)");
                self.clock.wait(&what, MOBILE_MONEY_REFUND_SETTLES, || {
                    let refund = self.client.refunds().retrieve(&id)?.into_inner();
                    Ok(refund.status.is_final())
                })?;
                Ok(id)
            }
            "payout.created" => self.payout(PayoutMethod::MobileMoney, "+221770000000"),
            "payout.paid" => {
                let id = self.payout(PayoutMethod::MobileMoney, "+221770000000")?;
                self.payout_reaches(&id, PayoutStatus::Paid)?;
                Ok(id)
            }
            "payout.failed" => {
                let id = self.payout(PayoutMethod::MobileMoney, "fail_account_closed")?;
                self.payout_reaches(&id, PayoutStatus::Failed)?;
                Ok(id)
            }
            "payout.canceled" => {
                let id = self.payout(PayoutMethod::BankTransfer, "SN08SN0100152000048500003035")?;
                let payout = self.client.payouts().cancel(&id)?.into_inner();
                step("canceled", format!("{} ({})", payout.id, payout.status));
                Ok(id)
            }
            other => Err(Failure::other(format!(
                "no recipe for {other} (every type of RECIPES has one)"
            ))),
        }
    }

    /// The id of the newest `event_type` event about `object_id` (events are listed newest
    /// first; a sandbox may take a moment to record one).
    fn find_event(&self, event_type: &str, object_id: &str) -> Result<String, Failure> {
        let params = ListEvents::new()
            .event_type(EventType::from_wire(event_type))
            .page(ListParams::new().limit(ListParams::MAX_LIMIT));
        let started = Instant::now();
        loop {
            let page = self.client.events().list(&params)?.into_inner();
            if let Some(event) = page
                .data
                .iter()
                .find(|e| e.data.object.id() == Some(object_id))
            {
                return Ok(event.id.clone());
            }
            if started.elapsed() >= Duration::from_secs(10) {
                return Err(Failure::new(
                    Kind::Api,
                    format!("no {event_type} event about {object_id} appeared within 10 s"),
                ));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RECIPES;
    use molam_blocking::resources::EventType;

    #[test]
    fn there_is_a_recipe_for_every_event_type_of_the_contract() {
        let recipes: Vec<&str> = RECIPES.iter().map(|(t, _)| *t).collect();
        assert_eq!(recipes, EventType::KNOWN);
    }
}
