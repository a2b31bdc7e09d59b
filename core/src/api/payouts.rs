//! `/v1/treasury/payouts`.

use super::{get, object_path, post, NoParams};
use crate::call::{Call, PreparedRequest, RequestOptions};
use crate::client::Client;
use crate::error::{Error, ParamError};
use crate::params::{CreatePayout, ListPayouts, Query};
use crate::resources::{List, Payout};

const PATH: &str = "/v1/treasury/payouts";

impl Client {
    /// The payout endpoints.
    pub fn payouts(&self) -> Payouts<'_> {
        Payouts { client: self }
    }
}

/// The payout endpoints of a [`Client`]; see [`Client::payouts`].
#[derive(Clone, Copy)]
pub struct Payouts<'a> {
    client: &'a Client,
}

impl Payouts<'_> {
    /// `POST /v1/treasury/payouts`.
    pub fn create(
        &self,
        params: &CreatePayout,
        options: &RequestOptions,
    ) -> Result<Call<Payout>, Error> {
        Ok(self.client.prepare(request::create(params)?, options))
    }

    /// `GET /v1/treasury/payouts/{id}`.
    pub fn retrieve(&self, id: &str, options: &RequestOptions) -> Result<Call<Payout>, Error> {
        Ok(self.client.prepare(request::retrieve(id)?, options))
    }

    /// `POST /v1/treasury/payouts/{id}/cancel`; the API accepts it only while `pending`.
    pub fn cancel(&self, id: &str, options: &RequestOptions) -> Result<Call<Payout>, Error> {
        Ok(self.client.prepare(request::cancel(id)?, options))
    }

    /// `GET /v1/treasury/payouts`, newest first.
    pub fn list(
        &self,
        params: &ListPayouts,
        options: &RequestOptions,
    ) -> Result<Call<List<Payout>>, Error> {
        Ok(self.client.prepare(request::list(params)?, options))
    }
}

/// The pure request building of each endpoint.
pub(crate) mod request {
    use super::*;

    pub(crate) fn create(params: &CreatePayout) -> Result<PreparedRequest, ParamError> {
        params.validate()?;
        Ok(post(PATH.to_owned(), params))
    }

    pub(crate) fn retrieve(id: &str) -> Result<PreparedRequest, ParamError> {
        Ok(get(&object_path(PATH, "id", id, "")?, &Query::default()))
    }

    pub(crate) fn cancel(id: &str) -> Result<PreparedRequest, ParamError> {
        Ok(post(object_path(PATH, "id", id, "/cancel")?, &NoParams {}))
    }

    pub(crate) fn list(params: &ListPayouts) -> Result<PreparedRequest, ParamError> {
        params.validate()?;
        Ok(get(PATH, &params.to_query()))
    }
}
