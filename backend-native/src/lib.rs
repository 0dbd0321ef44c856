//! # backend-native
//!
//! Python's `ssl` module ([`ssl_api`]) on [native-tls] 0.2: OpenSSL on Linux,
//! schannel on Windows, Security.framework on macOS. [`Native`] is the
//! [`ssl_api::Backend`], [`NativeContext`] the `SSLContext`, [`NativeObject`]
//! the `SSLObject` over two MemoryBIOs (feature `tls`, on by default).
//!
//! What native-tls cannot express (cipher strings, sessions, the SNI callback,
//! a server asking for a client certificate, CRLs, ...) is declared in
//! `Native::capabilities()` (the [`ssl_api::Backend`] impl) with the reason
//! and answered with `NotImplemented`. What native-tls does not report but
//! the handshake says in plaintext (the negotiated version and cipher suite)
//! is read from the ServerHello as it passes through the BIOs.
//!
//! The platform certificate stores live in the `system-store` crate (no TLS
//! library) and are re-exported here under their old paths, usable without
//! the TLS part (`default-features = false`):
//!
//! - Windows: `windows::enum_certificates` (F14), `windows::enum_crls` (F15)
//!   and `windows::system_trust_certs` (X8, CPython's
//!   `_load_windows_store_certs` over the CA and ROOT stores);
//! - macOS: `macos::trusted_roots` (X8, the keychain trust settings);
//! - everywhere: [`system_store::trusted_certs`], the platform's trusted roots
//!   for a purpose as DER (`None` where the platform has no such store).
#![deny(missing_docs)]
#![deny(unsafe_code)]

#[cfg(feature = "tls")]
mod context;
#[cfg(feature = "tls")]
mod errors;
#[cfg(feature = "tls")]
mod keys;
#[cfg(feature = "tls")]
mod object;
#[cfg(feature = "tls")]
mod session;
#[cfg(feature = "tls")]
mod wire;

#[cfg(target_os = "macos")]
pub use ::system_store::macos;
#[cfg(windows)]
pub use ::system_store::windows;
/// The platform stores (re-exported from the `system-store` crate).
pub mod system_store {
    pub use ::system_store::trusted_certs;
}

#[cfg(feature = "tls")]
pub use context::NativeContext;
#[cfg(feature = "tls")]
pub use object::NativeObject;
#[cfg(feature = "tls")]
pub use session::NativeSession;

/// The backend's name (`ssl_api::Backend::NAME`).
pub const NAME: &str = "native";

/// The native-tls backend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Native;

#[cfg(feature = "tls")]
mod backend {
    use ssl_api::{Capabilities, DefaultVerifyPaths, Error, Result, Unsupported};

    use super::*;

    /// What every platform lacks through native-tls.
    const COMMON_GAPS: &[Unsupported] = &[
        Unsupported {
            feature: "_msg_callback (encrypted messages)",
            reason: "native-tls has no message hook: the callback sees the records and what is sent in the clear (the hellos, certificates and key exchange of TLS 1.2, TLS 1.3's hellos), encrypted messages as their record headers only",
        },
        Unsupported {
            feature: "X23+ num_tickets",
            reason: "native-tls sends its platform's number of TLS 1.3 tickets",
        },
        Unsupported {
            feature: "C3 PROTOCOL_SSLv2 / PROTOCOL_SSLv3",
            reason: "native-tls offers TLS 1.0 to 1.3 only",
        },
        Unsupported {
            feature: "X3 options (other than OP_NO_TLSv1*)",
            reason: "native-tls has no option switches: the other OP_* bits are kept and reported but change nothing",
        },
        Unsupported {
            feature: "X4 verify_mode on the server (client certificate request)",
            reason: "native-tls's TlsAcceptor cannot ask for or verify a client certificate; wrapping a server under CERT_OPTIONAL / CERT_REQUIRED is NotImplemented",
        },
        Unsupported {
            feature: "X5 verify_flags (CRL checks, X509_STRICT, PARTIAL_CHAIN)",
            reason: "native-tls has no verification flags; only VERIFY_X509_TRUSTED_FIRST (what the platforms do anyway) is accepted",
        },
        Unsupported {
            feature: "X9 CRLs in load_verify_locations",
            reason: "native-tls cannot take CRLs: they are counted by cert_store_stats() but never used",
        },
        Unsupported {
            feature: "X11 get_ciphers",
            reason: "native-tls does not expose the platform's cipher list",
        },
        Unsupported {
            feature: "X13 set_ciphers",
            reason: "native-tls takes no cipher list",
        },
        Unsupported {
            feature: "S6 shared_ciphers",
            reason: "native-tls does not say which suites the platform accepts, so the overlap is unknown (None)",
        },
        Unsupported {
            feature: "X15 set_npn_protocols",
            reason: "native-tls has no NPN (superseded by ALPN)",
        },
        Unsupported {
            feature: "X16 set_servername_callback / sni_callback / SSLObject.context swap",
            reason: "native-tls's TlsAcceptor has no SNI callback",
        },
        Unsupported {
            feature: "X17 load_dh_params",
            reason: "native-tls takes no DH parameters",
        },
        Unsupported {
            feature: "X18 set_ecdh_curve",
            reason: "native-tls takes no curve list",
        },
        Unsupported {
            feature: "X21 session_stats (number, hits, misses, timeouts, cache_full)",
            reason: "native-tls shows no session cache: only connect/accept counts are kept, the rest stay 0",
        },
        Unsupported {
            feature: "S14 session / session_reused",
            reason: "native-tls cannot hand a session to the caller or resume one the caller chooses",
        },
        Unsupported {
            feature: "N1 SSLSession",
            reason: "no SSLSession value exists on native-tls (see S14)",
        },
        Unsupported {
            feature: "S8 get_channel_binding('tls-unique')",
            reason: "native-tls does not expose the Finished messages tls-unique is made of",
        },
        Unsupported {
            feature: "X23 post_handshake_auth / keylog_filename / hostname_checks_common_name=False",
            reason: "native-tls has no post-handshake authentication, no key log callback and no switch for the platform's commonName fallback",
        },
        Unsupported {
            feature: "F6 RAND_egd",
            reason: "no EGD support",
        },
    ];

    impl ssl_api::Backend for Native {
        const NAME: &'static str = NAME;
        type Context = NativeContext;
        type Object = NativeObject;
        type Session = NativeSession;

        fn capabilities() -> Capabilities {
            let (library_version, library_version_number) = library_version();
            let n = library_version_number;
            let mut unsupported = COMMON_GAPS.to_vec();
            unsupported.extend(ssl_api::functions::RAND_ADD_TO_OS_GENERATOR_GAP);
            #[cfg(not(any(windows, target_vendor = "apple")))]
            unsupported.push(Unsupported {
                feature: "S11 server-side TLS 1.3 (OpenSSL)",
                reason: "native-tls builds its OpenSSL server from SslAcceptor::mozilla_intermediate, which sets OP_NO_TLSv1_3: the native server speaks at most TLS 1.2",
            });
            #[cfg(target_vendor = "apple")]
            unsupported.extend([
                Unsupported {
                    feature: "X14 server-side ALPN",
                    reason: "native-tls's Security.framework server cannot select an ALPN protocol",
                },
                Unsupported {
                    feature: "C5 HAS_TLSv1_3",
                    reason: "Security.framework's SecureTransport (what native-tls drives) stops at TLS 1.2",
                },
            ]);
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
                has_tlsv1_3: !cfg!(target_vendor = "apple"),
                has_never_check_common_name: false,
                channel_binding_types: Vec::new(),
                library_version,
                library_version_info: (
                    ((n >> 28) & 0xff) as u32,
                    ((n >> 20) & 0xff) as u32,
                    ((n >> 12) & 0xff) as u32,
                    ((n >> 4) & 0xff) as u32,
                    (n & 0xf) as u32,
                ),
                library_version_number: n,
                posture: posture(),
                unsupported,
            }
        }

        fn rand_bytes(num: usize) -> Result<Vec<u8>> {
            let mut out = vec![0u8; num];
            getrandom::getrandom(&mut out)
                .map_err(|_| Error::ssl("RAND", "PRNG_NOT_SEEDED", "PRNG not seeded"))?;
            Ok(out)
        }

        fn rand_status() -> bool {
            Self::rand_bytes(1).is_ok()
        }

        fn rand_add(bytes: &[u8], _entropy: f64) -> Result<()> {
            // rand_bytes reads the OS generator: the bytes go into its pool.
            ssl_api::functions::rand_add_to_os_generator(NAME, bytes)
        }

        fn get_default_verify_paths() -> DefaultVerifyPaths {
            // native-tls on Linux finds the bundle with openssl-probe; the
            // same probe answers here. Windows and macOS have no such files:
            // the probe then reports OpenSSL's compiled-in defaults, as
            // CPython's bundled OpenSSL does there.
            let (cafile, capath) = ssl_api::cert::probe_system_ca_locations();
            DefaultVerifyPaths::from_library_defaults(&cafile, &capath)
        }
    }

    /// `OPENSSL_VERSION` / `OPENSSL_VERSION_NUMBER` (C7) of the library linked.
    #[cfg(not(any(windows, target_vendor = "apple")))]
    fn library_version() -> (String, u64) {
        (
            openssl::version::version().to_owned(),
            openssl::version::number() as u64,
        )
    }

    /// `OPENSSL_VERSION` / `OPENSSL_VERSION_NUMBER` (C7): schannel has no
    /// version of its own; native-tls's is reported (0.2 -> 0x00200000f).
    #[cfg(windows)]
    fn library_version() -> (String, u64) {
        ("native-tls 0.2 (schannel)".to_owned(), (2 << 20) | 0xf)
    }

    /// `OPENSSL_VERSION` / `OPENSSL_VERSION_NUMBER` (C7) on Apple platforms.
    #[cfg(target_vendor = "apple")]
    fn library_version() -> (String, u64) {
        (
            "native-tls 0.2 (Security.framework)".to_owned(),
            (2 << 20) | 0xf,
        )
    }
}

/// Where this backend's defaults differ from CPython's
/// `create_default_context()`, as the conformance report's posture probes
/// measure them.
fn posture() -> Vec<ssl_api::PostureNote> {
    // What native-tls builds on OpenSSL (Linux and other Unix), which it
    // offers no way to configure (X13 set_ciphers is declared unsupported).
    #[cfg(not(any(windows, target_vendor = "apple")))]
    {
        vec![
            ssl_api::PostureNote {
                probe: "server accepts TLS 1.3",
                note: "native-tls's OpenSSL server (SslAcceptor::mozilla_intermediate) sets OP_NO_TLSv1_3: TLS 1.2 at most (S11)",
            },
            ssl_api::PostureNote {
                probe: "server issues TLS 1.3 session tickets",
                note: "no TLS 1.3 on native-tls's OpenSSL server (S11)",
            },
            ssl_api::PostureNote {
                probe: "server accepts static RSA key exchange (no forward secrecy)",
                note: "native-tls builds its OpenSSL server with SslAcceptor::mozilla_intermediate (Mozilla's intermediate profile v4), whose cipher list keeps static-RSA suites (AES128-GCM-SHA256, AES128-SHA, ...); CPython's _DEFAULT_CIPHERS allow ECDH and DHE only",
            },
            ssl_api::PostureNote {
                probe: "server accepts finite-field DHE",
                note: "Mozilla's intermediate profile v4 (native-tls's OpenSSL server) lists DHE-RSA suites and OpenSSL picks DH parameters itself; CPython's server lists DHE too but has no DH parameters until load_dh_params (X17)",
            },
            ssl_api::PostureNote {
                probe: "server accepts CBC with SHA-1 (ECDHE-RSA-AES128-SHA)",
                note: "Mozilla's intermediate profile v4 (native-tls's OpenSSL server) keeps the CBC-SHA1 suites (ECDHE-RSA-AES128-SHA, ...); CPython's _DEFAULT_CIPHERS say !SHA1",
            },
            ssl_api::PostureNote {
                probe: "client accepts static RSA key exchange (no forward secrecy)",
                note: "native-tls's OpenSSL client (SslConnector::builder) uses rust-openssl's cipher list DEFAULT:!aNULL:!eNULL:!MD5:!3DES:!DES:!RC4:!IDEA:!SEED:!aDSS:!SRP:!PSK, which keeps static RSA; CPython's _DEFAULT_CIPHERS (ECDH/DHE only, !SHA1) refuse it",
            },
            ssl_api::PostureNote {
                probe: "client accepts CBC with SHA-1 (ECDHE-RSA-AES128-SHA)",
                note: "native-tls's OpenSSL client keeps OpenSSL's DEFAULT list (with CBC-SHA1 suites); CPython's _DEFAULT_CIPHERS say !SHA1",
            },
        ]
    }
    #[cfg(any(windows, target_vendor = "apple"))]
    Vec::new()
}
