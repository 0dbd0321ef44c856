//! # backend-openssl
//!
//! Python's `ssl` module ([`ssl_api`]) on OpenSSL through the [`openssl`]
//! crate, built the way CPython's `_ssl` module is built on the same library:
//! [`OpenSsl`] is the [`ssl_api::Backend`], [`OpenSslContext`] the
//! `SSLContext` (one `SSL_CTX` per context, CPython's defaults, X1-X23),
//! [`OpenSslObject`] the `SSLObject` over two MemoryBIOs (O1) and
//! [`OpenSslSession`] the `SSLSession` (N1).
//!
//! Errors carry OpenSSL's own library / reason mnemonics and verify codes
//! (E1-E7, see [`errors`] docs); capabilities (C5-C7) are read
//! from the linked library. What `openssl` 0.10 does not expose safely is
//! reached through `openssl-sys` in one module (`ffi`), each `unsafe` block
//! with its safety argument.
//!
//! ```
//! use ssl_api::{Backend, Context, PROTOCOL_TLS_CLIENT, CERT_REQUIRED};
//! let ctx = backend_openssl::OpenSslContext::new(PROTOCOL_TLS_CLIENT)?;
//! assert_eq!(ctx.verify_mode(), CERT_REQUIRED);
//! assert_eq!(ctx.options().value(), 0x8252_0050);
//! assert!(backend_openssl::OpenSsl::capabilities().library_version.starts_with("OpenSSL"));
//! # Ok::<(), ssl_api::Error>(())
//! ```
#![deny(unsafe_code)]
#![deny(missing_docs)]

mod context;
pub mod errors;
mod ffi;
mod object;
mod session;

pub use context::{OpenSslContext, DEFAULT_CIPHER_STRING};
pub use object::OpenSslObject;
pub use session::OpenSslSession;

use ssl_api::{Capabilities, DefaultVerifyPaths, Error, Result, Unsupported};

/// The OpenSSL backend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenSsl;

/// CPython's `_openssl_version_info`: `(major, minor, fix, patch, status)`
/// from `OPENSSL_VERSION_NUMBER` (C7).
pub fn version_info(number: u64) -> (u32, u32, u32, u32, u32) {
    let status = (number & 0xF) as u32;
    let n = number >> 4;
    let patch = (n & 0xFF) as u32;
    let n = n >> 8;
    let fix = (n & 0xFF) as u32;
    let n = n >> 8;
    let minor = (n & 0xFF) as u32;
    let major = ((n >> 8) & 0xFF) as u32;
    (major, minor, fix, patch, status)
}

impl ssl_api::Backend for OpenSsl {
    const NAME: &'static str = "openssl";
    type Context = OpenSslContext;
    type Object = OpenSslObject;
    type Session = OpenSslSession;

    /// C5-C7 from the linked library. `HAS_NPN` is false as in CPython 3.11
    /// (which no longer enables NPN), `HAS_SSLv3` false as OpenSSL 3 builds
    /// (Debian's included) have no SSLv3.
    fn capabilities() -> Capabilities {
        let (text, number) = ffi::library_version();
        Capabilities {
            has_alpn: true,
            has_ecdh: true,
            has_sni: true,
            has_npn: false,
            has_sslv2: false,
            has_sslv3: false,
            has_tlsv1: true,
            has_tlsv1_1: true,
            has_tlsv1_2: true,
            has_tlsv1_3: true,
            has_never_check_common_name: true,
            channel_binding_types: vec!["tls-unique"],
            library_version: text,
            library_version_info: version_info(number),
            library_version_number: number,
            posture: posture(),
            unsupported: vec![
                Unsupported {
                    feature: "C3 PROTOCOL_SSLv2 / PROTOCOL_SSLv3",
                    reason:
                        "OpenSSL 3 has no SSLv2 and this build no SSLv3 (CPython lacks them too)",
                },
                Unsupported {
                    feature: "X15 set_npn_protocols",
                    reason: "CPython 3.11 reports HAS_NPN = False on this OpenSSL; mirrored",
                },
                Unsupported {
                    feature: "F6 RAND_egd",
                    reason: "OpenSSL 1.1+ has no EGD support",
                },
            ],
        }
    }

    fn rand_bytes(num: usize) -> Result<Vec<u8>> {
        let mut out = vec![0u8; num];
        openssl::rand::rand_bytes(&mut out).map_err(|e| errors::from_stack(&e, None))?;
        Ok(out)
    }

    fn rand_pseudo_bytes(num: usize) -> Result<(Vec<u8>, bool)> {
        // CPython 3.11 draws these from RAND_bytes too.
        Ok((Self::rand_bytes(num)?, true))
    }

    fn rand_status() -> bool {
        ffi::rand_status()
    }

    fn rand_add(bytes: &[u8], entropy: f64) -> Result<()> {
        if !entropy.is_finite() {
            return Err(Error::value("entropy must be a finite number"));
        }
        ffi::rand_add(bytes, entropy);
        Ok(())
    }

    fn get_default_verify_paths() -> DefaultVerifyPaths {
        let (file, dir) = ffi::default_cert_locations();
        DefaultVerifyPaths::from_library_defaults(&file, &dir)
    }
}

/// Where this backend's defaults differ from CPython's
/// `create_default_context()`, as the conformance report's posture probes
/// measure them.
fn posture() -> Vec<ssl_api::PostureNote> {
    Vec::new()
}
