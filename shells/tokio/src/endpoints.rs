//! The endpoint handles (REFERENCE.md §4), the same in `molam-blocking` and `molam-tokio` but for
//! `async`. Every method is one line: the core builds and validates the
//! [`Call`](molam_core::call::Call), [`Client::execute`] drives it.
//!
//! The parameters are validated and the request built when the method is called; the
//! returned future borrows only the client, so it may be stored, raced or dropped (which
//! cancels the call).

use std::future::Future;

use molam_core::call::RequestOptions;
use molam_core::client::Client as CoreClient;
use molam_core::params::{
    CancelPaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent, CreatePayout, CreateRefund,
    ListEvents, ListPaymentIntents, ListPayouts, ListRefunds,
};
use molam_core::resources::{Event, List, PaymentIntent, Payout, Refund};
use molam_core::response::ApiResponse;
use molam_core::Error;

use crate::list::ListStream;
use crate::Client;

/// A result carrying the response's facts (request id, attempts, replay flag).
pub type Result<T> = std::result::Result<ApiResponse<T>, Error>;

/// The endpoints with per-request options; see [`Client::with_options`].
#[derive(Debug, Clone)]
pub struct Requests<'a> {
    client: &'a Client,
    options: RequestOptions,
}

impl<'a> Requests<'a> {
    pub(crate) fn new(client: &'a Client, options: RequestOptions) -> Self {
        Requests { client, options }
    }

    pub(crate) fn client(&self) -> &'a Client {
        self.client
    }

    pub(crate) fn options(&self) -> &RequestOptions {
        &self.options
    }

    /// Payment intents, with these options.
    pub fn payment_intents(&self) -> PaymentIntents<'a> {
        PaymentIntents {
            client: self.client,
            options: self.options.clone(),
        }
    }

    /// Refunds, with these options.
    pub fn refunds(&self) -> Refunds<'a> {
        Refunds {
            client: self.client,
            options: self.options.clone(),
        }
    }

    /// Payouts, with these options.
    pub fn payouts(&self) -> Payouts<'a> {
        Payouts {
            client: self.client,
            options: self.options.clone(),
        }
    }

    /// Events, with these options.
    pub fn events(&self) -> Events<'a> {
        Events {
            client: self.client,
            options: self.options.clone(),
        }
    }
}

impl Client {
    /// Payment intents (`/v1/connect/payment_intents`).
    pub fn payment_intents(&self) -> PaymentIntents<'_> {
        self.with_options(RequestOptions::new()).payment_intents()
    }

    /// Refunds (`/v1/connect/charges/{charge}/refund`, `/v1/connect/refunds`).
    pub fn refunds(&self) -> Refunds<'_> {
        self.with_options(RequestOptions::new()).refunds()
    }

    /// Payouts (`/v1/treasury/payouts`).
    pub fn payouts(&self) -> Payouts<'_> {
        self.with_options(RequestOptions::new()).payouts()
    }

    /// Events (`/v1/events`).
    pub fn events(&self) -> Events<'_> {
        self.with_options(RequestOptions::new()).events()
    }
}

/// Payment intent endpoints; see [`Client::payment_intents`].
#[derive(Debug, Clone)]
pub struct PaymentIntents<'a> {
    client: &'a Client,
    options: RequestOptions,
}

impl<'a> PaymentIntents<'a> {
    fn core(&self) -> &CoreClient {
        self.client.core()
    }

    /// Creates a payment intent.
    pub fn create(
        &self,
        params: &CreatePaymentIntent,
    ) -> impl Future<Output = Result<PaymentIntent>> + Send + 'a {
        let call = self.core().payment_intents().create(params, &self.options);
        self.client.execute_prepared(call)
    }

    /// Retrieves a payment intent.
    pub fn retrieve(&self, id: &str) -> impl Future<Output = Result<PaymentIntent>> + Send + 'a {
        let call = self.core().payment_intents().retrieve(id, &self.options);
        self.client.execute_prepared(call)
    }

    /// Confirms a payment intent (with the body's payment method, else the attached one).
    pub fn confirm(
        &self,
        id: &str,
        params: &ConfirmPaymentIntent,
    ) -> impl Future<Output = Result<PaymentIntent>> + Send + 'a {
        let call = self
            .core()
            .payment_intents()
            .confirm(id, params, &self.options);
        self.client.execute_prepared(call)
    }

    /// Cancels a payment intent that has not succeeded.
    pub fn cancel(
        &self,
        id: &str,
        params: &CancelPaymentIntent,
    ) -> impl Future<Output = Result<PaymentIntent>> + Send + 'a {
        let call = self
            .core()
            .payment_intents()
            .cancel(id, params, &self.options);
        self.client.execute_prepared(call)
    }

    /// One page of payment intents, newest first.
    pub fn list(
        &self,
        params: &ListPaymentIntents,
    ) -> impl Future<Output = Result<List<PaymentIntent>>> + Send + 'a {
        let call = self.core().payment_intents().list(params, &self.options);
        self.client.execute_prepared(call)
    }

    /// Every payment intent from `params` on, fetched page by page as the stream is polled.
    pub fn list_all(
        &self,
        params: &ListPaymentIntents,
    ) -> ListStream<ListPaymentIntents, PaymentIntent> {
        ListStream::new(self.client, &self.options, params, |core, p, o| {
            core.payment_intents().list(p, o)
        })
    }
}

/// Refund endpoints; see [`Client::refunds`].
#[derive(Debug, Clone)]
pub struct Refunds<'a> {
    client: &'a Client,
    options: RequestOptions,
}

impl<'a> Refunds<'a> {
    fn core(&self) -> &CoreClient {
        self.client.core()
    }

    /// Refunds a charge (`ch_…`); by default what is left of it.
    pub fn create(
        &self,
        charge: &str,
        params: &CreateRefund,
    ) -> impl Future<Output = Result<Refund>> + Send + 'a {
        let call = self.core().refunds().create(charge, params, &self.options);
        self.client.execute_prepared(call)
    }

    /// Retrieves a refund.
    pub fn retrieve(&self, id: &str) -> impl Future<Output = Result<Refund>> + Send + 'a {
        let call = self.core().refunds().retrieve(id, &self.options);
        self.client.execute_prepared(call)
    }

    /// One page of refunds, newest first.
    pub fn list(
        &self,
        params: &ListRefunds,
    ) -> impl Future<Output = Result<List<Refund>>> + Send + 'a {
        let call = self.core().refunds().list(params, &self.options);
        self.client.execute_prepared(call)
    }

    /// Every refund from `params` on, fetched page by page as the stream is polled.
    pub fn list_all(&self, params: &ListRefunds) -> ListStream<ListRefunds, Refund> {
        ListStream::new(self.client, &self.options, params, |core, p, o| {
            core.refunds().list(p, o)
        })
    }
}

/// Payout endpoints; see [`Client::payouts`].
#[derive(Debug, Clone)]
pub struct Payouts<'a> {
    client: &'a Client,
    options: RequestOptions,
}

impl<'a> Payouts<'a> {
    fn core(&self) -> &CoreClient {
        self.client.core()
    }

    /// Creates a payout.
    pub fn create(
        &self,
        params: &CreatePayout,
    ) -> impl Future<Output = Result<Payout>> + Send + 'a {
        let call = self.core().payouts().create(params, &self.options);
        self.client.execute_prepared(call)
    }

    /// Retrieves a payout.
    pub fn retrieve(&self, id: &str) -> impl Future<Output = Result<Payout>> + Send + 'a {
        let call = self.core().payouts().retrieve(id, &self.options);
        self.client.execute_prepared(call)
    }

    /// Cancels a payout while it is `pending`.
    pub fn cancel(&self, id: &str) -> impl Future<Output = Result<Payout>> + Send + 'a {
        let call = self.core().payouts().cancel(id, &self.options);
        self.client.execute_prepared(call)
    }

    /// One page of payouts, newest first.
    pub fn list(
        &self,
        params: &ListPayouts,
    ) -> impl Future<Output = Result<List<Payout>>> + Send + 'a {
        let call = self.core().payouts().list(params, &self.options);
        self.client.execute_prepared(call)
    }

    /// Every payout from `params` on, fetched page by page as the stream is polled.
    pub fn list_all(&self, params: &ListPayouts) -> ListStream<ListPayouts, Payout> {
        ListStream::new(self.client, &self.options, params, |core, p, o| {
            core.payouts().list(p, o)
        })
    }
}

/// Event endpoints; see [`Client::events`].
#[derive(Debug, Clone)]
pub struct Events<'a> {
    client: &'a Client,
    options: RequestOptions,
}

impl<'a> Events<'a> {
    fn core(&self) -> &CoreClient {
        self.client.core()
    }

    /// Retrieves an event.
    pub fn retrieve(&self, id: &str) -> impl Future<Output = Result<Event>> + Send + 'a {
        let call = self.core().events().retrieve(id, &self.options);
        self.client.execute_prepared(call)
    }

    /// One page of events, newest first.
    pub fn list(
        &self,
        params: &ListEvents,
    ) -> impl Future<Output = Result<List<Event>>> + Send + 'a {
        let call = self.core().events().list(params, &self.options);
        self.client.execute_prepared(call)
    }

    /// Every event from `params` on, fetched page by page as the stream is polled.
    pub fn list_all(&self, params: &ListEvents) -> ListStream<ListEvents, Event> {
        ListStream::new(self.client, &self.options, params, |core, p, o| {
            core.events().list(p, o)
        })
    }
}
