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

    /// OpenSSL 3's `X509_verify_cert_error_string()` text for each
    /// `X509_V_ERR_*` code (x509_txt.c), to read back the code native-tls prints
    /// only as text.
    const VERIFY_TEXT: &[(i64, &str)] = &[
        (1, "unspecified certificate verification error"),
        (2, "unable to get issuer certificate"),
        (3, "unable to get certificate CRL"),
        (4, "unable to decrypt certificate's signature"),
        (5, "unable to decrypt CRL's signature"),
        (6, "unable to decode issuer public key"),
        (7, "certificate signature failure"),
        (8, "CRL signature failure"),
        (9, "certificate is not yet valid"),
        (10, "certificate has expired"),
        (11, "CRL is not yet valid"),
        (12, "CRL has expired"),
        (13, "format error in certificate's notBefore field"),
        (14, "format error in certificate's notAfter field"),
        (15, "format error in CRL's lastUpdate field"),
        (16, "format error in CRL's nextUpdate field"),
        (17, "out of memory"),
        (18, "self-signed certificate"),
        (19, "self-signed certificate in certificate chain"),
        (20, "unable to get local issuer certificate"),
        (21, "unable to verify the first certificate"),
        (22, "certificate chain too long"),
        (23, "certificate revoked"),
        (24, "issuer certificate doesn't have a public key"),
        (25, "path length constraint exceeded"),
        (26, "unsuitable certificate purpose"),
        (27, "certificate not trusted"),
        (28, "certificate rejected"),
        (29, "subject issuer mismatch"),
        (30, "authority and subject key identifier mismatch"),
        (31, "authority and issuer serial number mismatch"),
        (32, "key usage does not include certificate signing"),
        (33, "unable to get CRL issuer certificate"),
        (34, "unhandled critical extension"),
        (35, "key usage does not include CRL signing"),
        (36, "unhandled critical CRL extension"),
        (37, "invalid non-CA certificate (has CA markings)"),
        (38, "proxy path length constraint exceeded"),
        (39, "key usage does not include digital signature"),
        (
            40,
            "proxy certificates not allowed, please set the appropriate flag",
        ),
        (41, "invalid or inconsistent certificate extension"),
        (42, "invalid or inconsistent certificate policy extension"),
        (43, "no explicit policy"),
        (44, "different CRL scope"),
        (45, "unsupported extension feature"),
        (46, "RFC 3779 resource not subset of parent's resources"),
        (47, "permitted subtree violation"),
        (48, "excluded subtree violation"),
        (49, "name constraints minimum and maximum not supported"),
        (50, "application verification failure"),
        (51, "unsupported name constraint type"),
        (52, "unsupported or invalid name constraint syntax"),
        (53, "unsupported or invalid name syntax"),
        (54, "CRL path validation error"),
        (55, "path loop"),
        (56, "Suite B: certificate version invalid"),
        (57, "Suite B: invalid public key algorithm"),
        (58, "Suite B: invalid ECC curve"),
        (59, "Suite B: invalid signature algorithm"),
        (60, "Suite B: curve not allowed for this LOS"),
        (61, "Suite B: cannot sign P-384 with P-256"),
        (62, "hostname mismatch"),
        (63, "email address mismatch"),
        (64, "IP address mismatch"),
        (65, "no matching DANE TLSA records"),
        (66, "EE certificate key too weak"),
        (67, "CA certificate key too weak"),
        (68, "CA signature digest algorithm too weak"),
        (69, "invalid certificate verification context"),
        (70, "issuer certificate lookup error"),
        (
            71,
            "Certificate Transparency required, but no valid SCTs found",
        ),
        (72, "proxy subject name violation"),
        (73, "OCSP verification needed"),
        (74, "OCSP verification failed"),
        (75, "OCSP unknown cert"),
        (76, "Cannot find certificate signature algorithm"),
        (
            77,
            "subject signature algorithm and issuer public key algorithm mismatch",
        ),
        (78, "cert info signature and signature algorithm mismatch"),
        (79, "invalid CA certificate"),
        (80, "Path length invalid for non-CA cert"),
        (81, "Path length given without key usage keyCertSign"),
        (82, "Key usage keyCertSign invalid for non-CA cert"),
        (83, "Issuer name empty"),
        (84, "Subject name empty"),
        (85, "Missing Authority Key Identifier"),
        (86, "Missing Subject Key Identifier"),
        (87, "Empty Subject Alternative Name extension"),
        (
            88,
            "Subject empty and Subject Alt Name extension not critical",
        ),
        (89, "Basic Constraints of CA cert not marked critical"),
        (90, "Authority Key Identifier marked critical"),
        (91, "Subject Key Identifier marked critical"),
        (92, "CA cert does not include key usage extension"),
        (93, "Using cert extension requires at least X509v3"),
        (94, "Certificate public key has explicit ECC parameters"),
    ];

    /// The `X509_V_ERR_*` code whose OpenSSL text is `message`.
    pub(crate) fn verify_code(message: &str) -> Option<i64> {
        VERIFY_TEXT
            .iter()
            .find(|(_, t)| *t == message)
            .map(|(c, _)| *c)
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

    /// Maps a native-tls error (handshake or setup).
    pub(crate) fn from_native(e: &native_tls::Error) -> Error {
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
    pub(crate) fn from_native(e: &native_tls::Error) -> Error {
        let text = e.to_string();
        from_status(status_code(e, &text), text)
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
