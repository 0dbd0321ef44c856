//! The shared cases of the generic `SSLSocket` (S1-S16, X19) and of the
//! module functions that use it (F1, F2, F3-F5, F10, F13), over real
//! loopback sockets. Every socket has a timeout, every thread is scoped (and
//! so joined), ports come from binding port 0.

use std::io::{BufRead, Read, Seek, Write};
use std::net::Shutdown;
use std::thread;
use std::time::{Duration, Instant};

use ssl_api::constants::*;
use ssl_api::functions::{self, LegacyWrapOptions};
use ssl_api::{Backend, Context, Error, SocketOptions, SslErrorKind, SslSocket};

use crate::cases::{client_ctx, server_ctx, CaseResult, Outcome};
use crate::net::{
    accept_plain, connect_localhost, connect_plain, fnv1a, listener, pattern, poll, tcp_socket,
    Interest, FNV_START, IO_TIMEOUT,
};
use crate::pki::Pki;

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

pub(crate) fn e2s(e: Error) -> String {
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
fn recv_exact<B: Backend>(s: &mut SslSocket<B>, n: usize) -> Result<Vec<u8>, String> {
    let mut got = Vec::with_capacity(n);
    while got.len() < n {
        let chunk = s.recv(n - got.len(), 0).map_err(e2s)?;
        ensure!(!chunk.is_empty(), "EOF after {} of {n} bytes", got.len());
        got.extend_from_slice(&chunk);
    }
    Ok(got)
}

/// A server thread's body: accept one TLS client on `l` with `ctx`, then `f`.
fn serve_one<B: Backend, T>(
    l: &ssl_api::socket2::Socket,
    ctx: &B::Context,
    f: impl FnOnce(SslSocket<B>) -> Result<T, String>,
) -> Result<T, String> {
    let sock = accept_plain(l)?;
    let conn = ctx
        .wrap_socket(sock, SocketOptions::server())
        .map_err(|e| format!("server handshake: {}", e2s(e)))?;
    f(conn)
}

/// 18.2.5.2 / 18.2.5.3 (S1, X19, F2): the documentation's client and server,
/// end to end: `create_default_context` on both sides, a lazily wrapped
/// client that shakes hands in `connect`, `getpeercert`, the request, and a
/// server that reads until the client is finished.
pub fn socket_doc_client_server<B: Backend>(pki: &Pki) -> CaseResult {
    let server_ctx = functions::create_default_context::<B>(Purpose::CLIENT_AUTH, None, None, None)
        .map_err(e2s)?;
    server_ctx
        .load_cert_chain(&pki.server.cert, Some(&pki.server.key), None)
        .map_err(e2s)?;
    let (bindsocket, port) = listener(false)?;
    let request = b"HEAD / HTTP/1.0\r\nHost: localhost\r\n\r\n";
    thread::scope(|scope| {
        let server = scope.spawn(|| {
            serve_one::<B, _>(&bindsocket, &server_ctx, |mut connstream| {
                let mut seen = Vec::new();
                let mut data = connstream.recv(1024, 0).map_err(e2s)?;
                while !data.is_empty() {
                    seen.extend_from_slice(&data);
                    connstream.sendall(&data, 0).map_err(e2s)?;
                    data = connstream.recv(1024, 0).map_err(e2s)?;
                }
                let _ = connstream.shutdown(Shutdown::Both);
                connstream.close();
                Ok(seen)
            })
        });
        let context =
            functions::create_default_context::<B>(Purpose::SERVER_AUTH, Some(&pki.ca), None, None)
                .map_err(e2s)?;
        ensure!(
            context.protocol() == PROTOCOL_TLS_CLIENT
                && context.verify_mode() == CERT_REQUIRED
                && context.check_hostname(),
            "create_default_context() settings"
        );
        let mut conn = context
            .wrap_socket(tcp_socket(false)?, SocketOptions::client("localhost"))
            .map_err(e2s)?;
        ensure!(conn.version().is_none(), "a version before connect");
        conn.connect(("127.0.0.1", port)).map_err(e2s)?;
        let cert = conn.getpeercert().map_err(e2s)?.ok_or("no peer cert")?;
        ensure!(
            common_name_is(&cert, "localhost"),
            "subject {:?}",
            cert.subject()
        );
        conn.sendall(request, 0).map_err(e2s)?;
        let echoed = recv_exact(&mut conn, request.len())?;
        ensure!(echoed == request, "echo {echoed:?}");
        conn.close();
        let seen = joined(server)?;
        ensure!(seen == request, "server saw {seen:?}");
        Ok(Outcome::Pass)
    })
}

/// S1/X19/F1: the lazy client wrap (no handshake until `connect`, or until
/// `do_handshake` with `do_handshake_on_connect=False`) and Python's
/// ValueErrors on wrapping, connecting and flags.
pub fn socket_lazy_connect<B: Backend>(pki: &Pki) -> CaseResult {
    let client = client_ctx::<B>(pki)?;
    let server = server_ctx::<B>(pki)?;
    // Python's wrap-time checks.
    match client.wrap_socket(tcp_socket(false)?, SocketOptions::default()) {
        Err(Error::Value(m)) => ensure!(m == "check_hostname requires server_hostname", "{m}"),
        other => return Err(format!("no server_hostname: {:?}", other.map(|_| ()))),
    }
    let mut both = SocketOptions::<B>::server();
    both.server_hostname = Some("localhost".into());
    match server.wrap_socket(tcp_socket(false)?, both) {
        Err(Error::Value(m)) => ensure!(
            m == "server_hostname can only be specified in client mode",
            "{m}"
        ),
        other => {
            return Err(format!(
                "server_hostname + server_side: {:?}",
                other.map(|_| ())
            ))
        }
    }
    let (l, port) = listener(false)?;
    thread::scope(|scope| {
        let srv = scope.spawn(|| {
            for _ in 0..2 {
                serve_one::<B, _>(&l, &server, |mut c| {
                    let d = c.recv(64, 0).map_err(e2s)?;
                    c.sendall(&d, 0).map_err(e2s)
                })?;
            }
            Ok(())
        });
        // 1: the handshake happens in connect().
        let mut s = client
            .wrap_socket(tcp_socket(false)?, SocketOptions::client("localhost"))
            .map_err(e2s)?;
        match s.getpeercert() {
            Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::NotConnected => {}
            other => return Err(format!("getpeercert before connect: {other:?}")),
        }
        ensure!(
            s.cipher().is_none() && s.pending() == 0,
            "state before connect"
        );
        s.connect(("127.0.0.1", port)).map_err(e2s)?;
        ensure!(s.version().is_some(), "no handshake in connect()");
        match s.connect(("127.0.0.1", port)) {
            Err(Error::Value(m)) => ensure!(
                m == "attempt to connect already-connected SSLSocket!",
                "{m}"
            ),
            other => return Err(format!("second connect: {other:?}")),
        }
        for (result, call) in [
            (s.recv(10, 1).map(|_| ()), "recv"),
            (s.send(b"x", 1).map(|_| ()), "send"),
            (s.sendall(b"x", 1), "sendall"),
            (s.recv_into(&mut [0u8; 4], None, 1).map(|_| ()), "recv_into"),
        ] {
            match result {
                Err(Error::Value(m)) => ensure!(
                    m == format!(
                        "non-zero flags not allowed in calls to {call}() on <class 'ssl.SSLSocket'>"
                    ),
                    "{m}"
                ),
                other => return Err(format!("{call} with flags: {other:?}")),
            }
        }
        s.sendall(b"one", 0).map_err(e2s)?;
        ensure!(recv_exact(&mut s, 3)? == b"one", "echo one");
        drop(s);
        // 2: do_handshake_on_connect=False leaves the handshake to the caller.
        let mut s = client
            .wrap_socket(
                tcp_socket(false)?,
                SocketOptions::client("localhost").do_handshake_on_connect(false),
            )
            .map_err(e2s)?;
        s.connect(("127.0.0.1", port)).map_err(e2s)?;
        ensure!(
            s.version().is_none(),
            "handshake ran despite do_handshake_on_connect=False"
        );
        s.do_handshake().map_err(e2s)?;
        ensure!(s.version().is_some(), "no version after do_handshake");
        s.sendall(b"two", 0).map_err(e2s)?;
        ensure!(recv_exact(&mut s, 3)? == b"two", "echo two");
        drop(s);
        joined(srv)?;
        // A server-side socket cannot connect.
        let mut srv_side = server
            .wrap_socket(tcp_socket(false)?, SocketOptions::server())
            .map_err(e2s)?;
        match srv_side.connect(("127.0.0.1", port)) {
            Err(Error::Value(m)) => ensure!(m == "can't connect in server-side mode", "{m}"),
            other => return Err(format!("server-side connect: {other:?}")),
        }
        Ok(Outcome::Pass)
    })
}

/// S1/F1/X19: wrapping a listening socket makes `accept()` return wrapped,
/// handshaken server sockets; the deprecated module `wrap_socket` (F1) does
/// the same with its certfile / ca_certs / cert_reqs arguments.
pub fn socket_accept_on_wrapped_listener<B: Backend>(pki: &Pki) -> CaseResult {
    let (l, port) = listener(false)?;
    let mut wrapped_listener = server_ctx::<B>(pki)?
        .wrap_socket(l, SocketOptions::server())
        .map_err(e2s)?;
    ensure!(
        wrapped_listener.version().is_none(),
        "a listener has no TLS version"
    );
    let client = client_ctx::<B>(pki)?;
    thread::scope(|scope| {
        let c = scope.spawn(|| -> Result<(), String> {
            let sock = connect_plain(false, port)?;
            let mut s = client
                .wrap_socket(sock, SocketOptions::client("localhost"))
                .map_err(e2s)?;
            s.sendall(b"via accept", 0).map_err(e2s)?;
            ensure!(recv_exact(&mut s, 10)? == b"via accept", "echo");
            Ok(())
        });
        let (mut conn, addr) = wrapped_listener.accept().map_err(e2s)?;
        ensure!(conn.server_side(), "accepted socket is not server-side");
        ensure!(conn.version().is_some(), "accept() did not shake hands");
        ensure!(addr.ip().is_loopback(), "peer address {addr}");
        ensure!(
            conn.getpeername().map_err(e2s)? == addr,
            "getpeername differs from accept's address"
        );
        ensure!(
            conn.getsockname().map_err(e2s)?.port() == port,
            "getsockname port"
        );
        let d = conn.recv(64, 0).map_err(e2s)?;
        conn.sendall(&d, 0).map_err(e2s)?;
        joined(c)?;
        Ok::<(), String>(())
    })?;

    // F1: ssl.wrap_socket on both ends.
    #[allow(deprecated)]
    {
        match functions::wrap_socket::<B>(
            tcp_socket(false)?,
            LegacyWrapOptions {
                server_side: true,
                ..Default::default()
            },
        ) {
            Err(Error::Value(m)) => ensure!(
                m == "certfile must be specified for server-side operations",
                "{m}"
            ),
            other => return Err(format!("F1 without certfile: {:?}", other.map(|_| ()))),
        }
        let (l, port) = listener(false)?;
        let mut legacy_listener = functions::wrap_socket::<B>(
            l,
            LegacyWrapOptions {
                certfile: Some(pki.server.cert.clone()),
                keyfile: Some(pki.server.key.clone()),
                server_side: true,
                ssl_version: PROTOCOL_TLS_SERVER,
                ..Default::default()
            },
        )
        .map_err(e2s)?;
        thread::scope(|scope| {
            let c = scope.spawn(|| -> Result<(), String> {
                let mut s = functions::wrap_socket::<B>(
                    tcp_socket(false)?,
                    LegacyWrapOptions {
                        cert_reqs: CERT_REQUIRED,
                        ca_certs: Some(pki.ca.clone()),
                        ..Default::default()
                    },
                )
                .map_err(e2s)?;
                s.connect(("127.0.0.1", port)).map_err(e2s)?;
                let cert = s.getpeercert().map_err(e2s)?.ok_or("no cert")?;
                ensure!(common_name_is(&cert, "localhost"), "F1 client peer cert");
                s.sendall(b"legacy", 0).map_err(e2s)?;
                ensure!(recv_exact(&mut s, 6)? == b"legacy", "F1 echo");
                Ok(())
            });
            let (mut conn, _) = legacy_listener.accept().map_err(e2s)?;
            conn.settimeout(Some(IO_TIMEOUT)).map_err(e2s)?;
            let d = conn.recv(64, 0).map_err(e2s)?;
            conn.sendall(&d, 0).map_err(e2s)?;
            joined(c)
        })?;
    }
    Ok(Outcome::Pass)
}

/// S2: 10 MiB echoed through blocking sockets (64 KiB at a time, both
/// ways), checksummed on both ends.
pub fn socket_blocking_echo_10mib<B: Backend>(pki: &Pki) -> CaseResult {
    const TOTAL: usize = 10 * 1024 * 1024;
    const CHUNK: usize = 64 * 1024;
    let (l, port) = listener(false)?;
    let server = server_ctx::<B>(pki)?;
    let client = client_ctx::<B>(pki)?;
    thread::scope(|scope| {
        let srv = scope.spawn(|| {
            serve_one::<B, _>(&l, &server, |mut c| {
                let (mut n, mut sum) = (0usize, FNV_START);
                let mut buf = vec![0u8; CHUNK];
                while n < TOTAL {
                    let k = c.read_into(&mut buf).map_err(e2s)?;
                    ensure!(k > 0, "server: EOF after {n} bytes");
                    sum = fnv1a(sum, &buf[..k]);
                    c.write_bytes(&buf[..k]).map_err(e2s)?;
                    n += k;
                }
                Ok(sum)
            })
        });
        let mut s = connect_localhost(&client, port)?;
        let data = pattern(TOTAL);
        let sent_sum = fnv1a(FNV_START, &data);
        let mut back_sum = FNV_START;
        let mut buf = vec![0u8; CHUNK];
        for chunk in data.chunks(CHUNK) {
            s.sendall(chunk, 0).map_err(e2s)?;
            let mut got = 0;
            while got < chunk.len() {
                let k = s
                    .recv_into(&mut buf, Some(chunk.len() - got), 0)
                    .map_err(e2s)?;
                ensure!(k > 0, "client: EOF");
                back_sum = fnv1a(back_sum, &buf[..k]);
                got += k;
            }
        }
        let server_sum = joined(srv)?;
        ensure!(server_sum == sent_sum, "server checksum differs");
        ensure!(back_sum == sent_sum, "echo checksum differs");
        Ok(Outcome::Pass)
    })
}

fn want_kind<T>(r: &ssl_api::Result<T>) -> Option<SslErrorKind> {
    match r {
        Err(e) if e.is_want() => e.ssl_kind_of(),
        _ => None,
    }
}

#[cfg(unix)]
fn fd_of<B: Backend>(s: &SslSocket<B>) -> std::os::unix::io::RawFd {
    s.fileno()
}

#[cfg(not(unix))]
fn fd_of<B: Backend>(_s: &SslSocket<B>) -> u64 {
    0
}

/// S15 (18.2.6): non-blocking client and server in one thread, driven by
/// `poll`: the handshake retried until done, WantRead and WantWrite seen, a
/// 2 MiB echo, and decrypted bytes readable while the fd is not.
pub fn socket_nonblocking_poll<B: Backend>(pki: &Pki) -> CaseResult {
    const TOTAL: usize = 2 * 1024 * 1024;
    let (l, port) = listener(false)?;
    l.set_recv_buffer_size(16 * 1024)
        .map_err(|e| e.to_string())?;
    let cs = tcp_socket(false)?;
    cs.set_send_buffer_size(16 * 1024)
        .map_err(|e| e.to_string())?;
    cs.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into())
        .map_err(|e| e.to_string())?;
    let ss = accept_plain(&l)?;
    let mut c = client_ctx::<B>(pki)?
        .wrap_socket(
            cs,
            SocketOptions::client("localhost").do_handshake_on_connect(false),
        )
        .map_err(e2s)?;
    let mut s = server_ctx::<B>(pki)?
        .wrap_socket(ss, SocketOptions::server().do_handshake_on_connect(false))
        .map_err(e2s)?;
    c.setblocking(false).map_err(e2s)?;
    s.setblocking(false).map_err(e2s)?;
    ensure!(
        c.gettimeout() == Some(Duration::ZERO),
        "gettimeout after setblocking(False)"
    );
    let (mut saw_read, mut saw_write) = (false, false);
    let wait = |ci: Interest, si: Interest, c: &SslSocket<B>, s: &SslSocket<B>| {
        let ready = poll(&[(fd_of(c), ci), (fd_of(s), si)], IO_TIMEOUT)?;
        if ready.iter().all(|&(r, w)| !r && !w) {
            return Err("poll timed out: nothing is moving".to_string());
        }
        Ok(())
    };
    // The handshake, retried until both sides are done.
    let (mut c_done, mut s_done) = (false, false);
    for _ in 0..1000 {
        let (mut ci, mut si) = (Interest::default(), Interest::default());
        if !c_done {
            let r = c.do_handshake();
            match want_kind(&r) {
                Some(SslErrorKind::WantRead) => (saw_read, ci.read) = (true, true),
                Some(_) => (saw_write, ci.write) = (true, true),
                None => {
                    r.map_err(|e| format!("client handshake: {}", e2s(e)))?;
                    c_done = true;
                }
            }
        }
        if !s_done {
            let r = s.do_handshake();
            match want_kind(&r) {
                Some(SslErrorKind::WantRead) => (saw_read, si.read) = (true, true),
                Some(_) => (saw_write, si.write) = (true, true),
                None => {
                    r.map_err(|e| format!("server handshake: {}", e2s(e)))?;
                    s_done = true;
                }
            }
        }
        if c_done && s_done {
            break;
        }
        wait(ci, si, &c, &s)?;
    }
    ensure!(c_done && s_done, "handshake did not finish");
    // The echo: the client writes 2 MiB in one write() (WantWrite: retried
    // with the same data), the server echoes what it reads.
    let data = pattern(TOTAL);
    let (mut c_written, mut received) = (false, Vec::with_capacity(TOTAL));
    let mut echo: Vec<u8> = Vec::new();
    let mut echoed_total = 0usize;
    let mut buf = vec![0u8; 32 * 1024];
    let started = Instant::now();
    while received.len() < TOTAL {
        ensure!(started.elapsed() < IO_TIMEOUT * 3, "echo made no progress");
        let (mut ci, mut si) = (Interest::default(), Interest::default());
        if !c_written {
            match c.write_bytes(&data) {
                Ok(n) => {
                    ensure!(n == TOTAL, "write returned {n}");
                    c_written = true;
                }
                Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantWrite) => {
                    saw_write = true;
                    ci.write = true;
                }
                Err(e) => return Err(format!("client write: {}", e2s(e))),
            }
        }
        // Server: drain what it can, then echo it.
        loop {
            match s.recv_into(&mut buf, None, 0) {
                Ok(0) => return Err("server: EOF".into()),
                Ok(n) => echo.extend_from_slice(&buf[..n]),
                Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantRead) => {
                    saw_read = true;
                    si.read = true;
                    break;
                }
                Err(e) => return Err(format!("server read: {}", e2s(e))),
            }
        }
        while !echo.is_empty() {
            let take = echo.len().min(16 * 1024);
            match s.send(&echo[..take], 0) {
                Ok(n) => {
                    echo.drain(..n);
                    echoed_total += n;
                }
                Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantWrite) => {
                    saw_write = true;
                    si.write = true;
                    // OpenSSL's rule: retry with the same bytes; they stay in `echo`.
                    match s.send(&echo[..take], 0) {
                        Ok(n) => {
                            echo.drain(..n);
                            echoed_total += n;
                            si.write = false;
                            continue;
                        }
                        Err(e) if e.is_want() => break,
                        Err(e) => return Err(format!("server send: {}", e2s(e))),
                    }
                }
                Err(e) => return Err(format!("server send: {}", e2s(e))),
            }
        }
        // Client: read what came back.
        loop {
            match c.recv_into(&mut buf, None, 0) {
                Ok(0) => return Err("client: EOF".into()),
                Ok(n) => received.extend_from_slice(&buf[..n]),
                Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantRead) => {
                    ci.read = true;
                    break;
                }
                Err(e) => return Err(format!("client read: {}", e2s(e))),
            }
        }
        if received.len() < TOTAL && (ci != Interest::default() || si != Interest::default()) {
            wait(ci, si, &c, &s)?;
        }
    }
    ensure!(
        received == data,
        "echoed bytes differ ({} echoed)",
        echoed_total
    );
    ensure!(saw_read, "never saw SSLWantReadError");
    ensure!(saw_write, "never saw SSLWantWriteError");
    // Data buffered in the TLS layer is readable while the fd is not (18.2.6).
    let block = pattern(1000);
    loop {
        match s.send(&block, 0) {
            Ok(_) => break,
            Err(e) if e.is_want() => wait(
                Interest::default(),
                Interest {
                    read: false,
                    write: true,
                },
                &c,
                &s,
            )?,
            Err(e) => return Err(e2s(e)),
        }
    }
    let first = loop {
        match c.recv(10, 0) {
            Ok(d) => break d,
            Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantRead) => wait(
                Interest {
                    read: true,
                    write: false,
                },
                Interest::default(),
                &c,
                &s,
            )?,
            Err(e) => return Err(e2s(e)),
        }
    };
    ensure!(first == block[..10], "first 10 bytes");
    ensure!(
        c.pending() == 990,
        "pending() = {}, expected 990",
        c.pending()
    );
    #[cfg(unix)]
    {
        let ready = poll(
            &[(
                fd_of(&c),
                Interest {
                    read: true,
                    write: false,
                },
            )],
            Duration::ZERO,
        )?;
        ensure!(
            !ready[0].0,
            "the fd is readable although the record was consumed"
        );
    }
    let rest = c.recv(2000, 0).map_err(e2s)?;
    ensure!(rest == block[10..], "the buffered 990 bytes");
    Ok(Outcome::Pass)
}

/// S2: timeouts. A silent peer makes the handshake fail with CPython's
/// TimeoutError within the timeout plus a margin; a peer that trickles one
/// byte at a time cannot stretch a call past its total timeout; a read on
/// an established connection times out with "The read operation timed out".
pub fn socket_timeouts<B: Backend>(pki: &Pki) -> CaseResult {
    const T: Duration = Duration::from_millis(300);
    const MARGIN: Duration = Duration::from_secs(3);
    let client = client_ctx::<B>(pki)?;
    // 1. A silent TCP peer: accepted in this thread, never answers.
    let (l, port) = listener(false)?;
    let sock = connect_plain(false, port)?;
    let _silent = accept_plain(&l)?;
    sock.set_read_timeout(Some(T)).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let r = client.wrap_socket(sock, SocketOptions::client("localhost"));
    let took = started.elapsed();
    match r {
        Err(Error::Timeout(m)) => ensure!(m == "The handshake operation timed out", "{m}"),
        other => return Err(format!("silent peer: {:?}", other.map(|_| ()))),
    }
    ensure!(
        took >= T && took < T + MARGIN,
        "handshake timeout took {took:?}"
    );

    // 2. A trickling peer: a record header announcing 16 KiB, then a byte
    // every 40 ms. Only a total deadline ends the call in time.
    let (l, port) = listener(false)?;
    let stop = std::sync::atomic::AtomicBool::new(false);
    thread::scope(|scope| {
        let trickler = scope.spawn(|| -> Result<(), String> {
            let mut peer = accept_plain(&l)?;
            let mut hello = [0u8; 512];
            let _ = peer.read(&mut hello); // the ClientHello
            let _ = peer.write_all(&[0x16, 0x03, 0x03, 0x40, 0x00]);
            for _ in 0..250 {
                if stop.load(std::sync::atomic::Ordering::SeqCst)
                    || peer.write_all(&[0x02]).is_err()
                {
                    break;
                }
                thread::sleep(Duration::from_millis(40));
            }
            Ok(())
        });
        let sock = connect_plain(false, port)?;
        sock.set_read_timeout(Some(T)).map_err(|e| e.to_string())?;
        let started = Instant::now();
        let r = client.wrap_socket(sock, SocketOptions::client("localhost"));
        let took = started.elapsed();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        match r {
            Err(Error::Timeout(m)) => ensure!(m == "The handshake operation timed out", "{m}"),
            other => return Err(format!("trickling peer: {:?}", other.map(|_| ()))),
        }
        ensure!(
            took < T + MARGIN,
            "a trickling peer stretched the call to {took:?}"
        );
        joined(trickler)
    })?;

    // 3. A read timeout after the handshake; the server waits for the verdict.
    let (l, port) = listener(false)?;
    let server = server_ctx::<B>(pki)?;
    thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let srv = scope.spawn(move || {
            serve_one::<B, _>(&l, &server, |_conn| {
                let _ = rx.recv_timeout(IO_TIMEOUT);
                Ok(())
            })
        });
        let mut s = connect_localhost(&client, port)?;
        s.settimeout(Some(T)).map_err(e2s)?;
        ensure!(s.gettimeout() == Some(T), "gettimeout");
        let started = Instant::now();
        let r = s.recv(10, 0);
        let took = started.elapsed();
        let _ = tx.send(());
        match r {
            Err(Error::Timeout(m)) => ensure!(m == "The read operation timed out", "{m}"),
            other => return Err(format!("silent TLS peer: {other:?}")),
        }
        ensure!(took >= T && took < T + MARGIN, "read timeout took {took:?}");
        joined(srv)
    })?;
    Ok(Outcome::Pass)
}

/// S16/E2/E6: an EOF without close_notify reads as `b""` with
/// `suppress_ragged_eofs=True` and is SSLEOFError with `False`, on the client
/// and on the server; a close_notify always reads as `b""`.
pub fn socket_ragged_eofs<B: Backend>(pki: &Pki) -> CaseResult {
    let server = server_ctx::<B>(pki)?;
    let client = client_ctx::<B>(pki)?;
    for suppress in [true, false] {
        for server_closes in [true, false] {
            for clean in [false, true] {
                let (l, port) = listener(false)?;
                let what = format!(
                    "suppress_ragged_eofs={suppress}, {} closes {}",
                    if server_closes { "server" } else { "client" },
                    if clean {
                        "with close_notify"
                    } else {
                        "without close_notify"
                    }
                );
                thread::scope(|scope| {
                    let srv =
                        scope.spawn(|| -> Result<Option<ssl_api::Result<Vec<u8>>>, String> {
                            let sock = accept_plain(&l)?;
                            let mut c = server
                                .wrap_socket(
                                    sock,
                                    SocketOptions::server().suppress_ragged_eofs(suppress),
                                )
                                .map_err(e2s)?;
                            c.sendall(b"x", 0).map_err(e2s)?;
                            if server_closes {
                                if clean {
                                    // close_notify, then wait for the client's.
                                    c.unwrap().map_err(e2s)?;
                                }
                                c.close();
                                return Ok(None);
                            }
                            let d = c.recv(10, 0).map_err(e2s)?;
                            ensure!(d == b"y", "server got {d:?}");
                            let r = c.recv(10, 0);
                            if clean {
                                // The client waits for our close_notify in its unwrap().
                                c.unwrap().map_err(e2s)?;
                            }
                            Ok(Some(r))
                        });
                    let mut s = client
                        .wrap_socket(
                            connect_plain(false, port)?,
                            SocketOptions::client("localhost").suppress_ragged_eofs(suppress),
                        )
                        .map_err(e2s)?;
                    ensure!(s.suppress_ragged_eofs() == suppress, "getter");
                    ensure!(s.recv(10, 0).map_err(e2s)? == b"x", "{what}: first byte");
                    let client_view = if server_closes {
                        let r = s.recv(10, 0);
                        if clean {
                            s.unwrap().map_err(e2s)?;
                        }
                        Some(r)
                    } else {
                        s.sendall(b"y", 0).map_err(e2s)?;
                        if clean {
                            s.unwrap().map_err(e2s)?;
                        }
                        s.close();
                        None
                    };
                    let server_view = joined(srv)?;
                    let view = client_view.or(server_view).ok_or("no reader result")?;
                    match (view, clean || suppress) {
                        (Ok(d), true) => ensure!(d.is_empty(), "{what}: read {d:?}"),
                        (Err(e), false) => ensure!(
                            e.ssl_kind_of() == Some(SslErrorKind::Eof),
                            "{what}: {}",
                            e2s(e)
                        ),
                        (other, _) => return Err(format!("{what}: {other:?}")),
                    }
                    Ok::<(), String>(())
                })?;
            }
        }
    }
    Ok(Outcome::Pass)
}

/// S10: STARTTLS style: plain text, then TLS on the same connection, then
/// `unwrap()` on both ends (close_notify both ways) and plain text again.
pub fn socket_unwrap_starttls<B: Backend>(pki: &Pki) -> CaseResult {
    let (l, port) = listener(false)?;
    let server = server_ctx::<B>(pki)?;
    let client = client_ctx::<B>(pki)?;
    fn read_line(s: &ssl_api::socket2::Socket) -> Result<Vec<u8>, String> {
        let mut line = Vec::new();
        let mut b = [0u8; 1];
        while !line.ends_with(b"\n") {
            let n = (&*s).read(&mut b).map_err(|e| e.to_string())?;
            ensure!(n == 1, "EOF in a plain line");
            line.push(b[0]);
        }
        Ok(line)
    }
    thread::scope(|scope| {
        let srv = scope.spawn(|| -> Result<(), String> {
            let plain = accept_plain(&l)?;
            ensure!(read_line(&plain)? == b"STARTTLS\r\n", "STARTTLS line");
            (&plain).write_all(b"OK\r\n").map_err(|e| e.to_string())?;
            let mut tls = server
                .wrap_socket(plain, SocketOptions::server())
                .map_err(e2s)?;
            let d = recv_exact(&mut tls, 6)?;
            tls.sendall(&d, 0).map_err(e2s)?;
            tls.unwrap().map_err(e2s)?;
            ensure!(tls.version().is_none(), "version after unwrap");
            // Plain again, through the same object (now a plain socket).
            let mut buf = [0u8; 32];
            let mut line = Vec::new();
            while !line.ends_with(b"\n") {
                let n = tls.recv_into(&mut buf, None, 0).map_err(e2s)?;
                ensure!(n > 0, "EOF after unwrap");
                line.extend_from_slice(&buf[..n]);
            }
            ensure!(line == b"PLAIN AGAIN\r\n", "server plain line {line:?}");
            tls.sendall(b"PLAIN REPLY\r\n", 0).map_err(e2s)?;
            Ok(())
        });
        let plain = connect_plain(false, port)?;
        (&plain)
            .write_all(b"STARTTLS\r\n")
            .map_err(|e| e.to_string())?;
        ensure!(read_line(&plain)? == b"OK\r\n", "OK line");
        let mut tls = client
            .wrap_socket(plain, SocketOptions::client("localhost"))
            .map_err(e2s)?;
        tls.sendall(b"secret", 0).map_err(e2s)?;
        ensure!(recv_exact(&mut tls, 6)? == b"secret", "TLS echo");
        let raw = tls.unwrap().map_err(e2s)?;
        (&*raw)
            .write_all(b"PLAIN AGAIN\r\n")
            .map_err(|e| e.to_string())?;
        let reply = read_line(raw)?;
        ensure!(reply == b"PLAIN REPLY\r\n", "client plain reply {reply:?}");
        match tls.read_bytes(10) {
            Err(Error::Value(m)) => ensure!(m == "Read on closed or unwrapped SSL socket.", "{m}"),
            other => return Err(format!("read after unwrap: {other:?}")),
        }
        match tls.unwrap() {
            Err(Error::Value(m)) => ensure!(
                m.starts_with("No SSL wrapper around <ssl.SSLSocket fd="),
                "{m}"
            ),
            other => return Err(format!("second unwrap: {:?}", other.map(|_| ()))),
        }
        joined(srv)?;
        Ok(Outcome::Pass)
    })
}

/// S1: `makefile()`: line reading and buffered writing, both ways.
pub fn socket_makefile_lines<B: Backend>(pki: &Pki) -> CaseResult {
    let (l, port) = listener(false)?;
    let server = server_ctx::<B>(pki)?;
    let client = client_ctx::<B>(pki)?;
    thread::scope(|scope| {
        let srv = scope.spawn(|| {
            serve_one::<B, _>(&l, &server, |mut c| {
                // Lines split across writes and several lines in one write.
                c.sendall(b"first li", 0).map_err(e2s)?;
                c.sendall(b"ne\nsecond line\nthird", 0).map_err(e2s)?;
                c.sendall(b" line\n", 0).map_err(e2s)?;
                let mut f = c.makefile();
                let mut got = Vec::new();
                for _ in 0..2 {
                    got.push(f.readline().map_err(e2s)?);
                }
                ensure!(
                    got == [b"alpha\n".to_vec(), b"beta\n".to_vec()],
                    "server lines {got:?}"
                );
                f.write_all(b"bye\n").map_err(|e| e.to_string())?;
                f.flush().map_err(|e| e.to_string())?;
                Ok(())
            })
        });
        let mut s = connect_localhost(&client, port)?;
        let mut f = s.makefile();
        let mut lines = Vec::new();
        for _ in 0..3 {
            let mut line = String::new();
            f.read_line(&mut line).map_err(|e| e.to_string())?;
            lines.push(line);
        }
        ensure!(
            lines == ["first line\n", "second line\n", "third line\n"],
            "client lines {lines:?}"
        );
        f.write_all(b"alpha\nbe").map_err(|e| e.to_string())?;
        f.write_all(b"ta\n").map_err(|e| e.to_string())?;
        // Reading flushes what was written first.
        ensure!(f.readline().map_err(e2s)? == b"bye\n", "bye");
        drop(f);
        joined(srv)?;
        Ok(Outcome::Pass)
    })
}

/// S1: `sendfile()` of a file larger than one TLS record, from an offset,
/// whole and with a count; the file is left after the last byte sent.
pub fn socket_sendfile<B: Backend>(pki: &Pki) -> CaseResult {
    const LEN: usize = 100 * 1024 + 17;
    let data = pattern(LEN);
    let path = pki.dir().join("sendfile.bin");
    std::fs::write(&path, &data).map_err(|e| e.to_string())?;
    let (l, port) = listener(false)?;
    let server = server_ctx::<B>(pki)?;
    let client = client_ctx::<B>(pki)?;
    let expect_len = (LEN - 10) + 20_000;
    thread::scope(|scope| {
        let srv = scope.spawn(|| {
            serve_one::<B, _>(&l, &server, |mut c| {
                let mut got = Vec::new();
                let mut buf = vec![0u8; 32 * 1024];
                while got.len() < expect_len {
                    let n = c.recv_into(&mut buf, None, 0).map_err(e2s)?;
                    ensure!(n > 0, "EOF after {}", got.len());
                    got.extend_from_slice(&buf[..n]);
                }
                Ok(got)
            })
        });
        let mut s = connect_localhost(&client, port)?;
        let mut file = std::fs::File::open(&path).map_err(|e| e.to_string())?;
        match s.sendfile(&mut file, 0, Some(0)) {
            Err(Error::Value(m)) => ensure!(m == "count must be a positive integer (got 0)", "{m}"),
            other => return Err(format!("count=0: {other:?}")),
        }
        let n = s.sendfile_file(&mut file, 10, None).map_err(e2s)?;
        ensure!(n == (LEN - 10) as u64, "sent {n}");
        let pos = file.stream_position().map_err(|e| e.to_string())?;
        ensure!(pos == LEN as u64, "file position {pos}");
        let n = s.sendfile(&mut file, 5, Some(20_000)).map_err(e2s)?;
        ensure!(n == 20_000, "sent {n} with count");
        ensure!(
            file.stream_position().map_err(|e| e.to_string())? == 20_005,
            "position after count"
        );
        let got = joined(srv)?;
        ensure!(got[..LEN - 10] == data[10..], "whole-file bytes differ");
        ensure!(got[LEN - 10..] == data[5..20_005], "counted bytes differ");
        Ok(Outcome::Pass)
    })
}

/// S4/S5/S9/S11/S12/S13/S14: what the Object knows, through the socket:
/// peer certificates both ways, cipher, version, ALPN, context, and a session
/// resumed by a second socket.
pub fn socket_attributes_and_session_reuse<B: Backend>(pki: &Pki) -> CaseResult {
    // The case needs a client-certificate request on the server and sessions.
    for id in ["X4", "S14"] {
        if let Some(reason) = B::capabilities().unsupported_reason(id) {
            return Ok(Outcome::NotSupported(format!("{id}: {reason}")));
        }
    }
    let (l, port) = listener(false)?;
    let server = server_ctx::<B>(pki)?;
    server
        .load_verify_locations(Some(&pki.ca), None, None)
        .map_err(e2s)?;
    server.set_verify_mode(CERT_REQUIRED).map_err(e2s)?;
    let client = client_ctx::<B>(pki)?;
    client
        .load_cert_chain(&pki.client.cert, Some(&pki.client.key), None)
        .map_err(e2s)?;
    let caps = B::capabilities();
    if caps.has_alpn {
        server
            .set_alpn_protocols(&["h2", "http/1.1"])
            .map_err(e2s)?;
        client
            .set_alpn_protocols(&["http/1.1", "h2"])
            .map_err(e2s)?;
    }
    thread::scope(|scope| {
        let srv = scope.spawn(|| -> Result<Vec<(Option<String>, bool, bool)>, String> {
            let mut seen = Vec::new();
            for _ in 0..2 {
                seen.push(serve_one::<B, _>(&l, &server, |mut c| {
                    let peer = c.getpeercert().map_err(e2s)?.ok_or("no client cert")?;
                    ensure!(
                        common_name_is(&peer, "client"),
                        "client cert {:?}",
                        peer.subject()
                    );
                    ensure!(
                        c.server_side() && c.server_hostname().is_none(),
                        "server attrs"
                    );
                    c.sendall(b"hi", 0).map_err(e2s)?;
                    let _ = c.recv(1, 0);
                    Ok((
                        c.selected_alpn_protocol(),
                        c.session_reused(),
                        c.shared_ciphers().is_some(),
                    ))
                })?);
            }
            Ok(seen)
        });
        let mut s = connect_localhost(&client, port)?;
        ensure!(
            !s.server_side() && s.server_hostname() == Some("localhost"),
            "client attrs"
        );
        ensure!(s.context().protocol() == PROTOCOL_TLS_CLIENT, "context()");
        ensure!(recv_exact(&mut s, 2)? == b"hi", "hi");
        let version = s.version().ok_or("no version")?;
        let cipher = s.cipher().ok_or("no cipher")?;
        ensure!(
            cipher.protocol == version || version == "TLSv1.3",
            "cipher {cipher:?} vs {version}"
        );
        ensure!(cipher.bits >= 128, "cipher bits {}", cipher.bits);
        let der = s.getpeercert_der().map_err(e2s)?.ok_or("no DER")?;
        ensure!(der == pki.server.der, "peer DER differs");
        if caps.has_alpn {
            ensure!(
                s.selected_alpn_protocol().as_deref() == Some("h2"),
                "ALPN {:?}",
                s.selected_alpn_protocol()
            );
        }
        ensure!(s.compression().is_none(), "compression");
        ensure!(!s.session_reused(), "first connection reused");
        let session = s.session().ok_or("no session")?;
        s.sendall(b".", 0).map_err(e2s)?;
        drop(s);
        let mut s2 = client
            .wrap_socket(
                connect_plain(false, port)?,
                SocketOptions::client("localhost").session(session),
            )
            .map_err(e2s)?;
        ensure!(recv_exact(&mut s2, 2)? == b"hi", "hi again");
        ensure!(s2.session_reused(), "the session was not reused");
        s2.sendall(b".", 0).map_err(e2s)?;
        drop(s2);
        let seen = joined(srv)?;
        ensure!(seen[1].1, "server did not see a resumption");
        ensure!(seen[0].2, "server shared_ciphers() is None");
        if caps.has_alpn {
            ensure!(
                seen[0].0.as_deref() == Some("h2"),
                "server ALPN {:?}",
                seen[0].0
            );
        }
        Ok(Outcome::Pass)
    })
}

/// F2/F10/F3-F5/F13: create_default_context's two purposes, get_server_certificate
/// over IPv4 and IPv6 (unverified, verified, and failing verification), RAND_*.
pub fn socket_module_functions<B: Backend>(pki: &Pki) -> CaseResult {
    let c = functions::create_default_context::<B>(Purpose::CLIENT_AUTH, Some(&pki.ca), None, None)
        .map_err(e2s)?;
    ensure!(
        c.protocol() == PROTOCOL_TLS_SERVER && c.verify_mode() == CERT_NONE && !c.check_hostname(),
        "CLIENT_AUTH settings"
    );
    let c = functions::create_default_context::<B>(Purpose::SERVER_AUTH, None, None, None)
        .map_err(e2s)?;
    ensure!(
        c.protocol() == PROTOCOL_TLS_CLIENT && c.check_hostname(),
        "SERVER_AUTH settings"
    );
    let r = functions::rand_bytes::<B>(32).map_err(e2s)?;
    ensure!(r.len() == 32 && r != [0u8; 32], "RAND_bytes");
    ensure!(functions::rand_status::<B>(), "RAND_status");
    let paths = functions::get_default_verify_paths::<B>();
    ensure!(paths.openssl_cafile_env == "SSL_CERT_FILE", "verify paths");

    let server = server_ctx::<B>(pki)?;
    let expected = ssl_api::der_cert_to_pem_cert(&pki.server.der);
    for v6 in [false, true] {
        let (l, port) = listener(v6)?;
        let host = if v6 { "::1" } else { "127.0.0.1" };
        thread::scope(|scope| {
            let srv = scope.spawn(|| -> Result<(), String> {
                for _ in 0..3 {
                    let sock = accept_plain(&l)?;
                    // The third client fails verification: the server sees an alert.
                    if let Ok(mut c) = server.wrap_socket(sock, SocketOptions::server()) {
                        let _ = c.recv(1, 0);
                    }
                }
                Ok(())
            });
            let pem = functions::get_server_certificate::<B>(
                (host, port),
                PROTOCOL_TLS_CLIENT,
                None,
                Some(IO_TIMEOUT),
            )
            .map_err(e2s)?;
            ensure!(pem == expected, "{host}: PEM differs");
            let pem = functions::get_server_certificate::<B>(
                (host, port),
                PROTOCOL_TLS_CLIENT,
                Some(&pki.ca),
                Some(IO_TIMEOUT),
            )
            .map_err(e2s)?;
            ensure!(pem == expected, "{host}: verified PEM differs");
            match functions::get_server_certificate::<B>(
                (host, port),
                PROTOCOL_TLS_CLIENT,
                Some(&pki.other_ca),
                Some(IO_TIMEOUT),
            ) {
                Err(e) => ensure!(
                    e.ssl_kind_of() == Some(SslErrorKind::CertVerification),
                    "{host}: {}",
                    e2s(e)
                ),
                Ok(_) => return Err(format!("{host}: an unknown CA verified")),
            }
            joined(srv)
        })?;
    }
    Ok(Outcome::Pass)
}

/// E5: `SSLSyscallError`, "a system error under the TLS layer". CPython
/// (`PySSL_SetError`, the `SSL_ERROR_SYSCALL` branch) raises the socket's own
/// `OSError` when the system call left an errno, `SSLEOFError` for an EOF, and
/// `SSLSyscallError("Some I/O error occurred")` only for an I/O error without
/// errno. So a peer that resets the connection under the handshake (it reads
/// the ClientHello, then closes with `SO_LINGER` 0: an RST) makes the client's
/// handshake raise `ConnectionResetError` (errno `ECONNRESET`), as CPython
/// 3.11 over OpenSSL 3.0 does; and `SSLSyscallError` itself sits under
/// `SSLError` and `OSError`, beside (not under) `SSLEOFError`.
pub fn socket_reset_during_handshake<B: Backend>(pki: &Pki) -> CaseResult {
    let syscall = Error::syscall("Some I/O error occurred");
    ensure!(
        syscall.python_type() == "SSLSyscallError"
            && syscall.ssl_kind_of() == Some(SslErrorKind::Syscall),
        "Error::syscall is {}",
        syscall.python_type()
    );
    for class in ["SSLSyscallError", "SSLError", "OSError"] {
        ensure!(
            syscall.is_instance(class),
            "SSLSyscallError is not an {class}"
        );
    }
    for class in ["SSLEOFError", "ConnectionError", "ValueError"] {
        ensure!(
            !syscall.is_instance(class),
            "SSLSyscallError counts as an {class}"
        );
    }
    ensure!(
        syscall.errno() == Some(SSL_ERROR_SYSCALL.value()),
        "SSLSyscallError errno {:?}",
        syscall.errno()
    );

    let client = client_ctx::<B>(pki)?;
    let (l, port) = listener(false)?;
    thread::scope(|scope| {
        // The peer: a plain TCP socket that takes the whole ClientHello record
        // (so nothing unread forces the RST early) and then resets.
        let peer = scope.spawn(|| -> Result<usize, String> {
            let mut s = accept_plain(&l)?;
            let mut header = [0u8; 5];
            s.read_exact(&mut header)
                .map_err(|e| format!("peer: the ClientHello's record header: {e}"))?;
            ensure!(
                header[0] == 0x16,
                "peer: not a handshake record: {header:?}"
            );
            let mut body = vec![0u8; usize::from(u16::from_be_bytes([header[3], header[4]]))];
            s.read_exact(&mut body)
                .map_err(|e| format!("peer: the ClientHello's body: {e}"))?;
            ensure!(
                body.first() == Some(&1),
                "peer: not a ClientHello: {:?}",
                body.first()
            );
            s.set_linger(Some(Duration::ZERO))
                .map_err(|e| format!("peer: SO_LINGER: {e}"))?;
            drop(s);
            Ok(header.len() + body.len())
        });
        // The socket has IO_TIMEOUT: a peer that never resets cannot hang the case.
        let started = Instant::now();
        let r = client.wrap_socket(
            connect_plain(false, port)?,
            SocketOptions::client("localhost"),
        );
        let took = started.elapsed();
        let hello = joined(peer)?;
        let e = match r {
            Ok(_) => return Err("the handshake succeeded against a reset".into()),
            Err(e) => e,
        };
        let what = format!(
            "after a {hello}-byte ClientHello, the reset gave {} (errno {:?})",
            e2s_ref(&e),
            e.errno()
        );
        ensure!(
            !matches!(e, Error::Timeout(_)) && took < IO_TIMEOUT,
            "{what} after {took:?}"
        );
        ensure!(e.python_type() == "ConnectionResetError", "{what}");
        for class in ["ConnectionResetError", "ConnectionError", "OSError"] {
            ensure!(e.is_instance(class), "{what}: not an {class}");
        }
        for class in ["SSLError", "SSLSyscallError", "SSLEOFError"] {
            ensure!(!e.is_instance(class), "{what}: an {class}");
        }
        #[cfg(unix)]
        ensure!(
            e.errno() == Some(i64::from(libc::ECONNRESET)),
            "{what}: errno is not ECONNRESET ({})",
            libc::ECONNRESET
        );
        #[cfg(not(unix))]
        ensure!(e.errno().is_some(), "{what}: no errno");
        Ok(Outcome::Pass)
    })
}

fn e2s_ref(e: &Error) -> String {
    format!("{} ({})", e, e.python_type())
}

/// The peer's side of [`socket_handshake_flights_leave_whole`]: an Object of
/// the same backend over MemoryBIOs on a plain socket, which sends each of
/// its flights in one write and checks that each flight it receives came in
/// one piece: the first bytes that arrive after its own flight are enough
/// for it to reply (or to finish).
struct FlightPeer<O> {
    sock: ssl_api::socket2::Socket,
    obj: O,
    incoming: ssl_api::MemoryBio,
    outgoing: ssl_api::MemoryBio,
}

impl<O: ssl_api::Object> FlightPeer<O> {
    fn send_flight(&mut self) -> Result<(), String> {
        let flight = ssl_api::Bio::read(&self.outgoing, None);
        (&self.sock)
            .write_all(&flight)
            .map_err(|e| format!("peer: send: {e}"))
    }

    /// Reads one piece from the socket into the Object; its byte count.
    fn receive_piece(&mut self) -> Result<usize, String> {
        let mut buf = vec![0u8; 64 << 10];
        let n = (&self.sock)
            .read(&mut buf)
            .map_err(|e| format!("peer: recv: {e}"))?;
        ensure!(n > 0, "peer: EOF during the handshake");
        ssl_api::Bio::write(&self.incoming, &buf[..n]).map_err(e2s)?;
        Ok(n)
    }

    /// Steps the handshake: `Ok(true)` when done, `Ok(false)` when it waits
    /// for the peer.
    fn step(&mut self) -> Result<bool, String> {
        match self.obj.do_handshake() {
            Ok(()) => Ok(true),
            Err(e) if e.is_want() => Ok(false),
            Err(e) => Err(format!("peer: handshake: {}", e2s(e))),
        }
    }

    /// After the handshake: reads until the other side closes (a reset when
    /// it leaves our tickets unread), so that nothing it sends meets a
    /// closed socket.
    fn drain(&mut self) -> Result<(), String> {
        let mut buf = [0u8; 4096];
        loop {
            match (&self.sock).read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Ok(()),
                Err(e) => return Err(format!("peer: drain: {e}")),
            }
        }
    }

    /// The other side's flight, which must come in one piece, and our reply.
    fn answer_flight(&mut self, whose: &str) -> Result<bool, String> {
        let n = self.receive_piece()?;
        let done = self.step()?;
        ensure!(
            done || ssl_api::Bio::pending(&self.outgoing) > 0,
            "the {whose}'s handshake flight came in pieces: its first {n} bytes were not all of it"
        );
        self.send_flight()?;
        Ok(done)
    }
}

/// S1, S3: `SSLSocket` sends each handshake flight in one piece, client and
/// server, as the library does on its own socket. Flights sent record by
/// record can wait on Nagle's algorithm for the peer's delayed ACK (~40 ms
/// a handshake, seen with rustls's server flight and its client's CCS and
/// Finished). The peer sends its own flights whole, so that a socket that
/// replied before reading all of the flight it has is caught too. TCP may
/// merge pieces sent close together, so a fault shows often, not always;
/// flights sent whole always pass.
pub fn socket_handshake_flights_leave_whole<B: Backend>(pki: &Pki) -> CaseResult {
    let client = client_ctx::<B>(pki)?;
    let server = server_ctx::<B>(pki)?;
    let peer_of = |sock: ssl_api::socket2::Socket,
                   ctx: &B::Context,
                   options: ssl_api::WrapOptions<B>|
     -> Result<FlightPeer<B::Object>, String> {
        sock.set_read_timeout(Some(IO_TIMEOUT))
            .and_then(|()| sock.set_write_timeout(Some(IO_TIMEOUT)))
            .map_err(|e| e.to_string())?;
        let (incoming, outgoing) = (ssl_api::MemoryBio::new(), ssl_api::MemoryBio::new());
        let obj = ctx
            .wrap_bio(incoming.clone(), outgoing.clone(), options)
            .map_err(e2s)?;
        Ok(FlightPeer {
            sock,
            obj,
            incoming,
            outgoing,
        })
    };

    // Our client against a peer server.
    let (l, port) = listener(false)?;
    thread::scope(|scope| {
        let peer = scope.spawn(|| -> Result<(), String> {
            let mut p = peer_of(accept_plain(&l)?, &server, ssl_api::WrapOptions::server())?;
            // The ClientHello, however it arrives: not what this case judges.
            while !p.step()? && ssl_api::Bio::pending(&p.outgoing) == 0 {
                p.receive_piece()?;
            }
            p.send_flight()?;
            while !p.answer_flight("client")? {}
            p.drain()
        });
        let c = client
            .wrap_socket(
                connect_plain(false, port)?,
                SocketOptions::client("localhost"),
            )
            .map_err(|e| format!("client handshake: {}", e2s(e)));
        drop(c);
        joined(peer)
    })?;

    // Our server against a peer client.
    let (l, port) = listener(false)?;
    thread::scope(|scope| {
        let peer = scope.spawn(|| -> Result<(), String> {
            let mut p = peer_of(
                connect_plain(false, port)?,
                &client,
                ssl_api::WrapOptions::client("localhost"),
            )?;
            ensure!(
                !p.step()?,
                "peer: a client handshake done before the server spoke"
            );
            p.send_flight()?;
            while !p.answer_flight("server")? {}
            p.drain()
        });
        let s = server
            .wrap_socket(accept_plain(&l)?, SocketOptions::server())
            .map_err(|e| format!("server handshake: {}", e2s(e)));
        drop(s);
        joined(peer)
    })?;
    Ok(Outcome::Pass)
}
