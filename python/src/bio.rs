//! `_ssl.MemoryBIO` over [`ssl::MemoryBio`].

use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use ssl::{Bio, MemoryBio};

use crate::errors::{classes, IntoPy};

/// `MemoryBIO()`: a buffer of bytes the TLS connection reads or writes.
#[pyclass(module = "_ssl", name = "MemoryBIO", frozen, immutable_type)]
pub(crate) struct PyMemoryBio {
    pub(crate) bio: MemoryBio,
}

#[pymethods]
impl PyMemoryBio {
    #[new]
    fn new() -> Self {
        PyMemoryBio {
            bio: MemoryBio::new(),
        }
    }

    /// The number of bytes in the buffer.
    #[getter]
    fn pending(&self) -> usize {
        self.bio.pending()
    }

    /// Whether the buffer is empty and `write_eof()` was called.
    #[getter]
    fn eof(&self) -> bool {
        self.bio.eof()
    }

    /// `read(size=-1)`: up to `size` bytes (all of them when negative).
    #[pyo3(signature = (size = -1))]
    fn read<'py>(&self, py: Python<'py>, size: i64) -> Bound<'py, PyBytes> {
        let n = usize::try_from(size).ok();
        PyBytes::new(py, &self.bio.read(n))
    }

    /// `write(b)`: appends a bytes-like object; the number of bytes.
    fn write(&self, py: Python<'_>, b: &Bound<'_, PyAny>) -> PyResult<usize> {
        if self.bio.eof_written() {
            let err = classes(py)
                .ssl_error
                .bind(py)
                .call1(("cannot write() after write_eof()",))?;
            return Err(PyErr::from_value(err));
        }
        let data = contiguous_bytes(b)?;
        self.bio.write(&data).py(py)
    }

    /// `write_eof()`: no more data will be written.
    fn write_eof(&self) {
        self.bio.write_eof()
    }
}

/// The bytes of a bytes-like object that is one contiguous block, as
/// CPython's `y*` argument takes it (`BufferError` for any other buffer).
pub(crate) fn contiguous_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let buf = PyBuffer::<u8>::get(obj)?;
    if !buf.is_c_contiguous() {
        return Err(pyo3::exceptions::PyBufferError::new_err(
            "memoryview: underlying buffer is not C-contiguous",
        ));
    }
    buf.to_vec(obj.py())
}
