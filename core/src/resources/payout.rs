//! The Payout object (`po_…`) of Molam Treasury.

use serde::{Deserialize, Serialize};

use crate::account::AccountId;

use super::{null_as_default, Currency, Metadata, Resource};

string_enum! {
    /// Where a payout is.
    pub enum PayoutStatus {
        /// `pending`: not sent yet; the only state in which it can be canceled.
        Pending = "pending",
        /// `in_transit`
        InTransit = "in_transit",
        /// `paid` (final)
        Paid = "paid",
        /// `failed` (final); see `failure_code`.
        Failed = "failed",
        /// `canceled` (final)
        Canceled = "canceled",
    }
}

impl PayoutStatus {
    /// True for `paid`, `failed` and `canceled`, after which the status never changes; false
    /// for `pending` and `in_transit`, and for a status this SDK does not know.
    ///
    /// ```
    /// use molam_core::resources::PayoutStatus;
    /// assert!(PayoutStatus::Paid.is_final());
    /// assert!(!PayoutStatus::InTransit.is_final());
    /// assert!(!PayoutStatus::from_wire("on_hold").is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Paid | Self::Failed | Self::Canceled)
    }
}

string_enum! {
    /// How a payout reaches its destination.
    pub enum PayoutMethod {
        /// `bank_transfer`
        BankTransfer = "bank_transfer",
        /// `mobile_money`
        MobileMoney = "mobile_money",
    }
}

/// Money sent out of the merchant's balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Payout {
    /// `po_…`
    pub id: String,
    /// `payout`
    #[serde(default)]
    pub object: String,
    /// Creation time, unix seconds.
    #[serde(default)]
    pub created: i64,
    /// True in live mode.
    #[serde(default)]
    pub livemode: bool,
    /// The amount, in the currency's minor unit.
    pub amount: i64,
    /// The currency.
    pub currency: Currency,
    /// Where it is.
    pub status: PayoutStatus,
    /// How it is sent.
    pub method: PayoutMethod,
    /// Where it goes (an account or a phone number, depending on the method).
    #[serde(default, deserialize_with = "null_as_default")]
    pub destination: String,
    /// The merchant's description.
    pub description: Option<String>,
    /// The merchant's key-value pairs.
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    /// Expected arrival, unix seconds.
    pub arrival_date: Option<i64>,
    /// Why it failed, once failed.
    pub failure_code: Option<String>,
    /// The connected account this object belongs to (REFERENCE.md §6); `None` for the
    /// platform's own objects (and for an id that is not a well-formed `acct_…`).
    #[serde(
        default,
        deserialize_with = "super::lenient_account",
        skip_serializing_if = "Option::is_none"
    )]
    pub account: Option<AccountId>,
    /// The fields this SDK does not know (yet), as the API sent them: the API grows, and
    /// nothing it sends is lost (REFERENCE.md §3). Serialized back in place.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Resource for Payout {
    const OBJECT: &'static str = "payout";

    fn id(&self) -> &str {
        &self.id
    }

    fn account(&self) -> Option<&AccountId> {
        self.account.as_ref()
    }

    fn extra(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.extra
    }
}
