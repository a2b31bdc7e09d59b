//! Auto-pagination as a pure state machine: which page to fetch next, and which items to hand
//! out, for any list endpoint. The shells wrap it in an `Iterator` (blocking) or a `Stream`
//! (tokio); neither decides anything about cursors or caps itself.
//!
//! ```text
//!   AutoPager::poll ──▶ Item(t)        hand `t` to the caller
//!                   ├─▶ Fetch(params)  run the list call with these params, then
//!                   │                  handle_page(page) or fail()
//!                   └─▶ Done           nothing more (end of list, cap reached, or an error)
//! ```
//!
//! Cursor rule (REFERENCE.md §1, Stripe's convention): going forward, the next page starts after
//! the last object of the page (`starting_after = last.id`); when the first params carried
//! `ending_before`, pages go backward, each ending before the first object of the previous
//! one. The list ends when a page says `has_more: false`, is empty, or would repeat the
//! cursor just used (a server that ignores the cursor cannot make a caller loop forever).
//! No I/O here.

use std::collections::VecDeque;

use crate::params::{ListEvents, ListParams, ListPaymentIntents, ListPayouts, ListRefunds};
use crate::resources::{List, Resource};

/// List parameters that carry a page cursor (`starting_after` / `ending_before`).
pub trait Paginate: Clone {
    /// The `starting_after` cursor, if set.
    fn starting_after(&self) -> Option<&str>;
    /// The `ending_before` cursor, if set.
    fn ending_before(&self) -> Option<&str>;
    /// These params moved to another cursor: `starting_after` when `forward`, else
    /// `ending_before`; the other cursor cleared.
    fn with_cursor(&self, id: &str, forward: bool) -> Self;
}

/// Which page comes next, page after page. See the [module docs](self).
///
/// ```
/// # use molam_core::pagination::{Paginate, Pager};
/// # use molam_core::resources::{List, Resource};
/// # #[derive(Clone, Default, Debug, PartialEq)] struct Params { after: Option<String> }
/// # impl Paginate for Params {
/// #     fn starting_after(&self) -> Option<&str> { self.after.as_deref() }
/// #     fn ending_before(&self) -> Option<&str> { None }
/// #     fn with_cursor(&self, id: &str, _: bool) -> Self { Params { after: Some(id.into()) } }
/// # }
/// # #[derive(serde::Deserialize)] struct Obj { id: String }
/// # impl Resource for Obj { const OBJECT: &'static str = "obj"; fn id(&self) -> &str { &self.id } }
/// let mut pager = Pager::new(Params::default());
/// let page: List<Obj> = serde_json::from_str(
///     r#"{"object":"list","has_more":true,"data":[{"id":"pi_2"},{"id":"pi_1"}]}"#).unwrap();
/// pager.advance(&page);
/// assert_eq!(pager.next_params(), Some(&Params { after: Some("pi_1".into()) }));
/// ```
#[derive(Debug, Clone)]
pub struct Pager<P> {
    next: Option<P>,
    forward: bool,
}

impl<P: Paginate> Pager<P> {
    /// Starts at `params`; backward if they carry `ending_before` and no `starting_after`.
    pub fn new(params: P) -> Self {
        let forward = params.ending_before().is_none() || params.starting_after().is_some();
        Pager {
            next: Some(params),
            forward,
        }
    }

    /// The params of the page to fetch now; `None` once the list is exhausted.
    pub fn next_params(&self) -> Option<&P> {
        self.next.as_ref()
    }

    /// Takes in the page fetched with [`Pager::next_params`] and moves the cursor past it.
    pub fn advance<T: Resource>(&mut self, page: &List<T>) {
        let Some(current) = self.next.take() else {
            return;
        };
        let edge = if self.forward {
            page.data.last()
        } else {
            page.data.first()
        };
        let Some(edge) = edge.filter(|_| page.has_more) else {
            return;
        };
        let used = if self.forward {
            current.starting_after()
        } else {
            current.ending_before()
        };
        if used == Some(edge.id()) {
            return;
        }
        self.next = Some(current.with_cursor(edge.id(), self.forward));
    }

    /// Stops: no further page will be asked for.
    pub fn stop(&mut self) {
        self.next = None;
    }
}

/// What an [`AutoPager`] wants next.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum PageStep<P, T> {
    /// The next item.
    Item(T),
    /// Fetch the page with these params, then call [`AutoPager::handle_page`] or
    /// [`AutoPager::fail`].
    Fetch(P),
    /// The listing is over.
    Done,
}

/// Items one by one across pages, fetching lazily, with an optional cap on the total.
///
/// ```
/// # use molam_core::pagination::{AutoPager, Paginate, PageStep};
/// # use molam_core::resources::{List, Resource};
/// # #[derive(Clone, Default, Debug, PartialEq)] struct Params { after: Option<String> }
/// # impl Paginate for Params {
/// #     fn starting_after(&self) -> Option<&str> { self.after.as_deref() }
/// #     fn ending_before(&self) -> Option<&str> { None }
/// #     fn with_cursor(&self, id: &str, _: bool) -> Self { Params { after: Some(id.into()) } }
/// # }
/// # #[derive(Debug, PartialEq, serde::Deserialize)] struct Obj { id: String }
/// # impl Resource for Obj { const OBJECT: &'static str = "obj"; fn id(&self) -> &str { &self.id } }
/// let mut pages = AutoPager::<Params, Obj>::new(Params::default()).up_to(1);
/// assert_eq!(pages.poll(), PageStep::Fetch(Params::default()));
/// pages.handle_page(serde_json::from_str(
///     r#"{"object":"list","has_more":true,"data":[{"id":"pi_2"},{"id":"pi_1"}]}"#).unwrap());
/// assert_eq!(pages.poll(), PageStep::Item(Obj { id: "pi_2".into() }));
/// assert_eq!(pages.poll(), PageStep::Done); // capped at one item: no second fetch
/// ```
#[derive(Debug, Clone)]
pub struct AutoPager<P, T> {
    pager: Pager<P>,
    buffer: VecDeque<T>,
    remaining: Option<usize>,
}

impl<P: Paginate, T: Resource> AutoPager<P, T> {
    /// Lists from `params` with no cap.
    pub fn new(params: P) -> Self {
        AutoPager {
            pager: Pager::new(params),
            buffer: VecDeque::new(),
            remaining: None,
        }
    }

    /// Hands out at most `max_items` items in all, and fetches no page beyond them.
    pub fn up_to(mut self, max_items: usize) -> Self {
        self.remaining = Some(max_items);
        self
    }

    /// The next thing to do.
    pub fn poll(&mut self) -> PageStep<P, T> {
        if self.remaining == Some(0) {
            self.pager.stop();
            self.buffer.clear();
            return PageStep::Done;
        }
        if let Some(item) = self.buffer.pop_front() {
            if let Some(left) = self.remaining.as_mut() {
                *left -= 1;
            }
            return PageStep::Item(item);
        }
        match self.pager.next_params() {
            Some(params) => PageStep::Fetch(params.clone()),
            None => PageStep::Done,
        }
    }

    /// Takes in the page fetched for the last [`PageStep::Fetch`].
    pub fn handle_page(&mut self, page: List<T>) {
        self.pager.advance(&page);
        self.buffer.extend(page.data);
    }

    /// The fetch failed (the call already retried as its policy allows): the listing ends
    /// after the caller has been given the error.
    pub fn fail(&mut self) {
        self.pager.stop();
        self.buffer.clear();
    }
}

impl Paginate for ListParams {
    fn starting_after(&self) -> Option<&str> {
        self.starting_after.as_deref()
    }

    fn ending_before(&self) -> Option<&str> {
        self.ending_before.as_deref()
    }

    fn with_cursor(&self, id: &str, forward: bool) -> Self {
        let mut next = self.clone();
        let id = Some(id.to_owned());
        (next.starting_after, next.ending_before) = if forward { (id, None) } else { (None, id) };
        next
    }
}

/// The endpoint filters stay as they are; only the `page` moves.
macro_rules! paginate_by_page {
    ($($params:ty),+) => {$(
        impl Paginate for $params {
            fn starting_after(&self) -> Option<&str> {
                self.page.starting_after.as_deref()
            }

            fn ending_before(&self) -> Option<&str> {
                self.page.ending_before.as_deref()
            }

            fn with_cursor(&self, id: &str, forward: bool) -> Self {
                let mut next = self.clone();
                next.page = self.page.with_cursor(id, forward);
                next
            }
        }
    )+};
}

paginate_by_page!(ListPaymentIntents, ListRefunds, ListPayouts, ListEvents);

#[cfg(test)]
mod tests;
