//! # ssl-api
//!
//! Python's `ssl` module as Rust traits, types and pure functions, for any TLS
//! provider. Backends (`backend-rustls`, ...) implement the traits; the facade
//! crate `ssl` picks one. This crate depends on no TLS library.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cert;
pub mod constants;
pub mod error;
pub mod hostname;
pub mod pyvalue;

pub use cert::pem::{der_cert_to_pem_cert, pem_cert_to_der_cert, PEM_FOOTER, PEM_HEADER};
pub use cert::record::{CertRecord, Rdn};
pub use cert::time::cert_time_to_seconds;
pub use constants::*;
pub use error::{Error, Result, SslError, SslErrorKind, VerifyFailure};
pub use hostname::match_hostname;
pub use pyvalue::PyValue;
