//! The `connect`, `serve` and `get-server-certificate` tools of the
//! `conformance` binary, for every backend compiled in, against each other,
//! against CPython's `ssl` client and against `openssl s_server`, on loopback.
//! Children are killed when dropped; every wait is bounded.

use std::process::Command;
use std::time::Duration;

use conformance::net::ChildGuard;
use conformance::pki::Pki;

const WAIT: Duration = Duration::from_secs(20);

fn tool(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_conformance"));
    cmd.args(args);
    cmd
}

fn s(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Starts `conformance serve` and returns it with its port (its first line).
fn serve(backend: &str, pki: &Pki, extra: &[&str]) -> (ChildGuard, u16) {
    let mut args = vec![
        "serve",
        "--backend",
        backend,
        "--cert",
        s(&pki.server.cert),
        "--key",
        s(&pki.server.key),
        "--port",
        "0",
    ];
    args.extend_from_slice(extra);
    let child = ChildGuard::spawn(tool(&args)).expect("spawn serve");
    let port = child
        .line(WAIT)
        .expect("serve prints its port")
        .trim()
        .parse()
        .expect("a port number");
    (child, port)
}

fn run(cmd: &mut Command) -> (bool, String) {
    let mut child = ChildGuard::spawn(std::mem::replace(cmd, Command::new("true"))).expect("spawn");
    let status = child.wait(WAIT).expect("the tool exits");
    let out = child.rest(Duration::from_secs(2)).join("\n");
    (status.success(), out)
}

#[test]
fn connect_and_serve_each_other() {
    for backend in ssl::backend_names() {
        // What the backend's server can do is declared in its capabilities.
        let caps = ssl::capabilities(backend).expect("compiled-in backend");
        let client_certs = caps.unsupported_reason("X4").is_none();
        let version = if caps.unsupported_reason("S11").is_none() {
            "version: TLSv1.3"
        } else {
            "version: TLSv1.2"
        };
        let pki = Pki::generate();
        let mut serve_args = vec!["--alpn", "h2,http/1.1", "--once"];
        if client_certs {
            serve_args.extend(["--ca", s(&pki.ca), "--require-client-cert"]);
        }
        let (mut server, port) = serve(backend, &pki, &serve_args);
        let target = format!("127.0.0.1:{port}");
        let (ok, out) = run(&mut tool(&[
            "connect",
            &target,
            "--backend",
            backend,
            "--ca",
            s(&pki.ca),
            "--servername",
            "localhost",
            "--cert",
            s(&pki.client.cert),
            "--key",
            s(&pki.client.key),
            "--alpn",
            "http/1.1,h2",
            "--send",
            "hello tools",
        ]));
        assert!(ok, "{backend}: connect failed:\n{out}");
        for expected in [
            version,
            "alpn: h2",
            "session_reused: False",
            "('commonName', 'localhost')",
            "received: hello tools",
        ] {
            assert!(
                out.contains(expected),
                "{backend}: no {expected:?} in\n{out}"
            );
        }
        assert!(
            out.contains("cipher: ("),
            "{backend}: cipher line in\n{out}"
        );
        let status = server.wait(WAIT).expect("serve --once exits");
        let log = server.rest(Duration::from_secs(2)).join("\n");
        assert!(status.success(), "{backend}: serve failed:\n{log}");
        assert!(log.contains(version), "{backend}: serve log\n{log}");
        assert!(log.contains("alpn: h2"), "{backend}: serve log\n{log}");
        if client_certs {
            assert!(
                log.contains("client certificate: {'subject': ((('commonName', 'client'),),)"),
                "{backend}: serve log\n{log}"
            );
        }
    }
}

#[test]
fn connect_fails_on_an_unknown_ca() {
    for backend in ssl::backend_names() {
        let pki = Pki::generate();
        let (_server, port) = serve(backend, &pki, &[]);
        let (ok, out) = run(&mut tool(&[
            "connect",
            &format!("localhost:{port}"),
            "--backend",
            backend,
            "--ca",
            s(&pki.other_ca),
        ]));
        assert!(!ok, "{backend}: an unknown CA verified:\n{out}");
        assert!(
            out.contains("SSLCertVerificationError") && out.contains("CERTIFICATE_VERIFY_FAILED"),
            "{backend}: {out}"
        );
        let (ok, out) = run(&mut tool(&[
            "connect",
            &format!("127.0.0.1:{port}"),
            "--backend",
            backend,
            "--no-verify",
        ]));
        assert!(ok, "{backend}: --no-verify failed: {out}");
        assert!(
            out.contains("peer certificate: {} (not verified; decoded: {'subject'"),
            "{out}"
        );
    }
}

#[test]
fn cpython_client_against_serve() {
    const PY: &str = r#"
import json, socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.set_alpn_protocols(["h2"])
with socket.create_connection(("::1", int(sys.argv[1])), timeout=10) as sock:
    with ctx.wrap_socket(sock, server_hostname="localhost") as s:
        s.sendall(b"from cpython\n")
        data = b""
        while len(data) < 13:
            data += s.recv(1024)
        print(json.dumps({"version": s.version(), "cipher": s.cipher()[0],
                          "alpn": s.selected_alpn_protocol(), "echo": data.decode()}))
"#;
    for backend in ssl::backend_names() {
        let pki = Pki::generate();
        let (mut server, port) = serve(backend, &pki, &["--ipv6", "--alpn", "h2", "--once"]);
        let mut py = Command::new("python3");
        py.args(["-c", PY, &port.to_string(), s(&pki.ca)]);
        let (ok, out) = run(&mut py);
        assert!(ok, "{backend}: CPython client failed:\n{out}");
        let line = out.lines().find(|l| l.starts_with('{')).expect("JSON line");
        let seen: serde_json::Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(seen["echo"], "from cpython\n", "{backend}");
        assert_eq!(seen["alpn"], "h2", "{backend}");
        server.wait(WAIT).expect("serve --once exits");
        let log = server.rest(Duration::from_secs(2)).join("\n");
        let version = seen["version"].as_str().expect("version");
        let cipher = seen["cipher"].as_str().expect("cipher");
        assert!(
            log.contains(&format!("version: {version}")),
            "{backend}: {log}"
        );
        assert!(
            log.contains(&format!("cipher: ('{cipher}'")),
            "{backend}: {log}"
        );
    }
}

#[test]
fn get_server_certificate_from_openssl_s_server() {
    for backend in ssl::backend_names() {
        let pki = Pki::generate();
        let mut cmd = Command::new("openssl");
        cmd.arg("s_server")
            .args(["-cert", s(&pki.server.cert), "-key", s(&pki.server.key)])
            .args(["-accept", "[::1]:0", "-naccept", "2"]);
        let server = ChildGuard::spawn(cmd).expect("openssl s_server");
        let accept = server
            .line_matching(WAIT, |l| l.starts_with("ACCEPT"))
            .expect("ACCEPT line");
        let port = accept.rsplit(':').next().expect("port").trim().to_owned();
        let expected = ssl_api::der_cert_to_pem_cert(&pki.server.der);
        let (ok, out) = run(&mut tool(&[
            "get-server-certificate",
            &format!("[::1]:{port}"),
            "--backend",
            backend,
        ]));
        assert!(ok, "{backend}: {out}");
        assert_eq!(out.trim(), expected.trim(), "{backend}: PEM differs");
        let (ok, out) = run(&mut tool(&[
            "get-server-certificate",
            &format!("[::1]:{port}"),
            "--backend",
            backend,
            "--ca",
            s(&pki.ca),
        ]));
        assert!(ok, "{backend}: verified: {out}");
        assert_eq!(
            out.trim(),
            expected.trim(),
            "{backend}: verified PEM differs"
        );
    }
}

#[test]
fn unknown_backend_is_refused() {
    let (ok, out) = run(&mut tool(&[
        "connect",
        "127.0.0.1:1",
        "--backend",
        "no-such",
    ]));
    assert!(!ok);
    assert!(out.contains("unknown backend \"no-such\""), "{out}");
}
