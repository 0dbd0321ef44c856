//! `SSLObject` (O1) on OpenSSL: an `SslStream` over the Object's transport
//! (`ssl_api::transport`: MemoryBIOs, a socket, any stream; `WouldBlock` when
//! nothing is there), driven the way CPython's `_ssl._SSLSocket` drives its `SSL`
//! in non-blocking mode: `SSL_do_handshake`, `SSL_read_ex`, `SSL_write_ex`,
//! `SSL_shutdown`, errors from the last entry of the error queue.

use std::sync::{Arc, Mutex};

use openssl::ssl::{ErrorCode, ShutdownResult, Ssl, SslRef, SslSession, SslStream};
use ssl_api::transport::{SharedTransport, TransportIo};
use ssl_api::{CipherTriple, Error, Result, WrapOptions};

use crate::context::{same_context, OpenSslContext};
use crate::errors::{from_ssl_error, from_stack, VerifyContext};
use crate::ffi;
use crate::session::OpenSslSession;
use crate::OpenSsl;

/// What OpenSSL callbacks running inside a handshake share with the Object:
/// the current context (the servername callback may swap it) and the newest
/// session the server gave (the new-session callback).
pub(crate) struct ConnShared {
    context: Mutex<OpenSslContext>,
    session: Mutex<Option<SslSession>>,
}

impl ConnShared {
    pub(crate) fn context(&self) -> OpenSslContext {
        self.context
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn set_context(&self, context: OpenSslContext) {
        *self.context.lock().unwrap_or_else(|e| e.into_inner()) = context;
    }

    pub(crate) fn store_session(&self, session: SslSession) {
        *self.session.lock().unwrap_or_else(|e| e.into_inner()) = Some(session);
    }

    fn latest_session(&self) -> Option<SslSession> {
        self.session
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

enum Engine {
    /// Before the first I/O call: the `SSL` may still be configured (session).
    Pending(Ssl),
    /// Driving the connection.
    Running(Box<SslStream<TransportIo>>),
    /// Unusable (the stream could not be set up).
    Broken,
}

/// `SSLObject` (O1) on OpenSSL.
pub struct OpenSslObject {
    engine: Engine,
    shared: Arc<ConnShared>,
    transport: SharedTransport,
    server_side: bool,
    server_hostname: Option<String>,
}

impl std::fmt::Debug for OpenSslObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenSslObject")
            .field("server_side", &self.server_side)
            .field("server_hostname", &self.server_hostname)
            .finish_non_exhaustive()
    }
}

impl OpenSslObject {
    pub(crate) fn new(
        context: OpenSslContext,
        transport: SharedTransport,
        options: WrapOptions<OpenSsl>,
    ) -> Result<Self> {
        let shared = Arc::new(ConnShared {
            context: Mutex::new(context.clone()),
            session: Mutex::new(None),
        });
        let ssl = context.new_ssl(
            options.server_side,
            options.server_hostname.as_deref(),
            &shared,
        )?;
        let mut object = OpenSslObject {
            engine: Engine::Pending(ssl),
            shared,
            transport,
            server_side: options.server_side,
            server_hostname: options.server_hostname,
        };
        if let Some(session) = options.session {
            ssl_api::Object::set_session(&mut object, session)?;
        }
        Ok(object)
    }

    fn ssl(&self) -> Option<&SslRef> {
        match &self.engine {
            Engine::Pending(ssl) => Some(ssl),
            Engine::Running(stream) => Some(stream.ssl()),
            Engine::Broken => None,
        }
    }

    /// The stream, created on the first I/O call.
    fn stream(&mut self) -> Result<&mut SslStream<TransportIo>> {
        if matches!(self.engine, Engine::Pending(_)) {
            if let Engine::Pending(ssl) = std::mem::replace(&mut self.engine, Engine::Broken) {
                let io = TransportIo::new(self.transport.clone());
                let stream = SslStream::new(ssl, io).map_err(|e| from_stack(&e, None))?;
                self.engine = Engine::Running(Box::new(stream));
            }
        }
        match &mut self.engine {
            Engine::Running(stream) => Ok(stream),
            _ => Err(Error::ssl(
                "SSL",
                "PROTOCOL_IS_SHUTDOWN",
                "protocol is shutdown",
            )),
        }
    }

    fn map_error(&self, e: &openssl::ssl::Error) -> Error {
        // The transport ended (write_eof, drained): OpenSSL cannot ask our BIO
        // whether it is at EOF (the `openssl` crate's BIO answers no to
        // BIO_CTRL_EOF), so it reports SSL_ERROR_SYSCALL where CPython's
        // memory BIO gets SSL_R_UNEXPECTED_EOF_WHILE_READING: the same SSLEOFError.
        if e.code() == ErrorCode::SYSCALL
            && e.ssl_error().is_none_or(|s| s.errors().is_empty())
            && e.io_error().is_none()
            && self.transport.at_eof()
        {
            return Error::eof();
        }
        match self.ssl() {
            Some(ssl) => {
                let verify = VerifyContext::of(ssl, self.server_hostname.as_deref());
                from_ssl_error(e, Some(&verify))
            }
            None => from_ssl_error(e, None),
        }
    }
}

impl ssl_api::Object for OpenSslObject {
    type Backend = OpenSsl;

    fn do_handshake(&mut self) -> Result<()> {
        let result = self.stream()?.do_handshake();
        match result {
            Ok(()) => {
                // A connection that has just shaken hands often waits next:
                // it holds no record buffers until it is used (~34 kB less
                // per idle connection; CPython's SSL_MODE_RELEASE_BUFFERS
                // gets the same by freeing them after every record, which
                // costs an allocation per record).
                self.idle();
                Ok(())
            }
            Err(e) => Err(self.map_error(&e)),
        }
    }

    fn idle(&mut self) {
        if let Engine::Running(stream) = &mut self.engine {
            ffi::free_buffers(stream.ssl());
        }
    }

    fn handshake_done(&self) -> bool {
        self.ssl().is_some_and(ffi::init_finished)
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let stream = self.stream()?;
        match stream.ssl_read(buf) {
            Ok(n) => Ok(n),
            // CPython: a close_notify received while ours is not sent reads as b"".
            Err(e)
                if e.code() == ErrorCode::ZERO_RETURN
                    && ffi::shutdown_state(stream.ssl()) == (false, true) =>
            {
                Ok(0)
            }
            Err(e) => Err(self.map_error(&e)),
        }
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        let result = self.stream()?.ssl_write(buf);
        result.map_err(|e| self.map_error(&e))
    }

    fn pending(&self) -> usize {
        self.ssl().map_or(0, SslRef::pending)
    }

    fn unwrap(&mut self) -> Result<()> {
        // CPython's loop: SSL_shutdown; a first 0 ("sent") is retried once to
        // read the peer's close_notify; a second 0 ends it successfully.
        let stream = self.stream()?;
        let mut zeros = 0;
        loop {
            match stream.shutdown() {
                Ok(ShutdownResult::Received) => return Ok(()),
                Ok(ShutdownResult::Sent) => {
                    zeros += 1;
                    if zeros > 1 {
                        return Ok(());
                    }
                }
                Err(e) => return Err(self.map_error(&e)),
            }
        }
    }

    fn peer_certificate_der(&self) -> Option<Vec<u8>> {
        self.ssl()?.peer_certificate()?.to_der().ok()
    }

    fn unverified_chain_der(&self) -> Result<Option<Vec<Vec<u8>>>> {
        let Some(ssl) = self.ssl() else {
            return Ok(None);
        };
        let Some(chain) = ssl.peer_cert_chain() else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(chain.len() + 1);
        // OpenSSL leaves the client's own certificate out of the chain a
        // server sees; CPython adds it back.
        if self.server_side {
            if let Some(peer) = ssl.peer_certificate() {
                out.push(
                    peer.to_der()
                        .map_err(|e| crate::errors::from_stack(&e, None))?,
                );
            }
        }
        for cert in chain {
            out.push(
                cert.to_der()
                    .map_err(|e| crate::errors::from_stack(&e, None))?,
            );
        }
        Ok(Some(out))
    }

    fn verified_chain_der(&self) -> Result<Option<Vec<Vec<u8>>>> {
        let Some(chain) = self.ssl().and_then(|ssl| ssl.verified_chain()) else {
            return Ok(None);
        };
        chain
            .iter()
            .map(|cert| {
                cert.to_der()
                    .map_err(|e| crate::errors::from_stack(&e, None))
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    fn cipher(&self) -> Option<CipherTriple> {
        ffi::current_cipher(self.ssl()?)
    }

    fn shared_ciphers(&self) -> Option<Vec<CipherTriple>> {
        ffi::shared_ciphers(self.ssl()?)
    }

    fn compression(&self) -> Option<String> {
        ffi::compression(self.ssl()?)
    }

    fn get_channel_binding(&self, cb_type: &str) -> Result<Option<Vec<u8>>> {
        if cb_type != "tls-unique" {
            return Err(Error::value(format!(
                "{} channel binding type not implemented",
                ssl_api::pyvalue::repr_str(cb_type)
            )));
        }
        let Some(ssl) = self.ssl() else {
            return Ok(None);
        };
        // RFC 5929 as CPython reads it: the first Finished message of the
        // handshake (the client's for a full handshake, the server's for a
        // resumed one).
        let own = ssl.session_reused() ^ !self.server_side;
        let data = ffi::finished(ssl, !own);
        Ok((!data.is_empty()).then_some(data))
    }

    fn selected_alpn_protocol(&self) -> Option<String> {
        self.ssl()?
            .selected_alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    }

    fn version(&self) -> Option<&'static str> {
        let ssl = self.ssl()?;
        if !ffi::init_finished(ssl) {
            return None;
        }
        match ffi::ssl_version(ssl)?.as_str() {
            "TLSv1.3" => Some("TLSv1.3"),
            "TLSv1.2" => Some("TLSv1.2"),
            "TLSv1.1" => Some("TLSv1.1"),
            "TLSv1" => Some("TLSv1"),
            "SSLv3" => Some("SSLv3"),
            _ => None,
        }
    }

    fn server_side(&self) -> bool {
        self.server_side
    }

    fn server_hostname(&self) -> Option<&str> {
        self.server_hostname.as_deref()
    }

    fn context(&self) -> OpenSslContext {
        self.shared.context()
    }

    fn set_context(&mut self, context: OpenSslContext) -> Result<()> {
        // As CPython's `SSL_set_SSL_CTX`: before the handshake (the SNI
        // callback's swap) or after it (what later session reuse sees).
        let ssl: &mut SslRef = match &mut self.engine {
            Engine::Pending(ssl) => ssl,
            Engine::Running(stream) => ffi::stream_ssl_mut(stream),
            Engine::Broken => return Err(Error::value("the connection is closed")),
        };
        {
            let _guard = context.lock();
            ssl.set_ssl_context(&context.inner.handle)
                .map_err(|e| from_stack(&e, None))?;
        }
        self.shared.set_context(context);
        Ok(())
    }

    fn session(&self) -> Option<OpenSslSession> {
        let origin = self.shared.context().id();
        let session = match self.shared.latest_session() {
            Some(s) => s,
            None => self.ssl()?.session()?.to_owned(),
        };
        // Like CPython (`_ssl_session_dup`), hand out a copy: OpenSSL marks
        // a connection's own session not resumable when the connection is
        // freed without a TLS shutdown, and a copy keeps the caller's
        // session usable after such a close.
        let copy = ffi::session_dup(&session).unwrap_or(session);
        Some(OpenSslSession {
            session: copy,
            origin,
        })
    }

    fn set_session(&mut self, session: OpenSslSession) -> Result<()> {
        if !same_context(session.origin, &self.shared.context()) {
            return Err(Error::value("Session refers to a different SSLContext."));
        }
        if self.server_side {
            return Err(Error::value(
                "Cannot set session for server-side SSLSocket.",
            ));
        }
        let Engine::Pending(ssl) = &mut self.engine else {
            return Err(Error::value("Cannot set session after handshake."));
        };
        // The connection resumes from a copy: OpenSSL marks the session a
        // connection holds not resumable when that connection is freed
        // without a TLS shutdown, and the caller's session must stay usable
        // for the next connection (CPython's test_session resumes one
        // session three times).
        let copy = ffi::session_dup(&session.session);
        let own = copy.as_deref().unwrap_or(&session.session);
        ffi::set_session(ssl, own).map_err(|e| from_stack(&e, None))
    }

    fn session_reused(&self) -> bool {
        self.ssl().is_some_and(SslRef::session_reused)
    }

    fn verify_client_post_handshake(&mut self) -> Result<()> {
        let ssl = match &self.engine {
            Engine::Running(stream) => stream.ssl(),
            Engine::Pending(ssl) => ssl,
            Engine::Broken => return Err(Error::value("connection is unusable")),
        };
        let _ = openssl::error::ErrorStack::get();
        if ffi::verify_client_post_handshake(ssl) {
            Ok(())
        } else {
            Err(crate::errors::last_error())
        }
    }

    fn transport(&self) -> &SharedTransport {
        &self.transport
    }
}
