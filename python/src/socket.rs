//! `_ssl._SSLSocket`: one TLS connection, over a Python socket's descriptor
//! (`_wrap_socket`, for `ssl.SSLSocket`) or over two `MemoryBIO`s
//! (`_wrap_bio`, for `ssl.SSLObject`).
//!
//! Every library call runs with the GIL released, and the connection's lock
//! is only ever taken with the GIL released, so a thread waiting for the
//! lock never holds the GIL that the lock's holder may need (for a Python
//! callback). Callbacks (SNI) run on the thread of the call that triggers
//! them, inside that call: a thread-local stack names the connection being
//! driven, so the callback finds its Python object and `sslobj.context =`
//! inside the callback swaps the context without the lock.

use std::cell::RefCell;
#[cfg(unix)]
use std::os::fd::{AsFd, BorrowedFd, RawFd};
use std::sync::Mutex;
use std::time::Duration;

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyWeakrefReference};

use ssl::{Backend, Object, SslStream, WrapOptions};
#[cfg(unix)]
use ssl::{BorrowedSocket, ContextExt, SocketOptions};

use crate::bio::PyMemoryBio;
use crate::context::PyContext;
use crate::errors::{classes, IntoPy};
use crate::session::PySession;
use crate::B;

type Obj = <B as Backend>::Object;
#[cfg(unix)]
type Stream = SslStream<B, BorrowedSocket<PyFd>>;
#[cfg(not(unix))]
type Stream = SslStream<B, NoSocket>;

/// Windows: a Python socket is a SOCKET, and the transport seam lends only
/// Unix descriptors (it waits with poll(2)): `_wrap_socket` is
/// NotImplementedError there, and `ssl.SSLObject` over MemoryBIOs works.
#[cfg(not(unix))]
#[derive(Debug)]
pub(crate) enum NoSocket {}

#[cfg(not(unix))]
impl ssl::Endpoint for NoSocket {
    fn recv(&self, _buf: &mut [u8], _wait: ssl::transport::Wait) -> std::io::Result<usize> {
        match *self {}
    }

    fn send(
        &self,
        _bufs: &[std::io::IoSlice<'_>],
        _wait: ssl::transport::Wait,
    ) -> std::io::Result<usize> {
        match *self {}
    }
}

/// A Python socket's descriptor, lent for the life of the connection. The
/// Python socket is checked (`fileno() != -1`) before each call, as
/// CPython's `_ssl` checks `sock_fd`.
#[cfg(unix)]
#[derive(Debug)]
pub(crate) struct PyFd(RawFd);

#[cfg(unix)]
impl AsFd for PyFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: the descriptor belongs to the Python socket, which each
        // call checks is still open before the connection touches it.
        #[allow(unsafe_code)]
        unsafe {
            BorrowedFd::borrow_raw(self.0)
        }
    }
}

enum Conn {
    Bio(Obj),
    #[cfg_attr(not(unix), allow(dead_code))]
    Socket(Box<Stream>),
}

/// `_SSLSocket`.
#[pyclass(module = "_ssl", name = "_SSLSocket", weakref, frozen, immutable_type)]
pub(crate) struct PySslSocket {
    conn: Mutex<Conn>,
    context: Mutex<Py<PyContext>>,
    /// The Python socket (`_wrap_socket`), weakly, as CPython keeps it.
    sock: Option<Py<PyWeakrefReference>>,
    owner: Mutex<Option<Py<PyWeakrefReference>>>,
    server_side: bool,
    server_hostname: Option<String>,
}

struct Current {
    sock: Py<PySslSocket>,
    in_callback: bool,
    swap: Option<Py<PyContext>>,
}

thread_local! {
    /// The connections this thread is driving, innermost last.
    static CURRENT: RefCell<Vec<Current>> = const { RefCell::new(Vec::new()) };
    /// An exception a callback raised during the current call (CPython's
    /// `sslsock->exc`), raised when the call returns.
    static CALLBACK_ERROR: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// Keeps an exception a callback raised, for the call that ran it; a later
/// one is chained to the first (CPython's `PySSL_ChainExceptions`).
pub(crate) fn keep_callback_error(py: Python<'_>, err: PyErr) {
    CALLBACK_ERROR.with(|slot| {
        let mut slot = slot.borrow_mut();
        match slot.take() {
            None => *slot = Some(err),
            Some(first) => {
                err.set_context(py, Some(first));
                *slot = Some(err);
            }
        }
    });
}

/// The object a callback receives for the connection being driven: its
/// `owner` (the `SSLObject` / `SSLSocket`), else its Python socket, else the
/// `_SSLSocket` itself (CPython's order).
pub(crate) fn callback_target(py: Python<'_>) -> Option<Py<PyAny>> {
    let sock = CURRENT.with(|c| c.borrow().last().map(|cur| cur.sock.clone_ref(py)))?;
    let this = sock.bind(py).get();
    if let Some(owner) = this.owner.lock().expect("not poisoned").as_ref() {
        return owner.bind(py).upgrade().map(Bound::unbind);
    }
    if let Some(s) = &this.sock {
        return s.bind(py).upgrade().map(Bound::unbind);
    }
    Some(sock.into_any())
}

/// Runs a callback with the innermost connection marked as inside it;
/// returns the callback's result and the context it assigned, if any.
pub(crate) fn with_context_swap<R>(
    _py: Python<'_>,
    f: impl FnOnce() -> R,
) -> (R, Option<Bound<'_, PyContext>>) {
    CURRENT.with(|c| {
        if let Some(cur) = c.borrow_mut().last_mut() {
            cur.in_callback = true;
        }
    });
    let r = f();
    let swap = CURRENT.with(|c| {
        c.borrow_mut().last_mut().and_then(|cur| {
            cur.in_callback = false;
            cur.swap.take()
        })
    });
    (r, swap.map(|s| s.into_bound(_py)))
}

fn ssl_error(py: Python<'_>, msg: &str) -> PyErr {
    match classes(py).ssl_error.bind(py).call1((msg,)) {
        Ok(e) => PyErr::from_value(e),
        Err(e) => e,
    }
}

fn timeout_of(py: Python<'_>, sock: &Bound<'_, PyAny>) -> PyResult<Option<Duration>> {
    let t = sock.call_method0("gettimeout")?;
    if t.is_none() {
        return Ok(None);
    }
    let secs: f64 = t.extract()?;
    let _ = py;
    Ok(Some(Duration::from_secs_f64(secs.max(0.0))))
}

fn session_arg(
    py: Python<'_>,
    session: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<<B as Backend>::Session>> {
    match session.filter(|s| !s.is_none()) {
        None => Ok(None),
        Some(s) => {
            let s = s
                .cast::<PySession>()
                .map_err(|_| PyTypeError::new_err("Value is not a SSLSession."))?;
            let _ = py;
            Ok(Some(s.get().session.clone()))
        }
    }
}

fn hostname_arg(host: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
    match host.filter(|h| !h.is_none()) {
        None => Ok(None),
        Some(h) => {
            // CPython parses it with "es", "ascii".
            let s: String = if let Ok(b) = h.extract::<Vec<u8>>() {
                String::from_utf8(b)
                    .map_err(|_| PyValueError::new_err("server_hostname is not ASCII"))?
            } else {
                h.extract::<String>()?
            };
            if !s.is_ascii() {
                h.call_method1("encode", ("ascii",))?;
            }
            if s.contains('\0') {
                return Err(PyTypeError::new_err(
                    "argument must be encoded string without null bytes",
                ));
            }
            Ok(Some(s))
        }
    }
}

fn weak_owner(owner: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Py<PyWeakrefReference>>> {
    match owner.filter(|o| !o.is_none()) {
        None => Ok(None),
        Some(o) => Ok(Some(PyWeakrefReference::new(o)?.unbind())),
    }
}

/// The arguments `_wrap_socket` and `_wrap_bio` share, checked as CPython
/// checks them.
struct WrapArgs {
    server_side: bool,
    server_hostname: Option<String>,
    owner: Option<Py<PyWeakrefReference>>,
    session: Option<<B as Backend>::Session>,
}

impl WrapArgs {
    fn parse(
        py: Python<'_>,
        server_side: bool,
        server_hostname: Option<&Bound<'_, PyAny>>,
        owner: Option<&Bound<'_, PyAny>>,
        session: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        Ok(WrapArgs {
            server_side,
            server_hostname: hostname_arg(server_hostname)?,
            owner: weak_owner(owner)?,
            session: session_arg(py, session)?,
        })
    }

    /// The `_SSLSocket` over `conn`; `sock` is the Python socket, if any.
    fn into_socket(
        self,
        ctx: &Bound<'_, PyContext>,
        conn: Conn,
        sock: Option<Py<PyWeakrefReference>>,
    ) -> PyResult<Py<PySslSocket>> {
        let this = PySslSocket {
            conn: Mutex::new(conn),
            context: Mutex::new(ctx.clone().unbind()),
            sock,
            owner: Mutex::new(self.owner),
            server_side: self.server_side,
            server_hostname: self.server_hostname,
        };
        Py::new(ctx.py(), this)
    }
}

pub(crate) fn wrap_socket(
    ctx: &Bound<'_, PyContext>,
    sock: &Bound<'_, PyAny>,
    server_side: bool,
    server_hostname: Option<&Bound<'_, PyAny>>,
    owner: Option<&Bound<'_, PyAny>>,
    session: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PySslSocket>> {
    let args = WrapArgs::parse(ctx.py(), server_side, server_hostname, owner, session)?;
    #[cfg(not(unix))]
    {
        let _ = (ctx, sock, args);
        Err(pyo3::exceptions::PyNotImplementedError::new_err(format!(
            "_wrap_socket over a Windows SOCKET is not supported by the {} build (use SSLObject with MemoryBIOs)",
            B::name()
        )))
    }
    #[cfg(unix)]
    wrap_unix_socket(ctx, sock, args)
}

#[cfg(unix)]
fn wrap_unix_socket(
    ctx: &Bound<'_, PyContext>,
    sock: &Bound<'_, PyAny>,
    mut args: WrapArgs,
) -> PyResult<Py<PySslSocket>> {
    let py = ctx.py();
    let fd: RawFd = sock.call_method0("fileno")?.extract()?;
    let mut opts = if args.server_side {
        SocketOptions::<B>::server()
    } else {
        match &args.server_hostname {
            Some(h) => SocketOptions::<B>::client(h.clone()),
            None => {
                let mut o = SocketOptions::<B>::server();
                o.server_side = false;
                o
            }
        }
    };
    opts = opts
        .do_handshake_on_connect(false)
        .suppress_ragged_eofs(false);
    if let Some(s) = args.session.take() {
        opts = opts.session(s);
    }
    let stream = ctx
        .get()
        .ctx
        .wrap_stream(BorrowedSocket::new(PyFd(fd)), opts)
        .py(py)?;
    let sock = Some(PyWeakrefReference::new(sock)?.unbind());
    args.into_socket(ctx, Conn::Socket(Box::new(stream)), sock)
}

pub(crate) fn wrap_bio(
    ctx: &Bound<'_, PyContext>,
    incoming: &Bound<'_, PyMemoryBio>,
    outgoing: &Bound<'_, PyMemoryBio>,
    server_side: bool,
    server_hostname: Option<&Bound<'_, PyAny>>,
    owner: Option<&Bound<'_, PyAny>>,
    session: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PySslSocket>> {
    let py = ctx.py();
    let mut args = WrapArgs::parse(py, server_side, server_hostname, owner, session)?;
    let opts = WrapOptions::<B> {
        server_side,
        server_hostname: args.server_hostname.clone(),
        session: args.session.take(),
    };
    let obj = ssl::Context::wrap_bio(
        &ctx.get().ctx,
        incoming.get().bio.clone(),
        outgoing.get().bio.clone(),
        opts,
    )
    .py(py)?;
    args.into_socket(ctx, Conn::Bio(obj), None)
}

/// What a driving call needs from the Python socket, read with the GIL
/// (CPython re-reads the socket's timeout on every call).
struct SockState {
    timeout: Option<Duration>,
}

impl PySslSocket {
    /// Whether this thread is inside a callback of a call on this connection
    /// (its lock is held by that call: taking it again would deadlock).
    fn in_own_callback(slf: &Bound<'_, Self>) -> bool {
        let ptr = slf.as_ptr();
        CURRENT.with(|c| c.borrow().iter().any(|cur| cur.sock.as_ptr() == ptr))
    }

    fn sock_state(&self, py: Python<'_>) -> PyResult<Option<SockState>> {
        let Some(weak) = &self.sock else {
            return Ok(None);
        };
        let Some(sock) = weak.bind(py).upgrade() else {
            return Err(ssl_error(py, "Underlying socket connection gone"));
        };
        let fd: i64 = sock.call_method0("fileno")?.extract()?;
        if fd < 0 {
            return Err(ssl_error(py, "Underlying socket has been closed."));
        }
        Ok(Some(SockState {
            timeout: timeout_of(py, &sock)?,
        }))
    }

    /// Runs `f` on the connection, the GIL released, this connection named
    /// as the one driven (for callbacks).
    fn drive<R: Send>(
        slf: &Bound<'_, Self>,
        f: impl FnOnce(&mut Conn) -> ssl::Result<R> + Send,
    ) -> PyResult<R> {
        let py = slf.py();
        if Self::in_own_callback(slf) {
            return Err(PyRuntimeError::new_err(
                "this connection is in the middle of a call that is running a callback",
            ));
        }
        let this = slf.get();
        let state = this.sock_state(py)?;
        CURRENT.with(|c| {
            c.borrow_mut().push(Current {
                sock: slf.clone().unbind(),
                in_callback: false,
                swap: None,
            })
        });
        let result = py.detach(|| {
            let mut conn = this.conn.lock().expect("not poisoned");
            if let (Some(state), Conn::Socket(stream)) = (&state, &mut *conn) {
                stream.settimeout(state.timeout)?;
            }
            f(&mut conn)
        });
        let cur = CURRENT.with(|c| c.borrow_mut().pop());
        // A context the SNI callback assigned during the call.
        if let Some(Current {
            swap: Some(ctx), ..
        }) = cur
        {
            *this.context.lock().expect("not poisoned") = ctx;
        }
        // An exception of a callback is what the call raises, with the
        // call's own error (if any) as its context.
        if let Some(err) = CALLBACK_ERROR.with(|slot| slot.borrow_mut().take()) {
            if let Err(own) = result {
                err.set_context(py, Some(crate::errors::to_py(py, own)));
            }
            return Err(err);
        }
        result.py(py)
    }

    /// Reads connection state (no I/O), with the GIL released.
    fn query<R: Send>(slf: &Bound<'_, Self>, f: impl FnOnce(&Conn) -> R + Send) -> PyResult<R> {
        if Self::in_own_callback(slf) {
            return Err(PyRuntimeError::new_err(
                "this connection is in the middle of a call that is running a callback",
            ));
        }
        let this = slf.get();
        // Uncontended, answer with the GIL held, as CPython does for these
        // calls (releasing it lets other threads run in between, which moves
        // the timing of everything the caller does next); otherwise wait for
        // the lock with the GIL released.
        if let Ok(conn) = this.conn.try_lock() {
            return Ok(f(&conn));
        }
        Ok(slf
            .py()
            .detach(|| f(&this.conn.lock().expect("not poisoned"))))
    }
}

impl Conn {
    /// The Object (`None` once a socket is unwrapped).
    fn object(&self) -> Option<&Obj> {
        match self {
            Conn::Bio(o) => Some(o),
            Conn::Socket(s) => s.object(),
        }
    }
}

macro_rules! on_conn {
    ($conn:expr, $c:ident => $e:expr) => {
        match $conn {
            Conn::Bio($c) => $e,
            Conn::Socket($c) => $e,
        }
    };
}

#[pymethods]
impl PySslSocket {
    fn do_handshake(slf: &Bound<'_, Self>) -> PyResult<()> {
        Self::drive(slf, |c| match c {
            Conn::Bio(o) => o.do_handshake(),
            Conn::Socket(s) => s.do_handshake(),
        })
    }

    /// `read(len=1024, buffer=None)`: bytes, or the count read into `buffer`.
    #[pyo3(signature = (len = 1024, buffer = None))]
    fn read(
        slf: &Bound<'_, Self>,
        len: isize,
        buffer: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let buffer = buffer.filter(|b| !b.is_none());
        // Any writable buffer, by its size in bytes (CPython takes `w*`).
        let view = buffer
            .map(|b| -> PyResult<Bound<'_, PyAny>> {
                let view = py.import("builtins")?.getattr("memoryview")?.call1((b,))?;
                view.call_method1("cast", ("B",))
            })
            .transpose()?;
        let buffer_len = view.as_ref().map(|v| v.len()).transpose()?;
        if len < 0 && buffer.is_none() {
            return Err(PyValueError::new_err("size should not be negative"));
        }
        let want = match buffer_len {
            Some(blen) if len <= 0 || len as usize > blen => blen,
            _ => len.max(0) as usize,
        };
        if want == 0 {
            return Ok(match buffer {
                Some(_) => 0usize.into_pyobject(py)?.into_any().unbind(),
                None => PyBytes::new(py, b"").into_any().unbind(),
            });
        }
        let data = Self::drive(slf, move |c| {
            let mut buf = vec![0u8; want];
            let n = match c {
                Conn::Bio(o) => match o.read(&mut buf) {
                    Ok(n) => n,
                    // CPython returns b"" when the peer closed cleanly.
                    Err(e) if e.ssl_kind_of() == Some(ssl::SslErrorKind::ZeroReturn) => 0,
                    Err(e) => return Err(e),
                },
                Conn::Socket(s) => s.read_into(&mut buf)?,
            };
            buf.truncate(n);
            Ok(buf)
        })?;
        match buffer {
            Some(_) => {
                // memoryview(buffer)[:n] = data: Python checks the buffer is writable.
                let view = view.expect("made with the buffer");
                let n = data.len();
                view.set_item(
                    pyo3::types::PySlice::new(py, 0, n as isize, 1),
                    PyBytes::new(py, &data),
                )?;
                Ok(n.into_pyobject(py)?.into_any().unbind())
            }
            None => Ok(PyBytes::new(py, &data).into_any().unbind()),
        }
    }

    fn write(slf: &Bound<'_, Self>, b: &Bound<'_, PyAny>) -> PyResult<usize> {
        let data = crate::bio::contiguous_bytes(b)?;
        Self::drive(slf, move |c| match c {
            Conn::Bio(o) => o.write(&data),
            Conn::Socket(s) => s.write_bytes(&data),
        })
    }

    fn pending(slf: &Bound<'_, Self>) -> PyResult<usize> {
        Self::query(slf, |c| on_conn!(c, o => o.pending()))
    }

    /// `shutdown()`: sends close_notify and waits for the peer's; returns
    /// the Python socket (None over MemoryBIOs).
    fn shutdown(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        Self::drive(slf, |c| match c {
            Conn::Bio(o) => o.unwrap(),
            Conn::Socket(s) => s.unwrap().map(|_| ()),
        })?;
        Ok(match &slf.get().sock {
            Some(w) => w
                .bind(py)
                .upgrade()
                .map(Bound::unbind)
                .unwrap_or_else(|| py.None()),
            None => py.None(),
        })
    }

    #[pyo3(signature = (binary_form = false))]
    fn getpeercert(slf: &Bound<'_, Self>, binary_form: bool) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if binary_form {
            let der = Self::query(slf, |c| on_conn!(c, o => o.getpeercert_der()))?.py(py)?;
            return Ok(match der {
                Some(d) => PyBytes::new(py, &d).into_any().unbind(),
                None => py.None(),
            });
        }
        let rec = Self::query(slf, |c| on_conn!(c, o => o.getpeercert()))?.py(py)?;
        Ok(match rec {
            Some(r) => crate::cert::record_to_py(py, &r)?.into_any().unbind(),
            None => py.None(),
        })
    }

    fn cipher(slf: &Bound<'_, Self>) -> PyResult<Option<(String, String, u32)>> {
        let c = Self::query(slf, |c| on_conn!(c, o => o.cipher()))?;
        Ok(c.map(|t| (t.name, t.protocol, t.bits)))
    }

    fn shared_ciphers(slf: &Bound<'_, Self>) -> PyResult<Option<Vec<(String, String, u32)>>> {
        let c = Self::query(slf, |c| on_conn!(c, o => o.shared_ciphers()))?;
        Ok(c.map(|v| {
            v.into_iter()
                .map(|t| (t.name, t.protocol, t.bits))
                .collect()
        }))
    }

    fn compression(slf: &Bound<'_, Self>) -> PyResult<Option<String>> {
        Self::query(slf, |c| on_conn!(c, o => o.compression()))
    }

    fn version(slf: &Bound<'_, Self>) -> PyResult<Option<&'static str>> {
        Self::query(slf, |c| on_conn!(c, o => o.version()))
    }

    fn selected_alpn_protocol(slf: &Bound<'_, Self>) -> PyResult<Option<String>> {
        Self::query(slf, |c| on_conn!(c, o => o.selected_alpn_protocol()))
    }

    #[pyo3(signature = (cb_type = "tls-unique"))]
    fn get_channel_binding(slf: &Bound<'_, Self>, cb_type: &str) -> PyResult<Option<Py<PyBytes>>> {
        let py = slf.py();
        let cb_type = cb_type.to_owned();
        let r = Self::query(
            slf,
            move |c| on_conn!(c, o => o.get_channel_binding(&cb_type)),
        )?
        .py(py)?;
        Ok(r.map(|b| PyBytes::new(py, &b).unbind()))
    }

    fn verify_client_post_handshake(slf: &Bound<'_, Self>) -> PyResult<()> {
        Self::drive(slf, |c| on_conn!(c, o => o.verify_client_post_handshake()))
    }

    /// `get_verified_chain()`: the chain verification built, as `Certificate`s.
    fn get_verified_chain(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let chain = Self::query(slf, |c| c.object().map(|o| o.verified_chain_der()))?;
        crate::cert::chain_to_py(py, chain.transpose().py(py)?.flatten())
    }

    /// `get_unverified_chain()`: the peer's certificates as it sent them.
    fn get_unverified_chain(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let chain = Self::query(slf, |c| c.object().map(|o| o.unverified_chain_der()))?;
        crate::cert::chain_to_py(py, chain.transpose().py(py)?.flatten())
    }

    #[getter]
    fn server_side(&self) -> bool {
        self.server_side
    }

    #[getter]
    fn server_hostname(&self) -> Option<String> {
        self.server_hostname.clone()
    }

    #[getter]
    fn owner(&self, py: Python<'_>) -> Py<PyAny> {
        match self.owner.lock().expect("not poisoned").as_ref() {
            Some(w) => w
                .bind(py)
                .upgrade()
                .map(Bound::unbind)
                .unwrap_or_else(|| py.None()),
            None => py.None(),
        }
    }

    #[setter]
    fn set_owner(&self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        *self.owner.lock().expect("not poisoned") = weak_owner(value)?;
        Ok(())
    }

    #[getter]
    fn context(&self, py: Python<'_>) -> Py<PyContext> {
        self.context.lock().expect("not poisoned").clone_ref(py)
    }

    #[setter]
    fn set_context(slf: &Bound<'_, Self>, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let py = slf.py();
        let Some(value) = value else {
            return Err(pyo3::exceptions::PyAttributeError::new_err(
                "cannot delete attribute",
            ));
        };
        let new = value
            .cast::<PyContext>()
            .map_err(|_| PyTypeError::new_err("The value must be a SSLContext"))?
            .clone();
        // Inside the SNI callback of a call on this connection: the call
        // applies it when the callback returns.
        let ptr = slf.as_ptr();
        let in_callback = CURRENT.with(|c| {
            let mut c = c.borrow_mut();
            match c.iter_mut().rev().find(|cur| cur.sock.as_ptr() == ptr) {
                Some(cur) if cur.in_callback => {
                    cur.swap = Some(new.clone().unbind());
                    true
                }
                _ => false,
            }
        });
        if !in_callback {
            let ctx = new.get().ctx.clone();
            Self::drive(slf, move |c| on_conn!(c, o => o.set_context(ctx)))?;
        }
        *slf.get().context.lock().expect("not poisoned") = new.unbind();
        let _ = py;
        Ok(())
    }

    #[getter]
    fn session(slf: &Bound<'_, Self>) -> PyResult<Option<Py<PySession>>> {
        let py = slf.py();
        let s = Self::query(slf, |c| on_conn!(c, o => o.session()))?;
        s.map(|session| Py::new(py, PySession { session }))
            .transpose()
    }

    #[setter]
    fn set_session(slf: &Bound<'_, Self>, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let py = slf.py();
        let Some(s) = session_arg(py, value)? else {
            return Err(PyTypeError::new_err("Value is not a SSLSession."));
        };
        if slf.get().server_side {
            return Err(PyValueError::new_err(
                "Cannot set session for server-side SSLSocket.",
            ));
        }
        Self::drive(slf, move |c| on_conn!(c, o => o.set_session(s)))
    }

    #[getter]
    fn session_reused(slf: &Bound<'_, Self>) -> PyResult<bool> {
        Self::query(slf, |c| on_conn!(c, o => o.session_reused()))
    }
}
