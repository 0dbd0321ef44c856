//! OpenSSL's errors mapped onto the shared kinds (E1-E7), read the way
//! CPython's `_ssl` reads them: the LAST error of the queue
//! (`ERR_peek_last_error`) gives `library` and `reason` as mnemonics from
//! OpenSSL's numeric codes, the message is `ERR_reason_error_string`, and
//! `CERTIFICATE_VERIFY_FAILED` carries `SSL_get_verify_result`.
//!
//! CPython maps codes to mnemonics with tables generated from OpenSSL's
//! `*err.h` headers (`SSL_R_CERTIFICATE_VERIFY_FAILED` -> `CERTIFICATE_VERIFY_FAILED`).
//! Here the library mnemonic comes from a table of `ERR_LIB_*` numbers and the
//! reason mnemonic from the reason text, upper-cased with spaces as `_`: on
//! OpenSSL 3.0 that equals the header name for 1070 of the 1085 reasons of the
//! libraries `ssl` can raise (checked against the headers on this machine);
//! the 11 that differ and have a text are in [`REASON_OVERRIDES`]. Common
//! reasons (`ERR_R_*`, numbers below 100, e.g. `ERR_R_PEM_LIB`) have no
//! mnemonic in CPython's table either: `[SSL] PEM lib`.

use openssl::error::ErrorStack;
use openssl::ssl::{ErrorCode, SslRef};
use ssl_api::{Error, SslErrorKind, VerifyFailure};

/// `ERR_LIB_SSL`.
pub(crate) const LIB_SSL: i32 = 20;
/// `SSL_R_CERTIFICATE_VERIFY_FAILED`.
const SSL_R_CERTIFICATE_VERIFY_FAILED: i32 = 134;
/// `SSL_R_UNEXPECTED_EOF_WHILE_READING`.
const SSL_R_UNEXPECTED_EOF_WHILE_READING: i32 = 294;

/// `ERR_LIB_*` number -> CPython's library mnemonic.
pub(crate) fn library_mnemonic(lib: i32) -> Option<&'static str> {
    Some(match lib {
        1 => "NONE",
        2 => "SYS",
        3 => "BN",
        4 => "RSA",
        5 => "DH",
        6 => "EVP",
        7 => "BUF",
        8 => "OBJ",
        9 => "PEM",
        10 => "DSA",
        11 => "X509",
        13 => "ASN1",
        14 => "CONF",
        15 => "CRYPTO",
        16 => "EC",
        20 => "SSL",
        32 => "BIO",
        33 => "PKCS7",
        34 => "X509V3",
        35 => "PKCS12",
        36 => "RAND",
        37 => "DSO",
        38 => "ENGINE",
        39 => "OCSP",
        40 => "UI",
        41 => "COMP",
        42 => "ECDSA",
        43 => "ECDH",
        44 => "OSSL_STORE",
        45 => "FIPS",
        46 => "CMS",
        47 => "TS",
        48 => "HMAC",
        50 => "CT",
        51 => "ASYNC",
        52 => "KDF",
        53 => "SM2",
        54 => "ESS",
        55 => "PROP",
        56 => "CRMF",
        57 => "PROV",
        58 => "CMP",
        59 => "OSSL_ENCODER",
        60 => "OSSL_DECODER",
        61 => "HTTP",
        128 => "USER",
        _ => return None,
    })
}

/// `(lib, reason, mnemonic)` where the header name is not the upper-cased text.
pub const REASON_OVERRIDES: &[(i32, i32, &str)] = &[
    (4, 136, "SLEN_CHECK_FAILED"),
    (4, 135, "SLEN_RECOVERY_FAILED"),
    (5, 102, "INVALID_PUBKEY"),
    (6, 219, "EXPECTING_A_ECX_KEY"),
    (6, 142, "EXPECTING_A_EC_KEY"),
    (6, 162, "PARTIALLY_OVERLAPPING"),
    (20, 158, "AT_LEAST_TLS_1_2_NEEDED_IN_SUITEB_MODE"),
    (20, 380, "ILLEGAL_SUITEB_DIGEST"),
    (20, 358, "MISSING_SRP_PARAM"),
    (20, 330, "NO_GOST_CERTIFICATE_SENT_BY_PEER"),
    (20, 361, "SRP_A_CALC"),
];

/// The reason mnemonic for `(lib, reason)` with OpenSSL's text `text`.
pub(crate) fn reason_mnemonic(lib: i32, reason: i32, text: Option<&str>) -> Option<String> {
    // ERR_RFLAG_COMMON (OpenSSL 3) marks the reasons shared by all libraries.
    const ERR_RFLAG_COMMON: i32 = 0x2 << 18;
    if reason & ERR_RFLAG_COMMON != 0 || reason < 100 {
        return None;
    }
    if let Some((_, _, m)) = REASON_OVERRIDES
        .iter()
        .find(|(l, r, _)| *l == lib && *r == reason)
    {
        return Some((*m).to_owned());
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
        assert_eq!(library_mnemonic(11), Some("X509"));
        assert_eq!(library_mnemonic(12), None);
    }
}
