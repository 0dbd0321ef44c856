//! # backend-rustls
//!
//! Python's `ssl` module ([`ssl_api`]) on [rustls] 0.23 with the aws-lc-rs
//! provider: [`Rustls`] is the [`ssl_api::Backend`], [`RustlsContext`] the
//! `SSLContext`, [`RustlsObject`] the `SSLObject` over two MemoryBIOs and
//! [`RustlsSession`] the `SSLSession`.
//!
//! What rustls cannot do (TLS 1.0/1.1, NPN, DH parameters, `tls-unique`,
//! post-handshake authentication, session lifetimes) is declared in
//! `Rustls::capabilities()` (the [`ssl_api::Backend`] impl) and answered with
//! `NotImplemented`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod ciphers;
mod context;
mod errors;
mod keylog;
mod object;
mod session;
mod suites;
mod verify;

pub use context::RustlsContext;
pub use object::RustlsObject;
pub use session::RustlsSession;

use ssl_api::{Capabilities, DefaultVerifyPaths, Error, Result, Unsupported};

/// The rustls backend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rustls;

/// The rustls version this crate is built and tested against
/// (`OPENSSL_VERSION` on this backend): the one the workspace's `Cargo.lock`
/// holds, which a test checks. The manifest asks for `^0.23.46` (a library
/// must not pin with `=`), so an application whose lockfile holds a later
/// 0.23 release links that one; cargo gives a crate no way to read the
/// version its dependency was resolved to, so this stays the tested one.
pub const RUSTLS_VERSION: (u32, u32, u32) = (0, 23, 46);

impl ssl_api::Backend for Rustls {
    const NAME: &'static str = "rustls";
    type Context = RustlsContext;
    type Object = RustlsObject;
    type Session = RustlsSession;

    fn capabilities() -> Capabilities {
        let (major, minor, patch) = RUSTLS_VERSION;
        Capabilities {
            has_alpn: true,
            has_ecdh: true,
            has_sni: true,
            has_npn: false,
            has_sslv2: false,
            has_sslv3: false,
            has_tlsv1: false,
            has_tlsv1_1: false,
            has_tlsv1_2: true,
            has_tlsv1_3: true,
            has_never_check_common_name: true,
            channel_binding_types: Vec::new(),
            library_version: format!("rustls {major}.{minor}.{patch}"),
            library_version_info: (major, minor, patch, 0, 15),
            library_version_number: (u64::from(major) << 28)
                | (u64::from(minor) << 20)
                | (u64::from(patch) << 4)
                | 0xf,
            posture: posture(),
            unsupported: [
                Unsupported {
                    feature: "C3 PROTOCOL_TLSv1 / PROTOCOL_TLSv1_1 / SSLv2 / SSLv3",
                    reason: "rustls implements only TLS 1.2 and TLS 1.3",
                },
                Unsupported {
                    feature: "X15 set_npn_protocols",
                    reason: "rustls has no NPN (superseded by ALPN)",
                },
                Unsupported {
                    feature: "X17 load_dh_params",
                    reason: "rustls has no finite-field DHE cipher suites",
                },
                Unsupported {
                    feature: "S8 get_channel_binding('tls-unique')",
                    reason: "rustls does not expose the Finished messages tls-unique is made of",
                },
                Unsupported {
                    feature: "_msg_callback (encrypted messages)",
                    reason: "rustls has no message hook: the callback sees the records and what is sent in the clear (the hellos, certificates and key exchange of TLS 1.2, TLS 1.3's hellos), encrypted messages as their record headers only",
                },
                Unsupported {
                    feature: "X23 post_handshake_auth",
                    reason: "rustls has no TLS 1.3 post-handshake client authentication",
                },
                Unsupported {
                    feature: "N1 timeout / ticket_lifetime_hint",
                    reason: "rustls does not expose a session ticket's lifetime (reported as 0)",
                },
                Unsupported {
                    feature: "X5 VERIFY_X509_STRICT",
                    reason: "webpki always applies its own strict RFC 5280 profile; the flag is stored but changes nothing",
                },
                Unsupported {
                    feature: "F6 RAND_egd",
                    reason: "no EGD support",
                },
            ]
            .into_iter()
            // aws-lc-rs draws from the OS generator, where RAND_add's bytes go.
            .chain(ssl_api::functions::RAND_ADD_TO_OS_GENERATOR_GAP)
            .collect(),
        }
    }

    fn rand_bytes(num: usize) -> Result<Vec<u8>> {
        let mut out = vec![0u8; num];
        rustls::crypto::aws_lc_rs::default_provider()
            .secure_random
            .fill(&mut out)
            .map_err(|_| Error::ssl("RAND", "PRNG_NOT_SEEDED", "PRNG not seeded"))?;
        Ok(out)
    }

    fn rand_status() -> bool {
        Self::rand_bytes(1).is_ok()
    }

    fn rand_add(bytes: &[u8], _entropy: f64) -> Result<()> {
        // aws-lc-rs's generator seeds and reseeds from the OS generator
        // (its own RAND_add does nothing): the bytes go into the OS pool.
        ssl_api::functions::rand_add_to_os_generator("rustls", bytes)
    }

    fn get_default_verify_paths() -> DefaultVerifyPaths {
        // rustls-native-certs finds the system bundle the way openssl-probe does.
        let (cafile, capath) = ssl_api::cert::probe_system_ca_locations();
        DefaultVerifyPaths::from_library_defaults(&cafile, &capath)
    }
}

/// Where this backend's defaults differ from CPython's
/// `create_default_context()`, as the conformance report's posture probes
/// measure them.
fn posture() -> Vec<ssl_api::PostureNote> {
    const NO_P521: &str = "rustls's aws-lc-rs provider offers the groups X25519MLKEM768, X25519, P-256 and P-384, not P-521";
    vec![
        ssl_api::PostureNote {
            probe: "server accepts group P-521",
            note: NO_P521,
        },
        ssl_api::PostureNote {
            probe: "client accepts group P-521 only",
            note: NO_P521,
        },
    ]
}
