//! Plain data types the traits exchange: capabilities, cipher descriptions,
//! statistics, default verify paths, passwords, CA data, wrap options.

use std::fmt;
use std::sync::Arc;

use crate::constants::TlsVersion;
use crate::error::Result;
use crate::pyvalue::PyValue;

/// A feature a backend's library cannot provide, with the reason (shown by the report).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported {
    /// Reference id and name, e.g. `X15 set_npn_protocols`.
    pub feature: &'static str,
    /// Why the library cannot do it.
    pub reason: &'static str,
}

/// What a backend can do (C5, C6, C7 and the declared gaps). Tests and the report
/// read this instead of asking which backend they run on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// `HAS_ALPN`.
    pub has_alpn: bool,
    /// `HAS_ECDH`.
    pub has_ecdh: bool,
    /// `HAS_SNI`.
    pub has_sni: bool,
    /// `HAS_NPN`.
    pub has_npn: bool,
    /// `HAS_SSLv2`.
    pub has_sslv2: bool,
    /// `HAS_SSLv3`.
    pub has_sslv3: bool,
    /// `HAS_TLSv1`.
    pub has_tlsv1: bool,
    /// `HAS_TLSv1_1`.
    pub has_tlsv1_1: bool,
    /// `HAS_TLSv1_2`.
    pub has_tlsv1_2: bool,
    /// `HAS_TLSv1_3`.
    pub has_tlsv1_3: bool,
    /// `HAS_NEVER_CHECK_COMMON_NAME`.
    pub has_never_check_common_name: bool,
    /// `CHANNEL_BINDING_TYPES` (C6).
    pub channel_binding_types: Vec<&'static str>,
    /// `OPENSSL_VERSION` (C7): the linked library's version text.
    pub library_version: String,
    /// `OPENSSL_VERSION_INFO` (C7): (major, minor, fix, patch, status).
    pub library_version_info: (u32, u32, u32, u32, u32),
    /// `OPENSSL_VERSION_NUMBER` (C7).
    pub library_version_number: u64,
    /// Features declared unavailable, with reasons.
    pub unsupported: Vec<Unsupported>,
    /// Where the library's defaults accept what CPython's
    /// `create_default_context()` refuses, or refuse what it accepts (the
    /// conformance report's security posture probes), with the reason.
    pub posture: Vec<PostureNote>,
}

/// A declared difference from CPython's default security posture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostureNote {
    /// The probe, e.g. `server accepts static RSA key exchange`.
    pub probe: &'static str,
    /// Why the backend differs.
    pub note: &'static str,
}

impl Capabilities {
    /// The declared reason this backend's answer to posture `probe`
    /// differs from CPython's, if it is declared.
    pub fn posture_note(&self, probe: &str) -> Option<&'static str> {
        self.posture
            .iter()
            .find(|p| p.probe == probe)
            .map(|p| p.note)
    }
}

impl Capabilities {
    /// The per-backend module constants (`HAS_*`, `OPENSSL_VERSION*`,
    /// `CHANNEL_BINDING_TYPES`) by Python name, as Python values.
    pub fn module_constants(&self) -> Vec<(&'static str, PyValue)> {
        let (a, b, c, d, e) = self.library_version_info;
        vec![
            ("HAS_ALPN", PyValue::Bool(self.has_alpn)),
            ("HAS_ECDH", PyValue::Bool(self.has_ecdh)),
            (
                "HAS_NEVER_CHECK_COMMON_NAME",
                PyValue::Bool(self.has_never_check_common_name),
            ),
            ("HAS_NPN", PyValue::Bool(self.has_npn)),
            ("HAS_SNI", PyValue::Bool(self.has_sni)),
            ("HAS_SSLv2", PyValue::Bool(self.has_sslv2)),
            ("HAS_SSLv3", PyValue::Bool(self.has_sslv3)),
            ("HAS_TLSv1", PyValue::Bool(self.has_tlsv1)),
            ("HAS_TLSv1_1", PyValue::Bool(self.has_tlsv1_1)),
            ("HAS_TLSv1_2", PyValue::Bool(self.has_tlsv1_2)),
            ("HAS_TLSv1_3", PyValue::Bool(self.has_tlsv1_3)),
            (
                "CHANNEL_BINDING_TYPES",
                PyValue::Tuple(
                    self.channel_binding_types
                        .iter()
                        .map(|s| PyValue::str(*s))
                        .collect(),
                ),
            ),
            (
                "OPENSSL_VERSION",
                PyValue::str(self.library_version.clone()),
            ),
            (
                "OPENSSL_VERSION_INFO",
                PyValue::Tuple(
                    [a, b, c, d, e]
                        .iter()
                        .map(|&x| PyValue::Int(i64::from(x)))
                        .collect(),
                ),
            ),
            (
                "OPENSSL_VERSION_NUMBER",
                PyValue::Int(self.library_version_number as i64),
            ),
        ]
    }

    /// The oldest protocol version the library speaks (CPython's
    /// `PY_PROTO_MINIMUM_AVAILABLE`): what `maximum_version =
    /// MINIMUM_SUPPORTED` stands for, as CPython resolves it.
    pub fn oldest_version(&self) -> TlsVersion {
        [
            (self.has_sslv3, TlsVersion::SSLv3),
            (self.has_tlsv1, TlsVersion::TLSv1),
            (self.has_tlsv1_1, TlsVersion::TLSv1_1),
            (self.has_tlsv1_2, TlsVersion::TLSv1_2),
        ]
        .into_iter()
        .find_map(|(has, v)| has.then_some(v))
        .unwrap_or(TlsVersion::TLSv1_3)
    }

    /// The newest protocol version the library speaks (CPython's
    /// `PY_PROTO_MAXIMUM_AVAILABLE`): what `minimum_version =
    /// MAXIMUM_SUPPORTED` stands for.
    pub fn newest_version(&self) -> TlsVersion {
        if self.has_tlsv1_3 {
            TlsVersion::TLSv1_3
        } else {
            TlsVersion::TLSv1_2
        }
    }

    /// The declared reason when `feature` (matched by its reference id prefix,
    /// e.g. `"X15"`) is unsupported.
    pub fn unsupported_reason(&self, feature_id: &str) -> Option<&'static str> {
        self.unsupported_feature(feature_id).map(|u| u.reason)
    }

    /// The declared gap (feature and reason) when `feature_id` (a reference
    /// id, e.g. `"X4"`) is unsupported.
    pub fn unsupported_feature(&self, feature_id: &str) -> Option<&Unsupported> {
        self.unsupported
            .iter()
            .find(|u| u.feature.split_whitespace().next() == Some(feature_id))
    }
}

/// One entry of `SSLContext.get_ciphers()` (X11), with CPython's dict keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CipherInfo {
    /// `id`: 0x0300xxxx, the OpenSSL id.
    pub id: u32,
    /// `name`: the OpenSSL name (`ECDHE-RSA-AES128-GCM-SHA256`, `TLS_AES_128_GCM_SHA256`).
    pub name: String,
    /// `protocol`: `TLSv1.2`, `TLSv1.3`.
    pub protocol: String,
    /// `description`: OpenSSL's `SSL_CIPHER_description` line.
    pub description: String,
    /// `strength_bits`.
    pub strength_bits: u32,
    /// `alg_bits`.
    pub alg_bits: u32,
    /// `aead`.
    pub aead: bool,
    /// `symmetric` (`aes-128-gcm`).
    pub symmetric: Option<String>,
    /// `digest` (`None` for AEAD suites).
    pub digest: Option<String>,
    /// `kea` (`kx-ecdhe`, `kx-any`).
    pub kea: Option<String>,
    /// `auth` (`auth-rsa`, `auth-any`).
    pub auth: Option<String>,
}

impl CipherInfo {
    /// The dict as `(key, value)` pairs in CPython's order.
    pub fn to_pairs(&self) -> Vec<(&'static str, PyValue)> {
        let opt = |o: &Option<String>| o.clone().map(PyValue::Str).unwrap_or(PyValue::None);
        vec![
            ("id", PyValue::Int(i64::from(self.id))),
            ("name", PyValue::str(self.name.clone())),
            ("protocol", PyValue::str(self.protocol.clone())),
            ("description", PyValue::str(self.description.clone())),
            ("strength_bits", PyValue::Int(i64::from(self.strength_bits))),
            ("alg_bits", PyValue::Int(i64::from(self.alg_bits))),
            ("aead", PyValue::Bool(self.aead)),
            ("symmetric", opt(&self.symmetric)),
            ("digest", opt(&self.digest)),
            ("kea", opt(&self.kea)),
            ("auth", opt(&self.auth)),
        ]
    }
}

/// `SSLSocket.cipher()` (S5): `(name, protocol version, secret bits)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CipherTriple {
    /// OpenSSL name of the suite.
    pub name: String,
    /// The protocol version that defined it (`TLSv1.2`, `TLSv1.3`).
    pub protocol: String,
    /// Secret bits.
    pub bits: u32,
}

/// `SSLContext.session_stats()` (X21).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionStats {
    /// `number`: sessions in the cache.
    pub number: i64,
    /// `connect`: client handshakes started.
    pub connect: i64,
    /// `connect_good`: client handshakes completed.
    pub connect_good: i64,
    /// `connect_renegotiate`.
    pub connect_renegotiate: i64,
    /// `accept`: server handshakes started.
    pub accept: i64,
    /// `accept_good`: server handshakes completed.
    pub accept_good: i64,
    /// `accept_renegotiate`.
    pub accept_renegotiate: i64,
    /// `hits`: sessions resumed from the cache.
    pub hits: i64,
    /// `misses`.
    pub misses: i64,
    /// `timeouts`.
    pub timeouts: i64,
    /// `cache_full`.
    pub cache_full: i64,
}

impl SessionStats {
    /// The dict as `(key, value)` pairs in CPython's order.
    pub fn to_pairs(&self) -> [(&'static str, i64); 11] {
        [
            ("number", self.number),
            ("connect", self.connect),
            ("connect_good", self.connect_good),
            ("connect_renegotiate", self.connect_renegotiate),
            ("accept", self.accept),
            ("accept_good", self.accept_good),
            ("accept_renegotiate", self.accept_renegotiate),
            ("hits", self.hits),
            ("misses", self.misses),
            ("timeouts", self.timeouts),
            ("cache_full", self.cache_full),
        ]
    }
}

/// `SSLContext.cert_store_stats()` (X22).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CertStoreStats {
    /// `x509`: certificates in the store.
    pub x509: i64,
    /// `crl`: CRLs in the store.
    pub crl: i64,
    /// `x509_ca`: certificates that are CAs.
    pub x509_ca: i64,
}

/// `ssl.get_default_verify_paths()` (F13).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefaultVerifyPaths {
    /// `cafile`: `openssl_cafile` resolved from the environment, `None` if absent.
    pub cafile: Option<String>,
    /// `capath`: `openssl_capath` resolved, `None` if not a directory.
    pub capath: Option<String>,
    /// `openssl_cafile_env` (`SSL_CERT_FILE`).
    pub openssl_cafile_env: String,
    /// `openssl_cafile`: the library's built-in CA file.
    pub openssl_cafile: String,
    /// `openssl_capath_env` (`SSL_CERT_DIR`).
    pub openssl_capath_env: String,
    /// `openssl_capath`: the library's built-in CA directory.
    pub openssl_capath: String,
}

impl DefaultVerifyPaths {
    /// Python's rule over a library's built-in CA file and directory: the
    /// environment variables `SSL_CERT_FILE` / `SSL_CERT_DIR` override them, and
    /// `cafile` / `capath` are `None` unless the file / directory exists.
    pub fn from_library_defaults(openssl_cafile: &str, openssl_capath: &str) -> Self {
        let cafile_env = "SSL_CERT_FILE";
        let capath_env = "SSL_CERT_DIR";
        let cafile = std::env::var(cafile_env).unwrap_or_else(|_| openssl_cafile.to_owned());
        let capath = std::env::var(capath_env).unwrap_or_else(|_| openssl_capath.to_owned());
        DefaultVerifyPaths {
            cafile: std::path::Path::new(&cafile)
                .is_file()
                .then_some(cafile.clone()),
            capath: std::path::Path::new(&capath)
                .is_dir()
                .then_some(capath.clone()),
            openssl_cafile_env: cafile_env.to_owned(),
            openssl_cafile: openssl_cafile.to_owned(),
            openssl_capath_env: capath_env.to_owned(),
            openssl_capath: openssl_capath.to_owned(),
        }
    }
}

/// The `password` argument of `load_cert_chain` (X7).
#[derive(Clone)]
pub enum Password {
    /// A `str` password.
    Str(String),
    /// A `bytes` password.
    Bytes(Vec<u8>),
    /// A callable returning the password (called only when the key is encrypted).
    Callback(Arc<dyn Fn() -> Result<Vec<u8>> + Send + Sync>),
}

impl Password {
    /// The password bytes (calling the callback if it is one).
    pub fn resolve(&self) -> Result<Vec<u8>> {
        match self {
            Password::Str(s) => Ok(s.as_bytes().to_vec()),
            Password::Bytes(b) => Ok(b.clone()),
            Password::Callback(f) => f(),
        }
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Password::Str(_) => "Password::Str(..)",
            Password::Bytes(_) => "Password::Bytes(..)",
            Password::Callback(_) => "Password::Callback(..)",
        })
    }
}

/// The certificate chain of [`load_cert_chain_from_memory`] (X7, Rust
/// addition): what `load_cert_chain` reads from `certfile`, from memory.
///
/// [`load_cert_chain_from_memory`]: crate::Context::load_cert_chain_from_memory
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertChain<'a> {
    /// PEM text, as a `certfile` holds it: the leaf's `CERTIFICATE` block
    /// first, then its intermediates; it may hold the private key too
    /// (before or after the certificates).
    Pem(&'a [u8]),
    /// DER: the leaf certificate, optionally followed by its intermediates,
    /// concatenated.
    Der(&'a [u8]),
}

/// The private key of [`load_cert_chain_from_memory`] (X7, Rust addition):
/// what `load_cert_chain` reads from `keyfile`, from memory.
///
/// [`load_cert_chain_from_memory`]: crate::Context::load_cert_chain_from_memory
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum KeyData<'a> {
    /// PEM text, in every form a `keyfile` may have: `PRIVATE KEY` (PKCS#8),
    /// `ENCRYPTED PRIVATE KEY`, `RSA PRIVATE KEY` (PKCS#1), `EC PRIVATE KEY`
    /// (SEC1), and OpenSSL's legacy encrypted PEM.
    Pem(&'a [u8]),
    /// DER: a PKCS#8 `PrivateKeyInfo`, a PKCS#8 `EncryptedPrivateKeyInfo`
    /// (decrypted with the password), a PKCS#1 `RSAPrivateKey` or a SEC1
    /// `ECPrivateKey`.
    Der(&'a [u8]),
}

impl fmt::Debug for KeyData<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        f.write_str(match self {
            KeyData::Pem(_) => "KeyData::Pem(..)",
            KeyData::Der(_) => "KeyData::Der(..)",
        })
    }
}

/// The `cadata` argument of `load_verify_locations` (X9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaData {
    /// PEM text (one or more certificates, and CRLs).
    Pem(String),
    /// DER bytes (one or more concatenated certificates).
    Der(Vec<u8>),
}
