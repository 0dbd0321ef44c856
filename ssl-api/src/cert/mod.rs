//! Certificates: the record `getpeercert()` returns, its decoder, PEM/DER
//! conversion and certificate times. Decoded once here for every backend.

pub mod capath;
pub mod decode;
pub mod inspect;
pub mod keys;
pub mod pem;
pub mod record;
pub mod time;

/// Where the system's CA bundle and directory are on this machine, probed as
/// `openssl-probe` (used by rustls-native-certs) does: the first existing
/// candidate of each, or the Debian/OpenSSL default when none exists.
pub fn probe_system_ca_locations() -> (String, String) {
    const DIRS: [&str; 8] = [
        "/usr/lib/ssl",
        "/etc/ssl",
        "/etc/pki/tls",
        "/etc/pki/ca-trust/extracted/pem",
        "/usr/local/ssl",
        "/usr/local/etc/openssl",
        "/etc/openssl",
        "/system/etc/security/cacerts",
    ];
    const FILES: [&str; 3] = ["cert.pem", "certs/ca-certificates.crt", "tls-ca-bundle.pem"];
    let file = DIRS
        .iter()
        .flat_map(|d| FILES.iter().map(move |f| format!("{d}/{f}")))
        .find(|p| std::path::Path::new(p).is_file())
        .unwrap_or_else(|| "/usr/lib/ssl/cert.pem".to_owned());
    let dir = DIRS
        .iter()
        .map(|d| format!("{d}/certs"))
        .find(|p| std::path::Path::new(p).is_dir())
        .unwrap_or_else(|| "/usr/lib/ssl/certs".to_owned());
    (file, dir)
}
