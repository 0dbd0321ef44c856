//! `enum_certificates` / `enum_crls` (Windows only, F14 / F15): the system
//! certificate stores, read as CPython reads them, whatever the backend.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PySet, PyTuple};

use ssl::{StoreEncoding, Trust};

use crate::errors::IntoPy;

/// The encoding type: `"x509_asn"`, `"pkcs_7_asn"` or the raw number.
fn encoding_to_py(py: Python<'_>, e: StoreEncoding) -> PyResult<Bound<'_, PyAny>> {
    match (e.python_name(), e) {
        (Some(name), _) => Ok(name.into_pyobject(py)?.into_any()),
        (None, StoreEncoding::Other(raw)) => Ok(raw.into_pyobject(py)?.into_any()),
        (None, _) => Ok(py.None().into_bound(py)),
    }
}

/// `enum_certificates(store_name)`: `[(cert_bytes, encoding_type, trust)]`,
/// `trust` being `True` or the set of OIDs the certificate is trusted for.
#[pyfunction]
pub(crate) fn enum_certificates<'py>(
    py: Python<'py>,
    store_name: &str,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for c in ssl::enum_certificates(store_name).py(py)? {
        let trust: Bound<'py, PyAny> = match &c.trust {
            Trust::All => true.into_pyobject(py)?.to_owned().into_any(),
            Trust::Oids(oids) => PySet::new(py, oids.iter())?.into_any(),
        };
        let item = PyTuple::new(
            py,
            [
                PyBytes::new(py, &c.der).into_any(),
                encoding_to_py(py, c.encoding)?,
                trust,
            ],
        )?;
        list.append(item)?;
    }
    Ok(list)
}

/// `enum_crls(store_name)`: `[(crl_bytes, encoding_type)]`.
#[pyfunction]
pub(crate) fn enum_crls<'py>(py: Python<'py>, store_name: &str) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for c in ssl::enum_crls(store_name).py(py)? {
        let item = PyTuple::new(
            py,
            [
                PyBytes::new(py, &c.der).into_any(),
                encoding_to_py(py, c.encoding)?,
            ],
        )?;
        list.append(item)?;
    }
    Ok(list)
}
