//! Adapts the cipher table ([`crate::ciphers`]) to the shared types:
//! `get_ciphers()` dicts, `cipher()` triples, and the rustls suite lists a
//! config is built from.

use rustls::{CipherSuite, SupportedCipherSuite};
use ssl_api::{CipherInfo, CipherTriple, Result};

use crate::ciphers::{self, SuiteEntry};

/// The TLS 1.3 suites (not affected by `set_ciphers`, as in OpenSSL).
pub(crate) fn tls13_suites() -> Vec<SupportedCipherSuite> {
    ciphers::tls13_suites()
        .iter()
        .map(SuiteEntry::rustls_suite)
        .collect()
}

/// The TLS 1.2 suites of a fresh context (CPython's default cipher string).
pub(crate) fn default_tls12_suites() -> Vec<SupportedCipherSuite> {
    ciphers::default_selection()
        .tls12()
        .iter()
        .map(|e| e.rustls_suite())
        .collect()
}

/// `set_ciphers(cipherlist)`: the TLS 1.2 suites it selects, in order.
pub(crate) fn select_tls12_suites(cipherlist: &str) -> Result<Vec<SupportedCipherSuite>> {
    Ok(ciphers::select_ciphers(cipherlist)?
        .tls12()
        .iter()
        .map(|e| e.rustls_suite())
        .collect())
}

fn info(e: &SuiteEntry) -> CipherInfo {
    CipherInfo {
        id: e.id,
        name: e.name.to_owned(),
        protocol: e.protocol.to_owned(),
        description: e.description.to_owned(),
        strength_bits: u32::from(e.strength_bits),
        alg_bits: u32::from(e.alg_bits),
        aead: e.aead,
        symmetric: Some(e.symmetric.to_owned()),
        digest: e.digest.map(str::to_owned),
        kea: Some(e.kea.to_owned()),
        auth: Some(e.auth.to_owned()),
    }
}

/// `get_ciphers()`: TLS 1.3 suites first, then the selected TLS 1.2 ones.
pub(crate) fn cipher_infos(
    tls13: &[SupportedCipherSuite],
    tls12: &[SupportedCipherSuite],
) -> Vec<CipherInfo> {
    tls13
        .iter()
        .chain(tls12)
        .filter_map(|s| ciphers::by_suite(s.suite()))
        .map(info)
        .collect()
}

/// `set_ciphersuites(list)`: TLS 1.3 suites by name, `:`-separated, in order.
pub(crate) fn select_tls13_suites(list: &str) -> Result<Vec<SupportedCipherSuite>> {
    let chosen: Vec<SupportedCipherSuite> = list
        .split(':')
        .filter_map(ciphers::by_name)
        .filter(|e| e.is_tls13())
        .map(SuiteEntry::rustls_suite)
        .collect();
    if chosen.is_empty() {
        return Err(ssl_api::Error::ssl_message(ciphers::NO_CIPHER_MESSAGE));
    }
    Ok(chosen)
}

/// `cipher()`: `(OpenSSL name, protocol, secret bits)` of a negotiated suite.
pub(crate) fn triple_for(suite: CipherSuite) -> Option<CipherTriple> {
    ciphers::by_suite(suite).map(|e| {
        let (name, protocol, bits) = e.python_cipher();
        CipherTriple {
            name: name.to_owned(),
            protocol: protocol.to_owned(),
            bits: u32::from(bits),
        }
    })
}
