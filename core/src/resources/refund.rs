//! The Refund object (`re_…`) of Molam Connect.

use serde::{Deserialize, Serialize};

use crate::account::AccountId;

use super::{null_as_default, Currency, Metadata, Resource};

string_enum! {
    /// Where a refund is.
    pub enum RefundStatus {
        /// `pending`
        Pending = "pending",
        /// `succeeded`
        Succeeded = "succeeded",
        /// `failed`
        Failed = "failed",
        /// `canceled`
        Canceled = "canceled",
    }
}

impl RefundStatus {
    /// True for `succeeded`, `failed` and `canceled`, after which the status never changes;
    /// false for `pending`, and for a status this SDK does not know.
    ///
    /// ```
    /// use molam_core::resources::RefundStatus;
    /// assert!(RefundStatus::Succeeded.is_final());
    /// assert!(!RefundStatus::Pending.is_final());
    /// assert!(!RefundStatus::from_wire("requires_action").is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Canceled)
    }
}

string_enum! {
    /// Why a refund was made.
    pub enum RefundReason {
        /// `duplicate`
        Duplicate = "duplicate",
        /// `fraudulent`
        Fraudulent = "fraudulent",
        /// `requested_by_customer`
        RequestedByCustomer = "requested_by_customer",
    }
}

/// Money given back from a charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Refund {
    /// `re_…`
    pub id: String,
    /// `refund`
    #[serde(default)]
    pub object: String,
    /// Creation time, unix seconds.
    #[serde(default)]
    pub created: i64,
    /// True in live mode.
    #[serde(default)]
    pub livemode: bool,
    /// The amount refunded, in the currency's minor unit.
    pub amount: i64,
    /// The currency.
    pub currency: Currency,
    /// The refunded charge (`ch_…`).
    pub charge: Option<String>,
    /// The payment intent of that charge (`pi_…`).
    pub payment_intent: Option<String>,
    /// Where it is.
    pub status: RefundStatus,
    /// Why it was made.
    pub reason: Option<RefundReason>,
    /// The merchant's key-value pairs.
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
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

impl Resource for Refund {
    const OBJECT: &'static str = "refund";

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
