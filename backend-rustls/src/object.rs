//! `SSLObject` on rustls: a `rustls::Connection` driven over the Object's
//! transport (`read_tls` from it, `write_tls` into it: MemoryBIOs, a socket,
//! any stream; `ssl_api::transport`).
//!
//! The server reads the ClientHello first with `rustls::server::Acceptor`, runs
//! the servername callback, and only then builds the connection from the
//! (possibly swapped) context's config: that is the whole-context swap CPython
//! allows, and it lets ALPN without overlap continue without ALPN as OpenSSL
//! does under CPython's callback.

use std::io::{Read, Write};
use std::sync::Arc;

use rustls::server::Acceptor;
use rustls::{ClientConnection, Connection, HandshakeKind};
use ssl_api::transport::{SharedTransport, TransportIo};
use ssl_api::{CipherTriple, Error, Result, ServernameRequest, WrapOptions};

use crate::context::RustlsContext;
use crate::errors::{map_rustls_error, no_shared_cipher};
use crate::session::{ConnectionSessions, RustlsSession};
use crate::Rustls;

enum Engine {
    /// Client before its first handshake step: the ClientHello is built only
    /// then, so that a session set after `wrap_bio` is still offered.
    ClientPending(
        Arc<rustls::ClientConfig>,
        rustls::pki_types::ServerName<'static>,
    ),
    /// Server waiting for the ClientHello.
    Accepting(Box<Acceptor>),
    /// A connection (client from the start, server once the hello arrived).
    Connected(Box<Connection>),
    /// The handshake failed; the connection is unusable.
    Failed,
}

/// `SSLObject` (O1) on rustls.
pub struct RustlsObject {
    engine: Engine,
    context: RustlsContext,
    transport: SharedTransport,
    /// The transport as rustls reads and writes it.
    io: TransportIo,
    server_side: bool,
    server_hostname: Option<String>,
    sessions: Arc<ConnectionSessions>,
    handshake_done: bool,
    /// Decrypted bytes rustls holds for us.
    plaintext_pending: usize,
    /// The shared ciphers the client offered (server side).
    offered_suites: Vec<rustls::CipherSuite>,
    /// The first bytes the server received (to diagnose plaintext requests).
    first_bytes: Vec<u8>,
    /// Whether `unwrap()` sent our close_notify (CPython's `SSL_SENT_SHUTDOWN`).
    sent_close_notify: bool,
    /// The chain verification built (`get_verified_chain`).
    verified_chain: Option<Vec<Vec<u8>>>,
}

impl std::fmt::Debug for RustlsObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RustlsObject")
            .field("server_side", &self.server_side)
            .field("server_hostname", &self.server_hostname)
            .field("handshake_done", &self.handshake_done)
            .finish_non_exhaustive()
    }
}

fn server_name_of(hostname: Option<&str>) -> Result<rustls::pki_types::ServerName<'static>> {
    let name = hostname.unwrap_or("no-server-hostname.invalid");
    // CPython strips nothing and sends no SNI for IP addresses; rustls does the same.
    rustls::pki_types::ServerName::try_from(name.to_owned())
        .map_err(|_| Error::value(format!("invalid server_hostname {name:?}")))
}

impl RustlsObject {
    pub(crate) fn new(
        context: RustlsContext,
        transport: SharedTransport,
        options: WrapOptions<Rustls>,
    ) -> Result<Self> {
        if let Some(origin) = options.session.as_ref().and_then(RustlsSession::origin) {
            if origin != context.id() {
                return Err(Error::value("Session refers to a different SSLContext."));
            }
        }
        let sessions = Arc::new(ConnectionSessions::new(options.session));
        let engine = if options.server_side {
            Engine::Accepting(Box::default())
        } else {
            let with_name = options.server_hostname.is_some();
            let config = context.lock().client_config(with_name)?;
            let name = server_name_of(options.server_hostname.as_deref())?;
            Engine::ClientPending(config, name)
        };
        Ok(RustlsObject {
            engine,
            context,
            io: TransportIo::new(transport.clone()),
            transport,
            server_side: options.server_side,
            server_hostname: options.server_hostname,
            sessions,
            handshake_done: false,
            plaintext_pending: 0,
            offered_suites: Vec::new(),
            first_bytes: Vec::new(),
            sent_close_notify: false,
            verified_chain: None,
        })
    }

    /// Moves every TLS byte rustls has queued into the transport (which
    /// takes every byte).
    fn flush(&mut self) -> Result<()> {
        if let Engine::Connected(conn) = &mut self.engine {
            while conn.wants_write() {
                conn.write_tls(&mut self.io)?;
            }
        }
        Ok(())
    }

    /// Fails the connection with `err`, after flushing the alert rustls queued.
    fn fail(&mut self, err: &rustls::Error) -> Error {
        let _ = self.flush();
        let no_identity = self.server_side && self.context.lock().identity.is_none();
        self.engine = Engine::Failed;
        if no_identity {
            return no_shared_cipher();
        }
        map_rustls_error(err, self.server_side)
    }

    /// Reads TLS bytes from the transport and processes them. `Ok(false)`
    /// when nothing is there (want read); an SSLEOFError at the end of the
    /// stream.
    fn pump_incoming(&mut self) -> Result<bool> {
        let Engine::Connected(conn) = &mut self.engine else {
            return Ok(false);
        };
        // Bytes already buffered (MemoryBIO) go to rustls in one go, in place.
        let mut outcome = Ok(None);
        let lent = self.transport.recv_buffered(&mut |data, eof_written| {
            let (used, fed) = feed(conn, data, eof_written);
            outcome = fed;
            used
        });
        if !lent {
            // A stream: one read (never past the record), then processing.
            outcome = match conn.read_tls(&mut self.io) {
                Ok(0) => Err(None),
                Ok(_) => Ok(Some(
                    conn.process_new_packets()
                        .map(|s| s.plaintext_bytes_to_read()),
                )),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(None),
                Err(e) => Err(Some(Error::Io(e))),
            };
        }
        // The verifier ran inside that processing, on this thread.
        if let Some(chain) = crate::verify::take_verified_chain() {
            self.verified_chain = Some(chain);
        }
        match outcome {
            Ok(None) => Ok(false),
            Ok(Some(Ok(plaintext))) => {
                self.plaintext_pending = plaintext;
                Ok(true)
            }
            Ok(Some(Err(e))) => Err(self.fail(&e)),
            Err(None) => Err(Error::eof()),
            Err(Some(e)) => Err(e),
        }
    }

    /// Client: builds the connection (and its ClientHello) on the first step.
    fn start_client(&mut self) -> Result<()> {
        let Engine::ClientPending(config, name) = &self.engine else {
            return Ok(());
        };
        let mut config = (**config).clone();
        config.resumption = rustls::client::Resumption::store(self.sessions.clone());
        let conn = ClientConnection::new(Arc::new(config), name.clone())
            .map_err(|e| map_rustls_error(&e, false))?;
        self.context.lock().stats.connect += 1;
        self.engine = Engine::Connected(Box::new(Connection::Client(conn)));
        Ok(())
    }

    /// Server: waits for the ClientHello, runs the SNI callback, builds the connection.
    fn accept(&mut self) -> Result<()> {
        let Engine::Accepting(acceptor) = &mut self.engine else {
            return Ok(());
        };
        let accepted = loop {
            let mut reader = FirstBytes {
                io: &mut self.io,
                first: &mut self.first_bytes,
            };
            match acceptor.read_tls(&mut reader) {
                Ok(0) => return Err(Error::eof()),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    return Err(Error::want_read())
                }
                Err(e) => return Err(Error::Io(e)),
            }
            match acceptor.accept() {
                Ok(Some(a)) => break a,
                // A ClientHello longer than one read (rustls reads 4 KiB at a
                // time): the rest may already be here.
                Ok(None) => continue,
                Err((e, mut alert)) => {
                    let _ = alert.write(&mut self.io);
                    self.engine = Engine::Failed;
                    if matches!(
                        e,
                        rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)
                    ) {
                        return Err(ssl_api::error::plaintext_record_error(&self.first_bytes));
                    }
                    return Err(map_rustls_error(&e, true));
                }
            }
        };
        let hello = accepted.client_hello();
        let server_name = hello.server_name().map(str::to_owned);
        let offered_alpn: Vec<Vec<u8>> = hello
            .alpn()
            .map(|it| it.map(<[u8]>::to_vec).collect())
            .unwrap_or_default();
        self.offered_suites = hello.cipher_suites().to_vec();
        self.context.lock().stats.accept += 1;

        let callback = self.context.lock().servername_callback.clone();
        if let Some(cb) = callback {
            // CPython hands the callback the IDNA-decoded name; a name that does
            // not decode aborts with internal_error, as there.
            let decoded = server_name
                .as_deref()
                .map(ssl_api::idna::decode)
                .transpose();
            let alert = match decoded {
                Err(_) => Some(80),
                Ok(name) => {
                    let mut request = ServernameRequest {
                        server_name: name,
                        context: self.context.clone(),
                    };
                    let outcome = cb(&mut request);
                    self.context = request.context;
                    match outcome {
                        Ok(None) => None,
                        Ok(Some(alert)) => Some(alert.value() as u8),
                        Err(_) => Some(40), // handshake_failure
                    }
                }
            };
            if let Some(code) = alert {
                // A plaintext fatal alert record: the handshake has not started
                // encrypting yet.
                self.io
                    .write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, code])?;
                self.engine = Engine::Failed;
                return Err(crate::errors::sni_callback_error());
            }
        }

        let server_alpn = self.context.lock().settings.alpn_protocols().to_vec();
        let overlap = server_alpn.iter().any(|p| offered_alpn.contains(p));
        let config = self.context.lock().server_config(overlap)?;
        match accepted.into_connection(config) {
            Ok(conn) => {
                self.engine = Engine::Connected(Box::new(Connection::Server(conn)));
                Ok(())
            }
            Err((e, mut alert)) => {
                let _ = alert.write(&mut self.io);
                self.engine = Engine::Failed;
                if self.context.lock().identity.is_none() {
                    return Err(no_shared_cipher());
                }
                Err(map_rustls_error(&e, true))
            }
        }
    }

    fn finish_handshake(&mut self) {
        self.handshake_done = true;
        let resumed = matches!(&self.engine, Engine::Connected(c) if c.handshake_kind() == Some(HandshakeKind::Resumed));
        let mut ctx = self.context.lock();
        if self.server_side {
            ctx.stats.accept_good += 1;
            if resumed {
                ctx.stats.hits += 1;
            }
        } else {
            ctx.stats.connect_good += 1;
        }
    }

    fn conn(&self) -> Option<&Connection> {
        match &self.engine {
            Engine::Connected(c) => Some(c),
            _ => None,
        }
    }

    fn ensure_usable(&self) -> Result<()> {
        if matches!(self.engine, Engine::Failed) {
            return Err(Error::ssl(
                "SSL",
                "PROTOCOL_IS_SHUTDOWN",
                "protocol is shutdown",
            ));
        }
        Ok(())
    }
}

/// What one lending of buffered bytes did: `Ok(None)` nothing to process,
/// `Ok(Some(..))` rustls processed records (the plaintext it holds, or its
/// error), `Err(None)` the end of the stream, `Err(Some(..))` an I/O error.
type Fed = std::result::Result<Option<std::result::Result<usize, rustls::Error>>, Option<Error>>;

/// Feeds `data` (the transport's buffered bytes) to rustls: all it takes
/// (its buffer grows 4 KiB per `read_tls`) before processing, since
/// processing after every piece would parse the same incomplete record
/// header again and again. Returns how many bytes were used.
fn feed(conn: &mut Connection, data: &[u8], eof_written: bool) -> (usize, Fed) {
    if data.is_empty() {
        return (0, if eof_written { Err(None) } else { Ok(None) });
    }
    let mut rest = data;
    let mut state = None;
    while !rest.is_empty() {
        let mut fed = false;
        while !rest.is_empty() {
            match conn.read_tls(&mut rest) {
                Ok(0) => break,
                Ok(_) => fed = true,
                // A full buffer after some bytes: process those first.
                Err(_) if fed => break,
                // rustls holds as much plaintext as it takes: leave the
                // rest buffered for after the caller has read.
                Err(_) if state.is_some() => break,
                Err(e) => return (data.len() - rest.len(), Err(Some(Error::Io(e)))),
            }
        }
        if !fed {
            break;
        }
        match conn.process_new_packets() {
            Ok(s) => state = Some(s.plaintext_bytes_to_read()),
            Err(e) => return (data.len() - rest.len(), Ok(Some(Err(e)))),
        }
    }
    (data.len() - rest.len(), Ok(state.map(Ok)))
}

/// The transport as the server's first reads see it: the first 8 bytes are
/// kept, to tell a plaintext request (HTTP) from TLS when the hello fails.
struct FirstBytes<'a> {
    io: &'a mut TransportIo,
    first: &'a mut Vec<u8>,
}

impl Read for FirstBytes<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.io.read(buf)?;
        let keep = (8 - self.first.len().min(8)).min(n);
        self.first.extend_from_slice(&buf[..keep]);
        Ok(n)
    }
}

impl ssl_api::Object for RustlsObject {
    type Backend = Rustls;

    fn do_handshake(&mut self) -> Result<()> {
        self.ensure_usable()?;
        if self.handshake_done {
            return Ok(());
        }
        match self.engine {
            Engine::Accepting(_) => self.accept()?,
            Engine::ClientPending(..) => self.start_client()?,
            _ => {}
        }
        loop {
            self.flush()?;
            let handshaking = self.conn().is_some_and(|c| c.is_handshaking());
            if !handshaking {
                self.finish_handshake();
                return Ok(());
            }
            if !self.pump_incoming()? {
                self.flush()?;
                return Err(Error::want_read());
            }
        }
    }

    fn handshake_done(&self) -> bool {
        self.handshake_done
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if !self.handshake_done {
            self.do_handshake()?;
        }
        self.ensure_usable()?;
        loop {
            let Engine::Connected(conn) = &mut self.engine else {
                return Err(Error::want_read());
            };
            match conn.reader().read(buf) {
                // CPython: the peer's close_notify reads as b"" until we have
                // sent ours (SSL_get_shutdown() == SSL_RECEIVED_SHUTDOWN),
                // then as SSLZeroReturnError.
                Ok(0) if !buf.is_empty() && !self.sent_close_notify => return Ok(0),
                Ok(0) if !buf.is_empty() => return Err(Error::zero_return()),
                Ok(n) => {
                    self.plaintext_pending = self.plaintext_pending.saturating_sub(n);
                    return Ok(n);
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if !self.pump_incoming()? {
                        self.flush()?;
                        return Err(Error::want_read());
                    }
                    // Post-handshake messages (tickets, key updates) may need replies.
                    self.flush()?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(Error::eof()),
                Err(e) => return Err(Error::Io(e)),
            }
        }
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        if !self.handshake_done {
            self.do_handshake()?;
        }
        self.ensure_usable()?;
        let Engine::Connected(conn) = &mut self.engine else {
            return Err(Error::want_read());
        };
        conn.writer().write_all(buf)?;
        self.flush()?;
        Ok(buf.len())
    }

    fn pending(&self) -> usize {
        self.plaintext_pending
    }

    fn unwrap(&mut self) -> Result<()> {
        self.ensure_usable()?;
        if !self.handshake_done {
            return Err(Error::shutdown_while_in_init());
        }
        if let Engine::Connected(conn) = &mut self.engine {
            if !self.sent_close_notify {
                conn.send_close_notify();
            }
            self.sent_close_notify = true;
        }
        self.flush()?;
        loop {
            let Engine::Connected(conn) = &mut self.engine else {
                return Ok(());
            };
            // Drain application data still in flight; a zero-length read means
            // the peer's close_notify has arrived.
            let mut scratch = [0u8; 4096];
            match conn.reader().read(&mut scratch) {
                Ok(0) => return Ok(()),
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if !self.pump_incoming()? {
                        return Err(Error::want_read());
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(Error::eof()),
                Err(e) => return Err(Error::Io(e)),
            }
        }
    }

    fn peer_certificate_der(&self) -> Option<Vec<u8>> {
        self.conn()
            .and_then(|c| c.peer_certificates())
            .and_then(|chain| chain.first())
            .map(|c| c.to_vec())
    }

    fn verified_chain_der(&self) -> Result<Option<Vec<Vec<u8>>>> {
        Ok(self.verified_chain.clone())
    }

    fn unverified_chain_der(&self) -> Result<Option<Vec<Vec<u8>>>> {
        Ok(self
            .conn()
            .and_then(|c| c.peer_certificates())
            .map(|chain| chain.iter().map(|c| c.to_vec()).collect()))
    }

    fn cipher(&self) -> Option<CipherTriple> {
        if !self.handshake_done {
            return None;
        }
        let suite = self.conn()?.negotiated_cipher_suite()?;
        crate::suites::triple_for(suite.suite())
    }

    fn shared_ciphers(&self) -> Option<Vec<CipherTriple>> {
        if !self.server_side || !self.handshake_done {
            return None;
        }
        let ours: Vec<rustls::CipherSuite> = {
            let state = self.context.lock();
            state
                .tls13_suites
                .iter()
                .chain(&state.tls12_suites)
                .map(|s| s.suite())
                .collect()
        };
        Some(
            self.offered_suites
                .iter()
                .filter(|s| ours.contains(s))
                .filter_map(|s| crate::suites::triple_for(*s))
                .collect(),
        )
    }

    fn get_channel_binding(&self, cb_type: &str) -> Result<Option<Vec<u8>>> {
        match cb_type {
            "tls-unique" => Err(Error::not_implemented(
                "rustls",
                "S8 get_channel_binding('tls-unique'): rustls does not expose the Finished messages",
            )),
            other => Err(Error::value(format!(
                "{} channel binding type not implemented",
                ssl_api::pyvalue::repr_str(other)
            ))),
        }
    }

    fn selected_alpn_protocol(&self) -> Option<String> {
        self.conn()?
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    }

    fn version(&self) -> Option<&'static str> {
        if !self.handshake_done {
            return None;
        }
        match self.conn()?.protocol_version()? {
            rustls::ProtocolVersion::TLSv1_2 => Some("TLSv1.2"),
            rustls::ProtocolVersion::TLSv1_3 => Some("TLSv1.3"),
            _ => None,
        }
    }

    fn server_side(&self) -> bool {
        self.server_side
    }

    fn server_hostname(&self) -> Option<&str> {
        self.server_hostname.as_deref()
    }

    fn context(&self) -> RustlsContext {
        self.context.clone()
    }

    fn set_context(&mut self, context: RustlsContext) -> Result<()> {
        // A server's context before the handshake is the SNI callback's
        // swap; after the handshake (either side) the connection's
        // configuration is settled and the swap names the context later
        // calls report, as CPython's `SSL_set_SSL_CTX` does. A client's
        // connection was configured when it was made: that one cannot move.
        if !self.handshake_done && !self.server_side {
            return Err(Error::value(
                "a client's context can only be changed once the handshake is done",
            ));
        }
        self.context = context;
        Ok(())
    }

    fn session(&self) -> Option<RustlsSession> {
        if self.server_side {
            return None;
        }
        let session = self.sessions.current(self.session_reused())?;
        session.set_origin(self.context.id());
        Some(session)
    }

    fn set_session(&mut self, session: RustlsSession) -> Result<()> {
        if session.origin().is_some_and(|id| id != self.context.id()) {
            return Err(Error::value("Session refers to a different SSLContext."));
        }
        if self.server_side {
            return Err(Error::value(
                "Cannot set session for server-side SSLSocket.",
            ));
        }
        if self.handshake_done {
            return Err(Error::value("Cannot set session after handshake."));
        }
        self.sessions.set_resume(session);
        Ok(())
    }

    fn session_reused(&self) -> bool {
        self.conn()
            .is_some_and(|c| c.handshake_kind() == Some(HandshakeKind::Resumed))
    }

    fn transport(&self) -> &SharedTransport {
        &self.transport
    }
}
