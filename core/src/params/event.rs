//! Parameters of the event endpoints.

use super::{ListParams, Query};
use crate::error::ParamError;
use crate::resources::EventType;

/// `GET /v1/events`.
///
/// ```
/// use molam_core::params::{ListEvents, ListParams};
/// use molam_core::resources::EventType;
/// let params = ListEvents::new()
///     .page(ListParams::new().limit(50))
///     .event_type(EventType::PayoutFailed);
/// assert!(params.validate().is_ok());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListEvents {
    /// Which page.
    pub page: ListParams,
    /// Only events of this type (`type` on the wire).
    pub event_type: Option<EventType>,
}

impl ListEvents {
    /// The first page of all events.
    pub fn new() -> Self {
        ListEvents::default()
    }

    /// Sets the page.
    pub fn page(mut self, page: ListParams) -> Self {
        self.page = page;
        self
    }

    /// Sets `type`.
    pub fn event_type(mut self, event_type: EventType) -> Self {
        self.event_type = Some(event_type);
        self
    }

    /// Checks the page.
    pub fn validate(&self) -> Result<(), ParamError> {
        self.page.validate()
    }

    pub(crate) fn to_query(&self) -> Query {
        let mut query = self.page.to_query();
        query.push_some("type", self.event_type.as_ref());
        query
    }
}
