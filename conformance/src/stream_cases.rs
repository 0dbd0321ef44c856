//! What a TLS stream answers, the same on every flavor: written once over
//! [`Flavor`] and [`Conn`], instantiated by [`crate::over_flavors!`] as
//! blocking streams over an owned socket (`socket_*`), a borrowed descriptor
//! (`borrowed_*`) and a `Read + Write` stream (`stream_*`), and as
//! `ssl_api::tokio` streams (`async_*`): an echo with checksums,
//! verification failures with their codes, ALPN, close_notify against a
//! ragged EOF, a bounded read that leaves the connection usable, session
//! resumption, 1,000 concurrent connections on one shared pair of contexts,
//! the SNI callback's context swap and client certificates.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ssl_api::{Backend, Context, Object, SocketOptions};

use crate::cases::{client_ctx, expect_verify_error, server_ctx, CaseResult, Outcome};
use crate::flavors::{e2s, read_exact, Conn, Flavor, PlainConn};
use crate::net::{fnv1a, pattern, FNV_START};
use crate::pki::Pki;

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// Compile-time: the async stream is `Send + Unpin` and tokio's traits hold
/// for any backend, with no bounds beyond `B: Backend`.
fn _async_stream_is_send_unpin<B: Backend>() {
    fn check<T: Send + Unpin + tokio::io::AsyncRead + tokio::io::AsyncWrite>() {}
    check::<ssl_api::tokio::TlsStream<B, tokio::net::TcpStream>>();
}

/// A client of `localhost` with `options` on loopback `port`.
async fn client<B: Backend, F: Flavor>(
    ctx: &B::Context,
    port: u16,
    options: SocketOptions<B>,
) -> Result<F::Conn<B>, String> {
    F::connect::<B>(ctx, port, options)
        .await
        .map_err(|e| format!("client handshake: {}", e2s(e)))
}

async fn accept<B: Backend, F: Flavor>(
    l: &F::Listener,
    ctx: &B::Context,
) -> Result<F::Conn<B>, String> {
    F::accept::<B>(l, ctx, SocketOptions::server())
        .await
        .map_err(|e| format!("server handshake: {}", e2s(e)))
}

/// S2/S3/S4/S5/S11: a 1 MiB echo (the client keeps up to 64 KiB in flight
/// while it reads back), checksums on both sides, and what the client knows
/// of the connection.
fn echo_1mib<B: Backend, F: Flavor>(pki: &Pki) -> CaseResult {
    const TOTAL: usize = 1 << 20;
    const CHUNK: usize = 16 * 1024;
    const WINDOW: usize = 64 * 1024;
    let server = server_ctx::<B>(pki)?;
    let client_ctx = client_ctx::<B>(pki)?;
    F::run(async move {
        let (l, port) = F::listen().await?;
        let srv = F::spawn(async move {
            let mut s = accept::<B, F>(&l, &server).await?;
            let (mut n, mut sum) = (0usize, FNV_START);
            let mut buf = vec![0u8; 32 * 1024];
            while n < TOTAL {
                let k = s.read(&mut buf).await.map_err(e2s)?;
                ensure!(k > 0, "server: EOF after {n} bytes");
                sum = fnv1a(sum, &buf[..k]);
                s.write_all(&buf[..k]).await.map_err(e2s)?;
                n += k;
            }
            Ok(sum)
        });
        let mut c = client::<B, F>(&client_ctx, port, SocketOptions::client("localhost")).await?;
        let o = c.object();
        ensure!(o.version().is_some(), "no version after the handshake");
        ensure!(o.cipher().is_some(), "no cipher after the handshake");
        ensure!(
            o.getpeercert().map_err(e2s)?.is_some(),
            "no peer certificate"
        );
        let data = pattern(TOTAL);
        let (mut back, mut got) = (FNV_START, 0usize);
        let mut buf = vec![0u8; 32 * 1024];
        for (i, chunk) in data.chunks(CHUNK).enumerate() {
            c.write_all(chunk).await.map_err(e2s)?;
            let sent = (i * CHUNK + chunk.len()).min(TOTAL);
            let floor = if sent == TOTAL {
                TOTAL
            } else {
                sent.saturating_sub(WINDOW)
            };
            while got < floor {
                let k = c.read(&mut buf).await.map_err(e2s)?;
                ensure!(k > 0, "client: EOF after {got} bytes");
                back = fnv1a(back, &buf[..k]);
                got += k;
            }
        }
        let sent = fnv1a(FNV_START, &data);
        ensure!(srv.await? == sent, "server checksum differs");
        ensure!(back == sent, "echo checksum differs");
        Ok(Outcome::Pass)
    })
}

crate::over_flavors!(echo_1mib => socket_echo_1mib, borrowed_echo_1mib, stream_echo_1mib, async_echo_1mib);

/// E7/S3: an unknown CA (20) and a hostname mismatch (62) fail the client's
/// handshake with SSLCertVerificationError and its code; the server's
/// handshake fails after the client's alert.
fn verify_failures<B: Backend, F: Flavor>(pki: &Pki) -> CaseResult {
    let server = server_ctx::<B>(pki)?;
    let wrong = <B::Context as Context>::new(ssl_api::PROTOCOL_TLS_SERVER).map_err(e2s)?;
    wrong
        .load_cert_chain(&pki.wrong_name.cert, Some(&pki.wrong_name.key), None)
        .map_err(e2s)?;
    let strangers = <B::Context as Context>::new(ssl_api::PROTOCOL_TLS_CLIENT).map_err(e2s)?;
    strangers
        .load_verify_locations(Some(&pki.other_ca), None, None)
        .map_err(e2s)?;
    let trusting = client_ctx::<B>(pki)?;
    F::run(async move {
        for (server, client_ctx, code) in [(server, strangers, 20), (wrong, trusting, 62)] {
            let (l, port) = F::listen().await?;
            let srv = F::spawn(async move {
                Ok(F::accept::<B>(&l, &server, SocketOptions::server())
                    .await
                    .is_err())
            });
            let r = F::connect::<B>(&client_ctx, port, SocketOptions::client("localhost")).await;
            expect_verify_error(&r.map(drop), code)?;
            ensure!(
                srv.await?,
                "verify {code}: the server did not fail after the client's alert"
            );
        }
        Ok(Outcome::Pass)
    })
}

crate::over_flavors!(verify_failures => socket_verify_failures, borrowed_verify_failures, stream_verify_failures, async_verify_failures);

/// X14/S9: ALPN agreed, the same protocol on both sides.
fn alpn_agreed<B: Backend, F: Flavor>(pki: &Pki) -> CaseResult {
    if !B::capabilities().has_alpn {
        return Ok(Outcome::NotSupported("HAS_ALPN is false".into()));
    }
    let server = server_ctx::<B>(pki)?;
    server
        .set_alpn_protocols(&["h2", "http/1.1"])
        .map_err(e2s)?;
    let client_ctx = client_ctx::<B>(pki)?;
    client_ctx
        .set_alpn_protocols(&["http/1.1", "h2"])
        .map_err(e2s)?;
    F::run(async move {
        let (l, port) = F::listen().await?;
        let srv = F::spawn(async move {
            let s = accept::<B, F>(&l, &server).await?;
            Ok(s.object().selected_alpn_protocol())
        });
        let c = client::<B, F>(&client_ctx, port, SocketOptions::client("localhost")).await?;
        let server_side = srv.await?;
        let client_side = c.object().selected_alpn_protocol();
        ensure!(
            client_side == server_side && server_side.is_some(),
            "client {client_side:?}, server {server_side:?}"
        );
        Ok(Outcome::Pass)
    })
}

crate::over_flavors!(alpn_agreed => socket_alpn_agreed, borrowed_alpn_agreed, stream_alpn_agreed, async_alpn_agreed);

/// S16/E6/S10: close_notify reads as the end of the stream; a TCP close
/// without it reads as the end too (`suppress_ragged_eofs`, Python's
/// default), or is SSLEOFError with `suppress_ragged_eofs=False`;
/// `unwrap()` on both sides gives the connection back plain, with what
/// follows the close_notify still in it.
fn close_notify_and_ragged_eof<B: Backend, F: Flavor>(pki: &Pki) -> CaseResult {
    let server = server_ctx::<B>(pki)?;
    let client_ctx = client_ctx::<B>(pki)?;
    F::run(async move {
        for how in ["close_notify", "ragged", "ragged_is_error", "unwrap"] {
            let (l, port) = F::listen().await?;
            let server = server.clone();
            let srv = F::spawn(async move {
                let mut s = accept::<B, F>(&l, &server).await?;
                s.write_all(b"x").await.map_err(e2s)?;
                match how {
                    "close_notify" => s.shutdown().await.map_err(e2s)?,
                    "unwrap" => {
                        let mut plain = s.unwrap().await.map_err(e2s)?;
                        plain.write_all(b"PLAIN").await?;
                    }
                    // Dropped: the TCP connection closes without close_notify.
                    _ => drop(s),
                }
                Ok(())
            });
            let mut options = SocketOptions::client("localhost");
            if how == "ragged_is_error" {
                options = options.suppress_ragged_eofs(false);
            }
            let mut c = client::<B, F>(&client_ctx, port, options).await?;
            let mut b = [0u8; 1];
            read_exact(&mut c, &mut b).await?;
            ensure!(&b == b"x", "{how}: first byte");
            if how == "unwrap" {
                let mut plain = c.unwrap().await.map_err(e2s)?;
                let rest = plain.read_to_end().await?;
                ensure!(
                    rest == b"PLAIN",
                    "{how}: the plain text after unwrap: {rest:?}"
                );
            } else {
                let mut rest = [0u8; 16];
                match (how, c.read(&mut rest).await) {
                    ("ragged_is_error", Err(e)) => {
                        ensure!(e.python_type() == "SSLEOFError", "{how}: {}", e2s(e))
                    }
                    ("ragged_is_error", Ok(n)) => return Err(format!("{how}: read {n} bytes")),
                    (_, Ok(0)) => {}
                    (_, other) => return Err(format!("{how}: {:?}", other.map_err(e2s))),
                }
            }
            srv.await?;
        }
        Ok(Outcome::Pass)
    })
}

crate::over_flavors!(close_notify_and_ragged_eof => socket_close_notify_and_ragged_eof, borrowed_close_notify_and_ragged_eof, stream_close_notify_and_ragged_eof, async_close_notify_and_ragged_eof);

/// S2: a bounded read (`settimeout`; `tokio::time::timeout`) gives up while
/// the peer is silent, and the connection stays usable both ways.
fn timeout_leaves_connection_usable<B: Backend, F: Flavor>(pki: &Pki) -> CaseResult {
    let server = server_ctx::<B>(pki)?;
    let client_ctx = client_ctx::<B>(pki)?;
    F::run(async move {
        let (l, port) = F::listen().await?;
        let srv = F::spawn(async move {
            let mut s = accept::<B, F>(&l, &server).await?;
            // Silent until the client has timed out and says so.
            let mut go = [0u8; 2];
            read_exact(&mut s, &mut go).await?;
            ensure!(&go == b"go", "server: {go:?}");
            s.write_all(b"late").await.map_err(e2s)?;
            Ok(())
        });
        let mut c = client::<B, F>(&client_ctx, port, SocketOptions::client("localhost")).await?;
        let mut buf = [0u8; 4];
        let early = c
            .read_within(&mut buf, Duration::from_millis(300))
            .await
            .map_err(e2s)?;
        ensure!(early.is_none(), "the read did not time out: {early:?}");
        c.write_all(b"go").await.map_err(e2s)?;
        read_exact(&mut c, &mut buf).await?;
        ensure!(&buf == b"late", "after the timeout: {buf:?}");
        srv.await?;
        Ok(Outcome::Pass)
    })
}

crate::over_flavors!(timeout_leaves_connection_usable => socket_timeout_leaves_connection_usable, borrowed_timeout_leaves_connection_usable, stream_timeout_leaves_connection_usable, async_timeout_leaves_connection_usable);

/// S14: the session of a first connection, given to a second, is resumed.
fn resumed_session<B: Backend, F: Flavor>(pki: &Pki) -> CaseResult {
    if let Some(reason) = B::capabilities().unsupported_reason("S14") {
        return Ok(Outcome::NotSupported(format!("S14: {reason}")));
    }
    let server = server_ctx::<B>(pki)?;
    let client_ctx = client_ctx::<B>(pki)?;
    F::run(async move {
        let (l, port) = F::listen().await?;
        let srv = F::spawn(async move {
            for _ in 0..2 {
                let mut s = accept::<B, F>(&l, &server).await?;
                // TLS 1.3 tickets travel with the server's first data.
                s.write_all(b"t").await.map_err(e2s)?;
                read_exact(&mut s, &mut [0u8; 1]).await?;
            }
            Ok(())
        });
        let mut session = None;
        let mut reused = Vec::new();
        for _ in 0..2 {
            let mut options = SocketOptions::client("localhost");
            if let Some(s) = session.take() {
                options = options.session(s);
            }
            let mut c = client::<B, F>(&client_ctx, port, options).await?;
            read_exact(&mut c, &mut [0u8; 1]).await?;
            c.write_all(b"k").await.map_err(e2s)?;
            reused.push(c.object().session_reused());
            session = c.object().session();
            ensure!(session.is_some(), "no session after the first byte");
        }
        srv.await?;
        ensure!(reused == [false, true], "session_reused: {reused:?}");
        Ok(Outcome::Pass)
    })
}

crate::over_flavors!(resumed_session => socket_resumed_session, borrowed_resumed_session, stream_resumed_session, async_resumed_session);

/// S1: 1,000 concurrent connections on one shared pair of contexts (a task
/// for each side of each), each echoing 1 KiB, every byte checked.
fn concurrent_1000<B: Backend, F: Flavor>(pki: &Pki) -> CaseResult {
    const N: usize = 1000;
    let server = server_ctx::<B>(pki)?;
    let client_ctx = client_ctx::<B>(pki)?;
    F::run(async move {
        let (l, port) = F::listen().await?;
        let l = Arc::new(l);
        // Every server task accepts its own connection from the one listener.
        let servers: Vec<_> = (0..N)
            .map(|_| {
                let (l, server) = (l.clone(), server.clone());
                F::spawn(async move {
                    let mut s = accept::<B, F>(&l, &server).await?;
                    let mut buf = [0u8; 1024];
                    read_exact(&mut s, &mut buf).await?;
                    s.write_all(&buf).await.map_err(e2s)
                })
            })
            .collect();
        let clients: Vec<_> = (0..N)
            .map(|i| {
                let ctx = client_ctx.clone();
                F::spawn(async move {
                    let mut c =
                        client::<B, F>(&ctx, port, SocketOptions::client("localhost")).await?;
                    let data: Vec<u8> = (0..1024).map(|j| (i * 7 + j) as u8).collect();
                    c.write_all(&data).await.map_err(e2s)?;
                    let mut back = vec![0u8; 1024];
                    read_exact(&mut c, &mut back).await?;
                    ensure!(back == data, "connection {i}: the echo differs");
                    Ok(())
                })
            })
            .collect();
        for task in clients.into_iter().chain(servers) {
            task.await?;
        }
        Ok(Outcome::Pass)
    })
}

crate::over_flavors!(concurrent_1000 => socket_concurrent_1000, borrowed_concurrent_1000, stream_concurrent_1000, async_concurrent_1000);

/// X16/S13: the servername callback runs during the handshake, sees the
/// name and swaps the context (the other context's certificate is served,
/// and the server's `context` is the swapped one).
fn sni_callback_swaps_context<B: Backend, F: Flavor>(pki: &Pki) -> CaseResult {
    if let Some(reason) = B::capabilities().unsupported_reason("X16") {
        return Ok(Outcome::NotSupported(format!("X16: {reason}")));
    }
    let other = <B::Context as Context>::new(ssl_api::PROTOCOL_TLS_SERVER).map_err(e2s)?;
    other
        .load_cert_chain(&pki.wrong_name.cert, Some(&pki.wrong_name.key), None)
        .map_err(e2s)?;
    // A mark to tell the contexts apart: only the other one holds a CA.
    other
        .load_verify_locations(Some(&pki.other_ca), None, None)
        .map_err(e2s)?;
    let server = server_ctx::<B>(pki)?;
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let (record, swap_to) = (seen.clone(), other.clone());
    let cb: ssl_api::ServernameCallback<B> = Arc::new(move |req| {
        record
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(req.server_name.clone());
        req.context = swap_to.clone();
        Ok(None)
    });
    server.set_servername_callback(Some(cb)).map_err(e2s)?;
    let client_ctx = client_ctx::<B>(pki)?;
    client_ctx.set_check_hostname(false).map_err(e2s)?;
    let wrong_der = pki.wrong_name.der.clone();
    F::run(async move {
        let (l, port) = F::listen().await?;
        let srv = F::spawn(async move {
            let s = accept::<B, F>(&l, &server).await?;
            // The connection's context is the one the callback chose.
            Ok(s.object()
                .context()
                .get_ca_certs_der()
                .is_ok_and(|v| v.len() == 1))
        });
        let c = client::<B, F>(&client_ctx, port, SocketOptions::client("localhost")).await?;
        ensure!(
            c.object().getpeercert_der().map_err(e2s)?.as_deref() == Some(&wrong_der[..]),
            "the swapped context's certificate was not served"
        );
        ensure!(srv.await?, "the server's context() is not the swapped one");
        let seen = seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
        ensure!(
            seen == [Some("localhost".to_string())],
            "the callback saw {seen:?}"
        );
        Ok(Outcome::Pass)
    })
}

crate::over_flavors!(sni_callback_swaps_context => socket_sni_callback_swaps_context, borrowed_sni_callback_swaps_context, stream_sni_callback_swaps_context, async_sni_callback_swaps_context);

/// X4/S4: a client certificate the server requires and verifies (it sees
/// the client's record); without one, the server's handshake fails.
fn client_certificate<B: Backend, F: Flavor>(pki: &Pki) -> CaseResult {
    if let Some(reason) = B::capabilities().unsupported_reason("X4") {
        return Ok(Outcome::NotSupported(format!("X4: {reason}")));
    }
    let server = server_ctx::<B>(pki)?;
    server
        .load_verify_locations(Some(&pki.ca), None, None)
        .map_err(e2s)?;
    server
        .set_verify_mode(ssl_api::CERT_REQUIRED)
        .map_err(e2s)?;
    let with_cert = client_ctx::<B>(pki)?;
    with_cert
        .load_cert_chain(&pki.client.cert, Some(&pki.client.key), None)
        .map_err(e2s)?;
    let without = client_ctx::<B>(pki)?;
    F::run(async move {
        for (client_ctx, has_cert) in [(with_cert, true), (without, false)] {
            let (l, port) = F::listen().await?;
            let server = server.clone();
            let srv = F::spawn(async move {
                match F::accept::<B>(&l, &server, SocketOptions::server()).await {
                    Ok(mut s) => {
                        let peer = s.object().getpeercert().map_err(e2s)?;
                        let _ = s.read(&mut [0u8; 1]).await;
                        Ok(Some(peer))
                    }
                    Err(_) => Ok(None),
                }
            });
            if let Ok(mut c) =
                F::connect::<B>(&client_ctx, port, SocketOptions::client("localhost")).await
            {
                // TLS 1.3: the client learns of a refusal on its first read.
                let _ = c.write_all(b"x").await;
                let _ = c.read_within(&mut [0u8; 1], Duration::from_secs(2)).await;
            }
            match (srv.await?, has_cert) {
                (Some(Some(rec)), true) => ensure!(
                    rec.subject()
                        .iter()
                        .flatten()
                        .any(|(k, v)| k == "commonName" && v.as_str() == Some("client")),
                    "client certificate subject {:?}",
                    rec.subject()
                ),
                (None, false) => {}
                (other, _) => {
                    return Err(format!(
                        "client certificate {has_cert}: the server saw {:?}",
                        other.map(|p| p.is_some())
                    ))
                }
            }
        }
        Ok(Outcome::Pass)
    })
}

crate::over_flavors!(client_certificate => socket_client_certificate, borrowed_client_certificate, stream_client_certificate, async_client_certificate);

/// S1/X3/X5/X7/X9: 200 connections from 16 client tasks on one shared pair of
/// contexts while another thread keeps setting both contexts to what they
/// already are (options, verify flags, the CA, the certificate chain, ALPN
/// where the backend has it) and reading them back: every handshake
/// succeeds, every byte of every echo arrives, and the settings read back
/// as set.
fn shared_contexts_under_settings_churn<B: Backend, F: Flavor>(pki: &Pki) -> CaseResult {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    const CLIENTS: usize = 16;
    const CONNECTIONS: usize = 200;
    let server = server_ctx::<B>(pki)?;
    let client_ctx = client_ctx::<B>(pki)?;
    let has_alpn = B::capabilities().has_alpn;
    if has_alpn {
        server.set_alpn_protocols(&["h2"]).map_err(e2s)?;
        client_ctx.set_alpn_protocols(&["h2"]).map_err(e2s)?;
    }
    let done = Arc::new(AtomicBool::new(false));
    let changer = {
        let (server, client, done) = (server.clone(), client_ctx.clone(), done.clone());
        let (ca, cert, key) = (
            pki.ca.clone(),
            pki.server.cert.clone(),
            pki.server.key.clone(),
        );
        std::thread::spawn(move || -> Result<usize, String> {
            let mut rounds = 0;
            while !done.load(Ordering::Acquire) {
                for ctx in [&server, &client] {
                    ctx.set_options(ctx.options()).map_err(e2s)?;
                    ctx.set_verify_flags(ctx.verify_flags()).map_err(e2s)?;
                    if has_alpn {
                        ctx.set_alpn_protocols(&["h2"]).map_err(e2s)?;
                    }
                }
                client
                    .load_verify_locations(Some(&ca), None, None)
                    .map_err(e2s)?;
                server
                    .load_cert_chain(&cert, Some(&key), None)
                    .map_err(e2s)?;
                ensure!(
                    client.verify_mode() == ssl_api::CERT_REQUIRED && client.check_hostname(),
                    "the client context no longer verifies"
                );
                rounds += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            Ok(rounds)
        })
    };
    let served = Arc::new(AtomicUsize::new(0));
    let result = F::run({
        let served = served.clone();
        async move {
            let (l, port) = F::listen().await?;
            let l = Arc::new(l);
            let servers: Vec<_> = (0..CONNECTIONS)
                .map(|_| {
                    let (l, server, served) = (l.clone(), server.clone(), served.clone());
                    F::spawn(async move {
                        let mut s = accept::<B, F>(&l, &server).await?;
                        let mut buf = [0u8; 4096];
                        read_exact(&mut s, &mut buf).await?;
                        s.write_all(&buf).await.map_err(e2s)?;
                        served.fetch_add(1, Ordering::Relaxed);
                        Ok(())
                    })
                })
                .collect();
            let clients: Vec<_> = (0..CLIENTS)
                .map(|t| {
                    let ctx = client_ctx.clone();
                    F::spawn(async move {
                        for i in (t..CONNECTIONS).step_by(CLIENTS) {
                            let mut c =
                                client::<B, F>(&ctx, port, SocketOptions::client("localhost"))
                                    .await?;
                            let alpn = c.object().selected_alpn_protocol();
                            ensure!(
                                alpn.as_deref() == has_alpn.then_some("h2"),
                                "connection {i}: ALPN {alpn:?}"
                            );
                            let data: Vec<u8> = (0..4096).map(|j| (i * 31 + j) as u8).collect();
                            c.write_all(&data).await.map_err(e2s)?;
                            let mut back = vec![0u8; 4096];
                            read_exact(&mut c, &mut back).await?;
                            ensure!(back == data, "connection {i}: the echo differs");
                        }
                        Ok(())
                    })
                })
                .collect();
            for task in clients.into_iter().chain(servers) {
                task.await?;
            }
            Ok(Outcome::Pass)
        }
    });
    done.store(true, Ordering::Release);
    let rounds = changer
        .join()
        .map_err(|_| "the settings thread panicked".to_string())??;
    let result = result?;
    ensure!(
        served.load(Ordering::Relaxed) == CONNECTIONS,
        "{} of {CONNECTIONS} connections served",
        served.load(Ordering::Relaxed)
    );
    ensure!(
        rounds > 0,
        "the settings never changed during the connections"
    );
    Ok(result)
}

crate::over_flavors!(shared_contexts_under_settings_churn => socket_shared_contexts_under_settings_churn, borrowed_shared_contexts_under_settings_churn, stream_shared_contexts_under_settings_churn, async_shared_contexts_under_settings_churn);

/// S2: an async stream split in two (`tokio::io::split`), its reading half
/// and its writing half on two tasks, echoes 4 MiB through a server that
/// echoes as it reads: neither task's wake-up is lost to the other's (the
/// io keeps one waker per direction, and either task may register for
/// either).
pub fn async_split_across_tasks<B: Backend>(pki: &Pki) -> CaseResult {
    use crate::flavors::Async;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const TOTAL: usize = 4 << 20;
    let server = server_ctx::<B>(pki)?;
    let client_ctx = client_ctx::<B>(pki)?;
    Async::run(async move {
        let (l, port) = Async::listen().await?;
        let srv = Async::spawn(async move {
            let mut s = accept::<B, Async>(&l, &server).await?;
            let mut buf = vec![0u8; 64 * 1024];
            let mut n = 0;
            while n < TOTAL {
                let k = Conn::read(&mut s, &mut buf).await.map_err(e2s)?;
                ensure!(k > 0, "server: EOF after {n} bytes");
                Conn::write_all(&mut s, &buf[..k]).await.map_err(e2s)?;
                n += k;
            }
            Ok(())
        });
        let c = client::<B, Async>(&client_ctx, port, SocketOptions::client("localhost")).await?;
        let (mut rd, mut wr) = tokio::io::split(c);
        let data = pattern(TOTAL);
        let sent = fnv1a(FNV_START, &data);
        let writer = Async::spawn(async move {
            for chunk in data.chunks(50_000) {
                wr.write_all(chunk).await.map_err(|e| e.to_string())?;
            }
            wr.flush().await.map_err(|e| e.to_string())?;
            Ok(wr)
        });
        let reader = Async::spawn(async move {
            let (mut back, mut got) = (FNV_START, 0);
            let mut buf = vec![0u8; 64 * 1024];
            while got < TOTAL {
                let k = rd.read(&mut buf).await.map_err(|e| e.to_string())?;
                ensure!(k > 0, "client: EOF after {got} bytes");
                back = fnv1a(back, &buf[..k]);
                got += k;
            }
            Ok(back)
        });
        let _wr = writer.await?;
        ensure!(reader.await? == sent, "echo checksum differs");
        srv.await?;
        Ok(Outcome::Pass)
    })
}
