//! # system-store
//!
//! The platform's trusted certificates for a purpose, as DER, for every
//! backend (X8 `load_default_certs(purpose)`): one call that means the same
//! thing on every OS, so a backend's `load_default_certs` can add them to its
//! own trust store without knowing the platform. Windows (F14
//! `enum_certificates`, F15 `enum_crls`, CPython's store reading) and macOS
//! (keychain trust settings) live here, apart from any TLS library, so that
//! no backend has to depend on another.
#![deny(missing_docs)]

#[cfg(target_os = "macos")]
pub mod macos;
#[cfg(windows)]
#[allow(unsafe_code)]
pub mod windows;

use ssl_api::constants::Purpose;
use ssl_api::Result;

/// The DER certificates the platform trusts for `purpose`:
///
/// - Windows: the `CA` and `ROOT` system stores, keeping only certificates
///   whose trust (EKU property, then extension) allows `purpose`, exactly as
///   CPython's `SSLContext._load_windows_store_certs` does
///   (`windows::system_trust_certs`);
/// - macOS: the keychain certificates whose trust settings (system, admin,
///   user domains) make them trusted roots (`macos::trusted_roots`);
/// - elsewhere: `None`: there is no system store; backends use
///   `set_default_verify_paths()` (the CA bundle file / directory) instead, as
///   CPython does.
///
/// # Errors
///
/// An `OSError` when the platform store cannot be opened at all.
pub fn trusted_certs(purpose: Purpose) -> Result<Option<Vec<Vec<u8>>>> {
    #[cfg(windows)]
    {
        crate::windows::system_trust_certs(purpose).map(Some)
    }
    #[cfg(target_os = "macos")]
    {
        crate::macos::trusted_roots(purpose).map(Some)
    }
    #[cfg(not(any(windows, target_os = "macos")))]
    {
        let _ = purpose;
        Ok(None)
    }
}
