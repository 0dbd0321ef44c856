//! Shared cases on the platform and module functions: RAND_*, fork, the Windows
//! system stores, default verify paths, and comparisons with CPython.

use ssl_api::constants::*;
use ssl_api::{Backend, Context, Error};

use super::{ctx, e2s, CaseResult, Outcome};
use crate::pki::Pki;

/// F14/F15: the Windows system stores read as CPython reads them (every
/// backend shares `system-store`): CA, ROOT and MY enumerate; every
/// `x509_asn` entry decodes with the shared decoder; trust is `True` or a set
/// of dotted OIDs; ROOT is not empty; CRLs carry a known encoding; and the
/// backend's `load_default_certs()` trusts at least the ROOT store's CAs.
/// Elsewhere the functions do not exist (as in CPython).
pub fn windows_system_stores<B: Backend>(_pki: &Pki) -> CaseResult {
    #[cfg(windows)]
    {
        use ssl::{StoreEncoding, Trust};
        let mut root_cas: i64 = 0;
        for store in ["CA", "ROOT", "MY"] {
            let certs = ssl::enum_certificates(store).map_err(e2s)?;
            for c in &certs {
                if c.encoding == StoreEncoding::X509Asn {
                    let rec = ssl_api::cert::decode::decode_cert(&c.der)
                        .map_err(|e| format!("{store}: undecodable certificate: {}", e2s(e)))?;
                    ensure!(
                        rec.get("subject").is_some() && rec.get("issuer").is_some(),
                        "{store}: no subject/issuer"
                    );
                    if store == "ROOT" && ssl_api::cert::inspect::is_ca(&c.der) {
                        root_cas += 1;
                    }
                }
                if let Trust::Oids(oids) = &c.trust {
                    ensure!(
                        oids.iter()
                            .all(|o| o.split('.').all(|p| p.parse::<u64>().is_ok())),
                        "{store}: trust OIDs {oids:?}"
                    );
                }
            }
            if store == "ROOT" {
                ensure!(!certs.is_empty(), "the ROOT store is empty");
            }
            for crl in ssl::enum_crls(store).map_err(e2s)? {
                ensure!(
                    matches!(
                        crl.encoding,
                        StoreEncoding::X509Asn | StoreEncoding::Pkcs7Asn
                    ),
                    "{store}: CRL encoding {:?}",
                    crl.encoding
                );
            }
        }
        let ctx = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
        ctx.load_default_certs(Purpose::ServerAuth).map_err(e2s)?;
        let stats = ctx.cert_store_stats().map_err(e2s)?;
        ensure!(
            stats.x509_ca >= root_cas,
            "load_default_certs trusts {} CAs, the ROOT store has {root_cas}",
            stats.x509_ca
        );
        Ok(Outcome::Pass)
    }
    #[cfg(not(windows))]
    {
        Ok(Outcome::NotSupported(
            "F14/F15 enum_certificates / enum_crls exist only on Windows, as in CPython (.ci/run tests them under Wine)".to_string(),
        ))
    }
}

/// F3-F7: the RAND_* functions.
pub fn rand_functions<B: Backend>(_pki: &Pki) -> CaseResult {
    let a = B::rand_bytes(32).map_err(e2s)?;
    let b = B::rand_bytes(32).map_err(e2s)?;
    ensure!(a.len() == 32 && a != b, "RAND_bytes");
    let (p, crypto) = B::rand_pseudo_bytes(16).map_err(e2s)?;
    ensure!(p.len() == 16 && crypto, "RAND_pseudo_bytes");
    ensure!(B::rand_status(), "RAND_status");
    match B::rand_egd(std::path::Path::new("/nonexistent")) {
        Err(Error::NotImplemented { .. }) => {}
        other => return Err(format!("RAND_egd: {other:?}")),
    }
    match B::rand_add(b"entropy", 1.0) {
        Ok(()) => {}
        Err(Error::NotImplemented { .. })
            if B::capabilities().unsupported_reason("F7").is_some() => {}
        Err(e) => return Err(format!("RAND_add: {e}")),
    }
    Ok(Outcome::Pass)
}

/// P4 (18.2.1, "Multi-processing"): after `os.fork()` the parent and the
/// child must not draw the same random bytes, as the generator's state was
/// copied into the child. The generator is primed before each fork, so there
/// is state to copy; three forks, each child's 32 bytes against the parent's
/// (and against every other draw). Every child is reaped within a bound.
pub fn rand_differs_after_fork<B: Backend>(_pki: &Pki) -> CaseResult {
    #[cfg(unix)]
    {
        fork_check::run::<B>()
    }
    #[cfg(not(unix))]
    {
        Ok(Outcome::NotSupported(
            "fork does not exist on this platform".into(),
        ))
    }
}

/// The forks of [`rand_differs_after_fork`].
#[cfg(unix)]
mod fork_check {
    use std::io::{Read, Write};
    use std::os::unix::io::AsRawFd;
    use std::os::unix::net::UnixStream;
    use std::time::{Duration, Instant};

    use ssl_api::Backend;

    use super::{e2s, CaseResult, Outcome};
    use crate::net::{poll, Interest};

    const FORKS: usize = 3;
    const DRAW: usize = 32;
    /// How long the parent waits for a child's bytes and then for its exit.
    const CHILD_WAIT: Duration = Duration::from_secs(10);

    pub(super) fn run<B: Backend>() -> CaseResult {
        let mut seen: Vec<Vec<u8>> = Vec::new();
        for i in 1..=FORKS {
            // Prime the generator: the parent has drawn before it forks.
            seen.push(B::rand_bytes(DRAW).map_err(e2s)?);
            let (parent, child) = fork_and_draw::<B>().map_err(|e| format!("fork {i}: {e}"))?;
            ensure!(
                parent.len() == DRAW && child.len() == DRAW,
                "fork {i}: {} bytes in the parent, {} in the child",
                parent.len(),
                child.len()
            );
            ensure!(
                parent != child,
                "fork {i}: the parent and the child drew the same bytes after fork"
            );
            for draw in [parent, child] {
                ensure!(
                    !seen.contains(&draw),
                    "fork {i}: a draw repeats an earlier one"
                );
                seen.push(draw);
            }
        }
        Ok(Outcome::Pass)
    }

    /// Forks; both processes call `RAND_bytes(32)` right away; the child
    /// sends its bytes over a socket pair and exits 0. Returns
    /// `(parent's, child's)` once the child is reaped (killed and reaped if it
    /// does not finish within [`CHILD_WAIT`]).
    #[allow(unsafe_code)]
    fn fork_and_draw<B: Backend>() -> Result<(Vec<u8>, Vec<u8>), String> {
        let (mut ours, theirs) = UnixStream::pair().map_err(|e| format!("socketpair: {e}"))?;
        // SAFETY: fork() itself has no memory-safety preconditions; the
        // hazard is the child of a multi-threaded process (the test harness
        // runs cases on several threads), where only the forking thread
        // exists and locks held by the others stay held. The child therefore
        // runs only what the case is about: the backend's RAND_bytes
        // (OpenSSL, AWS-LC and getrandom are made to be called in a child
        // after fork; glibc's malloc is fork-safe), one write to a socket it
        // already owns, and `_exit`, which runs no destructor, atexit handler
        // or test-harness code. A child that blocks anyway is killed by the
        // parent's bounded wait below.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(format!("fork: {}", std::io::Error::last_os_error()));
        }
        if pid == 0 {
            let code = std::panic::catch_unwind(|| match B::rand_bytes(DRAW) {
                Ok(bytes) if (&theirs).write_all(&bytes).is_ok() => 0,
                Ok(_) => 3,
                Err(_) => 2,
            })
            .unwrap_or(4);
            // SAFETY: `_exit` ends the child at once; it takes a plain exit
            // code and never returns, so no Rust state of the copied process
            // (the harness, other threads' data) is touched after it.
            unsafe { libc::_exit(code) }
        }
        drop(theirs);
        let parent = B::rand_bytes(DRAW).map_err(e2s);
        let deadline = Instant::now() + CHILD_WAIT;
        let child = read_draw(&mut ours, deadline);
        let status = reap(pid, deadline)?;
        let (parent, child) = (parent?, child?);
        ensure!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "the child did not exit 0 (wait status {status:#x})"
        );
        Ok((parent, child))
    }

    /// The child's [`DRAW`] bytes, or an error at EOF or at `deadline`.
    fn read_draw(s: &mut UnixStream, deadline: Instant) -> Result<Vec<u8>, String> {
        let mut got = vec![0u8; DRAW];
        let mut have = 0;
        while have < DRAW {
            let left = deadline.saturating_duration_since(Instant::now());
            ensure!(
                !left.is_zero(),
                "no bytes from the child within {CHILD_WAIT:?} ({have} of {DRAW})"
            );
            let ready = poll(
                &[(
                    s.as_raw_fd(),
                    Interest {
                        read: true,
                        write: false,
                    },
                )],
                left,
            )?;
            if !ready[0].0 {
                continue;
            }
            match s.read(&mut got[have..]) {
                Ok(0) => return Err(format!("the child sent {have} of {DRAW} bytes")),
                Ok(n) => have += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("reading the child's bytes: {e}")),
            }
        }
        Ok(got)
    }

    /// Waits for `pid` until `deadline`, then kills and reaps it (an error).
    #[allow(unsafe_code)]
    fn reap(pid: libc::pid_t, deadline: Instant) -> Result<libc::c_int, String> {
        let mut status: libc::c_int = 0;
        loop {
            // SAFETY: `status` is a live, exclusively borrowed c_int that
            // waitpid fills in; `pid` is our own child, not yet reaped.
            let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            if r == pid {
                return Ok(status);
            }
            if r < 0 {
                let e = std::io::Error::last_os_error();
                if e.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(format!("waitpid: {e}"));
            }
            if Instant::now() >= deadline {
                // SAFETY: as above; SIGKILL ends the child, so the blocking
                // waitpid that follows returns at once.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, &mut status, 0);
                }
                return Err(format!(
                    "the child did not finish within {CHILD_WAIT:?}: killed"
                ));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// F13/X8/X12: default verify paths name OpenSSL's environment variables, and
/// loading the default certificates fills the store when the system has a bundle.
pub fn default_verify_paths_and_certs<B: Backend>(_pki: &Pki) -> CaseResult {
    let paths = B::get_default_verify_paths();
    ensure!(
        paths.openssl_cafile_env == "SSL_CERT_FILE" && paths.openssl_capath_env == "SSL_CERT_DIR",
        "{paths:?}"
    );
    let with_defaults = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    with_defaults
        .load_default_certs(ssl_api::Purpose::ServerAuth)
        .map_err(e2s)?;
    let from_file = match &paths.cafile {
        Some(f) => std::fs::read_to_string(f)
            .map(|t| t.matches("BEGIN CERTIFICATE").count())
            .unwrap_or(0),
        None => 0,
    };
    let stats = with_defaults.cert_store_stats().map_err(e2s)?;
    // OpenSSL reads the CA directory lazily, so only the bundle file counts up front.
    ensure!(
        from_file == 0 || stats.x509 > 0,
        "bundle has {from_file} certificates, store {stats:?}"
    );
    let other = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    other.set_default_verify_paths().map_err(e2s)?;
    Ok(Outcome::Pass)
}

pub(crate) fn python_json(script: &str) -> Result<serde_json::Value, String> {
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .output()
        .map_err(|e| format!("python3 is needed as the judge: {e}"))?;
    if !out.status.success() {
        return Err(format!("python3: {}", String::from_utf8_lossy(&out.stderr)));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("python3 output: {e}"))
}

/// C1-C10: every module constant equals CPython's; the backend's HAS_* and
/// version constants are well formed.
pub fn constants_match_cpython<B: Backend>(_pki: &Pki) -> CaseResult {
    let py = python_json(
        "import ssl,json\nprint(json.dumps({k:int(v) for k,v in vars(ssl).items() if k.split('_')[0] in ('CERT','VERIFY','PROTOCOL','OP','ALERT','SSL') and isinstance(v,int) and not isinstance(v,bool) and not k.startswith('HAS_')}))",
    )?;
    let py = py.as_object().ok_or("python output")?;
    let ours = ssl_api::constants::module_constants();
    for (name, value) in &ours {
        ensure!(
            py.get(*name).and_then(|v| v.as_i64()) == Some(*value),
            "{name} = {value}, CPython {:?}",
            py.get(*name)
        );
    }
    for name in py.keys() {
        ensure!(ours.iter().any(|(n, _)| n == name), "{name} missing");
    }
    let caps = B::capabilities();
    let consts = caps.module_constants();
    ensure!(
        consts.iter().any(|(k, _)| *k == "HAS_TLSv1_3"),
        "HAS_TLSv1_3 missing"
    );
    ensure!(
        !caps.library_version.is_empty() && caps.library_version_number > 0,
        "library version"
    );
    ensure!(
        ssl_api::Purpose::ServerAuth.oid() == "1.3.6.1.5.5.7.3.1",
        "Purpose.SERVER_AUTH"
    );
    Ok(Outcome::Pass)
}

/// F8/F9/F11/F12: the pure functions agree with CPython on a few inputs (the
/// full comparisons are ssl-api's tests).
pub fn pure_functions_match_cpython<B: Backend>(pki: &Pki) -> CaseResult {
    let pem = std::fs::read_to_string(&pki.server.cert).map_err(|e| e.to_string())?;
    let py = python_json(&format!(
        "import ssl,json,warnings\nwarnings.simplefilter('ignore')\npem={pem:?}\nder=ssl.PEM_cert_to_DER_cert(pem)\nc=ssl._ssl._test_decode_cert({f:?})\nr=[]\nfor h in ['localhost','other.example','127.0.0.1']:\n  try: ssl.match_hostname(c,h); r.append('ok')\n  except Exception as e: r.append(type(e).__name__+': '+e.args[0])\nprint(json.dumps({{'der':der.hex(),'pem':ssl.DER_cert_to_PEM_cert(der),'t':ssl.cert_time_to_seconds(c['notAfter']),'m':r}}))",
        f = pki.server.cert.to_str().unwrap_or_default()
    ))?;
    let der = ssl_api::pem_cert_to_der_cert(&pem).map_err(e2s)?;
    ensure!(
        ssl_api::pyvalue::hex_lower(&der) == py["der"],
        "PEM_cert_to_DER_cert"
    );
    ensure!(
        ssl_api::der_cert_to_pem_cert(&der) == py["pem"],
        "DER_cert_to_PEM_cert"
    );
    let rec = ssl_api::cert::decode::decode_cert(&der).map_err(e2s)?;
    let not_after = rec
        .get("notAfter")
        .and_then(|v| v.as_str())
        .ok_or("notAfter")?;
    ensure!(
        Some(ssl_api::cert_time_to_seconds(not_after).map_err(e2s)?) == py["t"].as_i64(),
        "cert_time_to_seconds"
    );
    for (i, h) in ["localhost", "other.example", "127.0.0.1"]
        .iter()
        .enumerate()
    {
        let ours = match ssl_api::match_hostname(&rec, h) {
            Ok(()) => "ok".to_string(),
            Err(e) => format!(
                "{}: {}",
                if e.is_instance("CertificateError") {
                    "SSLCertVerificationError"
                } else {
                    e.python_type()
                },
                e
            ),
        };
        ensure!(
            py["m"][i] == ours.as_str(),
            "match_hostname({h}): ours {ours:?}, CPython {}",
            py["m"][i]
        );
    }
    Ok(Outcome::Pass)
}
