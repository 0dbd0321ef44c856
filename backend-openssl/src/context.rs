//! `SSLContext` on OpenSSL: one `SSL_CTX` for the context's whole life,
//! configured the way CPython 3.11's `_ssl._SSLContext.__new__` configures
//! its own (X1) and mutated in place by the setters, so the session cache, the
//! ticket keys and the `SSL_CTX_sess_*` counters (X21) persist across
//! connections as in CPython. Python's own rules (which settings are a
//! ValueError) come from [`ContextSettings`].
//!
//! Concurrency: every mutation and every `SSL_new` happens under the
//! context's mutex. OpenSSL copies what a connection needs from the `SSL_CTX`
//! when the `SSL` is created; what it reads later (the certificate store, the
//! session cache) OpenSSL locks itself.

// `SslOptions` / `X509VerifyFlags` bit widths differ per platform: casts that
// are no-ops on Linux are needed elsewhere.
#![allow(clippy::unnecessary_cast)]

use std::io::Write as _;
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use openssl::dh::Dh;
use openssl::error::ErrorStack;
use openssl::pkey::PKey;
use openssl::ssl::{
    AlpnError, NameType, SniError, Ssl, SslAlert, SslContext, SslContextBuilder, SslMethod,
    SslMode, SslOptions, SslSessionCacheMode, SslVerifyMode, SslVersion,
};
use openssl::x509::verify::{X509CheckFlags, X509VerifyFlags};
use ssl_api::constants::{
    OP_NO_SSLv3, Options, Protocol, Purpose, TlsVersion, VerifyFlags, VerifyMode, CERT_OPTIONAL,
    CERT_REQUIRED, OP_ALL, OP_CIPHER_SERVER_PREFERENCE, OP_NO_COMPRESSION,
};
use ssl_api::spi::Sealed;
use ssl_api::transport::SharedTransport;
use ssl_api::{
    CaData, CertChain, CertStoreStats, CipherInfo, ContextSettings, Error, KeyData, Password,
    Result, ServernameCallback, ServernameRequest, SessionStats, WrapOptions,
};

use crate::errors::{from_stack, last_error};
use crate::ffi;
use crate::object::{ConnShared, OpenSslObject};
use crate::OpenSsl;

/// CPython 3.11's `PY_SSL_DEFAULT_CIPHER_STRING` (X1).
pub const DEFAULT_CIPHER_STRING: &str = ssl_api::DEFAULT_CIPHERS;

/// `SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS` (removed from CPython's defaults).
const SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS: u64 = 0x800;
/// `SSL_VERIFY_POST_HANDSHAKE`.
const SSL_VERIFY_POST_HANDSHAKE: i32 = 0x08;
/// `X509_R_CERT_ALREADY_IN_HASH_TABLE`.
const X509_R_CERT_ALREADY_IN_HASH_TABLE: i32 = 101;

pub(crate) struct State {
    pub settings: ContextSettings,
    /// The context's `SSL_CTX`, mutated in place.
    pub builder: SslContextBuilder,
    pub servername_callback: Option<ServernameCallback<OpenSsl>>,
}

pub(crate) struct Inner {
    pub state: Mutex<State>,
    /// A second handle on the same `SSL_CTX`, for `SSL_new` and `SSL_set_SSL_CTX`.
    pub handle: SslContext,
}

/// `SSLContext` (X1-X23) on OpenSSL. Clones share one context.
#[derive(Clone)]
pub struct OpenSslContext {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for OpenSslContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenSslContext")
            .field("protocol", &self.lock().settings.protocol())
            .finish_non_exhaustive()
    }
}

impl PartialEq for OpenSslContext {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

/// The ex-data slot of every `SSL` we create: the connection's shared state.
pub(crate) fn conn_index() -> Result<openssl::ex_data::Index<Ssl, Arc<ConnShared>>> {
    static INDEX: OnceLock<openssl::ex_data::Index<Ssl, Arc<ConnShared>>> = OnceLock::new();
    if let Some(i) = INDEX.get() {
        return Ok(*i);
    }
    let index = Ssl::new_ex_index().map_err(|e| from_stack(&e, None))?;
    Ok(*INDEX.get_or_init(|| index))
}

fn verify_bits(mode: VerifyMode) -> SslVerifyMode {
    match mode {
        m if m == CERT_OPTIONAL => SslVerifyMode::PEER,
        m if m == CERT_REQUIRED => SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT,
        _ => SslVerifyMode::NONE,
    }
}

fn stack_err(e: ErrorStack) -> Error {
    from_stack(&e, None)
}

/// Paths OpenSSL gets as C strings: the `openssl` crate unwraps their
/// conversion, so refuse what would not convert (CPython: ValueError for NUL).
fn c_path(path: &Path) -> Result<&Path> {
    match path.to_str() {
        Some(s) if s.contains('\0') => Err(Error::value("embedded null byte")),
        Some(_) => Ok(path),
        None => Err(Error::value(format!(
            "path is not valid UTF-8: {}",
            path.display()
        ))),
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    Ok(std::fs::read(c_path(path)?)?)
}

fn alert_of(code: i64) -> SslAlert {
    match code {
        0 => SslAlert::CLOSE_NOTIFY,
        10 => SslAlert::UNEXPECTED_MESSAGE,
        20 => SslAlert::BAD_RECORD_MAC,
        21 => SslAlert::DECRYPTION_FAILED,
        22 => SslAlert::RECORD_OVERFLOW,
        30 => SslAlert::DECOMPRESSION_FAILURE,
        40 => SslAlert::HANDSHAKE_FAILURE,
        41 => SslAlert::NO_CERTIFICATE,
        42 => SslAlert::BAD_CERTIFICATE,
        43 => SslAlert::UNSUPPORTED_CERTIFICATE,
        44 => SslAlert::CERTIFICATE_REVOKED,
        45 => SslAlert::CERTIFICATE_EXPIRED,
        46 => SslAlert::CERTIFICATE_UNKNOWN,
        47 => SslAlert::ILLEGAL_PARAMETER,
        48 => SslAlert::UNKNOWN_CA,
        49 => SslAlert::ACCESS_DENIED,
        50 => SslAlert::DECODE_ERROR,
        51 => SslAlert::DECRYPT_ERROR,
        60 => SslAlert::EXPORT_RESTRICTION,
        70 => SslAlert::PROTOCOL_VERSION,
        71 => SslAlert::INSUFFICIENT_SECURITY,
        86 => SslAlert::INAPPROPRIATE_FALLBACK,
        90 => SslAlert::USER_CANCELLED,
        100 => SslAlert::NO_RENEGOTIATION,
        109 => SslAlert::MISSING_EXTENSION,
        110 => SslAlert::UNSUPPORTED_EXTENSION,
        111 => SslAlert::CERTIFICATE_UNOBTAINABLE,
        112 => SslAlert::UNRECOGNIZED_NAME,
        113 => SslAlert::BAD_CERTIFICATE_STATUS_RESPONSE,
        114 => SslAlert::BAD_CERTIFICATE_HASH_VALUE,
        115 => SslAlert::UNKNOWN_PSK_IDENTITY,
        116 => SslAlert::CERTIFICATE_REQUIRED,
        120 => SslAlert::NO_APPLICATION_PROTOCOL,
        // Values outside the registry: CPython passes them through; the
        // `openssl` crate can only send registered alerts.
        _ => SslAlert::INTERNAL_ERROR,
    }
}

/// CPython's ALPN selection (`_selectALPN_cb` / `SSL_select_next_proto`): the
/// first of the server's protocols the client offered; none => no ALPN.
fn select_alpn<'a>(server: &[Vec<u8>], client: &'a [u8]) -> Option<&'a [u8]> {
    let mut offered = Vec::new();
    let mut rest = client;
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len);
        if len == 0 || len > tail.len() {
            break;
        }
        offered.push(&tail[..len]);
        rest = &tail[len..];
    }
    server
        .iter()
        .find_map(|p| offered.iter().copied().find(|o| *o == p.as_slice()))
}

fn alpn_wire(protocols: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in protocols {
        out.push(p.len() as u8);
        out.extend_from_slice(p);
    }
    out
}

impl OpenSslContext {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A stable identity for `SSLSession` origin checks.
    pub(crate) fn id(&self) -> usize {
        Arc::as_ptr(&self.inner) as usize
    }

    /// The servername callback (X16), installed only while the user has one
    /// (as CPython does).
    fn install_servername_callback(builder: &mut SslContextBuilder, weak: &Weak<Inner>) {
        let w = weak.clone();
        builder.set_servername_callback(move |ssl, alert| {
            let Some(inner) = w.upgrade() else {
                return Ok(());
            };
            let own = OpenSslContext { inner };
            let Some(callback) = own.lock().servername_callback.clone() else {
                return Ok(());
            };
            let shared = conn_index().ok().and_then(|i| ssl.ex_data(i)).cloned();
            let current = shared.as_ref().map(|s| s.context()).unwrap_or(own);
            // CPython hands the callback the IDNA-decoded name; a name that
            // does not decode aborts with internal_error, as there.
            let server_name = match ssl
                .servername(NameType::HOST_NAME)
                .map(ssl_api::idna::decode)
                .transpose()
            {
                Ok(name) => name,
                Err(_) => {
                    *alert = SslAlert::INTERNAL_ERROR;
                    return Err(SniError::ALERT_FATAL);
                }
            };
            let mut request = ServernameRequest {
                server_name,
                context: current.clone(),
            };
            match callback(&mut request) {
                Ok(None) => {
                    if request.context != current {
                        let target = request.context.clone();
                        let swapped = {
                            let _guard = target.lock();
                            ssl.set_ssl_context(&target.inner.handle)
                        };
                        if swapped.is_err() {
                            *alert = SslAlert::INTERNAL_ERROR;
                            return Err(SniError::ALERT_FATAL);
                        }
                        if let Some(s) = shared {
                            s.set_context(target);
                        }
                    }
                    Ok(())
                }
                Ok(Some(a)) => {
                    *alert = alert_of(a.value());
                    Err(SniError::ALERT_FATAL)
                }
                Err(_) => {
                    *alert = SslAlert::HANDSHAKE_FAILURE;
                    Err(SniError::ALERT_FATAL)
                }
            }
        });
    }

    fn install_callbacks(builder: &mut SslContextBuilder, weak: &Weak<Inner>) {
        let w = weak.clone();
        builder.set_alpn_select_callback(move |_ssl, client| {
            let Some(inner) = w.upgrade() else {
                return Err(AlpnError::NOACK);
            };
            let server = OpenSslContext { inner }
                .lock()
                .settings
                .alpn_protocols()
                .to_vec();
            select_alpn(&server, client).ok_or(AlpnError::NOACK)
        });
        builder.set_new_session_callback(|ssl, session| {
            if let Some(shared) = conn_index().ok().and_then(|i| ssl.ex_data(i)) {
                shared.store_session(session);
            }
        });
    }

    fn update<T>(&self, f: impl FnOnce(&mut State) -> Result<T>) -> Result<T> {
        let mut state = self.lock();
        f(&mut state)
    }

    fn apply_hostflags(state: &mut State) {
        let mut flags = X509CheckFlags::NO_PARTIAL_WILDCARDS;
        if !state.settings.hostname_checks_common_name() {
            flags |= X509CheckFlags::NEVER_CHECK_SUBJECT;
        }
        state.builder.verify_param_mut().set_hostflags(flags);
    }

    /// CPython's `_add_ca_certs` (cadata).
    fn add_ca_certs(state: &mut State, data: &[u8], der: bool) -> Result<()> {
        if data.is_empty() {
            return Err(Error::value("Empty certificate data"));
        }
        let _ = ErrorStack::get();
        let certs = ffi::read_certs(data, der);
        let read_errors = ErrorStack::get();
        let mut loaded = 0;
        let mut add_error = None;
        for cert in certs {
            match state.builder.cert_store_mut().add_cert(cert) {
                Ok(()) => loaded += 1,
                Err(e) => {
                    let dup = e.errors().last().is_some_and(|x| {
                        x.library_code() == 11
                            && x.reason_code() == X509_R_CERT_ALREADY_IN_HASH_TABLE
                    });
                    if dup {
                        loaded += 1;
                    } else {
                        add_error = Some(e);
                        break;
                    }
                }
            }
        }
        if loaded == 0 {
            return Err(Error::ssl_message(if der {
                "not enough data: cadata does not contain a certificate"
            } else {
                "no start line: cadata does not contain a certificate"
            }));
        }
        if let Some(e) = add_error {
            return Err(stack_err(e));
        }
        match read_errors.errors().last() {
            // Everything read (DER fully consumed).
            None => Ok(()),
            // End of the data: ASN1 "header too long" / PEM "no start line".
            Some(e) if der && e.library_code() == 13 && e.reason_code() == 123 => Ok(()),
            Some(e) if !der && e.library_code() == 9 && e.reason_code() == 108 => Ok(()),
            Some(_) => Err(stack_err(read_errors)),
        }
    }

    /// Creates the `SSL` for one connection, configured as CPython's
    /// `newPySSLSocket` configures it.
    pub(crate) fn new_ssl(
        &self,
        server_side: bool,
        server_hostname: Option<&str>,
        shared: &Arc<ConnShared>,
    ) -> Result<Ssl> {
        let state = self.lock();
        let mut ssl = Ssl::new(&self.inner.handle).map_err(stack_err)?;
        if let Some(name) = server_hostname {
            let ip = name.parse::<IpAddr>().ok();
            if ip.is_none() {
                ssl.set_hostname(name).map_err(stack_err)?;
            }
            if state.settings.check_hostname() {
                let param = ssl.param_mut();
                match ip {
                    Some(ip) => param.set_ip(ip),
                    None => param.set_host(name),
                }
                .map_err(stack_err)?;
            }
        }
        if state.settings.post_handshake_auth() {
            if server_side {
                let mode = verify_bits(state.settings.verify_mode());
                if mode.contains(SslVerifyMode::PEER) {
                    ssl.set_verify(SslVerifyMode::from_bits_retain(
                        mode.bits() | SSL_VERIFY_POST_HANDSHAKE,
                    ));
                }
            } else {
                ffi::ssl_enable_post_handshake_auth(&mut ssl);
            }
        }
        drop(state);
        if server_side {
            ssl.set_accept_state();
        } else {
            ssl.set_connect_state();
        }
        ssl.set_ex_data(conn_index()?, shared.clone());
        Ok(ssl)
    }
}

fn tls_version_of(raw: i32, minimum: bool) -> TlsVersion {
    if raw == 0 {
        return if minimum {
            TlsVersion::MINIMUM_SUPPORTED
        } else {
            TlsVersion::MAXIMUM_SUPPORTED
        };
    }
    TlsVersion::from_value(i64::from(raw)).unwrap_or(if minimum {
        TlsVersion::MINIMUM_SUPPORTED
    } else {
        TlsVersion::MAXIMUM_SUPPORTED
    })
}

impl ssl_api::Context for OpenSslContext {
    type Backend = OpenSsl;

    fn new(protocol: Protocol) -> Result<Self> {
        let method = match protocol {
            Protocol::TLS => SslMethod::tls(),
            Protocol::TLS_CLIENT => SslMethod::tls_client(),
            Protocol::TLS_SERVER => SslMethod::tls_server(),
            Protocol::TLSv1 => ffi::fixed_version_method(0x301).ok_or_else(unsupported)?,
            Protocol::TLSv1_1 => ffi::fixed_version_method(0x302).ok_or_else(unsupported)?,
            Protocol::TLSv1_2 => ffi::fixed_version_method(0x303).ok_or_else(unsupported)?,
            _ => return Err(unsupported_protocol(protocol)),
        };
        let mut b = SslContextBuilder::new(method).map_err(stack_err)?;
        ffi::never_prompt(&mut b);
        ffi::ctx_set_post_handshake_auth(&mut b, false);
        let settings = ContextSettings::new(protocol);
        b.set_verify(verify_bits(settings.verify_mode()));
        let options = (OP_ALL | OP_NO_SSLv3 | OP_NO_COMPRESSION | OP_CIPHER_SERVER_PREFERENCE)
            .bits()
            & !SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS;
        b.set_options(SslOptions::from_bits_retain(options as _));
        b.set_cipher_list(DEFAULT_CIPHER_STRING)
            .map_err(|_| Error::ssl_message("No cipher can be selected."))?;
        if matches!(
            protocol,
            Protocol::TLS | Protocol::TLS_CLIENT | Protocol::TLS_SERVER
        ) {
            b.set_min_proto_version(Some(SslVersion::TLS1_2))
                .map_err(stack_err)?;
        }
        // CPython also sets SSL_MODE_RELEASE_BUFFERS ("for no cost at all").
        // Measured here, it costs 1.5-3% of the CPU per byte of socket bulk
        // (the 17 KiB read buffer freed and allocated again for every record)
        // to save about 30 kB per idle connection: OpenSSL's own default is
        // kept, as a program using the library directly gets it.
        b.set_mode(SslMode::ACCEPT_MOVING_WRITE_BUFFER | SslMode::AUTO_RETRY);
        b.set_session_id_context(b"Python\0").map_err(stack_err)?;
        b.verify_param_mut()
            .set_flags(X509VerifyFlags::TRUSTED_FIRST)
            .map_err(stack_err)?;
        b.verify_param_mut()
            .set_hostflags(X509CheckFlags::NO_PARTIAL_WILDCARDS);
        if protocol == Protocol::TLS_CLIENT {
            // Client contexts hand new sessions (TLS 1.3 tickets arrive after
            // the handshake) to the new-session callback; nothing is kept in
            // the internal cache, so `session_stats()['number']` stays 0 as in
            // CPython. Other contexts keep OpenSSL's default (server cache).
            b.set_session_cache_mode(
                SslSessionCacheMode::CLIENT | SslSessionCacheMode::NO_INTERNAL_STORE,
            );
        }
        let handle = ffi::shared_handle(&b);
        let inner = Arc::new_cyclic(|weak| {
            Self::install_callbacks(&mut b, weak);
            Inner {
                state: Mutex::new(State {
                    settings,
                    builder: b,
                    servername_callback: None,
                }),
                handle,
            }
        });
        Ok(OpenSslContext { inner })
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

    fn set_options(&self, options: Options) -> Result<()> {
        self.update(|s| {
            let current = s.builder.options().bits() as u64;
            let wanted = options.bits();
            let clear = current & !wanted;
            let set = !current & wanted;
            if clear != 0 {
                s.builder
                    .clear_options(SslOptions::from_bits_retain(clear as _));
            }
            if set != 0 {
                s.builder
                    .set_options(SslOptions::from_bits_retain(set as _));
            }
            s.settings.set_options(options);
            Ok(())
        })
    }

    fn set_msg_callback(&self, callback: Option<ssl_api::MessageCallback>) -> Result<()> {
        self.update(|s| ffi::set_msg_callback(&mut s.builder, callback).map_err(stack_err))
    }

    fn set_num_tickets(&self, n: usize) -> Result<()> {
        self.update(|s| {
            s.settings.set_num_tickets(n)?;
            s.builder
                .set_num_tickets(n)
                .map_err(|e| from_stack(&e, None))
        })
    }

    fn set_verify_mode(&self, mode: VerifyMode) -> Result<()> {
        self.update(|s| {
            s.settings.set_verify_mode(mode)?;
            s.builder.set_verify(verify_bits(mode));
            Ok(())
        })
    }

    fn verify_flags(&self) -> VerifyFlags {
        let mut s = self.lock();
        VerifyFlags::from_bits_retain(s.builder.verify_param_mut().flags().bits() as u64)
    }

    fn set_verify_flags(&self, flags: VerifyFlags) -> Result<()> {
        self.update(|s| {
            let param = s.builder.verify_param_mut();
            let current = param.flags().bits() as u64;
            let wanted = flags.bits();
            let clear = current & !wanted;
            let set = !current & wanted;
            if clear != 0 {
                param
                    .clear_flags(X509VerifyFlags::from_bits_retain(clear as _))
                    .map_err(stack_err)?;
            }
            if set != 0 {
                param
                    .set_flags(X509VerifyFlags::from_bits_retain(set as _))
                    .map_err(stack_err)?;
            }
            s.settings.set_verify_flags(flags);
            Ok(())
        })
    }

    fn set_check_hostname(&self, check: bool) -> Result<()> {
        self.update(|s| {
            s.settings.set_check_hostname(check);
            let mode = s.settings.verify_mode();
            s.builder.set_verify(verify_bits(mode));
            Ok(())
        })
    }

    fn minimum_version(&self) -> TlsVersion {
        let _s = self.lock();
        tls_version_of(ffi::proto_bounds(&self.inner.handle).0, true)
    }

    fn set_minimum_version(&self, version: TlsVersion) -> Result<()> {
        self.set_bound(version, false)
    }

    fn maximum_version(&self) -> TlsVersion {
        let _s = self.lock();
        tls_version_of(ffi::proto_bounds(&self.inner.handle).1, false)
    }

    fn set_maximum_version(&self, version: TlsVersion) -> Result<()> {
        self.set_bound(version, true)
    }

    fn set_hostname_checks_common_name(&self, check: bool) -> Result<()> {
        self.update(|s| {
            s.settings.set_hostname_checks_common_name(check);
            Self::apply_hostflags(s);
            Ok(())
        })
    }

    fn set_post_handshake_auth(&self, enabled: bool) -> Result<()> {
        // Like CPython: remembered here, applied to each new connection.
        self.update(|s| {
            s.settings.set_post_handshake_auth(enabled);
            Ok(())
        })
    }

    fn set_keylog_filename(&self, path: Option<&Path>) -> Result<()> {
        let file = match path {
            Some(p) => {
                let f = ssl_api::settings::open_keylog_file(c_path(p)?)?;
                Some(Arc::new(Mutex::new(f)))
            }
            None => None,
        };
        self.update(|s| {
            s.settings.set_keylog_filename(path.map(Path::to_path_buf));
            // As CPython: the callback is installed only while a file is set
            // (with one, OpenSSL formats every secret line on each handshake).
            match file {
                Some(file) => s.builder.set_keylog_callback(move |_ssl, line| {
                    let mut f = file.lock().unwrap_or_else(|e| e.into_inner());
                    // A failed write cannot be reported from inside the
                    // handshake; CPython ignores it the same way.
                    let _ = writeln!(f, "{line}");
                }),
                None => {
                    // Replacing the closure closes the previous file.
                    s.builder.set_keylog_callback(|_, _| {});
                    ffi::clear_keylog_callback(&mut s.builder);
                }
            }
            Ok(())
        })
    }

    fn load_cert_chain_from_memory(
        &self,
        chain: CertChain<'_>,
        key: Option<KeyData<'_>>,
        password: Option<Password>,
    ) -> Result<()> {
        let pem = ssl_api::cert::keys::identity_pem(chain, key)?;
        let key_data = &pem.key;
        // SSL_CTX_use_certificate_chain_file over memory: the leaf is the
        // first certificate (none: `[SSL] PEM lib`), the rest its chain, read
        // up to the end of the text (PEM's NO_START_LINE); another error of
        // the reading is the load's.
        let _ = ErrorStack::get();
        let certs = ffi::read_certs(&pem.chain, false);
        let stopped = ErrorStack::get();
        let (leaf, rest) = certs
            .split_first()
            .ok_or_else(ssl_api::cert::keys::pem_lib)?;
        if let Some(last) = stopped.errors().last() {
            if !(last.library_code() == openssl_sys::ERR_LIB_PEM
                && last.reason_code() == openssl_sys::PEM_R_NO_START_LINE)
            {
                return Err(stack_err(stopped));
            }
        }
        {
            let mut state = self.lock();
            state.builder.set_certificate(leaf).map_err(stack_err)?;
            ffi::set_chain_certs(&mut state.builder, rest).map_err(stack_err)?;
        }
        // OpenSSL bounds scrypt's memory but not PBKDF2's iterations: the
        // shared bounds refuse a key that would keep it busy for minutes.
        ssl_api::cert::keys::check_key_cost(key_data)?;
        // The key, read as SSL_CTX_use_PrivateKey_file reads it, with
        // CPython's password callback: called only for an encrypted key; a
        // missing password fails as a wrong one (never a terminal prompt).
        // No lock of ours is held: the callback is user code and may use
        // this very context.
        let mut callback_error: Option<Error> = None;
        let key = PKey::private_key_from_pem_callback(key_data, |buf| {
            let pw = match &password {
                Some(p) => match p.resolve() {
                    Ok(pw) => pw,
                    Err(e) => {
                        callback_error = Some(e);
                        return Ok(0);
                    }
                },
                None => return Ok(0),
            };
            if pw.len() > buf.len() {
                callback_error = Some(Error::value(format!(
                    "password cannot be longer than {} bytes",
                    buf.len()
                )));
                return Ok(0);
            }
            buf[..pw.len()].copy_from_slice(&pw);
            Ok(pw.len())
        });
        let key = match key {
            Ok(k) => k,
            Err(_) => {
                return Err(callback_error.unwrap_or_else(|| Error::ssl_library("SSL", "PEM lib")))
            }
        };
        let mut state = self.lock();
        state.builder.set_private_key(&key).map_err(stack_err)?;
        state.builder.check_private_key().map_err(stack_err)?;
        Ok(())
    }

    fn load_verify_locations(
        &self,
        cafile: Option<&Path>,
        capath: Option<&Path>,
        cadata: Option<CaData>,
    ) -> Result<()> {
        ssl_api::settings::check_verify_locations(
            cafile.is_some(),
            capath.is_some(),
            cadata.is_some(),
        )?;
        let mut state = self.lock();
        if let Some(data) = cadata {
            match data {
                CaData::Pem(text) => {
                    if !text.is_ascii() {
                        return Err(Error::value(
                            "cadata should be an ASCII string or a bytes-like object",
                        ));
                    }
                    Self::add_ca_certs(&mut state, text.as_bytes(), false)?;
                }
                CaData::Der(bytes) => Self::add_ca_certs(&mut state, &bytes, true)?,
            }
        }
        if cafile.is_some() || capath.is_some() {
            let cafile = cafile.map(c_path).transpose()?;
            let capath = capath.map(c_path).transpose()?;
            if let Some(f) = cafile {
                std::fs::metadata(f)?;
            }
            let _ = ErrorStack::get();
            state
                .builder
                .load_verify_locations(cafile, capath)
                .map_err(stack_err)?;
        }
        Ok(())
    }

    fn load_default_certs(&self, purpose: Purpose) -> Result<()> {
        // CPython: on Windows the CA and ROOT stores filtered by purpose (on
        // macOS the keychain trust settings, from the same shared crate), then
        // `self.set_default_verify_paths()` everywhere.
        if let Some(certs) = system_store::trusted_certs(purpose)? {
            self.update(|s| {
                for der in certs {
                    if let Ok(cert) = openssl::x509::X509::from_der(&der) {
                        // A certificate already in the store is not an error (CPython).
                        let _ = s.builder.cert_store_mut().add_cert(cert);
                    }
                }
                let _ = ErrorStack::get();
                Ok(())
            })?;
        }
        self.set_default_verify_paths()
    }

    fn set_default_verify_paths(&self) -> Result<()> {
        self.update(|s| s.builder.set_default_verify_paths().map_err(stack_err))
    }

    fn get_ca_certs_der(&self) -> Result<Vec<Vec<u8>>> {
        let _s = self.lock();
        ffi::store_entries(self.inner.handle.cert_store())
            .into_iter()
            .filter_map(|e| match e {
                ffi::StoreEntry::Cert(cert, true) => Some(cert.to_der().map_err(stack_err)),
                _ => None,
            })
            .collect()
    }

    fn cert_store_stats(&self) -> Result<CertStoreStats> {
        let _s = self.lock();
        let mut stats = CertStoreStats::default();
        for e in ffi::store_entries(self.inner.handle.cert_store()) {
            match e {
                ffi::StoreEntry::Cert(_, ca) => {
                    stats.x509 += 1;
                    stats.x509_ca += i64::from(ca);
                }
                ffi::StoreEntry::Crl => stats.crl += 1,
            }
        }
        Ok(stats)
    }

    fn get_ciphers(&self) -> Result<Vec<CipherInfo>> {
        let _s = self.lock();
        let ssl = Ssl::new(&self.inner.handle).map_err(stack_err)?;
        Ok(ffi::ssl_cipher_infos(&ssl))
    }

    fn set_ciphers(&self, cipherlist: &str) -> Result<()> {
        if cipherlist.contains('\0') {
            return Err(Error::value("embedded null character"));
        }
        self.update(|s| {
            s.builder.set_cipher_list(cipherlist).map_err(|_| {
                let _ = ErrorStack::get();
                Error::ssl_message("No cipher can be selected.")
            })
        })
    }

    fn set_ciphersuites(&self, suites: &str) -> Result<()> {
        if suites.contains('\0') {
            return Err(Error::value("embedded null character"));
        }
        self.update(|s| {
            s.builder.set_ciphersuites(suites).map_err(|_| {
                let _ = ErrorStack::get();
                Error::ssl_message("No cipher can be selected.")
            })
        })
    }

    fn set_alpn_protocols(&self, protocols: &[&str]) -> Result<()> {
        self.update(|s| {
            s.settings.set_alpn_protocols(protocols)?;
            let wire = alpn_wire(s.settings.alpn_protocols());
            s.builder.set_alpn_protos(&wire).map_err(stack_err)
        })
    }

    fn set_npn_protocols(&self, _protocols: &[&str]) -> Result<()> {
        Err(Error::not_implemented(
            "openssl",
            "X15 set_npn_protocols: HAS_NPN is false, as in CPython 3.11 on this OpenSSL",
        ))
    }

    fn set_servername_callback(&self, callback: Option<ServernameCallback<OpenSsl>>) -> Result<()> {
        if callback.is_some() && self.lock().settings.protocol() == Protocol::TLS_CLIENT {
            return Err(Error::value(
                "sni_callback cannot be set on TLS_CLIENT context",
            ));
        }
        let weak = Arc::downgrade(&self.inner);
        self.update(|s| {
            match (&s.servername_callback, &callback) {
                (None, Some(_)) => Self::install_servername_callback(&mut s.builder, &weak),
                (Some(_), None) => ffi::clear_servername_callback(&mut s.builder),
                _ => {}
            }
            s.servername_callback = callback;
            Ok(())
        })
    }

    fn load_dh_params(&self, path: &Path) -> Result<()> {
        let data = read_file(path)?;
        let dh = Dh::params_from_pem(&data).map_err(stack_err)?;
        self.update(|s| s.builder.set_tmp_dh(&dh).map_err(stack_err))
    }

    fn set_ecdh_curve(&self, name: &str) -> Result<()> {
        let nid = ffi::sn2nid(name);
        if nid == 0 {
            return Err(Error::value(format!(
                "unknown elliptic curve name {}",
                ssl_api::pyvalue::repr_str(name)
            )));
        }
        self.update(|s| {
            let _ = ErrorStack::get();
            if ffi::set_single_group(&mut s.builder, nid) {
                Ok(())
            } else {
                Err(last_error())
            }
        })
    }

    fn session_stats(&self) -> Result<SessionStats> {
        use ffi::sess;
        let _s = self.lock();
        let ctx = &self.inner.handle;
        let get = |cmd| ffi::sess_stat(ctx, cmd);
        Ok(SessionStats {
            number: get(sess::NUMBER),
            connect: get(sess::CONNECT),
            connect_good: get(sess::CONNECT_GOOD),
            connect_renegotiate: get(sess::CONNECT_RENEGOTIATE),
            accept: get(sess::ACCEPT),
            accept_good: get(sess::ACCEPT_GOOD),
            accept_renegotiate: get(sess::ACCEPT_RENEGOTIATE),
            hits: get(sess::HIT),
            misses: get(sess::MISSES),
            timeouts: get(sess::TIMEOUTS),
            cache_full: get(sess::CACHE_FULL),
        })
    }

    fn wrap_transport(
        &self,
        transport: SharedTransport,
        options: WrapOptions<OpenSsl>,
    ) -> Result<OpenSslObject> {
        self.lock()
            .settings
            .check_wrap(options.server_side, options.server_hostname.as_deref())?;
        OpenSslObject::new(self.clone(), transport, options)
    }
}

fn unsupported() -> Error {
    Error::value("invalid or unsupported protocol version")
}

fn unsupported_protocol(protocol: Protocol) -> Error {
    Error::value(format!(
        "invalid or unsupported protocol version {}",
        protocol.value()
    ))
}

impl OpenSslContext {
    /// CPython's `set_min_max_proto_version`.
    fn set_bound(&self, version: TlsVersion, max: bool) -> Result<()> {
        self.update(|s| {
            let flexible = matches!(
                s.settings.protocol(),
                Protocol::TLS | Protocol::TLS_CLIENT | Protocol::TLS_SERVER
            );
            if !flexible {
                return Err(Error::value(
                    "The context's protocol doesn't support modification of highest and lowest version.",
                ));
            }
            let raw: i32 = match (version, max) {
                (TlsVersion::MINIMUM_SUPPORTED, false) => 0,
                (TlsVersion::MAXIMUM_SUPPORTED, false) => 0x304,
                (TlsVersion::MAXIMUM_SUPPORTED, true) => 0,
                (TlsVersion::MINIMUM_SUPPORTED, true) => 0x301,
                (v, _) => v.value() as i32,
            };
            if !ffi::set_proto_bound(&mut s.builder, max, raw) {
                let _ = ErrorStack::get();
                return Err(Error::value(format!(
                    "Unsupported protocol version 0x{raw:x}"
                )));
            }
            if max {
                s.settings.set_maximum_version(version)?;
            } else {
                s.settings.set_minimum_version(version)?;
            }
            Ok(())
        })
    }
}

/// A session's originating context must be this one (CPython: "Session refers
/// to a different SSLContext.").
pub(crate) fn same_context(a: usize, b: &OpenSslContext) -> bool {
    a == b.id()
}
