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

pub use cert::record::{CertRecord, Rdn};
pub use constants::*;
pub use error::{Error, Result, SslError, SslErrorKind, VerifyFailure};
pub use pyvalue::PyValue;
