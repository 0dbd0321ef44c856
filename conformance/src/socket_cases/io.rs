//! Moving bytes: a blocking echo, non-blocking client and server driven by
//! `poll`, timeouts (a silent peer, a trickling peer, a silent TLS peer), and
//! a borrowed socket whose own mode and timeouts are left as its owner set
//! them.

use std::io::{Read, Write};
use std::thread;
use std::time::{Duration, Instant};

use ssl_api::socket2::Socket;
use ssl_api::{Backend, Error, SocketOptions, SslErrorKind, SslStream};

use super::{connect_client, e2s, fd_of, joined, serve_one, want_kind};
use crate::carriers::Carrier;
use crate::cases::{client_ctx, server_ctx, CaseResult, Outcome};
use crate::net::{
    accept_plain, connect_plain, fnv1a, listener, pattern, poll, tcp_socket, Interest, FNV_START,
    IO_TIMEOUT,
};
use crate::pki::Pki;

crate::over_carriers!(
    /// S2: 10 MiB echoed through blocking sockets (64 KiB at a time, both
    /// ways), checksummed on both ends.
    blocking_echo_10mib => socket_blocking_echo_10mib, borrowed_blocking_echo_10mib, stream_blocking_echo_10mib
);

fn blocking_echo_10mib<B: Backend, C: Carrier>(pki: &Pki) -> CaseResult {
    const TOTAL: usize = 10 * 1024 * 1024;
    const CHUNK: usize = 64 * 1024;
    let (l, port) = listener(false)?;
    let server = server_ctx::<B>(pki)?;
    let client = client_ctx::<B>(pki)?;
    thread::scope(|scope| {
        let srv = scope.spawn(|| {
            serve_one::<B, C, _>(&l, &server, |mut c| {
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
        let mut s = connect_client::<B, C>(&client, port)?;
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

crate::over_carriers!(
    /// S15 (18.2.6): non-blocking client and server in one thread, driven by
    /// `poll`: the handshake retried until done, WantRead and WantWrite seen, a
    /// 2 MiB echo, and decrypted bytes readable while the fd is not.
    nonblocking_poll => socket_nonblocking_poll, borrowed_nonblocking_poll, stream_nonblocking_poll
);

fn nonblocking_poll<B: Backend, C: Carrier>(pki: &Pki) -> CaseResult {
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
    let mut c = C::wrap::<B>(
        &client_ctx::<B>(pki)?,
        cs,
        SocketOptions::client("localhost").do_handshake_on_connect(false),
    )
    .map_err(e2s)?;
    let mut s = C::wrap::<B>(
        &server_ctx::<B>(pki)?,
        ss,
        SocketOptions::server().do_handshake_on_connect(false),
    )
    .map_err(e2s)?;
    C::set_timeout(&mut c, Some(Duration::ZERO))?;
    C::set_timeout(&mut s, Some(Duration::ZERO))?;
    ensure!(
        c.gettimeout() == Some(Duration::ZERO),
        "gettimeout after setblocking(False)"
    );
    let (mut saw_read, mut saw_write) = (false, false);
    let wait = |ci: Interest, si: Interest, c: &SslStream<B, C::E>, s: &SslStream<B, C::E>| {
        let ready = poll(
            &[(fd_of::<B, C>(c), ci), (fd_of::<B, C>(s), si)],
            IO_TIMEOUT,
        )?;
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
                fd_of::<B, C>(&c),
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

/// A client handshake on `sock` under timeout `t` (`Ok` holds its result):
/// the owned socket takes `t` from `SO_RCVTIMEO`, set before `wrap_socket`
/// (as a Python socket with a timeout); the other carriers are wrapped with
/// `do_handshake_on_connect=False`, given `t`, then shake hands.
fn handshake_under_timeout<B: Backend, C: Carrier>(
    client: &B::Context,
    sock: Socket,
    t: Duration,
) -> Result<ssl_api::Result<()>, String> {
    if C::INFERS_TIMEOUT {
        sock.set_read_timeout(Some(t)).map_err(|e| e.to_string())?;
        return Ok(C::wrap::<B>(client, sock, SocketOptions::client("localhost")).map(drop));
    }
    let mut s = C::wrap::<B>(
        client,
        sock,
        SocketOptions::client("localhost").do_handshake_on_connect(false),
    )
    .map_err(e2s)?;
    C::set_timeout(&mut s, Some(t))?;
    Ok(s.do_handshake())
}

crate::over_carriers!(
    /// S2: timeouts. A silent peer makes the handshake fail with CPython's
    /// TimeoutError within the timeout plus a margin; a peer that trickles one
    /// byte at a time cannot stretch a call past its total timeout (where the
    /// carrier's timeouts are totals per call: not a `Read + Write` stream,
    /// which waits with its own per-read timeouts); a read on an established
    /// connection times out with "The read operation timed out".
    timeouts => socket_timeouts, borrowed_timeouts, stream_timeouts
);

fn timeouts<B: Backend, C: Carrier>(pki: &Pki) -> CaseResult {
    const T: Duration = Duration::from_millis(300);
    const MARGIN: Duration = Duration::from_secs(3);
    let client = client_ctx::<B>(pki)?;
    // 1. A silent TCP peer: accepted in this thread, never answers.
    let (l, port) = listener(false)?;
    let sock = connect_plain(false, port)?;
    let _silent = accept_plain(&l)?;
    let started = Instant::now();
    let r = handshake_under_timeout::<B, C>(&client, sock, T)?;
    let took = started.elapsed();
    match r {
        Err(Error::Timeout(m)) => ensure!(m == "The handshake operation timed out", "{m}"),
        other => return Err(format!("silent peer: {other:?}")),
    }
    ensure!(
        took >= T && took < T + MARGIN,
        "handshake timeout took {took:?}"
    );

    // 2. A trickling peer: a record header announcing 16 KiB, then a byte
    // every 40 ms. Only a total deadline ends the call in time.
    if C::TOTAL_DEADLINES {
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
            let started = Instant::now();
            let r = handshake_under_timeout::<B, C>(&client, sock, T);
            let took = started.elapsed();
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
            match r? {
                Err(Error::Timeout(m)) => {
                    ensure!(m == "The handshake operation timed out", "{m}")
                }
                other => return Err(format!("trickling peer: {other:?}")),
            }
            ensure!(
                took < T + MARGIN,
                "a trickling peer stretched the call to {took:?}"
            );
            joined(trickler)
        })?;
    }

    // 3. A read timeout after the handshake; the server waits for the verdict.
    let (l, port) = listener(false)?;
    let server = server_ctx::<B>(pki)?;
    thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let srv = scope.spawn(move || {
            serve_one::<B, C, _>(&l, &server, |_conn| {
                let _ = rx.recv_timeout(IO_TIMEOUT);
                Ok(())
            })
        });
        let mut s = connect_client::<B, C>(&client, port)?;
        C::set_timeout(&mut s, Some(T))?;
        // A Read + Write stream stays blocking: the stream's own timeouts apply.
        let mode = if C::TOTAL_DEADLINES { Some(T) } else { None };
        ensure!(s.gettimeout() == mode, "gettimeout");
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

/// S1, S2: a borrowed socket is left as its owner set it. A blocking socket
/// whose `SO_RCVTIMEO` is 7 s is wrapped as a `BorrowedSocket` (its owner
/// keeps a handle) with `settimeout(0.3)`, made non-blocking for a handshake
/// driven by `poll`, then given its timeout again for an echo and a read that
/// times out: the socket stays blocking with its own timeouts throughout,
/// and is the owner's alone once the stream is gone.
#[cfg(unix)]
pub fn borrowed_socket_left_as_found<B: Backend>(pki: &Pki) -> CaseResult {
    use std::os::fd::AsRawFd;
    use std::sync::Arc;

    use ssl_api::transport::BorrowedSocket;
    use ssl_api::ContextExt;

    use super::recv_exact;
    use crate::carriers::Owned;

    const T: Duration = Duration::from_millis(300);
    const MARGIN: Duration = Duration::from_secs(3);
    const OWNERS: Duration = Duration::from_secs(7);
    let (l, port) = listener(false)?;
    let server = server_ctx::<B>(pki)?;
    let client = client_ctx::<B>(pki)?;
    let sock = Arc::new(connect_plain(false, port)?);
    sock.set_read_timeout(Some(OWNERS))
        .map_err(|e| e.to_string())?;
    let untouched =
        |when: &str| -> Result<(), String> {
            let nonblocking = sock.nonblocking().map_err(|e| e.to_string())?;
            let read = sock.read_timeout().map_err(|e| e.to_string())?;
            let write = sock.write_timeout().map_err(|e| e.to_string())?;
            ensure!(
            !nonblocking && read == Some(OWNERS) && write == Some(IO_TIMEOUT),
            "{when}: the borrowed socket is {} with SO_RCVTIMEO {read:?}, SO_SNDTIMEO {write:?}",
            if nonblocking { "non-blocking" } else { "blocking" }
        );
            Ok(())
        };
    thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let srv = scope.spawn(move || {
            serve_one::<B, Owned, _>(&l, &server, |mut c| {
                let d = recv_exact(&mut c, 4)?;
                c.sendall(&d, 0).map_err(e2s)?;
                let _ = rx.recv_timeout(IO_TIMEOUT);
                Ok(())
            })
        });
        let mut s = client
            .wrap_stream(
                BorrowedSocket::new(Arc::clone(&sock)),
                SocketOptions::client("localhost").do_handshake_on_connect(false),
            )
            .map_err(e2s)?;
        untouched("after the wrap")?;
        s.settimeout(Some(T)).map_err(e2s)?;
        untouched("after settimeout(0.3)")?;
        s.setblocking(false).map_err(e2s)?;
        ensure!(
            s.gettimeout() == Some(Duration::ZERO),
            "gettimeout after setblocking(False)"
        );
        untouched("after setblocking(False)")?;
        // The handshake, non-blocking: retried after WantRead / WantWrite.
        let started = Instant::now();
        loop {
            let r = s.do_handshake();
            let interest = match want_kind(&r) {
                Some(SslErrorKind::WantRead) => Interest {
                    read: true,
                    write: false,
                },
                Some(_) => Interest {
                    read: false,
                    write: true,
                },
                None => {
                    r.map_err(|e| format!("handshake: {}", e2s(e)))?;
                    break;
                }
            };
            ensure!(
                started.elapsed() < IO_TIMEOUT,
                "the handshake made no progress"
            );
            poll(&[(s.as_raw_fd(), interest)], IO_TIMEOUT)?;
        }
        untouched("after a non-blocking handshake")?;
        s.settimeout(Some(T)).map_err(e2s)?;
        s.sendall(b"ping", 0).map_err(e2s)?;
        ensure!(recv_exact(&mut s, 4)? == b"ping", "echo");
        let started = Instant::now();
        let r = s.recv(10, 0);
        let took = started.elapsed();
        let _ = tx.send(());
        match r {
            Err(Error::Timeout(m)) => ensure!(m == "The read operation timed out", "{m}"),
            other => return Err(format!("silent TLS peer: {other:?}")),
        }
        ensure!(took >= T && took < T + MARGIN, "read timeout took {took:?}");
        untouched("after a read that timed out")?;
        drop(s);
        ensure!(
            Arc::strong_count(&sock) == 1,
            "the dropped stream still holds the socket"
        );
        untouched("after the stream was dropped")?;
        joined(srv)?;
        Ok(Outcome::Pass)
    })
}

/// S1, S2: a borrowed socket is left as its owner set it (Unix only: a
/// `BorrowedSocket` waits with `poll(2)`).
#[cfg(not(unix))]
pub fn borrowed_socket_left_as_found<B: Backend>(_pki: &Pki) -> CaseResult {
    let reason = <crate::carriers::Borrowed as Carrier>::UNSUPPORTED;
    Ok(Outcome::NotSupported(
        reason.unwrap_or("BorrowedSocket: Unix only").to_string(),
    ))
}
