//! Endpoint handles: `client.payment_intents().create(&params, &options)` and the like, one
//! per call of REFERENCE.md §4.
//!
//! Each method validates its parameters first (an invalid one is
//! [`Error::InvalidParams`](crate::Error::InvalidParams), and nothing is built), then builds a
//! [`PreparedRequest`] (method, path with its percent-encoded query, JSON body with only the
//! fields that are set) and hands it to [`Client::prepare`](crate::client::Client::prepare),
//! which adds the headers and returns the [`Call`](crate::call::Call) to drive. Path ids are
//! checked by [`validate_id`](crate::params::validate_id), so no input can change a path.
//!
//! The request building is pure (functions of the parameters alone), in the `request`
//! functions of each submodule. No I/O.
//!
//! ```
//! use std::sync::Arc;
//! use molam_core::{call::RequestOptions, client::Client, config::Config};
//! use molam_core::{params::CreatePaymentIntent, random::SeededRandom, resources::Currency};
//! let config = Config::builder().api_key("sk_test_0123456789abcdef").build()?;
//! let client = Client::new(config, "doc", Arc::new(SeededRandom::new(1)));
//! let options = RequestOptions::new().idempotency_key("order-12345:create-intent")?;
//! let params = CreatePaymentIntent::new(2500, Currency::XOF).payment_method("pm_card_visa");
//! let call = client.payment_intents().create(&params, &options)?;
//! assert_eq!(call.path_and_query(), "/v1/connect/payment_intents");
//! assert_eq!(call.body(), br#"{"amount":2500,"currency":"XOF","payment_method":"pm_card_visa"}"#);
//!
//! let refused = client.payment_intents().retrieve("pi_1/../../payouts", &RequestOptions::new());
//! assert!(matches!(refused, Err(molam_core::Error::InvalidParams(e)) if e.field == "id"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod charges;
mod events;
mod payment_intents;
mod payouts;
mod refunds;

pub use charges::Charges;
pub use events::Events;
pub use payment_intents::PaymentIntents;
pub use payouts::Payouts;
pub use refunds::Refunds;

use serde::Serialize;

use crate::call::PreparedRequest;
use crate::error::ParamError;
use crate::params::{validate_id, Query};

/// A `GET` of `path` with `query`.
fn get(path: &str, query: &Query) -> PreparedRequest {
    PreparedRequest {
        method: http::Method::GET,
        path_and_query: query.after_path(path),
        body: None,
    }
}

/// A `POST` of `params` as a JSON object (`{}` when nothing is set).
fn post(path_and_query: String, params: &impl Serialize) -> PreparedRequest {
    let body = serde_json::to_vec(params)
        .expect("parameters serialize to JSON: structs of strings, integers and string maps");
    PreparedRequest {
        method: http::Method::POST,
        path_and_query,
        body: Some(body),
    }
}

/// `{collection}/{id}{action}`, once `id` is checked.
fn object_path(
    collection: &str,
    field: &str,
    id: &str,
    action: &str,
) -> Result<String, ParamError> {
    validate_id(field, id)?;
    Ok(format!("{collection}/{id}{action}"))
}

/// A body with no fields, for actions without parameters.
#[derive(Serialize)]
struct NoParams {}

#[cfg(test)]
mod tests;
