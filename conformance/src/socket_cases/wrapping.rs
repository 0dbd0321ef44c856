//! What only an owned socket does (`SSLSocket` proper): the documentation's
//! client and server, the lazy client wrap in `connect`, `accept` on a
//! wrapped listener, the deprecated module `wrap_socket`, and the module
//! functions that make their own sockets.

use std::net::Shutdown;
use std::thread;

use ssl_api::constants::*;
use ssl_api::functions::{self, LegacyWrapOptions};
use ssl_api::ContextExt;
use ssl_api::{Backend, Context, Error, SocketOptions, SslErrorKind};

use super::{common_name_is, e2s, joined, recv_exact, serve_one};
use crate::carriers::Owned;
use crate::cases::{client_ctx, server_ctx, CaseResult, Outcome};
use crate::net::{accept_plain, connect_plain, listener, tcp_socket, IO_TIMEOUT};
use crate::pki::Pki;

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
            serve_one::<B, Owned, _>(&bindsocket, &server_ctx, |mut connstream| {
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
                serve_one::<B, Owned, _>(&l, &server, |mut c| {
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
