//! Security posture, measured live: each backend's server and client, made
//! by `create_default_context()` as an application would, probed with
//! OpenSSL's `s_client` / `s_server` offering one thing at a time (a
//! protocol version, a key exchange, a cipher family, a group, session
//! tickets), side by side with CPython's `create_default_context()` on the
//! same machine. A backend that answers a probe otherwise than CPython must
//! say why in its capabilities ([`ssl_api::Capabilities::posture`]); an
//! undeclared difference, or a declaration no difference backs, is a
//! failure of the report.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use ssl_api::functions::create_default_context;
use ssl_api::{Backend, Context, ContextExt, Purpose, SocketOptions};

use crate::bench::BenchPki;
use crate::net::{accept_plain, connect_plain, listener, ChildGuard};

/// How long one probe may take (a process start and a handshake).
const PROBE_LIMIT: Duration = Duration::from_secs(10);

/// Which side of the peer a probe judges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The peer's server, probed by `openssl s_client`.
    Server,
    /// The peer's client, against `openssl s_server`.
    Client,
}

/// One probe: what the openssl tool offers, and what counts as "yes".
pub struct Probe {
    /// The question, e.g. `server accepts TLS 1.0`.
    pub name: &'static str,
    /// The side judged.
    pub side: Side,
    /// The `s_client` / `s_server` arguments that offer only this.
    args: &'static [&'static str],
    /// For a server probe: a line of `s_client`'s output that must be there
    /// beyond a completed handshake (session tickets).
    marker: Option<&'static str>,
}

/// Every probe, in report order.
pub const PROBES: &[Probe] = &[
    Probe {
        name: "server accepts TLS 1.0",
        side: Side::Server,
        args: &["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"],
        marker: None,
    },
    Probe {
        name: "server accepts TLS 1.1",
        side: Side::Server,
        args: &["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"],
        marker: None,
    },
    Probe {
        name: "server accepts TLS 1.2",
        side: Side::Server,
        args: &["-tls1_2"],
        marker: None,
    },
    Probe {
        name: "server accepts TLS 1.3",
        side: Side::Server,
        args: &["-tls1_3"],
        marker: None,
    },
    Probe {
        name: "server accepts static RSA key exchange (no forward secrecy)",
        side: Side::Server,
        args: &[
            "-tls1_2",
            "-cipher",
            "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES128-SHA",
        ],
        marker: None,
    },
    Probe {
        name: "server accepts finite-field DHE",
        side: Side::Server,
        args: &[
            "-tls1_2",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
        ],
        marker: None,
    },
    Probe {
        name: "server accepts CBC with SHA-1 (ECDHE-RSA-AES128-SHA)",
        side: Side::Server,
        args: &[
            "-tls1_2",
            "-cipher",
            "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA",
        ],
        marker: None,
    },
    Probe {
        name: "server accepts group X25519",
        side: Side::Server,
        args: &["-groups", "X25519"],
        marker: None,
    },
    Probe {
        name: "server accepts group P-256",
        side: Side::Server,
        args: &["-groups", "P-256"],
        marker: None,
    },
    Probe {
        name: "server accepts group P-384",
        side: Side::Server,
        args: &["-groups", "P-384"],
        marker: None,
    },
    Probe {
        name: "server accepts group P-521",
        side: Side::Server,
        args: &["-groups", "P-521"],
        marker: None,
    },
    Probe {
        name: "server issues TLS 1.2 session tickets",
        side: Side::Server,
        args: &["-tls1_2"],
        marker: Some("TLS session ticket lifetime hint"),
    },
    Probe {
        name: "server issues TLS 1.3 session tickets",
        side: Side::Server,
        args: &["-tls1_3"],
        marker: Some("Post-Handshake New Session Ticket arrived"),
    },
    Probe {
        name: "client accepts TLS 1.0",
        side: Side::Client,
        args: &["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"],
        marker: None,
    },
    Probe {
        name: "client accepts TLS 1.1",
        side: Side::Client,
        args: &["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"],
        marker: None,
    },
    Probe {
        name: "client accepts TLS 1.2",
        side: Side::Client,
        args: &["-tls1_2"],
        marker: None,
    },
    Probe {
        name: "client accepts TLS 1.3",
        side: Side::Client,
        args: &["-tls1_3"],
        marker: None,
    },
    Probe {
        name: "client accepts static RSA key exchange (no forward secrecy)",
        side: Side::Client,
        args: &["-tls1_2", "-cipher", "AES128-GCM-SHA256:AES128-SHA"],
        marker: None,
    },
    Probe {
        name: "client accepts CBC with SHA-1 (ECDHE-RSA-AES128-SHA)",
        side: Side::Client,
        args: &["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"],
        marker: None,
    },
    Probe {
        name: "client accepts group P-521 only",
        side: Side::Client,
        args: &["-groups", "P-521"],
        marker: None,
    },
];

/// A peer's answer to a probe: yes or no, with what was negotiated or why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// Accepted (or, for a ticket probe, issued).
    pub yes: bool,
    /// `TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256`, or the error.
    pub detail: String,
}

/// A probe's answers: CPython's and each backend's, with the backend's
/// declared reason where it differs.
pub struct Row {
    /// The probe.
    pub probe: &'static Probe,
    /// CPython's `create_default_context()`.
    pub cpython: Result<Answer, String>,
    /// `(backend, answer, declared note)`.
    pub backends: Vec<(&'static str, Result<Answer, String>, Option<&'static str>)>,
}

impl Row {
    /// Backends whose answer differs from CPython's without a declared
    /// reason, or that declare a difference the probe did not find, or
    /// whose probe could not run.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let theirs = match &self.cpython {
            Ok(a) => a.yes,
            Err(e) => return vec![format!("CPython: {e}")],
        };
        for (name, answer, note) in &self.backends {
            match (answer, note) {
                (Err(e), _) => out.push(format!("{name}: {e}")),
                (Ok(a), None) if a.yes != theirs => out.push(format!(
                    "{name}: {} where CPython {} ({}), and no reason is declared",
                    yes_no(a.yes),
                    yes_no(theirs),
                    a.detail
                )),
                (Ok(a), Some(_)) if a.yes == theirs => out.push(format!(
                    "{name}: declares a difference, but answers as CPython ({})",
                    yes_no(a.yes)
                )),
                _ => {}
            }
        }
        out
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Why the probes cannot run here, if they cannot (they need the openssl
/// tool and python3).
pub fn unavailable() -> Option<String> {
    for (tool, arg) in [("openssl", "version"), ("python3", "--version")] {
        let ok = Command::new(tool)
            .arg(arg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Some(format!("`{tool}` is not on this machine"));
        }
    }
    None
}

/// `openssl s_client` against 127.0.0.1:`port` with `args`: the answer.
fn s_client(port: u16, probe: &Probe) -> Result<Answer, String> {
    let out = Command::new("timeout")
        .arg(PROBE_LIMIT.as_secs().to_string())
        .args(["openssl", "s_client", "-connect"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-servername", "localhost", "-ign_eof"])
        .args(probe.args)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("openssl s_client: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    // `New, TLSv1.2, Cipher is ECDHE-RSA-AES128-SHA` (`(NONE)` on failure;
    // the version there is the cipher's), then the session's `Protocol  :`.
    let cipher = text
        .lines()
        .find_map(|l| l.strip_prefix("New, "))
        .filter(|l| !l.contains("(NONE)"))
        .and_then(|l| l.split("Cipher is ").nth(1));
    let protocol = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Protocol  :"))
        .map(str::trim);
    let negotiated = cipher.map(|c| format!("{} {c}", protocol.unwrap_or("?")));
    Ok(match (negotiated, probe.marker) {
        (Some(n), Some(marker)) => Answer {
            yes: text.contains(marker),
            detail: n,
        },
        (Some(n), None) => Answer {
            yes: true,
            detail: n,
        },
        (None, _) => Answer {
            yes: false,
            detail: String::from_utf8_lossy(&out.stderr)
                .lines()
                .find(|l| l.contains(':') && !l.starts_with("CONNECTED"))
                .unwrap_or("no handshake")
                .trim()
                .to_string(),
        },
    })
}

/// `openssl s_server` for one connection with `args`, and its port.
fn s_server(pki: &BenchPki, probe: &Probe) -> Result<(ChildGuard, u16), String> {
    let mut cmd = Command::new("openssl");
    cmd.arg("s_server")
        .arg("-cert")
        .arg(&pki.rsa.cert)
        .arg("-key")
        .arg(&pki.rsa.key)
        .args(["-accept", "127.0.0.1:0", "-naccept", "1"])
        .args(probe.args);
    let srv = ChildGuard::spawn(cmd)?;
    let accept = srv.line_matching(PROBE_LIMIT, |l| l.starts_with("ACCEPT"))?;
    let port = accept
        .rsplit(':')
        .next()
        .and_then(|p| p.trim().parse().ok())
        .ok_or(format!("no port in {accept:?}"))?;
    Ok((srv, port))
}

/// Backend `B`'s answers, probe by probe: its server is
/// `create_default_context(CLIENT_AUTH)` with an RSA-2048 certificate, its
/// client `create_default_context(SERVER_AUTH)` trusting the probe CA.
pub fn measure<B: Backend>(pki: &BenchPki) -> Vec<Result<Answer, String>> {
    let server = measure_server::<B>(pki);
    PROBES
        .iter()
        .enumerate()
        .map(|(i, p)| match p.side {
            Side::Server => server
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|answers| answers[i].clone()),
            Side::Client => probe_client::<B>(pki, p),
        })
        .collect()
}

/// Every server probe against one server of `B` (the others' slots are
/// left as errors, never read).
fn measure_server<B: Backend>(pki: &BenchPki) -> Result<Vec<Result<Answer, String>>, String> {
    let ctx = create_default_context::<B>(Purpose::CLIENT_AUTH, None, None, None)
        .map_err(|e| e.to_string())?;
    ctx.load_cert_chain(&pki.rsa.cert, Some(&pki.rsa.key), None)
        .map_err(|e| e.to_string())?;
    let (l, port) = listener(false)?;
    l.set_read_timeout(Some(Duration::from_millis(100)))
        .map_err(|e| e.to_string())?;
    let stop = Arc::new(AtomicBool::new(false));
    let serving = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Acquire) {
                if let Ok(sock) = accept_plain(&l) {
                    // The handshake is the probe; the connection ends after it.
                    let _ = ctx.wrap_socket(sock, SocketOptions::server());
                }
            }
        })
    };
    let answers = PROBES
        .iter()
        .map(|p| match p.side {
            Side::Server => s_client(port, p),
            Side::Client => Err("not a server probe".into()),
        })
        .collect();
    stop.store(true, Ordering::Release);
    let _ = serving.join();
    Ok(answers)
}

fn probe_client<B: Backend>(pki: &BenchPki, probe: &Probe) -> Result<Answer, String> {
    let ctx = create_default_context::<B>(Purpose::SERVER_AUTH, Some(&pki.ca), None, None)
        .map_err(|e| e.to_string())?;
    let (_srv, port) = s_server(pki, probe)?;
    let sock = connect_plain(false, port)?;
    Ok(
        match ctx.wrap_socket(sock, SocketOptions::client("localhost")) {
            Ok(s) => Answer {
                yes: true,
                detail: format!(
                    "{} {}",
                    s.version().unwrap_or("?"),
                    s.cipher().map(|c| c.name).unwrap_or_default()
                ),
            },
            Err(e) => Answer {
                yes: false,
                detail: e.to_string(),
            },
        },
    )
}

/// CPython's server: `create_default_context(Purpose.CLIENT_AUTH)`, a
/// handshake per connection, then close.
const CPYTHON_SERVER: &str = r#"
import socket, ssl, sys
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
l = socket.create_server(("127.0.0.1", 0))
print(l.getsockname()[1], flush=True)
while True:
    c, _ = l.accept()
    c.settimeout(10)
    try:
        ctx.wrap_socket(c, server_side=True).close()
    except (OSError, ssl.SSLError):
        c.close()
"#;

/// CPython's client: `create_default_context(cafile=...)` to localhost.
const CPYTHON_CLIENT: &str = r#"
import json, socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=10) as c:
        with ctx.wrap_socket(c, server_hostname="localhost") as s:
            print(json.dumps([True, f"{s.version()} {s.cipher()[0]}"]))
except (OSError, ssl.SSLError) as e:
    print(json.dumps([False, str(e)]))
"#;

/// CPython's answers, probe by probe.
pub fn measure_cpython(pki: &BenchPki) -> Vec<Result<Answer, String>> {
    let server = (|| {
        let mut cmd = Command::new("python3");
        cmd.args(["-c", CPYTHON_SERVER])
            .arg(&pki.rsa.cert)
            .arg(&pki.rsa.key);
        let srv = ChildGuard::spawn(cmd)?;
        let port: u16 = srv
            .line(PROBE_LIMIT)?
            .trim()
            .parse()
            .map_err(|e| format!("CPython's server port: {e}"))?;
        Ok::<_, String>((srv, port))
    })();
    PROBES
        .iter()
        .map(|p| match p.side {
            Side::Server => match &server {
                Ok((_, port)) => s_client(*port, p),
                Err(e) => Err(e.clone()),
            },
            Side::Client => {
                let (_srv, port) = s_server(pki, p)?;
                let out = Command::new("timeout")
                    .arg(PROBE_LIMIT.as_secs().to_string())
                    .args(["python3", "-c", CPYTHON_CLIENT])
                    .arg(&pki.ca)
                    .arg(port.to_string())
                    .output()
                    .map_err(|e| format!("python3: {e}"))?;
                let (yes, detail): (bool, String) =
                    serde_json::from_slice(&out.stdout).map_err(|e| {
                        format!(
                            "python3 output: {e}: {}",
                            String::from_utf8_lossy(&out.stderr)
                        )
                    })?;
                Ok(Answer { yes, detail })
            }
        })
        .collect()
}

/// Every probe on CPython and on each compiled-in backend.
pub fn rows() -> Result<Vec<Row>, String> {
    if let Some(why) = unavailable() {
        return Err(why);
    }
    let pki = BenchPki::generate();
    let cpython = measure_cpython(&pki);
    let backends: Vec<_> = crate::report::compiled_backends()
        .into_iter()
        .map(|e| (e.name, (e.capabilities)(), (e.posture)(&pki)))
        .collect();
    Ok(PROBES
        .iter()
        .enumerate()
        .map(|(i, probe)| Row {
            probe,
            cpython: cpython[i].clone(),
            backends: backends
                .iter()
                .map(|(name, caps, answers)| {
                    (*name, answers[i].clone(), caps.posture_note(probe.name))
                })
                .collect(),
        })
        .collect())
}

/// The rows as JSON.
pub fn to_json(rows: &[Row]) -> Value {
    let answer = |a: &Result<Answer, String>| match a {
        Ok(a) => json!({"yes": a.yes, "detail": a.detail}),
        Err(e) => json!({"error": e}),
    };
    Value::Array(
        rows.iter()
            .map(|r| {
                json!({
                    "probe": r.probe.name,
                    "cpython": answer(&r.cpython),
                    "backends": r.backends.iter().map(|(n, a, note)| json!({
                        "backend": n, "answer": answer(a), "declared": note,
                    })).collect::<Vec<_>>(),
                    "problems": r.problems(),
                })
            })
            .collect(),
    )
}
