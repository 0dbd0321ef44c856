//! The Windows certificate stores (F14 `enum_certificates`, F15 `enum_crls`,
//! X8 `load_default_certs`), run under Wine by `.ci/run` (Wine's ROOT store
//! holds its own and the host's roots; CA and MY are usually empty).
#![cfg(windows)]

use std::collections::HashSet;

use backend_native::windows::{enum_certificates, enum_crls, system_trust_certs, Encoding, Trust};
use ssl_api::cert::decode::decode_cert;
use ssl_api::constants::Purpose;

fn check_store(name: &str, must_have_some: bool) -> usize {
    let entries = enum_certificates(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    println!(
        "enum_certificates({name:?}): {} certificates",
        entries.len()
    );
    assert!(!must_have_some || !entries.is_empty(), "{name} is empty");
    let mut seen = HashSet::new();
    for e in &entries {
        assert!(seen.insert(e.clone()), "{name}: duplicate entry");
        assert!(
            e.encoding.python_name().is_some(),
            "{name}: odd encoding {:?}",
            e.encoding
        );
        if e.encoding == Encoding::X509Asn {
            let rec = decode_cert(&e.der)
                .unwrap_or_else(|err| panic!("{name}: the decoder refused a certificate: {err}"));
            assert!(!rec.subject().is_empty() || !rec.issuer().is_empty());
        }
        if let Trust::Oids(oids) = &e.trust {
            for oid in oids {
                assert!(
                    oid.split('.').count() >= 2 && oid.split('.').all(|a| a.parse::<u64>().is_ok()),
                    "{name}: malformed OID {oid:?}"
                );
            }
        }
    }
    entries.len()
}

#[test]
fn root_store_lists_decodable_certificates() {
    check_store("ROOT", true);
}

#[test]
fn ca_and_my_stores_are_readable() {
    check_store("CA", false);
    check_store("MY", false);
}

#[test]
fn crls_enumerate() {
    for name in ["ROOT", "CA"] {
        let crls = enum_crls(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        println!("enum_crls({name:?}): {} CRLs", crls.len());
        let unique: HashSet<_> = crls.iter().collect();
        assert_eq!(unique.len(), crls.len(), "duplicate CRLs");
    }
}

#[test]
fn a_name_with_nul_is_a_value_error() {
    assert_eq!(
        enum_certificates("RO\0OT").unwrap_err().python_type(),
        "ValueError"
    );
}

#[test]
fn trust_for_a_purpose_follows_cpython() {
    let server = system_trust_certs(Purpose::ServerAuth).unwrap();
    let client = system_trust_certs(Purpose::ClientAuth).unwrap();
    println!(
        "system_trust_certs: SERVER_AUTH {}, CLIENT_AUTH {}",
        server.len(),
        client.len()
    );
    assert!(!server.is_empty());
    let all: Vec<_> = ["CA", "ROOT"]
        .iter()
        .flat_map(|s| enum_certificates(s).unwrap())
        .collect();
    for der in &server {
        assert!(all.iter().any(|e| &e.der == der
            && e.encoding == Encoding::X509Asn
            && e.trust.allows(Purpose::ServerAuth.oid())));
    }
    let unique: HashSet<_> = server.iter().collect();
    assert_eq!(unique.len(), server.len());
}

#[cfg(feature = "tls")]
#[test]
fn load_default_certs_fills_the_store() {
    use ssl_api::{Context, PROTOCOL_TLS_CLIENT};
    let ctx = backend_native::NativeContext::new(PROTOCOL_TLS_CLIENT).unwrap();
    assert_eq!(ctx.cert_store_stats().unwrap().x509, 0);
    ctx.load_default_certs(Purpose::ServerAuth).unwrap();
    let stats = ctx.cert_store_stats().unwrap();
    println!("load_default_certs(SERVER_AUTH): {stats:?}");
    assert_eq!(
        stats.x509 as usize,
        system_trust_certs(Purpose::ServerAuth).unwrap().len()
    );
    assert!(stats.x509_ca > 0);
    assert_eq!(ctx.get_ca_certs().unwrap().len() as i64, stats.x509_ca);
}

#[test]
fn system_store_is_the_windows_one() {
    let via = backend_native::system_store::trusted_certs(Purpose::ServerAuth)
        .unwrap()
        .unwrap();
    assert_eq!(via, system_trust_certs(Purpose::ServerAuth).unwrap());
}
