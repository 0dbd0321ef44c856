//! `SSLObject` on native-tls: a `TlsStream` over a `Read + Write` that reads
//! the incoming MemoryBIO and writes the outgoing one, reporting `WouldBlock`
//! when the incoming BIO is empty. A handshake that needs more bytes comes
//! back as `HandshakeError::WouldBlock(MidHandshakeTlsStream)`: the object
//! keeps it and calls `handshake()` again on the next `do_handshake()`
//! (SSLWantReadError meanwhile).

use std::io::{Read, Write};

use native_tls::{HandshakeError, MidHandshakeTlsStream, TlsAcceptor, TlsConnector, TlsStream};
use ssl_api::transport::{SharedTransport, TransportIo};
use ssl_api::{CipherTriple, Error, Result, WrapOptions};

use crate::context::{unsupported, NativeContext};
use crate::errors;
use crate::session::NativeSession;
use crate::wire::HelloSnoop;
use crate::Native;

/// The transport native-tls drives: the Object's transport, plus a look at
/// the server's first records (for `version()` and `cipher()`).
#[derive(Debug)]
pub(crate) struct BioStream {
    io: TransportIo,
    server_side: bool,
    snoop: HelloSnoop,
}

impl Read for BioStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.io.read(buf)?;
        if n == 0 && !buf.is_empty() {
            // The transport ended (also when a read of the socket behind the
            // BIO just found it ended): an error, not a 0-byte read, so that
            // the library reports a truncated stream (SSLEOFError) rather
            // than a clean close; a real close_notify is seen before this.
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if !self.server_side {
            self.snoop.feed(&buf[..n]);
        }
        Ok(n)
    }
}

impl Write for BioStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.io.write(buf)?;
        if self.server_side {
            self.snoop.feed(&buf[..n]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

enum Engine {
    /// Client before its first step.
    Client(TlsConnector, String, BioStream),
    /// Server before its first step.
    Server(TlsAcceptor, BioStream),
    /// Server without a certificate: fails once the ClientHello arrives.
    ServerWithoutCertificate(BioStream),
    /// Waiting for the peer's bytes.
    Mid(MidHandshakeTlsStream<BioStream>),
    /// Handshake done.
    Done(Box<TlsStream<BioStream>>),
    /// Failed; unusable.
    Failed,
    /// Transitional value while a step runs.
    Taken,
}

/// `SSLObject` (O1) on native-tls.
pub struct NativeObject {
    engine: Engine,
    context: NativeContext,
    transport: SharedTransport,
    server_side: bool,
    server_hostname: Option<String>,
    close_sent: bool,
    snoop_result: Option<crate::wire::Negotiated>,
}

impl std::fmt::Debug for NativeObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeObject")
            .field("server_side", &self.server_side)
            .field("server_hostname", &self.server_hostname)
            .field("handshake_done", &matches!(self.engine, Engine::Done(_)))
            .finish_non_exhaustive()
    }
}

impl NativeObject {
    pub(crate) fn new(
        context: NativeContext,
        transport: SharedTransport,
        options: WrapOptions<Native>,
    ) -> Result<Self> {
        if options.session.is_some() {
            return Err(unsupported(
                "S14 session: native-tls cannot resume a session the caller chooses",
            ));
        }
        let stream = BioStream {
            io: TransportIo::new(transport.clone()),
            server_side: options.server_side,
            snoop: HelloSnoop::default(),
        };
        let engine = if options.server_side {
            match context.lock().acceptor()? {
                Some(a) => Engine::Server(a, stream),
                None => Engine::ServerWithoutCertificate(stream),
            }
        } else {
            let with_name = options.server_hostname.is_some();
            let connector = context.lock().connector(with_name)?;
            let domain = options.server_hostname.clone().unwrap_or_default();
            Engine::Client(connector, domain, stream)
        };
        Ok(NativeObject {
            engine,
            context,
            transport,
            server_side: options.server_side,
            server_hostname: options.server_hostname,
            close_sent: false,
            snoop_result: None,
        })
    }

    fn stream_ref(&self) -> Option<&BioStream> {
        match &self.engine {
            Engine::Mid(m) => Some(m.get_ref()),
            Engine::Done(s) => Some(s.get_ref()),
            Engine::Client(_, _, s)
            | Engine::Server(_, s)
            | Engine::ServerWithoutCertificate(s) => Some(s),
            Engine::Failed | Engine::Taken => None,
        }
    }

    fn finish(&mut self, stream: TlsStream<BioStream>) {
        self.snoop_result = stream.get_ref().snoop.negotiated();
        // One lock of the context: the counters, and (for a verifying
        // client) the capath whose certificates a verification may have used.
        let capath = {
            let mut ctx = self.context.lock();
            if self.server_side {
                ctx.stats.accept_good += 1;
                None
            } else {
                ctx.stats.connect_good += 1;
                (ctx.settings.verify_mode() != ssl_api::constants::CERT_NONE)
                    .then(|| ctx.capath.clone())
            }
        };
        if let Some(capath) = capath {
            let mut capath = capath.lock().unwrap_or_else(|e| e.into_inner());
            if capath.has_unmarked() {
                if let Ok(Some(der)) = stream
                    .peer_certificate()
                    .map(|c| c.and_then(|c| c.to_der().ok()))
                {
                    capath.mark_chain_of(&der);
                }
            }
        }
        self.engine = Engine::Done(Box::new(stream));
    }

    fn step(
        &mut self,
        r: std::result::Result<TlsStream<BioStream>, HandshakeError<BioStream>>,
    ) -> Result<()> {
        match r {
            Ok(stream) => {
                self.finish(stream);
                Ok(())
            }
            Err(HandshakeError::WouldBlock(mid)) => {
                self.engine = Engine::Mid(mid);
                Err(Error::want_read())
            }
            Err(HandshakeError::Failure(e)) => {
                self.engine = Engine::Failed;
                // native-tls's error does not know the name: CPython's words
                // for a mismatch name it.
                Err(errors::from_native(e).on_connection_to(self.server_hostname.as_deref()))
            }
        }
    }

    fn established(&mut self) -> Result<&mut TlsStream<BioStream>> {
        if !matches!(self.engine, Engine::Done(_)) {
            ssl_api::Object::do_handshake(self)?;
        }
        match &mut self.engine {
            Engine::Done(s) => Ok(s),
            Engine::Failed => Err(errors::protocol_is_shutdown()),
            _ => Err(Error::want_read()),
        }
    }
}

impl ssl_api::Object for NativeObject {
    type Backend = Native;

    fn do_handshake(&mut self) -> Result<()> {
        match std::mem::replace(&mut self.engine, Engine::Taken) {
            Engine::Client(connector, domain, stream) => {
                self.context.lock().stats.connect += 1;
                let r = connector.connect(&domain, stream);
                self.step(r)
            }
            Engine::Server(acceptor, stream) => {
                self.context.lock().stats.accept += 1;
                let r = acceptor.accept(stream);
                self.step(r)
            }
            Engine::ServerWithoutCertificate(mut stream) => {
                // Whether the client has sent anything (its ClientHello).
                let mut first = [0u8; 1];
                match stream.io.read(&mut first) {
                    Ok(1) => {}
                    Ok(_) => {
                        self.engine = Engine::ServerWithoutCertificate(stream);
                        return Err(Error::eof());
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        self.engine = Engine::ServerWithoutCertificate(stream);
                        return Err(Error::want_read());
                    }
                    Err(e) => return Err(Error::Io(e)),
                }
                self.context.lock().stats.accept += 1;
                // A fatal handshake_failure alert, in a plaintext record.
                stream
                    .io
                    .write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 40])?;
                self.engine = Engine::Failed;
                Err(errors::no_shared_cipher())
            }
            Engine::Mid(mid) => {
                let r = mid.handshake();
                self.step(r)
            }
            done @ Engine::Done(_) => {
                self.engine = done;
                Ok(())
            }
            Engine::Failed | Engine::Taken => {
                self.engine = Engine::Failed;
                Err(errors::protocol_is_shutdown())
            }
        }
    }

    fn handshake_done(&self) -> bool {
        matches!(self.engine, Engine::Done(_))
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let close_sent = self.close_sent;
        let stream = self.established()?;
        match stream.read(buf) {
            // CPython's rule: the peer's close_notify reads as b"" until our
            // own has been sent (SSL_RECEIVED_SHUTDOWN only), then as
            // SSLZeroReturnError.
            Ok(0) if !buf.is_empty() && !close_sent => Ok(0),
            Ok(0) if !buf.is_empty() => Err(Error::zero_return()),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Err(Error::want_read()),
            Err(e) => Err(errors::from_io(e)),
        }
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        let stream = self.established()?;
        match stream.write_all(buf) {
            Ok(()) => Ok(buf.len()),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Err(Error::want_read()),
            Err(e) => Err(errors::from_io(e)),
        }
    }

    fn pending(&self) -> usize {
        match &self.engine {
            Engine::Done(s) => s.buffered_read_size().unwrap_or(0),
            _ => 0,
        }
    }

    fn unwrap(&mut self) -> Result<()> {
        let close_sent = self.close_sent;
        let Engine::Done(stream) = &mut self.engine else {
            return match self.engine {
                Engine::Failed => Err(errors::protocol_is_shutdown()),
                _ => Err(Error::shutdown_while_in_init()),
            };
        };
        if !close_sent {
            match stream.shutdown() {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(errors::from_io(e)),
            }
            self.close_sent = true;
        }
        // Complete once the peer's close_notify has arrived (read gives 0);
        // application data still in flight is discarded, as SSL_shutdown does.
        let mut scratch = [0u8; 4096];
        loop {
            match stream.read(&mut scratch) {
                Ok(0) => return Ok(()),
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    return Err(Error::want_read())
                }
                Err(e) => {
                    return match errors::from_io(e) {
                        err if err.ssl_kind_of() == Some(ssl_api::SslErrorKind::ZeroReturn) => {
                            Ok(())
                        }
                        err => Err(err),
                    }
                }
            }
        }
    }

    fn peer_certificate_der(&self) -> Option<Vec<u8>> {
        match &self.engine {
            Engine::Done(s) => s.peer_certificate().ok().flatten()?.to_der().ok(),
            _ => None,
        }
    }

    fn cipher(&self) -> Option<CipherTriple> {
        if !self.handshake_done() {
            return None;
        }
        self.snoop_result?.cipher()
    }

    fn shared_ciphers(&self) -> Option<Vec<CipherTriple>> {
        // Declared unsupported (S6): native-tls does not say which suites the
        // platform would accept, so the overlap cannot be computed.
        None
    }

    fn get_channel_binding(&self, cb_type: &str) -> Result<Option<Vec<u8>>> {
        match cb_type {
            "tls-unique" => Err(unsupported(
                "S8 get_channel_binding('tls-unique'): native-tls does not expose the Finished messages",
            )),
            other => Err(Error::value(format!(
                "{} channel binding type not implemented",
                ssl_api::pyvalue::repr_str(other)
            ))),
        }
    }

    fn selected_alpn_protocol(&self) -> Option<String> {
        match &self.engine {
            Engine::Done(s) => s
                .negotiated_alpn()
                .ok()
                .flatten()
                .map(|p| String::from_utf8_lossy(&p).into_owned()),
            _ => None,
        }
    }

    fn version(&self) -> Option<&'static str> {
        if !self.handshake_done() {
            return None;
        }
        self.snoop_result
            .or_else(|| self.stream_ref().and_then(|s| s.snoop.negotiated()))?
            .version_name()
    }

    fn server_side(&self) -> bool {
        self.server_side
    }

    fn server_hostname(&self) -> Option<&str> {
        self.server_hostname.as_deref()
    }

    fn context(&self) -> NativeContext {
        self.context.clone()
    }

    fn set_context(&mut self, _context: NativeContext) -> Result<()> {
        Err(unsupported(
            "X16 set_context: without an SNI callback the context cannot be swapped",
        ))
    }

    fn session(&self) -> Option<NativeSession> {
        None
    }

    fn set_session(&mut self, _session: NativeSession) -> Result<()> {
        Err(unsupported(
            "S14 session: native-tls cannot resume a session the caller chooses",
        ))
    }

    fn session_reused(&self) -> bool {
        false
    }

    fn transport(&self) -> &SharedTransport {
        &self.transport
    }
}
