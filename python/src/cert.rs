//! Certificate records as Python values, and the module functions about
//! certificates and ASN.1 objects (`_test_decode_cert`, `txt2obj`, `nid2obj`).

use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use ssl::{CertRecord, Purpose, PyValue};

use crate::errors::IntoPy;

/// A [`PyValue`] as the Python object it models.
pub(crate) fn value_to_py<'py>(py: Python<'py>, v: &PyValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        PyValue::None => py.None().into_bound(py),
        PyValue::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        PyValue::Int(i) => i.into_pyobject(py)?.into_any(),
        PyValue::Str(s) => s.into_pyobject(py)?.into_any(),
        PyValue::Bytes(b) => PyBytes::new(py, b).into_any(),
        PyValue::Tuple(items) => {
            let items = items
                .iter()
                .map(|i| value_to_py(py, i))
                .collect::<PyResult<Vec<_>>>()?;
            PyTuple::new(py, items)?.into_any()
        }
    })
}

/// `getpeercert()`'s dict: the record's keys in the record's order.
pub(crate) fn record_to_py<'py>(
    py: Python<'py>,
    record: &CertRecord,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (key, value) in record.entries() {
        dict.set_item(key, value_to_py(py, value)?)?;
    }
    Ok(dict)
}

/// `_test_decode_cert(path)`: the record of the PEM certificate in `path`.
#[pyfunction]
pub(crate) fn _test_decode_cert<'py>(
    py: Python<'py>,
    path: PathBuf,
) -> PyResult<Bound<'py, PyDict>> {
    let record = ssl::cert::decode::decode_cert_file(&path).py(py)?;
    record_to_py(py, &record)
}

fn asn1_tuple(p: Purpose) -> (i64, &'static str, &'static str, &'static str) {
    (p.nid(), p.shortname(), p.longname(), p.oid())
}

/// `txt2obj(txt, name=False)`: `(nid, shortname, longname, oid)` of the
/// object with the dotted OID `txt` (with `name`, also its short or long
/// name). The objects known are those ssl.py names (the two purposes).
#[pyfunction]
#[pyo3(signature = (txt, name = false))]
pub(crate) fn txt2obj(
    txt: &str,
    name: bool,
) -> PyResult<(i64, &'static str, &'static str, &'static str)> {
    Purpose::MEMBERS
        .iter()
        .copied()
        .find(|p| p.oid() == txt || (name && (p.shortname() == txt || p.longname() == txt)))
        .map(asn1_tuple)
        .ok_or_else(|| PyValueError::new_err(format!("unknown object '{txt}'")))
}

/// `nid2obj(nid)`: `(nid, shortname, longname, oid)` of OpenSSL's `nid`.
#[pyfunction]
pub(crate) fn nid2obj(nid: i64) -> PyResult<(i64, &'static str, &'static str, &'static str)> {
    if nid < 1 {
        return Err(PyValueError::new_err("NID must be positive."));
    }
    Purpose::MEMBERS
        .iter()
        .copied()
        .find(|p| p.nid() == nid)
        .map(asn1_tuple)
        .ok_or_else(|| PyValueError::new_err(format!("unknown NID {nid}")))
}

/// `_ssl.Certificate`: one certificate of a peer's chain
/// (`get_verified_chain()`, `get_unverified_chain()`); not instantiable.
#[pyclass(module = "_ssl", name = "Certificate", frozen, immutable_type)]
pub(crate) struct PyCertificate {
    pub(crate) der: Vec<u8>,
}

/// OpenSSL's short names (RFC 2253 / `XN_FLAG_RFC2253`) of the attributes a
/// certificate record names by their long name.
fn short_name(long: &str) -> &str {
    match long {
        "commonName" => "CN",
        "countryName" => "C",
        "localityName" => "L",
        "stateOrProvinceName" => "ST",
        "organizationName" => "O",
        "organizationalUnitName" => "OU",
        "streetAddress" => "street",
        "domainComponent" => "DC",
        "userId" => "UID",
        other => other,
    }
}

/// An attribute value escaped as RFC 2253 requires.
fn rfc2253_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The subject as `X509_NAME_print_ex(..., XN_FLAG_RFC2253)` prints it:
/// the most specific RDN first, `,` between RDNs, `+` inside one.
pub(crate) fn rfc2253(record: &CertRecord) -> String {
    record
        .subject()
        .iter()
        .rev()
        .map(|rdn| {
            rdn.iter()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        short_name(k),
                        rfc2253_escape(v.as_str().unwrap_or(""))
                    )
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[pymethods]
impl PyCertificate {
    /// `public_bytes(format=ENCODING_PEM)`: PEM as `str`, DER as `bytes`.
    #[pyo3(signature = (format = 1))]
    fn public_bytes(&self, py: Python<'_>, format: i64) -> PyResult<Py<PyAny>> {
        match format {
            1 => Ok(ssl::der_cert_to_pem_cert(&self.der)
                .into_pyobject(py)?
                .into_any()
                .unbind()),
            2 => Ok(PyBytes::new(py, &self.der).into_any().unbind()),
            _ => Err(PyValueError::new_err("Unsupported format")),
        }
    }

    /// `get_info()`: the certificate's record, as `getpeercert()` gives it.
    fn get_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let record = ssl::cert::decode::decode_cert(&self.der).py(py)?;
        record_to_py(py, &record)
    }

    fn __repr__(&self) -> String {
        match ssl::cert::decode::decode_cert(&self.der) {
            Ok(record) => format!("<Certificate '{}'>", rfc2253(&record)),
            Err(_) => "<Certificate>".to_owned(),
        }
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.der.hash(&mut h);
        h.finish()
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: pyo3::basic::CompareOp) -> Option<bool> {
        let other = other.cast::<PyCertificate>().ok()?;
        let same = self.der == other.get().der;
        match op {
            pyo3::basic::CompareOp::Eq => Some(same),
            pyo3::basic::CompareOp::Ne => Some(!same),
            _ => None,
        }
    }
}

/// A list of `Certificate` objects, or `None`.
pub(crate) fn chain_to_py(py: Python<'_>, chain: Option<Vec<Vec<u8>>>) -> PyResult<Py<PyAny>> {
    match chain {
        None => Ok(py.None()),
        Some(chain) => {
            let list = pyo3::types::PyList::empty(py);
            for der in chain {
                list.append(Py::new(py, PyCertificate { der })?)?;
            }
            Ok(list.into_any().unbind())
        }
    }
}
