//! # ssl-api
//!
//! Python's `ssl` module as Rust traits, types and pure functions, for any TLS
//! provider. Backends (`backend-rustls`, ...) implement the traits in
//! [`backend`]; the facade crate `ssl` picks one. This crate depends on no TLS
//! library: everything that is the same on every backend (constants, errors,
//! certificate decoding, hostname matching, MemoryBIO, the rules of
//! `SSLContext`'s attributes, the transport seam of [`transport`], Python's
//! `SSLSocket` semantics over any transport in [`stream`] (and over an OS
//! socket in [`socket`]) and the
//! `ssl.py`-level module functions of [`functions`]) lives here, once.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod backend;
pub mod bio;
pub mod cert;
pub mod constants;
pub mod dynamic;
pub mod error;
pub mod functions;
pub mod hostname;
pub mod idna;
pub mod pyvalue;
pub mod settings;
pub mod socket;
pub mod spi;
pub mod stream;
#[cfg(feature = "tokio")]
pub mod tokio;
pub mod transport;
pub mod types;
pub mod wrap;

pub use backend::{
    Backend, Context, MessageCallback, Object, ServernameCallback, ServernameRequest, Session,
    TlsMessage, WrapOptions,
};
pub use bio::{Bio, MemoryBio};
pub use cert::pem::{der_cert_to_pem_cert, pem_cert_to_der_cert, PEM_FOOTER, PEM_HEADER};
pub use cert::record::{CertRecord, Rdn};
pub use cert::time::cert_time_to_seconds;
pub use constants::*;
pub use error::{Error, Result, SslError, SslErrorKind, VerifyFailure};
pub use hostname::match_hostname;
pub use pyvalue::PyValue;
pub use settings::ContextSettings;
pub use socket::SslSocket;
/// The socket library [`SslSocket`] is built on (re-exported so callers name the same `Socket`).
pub use socket2;
pub use stream::{SocketFile, SocketOptions, SslStream};
#[cfg(unix)]
pub use transport::BorrowedSocket;
pub use transport::{Endpoint, IoStream, MemoryTransport, SharedTransport, Transport};
pub use types::*;
pub use wrap::ContextExt;
