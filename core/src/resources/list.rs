//! A page of a list endpoint.

use serde::{Deserialize, Serialize};

use super::Resource;

/// One page of objects, newest first:
/// `{"object": "list", "url": "/v1/…", "has_more": true, "data": [ … ]}`.
///
/// ```
/// use molam_core::resources::{List, Refund};
/// let page: List<Refund> = serde_json::from_str(
///     r#"{"object":"list","url":"/v1/connect/refunds","has_more":false,"data":[]}"#)?;
/// assert!(page.data.is_empty());
/// assert_eq!(page.next_starting_after(), None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct List<T> {
    /// `list`
    #[serde(default)]
    pub object: String,
    /// The path this page was listed from.
    #[serde(default)]
    pub url: String,
    /// True if there are more objects after this page.
    #[serde(default)]
    pub has_more: bool,
    /// The objects on this page. Required: a body without it is not a list.
    pub data: Vec<T>,
}

impl<T: Resource> List<T> {
    /// The `starting_after` for the next page: the last object's id, when there is more.
    pub fn next_starting_after(&self) -> Option<&str> {
        self.data.last().filter(|_| self.has_more).map(T::id)
    }
}

impl<T> IntoIterator for List<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.data.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a List<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.data.iter()
    }
}
