//! Auto-pagination as an [`Iterator`]: the core's [`AutoPager`] decides cursors and caps,
//! this only fetches the page it asks for.

use molam_core::call::{Call, RequestOptions};
use molam_core::client::Client as CoreClient;
use molam_core::pagination::{AutoPager, PageStep, Paginate};
use molam_core::resources::{List, Resource};
use molam_core::Error;
use serde::de::DeserializeOwned;

use crate::Client;

/// How a list endpoint's call is prepared for given params.
pub(crate) type Fetch<P, T> = fn(&CoreClient, &P, &RequestOptions) -> Result<Call<List<T>>, Error>;

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
    options: RequestOptions,
    fetch: Fetch<P, T>,
    pager: AutoPager<P, T>,
}

impl<P: Paginate, T: Resource + DeserializeOwned> ListIter<P, T> {
    pub(crate) fn new(
        client: &Client,
        options: &RequestOptions,
        params: &P,
        fetch: Fetch<P, T>,
    ) -> Self {
        ListIter {
            client: client.clone(),
            options: options.clone(),
            fetch,
            pager: AutoPager::new(params.clone()),
        }
    }

    /// Yields at most `max_items` objects, and fetches no page beyond them.
    pub fn up_to(mut self, max_items: usize) -> Self {
        self.pager = self.pager.up_to(max_items);
        self
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
            match self.pager.poll() {
                PageStep::Item(item) => return Some(Ok(item)),
                PageStep::Done => return None,
                PageStep::Fetch(params) => {
                    let page = (self.fetch)(self.client.core(), &params, &self.options)
                        .and_then(|call| self.client.execute(call));
                    match page {
                        Ok(page) => self.pager.handle_page(page.into_inner()),
                        Err(error) => {
                            self.pager.fail();
                            return Some(Err(error));
                        }
                    }
                }
            }
        }
    }
}

impl<P, T> std::fmt::Debug for ListIter<P, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListIter").finish_non_exhaustive()
    }
}
