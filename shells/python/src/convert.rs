//! Conversions between JSON values and Python objects, and from Python arguments to the
//! core's parameter types. Only conversions: every check is the core's.

use molam_core::params::ListParams;
use molam_core::resources::Metadata;
use molam_core::response::ApiResponse;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyList, PyString};
use serde::Serialize;
use serde_json::Value;

/// `molam._object.MolamObject`, looked up once.
static MOLAM_OBJECT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn molam_object_class(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    MOLAM_OBJECT
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("molam._object")?.getattr("MolamObject")?.unbind())
        })
        .map(|class| class.bind(py))
}

/// A result of a call: the object as JSON, with the facts of its response.
pub(crate) struct Answer {
    pub(crate) value: Value,
    pub(crate) request_id: Option<String>,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) replayed: bool,
    pub(crate) attempts: u32,
}

impl Answer {
    /// Serializes a typed answer back to JSON (the objects are serde types of the core).
    pub(crate) fn from_response<T: Serialize>(response: ApiResponse<T>) -> Self {
        let (value, meta) = response.into_parts();
        Answer {
            value: serde_json::to_value(&value).unwrap_or(Value::Null),
            request_id: meta.request_id,
            idempotency_key: meta.idempotency_key,
            replayed: meta.idempotent_replayed,
            attempts: meta.attempts,
        }
    }

    /// The Python `MolamObject`, its response facts as `last_response`-style attributes.
    pub(crate) fn into_py(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        let object = to_python(py, &self.value)?;
        if object.is_instance(molam_object_class(py)?)? {
            let meta = PyDict::new(py);
            meta.set_item("request_id", self.request_id)?;
            meta.set_item("idempotency_key", self.idempotency_key)?;
            meta.set_item("idempotent_replayed", self.replayed)?;
            meta.set_item("attempts", self.attempts)?;
            object.setattr("_response", meta)?;
        }
        Ok(object)
    }
}

/// A JSON value as Python: objects become `MolamObject`s (dicts with attribute access),
/// arrays lists, numbers `int` or `float`.
pub(crate) fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let object = molam_object_class(py)?.call0()?;
            let dict = object.cast::<PyDict>()?;
            for (key, item) in map {
                dict.set_item(key, to_python(py, item)?)?;
            }
            object
        }
    })
}

/// A Python `dict[str, str]` as the core's [`Metadata`] (the core checks its limits).
pub(crate) fn metadata(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Metadata>> {
    let Some(value) = value else {
        return Ok(None);
    };
    if value.is_none() {
        return Ok(None);
    }
    let dict = value
        .cast::<PyDict>()
        .map_err(|_| PyTypeError::new_err("metadata must be a dict of str to str"))?;
    let mut metadata = Metadata::new();
    for (key, item) in dict.iter() {
        let key: String = key
            .extract()
            .map_err(|_| PyTypeError::new_err("metadata keys must be str"))?;
        let item: String = item
            .extract()
            .map_err(|_| PyTypeError::new_err("metadata values must be str"))?;
        metadata.insert(key, item);
    }
    Ok(Some(metadata))
}

/// The list parameters of REFERENCE.md §1, as given to a `list_*` method.
#[derive(Default, Clone)]
pub(crate) struct Page {
    pub(crate) limit: Option<u32>,
    pub(crate) starting_after: Option<String>,
    pub(crate) ending_before: Option<String>,
    pub(crate) created_gte: Option<i64>,
    pub(crate) created_lte: Option<i64>,
}

impl Page {
    /// The core's [`ListParams`].
    pub(crate) fn params(&self) -> ListParams {
        let mut page = ListParams::new();
        if let Some(limit) = self.limit {
            page = page.limit(limit);
        }
        if let Some(id) = &self.starting_after {
            page = page.starting_after(id.clone());
        }
        if let Some(id) = &self.ending_before {
            page = page.ending_before(id.clone());
        }
        if let Some(t) = self.created_gte {
            page = page.created_gte(t);
        }
        if let Some(t) = self.created_lte {
            page = page.created_lte(t);
        }
        page
    }
}
