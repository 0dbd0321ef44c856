//! [`SocketOptions`]: the per-connection arguments of `wrap_socket` / `wrap_stream`.

use crate::backend::{Backend, Context};
use crate::error::{Error, Result};

/// The per-connection arguments of `SSLContext.wrap_socket` (X19):
/// `server_side=False, do_handshake_on_connect=True, suppress_ragged_eofs=True,
/// server_hostname=None, session=None` by default.
pub struct SocketOptions<B: Backend> {
    /// `server_side`.
    pub server_side: bool,
    /// `do_handshake_on_connect`: shake hands in `wrap_socket` (connected
    /// socket), `connect` (lazy client) or `accept` (listening socket).
    pub do_handshake_on_connect: bool,
    /// `suppress_ragged_eofs`: an EOF without close_notify reads as `b""`
    /// (true) or raises `SSLEOFError` (false) (S16).
    pub suppress_ragged_eofs: bool,
    /// `server_hostname`: SNI and the name checked under `check_hostname`.
    pub server_hostname: Option<String>,
    /// `session`: a session to resume (client side, S14).
    pub session: Option<B::Session>,
}

impl<B: Backend> Default for SocketOptions<B> {
    fn default() -> Self {
        SocketOptions {
            server_side: false,
            do_handshake_on_connect: true,
            suppress_ragged_eofs: true,
            server_hostname: None,
            session: None,
        }
    }
}

impl<B: Backend> SocketOptions<B> {
    /// Client side, with `server_hostname`.
    pub fn client(server_hostname: impl Into<String>) -> Self {
        SocketOptions {
            server_hostname: Some(server_hostname.into()),
            ..Self::default()
        }
    }

    /// Server side.
    pub fn server() -> Self {
        SocketOptions {
            server_side: true,
            ..Self::default()
        }
    }

    /// Sets `do_handshake_on_connect`.
    pub fn do_handshake_on_connect(mut self, on: bool) -> Self {
        self.do_handshake_on_connect = on;
        self
    }

    /// Sets `suppress_ragged_eofs`.
    pub fn suppress_ragged_eofs(mut self, on: bool) -> Self {
        self.suppress_ragged_eofs = on;
        self
    }

    /// Sets `session`.
    pub fn session(mut self, session: B::Session) -> Self {
        self.session = Some(session);
        self
    }
}

impl<B: Backend> SocketOptions<B> {
    /// Python's argument checks of `wrap_socket` (X19) against `context`:
    /// ValueErrors for `server_hostname` or `session` on the server side,
    /// and for a client without `server_hostname` under `check_hostname`.
    pub(crate) fn check(&self, context: &B::Context) -> Result<()> {
        if self.server_side {
            if self.server_hostname.is_some() {
                return Err(Error::value(
                    "server_hostname can only be specified in client mode",
                ));
            }
            if self.session.is_some() {
                return Err(Error::value("session can only be specified in client mode"));
            }
        }
        if context.check_hostname() && self.server_hostname.is_none() {
            return Err(Error::value("check_hostname requires server_hostname"));
        }
        Ok(())
    }
}
