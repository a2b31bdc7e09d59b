//! Collections of objects and their pagination (REFERENCE.md §1, §3 "List"): newest first, ties
//! broken by creation order, cursors by id, `has_more` in both directions.

use std::collections::HashMap;

use serde::Serialize;

use crate::params::ListQuery;
use crate::wire::{ApiError, Reply};

/// What a collection needs to know of its objects.
pub(crate) trait Listed: Serialize {
    /// The object's name in error messages (`payment_intent`).
    const KIND: &'static str;
    fn id(&self) -> &str;
    fn created(&self) -> i64;
}

/// Objects of one kind in creation order, indexed by id.
#[derive(Debug, Clone)]
pub(crate) struct Collection<T> {
    items: Vec<T>,
    index: HashMap<String, usize>,
}

impl<T> Default for Collection<T> {
    fn default() -> Self {
        Collection {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }
}

#[derive(Serialize)]
struct ListBody<'a, T> {
    object: &'static str,
    url: &'a str,
    has_more: bool,
    data: Vec<&'a T>,
}

impl<T: Listed> Collection<T> {
    pub(crate) fn insert(&mut self, item: T) -> &mut T {
        let at = self.items.len();
        self.index.insert(item.id().to_owned(), at);
        self.items.push(item);
        &mut self.items[at]
    }

    /// Every object, oldest first (for the dashboard).
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.items.iter()
    }

    pub(crate) fn get(&self, id: &str) -> Option<&T> {
        self.index.get(id).map(|&i| &self.items[i])
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        self.index.get(id).map(|&i| &mut self.items[i])
    }

    /// The object, or 404 `resource_missing`.
    pub(crate) fn find(&self, id: &str) -> Result<&T, ApiError> {
        self.get(id)
            .ok_or_else(|| ApiError::missing_object(T::KIND, id))
    }

    pub(crate) fn find_mut(&mut self, id: &str) -> Result<&mut T, ApiError> {
        self.get_mut(id)
            .ok_or_else(|| ApiError::missing_object(T::KIND, id))
    }

    /// A page of the objects that pass `keep` and the query's `created` bounds, as a List.
    pub(crate) fn page(
        &self,
        url: &str,
        query: &ListQuery,
        keep: impl Fn(&T) -> bool,
    ) -> Result<Reply, ApiError> {
        let cursor = |param: &str, id: &str| -> Result<(i64, usize), ApiError> {
            let i = *self.index.get(id).ok_or_else(|| ApiError {
                param: Some(param.to_owned()),
                ..ApiError::missing_object(T::KIND, id)
            })?;
            Ok((self.items[i].created(), i))
        };
        let after = match &query.starting_after {
            Some(id) => Some(cursor("starting_after", id)?),
            None => None,
        };
        let before = match &query.ending_before {
            Some(id) => Some(cursor("ending_before", id)?),
            None => None,
        };
        // Newest first; among equal `created`, the later-created first.
        let mut order: Vec<(i64, usize)> = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, t)| query.created_gte.is_none_or(|g| t.created() >= g))
            .filter(|(_, t)| query.created_lte.is_none_or(|l| t.created() <= l))
            .filter(|(_, t)| keep(t))
            .map(|(i, t)| (t.created(), i))
            .collect();
        order.sort_unstable_by(|a, b| b.cmp(a));
        let (page, has_more): (&[(i64, usize)], bool) = match (after, before) {
            (Some(c), _) => {
                let older = &order[order.partition_point(|k| *k >= c)..];
                let n = older.len().min(query.limit);
                (&older[..n], older.len() > n)
            }
            (None, Some(c)) => {
                let newer = order.partition_point(|k| *k > c);
                let start = newer.saturating_sub(query.limit);
                (&order[start..newer], start > 0)
            }
            (None, None) => {
                let n = order.len().min(query.limit);
                (&order[..n], order.len() > n)
            }
        };
        Ok(self.render(url, page, has_more))
    }

    fn render(&self, url: &str, page: &[(i64, usize)], has_more: bool) -> Reply {
        Reply::ok(&ListBody {
            object: "list",
            url,
            has_more,
            data: page.iter().map(|&(_, i)| &self.items[i]).collect(),
        })
    }
}
