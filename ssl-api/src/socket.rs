//! `SSLSocket` (reference rows S1-S16, X19): [`SslStream`] over an owned OS
//! socket ([`socket2::Socket`]), with the socket's own methods (the lazy
//! client wrap in [`SslSocket::connect`], the listening wrap whose
//! [`SslSocket::accept`] returns server-side sockets, `bind`, `listen`,
//! `getpeername`, `fileno`, `shutdown`, Python's `repr()`). Everything TLS
//! (blocking and non-blocking modes, timeouts, ragged EOFs, `unwrap`,
//! `sendfile`, `makefile`) is the generic stream's, written once.
//!
//! The socket is the stream's endpoint: on Unix its I/O waits with `poll`
//! (`MSG_DONTWAIT` first, except where a blocking socket waits in the call),
//! elsewhere it is put in the mode each call needs.

use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::time::Duration;

pub use socket2;
use socket2::{SockAddr, Socket, Type};

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::stream::{timeout_error, Op, SslStream};
pub use crate::stream::{SocketFile, SocketOptions};
use crate::transport::Direction;
use crate::transport::Endpoint;

/// Python's `SSLSocket` (S1-S16) over any backend `B`: the generic
/// [`SslStream`] over an owned [`socket2::Socket`].
///
/// Made by [`crate::ContextExt::wrap_socket`] (X19) or [`wrap_socket`]. Methods keep
/// Python's names; socket options (`getsockopt` / `setsockopt`) are the typed
/// accessors of [`socket2::Socket`], reached through [`SslSocket::socket`].
///
/// The timeout mode is read from the socket when it is wrapped: a
/// non-blocking socket is non-blocking (`gettimeout() == Some(0)`), a socket
/// with a read timeout (`SO_RCVTIMEO`) has that timeout, any other is
/// blocking. Accepted sockets start blocking, as in Python.
#[doc(alias = "SSLSocket")]
pub type SslSocket<B> = SslStream<B, Socket>;

/// `SSLContext.wrap_socket(sock, ...)` (X19) for any backend's context; also
/// available as the method [`crate::ContextExt::wrap_socket`].
pub fn wrap_socket<B: Backend>(
    context: &B::Context,
    sock: impl Into<Socket>,
    options: SocketOptions<B>,
) -> Result<SslSocket<B>> {
    SslSocket::create(context, sock.into(), options)
}

impl<B: Backend> SslStream<B, Socket> {
    /// `SSLSocket._create` (X19): Python's checks, the lazy / listening wrap,
    /// the handshake on connect.
    pub(crate) fn create(
        context: &B::Context,
        sock: Socket,
        options: SocketOptions<B>,
    ) -> Result<Self> {
        if sock.r#type()? != Type::STREAM {
            return Err(Error::not_implemented(
                crate::backend::Context::backend_name(context),
                "S1 SSLSocket over a non-stream socket (only stream sockets are supported)",
            ));
        }
        let timeout = infer_timeout(&sock)?;
        let mut this = SslStream::unwrapped(context, sock, options)?;
        this.timeout = timeout;
        let sock = this.sock()?;
        match sock.peer_addr() {
            Ok(_) => this.connected = true,
            Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                // Bytes queued on a socket that is not connected any more must
                // not pass for TLS data later (CPython's check).
                sock.set_nonblocking(true)?;
                let mut one = [0u8; 1];
                let early = (&*sock).read(&mut one);
                this.sock()?.apply_timeout(this.timeout)?;
                match early {
                    Ok(n) if n > 0 => {
                        return Err(Error::ssl_message(
                            "Closed before TLS handshake with data in recv buffer.",
                        ))
                    }
                    Ok(_) => {}
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::NotConnected
                                | io::ErrorKind::InvalidInput
                                | io::ErrorKind::WouldBlock
                        ) => {}
                    Err(e) => return Err(Error::Io(e)),
                }
            }
            Err(e) => return Err(Error::Io(e)),
        }
        if this.connected {
            this.start()?;
        }
        Ok(this)
    }

    /// Waits for and accepts a connection on the listening socket, as the
    /// timeout mode says (the socket is in that mode).
    fn accept_waiting(&self) -> Result<(Socket, SockAddr)> {
        let sock = self.sock()?;
        sock.apply_timeout(self.timeout)?;
        loop {
            match sock.accept() {
                Ok(v) => return Ok(v),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(if self.nonblocking() {
                        Error::Io(e)
                    } else {
                        timeout_error(Op::Plain, Direction::In)
                    })
                }
                Err(e) => return Err(Error::Io(e)),
            }
        }
    }

    /// The OS socket, for `getsockopt` / `setsockopt` (S1) through
    /// socket2's typed accessors (`set_nodelay`, `set_reuse_address`, ...).
    pub fn socket(&self) -> Result<&Socket> {
        self.sock()
    }

    fn sock(&self) -> Result<&Socket> {
        self.get_ref()
    }

    /// `fileno()` (S1): `-1` once closed or detached.
    #[cfg(unix)]
    pub fn fileno(&self) -> std::os::unix::io::RawFd {
        use std::os::unix::io::AsRawFd;
        self.link.as_ref().map_or(-1, |l| l.endpoint().as_raw_fd())
    }

    /// `fileno()` (S1): the socket handle; `u64::MAX` once closed or detached.
    #[cfg(windows)]
    pub fn fileno(&self) -> u64 {
        use std::os::windows::io::AsRawSocket;
        self.link
            .as_ref()
            .map_or(u64::MAX, |l| l.endpoint().as_raw_socket())
    }

    /// `bind(address)` (S1).
    pub fn bind(&self, addr: impl ToSocketAddrs) -> Result<()> {
        let addr = self.resolve(addr)?;
        self.sock()?.bind(&SockAddr::from(addr))?;
        Ok(())
    }

    /// `listen(backlog)` (S1).
    pub fn listen(&self, backlog: i32) -> Result<()> {
        self.sock()?.listen(backlog)?;
        Ok(())
    }

    fn resolve(&self, addr: impl ToSocketAddrs) -> Result<SocketAddr> {
        let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
        let v6 = self
            .sock()?
            .local_addr()
            .ok()
            .map(|a| a.is_ipv6())
            .unwrap_or(false);
        addrs
            .iter()
            .find(|a| a.is_ipv6() == v6)
            .or_else(|| addrs.first())
            .copied()
            .ok_or_else(|| {
                Error::Io(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "could not resolve address",
                ))
            })
    }

    /// `connect(address)` (S1, F1): connects, wraps (the lazy client wrap)
    /// and, with `do_handshake_on_connect`, shakes hands, all within the
    /// timeout.
    pub fn connect(&mut self, addr: impl ToSocketAddrs) -> Result<()> {
        self.real_connect(addr, false).map(|_| ())
    }

    /// `connect_ex(address)`: like `connect`, but an OS error of the TCP
    /// connect comes back as its errno (0 on success; `EINPROGRESS` on a
    /// non-blocking socket, after which `do_handshake` is retried).
    pub fn connect_ex(&mut self, addr: impl ToSocketAddrs) -> Result<i32> {
        self.real_connect(addr, true)
    }

    fn real_connect(&mut self, addr: impl ToSocketAddrs, ex: bool) -> Result<i32> {
        if self.server_side {
            return Err(Error::value("can't connect in server-side mode"));
        }
        if self.connected || self.obj.is_some() {
            return Err(Error::value(
                "attempt to connect already-connected SSLSocket!",
            ));
        }
        let addr = SockAddr::from(self.resolve(addr)?);
        let connected = {
            let sock = self.sock()?;
            match self.timeout {
                Some(t) if !t.is_zero() => sock.connect_timeout(&addr, t),
                _ => sock.connect(&addr),
            }
        };
        if let Err(e) = connected {
            if ex {
                if let Some(code) = e.raw_os_error() {
                    return Ok(code);
                }
            }
            if e.kind() == io::ErrorKind::TimedOut {
                return Err(Error::Timeout("timed out".into()));
            }
            return Err(Error::Io(e));
        }
        self.connected = true;
        if let Err(e) = self.start() {
            self.obj = None;
            return Err(e);
        }
        Ok(0)
    }

    /// `accept()` (S1, F1): accepts a connection on a wrapped listening
    /// socket and returns it wrapped server-side (with this socket's
    /// `do_handshake_on_connect` and `suppress_ragged_eofs`; blocking, as
    /// Python's accepted sockets are), with the peer's address.
    pub fn accept(&mut self) -> Result<(SslSocket<B>, SocketAddr)> {
        let (sock, addr) = self.accept_waiting()?;
        sock.set_nonblocking(false)?;
        sock.set_read_timeout(None)?;
        sock.set_write_timeout(None)?;
        let addr = addr.as_socket().ok_or_else(|| {
            Error::Io(io::Error::new(
                io::ErrorKind::Unsupported,
                "not an IP socket",
            ))
        })?;
        let options = SocketOptions {
            server_side: true,
            do_handshake_on_connect: self.do_handshake_on_connect,
            suppress_ragged_eofs: self.suppress_ragged_eofs,
            server_hostname: None,
            session: None,
        };
        Ok((SslSocket::create(&self.context, sock, options)?, addr))
    }

    /// `getpeername()` (S1).
    pub fn getpeername(&self) -> Result<SocketAddr> {
        sockaddr(self.sock()?.peer_addr()?)
    }

    /// `getsockname()` (S1).
    pub fn getsockname(&self) -> Result<SocketAddr> {
        sockaddr(self.sock()?.local_addr()?)
    }

    /// `shutdown(how)` (S1): drops the TLS layer without close_notify (as
    /// Python does) and shuts the OS socket down.
    pub fn shutdown(&mut self, how: Shutdown) -> Result<()> {
        self.obj = None;
        self.sock()?.shutdown(how)?;
        Ok(())
    }
}

fn sockaddr(addr: SockAddr) -> Result<SocketAddr> {
    addr.as_socket().ok_or_else(|| {
        Error::Io(io::Error::new(
            io::ErrorKind::Unsupported,
            "not an IP socket",
        ))
    })
}

/// The timeout mode a freshly wrapped socket is in.
fn infer_timeout(sock: &Socket) -> Result<Option<Duration>> {
    #[cfg(unix)]
    if sock.nonblocking()? {
        return Ok(Some(Duration::ZERO));
    }
    Ok(sock.read_timeout()?)
}
