//! Paging parameters shared by every list endpoint.

use super::{validate_optional_id, Query};
use crate::error::ParamError;

/// Which page of a list to fetch (REFERENCE.md §1): `limit` (1–100; the API's default is 10),
/// a cursor (`starting_after` or `ending_before`, an object id, not both), and bounds on
/// `created` (unix seconds, inclusive).
///
/// ```
/// use molam_core::params::ListParams;
/// let page = ListParams::new().limit(100).starting_after("pi_123");
/// assert!(page.validate().is_ok());
/// assert_eq!(ListParams::new().limit(101).validate().unwrap_err().field, "limit");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListParams {
    /// How many objects, 1 to 100.
    pub limit: Option<u32>,
    /// Objects after (older than) this id.
    pub starting_after: Option<String>,
    /// Objects before (newer than) this id.
    pub ending_before: Option<String>,
    /// Objects created at or after this time.
    pub created_gte: Option<i64>,
    /// Objects created at or before this time.
    pub created_lte: Option<i64>,
}

impl ListParams {
    /// The largest page the API serves (REFERENCE.md §1): what to ask for when fetching
    /// every page, so that 3,005 objects take 31 requests.
    pub const MAX_LIMIT: u32 = 100;

    /// The first page, at the API's default size.
    pub fn new() -> Self {
        ListParams::default()
    }

    /// Sets `limit`.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Sets `starting_after`.
    pub fn starting_after(mut self, id: impl Into<String>) -> Self {
        self.starting_after = Some(id.into());
        self
    }

    /// Sets `ending_before`.
    pub fn ending_before(mut self, id: impl Into<String>) -> Self {
        self.ending_before = Some(id.into());
        self
    }

    /// Sets `created_gte`.
    pub fn created_gte(mut self, unix_seconds: i64) -> Self {
        self.created_gte = Some(unix_seconds);
        self
    }

    /// Sets `created_lte`.
    pub fn created_lte(mut self, unix_seconds: i64) -> Self {
        self.created_lte = Some(unix_seconds);
        self
    }

    /// Checks the limit, the cursors and that the time bounds are in order.
    pub fn validate(&self) -> Result<(), ParamError> {
        if self
            .limit
            .is_some_and(|limit| !(1..=Self::MAX_LIMIT).contains(&limit))
        {
            return Err(ParamError::new("limit", "must be 1 to 100"));
        }
        validate_optional_id("starting_after", self.starting_after.as_deref())?;
        validate_optional_id("ending_before", self.ending_before.as_deref())?;
        if self.starting_after.is_some() && self.ending_before.is_some() {
            return Err(ParamError::new(
                "ending_before",
                "cannot be combined with starting_after",
            ));
        }
        if let (Some(gte), Some(lte)) = (self.created_gte, self.created_lte) {
            if gte > lte {
                return Err(ParamError::new(
                    "created_gte",
                    "must not be after created_lte",
                ));
            }
        }
        Ok(())
    }

    /// The paging pairs, in a fixed order.
    pub(crate) fn to_query(&self) -> Query {
        let mut query = Query::default();
        query.push_some("limit", self.limit);
        query.push_some("starting_after", self.starting_after.as_deref());
        query.push_some("ending_before", self.ending_before.as_deref());
        query.push_some("created_gte", self.created_gte);
        query.push_some("created_lte", self.created_lte);
        query
    }
}
