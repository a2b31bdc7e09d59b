//! `molam.MolamClient`: the blocking client of `molam-blocking`. Each call releases the
//! GIL while `molam-blocking` (and the core's retry loop inside it) waits on the network.

use std::sync::Mutex;

use molam_blocking::Client;
use molam_core::call::Call;
use molam_core::client::Client as CoreClient;
use molam_core::shell::{Listed, PageParams, Pages, Shell as _};
use molam_core::Error;
use pyo3::exceptions::PyStopIteration;
use pyo3::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::config::PyConfig;
use crate::convert::{to_python, Answer};
use crate::endpoints::{endpoints, Shell};
use crate::errors::to_pyerr;

/// The blocking Molam client. Safe to share between threads; calls release the GIL.
#[pyclass(name = "MolamClient", module = "molam", frozen)]
pub struct MolamClient {
    client: Client,
}

impl Shell for MolamClient {
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
        let client = &self.client;
        let result = py.detach(|| client.execute(call).map(Answer::from_response));
        match result {
            Ok(answer) => answer.into_py(py),
            Err(error) => Err(to_pyerr(py, error)),
        }
    }

    fn iterate<'py, P, T>(&self, py: Python<'py>, pages: Pages<P, T>) -> PyResult<Bound<'py, PyAny>>
    where
        P: PageParams,
        T: Listed + Serialize,
    {
        PageIterator::wrap(py, self.client.list(pages))
    }
}

endpoints!(MolamClient, {
    #[new]
    #[pyo3(signature = (config = None))]
    fn new(py: Python<'_>, config: Option<&PyConfig>) -> PyResult<Self> {
        let config = match config {
            Some(config) => config.inner.clone(),
            None => molam_core::Config::from_env().map_err(|e| to_pyerr(py, e.into()))?,
        };
        let client = Client::new(config).map_err(|e| to_pyerr(py, e))?;
        Ok(MolamClient { client })
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        false
    }

    /// Releases nothing that the garbage collector would not: kept for the seed's API.
    fn close(&self) {}

    fn __repr__(&self) -> String {
        format!(
            "MolamClient(api_base='{}')",
            self.client.config().api_base()
        )
    }
});

/// Objects of a list, one page fetched (GIL released) whenever the last one is used up.
type Items = Box<dyn Iterator<Item = Result<Value, Error>> + Send>;

/// The iterator that `iter_*` methods return. Raises the first error, then ends.
#[pyclass(module = "molam")]
pub struct PageIterator {
    items: Mutex<Items>,
}

impl PageIterator {
    fn wrap<'py, I, T>(py: Python<'py>, pages: I) -> PyResult<Bound<'py, PyAny>>
    where
        I: Iterator<Item = Result<T, Error>> + Send + 'static,
        T: Serialize,
    {
        let items: Items =
            Box::new(pages.map(|item| {
                item.map(|object| serde_json::to_value(&object).unwrap_or(Value::Null))
            }));
        Ok(Bound::new(
            py,
            PageIterator {
                items: Mutex::new(items),
            },
        )?
        .into_any())
    }
}

#[pymethods]
impl PageIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let next = py.detach(|| match self.items.lock() {
            Ok(mut items) => items.next(),
            Err(_) => None,
        });
        match next {
            Some(Ok(value)) => to_python(py, &value),
            Some(Err(error)) => Err(to_pyerr(py, error)),
            None => Err(PyStopIteration::new_err(())),
        }
    }
}
