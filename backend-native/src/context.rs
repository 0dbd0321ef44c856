//! `SSLContext` on native-tls: Python's settings in [`ContextSettings`], the
//! loaded identity and trust store, and the `TlsConnector` / `TlsAcceptor`
//! built from them when a connection is wrapped (cached until a setting
//! changes).
//!
//! How CPython's settings become native-tls ones:
//!
//! | CPython                                   | native-tls                                         |
//! |-------------------------------------------|----------------------------------------------------|
//! | `verify_mode = CERT_NONE` (client)        | `danger_accept_invalid_certs(true)`                |
//! | `check_hostname = False` / no hostname    | `danger_accept_invalid_hostnames(true)`            |
//! | `load_verify_locations` (cafile, cadata)  | `add_root_certificate` for each certificate        |
//! | no `load_default_certs` / default paths   | `disable_built_in_roots(true)`                     |
//! | `minimum_version` / `maximum_version` / `OP_NO_TLSv1_x` | `min_protocol_version` / `max_protocol_version` |
//! | `set_alpn_protocols` (client / server)    | `request_alpns` / `accept_alpn`                    |
//! | `load_cert_chain`                         | `Identity::from_pkcs8` (keys converted, `keys.rs`) |

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use native_tls::{Certificate, Identity, Protocol as NtProtocol, TlsAcceptor, TlsConnector};
use ssl_api::cert::inspect::is_ca;
use ssl_api::constants::{Protocol, Purpose, TlsVersion, VerifyFlags, CERT_NONE};
use ssl_api::spi::Sealed;
use ssl_api::transport::SharedTransport;
use ssl_api::{
    CaData, CertChain, CertStoreStats, CipherInfo, ContextSettings, Error, KeyData, Password,
    Result, ServernameCallback, SessionStats, WrapOptions,
};

use crate::errors;
use crate::keys::{load_identity, IdentityPem};
use crate::object::NativeObject;
use crate::Native;

/// Certificates of a `capath` directory: trusted from the start (native-tls
/// needs its roots up front), shown by `get_ca_certs()` / `cert_store_stats()`
/// only once a verified handshake used one, as OpenSSL's lazy lookup does.
#[derive(Debug, Default)]
pub(crate) struct Capath {
    certs: Vec<Vec<u8>>,
    used: Vec<bool>,
}

impl Capath {
    /// Whether a handshake could still mark a certificate (most contexts
    /// have no capath: then nothing is parsed per handshake).
    pub(crate) fn has_unmarked(&self) -> bool {
        self.used.iter().any(|u| !u)
    }

    /// Marks the capath certificates that issued `leaf`, and their issuers.
    pub(crate) fn mark_chain_of(&mut self, leaf: &[u8]) {
        use x509_parser::prelude::{FromDer, X509Certificate};
        let issuer_of = |der: &[u8]| -> Option<Vec<u8>> {
            X509Certificate::from_der(der)
                .ok()
                .map(|(_, c)| c.issuer().as_raw().to_vec())
        };
        let subject_of = |der: &[u8]| -> Option<Vec<u8>> {
            X509Certificate::from_der(der)
                .ok()
                .map(|(_, c)| c.subject().as_raw().to_vec())
        };
        let mut wanted = issuer_of(leaf);
        for _ in 0..16 {
            let Some(name) = wanted.take() else { return };
            let Some(i) = self
                .certs
                .iter()
                .position(|c| subject_of(c).as_deref() == Some(&name[..]))
            else {
                return;
            };
            if self.used[i] {
                return;
            }
            self.used[i] = true;
            if ssl_api::cert::inspect::self_issued(&self.certs[i]) {
                return;
            }
            wanted = issuer_of(&self.certs[i]);
        }
    }

    fn used(&self) -> impl Iterator<Item = &Vec<u8>> {
        self.certs
            .iter()
            .zip(&self.used)
            .filter(|(_, u)| **u)
            .map(|(c, _)| c)
    }
}

pub(crate) struct State {
    pub settings: ContextSettings,
    pub identity: Option<IdentityPem>,
    /// Trusted certificates loaded by the user (DER, load order, no duplicates).
    pub roots: Vec<Vec<u8>>,
    /// CRLs loaded (counted by `cert_store_stats`; native-tls cannot use them).
    pub crls: usize,
    /// `load_default_certs` / `set_default_verify_paths` was called: the
    /// platform's own roots stay enabled.
    pub system_roots: bool,
    /// The platform roots as `get_ca_certs()` / `cert_store_stats()` show them.
    pub system_view: Vec<Vec<u8>>,
    pub capath: Arc<Mutex<Capath>>,
    pub stats: SessionStats,
    connectors: [Option<TlsConnector>; 2],
    acceptor: Option<TlsAcceptor>,
}

/// `SSLContext` on native-tls. Clones share one context.
#[derive(Clone)]
pub struct NativeContext {
    pub(crate) state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for NativeContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeContext")
            .field("protocol", &self.lock().settings.protocol())
            .finish_non_exhaustive()
    }
}

impl PartialEq for NativeContext {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.state, &other.state)
    }
}

fn nt_protocol(v: TlsVersion) -> Option<NtProtocol> {
    Some(match v {
        TlsVersion::TLSv1 => NtProtocol::Tlsv10,
        TlsVersion::TLSv1_1 => NtProtocol::Tlsv11,
        TlsVersion::TLSv1_2 => NtProtocol::Tlsv12,
        TlsVersion::TLSv1_3 => NtProtocol::Tlsv13,
        _ => return None,
    })
}

/// The feature a backend cannot provide, as `NotImplemented`.
pub(crate) fn unsupported(feature: impl Into<String>) -> Error {
    Error::not_implemented(crate::NAME, feature)
}

impl State {
    /// native-tls takes one version range: the highest contiguous run of the
    /// enabled versions (OpenSSL's own rule for holes left by `OP_NO_*`).
    fn version_range(&self) -> Result<(NtProtocol, NtProtocol)> {
        let enabled = self.settings.enabled_versions();
        let hi = *enabled.last().ok_or_else(errors::no_protocols)?;
        let all = ssl_api::settings::TLS_VERSIONS;
        let hi_pos = all
            .iter()
            .position(|v| *v == hi)
            .ok_or_else(errors::no_protocols)?;
        let mut lo = hi;
        for v in all[..hi_pos].iter().rev() {
            if enabled.contains(v) {
                lo = *v;
            } else {
                break;
            }
        }
        let lo = nt_protocol(lo).ok_or_else(errors::no_protocols)?;
        let hi = nt_protocol(hi).ok_or_else(errors::no_protocols)?;
        #[cfg(target_vendor = "apple")]
        let hi = if matches!(hi, NtProtocol::Tlsv13) {
            NtProtocol::Tlsv12
        } else {
            hi
        };
        Ok((lo, hi))
    }

    fn invalidate(&mut self) {
        self.connectors = [None, None];
        self.acceptor = None;
    }

    fn native_identity(&self) -> Result<Option<Identity>> {
        self.identity
            .as_ref()
            .map(|id| Identity::from_pkcs8(&id.chain_pem, &id.key_pem).map_err(errors::from_native))
            .transpose()
    }

    pub(crate) fn connector(&mut self, with_name: bool) -> Result<TlsConnector> {
        if let Some(c) = &self.connectors[usize::from(with_name)] {
            return Ok(c.clone());
        }
        let (lo, hi) = self.version_range()?;
        let mut b = TlsConnector::builder();
        b.min_protocol_version(Some(lo))
            .max_protocol_version(Some(hi));
        if let Some(id) = self.native_identity()? {
            b.identity(id);
        }
        let capath = self.capath.lock().unwrap_or_else(|e| e.into_inner());
        for der in self.roots.iter().chain(&capath.certs) {
            let cert = Certificate::from_der(der).map_err(errors::from_native)?;
            b.add_root_certificate(cert);
        }
        drop(capath);
        b.disable_built_in_roots(!self.system_roots);
        let verify = self.settings.verify_mode() != CERT_NONE;
        b.danger_accept_invalid_certs(!verify);
        b.danger_accept_invalid_hostnames(!(verify && with_name && self.settings.check_hostname()));
        b.use_sni(with_name);
        let alpn: Vec<&str> = self
            .settings
            .alpn_protocols()
            .iter()
            .filter_map(|p| std::str::from_utf8(p).ok())
            .collect();
        if !alpn.is_empty() {
            b.request_alpns(&alpn);
        }
        let connector = b.build().map_err(errors::from_native)?;
        self.connectors[usize::from(with_name)] = Some(connector.clone());
        Ok(connector)
    }

    /// The acceptor, or `None` without a certificate (the handshake then
    /// fails as OpenSSL's does: NO_SHARED_CIPHER).
    pub(crate) fn acceptor(&mut self) -> Result<Option<TlsAcceptor>> {
        if self.settings.verify_mode() != CERT_NONE {
            return Err(unsupported(
                "X4 verify_mode on the server (client certificate request): native-tls's TlsAcceptor cannot ask for a client certificate",
            ));
        }
        #[cfg(target_vendor = "apple")]
        if !self.settings.alpn_protocols().is_empty() {
            return Err(unsupported(
                "X14 server-side ALPN: Security.framework's server has no ALPN selection in native-tls",
            ));
        }
        if let Some(a) = &self.acceptor {
            return Ok(Some(a.clone()));
        }
        let Some(id) = self.native_identity()? else {
            // Still check the versions, as a configured acceptor would.
            self.version_range()?;
            return Ok(None);
        };
        let (lo, hi) = self.version_range()?;
        let mut b = TlsAcceptor::builder(id);
        b.min_protocol_version(Some(lo))
            .max_protocol_version(Some(hi));
        let alpn: Vec<&str> = self
            .settings
            .alpn_protocols()
            .iter()
            .filter_map(|p| std::str::from_utf8(p).ok())
            .collect();
        if !alpn.is_empty() {
            b.accept_alpn(&alpn);
        }
        let acceptor = b.build().map_err(errors::from_native)?;
        self.acceptor = Some(acceptor.clone());
        Ok(Some(acceptor))
    }

    fn store_view(&self) -> Vec<Vec<u8>> {
        let mut all = self.roots.clone();
        let capath = self.capath.lock().unwrap_or_else(|e| e.into_inner());
        for c in self.system_view.iter().chain(capath.used()) {
            if !all.contains(c) {
                all.push(c.clone());
            }
        }
        all
    }
}

/// Every `(tag, der)` PEM block in `data`.
fn pem_blocks(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    pem::parse_many(data)
        .map(|blocks| {
            blocks
                .into_iter()
                .map(|b| (b.tag().to_owned(), b.into_contents()))
                .collect()
        })
        .unwrap_or_default()
}

impl NativeContext {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update<T>(&self, f: impl FnOnce(&mut State) -> Result<T>) -> Result<T> {
        let mut state = self.lock();
        let out = f(&mut state)?;
        state.invalidate();
        Ok(out)
    }

    fn add_roots(&self, certs: Vec<Vec<u8>>) {
        let mut state = self.lock();
        for der in certs {
            if !state.roots.contains(&der) {
                state.roots.push(der);
            }
        }
        state.invalidate();
    }

    /// Loads the certificates and CRLs of a PEM bundle; how many were found.
    fn add_pem_bundle(&self, data: &[u8]) -> usize {
        let mut certs = Vec::new();
        let mut crls = 0;
        for (tag, der) in pem_blocks(data) {
            match tag.as_str() {
                // A certificate native-tls cannot parse would fail every later
                // handshake: keep only the ones the decoder reads.
                "CERTIFICATE" | "TRUSTED CERTIFICATE" | "X509 CERTIFICATE"
                    if x509_parser::parse_x509_certificate(&der).is_ok() =>
                {
                    certs.push(der);
                }
                "X509 CRL" => crls += 1,
                _ => {}
            }
        }
        let n = certs.len() + crls;
        self.add_roots(certs);
        self.lock().crls += crls;
        n
    }

    /// Adds platform roots to what `get_ca_certs()` / `cert_store_stats()`
    /// show, and keeps the platform's own trust enabled (X8, X12).
    fn enable_system_roots(&self, view: Vec<Vec<u8>>) {
        self.update(|s| {
            s.system_roots = true;
            for der in view {
                if !s.system_view.contains(&der) {
                    s.system_view.push(der);
                }
            }
            Ok(())
        })
        .unwrap_or(());
    }
}

impl ssl_api::Context for NativeContext {
    type Backend = Native;

    fn new(protocol: Protocol) -> Result<Self> {
        use ssl_api::constants::*;
        let supported = [
            PROTOCOL_TLS,
            PROTOCOL_TLS_CLIENT,
            PROTOCOL_TLS_SERVER,
            PROTOCOL_TLSv1,
            PROTOCOL_TLSv1_1,
            PROTOCOL_TLSv1_2,
        ];
        if !supported.contains(&protocol) {
            return Err(unsupported(format!(
                "C3 {protocol:?}: native-tls speaks TLS 1.0 to 1.3 only"
            )));
        }
        Ok(NativeContext {
            state: Arc::new(Mutex::new(State {
                settings: ContextSettings::new(protocol),
                identity: None,
                roots: Vec::new(),
                crls: 0,
                system_roots: false,
                system_view: Vec::new(),
                capath: Arc::default(),
                stats: SessionStats::default(),
                connectors: [None, None],
                acceptor: None,
            })),
        })
    }

    fn with_settings<R>(&self, _: Sealed, read: impl FnOnce(&ContextSettings) -> R) -> R {
        read(&self.lock().settings)
    }

    fn update_settings<R>(
        &self,
        _: Sealed,
        change: impl FnOnce(&mut ContextSettings) -> Result<R>,
    ) -> Result<R> {
        self.update(|s| change(&mut s.settings))
    }

    fn set_verify_flags(&self, flags: VerifyFlags) -> Result<()> {
        // Trusted-first is what every platform verifier does anyway.
        let expressible = VerifyFlags::VERIFY_X509_TRUSTED_FIRST;
        if !expressible.contains(flags) {
            return Err(unsupported(
                "X5 verify_flags: native-tls has no CRL checking, strict or partial-chain verification switches",
            ));
        }
        self.update(|s| {
            s.settings.set_verify_flags(flags);
            Ok(())
        })
    }

    fn set_hostname_checks_common_name(&self, check: bool) -> Result<()> {
        if !check {
            return Err(unsupported(
                "X23 hostname_checks_common_name=False: native-tls always applies the platform's own name check",
            ));
        }
        self.update(|s| {
            s.settings.set_hostname_checks_common_name(true);
            Ok(())
        })
    }

    fn set_num_tickets(&self, n: usize) -> Result<()> {
        self.update(|s| {
            let mut wanted = s.settings.clone();
            wanted.set_num_tickets(n)?;
            if n != ssl_api::settings::DEFAULT_NUM_TICKETS {
                return Err(unsupported(
                    "X23+ num_tickets: native-tls sends its platform's number of tickets",
                ));
            }
            s.settings = wanted;
            Ok(())
        })
    }

    fn set_post_handshake_auth(&self, enabled: bool) -> Result<()> {
        if enabled {
            return Err(unsupported(
                "X23 post_handshake_auth: native-tls has no post-handshake authentication",
            ));
        }
        self.update(|s| {
            s.settings.set_post_handshake_auth(false);
            Ok(())
        })
    }

    fn set_keylog_filename(&self, path: Option<&Path>) -> Result<()> {
        match path {
            None => self.update(|s| {
                s.settings.set_keylog_filename(None);
                Ok(())
            }),
            Some(_) => Err(unsupported(
                "X23 keylog_filename: native-tls exposes no key log callback",
            )),
        }
    }

    fn load_cert_chain_from_memory(
        &self,
        chain: CertChain<'_>,
        key: Option<KeyData<'_>>,
        password: Option<Password>,
    ) -> Result<()> {
        let pem = ssl_api::cert::keys::identity_pem(chain, key)?;
        let identity = load_identity(&pem.chain, &pem.key, password.as_ref())?;
        // Let the platform parse it now, so a key it refuses fails here, as in CPython.
        Identity::from_pkcs8(&identity.chain_pem, &identity.key_pem)
            .map_err(|_| crate::keys::pem_lib())?;
        self.update(|s| {
            s.identity = Some(identity);
            Ok(())
        })
    }

    fn load_verify_locations(
        &self,
        cafile: Option<&Path>,
        capath: Option<&Path>,
        cadata: Option<CaData>,
    ) -> Result<()> {
        ssl_api::settings::load_verify_locations_with(
            cafile,
            capath,
            cadata,
            |pem| Ok(self.add_pem_bundle(pem)),
            |certs| {
                self.add_roots(certs);
                Ok(())
            },
            // native-tls needs its roots up front: capath certificates are
            // trusted now but shown only once a handshake used them.
            |certs| {
                self.update(|s| {
                    let mut capath = s.capath.lock().unwrap_or_else(|e| e.into_inner());
                    for c in certs {
                        if !capath.certs.contains(&c) {
                            capath.certs.push(c);
                            capath.used.push(false);
                        }
                    }
                    Ok(())
                })
            },
        )
    }

    fn load_default_certs(&self, purpose: Purpose) -> Result<()> {
        #[cfg(windows)]
        {
            // CPython: the CA and ROOT stores, filtered by purpose, then
            // set_default_verify_paths().
            let certs = crate::windows::system_trust_certs(purpose)?;
            self.enable_system_roots(certs);
        }
        #[cfg(target_os = "macos")]
        {
            let certs = crate::macos::trusted_roots(purpose)?;
            self.enable_system_roots(certs);
        }
        #[cfg(not(any(windows, target_os = "macos")))]
        let _ = purpose;
        self.set_default_verify_paths()
    }

    fn set_default_verify_paths(&self) -> Result<()> {
        #[cfg(not(any(windows, target_vendor = "apple")))]
        {
            // native-tls trusts the bundle openssl-probe finds; show it as
            // OpenSSL's X509_STORE would after set_default_verify_paths().
            let paths = <Native as ssl_api::Backend>::get_default_verify_paths();
            let view = paths
                .cafile
                .and_then(|f| std::fs::read(f).ok())
                .map(|data| {
                    pem_blocks(&data)
                        .into_iter()
                        .filter(|(t, _)| t == "CERTIFICATE")
                        .map(|(_, d)| d)
                        .collect()
                })
                .unwrap_or_default();
            self.enable_system_roots(view);
        }
        #[cfg(any(windows, target_vendor = "apple"))]
        self.enable_system_roots(Vec::new());
        Ok(())
    }

    fn get_ca_certs_der(&self) -> Result<Vec<Vec<u8>>> {
        Ok(self
            .lock()
            .store_view()
            .into_iter()
            .filter(|c| is_ca(c))
            .collect())
    }

    fn cert_store_stats(&self) -> Result<CertStoreStats> {
        let s = self.lock();
        let store = s.store_view();
        Ok(CertStoreStats {
            x509: store.len() as i64,
            crl: s.crls as i64,
            x509_ca: store.iter().filter(|c| is_ca(c)).count() as i64,
        })
    }

    fn get_ciphers(&self) -> Result<Vec<CipherInfo>> {
        Err(unsupported(
            "X11 get_ciphers: native-tls does not expose the platform's cipher list",
        ))
    }

    fn set_ciphers(&self, _cipherlist: &str) -> Result<()> {
        Err(unsupported(
            "X13 set_ciphers: native-tls takes no cipher list",
        ))
    }

    fn set_alpn_protocols(&self, protocols: &[&str]) -> Result<()> {
        self.update(|s| s.settings.set_alpn_protocols(protocols))
    }

    fn set_npn_protocols(&self, _protocols: &[&str]) -> Result<()> {
        Err(unsupported("X15 set_npn_protocols: native-tls has no NPN"))
    }

    fn set_servername_callback(&self, callback: Option<ServernameCallback<Native>>) -> Result<()> {
        match callback {
            None => Ok(()),
            Some(_) => Err(unsupported(
                "X16 set_servername_callback: native-tls's TlsAcceptor has no SNI callback",
            )),
        }
    }

    fn load_dh_params(&self, _path: &Path) -> Result<()> {
        Err(unsupported(
            "X17 load_dh_params: native-tls takes no DH parameters",
        ))
    }

    fn set_ecdh_curve(&self, _name: &str) -> Result<()> {
        Err(unsupported(
            "X18 set_ecdh_curve: native-tls takes no curve list",
        ))
    }

    fn session_stats(&self) -> Result<SessionStats> {
        Ok(self.lock().stats)
    }

    fn wrap_transport(
        &self,
        transport: SharedTransport,
        options: WrapOptions<Native>,
    ) -> Result<NativeObject> {
        // No message hook in the library: the callback watches the records.
        let transport = self.lock().settings.tapped_transport_for_wrap(
            transport,
            options.server_side,
            options.server_hostname.as_deref(),
        )?;
        NativeObject::new(self.clone(), transport, options)
    }
}
