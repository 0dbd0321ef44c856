//! Certificate verification with OpenSSL's outcomes (DESIGN §10).
//!
//! rustls refuses by design what OpenSSL (and so CPython) allows: reading an
//! unverified peer certificate under `CERT_NONE`, `CERT_OPTIONAL` on the server,
//! a self-signed certificate trusted as its own CA, commonName fallback. These
//! verifiers always run chain verification with webpki, turn the result into
//! OpenSSL's `X509_V_ERR_*` code and message, and then decide by `verify_mode`.
//! A failure travels through rustls as `CertificateError::Other` carrying a
//! [`VerifyFailure`], so the Object can raise `SSLCertVerificationError` with
//! the exact code, without any per-connection state in the (cached) config.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use ssl_api::constants::{VerifyFlags, VerifyMode, CERT_NONE, CERT_REQUIRED};
use ssl_api::{
    match_hostname, VerifyFailure, X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH,
};

/// What a verifier needs from the context, frozen when the config is built.
#[derive(Debug)]
pub(crate) struct VerifyPolicy {
    pub verify_mode: VerifyMode,
    pub verify_flags: VerifyFlags,
    /// Check the name (client side: `check_hostname` and a `server_hostname` given).
    pub check_name: bool,
    pub hostname_checks_common_name: bool,
    pub roots: Vec<CertificateDer<'static>>,
    /// `roots` as trust anchors, parsed once per config.
    pub anchors: Vec<TrustAnchor<'static>>,
    /// Certificates of `capath` directories: trusted, but shown by
    /// `get_ca_certs()` only once a verification has used them (OpenSSL's
    /// hashed-directory lookup caches what it loads in the store).
    pub capath: Arc<CapathCerts>,
    /// The loaded CRLs, parsed once per config.
    pub crls: Vec<webpki::CertRevocationList<'static>>,
    pub algorithms: WebPkiSupportedAlgorithms,
}

/// The certificates of the context's `capath` directories, and which of them
/// verification has used so far (shared by the context and its verifiers).
#[derive(Debug, Default)]
pub(crate) struct CapathCerts {
    /// Every certificate read from the directories.
    pub available: std::sync::Mutex<Vec<CertificateDer<'static>>>,
    /// Those a verification used as its trust anchor, in order of first use.
    pub used: std::sync::Mutex<Vec<CertificateDer<'static>>>,
}

impl CapathCerts {
    fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every certificate available.
    pub fn available(&self) -> Vec<CertificateDer<'static>> {
        Self::lock(&self.available).clone()
    }

    /// The certificates used so far.
    pub fn used(&self) -> Vec<CertificateDer<'static>> {
        Self::lock(&self.used).clone()
    }

    /// Adds certificates read from a directory.
    pub fn add(&self, certs: impl IntoIterator<Item = CertificateDer<'static>>) {
        let mut available = Self::lock(&self.available);
        for c in certs {
            if !available.contains(&c) {
                available.push(c);
            }
        }
    }

    fn mark_used(&self, anchor_subject: &[u8]) {
        let found = Self::lock(&self.available)
            .iter()
            .find(|c| {
                webpki::anchor_from_trusted_cert(c)
                    .is_ok_and(|a| a.subject.as_ref() == anchor_subject)
            })
            .cloned();
        if let Some(cert) = found {
            let mut used = Self::lock(&self.used);
            if !used.contains(&cert) {
                used.push(cert);
            }
        }
    }
}

/// A verification failure as a `std::error::Error`, so that it can ride inside
/// `rustls::OtherError`.
#[derive(Debug)]
pub(crate) struct VerifyError(pub VerifyFailure);

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.0.message, self.0.code)
    }
}

impl std::error::Error for VerifyError {}

fn failure(code: i64, message: &str) -> VerifyFailure {
    VerifyFailure {
        code,
        message: message.to_owned(),
    }
}

thread_local! {
    /// The failure behind the last rejection on this thread whose variant
    /// carries no payload (see [`reject`]): the handshake that ran the
    /// verifier reads it back on the same thread.
    static LAST_FAILURE: std::cell::RefCell<Option<VerifyFailure>> =
        const { std::cell::RefCell::new(None) };
}

thread_local! {
    /// The chain the last successful verification on this thread built
    /// (leaf first, the trust anchor's certificate last), for the
    /// connection whose handshake ran it to take (`get_verified_chain`).
    static LAST_CHAIN: std::cell::RefCell<Option<Vec<Vec<u8>>>> =
        const { std::cell::RefCell::new(None) };
}

/// The chain the last verification on this thread built, if any.
pub(crate) fn take_verified_chain() -> Option<Vec<Vec<u8>>> {
    LAST_CHAIN.with(|c| c.borrow_mut().take())
}

fn keep_verified_chain(chain: Vec<Vec<u8>>) {
    LAST_CHAIN.with(|c| *c.borrow_mut() = Some(chain));
}

/// The failure [`reject`] kept for a payload-less `CertificateError`.
pub(crate) fn take_failure() -> Option<VerifyFailure> {
    LAST_FAILURE.with(|f| f.borrow_mut().take())
}

/// The rejection rustls reports, chosen so that the alert it sends is the
/// one OpenSSL sends for this `X509_V_ERR_*` (`ssl_x509err2alert`): unknown
/// CA for the chain-building failures, certificate expired, revoked, bad
/// certificate; anything else certificate unknown (OpenSSL's decrypt error
/// for a bad signature has only deprecated rustls variants). Only
/// `Other` can carry the failure itself: for the other variants it is kept
/// for [`take_failure`].
fn reject(f: VerifyFailure) -> rustls::Error {
    use rustls::CertificateError as CE;
    let kind = match f.code {
        // UNABLE_TO_GET_ISSUER_CERT, UNABLE_TO_GET_CRL, DEPTH_ZERO_SELF_SIGNED,
        // SELF_SIGNED_IN_CHAIN, UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
        // UNABLE_TO_VERIFY_LEAF_SIGNATURE, CHAIN_TOO_LONG, INVALID_CA,
        // PATH_LENGTH_EXCEEDED.
        2 | 3 | 18 | 19 | 20 | 21 | 22 | 24 | 25 => Some(CE::UnknownIssuer),
        // CERT_HAS_EXPIRED, CRL_HAS_EXPIRED.
        10 | 12 => Some(CE::Expired),
        // CERT_REVOKED.
        23 => Some(CE::Revoked),
        // NOT_YET_VALID, CRL_NOT_YET_VALID, ERROR_IN_CERT_NOT_BEFORE/AFTER,
        // CERT_UNTRUSTED, CERT_REJECTED, HOSTNAME/EMAIL/IP mismatch.
        9 | 11 | 13 | 14 | 27 | 28 | 62 | 63 | 64 => Some(CE::BadEncoding),
        _ => None,
    };
    match kind {
        Some(kind) => {
            LAST_FAILURE.with(|slot| *slot.borrow_mut() = Some(f));
            rustls::Error::InvalidCertificate(kind)
        }
        None => rustls::Error::InvalidCertificate(CE::Other(rustls::OtherError(Arc::new(
            VerifyError(f),
        )))),
    }
}

fn self_issued(der: &CertificateDer<'_>) -> bool {
    ssl_api::cert::inspect::self_issued(der)
}

impl VerifyPolicy {
    /// Runs chain (and optionally CRL and name) verification; `Ok` or OpenSSL's
    /// code and message for the first failure.
    pub fn verify(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: Option<&ServerName<'_>>,
        client_auth: bool,
        now: UnixTime,
    ) -> Result<(), VerifyFailure> {
        self.verify_chain(end_entity, intermediates, client_auth, now)?;
        if let (true, Some(name)) = (self.check_name, server_name) {
            self.verify_name(end_entity, name)?;
        }
        Ok(())
    }

    fn verify_chain(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        client_auth: bool,
        now: UnixTime,
    ) -> Result<(), VerifyFailure> {
        let ee = webpki::EndEntityCert::try_from(end_entity)
            .map_err(|_| failure(7, "certificate signature failure"))?;
        let capath = self.capath.available();
        let with_capath: Vec<TrustAnchor<'_>>;
        let anchors: &[TrustAnchor<'_>] = if capath.is_empty() {
            &self.anchors
        } else {
            with_capath = self
                .anchors
                .iter()
                .cloned()
                .chain(
                    capath
                        .iter()
                        .filter_map(|c| webpki::anchor_from_trusted_cert(c).ok()),
                )
                .collect();
            &with_capath
        };
        let crl_refs: Vec<&webpki::CertRevocationList<'_>> = self.crls.iter().collect();
        let check_leaf = self
            .verify_flags
            .contains(VerifyFlags::VERIFY_CRL_CHECK_LEAF);
        let check_chain = self
            .verify_flags
            .contains(VerifyFlags::VERIFY_CRL_CHECK_CHAIN);
        let revocation = if check_leaf || check_chain {
            match webpki::RevocationOptionsBuilder::new(&crl_refs) {
                Ok(b) => Some(
                    b.with_depth(if check_chain {
                        webpki::RevocationCheckDepth::Chain
                    } else {
                        webpki::RevocationCheckDepth::EndEntity
                    })
                    .with_status_policy(webpki::UnknownStatusPolicy::Deny)
                    .build(),
                ),
                // OpenSSL: CRL checking without any CRL loaded.
                Err(_) => return Err(failure(3, "unable to get certificate CRL")),
            }
        } else {
            None
        };
        let usage = if client_auth {
            webpki::KeyUsage::client_auth()
        } else {
            webpki::KeyUsage::server_auth()
        };
        let result = ee.verify_for_usage(
            self.algorithms.all,
            anchors,
            intermediates,
            now,
            usage,
            revocation,
            None,
        );
        match result {
            Ok(path) => {
                let anchor = path.anchor();
                let subject = anchor.subject.as_ref();
                let is_anchor = |c: &CertificateDer<'_>| {
                    webpki::anchor_from_trusted_cert(c).is_ok_and(|a| {
                        a.subject.as_ref() == subject
                            && a.subject_public_key_info.as_ref()
                                == anchor.subject_public_key_info.as_ref()
                    })
                };
                let root = self.roots.iter().find(|r| is_anchor(r)).cloned();
                if root.is_none() {
                    self.capath.mark_used(subject);
                }
                let root = root.or_else(|| capath.iter().find(|c| is_anchor(c)).cloned());
                let mut chain = vec![end_entity.to_vec()];
                chain.extend(path.intermediate_certificates().map(|c| c.der().to_vec()));
                chain.extend(root.map(|r| r.to_vec()));
                keep_verified_chain(chain);
                Ok(())
            }
            // OpenSSL trusts a certificate found in the store as-is (a self-signed
            // server certificate loaded as a CA authenticates itself).
            Err(_) if self.roots.iter().any(|r| r.as_ref() == end_entity.as_ref()) => {
                keep_verified_chain(vec![end_entity.to_vec()]);
                Ok(())
            }
            Err(e) => Err(self.map_webpki(e, end_entity, intermediates)),
        }
    }

    fn map_webpki(
        &self,
        e: webpki::Error,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
    ) -> VerifyFailure {
        use webpki::Error as W;
        match e {
            W::UnknownIssuer => {
                if intermediates.is_empty() && self_issued(end_entity) {
                    failure(18, "self-signed certificate")
                } else if intermediates.iter().any(self_issued) {
                    failure(19, "self-signed certificate in certificate chain")
                } else {
                    failure(20, "unable to get local issuer certificate")
                }
            }
            W::CertExpired { .. } => failure(10, "certificate has expired"),
            W::CertNotValidYet { .. } => failure(9, "certificate is not yet valid"),
            W::CertRevoked => failure(23, "certificate revoked"),
            W::UnknownRevocationStatus => failure(3, "unable to get certificate CRL"),
            W::CrlExpired { .. } => failure(12, "CRL has expired"),
            W::InvalidSignatureForPublicKey | W::InvalidCrlSignatureForPublicKey => {
                failure(7, "certificate signature failure")
            }
            W::RequiredEkuNotFoundContext(_) => failure(26, "unsupported certificate purpose"),
            W::CaUsedAsEndEntity | W::EndEntityUsedAsCa => failure(24, "invalid CA certificate"),
            W::PathLenConstraintViolated => failure(25, "path length constraint exceeded"),
            W::NameConstraintViolation => failure(47, "permitted subtree violation"),
            W::UnsupportedCertVersion => failure(24, "invalid CA certificate"),
            _ => failure(7, "certificate signature failure"),
        }
    }

    /// Hostname / IP check as CPython configures OpenSSL: SANs first, the
    /// commonName only without DNS SANs (and only if `hostname_checks_common_name`).
    fn verify_name(
        &self,
        end_entity: &CertificateDer<'_>,
        name: &ServerName<'_>,
    ) -> Result<(), VerifyFailure> {
        // Fast path: a subjectAltName match found by webpki is one CPython's
        // rules accept too; only a miss needs those rules (commonName fallback,
        // their wildcard cases, the exact error).
        if webpki::EndEntityCert::try_from(end_entity)
            .is_ok_and(|ee| ee.verify_is_valid_for_subject_name(name).is_ok())
        {
            return Ok(());
        }
        let (host, is_ip) = match name {
            ServerName::DnsName(d) => (d.as_ref().to_owned(), false),
            ServerName::IpAddress(ip) => (std::net::IpAddr::from(*ip).to_string(), true),
            _ => (String::new(), false),
        };
        let code = if is_ip {
            X509_V_ERR_IP_ADDRESS_MISMATCH
        } else {
            X509_V_ERR_HOSTNAME_MISMATCH
        };
        // CPython's words, naming the host the connection was made to.
        let mismatch = VerifyFailure::of_connection(code, "", Some(&host));
        let record =
            ssl_api::cert::decode::decode_cert(end_entity).map_err(|_| mismatch.clone())?;
        let has_dns_san = record
            .subject_alt_name()
            .is_some_and(|sans| sans.iter().any(|(k, _)| k == "DNS"));
        if !self.hostname_checks_common_name && !has_dns_san && !is_ip {
            return Err(mismatch);
        }
        match_hostname(&record, &host).map_err(|_| mismatch)
    }

    fn tls12(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn tls13(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }
}

/// The client's verifier of the server certificate.
#[derive(Debug)]
pub(crate) struct ServerVerifier(pub Arc<VerifyPolicy>);

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify(end_entity, intermediates, Some(server_name), false, now)
        {
            Ok(()) => Ok(ServerCertVerified::assertion()),
            // CERT_NONE: the result is recorded nowhere and ignored, as OpenSSL does.
            Err(_) if self.0.verify_mode == CERT_NONE => Ok(ServerCertVerified::assertion()),
            Err(f) => Err(reject(f)),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.algorithms.supported_schemes()
    }
}

/// The server's verifier of client certificates (CERT_OPTIONAL / CERT_REQUIRED).
#[derive(Debug)]
pub(crate) struct ClientVerifier(pub Arc<VerifyPolicy>);

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        self.0.verify_mode != CERT_NONE
    }

    fn client_auth_mandatory(&self) -> bool {
        self.0.verify_mode == CERT_REQUIRED
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // CPython does not send a CA list unless asked (SSL_CTX_set_client_CA_list).
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.0
            .verify(end_entity, intermediates, None, true, now)
            .map(|()| ClientCertVerified::assertion())
            .map_err(reject)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.algorithms.supported_schemes()
    }
}
