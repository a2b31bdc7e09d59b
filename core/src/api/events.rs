//! `/v1/events`.

use super::{get, object_path};
use crate::call::{Call, PreparedRequest, RequestOptions};
use crate::client::Client;
use crate::error::{Error, ParamError};
use crate::params::{ListEvents, Query};
use crate::resources::{Event, List};

const PATH: &str = "/v1/events";

impl Client {
    /// The event endpoints.
    pub fn events(&self) -> Events<'_> {
        Events { client: self }
    }
}

/// The event endpoints of a [`Client`]; see [`Client::events`].
#[derive(Clone, Copy)]
pub struct Events<'a> {
    client: &'a Client,
}

impl Events<'_> {
    /// `GET /v1/events/{id}`.
    pub fn retrieve(&self, id: &str, options: &RequestOptions) -> Result<Call<Event>, Error> {
        Ok(self.client.prepare(request::retrieve(id)?, options))
    }

    /// `GET /v1/events`, newest first.
    pub fn list(
        &self,
        params: &ListEvents,
        options: &RequestOptions,
    ) -> Result<Call<List<Event>>, Error> {
        Ok(self.client.prepare(request::list(params)?, options))
    }
}

/// The pure request building of each endpoint.
pub(crate) mod request {
    use super::*;

    pub(crate) fn retrieve(id: &str) -> Result<PreparedRequest, ParamError> {
        Ok(get(&object_path(PATH, "id", id, "")?, &Query::default()))
    }

    pub(crate) fn list(params: &ListEvents) -> Result<PreparedRequest, ParamError> {
        params.validate()?;
        Ok(get(PATH, &params.to_query()))
    }
}
