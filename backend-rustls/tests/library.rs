//! Facts about the linked library and the system trust store.

use ssl_api::{Backend, Context, PROTOCOL_TLS_CLIENT};

#[test]
fn declared_version_is_the_locked_one() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
        .expect("Cargo.lock");
    let at = lock
        .find("name = \"rustls\"\n")
        .expect("rustls in Cargo.lock");
    let version_line = lock[at..].lines().nth(1).expect("version line");
    let (major, minor, patch) = backend_rustls::RUSTLS_VERSION;
    assert_eq!(
        version_line,
        format!("version = \"{major}.{minor}.{patch}\"")
    );
    let caps = backend_rustls::Rustls::capabilities();
    assert_eq!(
        caps.library_version,
        format!("rustls {major}.{minor}.{patch}")
    );
}

/// X8/X12: load_default_certs reads SSL_CERT_FILE when it is set (this test
/// binary runs alone in its process, so changing the environment is safe).
#[test]
fn default_certs_honour_ssl_cert_file() {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = params.self_signed(&key).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("only-ca.pem");
    std::fs::write(&file, ca.pem()).unwrap();
    std::env::set_var("SSL_CERT_FILE", &file);
    std::env::set_var("SSL_CERT_DIR", dir.path().join("no-such-dir"));
    let ctx = backend_rustls::RustlsContext::new(PROTOCOL_TLS_CLIENT).unwrap();
    ctx.load_default_certs(ssl_api::Purpose::ServerAuth)
        .unwrap();
    let stats = ctx.cert_store_stats().unwrap();
    assert_eq!((stats.x509, stats.x509_ca), (1, 1), "{stats:?}");
    assert_eq!(ctx.get_ca_certs_der().unwrap(), vec![ca.der().to_vec()]);
    let paths = backend_rustls::Rustls::get_default_verify_paths();
    assert_eq!(paths.cafile.as_deref(), Some(file.to_str().unwrap()));
    assert_eq!(paths.capath, None);
    assert_eq!(paths.openssl_cafile_env, "SSL_CERT_FILE");
}
