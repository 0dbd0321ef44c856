//! Endpoints: the byte streams a [`super::Link`] runs over, each with its own
//! way of waiting. An owned OS socket ([`socket2::Socket`]), a socket someone
//! else owns ([`BorrowedSocket`], Unix: its blocking flag and timeouts are
//! never changed, waits use `poll` against our own deadline), and any
//! `Read + Write` stream ([`IoStream`]: it waits as it was made to).

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

#[cfg(not(unix))]
use socket2::Socket;

/// How long one endpoint call may wait for its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Not at all: `WouldBlock` when nothing can move now (non-blocking mode,
    /// and the looks the Link takes before it waits).
    Never,
    /// Until this instant: then `TimedOut` (a timeout is a total per call).
    Until(Instant),
    /// As long as it takes (blocking mode).
    Forever,
}

/// A byte stream under a [`super::Link`].
pub trait Endpoint: Send + Sync + 'static {
    /// Receives up to `buf.len()` bytes: `Ok(0)` at the end of the stream;
    /// `WouldBlock` when nothing came in time under [`Wait::Never`],
    /// `TimedOut` under [`Wait::Until`].
    fn recv(&self, buf: &mut [u8], wait: Wait) -> io::Result<usize>;

    /// Sends a prefix of `bufs` (in order) and returns its length, waiting as
    /// `wait` says for room (errors as [`Endpoint::recv`]).
    fn send(&self, bufs: &[io::IoSlice<'_>], wait: Wait) -> io::Result<usize>;

    /// Whether the endpoint honours [`Wait::Never`] and [`Wait::Until`]. A
    /// plain `Read + Write` stream cannot: it waits as the stream itself
    /// does (its own non-blocking mode or timeouts).
    fn chooses_waits(&self) -> bool {
        true
    }

    /// Puts the endpoint in Python's mode for `timeout` (`None` blocking,
    /// `Some(0)` non-blocking, else a timeout), where that mode is ours to
    /// set: an owned socket's is (Python sets it, and `detach()` hands the
    /// socket back in it); a borrowed one's belongs to its owner, and the
    /// Link's waits do not depend on it, so the default leaves it alone.
    fn apply_timeout(&self, timeout: Option<std::time::Duration>) -> io::Result<()> {
        let _ = timeout;
        Ok(())
    }

    /// What Python's `repr()` shows of the endpoint, inside `<ssl.SSLSocket ...>`.
    fn describe(&self) -> String {
        String::from("[stream]")
    }
}

#[cfg(unix)]
pub(crate) mod unix {
    use super::*;
    use rustix::event::{PollFd, PollFlags, Timespec};
    use rustix::io::{retry_on_intr, Errno};
    use rustix::net::{RecvFlags, SendFlags};
    use std::os::fd::BorrowedFd;

    /// Whether the descriptor is in non-blocking mode (`O_NONBLOCK`).
    fn is_nonblocking(fd: BorrowedFd<'_>) -> bool {
        rustix::fs::fcntl_getfl(fd).is_ok_and(|f| f.contains(rustix::fs::OFlags::NONBLOCK))
    }

    /// Waits until `fd` is ready for `events`; false when `deadline` passed first.
    fn ready(fd: BorrowedFd<'_>, events: PollFlags, deadline: Option<Instant>) -> io::Result<bool> {
        loop {
            let timeout = match deadline {
                None => None,
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Ok(false);
                    }
                    Some(Timespec::try_from(left).unwrap_or(Timespec {
                        tv_sec: i32::MAX.into(),
                        tv_nsec: 0,
                    }))
                }
            };
            let mut fds = [PollFd::new(&fd, events)];
            match rustix::event::poll(&mut fds, timeout.as_ref()) {
                Ok(0) => continue, // the deadline check above decides
                Ok(_) => return Ok(true),
                Err(Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// One socket call under `wait`: without waiting first, then (after
    /// `EAGAIN`) polling as `wait` allows. A blocking wait asks the kernel to
    /// wait in the call itself (no failed call before each record), which
    /// still works on a descriptor its owner made non-blocking.
    fn call(
        fd: BorrowedFd<'_>,
        events: PollFlags,
        wait: Wait,
        mut op: impl FnMut(bool) -> rustix::io::Result<usize>,
    ) -> io::Result<usize> {
        loop {
            match retry_on_intr(|| op(wait == Wait::Forever)) {
                Ok(n) => return Ok(n),
                Err(Errno::AGAIN) => {}
                Err(e) => return Err(e.into()),
            }
            let deadline = match wait {
                Wait::Never => return Err(io::ErrorKind::WouldBlock.into()),
                // A blocking descriptor's EAGAIN is its own timeout
                // (SO_RCVTIMEO / SO_SNDTIMEO, set by its owner) expiring;
                // a non-blocking one's only means "not yet".
                Wait::Forever if !is_nonblocking(fd) => return Err(io::ErrorKind::TimedOut.into()),
                Wait::Forever => None,
                Wait::Until(d) => Some(d),
            };
            if !ready(fd, events, deadline)? {
                return Err(io::ErrorKind::TimedOut.into());
            }
        }
    }

    pub(crate) fn recv(fd: BorrowedFd<'_>, buf: &mut [u8], wait: Wait) -> io::Result<usize> {
        call(fd, PollFlags::IN, wait, |blocking| {
            let flags = if blocking {
                RecvFlags::empty()
            } else {
                RecvFlags::DONTWAIT
            };
            rustix::net::recv(fd, &mut *buf, flags).map(|(n, _)| n)
        })
    }

    pub(crate) fn send(
        fd: BorrowedFd<'_>,
        bufs: &[io::IoSlice<'_>],
        wait: Wait,
    ) -> io::Result<usize> {
        // No SIGPIPE for a peer that went away, where the flag exists (as
        // socket2's own sends; Apple systems have no MSG_NOSIGNAL).
        #[cfg(not(target_vendor = "apple"))]
        let base = SendFlags::NOSIGNAL;
        #[cfg(target_vendor = "apple")]
        let base = SendFlags::empty();
        call(fd, PollFlags::OUT, wait, |blocking| {
            let flags = if blocking {
                base
            } else {
                base | SendFlags::DONTWAIT
            };
            match bufs {
                [one] => rustix::net::send(fd, one, flags),
                _ => rustix::net::sendmsg(fd, bufs, &mut Default::default(), flags),
            }
        })
    }
}

/// A socket call on a platform without our `poll`: the socket is put in the
/// mode `wait` needs before each try (non-blocking, blocking, or blocking with
/// its timeout at what is left of the deadline).
#[cfg(not(unix))]
pub(crate) fn moded(
    sock: &Socket,
    reading: bool,
    wait: Wait,
    mut op: impl FnMut(&Socket) -> io::Result<usize>,
) -> io::Result<usize> {
    use std::time::Duration;
    loop {
        match wait {
            Wait::Never => sock.set_nonblocking(true)?,
            Wait::Forever => {
                sock.set_nonblocking(false)?;
                if reading {
                    sock.set_read_timeout(None)?;
                } else {
                    sock.set_write_timeout(None)?;
                }
            }
            Wait::Until(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                // Zero means "no timeout" to the kernel: never less than 1 ms.
                let left = Some(left.max(Duration::from_millis(1)));
                sock.set_nonblocking(false)?;
                if reading {
                    sock.set_read_timeout(left)?;
                } else {
                    sock.set_write_timeout(left)?;
                }
            }
        }
        match op(sock) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                match wait {
                    Wait::Never => return Err(io::ErrorKind::WouldBlock.into()),
                    // A kernel timeout set behind our back.
                    Wait::Forever => return Err(io::ErrorKind::TimedOut.into()),
                    Wait::Until(_) => continue, // the deadline check decides
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// A socket someone else owns (Unix): a Python socket's descriptor, a
/// `TcpStream` or `UnixStream` the caller keeps using, reached through `S`
/// (`Arc<TcpStream>`, `&'static UnixStream`, or any type that lends the
/// descriptor). Its blocking flag and its timeouts are never changed: every
/// call uses `MSG_DONTWAIT` and waits with `poll` against the stream's own
/// deadline (CPython's `_ssl` does the same with its `sock_timeout`).
#[cfg(unix)]
#[derive(Debug)]
pub struct BorrowedSocket<S>(S);

#[cfg(unix)]
impl<S: std::os::fd::AsFd + Send + Sync + 'static> BorrowedSocket<S> {
    /// The endpoint over the socket `S` lends.
    pub fn new(socket: S) -> Self {
        BorrowedSocket(socket)
    }

    /// What lends the socket.
    pub fn get_ref(&self) -> &S {
        &self.0
    }

    /// Gives back what lends the socket.
    pub fn into_inner(self) -> S {
        self.0
    }
}

#[cfg(unix)]
impl<S: std::os::fd::AsFd + Send + Sync + 'static> Endpoint for BorrowedSocket<S> {
    fn recv(&self, buf: &mut [u8], wait: Wait) -> io::Result<usize> {
        unix::recv(self.0.as_fd(), buf, wait)
    }

    fn send(&self, bufs: &[io::IoSlice<'_>], wait: Wait) -> io::Result<usize> {
        unix::send(self.0.as_fd(), bufs, wait)
    }

    fn describe(&self) -> String {
        super::socket::describe(&socket2::SockRef::from(&self.0))
    }
}

#[cfg(unix)]
impl<S: std::os::fd::AsFd> std::os::fd::AsRawFd for BorrowedSocket<S> {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.0.as_fd().as_raw_fd()
    }
}

#[cfg(unix)]
impl<S: std::os::fd::AsFd> std::os::fd::AsFd for BorrowedSocket<S> {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// Any `Read + Write` byte stream (a `TcpStream` or `UnixStream` by value, a
/// pipe pair, a test double). It waits as the stream was made to: a blocking
/// stream blocks, and a `WouldBlock` from it means its own timeout expired
/// (`TimeoutError`, as std's streams report an `SO_RCVTIMEO` timeout); after
/// `setblocking(false)` (make the stream itself non-blocking too) its
/// `WouldBlock` becomes `SSLWantReadError` / `SSLWantWriteError`. A deadline
/// of ours cannot be imposed on it: `settimeout` with a duration is refused.
#[derive(Debug)]
pub struct IoStream<T> {
    stream: Mutex<T>,
    nonblocking: AtomicBool,
}

impl<T: io::Read + io::Write + Send + 'static> IoStream<T> {
    /// The endpoint over `stream`.
    pub fn new(stream: T) -> Self {
        IoStream {
            stream: Mutex::new(stream),
            nonblocking: AtomicBool::new(false),
        }
    }

    /// The stream (locked: the Link reads and writes it through the same lock).
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.stream.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Gives the stream back.
    pub fn into_inner(self) -> T {
        self.stream.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// A blocking stream's `WouldBlock` is its timeout expiring.
    fn timed(&self, e: io::Error) -> io::Error {
        if e.kind() == io::ErrorKind::WouldBlock && !self.nonblocking.load(Ordering::Relaxed) {
            return io::ErrorKind::TimedOut.into();
        }
        e
    }
}

impl<T: io::Read + io::Write + Send + 'static> Endpoint for IoStream<T> {
    fn recv(&self, buf: &mut [u8], _wait: Wait) -> io::Result<usize> {
        let mut stream = self.lock();
        loop {
            match stream.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.timed(e)),
                Ok(n) => return Ok(n),
            }
        }
    }

    fn send(&self, bufs: &[io::IoSlice<'_>], _wait: Wait) -> io::Result<usize> {
        let mut stream = self.lock();
        loop {
            let sent = match bufs {
                [one] => stream.write(one),
                _ => stream.write_vectored(bufs),
            };
            match sent {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.timed(e)),
                Ok(n) => {
                    // A buffered writer must not sit on a handshake flight.
                    stream.flush().map_err(|e| self.timed(e))?;
                    return Ok(n);
                }
            }
        }
    }

    fn chooses_waits(&self) -> bool {
        false
    }

    /// Records the mode the stream is in (`None` blocking, `Some(0)`
    /// non-blocking); a duration is refused (the stream's own timeouts apply).
    fn apply_timeout(&self, timeout: Option<std::time::Duration>) -> io::Result<()> {
        match timeout {
            None => self.nonblocking.store(false, Ordering::Relaxed),
            Some(t) if t.is_zero() => self.nonblocking.store(true, Ordering::Relaxed),
            Some(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "a Read + Write stream waits as it was made to: set its own timeouts",
                ))
            }
        }
        Ok(())
    }
}
