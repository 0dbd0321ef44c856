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
pub const PY_DEFAULT_CIPHER_STRING: &str =
    "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM";

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

// ---------------------------------------------------------------------------
// The cipher-list engine (ssl/ssl_ciph.c).
// ---------------------------------------------------------------------------

/// An entry of OpenSSL's `ca_list`: a cipher name or a group alias.
struct Alias {
    name: &'static str,
    /// `Some(id)` for a real cipher (`SSL_CIPHER.valid`).
    cipher_id: Option<u32>,
    algs: Algs,
}

const fn alias(name: &'static str, mkey: u32, auth: u32, enc: u32, mac: u32) -> Alias {
    Alias {
        name,
        cipher_id: None,
        algs: Algs::new(mkey, auth, enc, mac, 0, 0),
    }
}

const fn version_alias(name: &'static str, min_tls: u16) -> Alias {
    Alias {
        name,
        cipher_id: None,
        algs: Algs::new(0, 0, 0, 0, min_tls, 0),
    }
}

const fn strength_alias(name: &'static str, enc: u32, strength: u32) -> Alias {
    Alias {
        name,
        cipher_id: None,
        algs: Algs::new(0, 0, enc, 0, 0, strength),
    }
}

/// OpenSSL 3.0's `cipher_aliases[]`, in its order.
static ALIASES: &[Alias] = &[
    alias("ALL", 0, 0, !alg::E_NULL, 0),
    alias("COMPLEMENTOFALL", 0, 0, alg::E_NULL, 0),
    strength_alias("COMPLEMENTOFDEFAULT", 0, alg::NOT_DEFAULT),
    // Key exchange.
    alias("kRSA", alg::K_RSA, 0, 0, 0),
    alias("kEDH", alg::K_DHE, 0, 0, 0),
    alias("kDHE", alg::K_DHE, 0, 0, 0),
    alias("DH", alg::K_DHE, 0, 0, 0),
    alias("kEECDH", alg::K_ECDHE, 0, 0, 0),
    alias("kECDHE", alg::K_ECDHE, 0, 0, 0),
    alias("ECDH", alg::K_ECDHE, 0, 0, 0),
    alias("kPSK", alg::K_PSK, 0, 0, 0),
    alias("kRSAPSK", alg::K_RSAPSK, 0, 0, 0),
    alias("kECDHEPSK", alg::K_ECDHEPSK, 0, 0, 0),
    alias("kDHEPSK", alg::K_DHEPSK, 0, 0, 0),
    alias("kSRP", alg::K_SRP, 0, 0, 0),
    alias("kGOST", alg::K_GOST, 0, 0, 0),
    alias("kGOST18", alg::K_GOST18, 0, 0, 0),
    // Server authentication.
    alias("aRSA", 0, alg::A_RSA, 0, 0),
    alias("aDSS", 0, alg::A_DSS, 0, 0),
    alias("DSS", 0, alg::A_DSS, 0, 0),
    alias("aNULL", 0, alg::A_NULL, 0, 0),
    alias("aECDSA", 0, alg::A_ECDSA, 0, 0),
    alias("ECDSA", 0, alg::A_ECDSA, 0, 0),
    alias("aPSK", 0, alg::A_PSK, 0, 0),
    alias("aGOST01", 0, alg::A_GOST01, 0, 0),
    alias("aGOST12", 0, alg::A_GOST12, 0, 0),
    alias("aGOST", 0, alg::A_GOST01 | alg::A_GOST12, 0, 0),
    alias("aSRP", 0, alg::A_SRP, 0, 0),
    // Key exchange and authentication together.
    alias("EDH", alg::K_DHE, !alg::A_NULL, 0, 0),
    alias("DHE", alg::K_DHE, !alg::A_NULL, 0, 0),
    alias("EECDH", alg::K_ECDHE, !alg::A_NULL, 0, 0),
    alias("ECDHE", alg::K_ECDHE, !alg::A_NULL, 0, 0),
    alias("NULL", 0, 0, alg::E_NULL, 0),
    alias("RSA", alg::K_RSA, alg::A_RSA, 0, 0),
    alias("ADH", alg::K_DHE, alg::A_NULL, 0, 0),
    alias("AECDH", alg::K_ECDHE, alg::A_NULL, 0, 0),
    alias("PSK", alg::PSK, 0, 0, 0),
    alias("SRP", alg::K_SRP, 0, 0, 0),
    // Symmetric encryption.
    alias("3DES", 0, 0, alg::DES3, 0),
    alias("RC4", 0, 0, alg::RC4, 0),
    alias("RC2", 0, 0, alg::RC2, 0),
    alias("IDEA", 0, 0, alg::IDEA, 0),
    alias("SEED", 0, 0, alg::SEED, 0),
    alias("eNULL", 0, 0, alg::E_NULL, 0),
    alias(
        "GOST89",
        0,
        0,
        alg::E_GOST2814789CNT | alg::E_GOST2814789CNT12,
        0,
    ),
    alias(
        "AES128",
        0,
        0,
        alg::AES128 | alg::AES128GCM | alg::AES128CCM | alg::AES128CCM8,
        0,
    ),
    alias(
        "AES256",
        0,
        0,
        alg::AES256 | alg::AES256GCM | alg::AES256CCM | alg::AES256CCM8,
        0,
    ),
    alias("AES", 0, 0, alg::AES, 0),
    alias("AESGCM", 0, 0, alg::AESGCM, 0),
    alias("AESCCM", 0, 0, alg::AESCCM, 0),
    alias("AESCCM8", 0, 0, alg::AES128CCM8 | alg::AES256CCM8, 0),
    alias("CAMELLIA128", 0, 0, alg::CAMELLIA128, 0),
    alias("CAMELLIA256", 0, 0, alg::CAMELLIA256, 0),
    alias("CAMELLIA", 0, 0, alg::CAMELLIA, 0),
    alias("CHACHA20", 0, 0, alg::CHACHA20, 0),
    alias(
        "GOST2012-GOST8912-GOST8912",
        0,
        0,
        alg::E_GOST2814789CNT12,
        0,
    ),
    alias("ARIA", 0, 0, alg::ARIA, 0),
    alias("ARIAGCM", 0, 0, alg::ARIAGCM, 0),
    alias("ARIA128", 0, 0, alg::ARIA128GCM, 0),
    alias("ARIA256", 0, 0, alg::ARIA256GCM, 0),
    alias("CBC", 0, 0, alg::CBC, 0),
    // MAC.
    alias("MD5", 0, 0, 0, alg::MD5),
    alias("SHA1", 0, 0, 0, alg::SHA1),
    alias("SHA", 0, 0, 0, alg::SHA1),
    alias("GOST94", 0, 0, 0, alg::GOST94),
    alias("GOST89MAC", 0, 0, 0, alg::GOST89MAC | alg::GOST89MAC12),
    alias("SHA256", 0, 0, 0, alg::SHA256),
    alias("SHA384", 0, 0, 0, alg::SHA384),
    alias("GOST12", 0, 0, 0, alg::GOST12_256),
    // Protocol versions.
    version_alias("SSLv3", alg::SSL3_VERSION),
    version_alias("TLSv1", alg::TLS1_VERSION),
    version_alias("TLSv1.0", alg::TLS1_VERSION),
    version_alias("TLSv1.2", alg::TLS1_2_VERSION),
    // Strength classes.
    strength_alias("LOW", 0, alg::LOW),
    strength_alias("MEDIUM", 0, alg::MEDIUM),
    strength_alias("HIGH", 0, alg::HIGH),
    strength_alias("FIPS", !alg::E_NULL, alg::FIPS),
    // "EDH-" names kept for backward compatibility (3DES suites).
    Alias {
        name: "EDH-DSS-DES-CBC3-SHA",
        cipher_id: None,
        algs: Algs::new(alg::K_DHE, alg::A_DSS, alg::DES3, alg::SHA1, 0, HIGH_FIPS),
    },
    Alias {
        name: "EDH-RSA-DES-CBC3-SHA",
        cipher_id: None,
        algs: Algs::new(alg::K_DHE, alg::A_RSA, alg::DES3, alg::SHA1, 0, HIGH_FIPS),
    },
];

/// Looks a word up the way `ssl_cipher_process_rulestr` walks `ca_list`: the
/// available ciphers first (by OpenSSL name), then the aliases.
fn lookup(word: &[u8]) -> Option<Alias> {
    if let Some(e) = tls12_suites().iter().find(|e| e.name.as_bytes() == word) {
        return Some(Alias {
            name: e.name,
            cipher_id: Some(e.id),
            algs: e.algs,
        });
    }
    ALIASES
        .iter()
        .find(|a| a.name.as_bytes() == word)
        .map(|a| Alias {
            name: a.name,
            cipher_id: a.cipher_id,
            algs: a.algs,
        })
}

/// The selection criteria of one `ssl_cipher_apply_rule` call.
#[derive(Clone, Copy, Debug, Default)]
struct Pattern {
    cipher_id: u32,
    algs: Algs,
}

impl Pattern {
    fn new(mkey: u32, auth: u32, enc: u32, mac: u32, min_tls: u16) -> Self {
        Pattern {
            cipher_id: 0,
            algs: Algs::new(mkey, auth, enc, mac, min_tls, 0),
        }
    }

    /// `+`-joins one more word into the pattern; `false` when the
    /// intersection is empty (OpenSSL then ignores the whole rule).
    fn combine(&mut self, a: &Alias) -> bool {
        fn and(acc: &mut u32, v: u32) -> bool {
            if v != 0 {
                if *acc != 0 {
                    *acc &= v;
                    if *acc == 0 {
                        return false;
                    }
                } else {
                    *acc = v;
                }
            }
            true
        }
        let p = &mut self.algs;
        if !and(&mut p.mkey, a.algs.mkey)
            || !and(&mut p.auth, a.algs.auth)
            || !and(&mut p.enc, a.algs.enc)
            || !and(&mut p.mac, a.algs.mac)
        {
            return false;
        }
        let strong = a.algs.strength & alg::STRONG_MASK;
        if strong != 0 {
            if p.strength & alg::STRONG_MASK != 0 {
                p.strength &= strong | !alg::STRONG_MASK;
                if p.strength & alg::STRONG_MASK == 0 {
                    return false;
                }
            } else {
                // As OpenSSL: this assignment drops a DEFAULT_MASK bit set by
                // an earlier word.
                p.strength = strong;
            }
        }
        let default = a.algs.strength & alg::DEFAULT_MASK;
        if default != 0 {
            if p.strength & alg::DEFAULT_MASK != 0 {
                p.strength &= default | !alg::DEFAULT_MASK;
                if p.strength & alg::DEFAULT_MASK == 0 {
                    return false;
                }
            } else {
                p.strength |= default;
            }
        }
        match a.cipher_id {
            // An explicit suite: its protocol version is not part of the pattern.
            Some(id) => self.cipher_id = id,
            None => {
                if a.algs.min_tls != 0 {
                    if p.min_tls != 0 && p.min_tls != a.algs.min_tls {
                        return false;
                    }
                    p.min_tls = a.algs.min_tls;
                }
            }
        }
        true
    }

    fn matches(&self, e: &SuiteEntry) -> bool {
        let (p, c) = (&self.algs, &e.algs);
        !((self.cipher_id != 0 && self.cipher_id != e.id)
            || (p.mkey != 0 && p.mkey & c.mkey == 0)
            || (p.auth != 0 && p.auth & c.auth == 0)
            || (p.enc != 0 && p.enc & c.enc == 0)
            || (p.mac != 0 && p.mac & c.mac == 0)
            || (p.min_tls != 0 && p.min_tls != c.min_tls)
            || (p.strength & alg::STRONG_MASK != 0
                && p.strength & alg::STRONG_MASK & c.strength == 0)
            || (p.strength & alg::DEFAULT_MASK != 0
                && p.strength & alg::DEFAULT_MASK & c.strength == 0))
    }
}

/// What a rule selects: an algorithm pattern, or (for `@STRENGTH`) one
/// strength-bits value.
#[derive(Clone, Copy)]
enum Criterion {
    Pattern(Pattern),
    StrengthBits(u16),
}

impl Criterion {
    fn matches(&self, e: &SuiteEntry) -> bool {
        match self {
            Criterion::Pattern(p) => p.matches(e),
            Criterion::StrengthBits(bits) => e.strength_bits == *bits,
        }
    }
}

/// `CIPHER_ADD`, `CIPHER_KILL`, `CIPHER_DEL`, `CIPHER_ORD`, `CIPHER_BUMP`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    /// No prefix: append matching inactive suites to the end, enabling them.
    Add,
    /// `!`: remove matching suites for good.
    Kill,
    /// `-`: disable matching suites, moving them to the front (they may be
    /// added again later).
    Del,
    /// `+`: move matching active suites to the end.
    Ord,
    /// Internal: move matching active suites to the front.
    Bump,
}

/// OpenSSL's `CIPHER_ORDER` list restricted to the rustls TLS 1.2 suites.
struct CipherOrder {
    /// Indices into [`tls12_suites`] still in the list (killed ones are gone).
    list: Vec<usize>,
    active: [bool; N12],
}

impl CipherOrder {
    /// `ssl_cipher_collect_ciphers` followed by the default-preference rules
    /// of `ssl_create_cipher_list`, ending with everything disabled.
    fn new() -> Self {
        let mut co = CipherOrder {
            list: (0..N12).collect(),
            active: [false; N12],
        };
        let all = Pattern::default();
        let rule = |mkey, auth, enc, mac, min_tls| {
            Criterion::Pattern(Pattern::new(mkey, auth, enc, mac, min_tls))
        };
        // Prefer ephemeral ECDH, and ECDSA over RSA within it.
        co.apply(Op::Add, rule(alg::K_ECDHE, alg::A_ECDSA, 0, 0, 0));
        co.apply(Op::Add, rule(alg::K_ECDHE, 0, 0, 0, 0));
        co.apply(Op::Del, rule(alg::K_ECDHE, 0, 0, 0, 0));
        // Within each strength group, GCM over CHACHA, then AES.
        co.apply(Op::Add, rule(0, 0, alg::AESGCM, 0, 0));
        co.apply(Op::Add, rule(0, 0, alg::CHACHA20, 0, 0));
        co.apply(Op::Add, rule(0, 0, alg::AES ^ alg::AESGCM, 0, 0));
        // Temporarily enable everything else for sorting.
        co.apply(Op::Add, Criterion::Pattern(all));
        co.apply(Op::Ord, rule(0, 0, 0, alg::MD5, 0));
        co.apply(Op::Ord, rule(0, alg::A_NULL, 0, 0, 0));
        co.apply(Op::Ord, rule(alg::K_RSA, 0, 0, 0, 0));
        co.apply(Op::Ord, rule(alg::K_PSK, 0, 0, 0, 0));
        co.apply(Op::Ord, rule(0, 0, alg::RC4, 0, 0));
        co.strength_sort();
        // Prefer TLS 1.2, then (EC)DHE + AEAD > (EC)DHE > AEAD > rest.
        co.apply(Op::Bump, rule(0, 0, 0, 0, alg::TLS1_2_VERSION));
        co.apply(Op::Bump, rule(0, 0, 0, alg::AEAD, 0));
        co.apply(Op::Bump, rule(alg::K_DHE | alg::K_ECDHE, 0, 0, 0, 0));
        co.apply(
            Op::Bump,
            rule(alg::K_DHE | alg::K_ECDHE, 0, 0, alg::AEAD, 0),
        );
        // Now disable everything, keeping the order.
        co.apply(Op::Del, Criterion::Pattern(all));
        co
    }

    /// `ssl_cipher_apply_rule`: every operation is a stable partition of the
    /// list by the criterion (and the active flag).
    fn apply(&mut self, op: Op, criterion: Criterion) {
        let suites = tls12_suites();
        let active = self.active;
        let selected = |i: usize| {
            criterion.matches(&suites[i])
                && match op {
                    Op::Add => !active[i],
                    Op::Ord | Op::Del | Op::Bump => active[i],
                    Op::Kill => true,
                }
        };
        let (moved, kept): (Vec<usize>, Vec<usize>) =
            self.list.iter().copied().partition(|&i| selected(i));
        self.list = match op {
            Op::Add | Op::Ord => kept.into_iter().chain(moved.iter().copied()).collect(),
            Op::Del | Op::Bump => moved.iter().copied().chain(kept).collect(),
            Op::Kill => kept,
        };
        for i in moved {
            self.active[i] = !matches!(op, Op::Del | Op::Kill);
        }
    }

    /// `ssl_cipher_strength_sort`: stable sort of the active suites by
    /// descending strength bits, as a sequence of `+` moves.
    fn strength_sort(&mut self) {
        let suites = tls12_suites();
        let mut bits: Vec<u16> = self
            .list
            .iter()
            .filter(|&&i| self.active[i])
            .map(|&i| suites[i].strength_bits)
            .collect();
        bits.sort_unstable_by(|a, b| b.cmp(a));
        bits.dedup();
        for b in bits {
            self.apply(Op::Ord, Criterion::StrengthBits(b));
        }
    }

    fn selected(&self) -> Vec<&'static SuiteEntry> {
        let suites = tls12_suites();
        self.list
            .iter()
            .filter(|&&i| self.active[i])
            .map(|&i| &suites[i])
            .collect()
    }
}

/// OpenSSL's `ITEM_SEP`.
fn is_sep(c: u8) -> bool {
    matches!(c, b':' | b' ' | b';' | b',')
}

/// The characters of a cipher-list word.
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'=')
}

/// The parse failed (`SSL_R_INVALID_COMMAND`).
struct InvalidCommand;

/// `ssl_cipher_process_rulestr`.
fn process_rulestr(
    rule: &[u8],
    co: &mut CipherOrder,
    sec_level: &mut Option<u8>,
) -> Result<(), InvalidCommand> {
    let at = |i: usize| rule.get(i).copied().unwrap_or(0);
    let skip_word = |l: &mut usize| {
        while at(*l) != 0 && !is_sep(at(*l)) {
            *l += 1;
        }
    };
    let mut l = 0usize;
    loop {
        let ch = at(l);
        if ch == 0 {
            break;
        }
        // None stands for CIPHER_SPECIAL ('@').
        let op = match ch {
            b'-' => Some(Op::Del),
            b'+' => Some(Op::Ord),
            b'!' => Some(Op::Kill),
            b'@' => None,
            _ => Some(Op::Add),
        };
        if matches!(ch, b'-' | b'+' | b'!' | b'@') {
            l += 1;
        }
        if is_sep(ch) {
            l += 1;
            continue;
        }

        let mut pattern = Pattern::default();
        let mut found = false;
        let mut word: &[u8];
        loop {
            let start = l;
            while is_word(at(l)) {
                l += 1;
            }
            word = &rule[start..l];
            if word.is_empty() {
                // Neither a command, a separator nor a word.
                return Err(InvalidCommand);
            }
            if op.is_none() {
                break;
            }
            let multi = at(l) == b'+';
            if multi {
                l += 1;
            }
            pattern.cipher_id = 0;
            found = match lookup(word) {
                Some(a) => pattern.combine(&a),
                None => false,
            };
            if !found || !multi {
                break;
            }
        }

        match op {
            None => {
                if word == b"STRENGTH" {
                    co.strength_sort();
                } else if word.len() == 10 && word.starts_with(b"SECLEVEL=") {
                    let level = word[9].wrapping_sub(b'0');
                    if level > 5 {
                        return Err(InvalidCommand);
                    }
                    *sec_level = Some(level);
                } else {
                    return Err(InvalidCommand);
                }
                // "@" takes no "+" parts: drop the rest of the word.
                skip_word(&mut l);
            }
            Some(op) if found => co.apply(op, Criterion::Pattern(pattern)),
            Some(_) => skip_word(&mut l),
        }
        if at(l) == 0 {
            break;
        }
    }
    Ok(())
}

/// `check_suiteb_cipher_list`: a string starting with a Suite B keyword is
/// replaced by that mode's fixed list.
fn suite_b(rule: &str) -> Option<(SuiteB, &'static str)> {
    const LOS128: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";
    if rule.starts_with("SUITEB128ONLY") {
        Some((SuiteB::Los128Only, "ECDHE-ECDSA-AES128-GCM-SHA256"))
    } else if rule.starts_with("SUITEB128C2") {
        Some((SuiteB::Los128, "ECDHE-ECDSA-AES256-GCM-SHA384"))
    } else if rule.starts_with("SUITEB128") {
        Some((SuiteB::Los128, LOS128))
    } else if rule.starts_with("SUITEB192") {
        Some((SuiteB::Los192, "ECDHE-ECDSA-AES256-GCM-SHA384"))
    } else {
        None
    }
}

/// Applies an OpenSSL cipher list (`SSL_CTX_set_cipher_list` semantics, OpenSSL
/// 3.0) to the rustls suites: Python's `SSLContext.set_ciphers(list)`.
///
/// Separators are `:`, `,`, ` ` and `;`; a word is a suite name or an alias
/// (`HIGH`, `aRSA`, `ECDHE`, `AESGCM`, ...), `+`-joined words intersect; the
/// prefixes are none (add), `+` (move to the end), `-` (remove, may be added
/// again) and `!` (remove for good); `@STRENGTH` sorts by strength and
/// `@SECLEVEL=n` records a security level. A leading `DEFAULT` expands to
/// [`OPENSSL_DEFAULT_CIPHER_LIST`]; unknown words are ignored. Errors:
/// `SSLError('No cipher can be selected.')` when the string is malformed or
/// selects no TLS 1.2 suite rustls has (see the module docs), `ValueError` for
/// an embedded NUL.
pub fn select_ciphers(list: &str) -> Result<Selection, Error> {
    if list.contains('\0') {
        return Err(Error::value("embedded null character"));
    }
    let no_cipher = || Error::ssl_message(NO_CIPHER_MESSAGE);
    let (suite_b, mut rule) = match suite_b(list) {
        Some((mode, replacement)) => (Some(mode), replacement),
        None => (None, list),
    };
    let mut co = CipherOrder::new();
    let mut sec_level = None;
    if let Some(rest) = rule.strip_prefix("DEFAULT") {
        process_rulestr(
            OPENSSL_DEFAULT_CIPHER_LIST.as_bytes(),
            &mut co,
            &mut sec_level,
        )
        .map_err(|_| no_cipher())?;
        rule = rest.strip_prefix(':').unwrap_or(rest);
    }
    if !rule.is_empty() {
        process_rulestr(rule.as_bytes(), &mut co, &mut sec_level).map_err(|_| no_cipher())?;
    }
    let tls12 = co.selected();
    if tls12.is_empty() {
        return Err(no_cipher());
    }
    Ok(Selection {
        tls12,
        sec_level,
        suite_b,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &Selection) -> Vec<&'static str> {
        s.tls12().iter().map(|e| e.name).collect()
    }

    #[test]
    fn table_covers_exactly_the_provider_suites() {
        let all = rustls::crypto::aws_lc_rs::ALL_CIPHER_SUITES;
        assert_eq!(all.len(), SUITES.len());
        for s in all {
            let e = by_suite(s.suite()).expect("suite in table");
            assert_eq!(e.rustls_suite().suite(), s.suite());
            assert_eq!(e.is_tls13(), matches!(s, SupportedCipherSuite::Tls13(_)));
            assert_eq!(by_name(e.iana_name), Some(e));
            assert_eq!(by_name(e.name), Some(e));
        }
    }

    #[test]
    fn descriptions_follow_openssl_format() {
        for e in &SUITES {
            let line = format!(
                "{:<30} {:<7} Kx={:<8} Au={:<5} Enc={:<22} Mac={:<4}",
                e.name, e.protocol, e.kx, e.au, e.enc, e.mac
            );
            assert_eq!(line, e.description);
        }
    }

    #[test]
    fn default_order_and_python_default() {
        let s = select_ciphers("DEFAULT").unwrap();
        assert_eq!(
            names(&s),
            [
                "ECDHE-ECDSA-AES256-GCM-SHA384",
                "ECDHE-RSA-AES256-GCM-SHA384",
                "ECDHE-ECDSA-CHACHA20-POLY1305",
                "ECDHE-RSA-CHACHA20-POLY1305",
                "ECDHE-ECDSA-AES128-GCM-SHA256",
                "ECDHE-RSA-AES128-GCM-SHA256",
            ]
        );
        let d = default_selection();
        assert_eq!(d, select_ciphers(PY_DEFAULT_CIPHER_STRING).unwrap());
        assert_eq!(d.sec_level(), Some(2));
        assert_eq!(d.suites().len(), 9);
    }

    #[test]
    fn errors() {
        for bad in [
            "",
            "FOO",
            "AESGCM+",
            "-",
            "ALL:@",
            "ALL:@SECLEVEL=9",
            "PSK",
            "ALL:!ALL",
        ] {
            let err = select_ciphers(bad).unwrap_err();
            assert_eq!(
                err.as_ssl().map(|e| e.message.as_ref()),
                Some(NO_CIPHER_MESSAGE)
            );
        }
        assert!(matches!(select_ciphers("AES\0"), Err(Error::Value(_))));
    }
}
