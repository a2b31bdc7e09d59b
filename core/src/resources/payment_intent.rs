//! The PaymentIntent object (`pi_…`) of Molam Connect.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::account::AccountId;

use super::{null_as_default, Currency, Metadata, Resource};
use crate::error::ApiErrorType;

string_enum! {
    /// Where a payment intent is in its life:
    /// `requires_payment_method` → `requires_confirmation` → (`requires_action`) →
    /// `processing` → `succeeded`; any non-final state → `canceled`.
    pub enum PaymentIntentStatus {
        /// `requires_payment_method`: created without one, or the last attempt failed.
        RequiresPaymentMethod = "requires_payment_method",
        /// `requires_confirmation`: a payment method is attached; confirm it.
        RequiresConfirmation = "requires_confirmation",
        /// `requires_action`: the customer must act (3-D Secure, a mobile-money prompt).
        RequiresAction = "requires_action",
        /// `processing`: the payment is under way.
        Processing = "processing",
        /// `succeeded`: the money was taken (final).
        Succeeded = "succeeded",
        /// `canceled`: canceled before it succeeded (final).
        Canceled = "canceled",
    }
}

impl PaymentIntentStatus {
    /// True for `succeeded` and `canceled`, after which the status never changes.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Succeeded | Self::Canceled)
    }
}

string_enum! {
    /// Why a payment intent was canceled.
    pub enum CancellationReason {
        /// `duplicate`
        Duplicate = "duplicate",
        /// `fraudulent`
        Fraudulent = "fraudulent",
        /// `requested_by_customer`
        RequestedByCustomer = "requested_by_customer",
        /// `abandoned`
        Abandoned = "abandoned",
    }
}

/// A payment intent: one attempt to take an amount from a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PaymentIntent {
    /// `pi_…`
    pub id: String,
    /// `payment_intent`
    #[serde(default)]
    pub object: String,
    /// Creation time, unix seconds.
    #[serde(default)]
    pub created: i64,
    /// True in live mode.
    #[serde(default)]
    pub livemode: bool,
    /// The amount to take, in the currency's minor unit.
    pub amount: i64,
    /// The currency.
    pub currency: Currency,
    /// Where it is in its life.
    pub status: PaymentIntentStatus,
    /// The merchant's description.
    pub description: Option<String>,
    /// The merchant's key-value pairs.
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    /// The customer's id, if any.
    pub customer: Option<String>,
    /// The attached payment method, e.g. `pm_card_visa`.
    pub payment_method: Option<String>,
    /// The latest charge (`ch_…`) once one exists; refunds are made against it.
    pub latest_charge: Option<String>,
    /// How much was received.
    #[serde(default, deserialize_with = "null_as_default")]
    pub amount_received: i64,
    /// How much was refunded.
    #[serde(default, deserialize_with = "null_as_default")]
    pub amount_refunded: i64,
    /// Why it was canceled, once canceled.
    pub cancellation_reason: Option<CancellationReason>,
    /// Why the last payment attempt failed, if it did.
    pub last_payment_error: Option<LastPaymentError>,
    /// The secret a front end uses to confirm this intent. Masked in `Debug`.
    pub client_secret: Option<ClientSecret>,
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

impl Resource for PaymentIntent {
    const OBJECT: &'static str = "payment_intent";

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

/// Why a payment attempt failed: the API's error object (REFERENCE.md §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LastPaymentError {
    /// The error's `type`, e.g. `payment_error`.
    #[serde(rename = "type", default, with = "error_type")]
    pub kind: Option<ApiErrorType>,
    /// E.g. `card_declined`, `insufficient_funds`.
    pub code: Option<String>,
    /// The issuer's reason for a decline.
    pub decline_code: Option<String>,
    /// A human-readable message.
    pub message: Option<String>,
    /// The parameter at fault.
    pub param: Option<String>,
    /// A link to documentation about this error.
    pub doc_url: Option<String>,
}

/// `ApiErrorType` on the wire: its name as a string, or null.
mod error_type {
    use super::*;

    pub(super) fn serialize<S: Serializer>(
        kind: &Option<ApiErrorType>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        kind.as_ref()
            .map(ApiErrorType::as_str)
            .serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<ApiErrorType>, D::Error> {
        let name = Option::<String>::deserialize(deserializer)?;
        Ok(name.as_deref().map(ApiErrorType::from_wire))
    }
}

/// A payment intent's client secret, handed to a front end. Its `Debug` is masked.
///
/// ```
/// use molam_core::resources::ClientSecret;
/// let secret: ClientSecret = serde_json::from_str(r#""pi_1_secret_abcdefghijkl""#)?;
/// assert_eq!(secret.expose_secret(), "pi_1_secret_abcdefghijkl");
/// assert_eq!(format!("{secret:?}"), r#"ClientSecret("****ijkl")"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientSecret(String);

impl ClientSecret {
    /// The secret itself, to hand to the front end. Never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ClientSecret")
            .field(&crate::redact::masked(&self.0))
            .finish()
    }
}
