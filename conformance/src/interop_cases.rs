//! Interop with peers no one here wrote, on loopback: CPython's `ssl`
//! (a `python3` subprocess) and OpenSSL's `s_server` / `s_client`, each as
//! server and as client against the backend's `SSLSocket`. Each case checks
//! the version, cipher, ALPN, the peer certificate and the echoed bytes as
//! both ends see them. Children are killed when dropped; every socket has a
//! timeout.

use std::io::Write;
use std::process::Command;
use std::thread;
use std::time::Duration;

use serde_json::Value;
use ssl_api::constants::*;
use ssl_api::ContextExt;
use ssl_api::{Backend, Context, SocketOptions};

use crate::cases::{client_ctx, server_ctx, CaseResult, Outcome};
use crate::net::{accept_plain, connect_localhost, listener, ChildGuard, IO_TIMEOUT};
use crate::pki::Pki;
use crate::socket_cases::e2s;

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

const STARTUP: Duration = Duration::from_secs(15);

/// CPython TLS server: prints its port, serves one client (echo), then prints
/// a JSON line with what it saw, and unwraps.
const PY_SERVER: &str = r#"
import json, socket, ssl, sys
cert, key, ca, alpn = sys.argv[1:5]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.load_verify_locations(ca)
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.set_alpn_protocols(alpn.split(","))
srv = socket.create_server(("127.0.0.1", 0))
srv.settimeout(10)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.settimeout(10)
s = ctx.wrap_socket(conn, server_side=True)
data = s.recv(1024)
s.sendall(data)
print(json.dumps({"version": s.version(), "cipher": s.cipher()[0],
                  "alpn": s.selected_alpn_protocol(), "peercert": s.getpeercert(),
                  "received": data.decode()}), flush=True)
s.unwrap()
s.close()
"#;

/// CPython TLS client: connects with a client certificate and ALPN, sends,
/// reads the echo and prints a JSON line with what it saw.
const PY_CLIENT: &str = r#"
import json, socket, ssl, sys
port, ca, cert, key, alpn = sys.argv[1:6]
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
ctx.set_alpn_protocols(alpn.split(","))
with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as sock:
    with ctx.wrap_socket(sock, server_hostname="localhost") as s:
        s.sendall(b"hello from cpython")
        data = b""
        while len(data) < 18:
            data += s.recv(1024)
        print(json.dumps({"version": s.version(), "cipher": s.cipher()[0],
                          "alpn": s.selected_alpn_protocol(), "peercert": s.getpeercert(),
                          "received": data.decode()}), flush=True)
        s.unwrap()
"#;

pub(crate) fn python(script: &str, args: &[String]) -> Result<ChildGuard, String> {
    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(script).args(args);
    ChildGuard::spawn(cmd)
}

pub(crate) fn json_line(child: &ChildGuard) -> Result<Value, String> {
    let line = child.line_matching(STARTUP, |l| l.starts_with('{'))?;
    serde_json::from_str(&line).map_err(|e| format!("bad JSON from python: {e}: {line}"))
}

fn path(p: &std::path::Path) -> String {
    p.display().to_string()
}

/// Interop: the backend's SSLSocket client against CPython's `ssl` server
/// (with a client certificate and ALPN).
pub fn interop_cpython_server<B: Backend>(pki: &Pki) -> CaseResult {
    let alpn = B::capabilities().has_alpn;
    let py = python(
        PY_SERVER,
        &[
            path(&pki.server.cert),
            path(&pki.server.key),
            path(&pki.ca),
            "h2,http/1.1".into(),
        ],
    )?;
    let port: u16 = py
        .line(STARTUP)?
        .trim()
        .parse()
        .map_err(|e| format!("port from python: {e}"))?;
    let mut s = our_client::<B>(pki, alpn, port)?;
    s.sendall(b"hello from rust", 0).map_err(e2s)?;
    let mut echoed = Vec::new();
    while echoed.len() < 15 {
        let d = s.recv(1024, 0).map_err(e2s)?;
        ensure!(!d.is_empty(), "EOF from CPython");
        echoed.extend(d);
    }
    ensure!(echoed == b"hello from rust", "echo {echoed:?}");
    let seen = json_line(&py)?;
    let (version, cipher) = (s_version(&s), s.cipher());
    s.unwrap().map_err(e2s)?;
    ensure!(
        seen["received"] == "hello from rust",
        "CPython received {}",
        seen["received"]
    );
    ensure!(
        seen["version"] == version,
        "version: CPython {} / ours {version}",
        seen["version"]
    );
    ensure!(
        seen["cipher"].as_str() == cipher.as_ref().map(|c| c.name.as_str()),
        "cipher: CPython {} / ours {cipher:?}",
        seen["cipher"]
    );
    if alpn {
        ensure!(seen["alpn"] == "h2", "CPython ALPN {}", seen["alpn"]);
    }
    let ours = ssl_api::cert::decode::decode_cert(&pki.client.der).map_err(e2s)?;
    ensure!(
        seen["peercert"] == ours.to_json(),
        "CPython's record of our client certificate differs: {} vs {}",
        seen["peercert"],
        ours.to_json()
    );
    Ok(Outcome::Pass)
}

/// The backend's verifying client with the client certificate (and ALPN
/// `http/1.1,h2` when it has ALPN), connected to `port` on 127.0.0.1.
fn our_client<B: Backend>(
    pki: &Pki,
    alpn: bool,
    port: u16,
) -> Result<ssl_api::SslSocket<B>, String> {
    let client = client_ctx::<B>(pki)?;
    client
        .load_cert_chain(&pki.client.cert, Some(&pki.client.key), None)
        .map_err(e2s)?;
    if alpn {
        client
            .set_alpn_protocols(&["http/1.1", "h2"])
            .map_err(e2s)?;
    }
    connect_localhost(&client, port)
}

fn s_version<B: Backend>(s: &ssl_api::SslSocket<B>) -> Value {
    s.version()
        .map_or(Value::Null, |v| Value::String(v.to_string()))
}

/// Interop: CPython's `ssl` client against the backend's SSLSocket server
/// (requiring a client certificate where the backend can ask for one, with
/// ALPN where it has it).
pub fn interop_cpython_client<B: Backend>(pki: &Pki) -> CaseResult {
    // A server that cannot ask for a client certificate (declared X4) still
    // meets CPython's client; only the client-certificate check is left out.
    let client_auth = B::capabilities().unsupported_reason("X4").is_none();
    let alpn = B::capabilities().has_alpn;
    let server = server_ctx::<B>(pki)?;
    if client_auth {
        server
            .load_verify_locations(Some(&pki.ca), None, None)
            .map_err(e2s)?;
        server.set_verify_mode(CERT_REQUIRED).map_err(e2s)?;
    }
    if alpn {
        server
            .set_alpn_protocols(&["h2", "http/1.1"])
            .map_err(e2s)?;
    }
    let (l, port) = listener(false)?;
    let py = python(
        PY_CLIENT,
        &[
            port.to_string(),
            path(&pki.ca),
            path(&pki.client.cert),
            path(&pki.client.key),
            "http/1.1,h2".into(),
        ],
    )?;
    let sock = accept_plain(&l)?;
    let mut c = server
        .wrap_socket(sock, SocketOptions::server())
        .map_err(e2s)?;
    let mut got = Vec::new();
    while got.len() < 18 {
        let d = c.recv(1024, 0).map_err(e2s)?;
        ensure!(!d.is_empty(), "EOF from CPython");
        got.extend(d);
    }
    ensure!(got == b"hello from cpython", "received {got:?}");
    c.sendall(&got, 0).map_err(e2s)?;
    let seen = json_line(&py)?;
    let (version, cipher, our_alpn) = (s_version(&c), c.cipher(), c.selected_alpn_protocol());
    let client_cert = c.getpeercert().map_err(e2s)?;
    c.unwrap().map_err(e2s)?;
    ensure!(
        seen["received"] == "hello from cpython",
        "CPython got {}",
        seen["received"]
    );
    ensure!(
        seen["version"] == version,
        "version: CPython {} / ours {version}",
        seen["version"]
    );
    ensure!(
        seen["cipher"].as_str() == cipher.as_ref().map(|x| x.name.as_str()),
        "cipher: CPython {} / ours {cipher:?}",
        seen["cipher"]
    );
    if alpn {
        ensure!(
            seen["alpn"] == "h2" && our_alpn.as_deref() == Some("h2"),
            "ALPN: CPython {} / ours {our_alpn:?}",
            seen["alpn"]
        );
    }
    let expected = ssl_api::cert::decode::decode_cert(&pki.server.der).map_err(e2s)?;
    ensure!(
        seen["peercert"] == expected.to_json(),
        "CPython's record of our server certificate: {}",
        seen["peercert"]
    );
    if client_auth {
        let client_expected = ssl_api::cert::decode::decode_cert(&pki.client.der).map_err(e2s)?;
        ensure!(
            client_cert.as_ref() == Some(&client_expected),
            "client certificate record differs: {client_cert:?}"
        );
    } else {
        // CERT_NONE on the server: CPython's getpeercert() is None then.
        ensure!(
            client_cert.is_none(),
            "unrequested client certificate {client_cert:?}"
        );
    }
    Ok(Outcome::Pass)
}

/// `Protocol version: TLSv1.3` -> `TLSv1.3` from `openssl s_client -brief` /
/// the `Protocol :` line of the full output.
fn field<'a>(lines: &'a [String], key: &str) -> Option<&'a str> {
    lines.iter().find_map(|l| {
        let l = l.trim_start_matches("stderr: ").trim();
        l.strip_prefix(key)
            .map(str::trim_start)
            .and_then(|v| v.strip_prefix(':'))
            .map(str::trim)
    })
}

/// Interop: the backend's SSLSocket client against `openssl s_server -rev`
/// (which answers each line reversed), with ALPN and a client certificate.
pub fn interop_openssl_s_server<B: Backend>(pki: &Pki) -> CaseResult {
    let alpn = B::capabilities().has_alpn;
    let mut cmd = Command::new("openssl");
    cmd.arg("s_server")
        .arg("-cert")
        .arg(&pki.server.cert)
        .arg("-key")
        .arg(&pki.server.key)
        .arg("-CAfile")
        .arg(&pki.ca)
        .args([
            "-Verify",
            "1",
            "-accept",
            "127.0.0.1:0",
            "-naccept",
            "1",
            "-rev",
        ]);
    if alpn {
        cmd.args(["-alpn", "h2,http/1.1"]);
    }
    let srv = ChildGuard::spawn(cmd)?;
    let accept = srv.line_matching(STARTUP, |l| l.starts_with("ACCEPT"))?;
    let port: u16 = accept
        .rsplit(':')
        .next()
        .and_then(|p| p.trim().parse().ok())
        .ok_or(format!("no port in {accept:?}"))?;
    let mut s = our_client::<B>(pki, alpn, port)?;
    s.sendall(b"hello openssl\n", 0).map_err(e2s)?;
    let mut got = Vec::new();
    while !got.ends_with(b"\n") {
        let d = s.recv(1024, 0).map_err(e2s)?;
        ensure!(!d.is_empty(), "EOF from s_server after {got:?}");
        got.extend(d);
    }
    ensure!(
        got == b"lssnepo olleh\n",
        "s_server answered {:?}",
        String::from_utf8_lossy(&got)
    );
    ensure!(s.version().is_some(), "no version");
    let cert = s.getpeercert().map_err(e2s)?.ok_or("no server cert")?;
    ensure!(
        cert == ssl_api::cert::decode::decode_cert(&pki.server.der).map_err(e2s)?,
        "server certificate record"
    );
    if alpn {
        ensure!(
            s.selected_alpn_protocol().as_deref() == Some("h2"),
            "ALPN {:?}",
            s.selected_alpn_protocol()
        );
    }
    Ok(Outcome::Pass)
}

/// Interop: `openssl s_client` against the backend's SSLSocket server (echo):
/// s_client's report of protocol, cipher, ALPN and verification is compared
/// with the server's view.
pub fn interop_openssl_s_client<B: Backend>(pki: &Pki) -> CaseResult {
    let alpn = B::capabilities().has_alpn;
    let server = server_ctx::<B>(pki)?;
    if alpn {
        server
            .set_alpn_protocols(&["h2", "http/1.1"])
            .map_err(e2s)?;
    }
    let (l, port) = listener(false)?;
    let mut cmd = Command::new("openssl");
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{port}")])
        .arg("-CAfile")
        .arg(&pki.ca)
        .args([
            "-servername",
            "localhost",
            "-verify_return_error",
            "-ign_eof",
        ]);
    if alpn {
        cmd.args(["-alpn", "http/1.1,h2"]);
    }
    let mut cli = ChildGuard::spawn(cmd)?;
    let view = thread::scope(|scope| {
        let srv = scope.spawn(|| -> Result<_, String> {
            let sock = accept_plain(&l)?;
            let mut c = server
                .wrap_socket(sock, SocketOptions::server())
                .map_err(e2s)?;
            let mut got = Vec::new();
            while !got.ends_with(b"\n") {
                let d = c.recv(1024, 0).map_err(e2s)?;
                ensure!(!d.is_empty(), "EOF from s_client after {got:?}");
                got.extend(d);
            }
            c.sendall(&got, 0).map_err(e2s)?;
            let view = (
                got,
                c.version().map(str::to_owned),
                c.cipher().map(|x| x.name),
                c.selected_alpn_protocol(),
            );
            c.unwrap().map_err(e2s)?;
            Ok(view)
        });
        if let Some(stdin) = cli.stdin.as_mut() {
            stdin
                .write_all(b"ping from s_client\n")
                .map_err(|e| e.to_string())?;
        }
        let view = crate::socket_cases::joined(srv)?;
        Ok::<_, String>(view)
    })?;
    let (got, version, cipher, server_alpn) = view;
    ensure!(got == b"ping from s_client\n", "server got {got:?}");
    cli.wait(IO_TIMEOUT)?;
    let lines = cli.rest(Duration::from_secs(2));
    ensure!(
        lines.iter().any(|l| l == "ping from s_client"),
        "s_client did not print the echo: {lines:?}"
    );
    let proto = field(&lines, "Protocol").map(str::to_owned);
    ensure!(
        proto == version,
        "protocol: s_client {proto:?} / ours {version:?}"
    );
    let ciph = lines
        .iter()
        .find_map(|l| l.split_once("Cipher is ").map(|(_, c)| c.trim().to_owned()));
    ensure!(
        ciph == cipher,
        "cipher: s_client {ciph:?} / ours {cipher:?}"
    );
    ensure!(
        lines
            .iter()
            .any(|l| l.contains("Verify return code: 0 (ok)")),
        "s_client did not verify our server: {lines:?}"
    );
    if alpn {
        let theirs = field(&lines, "ALPN protocol").map(str::to_owned);
        ensure!(
            theirs.as_deref() == Some("h2") && server_alpn.as_deref() == Some("h2"),
            "ALPN: s_client {theirs:?} / ours {server_alpn:?}"
        );
    }
    Ok(Outcome::Pass)
}
