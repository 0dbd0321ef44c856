//! OpenSSL's errors mapped onto the shared kinds (E1-E7), read the way
//! CPython's `_ssl` reads them: the LAST error of the queue
//! (`ERR_peek_last_error`) gives `library` and `reason` as mnemonics from
//! OpenSSL's numeric codes, the message is `ERR_reason_error_string`, and
//! `CERTIFICATE_VERIFY_FAILED` carries `SSL_get_verify_result`.
//!
//! CPython maps codes to mnemonics with tables generated from OpenSSL's
//! `*err.h` headers (`SSL_R_CERTIFICATE_VERIFY_FAILED` -> `CERTIFICATE_VERIFY_FAILED`);
//! so does this backend, with the same kind of table in
//! [`ssl_api::constants::openssl_errors`] (OpenSSL 3.0's headers). A reason
//! the table does not know (a newer OpenSSL) is named from its text,
//! upper-cased with spaces as `_` (the header name for almost every reason).
//! Common reasons (`ERR_R_*`, numbers below 100, e.g. `ERR_R_PEM_LIB`) have
//! no mnemonic in CPython's table either: `[SSL] PEM lib`.

use openssl::error::ErrorStack;
use openssl::ssl::{ErrorCode, SslRef};
use ssl_api::constants::openssl_errors;
use ssl_api::{Error, SslErrorKind, VerifyFailure};

/// `ERR_LIB_SSL`.
pub(crate) const LIB_SSL: i32 = 20;
/// `SSL_R_CERTIFICATE_VERIFY_FAILED`.
const SSL_R_CERTIFICATE_VERIFY_FAILED: i32 = 134;
/// `SSL_R_UNEXPECTED_EOF_WHILE_READING`.
const SSL_R_UNEXPECTED_EOF_WHILE_READING: i32 = 294;

/// `ERR_LIB_*` number -> CPython's library mnemonic.
pub(crate) fn library_mnemonic(lib: i32) -> Option<&'static str> {
    openssl_errors::library_name(lib)
}

/// The reason mnemonic for `(lib, reason)` with OpenSSL's text `text`.
pub(crate) fn reason_mnemonic(lib: i32, reason: i32, text: Option<&str>) -> Option<String> {
    // ERR_RFLAG_COMMON (OpenSSL 3) marks the reasons shared by all libraries.
    const ERR_RFLAG_COMMON: i32 = 0x2 << 18;
    if reason & ERR_RFLAG_COMMON != 0 || reason < 100 {
        return None;
    }
    if let Some(name) = openssl_errors::reason_name(lib, reason) {
        return Some(name.to_owned());
    }
    let text = text?;
    Some(text.to_ascii_uppercase().replace(' ', "_"))
}

/// The connection a verify failure is reported for: its verify result and
/// server_hostname (CPython words hostname mismatches with it). The result
/// is read only when a verify failure is being reported, not on every
/// WantRead.
pub(crate) struct VerifyContext<'a> {
    ssl: &'a SslRef,
    hostname: Option<&'a str>,
}

impl<'a> VerifyContext<'a> {
    pub(crate) fn of(ssl: &'a SslRef, hostname: Option<&'a str>) -> Self {
        VerifyContext { ssl, hostname }
    }

    /// `SSL_get_verify_result`: the code and OpenSSL's text for it.
    fn result(&self) -> (i64, &'static str) {
        let r = self.ssl.verify_result();
        (i64::from(r.as_raw()), r.error_string())
    }
}

/// The `SSLError` CPython raises for the last entry of `stack`
/// (`_setSSLError` / `fill_and_set_sslerror`); OpenSSL's error stack stays
/// as its `source()`.
pub(crate) fn from_stack(stack: &ErrorStack, verify: Option<&VerifyContext<'_>>) -> Error {
    stack_error(stack, verify).with_cause(stack.clone())
}

fn stack_error(stack: &ErrorStack, verify: Option<&VerifyContext<'_>>) -> Error {
    let Some(last) = stack.errors().last() else {
        return Error::ssl_message("unknown error");
    };
    let lib = last.library_code();
    let reason = last.reason_code();
    if lib == LIB_SSL && reason == SSL_R_UNEXPECTED_EOF_WHILE_READING {
        return Error::eof();
    }
    if lib == LIB_SSL && reason == SSL_R_CERTIFICATE_VERIFY_FAILED {
        if let Some(v) = verify {
            let (code, text) = v.result();
            let failure = VerifyFailure::of_connection(code, text, v.hostname);
            return Error::cert_verify(failure.code, failure.message);
        }
    }
    let text = last.reason();
    let message = text.unwrap_or("unknown error").to_owned();
    match (library_mnemonic(lib), reason_mnemonic(lib, reason, text)) {
        (Some(l), Some(r)) => {
            if lib == LIB_SSL && reason == SSL_R_CERTIFICATE_VERIFY_FAILED {
                // A verify failure seen outside a connection (no result to report).
                match Error::ssl(l, r.clone(), message.clone()) {
                    Error::Ssl(mut e) => {
                        e.kind = SslErrorKind::CertVerification;
                        Error::Ssl(e)
                    }
                    other => other,
                }
            } else {
                Error::ssl(l, r.clone(), message.clone())
            }
        }
        (Some(l), None) => Error::ssl_library(l, message),
        _ => Error::ssl_message(message),
    }
}

/// The error of an I/O call on a connection (`PySSL_SetError`).
pub(crate) fn from_ssl_error(e: &openssl::ssl::Error, verify: Option<&VerifyContext<'_>>) -> Error {
    match e.code() {
        ErrorCode::WANT_READ => Error::want_read(),
        ErrorCode::WANT_WRITE => Error::want_write(),
        ErrorCode::ZERO_RETURN => Error::zero_return(),
        ErrorCode::SSL => match e.ssl_error() {
            Some(stack) => from_stack(stack, verify),
            None => Error::ssl_message("A failure in the SSL library occurred"),
        },
        ErrorCode::SYSCALL => match (e.ssl_error(), e.io_error()) {
            (Some(stack), _) if !stack.errors().is_empty() => match from_stack(stack, verify) {
                Error::Ssl(mut inner) if inner.kind == SslErrorKind::Ssl => {
                    inner.kind = SslErrorKind::Syscall;
                    Error::Ssl(inner)
                }
                other => other,
            },
            (_, Some(io)) if io.kind() == std::io::ErrorKind::WouldBlock => Error::want_read(),
            (_, Some(io)) => Error::Io(std::io::Error::new(io.kind(), io.to_string())),
            // CPython over a MemoryBIO (no socket, ret -1): "Some I/O error occurred".
            _ => Error::syscall("Some I/O error occurred"),
        },
        _ => match e.ssl_error() {
            Some(stack) => from_stack(stack, verify),
            None => Error::syscall("Some I/O error occurred"),
        },
    }
}

/// The error stack left by a failed call, as CPython's `_setSSLError(NULL)`.
pub(crate) fn last_error() -> Error {
    from_stack(&ErrorStack::get(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mnemonics_follow_the_headers() {
        assert_eq!(
            reason_mnemonic(20, 134, Some("certificate verify failed")).as_deref(),
            Some("CERTIFICATE_VERIFY_FAILED")
        );
        assert_eq!(
            reason_mnemonic(20, 380, Some("illegal Suite B digest")).as_deref(),
            Some("ILLEGAL_SUITEB_DIGEST")
        );
        assert_eq!(reason_mnemonic(20, 9, Some("PEM lib")), None);
        assert_eq!(reason_mnemonic(20, 9 | (2 << 18), Some("PEM lib")), None);
        // Not in OpenSSL 3.0's headers: named from the text.
        assert_eq!(
            reason_mnemonic(20, 4000, Some("some new reason")).as_deref(),
            Some("SOME_NEW_REASON")
        );
        assert_eq!(library_mnemonic(11), Some("X509"));
        assert_eq!(library_mnemonic(12), None);
    }
}
