//! The module-level functions of Python's `ssl` that need a backend (F1, F2,
//! F3-F7, F10, F13), written once here as `ssl.py` writes them over `_ssl`,
//! generic over the backend `B`. The facade `ssl` re-exports them for its
//! default backend (`ssl::create_default_context()`, `ssl::rand_bytes(16)`,
//! ...).

use std::net::ToSocketAddrs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use socket2::{Domain, Protocol as IpProtocol, SockAddr, Socket, Type};

use crate::backend::{Backend, Context};
use crate::cert::pem::der_cert_to_pem_cert;
use crate::constants::{
    Protocol, Purpose, VerifyMode, CERT_NONE, CERT_REQUIRED, PROTOCOL_TLS, PROTOCOL_TLS_CLIENT,
    PROTOCOL_TLS_SERVER,
};
use crate::error::{Error, Result};
use crate::socket::{SocketOptions, SslSocket};
use crate::types::{CaData, DefaultVerifyPaths};
use crate::wrap::ContextExt;

/// `SSLKEYLOGFILE`, as `ssl.py` reads it: when set and non-empty, new default
/// contexts log their keys there (`keylog_filename`, X23+).
fn keylog_from_env<C: Context>(context: &C) -> Result<()> {
    match std::env::var_os("SSLKEYLOGFILE") {
        Some(path) if !path.is_empty() => context.set_keylog_filename(Some(Path::new(&path))),
        _ => Ok(()),
    }
}

/// `ssl.create_default_context(purpose, *, cafile, capath, cadata)` (F2, P1),
/// as CPython 3.11: `SERVER_AUTH` gives a `PROTOCOL_TLS_CLIENT` context with
/// `CERT_REQUIRED` and `check_hostname`; `CLIENT_AUTH` a `PROTOCOL_TLS_SERVER`
/// one (`CERT_NONE`). The CAs are `cafile` / `capath` / `cadata` when any is
/// given, else the system's (`load_default_certs(purpose)`) when the context
/// verifies. `SSLKEYLOGFILE` sets `keylog_filename`.
pub fn create_default_context<B: Backend>(
    purpose: Purpose,
    cafile: Option<&Path>,
    capath: Option<&Path>,
    cadata: Option<CaData>,
) -> Result<B::Context> {
    let context = match purpose {
        Purpose::ServerAuth => {
            let c = B::Context::new(PROTOCOL_TLS_CLIENT)?;
            c.set_verify_mode(CERT_REQUIRED)?;
            c.set_check_hostname(true)?;
            c
        }
        Purpose::ClientAuth => B::Context::new(PROTOCOL_TLS_SERVER)?,
    };
    if cafile.is_some() || capath.is_some() || cadata.is_some() {
        context.load_verify_locations(cafile, capath, cadata)?;
    } else if context.verify_mode() != CERT_NONE {
        context.load_default_certs(purpose)?;
    }
    keylog_from_env(&context)?;
    Ok(context)
}

/// The arguments of the deprecated `ssl.wrap_socket()` (F1) with CPython
/// 3.11's defaults: `keyfile=None, certfile=None, server_side=False,
/// cert_reqs=CERT_NONE, ssl_version=PROTOCOL_TLS, ca_certs=None,
/// do_handshake_on_connect=True, suppress_ragged_eofs=True, ciphers=None`.
#[derive(Clone, Debug)]
pub struct LegacyWrapOptions {
    /// `keyfile`.
    pub keyfile: Option<PathBuf>,
    /// `certfile` (required on the server side).
    pub certfile: Option<PathBuf>,
    /// `server_side`.
    pub server_side: bool,
    /// `cert_reqs`.
    pub cert_reqs: VerifyMode,
    /// `ssl_version`.
    pub ssl_version: Protocol,
    /// `ca_certs`: the CA file to verify the peer with.
    pub ca_certs: Option<PathBuf>,
    /// `do_handshake_on_connect`.
    pub do_handshake_on_connect: bool,
    /// `suppress_ragged_eofs`.
    pub suppress_ragged_eofs: bool,
    /// `ciphers`: an OpenSSL cipher string.
    pub ciphers: Option<String>,
}

impl Default for LegacyWrapOptions {
    fn default() -> Self {
        LegacyWrapOptions {
            keyfile: None,
            certfile: None,
            server_side: false,
            cert_reqs: CERT_NONE,
            ssl_version: PROTOCOL_TLS,
            ca_certs: None,
            do_handshake_on_connect: true,
            suppress_ragged_eofs: true,
            ciphers: None,
        }
    }
}

/// The deprecated module function `ssl.wrap_socket(sock, keyfile, certfile,
/// server_side, cert_reqs, ssl_version, ca_certs, do_handshake_on_connect,
/// suppress_ragged_eofs, ciphers)` (F1), as CPython 3.11 builds it: a fresh
/// `SSLContext(ssl_version)` with `verify_mode = cert_reqs`, `ca_certs`,
/// the certificate chain and the ciphers, then `wrap_socket` without a server
/// hostname. An unconnected client socket shakes hands in `connect`, a
/// listening one wraps what it accepts.
///
/// As in CPython 3.11, `ca_certs` is not checked against `cert_reqs`: a
/// verifying socket without CAs fails in the handshake.
#[deprecated(note = "as in Python 3.7+: use Context::wrap_socket (SSLContext.wrap_socket)")]
pub fn wrap_socket<B: Backend>(
    sock: impl Into<Socket>,
    args: LegacyWrapOptions,
) -> Result<SslSocket<B>> {
    if args.server_side && args.certfile.is_none() {
        return Err(Error::value(
            "certfile must be specified for server-side operations",
        ));
    }
    if args.keyfile.is_some() && args.certfile.is_none() {
        return Err(Error::value("certfile must be specified"));
    }
    let context = B::Context::new(args.ssl_version)?;
    context.set_verify_mode(args.cert_reqs)?;
    if let Some(ca) = &args.ca_certs {
        context.load_verify_locations(Some(ca), None, None)?;
    }
    if let Some(cert) = &args.certfile {
        context.load_cert_chain(cert, args.keyfile.as_deref(), None)?;
    }
    if let Some(ciphers) = &args.ciphers {
        context.set_ciphers(ciphers)?;
    }
    let options = SocketOptions {
        server_side: args.server_side,
        do_handshake_on_connect: args.do_handshake_on_connect,
        suppress_ragged_eofs: args.suppress_ragged_eofs,
        server_hostname: None,
        session: None,
    };
    context.wrap_socket(sock, options)
}

/// `socket.create_connection(address, timeout)`: tries each address the
/// name resolves to (IPv4 and IPv6) until one connects; the socket keeps
/// `timeout` (so a wrapped socket inherits it).
pub fn create_connection(addr: impl ToSocketAddrs, timeout: Option<Duration>) -> Result<Socket> {
    let mut last = None;
    for a in addr.to_socket_addrs()? {
        let attempt = (|| -> Result<Socket> {
            let sock = Socket::new(Domain::for_address(a), Type::STREAM, Some(IpProtocol::TCP))?;
            match timeout {
                Some(t) if !t.is_zero() => {
                    sock.connect_timeout(&SockAddr::from(a), t)
                        .map_err(|e| match e.kind() {
                            std::io::ErrorKind::TimedOut => Error::Timeout("timed out".into()),
                            _ => Error::Io(e),
                        })?;
                    sock.set_read_timeout(Some(t))?;
                    sock.set_write_timeout(Some(t))?;
                }
                _ => sock.connect(&SockAddr::from(a))?,
            }
            Ok(sock)
        })();
        match attempt {
            Ok(sock) => return Ok(sock),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        Error::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "getaddrinfo returns an empty list",
        ))
    }))
}

/// `ssl.get_server_certificate(addr, ssl_version, ca_certs, timeout)` (F10):
/// connects to `(host, port)` (IPv4 or IPv6), shakes hands with SNI `host`
/// and returns the server's certificate as PEM. Without `ca_certs` nothing
/// is verified; with it the chain must verify (`CERT_REQUIRED`; the host name
/// is not checked, as in CPython). Python's default `ssl_version` is
/// `PROTOCOL_TLS_CLIENT`.
pub fn get_server_certificate<B: Backend>(
    addr: (&str, u16),
    ssl_version: Protocol,
    ca_certs: Option<&Path>,
    timeout: Option<Duration>,
) -> Result<String> {
    let (host, port) = addr;
    let context = B::Context::new(ssl_version)?;
    context.set_check_hostname(false)?;
    context.set_verify_mode(if ca_certs.is_some() {
        CERT_REQUIRED
    } else {
        CERT_NONE
    })?;
    if let Some(ca) = ca_certs {
        context.load_verify_locations(Some(ca), None, None)?;
    }
    keylog_from_env(&context)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let sock = create_connection((host, port), timeout)?;
    let tls = context.wrap_socket(sock, SocketOptions::client(host))?;
    let der = tls
        .getpeercert_der()?
        .ok_or_else(|| Error::value("the server sent no certificate"))?;
    Ok(der_cert_to_pem_cert(&der))
}

/// `ssl.RAND_bytes(num)` (F3).
#[doc(alias = "RAND_bytes")]
pub fn rand_bytes<B: Backend>(num: usize) -> Result<Vec<u8>> {
    B::rand_bytes(num)
}

/// `ssl.RAND_pseudo_bytes(num)` (F4): `(bytes, is_cryptographic)`.
#[doc(alias = "RAND_pseudo_bytes")]
pub fn rand_pseudo_bytes<B: Backend>(num: usize) -> Result<(Vec<u8>, bool)> {
    B::rand_pseudo_bytes(num)
}

/// `ssl.RAND_status()` (F5).
#[doc(alias = "RAND_status")]
pub fn rand_status<B: Backend>() -> bool {
    B::rand_status()
}

/// `ssl.RAND_add(bytes, entropy)` (F7).
#[doc(alias = "RAND_add")]
pub fn rand_add<B: Backend>(bytes: &[u8], entropy: f64) -> Result<()> {
    B::rand_add(bytes, entropy)
}

/// What [`rand_add_to_os_generator`] cannot do on this platform, for the
/// capabilities of the backends that use it: `None` where it works.
pub const RAND_ADD_TO_OS_GENERATOR_GAP: Option<crate::Unsupported> = if cfg!(windows) {
    Some(crate::Unsupported {
        feature: "F7 RAND_add",
        reason: "Windows' generator (BCryptGenRandom) takes no caller bytes",
    })
} else {
    None
};

/// `RAND_add(bytes, entropy)` (F7) for a backend whose generator draws from
/// the operating system's: the bytes are written to the kernel's pool
/// (`/dev/urandom`, which mixes what is written into the state every later
/// read and reseed draws from, crediting no entropy, whatever `entropy`
/// says: the kernel, not the caller, judges entropy). Where the OS generator
/// takes no caller bytes (Windows' `BCryptGenRandom`), NotImplemented.
pub fn rand_add_to_os_generator(backend: &'static str, bytes: &[u8]) -> Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        let _ = backend;
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/urandom")
            .and_then(|mut pool| pool.write_all(bytes))
            .map_err(Error::from)
    }
    #[cfg(not(unix))]
    {
        let _ = bytes;
        Err(Error::not_implemented(
            backend,
            "F7 RAND_add: the OS generator takes no caller bytes",
        ))
    }
}

/// `ssl.RAND_egd(path)` (F6): NotImplemented where the library has no EGD.
#[doc(alias = "RAND_egd")]
pub fn rand_egd<B: Backend>(path: &Path) -> Result<i64> {
    B::rand_egd(path)
}

/// `ssl.get_default_verify_paths()` (F13).
pub fn get_default_verify_paths<B: Backend>() -> DefaultVerifyPaths {
    B::get_default_verify_paths()
}
