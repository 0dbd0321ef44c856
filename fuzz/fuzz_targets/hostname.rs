//! Hostname matching: `match_hostname(cert, hostname)`.
//!
//! Mode byte 0: `[0][hostname length][hostname][certificate DER]`, the
//! certificate decoded first (as `getpeercert()` gives it). Otherwise the
//! record is built from the bytes: subject commonNames and subjectAltName
//! entries of any type and text (wildcards, IP addresses, junk); when the
//! hostname is a plain DNS name and the first `DNS` entry is that very
//! name, it must match.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use ssl_api::cert::decode::decode_cert;
use ssl_api::cert::record::rdns_to_value;
use ssl_api::{match_hostname, CertRecord, PyValue};

#[derive(Arbitrary, Debug)]
struct Fields {
    hostname: String,
    common_names: Vec<String>,
    /// (type selector, value): DNS, IP Address, email, URI or other.
    san: Option<Vec<(u8, String)>>,
    /// Also list the hostname itself as the first DNS entry.
    add_hostname: bool,
}

const SAN_TYPES: [&str; 5] = ["DNS", "IP Address", "email", "URI", "Registered ID"];

/// Not an address for `inet_aton` / `inet_pton`, no wildcard: a name that
/// an identical `DNS` entry must match.
fn plain_dns_name(h: &str) -> bool {
    !h.is_empty()
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && h.bytes()
            .any(|b| b.is_ascii_alphabetic() && !b.is_ascii_hexdigit() && b != b'x' && b != b'X')
}

fn check(cert: &CertRecord, hostname: &str) -> bool {
    match match_hostname(cert, hostname) {
        Ok(()) => true,
        Err(e) => {
            let t = e.python_type();
            assert!(
                t == "SSLCertVerificationError" || t == "ValueError",
                "{t}: {e}"
            );
            false
        }
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode == 0 {
        let Some((&len, rest)) = rest.split_first() else {
            return;
        };
        let (name, der) = rest.split_at(usize::from(len).min(rest.len()));
        let (Ok(hostname), Ok(cert)) = (std::str::from_utf8(name), decode_cert(der)) else {
            return;
        };
        check(&cert, hostname);
        return;
    }
    let Ok(f) = Fields::arbitrary_take_rest(Unstructured::new(rest)) else {
        return;
    };
    let mut cert = CertRecord::empty();
    let subject: Vec<_> = f
        .common_names
        .iter()
        .map(|cn| vec![("commonName".to_owned(), PyValue::str(cn.as_str()))])
        .collect();
    cert.push("subject", rdns_to_value(&subject));
    let mut san: Option<Vec<PyValue>> = f.san.as_ref().map(|entries| {
        entries
            .iter()
            .map(|(t, v)| {
                PyValue::Tuple(vec![
                    PyValue::str(SAN_TYPES[usize::from(*t) % SAN_TYPES.len()]),
                    PyValue::str(v.as_str()),
                ])
            })
            .collect()
    });
    if f.add_hostname {
        // First: a later malformed wildcard raises before a match (as in CPython).
        san.get_or_insert_with(Vec::new).insert(
            0,
            PyValue::Tuple(vec![PyValue::str("DNS"), PyValue::str(f.hostname.as_str())]),
        );
    }
    if let Some(san) = san {
        cert.push("subjectAltName", PyValue::Tuple(san));
    }
    let matched = check(&cert, &f.hostname);
    if f.add_hostname && plain_dns_name(&f.hostname) {
        assert!(
            matched,
            "{:?} does not match itself in {}",
            f.hostname,
            cert.repr()
        );
    }
});
