//! Parameters of the API's endpoints (REFERENCE.md §4), checked before any request is built.
//!
//! Each endpoint has one type with public fields, a constructor taking the required ones,
//! chained setters for the rest, and `validate()`. A failure is a [`ParamError`] naming the
//! field as it is spelled on the wire. The endpoint handles of [`crate::api`] validate for
//! you; `validate()` is public so a form can be checked before a call is made.
//!
//! ```
//! use molam_core::params::CreatePaymentIntent;
//! use molam_core::resources::Currency;
//! let params = CreatePaymentIntent::new(0, Currency::XOF);
//! assert_eq!(params.validate().unwrap_err().field, "amount");
//! ```

mod event;
mod list;
mod payment_intent;
mod payout;
mod query;
mod refund;

pub use event::ListEvents;
pub use list::ListParams;
pub use payment_intent::{
    CancelPaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent, ListPaymentIntents,
};
pub use payout::{CreatePayout, ListPayouts};
pub use refund::{CreateRefund, ListRefunds};

pub(crate) use query::Query;

use crate::error::ParamError;

/// The largest amount accepted, in the currency's minor unit: 99,999,999,999 (REFERENCE.md §3).
/// The API answers 400 `amount_too_large` above it; the SDK refuses the same range first.
pub const MAX_AMOUNT: i64 = 99_999_999_999;

/// The longest id accepted.
pub const MAX_ID_LEN: usize = 255;

/// Checks an object id: 1 to 255 of `A-Z a-z 0-9 _` (REFERENCE.md §4), so that no caller input
/// can change a request's path or query. The error names `field` and does not quote the id.
///
/// ```
/// use molam_core::params::validate_id;
/// assert!(validate_id("id", "pi_3Ntest").is_ok());
/// assert_eq!(validate_id("id", "../refunds").unwrap_err().field, "id");
/// ```
pub fn validate_id(field: &str, id: &str) -> Result<(), ParamError> {
    let well_formed = (1..=MAX_ID_LEN).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if well_formed {
        Ok(())
    } else {
        Err(ParamError::new(
            field,
            "must be 1 to 255 of A-Z, a-z, 0-9 and _",
        ))
    }
}

/// Checks an amount in a currency's minor unit: more than 0, at most [`MAX_AMOUNT`].
pub fn validate_amount(field: &str, amount: i64) -> Result<(), ParamError> {
    if (1..=MAX_AMOUNT).contains(&amount) {
        Ok(())
    } else {
        Err(ParamError::new(
            field,
            format!("must be more than 0 and at most {MAX_AMOUNT}"),
        ))
    }
}

fn validate_optional_id(field: &str, id: Option<&str>) -> Result<(), ParamError> {
    id.map_or(Ok(()), |id| validate_id(field, id))
}

/// An absolute URL (`scheme://host…`) of at most 2048 bytes; custom schemes are allowed for
/// mobile apps (`myapp://paid`).
fn validate_url(field: &str, url: Option<&str>) -> Result<(), ParamError> {
    let Some(url) = url else { return Ok(()) };
    let absolute = url.len() <= 2048
        && url
            .parse::<http::Uri>()
            .is_ok_and(|uri| uri.scheme().is_some() && uri.authority().is_some());
    if absolute {
        Ok(())
    } else {
        Err(ParamError::new(
            field,
            "must be an absolute URL of at most 2048 characters",
        ))
    }
}

#[cfg(test)]
mod tests;
