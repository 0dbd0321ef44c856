//! # ssl
//!
//! Python's `ssl` module, in Rust, over pluggable TLS providers. This facade
//! re-exports the API of [`ssl_api`] (constants, errors, MemoryBIO, the
//! certificate record, the pure functions) and picks the default backend by
//! cargo feature:
//!
//! | feature   | backend                  | priority as `DefaultBackend` |
//! |-----------|--------------------------|------------------------------|
//! | `rustls`  | `backend_rustls::Rustls` | 1 (default feature)          |
//! | `native`  | `backend_native::Native` | 2                            |
//!
//! (`openssl` joins as its backend lands.) Every enabled backend
//! stays usable by name at run time through [`backend_names`] /
//! [`capabilities`].
//!
//! ## A TLS 1.3 connection over two MemoryBIO pairs
//!
//! ```
//! use ssl::{Bio, Context, MemoryBio, Object, WrapOptions, SSLContext, PROTOCOL_TLS_CLIENT,
//!           PROTOCOL_TLS_SERVER, CERT_NONE};
//! # let key = rcgen::KeyPair::generate().unwrap();
//! # let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap()
//! #     .self_signed(&key).unwrap();
//! # let dir = tempfile::tempdir().unwrap();
//! # let (certfile, keyfile) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
//! # std::fs::write(&certfile, cert.pem()).unwrap();
//! # std::fs::write(&keyfile, key.serialize_pem()).unwrap();
//! let server = SSLContext::new(PROTOCOL_TLS_SERVER)?;
//! server.load_cert_chain(&certfile, Some(&keyfile), None)?;
//! let client = SSLContext::new(PROTOCOL_TLS_CLIENT)?;
//! client.load_verify_locations(Some(&certfile), None, None)?;
//!
//! let (c_in, c_out, s_in, s_out) = (MemoryBio::new(), MemoryBio::new(), MemoryBio::new(), MemoryBio::new());
//! let mut c = client.wrap_bio(c_in.clone(), c_out.clone(), WrapOptions::client("localhost"))?;
//! let mut s = server.wrap_bio(s_in.clone(), s_out.clone(), WrapOptions::server())?;
//! let pump = || { s_in.write(&c_out.read(None)).unwrap(); c_in.write(&s_out.read(None)).unwrap(); };
//! for _ in 0..10 {
//!     let (a, b) = (c.do_handshake(), s.do_handshake());
//!     pump();
//!     if a.is_ok() && b.is_ok() { break; }
//! }
//! assert_eq!(c.version(), Some("TLSv1.3"));
//! c.write(b"hello")?;
//! pump();
//! let mut buf = [0u8; 5];
//! assert_eq!(s.read(&mut buf)?, 5);
//! assert_eq!(&buf, b"hello");
//! # Ok::<(), ssl::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use ssl_api::*;

#[cfg(not(any(feature = "rustls", feature = "native")))]
compile_error!("enable at least one backend feature of `ssl`: rustls, native");

cfg_if::cfg_if! {
    if #[cfg(feature = "rustls")] {
        /// The backend chosen by cargo feature (see the table above).
        pub type DefaultBackend = backend_rustls::Rustls;
    } else if #[cfg(feature = "native")] {
        /// The backend chosen by cargo feature (see the table above).
        pub type DefaultBackend = backend_native::Native;
    }
}

/// `ssl.enum_certificates(store_name)` (F14) and `ssl.enum_crls(store_name)`
/// (F15): the Windows system certificate stores, read as CPython reads them,
/// whatever the backend (see `backend_native::windows`).
#[cfg(windows)]
pub use backend_native::windows::{
    enum_certificates, enum_crls, Encoding as StoreEncoding, StoreCertificate, StoreCrl, Trust,
};

/// `SSLContext` of the default backend.
pub type SSLContext = <DefaultBackend as Backend>::Context;
/// `SSLObject` of the default backend.
pub type SSLObject = <DefaultBackend as Backend>::Object;
/// `SSLSession` of the default backend.
pub type SSLSession = <DefaultBackend as Backend>::Session;

/// The names of the backends compiled in, default first.
pub fn backend_names() -> Vec<&'static str> {
    let mut names = vec![DefaultBackend::NAME];
    #[cfg(feature = "rustls")]
    if !names.contains(&backend_rustls::Rustls::NAME) {
        names.push(backend_rustls::Rustls::NAME);
    }
    #[cfg(feature = "native")]
    if !names.contains(&backend_native::Native::NAME) {
        names.push(backend_native::Native::NAME);
    }
    names
}

/// The capabilities of the backend called `name`, if it is compiled in.
pub fn capabilities(name: &str) -> Option<Capabilities> {
    match name {
        #[cfg(feature = "rustls")]
        "rustls" => Some(backend_rustls::Rustls::capabilities()),
        #[cfg(feature = "native")]
        "native" => Some(backend_native::Native::capabilities()),
        _ => None,
    }
}
