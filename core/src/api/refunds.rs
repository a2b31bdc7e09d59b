//! `/v1/connect/refunds`, and refunding a charge.

use super::{get, object_path, post};
use crate::call::{Call, PreparedRequest, RequestOptions};
use crate::client::Client;
use crate::error::{Error, ParamError};
use crate::params::{CreateRefund, ListRefunds, Query};
use crate::resources::{List, Refund};

const PATH: &str = "/v1/connect/refunds";
const CHARGES: &str = "/v1/connect/charges";

impl Client {
    /// The refund endpoints.
    pub fn refunds(&self) -> Refunds<'_> {
        Refunds { client: self }
    }
}

/// The refund endpoints of a [`Client`]; see [`Client::refunds`].
#[derive(Clone, Copy)]
pub struct Refunds<'a> {
    client: &'a Client,
}

impl Refunds<'_> {
    /// `POST /v1/connect/charges/{charge}/refund`: refunds a charge (a payment intent's
    /// `latest_charge`), all of what is left or `params.amount`.
    pub fn create(
        &self,
        charge: &str,
        params: &CreateRefund,
        options: &RequestOptions,
    ) -> Result<Call<Refund>, Error> {
        Ok(self
            .client
            .prepare(request::create(charge, params)?, options))
    }

    /// `GET /v1/connect/refunds/{id}`.
    pub fn retrieve(&self, id: &str, options: &RequestOptions) -> Result<Call<Refund>, Error> {
        Ok(self.client.prepare(request::retrieve(id)?, options))
    }

    /// `GET /v1/connect/refunds`, newest first.
    pub fn list(
        &self,
        params: &ListRefunds,
        options: &RequestOptions,
    ) -> Result<Call<List<Refund>>, Error> {
        Ok(self.client.prepare(request::list(params)?, options))
    }
}

/// The pure request building of each endpoint.
pub(crate) mod request {
    use super::*;

    pub(crate) fn create(
        charge: &str,
        params: &CreateRefund,
    ) -> Result<PreparedRequest, ParamError> {
        let path = object_path(CHARGES, "charge", charge, "/refund")?;
        params.validate()?;
        Ok(post(path, params))
    }

    pub(crate) fn retrieve(id: &str) -> Result<PreparedRequest, ParamError> {
        Ok(get(&object_path(PATH, "id", id, "")?, &Query::default()))
    }

    pub(crate) fn list(params: &ListRefunds) -> Result<PreparedRequest, ParamError> {
        params.validate()?;
        Ok(get(PATH, &params.to_query()))
    }
}
