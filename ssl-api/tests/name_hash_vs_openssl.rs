//! `ssl_api::cert::capath::subject_name_hash` against the `openssl` tool's
//! `x509 -subject_hash` (the name `openssl rehash` files a CA under), over
//! names of every string type, case and white-space form, and several
//! attributes. The `openssl` tool is required: without it this test fails.

use rcgen::{CertificateParams, DistinguishedName, DnType, DnValue, KeyPair};

fn openssl_hash(pem: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.pem");
    std::fs::write(&path, pem).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["x509", "-subject_hash", "-noout", "-in"])
        .arg(&path)
        .output()
        .expect("the openssl tool is needed as the judge");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn cert(dn: DistinguishedName) -> rcgen::Certificate {
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name = dn;
    p.self_signed(&key).unwrap()
}

#[test]
fn subject_hash_equals_openssl() {
    let texts = [
        "Example CA",
        "  Mixed   CASE\tName  ",
        "trailing space ",
        "ÄÖÜ ünïcode Ärger",
        "日本語 の 名前",
        "a",
    ];
    let mut names: Vec<(String, DistinguishedName)> = Vec::new();
    for t in texts {
        let ascii = t.is_ascii();
        let mut values = vec![
            ("utf8", DnValue::Utf8String(t.to_string())),
            ("bmp", DnValue::BmpString(t.try_into().unwrap())),
            ("universal", DnValue::UniversalString(t.try_into().unwrap())),
        ];
        if ascii && !t.contains('\t') {
            values.push(("printable", DnValue::PrintableString(t.try_into().unwrap())));
        }
        if ascii {
            values.push(("ia5", DnValue::Ia5String(t.try_into().unwrap())));
            // rcgen's TeletexString takes printable ASCII only (no tab).
            if let Ok(v) = t.try_into() {
                values.push(("teletex", DnValue::TeletexString(v)));
            }
        }
        for (kind, v) in values {
            let mut dn = DistinguishedName::new();
            dn.push(DnType::CommonName, v);
            names.push((format!("CN {kind} {t:?}"), dn));
        }
    }
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "DE");
    dn.push(DnType::OrganizationName, "Some  Org, Inc.");
    dn.push(DnType::OrganizationalUnitName, "Unit");
    dn.push(DnType::CommonName, "Several Attributes");
    names.push(("several attributes".into(), dn));
    names.push(("empty name".into(), DistinguishedName::new()));

    let mut checked = 0;
    for (label, dn) in names {
        let c = cert(dn);
        let ours = ssl_api::cert::capath::subject_name_hash(c.der())
            .map(|h| format!("{h:08x}"))
            .unwrap_or_else(|| "none".into());
        assert_eq!(ours, openssl_hash(&c.pem()), "{label}");
        checked += 1;
    }
    eprintln!("{checked} subject hashes equal openssl's");
}
