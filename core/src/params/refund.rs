//! Parameters of the refund endpoints.

use serde::Serialize;

use super::{validate_amount, validate_optional_id, ListParams, Query};
use crate::error::ParamError;
use crate::resources::{Metadata, RefundReason};

/// `POST /v1/connect/charges/{charge}/refund` (the charge id is given to the call).
///
/// ```
/// use molam_core::params::CreateRefund;
/// use molam_core::resources::RefundReason;
/// let partial = CreateRefund::new().amount(500).reason(RefundReason::RequestedByCustomer);
/// assert!(partial.validate().is_ok());
/// assert_eq!(CreateRefund::new().amount(-1).validate().unwrap_err().field, "amount");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CreateRefund {
    /// How much to refund; without it, whatever is left of the charge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    /// Why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<RefundReason>,
    /// The merchant's key-value pairs.
    #[serde(skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
}

impl CreateRefund {
    /// A refund of everything left on the charge.
    pub fn new() -> Self {
        CreateRefund::default()
    }

    /// Sets `amount`, for a partial refund.
    pub fn amount(mut self, amount: i64) -> Self {
        self.amount = Some(amount);
        self
    }

    /// Sets `reason`.
    pub fn reason(mut self, reason: RefundReason) -> Self {
        self.reason = Some(reason);
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

    /// Checks `amount` (when given) and `metadata`.
    pub fn validate(&self) -> Result<(), ParamError> {
        if let Some(amount) = self.amount {
            validate_amount("amount", amount)?;
        }
        self.metadata.validate()
    }
}

/// `GET /v1/connect/refunds`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListRefunds {
    /// Which page.
    pub page: ListParams,
    /// Only refunds of this payment intent.
    pub payment_intent: Option<String>,
}

impl ListRefunds {
    /// The first page of all refunds.
    pub fn new() -> Self {
        ListRefunds::default()
    }

    /// Sets the page.
    pub fn page(mut self, page: ListParams) -> Self {
        self.page = page;
        self
    }

    /// Sets `payment_intent`.
    pub fn payment_intent(mut self, id: impl Into<String>) -> Self {
        self.payment_intent = Some(id.into());
        self
    }

    /// Checks the page and `payment_intent`.
    pub fn validate(&self) -> Result<(), ParamError> {
        self.page.validate()?;
        validate_optional_id("payment_intent", self.payment_intent.as_deref())
    }

    pub(crate) fn to_query(&self) -> Query {
        let mut query = self.page.to_query();
        query.push_some("payment_intent", self.payment_intent.as_deref());
        query
    }
}
