//! Python's `SSLSocket` semantics over any transport (reference rows S1-S16),
//! written once for every backend and every endpoint (DESIGN §3):
//! [`SslStream`] drives a backend's [`Object`] over a [`Link`].
//!
//! - blocking, non-blocking (`setblocking(false)`: [`SslErrorKind::WantRead`] /
//!   [`SslErrorKind::WantWrite`], never a bare `WouldBlock`) and timeouts
//!   (`settimeout`: the timeout bounds the *whole* call, as in CPython 3.5+);
//! - `do_handshake_on_connect`, `suppress_ragged_eofs`, `unwrap` (close_notify
//!   both ways, then plain text on the same stream: the Link never reads past
//!   the peer's close_notify), `sendfile`, `makefile`;
//! - Rust's `io::Read` / `io::Write` by method syntax (`stream.read(&mut buf)`,
//!   `stream.write_all(..)`): Python's `read(len)` and `write(data)` are
//!   [`SslStream::read_bytes`] and [`SslStream::write_bytes`].
//!
//! Made by [`crate::ContextExt::wrap_stream`] over any [`Endpoint`]: an owned socket
//! ([`crate::socket::SslSocket`] is that case, with the socket's own methods),
//! a borrowed descriptor ([`crate::transport::BorrowedSocket`]), or any
//! `Read + Write` stream ([`crate::transport::IoStream`]).
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use ssl_api::{Backend, ContextExt, SocketOptions};
//! use ssl_api::transport::IoStream;
//!
//! fn get<B: Backend>(ctx: &B::Context) -> ssl_api::Result<Vec<u8>> {
//!     let tcp = std::net::TcpStream::connect("127.0.0.1:8443")?;
//!     let mut tls = ctx.wrap_stream(IoStream::new(tcp), SocketOptions::client("localhost"))?;
//!     tls.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
//!     let mut body = Vec::new();
//!     tls.read_to_end(&mut body)?;
//!     Ok(body)
//! }
//! ```

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::backend::WrapOptions;
use crate::backend::{Backend, Context, Object};
use crate::cert::record::CertRecord;
use crate::error::{Error, Result, SslErrorKind};
use crate::transport::Direction;
use crate::transport::{Endpoint, Link, SharedTransport, Wait};
use crate::types::CipherTriple;

mod file;
mod options;

pub use file::SocketFile;
pub use options::SocketOptions;

/// Python's class name in `SSLSocket`'s error messages.
const CLASS: &str = "<class 'ssl.SSLSocket'>";

/// Plain text handed to the Object in one `write` call: one TLS record's worth.
const WRITE_CHUNK: usize = 16 * 1024;

/// Block size of [`SslStream::sendfile`] (the send() path, as CPython's
/// `_sendfile_use_send`, with one TLS record per block).
const SENDFILE_BLOCK: usize = 16 * 1024;

/// Which call a wait belongs to: it picks the timeout message (CPython's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Handshake,
    Read,
    Write,
    Shutdown,
    Plain,
}

/// CPython's `TimeoutError` texts. (CPython 3.11 prefixes the handshake one
/// with its C source location, `_ssl.c:989: `; that location is left out.)
pub(crate) fn timeout_error(op: Op, dir: Direction) -> Error {
    Error::Timeout(
        match (op, dir) {
            (Op::Handshake, _) => "The handshake operation timed out",
            (Op::Read, _) | (Op::Shutdown, Direction::In) => "The read operation timed out",
            (Op::Write, _) | (Op::Shutdown, Direction::Out) => "The write operation timed out",
            (Op::Plain, _) => "timed out",
        }
        .to_owned(),
    )
}

/// What an error of the stream means for call `op`: not now (WantRead /
/// WantWrite for TLS calls, `BlockingIOError` for plain ones), a timeout,
/// under a TLS read or write `SSLEOFError` (CPython 3.10+, see
/// [`Error::eof_from_io`]), else the OS error itself.
pub(crate) fn io_error(op: Op, dir: Direction, e: io::Error) -> Error {
    match e.kind() {
        io::ErrorKind::WouldBlock => match (op, dir) {
            (Op::Plain, _) => Error::Io(e),
            (_, Direction::In) => Error::want_read(),
            (_, Direction::Out) => Error::want_write(),
        },
        io::ErrorKind::TimedOut => timeout_error(op, dir),
        _ if matches!(op, Op::Read | Op::Write) && e.raw_os_error().is_some() => {
            Error::eof_from_io(e)
        }
        _ => Error::Io(e),
    }
}

/// `OSError(EBADF)`: the stream was closed or detached.
pub(crate) fn bad_fd() -> Error {
    #[cfg(unix)]
    {
        Error::Io(io::Error::from_raw_os_error(9))
    }
    #[cfg(not(unix))]
    {
        Error::Io(io::Error::new(
            io::ErrorKind::NotConnected,
            "Bad file descriptor",
        ))
    }
}

/// Python's `SSLSocket` (S1-S16) over any backend `B` and any [`Endpoint`]
/// `E`. See the module docs; [`crate::socket::SslSocket`] is
/// `SslStream<B, socket2::Socket>`.
pub struct SslStream<B: Backend, E: Endpoint> {
    pub(crate) link: Option<Arc<Link<E>>>,
    pub(crate) obj: Option<B::Object>,
    pub(crate) context: B::Context,
    pub(crate) server_side: bool,
    pub(crate) server_hostname: Option<String>,
    pub(crate) session: Option<B::Session>,
    pub(crate) do_handshake_on_connect: bool,
    pub(crate) suppress_ragged_eofs: bool,
    pub(crate) connected: bool,
    pub(crate) timeout: Option<Duration>,
    /// A non-blocking `write` whose records are not all sent yet: its length,
    /// returned once the retry has sent them (OpenSSL's SSL_write retry rule).
    write_retry: Option<usize>,
    /// Our close_notify is out (an `unwrap()` is in progress).
    shutdown_started: bool,
}

impl<B: Backend, E: Endpoint> std::fmt::Debug for SslStream<B, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.repr())
    }
}

/// `SSLContext.wrap_stream`: see [`crate::ContextExt::wrap_stream`].
pub(crate) fn wrap_stream<B: Backend, E: Endpoint>(
    context: &B::Context,
    endpoint: E,
    options: SocketOptions<B>,
) -> Result<SslStream<B, E>> {
    let mut stream = SslStream::unwrapped(context, endpoint, options)?;
    stream.connected = true;
    stream.start()?;
    Ok(stream)
}

impl<B: Backend, E: Endpoint> SslStream<B, E> {
    /// A stream not wrapped yet, after Python's argument checks.
    pub(crate) fn unwrapped(
        context: &B::Context,
        endpoint: E,
        options: SocketOptions<B>,
    ) -> Result<Self> {
        options.check(context)?;
        Ok(SslStream {
            link: Some(Arc::new(Link::new(endpoint))),
            obj: None,
            context: context.clone(),
            server_side: options.server_side,
            server_hostname: options.server_hostname,
            session: options.session,
            do_handshake_on_connect: options.do_handshake_on_connect,
            suppress_ragged_eofs: options.suppress_ragged_eofs,
            connected: false,
            timeout: None,
            write_retry: None,
            shutdown_started: false,
        })
    }

    /// Wraps the connected stream and, with `do_handshake_on_connect`,
    /// shakes hands.
    pub(crate) fn start(&mut self) -> Result<()> {
        self.obj = Some(self.new_object()?);
        if self.do_handshake_on_connect {
            if self.nonblocking() {
                return Err(Error::value(
                    "do_handshake_on_connect should not be specified for non-blocking sockets",
                ));
            }
            self.do_handshake()?;
        }
        Ok(())
    }

    pub(crate) fn new_object(&mut self) -> Result<B::Object> {
        let link = self.link()?.clone();
        // A new Object's first output is its handshake: it leaves whole.
        link.hold_output(true);
        self.write_retry = None;
        self.shutdown_started = false;
        let transport: SharedTransport = link;
        self.context.wrap_transport(
            transport,
            WrapOptions {
                server_side: self.server_side,
                server_hostname: self.server_hostname.clone(),
                session: self.session.clone(),
            },
        )
    }

    pub(crate) fn link(&self) -> Result<&Arc<Link<E>>> {
        self.link.as_ref().ok_or_else(bad_fd)
    }

    /// The endpoint (the socket or stream underneath).
    pub fn get_ref(&self) -> Result<&E> {
        Ok(self.link()?.endpoint())
    }

    pub(crate) fn nonblocking(&self) -> bool {
        self.timeout == Some(Duration::ZERO)
    }

    /// Starts a call: the Link waits as the timeout mode says, a timeout
    /// counting from now for the whole call.
    pub(crate) fn begin(&self) -> Result<&Arc<Link<E>>> {
        let link = self.link()?;
        link.set_wait(match self.timeout {
            None => Wait::Forever,
            Some(t) if t.is_zero() => Wait::Never,
            Some(t) => Wait::Until(Instant::now() + t),
        });
        Ok(link)
    }

    pub(crate) fn no_wrapper(&self) -> Error {
        Error::value(format!("No SSL wrapper around {}", self.repr()))
    }

    /// Python's `repr()`.
    pub fn repr(&self) -> String {
        match &self.link {
            Some(link) => format!("<ssl.SSLSocket {}>", link.endpoint().describe()),
            None => "<ssl.SSLSocket [closed] fd=-1, family=0, type=1, proto=0>".to_owned(),
        }
    }

    // ----- moving bytes -------------------------------------------------

    /// Sends what the Object queued. `strict`: every byte must leave
    /// (waiting as the mode allows, else WantWrite / timeout); otherwise
    /// what the endpoint takes now, the rest left for later.
    fn flush_output(&self, op: Op, strict: bool) -> Result<()> {
        let link = self.link()?;
        // A handshake flight leaves whole: the Object's output is held while
        // it shakes hands, and goes out here.
        link.hold_output(self.obj.as_ref().is_some_and(|o| !o.handshake_done()));
        if strict {
            link.flush().map_err(|e| io_error(op, Direction::Out, e))
        } else {
            link.flush_now();
            Ok(())
        }
    }

    /// Runs one Object operation to completion (or to WantRead / WantWrite on
    /// a non-blocking stream); the Link moves bytes as the Object asks.
    /// `strict_edges`: what the Object wrote must all leave before the
    /// call returns (else it leaves as the endpoint takes it: a read must not
    /// fail because earlier output cannot leave yet). The caller has begun
    /// the call ([`SslStream::begin`]).
    fn drive<T>(
        &mut self,
        op: Op,
        strict_edges: bool,
        mut step: impl FnMut(&mut B::Object) -> Result<T>,
    ) -> Result<T> {
        // A borrow of the field alone: the Object is borrowed beside it.
        let link = self.link.as_ref().ok_or_else(bad_fd)?;
        self.flush_output(op, strict_edges)?;
        loop {
            let received = link.received();
            // The error (which formats the stream's description) only when needed.
            let Some(obj) = self.obj.as_mut() else {
                return Err(self.no_wrapper());
            };
            match step(obj) {
                Ok(v) => {
                    self.flush_output(op, strict_edges)?;
                    return Ok(v);
                }
                Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantRead) => {
                    if let Some((dir, err)) = link.take_error() {
                        let _ = self.flush_output(op, false);
                        return Err(io_error(op, dir, err));
                    }
                    // What the peer waits for (a handshake flight, our
                    // close_notify) goes out before we report or wait.
                    // Application data of an unfinished non-blocking write
                    // does not hold up a read: it leaves with the write's
                    // retry, as in OpenSSL.
                    let handshaking = !self.obj.as_ref().is_some_and(Object::handshake_done);
                    self.flush_output(op, op != Op::Read || handshaking)?;
                    if link.received() == received {
                        // Nothing arrived: the Link could not wait (non-
                        // blocking) or the stream ended.
                        if link.eof_seen() && !self.nonblocking() {
                            return Err(Error::eof());
                        }
                        if let Some(obj) = self.obj.as_mut() {
                            obj.idle();
                        }
                        return Err(e);
                    }
                }
                Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantWrite) => {
                    if link.pending_output() == 0 {
                        return Err(e);
                    }
                    self.flush_output(op, true)?;
                }
                Err(e) => {
                    // Alerts the Object queued still go to the peer.
                    let _ = self.flush_output(op, false);
                    return Err(e);
                }
            }
        }
    }

    /// `OSError(ENOTCONN)` before the lazy client wrap has connected.
    pub(crate) fn check_connected(&self) -> Result<()> {
        if !self.connected {
            #[cfg(unix)]
            let e = io::Error::from(rustix::io::Errno::NOTCONN);
            #[cfg(not(unix))]
            let e = io::Error::from_raw_os_error(10057); // WSAENOTCONN
            return Err(Error::Io(e));
        }
        Ok(())
    }

    // ----- TLS calls -----------------------------------------------------

    /// `do_handshake()` (S3): runs the handshake; on a non-blocking stream
    /// retry after WantRead / WantWrite until it returns `Ok`.
    pub fn do_handshake(&mut self) -> Result<()> {
        self.check_connected()?;
        self.begin()?;
        self.drive(Op::Handshake, true, |o| o.do_handshake())
    }

    /// `read(len, buffer)` (S2) into `buf`: decrypted bytes, `0` at a clean
    /// close (close_notify) and, with `suppress_ragged_eofs`, at an EOF
    /// without one (else `SSLEOFError`, S16). [`io::Read::read`] is this.
    #[doc(alias = "read")]
    pub fn read_into(&mut self, buf: &mut [u8]) -> Result<usize> {
        if self.obj.is_none() {
            return Err(Error::value("Read on closed or unwrapped SSL socket."));
        }
        if buf.is_empty() {
            return Ok(0);
        }
        self.begin()?;
        match self.drive(Op::Read, false, |o| o.read(buf)) {
            Ok(n) => Ok(n),
            Err(e) => match e.ssl_kind_of() {
                // CPython returns b"" when only the peer has closed.
                Some(SslErrorKind::ZeroReturn) if !self.shutdown_started => Ok(0),
                Some(SslErrorKind::Eof) if self.suppress_ragged_eofs => Ok(0),
                _ => Err(e),
            },
        }
    }

    /// Python's `read(len)` (S2): up to `len` decrypted bytes (empty at EOF).
    /// (Named so that [`io::Read::read`] keeps working by method syntax.)
    #[doc(alias = "read")]
    pub fn read_bytes(&mut self, len: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        let n = self.read_into(&mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }

    /// Python's `write(buf)` (S2): encrypts and sends all of `data`; returns
    /// its length. On a non-blocking stream a WantWrite means the bytes are
    /// taken but not all sent: call it again with the same data, as with
    /// OpenSSL. (Named so that [`io::Write::write`] keeps working by method
    /// syntax; that one is [`SslStream::send`].)
    #[doc(alias = "write")]
    pub fn write_bytes(&mut self, data: &[u8]) -> Result<usize> {
        if self.obj.is_none() {
            return Err(Error::value("Write on closed or unwrapped SSL socket."));
        }
        if let Some(n) = self.write_retry {
            self.begin()?;
            self.flush_output(Op::Write, true)?;
            self.write_retry = None;
            return Ok(n);
        }
        if data.is_empty() {
            return Ok(0);
        }
        let nonblocking = self.nonblocking();
        self.begin()?;
        self.flush_output(Op::Write, true)?;
        let mut done = 0;
        while done < data.len() {
            let end = (done + WRITE_CHUNK).min(data.len());
            let chunk = &data[done..end];
            match self.drive(Op::Write, false, |o| o.write(chunk)) {
                Ok(n) => done += n,
                Err(e) if done > 0 && e.is_want() => break,
                Err(e) => return Err(e),
            }
            // Blocking: each record leaves before the next is made. Non-
            // blocking: every record is made now (the write's retry sends
            // what the endpoint did not take), as OpenSSL's SSL_write.
            if !nonblocking && self.link()?.pending_output() > 0 {
                self.flush_output(Op::Write, true)?;
            }
        }
        match self.flush_output(Op::Write, true) {
            Ok(()) => Ok(done),
            Err(e) if e.is_want() => {
                self.write_retry = Some(done);
                Err(Error::want_write())
            }
            Err(e) => Err(e),
        }
    }

    fn check_flags(flags: i32, call: &str) -> Result<()> {
        if flags != 0 {
            return Err(Error::value(format!(
                "non-zero flags not allowed in calls to {call}() on {CLASS}"
            )));
        }
        Ok(())
    }

    fn plain_flags(flags: i32) -> Result<()> {
        if flags != 0 {
            return Err(Error::value(
                "flags on an unwrapped socket: use the socket itself (socket2's recv_with_flags / send_with_flags)",
            ));
        }
        Ok(())
    }

    fn plain_recv(&mut self, buf: &mut [u8], flags: i32) -> Result<usize> {
        Self::plain_flags(flags)?;
        self.begin()?
            .plain_recv(buf)
            .map_err(|e| io_error(Op::Plain, Direction::In, e))
    }

    fn plain_send(&mut self, data: &[u8], flags: i32) -> Result<usize> {
        Self::plain_flags(flags)?;
        self.begin()?
            .plain_send(data)
            .map_err(|e| io_error(Op::Plain, Direction::Out, e))
    }

    /// `recv(buflen, flags)` (S1): `read(buflen)` while wrapped (non-zero
    /// `flags` are a ValueError, as in Python), the plain stream's `recv`
    /// before the lazy wrap and after `unwrap()`.
    pub fn recv(&mut self, buflen: usize, flags: i32) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; buflen];
        let n = self.recv_into_flags(&mut buf, flags, "recv")?;
        buf.truncate(n);
        Ok(buf)
    }

    /// `recv_into(buffer, nbytes, flags)` (S1): into `buf[..nbytes]` (all of
    /// `buf` when `nbytes` is `None`).
    pub fn recv_into(
        &mut self,
        buf: &mut [u8],
        nbytes: Option<usize>,
        flags: i32,
    ) -> Result<usize> {
        let n = nbytes.unwrap_or(buf.len()).min(buf.len());
        self.recv_into_flags(&mut buf[..n], flags, "recv_into")
    }

    fn recv_into_flags(&mut self, buf: &mut [u8], flags: i32, call: &str) -> Result<usize> {
        if self.obj.is_some() {
            Self::check_flags(flags, call)?;
            self.read_into(buf)
        } else {
            self.plain_recv(buf, flags)
        }
    }

    /// `send(data, flags)` (S1): `write(data)` while wrapped, else the plain
    /// stream's `send`. [`io::Write::write`] is this.
    pub fn send(&mut self, data: &[u8], flags: i32) -> Result<usize> {
        if self.obj.is_some() {
            Self::check_flags(flags, "send")?;
            self.write_bytes(data)
        } else {
            self.plain_send(data, flags)
        }
    }

    /// `sendall(data, flags)` (S1): sends every byte.
    pub fn sendall(&mut self, data: &[u8], flags: i32) -> Result<()> {
        if self.obj.is_some() {
            Self::check_flags(flags, "sendall")?;
        }
        let mut sent = 0;
        while sent < data.len() {
            let n = self.send(&data[sent..], flags)?;
            if n == 0 && self.obj.is_none() {
                return Err(Error::Io(io::ErrorKind::WriteZero.into()));
            }
            sent += n;
        }
        Ok(())
    }

    /// `sendfile(file, offset, count)` (S1): sends `count` bytes (all, when
    /// `None`) of `file` from `offset` through `send()` (TLS cannot use the
    /// kernel's sendfile), leaves the file positioned after the last byte
    /// sent and returns how many were sent. As CPython's `_sendfile_use_send`:
    /// `count` must be positive and the stream must not be non-blocking.
    pub fn sendfile<F: Read + Seek>(
        &mut self,
        file: &mut F,
        offset: u64,
        count: Option<u64>,
    ) -> Result<u64> {
        if count == Some(0) {
            return Err(Error::value("count must be a positive integer (got 0)"));
        }
        if self.nonblocking() {
            return Err(Error::value("non-blocking sockets are not supported"));
        }
        if offset != 0 {
            file.seek(SeekFrom::Start(offset))?;
        }
        let mut total: u64 = 0;
        let mut block = vec![0u8; SENDFILE_BLOCK];
        let result = (|| -> Result<()> {
            loop {
                let want = match count {
                    Some(c) => (c - total).min(SENDFILE_BLOCK as u64) as usize,
                    None => SENDFILE_BLOCK,
                };
                if want == 0 {
                    return Ok(());
                }
                let n = match file.read(&mut block[..want]) {
                    Ok(0) => return Ok(()),
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e.into()),
                };
                let mut sent = 0;
                while sent < n {
                    let k = self.send(&block[sent..n], 0)?;
                    sent += k;
                    total += k as u64;
                }
            }
        })();
        if total > 0 {
            file.seek(SeekFrom::Start(offset + total))?;
        }
        result.map(|()| total)
    }

    /// [`SslStream::sendfile`] for a [`std::fs::File`], the common case.
    pub fn sendfile_file(
        &mut self,
        file: &mut std::fs::File,
        offset: u64,
        count: Option<u64>,
    ) -> Result<u64> {
        self.sendfile(file, offset, count)
    }

    /// `pending()` (S12): decrypted bytes ready to read without the stream
    /// being readable.
    pub fn pending(&self) -> usize {
        self.obj.as_ref().map_or(0, Object::pending)
    }

    /// `unwrap()` (S10): sends close_notify, waits for the peer's, and leaves
    /// this stream plain (further `recv` / `send` are plain text on the same
    /// connection). Returns the endpoint. Non-blocking: WantRead / WantWrite
    /// until both close_notify messages have passed.
    pub fn unwrap(&mut self) -> Result<&E> {
        if self.obj.is_none() {
            return Err(self.no_wrapper());
        }
        self.shutdown_started = true;
        self.begin()?;
        self.drive(Op::Shutdown, true, |o| o.unwrap())?;
        self.obj = None;
        self.shutdown_started = false;
        self.apply_timeout();
        self.get_ref()
    }

    /// `verify_client_post_handshake()` (X23+).
    pub fn verify_client_post_handshake(&mut self) -> Result<()> {
        if self.obj.is_none() {
            return Err(self.no_wrapper());
        }
        self.begin()?;
        self.drive(Op::Write, true, |o| o.verify_client_post_handshake())
    }

    /// `gettimeout()` (S1): `None` blocking, `Some(0)` non-blocking.
    pub fn gettimeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// `settimeout(value)` (S1, S2): `None` blocking, `Some(0)` non-blocking,
    /// otherwise each call (read, write, handshake, unwrap, accept ...) fails
    /// with a timeout once it has taken `value` in total. An endpoint that
    /// cannot choose how it waits ([`crate::transport::IoStream`]) takes no
    /// duration: give the stream itself its mode and timeouts (and say
    /// `setblocking(false)` here when it is non-blocking).
    pub fn settimeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        let link = self.link()?.clone();
        if timeout.is_some_and(|t| !t.is_zero()) && !link.endpoint().chooses_waits() {
            return Err(Error::not_implemented(
                self.context.backend_name(),
                "settimeout on a Read + Write stream (it waits as the stream was made to: set the stream's own mode and timeouts)",
            ));
        }
        self.timeout = timeout;
        link.endpoint().apply_timeout(timeout)?;
        Ok(())
    }

    /// Puts the endpoint in the timeout mode again (after calls that may
    /// have changed it), where the endpoint is ours to change.
    pub(crate) fn apply_timeout(&self) {
        if let Some(link) = &self.link {
            let _ = link.endpoint().apply_timeout(self.timeout);
        }
    }

    /// `setblocking(flag)` (S1, S15): `false` is `settimeout(Some(0))`.
    pub fn setblocking(&mut self, blocking: bool) -> Result<()> {
        self.settimeout(if blocking { None } else { Some(Duration::ZERO) })
    }

    /// `getblocking()`.
    pub fn getblocking(&self) -> bool {
        !self.nonblocking()
    }

    /// `close()` (S1): closes the stream (no close_notify, as in Python).
    pub fn close(&mut self) {
        self.obj = None;
        self.link = None;
    }

    /// `detach()` (S1): the endpoint, still open; this object is closed.
    pub fn detach(&mut self) -> Result<E> {
        self.obj = None;
        // Calls under a timeout may have left the endpoint in another mode:
        // hand it back in its own.
        self.apply_timeout();
        let link = self.link.take().ok_or_else(bad_fd)?;
        Arc::try_unwrap(link)
            .map(Link::into_endpoint)
            .map_err(|_| Error::value("the stream's transport is still shared"))
    }

    /// `makefile()` (S1): a buffered reader and writer over the stream
    /// (bytes, `io.DEFAULT_BUFFER_SIZE` buffers), with line reading.
    pub fn makefile(&mut self) -> SocketFile<'_, B, E> {
        SocketFile::new(self)
    }

    // ----- what the Object knows ----------------------------------------

    /// `getpeercert()` (S4): the validated peer certificate's record (`{}`
    /// under CERT_NONE, `None` without one); OSError when not connected,
    /// ValueError before the handshake.
    pub fn getpeercert(&self) -> Result<Option<CertRecord>> {
        self.check_connected()?;
        self.obj
            .as_ref()
            .ok_or_else(|| self.no_wrapper())?
            .getpeercert()
    }

    /// `getpeercert(binary_form=True)` (S4): the peer's DER.
    #[doc(alias = "getpeercert")]
    pub fn getpeercert_der(&self) -> Result<Option<Vec<u8>>> {
        self.check_connected()?;
        self.obj
            .as_ref()
            .ok_or_else(|| self.no_wrapper())?
            .getpeercert_der()
    }

    /// `cipher()` (S5).
    pub fn cipher(&self) -> Option<CipherTriple> {
        self.obj.as_ref().and_then(Object::cipher)
    }

    /// `shared_ciphers()` (S6).
    pub fn shared_ciphers(&self) -> Option<Vec<CipherTriple>> {
        self.obj.as_ref().and_then(Object::shared_ciphers)
    }

    /// `compression()` (S7).
    pub fn compression(&self) -> Option<String> {
        self.obj.as_ref().and_then(Object::compression)
    }

    /// `get_channel_binding(cb_type)` (S8).
    pub fn get_channel_binding(&self, cb_type: &str) -> Result<Option<Vec<u8>>> {
        match &self.obj {
            Some(o) => o.get_channel_binding(cb_type),
            None => {
                if self
                    .context
                    .capabilities()
                    .channel_binding_types
                    .contains(&cb_type)
                {
                    Ok(None)
                } else {
                    Err(Error::value(format!(
                        "{cb_type} channel binding type not implemented"
                    )))
                }
            }
        }
    }

    /// `selected_alpn_protocol()` (S9).
    pub fn selected_alpn_protocol(&self) -> Option<String> {
        self.obj.as_ref().and_then(Object::selected_alpn_protocol)
    }

    /// `selected_npn_protocol()` (S9).
    pub fn selected_npn_protocol(&self) -> Option<String> {
        self.obj.as_ref().and_then(Object::selected_npn_protocol)
    }

    /// `version()` (S11).
    pub fn version(&self) -> Option<&'static str> {
        self.obj.as_ref().and_then(Object::version)
    }

    /// `context` (S13).
    pub fn context(&self) -> &B::Context {
        &self.context
    }

    /// Sets `context` (S13): the Object's too, when there is one.
    pub fn set_context(&mut self, context: B::Context) -> Result<()> {
        if let Some(o) = &mut self.obj {
            o.set_context(context.clone())?;
        }
        self.context = context;
        Ok(())
    }

    /// `server_side` (S13).
    pub fn server_side(&self) -> bool {
        self.server_side
    }

    /// `server_hostname` (S13).
    pub fn server_hostname(&self) -> Option<&str> {
        self.server_hostname.as_deref()
    }

    /// `do_handshake_on_connect`.
    pub fn do_handshake_on_connect(&self) -> bool {
        self.do_handshake_on_connect
    }

    /// `suppress_ragged_eofs` (S16).
    pub fn suppress_ragged_eofs(&self) -> bool {
        self.suppress_ragged_eofs
    }

    /// `session` (S14): the Object's session, `None` before the wrap.
    pub fn session(&self) -> Option<B::Session> {
        self.obj.as_ref().and_then(Object::session)
    }

    /// Sets `session` (S14): client side, before the handshake.
    pub fn set_session(&mut self, session: B::Session) -> Result<()> {
        if let Some(o) = &mut self.obj {
            o.set_session(session.clone())?;
        }
        self.session = Some(session);
        Ok(())
    }

    /// `session_reused` (S14): false before the wrap (Python's `None`).
    pub fn session_reused(&self) -> bool {
        self.obj.as_ref().is_some_and(Object::session_reused)
    }

    /// The TLS Object while the stream is wrapped.
    pub fn object(&self) -> Option<&B::Object> {
        self.obj.as_ref()
    }
}

impl<B: Backend, E: Endpoint> io::Read for SslStream<B, E> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv_into(buf, None, 0).map_err(io::Error::from)
    }
}

impl<B: Backend, E: Endpoint> io::Write for SslStream<B, E> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.send(buf, 0).map_err(io::Error::from)
    }

    fn flush(&mut self) -> io::Result<()> {
        let op = if self.obj.is_some() {
            Op::Write
        } else {
            Op::Plain
        };
        self.begin()?;
        self.flush_output(op, true).map_err(io::Error::from)
    }
}

#[cfg(unix)]
impl<B: Backend, E: Endpoint + std::os::fd::AsRawFd> std::os::fd::AsRawFd for SslStream<B, E> {
    /// The descriptor; `-1` once closed or detached.
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.link.as_ref().map_or(-1, |l| l.endpoint().as_raw_fd())
    }
}

#[cfg(unix)]
impl<B: Backend, E: Endpoint + std::os::fd::AsFd> std::os::fd::AsFd for SslStream<B, E> {
    /// The descriptor.
    ///
    /// # Panics
    /// Once the stream was closed or detached (it has no descriptor then;
    /// `as_raw_fd()` gives `-1`).
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.link
            .as_ref()
            .expect("as_fd on a closed or detached SSL stream")
            .endpoint()
            .as_fd()
    }
}

#[cfg(windows)]
impl<B: Backend, E: Endpoint + std::os::windows::io::AsRawSocket> std::os::windows::io::AsRawSocket
    for SslStream<B, E>
{
    /// The socket handle; `u64::MAX` (INVALID_SOCKET) once closed or detached.
    fn as_raw_socket(&self) -> std::os::windows::io::RawSocket {
        self.link
            .as_ref()
            .map_or(u64::MAX, |l| l.endpoint().as_raw_socket())
    }
}

#[cfg(windows)]
impl<B: Backend, E: Endpoint + std::os::windows::io::AsSocket> std::os::windows::io::AsSocket
    for SslStream<B, E>
{
    /// The socket.
    ///
    /// # Panics
    /// Once the stream was closed or detached.
    fn as_socket(&self) -> std::os::windows::io::BorrowedSocket<'_> {
        self.link
            .as_ref()
            .expect("as_socket on a closed or detached SSL stream")
            .endpoint()
            .as_socket()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_messages_are_cpythons() {
        assert_eq!(
            timeout_error(Op::Read, Direction::Out).to_string(),
            "The read operation timed out"
        );
        assert_eq!(
            timeout_error(Op::Write, Direction::In).to_string(),
            "The write operation timed out"
        );
        assert_eq!(
            timeout_error(Op::Handshake, Direction::In).to_string(),
            "The handshake operation timed out"
        );
        assert_eq!(
            timeout_error(Op::Shutdown, Direction::Out).to_string(),
            "The write operation timed out"
        );
        assert_eq!(
            timeout_error(Op::Plain, Direction::In).python_type(),
            "TimeoutError"
        );
    }

    #[test]
    fn not_now_is_want_for_tls_calls_and_blocking_io_for_plain_ones() {
        let would_block = || io::Error::from(io::ErrorKind::WouldBlock);
        assert_eq!(
            io_error(Op::Read, Direction::In, would_block()).ssl_kind_of(),
            Some(SslErrorKind::WantRead)
        );
        assert_eq!(
            io_error(Op::Handshake, Direction::Out, would_block()).ssl_kind_of(),
            Some(SslErrorKind::WantWrite)
        );
        assert_eq!(
            io_error(Op::Plain, Direction::In, would_block()).python_type(),
            "BlockingIOError"
        );
        assert_eq!(
            io_error(Op::Write, Direction::Out, io::ErrorKind::TimedOut.into()).to_string(),
            "The write operation timed out"
        );
    }
}
