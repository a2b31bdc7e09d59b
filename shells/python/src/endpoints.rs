//! The endpoints of REFERENCE.md §4 as Python methods, the same for `MolamClient` and
//! `MolamAsyncClient`: Python arguments become the core's parameters and a core
//! [`Call`]; the client's [`Shell`] runs it (blocking, or as an awaitable on tokio).

use std::time::Duration;

use molam_core::call::{Call, RequestOptions};
use molam_core::client::Client as CoreClient;
use molam_core::pagination::Paginate;
use molam_core::params::{ListEvents, ListPaymentIntents, ListPayouts, ListRefunds};
use molam_core::resources::Resource;
use molam_core::shell::{Fetch, Listed, PageParams, Pages};
use molam_core::webhook_event::Webhooks;
use molam_core::Error;
use pyo3::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// What differs between the blocking and the async client.
pub(crate) trait Shell {
    /// The core client that prepares the calls.
    fn core(&self) -> &CoreClient;

    /// The wrapped Rust client's webhook receipt: the core's rule on that client's clock.
    fn webhooks(&self) -> Webhooks<'_>;

    /// Runs a prepared call: its result (blocking) or an awaitable of it (async).
    fn dispatch<'py, T>(
        &self,
        py: Python<'py>,
        call: Result<Call<T>, Error>,
    ) -> PyResult<Bound<'py, PyAny>>
    where
        T: Serialize + DeserializeOwned + Send + 'static;

    /// Every object of a list, fetched page by page as Python iterates (blocking: a
    /// `PageIterator`; async: an `AsyncPageIterator`).
    fn iterate<'py, P, T>(
        &self,
        py: Python<'py>,
        pages: Pages<P, T>,
    ) -> PyResult<Bound<'py, PyAny>>
    where
        P: PageParams,
        T: Listed + Serialize;
}

/// Per-call options (REFERENCE.md §6 for `account` and `api_key`); the core validates each.
pub(crate) fn options(
    idempotency_key: Option<String>,
    max_retries: Option<u32>,
    timeout: Option<f64>,
    account: Option<String>,
    api_key: Option<String>,
) -> Result<RequestOptions, Error> {
    let mut options = RequestOptions::new();
    if let Some(account) = account {
        options = options.account(molam_core::account::AccountId::new(account)?);
    }
    if let Some(key) = api_key {
        options = options.api_key(key)?;
    }
    if let Some(key) = idempotency_key {
        options = options.idempotency_key(key)?;
    }
    if let Some(retries) = max_retries {
        options = options.max_retries(retries);
    }
    if let Some(seconds) = timeout {
        let timeout = Duration::try_from_secs_f64(seconds).map_err(|_| {
            molam_core::ParamError::new(
                "timeout",
                "must be a finite, non-negative number of seconds",
            )
        })?;
        options = options.timeout(timeout);
    }
    Ok(options)
}

/// A whole list from `params` on, each page fetched with `fetch` and `options`, and at most
/// `max_items` objects if given.
pub(crate) fn pages<P: Paginate, T: Resource + DeserializeOwned>(
    params: &P,
    options: &RequestOptions,
    max_items: Option<usize>,
    fetch: Fetch<P, T>,
) -> Pages<P, T> {
    let pages = Pages::new(options, params, fetch);
    match max_items {
        Some(n) => pages.up_to(n),
        None => pages,
    }
}

/// Generates the endpoint methods of a client type implementing [`Shell`], plus `$extra`.
macro_rules! endpoints {
    ($client:ty, { $($extra:tt)* }) => {
        #[pymethods]
        // Python keyword arguments, one per API parameter and per-call option.
        #[allow(clippy::too_many_arguments)]
        impl $client {
            $($extra)*

            /// Creates a payment intent (`POST /v1/connect/payment_intents`).
            #[pyo3(signature = (
                amount, currency, *, description = None, metadata = None, customer = None,
                payment_method = None, return_url = None, idempotency_key = None,
                max_retries = None, timeout = None, account = None, api_key = None,
            ))]
            fn create_payment_intent<'py>(
                &self,
                py: Python<'py>,
                amount: i64,
                currency: &str,
                description: Option<String>,
                metadata: Option<&Bound<'py, PyAny>>,
                customer: Option<String>,
                payment_method: Option<String>,
                return_url: Option<String>,
                idempotency_key: Option<String>,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                use molam_core::params::CreatePaymentIntent;
                let metadata = $crate::convert::metadata(metadata)?;
                let call = (|| {
                    let options = $crate::endpoints::options(idempotency_key, max_retries, timeout, account, api_key)?;
                    let currency = molam_core::resources::Currency::new(currency)?;
                    let mut params = CreatePaymentIntent::new(amount, currency);
                    if let Some(v) = description { params = params.description(v); }
                    if let Some(v) = metadata { params = params.metadata(v); }
                    if let Some(v) = customer { params = params.customer(v); }
                    if let Some(v) = payment_method { params = params.payment_method(v); }
                    if let Some(v) = return_url { params = params.return_url(v); }
                    self.core().payment_intents().create(&params, &options)
                })();
                self.dispatch(py, call)
            }

            /// Retrieves a payment intent (`GET /v1/connect/payment_intents/{id}`).
            #[pyo3(signature = (id, *, max_retries = None, timeout = None, account = None, api_key = None))]
            fn retrieve_payment_intent<'py>(
                &self,
                py: Python<'py>,
                id: &str,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let call = $crate::endpoints::options(None, max_retries, timeout, account, api_key)
                    .and_then(|o| self.core().payment_intents().retrieve(id, &o));
                self.dispatch(py, call)
            }

            /// Confirms a payment intent with `payment_method`, else the one attached.
            #[pyo3(signature = (
                id, *, payment_method = None, return_url = None, idempotency_key = None,
                max_retries = None, timeout = None, account = None, api_key = None,
            ))]
            fn confirm_payment_intent<'py>(
                &self,
                py: Python<'py>,
                id: &str,
                payment_method: Option<String>,
                return_url: Option<String>,
                idempotency_key: Option<String>,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                use molam_core::params::ConfirmPaymentIntent;
                let call = (|| {
                    let options = $crate::endpoints::options(idempotency_key, max_retries, timeout, account, api_key)?;
                    let mut params = ConfirmPaymentIntent::new();
                    if let Some(v) = payment_method { params = params.payment_method(v); }
                    if let Some(v) = return_url { params = params.return_url(v); }
                    self.core().payment_intents().confirm(id, &params, &options)
                })();
                self.dispatch(py, call)
            }

            /// Cancels a payment intent that has not succeeded.
            #[pyo3(signature = (
                id, *, cancellation_reason = None, idempotency_key = None,
                max_retries = None, timeout = None, account = None, api_key = None,
            ))]
            fn cancel_payment_intent<'py>(
                &self,
                py: Python<'py>,
                id: &str,
                cancellation_reason: Option<&str>,
                idempotency_key: Option<String>,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                use molam_core::params::CancelPaymentIntent;
                use molam_core::resources::CancellationReason;
                let call = (|| {
                    let options = $crate::endpoints::options(idempotency_key, max_retries, timeout, account, api_key)?;
                    let mut params = CancelPaymentIntent::new();
                    if let Some(v) = cancellation_reason {
                        params = params.cancellation_reason(CancellationReason::from_wire(v));
                    }
                    self.core().payment_intents().cancel(id, &params, &options)
                })();
                self.dispatch(py, call)
            }

            /// One page of payment intents, newest first (a `list` object).
            #[pyo3(signature = (
                *, limit = None, starting_after = None, ending_before = None,
                created_gte = None, created_lte = None, status = None,
                max_retries = None, timeout = None, account = None, api_key = None,
            ))]
            fn list_payment_intents<'py>(
                &self,
                py: Python<'py>,
                limit: Option<u32>,
                starting_after: Option<String>,
                ending_before: Option<String>,
                created_gte: Option<i64>,
                created_lte: Option<i64>,
                status: Option<&str>,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let page = $crate::convert::Page { limit, starting_after, ending_before, created_gte, created_lte };
                let params = $crate::endpoints::list_payment_intents(&page, status);
                let call = $crate::endpoints::options(None, max_retries, timeout, account, api_key)
                    .and_then(|o| self.core().payment_intents().list(&params, &o));
                self.dispatch(py, call)
            }

            /// Every payment intent, newest first, fetched page by page as it is iterated.
            #[pyo3(signature = (
                *, limit = None, starting_after = None, ending_before = None,
                created_gte = None, created_lte = None, status = None, max_items = None,
                max_retries = None, timeout = None, account = None, api_key = None,
            ))]
            fn iter_payment_intents<'py>(
                &self,
                py: Python<'py>,
                limit: Option<u32>,
                starting_after: Option<String>,
                ending_before: Option<String>,
                created_gte: Option<i64>,
                created_lte: Option<i64>,
                status: Option<&str>,
                max_items: Option<usize>,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let page = $crate::convert::Page { limit, starting_after, ending_before, created_gte, created_lte };
                let params = $crate::endpoints::list_payment_intents(&page, status);
                let options = $crate::endpoints::options(None, max_retries, timeout, account, api_key)
                    .map_err(|e| $crate::errors::to_pyerr(py, e))?;
                let pages = $crate::endpoints::pages(&params, &options, max_items, |core, p, o| core.payment_intents().list(p, o));
                self.iterate(py, pages)
            }

            /// Retrieves a charge (`ch_…`, a payment intent's `latest_charge`).
            #[pyo3(signature = (id, *, max_retries = None, timeout = None, account = None, api_key = None))]
            fn retrieve_charge<'py>(
                &self,
                py: Python<'py>,
                id: &str,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let call = $crate::endpoints::options(None, max_retries, timeout, account, api_key)
                    .and_then(|o| self.core().charges().retrieve(id, &o));
                self.dispatch(py, call)
            }

            /// Refunds a charge (`ch_…`): by default what is left of it.
            #[pyo3(signature = (
                charge, *, amount = None, reason = None, metadata = None,
                idempotency_key = None, max_retries = None, timeout = None, account = None, api_key = None,
            ))]
            fn create_refund<'py>(
                &self,
                py: Python<'py>,
                charge: &str,
                amount: Option<i64>,
                reason: Option<&str>,
                metadata: Option<&Bound<'py, PyAny>>,
                idempotency_key: Option<String>,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                use molam_core::params::CreateRefund;
                use molam_core::resources::RefundReason;
                let metadata = $crate::convert::metadata(metadata)?;
                let call = (|| {
                    let options = $crate::endpoints::options(idempotency_key, max_retries, timeout, account, api_key)?;
                    let mut params = CreateRefund::new();
                    if let Some(v) = amount { params = params.amount(v); }
                    if let Some(v) = reason { params = params.reason(RefundReason::from_wire(v)); }
                    if let Some(v) = metadata { params = params.metadata(v); }
                    self.core().refunds().create(charge, &params, &options)
                })();
                self.dispatch(py, call)
            }

            /// Retrieves a refund.
            #[pyo3(signature = (id, *, max_retries = None, timeout = None, account = None, api_key = None))]
            fn retrieve_refund<'py>(
                &self,
                py: Python<'py>,
                id: &str,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let call = $crate::endpoints::options(None, max_retries, timeout, account, api_key)
                    .and_then(|o| self.core().refunds().retrieve(id, &o));
                self.dispatch(py, call)
            }

            /// One page of refunds, newest first.
            #[pyo3(signature = (
                *, limit = None, starting_after = None, ending_before = None,
                created_gte = None, created_lte = None, payment_intent = None,
                max_retries = None, timeout = None, account = None, api_key = None,
            ))]
            fn list_refunds<'py>(
                &self,
                py: Python<'py>,
                limit: Option<u32>,
                starting_after: Option<String>,
                ending_before: Option<String>,
                created_gte: Option<i64>,
                created_lte: Option<i64>,
                payment_intent: Option<String>,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let page = $crate::convert::Page { limit, starting_after, ending_before, created_gte, created_lte };
                let params = $crate::endpoints::list_refunds(&page, payment_intent);
                let call = $crate::endpoints::options(None, max_retries, timeout, account, api_key)
                    .and_then(|o| self.core().refunds().list(&params, &o));
                self.dispatch(py, call)
            }

            /// Every refund, newest first, fetched page by page as it is iterated.
            #[pyo3(signature = (
                *, limit = None, starting_after = None, ending_before = None,
                created_gte = None, created_lte = None, payment_intent = None, max_items = None,
                max_retries = None, timeout = None, account = None, api_key = None,
            ))]
            fn iter_refunds<'py>(
                &self,
                py: Python<'py>,
                limit: Option<u32>,
                starting_after: Option<String>,
                ending_before: Option<String>,
                created_gte: Option<i64>,
                created_lte: Option<i64>,
                payment_intent: Option<String>,
                max_items: Option<usize>,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let page = $crate::convert::Page { limit, starting_after, ending_before, created_gte, created_lte };
                let params = $crate::endpoints::list_refunds(&page, payment_intent);
                let options = $crate::endpoints::options(None, max_retries, timeout, account, api_key)
                    .map_err(|e| $crate::errors::to_pyerr(py, e))?;
                let pages = $crate::endpoints::pages(&params, &options, max_items, |core, p, o| core.refunds().list(p, o));
                self.iterate(py, pages)
            }

            /// Creates a payout (`POST /v1/treasury/payouts`).
            #[pyo3(signature = (
                amount, currency, method, destination, *, description = None, metadata = None,
                idempotency_key = None, max_retries = None, timeout = None, account = None, api_key = None,
            ))]
            fn create_payout<'py>(
                &self,
                py: Python<'py>,
                amount: i64,
                currency: &str,
                method: &str,
                destination: String,
                description: Option<String>,
                metadata: Option<&Bound<'py, PyAny>>,
                idempotency_key: Option<String>,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                use molam_core::params::CreatePayout;
                use molam_core::resources::PayoutMethod;
                let metadata = $crate::convert::metadata(metadata)?;
                let call = (|| {
                    let options = $crate::endpoints::options(idempotency_key, max_retries, timeout, account, api_key)?;
                    let currency = molam_core::resources::Currency::new(currency)?;
                    let mut params = CreatePayout::new(amount, currency, PayoutMethod::from_wire(method), destination);
                    if let Some(v) = description { params = params.description(v); }
                    if let Some(v) = metadata { params = params.metadata(v); }
                    self.core().payouts().create(&params, &options)
                })();
                self.dispatch(py, call)
            }

            /// Retrieves a payout.
            #[pyo3(signature = (id, *, max_retries = None, timeout = None, account = None, api_key = None))]
            fn retrieve_payout<'py>(
                &self,
                py: Python<'py>,
                id: &str,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let call = $crate::endpoints::options(None, max_retries, timeout, account, api_key)
                    .and_then(|o| self.core().payouts().retrieve(id, &o));
                self.dispatch(py, call)
            }

            /// Cancels a payout while it is `pending`.
            #[pyo3(signature = (id, *, idempotency_key = None, max_retries = None, timeout = None, account = None, api_key = None))]
            fn cancel_payout<'py>(
                &self,
                py: Python<'py>,
                id: &str,
                idempotency_key: Option<String>,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let call = $crate::endpoints::options(idempotency_key, max_retries, timeout, account, api_key)
                    .and_then(|o| self.core().payouts().cancel(id, &o));
                self.dispatch(py, call)
            }

            /// One page of payouts, newest first.
            #[pyo3(signature = (
                *, limit = None, starting_after = None, ending_before = None,
                created_gte = None, created_lte = None, status = None,
                max_retries = None, timeout = None, account = None, api_key = None,
            ))]
            fn list_payouts<'py>(
                &self,
                py: Python<'py>,
                limit: Option<u32>,
                starting_after: Option<String>,
                ending_before: Option<String>,
                created_gte: Option<i64>,
                created_lte: Option<i64>,
                status: Option<&str>,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let page = $crate::convert::Page { limit, starting_after, ending_before, created_gte, created_lte };
                let params = $crate::endpoints::list_payouts(&page, status);
                let call = $crate::endpoints::options(None, max_retries, timeout, account, api_key)
                    .and_then(|o| self.core().payouts().list(&params, &o));
                self.dispatch(py, call)
            }

            /// Every payout, newest first, fetched page by page as it is iterated.
            #[pyo3(signature = (
                *, limit = None, starting_after = None, ending_before = None,
                created_gte = None, created_lte = None, status = None, max_items = None,
                max_retries = None, timeout = None, account = None, api_key = None,
            ))]
            fn iter_payouts<'py>(
                &self,
                py: Python<'py>,
                limit: Option<u32>,
                starting_after: Option<String>,
                ending_before: Option<String>,
                created_gte: Option<i64>,
                created_lte: Option<i64>,
                status: Option<&str>,
                max_items: Option<usize>,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let page = $crate::convert::Page { limit, starting_after, ending_before, created_gte, created_lte };
                let params = $crate::endpoints::list_payouts(&page, status);
                let options = $crate::endpoints::options(None, max_retries, timeout, account, api_key)
                    .map_err(|e| $crate::errors::to_pyerr(py, e))?;
                let pages = $crate::endpoints::pages(&params, &options, max_items, |core, p, o| core.payouts().list(p, o));
                self.iterate(py, pages)
            }

            /// Retrieves an event.
            #[pyo3(signature = (id, *, max_retries = None, timeout = None, account = None, api_key = None))]
            fn retrieve_event<'py>(
                &self,
                py: Python<'py>,
                id: &str,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let call = $crate::endpoints::options(None, max_retries, timeout, account, api_key)
                    .and_then(|o| self.core().events().retrieve(id, &o));
                self.dispatch(py, call)
            }

            /// One page of events, newest first.
            #[pyo3(signature = (
                *, limit = None, starting_after = None, ending_before = None,
                created_gte = None, created_lte = None, r#type = None,
                max_retries = None, timeout = None, account = None, api_key = None,
            ))]
            fn list_events<'py>(
                &self,
                py: Python<'py>,
                limit: Option<u32>,
                starting_after: Option<String>,
                ending_before: Option<String>,
                created_gte: Option<i64>,
                created_lte: Option<i64>,
                r#type: Option<&str>,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let page = $crate::convert::Page { limit, starting_after, ending_before, created_gte, created_lte };
                let params = $crate::endpoints::list_events(&page, r#type);
                let call = $crate::endpoints::options(None, max_retries, timeout, account, api_key)
                    .and_then(|o| self.core().events().list(&params, &o));
                self.dispatch(py, call)
            }

            /// Every event, newest first, fetched page by page as it is iterated.
            #[pyo3(signature = (
                *, limit = None, starting_after = None, ending_before = None,
                created_gte = None, created_lte = None, r#type = None, max_items = None,
                max_retries = None, timeout = None, account = None, api_key = None,
            ))]
            fn iter_events<'py>(
                &self,
                py: Python<'py>,
                limit: Option<u32>,
                starting_after: Option<String>,
                ending_before: Option<String>,
                created_gte: Option<i64>,
                created_lte: Option<i64>,
                r#type: Option<&str>,
                max_items: Option<usize>,
                max_retries: Option<u32>,
                timeout: Option<f64>,
                account: Option<String>,
                api_key: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let page = $crate::convert::Page { limit, starting_after, ending_before, created_gte, created_lte };
                let params = $crate::endpoints::list_events(&page, r#type);
                let options = $crate::endpoints::options(None, max_retries, timeout, account, api_key)
                    .map_err(|e| $crate::errors::to_pyerr(py, e))?;
                let pages = $crate::endpoints::pages(&params, &options, max_items, |core, p, o| core.events().list(p, o));
                self.iterate(py, pages)
            }

            /// Verifies a webhook delivery with the configured secrets (REFERENCE.md §5);
            /// returns `True` or raises `SignatureError`.
            fn verify_webhook_signature(
                &self,
                py: Python<'_>,
                signature_header: Option<&str>,
                raw_body: &[u8],
            ) -> PyResult<bool> {
                self.webhooks()
                    .verify_header(signature_header, raw_body)
                    .map(|_| true)
                    .map_err(|e| $crate::errors::to_pyerr(py, e))
            }

            /// Verifies a webhook delivery, then returns its event (a `MolamObject`).
            fn construct_event<'py>(
                &self,
                py: Python<'py>,
                signature_header: Option<&str>,
                raw_body: &[u8],
            ) -> PyResult<Bound<'py, PyAny>> {
                let event = self
                    .webhooks()
                    .verify_header(signature_header, raw_body)
                    .map_err(|e| $crate::errors::to_pyerr(py, e))?;
                let value = serde_json::to_value(&event).unwrap_or(serde_json::Value::Null);
                $crate::convert::to_python(py, &value)
            }
        }
    };
}

pub(crate) use endpoints;

/// `ListPaymentIntents` from the list arguments.
pub(crate) fn list_payment_intents(
    page: &crate::convert::Page,
    status: Option<&str>,
) -> ListPaymentIntents {
    let mut params = ListPaymentIntents::new().page(page.params());
    if let Some(status) = status {
        params = params.status(molam_core::resources::PaymentIntentStatus::from_wire(
            status,
        ));
    }
    params
}

/// `ListRefunds` from the list arguments.
pub(crate) fn list_refunds(
    page: &crate::convert::Page,
    payment_intent: Option<String>,
) -> ListRefunds {
    let mut params = ListRefunds::new().page(page.params());
    if let Some(id) = payment_intent {
        params = params.payment_intent(id);
    }
    params
}

/// `ListPayouts` from the list arguments.
pub(crate) fn list_payouts(page: &crate::convert::Page, status: Option<&str>) -> ListPayouts {
    let mut params = ListPayouts::new().page(page.params());
    if let Some(status) = status {
        params = params.status(molam_core::resources::PayoutStatus::from_wire(status));
    }
    params
}

/// `ListEvents` from the list arguments.
pub(crate) fn list_events(page: &crate::convert::Page, event_type: Option<&str>) -> ListEvents {
    let mut params = ListEvents::new().page(page.params());
    if let Some(t) = event_type {
        params = params.event_type(molam_core::resources::EventType::from_wire(t));
    }
    params
}
