//! Auto-pagination as a [`Stream`]: the core's [`AutoPager`] decides cursors and caps, this
//! only fetches the page it asks for, when the stream is polled.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_core::Stream;
use futures_util::StreamExt;
use molam_core::call::{Call, RequestOptions};
use molam_core::client::Client as CoreClient;
use molam_core::pagination::{AutoPager, PageStep, Paginate};
use molam_core::resources::{List, Resource};
use molam_core::response::ApiResponse;
use molam_core::Error;
use serde::de::DeserializeOwned;

use crate::Client;

/// How a list endpoint's call is prepared for given params.
pub(crate) type Fetch<P, T> = fn(&CoreClient, &P, &RequestOptions) -> Result<Call<List<T>>, Error>;

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<ApiResponse<List<T>>, Error>> + Send>>;

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
    options: RequestOptions,
    fetch: Fetch<P, T>,
    pager: AutoPager<P, T>,
    pending: Option<PageFuture<T>>,
}

impl<P, T> ListStream<P, T>
where
    P: Paginate + Unpin,
    T: Resource + DeserializeOwned + Send + Unpin + 'static,
{
    pub(crate) fn new(
        client: &Client,
        options: &RequestOptions,
        params: &P,
        fetch: Fetch<P, T>,
    ) -> Self {
        ListStream {
            client: client.clone(),
            options: options.clone(),
            fetch,
            pager: AutoPager::new(params.clone()),
            pending: None,
        }
    }

    /// Yields at most `max_items` objects, and fetches no page beyond them.
    pub fn up_to(mut self, max_items: usize) -> Self {
        self.pager = self.pager.up_to(max_items);
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
                match page {
                    Ok(page) => this.pager.handle_page(page.into_inner()),
                    Err(error) => {
                        this.pager.fail();
                        return Poll::Ready(Some(Err(error)));
                    }
                }
            }
            match this.pager.poll() {
                PageStep::Item(item) => return Poll::Ready(Some(Ok(item))),
                PageStep::Done => return Poll::Ready(None),
                PageStep::Fetch(params) => {
                    let client = this.client.clone();
                    let call = (this.fetch)(client.core(), &params, &this.options);
                    this.pending = Some(Box::pin(async move { client.execute(call?).await }));
                }
            }
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
