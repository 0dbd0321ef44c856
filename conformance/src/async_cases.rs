//! The async stream (`ssl_api::tokio`) on every backend, over tokio
//! `TcpStream`s on loopback: an echo with checksums, verification failures
//! with their codes, ALPN, close_notify against a ragged EOF, a timeout
//! that leaves the connection usable, session resumption, and 1,000
//! concurrent connections on one shared pair of contexts. Every case runs on
//! its own runtime and is bounded by `tokio::time::timeout`.

use std::future::Future;
use std::time::Duration;

use ssl_api::tokio::{accept, connect, TlsStream};
use ssl_api::{Backend, Context, Error, SocketOptions};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::cases::{client_ctx, server_ctx, CaseResult, Outcome};
use crate::net::{fnv1a, pattern, FNV_START};
use crate::pki::Pki;
use crate::socket_cases::e2s;

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// The bound of every case.
const CASE_LIMIT: Duration = Duration::from_secs(60);

/// Runs `case` on a two-worker runtime, bounded by [`CASE_LIMIT`].
fn run(case: impl Future<Output = CaseResult> + Send) -> CaseResult {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        tokio::time::timeout(CASE_LIMIT, case)
            .await
            .map_err(|_| format!("the case did not finish within {CASE_LIMIT:?}"))?
    })
}

fn io2s(e: std::io::Error) -> String {
    match ssl_error(&e) {
        Some(inner) => format!("{inner} ({})", inner.python_type()),
        None => format!("{e} ({:?})", e.kind()),
    }
}

/// The `ssl_api::Error` inside an io error from the stream.
fn ssl_error(e: &std::io::Error) -> Option<&Error> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<Error>())
}

/// The stream's error as the `ssl_api::Error` it carries (an OS error as
/// itself).
fn into_ssl_error(e: std::io::Error) -> Error {
    if ssl_error(&e).is_none() {
        return Error::Io(e);
    }
    match e.into_inner().map(|inner| inner.downcast::<Error>()) {
        Some(Ok(inner)) => *inner,
        _ => Error::value("an error without its cause"),
    }
}

async fn listener() -> Result<(TcpListener, u16), String> {
    let l = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let port = l.local_addr().map_err(|e| e.to_string())?.port();
    Ok((l, port))
}

async fn client<B: Backend>(
    ctx: &B::Context,
    port: u16,
    options: SocketOptions<B>,
) -> std::io::Result<TlsStream<B, TcpStream>> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
    connect(ctx, options, tcp).await
}

/// Compile-time: the stream is `Send + Unpin` and tokio's traits hold for
/// any backend, with no bounds beyond `B: Backend`.
fn _stream_is_send_unpin<B: Backend>() {
    fn check<T: Send + Unpin + AsyncRead + AsyncWrite>() {}
    check::<TlsStream<B, TcpStream>>();
}

/// S2/S3/S4/S5/S11: a 1 MiB echo (the client writes while it reads back, on
/// one task through `tokio::io::split`), checksums on both sides, and what
/// the client knows of the connection.
pub fn async_echo_1mib<B: Backend>(pki: &Pki) -> CaseResult {
    const TOTAL: usize = 1 << 20;
    let server = server_ctx::<B>(pki)?;
    let client_ctx = client_ctx::<B>(pki)?;
    run(async move {
        let (l, port) = listener().await?;
        let srv = tokio::spawn(async move {
            let (tcp, _) = l.accept().await.map_err(|e| e.to_string())?;
            let mut s = accept(&server, SocketOptions::server(), tcp)
                .await
                .map_err(io2s)?;
            let (mut n, mut sum) = (0usize, FNV_START);
            let mut buf = vec![0u8; 32 * 1024];
            while n < TOTAL {
                let k = s.read(&mut buf).await.map_err(io2s)?;
                ensure!(k > 0, "server: EOF after {n} bytes");
                sum = fnv1a(sum, &buf[..k]);
                s.write_all(&buf[..k]).await.map_err(io2s)?;
                n += k;
            }
            s.flush().await.map_err(io2s)?;
            Ok::<u64, String>(sum)
        });
        let c = client::<B>(&client_ctx, port, SocketOptions::client("localhost"))
            .await
            .map_err(io2s)?;
        ensure!(c.version().is_some(), "no version after the handshake");
        ensure!(c.cipher().is_some(), "no cipher after the handshake");
        ensure!(
            c.getpeercert().map_err(e2s)?.is_some(),
            "no peer certificate"
        );
        let data = pattern(TOTAL);
        let (mut rd, mut wr) = tokio::io::split(c);
        let writer = async {
            for chunk in data.chunks(40_000) {
                wr.write_all(chunk).await.map_err(io2s)?;
            }
            wr.flush().await.map_err(io2s)
        };
        let reader = async {
            let mut back = FNV_START;
            let mut got = 0;
            let mut buf = vec![0u8; 32 * 1024];
            while got < TOTAL {
                let k = rd.read(&mut buf).await.map_err(io2s)?;
                ensure!(k > 0, "client: EOF after {got} bytes");
                back = fnv1a(back, &buf[..k]);
                got += k;
            }
            Ok::<u64, String>(back)
        };
        let (w, back) = tokio::join!(writer, reader);
        w?;
        let back = back?;
        let sent = fnv1a(FNV_START, &data);
        let server_sum = srv.await.map_err(|e| e.to_string())??;
        ensure!(server_sum == sent, "server checksum differs");
        ensure!(back == sent, "echo checksum differs");
        Ok(Outcome::Pass)
    })
}

/// E7/S3: an unknown CA (20) and a hostname mismatch (62) fail the async
/// handshake with the same SSLCertVerificationError as the blocking one.
pub fn async_verify_failures<B: Backend>(pki: &Pki) -> CaseResult {
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
    run(async move {
        for (server, client_ctx, code) in [(server, strangers, 20), (wrong, trusting, 62)] {
            let (l, port) = listener().await?;
            let srv = tokio::spawn(async move {
                let (tcp, _) = l.accept().await.map_err(|e| e.to_string())?;
                Ok::<bool, String>(accept(&server, SocketOptions::server(), tcp).await.is_err())
            });
            let r = client::<B>(&client_ctx, port, SocketOptions::client("localhost")).await;
            // The same SSLCertVerificationError as the blocking handshake's.
            let r = r.map(|_| ()).map_err(into_ssl_error);
            crate::cases::expect_verify_error(&r, code)?;
            ensure!(
                srv.await.map_err(|e| e.to_string())??,
                "verify {code}: the server did not fail after the client's alert"
            );
        }
        Ok(Outcome::Pass)
    })
}

/// X14/S9: ALPN agreed over the async stream, both sides.
pub fn async_alpn<B: Backend>(pki: &Pki) -> CaseResult {
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
    run(async move {
        let (l, port) = listener().await?;
        let srv = tokio::spawn(async move {
            let (tcp, _) = l.accept().await.map_err(|e| e.to_string())?;
            let s = accept(&server, SocketOptions::server(), tcp)
                .await
                .map_err(io2s)?;
            Ok::<_, String>(s.selected_alpn_protocol())
        });
        let c = client::<B>(&client_ctx, port, SocketOptions::client("localhost"))
            .await
            .map_err(io2s)?;
        let server_side = srv.await.map_err(|e| e.to_string())??;
        ensure!(
            c.selected_alpn_protocol() == server_side && server_side.is_some(),
            "client {:?}, server {server_side:?}",
            c.selected_alpn_protocol()
        );
        Ok(Outcome::Pass)
    })
}

/// S16/E6/S10: `shutdown()` sends close_notify and the peer reads the end
/// of the stream; a TCP close without close_notify reads as the end too
/// (`suppress_ragged_eofs`, Python's default), or is `UnexpectedEof` with
/// `set_eof_is_error(true)` (tokio-rustls's behaviour); `unwrap()` gives
/// the io back plain, with what follows the close_notify still in it.
pub fn async_close_notify_and_ragged_eof<B: Backend>(pki: &Pki) -> CaseResult {
    let server = server_ctx::<B>(pki)?;
    let client_ctx = client_ctx::<B>(pki)?;
    run(async move {
        for how in ["close_notify", "ragged", "ragged_is_error", "unwrap"] {
            let (l, port) = listener().await?;
            let server = server.clone();
            let srv = tokio::spawn(async move {
                let (tcp, _) = l.accept().await.map_err(|e| e.to_string())?;
                let mut s = accept(&server, SocketOptions::server(), tcp)
                    .await
                    .map_err(io2s)?;
                s.write_all(b"x").await.map_err(io2s)?;
                s.flush().await.map_err(io2s)?;
                match how {
                    "close_notify" => s.shutdown().await.map_err(io2s)?,
                    "unwrap" => {
                        let mut plain = s.unwrap().await.map_err(io2s)?;
                        plain.write_all(b"PLAIN").await.map_err(|e| e.to_string())?;
                    }
                    // Dropped: the TCP connection closes without close_notify.
                    _ => drop(s),
                }
                Ok::<(), String>(())
            });
            let mut c = client::<B>(&client_ctx, port, SocketOptions::client("localhost"))
                .await
                .map_err(io2s)?;
            if how == "ragged_is_error" {
                c.set_eof_is_error(true);
            }
            let mut b = [0u8; 1];
            c.read_exact(&mut b).await.map_err(io2s)?;
            ensure!(&b == b"x", "{how}: first byte");
            if how == "unwrap" {
                let mut plain = c.unwrap().await.map_err(io2s)?;
                let mut rest = Vec::new();
                plain
                    .read_to_end(&mut rest)
                    .await
                    .map_err(|e| e.to_string())?;
                ensure!(
                    rest == b"PLAIN",
                    "{how}: the plain text after unwrap: {rest:?}"
                );
            } else {
                let mut rest = [0u8; 16];
                let r = c.read(&mut rest).await;
                match (how, r) {
                    ("ragged_is_error", Err(e)) => ensure!(
                        e.kind() == std::io::ErrorKind::UnexpectedEof,
                        "{how}: {}",
                        io2s(e)
                    ),
                    ("ragged_is_error", Ok(n)) => return Err(format!("{how}: read {n} bytes")),
                    (_, Ok(0)) => {}
                    (_, other) => return Err(format!("{how}: {:?}", other.map_err(io2s))),
                }
            }
            srv.await.map_err(|e| e.to_string())??;
        }
        Ok(Outcome::Pass)
    })
}

/// S2: a read bounded by `tokio::time::timeout` gives up while the peer is
/// silent, and the connection stays usable: the peer's later bytes arrive.
pub fn async_timeout_leaves_connection_usable<B: Backend>(pki: &Pki) -> CaseResult {
    let server = server_ctx::<B>(pki)?;
    let client_ctx = client_ctx::<B>(pki)?;
    run(async move {
        let (l, port) = listener().await?;
        let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
        let srv = tokio::spawn(async move {
            let (tcp, _) = l.accept().await.map_err(|e| e.to_string())?;
            let mut s = accept(&server, SocketOptions::server(), tcp)
                .await
                .map_err(io2s)?;
            let _ = go_rx.await;
            s.write_all(b"late").await.map_err(io2s)?;
            s.flush().await.map_err(io2s)?;
            let mut b = [0u8; 2];
            s.read_exact(&mut b).await.map_err(io2s)?;
            Ok::<[u8; 2], String>(b)
        });
        let mut c = client::<B>(&client_ctx, port, SocketOptions::client("localhost"))
            .await
            .map_err(io2s)?;
        let mut buf = [0u8; 4];
        let early = tokio::time::timeout(Duration::from_millis(300), c.read(&mut buf)).await;
        ensure!(early.is_err(), "the read did not time out: {early:?}");
        let _ = go_tx.send(());
        c.read_exact(&mut buf).await.map_err(io2s)?;
        ensure!(&buf == b"late", "after the timeout: {buf:?}");
        c.write_all(b"ok").await.map_err(io2s)?;
        c.flush().await.map_err(io2s)?;
        ensure!(
            &srv.await.map_err(|e| e.to_string())?? == b"ok",
            "the server's read after the timeout"
        );
        Ok(Outcome::Pass)
    })
}

/// S14: a session from a first async connection is resumed by a second.
pub fn async_session_resumption<B: Backend>(pki: &Pki) -> CaseResult {
    if let Some(reason) = B::capabilities().unsupported_reason("S14") {
        return Ok(Outcome::NotSupported(format!("S14: {reason}")));
    }
    let server = server_ctx::<B>(pki)?;
    let client_ctx = client_ctx::<B>(pki)?;
    run(async move {
        let (l, port) = listener().await?;
        let srv = tokio::spawn(async move {
            for _ in 0..2 {
                let (tcp, _) = l.accept().await.map_err(|e| e.to_string())?;
                let mut s = accept(&server, SocketOptions::server(), tcp)
                    .await
                    .map_err(io2s)?;
                // TLS 1.3 tickets travel with the server's first data.
                s.write_all(b"t").await.map_err(io2s)?;
                s.flush().await.map_err(io2s)?;
                let mut b = [0u8; 1];
                s.read_exact(&mut b).await.map_err(io2s)?;
            }
            Ok::<(), String>(())
        });
        let mut sessions = Vec::new();
        let mut reused = Vec::new();
        for i in 0..2 {
            let mut options = SocketOptions::client("localhost");
            if i == 1 {
                options = options.session(sessions.pop().ok_or("no session from the first")?);
            }
            let mut c = client::<B>(&client_ctx, port, options)
                .await
                .map_err(io2s)?;
            let mut b = [0u8; 1];
            c.read_exact(&mut b).await.map_err(io2s)?;
            c.write_all(b"k").await.map_err(io2s)?;
            c.flush().await.map_err(io2s)?;
            reused.push(c.session_reused());
            sessions.extend(c.session());
        }
        srv.await.map_err(|e| e.to_string())??;
        ensure!(reused == [false, true], "session_reused: {reused:?}");
        Ok(Outcome::Pass)
    })
}

/// S1: 1,000 concurrent connections on one shared pair of contexts, each
/// echoing 1 KiB, every byte checked.
pub fn async_concurrent_1000<B: Backend>(pki: &Pki) -> CaseResult {
    const N: usize = 1000;
    let server = server_ctx::<B>(pki)?;
    let client_ctx = client_ctx::<B>(pki)?;
    run(async move {
        let (l, port) = listener().await?;
        let srv = tokio::spawn(async move {
            let mut tasks = tokio::task::JoinSet::new();
            for _ in 0..N {
                let (tcp, _) = l.accept().await.map_err(|e| e.to_string())?;
                let server = server.clone();
                tasks.spawn(async move {
                    let mut s = accept(&server, SocketOptions::server(), tcp)
                        .await
                        .map_err(io2s)?;
                    let mut buf = [0u8; 1024];
                    s.read_exact(&mut buf).await.map_err(io2s)?;
                    s.write_all(&buf).await.map_err(io2s)?;
                    s.flush().await.map_err(io2s)?;
                    Ok::<(), String>(())
                });
            }
            while let Some(r) = tasks.join_next().await {
                r.map_err(|e| e.to_string())??;
            }
            Ok::<(), String>(())
        });
        let mut clients = tokio::task::JoinSet::new();
        for i in 0..N {
            let ctx = client_ctx.clone();
            clients.spawn(async move {
                let mut c = client::<B>(&ctx, port, SocketOptions::client("localhost"))
                    .await
                    .map_err(io2s)?;
                let data: Vec<u8> = (0..1024).map(|j| (i * 7 + j) as u8).collect();
                c.write_all(&data).await.map_err(io2s)?;
                c.flush().await.map_err(io2s)?;
                let mut back = vec![0u8; 1024];
                c.read_exact(&mut back).await.map_err(io2s)?;
                ensure!(back == data, "connection {i}: the echo differs");
                Ok::<(), String>(())
            });
        }
        while let Some(r) = clients.join_next().await {
            r.map_err(|e| e.to_string())??;
        }
        srv.await.map_err(|e| e.to_string())??;
        Ok(Outcome::Pass)
    })
}

/// X16/S13: the servername callback runs during the async handshake, sees
/// the name and swaps the context (the other context's certificate is
/// served, and the stream's `context()` is the swapped one).
pub fn async_sni_callback_swaps_context<B: Backend>(pki: &Pki) -> CaseResult {
    use std::sync::{Arc, Mutex};
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
    run(async move {
        let (l, port) = listener().await?;
        let srv = tokio::spawn(async move {
            let (tcp, _) = l.accept().await.map_err(|e| e.to_string())?;
            let s = accept(&server, SocketOptions::server(), tcp)
                .await
                .map_err(io2s)?;
            // The stream's context is the one the callback chose.
            let swapped = s
                .context()
                .get_ca_certs_der()
                .map(|v| v.len() == 1)
                .unwrap_or(false);
            Ok::<bool, String>(swapped)
        });
        let c = client::<B>(&client_ctx, port, SocketOptions::client("localhost"))
            .await
            .map_err(io2s)?;
        ensure!(
            c.getpeercert_der().map_err(e2s)?.as_deref() == Some(&wrong_der[..]),
            "the swapped context's certificate was not served"
        );
        ensure!(
            srv.await.map_err(|e| e.to_string())??,
            "the server stream's context() is not the swapped one"
        );
        ensure!(
            seen.lock().unwrap_or_else(|e| e.into_inner()).as_slice()
                == [Some("localhost".to_string())],
            "the callback saw {:?}",
            seen.lock().unwrap_or_else(|e| e.into_inner())
        );
        Ok(Outcome::Pass)
    })
}

/// X4/S4: a client certificate over the async stream: the server requires
/// and verifies it, and sees the client's record; without one, the server's
/// handshake fails.
pub fn async_client_certificate<B: Backend>(pki: &Pki) -> CaseResult {
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
    run(async move {
        for (client_ctx, has_cert) in [(with_cert, true), (without, false)] {
            let (l, port) = listener().await?;
            let server = server.clone();
            let srv = tokio::spawn(async move {
                let (tcp, _) = l.accept().await.map_err(|e| e.to_string())?;
                let r = accept(&server, SocketOptions::server(), tcp).await;
                Ok::<_, String>(match r {
                    Ok(mut s) => {
                        let peer = s.getpeercert().map_err(e2s)?;
                        let mut b = [0u8; 1];
                        let _ = s.read(&mut b).await;
                        Some(peer)
                    }
                    Err(_) => None,
                })
            });
            let c = client::<B>(&client_ctx, port, SocketOptions::client("localhost")).await;
            if let Ok(mut c) = c {
                // TLS 1.3: the client learns of a refusal on its first read.
                let _ = c.write_all(b"x").await;
                let _ = c.flush().await;
                let mut b = [0u8; 1];
                let _ = tokio::time::timeout(Duration::from_secs(2), c.read(&mut b)).await;
            }
            match (srv.await.map_err(|e| e.to_string())??, has_cert) {
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
