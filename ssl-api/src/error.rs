//! Errors (reference rows E1-E7), mirroring Python's exception hierarchy.
//!
//! ```text
//! OSError
//!  +-- SSLError                      Error::Ssl(SslError { kind: SslErrorKind::Ssl, .. })
//!       +-- SSLZeroReturnError       SslErrorKind::ZeroReturn
//!       +-- SSLWantReadError         SslErrorKind::WantRead
//!       +-- SSLWantWriteError        SslErrorKind::WantWrite
//!       +-- SSLSyscallError          SslErrorKind::Syscall
//!       +-- SSLEOFError              SslErrorKind::Eof
//!       +-- SSLCertVerificationError SslErrorKind::CertVerification (also ValueError;
//!                                    `CertificateError` is its alias since 3.7)
//! ValueError                         Error::Value
//! NotImplementedError                Error::NotImplemented
//! OSError (socket)                   Error::Io (the subclass CPython picks by
//!                                    errno: ConnectionResetError, FileNotFoundError, ...)
//! TimeoutError (socket.timeout)      Error::Timeout
//! ```

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::sync::Arc;

use crate::constants::SslErrorNumber;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which of Python's `SSLError` subclasses an [`SslError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SslErrorKind {
    /// `SSLError` itself (E1): a protocol or library failure.
    Ssl,
    /// `SSLZeroReturnError` (E2): the peer closed TLS cleanly (close_notify).
    ZeroReturn,
    /// `SSLWantReadError` (E3): more bytes are needed from the transport.
    WantRead,
    /// `SSLWantWriteError` (E4): the transport must drain first.
    WantWrite,
    /// `SSLSyscallError` (E5): a system error under the TLS layer.
    Syscall,
    /// `SSLEOFError` (E6): the transport ended in violation of the protocol.
    Eof,
    /// `SSLCertVerificationError` / `CertificateError` (E7).
    CertVerification,
}

impl SslErrorKind {
    /// Python's class name for this kind.
    pub fn python_name(self) -> &'static str {
        match self {
            SslErrorKind::Ssl => "SSLError",
            SslErrorKind::ZeroReturn => "SSLZeroReturnError",
            SslErrorKind::WantRead => "SSLWantReadError",
            SslErrorKind::WantWrite => "SSLWantWriteError",
            SslErrorKind::Syscall => "SSLSyscallError",
            SslErrorKind::Eof => "SSLEOFError",
            SslErrorKind::CertVerification => "SSLCertVerificationError",
        }
    }

    /// The `SSL_ERROR_*` number Python puts in `errno` for this kind.
    pub fn errno(self) -> SslErrorNumber {
        match self {
            SslErrorKind::Ssl | SslErrorKind::CertVerification => SslErrorNumber::SSL_ERROR_SSL,
            SslErrorKind::ZeroReturn => SslErrorNumber::SSL_ERROR_ZERO_RETURN,
            SslErrorKind::WantRead => SslErrorNumber::SSL_ERROR_WANT_READ,
            SslErrorKind::WantWrite => SslErrorNumber::SSL_ERROR_WANT_WRITE,
            SslErrorKind::Syscall => SslErrorNumber::SSL_ERROR_SYSCALL,
            SslErrorKind::Eof => SslErrorNumber::SSL_ERROR_EOF,
        }
    }
}

/// The result of a failed certificate verification: OpenSSL's `X509_V_ERR_*`
/// code and its message (Python's `verify_code` / `verify_message`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyFailure {
    /// `X509_V_ERR_*` number (18 = self-signed certificate, 62 = hostname mismatch, ...).
    pub code: i64,
    /// OpenSSL's text for the code (`self-signed certificate`, ...).
    pub message: String,
}

use crate::constants::{X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH};

impl VerifyFailure {
    /// The failure as CPython reports it for a connection to
    /// `server_hostname` (`fill_and_set_sslerror`): a name or IP mismatch
    /// names the host (`Hostname mismatch, certificate is not valid for
    /// 'localhost'.`); every other code keeps the library's `text`.
    pub fn of_connection(code: i64, text: &str, server_hostname: Option<&str>) -> Self {
        let host = server_hostname.unwrap_or("");
        let message = match code {
            X509_V_ERR_HOSTNAME_MISMATCH => {
                format!("Hostname mismatch, certificate is not valid for '{host}'.")
            }
            X509_V_ERR_IP_ADDRESS_MISMATCH => {
                format!("IP address mismatch, certificate is not valid for '{host}'.")
            }
            _ => text.to_owned(),
        };
        VerifyFailure { code, message }
    }
}

/// Text that is usually a literal: no allocation for the errors raised on hot
/// paths (`SSLWantReadError` on every non-blocking read that must wait).
pub type Text = Cow<'static, str>;

/// An `SSLError` (or one of its subclasses), with OpenSSL-style mnemonics.
/// Equality compares what Python sees (kind, library, reason, message,
/// verify outcome), not the library's own error kept as `cause`.
#[derive(Clone, Debug)]
pub struct SslError {
    /// Which subclass.
    pub kind: SslErrorKind,
    /// The library mnemonic (`SSL`, `PEM`, `X509`), Python's `library`.
    pub library: Option<Text>,
    /// The reason mnemonic (`CERTIFICATE_VERIFY_FAILED`), Python's `reason`.
    pub reason: Option<Text>,
    /// The human-readable message.
    pub message: Text,
    /// Verification outcome, for `SSLCertVerificationError` raised by a handshake.
    pub verify: Option<VerifyFailure>,
    /// The TLS library's own error this one was made from (`rustls::Error`,
    /// OpenSSL's error stack, ...), given as `source()`. (Boxed inside the
    /// `Arc`: a thin pointer keeps every `Result` small.)
    pub cause: Option<Arc<Cause>>,
}

/// A library's error kept by an [`SslError`].
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

impl PartialEq for SslError {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.library == other.library
            && self.reason == other.reason
            && self.message == other.message
            && self.verify == other.verify
    }
}

impl Eq for SslError {}

impl std::error::Error for SslError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|e| &**e as &(dyn std::error::Error + 'static))
    }
}

impl SslError {
    /// Python's `errno` attribute (an `SSL_ERROR_*` number).
    pub fn errno(&self) -> i64 {
        self.kind.errno() as i64
    }
}

impl fmt::Display for SslError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.library, &self.reason) {
            (Some(lib), Some(reason)) => write!(f, "[{lib}: {reason}] {}", self.message),
            (Some(lib), None) => write!(f, "[{lib}] {}", self.message),
            (None, Some(reason)) => write!(f, "[{reason}] {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// The error type of every fallible operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `SSLError` and its subclasses (E1-E7); `source()` is the library's
    /// own error, where the backend kept it.
    #[error(transparent)]
    Ssl(SslError),
    /// `ValueError`: misuse the reference says raises ValueError.
    #[error("{0}")]
    Value(String),
    /// `NotImplementedError`: a feature this backend's library cannot provide.
    #[error("{feature} is not supported by the {backend} backend")]
    NotImplemented {
        /// The backend's name (`rustls`, `openssl`, `native`).
        backend: &'static str,
        /// What was asked for (a reference id and name, e.g. `X15 set_npn_protocols`).
        feature: String,
    },
    /// An error of the underlying socket or file (`OSError`), shown as
    /// CPython shows it (`[Errno 104] Connection reset by peer`); the
    /// `io::Error` is its `source()`.
    #[error("{}", OsErrorText(.0))]
    Io(
        #[from]
        #[source]
        io::Error,
    ),
    /// A socket timeout (`socket.timeout` / `TimeoutError`).
    #[error("{0}")]
    Timeout(String),
}

/// An `io::Error` as CPython prints an `OSError`: `[Errno N] text` (on
/// Windows `[WinError N] text`), without Rust's ` (os error N)`; an error
/// that is not the OS's as it is.
struct OsErrorText<'a>(&'a io::Error);

impl fmt::Display for OsErrorText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(code) = self.0.raw_os_error() else {
            return fmt::Display::fmt(self.0, f);
        };
        let text = self.0.to_string();
        let suffix = format!(" (os error {code})");
        let text = text.strip_suffix(&suffix).unwrap_or(&text);
        if cfg!(windows) {
            write!(f, "[WinError {code}] {text}")
        } else {
            write!(f, "[Errno {code}] {text}")
        }
    }
}

/// CPython's text of an `SSLEOFError` (OpenSSL 3's reason text).
const EOF_MESSAGE: &str = "EOF occurred in violation of protocol";

impl Error {
    fn ssl_kind(
        kind: SslErrorKind,
        library: Option<Text>,
        reason: Option<Text>,
        message: Text,
    ) -> Self {
        Error::Ssl(SslError {
            kind,
            library,
            reason,
            message,
            verify: None,
            cause: None,
        })
    }

    /// `SSLError([library: reason] message)`.
    pub fn ssl(
        library: impl Into<Text>,
        reason: impl Into<Text>,
        message: impl Into<Text>,
    ) -> Self {
        Self::ssl_kind(
            SslErrorKind::Ssl,
            Some(library.into()),
            Some(reason.into()),
            message.into(),
        )
    }

    /// `SSLError([library] message)` with a library but no reason (`[SSL] PEM lib`).
    pub fn ssl_library(library: impl Into<Text>, message: impl Into<Text>) -> Self {
        Self::ssl_kind(
            SslErrorKind::Ssl,
            Some(library.into()),
            None,
            message.into(),
        )
    }

    /// `SSLError(message)` with no mnemonics (e.g. `No cipher can be selected.`).
    pub fn ssl_message(message: impl Into<Text>) -> Self {
        Self::ssl_kind(SslErrorKind::Ssl, None, None, message.into())
    }

    /// `SSLZeroReturnError`: TLS closed cleanly.
    pub fn zero_return() -> Self {
        Self::ssl_kind(
            SslErrorKind::ZeroReturn,
            None,
            None,
            Cow::Borrowed("TLS/SSL connection has been closed (EOF)"),
        )
    }

    /// `SSLWantReadError`.
    pub fn want_read() -> Self {
        Self::ssl_kind(
            SslErrorKind::WantRead,
            None,
            None,
            Cow::Borrowed("The operation did not complete (read)"),
        )
    }

    /// `SSLWantWriteError`.
    pub fn want_write() -> Self {
        Self::ssl_kind(
            SslErrorKind::WantWrite,
            None,
            None,
            Cow::Borrowed("The operation did not complete (write)"),
        )
    }

    /// `SSLSyscallError`.
    pub fn syscall(message: impl Into<Text>) -> Self {
        Self::ssl_kind(SslErrorKind::Syscall, None, None, message.into())
    }

    /// `SSLEOFError` for an OS error (a reset, a broken pipe) under a read or
    /// a write after the handshake: CPython 3.10+ calls `SSL_read_ex` /
    /// `SSL_write_ex`, whose failure value 0 takes `PySSL_SetError`'s
    /// "ret == 0" branch, so the errno is not raised (a handshake or an
    /// unwrap raises the `OSError` itself). No library or reason, as there;
    /// the OS error is the `source()`.
    pub fn eof_from_io(e: io::Error) -> Self {
        Self::ssl_kind(SslErrorKind::Eof, None, None, Cow::Borrowed(EOF_MESSAGE)).with_cause(e)
    }

    /// `SSLEOFError` for an EOF the TLS library saw (OpenSSL 3's
    /// `UNEXPECTED_EOF_WHILE_READING`).
    pub fn eof() -> Self {
        Self::ssl_kind(
            SslErrorKind::Eof,
            Some(Cow::Borrowed("SSL")),
            Some(Cow::Borrowed("UNEXPECTED_EOF_WHILE_READING")),
            Cow::Borrowed(EOF_MESSAGE),
        )
    }

    /// `SSLError` `[SSL: SHUTDOWN_WHILE_IN_INIT] shutdown while in init`:
    /// `unwrap()` before the handshake (S10), as OpenSSL's SSL_shutdown says
    /// it; for the backends whose library does not.
    pub fn shutdown_while_in_init() -> Self {
        Self::ssl("SSL", "SHUTDOWN_WHILE_IN_INIT", "shutdown while in init")
    }

    /// `SSLCertVerificationError` from a handshake, with the verify code and message:
    /// `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: <message>`.
    pub fn cert_verify(code: i64, message: impl Into<String>) -> Self {
        let message = message.into();
        Error::Ssl(SslError {
            kind: SslErrorKind::CertVerification,
            library: Some("SSL".into()),
            reason: Some("CERTIFICATE_VERIFY_FAILED".into()),
            message: format!("certificate verify failed: {message}").into(),
            verify: Some(VerifyFailure { code, message }),
            cause: None,
        })
    }

    /// A verification failure as CPython words it for a connection to
    /// `server_hostname` ([`VerifyFailure::of_connection`]); any other
    /// error is returned as it is. For libraries whose error does not know
    /// the connection's name.
    pub fn on_connection_to(self, server_hostname: Option<&str>) -> Self {
        match self {
            Error::Ssl(SslError {
                kind: SslErrorKind::CertVerification,
                verify: Some(v),
                cause,
                ..
            }) => {
                let v = VerifyFailure::of_connection(v.code, &v.message, server_hostname);
                match Error::cert_verify(v.code, v.message) {
                    Error::Ssl(mut e) => {
                        e.cause = cause;
                        Error::Ssl(e)
                    }
                    other => other,
                }
            }
            other => other,
        }
    }

    /// This error with the TLS library's own error kept as its `source()`
    /// (an `SSLError`; other kinds are returned as they are).
    pub fn with_cause(self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        match self {
            Error::Ssl(mut e) => {
                e.cause = Some(Arc::new(Box::new(cause)));
                Error::Ssl(e)
            }
            other => other,
        }
    }

    /// `CertificateError(message)`, as raised by `match_hostname`.
    pub fn certificate(message: impl Into<Text>) -> Self {
        Self::ssl_kind(SslErrorKind::CertVerification, None, None, message.into())
    }

    /// `ValueError(message)`.
    pub fn value(message: impl Into<String>) -> Self {
        Error::Value(message.into())
    }

    /// `NotImplementedError` for `feature` on `backend`.
    pub fn not_implemented(backend: &'static str, feature: impl Into<String>) -> Self {
        Error::NotImplemented {
            backend,
            feature: feature.into(),
        }
    }

    /// The `SSLError` details, when this is one.
    pub fn as_ssl(&self) -> Option<&SslError> {
        match self {
            Error::Ssl(e) => Some(e),
            _ => None,
        }
    }

    /// The `SSLError` subclass, when this is one.
    pub fn ssl_kind_of(&self) -> Option<SslErrorKind> {
        self.as_ssl().map(|e| e.kind)
    }

    /// The reason mnemonic, when there is one.
    pub fn reason(&self) -> Option<&str> {
        self.as_ssl().and_then(|e| e.reason.as_deref())
    }

    /// The library mnemonic, when there is one.
    pub fn library(&self) -> Option<&str> {
        self.as_ssl().and_then(|e| e.library.as_deref())
    }

    /// True for `SSLWantReadError` / `SSLWantWriteError`.
    pub fn is_want(&self) -> bool {
        matches!(
            self.ssl_kind_of(),
            Some(SslErrorKind::WantRead | SslErrorKind::WantWrite)
        )
    }

    /// Python's class name (`SSLError`, `SSLEOFError`, `ValueError`, ...).
    pub fn python_type(&self) -> &'static str {
        match self {
            Error::Ssl(e) => e.kind.python_name(),
            Error::Value(_) => "ValueError",
            Error::NotImplemented { .. } => "NotImplementedError",
            Error::Io(e) => os_error_class(e.kind()),
            Error::Timeout(_) => "TimeoutError",
        }
    }

    /// Python's `errno` attribute: the OS error number of an [`Error::Io`]
    /// that came from the OS (`ECONNRESET` for a `ConnectionResetError`), the
    /// `SSL_ERROR_*` number of an `SSLError`, else `None`.
    pub fn errno(&self) -> Option<i64> {
        match self {
            Error::Ssl(e) => Some(e.errno()),
            Error::Io(e) => e.raw_os_error().map(i64::from),
            _ => None,
        }
    }

    /// Python's `isinstance(err, <name>)` over the hierarchy above.
    pub fn is_instance(&self, python_class: &str) -> bool {
        let own = self.python_type();
        if own == python_class {
            return true;
        }
        match python_class {
            "OSError" => matches!(self, Error::Ssl(_) | Error::Io(_) | Error::Timeout(_)),
            "ConnectionError" => matches!(
                own,
                "BrokenPipeError"
                    | "ConnectionAbortedError"
                    | "ConnectionRefusedError"
                    | "ConnectionResetError"
            ),
            "SSLError" => matches!(self, Error::Ssl(_)),
            "CertificateError" => self.ssl_kind_of() == Some(SslErrorKind::CertVerification),
            "ValueError" => {
                matches!(self, Error::Value(_))
                    || self.ssl_kind_of() == Some(SslErrorKind::CertVerification)
            }
            _ => false,
        }
    }
}

/// The `OSError` subclass Python raises for an OS error of `kind`: CPython
/// picks it by errno (`ECONNRESET` -> `ConnectionResetError`, ...), and the
/// standard library decodes the same errno values into these kinds.
fn os_error_class(kind: io::ErrorKind) -> &'static str {
    use io::ErrorKind as K;
    match kind {
        K::NotFound => "FileNotFoundError",
        K::AlreadyExists => "FileExistsError",
        K::PermissionDenied => "PermissionError",
        K::IsADirectory => "IsADirectoryError",
        K::NotADirectory => "NotADirectoryError",
        K::Interrupted => "InterruptedError",
        K::WouldBlock => "BlockingIOError",
        K::TimedOut => "TimeoutError",
        K::BrokenPipe => "BrokenPipeError",
        K::ConnectionAborted => "ConnectionAbortedError",
        K::ConnectionRefused => "ConnectionRefusedError",
        K::ConnectionReset => "ConnectionResetError",
        _ => "OSError",
    }
}

impl From<Error> for io::Error {
    /// For `std::io::Read` / `Write` over an `SSLSocket`: OS errors stay
    /// themselves, a timeout is `TimedOut`, WantRead / WantWrite are
    /// `WouldBlock` (the `Error` is kept inside, for `downcast`), the rest
    /// `Other` / `InvalidInput` / `Unsupported` around the `Error`.
    fn from(e: Error) -> io::Error {
        match e {
            Error::Io(e) => e,
            Error::Timeout(m) => io::Error::new(io::ErrorKind::TimedOut, m),
            e if e.is_want() => io::Error::new(io::ErrorKind::WouldBlock, e),
            e @ Error::Value(_) => io::Error::new(io::ErrorKind::InvalidInput, e),
            e @ Error::NotImplemented { .. } => io::Error::new(io::ErrorKind::Unsupported, e),
            e => io::Error::other(e),
        }
    }
}

/// OpenSSL's reason mnemonic for receiving TLS alert `code` (e.g. 48 ->
/// `TLSV1_ALERT_UNKNOWN_CA`), as every backend reports a peer's alert.
pub fn alert_reason(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "SSLV3_ALERT_CLOSE_NOTIFY",
        10 => "SSLV3_ALERT_UNEXPECTED_MESSAGE",
        20 => "SSLV3_ALERT_BAD_RECORD_MAC",
        21 => "TLSV1_ALERT_DECRYPTION_FAILED",
        22 => "TLSV1_ALERT_RECORD_OVERFLOW",
        30 => "SSLV3_ALERT_DECOMPRESSION_FAILURE",
        40 => "SSLV3_ALERT_HANDSHAKE_FAILURE",
        41 => "SSLV3_ALERT_NO_CERTIFICATE",
        42 => "SSLV3_ALERT_BAD_CERTIFICATE",
        43 => "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
        44 => "SSLV3_ALERT_CERTIFICATE_REVOKED",
        45 => "SSLV3_ALERT_CERTIFICATE_EXPIRED",
        46 => "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
        47 => "SSLV3_ALERT_ILLEGAL_PARAMETER",
        48 => "TLSV1_ALERT_UNKNOWN_CA",
        49 => "TLSV1_ALERT_ACCESS_DENIED",
        50 => "TLSV1_ALERT_DECODE_ERROR",
        51 => "TLSV1_ALERT_DECRYPT_ERROR",
        60 => "TLSV1_ALERT_EXPORT_RESTRICTION",
        70 => "TLSV1_ALERT_PROTOCOL_VERSION",
        71 => "TLSV1_ALERT_INSUFFICIENT_SECURITY",
        80 => "TLSV1_ALERT_INTERNAL_ERROR",
        86 => "TLSV1_ALERT_INAPPROPRIATE_FALLBACK",
        90 => "TLSV1_ALERT_USER_CANCELLED",
        100 => "TLSV1_ALERT_NO_RENEGOTIATION",
        109 => "TLSV13_ALERT_MISSING_EXTENSION",
        110 => "TLSV1_UNSUPPORTED_EXTENSION",
        111 => "TLSV1_CERTIFICATE_UNOBTAINABLE",
        112 => "TLSV1_UNRECOGNIZED_NAME",
        113 => "TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE",
        114 => "TLSV1_BAD_CERTIFICATE_HASH_VALUE",
        115 => "TLSV1_ALERT_UNKNOWN_PSK_IDENTITY",
        116 => "TLSV13_ALERT_CERTIFICATE_REQUIRED",
        120 => "TLSV1_ALERT_NO_APPLICATION_PROTOCOL",
        _ => return None,
    })
}

/// OpenSSL's diagnosis of a server that received plaintext where a TLS record
/// belongs: `HTTP_REQUEST` for an HTTP method, `HTTPS_PROXY_REQUEST` for
/// `CONNECT`, otherwise `WRONG_VERSION_NUMBER`.
pub fn plaintext_record_error(first_bytes: &[u8]) -> Error {
    let starts = |p: &[u8]| first_bytes.starts_with(p);
    if starts(b"GET ") || starts(b"POST ") || starts(b"HEAD ") || starts(b"PUT ") {
        Error::ssl("SSL", "HTTP_REQUEST", "http request")
    } else if starts(b"CONNE") {
        Error::ssl("SSL", "HTTPS_PROXY_REQUEST", "https proxy request")
    } else {
        Error::ssl("SSL", "WRONG_VERSION_NUMBER", "wrong version number")
    }
}

impl Error {
    /// The `SSLError` for a fatal alert received from the peer, worded as
    /// OpenSSL words it: `[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca`.
    pub fn alert_received(code: u8) -> Self {
        match alert_reason(code) {
            Some(reason) => {
                let message = reason.to_ascii_lowercase().replace('_', " ");
                Error::ssl("SSL", reason, message)
            }
            None => Error::ssl(
                "SSL",
                "UNKNOWN_ALERT_TYPE",
                format!("unknown alert type ({code})"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_reads_like_python() {
        assert_eq!(
            Error::cert_verify(18, "self-signed certificate").to_string(),
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"
        );
        assert_eq!(
            Error::ssl("SSL", "WRONG_VERSION_NUMBER", "wrong version number").to_string(),
            "[SSL: WRONG_VERSION_NUMBER] wrong version number"
        );
        assert_eq!(
            Error::want_read().to_string(),
            "The operation did not complete (read)"
        );
        assert_eq!(
            Error::eof().to_string(),
            "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol"
        );
        assert_eq!(
            Error::not_implemented("rustls", "X15 set_npn_protocols").to_string(),
            "X15 set_npn_protocols is not supported by the rustls backend"
        );
    }

    #[test]
    fn hierarchy_and_errno() {
        let e = Error::certificate("hostname 'a' doesn't match 'b'");
        assert!(e.is_instance("CertificateError"));
        assert!(e.is_instance("ValueError"));
        assert!(e.is_instance("SSLError"));
        assert!(e.is_instance("OSError"));
        assert!(!Error::value("x").is_instance("SSLError"));
        let e = Error::syscall("Some I/O error occurred");
        for class in ["SSLSyscallError", "SSLError", "OSError"] {
            assert!(e.is_instance(class), "{class}");
        }
        assert!(!e.is_instance("SSLEOFError") && !e.is_instance("ConnectionError"));
        assert_eq!(e.errno(), Some(5));
        let reset = Error::Io(io::ErrorKind::ConnectionReset.into());
        assert_eq!(reset.python_type(), "ConnectionResetError");
        for class in ["ConnectionResetError", "ConnectionError", "OSError"] {
            assert!(reset.is_instance(class), "{class}");
        }
        assert!(!reset.is_instance("SSLError"));
        let refused = Error::Io(io::ErrorKind::ConnectionRefused.into());
        assert_eq!(refused.python_type(), "ConnectionRefusedError");
        assert_eq!(refused.errno(), None);
        assert_eq!(
            Error::Io(io::ErrorKind::Other.into()).python_type(),
            "OSError"
        );
        assert_eq!(Error::want_read().as_ssl().unwrap().errno(), 2);
        assert_eq!(Error::want_write().as_ssl().unwrap().errno(), 3);
        assert_eq!(Error::zero_return().as_ssl().unwrap().errno(), 6);
        assert_eq!(Error::eof().as_ssl().unwrap().errno(), 8);
        assert_eq!(Error::cert_verify(62, "x").as_ssl().unwrap().errno(), 1);
        assert!(Error::want_write().is_want());
        #[cfg(target_os = "linux")]
        {
            let reset = Error::Io(io::Error::from_raw_os_error(104));
            assert_eq!(reset.to_string(), "[Errno 104] Connection reset by peer");
            let source = std::error::Error::source(&reset).map(|s| s.to_string());
            assert_eq!(
                source.as_deref(),
                Some("Connection reset by peer (os error 104)")
            );
        }
        let plain = Error::Io(io::Error::other("no such thing"));
        assert_eq!(plain.to_string(), "no such thing");
        assert_eq!(
            Error::alert_received(48).to_string(),
            "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca"
        );
        assert_eq!(
            Error::alert_received(255).reason(),
            Some("UNKNOWN_ALERT_TYPE")
        );
        assert_eq!(
            Error::cert_verify(62, "hostname mismatch")
                .on_connection_to(Some("localhost"))
                .to_string(),
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'localhost'."
        );
        assert_eq!(
            Error::cert_verify(64, "IP address mismatch")
                .on_connection_to(Some("127.0.0.2"))
                .as_ssl()
                .and_then(|e| e.verify.clone())
                .map(|v| v.message),
            Some("IP address mismatch, certificate is not valid for '127.0.0.2'.".into())
        );
        assert_eq!(
            Error::cert_verify(20, "unable to get local issuer certificate")
                .on_connection_to(Some("localhost"))
                .to_string(),
            Error::cert_verify(20, "unable to get local issuer certificate").to_string()
        );
        assert_eq!(
            Error::cert_verify(62, "Hostname mismatch")
                .as_ssl()
                .unwrap()
                .verify,
            Some(VerifyFailure {
                code: 62,
                message: "Hostname mismatch".into()
            })
        );
    }
}
