//! The owned OS socket as an [`Endpoint`] (`SSLSocket`'s), and Python's
//! `repr()` of a socket (shared with [`super::BorrowedSocket`]).

use std::io;
#[cfg(not(unix))]
use std::io::Read;
use std::net::SocketAddr;
use std::time::Duration;

use socket2::Socket;

use super::endpoint::{Endpoint, Wait};

/// An owned OS socket (`SSLSocket`'s endpoint). On Unix its I/O waits with
/// `poll` whatever mode the socket is in; elsewhere each call puts the socket
/// in the mode it needs (its timeout set to what is left of the deadline).
impl Endpoint for Socket {
    #[cfg(unix)]
    fn recv(&self, buf: &mut [u8], wait: Wait) -> io::Result<usize> {
        use std::os::fd::AsFd;
        super::endpoint::unix::recv(self.as_fd(), buf, wait)
    }

    #[cfg(unix)]
    fn send(&self, bufs: &[io::IoSlice<'_>], wait: Wait) -> io::Result<usize> {
        use std::os::fd::AsFd;
        super::endpoint::unix::send(self.as_fd(), bufs, wait)
    }

    #[cfg(not(unix))]
    fn recv(&self, buf: &mut [u8], wait: Wait) -> io::Result<usize> {
        super::endpoint::moded(self, true, wait, |s| (&*s).read(&mut *buf))
    }

    #[cfg(not(unix))]
    fn send(&self, bufs: &[io::IoSlice<'_>], wait: Wait) -> io::Result<usize> {
        super::endpoint::moded(self, false, wait, |s| s.send_vectored(bufs))
    }

    /// Python's modes on the OS socket: `None` blocking without timeouts,
    /// `Some(0)` non-blocking, else blocking with `SO_RCVTIMEO` /
    /// `SO_SNDTIMEO` at the timeout (what `detach()` hands back).
    fn apply_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match timeout {
            None => {
                self.set_nonblocking(false)?;
                self.set_read_timeout(None)?;
                self.set_write_timeout(None)?;
            }
            Some(t) if t.is_zero() => self.set_nonblocking(true)?,
            Some(t) => {
                self.set_nonblocking(false)?;
                self.set_read_timeout(Some(t))?;
                self.set_write_timeout(Some(t))?;
            }
        }
        Ok(())
    }

    fn describe(&self) -> String {
        describe(self)
    }
}

/// What Python's `repr()` shows of a socket: `fd=3, family=2, type=1,
/// proto=0, laddr=('127.0.0.1', 5000), raddr=(...)` (`proto` is shown as 0).
pub(crate) fn describe(sock: &Socket) -> String {
    #[cfg(unix)]
    let fd = i64::from(std::os::fd::AsRawFd::as_raw_fd(sock));
    #[cfg(not(unix))]
    let fd = -1i64;
    let local = sock.local_addr().ok();
    let family = local.as_ref().map_or(0, |a| i32::from(a.domain()));
    let mut s = format!("fd={fd}, family={family}, type=1, proto=0");
    if let Some(a) = local.and_then(|a| a.as_socket()) {
        s.push_str(&format!(", laddr={}", py_addr(&a)));
    }
    if let Some(a) = sock.peer_addr().ok().and_then(|a| a.as_socket()) {
        s.push_str(&format!(", raddr={}", py_addr(&a)));
    }
    s
}

/// Python's address tuple: `('127.0.0.1', 5000)` / `('::1', 5000, 0, 0)`.
fn py_addr(a: &SocketAddr) -> String {
    match a {
        SocketAddr::V4(a) => format!("('{}', {})", a.ip(), a.port()),
        SocketAddr::V6(a) => format!(
            "('{}', {}, {}, {})",
            a.ip(),
            a.port(),
            a.flowinfo(),
            a.scope_id()
        ),
    }
}
