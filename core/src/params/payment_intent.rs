//! Parameters of the payment intent endpoints.

use serde::Serialize;

use super::{validate_amount, validate_optional_id, validate_url, ListParams, Query};
use crate::error::ParamError;
use crate::resources::{CancellationReason, Currency, Metadata, PaymentIntentStatus};

/// `POST /v1/connect/payment_intents`.
///
/// ```
/// use molam_core::params::CreatePaymentIntent;
/// use molam_core::resources::Currency;
/// let params = CreatePaymentIntent::new(2500, Currency::XOF)
///     .description("Order 12345")
///     .metadata_entry("order_id", "12345")
///     .payment_method("pm_momo_success");
/// assert!(params.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CreatePaymentIntent {
    /// Required: more than 0, in the currency's minor unit.
    pub amount: i64,
    /// Required.
    pub currency: Currency,
    /// Shown to the merchant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The merchant's key-value pairs.
    #[serde(skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
    /// A customer id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// A payment method id; with one, the intent starts in `requires_confirmation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// Where the customer returns after an action (3-D Secure, a mobile-money prompt).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
}

impl CreatePaymentIntent {
    /// An intent for `amount` of `currency`.
    pub fn new(amount: i64, currency: Currency) -> Self {
        CreatePaymentIntent {
            amount,
            currency,
            description: None,
            metadata: Metadata::new(),
            customer: None,
            payment_method: None,
            return_url: None,
        }
    }

    /// Sets `description`.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Replaces `metadata`.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// Adds one `metadata` pair.
    pub fn metadata_entry(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key, value);
        self
    }

    /// Sets `customer`.
    pub fn customer(mut self, customer: impl Into<String>) -> Self {
        self.customer = Some(customer.into());
        self
    }

    /// Sets `payment_method`.
    pub fn payment_method(mut self, payment_method: impl Into<String>) -> Self {
        self.payment_method = Some(payment_method.into());
        self
    }

    /// Sets `return_url`.
    pub fn return_url(mut self, url: impl Into<String>) -> Self {
        self.return_url = Some(url.into());
        self
    }

    /// Checks `amount`, `metadata`, the ids and `return_url`.
    pub fn validate(&self) -> Result<(), ParamError> {
        validate_amount("amount", self.amount)?;
        self.metadata.validate()?;
        validate_optional_id("customer", self.customer.as_deref())?;
        validate_optional_id("payment_method", self.payment_method.as_deref())?;
        validate_url("return_url", self.return_url.as_deref())
    }
}

/// `POST /v1/connect/payment_intents/{id}/confirm`. Without a `payment_method`, the one
/// already attached is used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ConfirmPaymentIntent {
    /// A payment method id to attach and confirm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// Where the customer returns after an action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
}

impl ConfirmPaymentIntent {
    /// Confirms with the payment method already attached.
    pub fn new() -> Self {
        ConfirmPaymentIntent::default()
    }

    /// Sets `payment_method`.
    pub fn payment_method(mut self, payment_method: impl Into<String>) -> Self {
        self.payment_method = Some(payment_method.into());
        self
    }

    /// Sets `return_url`.
    pub fn return_url(mut self, url: impl Into<String>) -> Self {
        self.return_url = Some(url.into());
        self
    }

    /// Checks `payment_method` and `return_url`.
    pub fn validate(&self) -> Result<(), ParamError> {
        validate_optional_id("payment_method", self.payment_method.as_deref())?;
        validate_url("return_url", self.return_url.as_deref())
    }
}

/// `POST /v1/connect/payment_intents/{id}/cancel`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CancelPaymentIntent {
    /// Why it is canceled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<CancellationReason>,
}

impl CancelPaymentIntent {
    /// A cancellation without a reason.
    pub fn new() -> Self {
        CancelPaymentIntent::default()
    }

    /// Sets `cancellation_reason`.
    pub fn cancellation_reason(mut self, reason: CancellationReason) -> Self {
        self.cancellation_reason = Some(reason);
        self
    }

    /// Nothing to check: any reason, even one this SDK does not know, is the API's to judge.
    pub fn validate(&self) -> Result<(), ParamError> {
        Ok(())
    }
}

/// `GET /v1/connect/payment_intents`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListPaymentIntents {
    /// Which page.
    pub page: ListParams,
    /// Only intents in this status.
    pub status: Option<PaymentIntentStatus>,
}

impl ListPaymentIntents {
    /// The first page of all intents.
    pub fn new() -> Self {
        ListPaymentIntents::default()
    }

    /// Sets the page.
    pub fn page(mut self, page: ListParams) -> Self {
        self.page = page;
        self
    }

    /// Sets `status`.
    pub fn status(mut self, status: PaymentIntentStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Checks the page.
    pub fn validate(&self) -> Result<(), ParamError> {
        self.page.validate()
    }

    pub(crate) fn to_query(&self) -> Query {
        let mut query = self.page.to_query();
        query.push_some("status", self.status.as_ref());
        query
    }
}
