//! `SSLSession` (N1) on native-tls: native-tls keeps sessions to itself (the
//! platform may resume internally) and cannot hand one to the caller or take
//! one back, so no `NativeSession` value can exist. `SSLObject.session` is
//! always `None` and passing a session is `NotImplemented` (S14, declared in
//! the capabilities).

use std::convert::Infallible;

/// `SSLSession` on native-tls: uninhabited (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NativeSession {
    never: Infallible,
}

impl ssl_api::Session for NativeSession {
    fn id(&self) -> Vec<u8> {
        match self.never {}
    }

    fn time(&self) -> i64 {
        match self.never {}
    }

    fn timeout(&self) -> i64 {
        match self.never {}
    }

    fn ticket_lifetime_hint(&self) -> i64 {
        match self.never {}
    }

    fn has_ticket(&self) -> bool {
        match self.never {}
    }
}
