//! `_ssl._SSLContext` over the backend's [`ssl::Context`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::{PyNotImplementedError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyString, PyWeakrefReference};
use pyo3::{PyTraverseError, PyVisit};

use ssl::{
    AlertDescription, Backend, CaData, Context, Options, Password, Protocol, ServernameRequest,
    TlsVersion, VerifyFlags, VerifyMode,
};

use crate::errors::IntoPy;
use crate::{socket, B};

pub(crate) type Ctx = <B as Backend>::Context;

/// `HOSTFLAG_NEVER_CHECK_SUBJECT`: the one host flag the backends apply
/// (`hostname_checks_common_name` off).
pub(crate) const HOSTFLAG_NEVER_CHECK_SUBJECT: u32 = 0x20;
/// CPython's default `_host_flags` (`HOSTFLAG_NO_PARTIAL_WILDCARDS`), which
/// is what every backend's name check does.
pub(crate) const HOSTFLAG_NO_PARTIAL_WILDCARDS: u32 = 0x4;

/// `_SSLContext(protocol)`.
#[pyclass(
    module = "_ssl",
    name = "_SSLContext",
    subclass,
    weakref,
    frozen,
    immutable_type
)]
pub(crate) struct PyContext {
    pub(crate) ctx: Ctx,
    sni_callback: Mutex<Option<Py<PyAny>>>,
    /// `keylog_filename` as it was given (CPython hands back the object).
    keylog_filename: Mutex<Option<Py<PyAny>>>,
    /// `_msg_callback`: the Python callable.
    msg_callback: Mutex<Option<Py<PyAny>>>,
}

/// Emits `DeprecationWarning(message)` as CPython's `_ssl_deprecated` does.
fn deprecated(py: Python<'_>, message: &str) -> PyResult<()> {
    let warnings = py.import("warnings")?;
    let category = py.get_type::<pyo3::exceptions::PyDeprecationWarning>();
    warnings.call_method1("warn", (message, category, 2))?;
    Ok(())
}

/// A path argument as CPython's `PyUnicode_FSConverter` takes it (str,
/// bytes or os.PathLike), or `TypeError(what_error)`.
fn fs_path(py: Python<'_>, obj: &Bound<'_, PyAny>, type_error: &str) -> PyResult<PathBuf> {
    let os = py.import("os")?;
    match os.call_method1("fsdecode", (obj,)) {
        Ok(s) => Ok(PathBuf::from(s.extract::<String>()?)),
        Err(e) if e.is_instance_of::<PyTypeError>(py) => {
            Err(PyTypeError::new_err(type_error.to_owned()))
        }
        Err(e) => Err(e),
    }
}

/// The bytes of a str / bytes / bytearray password, or `None` for another type.
fn password_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<u8>>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Some(s.to_str()?.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Some(b.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Some(b.to_vec()));
    }
    Ok(None)
}

impl PyContext {
    fn check<T>(&self, py: Python<'_>, r: ssl::Result<T>) -> PyResult<T> {
        r.py(py)
    }
}

#[pymethods]
impl PyContext {
    #[new]
    fn new(py: Python<'_>, protocol: i64) -> PyResult<Self> {
        let proto = Protocol::from_value(protocol)
            .filter(|p| p.in_cpython())
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "invalid or unsupported protocol version {protocol}"
                ))
            })?;
        // CPython 3.11 deprecates every protocol but the two purposeful ones.
        match proto {
            Protocol::TLS => deprecated(py, "ssl.PROTOCOL_TLS is deprecated")?,
            Protocol::TLSv1 => deprecated(py, "ssl.PROTOCOL_TLSv1 is deprecated")?,
            Protocol::TLSv1_1 => deprecated(py, "ssl.PROTOCOL_TLSv1_1 is deprecated")?,
            Protocol::TLSv1_2 => deprecated(py, "ssl.PROTOCOL_TLSv1_2 is deprecated")?,
            _ => {}
        }
        let ctx = Ctx::new(proto).py(py)?;
        Ok(PyContext {
            ctx,
            sni_callback: Mutex::new(None),
            keylog_filename: Mutex::new(None),
            msg_callback: Mutex::new(None),
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for slot in [&self.sni_callback, &self.msg_callback] {
            if let Ok(cb) = slot.try_lock() {
                if let Some(cb) = cb.as_ref() {
                    visit.call(cb)?;
                }
            }
        }
        Ok(())
    }

    fn __clear__(&self) {
        for slot in [&self.sni_callback, &self.msg_callback] {
            if let Ok(mut cb) = slot.lock() {
                *cb = None;
            }
        }
    }

    /// `protocol`.
    #[getter]
    fn protocol(&self) -> i64 {
        self.ctx.protocol().value()
    }

    #[getter]
    fn options(&self) -> u64 {
        self.ctx.options().bits()
    }

    #[setter]
    fn set_options(&self, py: Python<'_>, value: u64) -> PyResult<()> {
        let old = self.ctx.options().bits();
        let newly_set = !old & value;
        let no_protocols = (Options::OP_NO_SSLv2
            | Options::OP_NO_SSLv3
            | Options::OP_NO_TLSv1
            | Options::OP_NO_TLSv1_1
            | Options::OP_NO_TLSv1_2
            | Options::OP_NO_TLSv1_3)
            .bits();
        if newly_set & no_protocols != 0 {
            deprecated(py, "ssl.OP_NO_SSL*/ssl.OP_NO_TLS* options are deprecated")?;
        }
        self.check(py, self.ctx.set_options(Options::from_bits_retain(value)))
    }

    #[getter]
    fn verify_mode(&self) -> i64 {
        self.ctx.verify_mode().value()
    }

    #[setter]
    fn set_verify_mode(&self, py: Python<'_>, value: i64) -> PyResult<()> {
        let mode = VerifyMode::from_value(value)
            .ok_or_else(|| PyValueError::new_err("invalid value for verify_mode"))?;
        self.check(py, self.ctx.set_verify_mode(mode))
    }

    #[getter]
    fn verify_flags(&self) -> u64 {
        self.ctx.verify_flags().bits()
    }

    #[setter]
    fn set_verify_flags(&self, py: Python<'_>, value: u64) -> PyResult<()> {
        self.check(
            py,
            self.ctx
                .set_verify_flags(VerifyFlags::from_bits_retain(value)),
        )
    }

    #[getter]
    fn check_hostname(&self) -> bool {
        self.ctx.check_hostname()
    }

    #[setter]
    fn set_check_hostname(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let on = value.is_truthy()?;
        self.check(py, self.ctx.set_check_hostname(on))
    }

    #[getter]
    fn minimum_version(&self) -> i64 {
        self.ctx.minimum_version().value()
    }

    #[setter]
    fn set_minimum_version(&self, py: Python<'_>, value: i64) -> PyResult<()> {
        let v = self.version_arg(py, value)?;
        self.check(py, self.ctx.set_minimum_version(v))
    }

    #[getter]
    fn maximum_version(&self) -> i64 {
        self.ctx.maximum_version().value()
    }

    #[setter]
    fn set_maximum_version(&self, py: Python<'_>, value: i64) -> PyResult<()> {
        let v = self.version_arg(py, value)?;
        self.check(py, self.ctx.set_maximum_version(v))
    }

    /// `_host_flags`: `HOSTFLAG_NO_PARTIAL_WILDCARDS`, and
    /// `HOSTFLAG_NEVER_CHECK_SUBJECT` when the common name is not checked.
    #[getter]
    fn _host_flags(&self) -> u32 {
        let mut flags = HOSTFLAG_NO_PARTIAL_WILDCARDS;
        if !self.ctx.hostname_checks_common_name() {
            flags |= HOSTFLAG_NEVER_CHECK_SUBJECT;
        }
        flags
    }

    #[setter(_host_flags)]
    fn set_host_flags(&self, py: Python<'_>, value: u32) -> PyResult<()> {
        let others = value & !(HOSTFLAG_NEVER_CHECK_SUBJECT | HOSTFLAG_NO_PARTIAL_WILDCARDS);
        if others != 0 || value & HOSTFLAG_NO_PARTIAL_WILDCARDS == 0 {
            // The backends match names as HOSTFLAG_NO_PARTIAL_WILDCARDS alone;
            // another wildcard policy is not theirs to choose.
            return Err(PyNotImplementedError::new_err(format!(
                "host flags {value:#x}: the {} backend matches names with HOSTFLAG_NO_PARTIAL_WILDCARDS only",
                B::name()
            )));
        }
        self.check(
            py,
            self.ctx
                .set_hostname_checks_common_name(value & HOSTFLAG_NEVER_CHECK_SUBJECT == 0),
        )
    }

    #[getter]
    fn post_handshake_auth(&self) -> bool {
        self.ctx.post_handshake_auth()
    }

    #[setter]
    fn set_post_handshake_auth(
        &self,
        py: Python<'_>,
        value: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let Some(value) = value else {
            return Err(pyo3::exceptions::PyAttributeError::new_err(
                "cannot delete attribute",
            ));
        };
        let on = value.is_truthy()?;
        self.check(py, self.ctx.set_post_handshake_auth(on))
    }

    /// `security_level`: 2, the level of Python's default cipher string
    /// (`@SECLEVEL=2`) that every backend's defaults meet.
    #[getter]
    fn security_level(&self) -> i64 {
        2
    }

    #[getter]
    fn keylog_filename(&self, py: Python<'_>) -> Py<PyAny> {
        match self.keylog_filename.lock().expect("not poisoned").as_ref() {
            Some(name) if self.ctx.keylog_filename().is_some() => name.clone_ref(py),
            _ => py.None(),
        }
    }

    #[setter]
    fn set_keylog_filename(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        if value.is_none() {
            *self.keylog_filename.lock().expect("not poisoned") = None;
            return self.check(py, self.ctx.set_keylog_filename(None));
        }
        let path = fs_path(
            py,
            value,
            "keylog_filename should be a valid filesystem path",
        )?;
        // CPython opens the file at once: an unwritable path fails here.
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| crate::errors::io_to_py(py, e))?;
        self.check(py, self.ctx.set_keylog_filename(Some(&path)))?;
        *self.keylog_filename.lock().expect("not poisoned") = Some(value.clone().unbind());
        Ok(())
    }

    #[getter]
    fn sni_callback(&self, py: Python<'_>) -> Py<PyAny> {
        match self.sni_callback.lock().expect("not poisoned").as_ref() {
            Some(cb) => cb.clone_ref(py),
            None => py.None(),
        }
    }

    #[setter]
    fn set_sni_callback(slf: &Bound<'_, Self>, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let py = slf.py();
        let this = slf.get();
        if this.ctx.protocol() == Protocol::TLS_CLIENT {
            return Err(PyValueError::new_err(
                "sni_callback cannot be set on TLS_CLIENT context",
            ));
        }
        let value = value.filter(|v| !v.is_none());
        let Some(value) = value else {
            *this.sni_callback.lock().expect("not poisoned") = None;
            return this.check(py, this.ctx.set_servername_callback(None));
        };
        if !value.is_callable() {
            return Err(PyTypeError::new_err("not a callable object"));
        }
        *this.sni_callback.lock().expect("not poisoned") = Some(value.clone().unbind());
        // The library's callback reaches this context through a weak
        // reference: the Python callable lives in the context, where the
        // garbage collector sees it (a cycle through it is collected).
        let weak = PyWeakrefReference::new(slf)?.unbind();
        let callback = Arc::new(move |req: &mut ServernameRequest<B>| sni_call(&weak, req));
        this.check(py, this.ctx.set_servername_callback(Some(callback)))
    }

    /// `_msg_callback`: called as `(conn, direction, version, content_type,
    /// msg_type, data)` for every TLS message (CPython's debug hook).
    #[getter]
    fn _msg_callback(&self, py: Python<'_>) -> Py<PyAny> {
        match self.msg_callback.lock().expect("not poisoned").as_ref() {
            Some(cb) => cb.clone_ref(py),
            None => py.None(),
        }
    }

    #[setter(_msg_callback)]
    fn set_msg_callback(slf: &Bound<'_, Self>, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let py = slf.py();
        let this = slf.get();
        let Some(value) = value.filter(|v| !v.is_none()) else {
            this.check(py, this.ctx.set_msg_callback(None))?;
            *this.msg_callback.lock().expect("not poisoned") = None;
            return Ok(());
        };
        if !value.is_callable() {
            return Err(PyTypeError::new_err(format!(
                "{} is not callable.",
                value.repr()?
            )));
        }
        // Through a weak reference, as the SNI callback (see there).
        let weak = PyWeakrefReference::new(slf)?.unbind();
        let callback: ssl::MessageCallback =
            Arc::new(move |m: &ssl::TlsMessage<'_>| msg_call(&weak, m));
        this.check(py, this.ctx.set_msg_callback(Some(callback)))?;
        *this.msg_callback.lock().expect("not poisoned") = Some(value.clone().unbind());
        Ok(())
    }

    /// `num_tickets`: TLS 1.3 session tickets a server sends.
    #[getter]
    fn num_tickets(&self) -> usize {
        self.ctx.num_tickets()
    }

    #[setter]
    fn set_num_tickets(&self, py: Python<'_>, value: Option<i64>) -> PyResult<()> {
        let Some(value) = value else {
            return Err(PyTypeError::new_err("an integer is required"));
        };
        let n = usize::try_from(value)
            .map_err(|_| PyValueError::new_err("value must be non-negative"))?;
        self.check(py, self.ctx.set_num_tickets(n))
    }

    fn set_ciphers(&self, py: Python<'_>, cipherlist: &str) -> PyResult<()> {
        self.check(py, self.ctx.set_ciphers(cipherlist))
    }

    fn get_ciphers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for c in self.ctx.get_ciphers().py(py)? {
            let d = PyDict::new(py);
            for (k, v) in c.to_pairs() {
                d.set_item(k, crate::cert::value_to_py(py, &v)?)?;
            }
            list.append(d)?;
        }
        Ok(list)
    }

    fn _set_alpn_protocols(&self, py: Python<'_>, protos: PyBuffer<u8>) -> PyResult<()> {
        let wire = protos.to_vec(py)?;
        let mut names = Vec::new();
        let mut rest = &wire[..];
        while let Some((&len, tail)) = rest.split_first() {
            let len = usize::from(len);
            if len == 0 || tail.len() < len {
                return Err(PyValueError::new_err("invalid ALPN protocol list"));
            }
            names.push(String::from_utf8_lossy(&tail[..len]).into_owned());
            rest = &tail[len..];
        }
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        self.check(py, self.ctx.set_alpn_protocols(&refs))
    }

    #[pyo3(signature = (certfile, keyfile = None, password = None))]
    fn load_cert_chain(
        &self,
        py: Python<'_>,
        certfile: &Bound<'_, PyAny>,
        keyfile: Option<&Bound<'_, PyAny>>,
        password: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let certfile = fs_path(py, certfile, "certfile should be a valid filesystem path")?;
        let keyfile = match keyfile.filter(|k| !k.is_none()) {
            Some(k) => Some(fs_path(py, k, "keyfile should be a valid filesystem path")?),
            None => None,
        };
        // The callback's own exception is raised in place of the library's error.
        let raised: Arc<Mutex<Option<PyErr>>> = Arc::default();
        let password = match password.filter(|p| !p.is_none()) {
            None => None,
            Some(p) if p.is_callable() => {
                let callable = p.clone().unbind();
                let raised = raised.clone();
                Some(Password::Callback(Arc::new(move || {
                    Python::attach(|py| {
                        let result = callable.call0(py).and_then(|r| {
                            password_bytes(r.bind(py))?.ok_or_else(|| {
                                PyTypeError::new_err("password callback must return a string")
                            })
                        });
                        result.map_err(|e| {
                            *raised.lock().expect("not poisoned") = Some(e);
                            ssl::Error::value("the password callback raised")
                        })
                    })
                })))
            }
            Some(p) => match password_bytes(p)? {
                Some(bytes) => Some(Password::Bytes(bytes)),
                None => {
                    return Err(PyTypeError::new_err(
                        "password should be a string or callable",
                    ))
                }
            },
        };
        let result = self
            .ctx
            .load_cert_chain(&certfile, keyfile.as_deref(), password);
        if let Some(e) = raised.lock().expect("not poisoned").take() {
            return Err(e);
        }
        self.check(py, result)
    }

    #[pyo3(signature = (cafile = None, capath = None, cadata = None))]
    fn load_verify_locations(
        &self,
        py: Python<'_>,
        cafile: Option<&Bound<'_, PyAny>>,
        capath: Option<&Bound<'_, PyAny>>,
        cadata: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let cafile = cafile.filter(|c| !c.is_none());
        let capath = capath.filter(|c| !c.is_none());
        let cadata = cadata.filter(|c| !c.is_none());
        if cafile.is_none() && capath.is_none() && cadata.is_none() {
            return Err(PyTypeError::new_err(
                "cafile, capath and cadata cannot be all omitted",
            ));
        }
        let cafile = cafile
            .map(|c| fs_path(py, c, "cafile should be a valid filesystem path"))
            .transpose()?;
        let capath = capath
            .map(|c| fs_path(py, c, "capath should be a valid filesystem path"))
            .transpose()?;
        let cadata = match cadata {
            None => None,
            Some(d) => {
                if let Ok(s) = d.cast::<PyString>() {
                    let text = s.to_str()?;
                    if !text.is_ascii() {
                        // As str.encode('ascii') fails in CPython.
                        s.call_method1("encode", ("ascii",))?;
                    }
                    Some(CaData::Pem(text.to_owned()))
                } else if let Ok(buf) = PyBuffer::<u8>::get(d) {
                    if buf.dimensions() > 1 {
                        return Err(PyTypeError::new_err(
                            "cadata should be a contiguous buffer with a single dimension",
                        ));
                    }
                    Some(CaData::Der(buf.to_vec(py)?))
                } else {
                    return Err(PyTypeError::new_err(
                        "cadata should be an ASCII string or a bytes-like object",
                    ));
                }
            }
        };
        if let Some(CaData::Der(d)) = &cadata {
            if d.is_empty() {
                return Err(PyValueError::new_err("Empty certificate data"));
            }
        }
        self.check(
            py,
            self.ctx
                .load_verify_locations(cafile.as_deref(), capath.as_deref(), cadata),
        )
    }

    fn load_dh_params(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<()> {
        let path = fs_path(py, path, "path should be a valid filesystem path")?;
        self.check(py, self.ctx.load_dh_params(&path))
    }

    fn set_ecdh_curve(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyResult<()> {
        let name = fs_path(py, name, "name should be str or bytes")?;
        self.check(py, self.ctx.set_ecdh_curve(&name.to_string_lossy()))
    }

    fn set_default_verify_paths(&self, py: Python<'_>) -> PyResult<()> {
        self.check(py, self.ctx.set_default_verify_paths())
    }

    fn session_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.ctx.session_stats().py(py)?;
        let d = PyDict::new(py);
        for (k, v) in [
            ("number", s.number),
            ("connect", s.connect),
            ("connect_good", s.connect_good),
            ("connect_renegotiate", s.connect_renegotiate),
            ("accept", s.accept),
            ("accept_good", s.accept_good),
            ("accept_renegotiate", s.accept_renegotiate),
            ("hits", s.hits),
            ("misses", s.misses),
            ("timeouts", s.timeouts),
            ("cache_full", s.cache_full),
        ] {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    fn cert_store_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.ctx.cert_store_stats().py(py)?;
        let d = PyDict::new(py);
        d.set_item("x509", s.x509)?;
        d.set_item("crl", s.crl)?;
        d.set_item("x509_ca", s.x509_ca)?;
        Ok(d)
    }

    #[pyo3(signature = (binary_form = false))]
    fn get_ca_certs<'py>(
        &self,
        py: Python<'py>,
        binary_form: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        if binary_form {
            for der in self.ctx.get_ca_certs_der().py(py)? {
                list.append(PyBytes::new(py, &der))?;
            }
        } else {
            for rec in self.ctx.get_ca_certs().py(py)? {
                list.append(crate::cert::record_to_py(py, &rec)?)?;
            }
        }
        Ok(list)
    }

    #[pyo3(signature = (sock, server_side, server_hostname = None, *, owner = None, session = None))]
    fn _wrap_socket(
        slf: &Bound<'_, Self>,
        sock: &Bound<'_, PyAny>,
        server_side: bool,
        server_hostname: Option<&Bound<'_, PyAny>>,
        owner: Option<&Bound<'_, PyAny>>,
        session: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<socket::PySslSocket>> {
        socket::wrap_socket(slf, sock, server_side, server_hostname, owner, session)
    }

    #[pyo3(signature = (incoming, outgoing, server_side, server_hostname = None, *, owner = None, session = None))]
    fn _wrap_bio(
        slf: &Bound<'_, Self>,
        incoming: &Bound<'_, crate::bio::PyMemoryBio>,
        outgoing: &Bound<'_, crate::bio::PyMemoryBio>,
        server_side: bool,
        server_hostname: Option<&Bound<'_, PyAny>>,
        owner: Option<&Bound<'_, PyAny>>,
        session: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<socket::PySslSocket>> {
        socket::wrap_bio(
            slf,
            incoming,
            outgoing,
            server_side,
            server_hostname,
            owner,
            session,
        )
    }
}

impl PyContext {
    /// A `minimum_version` / `maximum_version` value, with CPython's checks
    /// and deprecation warnings.
    fn version_arg(&self, py: Python<'_>, value: i64) -> PyResult<TlsVersion> {
        let v = TlsVersion::from_value(value).ok_or_else(|| {
            PyValueError::new_err(format!("Unsupported TLS/SSL version 0x{value:x}"))
        })?;
        if !matches!(
            self.ctx.protocol(),
            Protocol::TLS | Protocol::TLS_CLIENT | Protocol::TLS_SERVER
        ) {
            return Err(PyValueError::new_err(
                "The context's protocol doesn't support modification of highest and lowest version.",
            ));
        }
        match v {
            TlsVersion::SSLv3 => deprecated(py, "ssl.TLSVersion.SSLv3 is deprecated")?,
            TlsVersion::TLSv1 => deprecated(py, "ssl.TLSVersion.TLSv1 is deprecated")?,
            TlsVersion::TLSv1_1 => deprecated(py, "ssl.TLSVersion.TLSv1_1 is deprecated")?,
            _ => {}
        }
        Ok(v)
    }
}

/// The servername callback: calls the context's Python `sni_callback` with
/// the connection's Python object, the SNI name as an A-label and the
/// context, as CPython's `_servername_callback` does; a context the
/// callback assigned (`sslobj.context = other`) is the one the connection
/// goes on with.
fn sni_call(
    weak: &Py<PyWeakrefReference>,
    req: &mut ServernameRequest<B>,
) -> ssl::Result<Option<AlertDescription>> {
    Python::attach(|py| {
        let Some(ctx_obj) = weak.bind(py).upgrade() else {
            return Ok(None);
        };
        let Ok(pyctx) = ctx_obj.cast::<PyContext>() else {
            return Ok(None);
        };
        let Some(cb) = pyctx
            .get()
            .sni_callback
            .lock()
            .expect("not poisoned")
            .as_ref()
            .map(|c| c.clone_ref(py))
        else {
            return Ok(None);
        };
        let Some(conn) = socket::callback_target(py) else {
            return Ok(Some(AlertDescription::ALERT_DESCRIPTION_INTERNAL_ERROR));
        };
        let name: Py<PyAny> = match &req.server_name {
            None => py.None(),
            Some(n) => {
                // Back to the A-label CPython passes (bpo-28414).
                let encoded = PyString::new(py, n)
                    .call_method1("encode", ("idna",))
                    .and_then(|b| b.call_method1("decode", ("ascii",)));
                match encoded {
                    Ok(s) => s.unbind(),
                    Err(e) => {
                        e.write_unraisable(py, Some(&ctx_obj));
                        return Ok(Some(AlertDescription::ALERT_DESCRIPTION_INTERNAL_ERROR));
                    }
                }
            }
        };
        let result = socket::with_context_swap(py, || cb.call1(py, (conn, name, &ctx_obj)));
        let (result, swapped) = result;
        if let Some(new_ctx) = swapped {
            req.context = new_ctx.get().ctx.clone();
        }
        match result {
            Err(e) => {
                e.write_unraisable(py, Some(cb.bind(py)));
                Ok(Some(AlertDescription::ALERT_DESCRIPTION_HANDSHAKE_FAILURE))
            }
            Ok(r) if r.is_none(py) => Ok(None),
            Ok(r) => match r.extract::<i64>(py) {
                Ok(code) => Ok(Some(
                    AlertDescription::from_value(code)
                        .unwrap_or(AlertDescription::ALERT_DESCRIPTION_INTERNAL_ERROR),
                )),
                Err(e) => {
                    e.write_unraisable(py, Some(r.bind(py)));
                    Ok(Some(AlertDescription::ALERT_DESCRIPTION_INTERNAL_ERROR))
                }
            },
        }
    })
}

/// The message callback: calls the context's Python `_msg_callback` with
/// the connection's Python object, as CPython's `_PySSL_msg_callback` does;
/// an exception it raises is raised by the call that read or wrote the
/// message.
fn msg_call(weak: &Py<PyWeakrefReference>, m: &ssl::TlsMessage<'_>) {
    Python::attach(|py| {
        let Some(ctx_obj) = weak.bind(py).upgrade() else {
            return;
        };
        let Ok(pyctx) = ctx_obj.cast::<PyContext>() else {
            return;
        };
        let Some(cb) = pyctx
            .get()
            .msg_callback
            .lock()
            .expect("not poisoned")
            .as_ref()
            .map(|c| c.clone_ref(py))
        else {
            return;
        };
        let conn = socket::callback_target(py).unwrap_or_else(|| py.None());
        let direction = if m.outgoing { "write" } else { "read" };
        let args = (
            conn,
            direction,
            m.version,
            m.content_type,
            m.msg_type,
            PyBytes::new(py, m.data),
        );
        if let Err(e) = cb.call1(py, args) {
            socket::keep_callback_error(py, e);
        }
    })
}
