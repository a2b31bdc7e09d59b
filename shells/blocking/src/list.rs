//! Auto-pagination as an [`Iterator`]: the core's [`Pages`] decides cursors and caps and
//! prepares each page's call; this runs it when the iterator advances.

use molam_core::pagination::Paginate;
use molam_core::resources::Resource;
use molam_core::shell::{PageAction, Pages};
use molam_core::Error;
use serde::de::DeserializeOwned;

use crate::Client;

/// Every object of a list, fetched page by page as it is iterated; see `list_all` on the
/// endpoint handles. Yields `Err` once if a page cannot be fetched, then ends.
///
/// ```no_run
/// # let client = molam_blocking::Client::from_env()?;
/// use molam_blocking::params::{ListParams, ListPaymentIntents};
/// let params = ListPaymentIntents::new().page(ListParams::new().limit(100));
/// for intent in client.payment_intents().list_all(&params) {
///     println!("{}", intent?.id);
/// }
/// let first_250 = client.payment_intents().list_all(&params).collect_up_to(250)?;
/// # Ok::<(), molam_blocking::Error>(())
/// ```
pub struct ListIter<P, T> {
    client: Client,
    pages: Pages<P, T>,
}

impl<P: Paginate, T: Resource + DeserializeOwned> ListIter<P, T> {
    pub(crate) fn new(client: Client, pages: Pages<P, T>) -> Self {
        ListIter { client, pages }
    }

    /// Yields at most `max_items` objects, and fetches no page beyond them.
    pub fn up_to(self, max_items: usize) -> Self {
        let pages = self.pages.up_to(max_items);
        ListIter { pages, ..self }
    }

    /// At most `max_items` objects, or the first error.
    pub fn collect_up_to(self, max_items: usize) -> Result<Vec<T>, Error> {
        self.up_to(max_items).collect()
    }
}

impl<P: Paginate, T: Resource + DeserializeOwned> Iterator for ListIter<P, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let call = match self.pages.poll(self.client.core()) {
                PageAction::Item(item) => return Some(Ok(item)),
                PageAction::Done => return None,
                PageAction::Fetch(call) => call,
            };
            let page = call.and_then(|call| self.client.execute(call));
            if let Err(error) = self.pages.handle_page(page) {
                return Some(Err(error));
            }
        }
    }
}

impl<P, T> std::fmt::Debug for ListIter<P, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListIter").finish_non_exhaustive()
    }
}
