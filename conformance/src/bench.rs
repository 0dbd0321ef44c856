//! Workloads for the benchmarks (DESIGN §11): the same work through the
//! framework (an `ssl_api` Object over MemoryBIOs) and through the TLS library
//! used directly, so that each figure is a ratio measured in one run.
//!
//! The framework side is generic over the backend; each backend's "direct"
//! baseline lives in a submodule that uses only that library's own API.

use std::net::TcpStream;

use std::sync::Arc;
use tokio::runtime::Runtime;

use ssl_api::ContextExt;
use ssl_api::{Backend, Context, Error, MemoryBio, Object, Result, WrapOptions};

use crate::pki::Identity;

/// The server certificate type of a handshake benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertKind {
    /// ECDSA P-256.
    EcdsaP256,
    /// RSA 2048.
    Rsa2048,
}

/// Certificates for the benchmarks (a CA, an ECDSA and an RSA server certificate).
pub struct BenchPki {
    _dir: tempfile::TempDir,
    /// The CA file.
    pub ca: std::path::PathBuf,
    /// ECDSA P-256 server certificate for `localhost`.
    pub ecdsa: Identity,
    /// RSA-2048 server certificate for `localhost`.
    pub rsa: Identity,
    /// The CA's DER.
    pub ca_der: Vec<u8>,
}

impl BenchPki {
    /// Generates the set.
    pub fn generate() -> Self {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
        let dir = tempfile::tempdir().expect("temporary directory");
        let ca_key = KeyPair::generate().expect("key");
        let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, "Bench CA");
        let ca = p.self_signed(&ca_key).expect("ca");
        let ca_path = dir.path().join("ca.pem");
        std::fs::write(&ca_path, ca.pem()).expect("write");
        let leaf = |name: &str, key: KeyPair| -> Identity {
            let params = CertificateParams::new(vec!["localhost".to_string()]).expect("params");
            let cert = params.signed_by(&key, &ca, &ca_key).expect("cert");
            let cert_path = dir.path().join(format!("{name}.pem"));
            let key_path = dir.path().join(format!("{name}.key"));
            std::fs::write(&cert_path, cert.pem()).expect("write");
            std::fs::write(&key_path, key.serialize_pem()).expect("write");
            Identity {
                cert: cert_path,
                key: key_path,
                der: cert.der().to_vec(),
            }
        };
        let ecdsa = leaf("ecdsa", KeyPair::generate().expect("key"));
        let rsa = leaf(
            "rsa",
            KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("rsa key"),
        );
        BenchPki {
            ca_der: ca.der().to_vec(),
            _dir: dir,
            ca: ca_path,
            ecdsa,
            rsa,
        }
    }

    /// The server identity for `kind`.
    pub fn server(&self, kind: CertKind) -> &Identity {
        match kind {
            CertKind::EcdsaP256 => &self.ecdsa,
            CertKind::Rsa2048 => &self.rsa,
        }
    }
}

/// Whether backend `B` can pin a TLS 1.3 suite (`set_ciphersuites`).
pub fn can_pin_suite<B: Backend>() -> bool {
    B::Context::new(ssl_api::PROTOCOL_TLS_CLIENT)
        .and_then(|c| c.set_ciphersuites("TLS_AES_128_GCM_SHA256"))
        .is_ok()
}

/// Whether backend `B` resumes sessions (not declared unsupported as S14).
pub fn can_resume<B: Backend>() -> bool {
    B::capabilities().unsupported_reason("S14").is_none()
}

/// Client and server contexts of backend `B` pinned as the benchmarks need:
/// one TLS 1.3 suite (when `suite` is given) and X25519 key exchange.
pub fn contexts<B: Backend>(
    pki: &BenchPki,
    kind: CertKind,
    suite: Option<&str>,
) -> Result<(B::Context, B::Context)> {
    let client = B::Context::new(ssl_api::PROTOCOL_TLS_CLIENT)?;
    client.load_verify_locations(Some(&pki.ca), None, None)?;
    let server = B::Context::new(ssl_api::PROTOCOL_TLS_SERVER)?;
    let id = pki.server(kind);
    server.load_cert_chain(&id.cert, Some(&id.key), None)?;
    for ctx in [&client, &server] {
        // A backend that cannot pin the group (declared in its capabilities)
        // runs with its library's default, as its direct baseline does.
        match ctx.set_ecdh_curve("X25519") {
            Err(Error::NotImplemented { .. }) => {}
            other => other?,
        }
        if let Some(s) = suite {
            ctx.set_ciphersuites(s)?;
        }
    }
    Ok((client, server))
}

/// A client and server Object wired back to back: the client's outgoing BIO
/// is the server's incoming one and vice versa, so no copy is needed between
/// them (as a direct-use program hands one side's bytes to the other).
pub fn wired_pair<B: Backend>(
    client: &B::Context,
    server: &B::Context,
    session: Option<B::Session>,
) -> Result<(B::Object, B::Object)> {
    let to_server = MemoryBio::new();
    let to_client = MemoryBio::new();
    let mut options = WrapOptions::client("localhost");
    options.session = session;
    let c = client.wrap_bio(to_client.clone(), to_server.clone(), options)?;
    let s = server.wrap_bio(to_server, to_client, WrapOptions::server())?;
    Ok((c, s))
}

/// Runs both handshakes of a wired pair to completion (bounded).
pub fn handshake<C: Object, S: Object>(c: &mut C, s: &mut S) -> Result<()> {
    for _ in 0..50 {
        let rc = c.do_handshake();
        let rs = s.do_handshake();
        match (&rc, &rs) {
            (Ok(()), Ok(())) => return Ok(()),
            (Err(e), _) if !e.is_want() => return rc,
            (_, Err(e)) if !e.is_want() => return rs,
            _ => {}
        }
    }
    Err(Error::value("handshake did not finish"))
}

/// One established framework pair of backend `B`.
pub fn framework_connected<B: Backend>(
    client: &B::Context,
    server: &B::Context,
) -> Result<(B::Object, B::Object)> {
    let (mut c, mut s) = wired_pair::<B>(client, server, None)?;
    handshake(&mut c, &mut s)?;
    Ok((c, s))
}

/// Sends `total` bytes client -> server in `chunk`-sized writes, reading them
/// all on the server; returns the bytes received.
pub fn framework_bulk<C: Object, S: Object>(
    c: &mut C,
    s: &mut S,
    total: usize,
    chunk: &[u8],
    buf: &mut [u8],
) -> Result<usize> {
    let mut sent = 0;
    let mut received = 0;
    while sent < total {
        sent += c.write(chunk)?;
        loop {
            match s.read(buf) {
                Ok(n) => received += n,
                Err(e) if e.is_want() => break,
                Err(e) => return Err(e),
            }
        }
    }
    Ok(received)
}

/// A full framework handshake on fresh Objects; returns them, so that (as
/// with the direct baseline's pair) freeing them is outside the timed part.
pub fn framework_handshake<B: Backend>(
    client: &B::Context,
    server: &B::Context,
) -> Result<(B::Object, B::Object)> {
    let (mut c, mut s) = wired_pair::<B>(client, server, None)?;
    handshake(&mut c, &mut s)?;
    Ok((c, s))
}

/// A session and the established pair it came from.
pub type SessionAndPair<B> = (
    <B as Backend>::Session,
    (<B as Backend>::Object, <B as Backend>::Object),
);

/// A TLS 1.3 session for resumed-handshake benchmarks (tickets arrive with
/// the first server data), with the connection it came from: OpenSSL marks a
/// session not resumable when its connection is freed without a TLS
/// shutdown, so the caller keeps the pair alive while it resumes.
pub fn framework_session<B: Backend>(
    client: &B::Context,
    server: &B::Context,
) -> Result<SessionAndPair<B>> {
    let (mut c, mut s) = framework_connected::<B>(client, server)?;
    s.write(b"x")?;
    let mut b = [0u8; 8];
    c.read(&mut b)?;
    let session = c.session().ok_or_else(|| Error::value("no session"))?;
    Ok((session, (c, s)))
}

/// A resumed framework handshake with `session`; errors if it did not resume.
pub fn framework_resumed<B: Backend>(
    client: &B::Context,
    server: &B::Context,
    session: &B::Session,
) -> Result<()> {
    let (mut c, mut s) = wired_pair::<B>(client, server, Some(session.clone()))?;
    handshake(&mut c, &mut s)?;
    if !c.session_reused() {
        return Err(Error::value("not resumed"));
    }
    Ok(())
}

/// Resident memory of this process, in bytes (Linux `/proc/self/statm`).
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Holds `n` established idle framework connections; returns the resident
/// memory they added, per connection.
pub fn framework_memory_per_connection<B: Backend>(pki: &BenchPki, n: usize) -> Result<f64> {
    let (client, server) = contexts::<B>(pki, CertKind::EcdsaP256, None)?;
    // Warm up allocator and lazy statics with one connection first.
    let warm = framework_connected::<B>(&client, &server)?;
    let before = resident_bytes().unwrap_or(0);
    let mut held = Vec::with_capacity(n);
    for _ in 0..n {
        held.push(framework_connected::<B>(&client, &server)?);
    }
    let after = resident_bytes().unwrap_or(0);
    drop(warm);
    Ok((after.saturating_sub(before)) as f64 / n as f64)
}

/// A TLS library used directly, without the framework: the baseline each
/// backend's figures are divided by. One implementation per backend.
pub trait DirectLibrary {
    /// The framework backend built on this library.
    type Backend: Backend;
    /// Client and server configuration, built once.
    type Setup;
    /// An established client/server pair.
    type Pair;
    /// Configurations equivalent to [`contexts`] (same suite, X25519, same
    /// certificates); `resumption` enables the client's session cache.
    fn setup(pki: &BenchPki, kind: CertKind, suite: Option<&str>, resumption: bool) -> Self::Setup;
    /// A full handshake on a new pair.
    fn connect(setup: &Self::Setup) -> Self::Pair;
    /// Sends `total` bytes client -> server in `chunk` writes; bytes received.
    fn bulk(pair: &mut Self::Pair, total: usize, chunk: &[u8], buf: &mut [u8]) -> usize;
    /// Leaves a resumable session in the client's cache; returns the pair it
    /// came from, to be kept alive while resuming.
    fn prime_resumption(setup: &Self::Setup) -> Self::Pair;
    /// A handshake that must resume the session `first` (from
    /// [`DirectLibrary::prime_resumption`]) received; panics if it did not.
    fn resumed(setup: &Self::Setup, first: &Self::Pair);
    /// One connection over the loopback TCP pair `(client, server)`: the
    /// client sends `total` bytes in `chunk` writes on this thread while the
    /// server reads them on another; returns the bytes the server read.
    fn socket_bulk(
        setup: &Self::Setup,
        tcp: (TcpStream, TcpStream),
        total: usize,
        chunk: &[u8],
    ) -> usize;
    /// The same over the library's own tokio adapter (tokio-rustls,
    /// tokio-openssl, tokio-native-tls) on `rt`: the server reads on a
    /// spawned task while the client writes.
    fn async_bulk(setup: &Self::Setup, rt: &Runtime, total: usize, chunk: &[u8]) -> usize;
    /// A full handshake over the library's own tokio adapter, on a new
    /// loopback TCP pair, with one byte each way.
    fn async_handshake(setup: &Self::Setup, rt: &Runtime);
}

/// A runtime for the async workloads: two workers, as two threads do the
/// socket workloads.
pub fn async_runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A connected loopback tokio TCP pair `(client, server)` on 127.0.0.1.
pub async fn tokio_tcp_pair() -> std::io::Result<(tokio::net::TcpStream, tokio::net::TcpStream)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let client = tokio::net::TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    // Both ends: a handshake's small last records must not wait on Nagle's
    // algorithm for a delayed ACK (40 ms a connection, on either side).
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    Ok((client, server))
}

/// Reads until `total` bytes, EOF or an error; returns the count.
pub async fn read_counted_async(
    stream: &mut (impl tokio::io::AsyncRead + Unpin),
    total: usize,
) -> usize {
    use tokio::io::AsyncReadExt;
    let mut buf = vec![0u8; 16 << 10];
    let mut got = 0;
    while got < total {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    got
}

/// Writes `total` bytes in `chunk` writes, then flushes.
pub async fn write_counted_async(
    stream: &mut (impl tokio::io::AsyncWrite + Unpin),
    total: usize,
    chunk: &[u8],
) {
    use tokio::io::AsyncWriteExt;
    let mut sent = 0;
    while sent < total {
        stream.write_all(chunk).await.expect("write");
        sent += chunk.len();
    }
    stream.flush().await.expect("flush");
}

/// One byte each way over an async TLS pair (the end of a handshake
/// workload, as in every baseline).
pub async fn ping_pong(
    c: &mut (impl tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin),
    s: &mut (impl tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin),
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut b = [0u8; 1];
    s.write_all(b"x").await.expect("write");
    s.flush().await.expect("flush");
    c.read_exact(&mut b).await.expect("read");
    c.write_all(b"y").await.expect("write");
    c.flush().await.expect("flush");
    s.read_exact(&mut b).await.expect("read");
}

/// A full handshake through the framework's async stream on a new loopback
/// pair (the twin of [`DirectLibrary::async_handshake`]).
pub fn framework_async_handshake<B: Backend>(
    rt: &Runtime,
    client: &B::Context,
    server: &B::Context,
) -> Result<()> {
    rt.block_on(async {
        let (ctcp, stcp) = tokio_tcp_pair().await?;
        let server = server.clone();
        let acceptor = tokio::spawn(async move {
            ssl_api::tokio::accept(&server, ssl_api::SocketOptions::server(), stcp).await
        });
        let mut c =
            ssl_api::tokio::connect(client, ssl_api::SocketOptions::client("localhost"), ctcp)
                .await?;
        let mut s = acceptor
            .await
            .map_err(|_| Error::value("the server task panicked"))??;
        ping_pong(&mut c, &mut s).await;
        Ok(())
    })
}

/// The framework's async stream (`ssl_api::tokio`) over a loopback pair on
/// `rt` (the twin of [`DirectLibrary::async_bulk`]).
pub fn framework_async_bulk<B: Backend>(
    rt: &Runtime,
    client: &B::Context,
    server: &B::Context,
    total: usize,
    chunk: &[u8],
) -> Result<usize> {
    rt.block_on(async {
        let (ctcp, stcp) = tokio_tcp_pair().await?;
        let server = server.clone();
        let reader = tokio::spawn(async move {
            let mut s =
                ssl_api::tokio::accept(&server, ssl_api::SocketOptions::server(), stcp).await?;
            Ok::<usize, std::io::Error>(read_counted_async(&mut s, total).await)
        });
        let mut c =
            ssl_api::tokio::connect(client, ssl_api::SocketOptions::client("localhost"), ctcp)
                .await?;
        write_counted_async(&mut c, total, chunk).await;
        let got = reader
            .await
            .map_err(|_| Error::value("the reader task panicked"))??;
        Ok(got)
    })
}

/// A connected loopback TCP pair `(client, server)` on 127.0.0.1.
pub fn tcp_pair() -> std::io::Result<(TcpStream, TcpStream)> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let client = TcpStream::connect(listener.local_addr()?)?;
    let (server, _) = listener.accept()?;
    client.set_nodelay(true)?;
    Ok((client, server))
}

/// Which of the framework's transports a socket workload runs over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketPath {
    /// `wrap_socket`: `SSLSocket` over the owned socket.
    Socket,
    /// `wrap_stream(IoStream::new(tcp))`: the generic stream over the
    /// `TcpStream` as any `Read + Write`.
    Stream,
}

/// The framework over a loopback TCP pair: client and server over `path`
/// (the twin of [`DirectLibrary::socket_bulk`]).
pub fn framework_socket_bulk<B: Backend>(
    client: &B::Context,
    server: &B::Context,
    (ctcp, stcp): (TcpStream, TcpStream),
    total: usize,
    chunk: &[u8],
    path: SocketPath,
) -> Result<usize> {
    use ssl_api::transport::IoStream;
    match path {
        SocketPath::Socket => bulk_over::<B, ssl_api::socket2::Socket>(
            client,
            server,
            (ctcp.into(), stcp.into()),
            total,
            chunk,
        ),
        SocketPath::Stream => bulk_over::<B, IoStream<TcpStream>>(
            client,
            server,
            (IoStream::new(ctcp), IoStream::new(stcp)),
            total,
            chunk,
        ),
    }
}

fn bulk_over<B: Backend, E: ssl_api::Endpoint>(
    client: &B::Context,
    server: &B::Context,
    (c_end, s_end): (E, E),
    total: usize,
    chunk: &[u8],
) -> Result<usize> {
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> Result<usize> {
            let mut s = server.wrap_stream(s_end, ssl_api::SocketOptions::server())?;
            let mut buf = vec![0u8; 16 << 10];
            let mut got = 0;
            while got < total {
                let n = s.read_into(&mut buf)?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            Ok(got)
        });
        let mut c = client.wrap_stream(c_end, ssl_api::SocketOptions::client("localhost"))?;
        let mut sent = 0;
        while sent < total {
            c.sendall(chunk, 0)?;
            sent += chunk.len();
        }
        reader
            .join()
            .map_err(|_| Error::value("the reader thread panicked"))?
    })
}

/// The direct baselines' socket reader: reads until `total` bytes, EOF or
/// an error; the bytes read.
fn read_counted(stream: &mut impl std::io::Read, total: usize) -> usize {
    let mut buf = vec![0u8; 16 << 10];
    let mut got = 0;
    while got < total {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    got
}

/// Resident memory per idle connection for the library used directly.
pub fn direct_memory_per_connection<D: DirectLibrary>(pki: &BenchPki, n: usize) -> f64 {
    let setup = D::setup(pki, CertKind::EcdsaP256, None, false);
    let warm = D::connect(&setup);
    let before = resident_bytes().unwrap_or(0);
    let held: Vec<_> = (0..n).map(|_| D::connect(&setup)).collect();
    let after = resident_bytes().unwrap_or(0);
    drop((warm, held));
    (after.saturating_sub(before)) as f64 / n as f64
}

/// The rustls library used directly: the baseline for the rustls backend.
#[cfg(feature = "rustls")]
pub mod rustls_direct {
    use super::*;
    use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer, ServerName};
    use rustls::{ClientConfig, ClientConnection, ServerConfig, ServerConnection};
    use std::io::{Read, Write};

    /// rustls with aws-lc-rs, through `ClientConnection` / `ServerConnection`.
    pub struct RustlsDirect;

    fn move_records(
        from: &mut rustls::Connection,
        to: &mut rustls::Connection,
        wire: &mut Vec<u8>,
    ) {
        while from.wants_write() {
            wire.clear();
            from.write_tls(wire).expect("write_tls");
            let mut rd = &wire[..];
            while !rd.is_empty() {
                to.read_tls(&mut rd).expect("read_tls");
                to.process_new_packets().expect("process_new_packets");
            }
        }
    }

    impl DirectLibrary for RustlsDirect {
        type Backend = backend_rustls::Rustls;
        type Setup = (Arc<ClientConfig>, Arc<ServerConfig>);
        type Pair = (rustls::Connection, rustls::Connection, Vec<u8>);

        fn setup(
            pki: &BenchPki,
            kind: CertKind,
            suite: Option<&str>,
            resumption: bool,
        ) -> Self::Setup {
            let mut provider = rustls::crypto::aws_lc_rs::default_provider();
            provider.kx_groups = vec![rustls::crypto::aws_lc_rs::kx_group::X25519];
            if let Some(name) = suite {
                let wanted =
                    backend_rustls::ciphers::by_name(name).map(|e| e.rustls_suite().suite());
                provider
                    .cipher_suites
                    .retain(|cs| Some(cs.suite()) == wanted);
            }
            let provider = Arc::new(provider);
            let mut roots = rustls::RootCertStore::empty();
            roots
                .add(CertificateDer::from(pki.ca_der.clone()))
                .expect("root");
            let mut client = ClientConfig::builder_with_provider(provider.clone())
                .with_safe_default_protocol_versions()
                .expect("versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            if !resumption {
                client.resumption = rustls::client::Resumption::disabled();
            }
            let id = pki.server(kind);
            let chain = vec![CertificateDer::from(id.der.clone())];
            let key = PrivateKeyDer::from_pem_file(&id.key).expect("key");
            let mut server = ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("versions")
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .expect("server config");
            // The same resumption mechanism as the framework's contexts:
            // stateless tickets, OpenSSL's (and so CPython's) default. rustls's
            // own default is a stateful server cache, which would compare two
            // different mechanisms rather than the framework's cost.
            server.ticketer = rustls::crypto::aws_lc_rs::Ticketer::new().expect("ticketer");
            (Arc::new(client), Arc::new(server))
        }

        fn connect((client, server): &Self::Setup) -> Self::Pair {
            let name = ServerName::try_from("localhost").expect("name");
            let mut c = rustls::Connection::Client(
                ClientConnection::new(client.clone(), name).expect("client"),
            );
            let mut s =
                rustls::Connection::Server(ServerConnection::new(server.clone()).expect("server"));
            let mut wire = Vec::with_capacity(32 << 10);
            for _ in 0..10 {
                move_records(&mut c, &mut s, &mut wire);
                move_records(&mut s, &mut c, &mut wire);
                if !c.is_handshaking() && !s.is_handshaking() {
                    break;
                }
            }
            (c, s, wire)
        }

        fn bulk(
            (c, s, wire): &mut Self::Pair,
            total: usize,
            chunk: &[u8],
            buf: &mut [u8],
        ) -> usize {
            let mut sent = 0;
            let mut received = 0;
            while sent < total {
                c.writer().write_all(chunk).expect("write");
                sent += chunk.len();
                move_records(c, s, wire);
                while let Ok(n) = s.reader().read(buf) {
                    received += n;
                }
            }
            received
        }

        fn prime_resumption(setup: &Self::Setup) -> Self::Pair {
            let mut pair = Self::connect(setup);
            // TLS 1.3 tickets travel with the server's first flight after the handshake.
            let (c, s, wire) = &mut pair;
            s.writer().write_all(b"x").expect("write");
            move_records(s, c, wire);
            pair
        }

        fn resumed(setup: &Self::Setup, _first: &Self::Pair) {
            // rustls's client cache holds the tickets `first` received.
            let (c, _, _) = Self::connect(setup);
            assert_eq!(c.handshake_kind(), Some(rustls::HandshakeKind::Resumed));
        }

        fn socket_bulk(
            (client, server): &Self::Setup,
            (ctcp, stcp): (TcpStream, TcpStream),
            total: usize,
            chunk: &[u8],
        ) -> usize {
            std::thread::scope(|scope| {
                let reader = scope.spawn(move || {
                    let conn = ServerConnection::new(server.clone()).expect("server");
                    let mut s = rustls::StreamOwned::new(conn, stcp);
                    read_counted(&mut s, total)
                });
                let name = ServerName::try_from("localhost").expect("name");
                let conn = ClientConnection::new(client.clone(), name).expect("client");
                let mut c = rustls::StreamOwned::new(conn, ctcp);
                let mut sent = 0;
                while sent < total {
                    c.write_all(chunk).expect("write");
                    sent += chunk.len();
                }
                c.flush().expect("flush");
                reader.join().expect("reader")
            })
        }

        fn async_bulk(
            (client, server): &Self::Setup,
            rt: &Runtime,
            total: usize,
            chunk: &[u8],
        ) -> usize {
            rt.block_on(async {
                let (ctcp, stcp) = tokio_tcp_pair().await.expect("tcp");
                let acceptor = tokio_rustls::TlsAcceptor::from(server.clone());
                let reader = tokio::spawn(async move {
                    let mut s = acceptor.accept(stcp).await.expect("accept");
                    read_counted_async(&mut s, total).await
                });
                let connector = tokio_rustls::TlsConnector::from(client.clone());
                let name = ServerName::try_from("localhost").expect("name");
                let mut c = connector.connect(name, ctcp).await.expect("connect");
                write_counted_async(&mut c, total, chunk).await;
                reader.await.expect("reader")
            })
        }

        fn async_handshake((client, server): &Self::Setup, rt: &Runtime) {
            rt.block_on(async {
                let (ctcp, stcp) = tokio_tcp_pair().await.expect("tcp");
                let acceptor = tokio_rustls::TlsAcceptor::from(server.clone());
                let server = tokio::spawn(async move { acceptor.accept(stcp).await });
                let connector = tokio_rustls::TlsConnector::from(client.clone());
                let name = ServerName::try_from("localhost").expect("name");
                let mut c = connector.connect(name, ctcp).await.expect("connect");
                let mut s = server.await.expect("task").expect("accept");
                ping_pong(&mut c, &mut s).await;
            })
        }
    }
}

/// Framework / direct memory measurements of one backend.
pub struct MemoryRunner {
    /// The backend's name.
    pub name: &'static str,
    /// Resident bytes per idle framework connection.
    pub framework: fn(&BenchPki, usize) -> Result<f64>,
    /// Resident bytes per idle direct connection.
    pub direct: fn(&BenchPki, usize) -> f64,
}

/// The `native-tls` crate used directly: the baseline for the native
/// backend (a `TlsStream` over the same in-memory pipe as the openssl one;
/// native-tls cannot pin a TLS 1.3 suite, so its bulk figures use whatever
/// suite it negotiates).
#[cfg(all(feature = "native", feature = "openssl"))]
pub mod native_direct {
    use super::*;
    use native_tls::{HandshakeError, Identity, TlsAcceptor, TlsConnector, TlsStream};
    use std::io::{Read, Write};
    use std::rc::Rc;

    use crate::bench::openssl_direct::{Pipe, Wire};

    /// native-tls.
    pub struct NativeDirect;

    /// Connector and acceptor.
    pub struct Setup {
        connector: TlsConnector,
        acceptor: TlsAcceptor,
    }

    enum Side {
        Mid(native_tls::MidHandshakeTlsStream<Pipe>),
        Done(TlsStream<Pipe>),
    }

    fn advance(r: Result<TlsStream<Pipe>, HandshakeError<Pipe>>) -> Side {
        match r {
            Ok(s) => Side::Done(s),
            Err(HandshakeError::WouldBlock(m)) => Side::Mid(m),
            Err(HandshakeError::Failure(e)) => panic!("handshake: {e}"),
        }
    }

    impl DirectLibrary for NativeDirect {
        type Backend = backend_native::Native;
        type Setup = Setup;
        type Pair = (TlsStream<Pipe>, TlsStream<Pipe>);

        fn setup(pki: &BenchPki, kind: CertKind, _suite: Option<&str>, _resumption: bool) -> Setup {
            let id = pki.server(kind);
            let cert = std::fs::read(&id.cert).expect("cert");
            let key = std::fs::read(&id.key).expect("key");
            let identity = Identity::from_pkcs8(&cert, &key).expect("identity");
            let ca = native_tls::Certificate::from_der(&pki.ca_der).expect("ca");
            Setup {
                connector: TlsConnector::builder()
                    .add_root_certificate(ca)
                    .disable_built_in_roots(true)
                    .build()
                    .expect("connector"),
                acceptor: TlsAcceptor::new(identity).expect("acceptor"),
            }
        }

        fn connect(setup: &Setup) -> Self::Pair {
            let a: Wire = Rc::default();
            let b: Wire = Rc::default();
            let mut c = advance(
                setup
                    .connector
                    .connect("localhost", Pipe::new(a.clone(), b.clone())),
            );
            let mut s = advance(setup.acceptor.accept(Pipe::new(b, a)));
            for _ in 0..20 {
                if let Side::Mid(m) = c {
                    c = advance(m.handshake());
                }
                if let Side::Mid(m) = s {
                    s = advance(m.handshake());
                }
                if let (Side::Done(_), Side::Done(_)) = (&c, &s) {
                    break;
                }
            }
            match (c, s) {
                (Side::Done(c), Side::Done(s)) => (c, s),
                _ => panic!("handshake did not finish"),
            }
        }

        fn bulk((c, s): &mut Self::Pair, total: usize, chunk: &[u8], buf: &mut [u8]) -> usize {
            let mut sent = 0;
            let mut received = 0;
            while sent < total {
                c.write_all(chunk).expect("write");
                sent += chunk.len();
                while let Ok(n) = s.read(buf) {
                    if n == 0 {
                        break;
                    }
                    received += n;
                }
            }
            received
        }

        fn prime_resumption(setup: &Setup) -> Self::Pair {
            Self::connect(setup)
        }

        fn resumed(_setup: &Setup, _first: &Self::Pair) {
            panic!("native-tls has no session resumption (capability S14)");
        }

        fn socket_bulk(
            setup: &Setup,
            (ctcp, stcp): (TcpStream, TcpStream),
            total: usize,
            chunk: &[u8],
        ) -> usize {
            std::thread::scope(|scope| {
                let reader = scope.spawn(move || {
                    let mut s = setup.acceptor.accept(stcp).expect("accept");
                    read_counted(&mut s, total)
                });
                let mut c = setup.connector.connect("localhost", ctcp).expect("connect");
                let mut sent = 0;
                while sent < total {
                    c.write_all(chunk).expect("write");
                    sent += chunk.len();
                }
                reader.join().expect("reader")
            })
        }

        fn async_bulk(setup: &Setup, rt: &Runtime, total: usize, chunk: &[u8]) -> usize {
            rt.block_on(async {
                let (ctcp, stcp) = tokio_tcp_pair().await.expect("tcp");
                let acceptor = tokio_native_tls::TlsAcceptor::from(setup.acceptor.clone());
                let reader = tokio::spawn(async move {
                    let mut s = acceptor.accept(stcp).await.expect("accept");
                    read_counted_async(&mut s, total).await
                });
                let connector = tokio_native_tls::TlsConnector::from(setup.connector.clone());
                let mut c = connector.connect("localhost", ctcp).await.expect("connect");
                write_counted_async(&mut c, total, chunk).await;
                reader.await.expect("reader")
            })
        }

        fn async_handshake(setup: &Setup, rt: &Runtime) {
            rt.block_on(async {
                let (ctcp, stcp) = tokio_tcp_pair().await.expect("tcp");
                let acceptor = tokio_native_tls::TlsAcceptor::from(setup.acceptor.clone());
                let server = tokio::spawn(async move { acceptor.accept(stcp).await });
                let connector = tokio_native_tls::TlsConnector::from(setup.connector.clone());
                let mut c = connector.connect("localhost", ctcp).await.expect("connect");
                let mut s = server.await.expect("task").expect("accept");
                ping_pong(&mut c, &mut s).await;
            })
        }
    }
}

/// The memory runners of every compiled-in backend.
pub fn memory_runners() -> Vec<MemoryRunner> {
    vec![
        #[cfg(feature = "rustls")]
        MemoryRunner {
            name: "rustls",
            framework: framework_memory_per_connection::<backend_rustls::Rustls>,
            direct: direct_memory_per_connection::<rustls_direct::RustlsDirect>,
        },
        #[cfg(feature = "openssl")]
        MemoryRunner {
            name: "openssl",
            framework: framework_memory_per_connection::<backend_openssl::OpenSsl>,
            direct: direct_memory_per_connection::<openssl_direct::OpenSslDirect>,
        },
        #[cfg(all(feature = "native", feature = "openssl"))]
        MemoryRunner {
            name: "native",
            framework: framework_memory_per_connection::<backend_native::Native>,
            direct: direct_memory_per_connection::<native_direct::NativeDirect>,
        },
    ]
}

/// The `openssl` crate used directly: the baseline for the openssl backend
/// (an `SslStream` over an in-memory pipe, as a direct user would write it).
#[cfg(feature = "openssl")]
pub mod openssl_direct {
    use super::*;
    use openssl::ssl::{
        ErrorCode, SslContext, SslContextBuilder, SslFiletype, SslMethod, SslSession,
        SslSessionCacheMode, SslStream, SslVerifyMode,
    };
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::io::{self, Read, Write};
    use std::rc::Rc;
    use std::sync::Mutex;

    /// One direction of the in-memory wire.
    pub type Wire = Rc<RefCell<VecDeque<u8>>>;

    /// A `Read + Write` over two wires; reads report `WouldBlock` when empty.
    pub struct Pipe {
        rx: Wire,
        tx: Wire,
    }

    impl Pipe {
        /// Reads from `rx`, writes to `tx`.
        pub fn new(rx: Wire, tx: Wire) -> Self {
            Pipe { rx, tx }
        }
    }

    impl Read for Pipe {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let mut rx = self.rx.borrow_mut();
            if rx.is_empty() {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            // Two slice copies at most, as a careful direct user would write it.
            let n = out.len().min(rx.len());
            let (a, b) = rx.as_slices();
            let from_a = n.min(a.len());
            out[..from_a].copy_from_slice(&a[..from_a]);
            out[from_a..n].copy_from_slice(&b[..n - from_a]);
            rx.drain(..n);
            Ok(n)
        }
    }

    impl Write for Pipe {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.tx.borrow_mut().extend(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// OpenSSL through the `openssl` crate.
    pub struct OpenSslDirect;

    /// Client and server contexts, and the client's last session.
    pub struct Setup {
        client: SslContext,
        server: SslContext,
        session: Arc<Mutex<Option<SslSession>>>,
        resumption: bool,
    }

    fn step(r: Result<(), openssl::ssl::Error>) -> bool {
        match r {
            Ok(()) => true,
            Err(e) if e.code() == ErrorCode::WANT_READ || e.code() == ErrorCode::WANT_WRITE => {
                false
            }
            Err(e) => panic!("handshake: {e}"),
        }
    }

    impl DirectLibrary for OpenSslDirect {
        type Backend = backend_openssl::OpenSsl;
        type Setup = Setup;
        type Pair = (SslStream<Pipe>, SslStream<Pipe>);

        fn setup(pki: &BenchPki, kind: CertKind, suite: Option<&str>, resumption: bool) -> Setup {
            let session: Arc<Mutex<Option<SslSession>>> = Arc::default();
            let common = |b: &mut SslContextBuilder| {
                b.set_groups_list("X25519").expect("groups");
                if let Some(s) = suite {
                    b.set_ciphersuites(s).expect("suite");
                }
            };
            let mut c = SslContextBuilder::new(SslMethod::tls_client()).expect("ctx");
            common(&mut c);
            c.set_ca_file(&pki.ca).expect("ca");
            c.set_verify(SslVerifyMode::PEER);
            if resumption {
                // Sessions go to the callback only: OpenSSL's internal client
                // cache would only grow (every ticket added, none looked up)
                // and cost the baseline ~25% of a resumed handshake.
                c.set_session_cache_mode(
                    SslSessionCacheMode::CLIENT | SslSessionCacheMode::NO_INTERNAL_STORE,
                );
                let store = session.clone();
                c.set_new_session_callback(move |_, s| {
                    // Keep a copy, as CPython does: OpenSSL marks a session not
                    // resumable when its connection is freed without shutdown.
                    let copy = s
                        .to_der()
                        .ok()
                        .and_then(|d| SslSession::from_der(&d).ok())
                        .unwrap_or(s);
                    *store.lock().unwrap_or_else(|e| e.into_inner()) = Some(copy);
                });
            }
            let mut s = SslContextBuilder::new(SslMethod::tls_server()).expect("ctx");
            common(&mut s);
            let id = pki.server(kind);
            s.set_certificate_chain_file(&id.cert).expect("cert");
            s.set_private_key_file(&id.key, SslFiletype::PEM)
                .expect("key");
            Setup {
                client: c.build(),
                server: s.build(),
                session,
                resumption,
            }
        }

        fn connect(setup: &Setup) -> Self::Pair {
            let (a, b): (Wire, Wire) = (Rc::default(), Rc::default());
            let mut cs = openssl::ssl::Ssl::new(&setup.client).expect("ssl");
            cs.set_hostname("localhost").expect("sni");
            cs.param_mut().set_host("localhost").expect("host");
            if setup.resumption {
                if let Some(sess) = setup
                    .session
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .as_ref()
                {
                    // SAFETY: `set_session` is unsafe because the session must
                    // come from a context compatible with this one; it was made
                    // by a connection of this very client context.
                    #[allow(unsafe_code)]
                    unsafe {
                        cs.set_session(sess).expect("set_session")
                    };
                }
            }
            let ss = openssl::ssl::Ssl::new(&setup.server).expect("ssl");
            let mut c = SslStream::new(
                cs,
                Pipe {
                    rx: a.clone(),
                    tx: b.clone(),
                },
            )
            .expect("stream");
            let mut s = SslStream::new(ss, Pipe { rx: b, tx: a }).expect("stream");
            let (mut cd, mut sd) = (false, false);
            for _ in 0..20 {
                if !cd {
                    cd = step(c.connect());
                }
                if !sd {
                    sd = step(s.accept());
                }
                if cd && sd {
                    break;
                }
            }
            (c, s)
        }

        fn bulk((c, s): &mut Self::Pair, total: usize, chunk: &[u8], buf: &mut [u8]) -> usize {
            let mut sent = 0;
            let mut received = 0;
            while sent < total {
                sent += c.ssl_write(chunk).expect("write");
                while let Ok(n) = s.ssl_read(buf) {
                    received += n;
                }
            }
            received
        }

        fn prime_resumption(setup: &Setup) -> Self::Pair {
            let (mut c, mut s) = Self::connect(setup);
            s.ssl_write(b"x").expect("write");
            let mut b = [0u8; 8];
            let _ = c.ssl_read(&mut b);
            (c, s)
        }

        fn resumed(setup: &Setup, first: &Self::Pair) {
            // Resume what `first` received (each batch input has its own
            // session: OpenSSL clients use a TLS 1.3 ticket once).
            // `first` is still alive, so its own session stays resumable: a
            // reference, no copy, inside the timed part.
            if let Some(session) = first.0.ssl().session() {
                *setup.session.lock().unwrap_or_else(|e| e.into_inner()) = Some(session.to_owned());
            }
            let (c, _) = Self::connect(setup);
            assert!(c.ssl().session_reused(), "not resumed");
        }

        fn socket_bulk(
            setup: &Setup,
            (ctcp, stcp): (TcpStream, TcpStream),
            total: usize,
            chunk: &[u8],
        ) -> usize {
            std::thread::scope(|scope| {
                let reader = scope.spawn(move || {
                    let ssl = openssl::ssl::Ssl::new(&setup.server).expect("ssl");
                    let mut s = ssl.accept(stcp).expect("accept");
                    read_counted(&mut s, total)
                });
                let mut ssl = openssl::ssl::Ssl::new(&setup.client).expect("ssl");
                ssl.set_hostname("localhost").expect("sni");
                ssl.param_mut().set_host("localhost").expect("host");
                let mut c = ssl.connect(ctcp).expect("connect");
                let mut sent = 0;
                while sent < total {
                    c.write_all(chunk).expect("write");
                    sent += chunk.len();
                }
                reader.join().expect("reader")
            })
        }

        fn async_bulk(setup: &Setup, rt: &Runtime, total: usize, chunk: &[u8]) -> usize {
            rt.block_on(async {
                let (ctcp, stcp) = tokio_tcp_pair().await.expect("tcp");
                let server = setup.server.clone();
                let reader = tokio::spawn(async move {
                    let ssl = openssl::ssl::Ssl::new(&server).expect("ssl");
                    let mut s = tokio_openssl::SslStream::new(ssl, stcp).expect("stream");
                    std::pin::Pin::new(&mut s).accept().await.expect("accept");
                    read_counted_async(&mut s, total).await
                });
                let mut ssl = openssl::ssl::Ssl::new(&setup.client).expect("ssl");
                ssl.set_hostname("localhost").expect("sni");
                ssl.param_mut().set_host("localhost").expect("host");
                let mut c = tokio_openssl::SslStream::new(ssl, ctcp).expect("stream");
                std::pin::Pin::new(&mut c).connect().await.expect("connect");
                write_counted_async(&mut c, total, chunk).await;
                reader.await.expect("reader")
            })
        }

        fn async_handshake(setup: &Setup, rt: &Runtime) {
            rt.block_on(async {
                let (ctcp, stcp) = tokio_tcp_pair().await.expect("tcp");
                let server_ctx = setup.server.clone();
                let server = tokio::spawn(async move {
                    let ssl = openssl::ssl::Ssl::new(&server_ctx).expect("ssl");
                    let mut s = tokio_openssl::SslStream::new(ssl, stcp).expect("stream");
                    std::pin::Pin::new(&mut s).accept().await.expect("accept");
                    s
                });
                let mut ssl = openssl::ssl::Ssl::new(&setup.client).expect("ssl");
                ssl.set_hostname("localhost").expect("sni");
                ssl.param_mut().set_host("localhost").expect("host");
                let mut c = tokio_openssl::SslStream::new(ssl, ctcp).expect("stream");
                std::pin::Pin::new(&mut c).connect().await.expect("connect");
                let mut s = server.await.expect("task");
                ping_pong(&mut c, &mut s).await;
            })
        }
    }
}
