//! The transports the stream cases run over (`ssl_api::transport`): one
//! generic case, instantiated per carrier by [`over_carriers!`](crate::over_carriers!), so that
//! Python's `SSLSocket` semantics are checked the same way over an owned
//! socket, a borrowed descriptor and a plain `Read + Write` stream.

use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use ssl_api::socket2::Socket;
use ssl_api::transport::{Endpoint, IoStream};
use ssl_api::ContextExt;
use ssl_api::{Backend, SocketOptions, SslStream};

/// How a case's TLS stream reaches its peer.
pub trait Carrier: 'static {
    /// The endpoint under the stream.
    type E: Endpoint;
    /// Why this platform cannot carry the case, if it cannot.
    const UNSUPPORTED: Option<&'static str> = None;
    /// Whether `settimeout(duration)` bounds each call in total (an
    /// `IoStream` waits with the stream's own per-read timeouts instead).
    const TOTAL_DEADLINES: bool = true;
    /// Whether wrapping takes the stream's timeout from the socket (its
    /// `SO_RCVTIMEO`, or non-blocking), as `wrap_socket` does for an owned
    /// socket; the others start blocking, their timeout set after the wrap.
    const INFERS_TIMEOUT: bool = false;

    /// Wraps a connected socket (TLS over it, as `wrap_socket` does).
    fn wrap<B: Backend>(
        ctx: &B::Context,
        sock: Socket,
        options: SocketOptions<B>,
    ) -> ssl_api::Result<SslStream<B, Self::E>>;

    /// Puts the stream in a timeout mode (`None`, `Some(0)`, a duration):
    /// `settimeout`, and the stream's own mode where it waits as it was made to.
    fn set_timeout<B: Backend>(
        s: &mut SslStream<B, Self::E>,
        timeout: Option<Duration>,
    ) -> Result<(), String> {
        s.settimeout(timeout).map_err(|e| e.to_string())
    }

    /// The connection as a plain `TcpStream` again, after `detach()`.
    fn into_tcp(endpoint: Self::E) -> Result<TcpStream, String>;

    /// The descriptor, for `poll`.
    #[cfg(unix)]
    fn fd<B: Backend>(s: &SslStream<B, Self::E>) -> std::os::fd::RawFd;
}

/// `wrap_socket` over an owned `socket2::Socket` (`SSLSocket`).
pub struct Owned;

impl Carrier for Owned {
    type E = Socket;
    const INFERS_TIMEOUT: bool = true;

    fn wrap<B: Backend>(
        ctx: &B::Context,
        sock: Socket,
        options: SocketOptions<B>,
    ) -> ssl_api::Result<SslStream<B, Socket>> {
        ctx.wrap_socket(sock, options)
    }

    fn into_tcp(endpoint: Socket) -> Result<TcpStream, String> {
        Ok(endpoint.into())
    }

    #[cfg(unix)]
    fn fd<B: Backend>(s: &SslStream<B, Socket>) -> std::os::fd::RawFd {
        s.fileno()
    }
}

/// `wrap_stream` over a socket someone else owns (`BorrowedSocket`, Unix):
/// its blocking flag and timeouts are never changed.
pub struct Borrowed;

#[cfg(unix)]
type BorrowedEndpoint = ssl_api::transport::BorrowedSocket<Arc<Socket>>;
/// (No borrowed endpoint off Unix: the cases say NotSupported.)
#[cfg(not(unix))]
type BorrowedEndpoint = Socket;

impl Carrier for Borrowed {
    type E = BorrowedEndpoint;
    #[cfg(not(unix))]
    const UNSUPPORTED: Option<&'static str> = Some("BorrowedSocket waits with poll(2): Unix only");

    fn wrap<B: Backend>(
        ctx: &B::Context,
        sock: Socket,
        options: SocketOptions<B>,
    ) -> ssl_api::Result<SslStream<B, Self::E>> {
        #[cfg(unix)]
        let endpoint = ssl_api::transport::BorrowedSocket::new(Arc::new(sock));
        #[cfg(not(unix))]
        let endpoint = sock;
        ctx.wrap_stream(endpoint, options)
    }

    fn into_tcp(endpoint: Self::E) -> Result<TcpStream, String> {
        #[cfg(unix)]
        {
            let sock = Arc::try_unwrap(endpoint.into_inner())
                .map_err(|_| "the borrowed socket is still shared".to_string())?;
            Ok(sock.into())
        }
        #[cfg(not(unix))]
        Ok(endpoint.into())
    }

    #[cfg(unix)]
    fn fd<B: Backend>(s: &SslStream<B, Self::E>) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(s)
    }
}

/// `wrap_stream` over a `TcpStream` taken as any `Read + Write` (`IoStream`).
pub struct Stream;

impl Carrier for Stream {
    type E = IoStream<TcpStream>;
    const TOTAL_DEADLINES: bool = false;

    fn wrap<B: Backend>(
        ctx: &B::Context,
        sock: Socket,
        options: SocketOptions<B>,
    ) -> ssl_api::Result<SslStream<B, Self::E>> {
        ctx.wrap_stream(IoStream::new(TcpStream::from(sock)), options)
    }

    /// The stream's own mode and timeouts, and the SSL stream told of them.
    fn set_timeout<B: Backend>(
        s: &mut SslStream<B, Self::E>,
        timeout: Option<Duration>,
    ) -> Result<(), String> {
        {
            let tcp = s.get_ref().map_err(|e| e.to_string())?.lock();
            let nonblocking = timeout == Some(Duration::ZERO);
            tcp.set_nonblocking(nonblocking)
                .map_err(|e| e.to_string())?;
            if !nonblocking {
                tcp.set_read_timeout(timeout)
                    .and_then(|()| tcp.set_write_timeout(timeout))
                    .map_err(|e| e.to_string())?;
            }
        }
        let mode = match timeout {
            Some(t) if t.is_zero() => Some(t),
            _ => None,
        };
        s.settimeout(mode).map_err(|e| e.to_string())
    }

    fn into_tcp(endpoint: Self::E) -> Result<TcpStream, String> {
        Ok(endpoint.into_inner())
    }

    #[cfg(unix)]
    fn fd<B: Backend>(s: &SslStream<B, Self::E>) -> std::os::fd::RawFd {
        use std::os::fd::AsRawFd;
        s.get_ref().map_or(-1, |e| e.lock().as_raw_fd())
    }
}

/// Instantiates a case generic over `<B, C: Carrier>` once per carrier, as
/// the plain `fn(&Pki) -> CaseResult` cases the suite lists:
/// `over_carriers!(echo => socket_echo, borrowed_echo, stream_echo);`.
#[macro_export]
macro_rules! over_carriers {
    ($(#[$doc:meta])* $case:ident => $owned:ident, $borrowed:ident, $stream:ident) => {
        $(#[$doc])*
        /// (Over an owned socket.)
        pub fn $owned<B: ssl_api::Backend>(pki: &$crate::pki::Pki) -> $crate::cases::CaseResult {
            $crate::carriers::run::<B, $crate::carriers::Owned>(pki, $case::<B, $crate::carriers::Owned>)
        }
        $(#[$doc])*
        /// (Over a borrowed descriptor, `BorrowedSocket`.)
        pub fn $borrowed<B: ssl_api::Backend>(pki: &$crate::pki::Pki) -> $crate::cases::CaseResult {
            $crate::carriers::run::<B, $crate::carriers::Borrowed>(pki, $case::<B, $crate::carriers::Borrowed>)
        }
        $(#[$doc])*
        /// (Over a `Read + Write` stream, `IoStream`.)
        pub fn $stream<B: ssl_api::Backend>(pki: &$crate::pki::Pki) -> $crate::cases::CaseResult {
            $crate::carriers::run::<B, $crate::carriers::Stream>(pki, $case::<B, $crate::carriers::Stream>)
        }
    };
}

/// Runs a carrier's instance of a case, or says the platform cannot carry it.
pub fn run<B: Backend, C: Carrier>(
    pki: &crate::pki::Pki,
    case: fn(&crate::pki::Pki) -> crate::cases::CaseResult,
) -> crate::cases::CaseResult {
    match C::UNSUPPORTED {
        Some(reason) => Ok(crate::cases::Outcome::NotSupported(reason.to_string())),
        None => case(pki),
    }
}
