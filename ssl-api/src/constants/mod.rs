//! Constants (reference rows C1-C4, C8-C10 and `TLSVersion` of X23+), with
//! Python's exact names and integer values (CPython 3.11 on OpenSSL 3.0).
//!
//! Each Python enum is a Rust type — [`VerifyMode`] (C1), [`VerifyFlags`]
//! (C2), [`Protocol`] (C3, Python's `_SSLMethod`), [`Options`] (C4),
//! [`AlertDescription`] (C8), [`Purpose`] (C9), [`SslErrorNumber`] (C10),
//! [`TlsVersion`] — with `value()`, `name()`, `from_i64()` (Python's
//! `Enum(value)`), `repr()` printing what Python 3.11's `repr()` prints, and a
//! `Display` printing what `str()` prints. The module-level constants
//! (`CERT_REQUIRED`, `OP_NO_TLSv1`, `PROTOCOL_TLS_CLIENT`, ...) keep Python's
//! names, so code ports line by line; [`module_constants`] lists them.
//!
//! The per-backend constants (C5 `HAS_*`, C6 `CHANNEL_BINDING_TYPES`, C7
//! `OPENSSL_VERSION*`) are not here: they describe the TLS library a backend
//! links, and come from its capabilities.

mod enums;
mod flags;
mod int_enum;
mod names;
pub mod openssl_errors;
mod purpose;
mod verify;

pub use enums::{AlertDescription, Protocol, SslErrorNumber, TlsVersion, VerifyMode};
pub use flags::{Options, VerifyFlags};
pub use names::*;
pub use purpose::{Asn1Object, Purpose};
pub use verify::*;

/// CPython 3.11's default cipher string (`PY_SSL_DEFAULT_CIPHER_STRING` in
/// `Modules/_ssl.c`, Python's `_ssl._DEFAULT_CIPHERS`), which every new
/// `SSLContext` starts with.
pub const DEFAULT_CIPHERS: &str =
    "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM";
