//! OpenSSL cipher strings over the rustls cipher suites (reference rows X11,
//! X13, S5, S6).
//!
//! rustls knows nothing of OpenSSL's cipher-list language, but Python's
//! `SSLContext.set_ciphers()`, `get_ciphers()`, `SSLSocket.cipher()` and
//! `shared_ciphers()` speak it. This module holds:
//!
//! * [`SUITES`], a static table of every suite rustls (with the aws-lc-rs
//!   provider) offers, with the names, ids, bit counts, `openssl ciphers -v`
//!   columns and the `get_ciphers()` dictionary fields OpenSSL 3.0 reports for
//!   the same suite;
//! * [`select_ciphers`], a re-implementation of OpenSSL 3.0's cipher-list
//!   grammar (`ssl/ssl_ciph.c`: `ssl_create_cipher_list`,
//!   `ssl_cipher_process_rulestr`, `ssl_cipher_apply_rule`,
//!   `ssl_cipher_strength_sort`) applied over the TLS 1.2 rows of that table;
//! * [`default_selection`], what a fresh CPython `SSLContext` selects.
//!
//! # How the emulation stays exact
//!
//! OpenSSL keeps all its TLS 1.2 suites in one linked list, first arranged by a
//! fixed sequence of "default preference" rules and then rearranged by the
//! user's rules. Every rule is a *stable partition* of that list by a
//! per-suite predicate (move the matching suites to the end, to the front, or
//! out of the list), and `@STRENGTH` is a stable sort by strength bits. Stable
//! partitions and stable sorts commute with restricting the list to a subset,
//! so running the same rules over only the suites rustls has yields exactly
//! OpenSSL's order restricted to those suites. The suites carry OpenSSL's
//! algorithm bit masks (`SSL_kECDHE`, `SSL_aRSA`, `SSL_AES256GCM`, `SSL_AEAD`,
//! `SSL_HIGH`, ...) and the aliases carry OpenSSL's alias masks, so `+`-joined
//! aliases intersect exactly as in OpenSSL. A name OpenSSL knows but this
//! table lacks (a cipher rustls does not implement) can only ever select
//! suites rustls lacks, so treating it as unknown (ignored, as OpenSSL
//! ignores unknown words) changes nothing in the projection.
//!
//! # Differences from OpenSSL, on purpose
//!
//! * A list that selects no TLS 1.2 suite is an error (`SSLError('No cipher can
//!   be selected.')`), as in OpenSSL/CPython. When OpenSSL would select only
//!   TLS 1.2 suites rustls does not implement (`"PSK"`, `"kRSA"`, `"DHE"`,
//!   `"AESCCM"`, ...), CPython succeeds but this module returns that same error:
//!   the context would really have no TLS 1.2 suite to offer, and silently
//!   enabling a different set would be worse than refusing.
//! * TLS 1.3 suites are not affected by cipher strings (OpenSSL configures them
//!   with `set_ciphersuites`, which Python does not expose); every selection
//!   lists all three, first, in OpenSSL's default order.
//! * Selection is stateless. OpenSSL remembers a Suite B mode set by an earlier
//!   `SUITEB128`/`SUITEB192` string on the same context; callers that need that
//!   must keep [`Selection::suite_b`] themselves.
//! * A string with an embedded NUL is Python's `ValueError('embedded null
//!   character')`, raised before OpenSSL sees it.

use rustls::crypto::aws_lc_rs::cipher_suite as cs;
use rustls::SupportedCipherSuite;
use ssl_api::Error;

/// The message of the `SSLError` raised when a cipher list selects nothing.
pub const NO_CIPHER_MESSAGE: &str = "No cipher can be selected.";

/// CPython's default cipher string (`PY_SSL_DEFAULT_CIPHER_STRING` in
/// `Modules/_ssl.c`, also `_ssl._DEFAULT_CIPHERS`), applied to every new
/// `SSLContext`.
pub const PY_DEFAULT_CIPHER_STRING: &str = ssl_api::DEFAULT_CIPHERS;

/// OpenSSL 3.0's `OSSL_default_cipher_list()`: what a cipher string starting
/// with `DEFAULT` expands to.
pub const OPENSSL_DEFAULT_CIPHER_LIST: &str = "ALL:!COMPLEMENTOFDEFAULT:!eNULL";

/// OpenSSL's algorithm bits (`ssl/ssl_local.h`), used by the suite table and
/// the alias table exactly as `ssl_ciph.c` uses them.
mod alg {
    // Key exchange (algorithm_mkey). TLS 1.3 suites have none ("any").
    pub const K_RSA: u32 = 0x0000_0001;
    pub const K_DHE: u32 = 0x0000_0002;
    pub const K_ECDHE: u32 = 0x0000_0004;
    pub const K_PSK: u32 = 0x0000_0008;
    pub const K_GOST: u32 = 0x0000_0010;
    pub const K_SRP: u32 = 0x0000_0020;
    pub const K_RSAPSK: u32 = 0x0000_0040;
    pub const K_ECDHEPSK: u32 = 0x0000_0080;
    pub const K_DHEPSK: u32 = 0x0000_0100;
    pub const K_GOST18: u32 = 0x0000_0200;
    pub const PSK: u32 = K_PSK | K_ECDHEPSK | K_DHEPSK | K_RSAPSK;

    // Server authentication (algorithm_auth).
    pub const A_RSA: u32 = 0x0000_0001;
    pub const A_DSS: u32 = 0x0000_0002;
    pub const A_NULL: u32 = 0x0000_0004;
    pub const A_ECDSA: u32 = 0x0000_0008;
    pub const A_PSK: u32 = 0x0000_0010;
    pub const A_GOST01: u32 = 0x0000_0020;
    pub const A_SRP: u32 = 0x0000_0040;
    pub const A_GOST12: u32 = 0x0000_0080;

    // Symmetric encryption (algorithm_enc).
    pub const DES: u32 = 0x0000_0001;
    pub const DES3: u32 = 0x0000_0002;
    pub const RC4: u32 = 0x0000_0004;
    pub const RC2: u32 = 0x0000_0008;
    pub const IDEA: u32 = 0x0000_0010;
    pub const E_NULL: u32 = 0x0000_0020;
    pub const AES128: u32 = 0x0000_0040;
    pub const AES256: u32 = 0x0000_0080;
    pub const CAMELLIA128: u32 = 0x0000_0100;
    pub const CAMELLIA256: u32 = 0x0000_0200;
    pub const E_GOST2814789CNT: u32 = 0x0000_0400;
    pub const SEED: u32 = 0x0000_0800;
    pub const AES128GCM: u32 = 0x0000_1000;
    pub const AES256GCM: u32 = 0x0000_2000;
    pub const AES128CCM: u32 = 0x0000_4000;
    pub const AES256CCM: u32 = 0x0000_8000;
    pub const AES128CCM8: u32 = 0x0001_0000;
    pub const AES256CCM8: u32 = 0x0002_0000;
    pub const E_GOST2814789CNT12: u32 = 0x0004_0000;
    pub const CHACHA20POLY1305: u32 = 0x0008_0000;
    pub const ARIA128GCM: u32 = 0x0010_0000;
    pub const ARIA256GCM: u32 = 0x0020_0000;
    pub const MAGMA: u32 = 0x0040_0000;
    pub const KUZNYECHIK: u32 = 0x0080_0000;
    pub const AESGCM: u32 = AES128GCM | AES256GCM;
    pub const AESCCM: u32 = AES128CCM | AES256CCM | AES128CCM8 | AES256CCM8;
    pub const AES: u32 = AES128 | AES256 | AESGCM | AESCCM;
    pub const CAMELLIA: u32 = CAMELLIA128 | CAMELLIA256;
    pub const CHACHA20: u32 = CHACHA20POLY1305;
    pub const ARIAGCM: u32 = ARIA128GCM | ARIA256GCM;
    pub const ARIA: u32 = ARIAGCM;
    pub const CBC: u32 = DES
        | DES3
        | RC2
        | IDEA
        | AES128
        | AES256
        | CAMELLIA128
        | CAMELLIA256
        | SEED
        | MAGMA
        | KUZNYECHIK;

    // MAC (algorithm_mac).
    pub const MD5: u32 = 0x0000_0001;
    pub const SHA1: u32 = 0x0000_0002;
    pub const GOST94: u32 = 0x0000_0004;
    pub const GOST89MAC: u32 = 0x0000_0008;
    pub const SHA256: u32 = 0x0000_0010;
    pub const SHA384: u32 = 0x0000_0020;
    pub const AEAD: u32 = 0x0000_0040;
    pub const GOST12_256: u32 = 0x0000_0080;
    pub const GOST89MAC12: u32 = 0x0000_0100;

    // Strength classes (algo_strength).
    pub const LOW: u32 = 0x0000_0002;
    pub const MEDIUM: u32 = 0x0000_0004;
    pub const HIGH: u32 = 0x0000_0008;
    pub const FIPS: u32 = 0x0000_0010;
    pub const NOT_DEFAULT: u32 = 0x0000_0020;
    pub const STRONG_MASK: u32 = 0x0000_001F;
    pub const DEFAULT_MASK: u32 = 0x0000_0020;

    // Protocol versions (min_tls).
    pub const SSL3_VERSION: u16 = 0x0300;
    pub const TLS1_VERSION: u16 = 0x0301;
    pub const TLS1_2_VERSION: u16 = 0x0303;
    pub const TLS1_3_VERSION: u16 = 0x0304;
}

/// The OpenSSL algorithm masks of a suite or an alias (`SSL_CIPHER`'s
/// `algorithm_*`, `min_tls` and `algo_strength`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Algs {
    mkey: u32,
    auth: u32,
    enc: u32,
    mac: u32,
    min_tls: u16,
    strength: u32,
}

impl Algs {
    const fn new(mkey: u32, auth: u32, enc: u32, mac: u32, min_tls: u16, strength: u32) -> Self {
        Algs {
            mkey,
            auth,
            enc,
            mac,
            min_tls,
            strength,
        }
    }
}

/// One cipher suite rustls offers, as OpenSSL 3.0 and CPython describe it.
#[derive(Debug)]
pub struct SuiteEntry {
    /// OpenSSL's name (`ECDHE-RSA-AES128-GCM-SHA256`; for TLS 1.3 the IANA
    /// name), Python's `name` and the first item of `SSLSocket.cipher()`.
    pub name: &'static str,
    /// The IANA / RFC name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    pub iana_name: &'static str,
    /// OpenSSL's id, `0x0300_0000 | iana_code` (Python's `id`).
    pub id: u32,
    /// `"TLSv1.2"` or `"TLSv1.3"` (`SSL_CIPHER_get_version`), Python's
    /// `protocol` and the second item of `SSLSocket.cipher()`.
    pub protocol: &'static str,
    /// The `Kx=` column of `openssl ciphers -v` (`ECDH`, `any`).
    pub kx: &'static str,
    /// The `Au=` column (`RSA`, `ECDSA`, `any`).
    pub au: &'static str,
    /// The `Enc=` column (`AESGCM(256)`, `CHACHA20/POLY1305(256)`).
    pub enc: &'static str,
    /// The `Mac=` column (`AEAD`).
    pub mac: &'static str,
    /// Secret bits (Python's `strength_bits`, the third item of `cipher()`).
    pub strength_bits: u16,
    /// Bits of the symmetric algorithm (Python's `alg_bits`).
    pub alg_bits: u16,
    /// Whether the suite is an AEAD (Python's `aead`).
    pub aead: bool,
    /// The symmetric cipher's short name (Python's `symmetric`).
    pub symmetric: &'static str,
    /// The MAC digest's short name, `None` for AEAD suites (Python's `digest`).
    pub digest: Option<&'static str>,
    /// The key exchange's short name (Python's `kea`: `kx-ecdhe`, `kx-any`).
    pub kea: &'static str,
    /// The authentication's short name (Python's `auth`: `auth-rsa`, ...).
    pub auth: &'static str,
    /// OpenSSL 3.0's `SSL_CIPHER_description()` line, without the trailing
    /// newline (CPython strips it; `openssl ciphers -v` prints these lines).
    pub description: &'static str,
    suite: &'static SupportedCipherSuite,
    algs: Algs,
}

impl PartialEq for SuiteEntry {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for SuiteEntry {}

impl SuiteEntry {
    /// The rustls suite this row describes (aws-lc-rs provider).
    pub fn rustls_suite(&self) -> SupportedCipherSuite {
        *self.suite
    }

    /// The IANA code point (`0xC02F`, `0x1301`, ...).
    pub fn iana_code(&self) -> u16 {
        (self.id & 0xFFFF) as u16
    }

    /// Whether this is a TLS 1.3 suite (not subject to cipher strings).
    pub fn is_tls13(&self) -> bool {
        self.algs.min_tls == alg::TLS1_3_VERSION
    }

    /// Python's `SSLSocket.cipher()` triple: (name, protocol, secret bits).
    pub fn python_cipher(&self) -> (&'static str, &'static str, u16) {
        (self.name, self.protocol, self.strength_bits)
    }
}

const HIGH_FIPS: u32 = alg::HIGH | alg::FIPS;

/// Every suite rustls offers with the aws-lc-rs provider
/// (`rustls::crypto::aws_lc_rs::ALL_CIPHER_SUITES`): the TLS 1.3 suites first,
/// in OpenSSL's default `TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:
/// TLS_AES_128_GCM_SHA256` order, then the TLS 1.2 suites.
pub static SUITES: [SuiteEntry; 9] = [
    SuiteEntry {
        name: "TLS_AES_256_GCM_SHA384",
        iana_name: "TLS_AES_256_GCM_SHA384",
        id: 0x0300_1302,
        protocol: "TLSv1.3",
        kx: "any",
        au: "any",
        enc: "AESGCM(256)",
        mac: "AEAD",
        strength_bits: 256,
        alg_bits: 256,
        aead: true,
        symmetric: "aes-256-gcm",
        digest: None,
        kea: "kx-any",
        auth: "auth-any",
        description: "TLS_AES_256_GCM_SHA384         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(256)            Mac=AEAD",
        suite: &cs::TLS13_AES_256_GCM_SHA384,
        algs: Algs::new(0, 0, alg::AES256GCM, alg::AEAD, alg::TLS1_3_VERSION, HIGH_FIPS),
    },
    SuiteEntry {
        name: "TLS_CHACHA20_POLY1305_SHA256",
        iana_name: "TLS_CHACHA20_POLY1305_SHA256",
        id: 0x0300_1303,
        protocol: "TLSv1.3",
        kx: "any",
        au: "any",
        enc: "CHACHA20/POLY1305(256)",
        mac: "AEAD",
        strength_bits: 256,
        alg_bits: 256,
        aead: true,
        symmetric: "chacha20-poly1305",
        digest: None,
        kea: "kx-any",
        auth: "auth-any",
        description: "TLS_CHACHA20_POLY1305_SHA256   TLSv1.3 Kx=any      Au=any   Enc=CHACHA20/POLY1305(256) Mac=AEAD",
        suite: &cs::TLS13_CHACHA20_POLY1305_SHA256,
        algs: Algs::new(0, 0, alg::CHACHA20POLY1305, alg::AEAD, alg::TLS1_3_VERSION, alg::HIGH),
    },
    SuiteEntry {
        name: "TLS_AES_128_GCM_SHA256",
        iana_name: "TLS_AES_128_GCM_SHA256",
        id: 0x0300_1301,
        protocol: "TLSv1.3",
        kx: "any",
        au: "any",
        enc: "AESGCM(128)",
        mac: "AEAD",
        strength_bits: 128,
        alg_bits: 128,
        aead: true,
        symmetric: "aes-128-gcm",
        digest: None,
        kea: "kx-any",
        auth: "auth-any",
        description: "TLS_AES_128_GCM_SHA256         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(128)            Mac=AEAD",
        suite: &cs::TLS13_AES_128_GCM_SHA256,
        algs: Algs::new(0, 0, alg::AES128GCM, alg::AEAD, alg::TLS1_3_VERSION, HIGH_FIPS),
    },
    SuiteEntry {
        name: "ECDHE-ECDSA-AES256-GCM-SHA384",
        iana_name: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        id: 0x0300_C02C,
        protocol: "TLSv1.2",
        kx: "ECDH",
        au: "ECDSA",
        enc: "AESGCM(256)",
        mac: "AEAD",
        strength_bits: 256,
        alg_bits: 256,
        aead: true,
        symmetric: "aes-256-gcm",
        digest: None,
        kea: "kx-ecdhe",
        auth: "auth-ecdsa",
        description: "ECDHE-ECDSA-AES256-GCM-SHA384  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(256)            Mac=AEAD",
        suite: &cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        algs: Algs::new(
            alg::K_ECDHE,
            alg::A_ECDSA,
            alg::AES256GCM,
            alg::AEAD,
            alg::TLS1_2_VERSION,
            HIGH_FIPS,
        ),
    },
    SuiteEntry {
        name: "ECDHE-RSA-AES256-GCM-SHA384",
        iana_name: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        id: 0x0300_C030,
        protocol: "TLSv1.2",
        kx: "ECDH",
        au: "RSA",
        enc: "AESGCM(256)",
        mac: "AEAD",
        strength_bits: 256,
        alg_bits: 256,
        aead: true,
        symmetric: "aes-256-gcm",
        digest: None,
        kea: "kx-ecdhe",
        auth: "auth-rsa",
        description: "ECDHE-RSA-AES256-GCM-SHA384    TLSv1.2 Kx=ECDH     Au=RSA   Enc=AESGCM(256)            Mac=AEAD",
        suite: &cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        algs: Algs::new(
            alg::K_ECDHE,
            alg::A_RSA,
            alg::AES256GCM,
            alg::AEAD,
            alg::TLS1_2_VERSION,
            HIGH_FIPS,
        ),
    },
    SuiteEntry {
        name: "ECDHE-ECDSA-CHACHA20-POLY1305",
        iana_name: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        id: 0x0300_CCA9,
        protocol: "TLSv1.2",
        kx: "ECDH",
        au: "ECDSA",
        enc: "CHACHA20/POLY1305(256)",
        mac: "AEAD",
        strength_bits: 256,
        alg_bits: 256,
        aead: true,
        symmetric: "chacha20-poly1305",
        digest: None,
        kea: "kx-ecdhe",
        auth: "auth-ecdsa",
        description: "ECDHE-ECDSA-CHACHA20-POLY1305  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=CHACHA20/POLY1305(256) Mac=AEAD",
        suite: &cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        algs: Algs::new(
            alg::K_ECDHE,
            alg::A_ECDSA,
            alg::CHACHA20POLY1305,
            alg::AEAD,
            alg::TLS1_2_VERSION,
            alg::HIGH,
        ),
    },
    SuiteEntry {
        name: "ECDHE-RSA-CHACHA20-POLY1305",
        iana_name: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        id: 0x0300_CCA8,
        protocol: "TLSv1.2",
        kx: "ECDH",
        au: "RSA",
        enc: "CHACHA20/POLY1305(256)",
        mac: "AEAD",
        strength_bits: 256,
        alg_bits: 256,
        aead: true,
        symmetric: "chacha20-poly1305",
        digest: None,
        kea: "kx-ecdhe",
        auth: "auth-rsa",
        description: "ECDHE-RSA-CHACHA20-POLY1305    TLSv1.2 Kx=ECDH     Au=RSA   Enc=CHACHA20/POLY1305(256) Mac=AEAD",
        suite: &cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        algs: Algs::new(
            alg::K_ECDHE,
            alg::A_RSA,
            alg::CHACHA20POLY1305,
            alg::AEAD,
            alg::TLS1_2_VERSION,
            alg::HIGH,
        ),
    },
    SuiteEntry {
        name: "ECDHE-ECDSA-AES128-GCM-SHA256",
        iana_name: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        id: 0x0300_C02B,
        protocol: "TLSv1.2",
        kx: "ECDH",
        au: "ECDSA",
        enc: "AESGCM(128)",
        mac: "AEAD",
        strength_bits: 128,
        alg_bits: 128,
        aead: true,
        symmetric: "aes-128-gcm",
        digest: None,
        kea: "kx-ecdhe",
        auth: "auth-ecdsa",
        description: "ECDHE-ECDSA-AES128-GCM-SHA256  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(128)            Mac=AEAD",
        suite: &cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        algs: Algs::new(
            alg::K_ECDHE,
            alg::A_ECDSA,
            alg::AES128GCM,
            alg::AEAD,
            alg::TLS1_2_VERSION,
            HIGH_FIPS,
        ),
    },
    SuiteEntry {
        name: "ECDHE-RSA-AES128-GCM-SHA256",
        iana_name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        id: 0x0300_C02F,
        protocol: "TLSv1.2",
        kx: "ECDH",
        au: "RSA",
        enc: "AESGCM(128)",
        mac: "AEAD",
        strength_bits: 128,
        alg_bits: 128,
        aead: true,
        symmetric: "aes-128-gcm",
        digest: None,
        kea: "kx-ecdhe",
        auth: "auth-rsa",
        description: "ECDHE-RSA-AES128-GCM-SHA256    TLSv1.2 Kx=ECDH     Au=RSA   Enc=AESGCM(128)            Mac=AEAD",
        suite: &cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        algs: Algs::new(
            alg::K_ECDHE,
            alg::A_RSA,
            alg::AES128GCM,
            alg::AEAD,
            alg::TLS1_2_VERSION,
            HIGH_FIPS,
        ),
    },
];

/// Index of the first TLS 1.2 row in [`SUITES`].
const FIRST_TLS12: usize = 3;
/// Number of TLS 1.2 rows.
const N12: usize = SUITES.len() - FIRST_TLS12;

/// The TLS 1.3 rows of [`SUITES`], in OpenSSL's default order.
pub fn tls13_suites() -> &'static [SuiteEntry] {
    &SUITES[..FIRST_TLS12]
}

/// The TLS 1.2 rows of [`SUITES`], in table order (not preference order).
pub fn tls12_suites() -> &'static [SuiteEntry] {
    &SUITES[FIRST_TLS12..]
}

/// The row with this OpenSSL or IANA name (exact, case-sensitive).
pub fn by_name(name: &str) -> Option<&'static SuiteEntry> {
    SUITES
        .iter()
        .find(|e| e.name == name || e.iana_name == name)
}

/// The row for a negotiated rustls suite (for `cipher()` / `shared_ciphers()`).
pub fn by_suite(suite: rustls::CipherSuite) -> Option<&'static SuiteEntry> {
    let code = u16::from(suite);
    SUITES.iter().find(|e| e.iana_code() == code)
}

/// A Suite B mode requested by a `SUITEB128ONLY`, `SUITEB128C2`, `SUITEB128`
/// or `SUITEB192` cipher string (RFC 6460); besides the cipher list it
/// restricts curves and signature algorithms in OpenSSL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuiteB {
    /// `SUITEB128ONLY`: 128-bit level only (`SSL_CERT_FLAG_SUITEB_128_LOS_ONLY`).
    Los128Only,
    /// `SUITEB128` / `SUITEB128C2`: 128-bit level, 192 allowed
    /// (`SSL_CERT_FLAG_SUITEB_128_LOS`).
    Los128,
    /// `SUITEB192`: 192-bit level (`SSL_CERT_FLAG_SUITEB_192_LOS`).
    Los192,
}

/// The result of a cipher string: the TLS 1.2 suites in preference order and
/// the settings the string carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    tls12: Vec<&'static SuiteEntry>,
    sec_level: Option<u8>,
    suite_b: Option<SuiteB>,
}

impl Selection {
    /// The selected TLS 1.2 suites, most preferred first (never empty).
    pub fn tls12(&self) -> &[&'static SuiteEntry] {
        &self.tls12
    }

    /// The TLS 1.3 suites, which cipher strings do not touch.
    pub fn tls13(&self) -> &'static [SuiteEntry] {
        tls13_suites()
    }

    /// Every enabled suite in Python's `get_ciphers()` order: TLS 1.3 first,
    /// then the selected TLS 1.2 suites.
    pub fn suites(&self) -> Vec<&'static SuiteEntry> {
        tls13_suites()
            .iter()
            .chain(self.tls12.iter().copied())
            .collect()
    }

    /// The enabled suites as rustls values, in the same order as [`Self::suites`]
    /// (for `CryptoProvider::cipher_suites`).
    pub fn rustls_suites(&self) -> Vec<SupportedCipherSuite> {
        self.suites().iter().map(|e| e.rustls_suite()).collect()
    }

    /// The last `@SECLEVEL=n` of the string, if any (0..=5).
    pub fn sec_level(&self) -> Option<u8> {
        self.sec_level
    }

    /// The Suite B mode the string asked for, if any.
    pub fn suite_b(&self) -> Option<SuiteB> {
        self.suite_b
    }
}

/// What a fresh CPython `SSLContext` has: [`PY_DEFAULT_CIPHER_STRING`] applied
/// (`@SECLEVEL=2`, the four ECDHE AES-GCM suites and the two ChaCha20 ones).
pub fn default_selection() -> Selection {
    match select_ciphers(PY_DEFAULT_CIPHER_STRING) {
        Ok(selection) => selection,
        // Unreachable with the constant above (the tests check it); keep a
        // well-formed answer rather than a panic.
        Err(_) => Selection {
            tls12: tls12_suites().iter().collect(),
            sec_level: Some(2),
            suite_b: None,
        },
    }
}

mod grammar;
#[cfg(test)]
mod tests;

pub use grammar::select_ciphers;
