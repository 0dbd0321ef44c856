//! native-tls errors mapped onto the shared kinds and OpenSSL's reason
//! mnemonics (E1-E7), so a failure reads the same as on the other backends.
//!
//! - Linux (OpenSSL): native-tls hands out OpenSSL's own `ErrorStack` as the
//!   error's source, so library and reason come from OpenSSL's codes, exactly
//!   as CPython reads them; the certificate verify result is the parenthesised
//!   tail native-tls appends, turned back into its `X509_V_ERR_*` code by
//!   asking OpenSSL for each code's text.
//! - Windows (schannel) and macOS (Security.framework): native-tls erases the
//!   typed error (an `io::Error` from an HRESULT, an `OSStatus`), leaving
//!   only its text; the numeric status is read back from that text and the
//!   well-known ones are mapped to the OpenSSL verify codes and mnemonics.

use ssl_api::Error;

/// `[SSL: NO_PROTOCOLS_AVAILABLE]`, when options and version bounds leave nothing.
pub(crate) fn no_protocols() -> Error {
    Error::ssl("SSL", "NO_PROTOCOLS_AVAILABLE", "no protocols available")
}

/// `[SSL: NO_SHARED_CIPHER]`: a server without a certificate, as OpenSSL says it.
pub(crate) fn no_shared_cipher() -> Error {
    Error::ssl("SSL", "NO_SHARED_CIPHER", "no shared cipher")
}

/// `[SSL: PROTOCOL_IS_SHUTDOWN]`: the connection failed earlier.
pub(crate) fn protocol_is_shutdown() -> Error {
    Error::ssl("SSL", "PROTOCOL_IS_SHUTDOWN", "protocol is shutdown")
}

/// OpenSSL's reason text as CPython's mnemonic (`wrong version number` ->
/// `WRONG_VERSION_NUMBER`).
#[cfg_attr(any(windows, target_vendor = "apple"), allow(dead_code))]
fn mnemonic(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(not(any(windows, target_vendor = "apple")))]
mod imp {
    use super::mnemonic;
    use openssl::error::ErrorStack;
    use ssl_api::Error;

    /// OpenSSL's library numbers (`ERR_LIB_*`) that CPython names.
    fn library_name(code: std::os::raw::c_int) -> &'static str {
        match code {
            2 => "SYS",
            4 => "RSA",
            6 => "EVP",
            9 => "PEM",
            11 => "X509",
            13 => "ASN1",
            16 => "EC",
            20 => "SSL",
            34 => "X509V3",
            35 => "PKCS12",
            _ => "SSL",
        }
    }

    /// The `X509_V_ERR_*` code whose OpenSSL text is `message` (ssl-api's table).
    pub(crate) fn verify_code(message: &str) -> Option<i64> {
        ssl_api::verify_code(message)
    }

    /// Maps OpenSSL's error queue (the last error, as CPython reports it).
    pub(crate) fn from_stack(stack: &ErrorStack, verify_message: Option<&str>) -> Error {
        let Some(last) = stack.errors().last() else {
            return Error::eof();
        };
        let text = last.reason().unwrap_or("unknown error");
        let reason = mnemonic(text);
        match reason.as_str() {
            "CERTIFICATE_VERIFY_FAILED" => {
                let message = verify_message.unwrap_or("unable to verify the certificate");
                Error::cert_verify(verify_code(message).unwrap_or(0), message)
            }
            "UNEXPECTED_EOF_WHILE_READING" => Error::eof(),
            _ => Error::ssl(library_name(last.library_code()), reason, text.to_owned()),
        }
    }

    /// Maps a native-tls error (handshake or setup); it stays as the
    /// result's `source()`.
    pub(crate) fn from_native(e: native_tls::Error) -> Error {
        mapped(&e).with_cause(e)
    }

    fn mapped(e: &native_tls::Error) -> Error {
        use std::error::Error as _;
        let verify_message = {
            // native-tls appends " (<verify result text>)" when verification failed.
            let text = e.to_string();
            text.strip_suffix(')')
                .and_then(|t| t.rfind(" (").map(|i| t[i + 2..].to_owned()))
        };
        match e.source() {
            Some(src) => {
                if let Some(stack) = src.downcast_ref::<ErrorStack>() {
                    return from_stack(stack, verify_message.as_deref());
                }
                if let Some(io) = src.downcast_ref::<std::io::Error>() {
                    if io.kind() == std::io::ErrorKind::UnexpectedEof {
                        return Error::eof();
                    }
                    return Error::syscall(io.to_string());
                }
                Error::ssl_library("SSL", e.to_string())
            }
            // SSL_ERROR_SYSCALL without an OS error: the transport ended.
            None => Error::eof(),
        }
    }

    /// Maps an `io::Error` from reading or writing an established stream.
    pub(crate) fn from_io(e: std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            return Error::eof();
        }
        if let Some(ssl) = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<openssl::ssl::Error>())
        {
            if let Some(stack) = ssl.ssl_error() {
                return from_stack(stack, None);
            }
            if ssl.code() == openssl::ssl::ErrorCode::ZERO_RETURN {
                return Error::zero_return();
            }
            if ssl.code() == openssl::ssl::ErrorCode::SYSCALL && ssl.io_error().is_none() {
                return Error::eof();
            }
        }
        Error::Io(e)
    }
}

#[cfg(any(windows, target_vendor = "apple"))]
mod imp {
    use ssl_api::Error;

    /// The platform status code in a native-tls error's text: Windows'
    /// `(os error N)` (an HRESULT), macOS' `OSStatus` (`code: N`).
    fn status_code(e: &dyn std::fmt::Debug, display: &str) -> Option<i64> {
        let debug = format!("{e:?}");
        let grab = |text: &str, marker: &str| -> Option<i64> {
            let start = text.find(marker)? + marker.len();
            let digits: String = text[start..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '-')
                .collect();
            digits.parse().ok()
        };
        grab(display, "os error ")
            .or_else(|| grab(&debug, "code: "))
            .map(|c| {
                if c > i64::from(i32::MAX) {
                    c - (1i64 << 32)
                } else {
                    c
                }
            })
    }

    /// `(status, verify code, verify message)` for certificate failures.
    const VERIFY: &[(i64, i64, &str)] = &[
        // schannel / CryptoAPI HRESULTs
        (
            0x800B0109u32 as i32 as i64,
            20,
            "unable to get local issuer certificate",
        ),
        (
            0x80090325u32 as i32 as i64,
            20,
            "unable to get local issuer certificate",
        ),
        (0x800B0101u32 as i32 as i64, 10, "certificate has expired"),
        (0x80090328u32 as i32 as i64, 10, "certificate has expired"),
        (0x800B010Fu32 as i32 as i64, 62, "hostname mismatch"),
        (0x80090322u32 as i32 as i64, 62, "hostname mismatch"),
        (0x800B010Cu32 as i32 as i64, 23, "certificate revoked"),
        // Security.framework OSStatus
        (-9807, 20, "unable to get local issuer certificate"),
        (-9808, 20, "unable to get local issuer certificate"),
        (-9812, 20, "unable to get local issuer certificate"),
        (-9813, 20, "unable to get local issuer certificate"),
        (-9814, 10, "certificate has expired"),
        (-9843, 62, "hostname mismatch"),
        (-67820, 20, "unable to get local issuer certificate"),
    ];

    /// `(status, reason mnemonic, text)` for other well-known failures.
    const OTHER: &[(i64, &str, &str)] = &[
        (
            0x80090331u32 as i32 as i64,
            "SSLV3_ALERT_HANDSHAKE_FAILURE",
            "sslv3 alert handshake failure",
        ),
        (
            0x80090308u32 as i32 as i64,
            "WRONG_VERSION_NUMBER",
            "wrong version number",
        ),
        (
            0x80090326u32 as i32 as i64,
            "UNEXPECTED_MESSAGE",
            "unexpected message",
        ),
        (
            0x80090327u32 as i32 as i64,
            "SSLV3_ALERT_HANDSHAKE_FAILURE",
            "sslv3 alert handshake failure",
        ),
        (
            0x80090304u32 as i32 as i64,
            "INTERNAL_ERROR",
            "internal error",
        ),
        (
            -9824,
            "SSLV3_ALERT_HANDSHAKE_FAILURE",
            "sslv3 alert handshake failure",
        ),
        (-9836, "UNSUPPORTED_PROTOCOL", "unsupported protocol"),
        (
            -9806,
            "UNEXPECTED_EOF_WHILE_READING",
            "EOF occurred in violation of protocol",
        ),
        (
            -9805,
            "ZERO_RETURN",
            "TLS/SSL connection has been closed (EOF)",
        ),
    ];

    fn from_status(code: Option<i64>, text: String) -> Error {
        if let Some(code) = code {
            if let Some((_, v, m)) = VERIFY.iter().find(|(c, _, _)| *c == code) {
                return Error::cert_verify(*v, *m);
            }
            if let Some((_, reason, msg)) = OTHER.iter().find(|(c, _, _)| *c == code) {
                return match *reason {
                    "UNEXPECTED_EOF_WHILE_READING" => Error::eof(),
                    "ZERO_RETURN" => Error::zero_return(),
                    _ => Error::ssl("SSL", *reason, *msg),
                };
            }
        }
        Error::ssl_library("SSL", text)
    }

    /// Maps a native-tls error (handshake or setup).
    /// Maps a native-tls error (handshake or setup); it stays as the
    /// result's `source()`.
    pub(crate) fn from_native(e: native_tls::Error) -> Error {
        let text = e.to_string();
        from_status(status_code(&e, &text), text).with_cause(e)
    }

    /// Maps an `io::Error` from reading or writing an established stream.
    pub(crate) fn from_io(e: std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            return Error::eof();
        }
        let text = e.to_string();
        let code = e
            .raw_os_error()
            .map(i64::from)
            .or_else(|| status_code(&e, &text));
        match code {
            Some(_) => from_status(code, text),
            None => Error::Io(e),
        }
    }
}

pub(crate) use imp::{from_io, from_native};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mnemonics_follow_openssl_text() {
        assert_eq!(mnemonic("wrong version number"), "WRONG_VERSION_NUMBER");
        assert_eq!(mnemonic("tlsv1 alert unknown ca"), "TLSV1_ALERT_UNKNOWN_CA");
    }

    #[cfg(not(any(windows, target_vendor = "apple")))]
    #[test]
    fn verify_codes_round_trip_through_openssl_text() {
        assert_eq!(imp::verify_code("self-signed certificate"), Some(18));
        assert_eq!(imp::verify_code("certificate has expired"), Some(10));
        assert_eq!(imp::verify_code("hostname mismatch"), Some(62));
        assert_eq!(imp::verify_code("no such text"), None);
    }
}
