//! Parameters of the payout endpoints.

use serde::Serialize;

use super::{validate_amount, ListParams, Query};
use crate::error::ParamError;
use crate::resources::{Currency, Metadata, PayoutMethod, PayoutStatus};

/// `POST /v1/treasury/payouts`.
///
/// ```
/// use molam_core::params::CreatePayout;
/// use molam_core::resources::{Currency, PayoutMethod};
/// let payout = CreatePayout::new(10_000, Currency::XOF, PayoutMethod::MobileMoney, "+221770000000");
/// assert!(payout.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CreatePayout {
    /// Required: more than 0, in the currency's minor unit.
    pub amount: i64,
    /// Required.
    pub currency: Currency,
    /// Required: how the money is sent.
    pub method: PayoutMethod,
    /// Required: where it goes (an account, a phone number); not blank.
    pub destination: String,
    /// Shown to the merchant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The merchant's key-value pairs.
    #[serde(skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
}

impl CreatePayout {
    /// A payout of `amount` of `currency` by `method` to `destination`.
    pub fn new(
        amount: i64,
        currency: Currency,
        method: PayoutMethod,
        destination: impl Into<String>,
    ) -> Self {
        CreatePayout {
            amount,
            currency,
            method,
            destination: destination.into(),
            description: None,
            metadata: Metadata::new(),
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

    /// Checks `amount`, `destination` and `metadata`.
    pub fn validate(&self) -> Result<(), ParamError> {
        validate_amount("amount", self.amount)?;
        if self.destination.trim().is_empty() {
            return Err(ParamError::new("destination", "must not be blank"));
        }
        self.metadata.validate()
    }
}

/// `GET /v1/treasury/payouts`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListPayouts {
    /// Which page.
    pub page: ListParams,
    /// Only payouts in this status.
    pub status: Option<PayoutStatus>,
}

impl ListPayouts {
    /// The first page of all payouts.
    pub fn new() -> Self {
        ListPayouts::default()
    }

    /// Sets the page.
    pub fn page(mut self, page: ListParams) -> Self {
        self.page = page;
        self
    }

    /// Sets `status`.
    pub fn status(mut self, status: PayoutStatus) -> Self {
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
