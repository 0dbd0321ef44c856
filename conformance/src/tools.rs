//! The network tools of the `conformance` binary, generic over the backend
//! and picked at run time with `--backend NAME` (see [`ToolSet`]):
//!
//! ```text
//! conformance connect HOST:PORT [--backend NAME] [--ca FILE] [--cert FILE --key FILE]
//!                     [--alpn a,b] [--servername NAME] [--no-verify] [--send TEXT] [--timeout SECS]
//! conformance serve --cert FILE [--key FILE] [--backend NAME] [--port N] [--ipv6] [--alpn a,b]
//!                   [--ca FILE [--require-client-cert]] [--once] [--timeout SECS]
//! conformance get-server-certificate HOST:PORT [--backend NAME] [--ca FILE] [--timeout SECS]
//! ```
//!
//! `connect` is a small `openssl s_client`: it prints the version, cipher,
//! ALPN, whether the session was reused and the peer certificate record, then
//! what the server sent back; it exits 0 only when the handshake (and the
//! verification) succeeded. `serve` is a small `openssl s_server` on loopback
//! that echoes: its first line is the bound port (so `--port 0` works), then a
//! line per client with what it negotiated. `get-server-certificate` prints
//! the server's certificate as PEM (F10).

use std::io::Write;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use ssl_api::constants::*;
use ssl_api::functions;
use ssl_api::socket2::{Domain, SockAddr, Socket, Type};
use ssl_api::ContextExt;
use ssl_api::{Backend, Context, Error, SocketOptions, SslSocket};

/// The tools of one backend, as plain function pointers (for a table of
/// backends compiled in).
#[derive(Clone, Copy)]
pub struct ToolSet {
    /// The backend's name (`--backend NAME`).
    pub name: &'static str,
    /// `conformance connect ...`.
    pub connect: fn(&[String]) -> ExitCode,
    /// `conformance serve ...`.
    pub serve: fn(&[String]) -> ExitCode,
    /// `conformance get-server-certificate ...`.
    pub get_server_certificate: fn(&[String]) -> ExitCode,
}

impl ToolSet {
    /// The tools over backend `B`.
    pub const fn of<B: Backend>() -> ToolSet {
        ToolSet {
            name: B::NAME,
            connect: connect::<B>,
            serve: serve::<B>,
            get_server_certificate: get_server_certificate::<B>,
        }
    }
}

/// Command-line options: `--flag`, `--key value`, and positionals.
struct Args<'a> {
    args: &'a [String],
}

const SWITCHES: &[&str] = &[
    "--no-verify",
    "--require-client-cert",
    "--once",
    "--ipv6",
    "--json",
];

impl<'a> Args<'a> {
    fn value(&self, key: &str) -> Option<&'a str> {
        self.args
            .iter()
            .position(|a| a == key)
            .and_then(|i| self.args.get(i + 1))
            .map(String::as_str)
    }

    fn flag(&self, key: &str) -> bool {
        self.args.iter().any(|a| a == key)
    }

    fn positional(&self) -> Vec<&'a str> {
        let mut out = Vec::new();
        let mut skip = false;
        for a in self.args {
            if skip {
                skip = false;
            } else if a.starts_with("--") {
                skip = !SWITCHES.contains(&a.as_str());
            } else {
                out.push(a.as_str());
            }
        }
        out
    }

    fn timeout(&self) -> Result<Duration, String> {
        match self.value("--timeout") {
            None => Ok(Duration::from_secs(10)),
            Some(t) => t
                .parse::<f64>()
                .ok()
                .filter(|s| *s > 0.0)
                .map(Duration::from_secs_f64)
                .ok_or(format!("bad --timeout {t:?}")),
        }
    }

    fn alpn(&self) -> Option<Vec<&'a str>> {
        self.value("--alpn").map(|a| a.split(',').collect())
    }
}

/// `HOST:PORT`, `[V6]:PORT` or `V6:PORT` (the last colon splits).
fn host_port(s: &str) -> Result<(String, u16), String> {
    let (host, port) = s
        .rsplit_once(':')
        .ok_or(format!("expected HOST:PORT, got {s:?}"))?;
    let port = port.parse().map_err(|_| format!("bad port in {s:?}"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok((host.to_owned(), port))
}

fn fail(what: &str, e: &Error) -> ExitCode {
    eprintln!("error: {what}: {}: {e}", e.python_type());
    println!("error: {}: {e}", e.python_type());
    ExitCode::FAILURE
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("{msg}\n(see `conformance help`)");
    ExitCode::from(2)
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

fn describe<B: Backend>(s: &SslSocket<B>) -> String {
    let cipher = s.cipher().map_or("None".to_owned(), |c| {
        format!("('{}', '{}', {})", c.name, c.protocol, c.bits)
    });
    format!(
        "version: {}\ncipher: {cipher}\nalpn: {}\nsession_reused: {}",
        s.version().unwrap_or("None"),
        s.selected_alpn_protocol().as_deref().unwrap_or("None"),
        py_bool(s.session_reused()),
    )
}

/// The peer certificate line: the verified record, or (when the context does
/// not verify and so `getpeercert()` is `{}`) the decoded unverified one.
fn peer_cert_line<B: Backend>(s: &SslSocket<B>) -> String {
    match s.getpeercert() {
        Ok(Some(rec)) if !rec.is_empty() => rec.repr(),
        Ok(Some(_)) => match s.getpeercert_der() {
            Ok(Some(der)) => match ssl_api::cert::decode::decode_cert(&der) {
                Ok(rec) => format!("{{}} (not verified; decoded: {})", rec.repr()),
                Err(e) => format!("{{}} (not verified; undecodable: {e})"),
            },
            _ => "{}".to_owned(),
        },
        Ok(None) => "None".to_owned(),
        Err(e) => format!("error: {e}"),
    }
}

/// `conformance connect HOST:PORT ...` (like `openssl s_client`).
pub fn connect<B: Backend>(argv: &[String]) -> ExitCode {
    let args = Args { args: argv };
    let Some(target) = args.positional().first().copied() else {
        return usage("connect: HOST:PORT is required");
    };
    let (host, port) = match host_port(target) {
        Ok(hp) => hp,
        Err(e) => return usage(&e),
    };
    let timeout = match args.timeout() {
        Ok(t) => t,
        Err(e) => return usage(&e),
    };
    let setup = || -> ssl_api::Result<B::Context> {
        let ctx = B::Context::new(PROTOCOL_TLS_CLIENT)?;
        if args.flag("--no-verify") {
            ctx.set_check_hostname(false)?;
            ctx.set_verify_mode(CERT_NONE)?;
        } else if let Some(ca) = args.value("--ca") {
            ctx.load_verify_locations(Some(Path::new(ca)), None, None)?;
        } else {
            ctx.load_default_certs(Purpose::SERVER_AUTH)?;
        }
        if let Some(cert) = args.value("--cert") {
            ctx.load_cert_chain(Path::new(cert), args.value("--key").map(Path::new), None)?;
        }
        if let Some(alpn) = args.alpn() {
            ctx.set_alpn_protocols(&alpn)?;
        }
        Ok(ctx)
    };
    let ctx = match setup() {
        Ok(c) => c,
        Err(e) => return fail("context", &e),
    };
    let servername = args.value("--servername").unwrap_or(&host).to_owned();
    let sock = match functions::create_connection((host.as_str(), port), Some(timeout)) {
        Ok(s) => s,
        Err(e) => return fail("connect", &e),
    };
    let mut tls = match ctx.wrap_socket(sock, SocketOptions::client(servername)) {
        Ok(s) => s,
        Err(e) => return fail("handshake", &e),
    };
    println!("backend: {}", B::NAME);
    println!("{}", describe(&tls));
    println!("peer certificate: {}", peer_cert_line(&tls));
    let _ = std::io::stdout().flush();
    if let Some(text) = args.value("--send") {
        let mut data = text.as_bytes().to_vec();
        if !data.ends_with(b"\n") {
            data.push(b'\n');
        }
        if let Err(e) = tls.sendall(&data, 0) {
            return fail("send", &e);
        }
        // What comes back: until as much as was sent, EOF, or a quiet second.
        let _ = tls.settimeout(Some(Duration::from_secs(1).min(timeout)));
        let mut got = Vec::new();
        while got.len() < data.len() {
            match tls.recv(16384, 0) {
                Ok(d) if d.is_empty() => break,
                Ok(d) => got.extend(d),
                Err(Error::Timeout(_)) => break,
                Err(e) => return fail("recv", &e),
            }
        }
        println!(
            "received: {}",
            String::from_utf8_lossy(&got).trim_end_matches('\n')
        );
    }
    let _ = tls.settimeout(Some(Duration::from_secs(1)));
    let _ = tls.unwrap();
    ExitCode::SUCCESS
}

/// `conformance serve --cert FILE ...` (like `openssl s_server`, echoing).
pub fn serve<B: Backend>(argv: &[String]) -> ExitCode {
    let args = Args { args: argv };
    let Some(cert) = args.value("--cert") else {
        return usage("serve: --cert FILE is required");
    };
    let port: u16 = match args.value("--port").map(str::parse).transpose() {
        Ok(p) => p.unwrap_or(0),
        Err(_) => return usage("serve: bad --port"),
    };
    let timeout = match args.timeout() {
        Ok(t) => t,
        Err(e) => return usage(&e),
    };
    let setup = || -> ssl_api::Result<B::Context> {
        let ctx = B::Context::new(PROTOCOL_TLS_SERVER)?;
        ctx.load_cert_chain(Path::new(cert), args.value("--key").map(Path::new), None)?;
        if let Some(ca) = args.value("--ca") {
            ctx.load_verify_locations(Some(Path::new(ca)), None, None)?;
            ctx.set_verify_mode(if args.flag("--require-client-cert") {
                CERT_REQUIRED
            } else {
                CERT_OPTIONAL
            })?;
        }
        if let Some(alpn) = args.alpn() {
            ctx.set_alpn_protocols(&alpn)?;
        }
        Ok(ctx)
    };
    let ctx = match setup() {
        Ok(c) => c,
        Err(e) => return fail("context", &e),
    };
    let v6 = args.flag("--ipv6");
    let addr = if v6 {
        SocketAddr::from((Ipv6Addr::LOCALHOST, port))
    } else {
        SocketAddr::from((Ipv4Addr::LOCALHOST, port))
    };
    let listen = || -> std::io::Result<(Socket, u16)> {
        let s = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
        s.set_reuse_address(true)?;
        s.bind(&SockAddr::from(addr))?;
        s.listen(16)?;
        let port = s.local_addr()?.as_socket().map_or(0, |a| a.port());
        Ok((s, port))
    };
    let (listener, port) = match listen() {
        Ok(l) => l,
        Err(e) => return fail("listen", &Error::Io(e)),
    };
    println!("{port}");
    let _ = std::io::stdout().flush();
    loop {
        let (sock, peer) = match listener.accept() {
            Ok((s, a)) => (s, a.as_socket().map_or("?".to_owned(), |a| a.to_string())),
            Err(e) => return fail("accept", &Error::Io(e)),
        };
        let ok = serve_client::<B>(&ctx, sock, &peer, timeout);
        if args.flag("--once") {
            return if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
    }
}

fn serve_client<B: Backend>(ctx: &B::Context, sock: Socket, peer: &str, timeout: Duration) -> bool {
    let _ = sock.set_read_timeout(Some(timeout));
    let _ = sock.set_write_timeout(Some(timeout));
    let mut tls = match ctx.wrap_socket(sock, SocketOptions::server()) {
        Ok(s) => s,
        Err(e) => {
            println!("client {peer}: handshake failed: {}: {e}", e.python_type());
            let _ = std::io::stdout().flush();
            return false;
        }
    };
    println!("client {peer}: {}", describe(&tls).replace('\n', ", "));
    println!(
        "client {peer}: client certificate: {}",
        peer_cert_line(&tls)
    );
    let _ = std::io::stdout().flush();
    loop {
        match tls.recv(16384, 0) {
            Ok(d) if d.is_empty() => break,
            Ok(d) => {
                println!("client {peer}: echoing {} bytes", d.len());
                let _ = std::io::stdout().flush();
                if let Err(e) = tls.sendall(&d, 0) {
                    println!("client {peer}: {}: {e}", e.python_type());
                    return true;
                }
            }
            Err(e) => {
                println!("client {peer}: {}: {e}", e.python_type());
                return true;
            }
        }
    }
    let _ = tls.unwrap();
    println!("client {peer}: closed");
    let _ = std::io::stdout().flush();
    true
}

/// `conformance get-server-certificate HOST:PORT [--ca FILE]` (F10).
pub fn get_server_certificate<B: Backend>(argv: &[String]) -> ExitCode {
    let args = Args { args: argv };
    let Some(target) = args.positional().first().copied() else {
        return usage("get-server-certificate: HOST:PORT is required");
    };
    let (host, port) = match host_port(target) {
        Ok(hp) => hp,
        Err(e) => return usage(&e),
    };
    let timeout = match args.timeout() {
        Ok(t) => t,
        Err(e) => return usage(&e),
    };
    match functions::get_server_certificate::<B>(
        (&host, port),
        PROTOCOL_TLS_CLIENT,
        args.value("--ca").map(Path::new),
        Some(timeout),
    ) {
        Ok(pem) => {
            print!("{pem}");
            ExitCode::SUCCESS
        }
        Err(e) => fail("get_server_certificate", &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        assert_eq!(
            host_port("localhost:443").unwrap(),
            ("localhost".into(), 443)
        );
        assert_eq!(host_port("[::1]:8443").unwrap(), ("::1".into(), 8443));
        assert_eq!(host_port("::1:8443").unwrap(), ("::1".into(), 8443));
        assert!(host_port("nohost").is_err());
    }

    #[test]
    fn positionals_skip_option_values() {
        let v: Vec<String> = ["--ca", "x.pem", "h:1", "--no-verify", "--send", "hi"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let a = Args { args: &v };
        assert_eq!(a.positional(), ["h:1"]);
        assert_eq!(a.value("--send"), Some("hi"));
        assert!(a.flag("--no-verify"));
    }
}
