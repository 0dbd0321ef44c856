//! [`ContextExt`]: `SSLContext.wrap_socket` and `wrap_stream` for every
//! backend's context, written once over [`Context::wrap_transport`]. An
//! extension trait, so that the backend traits do not depend on the stream
//! layer built on top of them (`use ssl_api::ContextExt`, or the facade's
//! `ssl::ContextExt`, brings the methods into scope).

use crate::backend::Context;
use crate::error::Result;
use crate::socket::SslSocket;
use crate::stream::{SocketOptions, SslStream};
use crate::transport::Endpoint;

/// Python's `SSLSocket` over a transport, for any [`Context`].
pub trait ContextExt: Context {
    /// `wrap_socket(sock, server_side, do_handshake_on_connect,
    /// suppress_ragged_eofs, server_hostname, session)` (X19): an
    /// `SSLSocket` over `sock` (a `TcpStream`, `TcpListener` or
    /// `socket2::Socket`), the same on every backend. `server_hostname`
    /// with `server_side` is a ValueError, and so is a client without
    /// `server_hostname` under `check_hostname`.
    fn wrap_socket(
        &self,
        sock: impl Into<socket2::Socket>,
        options: SocketOptions<Self::Backend>,
    ) -> Result<SslSocket<Self::Backend>> {
        crate::socket::wrap_socket::<Self::Backend>(self, sock, options)
    }

    /// Python's `SSLSocket` semantics over any transport, already
    /// connected: a borrowed descriptor ([`crate::transport::BorrowedSocket`]),
    /// any `Read + Write` stream ([`crate::transport::IoStream`]) or an owned
    /// socket. With `do_handshake_on_connect` it shakes hands here. The same
    /// checks as `wrap_socket`.
    fn wrap_stream<E: Endpoint>(
        &self,
        endpoint: E,
        options: SocketOptions<Self::Backend>,
    ) -> Result<SslStream<Self::Backend, E>> {
        crate::stream::wrap_stream(self, endpoint, options)
    }
}

impl<C: Context> ContextExt for C {}
