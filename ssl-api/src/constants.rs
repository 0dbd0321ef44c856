//! Constants (reference rows C1-C10 and `TLSVersion`), with Python's exact names
//! and integer values (CPython 3.11 on OpenSSL 3).

/// `ssl.SSLErrorNumber` (C10): the `SSL_ERROR_*` codes.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i64)]
pub enum SslErrorNumber {
    /// `SSL_ERROR_ZERO_RETURN` = 6
    SSL_ERROR_ZERO_RETURN = 6,
    /// `SSL_ERROR_WANT_READ` = 2
    SSL_ERROR_WANT_READ = 2,
    /// `SSL_ERROR_WANT_WRITE` = 3
    SSL_ERROR_WANT_WRITE = 3,
    /// `SSL_ERROR_WANT_X509_LOOKUP` = 4
    SSL_ERROR_WANT_X509_LOOKUP = 4,
    /// `SSL_ERROR_SYSCALL` = 5
    SSL_ERROR_SYSCALL = 5,
    /// `SSL_ERROR_SSL` = 1
    SSL_ERROR_SSL = 1,
    /// `SSL_ERROR_WANT_CONNECT` = 7
    SSL_ERROR_WANT_CONNECT = 7,
    /// `SSL_ERROR_EOF` = 8
    SSL_ERROR_EOF = 8,
    /// `SSL_ERROR_INVALID_ERROR_CODE` = 10
    SSL_ERROR_INVALID_ERROR_CODE = 10,
}
