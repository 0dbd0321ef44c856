//! # ssl
//!
//! Python's `ssl` module, in Rust, over pluggable TLS providers. This facade
//! re-exports the API of [`ssl_api`] (constants, errors, MemoryBIO, the
//! certificate record, the pure functions) and picks the default backend by
//! cargo feature:
//!
//! | feature   | backend                  | priority as `DefaultBackend` |
//! |-----------|--------------------------|------------------------------|
//! | `rustls`  | `backend_rustls::Rustls` | 1 (default feature)          |
//! | `openssl` | `backend_openssl::OpenSsl` | 2                            |
//! | `native`  | `backend_native::Native` | 3                            |
//!
//! Every enabled backend is also reachable by type ([`mod@backends`]) and by
//! name at run time ([`backend()`], [`backend_names`], [`select_backend`]).
//!
//! **Libraries name their backend type** (`ssl::backends::OpenSsl`, with the
//! feature enabled): cargo unifies features across the dependency graph, so
//! `DefaultBackend` in a library would become rustls as soon as any other
//! crate enables the default feature. **Applications** use `DefaultBackend`
//! (their own features decide) or choose at run time:
//!
//! ```
//! use ssl::{Context, PROTOCOL_TLS_CLIENT};
//! let name = std::env::args().nth(1).unwrap_or_else(|| "rustls".into());
//! if let Some(backend) = ssl::backend(&name) {
//!     // An ordinary Context: wrap_socket, wrap_stream, wrap_bio, ssl::tokio.
//!     let ctx = backend.new_context(PROTOCOL_TLS_CLIENT)?;
//!     assert_eq!(ctx.backend_name(), name);
//! }
//! # Ok::<(), ssl::Error>(())
//! ```
//!
//! ## A TLS 1.3 connection over two MemoryBIO pairs
//!
//! ```
//! use ssl::{Bio, Context, MemoryBio, Object, WrapOptions, SSLContext, PROTOCOL_TLS_CLIENT,
//!           PROTOCOL_TLS_SERVER, CERT_NONE};
//! # let key = rcgen::KeyPair::generate().unwrap();
//! # let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap()
//! #     .self_signed(&key).unwrap();
//! # let dir = tempfile::tempdir().unwrap();
//! # let (certfile, keyfile) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
//! # std::fs::write(&certfile, cert.pem()).unwrap();
//! # std::fs::write(&keyfile, key.serialize_pem()).unwrap();
//! let server = SSLContext::new(PROTOCOL_TLS_SERVER)?;
//! server.load_cert_chain(&certfile, Some(&keyfile), None)?;
//! let client = SSLContext::new(PROTOCOL_TLS_CLIENT)?;
//! client.load_verify_locations(Some(&certfile), None, None)?;
//!
//! let (c_in, c_out, s_in, s_out) = (MemoryBio::new(), MemoryBio::new(), MemoryBio::new(), MemoryBio::new());
//! let mut c = client.wrap_bio(c_in.clone(), c_out.clone(), WrapOptions::client("localhost"))?;
//! let mut s = server.wrap_bio(s_in.clone(), s_out.clone(), WrapOptions::server())?;
//! let pump = || { s_in.write(&c_out.read(None)).unwrap(); c_in.write(&s_out.read(None)).unwrap(); };
//! for _ in 0..10 {
//!     let (a, b) = (c.do_handshake(), s.do_handshake());
//!     pump();
//!     if a.is_ok() && b.is_ok() { break; }
//! }
//! assert_eq!(c.version(), Some("TLSv1.3"));
//! c.write(b"hello")?;
//! pump();
//! let mut buf = [0u8; 5];
//! assert_eq!(s.read(&mut buf)?, 5);
//! assert_eq!(&buf, b"hello");
//! # Ok::<(), ssl::Error>(())
//! ```
//!
//! ## Certificates and keys from memory
//!
//! `load_cert_chain_from_memory` takes what `load_cert_chain` reads from
//! files, as PEM or DER, and fails as the file form fails for the same bytes
//! (`[SSL] PEM lib`, `[X509: KEY_VALUES_MISMATCH]`, ...).
//!
//! ```
//! use ssl::{CertChain, Context, KeyData, Password, SSLContext, PROTOCOL_TLS_SERVER};
//! # let key = rcgen::KeyPair::generate().unwrap();
//! # let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap()
//! #     .self_signed(&key).unwrap();
//! # let (cert_pem, key_pem, cert_der, key_der) =
//! #     (cert.pem(), key.serialize_pem(), cert.der().to_vec(), key.serialize_der());
//! let server = SSLContext::new(PROTOCOL_TLS_SERVER)?;
//! // PEM (the key may also sit in the chain's text: pass None).
//! server.load_cert_chain_from_memory(
//!     CertChain::Pem(cert_pem.as_bytes()),
//!     Some(KeyData::Pem(key_pem.as_bytes())),
//!     None,
//! )?;
//! // DER: the leaf (then any intermediates), and a PKCS#8 / PKCS#1 / SEC1 key;
//! // a password (str, bytes or callback) is used only for an encrypted key.
//! server.load_cert_chain_from_memory(
//!     CertChain::Der(&cert_der),
//!     Some(KeyData::Der(&key_der)),
//!     Some(Password::Str("unused".into())),
//! )?;
//! # Ok::<(), ssl::Error>(())
//! ```
//!
//! ## Any transport: a `TcpStream` kept as a `Read + Write` stream
//!
//! `wrap_stream` gives Python's `SSLSocket` semantics over any transport
//! (`ssl::transport`: an owned socket, a `BorrowedSocket` someone else owns,
//! any `Read + Write` as `IoStream`); Rust's `io::Read` / `io::Write` work by
//! method syntax.
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use ssl::{Context, ContextExt, Purpose, SocketOptions, SSLContext, PROTOCOL_TLS_CLIENT};
//! use ssl::transport::IoStream;
//!
//! let ctx = SSLContext::new(PROTOCOL_TLS_CLIENT)?;
//! ctx.load_default_certs(Purpose::SERVER_AUTH)?;
//! let tcp = std::net::TcpStream::connect("example.org:443")?;
//! let mut tls = ctx.wrap_stream(IoStream::new(tcp), SocketOptions::client("example.org"))?;
//! tls.write_all(b"HEAD / HTTP/1.0\r\nHost: example.org\r\n\r\n")?;
//! let mut answer = Vec::new();
//! tls.read_to_end(&mut answer)?;
//! # Ok::<(), ssl::Error>(())
//! ```
//!
//! ## Client-side operation (18.2.5.2)
//!
//! The documentation's client, against a local server (the server thread and
//! its certificate are set up in the hidden lines): a verifying context,
//! a lazily wrapped socket that shakes hands in `connect`, the peer
//! certificate, then a request and its answer.
//!
//! ```
//! use std::time::Duration;
//! use ssl::socket2::{Domain, Socket, Type};
//! use ssl::{Context, ContextExt, SocketOptions, Purpose};
//! # let key = rcgen::KeyPair::generate().unwrap();
//! # let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap()
//! #     .self_signed(&key).unwrap();
//! # let dir = tempfile::tempdir().unwrap();
//! # let (certfile, keyfile) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
//! # std::fs::write(&certfile, cert.pem()).unwrap();
//! # std::fs::write(&keyfile, key.serialize_pem()).unwrap();
//! # let server_ctx = ssl::create_default_context_with(Purpose::CLIENT_AUTH, None, None, None)?;
//! # server_ctx.load_cert_chain(&certfile, Some(&keyfile), None)?;
//! # let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
//! # let port = listener.local_addr()?.port();
//! # let server = std::thread::spawn(move || -> ssl::Result<()> {
//! #     let (sock, _) = listener.accept()?;
//! #     sock.set_read_timeout(Some(Duration::from_secs(10)))?;
//! #     let mut conn = server_ctx.wrap_socket(sock, SocketOptions::server())?;
//! #     let request = conn.recv(1024, 0)?;
//! #     assert!(request.starts_with(b"HEAD / HTTP/1.0"));
//! #     conn.sendall(b"HTTP/1.0 200 OK\r\nServer: ssl-rs\r\n\r\n", 0)?;
//! #     conn.unwrap()?;
//! #     Ok(())
//! # });
//! let context = ssl::create_default_context()?;
//! // The server's certificate is self-signed: trust it explicitly, as the
//! // documentation's "tune security settings yourself" variant does.
//! context.load_verify_locations(Some(&certfile), None, None)?;
//!
//! let sock = Socket::new(Domain::IPV4, Type::STREAM, None)?;
//! sock.set_read_timeout(Some(Duration::from_secs(10)))?; // settimeout(10)
//! let mut conn = context.wrap_socket(sock, SocketOptions::client("localhost"))?;
//! conn.connect(("127.0.0.1", port))?;
//!
//! let cert = conn.getpeercert()?.expect("a verified certificate");
//! println!("{}", cert.repr());
//! assert!(cert.repr().contains("('DNS', 'localhost')"));
//!
//! conn.sendall(b"HEAD / HTTP/1.0\r\nHost: localhost\r\n\r\n", 0)?;
//! let answer = conn.recv(1024, 0)?;
//! let lines: Vec<&[u8]> = answer.split(|&b| b == b'\n').collect();
//! assert_eq!(lines[0], b"HTTP/1.0 200 OK\r");
//! conn.unwrap()?;
//! # server.join().unwrap()?;
//! # Ok::<(), ssl::Error>(())
//! ```
//!
//! ## Server-side operation (18.2.5.3)
//!
//! The documentation's server: a context with the key and certificate, a
//! bound and listening socket, `accept()`, `wrap_socket(server_side=True)`,
//! then `deal_with_client` reading until the client is finished. (The client
//! thread is in the hidden lines; the loop serves one client here.)
//!
//! ```
//! use std::net::{Shutdown, TcpListener};
//! use std::time::Duration;
//! use ssl::{Context, ContextExt, Purpose, SocketOptions, SSLSocket};
//! # let key = rcgen::KeyPair::generate().unwrap();
//! # let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap()
//! #     .self_signed(&key).unwrap();
//! # let dir = tempfile::tempdir().unwrap();
//! # let (certfile, keyfile) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
//! # std::fs::write(&certfile, cert.pem()).unwrap();
//! # std::fs::write(&keyfile, key.serialize_pem()).unwrap();
//!
//! let context = ssl::create_default_context_with(Purpose::CLIENT_AUTH, None, None, None)?;
//! context.load_cert_chain(&certfile, Some(&keyfile), None)?;
//!
//! let bindsocket = TcpListener::bind("127.0.0.1:0")?;
//! # let port = bindsocket.local_addr()?.port();
//! # let cafile = certfile.clone();
//! # let client = std::thread::spawn(move || -> ssl::Result<Vec<u8>> {
//! #     let ctx = ssl::create_default_context_with(Purpose::SERVER_AUTH, Some(&cafile), None, None)?;
//! #     let sock = ssl::create_connection(("127.0.0.1", port), Some(Duration::from_secs(10)))?;
//! #     let mut c = ctx.wrap_socket(sock, SocketOptions::client("localhost"))?;
//! #     c.sendall(b"hello, ", 0)?;
//! #     c.sendall(b"server", 0)?;
//! #     let mut echoed = Vec::new();
//! #     while echoed.len() < 13 { echoed.extend(c.recv(1024, 0)?); }
//! #     c.close(); // the server reads b"" (a suppressed ragged EOF) and finishes
//! #     Ok(echoed)
//! # });
//!
//! fn deal_with_client(connstream: &mut SSLSocket) -> ssl::Result<()> {
//!     let mut data = connstream.recv(1024, 0)?;
//!     // empty data means the client is finished with us
//!     while !data.is_empty() {
//!         connstream.sendall(&data, 0)?; // do_something: echo
//!         data = connstream.recv(1024, 0)?;
//!     }
//!     Ok(())
//! }
//!
//! for _ in 0..1 {
//!     let (newsocket, _fromaddr) = bindsocket.accept()?;
//!     newsocket.set_read_timeout(Some(Duration::from_secs(10)))?;
//!     let mut connstream = context.wrap_socket(newsocket, SocketOptions::server())?;
//!     let dealt = deal_with_client(&mut connstream);
//!     connstream.shutdown(Shutdown::Both)?;
//!     connstream.close();
//!     dealt?;
//! }
//! # assert_eq!(client.join().unwrap()?, b"hello, server");
//! # Ok::<(), ssl::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use ssl_api::*;

#[cfg(not(any(feature = "rustls", feature = "openssl", feature = "native")))]
compile_error!("enable at least one backend feature of `ssl`: rustls, openssl, native");

cfg_if::cfg_if! {
    if #[cfg(feature = "rustls")] {
        /// The backend chosen by cargo feature (see the table above).
        pub type DefaultBackend = backends::Rustls;
    } else if #[cfg(feature = "openssl")] {
        /// The backend chosen by cargo feature (see the table above).
        pub type DefaultBackend = backends::OpenSsl;
    } else if #[cfg(feature = "native")] {
        /// The backend chosen by cargo feature (see the table above).
        pub type DefaultBackend = backends::Native;
    }
}

/// `ssl.enum_certificates(store_name)` (F14) and `ssl.enum_crls(store_name)`
/// (F15): the Windows system certificate stores, read as CPython reads them,
/// whatever the backend (see `system_store::windows`).
#[cfg(windows)]
pub use system_store::windows::{
    enum_certificates, enum_crls, Encoding as StoreEncoding, StoreCertificate, StoreCrl, Trust,
};

/// `SSLContext` of the default backend.
pub type SSLContext = <DefaultBackend as Backend>::Context;
/// `SSLObject` of the default backend.
pub type SSLObject = <DefaultBackend as Backend>::Object;
/// `SSLSession` of the default backend.
pub type SSLSession = <DefaultBackend as Backend>::Session;
/// `SSLSocket` of the default backend (S1-S16).
pub type SSLSocket = SslSocket<DefaultBackend>;

pub use ssl_api::functions::{create_connection, LegacyWrapOptions};

/// `ssl.create_default_context()` (F2, P1) on the default backend: a
/// `PROTOCOL_TLS_CLIENT` context that verifies certificates and host names
/// against the system's CAs (`Purpose::SERVER_AUTH`, no CA arguments).
pub fn create_default_context() -> Result<SSLContext> {
    ssl_api::functions::create_default_context::<DefaultBackend>(
        Purpose::SERVER_AUTH,
        None,
        None,
        None,
    )
}

/// `ssl.create_default_context(purpose, cafile=, capath=, cadata=)` (F2, P1)
/// on the default backend, with every argument.
#[doc(alias = "create_default_context")]
pub fn create_default_context_with(
    purpose: Purpose,
    cafile: Option<&std::path::Path>,
    capath: Option<&std::path::Path>,
    cadata: Option<CaData>,
) -> Result<SSLContext> {
    ssl_api::functions::create_default_context::<DefaultBackend>(purpose, cafile, capath, cadata)
}

/// The deprecated `ssl.wrap_socket(sock, keyfile, certfile, server_side,
/// cert_reqs, ssl_version, ca_certs, do_handshake_on_connect,
/// suppress_ragged_eofs, ciphers)` (F1) on the default backend; see
/// [`ssl_api::functions::wrap_socket`].
#[deprecated(note = "as in Python 3.7+: use Context::wrap_socket (SSLContext.wrap_socket)")]
pub fn wrap_socket(sock: impl Into<socket2::Socket>, args: LegacyWrapOptions) -> Result<SSLSocket> {
    #[allow(deprecated)]
    ssl_api::functions::wrap_socket::<DefaultBackend>(sock, args)
}

/// `ssl.get_server_certificate(addr, ssl_version, ca_certs, timeout)` (F10)
/// on the default backend: the server's certificate as PEM (IPv4 or IPv6).
pub fn get_server_certificate(
    addr: (&str, u16),
    ssl_version: Protocol,
    ca_certs: Option<&std::path::Path>,
    timeout: Option<std::time::Duration>,
) -> Result<String> {
    ssl_api::functions::get_server_certificate::<DefaultBackend>(
        addr,
        ssl_version,
        ca_certs,
        timeout,
    )
}

/// `ssl.RAND_bytes(num)` (F3) on the default backend.
#[doc(alias = "RAND_bytes")]
pub fn rand_bytes(num: usize) -> Result<Vec<u8>> {
    DefaultBackend::rand_bytes(num)
}

/// `ssl.RAND_pseudo_bytes(num)` (F4) on the default backend.
#[doc(alias = "RAND_pseudo_bytes")]
pub fn rand_pseudo_bytes(num: usize) -> Result<(Vec<u8>, bool)> {
    DefaultBackend::rand_pseudo_bytes(num)
}

/// `ssl.RAND_status()` (F5) on the default backend.
#[doc(alias = "RAND_status")]
pub fn rand_status() -> bool {
    DefaultBackend::rand_status()
}

/// `ssl.RAND_add(bytes, entropy)` (F7) on the default backend
/// (NotImplemented where the library takes no caller entropy).
#[doc(alias = "RAND_add")]
pub fn rand_add(bytes: &[u8], entropy: f64) -> Result<()> {
    DefaultBackend::rand_add(bytes, entropy)
}

/// `ssl.RAND_egd(path)` (F6) on the default backend (NotImplemented).
#[doc(alias = "RAND_egd")]
pub fn rand_egd(path: &std::path::Path) -> Result<i64> {
    DefaultBackend::rand_egd(path)
}

/// `ssl.get_default_verify_paths()` (F13) on the default backend.
pub fn get_default_verify_paths() -> DefaultVerifyPaths {
    DefaultBackend::get_default_verify_paths()
}

/// The backend types compiled in, one per cargo feature. A library names
/// the backend it was written and tested for (`ssl::backends::OpenSsl`), so
/// that another crate enabling another feature cannot swap it;
/// applications use [`DefaultBackend`] (the features' choice) or pick one by
/// name at run time ([`backend()`]).
pub mod backends {
    #[cfg(feature = "native")]
    pub use backend_native::Native;
    #[cfg(feature = "openssl")]
    pub use backend_openssl::OpenSsl;
    #[cfg(feature = "rustls")]
    pub use backend_rustls::Rustls;
}

// The registry: the one list of compiled-in backends, read by
// `for_each_backend!`, `backends()` / `backend(name)` and, through them, the
// conformance suite, the report, interop and the benches. A fourth backend
// adds its crate, its feature and one line in each of the three places below.
#[cfg(feature = "rustls")]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_rustls {
    ($m:ident) => {
        $m!(rustls, $crate::backends::Rustls);
    };
}
#[cfg(not(feature = "rustls"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_rustls {
    ($m:ident) => {};
}
#[cfg(feature = "openssl")]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_openssl {
    ($m:ident) => {
        $m!(openssl, $crate::backends::OpenSsl);
    };
}
#[cfg(not(feature = "openssl"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_openssl {
    ($m:ident) => {};
}
#[cfg(feature = "native")]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_native {
    ($m:ident) => {
        $m!(native, $crate::backends::Native);
    };
}
#[cfg(not(feature = "native"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_native {
    ($m:ident) => {};
}

/// Invokes macro `$m!(name, Type)` once per compiled-in backend (`name` an
/// identifier such as `rustls`, `Type` the backend type), for code that is
/// generic over `B: Backend` and must be instantiated for each:
///
/// ```
/// macro_rules! print_name {
///     ($name:ident, $backend:ty) => {
///         println!("{} = {}", stringify!($name), <$backend as ssl::Backend>::NAME);
///     };
/// }
/// ssl::for_each_backend!(print_name);
/// ```
#[macro_export]
macro_rules! for_each_backend {
    ($m:ident) => {
        $crate::__with_rustls!($m);
        $crate::__with_openssl!($m);
        $crate::__with_native!($m);
    };
}

/// Every backend compiled in, [`DefaultBackend`] first: handles that make
/// contexts ([`dynamic::AnyContext`], an ordinary `Context`) of the backend
/// they name.
pub fn backends() -> Vec<&'static dyn dynamic::DynBackend> {
    let mut all: Vec<&'static dyn dynamic::DynBackend> =
        vec![&dynamic::DynBackendOf::<DefaultBackend>::HANDLE];
    macro_rules! push {
        ($name:ident, $backend:ty) => {
            if <$backend as Backend>::NAME != DefaultBackend::NAME {
                all.push(&dynamic::DynBackendOf::<$backend>::HANDLE);
            }
        };
    }
    for_each_backend!(push);
    all
}

/// The backend called `name` (`"rustls"`, `"openssl"`, `"native"`), if it
/// is compiled in: a run-time choice that does everything the generic path
/// does (contexts with every setting, `wrap_socket`, `wrap_stream`,
/// `wrap_bio`, `ssl::tokio`, the servername callback with its context swap,
/// sessions), through [`dynamic::AnyBackend`].
///
/// ```
/// use ssl::{Context, PROTOCOL_TLS_CLIENT};
/// for name in ssl::backend_names() {
///     let backend = ssl::backend(name).expect("compiled in");
///     let ctx = backend.new_context(PROTOCOL_TLS_CLIENT)?;
///     assert_eq!(ctx.backend_name(), name);
///     assert!(ctx.check_hostname());
/// }
/// assert!(ssl::backend("no such backend").is_none());
/// # Ok::<(), ssl::Error>(())
/// ```
pub fn backend(name: &str) -> Option<&'static dyn dynamic::DynBackend> {
    backends().into_iter().find(|b| b.name() == name)
}

/// Selects the backend called `name` for [`dynamic::AnyBackend`]: code
/// written over `B: Backend` and given `AnyBackend` then runs on it
/// (`AnyBackend`'s `Context::new`, capabilities and `RAND_*` answer for
/// it). `None` (and nothing changes) if `name` is not compiled in.
pub fn select_backend(name: &str) -> Option<&'static dyn dynamic::DynBackend> {
    let chosen = backend(name)?;
    dynamic::select(chosen);
    Some(chosen)
}

/// The names of the backends compiled in, default first.
pub fn backend_names() -> Vec<&'static str> {
    backends().iter().map(|b| b.name()).collect()
}

/// The capabilities of the backend called `name`, if it is compiled in.
pub fn capabilities(name: &str) -> Option<Capabilities> {
    backend(name).map(|b| b.capabilities())
}
