//! Connected accounts of a platform (REFERENCE.md §6): the validated [`AccountId`] that a
//! platform names in `Molam-Account` and that objects and events of that account carry.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ParamError;

/// The header a platform names one of its connected accounts with (REFERENCE.md §6).
pub const ACCOUNT_HEADER: http::header::HeaderName =
    http::header::HeaderName::from_static("molam-account");

/// The longest id: `acct_` and 251 characters.
const MAX_LEN: usize = 5 + 251;

/// A connected account's id: `acct_` then 1 to 251 of `[A-Za-z0-9_]` (REFERENCE.md §6).
///
/// Validated when made, so it is always a valid `Molam-Account` header value and can never
/// change a request's shape. An account id is not a secret: it shows in `Debug` and `Display`.
///
/// ```
/// use molam_core::account::AccountId;
/// let account = AccountId::new("acct_1MerchantA")?;
/// assert_eq!(account.as_str(), "acct_1MerchantA");
/// assert_eq!(account.to_string(), "acct_1MerchantA");
/// assert!(AccountId::new("acct_a-b").is_err());
/// assert!(AccountId::new("cus_123").is_err());
/// # Ok::<(), molam_core::ParamError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(String);

impl AccountId {
    /// Validates an account id; the error says what a valid one looks like.
    pub fn new(id: impl Into<String>) -> Result<Self, ParamError> {
        let id = id.into();
        let well_formed = id.len() <= MAX_LEN
            && id.strip_prefix("acct_").is_some_and(|rest| {
                !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            });
        if well_formed {
            Ok(AccountId(id))
        } else {
            Err(ParamError::new(
                "account",
                "must be 'acct_' followed by 1 to 251 letters, digits or underscores",
            ))
        }
    }

    /// The id, e.g. `acct_1MerchantA`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as a `Molam-Account` header value.
    pub fn header_value(&self) -> http::HeaderValue {
        http::HeaderValue::from_str(&self.0)
            .expect("an account id is validated to ASCII letters, digits and underscores")
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for AccountId {
    type Err = ParamError;
    fn from_str(s: &str) -> Result<Self, ParamError> {
        AccountId::new(s)
    }
}

impl AsRef<str> for AccountId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for AccountId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AccountId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        AccountId::new(id).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_acct_then_1_to_251_letters_digits_or_underscores() {
        let longest = format!("acct_{}", "a".repeat(251));
        for good in ["acct_1", "acct_A_b_9", longest.as_str()] {
            assert_eq!(AccountId::new(good).unwrap().as_str(), good);
        }
        let too_long = format!("{longest}a");
        for bad in [
            "",
            "acct_",
            "acct",
            "ACCT_1",
            "acct_a b",
            "acct_a\r\nx: y",
            "acct_é",
            &too_long,
        ] {
            let e = AccountId::new(bad).unwrap_err();
            assert_eq!(e.field, "account", "{bad:?}");
        }
    }

    #[test]
    fn an_account_decodes_from_the_wire_only_when_well_formed() {
        let ok: AccountId = serde_json::from_str(r#""acct_9""#).unwrap();
        assert_eq!(ok.header_value(), "acct_9");
        assert_eq!(serde_json::to_string(&ok).unwrap(), r#""acct_9""#);
        assert!(serde_json::from_str::<AccountId>(r#""acct_a/b""#).is_err());
    }
}
