//! Unit tests of the cipher table and the cipher-list grammar.

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
