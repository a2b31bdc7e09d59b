//! Auto-pagination as a [`Stream`]: the core's [`Pages`] decides cursors and caps and
//! prepares each page's call; this runs it when the stream is polled.

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_core::Stream;
use futures_util::StreamExt;
use molam_core::pagination::Paginate;
use molam_core::resources::{List, Resource};
use molam_core::shell::{PageAction, Pages};
use molam_core::Error;
use serde::de::DeserializeOwned;

use crate::client::CallFuture;
use crate::Client;

/// Every object of a list, fetched page by page as the stream is polled; see `list_all` on
/// the endpoint handles. Yields `Err` once if a page cannot be fetched, then ends. `Send`,
/// and owns what it needs: it may be moved into a task.
///
/// ```no_run
/// # async fn run(client: molam_tokio::Client) -> Result<(), molam_tokio::Error> {
/// use futures_util::StreamExt;
/// use molam_tokio::params::{ListParams, ListPaymentIntents};
/// let params = ListPaymentIntents::new().page(ListParams::new().limit(100));
/// let mut intents = client.payment_intents().list_all(&params);
/// while let Some(intent) = intents.next().await {
///     println!("{}", intent?.id);
/// }
/// let first_250 = client.payment_intents().list_all(&params).collect_up_to(250).await?;
/// # Ok(()) }
/// ```
pub struct ListStream<P, T> {
    client: Client,
    pages: Pages<P, T>,
    pending: Option<CallFuture<'static, List<T>>>,
}

impl<P, T> ListStream<P, T>
where
    P: Paginate + Unpin,
    T: Resource + DeserializeOwned + Send + Unpin + 'static,
{
    pub(crate) fn new(client: Client, pages: Pages<P, T>) -> Self {
        let pending = None;
        ListStream {
            client,
            pages,
            pending,
        }
    }

    /// Yields at most `max_items` objects, and fetches no page beyond them.
    pub fn up_to(mut self, max_items: usize) -> Self {
        self.pages = self.pages.up_to(max_items);
        self
    }

    /// At most `max_items` objects, or the first error.
    pub async fn collect_up_to(self, max_items: usize) -> Result<Vec<T>, Error> {
        let mut stream = self.up_to(max_items);
        let mut items = Vec::new();
        while let Some(item) = stream.next().await {
            items.push(item?);
        }
        Ok(items)
    }
}

impl<P, T> Stream for ListStream<P, T>
where
    P: Paginate + Unpin,
    T: Resource + DeserializeOwned + Send + Unpin + 'static,
{
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(pending) = this.pending.as_mut() {
                let page = ready!(pending.as_mut().poll(cx));
                this.pending = None;
                if let Err(error) = this.pages.handle_page(page) {
                    return Poll::Ready(Some(Err(error)));
                }
            }
            let next = match this.pages.poll(this.client.core()) {
                PageAction::Fetch(call) => call,
                PageAction::Item(item) => return Poll::Ready(Some(Ok(item))),
                PageAction::Done => return Poll::Ready(None),
            };
            let client = this.client.clone();
            this.pending = Some(Box::pin(async move { client.execute(next?).await }));
        }
    }
}

impl<P, T> std::fmt::Debug for ListStream<P, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListStream")
            .field("fetching", &self.pending.is_some())
            .finish_non_exhaustive()
    }
}
