//! The shared cases of the generic `SSLSocket` (S1-S16, X19) and of the
//! module functions that use it (F1, F2, F3-F5, F10, F13), over real
//! loopback sockets. Every socket has a timeout, every thread is scoped (and
//! so joined), ports come from binding port 0.
//!
//! The stream-level cases are written once, generic over the carrier
//! ([`crate::carriers`]), and instantiated by [`crate::over_carriers!`] over
//! an owned socket (`socket_*`), a borrowed descriptor (`borrowed_*`) and a
//! plain `Read + Write` stream (`stream_*`). (Over a borrowed socket, a
//! stream without a timeout of its own waits without a bound: the socket's
//! `SO_RCVTIMEO` is its owner's.) By job:
//!
//! - `wrapping.rs`: what only an owned socket does (the lazy client wrap,
//!   `accept` on a wrapped listener) and the module functions;
//! - `io.rs`: blocking and non-blocking I/O, timeouts;
//! - `closing.rs`: ragged EOFs, `unwrap` (STARTTLS), a reset under the handshake;
//! - `extras.rs`: `makefile`, `sendfile`, attributes and session reuse,
//!   handshake flights.

use std::thread;

use ssl_api::transport::Endpoint;
use ssl_api::{Backend, Error, SocketOptions, SslErrorKind, SslStream};

use crate::carriers::Carrier;
use crate::net::{accept_plain, connect_plain};

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

// The cases, by job. Declared after the helper macro above, which they use;
// re-exported so that every case stays `crate::socket_cases::NAME`.
mod closing;
mod extras;
mod io;
mod wrapping;

pub use closing::*;
pub use extras::*;
pub use io::*;
pub use wrapping::*;

pub(crate) fn e2s(e: Error) -> String {
    format!("{} ({})", e, e.python_type())
}

fn e2s_ref(e: &Error) -> String {
    format!("{} ({})", e, e.python_type())
}

pub(crate) fn joined<T>(h: thread::ScopedJoinHandle<'_, Result<T, String>>) -> Result<T, String> {
    h.join().map_err(|_| "a peer thread panicked".to_string())?
}

fn common_name_is(rec: &ssl_api::CertRecord, cn: &str) -> bool {
    rec.subject()
        .iter()
        .flatten()
        .any(|(k, v)| k == "commonName" && v.as_str() == Some(cn))
}

/// Reads exactly `n` bytes through `recv`.
fn recv_exact<B: Backend, E: Endpoint>(
    s: &mut SslStream<B, E>,
    n: usize,
) -> Result<Vec<u8>, String> {
    let mut got = Vec::with_capacity(n);
    while got.len() < n {
        let chunk = s.recv(n - got.len(), 0).map_err(e2s)?;
        ensure!(!chunk.is_empty(), "EOF after {} of {n} bytes", got.len());
        got.extend_from_slice(&chunk);
    }
    Ok(got)
}

/// A server thread's body: accept one TLS client on `l` with `ctx` (over
/// carrier `C`), then `f`.
fn serve_one<B: Backend, C: Carrier, T>(
    l: &ssl_api::socket2::Socket,
    ctx: &B::Context,
    f: impl FnOnce(SslStream<B, C::E>) -> Result<T, String>,
) -> Result<T, String> {
    let sock = accept_plain(l)?;
    let conn = C::wrap::<B>(ctx, sock, SocketOptions::server())
        .map_err(|e| format!("server handshake: {}", e2s(e)))?;
    f(conn)
}

/// A TLS client of `localhost` over carrier `C`, on a plain socket connected
/// to loopback `port` (the carriers' [`crate::net::connect_localhost`]).
fn connect_client<B: Backend, C: Carrier>(
    ctx: &B::Context,
    port: u16,
) -> Result<SslStream<B, C::E>, String> {
    C::wrap::<B>(
        ctx,
        connect_plain(false, port)?,
        SocketOptions::client("localhost"),
    )
    .map_err(e2s)
}

fn want_kind<T>(r: &ssl_api::Result<T>) -> Option<SslErrorKind> {
    match r {
        Err(e) if e.is_want() => e.ssl_kind_of(),
        _ => None,
    }
}

/// The stream's descriptor, for [`crate::net::poll`].
#[cfg(unix)]
fn fd_of<B: Backend, C: Carrier>(s: &SslStream<B, C::E>) -> std::os::unix::io::RawFd {
    C::fd(s)
}

#[cfg(not(unix))]
fn fd_of<B: Backend, C: Carrier>(_s: &SslStream<B, C::E>) -> u64 {
    0
}
