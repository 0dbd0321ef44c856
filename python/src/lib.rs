//! CPython's `_ssl` extension module over this workspace's backends.
//!
//! CPython 3.11's `Lib/ssl.py` imports `_ssl` and builds the whole `ssl`
//! module on it. This crate is that `_ssl`, over one backend chosen at build
//! time (cargo feature `openssl`, `rustls` or `native`): put the built
//! module on `PYTHONPATH` (or install the wheel) and `import ssl` runs
//! CPython's own `ssl.py` over it.

use pyo3::prelude::*;

/// The backend this module was built over.
#[cfg(feature = "openssl")]
pub(crate) type B = ssl::backends::OpenSsl;
#[cfg(all(feature = "rustls", not(feature = "openssl")))]
pub(crate) type B = ssl::backends::Rustls;
#[cfg(all(feature = "native", not(any(feature = "openssl", feature = "rustls"))))]
pub(crate) type B = ssl::backends::Native;

#[pymodule]
#[pyo3(name = "_ssl")]
fn ssl_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("BACKEND", <B as ssl_api::Backend>::name())?;
    Ok(())
}
