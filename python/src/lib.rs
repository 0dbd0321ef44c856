//! CPython's `_ssl` extension module over this workspace's backends.
//!
//! CPython 3.11's `Lib/ssl.py` imports `_ssl` and builds the whole `ssl`
//! module on it. This crate is that `_ssl`, over one backend chosen at build
//! time (cargo feature `openssl`, `rustls` or `native`): put the built
//! module on `PYTHONPATH` (or install the wheel) and `import ssl` runs
//! CPython's own `ssl.py` over it. `conformance test-ssl` judges it with
//! CPython's own `test_ssl`.
//!
//! Layout: `errors` (the exception classes and the one conversion of
//! [`ssl::Error`]), `context` (`_SSLContext`), `socket` (`_SSLSocket`, over
//! a Python socket or two MemoryBIOs), `bio` (`MemoryBIO`), `session`
//! (`SSLSession`), `cert` (certificate records and ASN.1 objects).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use ssl::Backend;

mod bio;
mod cert;
mod context;
mod errors;
mod session;
mod socket;
#[cfg(windows)]
mod windows;

/// The backend this module was built over.
#[cfg(feature = "openssl")]
pub(crate) type B = ssl::backends::OpenSsl;
#[cfg(all(feature = "rustls", not(feature = "openssl")))]
pub(crate) type B = ssl::backends::Rustls;
#[cfg(all(feature = "native", not(any(feature = "openssl", feature = "rustls"))))]
pub(crate) type B = ssl::backends::Native;

use errors::IntoPy;

/// `RAND_bytes(n)`.
#[pyfunction]
#[pyo3(name = "RAND_bytes")]
fn rand_bytes(py: Python<'_>, n: i64) -> PyResult<Py<PyBytes>> {
    let n = usize::try_from(n).map_err(|_| PyValueError::new_err("num must be positive"))?;
    let bytes = B::rand_bytes(n).py(py)?;
    Ok(PyBytes::new(py, &bytes).unbind())
}

/// `RAND_pseudo_bytes(n)`: `(bytes, is_cryptographic)`.
#[pyfunction]
#[pyo3(name = "RAND_pseudo_bytes")]
fn rand_pseudo_bytes(py: Python<'_>, n: i64) -> PyResult<(Py<PyBytes>, bool)> {
    let n = usize::try_from(n).map_err(|_| PyValueError::new_err("num must be positive"))?;
    let (bytes, strong) = B::rand_pseudo_bytes(n).py(py)?;
    Ok((PyBytes::new(py, &bytes).unbind(), strong))
}

/// `RAND_status()`.
#[pyfunction]
#[pyo3(name = "RAND_status")]
fn rand_status() -> bool {
    B::rand_status()
}

/// `RAND_add(string, entropy)`: str or bytes-like.
#[pyfunction]
#[pyo3(name = "RAND_add")]
fn rand_add(py: Python<'_>, string: &Bound<'_, PyAny>, entropy: f64) -> PyResult<()> {
    let bytes: Vec<u8> = match string.extract::<String>() {
        Ok(s) => s.into_bytes(),
        Err(_) => pyo3::buffer::PyBuffer::<u8>::get(string)?.to_vec(py)?,
    };
    B::rand_add(&bytes, entropy).py(py)
}

/// `get_default_verify_paths()`: `(cafile_env, cafile, capath_env, capath)`.
#[pyfunction]
fn get_default_verify_paths() -> (String, String, String, String) {
    let p = B::get_default_verify_paths();
    (
        p.openssl_cafile_env,
        p.openssl_cafile,
        p.openssl_capath_env,
        p.openssl_capath,
    )
}

#[pymodule]
#[pyo3(name = "_ssl")]
fn ssl_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    errors::add_to(m)?;
    m.add_class::<context::PyContext>()?;
    m.add_class::<socket::PySslSocket>()?;
    m.add_class::<bio::PyMemoryBio>()?;
    m.add_class::<session::PySession>()?;
    m.add_class::<cert::PyCertificate>()?;

    m.add_function(wrap_pyfunction!(rand_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(rand_pseudo_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(rand_status, m)?)?;
    m.add_function(wrap_pyfunction!(rand_add, m)?)?;
    m.add_function(wrap_pyfunction!(get_default_verify_paths, m)?)?;
    m.add_function(wrap_pyfunction!(cert::_test_decode_cert, m)?)?;
    m.add_function(wrap_pyfunction!(cert::txt2obj, m)?)?;
    m.add_function(wrap_pyfunction!(cert::nid2obj, m)?)?;
    #[cfg(windows)]
    {
        m.add_function(wrap_pyfunction!(windows::enum_certificates, m)?)?;
        m.add_function(wrap_pyfunction!(windows::enum_crls, m)?)?;
    }

    // CERT_*, VERIFY_*, PROTOCOL_*, OP_*, ALERT_DESCRIPTION_*, SSL_ERROR_*.
    for (name, value) in ssl::constants::module_constants() {
        m.add(name, value)?;
    }
    // HAS_*, OPENSSL_VERSION*: the backend's (ssl.py defines
    // CHANNEL_BINDING_TYPES and HAS_NEVER_CHECK_COMMON_NAME itself).
    for (name, value) in B::capabilities().module_constants() {
        if matches!(
            name,
            "CHANNEL_BINDING_TYPES" | "HAS_NEVER_CHECK_COMMON_NAME"
        ) {
            continue;
        }
        m.add(name, cert::value_to_py(py, &value)?)?;
    }
    // CPython's is always True (OpenSSL has the Finished messages); here
    // whether the backend gives get_channel_binding('tls-unique').
    m.add(
        "HAS_TLS_UNIQUE",
        B::capabilities()
            .channel_binding_types
            .contains(&"tls-unique"),
    )?;
    let (a, b, c, d, e) = B::capabilities().library_version_info;
    m.add("_OPENSSL_API_VERSION", (a, b, c, d, e))?;
    for v in ssl::TlsVersion::MEMBERS {
        m.add(format!("PROTO_{}", v.name()), v.value())?;
    }
    m.add("HOSTFLAG_ALWAYS_CHECK_SUBJECT", 0x1)?;
    m.add("HOSTFLAG_NO_WILDCARDS", 0x2)?;
    m.add(
        "HOSTFLAG_NO_PARTIAL_WILDCARDS",
        context::HOSTFLAG_NO_PARTIAL_WILDCARDS,
    )?;
    m.add("HOSTFLAG_MULTI_LABEL_WILDCARDS", 0x8)?;
    m.add("HOSTFLAG_SINGLE_LABEL_SUBDOMAINS", 0x10)?;
    m.add(
        "HOSTFLAG_NEVER_CHECK_SUBJECT",
        context::HOSTFLAG_NEVER_CHECK_SUBJECT,
    )?;
    m.add("ENCODING_PEM", 1)?;
    m.add("ENCODING_DER", 2)?;
    m.add("_DEFAULT_CIPHERS", ssl::DEFAULT_CIPHERS)?;
    // OpenSSL's error codes and their names (what every backend reports as
    // `library` / `reason`), as CPython builds these from its own table.
    let err_codes_to_names = PyDict::new(py);
    let err_names_to_codes = PyDict::new(py);
    for &(lib, reason, name) in ssl::constants::openssl_errors::REASONS {
        err_codes_to_names.set_item((lib, reason), name)?;
        err_names_to_codes.set_item(name, (lib, reason))?;
    }
    let lib_codes_to_names = PyDict::new(py);
    for &(code, name) in ssl::constants::openssl_errors::LIBRARIES {
        lib_codes_to_names.set_item(code, name)?;
    }
    m.add("err_codes_to_names", err_codes_to_names)?;
    m.add("err_names_to_codes", err_names_to_codes)?;
    m.add("lib_codes_to_names", lib_codes_to_names)?;
    // Not in CPython's _ssl: which backend this build is over.
    m.add("_BACKEND", B::name())?;
    Ok(())
}
