//! What the fuzz targets share: the contexts an Object target wraps (built
//! once per process from the test PKI), the driver that feeds an Object a
//! peer's bytes, and the recorder the seed generator uses to capture real
//! handshake flights.

use ssl_api::bio::{Bio, MemoryBio};
use ssl_api::constants::*;
use ssl_api::{Backend, Context, Object, Result, WrapOptions};

use conformance::pki::Pki;

/// The server name every client Object is wrapped with (the PKI's server
/// certificate is for `localhost`).
pub const SERVER_NAME: &str = "localhost";

/// The ALPN protocols of the ALPN variants.
pub const ALPN: &[&str] = &["h2", "http/1.1"];

/// The contexts of one backend: the first input byte of an Object target
/// picks one of each side's variants.
pub struct Contexts<B: Backend> {
    /// 0: verifying (the PKI's CA, hostname checked); 1: CERT_NONE;
    /// 2: CERT_NONE, TLS 1.2 at most; 3: CERT_NONE with a client
    /// certificate and ALPN.
    pub clients: Vec<B::Context>,
    /// 0: the PKI's server certificate; 1: the same, client certificate
    /// required; 2: TLS 1.2 at most; 3: with ALPN.
    pub servers: Vec<B::Context>,
    /// Which server variants the backend can wrap (native-tls cannot ask
    /// for a client certificate); one it cannot is replaced by variant 0.
    pub server_supported: Vec<bool>,
}

/// Index of the TLS 1.2-only variant, on both sides.
pub const VARIANT_TLS12: u8 = 2;
/// Index of the client-certificate variant, on both sides.
pub const VARIANT_CLIENT_CERT: u8 = 1;

fn must<T>(what: &str, r: Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("fuzz setup: {what}: {e}"))
}

impl<B: Backend> Contexts<B> {
    /// Builds every variant from `pki` (the files are read now; `pki` may
    /// then be dropped).
    pub fn new(pki: &Pki) -> Self {
        let client = |verify: bool| {
            let c = must("client context", B::Context::new(PROTOCOL_TLS_CLIENT));
            if verify {
                must("CA", c.load_verify_locations(Some(&pki.ca), None, None));
            } else {
                must("check_hostname", c.set_check_hostname(false));
                must("verify_mode", c.set_verify_mode(CERT_NONE));
            }
            c
        };
        let server = || {
            let s = must("server context", B::Context::new(PROTOCOL_TLS_SERVER));
            must(
                "server certificate",
                s.load_cert_chain(&pki.server.cert, Some(&pki.server.key), None),
            );
            s
        };
        let c12 = client(false);
        must(
            "maximum_version",
            c12.set_maximum_version(TlsVersion::TLSv1_2),
        );
        let c_cert = client(false);
        must(
            "client certificate",
            c_cert.load_cert_chain(&pki.client.cert, Some(&pki.client.key), None),
        );
        must("ALPN", c_cert.set_alpn_protocols(ALPN));

        let s_req = server();
        must("verify_mode", s_req.set_verify_mode(CERT_REQUIRED));
        must("CA", s_req.load_verify_locations(Some(&pki.ca), None, None));
        let s12 = server();
        must(
            "maximum_version",
            s12.set_maximum_version(TlsVersion::TLSv1_2),
        );
        let s_alpn = server();
        must("ALPN", s_alpn.set_alpn_protocols(ALPN));
        let clients = vec![client(true), client(false), c12, c_cert];
        for c in &clients {
            must("client wrap", wrap::<B>(c, false));
        }
        let mut servers = vec![server(), s_req, s12, s_alpn];
        let mut server_supported = Vec::new();
        for i in 0..servers.len() {
            match wrap::<B>(&servers[i], true) {
                Ok(_) => server_supported.push(true),
                Err(ssl_api::Error::NotImplemented { .. }) => {
                    servers[i] = servers[0].clone();
                    server_supported.push(false);
                }
                Err(e) => panic!("fuzz setup: server wrap: {e}"),
            }
        }
        Contexts {
            clients,
            servers,
            server_supported,
        }
    }

    /// Every variant, from a fresh test PKI (dropped again once read).
    pub fn generate() -> Self {
        Self::new(&Pki::generate())
    }
}

/// Wraps an Object of `ctx` on fresh MemoryBIOs.
pub fn wrap<B: Backend>(ctx: &B::Context, server_side: bool) -> Result<B::Object> {
    let opts = if server_side {
        WrapOptions::server()
    } else {
        WrapOptions::client(SERVER_NAME)
    };
    ctx.wrap_bio(MemoryBio::new(), MemoryBio::new(), opts)
}

/// Chunk sizes the peer's bytes are delivered in (bits 2-4 of the mode byte).
const CHUNKS: [usize; 8] = [usize::MAX, 1, 5, 7, 64, 300, 1500, 4096];

/// The mode byte of an Object target's input: context variant (bits 0-1),
/// chunk size (bits 2-4), EOF after the bytes (bit 5), application data
/// written once the handshake is done (bit 6), `unwrap()` at the end (bit 7).
pub fn mode_byte(variant: u8, chunk_index: u8, eof: bool, write: bool, unwrap: bool) -> u8 {
    (variant & 3)
        | ((chunk_index & 7) << 2)
        | (u8::from(eof) << 5)
        | (u8::from(write) << 6)
        | (u8::from(unwrap) << 7)
}

/// Where an Object under test stands.
#[derive(Default)]
struct Progress {
    handshake_done: bool,
    /// A fatal (non-want) error was reported.
    failed: bool,
    wrote: bool,
}

/// Checks what every Object must guarantee once `do_handshake()` succeeded.
fn check_established<O: Object>(obj: &O) {
    assert!(obj.handshake_done(), "do_handshake() Ok but not done");
    assert!(obj.version().is_some(), "established without a version");
    assert!(obj.cipher().is_some(), "established without a cipher");
    // Only the accessors' own panics matter here; errors are fine.
    let _ = obj.getpeercert();
    let _ = obj.getpeercert_der();
    let _ = obj.selected_alpn_protocol();
    let _ = obj.shared_ciphers();
    let _ = obj.get_channel_binding("tls-unique");
    let _ = obj.session_reused();
}

/// Formats an error the way a user would see it (exercises its Display).
fn seen(e: &ssl_api::Error) {
    let text = e.to_string();
    assert!(!e.python_type().is_empty(), "error without a type: {text}");
}

/// One round: handshake (or read what arrived, and write once), then move
/// the Object's output away (the peer never answers: its bytes are the input).
fn step<O: Object>(obj: &mut O, p: &mut Progress, write: bool) {
    if !p.handshake_done {
        match obj.do_handshake() {
            Ok(()) => {
                p.handshake_done = true;
                check_established(obj);
            }
            Err(e) if e.is_want() => {}
            Err(e) => {
                seen(&e);
                p.failed = true;
                return;
            }
        }
    }
    if p.handshake_done {
        if write && !p.wrote {
            p.wrote = true;
            match obj.write(b"GET / HTTP/1.0\r\n\r\n") {
                Ok(n) => assert!(n <= 18, "wrote {n} of 18 bytes"),
                Err(e) => seen(&e),
            }
        }
        let mut buf = [0u8; 4096];
        // Bounded: every read either consumes input or reports want/EOF.
        for _ in 0..64 {
            match obj.read(&mut buf) {
                Ok(n) => assert!(n <= buf.len(), "read {n} into {}", buf.len()),
                Err(e) => {
                    if !e.is_want() {
                        seen(&e);
                        p.failed = true;
                    }
                    break;
                }
            }
            let _ = obj.pending();
        }
    }
}

/// The Object target: a fresh client or server Object of `ctxs` fed `data`
/// (a mode byte, see [`mode_byte`], then the peer's bytes). Any panic, hang
/// or huge allocation is a finding; errors are the expected outcome.
pub fn run_object<B: Backend>(ctxs: &Contexts<B>, server_side: bool, data: &[u8]) {
    let Some((&mode, peer)) = data.split_first() else {
        return;
    };
    let list = if server_side {
        &ctxs.servers
    } else {
        &ctxs.clients
    };
    let ctx = &list[usize::from(mode & 3) % list.len()];
    let chunk = CHUNKS[usize::from((mode >> 2) & 7)];
    let (eof, write, unwrap) = (mode & 0x20 != 0, mode & 0x40 != 0, mode & 0x80 != 0);
    let mut obj = wrap::<B>(ctx, server_side).expect("wrap_bio on a valid context");
    let incoming = obj.incoming().expect("made by wrap_bio").clone();
    let outgoing = obj.outgoing().expect("made by wrap_bio").clone();
    let mut p = Progress::default();
    // The client speaks first; a server just learns that it must wait.
    step(&mut obj, &mut p, write);
    outgoing.read(None);
    for piece in peer.chunks(chunk) {
        if p.failed {
            break;
        }
        assert_eq!(
            incoming.write(piece).expect("no EOF written yet"),
            piece.len()
        );
        step(&mut obj, &mut p, write);
        outgoing.read(None);
    }
    if eof && !p.failed {
        incoming.write_eof();
        step(&mut obj, &mut p, write);
        outgoing.read(None);
    }
    if p.failed {
        // A failed Object must keep failing (or wanting), never panic.
        if let Err(e) = obj.do_handshake() {
            seen(&e);
        }
        let _ = obj.read(&mut [0u8; 16]);
    } else if unwrap && p.handshake_done {
        if let Err(e) = obj.unwrap() {
            seen(&e);
        }
    }
    let _ = obj.pending();
    let _ = obj.version();
}

/// What each side sent during one recorded connection.
#[derive(Default)]
pub struct Flights {
    /// Every byte the client wrote (ClientHello, Finished, data, alerts).
    pub to_server: Vec<u8>,
    /// Every byte the server wrote.
    pub to_client: Vec<u8>,
    /// Whether the handshake completed on both sides.
    pub established: bool,
}

fn pass(from: &MemoryBio, to: &MemoryBio, log: &mut Vec<u8>) -> usize {
    let bytes = from.read(None);
    log.extend_from_slice(&bytes);
    if !bytes.is_empty() {
        let _ = to.write(&bytes);
    }
    bytes.len()
}

/// Runs one real connection between `client` and `server` over MemoryBIOs
/// (handshake, a request, a response, close_notify both ways) and records
/// the bytes each side sent: the seeds of the Object targets.
pub fn record<C: Backend, S: Backend>(client: &C::Context, server: &S::Context) -> Flights {
    let mut c = wrap::<C>(client, false).expect("client wrap");
    let mut s = wrap::<S>(server, true).expect("server wrap");
    let (ci, co) = (c.incoming().unwrap().clone(), c.outgoing().unwrap().clone());
    let (si, so) = (s.incoming().unwrap().clone(), s.outgoing().unwrap().clone());
    let mut f = Flights::default();
    let (mut c_done, mut s_done) = (false, false);
    for _ in 0..50 {
        let cr = if c_done { Ok(()) } else { c.do_handshake() };
        pass(&co, &si, &mut f.to_server);
        let sr = if s_done { Ok(()) } else { s.do_handshake() };
        pass(&so, &ci, &mut f.to_client);
        c_done = cr.is_ok();
        s_done = sr.is_ok();
        let failed = matches!(&cr, Err(e) if !e.is_want()) || matches!(&sr, Err(e) if !e.is_want());
        if (c_done && s_done) || failed {
            break;
        }
    }
    f.established = c_done && s_done;
    if f.established {
        let mut buf = [0u8; 4096];
        let _ = c.write(b"GET / HTTP/1.0\r\n\r\n");
        pass(&co, &si, &mut f.to_server);
        let _ = s.read(&mut buf);
        // TLS 1.3 tickets the client reads with the response.
        let _ = s.write(b"HTTP/1.0 200 OK\r\n\r\nhello");
        pass(&so, &ci, &mut f.to_client);
        let _ = c.read(&mut buf);
        pass(&co, &si, &mut f.to_server);
        let _ = c.unwrap();
        pass(&co, &si, &mut f.to_server);
        let _ = s.unwrap();
        pass(&so, &ci, &mut f.to_client);
        let _ = c.unwrap();
        pass(&co, &si, &mut f.to_server);
    }
    f
}
