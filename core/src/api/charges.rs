//! `/v1/connect/charges/{id}` (REFERENCE.md §4). Refunding a charge is in [`super::Refunds`].

use super::{get, object_path};
use crate::call::{Call, PreparedRequest, RequestOptions};
use crate::client::Client;
use crate::error::{Error, ParamError};
use crate::params::Query;
use crate::resources::Charge;

const PATH: &str = "/v1/connect/charges";

impl Client {
    /// The charge endpoints.
    pub fn charges(&self) -> Charges<'_> {
        Charges { client: self }
    }
}

/// The charge endpoints of a [`Client`]; see [`Client::charges`].
#[derive(Clone, Copy)]
pub struct Charges<'a> {
    client: &'a Client,
}

impl Charges<'_> {
    /// `GET /v1/connect/charges/{id}`: a charge, such as a payment intent's `latest_charge`.
    pub fn retrieve(&self, id: &str, options: &RequestOptions) -> Result<Call<Charge>, Error> {
        Ok(self.client.prepare(request::retrieve(id)?, options))
    }
}

/// The pure request building of each endpoint.
pub(crate) mod request {
    use super::*;

    pub(crate) fn retrieve(id: &str) -> Result<PreparedRequest, ParamError> {
        Ok(get(&object_path(PATH, "id", id, "")?, &Query::default()))
    }
}
