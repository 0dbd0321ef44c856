//! Records the TLS library must see at once, over every transport: a lone
//! record header that announces more than a record can hold fails the
//! handshake at once (no wait for a body that will never come), and a
//! ClientHello of several records' worth of reads (a 6 KiB ALPN list)
//! completes.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use ssl_api::{Backend, Context, Error, SocketOptions};

use crate::carriers::Carrier;
use crate::cases::{client_ctx, server_ctx, CaseResult, Outcome};
use crate::harness::{drive_handshake, wrap_pair};
use crate::interop_cases::{json_line, python};
use crate::net::{accept_plain, connect_plain, listener, IO_TIMEOUT};
use crate::over_carriers;
use crate::pki::Pki;
use crate::socket_cases::{e2s, joined};

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// How soon a refused record must come back as an error.
const AT_ONCE: Duration = Duration::from_secs(1);

/// Record headers no TLS record can follow: a plaintext handshake record of
/// 2^14 + 2048 bytes (CPython's `[SSL: PACKET_LENGTH_TOO_LONG]` at once), one
/// more than any record may carry, and 65,535 bytes.
const TOO_LONG: [[u8; 5]; 3] = [
    [0x16, 0x03, 0x03, 0x48, 0x00],
    [0x16, 0x03, 0x03, 0x48, 0x01],
    [0x16, 0x03, 0x03, 0xff, 0xff],
];

/// The error a refused record must be: an `SSLError` (not a timeout, not
/// an OS error), within [`AT_ONCE`].
fn refused_at_once(what: &str, r: ssl_api::Result<()>, took: Duration) -> Result<String, String> {
    let e = match r {
        Ok(()) => return Err(format!("{what}: the handshake succeeded")),
        Err(e) => e,
    };
    ensure!(
        took < AT_ONCE,
        "{what}: the error took {took:?} ({})",
        e2s(e)
    );
    ensure!(
        matches!(e, Error::Ssl(_)),
        "{what}: not an SSLError: {}",
        e2s(e)
    );
    Ok(e.to_string())
}

/// S3/E1: a lone oversized record header, sent to the backend's server (as
/// the first bytes of the connection) and to its client (as the answer to
/// its ClientHello), is refused within a second; the peer keeps the
/// connection open, so only the header can decide.
fn record_header_too_long<B: Backend, C: Carrier>(pki: &Pki) -> CaseResult {
    let server = server_ctx::<B>(pki)?;
    let client = client_ctx::<B>(pki)?;
    let mut reasons = Vec::new();
    for header in TOO_LONG {
        // The backend's server: the header is the whole "ClientHello".
        let (l, port) = listener(false)?;
        let peer = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        (&peer).write_all(&header).map_err(|e| e.to_string())?;
        let sock = accept_plain(&l)?;
        let started = Instant::now();
        let r = C::wrap::<B>(&server, sock, SocketOptions::server()).map(|_| ());
        reasons.push(refused_at_once(
            &format!("server, header {header:02x?}"),
            r,
            started.elapsed(),
        )?);
        drop(peer);

        // The backend's client: the header answers its ClientHello.
        let (l, port) = listener(false)?;
        thread::scope(|scope| {
            let raw = scope.spawn(|| -> Result<(), String> {
                let mut peer = accept_plain(&l)?;
                let mut hello = [0u8; 4096];
                let n = peer.read(&mut hello).map_err(|e| e.to_string())?;
                ensure!(n > 0 && hello[0] == 0x16, "no ClientHello");
                peer.write_all(&header).map_err(|e| e.to_string())?;
                // Kept open until the client gives up (it must not wait for us).
                peer.set_read_timeout(Some(IO_TIMEOUT))
                    .map_err(|e| e.to_string())?;
                let mut rest = [0u8; 256];
                while matches!(peer.read(&mut rest), Ok(n) if n > 0) {}
                Ok(())
            });
            let sock = connect_plain(false, port)?;
            let started = Instant::now();
            let r = C::wrap::<B>(&client, sock, SocketOptions::client("localhost")).map(|_| ());
            let took = started.elapsed();
            reasons.push(refused_at_once(
                &format!("client, header {header:02x?}"),
                r,
                took,
            )?);
            joined(raw)
        })?;
    }
    // OpenSSL's reason, as CPython reports these bytes, on every backend
    // whose library tells an oversized record apart.
    for r in &reasons {
        ensure!(
            r.contains("PACKET_LENGTH_TOO_LONG"),
            "an oversized record reported otherwise: {r}"
        );
    }
    Ok(Outcome::Pass)
}

over_carriers!(
    record_header_too_long => socket_record_header_too_long, borrowed_record_header_too_long, stream_record_header_too_long
);

/// An ALPN list of 6 KiB: 48 names of 125 bytes, then `http/1.1`.
fn long_alpn() -> Vec<String> {
    let mut names: Vec<String> = (0..48)
        .map(|i| format!("x-{i:03}-{}", "p".repeat(119)))
        .collect();
    names.push("http/1.1".to_owned());
    names
}

/// CPython client offering the long ALPN list; prints what it negotiated.
const PY_LONG_HELLO: &str = r#"
import json, socket, ssl, sys
port, ca = sys.argv[1:3]
names = ["x-%03d-%s" % (i, "p" * 119) for i in range(48)] + ["http/1.1"]
assert sum(len(n) + 1 for n in names) > 6000
ctx = ssl.create_default_context(cafile=ca)
ctx.set_alpn_protocols(names)
with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as sock:
    with ctx.wrap_socket(sock, server_hostname="localhost") as s:
        s.sendall(b"ping")
        print(json.dumps({"alpn": s.selected_alpn_protocol(), "echo": s.recv(4).decode()}), flush=True)
"#;

/// S3/X14: a ClientHello of more than 6 KiB (a long ALPN list) completes
/// the handshake: CPython's client against the backend's server, and, where
/// the backend speaks ALPN, its own client against its own server, over the
/// transport and over MemoryBIOs.
fn client_hello_6k<B: Backend, C: Carrier>(pki: &Pki) -> CaseResult {
    let alpn = B::capabilities().has_alpn;
    let server = server_ctx::<B>(pki)?;
    if alpn {
        server.set_alpn_protocols(&["http/1.1"]).map_err(e2s)?;
    }
    let expected = alpn.then(|| "http/1.1".to_owned());
    // CPython's client, whatever the backend's own client can offer.
    let (l, port) = listener(false)?;
    let py = python(
        PY_LONG_HELLO,
        &[port.to_string(), pki.ca.display().to_string()],
    )?;
    let started = Instant::now();
    let mut s = C::wrap::<B>(&server, accept_plain(&l)?, SocketOptions::server())
        .map_err(|e| format!("server against CPython's long hello: {}", e2s(e)))?;
    let took = started.elapsed();
    ensure!(took < Duration::from_secs(5), "the handshake took {took:?}");
    let mut ping = [0u8; 4];
    s.read_exact(&mut ping).map_err(|e| e.to_string())?;
    s.write_all(&ping).map_err(|e| e.to_string())?;
    let seen = json_line(&py)?;
    ensure!(
        seen["alpn"].as_str().map(str::to_owned) == expected,
        "CPython negotiated {:?}",
        seen["alpn"]
    );
    ensure!(
        s.selected_alpn_protocol() == expected,
        "the server negotiated {:?}",
        s.selected_alpn_protocol()
    );
    if !alpn {
        return Ok(Outcome::Pass);
    }
    // The backend's own client with the same list.
    let client = client_ctx::<B>(pki)?;
    let names = long_alpn();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    client.set_alpn_protocols(&refs).map_err(e2s)?;
    let (l, port) = listener(false)?;
    thread::scope(|scope| {
        let srv = scope.spawn(|| -> Result<Option<String>, String> {
            let s = C::wrap::<B>(&server, accept_plain(&l)?, SocketOptions::server())
                .map_err(|e| format!("server: {}", e2s(e)))?;
            Ok(s.selected_alpn_protocol())
        });
        let c = C::wrap::<B>(
            &client,
            connect_plain(false, port)?,
            SocketOptions::client("localhost"),
        )
        .map_err(|e| format!("client: {}", e2s(e)))?;
        ensure!(
            c.selected_alpn_protocol() == expected,
            "client negotiated {:?}",
            c.selected_alpn_protocol()
        );
        ensure!(joined(srv)? == expected, "server side of the long hello");
        Ok::<(), String>(())
    })?;
    // And over MemoryBIOs: the whole hello sits in the server's BIO at once.
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s)
        .into_result()
        .map_err(|e| format!("over MemoryBIOs: {e}"))?;
    ensure!(
        ssl_api::Object::selected_alpn_protocol(&s) == expected,
        "MemoryBIO server negotiated {:?}",
        ssl_api::Object::selected_alpn_protocol(&s)
    );
    Ok(Outcome::Pass)
}

over_carriers!(
    client_hello_6k => socket_client_hello_6k, borrowed_client_hello_6k, stream_client_hello_6k
);
