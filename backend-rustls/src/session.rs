//! `SSLSession` on rustls, and the one-connection session store that makes
//! rustls resume exactly the session the user passed (as OpenSSL clients do),
//! and capture the tickets the server sends into a new session.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::pki_types::ServerName;
use rustls::NamedGroup;

struct SessionInner {
    id: Vec<u8>,
    time: i64,
    tls12: Mutex<Option<Tls12ClientSessionValue>>,
    tls13: Mutex<Vec<Tls13ClientSessionValue>>,
    kx_hint: Mutex<Option<NamedGroup>>,
    /// The context whose connection made it (CPython refuses a session of
    /// another context).
    origin: Mutex<Option<usize>>,
}

/// `SSLSession` (N1) on rustls: the tickets (TLS 1.3) or session (TLS 1.2) a
/// server gave this client. Equality by id.
///
/// rustls does not expose a ticket's lifetime, so `timeout` and
/// `ticket_lifetime_hint` are declared unsupported in the capabilities and
/// report 0.
#[derive(Clone)]
pub struct RustlsSession(Arc<SessionInner>);

impl std::fmt::Debug for RustlsSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RustlsSession")
            .field("id", &ssl_api::pyvalue::hex_lower(&self.0.id))
            .field("time", &self.0.time)
            .finish()
    }
}

impl PartialEq for RustlsSession {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl RustlsSession {
    fn new() -> Self {
        let mut id = vec![0u8; 32];
        // The id only has to be unique; fall back to the clock if the RNG fails.
        if rustls::crypto::aws_lc_rs::default_provider()
            .secure_random
            .fill(&mut id)
            .is_err()
        {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            id[..16].copy_from_slice(&nanos.to_be_bytes());
        }
        let time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        RustlsSession(Arc::new(SessionInner {
            id,
            time,
            tls12: Mutex::new(None),
            tls13: Mutex::new(Vec::new()),
            kx_hint: Mutex::new(None),
            origin: Mutex::new(None),
        }))
    }

    /// Records the context (its id) of the connection that made the session.
    pub(crate) fn set_origin(&self, context_id: usize) {
        lock(&self.0.origin).get_or_insert(context_id);
    }

    /// The context (its id) of the connection that made the session.
    pub(crate) fn origin(&self) -> Option<usize> {
        *lock(&self.0.origin)
    }

    fn has_any(&self) -> bool {
        lock(&self.0.tls12).is_some() || !lock(&self.0.tls13).is_empty()
    }
}

impl ssl_api::Session for RustlsSession {
    fn id(&self) -> Vec<u8> {
        self.0.id.clone()
    }

    fn time(&self) -> i64 {
        self.0.time
    }

    fn timeout(&self) -> i64 {
        0
    }

    fn ticket_lifetime_hint(&self) -> i64 {
        0
    }

    fn has_ticket(&self) -> bool {
        !lock(&self.0.tls13).is_empty()
    }
}

/// The session store of one client connection.
#[derive(Debug, Default)]
pub(crate) struct ConnectionSessions {
    /// The session the user asked to resume.
    resume: Mutex<Option<RustlsSession>>,
    /// The session this connection received.
    received: Mutex<Option<RustlsSession>>,
    /// Whether a stored session was handed to rustls.
    offered: Mutex<bool>,
}

impl ConnectionSessions {
    pub fn new(resume: Option<RustlsSession>) -> Self {
        ConnectionSessions {
            resume: Mutex::new(resume),
            received: Mutex::new(None),
            offered: Mutex::new(false),
        }
    }

    pub fn set_resume(&self, session: RustlsSession) {
        *lock(&self.resume) = Some(session);
    }

    /// The session to hand to the user: the received one once it holds a
    /// ticket or TLS 1.2 session, else the resumed one. A resumed TLS 1.2
    /// connection keeps its session (OpenSSL's too: same id), now holding
    /// what the server sent this time.
    pub fn current(&self, resumed: bool) -> Option<RustlsSession> {
        let received = lock(&self.received).clone();
        let resume = lock(&self.resume).clone();
        if let (true, Some(resume)) = (resumed, &resume) {
            if let Some(value) = received.as_ref().and_then(|r| lock(&r.0.tls12).clone()) {
                *lock(&resume.0.tls12) = Some(value);
            }
            if lock(&resume.0.tls12).is_some() {
                return Some(resume.clone());
            }
        }
        match received {
            Some(s) if s.has_any() => Some(s),
            _ => resume,
        }
    }

    fn received(&self) -> RustlsSession {
        lock(&self.received)
            .get_or_insert_with(RustlsSession::new)
            .clone()
    }
}

impl ClientSessionStore for ConnectionSessions {
    fn set_kx_hint(&self, _server_name: ServerName<'static>, group: NamedGroup) {
        *lock(&self.received().0.kx_hint) = Some(group);
    }

    fn kx_hint(&self, _server_name: &ServerName<'_>) -> Option<NamedGroup> {
        lock(&self.resume)
            .as_ref()
            .and_then(|s| *lock(&s.0.kx_hint))
    }

    fn set_tls12_session(&self, _server_name: ServerName<'static>, value: Tls12ClientSessionValue) {
        *lock(&self.received().0.tls12) = Some(value);
    }

    fn tls12_session(&self, _server_name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        let value = lock(&self.resume)
            .as_ref()
            .and_then(|s| lock(&s.0.tls12).clone());
        if value.is_some() {
            *lock(&self.offered) = true;
        }
        value
    }

    fn remove_tls12_session(&self, _server_name: &ServerName<'static>) {
        if let Some(s) = lock(&self.resume).as_ref() {
            *lock(&s.0.tls12) = None;
        }
    }

    fn insert_tls13_ticket(
        &self,
        _server_name: ServerName<'static>,
        value: Tls13ClientSessionValue,
    ) {
        lock(&self.received().0.tls13).push(value);
    }

    fn take_tls13_ticket(
        &self,
        _server_name: &ServerName<'static>,
    ) -> Option<Tls13ClientSessionValue> {
        let value = lock(&self.resume)
            .as_ref()
            .and_then(|s| lock(&s.0.tls13).pop());
        if value.is_some() {
            *lock(&self.offered) = true;
        }
        value
    }
}
