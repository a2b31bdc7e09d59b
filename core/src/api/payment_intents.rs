//! `/v1/connect/payment_intents`.

use super::{get, object_path, post};
use crate::call::{Call, PreparedRequest, RequestOptions};
use crate::client::Client;
use crate::error::{Error, ParamError};
use crate::params::{
    CancelPaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent, ListPaymentIntents, Query,
};
use crate::resources::{List, PaymentIntent};

const PATH: &str = "/v1/connect/payment_intents";

impl Client {
    /// The payment intent endpoints.
    pub fn payment_intents(&self) -> PaymentIntents<'_> {
        PaymentIntents { client: self }
    }
}

/// The payment intent endpoints of a [`Client`]; see [`Client::payment_intents`].
#[derive(Clone, Copy)]
pub struct PaymentIntents<'a> {
    client: &'a Client,
}

impl PaymentIntents<'_> {
    /// `POST /v1/connect/payment_intents`.
    pub fn create(
        &self,
        params: &CreatePaymentIntent,
        options: &RequestOptions,
    ) -> Result<Call<PaymentIntent>, Error> {
        Ok(self.client.prepare(request::create(params)?, options))
    }

    /// `GET /v1/connect/payment_intents/{id}`.
    pub fn retrieve(
        &self,
        id: &str,
        options: &RequestOptions,
    ) -> Result<Call<PaymentIntent>, Error> {
        Ok(self.client.prepare(request::retrieve(id)?, options))
    }

    /// `POST /v1/connect/payment_intents/{id}/confirm`.
    pub fn confirm(
        &self,
        id: &str,
        params: &ConfirmPaymentIntent,
        options: &RequestOptions,
    ) -> Result<Call<PaymentIntent>, Error> {
        Ok(self.client.prepare(request::confirm(id, params)?, options))
    }

    /// `POST /v1/connect/payment_intents/{id}/cancel`.
    pub fn cancel(
        &self,
        id: &str,
        params: &CancelPaymentIntent,
        options: &RequestOptions,
    ) -> Result<Call<PaymentIntent>, Error> {
        Ok(self.client.prepare(request::cancel(id, params)?, options))
    }

    /// `GET /v1/connect/payment_intents`, newest first.
    pub fn list(
        &self,
        params: &ListPaymentIntents,
        options: &RequestOptions,
    ) -> Result<Call<List<PaymentIntent>>, Error> {
        Ok(self.client.prepare(request::list(params)?, options))
    }
}

/// The pure request building of each endpoint.
pub(crate) mod request {
    use super::*;

    pub(crate) fn create(params: &CreatePaymentIntent) -> Result<PreparedRequest, ParamError> {
        params.validate()?;
        Ok(post(PATH.to_owned(), params))
    }

    pub(crate) fn retrieve(id: &str) -> Result<PreparedRequest, ParamError> {
        Ok(get(&object_path(PATH, "id", id, "")?, &Query::default()))
    }

    pub(crate) fn confirm(
        id: &str,
        params: &ConfirmPaymentIntent,
    ) -> Result<PreparedRequest, ParamError> {
        let path = object_path(PATH, "id", id, "/confirm")?;
        params.validate()?;
        Ok(post(path, params))
    }

    pub(crate) fn cancel(
        id: &str,
        params: &CancelPaymentIntent,
    ) -> Result<PreparedRequest, ParamError> {
        let path = object_path(PATH, "id", id, "/cancel")?;
        params.validate()?;
        Ok(post(path, params))
    }

    pub(crate) fn list(params: &ListPaymentIntents) -> Result<PreparedRequest, ParamError> {
        params.validate()?;
        Ok(get(PATH, &params.to_query()))
    }
}
