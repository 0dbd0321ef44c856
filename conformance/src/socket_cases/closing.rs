//! How connections end: ragged EOFs (with and without close_notify),
//! `unwrap()` back to plain text (STARTTLS), and a reset under the handshake.

use std::io::{Read, Write};
use std::thread;
use std::time::{Duration, Instant};

use ssl_api::constants::*;
use ssl_api::{Backend, Error, SocketOptions, SslErrorKind};

use super::{e2s, e2s_ref, joined, recv_exact};
use crate::carriers::Carrier;
use crate::cases::{client_ctx, server_ctx, CaseResult, Outcome};
use crate::net::{accept_plain, connect_plain, listener, IO_TIMEOUT};
use crate::pki::Pki;

crate::over_carriers!(
    /// S16/E2/E6: an EOF without close_notify reads as `b""` with
    /// `suppress_ragged_eofs=True` and is SSLEOFError with `False`, on the client
    /// and on the server; a close_notify always reads as `b""`.
    ragged_eofs => socket_ragged_eofs, borrowed_ragged_eofs, stream_ragged_eofs
);

fn ragged_eofs<B: Backend, C: Carrier>(pki: &Pki) -> CaseResult {
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
                            let mut c = C::wrap::<B>(
                                &server,
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
                    let mut s = C::wrap::<B>(
                        &client,
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

crate::over_carriers!(
    /// E6/S16: a peer that resets the connection after the handshake (it
    /// closes with `SO_LINGER` 0) is, for a read, an EOF in violation of the
    /// protocol: `SSLEOFError("EOF occurred in violation of protocol")` with
    /// no library or reason (CPython 3.11 over OpenSSL 3.0: `SSL_read_ex`
    /// fails with 0, `PySSL_SetError`'s `ret == 0` branch), `b""` with
    /// `suppress_ragged_eofs`; the reset itself is the error's `source()`.
    /// (A reset during the handshake stays `ConnectionResetError`.)
    reset_after_handshake => socket_reset_after_handshake, borrowed_reset_after_handshake, stream_reset_after_handshake
);

fn reset_after_handshake<B: Backend, C: Carrier>(pki: &Pki) -> CaseResult {
    let server = server_ctx::<B>(pki)?;
    let client = client_ctx::<B>(pki)?;
    for suppress in [false, true] {
        let (l, port) = listener(false)?;
        thread::scope(|scope| {
            let srv = scope.spawn(|| -> Result<(), String> {
                let sock = accept_plain(&l)?;
                let raw = sock
                    .try_clone()
                    .map_err(|e| format!("server: clone: {e}"))?;
                let mut c = C::wrap::<B>(&server, sock, SocketOptions::server()).map_err(e2s)?;
                c.sendall(b"x", 0).map_err(e2s)?;
                // Wait for the client's word that it read, then reset.
                let d = c.recv(10, 0).map_err(e2s)?;
                ensure!(d == b"y", "server got {d:?}");
                ssl_api::socket2::SockRef::from(&raw)
                    .set_linger(Some(Duration::ZERO))
                    .map_err(|e| format!("server: SO_LINGER: {e}"))?;
                drop(c);
                drop(raw);
                Ok(())
            });
            let mut s = C::wrap::<B>(
                &client,
                connect_plain(false, port)?,
                SocketOptions::client("localhost").suppress_ragged_eofs(suppress),
            )
            .map_err(e2s)?;
            ensure!(s.recv(10, 0).map_err(e2s)? == b"x", "first byte");
            s.sendall(b"y", 0).map_err(e2s)?;
            joined(srv)?;
            let r = s.recv(10, 0);
            let what =
                format!("suppress_ragged_eofs={suppress}: the read after the reset gave {r:?}");
            match (r, suppress) {
                (Ok(d), true) => ensure!(d.is_empty(), "{what}"),
                (Err(Error::Ssl(e)), false) => {
                    ensure!(
                        e.kind == SslErrorKind::Eof
                            && e.library.is_none()
                            && e.reason.is_none()
                            && e.message == "EOF occurred in violation of protocol"
                            && e.errno() == SSL_ERROR_EOF.value(),
                        "{what}"
                    );
                    let source = std::error::Error::source(&e)
                        .and_then(|c| c.downcast_ref::<std::io::Error>())
                        .map(std::io::Error::kind);
                    ensure!(
                        source == Some(std::io::ErrorKind::ConnectionReset),
                        "{what}: source {source:?}"
                    );
                }
                _ => return Err(what),
            }
            Ok::<(), String>(())
        })?;
    }
    Ok(Outcome::Pass)
}

crate::over_carriers!(
    /// S10: STARTTLS style: plain text, then TLS on the same connection, then
    /// `unwrap()` on both ends (close_notify both ways) and plain text again.
    unwrap_starttls => socket_unwrap_starttls, borrowed_unwrap_starttls, stream_unwrap_starttls
);

fn unwrap_starttls<B: Backend, C: Carrier>(pki: &Pki) -> CaseResult {
    let (l, port) = listener(false)?;
    let server = server_ctx::<B>(pki)?;
    let client = client_ctx::<B>(pki)?;
    fn read_line(mut s: impl Read) -> Result<Vec<u8>, String> {
        let mut line = Vec::new();
        let mut b = [0u8; 1];
        while !line.ends_with(b"\n") {
            let n = s.read(&mut b).map_err(|e| e.to_string())?;
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
            let mut tls = C::wrap::<B>(&server, plain, SocketOptions::server()).map_err(e2s)?;
            let d = recv_exact(&mut tls, 6)?;
            tls.sendall(&d, 0).map_err(e2s)?;
            tls.unwrap().map_err(e2s)?;
            ensure!(tls.version().is_none(), "version after unwrap");
            // Plain again, through the same object (now a plain stream).
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
        let mut tls =
            C::wrap::<B>(&client, plain, SocketOptions::client("localhost")).map_err(e2s)?;
        tls.sendall(b"secret", 0).map_err(e2s)?;
        ensure!(recv_exact(&mut tls, 6)? == b"secret", "TLS echo");
        tls.unwrap().map_err(e2s)?;
        match tls.read_bytes(10) {
            Err(Error::Value(m)) => ensure!(m == "Read on closed or unwrapped SSL socket.", "{m}"),
            other => return Err(format!("read after unwrap: {other:?}")),
        }
        match tls.unwrap() {
            Err(Error::Value(m)) => ensure!(
                m.starts_with("No SSL wrapper around <ssl.SSLSocket "),
                "{m}"
            ),
            other => return Err(format!("second unwrap: {:?}", other.map(|_| ()))),
        }
        // Plain again, on the transport itself.
        let tcp = C::into_tcp(tls.detach().map_err(e2s)?)?;
        (&tcp)
            .write_all(b"PLAIN AGAIN\r\n")
            .map_err(|e| e.to_string())?;
        let reply = read_line(&tcp)?;
        ensure!(reply == b"PLAIN REPLY\r\n", "client plain reply {reply:?}");
        joined(srv)?;
        Ok(Outcome::Pass)
    })
}

crate::over_carriers!(
    /// E5: `SSLSyscallError`, "a system error under the TLS layer". CPython
    /// (`PySSL_SetError`, the `SSL_ERROR_SYSCALL` branch) raises the socket's own
    /// `OSError` when the system call left an errno, `SSLEOFError` for an EOF, and
    /// `SSLSyscallError("Some I/O error occurred")` only for an I/O error without
    /// errno. So a peer that resets the connection under the handshake (it reads
    /// the ClientHello, then closes with `SO_LINGER` 0: an RST) makes the client's
    /// handshake raise `ConnectionResetError` (errno `ECONNRESET`), as CPython
    /// 3.11 over OpenSSL 3.0 does; and `SSLSyscallError` itself sits under
    /// `SSLError` and `OSError`, beside (not under) `SSLEOFError`.
    reset_during_handshake => socket_reset_during_handshake, borrowed_reset_during_handshake, stream_reset_during_handshake
);

fn reset_during_handshake<B: Backend, C: Carrier>(pki: &Pki) -> CaseResult {
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
        // The socket has IO_TIMEOUT, and the peer closes its end within it
        // whatever happens: a peer that never resets cannot hang the case.
        let started = Instant::now();
        let r = C::wrap::<B>(
            &client,
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
