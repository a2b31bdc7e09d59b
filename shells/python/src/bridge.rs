//! How tokio hands results back to asyncio without taking the GIL on a tokio thread.
//!
//! Each call's asyncio future waits in a queue shared with the task that runs the call on
//! tokio. A finished task pushes `(future, outcome)` and, only if the loop has not been woken
//! since its last drain, writes one byte to a socket pair whose other end the loop watches
//! (`loop.add_reader`). The loop then drains the whole queue in one callback, on its own
//! thread, and resolves every future. Taking the GIL from tokio threads once per call (what a
//! `call_soon_threadsafe` per completion does) would make every completion wait for the
//! interpreter's switch interval while the loop is busy; this costs one syscall per batch.

use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use molam_core::Error;
use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;
use serde_json::Value;

use crate::convert::{to_python, Answer};
use crate::errors::to_pyerr;

/// What a finished task hands back.
pub(crate) enum Outcome {
    /// A call's answer.
    Answer(Answer),
    /// The next object of a list; `None` at its end.
    Item(Option<Value>),
    /// A failure.
    Failed(Error),
}

/// The queue and the wake-up socket of one event loop.
pub(crate) struct Shared {
    queue: Mutex<Vec<(Py<PyAny>, Outcome)>>,
    woken: AtomicBool,
    writer: UnixStream,
}

impl Shared {
    /// Queues `outcome` for `future` and wakes the loop if it is not awake already.
    pub(crate) fn complete(&self, future: Py<PyAny>, outcome: Outcome) {
        if let Ok(mut queue) = self.queue.lock() {
            queue.push((future, outcome));
        }
        if !self.woken.swap(true, Ordering::SeqCst) {
            // A full socket buffer means a wake-up byte is already pending: nothing to add.
            let _ = (&self.writer).write(&[1]);
        }
    }
}

/// The loop side: registered with `loop.add_reader(fileno, drain)`.
#[pyclass(module = "molam._molam", frozen)]
pub struct LoopBridge {
    pub(crate) shared: Arc<Shared>,
    reader: UnixStream,
}

impl LoopBridge {
    /// A bridge registered with `event_loop`.
    pub(crate) fn attach(
        py: Python<'_>,
        event_loop: &Bound<'_, PyAny>,
    ) -> PyResult<Py<LoopBridge>> {
        let (reader, writer) = UnixStream::pair()?;
        reader.set_nonblocking(true)?;
        writer.set_nonblocking(true)?;
        let fd = reader.as_raw_fd();
        let bridge = Py::new(
            py,
            LoopBridge {
                shared: Arc::new(Shared {
                    queue: Mutex::new(Vec::new()),
                    woken: AtomicBool::new(false),
                    writer,
                }),
                reader,
            },
        )?;
        let drain = bridge.bind(py).getattr("drain")?;
        event_loop.call_method1("add_reader", (fd, drain))?;
        Ok(bridge)
    }

    /// Stops watching the socket (the loop may already be closed).
    pub(crate) fn detach(&self, event_loop: &Bound<'_, PyAny>) {
        let _ = event_loop.call_method1("remove_reader", (self.reader.as_raw_fd(),));
    }
}

#[pymethods]
impl LoopBridge {
    /// Resolves every queued future (called by the event loop when the socket is readable).
    fn drain(&self, py: Python<'_>) -> PyResult<()> {
        // Consume the wake-up bytes first, then clear the flag, then take the queue: a
        // producer that sets the flag after it was cleared writes a byte this drain has not
        // read (so the loop wakes again), and one that found it still set pushed before the
        // queue is taken. Clearing first would let this drain eat the byte of a producer
        // that set the flag meanwhile, and leave the flag set with nothing to wake the loop.
        let mut buf = [0u8; 256];
        loop {
            match (&self.reader).read(&mut buf) {
                Ok(0) => break,
                Ok(_) => continue,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        self.shared.woken.store(false, Ordering::SeqCst);
        let batch = match self.shared.queue.lock() {
            Ok(mut queue) => std::mem::take(&mut *queue),
            Err(_) => Vec::new(),
        };
        for (future, outcome) in batch {
            let future = future.bind(py);
            if future.call_method0("done")?.is_truthy()? {
                continue; // cancelled by its awaiter: the answer is dropped
            }
            let settled = match outcome {
                Outcome::Answer(answer) => answer.into_py(py),
                Outcome::Item(Some(value)) => to_python(py, &value),
                Outcome::Item(None) => Err(PyStopAsyncIteration::new_err(())),
                Outcome::Failed(error) => Err(to_pyerr(py, error)),
            };
            match settled {
                Ok(value) => future.call_method1("set_result", (value,))?,
                Err(error) => future.call_method1("set_exception", (error.into_value(py),))?,
            };
        }
        Ok(())
    }
}
