//! How a stream case's connections run: blocking [`SslStream`]s on threads
//! (over each [`Carrier`]), or `ssl_api::tokio` streams on a runtime. A case
//! is written once, as async code over [`Flavor`] and [`Conn`], and
//! instantiated per flavor by [`over_flavors!`](crate::over_flavors!), so
//! the async stream is judged by the same cases as the blocking ones.
//!
//! A blocking connection's calls block their thread and complete before
//! they return; its futures never wait for a wake-up, so each task runs on
//! its own thread under [`block_on`]. (The tasks of the async flavor run on
//! a two-worker tokio runtime.)

use std::future::Future;
use std::io::{Read, Write};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::Duration;

use ssl_api::socket2::{Domain, Protocol, SockAddr, Socket, Type};
use ssl_api::tokio::TlsStream;
use ssl_api::{Backend, Error, SocketOptions, SslStream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::carriers::Carrier;
use crate::cases::CaseResult;
use crate::net::{accept_plain, connect_plain, IO_TIMEOUT};

/// The bound of every flavored case.
pub const CASE_LIMIT: Duration = Duration::from_secs(60);

/// A task started by [`Flavor::spawn`]: its result, when awaited.
pub type Task<T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send>>;

/// How connections are made and tasks run.
pub trait Flavor: 'static {
    /// A TLS connection, either side.
    type Conn<B: Backend>: Conn<B>;
    /// A TCP listener on loopback.
    type Listener: Send + Sync + 'static;
    /// Why this platform cannot run the flavor, if it cannot.
    const UNSUPPORTED: Option<&'static str> = None;

    /// Runs a case's body to its end, bounded by [`CASE_LIMIT`].
    fn run(case: impl Future<Output = CaseResult> + Send + 'static) -> CaseResult;

    /// Starts `task` beside the caller.
    fn spawn<T: Send + 'static>(
        task: impl Future<Output = Result<T, String>> + Send + 'static,
    ) -> Task<T>;

    /// A listener on 127.0.0.1 (backlog 1,024) and its port.
    fn listen() -> impl Future<Output = Result<(Self::Listener, u16), String>> + Send;

    /// Accepts one TCP connection and does the server's handshake.
    fn accept<B: Backend>(
        listener: &Self::Listener,
        ctx: &B::Context,
        options: SocketOptions<B>,
    ) -> impl Future<Output = ssl_api::Result<Self::Conn<B>>> + Send;

    /// Connects to 127.0.0.1:`port` and does the client's handshake.
    fn connect<B: Backend>(
        ctx: &B::Context,
        port: u16,
        options: SocketOptions<B>,
    ) -> impl Future<Output = ssl_api::Result<Self::Conn<B>>> + Send;
}

/// One TLS connection, as the cases use it.
pub trait Conn<B: Backend>: Send + 'static {
    /// The connection after `unwrap()`: plain TCP.
    type Plain: PlainConn;

    /// The Object (everything `SSLObject` answers).
    fn object(&self) -> &B::Object;

    /// Reads what is there (at least a byte); `Ok(0)` at the end of the
    /// stream (close_notify, or a ragged EOF with `suppress_ragged_eofs`).
    fn read(&mut self, buf: &mut [u8]) -> impl Future<Output = ssl_api::Result<usize>> + Send;

    /// [`Conn::read`] bounded by `limit`: `None` when it ran out
    /// (`settimeout` for a blocking stream, `tokio::time::timeout` for an
    /// async one).
    fn read_within(
        &mut self,
        buf: &mut [u8],
        limit: Duration,
    ) -> impl Future<Output = ssl_api::Result<Option<usize>>> + Send;

    /// Writes all of `data` and sends it (`sendall`, `write_all` + `flush`).
    fn write_all(&mut self, data: &[u8]) -> impl Future<Output = ssl_api::Result<()>> + Send;

    /// Sends close_notify without waiting for the peer's, and closes the
    /// connection (a non-blocking `unwrap()`; tokio's `shutdown()`).
    fn shutdown(self) -> impl Future<Output = ssl_api::Result<()>> + Send;

    /// `unwrap()`: sends close_notify, waits for the peer's, and gives the
    /// connection back plain.
    fn unwrap(self) -> impl Future<Output = ssl_api::Result<Self::Plain>> + Send;
}

/// A plain TCP connection after `unwrap()`.
pub trait PlainConn: Send + 'static {
    /// Writes all of `data`.
    fn write_all(&mut self, data: &[u8]) -> impl Future<Output = Result<(), String>> + Send;
    /// Everything up to the peer's close.
    fn read_to_end(&mut self) -> impl Future<Output = Result<Vec<u8>, String>> + Send;
}

/// Reads exactly `buf.len()` bytes.
pub async fn read_exact<B: Backend>(c: &mut impl Conn<B>, buf: &mut [u8]) -> Result<(), String> {
    let mut got = 0;
    while got < buf.len() {
        let n = c.read(&mut buf[got..]).await.map_err(e2s)?;
        if n == 0 {
            return Err(format!("EOF after {got} of {} bytes", buf.len()));
        }
        got += n;
    }
    Ok(())
}

pub(crate) use crate::socket_cases::e2s;

/// Runs a future to its end on this thread, parking it while the future
/// waits (a blocking flavor's futures only wait on other threads' tasks).
pub fn block_on<F: Future>(fut: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = TaskContext::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

/// Blocking `SslStream`s over carrier `C`, each task on its own thread.
pub struct Blocking<C>(PhantomData<C>);

/// The stack of a blocking task's thread (a thousand run at once).
const TASK_STACK: usize = 512 * 1024;

impl<C: Carrier> Flavor for Blocking<C> {
    type Conn<B: Backend> = BlockingConn<B, C>;
    type Listener = Socket;
    const UNSUPPORTED: Option<&'static str> = C::UNSUPPORTED;

    fn run(case: impl Future<Output = CaseResult> + Send + 'static) -> CaseResult {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("case".into())
            .spawn(move || {
                let _ = tx.send(block_on(case));
            })
            .map_err(|e| e.to_string())?;
        rx.recv_timeout(CASE_LIMIT)
            .map_err(|_| format!("the case did not finish within {CASE_LIMIT:?}"))?
    }

    fn spawn<T: Send + 'static>(
        task: impl Future<Output = Result<T, String>> + Send + 'static,
    ) -> Task<T> {
        let started = std::thread::Builder::new()
            .stack_size(TASK_STACK)
            .spawn(move || block_on(task));
        Box::pin(async move {
            started
                .map_err(|e| format!("no thread for a task: {e}"))?
                .join()
                .map_err(|_| "a task panicked".to_string())?
        })
    }

    async fn listen() -> Result<(Socket, u16), String> {
        let s = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))
            .map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(IO_TIMEOUT))
            .map_err(|e| e.to_string())?;
        let addr: std::net::SocketAddr = ([127, 0, 0, 1], 0).into();
        s.bind(&SockAddr::from(addr)).map_err(|e| e.to_string())?;
        s.listen(1024).map_err(|e| e.to_string())?;
        let port = s
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .map(|a| a.port())
            .ok_or("the listener has no port")?;
        Ok((s, port))
    }

    async fn accept<B: Backend>(
        listener: &Socket,
        ctx: &B::Context,
        options: SocketOptions<B>,
    ) -> ssl_api::Result<BlockingConn<B, C>> {
        let sock = accept_plain(listener).map_err(|e| Error::Io(std::io::Error::other(e)))?;
        BlockingConn::new(C::wrap::<B>(ctx, sock, options)?)
    }

    async fn connect<B: Backend>(
        ctx: &B::Context,
        port: u16,
        options: SocketOptions<B>,
    ) -> ssl_api::Result<BlockingConn<B, C>> {
        let sock = connect_plain(false, port).map_err(|e| Error::Io(std::io::Error::other(e)))?;
        BlockingConn::new(C::wrap::<B>(ctx, sock, options)?)
    }
}

/// A blocking stream; every call is bounded by [`IO_TIMEOUT`].
pub struct BlockingConn<B: Backend, C: Carrier> {
    s: SslStream<B, C::E>,
}

impl<B: Backend, C: Carrier> BlockingConn<B, C> {
    fn new(mut s: SslStream<B, C::E>) -> ssl_api::Result<Self> {
        C::set_timeout(&mut s, Some(IO_TIMEOUT)).map_err(Error::value)?;
        Ok(BlockingConn { s })
    }
}

impl<B: Backend, C: Carrier> Conn<B> for BlockingConn<B, C> {
    type Plain = std::net::TcpStream;

    fn object(&self) -> &B::Object {
        self.s
            .object()
            .expect("a connected stream has its Object until unwrap")
    }

    async fn read(&mut self, buf: &mut [u8]) -> ssl_api::Result<usize> {
        self.s.read_into(buf)
    }

    async fn read_within(
        &mut self,
        buf: &mut [u8],
        limit: Duration,
    ) -> ssl_api::Result<Option<usize>> {
        C::set_timeout(&mut self.s, Some(limit)).map_err(Error::value)?;
        let r = self.s.read_into(buf);
        C::set_timeout(&mut self.s, Some(IO_TIMEOUT)).map_err(Error::value)?;
        match r {
            Ok(n) => Ok(Some(n)),
            Err(Error::Timeout(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn write_all(&mut self, data: &[u8]) -> ssl_api::Result<()> {
        self.s.sendall(data, 0)
    }

    async fn shutdown(mut self) -> ssl_api::Result<()> {
        C::set_timeout(&mut self.s, Some(Duration::ZERO)).map_err(Error::value)?;
        match self.s.unwrap() {
            Ok(_) => Ok(()),
            // Our close_notify is out; the peer's is not waited for.
            Err(e) if e.is_want() => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn unwrap(mut self) -> ssl_api::Result<std::net::TcpStream> {
        self.s.unwrap()?;
        C::into_tcp(self.s.detach()?).map_err(Error::value)
    }
}

impl PlainConn for std::net::TcpStream {
    async fn write_all(&mut self, data: &[u8]) -> Result<(), String> {
        Write::write_all(self, data).map_err(|e| e.to_string())
    }

    async fn read_to_end(&mut self) -> Result<Vec<u8>, String> {
        let mut all = Vec::new();
        Read::read_to_end(self, &mut all).map_err(|e| e.to_string())?;
        Ok(all)
    }
}

/// `ssl_api::tokio` streams over tokio `TcpStream`s, on a two-worker runtime.
pub struct Async;

impl Flavor for Async {
    type Conn<B: Backend> = TlsStream<B, tokio::net::TcpStream>;
    type Listener = tokio::net::TcpListener;

    fn run(case: impl Future<Output = CaseResult> + Send + 'static) -> CaseResult {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.block_on(async {
            tokio::time::timeout(CASE_LIMIT, case)
                .await
                .map_err(|_| format!("the case did not finish within {CASE_LIMIT:?}"))?
        })
    }

    fn spawn<T: Send + 'static>(
        task: impl Future<Output = Result<T, String>> + Send + 'static,
    ) -> Task<T> {
        let handle = tokio::spawn(task);
        Box::pin(async move { handle.await.map_err(|e| e.to_string())? })
    }

    async fn listen() -> Result<(tokio::net::TcpListener, u16), String> {
        let s = tokio::net::TcpSocket::new_v4().map_err(|e| e.to_string())?;
        s.bind(([127, 0, 0, 1], 0).into())
            .map_err(|e| e.to_string())?;
        let l = s.listen(1024).map_err(|e| e.to_string())?;
        let port = l.local_addr().map_err(|e| e.to_string())?.port();
        Ok((l, port))
    }

    async fn accept<B: Backend>(
        listener: &tokio::net::TcpListener,
        ctx: &B::Context,
        options: SocketOptions<B>,
    ) -> ssl_api::Result<Self::Conn<B>> {
        let (tcp, _) = listener.accept().await?;
        ssl_api::tokio::accept(ctx, options, tcp)
            .await
            .map_err(into_ssl_error)
    }

    async fn connect<B: Backend>(
        ctx: &B::Context,
        port: u16,
        options: SocketOptions<B>,
    ) -> ssl_api::Result<Self::Conn<B>> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        ssl_api::tokio::connect(ctx, options, tcp)
            .await
            .map_err(into_ssl_error)
    }
}

/// The async stream's error as the `ssl_api::Error` it carries (an OS
/// error as itself).
pub fn into_ssl_error(e: std::io::Error) -> Error {
    if !e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
        return Error::Io(e);
    }
    match e.into_inner().map(|inner| inner.downcast::<Error>()) {
        Some(Ok(inner)) => *inner,
        _ => Error::value("an error without its cause"),
    }
}

impl<B: Backend> Conn<B> for TlsStream<B, tokio::net::TcpStream> {
    type Plain = tokio::net::TcpStream;

    fn object(&self) -> &B::Object {
        TlsStream::object(self)
    }

    async fn read(&mut self, buf: &mut [u8]) -> ssl_api::Result<usize> {
        AsyncReadExt::read(self, buf).await.map_err(into_ssl_error)
    }

    async fn read_within(
        &mut self,
        buf: &mut [u8],
        limit: Duration,
    ) -> ssl_api::Result<Option<usize>> {
        match tokio::time::timeout(limit, AsyncReadExt::read(self, buf)).await {
            Ok(r) => r.map(Some).map_err(into_ssl_error),
            Err(_elapsed) => Ok(None),
        }
    }

    async fn write_all(&mut self, data: &[u8]) -> ssl_api::Result<()> {
        AsyncWriteExt::write_all(self, data)
            .await
            .map_err(into_ssl_error)?;
        AsyncWriteExt::flush(self).await.map_err(into_ssl_error)
    }

    async fn shutdown(mut self) -> ssl_api::Result<()> {
        AsyncWriteExt::shutdown(&mut self)
            .await
            .map_err(into_ssl_error)
    }

    async fn unwrap(self) -> ssl_api::Result<tokio::net::TcpStream> {
        TlsStream::unwrap(self).await.map_err(into_ssl_error)
    }
}

impl PlainConn for tokio::net::TcpStream {
    async fn write_all(&mut self, data: &[u8]) -> Result<(), String> {
        AsyncWriteExt::write_all(self, data)
            .await
            .map_err(|e| e.to_string())
    }

    async fn read_to_end(&mut self) -> Result<Vec<u8>, String> {
        let mut all = Vec::new();
        AsyncReadExt::read_to_end(self, &mut all)
            .await
            .map_err(|e| e.to_string())?;
        Ok(all)
    }
}

/// Instantiates a case generic over `<B, F: Flavor>` once per flavor, as the
/// plain `fn(&Pki) -> CaseResult` cases the suite lists: blocking over an
/// owned socket, a borrowed descriptor and a `Read + Write` stream, and
/// async (`ssl_api::tokio`).
#[macro_export]
macro_rules! over_flavors {
    ($(#[$doc:meta])* $case:ident => $owned:ident, $borrowed:ident, $stream:ident, $async_:ident) => {
        $(#[$doc])*
        /// (Blocking, over an owned socket.)
        pub fn $owned<B: ssl_api::Backend>(pki: &$crate::pki::Pki) -> $crate::cases::CaseResult {
            $crate::flavors::run_case::<B, $crate::flavors::Blocking<$crate::carriers::Owned>>(pki, $case::<B, $crate::flavors::Blocking<$crate::carriers::Owned>>)
        }
        $(#[$doc])*
        /// (Blocking, over a borrowed descriptor, `BorrowedSocket`.)
        pub fn $borrowed<B: ssl_api::Backend>(pki: &$crate::pki::Pki) -> $crate::cases::CaseResult {
            $crate::flavors::run_case::<B, $crate::flavors::Blocking<$crate::carriers::Borrowed>>(pki, $case::<B, $crate::flavors::Blocking<$crate::carriers::Borrowed>>)
        }
        $(#[$doc])*
        /// (Blocking, over a `Read + Write` stream, `IoStream`.)
        pub fn $stream<B: ssl_api::Backend>(pki: &$crate::pki::Pki) -> $crate::cases::CaseResult {
            $crate::flavors::run_case::<B, $crate::flavors::Blocking<$crate::carriers::Stream>>(pki, $case::<B, $crate::flavors::Blocking<$crate::carriers::Stream>>)
        }
        $(#[$doc])*
        /// (Async, `ssl_api::tokio` over a tokio `TcpStream`.)
        pub fn $async_<B: ssl_api::Backend>(pki: &$crate::pki::Pki) -> $crate::cases::CaseResult {
            $crate::flavors::run_case::<B, $crate::flavors::Async>(pki, $case::<B, $crate::flavors::Async>)
        }
    };
}

/// Runs a flavor's instance of a case, or says the platform cannot run it.
pub fn run_case<B: Backend, F: Flavor>(
    pki: &crate::pki::Pki,
    case: fn(&crate::pki::Pki) -> CaseResult,
) -> CaseResult {
    match F::UNSUPPORTED {
        Some(reason) => Ok(crate::cases::Outcome::NotSupported(reason.to_string())),
        None => case(pki),
    }
}
