//! `load_verify_locations(capath=...)` (X9) for libraries that need their
//! trust anchors up front: the certificates OpenSSL's hashed-directory
//! lookup (`X509_LOOKUP_hash_dir`) could find, read once.
//!
//! OpenSSL only ever opens `<hash>.<n>` files (the lowercase hex subject-name
//! hash, as `openssl rehash` names them), and only when a verification needs
//! an issuer; a directory that does not exist is not an error. Files with other
//! names (`ca.pem`, `<hash>.r0` CRLs, ...) are never read as certificates.

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

/// The DER of every parsable certificate in the `<hash>.<n>` files of `dir`,
/// in file-name order; empty when the directory cannot be read (OpenSSL
/// would find nothing there either). The caller keeps them apart from the
/// loaded roots: `get_ca_certs()` / `cert_store_stats()` show one only after
/// a verification used it, as with OpenSSL.
pub fn hashed_dir_certificates(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(is_hashed_cert_name))
        .map(|e| e.path())
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .flat_map(|data| super::keys::pem_certificates(&data))
        .filter(|der| x509_parser::parse_x509_certificate(der).is_ok())
        .collect()
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

    #[test]
    fn reads_hashed_files_only_and_tolerates_a_missing_dir() {
        let make = |cn: &str| {
            let key = rcgen::KeyPair::generate().unwrap();
            let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            p.distinguished_name.push(rcgen::DnType::CommonName, cn);
            p.self_signed(&key).unwrap()
        };
        let (a, b, c) = (make("a"), make("b"), make("c"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("0000000a.0"), a.pem()).unwrap();
        // Two certificates in one hashed file: both are read, as OpenSSL does.
        std::fs::write(dir.path().join("0000000b.0"), b.pem() + &c.pem()).unwrap();
        std::fs::write(dir.path().join("ca.pem"), c.pem()).unwrap();
        std::fs::write(dir.path().join("0000000c.r0"), c.pem()).unwrap();
        std::fs::write(dir.path().join("0000000d.0"), "not a certificate").unwrap();
        let got = hashed_dir_certificates(dir.path());
        assert_eq!(
            got,
            vec![a.der().to_vec(), b.der().to_vec(), c.der().to_vec()]
        );
        assert!(hashed_dir_certificates(&dir.path().join("missing")).is_empty());
    }
}
