//! The network tools of the `conformance` binary, generic over the backend
//! and picked at run time with `--backend NAME` (see [`ToolSet`]):
//!
//! ```text
//! conformance connect HOST:PORT [--backend NAME] [--ca FILE] [--cert FILE --key FILE]
//!                     [--alpn a,b] [--servername NAME] [--no-verify] [--send TEXT] [--timeout SECS]
//! conformance serve --cert FILE [--key FILE] [--backend NAME] [--port N] [--ipv6] [--alpn a,b]
//!                   [--ca FILE [--require-client-cert]] [--once] [--timeout SECS]
//! conformance get-server-certificate HOST:PORT [--backend NAME] [--ca FILE] [--timeout SECS]
//! conformance ciphers [--backend NAME] [--json] STRING
//! conformance defaults [--backend NAME] [--json]
//! ```
//!
//! `connect` is a small `openssl s_client`: it prints the version, cipher,
//! ALPN, whether the session was reused and the peer certificate record, then
//! what the server sent back; it exits 0 only when the handshake (and the
//! verification) succeeded. `serve` is a small `openssl s_server` on loopback
//! that echoes: its first line is the bound port (so `--port 0` works), then a
//! line per client with what it negotiated; it serves clients at once, each
//! bounded by `--timeout`. `get-server-certificate` prints the server's
//! certificate as PEM (F10). `ciphers` and `defaults` answer for every
//! backend compiled in unless `--backend` names one.

use std::io::Write;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use ssl_api::constants::*;
use ssl_api::functions;
use ssl_api::socket2::{Domain, SockAddr, Socket, Type};
use ssl_api::ContextExt;
use ssl_api::{Backend, CipherInfo, Context, Error, SocketOptions, SslSocket};

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
    /// `conformance ciphers STRING`: [`ciphers_of`].
    pub ciphers: fn(&str) -> ssl_api::Result<Vec<CipherInfo>>,
    /// `conformance defaults`: [`defaults_of`].
    pub defaults: fn() -> Vec<Defaults>,
}

impl ToolSet {
    /// The tools over backend `B`.
    pub const fn of<B: Backend>() -> ToolSet {
        ToolSet {
            name: B::NAME,
            connect: connect::<B>,
            serve: serve::<B>,
            get_server_certificate: get_server_certificate::<B>,
            ciphers: ciphers_of::<B>,
            defaults: defaults_of::<B>,
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
    // Refuse at start what the backend declares it cannot do, rather than
    // failing every handshake later.
    if ctx.verify_mode() != CERT_NONE {
        if let Some(gap) = B::capabilities().unsupported_feature("X4") {
            let feature = format!("{}: {}", gap.feature, gap.reason);
            return fail("context", &Error::not_implemented(B::NAME, feature));
        }
    }
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
        s.listen(LISTEN_BACKLOG)?;
        let port = s.local_addr()?.as_socket().map_or(0, |a| a.port());
        Ok((s, port))
    };
    let (listener, port) = match listen() {
        Ok(l) => l,
        Err(e) => return fail("listen", &Error::Io(e)),
    };
    println!("{port}");
    let _ = std::io::stdout().flush();
    if args.flag("--once") {
        return match accept(&listener) {
            Ok((sock, peer)) => {
                if serve_client::<B>(&ctx, sock, &peer, timeout) {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }
            }
            Err(e) => fail("accept", &Error::Io(e)),
        };
    }
    let slots = Slots::new(MAX_CLIENTS);
    loop {
        // Accept only with a free slot: past MAX_CLIENTS, clients wait in
        // the backlog instead of costing a thread each.
        let slot = slots.acquire();
        let (sock, peer) = match accept(&listener) {
            Ok(c) => c,
            Err(e) if accept_error_is_transient(&e) => {
                eprintln!("accept: {e} (retrying)");
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            Err(e) => return fail("accept", &Error::Io(e)),
        };
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("client {peer}"))
            .spawn(move || {
                let _slot = slot;
                serve_client::<B>(&ctx, sock, &peer, timeout);
            });
        if let Err(e) = spawned {
            // The closure (socket and slot) is dropped: the client sees EOF.
            eprintln!("cannot start a thread for a client: {e}");
        }
    }
}

/// How many clients `serve` handles at once (a thread each).
const MAX_CLIENTS: usize = 1024;

/// The listen backlog of `serve`: a burst waits here, not in SYN retries.
const LISTEN_BACKLOG: i32 = 1024;

fn accept(listener: &Socket) -> std::io::Result<(Socket, String)> {
    loop {
        match listener.accept() {
            Ok((s, a)) => {
                return Ok((s, a.as_socket().map_or("?".to_owned(), |a| a.to_string())));
            }
            // A client that left before accept() is no reason to stop.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::Interrupted
                        | std::io::ErrorKind::ConnectionAborted
                        | std::io::ErrorKind::ConnectionReset
                ) => {}
            Err(e) => return Err(e),
        }
    }
}

/// Out of descriptors or memory: passes when clients close, so `serve` waits
/// and accepts again rather than exiting.
fn accept_error_is_transient(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(
            e.raw_os_error(),
            Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
        )
    }
    #[cfg(not(unix))]
    {
        e.kind() == std::io::ErrorKind::OutOfMemory
    }
}

/// A counting semaphore: at most `n` slots out at once; a slot is given back
/// when dropped.
#[derive(Clone)]
struct Slots(Arc<(Mutex<usize>, Condvar)>);

struct Slot(Slots);

impl Slots {
    fn new(n: usize) -> Self {
        Slots(Arc::new((Mutex::new(n), Condvar::new())))
    }

    fn acquire(&self) -> Slot {
        let (free, cv) = &*self.0;
        let mut free = free.lock().unwrap_or_else(|p| p.into_inner());
        while *free == 0 {
            free = cv.wait(free).unwrap_or_else(|p| p.into_inner());
        }
        *free -= 1;
        Slot(self.clone())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (free, cv) = &*(self.0).0;
        *free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        cv.notify_one();
    }
}

/// Prints `lines` together (clients are served at once; their lines must
/// not interleave).
fn say(lines: &[String]) {
    let mut out = std::io::stdout().lock();
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
    let _ = out.flush();
}

/// One client: the handshake, then echo until EOF. `timeout` bounds the
/// handshake as a whole and each later read or write (the socket's timeout
/// is a total per call), so a silent or trickling client is dropped.
fn serve_client<B: Backend>(ctx: &B::Context, sock: Socket, peer: &str, timeout: Duration) -> bool {
    let _ = sock.set_read_timeout(Some(timeout));
    let _ = sock.set_write_timeout(Some(timeout));
    let mut tls = match ctx.wrap_socket(sock, SocketOptions::server()) {
        Ok(s) => s,
        Err(e) => {
            say(&[format!(
                "client {peer}: handshake failed: {}: {e}",
                e.python_type()
            )]);
            return false;
        }
    };
    say(&[
        format!("client {peer}: {}", describe(&tls).replace('\n', ", ")),
        format!(
            "client {peer}: client certificate: {}",
            peer_cert_line(&tls)
        ),
    ]);
    loop {
        match tls.recv(16384, 0) {
            Ok(d) if d.is_empty() => break,
            Ok(d) => {
                say(&[format!("client {peer}: echoing {} bytes", d.len())]);
                if let Err(e) = tls.sendall(&d, 0) {
                    say(&[format!("client {peer}: {}: {e}", e.python_type())]);
                    return true;
                }
            }
            Err(e) => {
                say(&[format!("client {peer}: {}: {e}", e.python_type())]);
                return true;
            }
        }
    }
    let _ = tls.unwrap();
    say(&[format!("client {peer}: closed")]);
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

/// `SSLContext(PROTOCOL_TLS_CLIENT).get_ciphers()` after `set_ciphers(string)`.
pub fn ciphers_of<B: Backend>(string: &str) -> ssl_api::Result<Vec<CipherInfo>> {
    let ctx = B::Context::new(PROTOCOL_TLS_CLIENT)?;
    ctx.set_ciphers(string)?;
    ctx.get_ciphers()
}

/// One attribute of a context: CPython's `repr()` of it and its JSON value
/// (enums and flags as their integers, as `int(ctx.verify_mode)` gives).
pub struct Setting {
    /// The attribute's Python name.
    pub name: &'static str,
    /// Python's `repr()`.
    pub repr: String,
    /// The JSON value.
    pub json: Value,
}

/// The defaults of one context (`SSLContext(PROTOCOL_...)` or
/// `create_default_context(purpose)`), or why it cannot be made.
pub struct Defaults {
    /// `PROTOCOL_TLS_CLIENT`, `create_default_context(Purpose.SERVER_AUTH)`, ...
    pub label: String,
    /// Its attributes, or the error making it raised.
    pub settings: ssl_api::Result<Vec<Setting>>,
}

fn settings<C: Context>(ctx: &C) -> Vec<Setting> {
    let bool_setting = |name, b: bool| Setting {
        name,
        repr: py_bool(b).to_owned(),
        json: Value::Bool(b),
    };
    let mut out = vec![
        Setting {
            name: "protocol",
            repr: ctx.protocol().repr(),
            json: json!(ctx.protocol().value()),
        },
        Setting {
            name: "verify_mode",
            repr: ctx.verify_mode().repr(),
            json: json!(ctx.verify_mode().value()),
        },
        bool_setting("check_hostname", ctx.check_hostname()),
        Setting {
            name: "minimum_version",
            repr: ctx.minimum_version().repr(),
            json: json!(ctx.minimum_version().value()),
        },
        Setting {
            name: "maximum_version",
            repr: ctx.maximum_version().repr(),
            json: json!(ctx.maximum_version().value()),
        },
        Setting {
            name: "options",
            repr: ctx.options().repr(),
            json: json!(ctx.options().bits()),
        },
        Setting {
            name: "verify_flags",
            repr: ctx.verify_flags().repr(),
            json: json!(ctx.verify_flags().bits()),
        },
        bool_setting("post_handshake_auth", ctx.post_handshake_auth()),
        bool_setting(
            "hostname_checks_common_name",
            ctx.hostname_checks_common_name(),
        ),
    ];
    // `len(ctx.get_ciphers())`; a backend that cannot list them says why.
    out.push(match ctx.get_ciphers() {
        Ok(c) => Setting {
            name: "ciphers",
            repr: c.len().to_string(),
            json: json!(c.len()),
        },
        Err(e) => Setting {
            name: "ciphers",
            repr: format!("{}: {e}", e.python_type()),
            json: json!({"error": error_json(&e)}),
        },
    });
    out
}

/// The defaults of a context for every protocol constant, then of
/// `create_default_context()` for both purposes.
pub fn defaults_of<B: Backend>() -> Vec<Defaults> {
    let mut out: Vec<Defaults> = Protocol::MEMBERS
        .iter()
        .map(|&p| Defaults {
            label: p.name().to_owned(),
            settings: B::Context::new(p).map(|c| settings(&c)),
        })
        .collect();
    for &purpose in Purpose::MEMBERS {
        out.push(Defaults {
            label: format!("create_default_context(Purpose.{})", purpose.name()),
            settings: functions::create_default_context::<B>(purpose, None, None, None)
                .map(|c| settings(&c)),
        });
    }
    out
}

/// `{"type": "SSLError", "message": "..."}`.
pub fn error_json(e: &Error) -> Value {
    json!({"type": e.python_type(), "message": e.to_string()})
}

/// The tool sets named by `--backend NAME`, or all of them.
fn chosen<'a>(all: &'a [ToolSet], args: &Args) -> Result<Vec<&'a ToolSet>, ExitCode> {
    match args.value("--backend") {
        None => Ok(all.iter().collect()),
        Some(name) => match all.iter().find(|t| t.name == name) {
            Some(t) => Ok(vec![t]),
            None => {
                eprintln!(
                    "unknown backend {name:?}; compiled in: {}",
                    all.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
                );
                Err(ExitCode::from(2))
            }
        },
    }
}

/// `conformance ciphers [--backend NAME] [--json] STRING`: like `openssl
/// ciphers -v STRING`, one `description` line per cipher, for each backend
/// (a `# NAME` line first when there are several). Exits 1 when the string
/// is refused (a backend that cannot take cipher strings at all is reported,
/// not counted: its capabilities say so).
pub fn ciphers_command(all: &[ToolSet], argv: &[String]) -> ExitCode {
    let args = Args { args: argv };
    let [string] = args.positional()[..] else {
        return usage("ciphers: one cipher STRING is required");
    };
    let sets = match chosen(all, &args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut refused = false;
    let mut map = serde_json::Map::new();
    for t in &sets {
        let result = (t.ciphers)(string);
        refused |= matches!(&result, Err(e) if !matches!(e, Error::NotImplemented { .. }));
        if args.flag("--json") {
            let v = match &result {
                Ok(list) => json!({"ciphers": list
                    .iter()
                    .map(|c| Value::Object(c.to_pairs().into_iter().map(|(k, v)| (k.to_owned(), v.to_json())).collect()))
                    .collect::<Vec<_>>()}),
                Err(e) => json!({"error": error_json(e)}),
            };
            map.insert(t.name.to_owned(), v);
            continue;
        }
        if sets.len() > 1 {
            println!("# {}", t.name);
        }
        match &result {
            Ok(list) => {
                for c in list {
                    println!("{}", c.description.trim_end());
                }
            }
            Err(e) => println!("{}: {e}", e.python_type()),
        }
    }
    if args.flag("--json") {
        println!("{}", Value::Object(map));
    }
    if refused {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `conformance defaults [--backend NAME] [--json]`: [`defaults_of`] for
/// each backend, as `name = repr` lines or one JSON object
/// (`{backend: {label: {attribute: value} | {"error": ...}}}`).
pub fn defaults_command(all: &[ToolSet], argv: &[String]) -> ExitCode {
    let args = Args { args: argv };
    let sets = match chosen(all, &args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut map = serde_json::Map::new();
    for t in &sets {
        let mut contexts = serde_json::Map::new();
        for d in (t.defaults)() {
            if args.flag("--json") {
                let v = match &d.settings {
                    Ok(list) => Value::Object(
                        list.iter()
                            .map(|s| (s.name.to_owned(), s.json.clone()))
                            .collect(),
                    ),
                    Err(e) => json!({"error": error_json(e)}),
                };
                contexts.insert(d.label, v);
                continue;
            }
            match &d.settings {
                Ok(list) => {
                    println!("{}: {}", t.name, d.label);
                    for s in list {
                        println!("  {} = {}", s.name, s.repr);
                    }
                }
                Err(e) => println!("{}: {}: {}: {e}", t.name, d.label, e.python_type()),
            }
        }
        map.insert(t.name.to_owned(), Value::Object(contexts));
    }
    if args.flag("--json") {
        println!("{}", Value::Object(map));
    }
    ExitCode::SUCCESS
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
