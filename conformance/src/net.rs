//! Loopback plumbing for the socket cases and the tools: listeners on port 0,
//! sockets with timeouts, readiness waiting (`poll`), child processes that are
//! killed when dropped, and a small checksum. Everything is bounded in time.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use ssl_api::socket2::{Domain, Protocol, SockAddr, Socket, Type};
use ssl_api::ContextExt;

/// The timeout every socket of a case gets: generous, so that a case can only
/// be slow when something is broken.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

fn loopback(v6: bool, port: u16) -> SocketAddr {
    if v6 {
        SocketAddr::from((Ipv6Addr::LOCALHOST, port))
    } else {
        SocketAddr::from((Ipv4Addr::LOCALHOST, port))
    }
}

/// A TCP socket (not connected) for loopback, with [`IO_TIMEOUT`] set.
pub fn tcp_socket(v6: bool) -> Result<Socket, String> {
    let domain = if v6 { Domain::IPV6 } else { Domain::IPV4 };
    let s = Socket::new(domain, Type::STREAM, Some(Protocol::TCP)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(IO_TIMEOUT))
        .and_then(|()| s.set_write_timeout(Some(IO_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    Ok(s)
}

/// A listening socket on 127.0.0.1 (or ::1) port 0, with [`IO_TIMEOUT`] on
/// `accept`; returns it and its port.
pub fn listener(v6: bool) -> Result<(Socket, u16), String> {
    listener_on(v6, 0)
}

/// A listening socket on loopback `port` (0 picks one).
pub fn listener_on(v6: bool, port: u16) -> Result<(Socket, u16), String> {
    let s = tcp_socket(v6)?;
    s.set_reuse_address(true).map_err(|e| e.to_string())?;
    s.bind(&SockAddr::from(loopback(v6, port)))
        .map_err(|e| format!("bind: {e}"))?;
    s.listen(16).map_err(|e| e.to_string())?;
    let port = s
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .map(|a| a.port())
        .ok_or("no local address")?;
    Ok((s, port))
}

/// Accepts one connection (bounded by the listener's timeout) and gives the
/// new socket [`IO_TIMEOUT`] too.
pub fn accept_plain(listener: &Socket) -> Result<Socket, String> {
    let (s, _) = listener.accept().map_err(|e| format!("accept: {e}"))?;
    s.set_nonblocking(false).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(IO_TIMEOUT))
        .and_then(|()| s.set_write_timeout(Some(IO_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    Ok(s)
}

/// A socket connected to loopback `port`, with [`IO_TIMEOUT`].
pub fn connect_plain(v6: bool, port: u16) -> Result<Socket, String> {
    let s = tcp_socket(v6)?;
    s.connect_timeout(&SockAddr::from(loopback(v6, port)), IO_TIMEOUT)
        .map_err(|e| format!("connect: {e}"))?;
    Ok(s)
}

/// `context.wrap_socket()` of a plain socket connected to loopback `port`,
/// as the client of `localhost`.
pub fn connect_localhost<C: ssl_api::Context>(
    context: &C,
    port: u16,
) -> Result<ssl_api::SslSocket<C::Backend>, String> {
    context
        .wrap_socket(
            connect_plain(false, port)?,
            ssl_api::SocketOptions::client("localhost"),
        )
        .map_err(|e| format!("{} ({})", e, e.python_type()))
}

/// FNV-1a (64 bits) over `data`, continuing from `state` (start with
/// [`FNV_START`]).
pub fn fnv1a(state: u64, data: &[u8]) -> u64 {
    data.iter().fold(state, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The FNV-1a offset basis.
pub const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// `len` bytes of a repeatable pattern.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

/// What to wait for on one socket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interest {
    /// Readable.
    pub read: bool,
    /// Writable.
    pub write: bool,
}

/// Waits until one of `fds` is ready as asked, or `timeout`; returns which
/// are ready (`(readable, writable)` each; hang-up and errors count as both,
/// so the caller's next call reports them).
#[cfg(unix)]
#[allow(unsafe_code)]
pub fn poll(
    fds: &[(std::os::unix::io::RawFd, Interest)],
    timeout: Duration,
) -> Result<Vec<(bool, bool)>, String> {
    let mut pfds: Vec<libc::pollfd> = fds
        .iter()
        .map(|&(fd, i)| libc::pollfd {
            fd,
            events: (if i.read { libc::POLLIN } else { 0 })
                | (if i.write { libc::POLLOUT } else { 0 }),
            revents: 0,
        })
        .collect();
    let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    loop {
        // SAFETY: `pfds` is a live, exclusively borrowed Vec of `pollfd` whose
        // length is passed as `nfds`; poll() only writes the `revents` fields
        // within it, and the Vec outlives the call.
        let n = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, ms) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(format!("poll: {e}"));
        }
        let bad = libc::POLLERR | libc::POLLHUP | libc::POLLNVAL;
        return Ok(pfds
            .iter()
            .map(|p| {
                (
                    p.revents & (libc::POLLIN | bad) != 0,
                    p.revents & (libc::POLLOUT | bad) != 0,
                )
            })
            .collect());
    }
}

/// Elsewhere: a short sleep, then everything counts as ready (the caller's
/// next call decides).
#[cfg(not(unix))]
pub fn poll(fds: &[(u64, Interest)], timeout: Duration) -> Result<Vec<(bool, bool)>, String> {
    std::thread::sleep(timeout.min(Duration::from_millis(2)));
    Ok(fds.iter().map(|_| (true, true)).collect())
}

/// A child process that is killed (and reaped) when dropped, with its
/// standard output read line by line by a thread that ends with the child.
pub struct ChildGuard {
    child: Child,
    lines: mpsc::Receiver<String>,
    reader: Option<JoinHandle<()>>,
    /// The child's standard input, when it was piped.
    pub stdin: Option<ChildStdin>,
}

impl ChildGuard {
    /// Spawns `cmd` with piped stdin/stdout (stderr inherited, for diagnosis).
    pub fn spawn(mut cmd: Command) -> Result<Self, String> {
        let program = format!("{:?}", cmd.get_program());
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let (tx, lines) = mpsc::channel();
        let tx2 = tx.clone();
        let reader = std::thread::spawn(move || {
            // stderr lines are kept too (prefixed), so failures can be explained.
            let err_thread = std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if tx2.send(format!("stderr: {line}")).is_err() {
                        break;
                    }
                }
            });
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
            let _ = err_thread.join();
        });
        let stdin = child.stdin.take();
        Ok(ChildGuard {
            child,
            lines,
            reader: Some(reader),
            stdin,
        })
    }

    /// The next line of standard output satisfying `pred` within `timeout`
    /// (other lines, including stderr, are collected into the error).
    pub fn line_matching(
        &self,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> Result<String, String> {
        let deadline = std::time::Instant::now() + timeout;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if !line.starts_with("stderr: ") && pred(&line) => return Ok(line),
                Ok(line) => seen.push(line),
                Err(_) => {
                    return Err(format!(
                        "no expected line from the child within {timeout:?}; it printed: {seen:?}"
                    ))
                }
            }
        }
    }

    /// The next stdout line within `timeout`.
    pub fn line(&self, timeout: Duration) -> Result<String, String> {
        self.line_matching(timeout, |_| true)
    }

    /// Every line printed so far and until the child exits (bounded).
    pub fn rest(&mut self, timeout: Duration) -> Vec<String> {
        let deadline = std::time::Instant::now() + timeout;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => out.push(l),
                Err(_) => return out,
            }
        }
    }

    /// Waits (bounded) for the child to exit; its exit status.
    pub fn wait(&mut self, timeout: Duration) -> Result<std::process::ExitStatus, String> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                Ok(None) => return Err(format!("the child did not exit within {timeout:?}")),
                Err(e) => return Err(e.to_string()),
            }
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.stdin = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}
