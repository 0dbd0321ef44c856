//! The shared pure decoder (`ssl_api::cert::decode::decode_cert`, what
//! `getpeercert()` returns, S4) against OpenSSL's own X509 API on the same
//! certificates: subject and issuer entries, version, serial number,
//! notBefore / notAfter (`ASN1_TIME_print`, as CPython formats them) and the
//! subjectAltName entries (`X509::subject_alt_names`), over a corpus generated
//! here with rcgen (DNS, IPv4, IPv6, email and URI names; several serials,
//! dates and name attributes). The two must agree entry for entry; the peer
//! certificate a real handshake returns is checked too.

use std::net::IpAddr;

use openssl::x509::{X509NameRef, X509};
use rcgen::{CertificateParams, DnType, KeyPair, SanType, SerialNumber};
use ssl_api::cert::decode::decode_cert;
use ssl_api::{CertRecord, PyValue};

fn flat(rdns: Vec<ssl_api::Rdn>) -> Vec<(String, String)> {
    rdns.into_iter()
        .flatten()
        .map(|(k, v)| (k, v.as_str().unwrap_or("<not a str>").to_owned()))
        .collect()
}

fn openssl_name(name: &X509NameRef) -> Vec<(String, String)> {
    name.entries()
        .map(|e| {
            let key = e
                .object()
                .nid()
                .long_name()
                .unwrap_or("<unknown>")
                .to_owned();
            let value = e.data().to_string().unwrap_or_default();
            (key, value)
        })
        .collect()
}

/// CPython's text for an IP SAN: dotted IPv4, IPv6 as 8 upper-case groups.
fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => format!("{}.{}.{}.{}", bytes[0], bytes[1], bytes[2], bytes[3]),
        16 => bytes
            .chunks(2)
            .map(|c| format!("{:X}", u16::from_be_bytes([c[0], c[1]])))
            .collect::<Vec<_>>()
            .join(":"),
        _ => "<invalid>".to_owned(),
    }
}

fn openssl_sans(x: &X509) -> Option<Vec<(String, String)>> {
    let names = x.subject_alt_names()?;
    Some(
        names
            .iter()
            .map(|g| {
                if let Some(d) = g.dnsname() {
                    ("DNS".to_owned(), d.to_owned())
                } else if let Some(e) = g.email() {
                    ("email".to_owned(), e.to_owned())
                } else if let Some(u) = g.uri() {
                    ("URI".to_owned(), u.to_owned())
                } else if let Some(ip) = g.ipaddress() {
                    ("IP Address".to_owned(), ip_text(ip))
                } else {
                    ("<other>".to_owned(), String::new())
                }
            })
            .collect(),
    )
}

fn record_sans(rec: &CertRecord) -> Option<Vec<(String, String)>> {
    rec.subject_alt_name().map(|v| {
        v.into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap_or("<not a str>").to_owned()))
            .collect()
    })
}

/// Compares one certificate; returns the differences.
fn compare(der: &[u8]) -> Vec<String> {
    let rec = decode_cert(der).expect("shared decoder");
    let x = X509::from_der(der).expect("openssl parses it");
    let mut diffs = Vec::new();
    let mut check = |what: &str, ours: String, theirs: String| {
        if ours != theirs {
            diffs.push(format!("{what}: decoder {ours} / openssl {theirs}"));
        }
    };
    check(
        "subject",
        format!("{:?}", flat(rec.subject())),
        format!("{:?}", openssl_name(x.subject_name())),
    );
    check(
        "issuer",
        format!("{:?}", flat(rec.issuer())),
        format!("{:?}", openssl_name(x.issuer_name())),
    );
    check(
        "version",
        format!("{:?}", rec.get("version")),
        format!("{:?}", Some(PyValue::Int(i64::from(x.version()) + 1))),
    );
    let serial = x
        .serial_number()
        .to_bn()
        .and_then(|b| b.to_hex_str().map(|s| s.to_string()))
        .expect("serial");
    check(
        "serialNumber",
        format!("{:?}", rec.get("serialNumber").and_then(PyValue::as_str)),
        format!("{:?}", Some(serial.as_str())),
    );
    check(
        "notBefore",
        format!("{:?}", rec.get("notBefore").and_then(PyValue::as_str)),
        format!("{:?}", Some(x.not_before().to_string())),
    );
    check(
        "notAfter",
        format!("{:?}", rec.get("notAfter").and_then(PyValue::as_str)),
        format!("{:?}", Some(x.not_after().to_string())),
    );
    check(
        "subjectAltName",
        format!("{:?}", record_sans(&rec)),
        format!("{:?}", openssl_sans(&x)),
    );
    diffs
}

fn corpus() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let sans: Vec<Vec<SanType>> = vec![
        vec![SanType::DnsName("example.com".try_into().unwrap())],
        vec![
            SanType::DnsName("a.example".try_into().unwrap()),
            SanType::DnsName("*.wild.example".try_into().unwrap()),
            SanType::IpAddress("127.0.0.1".parse::<IpAddr>().unwrap()),
            SanType::IpAddress("2001:db8::1".parse::<IpAddr>().unwrap()),
        ],
        vec![
            SanType::Rfc822Name("user@example.org".try_into().unwrap()),
            SanType::URI("https://example.net/path?q=1".try_into().unwrap()),
        ],
        vec![
            SanType::IpAddress("::".parse::<IpAddr>().unwrap()),
            SanType::IpAddress("fe80::abcd:12:0:1".parse::<IpAddr>().unwrap()),
            SanType::IpAddress("10.255.0.254".parse::<IpAddr>().unwrap()),
        ],
        vec![],
    ];
    let serials: [Option<Vec<u8>>; 5] = [
        None,
        Some(vec![0x01]),
        Some(vec![0x7f]),
        Some(vec![0x00, 0x80]),
        Some(vec![0x0b, 0xad, 0xbe, 0xef]),
    ];
    for (i, san) in sans.into_iter().enumerate() {
        for (j, serial) in serials.iter().enumerate() {
            let key = KeyPair::generate().unwrap();
            let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
            p.subject_alt_names = san.clone();
            p.distinguished_name
                .push(DnType::CommonName, format!("cert {i}-{j}"));
            if j % 2 == 0 {
                p.distinguished_name
                    .push(DnType::OrganizationName, "ssl-rs judge");
                p.distinguished_name.push(DnType::CountryName, "DE");
                p.distinguished_name
                    .push(DnType::OrganizationalUnitName, "unit");
                p.distinguished_name.push(DnType::LocalityName, "Town");
                p.distinguished_name
                    .push(DnType::StateOrProvinceName, "State");
            }
            p.serial_number = serial.clone().map(SerialNumber::from);
            p.not_before = rcgen::date_time_ymd(2000 + (i as i32) * 7, 1 + j as u8, 5 + j as u8);
            p.not_after = rcgen::date_time_ymd(2049 + j as i32 * 10, 12, 31);
            out.push(p.self_signed(&key).unwrap().der().to_vec());
        }
    }
    out
}

#[test]
fn decoder_agrees_with_openssl_x509() {
    let corpus = corpus();
    let mut all = Vec::new();
    for (i, der) in corpus.iter().enumerate() {
        for d in compare(der) {
            all.push(format!("cert {i}: {d}"));
        }
    }
    assert!(corpus.len() >= 25);
    assert!(all.is_empty(), "{}", all.join("\n"));
}

/// The record `getpeercert()` returns on a real connection is the decoder's.
#[test]
fn peer_certificate_record_matches_openssl() {
    use ssl_api::{Bio, Context, MemoryBio, Object, WrapOptions};
    let dir = tempfile::tempdir().unwrap();
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    p.subject_alt_names
        .push(SanType::Rfc822Name("ops@localhost".try_into().unwrap()));
    p.distinguished_name.push(DnType::CommonName, "localhost");
    let cert = p.self_signed(&key).unwrap();
    let cert_path = dir.path().join("c.pem");
    let key_path = dir.path().join("k.pem");
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    let s = backend_openssl::OpenSslContext::new(ssl_api::PROTOCOL_TLS_SERVER).unwrap();
    s.load_cert_chain(&cert_path, Some(&key_path), None)
        .unwrap();
    let c = backend_openssl::OpenSslContext::new(ssl_api::PROTOCOL_TLS_CLIENT).unwrap();
    c.load_verify_locations(Some(&cert_path), None, None)
        .unwrap();
    let mut a = c
        .wrap_bio(
            MemoryBio::new(),
            MemoryBio::new(),
            WrapOptions::client("localhost"),
        )
        .unwrap();
    let mut b = s
        .wrap_bio(MemoryBio::new(), MemoryBio::new(), WrapOptions::server())
        .unwrap();
    for _ in 0..10 {
        let _ = a.do_handshake();
        let _ = b.do_handshake();
        b.incoming()
            .expect("made by wrap_bio")
            .write(&a.outgoing().expect("made by wrap_bio").read(None))
            .unwrap();
        a.incoming()
            .expect("made by wrap_bio")
            .write(&b.outgoing().expect("made by wrap_bio").read(None))
            .unwrap();
    }
    let der = a.getpeercert_der().unwrap().expect("peer certificate");
    assert_eq!(der, cert.der().to_vec());
    assert_eq!(
        a.getpeercert().unwrap().unwrap(),
        decode_cert(&der).unwrap()
    );
    assert!(compare(&der).is_empty(), "{:?}", compare(&der));
}
