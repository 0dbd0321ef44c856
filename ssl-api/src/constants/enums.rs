//! The integer enums: `VerifyMode` (C1), `_SSLMethod` (C3), `TLSVersion`
//! (X23+), `AlertDescription` (C8) and `SSLErrorNumber` (C10).
#![allow(non_camel_case_types, non_upper_case_globals)]

use super::int_enum::py_int_enum;

py_int_enum! {
    /// `ssl.VerifyMode` (C1): how a context verifies the peer's certificate
    /// (`SSLContext.verify_mode`). Same on every backend.
    pub enum VerifyMode ("VerifyMode", "C1") {
        #[doc(alias = "CERT_NONE")]
        CertNone = 0 => "CERT_NONE",
        #[doc(alias = "CERT_OPTIONAL")]
        CertOptional = 1 => "CERT_OPTIONAL",
        #[doc(alias = "CERT_REQUIRED")]
        CertRequired = 2 => "CERT_REQUIRED",
    }
}

impl VerifyMode {
    /// `ssl.VerifyMode.CERT_NONE` (C1), Python's spelling of [`VerifyMode::CertNone`].
    pub const CERT_NONE: VerifyMode = VerifyMode::CertNone;
    /// `ssl.VerifyMode.CERT_OPTIONAL` (C1), Python's spelling of [`VerifyMode::CertOptional`].
    pub const CERT_OPTIONAL: VerifyMode = VerifyMode::CertOptional;
    /// `ssl.VerifyMode.CERT_REQUIRED` (C1), Python's spelling of [`VerifyMode::CertRequired`].
    pub const CERT_REQUIRED: VerifyMode = VerifyMode::CertRequired;
}

py_int_enum! {
    /// `ssl._SSLMethod` (C3): the protocol argument of `SSLContext(protocol)`.
    ///
    /// `PROTOCOL_SSLv23` is an alias of `PROTOCOL_TLS` ([`Protocol::SSLv23`]).
    /// `PROTOCOL_SSLv2` and `PROTOCOL_SSLv3` exist only in CPython builds whose
    /// OpenSSL has those methods (not CPython 3.11 on OpenSSL 3); they are kept
    /// here so ports compile, and backends refuse them. `PROTOCOL_TLSv1*` are
    /// deprecated in Python; whether a backend can honour them is per backend.
    #[doc(alias = "_SSLMethod")]
    pub enum Protocol ("_SSLMethod", "C3") {
        #[doc(alias = "PROTOCOL_SSLv2")]
        SSLv2 = 0 => "PROTOCOL_SSLv2",
        #[doc(alias = "PROTOCOL_SSLv3")]
        SSLv3 = 1 => "PROTOCOL_SSLv3",
        #[doc(alias = "PROTOCOL_TLS")]
        #[doc(alias = "PROTOCOL_SSLv23")]
        TLS = 2 => "PROTOCOL_TLS",
        #[doc(alias = "PROTOCOL_TLSv1")]
        TLSv1 = 3 => "PROTOCOL_TLSv1",
        #[doc(alias = "PROTOCOL_TLSv1_1")]
        TLSv1_1 = 4 => "PROTOCOL_TLSv1_1",
        #[doc(alias = "PROTOCOL_TLSv1_2")]
        TLSv1_2 = 5 => "PROTOCOL_TLSv1_2",
        #[doc(alias = "PROTOCOL_TLS_CLIENT")]
        TLS_CLIENT = 16 => "PROTOCOL_TLS_CLIENT",
        #[doc(alias = "PROTOCOL_TLS_SERVER")]
        TLS_SERVER = 17 => "PROTOCOL_TLS_SERVER",
    }
}

impl Protocol {
    /// `ssl.PROTOCOL_SSLv23` (C3): an alias of [`Protocol::TLS`] (value 2).
    #[doc(alias = "PROTOCOL_SSLv23")]
    pub const SSLv23: Protocol = Protocol::TLS;

    /// True for the members CPython 3.11 on OpenSSL 3 defines (all but
    /// `PROTOCOL_SSLv2` and `PROTOCOL_SSLv3`) (C3).
    pub const fn in_cpython(self) -> bool {
        !matches!(self, Protocol::SSLv2 | Protocol::SSLv3)
    }
}

py_int_enum! {
    /// `ssl.TLSVersion` (X23+): values of `SSLContext.minimum_version` /
    /// `maximum_version`. `MINIMUM_SUPPORTED` (-2) and `MAXIMUM_SUPPORTED` (-1)
    /// are magic values meaning "whatever the backend supports". Ordered by
    /// value, like Python's `IntEnum`.
    #[doc(alias = "TLSVersion")]
    pub enum TlsVersion ("TLSVersion", "X23+") {
        MINIMUM_SUPPORTED = -2 => "MINIMUM_SUPPORTED",
        SSLv3 = 768 => "SSLv3",
        TLSv1 = 769 => "TLSv1",
        TLSv1_1 = 770 => "TLSv1_1",
        TLSv1_2 = 771 => "TLSv1_2",
        TLSv1_3 = 772 => "TLSv1_3",
        MAXIMUM_SUPPORTED = -1 => "MAXIMUM_SUPPORTED",
    }
}

py_int_enum! {
    /// `ssl.AlertDescription` (C8): TLS alert codes of the IANA registry, as
    /// Python names them (`ALERT_DESCRIPTION_*`). Same on every backend.
    pub enum AlertDescription ("AlertDescription", "C8") {
        ALERT_DESCRIPTION_CLOSE_NOTIFY = 0 => "ALERT_DESCRIPTION_CLOSE_NOTIFY",
        ALERT_DESCRIPTION_UNEXPECTED_MESSAGE = 10 => "ALERT_DESCRIPTION_UNEXPECTED_MESSAGE",
        ALERT_DESCRIPTION_BAD_RECORD_MAC = 20 => "ALERT_DESCRIPTION_BAD_RECORD_MAC",
        ALERT_DESCRIPTION_RECORD_OVERFLOW = 22 => "ALERT_DESCRIPTION_RECORD_OVERFLOW",
        ALERT_DESCRIPTION_DECOMPRESSION_FAILURE = 30 => "ALERT_DESCRIPTION_DECOMPRESSION_FAILURE",
        ALERT_DESCRIPTION_HANDSHAKE_FAILURE = 40 => "ALERT_DESCRIPTION_HANDSHAKE_FAILURE",
        ALERT_DESCRIPTION_BAD_CERTIFICATE = 42 => "ALERT_DESCRIPTION_BAD_CERTIFICATE",
        ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE = 43 => "ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE",
        ALERT_DESCRIPTION_CERTIFICATE_REVOKED = 44 => "ALERT_DESCRIPTION_CERTIFICATE_REVOKED",
        ALERT_DESCRIPTION_CERTIFICATE_EXPIRED = 45 => "ALERT_DESCRIPTION_CERTIFICATE_EXPIRED",
        ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN = 46 => "ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN",
        ALERT_DESCRIPTION_ILLEGAL_PARAMETER = 47 => "ALERT_DESCRIPTION_ILLEGAL_PARAMETER",
        ALERT_DESCRIPTION_UNKNOWN_CA = 48 => "ALERT_DESCRIPTION_UNKNOWN_CA",
        ALERT_DESCRIPTION_ACCESS_DENIED = 49 => "ALERT_DESCRIPTION_ACCESS_DENIED",
        ALERT_DESCRIPTION_DECODE_ERROR = 50 => "ALERT_DESCRIPTION_DECODE_ERROR",
        ALERT_DESCRIPTION_DECRYPT_ERROR = 51 => "ALERT_DESCRIPTION_DECRYPT_ERROR",
        ALERT_DESCRIPTION_PROTOCOL_VERSION = 70 => "ALERT_DESCRIPTION_PROTOCOL_VERSION",
        ALERT_DESCRIPTION_INSUFFICIENT_SECURITY = 71 => "ALERT_DESCRIPTION_INSUFFICIENT_SECURITY",
        ALERT_DESCRIPTION_INTERNAL_ERROR = 80 => "ALERT_DESCRIPTION_INTERNAL_ERROR",
        ALERT_DESCRIPTION_USER_CANCELLED = 90 => "ALERT_DESCRIPTION_USER_CANCELLED",
        ALERT_DESCRIPTION_NO_RENEGOTIATION = 100 => "ALERT_DESCRIPTION_NO_RENEGOTIATION",
        ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION = 110 => "ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION",
        ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE = 111 => "ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE",
        ALERT_DESCRIPTION_UNRECOGNIZED_NAME = 112 => "ALERT_DESCRIPTION_UNRECOGNIZED_NAME",
        ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE = 113 => "ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE",
        ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE = 114 => "ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE",
        ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY = 115 => "ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY",
    }
}

py_int_enum! {
    /// `ssl.SSLErrorNumber` (C10): the `SSL_ERROR_*` codes Python puts in
    /// `SSLError.errno`. Same on every backend.
    #[doc(alias = "SSLErrorNumber")]
    pub enum SslErrorNumber ("SSLErrorNumber", "C10") {
        SSL_ERROR_SSL = 1 => "SSL_ERROR_SSL",
        SSL_ERROR_WANT_READ = 2 => "SSL_ERROR_WANT_READ",
        SSL_ERROR_WANT_WRITE = 3 => "SSL_ERROR_WANT_WRITE",
        SSL_ERROR_WANT_X509_LOOKUP = 4 => "SSL_ERROR_WANT_X509_LOOKUP",
        SSL_ERROR_SYSCALL = 5 => "SSL_ERROR_SYSCALL",
        SSL_ERROR_ZERO_RETURN = 6 => "SSL_ERROR_ZERO_RETURN",
        SSL_ERROR_WANT_CONNECT = 7 => "SSL_ERROR_WANT_CONNECT",
        SSL_ERROR_EOF = 8 => "SSL_ERROR_EOF",
        SSL_ERROR_INVALID_ERROR_CODE = 10 => "SSL_ERROR_INVALID_ERROR_CODE",
    }
}
