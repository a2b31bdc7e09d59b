//! Request bodies under two bounds: a deadline for the whole body, and a byte budget shared by
//! every request of the server.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use tokio::time::{Instant, Sleep};

/// Why a request body stopped before its end.
#[derive(Debug)]
#[non_exhaustive]
pub enum BodyError {
    /// The body did not arrive in full within the server's body read timeout.
    TimedOut,
    /// Buffering more would pass the server's budget of request-body bytes held at once.
    BudgetExhausted,
    /// The connection failed or the sender broke HTTP framing.
    Read(hyper::Error),
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::TimedOut => f.write_str("the request body did not arrive in time"),
            BodyError::BudgetExhausted => {
                f.write_str("the server holds its budget of request-body bytes already")
            }
            BodyError::Read(e) => write!(f, "the request body could not be read: {e}"),
        }
    }
}

impl StdError for BodyError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            BodyError::Read(e) => Some(e),
            _ => None,
        }
    }
}

impl BodyError {
    /// The [`BodyError`] somewhere in `error`'s chain of sources (a framework wraps it).
    pub fn find<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a BodyError> {
        let mut current = Some(error);
        while let Some(e) = current {
            if let Some(found) = e.downcast_ref::<BodyError>() {
                return Some(found);
            }
            current = e.source();
        }
        None
    }
}

/// Request-body bytes the server may hold at once, across connections.
#[derive(Debug)]
pub(crate) struct BodyBudget {
    limit: usize,
    used: AtomicUsize,
}

impl BodyBudget {
    pub(crate) fn new(limit: usize) -> Self {
        BodyBudget {
            limit,
            used: AtomicUsize::new(0),
        }
    }

    /// Takes `n` bytes of the budget, or nothing if that would pass the limit.
    fn try_take(&self, n: usize) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(n).filter(|total| *total <= self.limit)
            })
            .is_ok()
    }

    fn give_back(&self, n: usize) {
        self.used.fetch_sub(n, Ordering::AcqRel);
    }

    /// Bytes held now.
    pub(crate) fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }
}

/// What one request took from the budget; given back when the request is over (its body and
/// its handler both done), since the handler holds the bytes it read until then.
#[derive(Debug)]
pub(crate) struct Charge {
    budget: Arc<BodyBudget>,
    taken: AtomicUsize,
}

impl Charge {
    pub(crate) fn new(budget: Arc<BodyBudget>) -> Self {
        Charge {
            budget,
            taken: AtomicUsize::new(0),
        }
    }

    fn take(&self, n: usize) -> bool {
        let ok = self.budget.try_take(n);
        if ok {
            self.taken.fetch_add(n, Ordering::AcqRel);
        }
        ok
    }

    fn taken(&self) -> usize {
        self.taken.load(Ordering::Acquire)
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        self.budget.give_back(*self.taken.get_mut());
    }
}

/// A request body read under the server's deadline and byte budget: what handlers served by
/// [`crate::serve()`] receive.
///
/// A body that declares its length takes all of it from the budget when it is first read, so
/// a server full of half-sent bodies holds no more than the budget; one without a declared
/// length takes it frame by frame.
pub struct GuardedBody {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
    charge: Arc<Charge>,
    /// Bytes of frames read so far.
    read: usize,
    failed: bool,
}

impl fmt::Debug for GuardedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardedBody").finish_non_exhaustive()
    }
}

impl GuardedBody {
    pub(crate) fn new(inner: Incoming, deadline: Instant, charge: Arc<Charge>) -> Self {
        GuardedBody {
            inner,
            deadline: Box::pin(tokio::time::sleep_until(deadline)),
            charge,
            read: 0,
            failed: false,
        }
    }
}

impl Body for GuardedBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        if self.failed {
            return Poll::Ready(None);
        }
        if self.inner.is_end_stream() {
            return Poll::Ready(None);
        }
        let this = &mut *self;
        if this.read == 0 && this.charge.taken() == 0 {
            let declared = this
                .inner
                .size_hint()
                .exact()
                .and_then(|n| usize::try_from(n).ok());
            if let Some(declared) = declared.filter(|n| *n > 0) {
                if !this.charge.take(declared) {
                    this.failed = true;
                    return Poll::Ready(Some(Err(BodyError::BudgetExhausted)));
                }
            }
        }
        let frame = match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => frame,
            Poll::Pending => {
                if this.deadline.as_mut().poll(cx).is_ready() {
                    this.failed = true;
                    return Poll::Ready(Some(Err(BodyError::TimedOut)));
                }
                return Poll::Pending;
            }
        };
        match frame {
            None => Poll::Ready(None),
            Some(Err(e)) => {
                this.failed = true;
                Poll::Ready(Some(Err(BodyError::Read(e))))
            }
            Some(Ok(frame)) => {
                let len = frame.data_ref().map_or(0, Bytes::len);
                this.read = this.read.saturating_add(len);
                let beyond = this.read.saturating_sub(this.charge.taken());
                if beyond > 0 && !this.charge.take(beyond) {
                    this.failed = true;
                    return Poll::Ready(Some(Err(BodyError::BudgetExhausted)));
                }
                Poll::Ready(Some(Ok(frame)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.failed || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_refuses_what_would_pass_its_limit_and_charges_give_back() {
        let budget = Arc::new(BodyBudget::new(100));
        let first = Charge::new(Arc::clone(&budget));
        assert!(first.take(60));
        let second = Charge::new(Arc::clone(&budget));
        assert!(!second.take(41), "60 + 41 > 100");
        assert!(second.take(40));
        assert_eq!(budget.used(), 100);
        drop(first);
        assert_eq!(budget.used(), 40);
        drop(second);
        assert_eq!(budget.used(), 0);
    }

    #[test]
    fn a_body_error_is_found_behind_wrappers() {
        let wrapped: Box<dyn StdError + Send + Sync> = Box::new(Wrapper(BodyError::TimedOut));
        assert!(matches!(
            BodyError::find(&*wrapped),
            Some(BodyError::TimedOut)
        ));
        let other: Box<dyn StdError + Send + Sync> = "unrelated".into();
        assert!(BodyError::find(&*other).is_none());
    }

    #[derive(Debug)]
    struct Wrapper(BodyError);
    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("wrapped")
        }
    }
    impl StdError for Wrapper {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }
}
