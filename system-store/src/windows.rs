//! The Windows system certificate stores, as CPython's `_ssl` reads them
//! (F14 `enum_certificates`, F15 `enum_crls`, X8 `load_default_certs`).
//!
//! CPython (`Modules/_ssl.c`, `ssl_collect_certificates`) opens the named
//! store read-only in seven system store locations (LOCAL_MACHINE,
//! LOCAL_MACHINE_ENTERPRISE, LOCAL_MACHINE_GROUP_POLICY, CURRENT_USER,
//! CURRENT_USER_GROUP_POLICY, SERVICES, USERS), adds every one it could open
//! to a collection store and enumerates that; the results go through a Python
//! set, so identical entries appear once. A certificate's trust is read from
//! its enhanced-key-usage *property* first and, when there is none, from its
//! EKU *extension*: `True` when neither exists, else the set of OIDs.
//!
//! The `schannel` crate (which native-tls uses for TLS here, and which this
//! crate therefore does not call itself) has no
//! collection stores, no CRL enumeration and no way to ask for the EKU
//! property and extension separately, so these calls go to crypt32 through
//! `windows-sys`; all `unsafe` of the crate is in this module.

use std::collections::BTreeSet;
use std::ffi::CString;

use ssl_api::constants::Purpose;
use ssl_api::{Error, Result};
use windows_sys::Win32::Foundation::CRYPT_E_NOT_FOUND;
use windows_sys::Win32::Security::Cryptography::{
    CertAddStoreToCollection, CertCloseStore, CertEnumCRLsInStore, CertEnumCertificatesInStore,
    CertFreeCertificateContext, CertGetEnhancedKeyUsage, CertOpenStore,
    CERT_CLOSE_STORE_FORCE_FLAG, CERT_CONTEXT, CERT_FIND_EXT_ONLY_ENHKEY_USAGE_FLAG,
    CERT_FIND_PROP_ONLY_ENHKEY_USAGE_FLAG, CERT_PHYSICAL_STORE_ADD_ENABLE_FLAG,
    CERT_STORE_PROV_COLLECTION, CERT_STORE_PROV_SYSTEM_A, CERT_STORE_READONLY_FLAG,
    CERT_SYSTEM_STORE_CURRENT_USER, CERT_SYSTEM_STORE_CURRENT_USER_GROUP_POLICY_ID,
    CERT_SYSTEM_STORE_LOCAL_MACHINE, CERT_SYSTEM_STORE_LOCAL_MACHINE_ENTERPRISE_ID,
    CERT_SYSTEM_STORE_LOCAL_MACHINE_GROUP_POLICY_ID, CERT_SYSTEM_STORE_LOCATION_SHIFT,
    CERT_SYSTEM_STORE_SERVICES_ID, CERT_SYSTEM_STORE_USERS_ID, CTL_USAGE, HCERTSTORE,
    PKCS_7_ASN_ENCODING, X509_ASN_ENCODING,
};

/// The store locations CPython collects, in its order.
const LOCATIONS: [u32; 7] = [
    CERT_SYSTEM_STORE_LOCAL_MACHINE,
    CERT_SYSTEM_STORE_LOCAL_MACHINE_ENTERPRISE_ID << CERT_SYSTEM_STORE_LOCATION_SHIFT,
    CERT_SYSTEM_STORE_LOCAL_MACHINE_GROUP_POLICY_ID << CERT_SYSTEM_STORE_LOCATION_SHIFT,
    CERT_SYSTEM_STORE_CURRENT_USER,
    CERT_SYSTEM_STORE_CURRENT_USER_GROUP_POLICY_ID << CERT_SYSTEM_STORE_LOCATION_SHIFT,
    CERT_SYSTEM_STORE_SERVICES_ID << CERT_SYSTEM_STORE_LOCATION_SHIFT,
    CERT_SYSTEM_STORE_USERS_ID << CERT_SYSTEM_STORE_LOCATION_SHIFT,
];

/// The encoding of a store entry: Python's `"x509_asn"`, `"pkcs_7_asn"`, or
/// the raw number for anything else (as CPython returns it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Encoding {
    /// `X509_ASN_ENCODING`: `"x509_asn"`.
    X509Asn,
    /// `PKCS_7_ASN_ENCODING`: `"pkcs_7_asn"`.
    Pkcs7Asn,
    /// Any other value, reported as an int.
    Other(u32),
}

impl Encoding {
    fn from_raw(raw: u32) -> Self {
        match raw {
            X509_ASN_ENCODING => Encoding::X509Asn,
            PKCS_7_ASN_ENCODING => Encoding::Pkcs7Asn,
            other => Encoding::Other(other),
        }
    }

    /// Python's value: `Some("x509_asn")` / `Some("pkcs_7_asn")`, `None` for
    /// [`Encoding::Other`] (an int in Python).
    pub fn python_name(self) -> Option<&'static str> {
        match self {
            Encoding::X509Asn => Some("x509_asn"),
            Encoding::Pkcs7Asn => Some("pkcs_7_asn"),
            Encoding::Other(_) => None,
        }
    }
}

/// What a certificate is trusted for: Python's `True` (every purpose) or a
/// set of EKU OIDs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Trust {
    /// `True`: neither an EKU property nor an EKU extension restricts it.
    All,
    /// The dotted OIDs the certificate is trusted for.
    Oids(BTreeSet<String>),
}

impl Trust {
    /// Whether `oid` is allowed (CPython: `trust is True or oid in trust`).
    pub fn allows(&self, oid: &str) -> bool {
        match self {
            Trust::All => true,
            Trust::Oids(set) => set.contains(oid),
        }
    }
}

/// One entry of `enum_certificates` (F14): `(cert_bytes, encoding_type, trust)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StoreCertificate {
    /// The certificate's encoded bytes (DER for `x509_asn`).
    pub der: Vec<u8>,
    /// The encoding type.
    pub encoding: Encoding,
    /// The trust setting.
    pub trust: Trust,
}

/// One entry of `enum_crls` (F15): `(crl_bytes, encoding_type)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StoreCrl {
    /// The CRL's encoded bytes.
    pub der: Vec<u8>,
    /// The encoding type.
    pub encoding: Encoding,
}

/// A collection store of the named system store in CPython's seven
/// locations; closed (with every context it handed out) on drop.
struct Collection(HCERTSTORE);

impl Collection {
    fn open(store_name: &str) -> Result<Self> {
        let name = CString::new(store_name).map_err(|_| Error::value("embedded null character"))?;
        // SAFETY: CERT_STORE_PROV_COLLECTION takes no parameter (null is
        // documented as valid); the returned handle is checked for null.
        let collection =
            unsafe { CertOpenStore(CERT_STORE_PROV_COLLECTION, 0, 0, 0, std::ptr::null()) };
        if collection.is_null() {
            return Err(std::io::Error::last_os_error().into());
        }
        let collection = Collection(collection);
        let mut added = 0;
        let mut last_error = None;
        for location in LOCATIONS {
            // SAFETY: CERT_STORE_PROV_SYSTEM_A takes a NUL-terminated ANSI
            // store name; `name` outlives the call. A null result means the
            // store does not exist or is not readable there.
            let system = unsafe {
                CertOpenStore(
                    CERT_STORE_PROV_SYSTEM_A,
                    0,
                    0,
                    CERT_STORE_READONLY_FLAG | location,
                    name.as_ptr().cast(),
                )
            };
            if system.is_null() {
                last_error = Some(std::io::Error::last_os_error());
                continue;
            }
            // SAFETY: both handles are open stores; the collection keeps its
            // own reference to the sibling, so closing `system` right after
            // (flag 0, as CPython does) is allowed.
            unsafe {
                if CertAddStoreToCollection(
                    collection.0,
                    system,
                    CERT_PHYSICAL_STORE_ADD_ENABLE_FLAG,
                    0,
                ) != 0
                {
                    added += 1;
                }
                CertCloseStore(system, 0);
            }
        }
        if added == 0 {
            return Err(last_error
                .unwrap_or_else(std::io::Error::last_os_error)
                .into());
        }
        Ok(collection)
    }
}

impl Drop for Collection {
    fn drop(&mut self) {
        // SAFETY: the handle came from CertOpenStore and is closed once;
        // FORCE frees the contexts the enumeration loops already released.
        unsafe {
            CertCloseStore(self.0, CERT_CLOSE_STORE_FORCE_FLAG);
        }
    }
}

/// `parseKeyUsage(cert, flags)`: `Trust::All` when the EKU (of the kind
/// `flags` names) is absent, else its OIDs.
fn key_usage(cert: *const CERT_CONTEXT, flags: u32) -> Result<Trust> {
    let mut size: u32 = 0;
    let not_found = |e: &std::io::Error| e.raw_os_error() == Some(CRYPT_E_NOT_FOUND);
    // SAFETY: `cert` is a live context from CertEnumCertificatesInStore; a
    // null usage pointer asks only for the size.
    if unsafe { CertGetEnhancedKeyUsage(cert, flags, std::ptr::null_mut(), &mut size) } == 0 {
        let e = std::io::Error::last_os_error();
        return if not_found(&e) {
            Ok(Trust::All)
        } else {
            Err(e.into())
        };
    }
    // A u64 buffer keeps CTL_USAGE (pointers inside) properly aligned.
    let mut buf = vec![0u64; (size as usize).div_ceil(8).max(1)];
    let usage = buf.as_mut_ptr().cast::<CTL_USAGE>();
    // SAFETY: `buf` holds at least `size` bytes, aligned for CTL_USAGE.
    if unsafe { CertGetEnhancedKeyUsage(cert, flags, usage, &mut size) } == 0 {
        let e = std::io::Error::last_os_error();
        return if not_found(&e) {
            Ok(Trust::All)
        } else {
            Err(e.into())
        };
    }
    let mut oids = BTreeSet::new();
    // SAFETY: on success crypt32 filled `usage` with `cUsageIdentifier`
    // pointers to NUL-terminated OID strings, all inside `buf`.
    unsafe {
        let usage = &*usage;
        for i in 0..usage.cUsageIdentifier as usize {
            let p = *usage.rgpszUsageIdentifier.add(i);
            if !p.is_null() {
                let oid = std::ffi::CStr::from_ptr(p.cast_const().cast());
                oids.insert(oid.to_string_lossy().into_owned());
            }
        }
    }
    Ok(Trust::Oids(oids))
}

/// `ssl.enum_certificates(store_name)` (F14): every certificate of the
/// system store `store_name` (`"CA"`, `"ROOT"`, `"MY"`, ...) in CPython's
/// seven locations, duplicates removed, each with its encoding and trust.
///
/// # Errors
///
/// `OSError` when the store exists in none of the locations; `ValueError`
/// for a name with a NUL character.
pub fn enum_certificates(store_name: &str) -> Result<Vec<StoreCertificate>> {
    let store = Collection::open(store_name)?;
    let mut out: Vec<StoreCertificate> = Vec::new();
    let mut ctx: *const CERT_CONTEXT = std::ptr::null();
    loop {
        // SAFETY: `ctx` is null or the previous context of this enumeration,
        // which the call frees.
        ctx = unsafe { CertEnumCertificatesInStore(store.0, ctx) };
        if ctx.is_null() {
            break;
        }
        // SAFETY: a non-null context points to a CERT_CONTEXT whose encoded
        // bytes stay valid until it is freed.
        let (der, encoding) = unsafe {
            let c = &*ctx;
            (
                std::slice::from_raw_parts(c.pbCertEncoded, c.cbCertEncoded as usize).to_vec(),
                Encoding::from_raw(c.dwCertEncodingType),
            )
        };
        let trust = match key_usage(ctx, CERT_FIND_PROP_ONLY_ENHKEY_USAGE_FLAG) {
            Ok(Trust::All) => key_usage(ctx, CERT_FIND_EXT_ONLY_ENHKEY_USAGE_FLAG),
            other => other,
        };
        let trust = match trust {
            Ok(t) => t,
            Err(e) => {
                // SAFETY: the loop ends early, so the context is freed here.
                unsafe { CertFreeCertificateContext(ctx) };
                return Err(e);
            }
        };
        let entry = StoreCertificate {
            der,
            encoding,
            trust,
        };
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    Ok(out)
}

/// `ssl.enum_crls(store_name)` (F15): every CRL of the system store
/// `store_name` in CPython's seven locations, duplicates removed.
///
/// # Errors
///
/// As [`enum_certificates`].
pub fn enum_crls(store_name: &str) -> Result<Vec<StoreCrl>> {
    let store = Collection::open(store_name)?;
    let mut out: Vec<StoreCrl> = Vec::new();
    let mut ctx = std::ptr::null();
    loop {
        // SAFETY: as in `enum_certificates`, for CRL contexts.
        ctx = unsafe { CertEnumCRLsInStore(store.0, ctx) };
        if ctx.is_null() {
            break;
        }
        // SAFETY: a non-null CRL context's encoded bytes are valid until freed.
        let entry = unsafe {
            let c = &*ctx;
            StoreCrl {
                der: std::slice::from_raw_parts(c.pbCrlEncoded, c.cbCrlEncoded as usize).to_vec(),
                encoding: Encoding::from_raw(c.dwCertEncodingType),
            }
        };
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    Ok(out)
}

/// The DER certificates `load_default_certs(purpose)` (X8) trusts on Windows,
/// as CPython's `SSLContext._load_windows_store_certs` picks them: from the
/// `CA` and `ROOT` stores, the `x509_asn` entries whose trust is `True` or
/// contains `purpose`'s OID. A store that cannot be read for lack of
/// permission is skipped (CPython warns and goes on). Duplicates removed.
///
/// # Errors
///
/// Any other `OSError` from reading a store.
pub fn system_trust_certs(purpose: Purpose) -> Result<Vec<Vec<u8>>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for store in ["CA", "ROOT"] {
        let entries = match enum_certificates(store) {
            Ok(e) => e,
            Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::PermissionDenied => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            if entry.encoding == Encoding::X509Asn
                && entry.trust.allows(purpose.oid())
                && !out.contains(&entry.der)
            {
                out.push(entry.der);
            }
        }
    }
    Ok(out)
}
