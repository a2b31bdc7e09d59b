//! The objects the API returns (REFERENCE.md §3): payment intents, charges, refunds, payouts, events and
//! lists of them, with the value types they share ([`Currency`], [`Metadata`]).
//!
//! Decoding is tolerant, because the API grows: unknown fields are kept in each object's
//! `extra` map ([`Resource::extra`]), optional fields
//! may be missing or `null`, and unknown enum values are kept as `Unknown(String)` and
//! serialize back to the same string. Decoding never panics, whatever the JSON.

/// Defines a string enum of the API with an `Unknown(String)` variant for values this SDK
/// does not know, `from_wire`/`as_str`, `Display`, `From<&str>` and serde as a plain string.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value this SDK does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every value this SDK knows, as on the wire, in the order of REFERENCE.md.
            pub const KNOWN: &'static [&'static str] = &[$( $wire, )+];

            /// Parses the wire value; values this SDK does not know become `Unknown`.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                }
            }

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unknown(other) => other,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from_wire(value)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from_wire(&value))
            }
        }
    };
}

use crate::account::AccountId;

mod charge;
mod currency;
mod event;
mod list;
mod metadata;
mod payment_intent;
mod payout;
mod refund;

pub use charge::{Charge, ChargeStatus};
pub use currency::Currency;
pub use event::{Event, EventData, EventObject, EventRequest, EventType};
pub use list::List;
pub use metadata::Metadata;
pub use payment_intent::{
    CancellationReason, ClientSecret, LastPaymentError, PaymentIntent, PaymentIntentStatus,
};
pub use payout::{Payout, PayoutMethod, PayoutStatus};
pub use refund::{Refund, RefundReason, RefundStatus};

/// An object of the API with an id (`pi_…`, `ch_…`, `re_…`, `po_…`, `evt_…`).
pub trait Resource {
    /// The value of its `object` field, e.g. `payment_intent`.
    const OBJECT: &'static str;

    /// Its id.
    fn id(&self) -> &str;

    /// The connected account it belongs to (REFERENCE.md §6); `None` for the platform's own
    /// (and, by default, for types that do not record it).
    fn account(&self) -> Option<&AccountId> {
        None
    }

    /// The fields this SDK does not know, as sent (a later API version's additions).
    ///
    /// ```
    /// use molam_core::resources::{PaymentIntent, Resource};
    /// let intent: PaymentIntent = serde_json::from_str(r#"{"id":"pi_1","object":"payment_intent",
    ///   "amount":2500,"currency":"XOF","status":"succeeded","risk":{"score":3}}"#)?;
    /// assert_eq!(intent.extra()["risk"]["score"], 3);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    ///
    /// By default (for types that do not keep them) an empty map.
    fn extra(&self) -> &serde_json::Map<String, serde_json::Value> {
        static EMPTY: std::sync::LazyLock<serde_json::Map<String, serde_json::Value>> =
            std::sync::LazyLock::new(serde_json::Map::new);
        &EMPTY
    }
}

/// Decodes `account`: a well-formed `acct_…` id, else `None` rather than losing the whole
/// object over one odd field.
fn lenient_account<'de, D>(deserializer: D) -> Result<Option<AccountId>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let value = <Option<serde_json::Value> as serde::Deserialize>::deserialize(deserializer)?;
    Ok(value
        .as_ref()
        .and_then(serde_json::Value::as_str)
        .and_then(|id| AccountId::new(id).ok()))
}

/// Decodes `null` like a missing field: as the type's default.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Option::unwrap_or_default)
}

#[cfg(test)]
mod tests;
