//! The exception classes, created as CPython's `_ssl` creates them, and the
//! one conversion of an [`ssl::Error`] into the Python exception CPython
//! raises for it.

use pyo3::exceptions::{PyNotImplementedError, PyOSError, PyTimeoutError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

use ssl::{Error, SslErrorKind};

/// `SSLError` and its subclasses, defined by Python code so that they are
/// ordinary exception classes: `SSLError` is an `OSError` whose `str()` is
/// its message (CPython's `SSLError_str`), `SSLCertVerificationError` is
/// also a `ValueError`, and every one reports `__module__ == 'ssl'`.
const CLASSES: &str = r#"
class SSLError(OSError):
    """An error occurred in the SSL implementation."""
    def __str__(self):
        if isinstance(self.strerror, str):
            return self.strerror
        return str(self.args)

class SSLCertVerificationError(SSLError, ValueError):
    """A certificate could not be verified."""

class SSLZeroReturnError(SSLError):
    """SSL/TLS session closed cleanly."""

class SSLWantReadError(SSLError):
    """Non-blocking SSL socket needs to read more data
before the requested operation can be completed."""

class SSLWantWriteError(SSLError):
    """Non-blocking SSL socket needs to write more data
before the requested operation can be completed."""

class SSLSyscallError(SSLError):
    """System error when attempting SSL operation."""

class SSLEOFError(SSLError):
    """SSL/TLS connection terminated abruptly."""

for _cls in (SSLError, SSLCertVerificationError, SSLZeroReturnError, SSLWantReadError,
             SSLWantWriteError, SSLSyscallError, SSLEOFError):
    _cls.__module__ = 'ssl'
del _cls
"#;

/// The classes, made once per process.
pub(crate) struct Classes {
    pub ssl_error: Py<PyType>,
    pub cert_verification: Py<PyType>,
    pub zero_return: Py<PyType>,
    pub want_read: Py<PyType>,
    pub want_write: Py<PyType>,
    pub syscall: Py<PyType>,
    pub eof: Py<PyType>,
}

static CLASSES_CELL: PyOnceLock<Classes> = PyOnceLock::new();

pub(crate) fn classes(py: Python<'_>) -> &Classes {
    CLASSES_CELL
        .get_or_try_init(py, || -> PyResult<Classes> {
            let ns = PyDict::new(py);
            py.run(
                &std::ffi::CString::new(CLASSES).expect("no NUL"),
                Some(&ns),
                Some(&ns),
            )?;
            let get = |name: &str| -> PyResult<Py<PyType>> {
                Ok(ns
                    .get_item(name)?
                    .expect("defined above")
                    .cast_into::<PyType>()?
                    .unbind())
            };
            // Immutable, as CPython's own classes (`SSLError.x = 1` is a TypeError).
            for name in [
                "SSLError",
                "SSLCertVerificationError",
                "SSLZeroReturnError",
                "SSLWantReadError",
                "SSLWantWriteError",
                "SSLSyscallError",
                "SSLEOFError",
            ] {
                make_immutable(&get(name)?.into_bound(py));
            }
            Ok(Classes {
                ssl_error: get("SSLError")?,
                cert_verification: get("SSLCertVerificationError")?,
                zero_return: get("SSLZeroReturnError")?,
                want_read: get("SSLWantReadError")?,
                want_write: get("SSLWantWriteError")?,
                syscall: get("SSLSyscallError")?,
                eof: get("SSLEOFError")?,
            })
        })
        .expect("the exception classes are plain Python")
}

/// Sets `Py_TPFLAGS_IMMUTABLETYPE` on a class made by Python code.
fn make_immutable(cls: &Bound<'_, PyType>) {
    let ptr = cls.as_type_ptr();
    // SAFETY: `ptr` is a live heap type we just created and hold; the flag
    // only forbids setting attributes on the type, and `PyType_Modified`
    // is what CPython asks for after changing a type in place.
    #[allow(unsafe_code)]
    unsafe {
        (*ptr).tp_flags |= pyo3::ffi::Py_TPFLAGS_IMMUTABLETYPE;
        pyo3::ffi::PyType_Modified(ptr);
    }
}

/// Adds the classes to the module under their Python names.
pub(crate) fn add_to(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let c = classes(py);
    m.add("SSLError", c.ssl_error.bind(py))?;
    m.add("SSLCertVerificationError", c.cert_verification.bind(py))?;
    m.add("SSLZeroReturnError", c.zero_return.bind(py))?;
    m.add("SSLWantReadError", c.want_read.bind(py))?;
    m.add("SSLWantWriteError", c.want_write.bind(py))?;
    m.add("SSLSyscallError", c.syscall.bind(py))?;
    m.add("SSLEOFError", c.eof.bind(py))?;
    Ok(())
}

/// The Python exception CPython raises for `err`: the `SSLError` subclass
/// with `(errno, message)` as its arguments and `library`, `reason` (and
/// `verify_code`, `verify_message`) set; `ValueError`; `NotImplementedError`;
/// the `OSError` subclass of the OS error number; `TimeoutError`.
pub(crate) fn to_py(py: Python<'_>, err: Error) -> PyErr {
    match err {
        Error::Ssl(e) => {
            let c = classes(py);
            let cls = match e.kind {
                SslErrorKind::Ssl => &c.ssl_error,
                SslErrorKind::CertVerification => &c.cert_verification,
                SslErrorKind::ZeroReturn => &c.zero_return,
                SslErrorKind::WantRead => &c.want_read,
                SslErrorKind::WantWrite => &c.want_write,
                SslErrorKind::Syscall => &c.syscall,
                SslErrorKind::Eof => &c.eof,
                _ => &c.ssl_error,
            };
            let build = || -> PyResult<PyErr> {
                let exc = cls.bind(py).call1((e.errno(), e.to_string()))?;
                exc.setattr("library", e.library.as_deref())?;
                exc.setattr("reason", e.reason.as_deref())?;
                if e.kind == SslErrorKind::CertVerification {
                    let verify = e.verify.as_ref();
                    exc.setattr("verify_code", verify.map(|v| v.code))?;
                    exc.setattr("verify_message", verify.map(|v| v.message.as_str()))?;
                }
                Ok(PyErr::from_value(exc))
            };
            build().unwrap_or_else(|e| e)
        }
        Error::Value(m) => PyValueError::new_err(m),
        e @ Error::NotImplemented { .. } => PyNotImplementedError::new_err(e.to_string()),
        Error::Timeout(m) => PyTimeoutError::new_err(m),
        Error::Io(e) => io_to_py(py, e),
        other => PyOSError::new_err(other.to_string()),
    }
}

/// An OS error as Python's `OSError(errno, strerror)`, which picks the
/// subclass by errno (`ECONNRESET` -> `ConnectionResetError`).
pub(crate) fn io_to_py(py: Python<'_>, e: std::io::Error) -> PyErr {
    if let Some(code) = e.raw_os_error() {
        let text = e.to_string();
        let suffix = format!(" (os error {code})");
        let text = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
        return PyOSError::new_err((code, text));
    }
    // Not the OS's: the class by kind, as the OS error would have been.
    let name = Error::Io(std::io::Error::new(e.kind(), "")).python_type();
    let builtins = py.import("builtins");
    match builtins.and_then(|b| b.getattr(name)) {
        Ok(cls) => match cls.call1((e.to_string(),)) {
            Ok(exc) => PyErr::from_value(exc),
            Err(err) => err,
        },
        Err(err) => err,
    }
}

/// `Result<T, ssl::Error>` into `PyResult<T>`.
pub(crate) trait IntoPy<T> {
    fn py(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPy<T> for ssl::Result<T> {
    fn py(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}
