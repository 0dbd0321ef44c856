//! `SSLContext` on rustls: Python's settings in [`ContextSettings`], the loaded
//! identity and trust store, and the rustls configs built from them (cached
//! until a setting changes).

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rustls::crypto::aws_lc_rs;
use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::pki_types::pem::{PemObject, SectionKind};
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, ServerConfig, SupportedCipherSuite, SupportedProtocolVersion};
use ssl_api::cert::inspect::is_ca;
use ssl_api::cert::keys::{self, PrivateKey};
use ssl_api::constants::{
    Protocol, Purpose, TlsVersion, VerifyFlags, OP_CIPHER_SERVER_PREFERENCE, OP_NO_TICKET,
};
use ssl_api::spi::Sealed;
use ssl_api::transport::SharedTransport;
use ssl_api::{
    CaData, CertChain, CertStoreStats, CipherInfo, ContextSettings, Error, KeyData, Password,
    Result, ServernameCallback, SessionStats, WrapOptions,
};

use crate::object::RustlsObject;
use crate::suites;
use crate::verify::{CapathCerts, ClientVerifier, ServerVerifier, VerifyPolicy};
use crate::Rustls;

/// The loaded certificate chain and key (`load_cert_chain`).
#[derive(Clone, Debug)]
pub(crate) struct Identity {
    /// One certified key per key type (RSA, ECDSA, ...), as OpenSSL keeps one
    /// certificate per type: the one loaded last first.
    pub keys: Vec<Arc<CertifiedKey>>,
}

/// The server's certificates: the first whose key can sign with a scheme
/// the client offers (OpenSSL picks among its certificates the same way).
#[derive(Debug)]
struct ServerIdentity(Vec<Arc<CertifiedKey>>);

impl rustls::server::ResolvesServerCert for ServerIdentity {
    fn resolve(&self, hello: rustls::server::ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        // One certificate (the usual case): nothing to choose.
        if let [only] = self.0.as_slice() {
            return Some(only.clone());
        }
        let offered = hello.signature_schemes();
        // A TLS 1.2 suite names the key type it authenticates with
        // (`TLS_ECDHE_ECDSA_...`, `TLS_ECDHE_RSA_...`); TLS 1.3 takes any.
        // Prefer a key some offered TLS 1.2 suite can use (the client may
        // speak TLS 1.2 only), then any key the client can verify.
        let suites: Vec<String> = hello
            .cipher_suites()
            .iter()
            .map(|s| format!("{s:?}"))
            .collect();
        let verifiable = |k: &&Arc<CertifiedKey>| k.key.choose_scheme(offered).is_some();
        let tls12_usable = |k: &&Arc<CertifiedKey>| {
            let marker = match k.key.algorithm() {
                rustls::SignatureAlgorithm::ECDSA => "_ECDSA_",
                rustls::SignatureAlgorithm::RSA => "_RSA_",
                _ => return true,
            };
            verifiable(k) && suites.iter().any(|s| s.contains(marker))
        };
        self.0
            .iter()
            .find(tls12_usable)
            .or_else(|| self.0.iter().find(verifiable))
            .or_else(|| self.0.first())
            .cloned()
    }
}

/// The client's certificates, chosen as the server's are.
#[derive(Debug)]
struct ClientIdentity(Vec<Arc<CertifiedKey>>);

impl rustls::client::ResolvesClientCert for ClientIdentity {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        sigschemes: &[rustls::SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.0
            .iter()
            .find(|k| k.key.choose_scheme(sigschemes).is_some())
            .cloned()
    }

    fn has_certs(&self) -> bool {
        !self.0.is_empty()
    }
}

#[derive(Default)]
pub(crate) struct Caches {
    /// Client configs, index 0 without SNI / name check, 1 with.
    client: [Option<Arc<ClientConfig>>; 2],
    /// Server configs, index 0 without ALPN (no overlap), 1 with.
    server: [Option<Arc<ServerConfig>>; 2],
}

pub(crate) struct State {
    pub settings: ContextSettings,
    pub identity: Option<Identity>,
    /// Certificates of the trust store, in load order, without duplicates.
    pub store: Vec<CertificateDer<'static>>,
    pub crls: Vec<CertificateRevocationListDer<'static>>,
    pub capath: Arc<CapathCerts>,
    pub tls12_suites: Vec<SupportedCipherSuite>,
    /// TLS 1.3 suites (all by default; `set_ciphersuites` narrows them).
    pub tls13_suites: Vec<SupportedCipherSuite>,
    pub kx_groups: Option<Vec<&'static dyn SupportedKxGroup>>,
    pub servername_callback: Option<ServernameCallback<Rustls>>,
    pub stats: SessionStats,
    pub server_sessions: Arc<dyn rustls::server::StoresServerSessions>,
    pub ticketer: Option<Arc<dyn rustls::server::ProducesTickets>>,
    caches: Caches,
}

/// `SSLContext` on rustls. Clones share one context.
#[derive(Clone)]
pub struct RustlsContext {
    pub(crate) state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for RustlsContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RustlsContext")
            .field("protocol", &self.lock().settings.protocol())
            .finish_non_exhaustive()
    }
}

impl PartialEq for RustlsContext {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.state, &other.state)
    }
}

fn pem_error() -> Error {
    keys::pem_lib()
}

/// Every `(kind, der)` PEM section in `data`; `NO_START_LINE`-like errors are
/// left to the caller (an empty list).
fn pem_sections(data: &[u8]) -> Vec<(SectionKind, Vec<u8>)> {
    <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(data)
        .map_while(|r| r.ok())
        .collect()
}

/// The first private key in `data` as rustls takes it (every PEM form,
/// decrypted by the shared reader in `ssl_api::cert::keys`).
fn find_key(data: &[u8], password: Option<&Password>) -> Result<Option<PrivateKeyDer<'static>>> {
    Ok(
        keys::find_private_key(data, password)?.map(|key| match key {
            PrivateKey::Pkcs8(der) => PrivateKeyDer::Pkcs8(der.into()),
            PrivateKey::Pkcs1(der) => PrivateKeyDer::Pkcs1(der.into()),
            PrivateKey::Sec1(der) => PrivateKeyDer::Sec1(der.into()),
        }),
    )
}

fn provider_with(
    tls13: &[SupportedCipherSuite],
    tls12: &[SupportedCipherSuite],
    kx: Option<&Vec<&'static dyn SupportedKxGroup>>,
) -> Arc<CryptoProvider> {
    let base = aws_lc_rs::default_provider();
    let mut cipher_suites: Vec<SupportedCipherSuite> = tls13.to_vec();
    cipher_suites.extend_from_slice(tls12);
    Arc::new(CryptoProvider {
        cipher_suites,
        kx_groups: kx.cloned().unwrap_or(base.kx_groups.clone()),
        ..base
    })
}

impl State {
    /// The store as OpenSSL would show it: loaded certificates, then the
    /// `capath` certificates verification has used.
    fn store_view(&self) -> Vec<CertificateDer<'static>> {
        let mut all = self.store.clone();
        for c in self.capath.used() {
            if !all.contains(&c) {
                all.push(c);
            }
        }
        all
    }

    fn invalidate(&mut self) {
        self.caches = Caches::default();
    }

    fn versions(&self) -> Result<Vec<&'static SupportedProtocolVersion>> {
        let versions: Vec<_> = self
            .settings
            .enabled_versions()
            .into_iter()
            .filter_map(|v| match v {
                TlsVersion::TLSv1_2 => Some(&rustls::version::TLS12),
                TlsVersion::TLSv1_3 => Some(&rustls::version::TLS13),
                _ => None,
            })
            .collect();
        if versions.is_empty() {
            return Err(Error::ssl(
                "SSL",
                "NO_PROTOCOLS_AVAILABLE",
                "no protocols available",
            ));
        }
        Ok(versions)
    }

    fn policy(&self, check_name: bool) -> Arc<VerifyPolicy> {
        Arc::new(VerifyPolicy {
            verify_mode: self.settings.verify_mode(),
            verify_flags: self.settings.verify_flags(),
            check_name: check_name && self.settings.check_hostname(),
            hostname_checks_common_name: self.settings.hostname_checks_common_name(),
            roots: self.store.clone(),
            anchors: self
                .store
                .iter()
                .filter_map(|c| {
                    webpki::anchor_from_trusted_cert(c)
                        .ok()
                        .map(|a| a.to_owned())
                })
                .collect(),
            capath: self.capath.clone(),
            crls: self
                .crls
                .iter()
                .filter_map(|c| webpki::OwnedCertRevocationList::from_der(c).ok())
                .map(webpki::CertRevocationList::from)
                .collect(),
            algorithms: aws_lc_rs::default_provider().signature_verification_algorithms,
        })
    }

    fn keylog(&self) -> Arc<dyn rustls::KeyLog> {
        match self.settings.keylog_filename() {
            Some(path) => Arc::new(crate::keylog::FileKeyLog::new(path.clone())),
            None => Arc::new(rustls::NoKeyLog),
        }
    }

    pub(crate) fn client_config(&mut self, with_name: bool) -> Result<Arc<ClientConfig>> {
        if let Some(c) = &self.caches.client[with_name as usize] {
            return Ok(c.clone());
        }
        let provider = provider_with(
            &self.tls13_suites,
            &self.tls12_suites,
            self.kx_groups.as_ref(),
        );
        let builder = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&self.versions()?)
            .map_err(|e| Error::ssl("SSL", "NO_PROTOCOLS_AVAILABLE", e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ServerVerifier(self.policy(with_name))));
        let mut config = match &self.identity {
            Some(id) => builder
                .with_client_cert_resolver(Arc::new(ClientIdentity(self.auto_chained(&id.keys)))),
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = self.settings.alpn_protocols().to_vec();
        config.enable_sni = with_name;
        config.key_log = self.keylog();
        // Sessions are resumed only when the user passes one (as OpenSSL clients
        // do); the object installs its own one-session store.
        config.resumption = rustls::client::Resumption::disabled();
        let config = Arc::new(config);
        self.caches.client[with_name as usize] = Some(config.clone());
        Ok(config)
    }

    pub(crate) fn server_config(&mut self, with_alpn: bool) -> Result<Arc<ServerConfig>> {
        if let Some(c) = &self.caches.server[with_alpn as usize] {
            return Ok(c.clone());
        }
        let provider = provider_with(
            &self.tls13_suites,
            &self.tls12_suites,
            self.kx_groups.as_ref(),
        );
        let builder = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&self.versions()?)
            .map_err(|e| Error::ssl("SSL", "NO_PROTOCOLS_AVAILABLE", e.to_string()))?;
        let builder = if self.settings.verify_mode() == ssl_api::constants::CERT_NONE {
            builder.with_no_client_auth()
        } else {
            builder.with_client_cert_verifier(Arc::new(ClientVerifier(self.policy(false))))
        };
        let mut config = match &self.identity {
            Some(id) => {
                builder.with_cert_resolver(Arc::new(ServerIdentity(self.auto_chained(&id.keys))))
            }
            // No certificate: the handshake fails as OpenSSL's does (NO_SHARED_CIPHER).
            None => builder.with_cert_resolver(Arc::new(NoServerCert)),
        };
        if with_alpn {
            config.alpn_protocols = self.settings.alpn_protocols().to_vec();
        }
        config.ignore_client_order = self
            .settings
            .options()
            .contains(OP_CIPHER_SERVER_PREFERENCE);
        config.session_storage = self.server_sessions.clone();
        config.key_log = self.keylog();
        if self.settings.options().contains(OP_NO_TICKET) {
            config.send_tls13_tickets = 0;
        } else {
            config.send_tls13_tickets = self.settings.num_tickets();
            if let Some(t) = &self.ticketer {
                config.ticketer = t.clone();
            }
        }
        let config = Arc::new(config);
        self.caches.server[with_alpn as usize] = Some(config.clone());
        Ok(config)
    }
}

#[derive(Debug)]
struct NoServerCert;

impl rustls::server::ResolvesServerCert for NoServerCert {
    fn resolve(&self, _hello: rustls::server::ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        None
    }
}

impl State {
    /// OpenSSL's automatic chain (`ssl_add_cert_chain` without
    /// `SSL_MODE_NO_AUTO_CHAIN`): a certificate loaded without its chain is
    /// sent with the issuers the context's trust store holds, up to the root.
    fn auto_chained(&self, keys: &[Arc<CertifiedKey>]) -> Vec<Arc<CertifiedKey>> {
        keys.iter()
            .map(|k| {
                if k.cert.len() != 1 {
                    return k.clone();
                }
                let mut chain = k.cert.clone();
                while chain.len() < 10 {
                    let last = chain.last().expect("not empty");
                    if ssl_api::cert::inspect::self_issued(last) {
                        break;
                    }
                    let Some(issuer) = self
                        .store
                        .iter()
                        .find(|c| !chain.contains(c) && ssl_api::cert::inspect::issued(c, last))
                    else {
                        break;
                    };
                    chain.push(issuer.clone());
                }
                if chain.len() == 1 {
                    return k.clone();
                }
                Arc::new(CertifiedKey::new(chain, k.key.clone()))
            })
            .collect()
    }
}

impl RustlsContext {
    /// An identity for the context (its clones share it).
    pub(crate) fn id(&self) -> usize {
        Arc::as_ptr(&self.state) as usize
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update<T>(&self, f: impl FnOnce(&mut State) -> Result<T>) -> Result<T> {
        let mut state = self.lock();
        let out = f(&mut state)?;
        state.invalidate();
        Ok(out)
    }

    fn add_store_cert(state: &mut State, der: CertificateDer<'static>) {
        if !state.store.iter().any(|c| c == &der) {
            state.store.push(der);
        }
    }

    fn add_pem_bundle(&self, data: &[u8]) -> Result<usize> {
        let sections = pem_sections(data);
        self.update(|state| {
            let mut n = 0;
            for (kind, der) in sections {
                match kind {
                    SectionKind::Certificate => {
                        Self::add_store_cert(state, der.into());
                        n += 1;
                    }
                    SectionKind::Crl => {
                        state.crls.push(der.into());
                        n += 1;
                    }
                    _ => {}
                }
            }
            Ok(n)
        })
    }
}

impl ssl_api::Context for RustlsContext {
    type Backend = Rustls;

    fn new(protocol: Protocol) -> Result<Self> {
        use ssl_api::constants::*;
        if ![
            PROTOCOL_TLS,
            PROTOCOL_TLS_CLIENT,
            PROTOCOL_TLS_SERVER,
            PROTOCOL_TLSv1_2,
        ]
        .contains(&protocol)
        {
            return Err(Error::not_implemented(
                "rustls",
                format!("C3 {protocol:?}: rustls speaks only TLS 1.2 and 1.3"),
            ));
        }
        Ok(RustlsContext {
            state: Arc::new(Mutex::new(State {
                settings: ContextSettings::new(protocol),
                identity: None,
                store: Vec::new(),
                crls: Vec::new(),
                capath: Arc::default(),
                tls12_suites: suites::default_tls12_suites(),
                tls13_suites: suites::tls13_suites(),
                kx_groups: None,
                servername_callback: None,
                stats: SessionStats::default(),
                server_sessions: rustls::server::ServerSessionMemoryCache::new(20480),
                ticketer: aws_lc_rs::Ticketer::new().ok(),
                caches: Caches::default(),
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
        self.update(|s| {
            s.settings.set_verify_flags(flags);
            Ok(())
        })
    }

    fn set_hostname_checks_common_name(&self, check: bool) -> Result<()> {
        self.update(|s| {
            s.settings.set_hostname_checks_common_name(check);
            Ok(())
        })
    }

    fn set_num_tickets(&self, n: usize) -> Result<()> {
        self.update(|s| s.settings.set_num_tickets(n))
    }

    fn set_post_handshake_auth(&self, enabled: bool) -> Result<()> {
        if enabled {
            return Err(Error::not_implemented(
                "rustls",
                "X23 post_handshake_auth: rustls has no TLS 1.3 post-handshake authentication",
            ));
        }
        self.update(|s| {
            s.settings.set_post_handshake_auth(false);
            Ok(())
        })
    }

    fn set_keylog_filename(&self, path: Option<&Path>) -> Result<()> {
        if let Some(p) = path {
            // Like CPython: the file must be openable for appending now, and
            // a new one starts with the header.
            ssl_api::settings::open_keylog_file(p)?;
        }
        self.update(|s| {
            s.settings.set_keylog_filename(path.map(Path::to_path_buf));
            Ok(())
        })
    }

    fn load_cert_chain_from_memory(
        &self,
        chain: CertChain<'_>,
        key: Option<KeyData<'_>>,
        password: Option<Password>,
    ) -> Result<()> {
        let pem = keys::identity_pem(chain, key)?;
        let chain: Vec<CertificateDer<'static>> = pem_sections(&pem.chain)
            .into_iter()
            .filter(|(k, _)| *k == SectionKind::Certificate)
            .map(|(_, der)| der.into())
            .collect();
        if chain.is_empty() {
            return Err(pem_error());
        }
        let key_data = pem.key;
        let key = find_key(&key_data, password.as_ref())?.ok_or_else(pem_error)?;
        let signing = aws_lc_rs::default_provider()
            .key_provider
            .load_private_key(key.clone_key())
            .map_err(|_| pem_error())?;
        // OpenSSL's X509_check_private_key: the key's public half against the
        // leaf's SubjectPublicKeyInfo, whatever the certificate's version
        // (rustls's own check parses the leaf with webpki, which takes v3 only).
        let leaf_spki =
            ssl_api::cert::inspect::subject_public_key_info(&chain[0]).ok_or_else(pem_error)?;
        if signing
            .public_key()
            .is_some_and(|k| k.as_ref() != leaf_spki.as_slice())
        {
            return Err(Error::ssl(
                "X509",
                "KEY_VALUES_MISMATCH",
                "key values mismatch",
            ));
        }
        let algorithm = signing.algorithm();
        let certified = Arc::new(CertifiedKey::new(chain, signing));
        self.update(|s| {
            // A key of a type already loaded replaces it; another type adds one.
            let mut keys = s.identity.take().map(|id| id.keys).unwrap_or_default();
            keys.retain(|k| k.key.algorithm() != algorithm);
            keys.insert(0, certified);
            s.identity = Some(Identity { keys });
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
            |pem| self.add_pem_bundle(pem),
            |certs| {
                self.update(|s| {
                    for c in certs {
                        Self::add_store_cert(s, c.into());
                    }
                    Ok(())
                })
            },
            // OpenSSL looks capath certificates up when a verification needs
            // them; rustls needs its anchors up front, so they are read now
            // but kept apart (shown only once used).
            |certs| {
                self.update(|s| {
                    s.capath.add(certs.into_iter().map(CertificateDer::from));
                    Ok(())
                })
            },
        )
    }

    fn load_default_certs(&self, purpose: Purpose) -> Result<()> {
        // CPython: on Windows the CA and ROOT stores filtered by purpose (on
        // macOS the keychain trust settings), then set_default_verify_paths().
        if let Some(certs) = system_store::trusted_certs(purpose)? {
            self.update(|s| {
                for der in certs {
                    Self::add_store_cert(s, der.into());
                }
                Ok(())
            })?;
        }
        self.set_default_verify_paths()
    }

    fn set_default_verify_paths(&self) -> Result<()> {
        // OpenSSL's `SSL_CTX_set_default_verify_paths` with `SSL_CERT_FILE` /
        // `SSL_CERT_DIR` set: that file read now, those directories looked
        // up when a verification needs them, a missing one ignored.
        let file = std::env::var_os("SSL_CERT_FILE");
        let dirs = std::env::var_os("SSL_CERT_DIR");
        if file.is_some() || dirs.is_some() {
            if let Some(file) = file.map(std::path::PathBuf::from).filter(|p| p.is_file()) {
                self.load_verify_locations(Some(&file), None, None)?;
            }
            if let Some(dirs) = dirs {
                for dir in std::env::split_paths(&dirs).filter(|d| d.is_dir()) {
                    self.load_verify_locations(None, Some(&dir), None)?;
                }
            }
            return Ok(());
        }
        let found = rustls_native_certs::load_native_certs();
        self.update(|s| {
            for c in found.certs {
                Self::add_store_cert(s, c);
            }
            Ok(())
        })
    }

    fn get_ca_certs_der(&self) -> Result<Vec<Vec<u8>>> {
        Ok(self
            .lock()
            .store_view()
            .iter()
            .filter(|c| is_ca(c))
            .map(|c| c.to_vec())
            .collect())
    }

    fn cert_store_stats(&self) -> Result<CertStoreStats> {
        let s = self.lock();
        let store = s.store_view();
        Ok(CertStoreStats {
            x509: store.len() as i64,
            crl: s.crls.len() as i64,
            x509_ca: store.iter().filter(|c| is_ca(c)).count() as i64,
        })
    }

    fn get_ciphers(&self) -> Result<Vec<CipherInfo>> {
        let s = self.lock();
        Ok(suites::cipher_infos(&s.tls13_suites, &s.tls12_suites))
    }

    fn set_ciphers(&self, cipherlist: &str) -> Result<()> {
        let suites = suites::select_tls12_suites(cipherlist)?;
        self.update(|s| {
            s.tls12_suites = suites;
            Ok(())
        })
    }

    fn set_ciphersuites(&self, list: &str) -> Result<()> {
        let chosen = suites::select_tls13_suites(list)?;
        self.update(|s| {
            s.tls13_suites = chosen;
            Ok(())
        })
    }

    fn set_alpn_protocols(&self, protocols: &[&str]) -> Result<()> {
        self.update(|s| s.settings.set_alpn_protocols(protocols))
    }

    fn set_npn_protocols(&self, _protocols: &[&str]) -> Result<()> {
        Err(Error::not_implemented(
            "rustls",
            "X15 set_npn_protocols: rustls has no NPN",
        ))
    }

    fn set_servername_callback(&self, callback: Option<ServernameCallback<Rustls>>) -> Result<()> {
        self.update(|s| {
            s.servername_callback = callback;
            Ok(())
        })
    }

    fn load_dh_params(&self, _path: &Path) -> Result<()> {
        Err(Error::not_implemented(
            "rustls",
            "X17 load_dh_params: rustls has no finite-field DHE suites",
        ))
    }

    fn set_ecdh_curve(&self, name: &str) -> Result<()> {
        use rustls::NamedGroup;
        let wanted = match name {
            "prime256v1" | "P-256" | "secp256r1" => NamedGroup::secp256r1,
            "secp384r1" | "P-384" => NamedGroup::secp384r1,
            "secp521r1" | "P-521" => NamedGroup::secp521r1,
            "X25519" | "x25519" => NamedGroup::X25519,
            _ => {
                return Err(Error::value(format!(
                    "unknown elliptic curve name '{name}'"
                )))
            }
        };
        let group = aws_lc_rs::default_provider()
            .kx_groups
            .into_iter()
            .find(|g| g.name() == wanted)
            .ok_or_else(|| Error::value(format!("unknown elliptic curve name '{name}'")))?;
        self.update(|s| {
            s.kx_groups = Some(vec![group]);
            Ok(())
        })
    }

    fn session_stats(&self) -> Result<SessionStats> {
        Ok(self.lock().stats)
    }

    fn wrap_transport(
        &self,
        transport: SharedTransport,
        options: WrapOptions<Rustls>,
    ) -> Result<RustlsObject> {
        // No message hook in the library: the callback watches the records.
        let transport = self.lock().settings.tapped_transport_for_wrap(
            transport,
            options.server_side,
            options.server_hostname.as_deref(),
        )?;
        RustlsObject::new(self.clone(), transport, options)
    }
}
