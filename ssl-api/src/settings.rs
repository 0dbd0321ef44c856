//! The library-independent state of an `SSLContext` and Python's rules for it
//! (X1-X6, X14, X19, X20, X23+), kept once so that every backend raises the same
//! `ValueError`s and starts from the same defaults. A backend embeds
//! [`ContextSettings`] and translates it into its library's configuration when a
//! connection is wrapped.

use std::path::PathBuf;

use crate::backend::MessageCallback;
use crate::constants::{
    OP_NO_SSLv2, OP_NO_SSLv3, OP_NO_TLSv1, OP_NO_TLSv1_1, OP_NO_TLSv1_2, OP_NO_TLSv1_3, Options,
    Protocol, TlsVersion, VerifyFlags, VerifyMode, CERT_NONE, CERT_REQUIRED, OP_ALL,
    OP_CIPHER_SERVER_PREFERENCE, OP_ENABLE_MIDDLEBOX_COMPAT, OP_NO_COMPRESSION, PROTOCOL_TLS,
    PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER,
};
use crate::error::{Error, Result};
use crate::transport::SharedTransport;

/// The TLS protocol versions a connection may use, oldest first.
pub const TLS_VERSIONS: [TlsVersion; 4] = [
    TlsVersion::TLSv1,
    TlsVersion::TLSv1_1,
    TlsVersion::TLSv1_2,
    TlsVersion::TLSv1_3,
];

/// OpenSSL's default number of TLS 1.3 tickets a server sends (CPython's
/// `num_tickets` starts there).
pub const DEFAULT_NUM_TICKETS: usize = 2;

/// The settings of an `SSLContext` that do not depend on the TLS library.
#[derive(Clone, Debug)]
pub struct ContextSettings {
    protocol: Protocol,
    options: Options,
    verify_mode: VerifyMode,
    verify_flags: VerifyFlags,
    check_hostname: bool,
    minimum_version: TlsVersion,
    maximum_version: TlsVersion,
    hostname_checks_common_name: bool,
    post_handshake_auth: bool,
    keylog_filename: Option<PathBuf>,
    alpn_protocols: Vec<Vec<u8>>,
    num_tickets: usize,
    msg_callback: MessageCallbackSlot,
}

/// `_msg_callback` as the settings keep it (a callback has no `Debug`).
#[derive(Clone, Default)]
struct MessageCallbackSlot(Option<MessageCallback>);

impl std::fmt::Debug for MessageCallbackSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Some(..)" } else { "None" })
    }
}

impl ContextSettings {
    /// CPython 3.11's defaults for `SSLContext(protocol)` (X1, P2): options
    /// `OP_ALL | OP_NO_SSLv3 | OP_NO_COMPRESSION | OP_CIPHER_SERVER_PREFERENCE |
    /// OP_ENABLE_MIDDLEBOX_COMPAT` (plus OP_NO_SSLv2, 0 on OpenSSL 3),
    /// `VERIFY_X509_TRUSTED_FIRST`, minimum TLS 1.2 for the flexible protocols,
    /// and `PROTOCOL_TLS_CLIENT` => `CERT_REQUIRED` + `check_hostname`.
    pub fn new(protocol: Protocol) -> Self {
        let client = protocol == PROTOCOL_TLS_CLIENT;
        let flexible = is_flexible(protocol);
        ContextSettings {
            protocol,
            options: OP_ALL
                | OP_NO_SSLv2
                | OP_NO_SSLv3
                | OP_NO_COMPRESSION
                | OP_CIPHER_SERVER_PREFERENCE
                | OP_ENABLE_MIDDLEBOX_COMPAT,
            verify_mode: if client { CERT_REQUIRED } else { CERT_NONE },
            verify_flags: VerifyFlags::VERIFY_X509_TRUSTED_FIRST,
            check_hostname: client,
            minimum_version: if flexible {
                TlsVersion::TLSv1_2
            } else {
                TlsVersion::MINIMUM_SUPPORTED
            },
            maximum_version: TlsVersion::MAXIMUM_SUPPORTED,
            hostname_checks_common_name: true,
            post_handshake_auth: false,
            keylog_filename: None,
            alpn_protocols: Vec::new(),
            num_tickets: DEFAULT_NUM_TICKETS,
            msg_callback: MessageCallbackSlot::default(),
        }
    }

    /// `_msg_callback`, for a backend that reports from the record layer
    /// ([`crate::transport::tapped`]).
    pub fn msg_callback(&self) -> Option<&MessageCallback> {
        self.msg_callback.0.as_ref()
    }

    /// Sets `_msg_callback` (`None` removes it).
    pub fn set_msg_callback(&mut self, callback: Option<MessageCallback>) {
        self.msg_callback = MessageCallbackSlot(callback);
    }

    /// `num_tickets` (X23+): the TLS 1.3 session tickets a server sends
    /// after each full handshake.
    pub fn num_tickets(&self) -> usize {
        self.num_tickets
    }

    /// Sets `num_tickets` (X23+): only on a `PROTOCOL_TLS_SERVER` context
    /// (ValueError otherwise, as CPython).
    pub fn set_num_tickets(&mut self, n: usize) -> Result<()> {
        if self.protocol != crate::constants::PROTOCOL_TLS_SERVER {
            return Err(Error::value("SSLContext is not a server context."));
        }
        self.num_tickets = n;
        Ok(())
    }

    /// `protocol` (X2).
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// `options` (X3).
    pub fn options(&self) -> Options {
        self.options
    }

    /// Sets `options` (X3): any bit may be set or cleared.
    pub fn set_options(&mut self, options: Options) {
        self.options = options;
    }

    /// `verify_mode` (X4).
    pub fn verify_mode(&self) -> VerifyMode {
        self.verify_mode
    }

    /// Sets `verify_mode` (X4): `CERT_NONE` while `check_hostname` is on is a ValueError.
    pub fn set_verify_mode(&mut self, mode: VerifyMode) -> Result<()> {
        if mode == CERT_NONE && self.check_hostname {
            return Err(Error::value(
                "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.",
            ));
        }
        self.verify_mode = mode;
        Ok(())
    }

    /// `verify_flags` (X5).
    pub fn verify_flags(&self) -> VerifyFlags {
        self.verify_flags
    }

    /// Sets `verify_flags` (X5).
    pub fn set_verify_flags(&mut self, flags: VerifyFlags) {
        self.verify_flags = flags;
    }

    /// `check_hostname` (X6).
    pub fn check_hostname(&self) -> bool {
        self.check_hostname
    }

    /// Sets `check_hostname` (X6); turning it on under `CERT_NONE` switches to
    /// `CERT_REQUIRED` (Python 3.7+).
    pub fn set_check_hostname(&mut self, check: bool) {
        if check && self.verify_mode == CERT_NONE {
            self.verify_mode = CERT_REQUIRED;
        }
        self.check_hostname = check;
    }

    fn ensure_flexible(&self) -> Result<()> {
        if is_flexible(self.protocol) {
            Ok(())
        } else {
            Err(Error::value(
                "The context's protocol doesn't support modification of highest and lowest version.",
            ))
        }
    }

    /// `minimum_version` (X23+).
    pub fn minimum_version(&self) -> TlsVersion {
        self.minimum_version
    }

    /// Sets `minimum_version` (X23+); a ValueError for fixed-version protocols.
    pub fn set_minimum_version(&mut self, version: TlsVersion) -> Result<()> {
        self.ensure_flexible()?;
        self.minimum_version = version;
        Ok(())
    }

    /// `maximum_version` (X23+).
    pub fn maximum_version(&self) -> TlsVersion {
        self.maximum_version
    }

    /// Sets `maximum_version` (X23+); a ValueError for fixed-version protocols.
    pub fn set_maximum_version(&mut self, version: TlsVersion) -> Result<()> {
        self.ensure_flexible()?;
        self.maximum_version = version;
        Ok(())
    }

    /// `hostname_checks_common_name` (X23+).
    pub fn hostname_checks_common_name(&self) -> bool {
        self.hostname_checks_common_name
    }

    /// Sets `hostname_checks_common_name` (X23+).
    pub fn set_hostname_checks_common_name(&mut self, check: bool) {
        self.hostname_checks_common_name = check;
    }

    /// `post_handshake_auth` (X23+).
    pub fn post_handshake_auth(&self) -> bool {
        self.post_handshake_auth
    }

    /// Sets `post_handshake_auth` (X23+).
    pub fn set_post_handshake_auth(&mut self, enabled: bool) {
        self.post_handshake_auth = enabled;
    }

    /// `keylog_filename` (X23+).
    pub fn keylog_filename(&self) -> Option<&PathBuf> {
        self.keylog_filename.as_ref()
    }

    /// Sets `keylog_filename` (X23+).
    pub fn set_keylog_filename(&mut self, path: Option<PathBuf>) {
        self.keylog_filename = path;
    }

    /// The ALPN protocols set by `set_alpn_protocols` (X14), in preference order.
    pub fn alpn_protocols(&self) -> &[Vec<u8>] {
        &self.alpn_protocols
    }

    /// `set_alpn_protocols(protocols)` (X14): each name 1 to 255 bytes, else an
    /// SSLError as in CPython.
    pub fn set_alpn_protocols(&mut self, protocols: &[&str]) -> Result<()> {
        if protocols.iter().any(|p| p.is_empty() || p.len() > 255) {
            return Err(Error::ssl_message(
                "ALPN protocols must be 1 to 255 in length",
            ));
        }
        self.alpn_protocols = protocols.iter().map(|p| p.as_bytes().to_vec()).collect();
        Ok(())
    }

    /// The protocol versions this context allows, oldest first: the protocol's
    /// own range, narrowed by `minimum_version` / `maximum_version` and the
    /// `OP_NO_TLSv1*` options (P3).
    pub fn enabled_versions(&self) -> Vec<TlsVersion> {
        let fixed = match self.protocol {
            p if p == crate::constants::PROTOCOL_TLSv1 => Some(TlsVersion::TLSv1),
            p if p == crate::constants::PROTOCOL_TLSv1_1 => Some(TlsVersion::TLSv1_1),
            p if p == crate::constants::PROTOCOL_TLSv1_2 => Some(TlsVersion::TLSv1_2),
            _ => None,
        };
        let version_number = |v: TlsVersion| v.value();
        let lo = match self.minimum_version {
            TlsVersion::MINIMUM_SUPPORTED => i64::MIN,
            v => version_number(v),
        };
        let hi = match self.maximum_version {
            TlsVersion::MAXIMUM_SUPPORTED => i64::MAX,
            v => version_number(v),
        };
        TLS_VERSIONS
            .iter()
            .copied()
            .filter(|&v| match fixed {
                Some(f) => v == f,
                None => (lo..=hi).contains(&version_number(v)),
            })
            .filter(|&v| {
                let off = match v {
                    TlsVersion::TLSv1 => OP_NO_TLSv1,
                    TlsVersion::TLSv1_1 => OP_NO_TLSv1_1,
                    TlsVersion::TLSv1_2 => OP_NO_TLSv1_2,
                    _ => OP_NO_TLSv1_3,
                };
                !self.options.contains(off)
            })
            .collect()
    }

    /// For a backend whose library has no message hook: Python's checks on
    /// the wrap arguments ([`ContextSettings::check_wrap`]), then the
    /// transport the new Object gets, watched by `_msg_callback` when one is
    /// set ([`crate::transport::tapped`]).
    pub fn tapped_transport_for_wrap(
        &self,
        transport: SharedTransport,
        server_side: bool,
        server_hostname: Option<&str>,
    ) -> Result<SharedTransport> {
        self.check_wrap(server_side, server_hostname)?;
        Ok(crate::transport::tapped(transport, self.msg_callback()))
    }

    /// Python's checks on `wrap_bio` / `wrap_socket` arguments (X19, X20).
    pub fn check_wrap(&self, server_side: bool, server_hostname: Option<&str>) -> Result<()> {
        if server_side && server_hostname.is_some() {
            return Err(Error::value(
                "server_hostname can only be specified in client mode",
            ));
        }
        if server_side && self.protocol == PROTOCOL_TLS_CLIENT {
            return Err(Error::ssl_message(
                "Cannot create a server socket with a PROTOCOL_TLS_CLIENT context",
            ));
        }
        if !server_side && self.protocol == PROTOCOL_TLS_SERVER {
            return Err(Error::ssl_message(
                "Cannot create a client socket with a PROTOCOL_TLS_SERVER context",
            ));
        }
        if let Some(name) = server_hostname {
            if name.is_empty() || name.starts_with('.') {
                return Err(Error::value(
                    "server_hostname cannot be an empty string or start with a leading dot.",
                ));
            }
            if name.contains('\0') {
                return Err(Error::value(
                    "server_hostname must not contain null character",
                ));
            }
        }
        Ok(())
    }
}

/// PROTOCOL_TLS, PROTOCOL_TLS_CLIENT and PROTOCOL_TLS_SERVER negotiate the
/// version; the PROTOCOL_TLSv1* ones are fixed.
fn is_flexible(protocol: Protocol) -> bool {
    protocol == PROTOCOL_TLS || protocol == PROTOCOL_TLS_CLIENT || protocol == PROTOCOL_TLS_SERVER
}

/// Python's check on `load_verify_locations(cafile, capath, cadata)` (X9): at
/// least one of the three must be given (CPython raises a TypeError; here a
/// ValueError with its message).
pub fn check_verify_locations(cafile: bool, capath: bool, cadata: bool) -> Result<()> {
    if cafile || capath || cadata {
        Ok(())
    } else {
        Err(Error::value(
            "cafile, capath and cadata cannot be all omitted",
        ))
    }
}

/// `load_verify_locations(cafile, capath, cadata)` (X9) for a library that
/// takes its trust material as data: Python's argument check, then cadata,
/// cafile and capath in CPython's order with its errors. The backend says
/// what to do with each kind: `add_pem_bundle` takes PEM text and returns how
/// many certificates and CRLs it found (none is CPython's error),
/// `add_der_certs` the certificates of DER cadata, `add_capath` the
/// certificates OpenSSL's hashed-directory lookup could find
/// ([`crate::cert::capath::hashed_dir_certificates`]).
pub fn load_verify_locations_with(
    cafile: Option<&std::path::Path>,
    capath: Option<&std::path::Path>,
    cadata: Option<crate::types::CaData>,
    mut add_pem_bundle: impl FnMut(&[u8]) -> Result<usize>,
    add_der_certs: impl FnOnce(Vec<Vec<u8>>) -> Result<()>,
    add_capath: impl FnOnce(Vec<Vec<u8>>) -> Result<()>,
) -> Result<()> {
    use crate::types::CaData;
    check_verify_locations(cafile.is_some(), capath.is_some(), cadata.is_some())?;
    match cadata {
        Some(CaData::Pem(text)) => {
            let found = add_pem_bundle(text.as_bytes())?;
            if found == 0 {
                return Err(Error::ssl_message(
                    "no start line: cadata does not contain a certificate",
                ));
            }
        }
        Some(CaData::Der(bytes)) => add_der_certs(crate::cert::inspect::split_der_certs(&bytes)?)?,
        None => {}
    }
    if let Some(file) = cafile {
        let data = std::fs::read(file)?;
        // As OpenSSL's X509_load_cert_crl_file: a CERTIFICATE block that is
        // not a certificate fails the whole load.
        if has_malformed_certificate(&data) {
            return Err(Error::ssl_library("X509", "PEM lib"));
        }
        if add_pem_bundle(&data)? == 0 {
            return Err(Error::ssl(
                "X509",
                "NO_CERTIFICATE_OR_CRL_FOUND",
                "no certificate or crl found",
            ));
        }
    }
    if let Some(dir) = capath {
        add_capath(crate::cert::capath::hashed_dir_certificates(dir))?;
    }
    Ok(())
}

/// Whether PEM `data` holds a `CERTIFICATE` block whose content is not a
/// certificate (bad base64, or DER that is not X.509).
fn has_malformed_certificate(data: &[u8]) -> bool {
    let is_cert = |tag: &str| {
        matches!(
            tag,
            "CERTIFICATE" | "TRUSTED CERTIFICATE" | "X509 CERTIFICATE"
        )
    };
    match pem::parse_many(data) {
        Ok(blocks) => blocks
            .iter()
            .filter(|b| is_cert(b.tag()))
            .any(|b| crate::cert::decode::decode_cert(b.contents()).is_err()),
        // A block the PEM reader refuses: malformed if a certificate is announced.
        Err(_) => String::from_utf8_lossy(data).contains("-----BEGIN CERTIFICATE-----"),
    }
}

/// The header CPython writes into a new, empty key log file.
pub const KEYLOG_HEADER: &str = "# TLS secrets log file, generated by OpenSSL / Python\n";

/// Opens `keylog_filename` (X23+) as CPython does: for appending, created if
/// missing, with [`KEYLOG_HEADER`] written when the file is empty. An error
/// here is the `OSError` CPython raises from the setter.
pub fn open_keylog_file(path: &std::path::Path) -> Result<std::fs::File> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    if file.metadata()?.len() == 0 {
        file.write_all(KEYLOG_HEADER.as_bytes())?;
    }
    Ok(file)
}
