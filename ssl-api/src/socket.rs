//! `SSLSocket` (reference rows S1-S16, X19), written once for every backend
//! (DESIGN §3): an OS socket ([`socket2::Socket`]) plus a backend's
//! [`Object`] over two [`MemoryBio`]s. The socket moves TLS records between
//! the network and the Object's BIOs; everything Python's `SSLSocket` adds to
//! `SSLObject` lives here, so it behaves the same on every backend:
//!
//! - blocking, non-blocking (`setblocking(false)`: [`SslErrorKind::WantRead`] /
//!   [`SslErrorKind::WantWrite`], never a bare `WouldBlock`) and timeouts
//!   (`settimeout`: the timeout bounds the *whole* call, as in CPython 3.5+);
//! - the lazy client wrap (an unconnected socket shakes hands in
//!   [`SslSocket::connect`]) and the listening wrap ([`SslSocket::accept`]
//!   returns server-side sockets);
//! - `do_handshake_on_connect`, `suppress_ragged_eofs`, `unwrap` (close_notify
//!   both ways, then plain text on the same connection), `sendfile`,
//!   `makefile`.
//!
//! Incoming bytes are read one TLS record at a time (the 5-byte header, then
//! exactly the body it announces), the way OpenSSL reads without read-ahead:
//! nothing past the peer's close_notify is ever taken from the kernel, so
//! plain text that follows an `unwrap()` (STARTTLS-style protocols) stays on
//! the socket for the plain reader.

use std::fs::File;
use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub use socket2;
use socket2::{SockAddr, Socket, Type};

use crate::backend::{Backend, Context, Object};
use crate::bio::{Bio, MemoryBio};
#[cfg(unix)]
use crate::bio::{BioSink, BioSource, Pulled};
use crate::cert::record::CertRecord;
use crate::error::{Error, Result, SslErrorKind};
use crate::types::{CipherTriple, WrapOptions};

/// Python's class name in `SSLSocket`'s error messages.
const CLASS: &str = "<class 'ssl.SSLSocket'>";

/// Plain text handed to the Object in one `write` call: one TLS record's worth.
const WRITE_CHUNK: usize = 16 * 1024;

/// Block size of [`SslSocket::sendfile`] (the send() path, as CPython's
/// `_sendfile_use_send`, with one TLS record per block).
const SENDFILE_BLOCK: usize = 16 * 1024;

/// The `makefile()` buffer size (`io.DEFAULT_BUFFER_SIZE`).
const FILE_BUFFER: usize = 8192;

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

/// `SSLContext.wrap_socket(sock, ...)` (X19) for any backend's context; also
/// available as the provided method [`Context::wrap_socket`].
pub fn wrap_socket<B: Backend>(
    context: &B::Context,
    sock: impl Into<Socket>,
    options: SocketOptions<B>,
) -> Result<SslSocket<B>> {
    SslSocket::create(context, sock.into(), options)
}

/// Which call a wait belongs to: it picks the timeout message (CPython's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Handshake,
    Read,
    Write,
    Shutdown,
    Plain,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dir {
    In,
    Out,
}

/// CPython's `TimeoutError` texts. (CPython 3.11 prefixes the handshake one
/// with its C source location, `_ssl.c:989: `; that location is left out.)
fn timeout_error(op: Op, dir: Dir) -> Error {
    Error::Timeout(
        match (op, dir) {
            (Op::Handshake, _) => "The handshake operation timed out",
            (Op::Read, _) | (Op::Shutdown, Dir::In) => "The read operation timed out",
            (Op::Write, _) | (Op::Shutdown, Dir::Out) => "The write operation timed out",
            (Op::Plain, _) => "timed out",
        }
        .to_owned(),
    )
}

/// `OSError(EBADF)`: the socket was closed or detached.
fn bad_fd() -> Error {
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

/// Runs one socket call, waiting as the mode says: blocking (no deadline),
/// non-blocking (`WouldBlock` becomes WantRead/WantWrite for TLS calls and
/// stays `BlockingIOError` for plain ones) or up to `deadline` (the socket's
/// SO_RCVTIMEO / SO_SNDTIMEO are set to what is left of it before each try).
fn sock_io<T>(
    sock: &Socket,
    nonblocking: bool,
    dir: Dir,
    op: Op,
    deadline: Option<Instant>,
    mut call: impl FnMut(&Socket) -> io::Result<T>,
) -> Result<T> {
    loop {
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(timeout_error(op, dir));
            }
            // Zero means "no timeout" to the kernel: never pass less than 1 ms.
            let left = left.max(Duration::from_millis(1));
            match dir {
                Dir::In => sock.set_read_timeout(Some(left))?,
                Dir::Out => sock.set_write_timeout(Some(left))?,
            }
        }
        match call(sock) {
            Ok(v) => return Ok(v),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                if nonblocking {
                    return Err(match (op, dir) {
                        (Op::Plain, _) => Error::Io(e),
                        (_, Dir::In) => Error::want_read(),
                        (_, Dir::Out) => Error::want_write(),
                    });
                }
                if deadline.is_none() {
                    // A blocking socket with a kernel timeout set behind our back.
                    return Err(timeout_error(op, dir));
                }
                // Loop: the deadline check above decides.
            }
            Err(e) => return Err(Error::Io(e)),
        }
    }
}

/// Where the reader is in the TLS record stream: it asks the kernel for no
/// more than the rest of the current header or body.
#[derive(Clone, Copy, Debug, Default)]
struct RecordFramer {
    header: [u8; 5],
    have: usize,
    body_left: usize,
    eof: bool,
}

impl RecordFramer {
    /// Bytes to request next: the rest of the header, or of the body.
    fn want(&self) -> usize {
        if self.body_left > 0 {
            self.body_left
        } else {
            5 - self.have
        }
    }

    /// Accounts for `bytes` (at most [`Self::want`] of them) having arrived.
    /// True when they completed a header whose body is now due.
    fn consumed(&mut self, bytes: &[u8]) -> bool {
        if self.body_left > 0 {
            self.body_left -= bytes.len().min(self.body_left);
            return false;
        }
        let n = bytes.len().min(5 - self.have);
        self.header[self.have..self.have + n].copy_from_slice(&bytes[..n]);
        self.have += n;
        if self.have < 5 {
            return false;
        }
        self.body_left = usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
        self.have = 0;
        self.body_left > 0
    }
}

/// What the socket shares with its Object's BIOs: the record framer of the
/// incoming stream and, on Unix, a duplicate handle of the socket. The
/// incoming BIO pulls from it when the TLS library asks for bytes already in
/// the kernel (they land in the library's own buffer), and writes to the
/// empty outgoing BIO go to the kernel at once when the socket holds nothing
/// back (they leave from the library's own buffer). Errors those direct
/// calls meet wait here for the socket to raise.
#[derive(Debug, Default)]
struct SocketLink {
    framer: Mutex<RecordFramer>,
    recv_error: ErrorSlot,
    send_error: ErrorSlot,
    /// Set while the socket sends the Object's output itself: while output
    /// of its own waits (`out`), which nothing may overtake, and during the
    /// handshake, whose flight must leave in one send (records sent one by
    /// one, as some libraries write them, can wait on Nagle's algorithm for
    /// the peer's delayed ACK).
    hold_sends: AtomicBool,
    /// Set when a direct send left bytes in the outgoing BIO, until the
    /// socket has sent them: the peer may be waiting for them.
    output_waiting: AtomicBool,
    /// The socket is blocking (no timeout): a pull may wait for its bytes,
    /// as the TLS library reading a blocking socket itself would.
    blocking: AtomicBool,
    /// The duplicate handle (Unix only: elsewhere the socket does all I/O).
    #[cfg(unix)]
    sock: Option<Socket>,
}

/// An error a direct call met, kept for the socket to raise. Looking costs
/// no lock (the socket looks at every flush and wait).
#[derive(Debug, Default)]
struct ErrorSlot {
    set: AtomicBool,
    error: Mutex<Option<io::Error>>,
}

impl ErrorSlot {
    /// (Direct calls exist on Unix only.)
    #[cfg(unix)]
    fn put(&self, e: io::Error) {
        *lock(&self.error) = Some(e);
        self.set.store(true, Ordering::Release);
    }

    fn is_set(&self) -> bool {
        self.set.load(Ordering::Acquire)
    }

    fn take(&self) -> Option<io::Error> {
        if !self.set.load(Ordering::Acquire) {
            return None;
        }
        self.set.store(false, Ordering::Release);
        lock(&self.error).take()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every update under these locks is a single assignment: still usable
    // after a panic elsewhere.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SocketLink {
    fn framer(&self) -> MutexGuard<'_, RecordFramer> {
        lock(&self.framer)
    }
}

#[cfg(unix)]
impl BioSink for SocketLink {
    fn push(&self, bufs: &[io::IoSlice<'_>]) -> usize {
        use rustix::io::{retry_on_intr, Errno};
        use rustix::net::SendFlags;
        let Some(sock) = &self.sock else {
            return 0;
        };
        if self.hold_sends.load(Ordering::Acquire) {
            self.output_waiting.store(true, Ordering::Release);
            return 0;
        }
        // No SIGPIPE for a peer that went away, where the flag exists (as
        // socket2's own sends; Apple systems have no MSG_NOSIGNAL).
        #[cfg(not(target_vendor = "apple"))]
        let flags = SendFlags::DONTWAIT | SendFlags::NOSIGNAL;
        #[cfg(target_vendor = "apple")]
        let flags = SendFlags::DONTWAIT;
        let offered: usize = bufs.iter().map(|b| b.len()).sum();
        let send = || match bufs {
            [one] => rustix::net::send(sock, one, flags),
            _ => rustix::net::sendmsg(sock, bufs, &mut Default::default(), flags),
        };
        let sent = match retry_on_intr(send) {
            Ok(n) => n,
            Err(Errno::AGAIN) => 0,
            Err(e) => {
                self.send_error.put(e.into());
                0
            }
        };
        if sent < offered {
            self.output_waiting.store(true, Ordering::Release);
        }
        sent
    }
}

#[cfg(unix)]
impl BioSource for SocketLink {
    fn pull(&self, out: &mut [u8]) -> Pulled {
        use rustix::io::{retry_on_intr, Errno};
        use rustix::net::RecvFlags;
        let Some(sock) = &self.sock else {
            return Pulled::Nothing;
        };
        let mut framer = self.framer();
        if framer.eof {
            return Pulled::Eof;
        }
        // Never past the current record, as the socket's own reads.
        let n = out.len().min(framer.want());
        // A blocking socket with nothing of ours waiting to leave waits here,
        // as a library reading the socket itself does: asking the kernel
        // first without waiting would cost a failed call whenever the record
        // is not there yet. Otherwise the socket sends, then waits.
        let wait = self.blocking.load(Ordering::Acquire)
            && !self.hold_sends.load(Ordering::Acquire)
            && !self.output_waiting.load(Ordering::Acquire);
        let flags = if wait {
            RecvFlags::empty()
        } else {
            RecvFlags::DONTWAIT
        };
        match retry_on_intr(|| rustix::net::recv(sock, &mut out[..n], flags)) {
            Ok((0, _)) => {
                framer.eof = true;
                Pulled::Eof
            }
            Ok((got, _)) => {
                framer.consumed(&out[..got]);
                Pulled::Bytes(got)
            }
            Err(Errno::AGAIN) => Pulled::Nothing,
            Err(e) => {
                self.recv_error.put(e.into());
                Pulled::Nothing
            }
        }
    }
}

/// Python's `SSLSocket` (S1-S16) over any backend `B`: a [`socket2::Socket`]
/// driving `B::Object`.
///
/// Made by [`Context::wrap_socket`] (X19) or [`wrap_socket`]. Methods keep
/// Python's names; socket options (`getsockopt` / `setsockopt`) are the typed
/// accessors of [`socket2::Socket`], reached through [`SslSocket::socket`].
///
/// The timeout mode is read from the socket when it is wrapped: a
/// non-blocking socket is non-blocking (`gettimeout() == Some(0)`), a socket
/// with a read timeout (`SO_RCVTIMEO`) has that timeout, any other is
/// blocking. Accepted sockets start blocking, as in Python.
pub struct SslSocket<B: Backend> {
    sock: Option<Socket>,
    obj: Option<B::Object>,
    context: B::Context,
    server_side: bool,
    server_hostname: Option<String>,
    session: Option<B::Session>,
    do_handshake_on_connect: bool,
    suppress_ragged_eofs: bool,
    connected: bool,
    timeout: Option<Duration>,
    link: Arc<SocketLink>,
    out: Vec<u8>,
    out_pos: usize,
    /// A non-blocking `write` whose records are not all sent yet: its length,
    /// returned once the retry has sent them (OpenSSL's SSL_write retry rule).
    write_retry: Option<usize>,
    /// Our close_notify is out (an `unwrap()` is in progress).
    shutdown_started: bool,
}

impl<B: Backend> std::fmt::Debug for SslSocket<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.repr())
    }
}

impl<B: Backend> SslSocket<B> {
    /// `SSLSocket._create` (X19): Python's checks, the lazy / listening wrap,
    /// the handshake on connect.
    fn create(context: &B::Context, sock: Socket, options: SocketOptions<B>) -> Result<Self> {
        if sock.r#type()? != Type::STREAM {
            return Err(Error::not_implemented(
                B::NAME,
                "S1 SSLSocket over a non-stream socket (only stream sockets are supported)",
            ));
        }
        if options.server_side {
            if options.server_hostname.is_some() {
                return Err(Error::value(
                    "server_hostname can only be specified in client mode",
                ));
            }
            if options.session.is_some() {
                return Err(Error::value("session can only be specified in client mode"));
            }
        }
        if context.check_hostname() && options.server_hostname.is_none() {
            return Err(Error::value("check_hostname requires server_hostname"));
        }
        let timeout = infer_timeout(&sock)?;
        let mut this = SslSocket {
            sock: Some(sock),
            obj: None,
            context: context.clone(),
            server_side: options.server_side,
            server_hostname: options.server_hostname,
            session: options.session,
            do_handshake_on_connect: options.do_handshake_on_connect,
            suppress_ragged_eofs: options.suppress_ragged_eofs,
            connected: false,
            timeout,
            link: Arc::default(),
            out: Vec::new(),
            out_pos: 0,
            write_retry: None,
            shutdown_started: false,
        };
        let sock = this.sock()?;
        match sock.peer_addr() {
            Ok(_) => this.connected = true,
            Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                // Bytes queued on a socket that is not connected any more must
                // not pass for TLS data later (CPython's check).
                sock.set_nonblocking(true)?;
                let mut one = [0u8; 1];
                let early = (&*sock).read(&mut one);
                this.apply_mode()?;
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
            this.obj = Some(this.new_object()?);
            if this.do_handshake_on_connect {
                if this.timeout == Some(Duration::ZERO) {
                    return Err(Error::value(
                        "do_handshake_on_connect should not be specified for non-blocking sockets",
                    ));
                }
                this.do_handshake()?;
            }
        }
        Ok(this)
    }

    /// Ends the TLS layer: the Object, and the link's duplicate socket
    /// handle with it (the connection must close when the socket does).
    fn drop_object(&mut self) {
        self.obj = None;
        self.link = Arc::default();
    }

    fn new_object(&mut self) -> Result<B::Object> {
        self.link = Arc::new(SocketLink {
            blocking: AtomicBool::new(self.timeout.is_none()),
            // A new Object's first output is its handshake.
            hold_sends: AtomicBool::new(true),
            #[cfg(unix)]
            sock: self.sock.as_ref().and_then(|s| s.try_clone().ok()),
            ..SocketLink::default()
        });
        self.out.clear();
        self.out_pos = 0;
        self.write_retry = None;
        self.shutdown_started = false;
        let (incoming, outgoing) = (MemoryBio::new(), MemoryBio::new());
        #[cfg(unix)]
        if self.link.sock.is_some() {
            incoming.set_source(Some(self.link.clone()));
            outgoing.set_sink(Some(self.link.clone()));
        }
        self.context.wrap_bio(
            incoming,
            outgoing,
            WrapOptions {
                server_side: self.server_side,
                server_hostname: self.server_hostname.clone(),
                session: self.session.clone(),
            },
        )
    }

    fn sock(&self) -> Result<&Socket> {
        self.sock.as_ref().ok_or_else(bad_fd)
    }

    fn nonblocking(&self) -> bool {
        self.timeout == Some(Duration::ZERO)
    }

    /// The end of a call starting now, under a timeout.
    fn deadline(&self) -> Option<Instant> {
        match self.timeout {
            Some(t) if !t.is_zero() => Some(Instant::now() + t),
            _ => None,
        }
    }

    /// Puts the OS socket in the mode `timeout` says.
    fn apply_mode(&self) -> Result<()> {
        let sock = self.sock()?;
        match self.timeout {
            None => {
                sock.set_nonblocking(false)?;
                sock.set_read_timeout(None)?;
                sock.set_write_timeout(None)?;
            }
            Some(t) if t.is_zero() => sock.set_nonblocking(true)?,
            Some(t) => {
                sock.set_nonblocking(false)?;
                sock.set_read_timeout(Some(t))?;
                sock.set_write_timeout(Some(t))?;
            }
        }
        Ok(())
    }

    fn no_wrapper(&self) -> Error {
        Error::value(format!("No SSL wrapper around {}", self.repr()))
    }

    // ----- moving bytes -------------------------------------------------

    /// An Object exists and has not finished its handshake.
    fn handshaking(&self) -> bool {
        self.obj.as_ref().is_some_and(|o| !o.handshake_done())
    }

    /// Bytes produced by the Object that have not reached the socket yet.
    fn pending_out(&self) -> usize {
        self.out.len() - self.out_pos + self.obj.as_ref().map_or(0, |o| Bio::pending(o.outgoing()))
    }

    /// Sends what the Object wrote to its outgoing BIO. `strict`: every byte
    /// must leave (waiting as the mode allows, else WantWrite / timeout);
    /// otherwise a best effort that keeps the rest for the next call.
    fn flush(&mut self, deadline: Option<Instant>, op: Op, strict: bool) -> Result<()> {
        if strict {
            // An error a direct send met: the bytes it could not send are in
            // the BIO, and the caller learns why.
            if let Some(e) = self.link.send_error.take() {
                return Err(Error::Io(e));
            }
        }
        let result = self.flush_queued(deadline, op, strict);
        // While output of ours waits here, the Object's must queue behind it;
        // a handshake flight leaves whole from here. (Written only on a
        // change: this runs twice per record.)
        let hold = self.out_pos < self.out.len() || self.handshaking();
        if self.link.hold_sends.load(Ordering::Relaxed) != hold {
            self.link.hold_sends.store(hold, Ordering::Release);
        }
        if self.link.output_waiting.load(Ordering::Relaxed) && self.pending_out() == 0 {
            self.link.output_waiting.store(false, Ordering::Release);
        }
        result
    }

    fn flush_queued(&mut self, deadline: Option<Instant>, op: Op, strict: bool) -> Result<()> {
        let nonblocking = self.nonblocking();
        // Fast path: nothing held back from an earlier call, so the Object's
        // output goes from its BIO straight to the socket, without a copy.
        if self.out_pos == self.out.len() {
            self.out.clear();
            self.out_pos = 0;
            if let (Some(obj), Some(sock)) = (&self.obj, &self.sock) {
                let bio = obj.outgoing();
                while Bio::pending(bio) > 0 {
                    let sent = bio.send_front(|front| {
                        match sock_io(sock, nonblocking, Dir::Out, op, deadline, |s| {
                            (&*s).write(front)
                        }) {
                            Ok(n) => Ok(n),
                            Err(e) => Err(io::Error::other(e)),
                        }
                    });
                    match sent {
                        Ok(0) if strict => return Err(Error::Io(io::ErrorKind::WriteZero.into())),
                        Ok(0) => return Ok(()),
                        Ok(_) => {}
                        Err(e) if !strict => {
                            let _ = e;
                            return Ok(());
                        }
                        Err(e) => {
                            return Err(match e.into_inner().map(|b| b.downcast::<Error>()) {
                                Some(Ok(inner)) => *inner,
                                Some(Err(other)) => Error::Io(io::Error::other(other)),
                                None => Error::Io(io::ErrorKind::Other.into()),
                            })
                        }
                    }
                }
                return Ok(());
            }
        }
        if let Some(obj) = &self.obj {
            let bio = obj.outgoing();
            if Bio::pending(bio) > 0 {
                bio.read_append(None, &mut self.out);
            }
        }
        while self.out_pos < self.out.len() {
            let Some(sock) = self.sock.as_ref() else {
                return if strict { Err(bad_fd()) } else { Ok(()) };
            };
            let pending = &self.out[self.out_pos..];
            match sock_io(sock, nonblocking, Dir::Out, op, deadline, |s| {
                (&*s).write(pending)
            }) {
                Ok(0) => {
                    if strict {
                        return Err(Error::Io(io::ErrorKind::WriteZero.into()));
                    }
                    return Ok(());
                }
                Ok(n) => self.out_pos += n,
                Err(e) if strict => return Err(e),
                Err(_) => return Ok(()),
            }
        }
        self.out.clear();
        self.out_pos = 0;
        Ok(())
    }

    /// Reads the next piece of the current TLS record into the incoming BIO
    /// (EOF is passed on as `write_eof`). Never reads past the record, so
    /// that what follows a close_notify stays in the socket for `unwrap()`.
    fn recv_tls(&mut self, deadline: Option<Instant>, op: Op, nonblocking: bool) -> Result<()> {
        let sock = self.sock.as_ref().ok_or_else(bad_fd)?;
        let obj = self.obj.as_ref().ok_or_else(bad_fd)?;
        loop {
            let want = self.link.framer().want();
            let mut body_due = false;
            // The kernel writes into the BIO's own storage: no copy.
            let got = obj.incoming().write_with(want, |room| {
                let n = sock_io(sock, nonblocking, Dir::In, op, deadline, |s| {
                    (&*s).read(&mut room[..])
                })?;
                body_due = self.link.framer().consumed(&room[..n]);
                Ok(n)
            })?;
            if got == 0 {
                self.link.framer().eof = true;
                obj.incoming().write_eof();
                return Ok(());
            }
            // A header just completed: its body is on its way. Reading it now
            // spares the TLS library a round trip for the five header bytes
            // alone (never past the record). An error on the way leaves the
            // header in the BIO for the Object.
            if !body_due {
                return Ok(());
            }
        }
    }

    /// An Object's WantRead. What the peer waits for (handshake flights, the
    /// close_notify) goes out before we wait for it (`strict`: all of it; a
    /// handshake flight always). During the handshake, a record the peer has
    /// already sent goes to the Object first: it answers the peer's whole
    /// flight at once, and its reply leaves in one send, as when the library
    /// reads the socket itself. (Replying record by record, rustls's client
    /// sent its CCS and its Finished apart, and the Finished waited on
    /// Nagle's algorithm for the server's delayed ACK: ~40 ms a connection.)
    fn want_read(&mut self, deadline: Option<Instant>, op: Op, strict: bool) -> Result<()> {
        let handshaking = self.handshaking();
        if handshaking && self.recv_ready(op)? {
            return Ok(());
        }
        self.flush(deadline, op, strict || handshaking)?;
        self.wait_for_input(deadline, op)
    }

    /// The next piece of the current record if it is already here, without
    /// waiting; true when bytes (or the end of the stream) arrived.
    fn recv_ready(&mut self, op: Op) -> Result<bool> {
        if self.link.framer().eof || self.link.recv_error.is_set() {
            return Ok(false);
        }
        let nonblocking = self.nonblocking();
        if !nonblocking {
            self.sock()?.set_nonblocking(true)?;
        }
        let got = self.recv_tls(None, op, true);
        if !nonblocking {
            self.sock()?.set_nonblocking(false)?;
        }
        match got {
            Ok(()) => Ok(true),
            Err(e) if e.is_want() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// What an Object's WantRead waits for: the error a direct pull met, the
    /// end of the stream, or the next piece of the current record.
    fn wait_for_input(&mut self, deadline: Option<Instant>, op: Op) -> Result<()> {
        if let Some(e) = self.link.recv_error.take() {
            return Err(Error::Io(e));
        }
        if self.link.framer().eof {
            return Err(Error::eof());
        }
        self.recv_tls(deadline, op, self.nonblocking())
    }

    /// Runs one Object operation to completion (or to WantRead / WantWrite on
    /// a non-blocking socket), moving bytes as it asks.
    fn drive<T>(
        &mut self,
        op: Op,
        deadline: Option<Instant>,
        mut step: impl FnMut(&mut B::Object) -> Result<T>,
    ) -> Result<T> {
        // A read must not fail because earlier output cannot leave yet.
        let strict_edges = op != Op::Read;
        self.flush(deadline, op, strict_edges)?;
        loop {
            // The error (which formats the socket's addresses) only when needed.
            let Some(obj) = self.obj.as_mut() else {
                return Err(self.no_wrapper());
            };
            match step(obj) {
                Ok(v) => {
                    self.flush(deadline, op, strict_edges)?;
                    return Ok(v);
                }
                Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantRead) => {
                    // Application data of an unfinished non-blocking write
                    // does not hold up a read: it leaves with the write's
                    // retry, as in OpenSSL.
                    self.want_read(deadline, op, op != Op::Read)?;
                }
                Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantWrite) => {
                    if self.pending_out() == 0 {
                        return Err(e);
                    }
                    self.flush(deadline, op, true)?;
                }
                Err(e) => {
                    // Alerts the Object queued still go to the peer.
                    let _ = self.flush(deadline, op, false);
                    return Err(e);
                }
            }
        }
    }

    fn check_connected(&self) -> Result<()> {
        if !self.connected {
            self.sock()?.peer_addr()?;
        }
        Ok(())
    }

    // ----- TLS calls -----------------------------------------------------

    /// `do_handshake()` (S3): runs the handshake; on a non-blocking socket
    /// retry after WantRead / WantWrite until it returns `Ok`.
    pub fn do_handshake(&mut self) -> Result<()> {
        self.check_connected()?;
        let deadline = self.deadline();
        self.drive(Op::Handshake, deadline, |o| o.do_handshake())
    }

    /// `read(len, buffer)` (S2) into `buf`: decrypted bytes, `0` at a clean
    /// close (close_notify) and, with `suppress_ragged_eofs`, at an EOF
    /// without one (else `SSLEOFError`, S16).
    #[doc(alias = "read")]
    pub fn read_into(&mut self, buf: &mut [u8]) -> Result<usize> {
        if self.obj.is_none() {
            return Err(Error::value("Read on closed or unwrapped SSL socket."));
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let deadline = self.deadline();
        match self.drive(Op::Read, deadline, |o| o.read(buf)) {
            Ok(n) => Ok(n),
            Err(e) => match e.ssl_kind_of() {
                // CPython returns b"" when only the peer has closed.
                Some(SslErrorKind::ZeroReturn) if !self.shutdown_started => Ok(0),
                Some(SslErrorKind::Eof) if self.suppress_ragged_eofs => Ok(0),
                _ => Err(e),
            },
        }
    }

    /// `read(len)` (S2): up to `len` decrypted bytes (empty at EOF).
    pub fn read(&mut self, len: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        let n = self.read_into(&mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }

    /// `write(buf)` (S2): encrypts and sends all of `buf`; returns its length.
    /// On a non-blocking socket a WantWrite means the bytes are taken but not
    /// all sent: call `write` again with the same data, as with OpenSSL.
    pub fn write(&mut self, data: &[u8]) -> Result<usize> {
        if self.obj.is_none() {
            return Err(Error::value("Write on closed or unwrapped SSL socket."));
        }
        let deadline = self.deadline();
        if let Some(n) = self.write_retry {
            self.flush(deadline, Op::Write, true)?;
            self.write_retry = None;
            return Ok(n);
        }
        if data.is_empty() {
            return Ok(0);
        }
        let nonblocking = self.nonblocking();
        self.flush(deadline, Op::Write, true)?;
        let mut done = 0;
        while done < data.len() {
            let end = (done + WRITE_CHUNK).min(data.len());
            let chunk = &data[done..end];
            match self.drive_write(deadline, chunk) {
                Ok(n) => done += n,
                Err(e) if done > 0 && e.is_want() => break,
                Err(e) => return Err(e),
            }
            if !nonblocking {
                self.flush(deadline, Op::Write, true)?;
            }
        }
        match self.flush(deadline, Op::Write, true) {
            Ok(()) => Ok(done),
            Err(e) if e.is_want() => {
                self.write_retry = Some(done);
                Err(Error::want_write())
            }
            Err(e) => Err(e),
        }
    }

    /// One `Object::write` of a chunk, reading first if the Object must
    /// (the handshake when `do_handshake_on_connect` was off).
    fn drive_write(&mut self, deadline: Option<Instant>, chunk: &[u8]) -> Result<usize> {
        loop {
            // The error (which formats the socket's addresses) only when needed.
            let Some(obj) = self.obj.as_mut() else {
                return Err(self.no_wrapper());
            };
            match obj.write(chunk) {
                Ok(n) => return Ok(n),
                Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantRead) => {
                    self.want_read(deadline, Op::Write, true)?;
                }
                Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantWrite) => {
                    if self.pending_out() == 0 {
                        return Err(e);
                    }
                    self.flush(deadline, Op::Write, true)?;
                }
                Err(e) => {
                    let _ = self.flush(deadline, Op::Write, false);
                    return Err(e);
                }
            }
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

    fn plain_recv(&mut self, buf: &mut [u8], flags: i32) -> Result<usize> {
        if flags != 0 {
            return Err(Error::value(
                "recv flags on an unwrapped socket: use socket() and socket2's recv_with_flags",
            ));
        }
        let deadline = self.deadline();
        sock_io(
            self.sock()?,
            self.nonblocking(),
            Dir::In,
            Op::Plain,
            deadline,
            |s| (&*s).read(&mut buf[..]),
        )
    }

    fn plain_send(&mut self, data: &[u8], flags: i32) -> Result<usize> {
        let deadline = self.deadline();
        sock_io(
            self.sock()?,
            self.nonblocking(),
            Dir::Out,
            Op::Plain,
            deadline,
            |s| s.send_with_flags(data, flags),
        )
    }

    /// `recv(buflen, flags)` (S1): `read(buflen)` while wrapped (non-zero
    /// `flags` are a ValueError, as in Python), the plain socket's `recv`
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
    /// socket's `send`.
    pub fn send(&mut self, data: &[u8], flags: i32) -> Result<usize> {
        if self.obj.is_some() {
            Self::check_flags(flags, "send")?;
            self.write(data)
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
    /// `count` must be positive and the socket must not be non-blocking.
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

    /// [`SslSocket::sendfile`] for a [`File`], the common case.
    pub fn sendfile_file(
        &mut self,
        file: &mut File,
        offset: u64,
        count: Option<u64>,
    ) -> Result<u64> {
        self.sendfile(file, offset, count)
    }

    /// `pending()` (S12): decrypted bytes ready to read without the socket
    /// being readable.
    pub fn pending(&self) -> usize {
        self.obj.as_ref().map_or(0, Object::pending)
    }

    /// `unwrap()` (S10): sends close_notify, waits for the peer's, and leaves
    /// this socket plain (further `recv` / `send` are plain text on the same
    /// connection). Returns the plain socket. Non-blocking: WantRead /
    /// WantWrite until both close_notify messages have passed.
    pub fn unwrap(&mut self) -> Result<&Socket> {
        if self.obj.is_none() {
            return Err(self.no_wrapper());
        }
        self.shutdown_started = true;
        let deadline = self.deadline();
        self.drive(Op::Shutdown, deadline, |o| o.unwrap())?;
        self.drop_object();
        self.shutdown_started = false;
        let _ = self.apply_mode();
        self.sock()
    }

    /// `verify_client_post_handshake()` (X23+).
    pub fn verify_client_post_handshake(&mut self) -> Result<()> {
        if self.obj.is_none() {
            return Err(self.no_wrapper());
        }
        let deadline = self.deadline();
        self.drive(Op::Write, deadline, |o| o.verify_client_post_handshake())
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
                if B::capabilities().channel_binding_types.contains(&cb_type) {
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

    /// The TLS Object while the socket is wrapped.
    pub fn object(&self) -> Option<&B::Object> {
        self.obj.as_ref()
    }

    // ----- the socket ------------------------------------------------------

    /// The OS socket, for `getsockopt` / `setsockopt` (S1) through
    /// socket2's typed accessors (`set_nodelay`, `set_reuse_address`, ...).
    pub fn socket(&self) -> Result<&Socket> {
        self.sock()
    }

    /// `fileno()` (S1): `-1` once closed or detached.
    #[cfg(unix)]
    pub fn fileno(&self) -> std::os::unix::io::RawFd {
        use std::os::unix::io::AsRawFd;
        self.sock.as_ref().map_or(-1, AsRawFd::as_raw_fd)
    }

    /// `fileno()` (S1): the socket handle; `u64::MAX` once closed or detached.
    #[cfg(windows)]
    pub fn fileno(&self) -> u64 {
        use std::os::windows::io::AsRawSocket;
        self.sock.as_ref().map_or(u64::MAX, |s| s.as_raw_socket())
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
        self.obj = Some(self.new_object()?);
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
            self.drop_object();
            if e.kind() == io::ErrorKind::TimedOut {
                return Err(Error::Timeout("timed out".into()));
            }
            return Err(Error::Io(e));
        }
        self.connected = true;
        if self.do_handshake_on_connect {
            if let Err(e) = self.do_handshake() {
                self.drop_object();
                return Err(e);
            }
        }
        Ok(0)
    }

    /// `accept()` (S1, F1): accepts a connection on a wrapped listening
    /// socket and returns it wrapped server-side (with this socket's
    /// `do_handshake_on_connect` and `suppress_ragged_eofs`; blocking, as
    /// Python's accepted sockets are), with the peer's address.
    pub fn accept(&mut self) -> Result<(SslSocket<B>, SocketAddr)> {
        let deadline = self.deadline();
        let (sock, addr) = sock_io(
            self.sock()?,
            self.nonblocking(),
            Dir::In,
            Op::Plain,
            deadline,
            |s| s.accept(),
        )?;
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

    /// `gettimeout()` (S1): `None` blocking, `Some(0)` non-blocking.
    pub fn gettimeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// `settimeout(value)` (S1, S2): `None` blocking, `Some(0)` non-blocking,
    /// otherwise each call (read, write, handshake, unwrap, accept ...) fails
    /// with a timeout once it has taken `value` in total.
    pub fn settimeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        self.timeout = timeout;
        self.link
            .blocking
            .store(timeout.is_none(), Ordering::Release);
        self.apply_mode()
    }

    /// `setblocking(flag)` (S1, S15): `false` is `settimeout(Some(0))`.
    pub fn setblocking(&mut self, blocking: bool) -> Result<()> {
        self.settimeout(if blocking { None } else { Some(Duration::ZERO) })
    }

    /// `getblocking()`.
    pub fn getblocking(&self) -> bool {
        !self.nonblocking()
    }

    /// `shutdown(how)` (S1): drops the TLS layer without close_notify (as
    /// Python does) and shuts the OS socket down.
    pub fn shutdown(&mut self, how: Shutdown) -> Result<()> {
        self.drop_object();
        self.sock()?.shutdown(how)?;
        Ok(())
    }

    /// `close()` (S1): closes the OS socket (no close_notify, as in Python).
    pub fn close(&mut self) {
        self.drop_object();
        self.sock = None;
    }

    /// `detach()` (S1): the OS socket, still open; this object is closed.
    pub fn detach(&mut self) -> Result<Socket> {
        self.drop_object();
        // Calls under a timeout leave the kernel timeouts at what was left of
        // their deadline: hand the socket back with the full timeout.
        let _ = self.apply_mode();
        self.sock.take().ok_or_else(bad_fd)
    }

    /// `makefile()` (S1): a buffered reader and writer over the socket (bytes,
    /// `io.DEFAULT_BUFFER_SIZE` buffers), with line reading.
    pub fn makefile(&mut self) -> SocketFile<'_, B> {
        SocketFile {
            sock: self,
            rbuf: vec![0u8; FILE_BUFFER].into_boxed_slice(),
            rpos: 0,
            rlen: 0,
            wbuf: Vec::with_capacity(FILE_BUFFER),
        }
    }

    /// Python's `repr()`: `<ssl.SSLSocket fd=3, family=2, type=1, proto=0,
    /// laddr=('127.0.0.1', 5000), raddr=(...)>` (`proto` is shown as 0).
    pub fn repr(&self) -> String {
        let Some(sock) = &self.sock else {
            return "<ssl.SSLSocket [closed] fd=-1, family=0, type=1, proto=0>".to_owned();
        };
        #[cfg(unix)]
        let fd = i64::from(self.fileno());
        #[cfg(not(unix))]
        let fd = -1i64;
        let local = sock.local_addr().ok();
        let family = local.as_ref().map_or(0, |a| i32::from(a.domain()));
        let mut s = format!("<ssl.SSLSocket fd={fd}, family={family}, type=1, proto=0");
        if let Some(a) = local.and_then(|a| a.as_socket()) {
            s.push_str(&format!(", laddr={}", py_addr(&a)));
        }
        if let Some(a) = sock.peer_addr().ok().and_then(|a| a.as_socket()) {
            s.push_str(&format!(", raddr={}", py_addr(&a)));
        }
        s.push('>');
        s
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

/// The timeout mode a freshly wrapped socket is in.
fn infer_timeout(sock: &Socket) -> Result<Option<Duration>> {
    #[cfg(unix)]
    if sock.nonblocking()? {
        return Ok(Some(Duration::ZERO));
    }
    Ok(sock.read_timeout()?)
}

impl<B: Backend> io::Read for SslSocket<B> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv_into(buf, None, 0).map_err(io::Error::from)
    }
}

impl<B: Backend> io::Write for SslSocket<B> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.send(buf, 0).map_err(io::Error::from)
    }

    fn flush(&mut self) -> io::Result<()> {
        let deadline = self.deadline();
        let op = if self.obj.is_some() {
            Op::Write
        } else {
            Op::Plain
        };
        SslSocket::flush(self, deadline, op, true).map_err(io::Error::from)
    }
}

/// What `SSLSocket.makefile('rwb')` gives (S1): buffered reading (with
/// [`BufRead::read_line`] / [`SocketFile::readline`]) and buffered writing
/// over one socket. Written bytes go out on [`Write::flush`] and on drop.
pub struct SocketFile<'a, B: Backend> {
    sock: &'a mut SslSocket<B>,
    rbuf: Box<[u8]>,
    rpos: usize,
    rlen: usize,
    wbuf: Vec<u8>,
}

impl<B: Backend> SocketFile<'_, B> {
    /// `readline()`: bytes up to and including the next `\n` (empty at EOF).
    pub fn readline(&mut self) -> Result<Vec<u8>> {
        let mut line = Vec::new();
        self.read_until(b'\n', &mut line)?;
        Ok(line)
    }

    /// The socket underneath.
    pub fn socket(&mut self) -> &mut SslSocket<B> {
        self.sock
    }
}

impl<B: Backend> Read for SocketFile<'_, B> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.rpos == self.rlen && out.len() >= self.rbuf.len() {
            return Read::read(self.sock, out);
        }
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<B: Backend> BufRead for SocketFile<'_, B> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.rpos == self.rlen {
            // Written bytes go out before we wait for an answer.
            Write::flush(self)?;
            self.rlen = Read::read(self.sock, &mut self.rbuf)?;
            self.rpos = 0;
        }
        Ok(&self.rbuf[self.rpos..self.rlen])
    }

    fn consume(&mut self, amt: usize) {
        self.rpos = (self.rpos + amt).min(self.rlen);
    }
}

impl<B: Backend> Write for SocketFile<'_, B> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.wbuf.len() + data.len() > FILE_BUFFER {
            Write::flush(self)?;
        }
        if data.len() >= FILE_BUFFER {
            self.sock.sendall(data, 0)?;
        } else {
            self.wbuf.extend_from_slice(data);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.wbuf.is_empty() {
            let data = std::mem::take(&mut self.wbuf);
            self.sock.sendall(&data, 0)?;
        }
        Ok(())
    }
}

impl<B: Backend> Drop for SocketFile<'_, B> {
    fn drop(&mut self) {
        let _ = Write::flush(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framer_follows_headers_and_bodies() {
        let mut f = RecordFramer::default();
        assert_eq!(f.want(), 5);
        f.consumed(&[0x17, 0x03]);
        assert_eq!(f.want(), 3);
        f.consumed(&[0x03, 0x00, 0x04]);
        assert_eq!(f.want(), 4);
        f.consumed(&[1, 2, 3]);
        assert_eq!(f.want(), 1);
        f.consumed(&[4]);
        assert_eq!(f.want(), 5);
        // A zero-length record goes straight to the next header.
        f.consumed(&[0x17, 0x03, 0x03, 0x00, 0x00]);
        assert_eq!(f.want(), 5);
    }

    #[test]
    fn timeout_messages_are_cpythons() {
        assert_eq!(
            timeout_error(Op::Read, Dir::Out).to_string(),
            "The read operation timed out"
        );
        assert_eq!(
            timeout_error(Op::Write, Dir::In).to_string(),
            "The write operation timed out"
        );
        assert_eq!(
            timeout_error(Op::Handshake, Dir::In).to_string(),
            "The handshake operation timed out"
        );
        assert_eq!(
            timeout_error(Op::Shutdown, Dir::Out).to_string(),
            "The write operation timed out"
        );
        assert_eq!(
            timeout_error(Op::Plain, Dir::In).python_type(),
            "TimeoutError"
        );
    }
}
