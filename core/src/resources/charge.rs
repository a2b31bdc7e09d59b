//! The Charge object (`ch_…`) of Molam Connect (REFERENCE.md §3).

use serde::{Deserialize, Serialize};

use crate::account::AccountId;

use super::{Currency, Resource};

string_enum! {
    /// Where a charge is.
    pub enum ChargeStatus {
        /// `pending`: the money is under way (a mobile-money payment being approved, say).
        Pending = "pending",
        /// `succeeded`: the money was taken.
        Succeeded = "succeeded",
        /// `failed`: no money moved.
        Failed = "failed",
    }
}

/// The money movement behind a paid payment intent (its `latest_charge`). Refunds are made
/// against a charge, and a `charge.refunded` event carries one.
///
/// ```
/// use molam_core::resources::{Charge, ChargeStatus};
/// let body = r#"{"id":"ch_1","object":"charge","created":1700000000,"livemode":false,
///   "amount":2500,"amount_refunded":2500,"currency":"XOF","payment_intent":"pi_1",
///   "payment_method":"pm_card_visa","refunded":true,"status":"succeeded"}"#;
/// let charge: Charge = serde_json::from_str(body)?;
/// assert_eq!((charge.amount, charge.refunded), (2500, true));
/// assert_eq!(charge.status, ChargeStatus::Succeeded);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Charge {
    /// `ch_…`
    pub id: String,
    /// `charge`
    #[serde(default)]
    pub object: String,
    /// Creation time, unix seconds.
    #[serde(default)]
    pub created: i64,
    /// True in live mode.
    #[serde(default)]
    pub livemode: bool,
    /// The amount charged, in the currency's minor unit.
    pub amount: i64,
    /// How much of it was refunded so far.
    #[serde(default)]
    pub amount_refunded: i64,
    /// The currency.
    pub currency: Currency,
    /// The payment intent it belongs to (`pi_…`).
    pub payment_intent: Option<String>,
    /// The payment method charged (`pm_…`).
    pub payment_method: Option<String>,
    /// True once `amount_refunded` reaches `amount`.
    #[serde(default)]
    pub refunded: bool,
    /// Where it is.
    pub status: ChargeStatus,
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

impl Resource for Charge {
    const OBJECT: &'static str = "charge";

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
