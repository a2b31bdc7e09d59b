//! `molam.MolamAsyncClient`: the async client of `molam-tokio`, its calls awaitable from
//! asyncio. Each call runs as a task on a tokio runtime owned by the extension; its result
//! comes back to the asyncio loop through [`crate::bridge`].

use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};

use futures_util::{Stream, StreamExt};
use molam_core::call::Call;
use molam_core::client::Client as CoreClient;
use molam_core::shell::{Listed, PageParams, Pages, Shell as _};
use molam_core::Error;
use molam_tokio::Client;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::bridge::{LoopBridge, Outcome, Shared};
use crate::config::PyConfig;
use crate::convert::Answer;
use crate::endpoints::{endpoints, Shell};
use crate::errors::to_pyerr;

/// The runtime every async client's calls run on (two worker threads).
fn runtime() -> PyResult<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    if let Some(runtime) = RUNTIME.get() {
        return Ok(runtime);
    }
    let built = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("molam-tokio")
        .enable_all()
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the tokio runtime: {e}")))?;
    Ok(RUNTIME.get_or_init(|| built))
}

static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `asyncio.get_running_loop()`: raises `RuntimeError` outside a coroutine.
fn running_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    GET_RUNNING_LOOP
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("asyncio")?.getattr("get_running_loop")?.unbind())
        })?
        .bind(py)
        .call0()
}

/// An event loop the async clients run on, and its bridge.
struct Attached {
    event_loop: Py<PyAny>,
    bridge: Py<LoopBridge>,
}

/// Every live event loop with a bridge: each thread may run its own loop, and each
/// `asyncio.run` makes a new one. A loop that has closed lets go of its bridge.
static ATTACHED: Mutex<Vec<Attached>> = Mutex::new(Vec::new());
/// The registry, locked without ever holding it across a call into Python (which may let
/// another thread take the GIL and wait on this lock).
fn registry() -> PyResult<std::sync::MutexGuard<'static, Vec<Attached>>> {
    ATTACHED
        .lock()
        .map_err(|_| PyRuntimeError::new_err("the event loop registry is poisoned"))
}

/// A new asyncio future of the running loop, and the queue that will resolve it.
fn future(py: Python<'_>) -> PyResult<(Bound<'_, PyAny>, Arc<Shared>)> {
    let event_loop = running_loop(py)?;
    let known: Vec<(Py<PyAny>, Py<LoopBridge>)> = registry()?
        .iter()
        .map(|a| (a.event_loop.clone_ref(py), a.bridge.clone_ref(py)))
        .collect();
    if let Some((_, bridge)) = known.iter().find(|(l, _)| l.bind(py).is(&event_loop)) {
        let shared = bridge.get().shared.clone();
        return Ok((event_loop.call_method0("create_future")?, shared));
    }
    // A loop this registry has not seen (a new thread's, or a new `asyncio.run`): its own
    // bridge; and the loops that have closed since let go of theirs.
    let closed: Vec<&Py<PyAny>> = known
        .iter()
        .filter(|(l, _)| {
            l.bind(py)
                .call_method0("is_closed")
                .and_then(|closed| closed.is_truthy())
                .unwrap_or(true)
        })
        .map(|(l, _)| l)
        .collect();
    let bridge = LoopBridge::attach(py, &event_loop)?;
    let shared = bridge.get().shared.clone();
    // Taken out under the lock, dropped after it: dropping a loop may run Python.
    let gone: Vec<Attached> = {
        let mut attached = registry()?;
        let (gone, kept) = std::mem::take(&mut *attached)
            .into_iter()
            .partition(|a| closed.iter().any(|l| l.is(&a.event_loop)));
        *attached = kept;
        attached.push(Attached {
            event_loop: event_loop.clone().unbind(),
            bridge,
        });
        gone
    };
    drop(gone);
    for (l, bridge) in known.iter().filter(|(l, _)| closed.iter().any(|c| c.is(l))) {
        bridge.get().detach(l.bind(py));
    }
    Ok((event_loop.call_method0("create_future")?, shared))
}

/// The async Molam client. Methods return awaitables; use it inside `async with`.
#[pyclass(name = "MolamAsyncClient", module = "molam", frozen, subclass)]
pub struct MolamAsyncClient {
    client: Client,
}

impl MolamAsyncClient {
    fn stream<'py, S, T>(&self, py: Python<'py>, stream: S) -> PyResult<Bound<'py, PyAny>>
    where
        S: Stream<Item = Result<T, Error>> + Send + 'static,
        T: Serialize,
    {
        let items: Items =
            Box::pin(stream.map(|item| {
                item.map(|object| serde_json::to_value(&object).unwrap_or(Value::Null))
            }));
        Ok(Bound::new(
            py,
            AsyncPageIterator {
                items: Arc::new(tokio::sync::Mutex::new(items)),
            },
        )?
        .into_any())
    }
}

impl Shell for MolamAsyncClient {
    fn core(&self) -> &CoreClient {
        self.client.core()
    }

    fn webhooks(&self) -> molam_core::webhook_event::Webhooks<'_> {
        self.client.webhooks()
    }

    fn dispatch<'py, T>(
        &self,
        py: Python<'py>,
        call: Result<Call<T>, Error>,
    ) -> PyResult<Bound<'py, PyAny>>
    where
        T: Serialize + DeserializeOwned + Send + 'static,
    {
        let call = call.map_err(|e| to_pyerr(py, e))?;
        let (future, shared) = future(py)?;
        let client = self.client.clone();
        let waiting = future.clone().unbind();
        runtime()?.spawn(async move {
            let outcome = match client.execute(call).await {
                Ok(response) => Outcome::Answer(Answer::from_response(response)),
                Err(error) => Outcome::Failed(error),
            };
            shared.complete(waiting, outcome);
        });
        Ok(future)
    }

    fn iterate<'py, P, T>(&self, py: Python<'py>, pages: Pages<P, T>) -> PyResult<Bound<'py, PyAny>>
    where
        P: PageParams,
        T: Listed + Serialize,
    {
        self.stream(py, self.client.list(pages))
    }
}

endpoints!(MolamAsyncClient, {
    #[new]
    #[pyo3(signature = (config = None))]
    fn new(py: Python<'_>, config: Option<&PyConfig>) -> PyResult<Self> {
        let config = match config {
            Some(config) => config.inner.clone(),
            None => molam_core::Config::from_env().map_err(|e| to_pyerr(py, e.into()))?,
        };
        // hyper's pool spawns its connection tasks on the runtime it is built in.
        let _entered = runtime()?.enter();
        let client = Client::new(config).map_err(|e| to_pyerr(py, e))?;
        Ok(MolamAsyncClient { client })
    }

    fn __repr__(&self) -> String {
        format!(
            "MolamAsyncClient(api_base='{}')",
            self.client.config().api_base()
        )
    }
});

type Items = Pin<Box<dyn Stream<Item = Result<Value, Error>> + Send>>;

/// The async iterator that `iter_*` methods of `MolamAsyncClient` return (`async for`).
#[pyclass(module = "molam", frozen)]
pub struct AsyncPageIterator {
    items: Arc<tokio::sync::Mutex<Items>>,
}

#[pymethods]
impl AsyncPageIterator {
    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (future, bridge) = future(py)?;
        let items = self.items.clone();
        let waiting = future.clone().unbind();
        runtime()?.spawn(async move {
            let outcome = match items.lock().await.next().await {
                Some(Ok(value)) => Outcome::Item(Some(value)),
                Some(Err(error)) => Outcome::Failed(error),
                None => Outcome::Item(None),
            };
            bridge.complete(waiting, outcome);
        });
        Ok(future)
    }
}
