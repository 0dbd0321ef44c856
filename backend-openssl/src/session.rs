//! `SSLSession` (N1) on OpenSSL: an `SSL_SESSION`, with the identity of the
//! context whose connection produced it (a session may only be resumed
//! through that context, as CPython checks).

use openssl::ssl::SslSession;

use crate::ffi;

/// `SSLSession` (N1): `id`, `time`, `timeout`, `ticket_lifetime_hint`,
/// `has_ticket` read from OpenSSL's `SSL_SESSION_get_*`; equality by id.
#[derive(Clone)]
pub struct OpenSslSession {
    pub(crate) session: SslSession,
    /// [`crate::OpenSslContext`] identity of the originating context.
    pub(crate) origin: usize,
}

impl std::fmt::Debug for OpenSslSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenSslSession")
            .field("id", &ssl_api::pyvalue::hex_lower(self.session.id()))
            .field("has_ticket", &ffi::has_ticket(&self.session))
            .finish()
    }
}

impl PartialEq for OpenSslSession {
    fn eq(&self, other: &Self) -> bool {
        self.session.id() == other.session.id()
    }
}

impl ssl_api::Session for OpenSslSession {
    fn id(&self) -> Vec<u8> {
        self.session.id().to_vec()
    }

    fn time(&self) -> i64 {
        #[allow(clippy::useless_conversion)]
        i64::from(self.session.time())
    }

    fn timeout(&self) -> i64 {
        self.session.timeout()
    }

    fn ticket_lifetime_hint(&self) -> i64 {
        ffi::ticket_lifetime_hint(&self.session)
    }

    fn has_ticket(&self) -> bool {
        ffi::has_ticket(&self.session)
    }
}
