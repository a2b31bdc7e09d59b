//! Any valid parameters round-trip: the core builds the request, the mock's sans-IO handler
//! (`Mock::handle`) serves it, and the core decodes an object that says back exactly what was
//! sent; retrieving it by id gives the same object.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

use molam_core::call::{Call, RequestOptions};
use molam_core::client::Client;
use molam_core::config::Config;
use molam_core::drive;
use molam_core::params::{
    ConfirmPaymentIntent, CreatePaymentIntent, CreatePayout, CreateRefund, ListParams,
    ListPaymentIntents,
};
use molam_core::random::SeededRandom;
use molam_core::resources::{
    Currency, Metadata, PaymentIntentStatus, PayoutMethod, PayoutStatus, RefundReason,
};
use molam_mock::{Mock, MockConfig, MockTime};
use proptest::prelude::*;
use serde::de::DeserializeOwned;

/// A core client and a fresh mock, wired with no socket: requests go to `Mock::handle`.
struct Loop {
    client: Client,
    mock: Mock,
    clock: Cell<Duration>,
}

impl Loop {
    fn new(seed: u64) -> Loop {
        let config = Config::builder()
            .api_key("sk_test_props_0123456789")
            .build()
            .unwrap();
        Loop {
            client: Client::new(config, "props", Arc::new(SeededRandom::new(seed))),
            mock: Mock::new(MockConfig::default()),
            clock: Cell::new(Duration::ZERO),
        }
    }

    fn run<T: DeserializeOwned>(&self, call: Call<T>) -> Result<T, molam_core::Error> {
        drive::run(
            call,
            |request| {
                let now = MockTime::from_unix_seconds(1_700_000_000).plus(self.clock.get());
                Ok(self.mock.handle(request, now))
            },
            |wait| self.clock.set(self.clock.get() + wait),
            || self.clock.get(),
        )
        .map(molam_core::response::ApiResponse::into_inner)
    }
}

/// An ISO 4217 code (the SDK and the mock refuse others) in any letter case.
fn currency() -> impl Strategy<Value = Currency> {
    let codes = vec!["XOF", "XAF", "USD", "EUR", "GBP", "NGN", "GHS", "KES"];
    (proptest::sample::select(codes), any::<[bool; 3]>()).prop_map(|(code, lower)| {
        let cased: String = code
            .chars()
            .zip(lower)
            .map(|(c, lower)| if lower { c.to_ascii_lowercase() } else { c })
            .collect();
        Currency::new(&cased).unwrap()
    })
}

fn metadata() -> impl Strategy<Value = Metadata> {
    proptest::collection::btree_map("[a-z_]{1,40}", "\\PC{0,100}", 0..6).prop_map(Metadata::from)
}

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![1i64..=10_000, 1i64..=molam_core::params::MAX_AMOUNT]
}

const FINAL_METHODS: [&str; 2] = ["pm_card_visa", "pm_momo_success"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_payment_intent_says_back_what_was_sent(
        seed in any::<u64>(),
        amount in amount(),
        currency in currency(),
        description in proptest::option::of("\\PC{1,200}"),
        metadata in metadata(),
        customer in proptest::option::of("cus_[A-Za-z0-9_]{1,24}"),
        payment_method in proptest::option::of(prop::sample::select(FINAL_METHODS.to_vec())),
    ) {
        let l = Loop::new(seed);
        let mut params = CreatePaymentIntent::new(amount, currency).metadata(metadata.clone());
        if let Some(d) = &description { params = params.description(d.clone()); }
        if let Some(c) = &customer { params = params.customer(c.clone()); }
        if let Some(pm) = payment_method { params = params.payment_method(pm); }
        let opts = RequestOptions::new();
        let created = l.run(l.client.payment_intents().create(&params, &opts).unwrap()).unwrap();

        prop_assert_eq!(created.amount, amount);
        prop_assert_eq!(&created.currency, &currency);
        prop_assert_eq!(&created.description, &description);
        prop_assert_eq!(&created.metadata, &metadata);
        prop_assert_eq!(&created.customer, &customer);
        prop_assert_eq!(created.payment_method.as_deref(), payment_method);
        prop_assert_eq!(
            &created.status,
            &if payment_method.is_some() {
                PaymentIntentStatus::RequiresConfirmation
            } else {
                PaymentIntentStatus::RequiresPaymentMethod
            }
        );
        let fetched = l.run(l.client.payment_intents().retrieve(&created.id, &opts).unwrap()).unwrap();
        prop_assert_eq!(fetched, created);
    }

    #[test]
    fn a_refund_says_back_what_was_sent(
        seed in any::<u64>(),
        amount in amount(),
        part in 1u64..=100,
        reason in proptest::option::of(prop::sample::select(vec![
            RefundReason::Duplicate, RefundReason::Fraudulent, RefundReason::RequestedByCustomer,
        ])),
        metadata in metadata(),
    ) {
        let l = Loop::new(seed);
        let opts = RequestOptions::new();
        let intent = l.run(l.client.payment_intents().create(
            &CreatePaymentIntent::new(amount, Currency::XOF), &opts).unwrap()).unwrap();
        let paid = l.run(l.client.payment_intents().confirm(
            &intent.id, &ConfirmPaymentIntent::new().payment_method("pm_card_visa"), &opts).unwrap()).unwrap();
        prop_assert_eq!(&paid.status, &PaymentIntentStatus::Succeeded);
        let charge = paid.latest_charge.clone().unwrap();

        let refund_amount = i64::try_from((u128::try_from(amount).unwrap() * u128::from(part) / 100).max(1)).unwrap();
        let mut params = CreateRefund::new().amount(refund_amount).metadata(metadata.clone());
        if let Some(r) = &reason { params = params.reason(r.clone()); }
        let refund = l.run(l.client.refunds().create(&charge, &params, &opts).unwrap()).unwrap();
        prop_assert_eq!(refund.amount, refund_amount);
        prop_assert_eq!(&refund.currency, &Currency::XOF);
        prop_assert_eq!(refund.reason.as_ref(), reason.as_ref());
        prop_assert_eq!(&refund.metadata, &metadata);
        prop_assert_eq!(refund.payment_intent.as_deref(), Some(intent.id.as_str()));
        let fetched = l.run(l.client.refunds().retrieve(&refund.id, &opts).unwrap()).unwrap();
        prop_assert_eq!(fetched, refund);
    }

    #[test]
    fn a_payout_says_back_what_was_sent(
        seed in any::<u64>(),
        amount in amount(),
        currency in currency(),
        method in prop::sample::select(vec![PayoutMethod::BankTransfer, PayoutMethod::MobileMoney]),
        destination in "[!-~][ -~]{0,60}",
        description in proptest::option::of("\\PC{1,200}"),
        metadata in metadata(),
    ) {
        let l = Loop::new(seed);
        let mut params = CreatePayout::new(amount, currency, method.clone(), destination.clone())
            .metadata(metadata.clone());
        if let Some(d) = &description { params = params.description(d.clone()); }
        let opts = RequestOptions::new();
        let payout = l.run(l.client.payouts().create(&params, &opts).unwrap()).unwrap();
        prop_assert_eq!(payout.amount, amount);
        prop_assert_eq!(&payout.currency, &currency);
        prop_assert_eq!(&payout.method, &method);
        prop_assert_eq!(&payout.destination, &destination);
        prop_assert_eq!(&payout.description, &description);
        prop_assert_eq!(&payout.metadata, &metadata);
        prop_assert_eq!(&payout.status, &PayoutStatus::Pending);
        let fetched = l.run(l.client.payouts().retrieve(&payout.id, &opts).unwrap()).unwrap();
        prop_assert_eq!(fetched, payout);
    }

    /// REFERENCE.md §3: above the range the SDK refuses before sending, and the API (the mock)
    /// answers 400 `amount_too_large` to a client that sends it anyway: the two agree.
    #[test]
    fn an_amount_above_the_range_is_refused_by_the_sdk_and_by_the_api(
        amount in (molam_core::params::MAX_AMOUNT + 1)..=i64::MAX,
    ) {
        let l = Loop::new(1);
        let refused = l.client.payment_intents()
            .create(&CreatePaymentIntent::new(amount, Currency::XOF), &RequestOptions::new())
            .err();
        let field = match &refused {
            Some(molam_core::Error::InvalidParams(p)) => Some(p.field.as_str()),
            _ => None,
        };
        prop_assert_eq!(field, Some("amount"), "{:?}", refused);
        let request = http::Request::post("/v1/connect/payment_intents")
            .header("authorization", "Bearer sk_test_props_0123456789")
            .header("idempotency-key", format!("too-large-{amount}"))
            .body(format!(r#"{{"amount":{amount},"currency":"XOF"}}"#).into_bytes())
            .unwrap();
        let response = l.mock.handle(request, MockTime::from_unix_seconds(1_700_000_000));
        prop_assert_eq!(response.status(), 400);
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        prop_assert_eq!(&body["error"]["code"], "amount_too_large");
        prop_assert_eq!(&body["error"]["param"], "amount");
    }

    #[test]
    fn a_list_page_holds_at_most_limit_objects_newest_first(
        seed in any::<u64>(),
        count in 0usize..12,
        limit in 1u8..=15,
    ) {
        let l = Loop::new(seed);
        let opts = RequestOptions::new();
        let mut ids = Vec::new();
        for i in 0..count {
            let params = CreatePaymentIntent::new(100 + i64::try_from(i).unwrap(), Currency::XOF);
            ids.push(l.run(l.client.payment_intents().create(&params, &opts).unwrap()).unwrap().id);
            l.clock.set(l.clock.get() + Duration::from_secs(1));
        }
        let page = l.run(l.client.payment_intents().list(
            &ListPaymentIntents::new().page(ListParams::new().limit(u32::from(limit))), &opts).unwrap()).unwrap();
        let shown = count.min(usize::from(limit));
        prop_assert_eq!(page.data.len(), shown);
        prop_assert_eq!(page.has_more, count > usize::from(limit));
        let newest_first: Vec<String> = ids.iter().rev().take(shown).cloned().collect();
        prop_assert_eq!(page.data.iter().map(|p| p.id.clone()).collect::<Vec<_>>(), newest_first);
    }
}
