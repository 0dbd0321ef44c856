//! Async TLS streams for tokio (feature `tokio`, DESIGN §13), over the same
//! Object and the same transport seam as the blocking streams: the io
//! (`AsyncRead + AsyncWrite + Unpin + Send`) is one more [`Endpoint`]
//! ([`AsyncIo`]) under a [`Link`], so record-exact reads, the whole
//! handshake flights and the kept errors are the blocking path's, not a
//! second implementation.
//!
//! ```no_run
//! use ssl_api::{Backend, Context, SocketOptions};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! async fn get<B: Backend>(ctx: &B::Context) -> std::io::Result<Vec<u8>> {
//!     let tcp = tokio::net::TcpStream::connect("127.0.0.1:8443").await?;
//!     let mut tls = ssl_api::tokio::connect(ctx, SocketOptions::client("localhost"), tcp).await?;
//!     tls.write_all(b"GET / HTTP/1.0\r\n\r\n").await?;
//!     let mut body = Vec::new();
//!     tls.read_to_end(&mut body).await?;
//!     Ok(body)
//! }
//! ```
//!
//! # Cancellation
//!
//! - `read` (`poll_read`) is cancel-safe: bytes not yet returned stay in the
//!   TLS library or the io.
//! - `write` (`poll_write`) is cancel-safe: it returns `Ready(n)` only once
//!   the Object has taken those `n` bytes; a dropped pending write took none.
//! - [`connect`], [`accept`] and [`TlsStream::unwrap`] are not: dropping them
//!   midway leaves the connection unusable.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Waker};

use ::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::backend::{Backend, Context, Object, WrapOptions};
use crate::cert::record::CertRecord;
use crate::error::{Error, Result, SslErrorKind};
use crate::stream::SocketOptions;
use crate::transport::{Endpoint, Link, SharedTransport, Wait};
use crate::types::CipherTriple;

/// Plain text handed to the Object in one write: one TLS record's worth.
const WRITE_CHUNK: usize = 16 * 1024;

/// An async io as an [`Endpoint`]: each call polls the io with the waker of
/// the task that is driving the stream (set before every call into the
/// Object), and `Pending` is `WouldBlock`, with the waker registered.
pub struct AsyncIo<IO> {
    io: Mutex<IO>,
    /// The io's readiness wakes both the reading and the writing task: a
    /// stream split across two tasks (`tokio::io::split`) may register
    /// interest from either for either direction (a read flushes queued
    /// records; a write may need the peer's), and the io keeps only the
    /// last waker per direction.
    wakers: Arc<TaskWakers>,
    fan_out: Waker,
}

/// Which task a call into the stream comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Reader = 0,
    Writer = 1,
}

/// The reading and the writing task's wakers; waking it wakes both.
#[derive(Default)]
struct TaskWakers(Mutex<[Option<Waker>; 2]>);

impl std::task::Wake for TaskWakers {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let wakers = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for w in wakers.into_iter().flatten() {
            w.wake();
        }
    }
}

impl<IO> std::fmt::Debug for AsyncIo<IO> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AsyncIo")
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin + Send + 'static> AsyncIo<IO> {
    fn new(io: IO) -> Self {
        let wakers = Arc::new(TaskWakers::default());
        AsyncIo {
            io: Mutex::new(io),
            fan_out: Waker::from(wakers.clone()),
            wakers,
        }
    }

    fn io(&self) -> std::sync::MutexGuard<'_, IO> {
        self.io.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The task that calls in `role` (kept when it is the same task).
    fn set_waker(&self, role: Role, waker: &Waker) {
        let mut slots = self.wakers.0.lock().unwrap_or_else(|e| e.into_inner());
        let slot = &mut slots[role as usize];
        if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
            *slot = Some(waker.clone());
        }
    }

    fn poll<T>(
        &self,
        call: impl FnOnce(Pin<&mut IO>, &mut TaskContext<'_>) -> Poll<io::Result<T>>,
    ) -> io::Result<T> {
        let mut cx = TaskContext::from_waker(&self.fan_out);
        let mut io = self.io();
        match call(Pin::new(&mut *io), &mut cx) {
            Poll::Ready(r) => r,
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    fn poll_shutdown_io(&self, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.io()).poll_shutdown(cx)
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin + Send + 'static> Endpoint for AsyncIo<IO> {
    fn recv(&self, buf: &mut [u8], _wait: Wait) -> io::Result<usize> {
        self.poll(|io, cx| {
            let mut rb = ReadBuf::new(buf);
            io.poll_read(cx, &mut rb).map_ok(|()| rb.filled().len())
        })
    }

    fn send(&self, bufs: &[io::IoSlice<'_>], _wait: Wait) -> io::Result<usize> {
        self.poll(|io, cx| match bufs {
            [one] => io.poll_write(cx, one),
            _ => io.poll_write_vectored(cx, bufs),
        })
    }
}

/// A TLS stream over an async io: tokio's [`AsyncRead`] + [`AsyncWrite`],
/// and everything the blocking stream answers (`getpeercert`, `version`,
/// `cipher`, `selected_alpn_protocol`, `session`, ...). `Send + Unpin`
/// when the io is.
pub struct TlsStream<B: Backend, IO> {
    link: Arc<Link<AsyncIo<IO>>>,
    obj: B::Object,
    suppress_ragged_eofs: bool,
    /// A truncated stream is an `UnexpectedEof` error even with
    /// `suppress_ragged_eofs` (tokio-rustls's behaviour).
    eof_is_error: bool,
    /// Our close_notify is out (`poll_shutdown` or `unwrap`).
    closing: bool,
    /// Whose call this is: `poll_read` is the reader's, the others the
    /// writer's.
    role: Role,
}

impl<B: Backend, IO> std::fmt::Debug for TlsStream<B, IO> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsStream")
            .field("server_side", &self.obj.server_side())
            .field("version", &self.obj.version())
            .finish_non_exhaustive()
    }
}

/// `wrap_socket(io, server_side=False, server_hostname=...)` and the
/// handshake, for an async io.
pub async fn connect<C: Context, IO>(
    context: &C,
    options: SocketOptions<C::Backend>,
    io: IO,
) -> io::Result<TlsStream<C::Backend, IO>>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    if options.server_side {
        return Err(Error::value("connect() takes client options (SocketOptions::client)").into());
    }
    handshake(context, options, io).await
}

/// `wrap_socket(io, server_side=True)` and the handshake, for an async io.
pub async fn accept<C: Context, IO>(
    context: &C,
    options: SocketOptions<C::Backend>,
    io: IO,
) -> io::Result<TlsStream<C::Backend, IO>>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    if !options.server_side {
        return Err(Error::value("accept() takes server options (SocketOptions::server)").into());
    }
    handshake(context, options, io).await
}

async fn handshake<C: Context, IO>(
    context: &C,
    options: SocketOptions<C::Backend>,
    io: IO,
) -> io::Result<TlsStream<C::Backend, IO>>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    options.check(context)?;
    let link = Arc::new(Link::new(AsyncIo::new(io)));
    // Every call of the Object polls; a handshake flight leaves whole.
    link.set_wait(Wait::Never);
    link.hold_output(true);
    let transport: SharedTransport = link.clone();
    let obj = context.wrap_transport(
        transport,
        WrapOptions {
            server_side: options.server_side,
            server_hostname: options.server_hostname,
            session: options.session,
        },
    )?;
    let mut stream = TlsStream {
        link,
        obj,
        suppress_ragged_eofs: options.suppress_ragged_eofs,
        eof_is_error: false,
        closing: false,
        role: Role::Reader,
    };
    poll_fn(|cx| {
        stream.poll_op(cx, |o: &mut <C::Backend as Backend>::Object| {
            o.do_handshake()
        })
    })
    .await?;
    poll_fn(|cx| stream.poll_flush_output(cx)).await?;
    Ok(stream)
}

impl<B: Backend, IO> TlsStream<B, IO>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    /// Sends what the Object queued: `Ready` once all of it left.
    fn poll_flush_output(&mut self, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        self.link.hold_output(!self.obj.handshake_done());
        self.link.endpoint().set_waker(self.role, cx.waker());
        match self.link.flush() {
            Ok(()) => Poll::Ready(Ok(())),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Poll::Pending,
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    /// Runs one Object operation until it completes: `Pending` while the io
    /// has nothing to read or no room to write (the waker is registered by
    /// the io poll that found so).
    fn poll_op<T>(
        &mut self,
        cx: &mut TaskContext<'_>,
        mut step: impl FnMut(&mut B::Object) -> Result<T>,
    ) -> Poll<Result<T>> {
        self.link.endpoint().set_waker(self.role, cx.waker());
        loop {
            let received = self.link.received();
            match step(&mut self.obj) {
                Ok(v) => {
                    return match self.poll_flush_output(cx) {
                        // Output left behind goes with the next call's flush.
                        Poll::Pending | Poll::Ready(Ok(())) => Poll::Ready(Ok(v)),
                        Poll::Ready(Err(e)) => Poll::Ready(Err(Error::Io(e))),
                    };
                }
                Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantRead) => {
                    if let Some((_, err)) = self.link.take_error() {
                        return Poll::Ready(Err(Error::Io(err)));
                    }
                    if let Poll::Ready(Err(e)) = self.poll_flush_output(cx) {
                        return Poll::Ready(Err(Error::Io(e)));
                    }
                    if self.link.received() == received {
                        if self.link.eof_seen() {
                            return Poll::Ready(Err(Error::eof()));
                        }
                        // The io poll that found nothing registered the waker.
                        self.obj.idle();
                        return Poll::Pending;
                    }
                }
                Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantWrite) => {
                    match self.poll_flush_output(cx) {
                        Poll::Ready(Ok(())) if self.link.pending_output() == 0 => {
                            return Poll::Ready(Err(e))
                        }
                        Poll::Ready(Ok(())) => {}
                        Poll::Ready(Err(e)) => return Poll::Ready(Err(Error::Io(e))),
                        Poll::Pending => return Poll::Pending,
                    }
                }
                Err(e) => {
                    // Alerts the Object queued still go to the peer.
                    let _ = self.poll_flush_output(cx);
                    return Poll::Ready(Err(e));
                }
            }
        }
    }

    /// Makes a truncated stream (EOF without close_notify) an
    /// `UnexpectedEof` error even with `suppress_ragged_eofs` (as
    /// tokio-rustls does); by default it reads as EOF (Python's default).
    pub fn set_eof_is_error(&mut self, on: bool) {
        self.eof_is_error = on;
    }

    /// `unwrap()` (S10): sends close_notify and waits for the peer's; the
    /// io is left plain (what follows stays in it, as the blocking stream
    /// reads record by record).
    pub async fn unwrap(self) -> io::Result<IO> {
        let mut this = self;
        this.closing = true;
        poll_fn(|cx| this.poll_op(cx, |o: &mut B::Object| o.unwrap())).await?;
        poll_fn(|cx| this.poll_flush_output(cx)).await?;
        let TlsStream { link, obj, .. } = this;
        drop(obj);
        let link =
            Arc::try_unwrap(link).map_err(|_| io::Error::other("the transport is still shared"))?;
        let io = link.into_endpoint().io.into_inner();
        Ok(io.unwrap_or_else(|e| e.into_inner()))
    }

    /// The TLS Object (everything `SSLObject` answers).
    pub fn object(&self) -> &B::Object {
        &self.obj
    }

    /// `getpeercert()` (S4).
    pub fn getpeercert(&self) -> Result<Option<CertRecord>> {
        self.obj.getpeercert()
    }

    /// `getpeercert(binary_form=True)` (S4).
    #[doc(alias = "getpeercert")]
    pub fn getpeercert_der(&self) -> Result<Option<Vec<u8>>> {
        self.obj.getpeercert_der()
    }

    /// `version()` (S11).
    pub fn version(&self) -> Option<&'static str> {
        self.obj.version()
    }

    /// `cipher()` (S5).
    pub fn cipher(&self) -> Option<CipherTriple> {
        self.obj.cipher()
    }

    /// `selected_alpn_protocol()` (S9).
    pub fn selected_alpn_protocol(&self) -> Option<String> {
        self.obj.selected_alpn_protocol()
    }

    /// `get_channel_binding(cb_type)` (S8).
    pub fn get_channel_binding(&self, cb_type: &str) -> Result<Option<Vec<u8>>> {
        self.obj.get_channel_binding(cb_type)
    }

    /// `session` (S14).
    pub fn session(&self) -> Option<B::Session> {
        self.obj.session()
    }

    /// `session_reused` (S14).
    pub fn session_reused(&self) -> bool {
        self.obj.session_reused()
    }

    /// `context` (S13): after the SNI callback, the context it chose.
    pub fn context(&self) -> B::Context {
        self.obj.context()
    }

    /// `server_hostname` (S13).
    pub fn server_hostname(&self) -> Option<&str> {
        self.obj.server_hostname()
    }

    /// `pending()` (S12).
    pub fn pending(&self) -> usize {
        self.obj.pending()
    }

    /// `shared_ciphers()` (S6).
    pub fn shared_ciphers(&self) -> Option<Vec<CipherTriple>> {
        self.obj.shared_ciphers()
    }

    /// `compression()` (S7).
    pub fn compression(&self) -> Option<String> {
        self.obj.compression()
    }

    /// `selected_npn_protocol()` (S9).
    pub fn selected_npn_protocol(&self) -> Option<String> {
        self.obj.selected_npn_protocol()
    }

    /// `server_side` (S13).
    pub fn server_side(&self) -> bool {
        self.obj.server_side()
    }
}

impl<B: Backend, IO> AsyncRead for TlsStream<B, IO>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.role = Role::Reader;
        let closing = this.closing;
        let out = buf.initialize_unfilled();
        if out.is_empty() {
            return Poll::Ready(Ok(()));
        }
        match this.poll_op(cx, |o| o.read(out)) {
            Poll::Ready(Ok(n)) => {
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => match e.ssl_kind_of() {
                // The peer's close_notify: the end of the stream.
                Some(SslErrorKind::ZeroReturn) if !closing => Poll::Ready(Ok(())),
                Some(SslErrorKind::Eof) if this.suppress_ragged_eofs && !this.eof_is_error => {
                    Poll::Ready(Ok(()))
                }
                Some(SslErrorKind::Eof) => {
                    Poll::Ready(Err(io::Error::new(io::ErrorKind::UnexpectedEof, e)))
                }
                _ => Poll::Ready(Err(e.into())),
            },
        }
    }
}

impl<B: Backend, IO> AsyncWrite for TlsStream<B, IO>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.role = Role::Writer;
        // Earlier records leave first: a slow peer holds the writer back.
        match this.poll_flush_output(cx) {
            Poll::Ready(Ok(())) => {}
            other => return other.map_ok(|()| 0),
        }
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let chunk = &buf[..buf.len().min(WRITE_CHUNK)];
        this.poll_op(cx, |o| o.write(chunk))
            .map_err(io::Error::from)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.role = Role::Writer;
        match this.poll_flush_output(cx) {
            Poll::Ready(Ok(())) => {}
            other => return other,
        }
        this.link.endpoint().set_waker(this.role, cx.waker());
        Pin::new(&mut *this.link.endpoint().io()).poll_flush(cx)
    }

    /// Sends close_notify (once), then shuts the io's writing side down.
    /// (`unwrap()` also waits for the peer's close_notify, as Python's.)
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.role = Role::Writer;
        if !this.closing {
            this.closing = true;
            // The first step of unwrap() queues our close_notify; the
            // peer's is not waited for here.
            match this.obj.unwrap() {
                Ok(()) => {}
                Err(e) if e.is_want() => {}
                Err(e) => return Poll::Ready(Err(e.into())),
            }
        }
        match this.poll_flush_output(cx) {
            Poll::Ready(Ok(())) => {}
            other => return other,
        }
        this.link.endpoint().poll_shutdown_io(cx)
    }
}
