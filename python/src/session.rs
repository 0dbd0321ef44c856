//! `_ssl.SSLSession` over the backend's session type.

use pyo3::basic::CompareOp;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use ssl::Session;

use crate::B;

/// A TLS session, to resume with `session=` on another connection.
#[pyclass(module = "_ssl", name = "SSLSession", frozen, immutable_type)]
pub(crate) struct PySession {
    pub(crate) session: <B as ssl::Backend>::Session,
}

#[pymethods]
impl PySession {
    /// The session id.
    #[getter]
    fn id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.session.id())
    }

    /// Creation time, seconds since the epoch.
    #[getter]
    fn time(&self) -> i64 {
        self.session.time()
    }

    /// Lifetime in seconds.
    #[getter]
    fn timeout(&self) -> i64 {
        self.session.timeout()
    }

    /// The ticket lifetime hint, in seconds.
    #[getter]
    fn ticket_lifetime_hint(&self) -> i64 {
        self.session.ticket_lifetime_hint()
    }

    /// Whether the session has a ticket.
    #[getter]
    fn has_ticket(&self) -> bool {
        self.session.has_ticket()
    }

    // Two sessions are equal when their ids are (CPython compares the ids).
    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> Py<PyAny> {
        let Ok(other) = other.cast::<PySession>() else {
            return py.NotImplemented();
        };
        let same = self.session.id() == other.get().session.id();
        match op {
            CompareOp::Eq => same
                .into_pyobject(py)
                .expect("bool")
                .to_owned()
                .into_any()
                .unbind(),
            CompareOp::Ne => (!same)
                .into_pyobject(py)
                .expect("bool")
                .to_owned()
                .into_any()
                .unbind(),
            _ => py.NotImplemented(),
        }
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.session.id().hash(&mut h);
        h.finish()
    }
}
