//! macOS: the certificates the keychain trust settings make trusted roots
//! (X8 `load_default_certs` / X12 `set_default_verify_paths` on macOS), read
//! with `security-framework`.
//!
//! The three trust-settings domains are read from the least to the most
//! specific (system, admin, user); a later domain's verdict replaces an
//! earlier one. A certificate is trusted when its last verdict is a trusted
//! root (or no TLS-specific setting, which Apple documents as "always
//! trust"), and left out when it is Deny or only Unspecified.

use std::collections::BTreeMap;

use security_framework::trust_settings::{Domain, TrustSettings, TrustSettingsForCertificate};
use ssl_api::constants::Purpose;
use ssl_api::{Error, Result};

/// The DER certificates the keychain trust settings make trusted roots, for
/// `purpose`. Security.framework's TLS trust settings are those of its
/// `sslServer` policy; macOS keeps no separate client-authentication roots,
/// so both purposes get the same list (as CPython's OpenSSL-based
/// `load_default_certs` does with its one CA file).
///
/// # Errors
///
/// `OSError` when the system domain cannot be read at all.
pub fn trusted_roots(purpose: Purpose) -> Result<Vec<Vec<u8>>> {
    let _ = purpose;
    // DER -> trusted (true) / distrusted (false), in first-seen order.
    let mut verdicts: BTreeMap<Vec<u8>, (usize, bool)> = BTreeMap::new();
    for domain in [Domain::System, Domain::Admin, Domain::User] {
        let settings = TrustSettings::new(domain);
        let iter = match settings.iter() {
            Ok(it) => it,
            Err(e) if domain == Domain::System => {
                return Err(Error::Io(std::io::Error::other(e.to_string())))
            }
            Err(_) => continue,
        };
        for cert in iter {
            let der = cert.to_der();
            let trusted = match settings.tls_trust_settings_for_certificate(&cert) {
                // No TLS-specific setting: "always trust" per Apple's docs.
                Ok(None) => true,
                Ok(Some(TrustSettingsForCertificate::TrustRoot))
                | Ok(Some(TrustSettingsForCertificate::TrustAsRoot)) => true,
                Ok(Some(TrustSettingsForCertificate::Deny)) => false,
                Ok(Some(_)) | Err(_) => continue,
            };
            let next = verdicts.len();
            verdicts
                .entry(der)
                .and_modify(|v| v.1 = trusted)
                .or_insert((next, trusted));
        }
    }
    let mut trusted: Vec<(usize, Vec<u8>)> = verdicts
        .into_iter()
        .filter(|(_, (_, ok))| *ok)
        .map(|(der, (i, _))| (i, der))
        .collect();
    trusted.sort();
    Ok(trusted.into_iter().map(|(_, der)| der).collect())
}
