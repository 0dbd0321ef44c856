//! `load_verify_locations(capath=...)` (X9) for libraries that need their
//! trust anchors up front: the certificates OpenSSL's hashed-directory
//! lookup (`X509_LOOKUP_hash_dir`) could find, read once.
//!
//! OpenSSL only ever opens `<hash>.<n>` files, where `hash` is the subject
//! name hash of the certificate it looks for (lowercase hex, as `openssl
//! rehash` names them) and `n` counts up from 0 until a file is missing; it
//! reads them only when a verification needs an issuer, and a directory that
//! does not exist is not an error. Files with other names (`ca.pem`,
//! `<hash>.r0` CRLs, ...) are never read as certificates, and a certificate
//! filed under another name's hash is never found.

use std::path::Path;

/// Whether `name` is `<8 lowercase hex digits>.<decimal>`, the name OpenSSL's
/// hashed directory lookup opens for certificates.
pub fn is_hashed_cert_name(name: &str) -> bool {
    let Some((hash, n)) = name.split_once('.') else {
        return false;
    };
    hash.len() == 8
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
}

/// OpenSSL's `X509_NAME_hash` of a certificate's subject: the first four
/// bytes (little-endian) of the SHA-1 of the name's canonical encoding
/// (`x509_name_canon`: string values as UTF8String, trimmed, inner runs of
/// white space as one space, ASCII lowercased; each RDN a DER `SET OF`;
/// no outer SEQUENCE). `None` for a certificate or name it cannot encode.
pub fn subject_name_hash(der: &[u8]) -> Option<u32> {
    use sha1::Digest;
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let mut canon = Vec::new();
    for rdn in cert.subject().iter() {
        let mut entries = Vec::new();
        for atv in rdn.iter() {
            let oid = tlv(0x06, atv.attr_type().as_bytes());
            let value = canonical_value(atv.attr_value())?;
            entries.push(tlv(0x30, &[oid, value].concat()));
        }
        // DER SET OF: elements in ascending order of their encodings
        // (OpenSSL's der_cmp: memcmp over the common length, then length).
        entries.sort_by(|a, b| {
            let n = a.len().min(b.len());
            a[..n].cmp(&b[..n]).then(a.len().cmp(&b.len()))
        });
        canon.extend(tlv(0x31, &entries.concat()));
    }
    let digest = sha1::Sha1::digest(&canon);
    Some(u32::from_le_bytes([
        digest[0], digest[1], digest[2], digest[3],
    ]))
}

/// `asn1_string_canon`: the value's TLV in the canonical form.
fn canonical_value(value: &asn1_rs::Any<'_>) -> Option<Vec<u8>> {
    use asn1_rs::{Class, Tag};
    let header = &value.header;
    if header.class() != Class::Universal || header.is_constructed() {
        return None;
    }
    let data = value.data;
    let text: Vec<u32> = match header.tag() {
        Tag::Utf8String => std::str::from_utf8(data)
            .ok()?
            .chars()
            .map(u32::from)
            .collect(),
        // One byte per character (Latin-1 for T61String, as OpenSSL takes it).
        Tag::PrintableString | Tag::T61String | Tag::Ia5String | Tag::VisibleString => {
            data.iter().map(|&b| u32::from(b)).collect()
        }
        Tag::BmpString if data.len().is_multiple_of(2) => data
            .chunks(2)
            .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
            .collect(),
        Tag::UniversalString if data.len().is_multiple_of(4) => data
            .chunks(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        Tag::BmpString | Tag::UniversalString => return None,
        // Other types are copied as they are.
        Tag(t) if t < 31 => return Some(tlv(t as u8, data)),
        _ => return None,
    };
    let mut utf8 = Vec::with_capacity(text.len());
    for c in text {
        put_utf8(&mut utf8, c)?;
    }
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let start = utf8
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(utf8.len());
    let end = utf8
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(start, |i| i + 1);
    let mut out = Vec::with_capacity(end - start);
    let mut i = start;
    while i < end {
        let b = utf8[i];
        if is_space(b) {
            out.push(b' ');
            while i < end && is_space(utf8[i]) {
                i += 1;
            }
        } else {
            out.push(b.to_ascii_lowercase());
            i += 1;
        }
    }
    Some(tlv(0x0c, &out))
}

/// OpenSSL's `UTF8_putc`: any value below 0x110000, surrogates included.
fn put_utf8(out: &mut Vec<u8>, c: u32) -> Option<()> {
    match c {
        0..=0x7f => out.push(c as u8),
        0x80..=0x7ff => out.extend([0xc0 | (c >> 6) as u8, 0x80 | (c & 0x3f) as u8]),
        0x800..=0xffff => out.extend([
            0xe0 | (c >> 12) as u8,
            0x80 | ((c >> 6) & 0x3f) as u8,
            0x80 | (c & 0x3f) as u8,
        ]),
        0x1_0000..=0x10_ffff => out.extend([
            0xf0 | (c >> 18) as u8,
            0x80 | ((c >> 12) & 0x3f) as u8,
            0x80 | ((c >> 6) & 0x3f) as u8,
            0x80 | (c & 0x3f) as u8,
        ]),
        _ => return None,
    }
    Some(())
}

/// A DER tag-length-value with a single-byte tag.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend(&bytes[skip..]);
    }
    out.extend(content);
    out
}

/// The certificates OpenSSL's lookup could find in `dir`: for each hash,
/// the files `<hash>.0`, `<hash>.1`, ... up to the first missing one, and in
/// them the parsable certificates whose subject hash is that hash; in
/// file-name order. Empty when the directory cannot be read (OpenSSL would
/// find nothing there either). The caller keeps them apart from the loaded
/// roots: `get_ca_certs()` / `cert_store_stats()` show one only after a
/// verification used it, as with OpenSSL.
pub fn hashed_dir_certificates(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let names: std::collections::BTreeSet<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| is_hashed_cert_name(n))
        .collect();
    let hashes: std::collections::BTreeSet<&str> = names
        .iter()
        .filter_map(|n| n.split_once('.'))
        .map(|(h, _)| h)
        .collect();
    let mut out = Vec::new();
    for hash in hashes {
        let Ok(wanted) = u32::from_str_radix(hash, 16) else {
            continue;
        };
        for n in 0.. {
            let name = format!("{hash}.{n}");
            if !names.contains(&name) {
                break;
            }
            let Ok(data) = std::fs::read(dir.join(&name)) else {
                break;
            };
            out.extend(
                super::keys::pem_certificates(&data)
                    .into_iter()
                    .filter(|der| subject_name_hash(der) == Some(wanted)),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashed_names_count() {
        assert!(is_hashed_cert_name("9d66eef0.0"));
        assert!(is_hashed_cert_name("9d66eef0.12"));
        assert!(
            !is_hashed_cert_name("9D66EEF0.0"),
            "OpenSSL writes lowercase"
        );
        assert!(!is_hashed_cert_name("9d66eef0.r0"), "a CRL");
        assert!(!is_hashed_cert_name("9d66eef.0"));
        assert!(!is_hashed_cert_name("ca.pem"));
        assert!(!is_hashed_cert_name("9d66eef0."));
        assert!(!is_hashed_cert_name("9d66eef0"));
    }

    fn self_signed(cn: &str) -> rcgen::Certificate {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(rcgen::DnType::CommonName, cn);
        p.self_signed(&key).unwrap()
    }

    fn hash_name(cert: &rcgen::Certificate, n: u32) -> String {
        format!("{:08x}.{n}", subject_name_hash(cert.der()).unwrap())
    }

    #[test]
    fn reads_what_openssl_would_find() {
        let (a, b, c, d) = (
            self_signed("a"),
            self_signed("b"),
            self_signed("c"),
            self_signed("d"),
        );
        let dir = tempfile::tempdir().unwrap();
        let put = |name: &str, pem: String| std::fs::write(dir.path().join(name), pem).unwrap();
        put(&hash_name(&a, 0), a.pem());
        // A file holding another certificate too: only the one whose subject
        // has the file's hash can be found under that name.
        put(&hash_name(&b, 0), b.pem() + &c.pem());
        // Not hashed names, a CRL name, a misnamed file, a gap after .0.
        put("ca.pem", c.pem());
        put(&hash_name(&c, 0).replace(".0", ".r0"), c.pem());
        put(&hash_name(&a, 1), d.pem());
        put(&hash_name(&d, 1), d.pem());
        put(&hash_name(&c, 0), "not a certificate".into());
        let got = hashed_dir_certificates(dir.path());
        let mut want = vec![a.der().to_vec(), b.der().to_vec()];
        let key = |der: &Vec<u8>| subject_name_hash(der).unwrap();
        want.sort_by_key(key);
        let mut got_sorted = got.clone();
        got_sorted.sort_by_key(key);
        assert_eq!(got_sorted, want);
        assert!(hashed_dir_certificates(&dir.path().join("missing")).is_empty());
    }

    #[test]
    fn canonical_names_hash_alike() {
        let hash = |cn: &str| subject_name_hash(self_signed(cn).der()).unwrap();
        assert_eq!(hash("Example  CA"), hash(" example ca "));
        assert_ne!(hash("Example CA"), hash("ExampleCA"));
    }
}
