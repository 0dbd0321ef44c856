//! The traits a TLS provider implements (DESIGN §4): [`Backend`], [`Context`]
//! (`SSLContext`), [`Object`] (`SSLObject`) and [`Session`] (`SSLSession`).
//!
//! Python-level rules that do not depend on the library (which combinations are
//! a `ValueError`, when `getpeercert()` returns `{}`, ...) live in provided
//! methods and in [`crate::settings`], once, so every backend behaves alike.

use std::path::Path;
use std::sync::Arc;

use crate::bio::MemoryBio;
use crate::cert::decode::decode_cert;
use crate::cert::record::CertRecord;
use crate::constants::{Options, Protocol, Purpose, TlsVersion, VerifyFlags, VerifyMode};
use crate::error::{Error, Result};
use crate::settings::ContextSettings;
use crate::spi::Sealed;
use crate::transport::{MemoryTransport, SharedTransport};
use crate::types::{
    CaData, Capabilities, CertChain, CertStoreStats, CipherInfo, CipherTriple, DefaultVerifyPaths,
    KeyData, Password, SessionStats,
};

/// A file `load_cert_chain` reads: CPython's ValueError for a path with a
/// NUL (it never reaches the OS), else the OS error.
fn read_path(path: &Path) -> Result<Vec<u8>> {
    if path.as_os_str().as_encoded_bytes().contains(&0) {
        return Err(Error::value("embedded null byte"));
    }
    Ok(std::fs::read(path)?)
}

/// A TLS provider: names the types that implement `SSLContext`, `SSLObject` and
/// `SSLSession` on top of one library, and the module-level functions that
/// depend on the library (RAND_*, F13, capabilities).
pub trait Backend: Sized + Send + Sync + 'static {
    /// `"openssl"`, `"rustls"` or `"native"`.
    const NAME: &'static str;
    /// `SSLContext`.
    type Context: Context<Backend = Self>;
    /// `SSLObject`.
    type Object: Object<Backend = Self>;
    /// `SSLSession`.
    type Session: Session;

    /// The name of the library's backend behind this type: [`Backend::NAME`],
    /// or for [`crate::dynamic::AnyBackend`] the selected backend's.
    fn name() -> &'static str {
        Self::NAME
    }

    /// C5-C7 and the declared gaps.
    fn capabilities() -> Capabilities;

    /// `RAND_bytes(num)` (F3): `num` cryptographically strong random bytes.
    fn rand_bytes(num: usize) -> Result<Vec<u8>>;

    /// `RAND_pseudo_bytes(num)` (F4): `(bytes, is_cryptographic)`.
    fn rand_pseudo_bytes(num: usize) -> Result<(Vec<u8>, bool)> {
        Ok((Self::rand_bytes(num)?, true))
    }

    /// `RAND_status()` (F5): true when the generator is seeded.
    fn rand_status() -> bool;

    /// `RAND_add(bytes, entropy)` (F7): mixes `bytes` into the generator, where
    /// the library allows it (a generator that reseeds itself from the OS may
    /// ignore it, as OpenSSL 3's default one largely does).
    fn rand_add(bytes: &[u8], entropy: f64) -> Result<()>;

    /// `RAND_egd(path)` (F6): no supported library has EGD any more.
    fn rand_egd(_path: &Path) -> Result<i64> {
        Err(Error::not_implemented(Self::NAME, "F6 RAND_egd"))
    }

    /// `get_default_verify_paths()` (F13).
    fn get_default_verify_paths() -> DefaultVerifyPaths;
}

/// `SSLContext` (X1-X23). A shared handle, like a Python object: clones are the
/// same context, and settings may change after connections exist (new
/// connections see them).
pub trait Context: Clone + Send + Sync + Sized {
    /// The backend this context belongs to.
    type Backend: Backend<Context = Self>;

    /// `SSLContext(protocol)` (X1) with CPython's defaults.
    fn new(protocol: Protocol) -> Result<Self>;

    /// The name of the backend behind this context (`B::NAME`; for a
    /// backend chosen at run time, the chosen one's).
    fn backend_name(&self) -> &'static str {
        <Self::Backend as Backend>::NAME
    }

    /// The capabilities of the backend behind this context (C5-C7).
    fn capabilities(&self) -> Capabilities {
        <Self::Backend as Backend>::capabilities()
    }

    /// Reads the Python-visible settings ([`ContextSettings`]) under the
    /// context's lock. The plain getters below are provided over it, so a
    /// backend writes them only where its library holds the truth. Sealed
    /// ([`crate::spi`]): only this crate calls it.
    fn with_settings<R>(&self, token: Sealed, read: impl FnOnce(&ContextSettings) -> R) -> R;
    /// Changes the settings under the context's lock; the backend drops any
    /// configuration it built from the old ones. The setters whose rules
    /// are Python's alone are provided over it; a backend overrides those its
    /// library must also be told about. Sealed ([`crate::spi`]): users
    /// change settings through the setters only.
    fn update_settings<R>(
        &self,
        token: Sealed,
        change: impl FnOnce(&mut ContextSettings) -> Result<R>,
    ) -> Result<R>;

    /// `protocol` (X2), read-only.
    fn protocol(&self) -> Protocol {
        self.with_settings(Sealed::token(), |s| s.protocol())
    }

    /// `options` (X3).
    fn options(&self) -> Options {
        self.with_settings(Sealed::token(), |s| s.options())
    }
    /// Sets `options` (X3); bits may be cleared as well as set.
    fn set_options(&self, options: Options) -> Result<()> {
        self.update_settings(Sealed::token(), |s| {
            s.set_options(options);
            Ok(())
        })
    }

    /// `verify_mode` (X4).
    fn verify_mode(&self) -> VerifyMode {
        self.with_settings(Sealed::token(), |s| s.verify_mode())
    }
    /// Sets `verify_mode` (X4); `CERT_NONE` while `check_hostname` is on is a ValueError.
    fn set_verify_mode(&self, mode: VerifyMode) -> Result<()> {
        self.update_settings(Sealed::token(), |s| s.set_verify_mode(mode))
    }

    /// `verify_flags` (X5).
    fn verify_flags(&self) -> VerifyFlags {
        self.with_settings(Sealed::token(), |s| s.verify_flags())
    }
    /// Sets `verify_flags` (X5). Required: each library checks certificates
    /// its own way, so each backend says what it does with the flags.
    fn set_verify_flags(&self, flags: VerifyFlags) -> Result<()>;

    /// `check_hostname` (X6).
    fn check_hostname(&self) -> bool {
        self.with_settings(Sealed::token(), |s| s.check_hostname())
    }
    /// Sets `check_hostname` (X6); turning it on with `CERT_NONE` switches to
    /// `CERT_REQUIRED`, as Python 3.7+ does.
    fn set_check_hostname(&self, check: bool) -> Result<()> {
        self.update_settings(Sealed::token(), |s| {
            s.set_check_hostname(check);
            Ok(())
        })
    }

    /// `minimum_version` (X23+).
    fn minimum_version(&self) -> TlsVersion {
        self.with_settings(Sealed::token(), |s| s.minimum_version())
    }
    /// Sets `minimum_version` (X23+): a ValueError for fixed-version
    /// protocols. `MAXIMUM_SUPPORTED` means the newest version the library
    /// speaks, as CPython resolves it.
    fn set_minimum_version(&self, version: TlsVersion) -> Result<()> {
        let version = match version {
            TlsVersion::MAXIMUM_SUPPORTED => Self::Backend::capabilities().newest_version(),
            v => v,
        };
        self.update_settings(Sealed::token(), |s| s.set_minimum_version(version))
    }
    /// `maximum_version` (X23+).
    fn maximum_version(&self) -> TlsVersion {
        self.with_settings(Sealed::token(), |s| s.maximum_version())
    }
    /// Sets `maximum_version` (X23+). `MINIMUM_SUPPORTED` means the oldest
    /// version the library speaks, as CPython resolves it.
    fn set_maximum_version(&self, version: TlsVersion) -> Result<()> {
        let version = match version {
            TlsVersion::MINIMUM_SUPPORTED => Self::Backend::capabilities().oldest_version(),
            v => v,
        };
        self.update_settings(Sealed::token(), |s| s.set_maximum_version(version))
    }

    /// `hostname_checks_common_name` (X23+).
    fn hostname_checks_common_name(&self) -> bool {
        self.with_settings(Sealed::token(), |s| s.hostname_checks_common_name())
    }
    /// Sets `hostname_checks_common_name` (X23+). Required: the name check is
    /// the library's (or the backend's verifier's).
    fn set_hostname_checks_common_name(&self, check: bool) -> Result<()>;

    /// `num_tickets` (X23+): TLS 1.3 session tickets a server sends after a
    /// full handshake (2 by default, OpenSSL's number).
    fn num_tickets(&self) -> usize {
        self.with_settings(Sealed::token(), |s| s.num_tickets())
    }

    /// Sets `num_tickets` (X23+): ValueError on a context that is not
    /// `PROTOCOL_TLS_SERVER`. Required: the library must send that many.
    fn set_num_tickets(&self, n: usize) -> Result<()>;

    /// `post_handshake_auth` (X23+).
    fn post_handshake_auth(&self) -> bool {
        self.with_settings(Sealed::token(), |s| s.post_handshake_auth())
    }
    /// Sets `post_handshake_auth` (X23+). Required: a library without
    /// post-handshake authentication must refuse `true`.
    fn set_post_handshake_auth(&self, enabled: bool) -> Result<()>;

    /// `keylog_filename` (X23+).
    fn keylog_filename(&self) -> Option<std::path::PathBuf> {
        self.with_settings(Sealed::token(), |s| s.keylog_filename().cloned())
    }
    /// Sets `keylog_filename` (X23+): NSS key log lines are appended to it.
    /// Required: the library writes the lines.
    fn set_keylog_filename(&self, path: Option<&Path>) -> Result<()>;

    /// `load_cert_chain(certfile, keyfile, password)` (X7): the server's (or
    /// client's) certificate chain, PEM, leaf first, and its private key,
    /// from `keyfile` or, without one, from `certfile` (before or after the
    /// certificates). The password is used only for an encrypted key.
    ///
    /// Reads the files and calls [`Context::load_cert_chain_from_memory`]:
    /// the same content gives the same result and the same error in both
    /// forms. A missing or unreadable file is the OS error (Python:
    /// `FileNotFoundError`, ...), a path with a NUL a ValueError.
    fn load_cert_chain(
        &self,
        certfile: &Path,
        keyfile: Option<&Path>,
        password: Option<Password>,
    ) -> Result<()> {
        let chain = read_path(certfile)?;
        let key = keyfile.map(read_path).transpose()?;
        self.load_cert_chain_from_memory(
            CertChain::Pem(&chain),
            key.as_deref().map(KeyData::Pem),
            password,
        )
    }

    /// `load_cert_chain` from memory (X7, Rust addition): the chain as PEM
    /// (which may hold the key as well) or DER, the key as PEM or DER
    /// (`None`: looked for in the chain's PEM), the password forms of the
    /// file form. Errors as the file form's for the same bytes: `[SSL] PEM
    /// lib` for content without a certificate or key, a wrong or missing
    /// password or a key too costly to decrypt; `[X509: KEY_VALUES_MISMATCH]`
    /// for a key of another certificate; ValueError for a password over 1024
    /// bytes; the callback's own error.
    ///
    /// Backends read both forms through
    /// [`identity_pem`](crate::cert::keys::identity_pem), which turns DER
    /// into the PEM the file form reads.
    ///
    /// ```no_run
    /// # fn demo<C: ssl_api::Context>(ctx: &C, pem: &[u8]) -> ssl_api::Result<()> {
    /// use ssl_api::{CertChain, KeyData};
    /// // One buffer holding the certificates and the key.
    /// ctx.load_cert_chain_from_memory(CertChain::Pem(pem), None, None)?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "load_cert_chain")]
    fn load_cert_chain_from_memory(
        &self,
        chain: CertChain<'_>,
        key: Option<KeyData<'_>>,
        password: Option<Password>,
    ) -> Result<()>;

    /// `load_verify_locations(cafile, capath, cadata)` (X9): at least one is required.
    fn load_verify_locations(
        &self,
        cafile: Option<&Path>,
        capath: Option<&Path>,
        cadata: Option<CaData>,
    ) -> Result<()>;

    /// `load_default_certs(purpose)` (X8).
    fn load_default_certs(&self, purpose: Purpose) -> Result<()>;

    /// `set_default_verify_paths()` (X12).
    fn set_default_verify_paths(&self) -> Result<()>;

    /// `get_ca_certs(binary_form=True)` (X10): the DER of every loaded CA
    /// certificate (capath certificates only once a handshake has used them).
    fn get_ca_certs_der(&self) -> Result<Vec<Vec<u8>>>;

    /// `get_ca_certs()` (X10): the decoded records.
    fn get_ca_certs(&self) -> Result<Vec<CertRecord>> {
        self.get_ca_certs_der()?
            .iter()
            .map(|der| decode_cert(der))
            .collect()
    }

    /// `cert_store_stats()` (X22).
    fn cert_store_stats(&self) -> Result<CertStoreStats>;

    /// `get_ciphers()` (X11) in priority order.
    fn get_ciphers(&self) -> Result<Vec<CipherInfo>>;

    /// `set_ciphers(cipherlist)` (X13): OpenSSL's cipher-list format; an
    /// SSLError (`No cipher can be selected.`) when nothing matches.
    fn set_ciphers(&self, cipherlist: &str) -> Result<()>;

    /// `set_alpn_protocols(protocols)` (X14).
    fn set_alpn_protocols(&self, protocols: &[&str]) -> Result<()>;

    /// `set_npn_protocols(protocols)` (X15).
    fn set_npn_protocols(&self, protocols: &[&str]) -> Result<()>;

    /// `set_servername_callback(cb)` / `sni_callback` (X16); `None` removes it.
    fn set_servername_callback(
        &self,
        callback: Option<ServernameCallback<Self::Backend>>,
    ) -> Result<()>;

    /// `_msg_callback` (Python's private debugging hook): every TLS message
    /// of this context's connections made after the call goes to
    /// `callback`; `None` removes it. This provided form keeps the callback
    /// in the settings for a backend that watches its connections' records
    /// ([`crate::transport::tapped`], which sees only what is sent in the
    /// clear: declared in the backend's capabilities); a library with a
    /// message hook of its own overrides it.
    #[doc(alias = "_msg_callback")]
    fn set_msg_callback(&self, callback: Option<MessageCallback>) -> Result<()> {
        self.update_settings(Sealed::token(), |s| {
            s.set_msg_callback(callback);
            Ok(())
        })
    }

    /// `load_dh_params(path)` (X17).
    fn load_dh_params(&self, path: &Path) -> Result<()>;

    /// `set_ecdh_curve(name)` (X18).
    fn set_ecdh_curve(&self, name: &str) -> Result<()>;

    /// `session_stats()` (X21).
    fn session_stats(&self) -> Result<SessionStats>;

    /// The TLS 1.3 cipher suites, by IANA / OpenSSL name separated by `:`
    /// (OpenSSL's `SSL_CTX_set_ciphersuites`; Python has no such method, as
    /// `set_ciphers` does not touch TLS 1.3). A Rust addition, used to pin a
    /// suite (e.g. in benchmarks). Unknown names select nothing: an SSLError.
    fn set_ciphersuites(&self, _suites: &str) -> Result<()> {
        Err(Error::not_implemented(
            self.backend_name(),
            "set_ciphersuites (TLS 1.3 suite selection)",
        ))
    }

    /// An `SSLObject` whose record I/O goes through `transport` (the seam,
    /// DESIGN §3): what [`Context::wrap_bio`], [`crate::ContextExt::wrap_socket`] and
    /// [`crate::ContextExt::wrap_stream`] build on. The only way a backend makes an
    /// Object.
    fn wrap_transport(
        &self,
        transport: SharedTransport,
        options: WrapOptions<Self::Backend>,
    ) -> Result<<Self::Backend as Backend>::Object>;

    /// `wrap_bio(incoming, outgoing, server_side, server_hostname, session)`
    /// (X20): an `SSLObject` over two MemoryBIOs.
    fn wrap_bio(
        &self,
        incoming: MemoryBio,
        outgoing: MemoryBio,
        options: WrapOptions<Self::Backend>,
    ) -> Result<<Self::Backend as Backend>::Object> {
        let transport: SharedTransport =
            std::sync::Arc::new(MemoryTransport::new(incoming, outgoing));
        self.wrap_transport(transport, options)
    }
}

/// `SSLObject` (O1): one TLS connection over an incoming and an outgoing
/// [`MemoryBio`]. All I/O is non-blocking: when bytes must move, calls fail with
/// `SSLWantReadError` / `SSLWantWriteError`.
pub trait Object: Send + Unpin + Sized {
    /// The backend this object belongs to.
    type Backend: Backend<Object = Self>;

    /// `do_handshake()` (S3): advances the handshake; `SSLWantReadError` until done.
    fn do_handshake(&mut self) -> Result<()>;

    /// Whether the handshake has completed.
    fn handshake_done(&self) -> bool;

    /// `read(len)` (S2): decrypted bytes into `buf`. A clean close_notify is
    /// `SSLZeroReturnError`, a truncated stream `SSLEOFError`.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize>;

    /// `write(buf)` (S2): encrypts `buf` into the outgoing BIO, returns bytes taken.
    fn write(&mut self, buf: &[u8]) -> Result<usize>;

    /// `pending()` (S12): decrypted bytes ready to read.
    fn pending(&self) -> usize;

    /// `unwrap()` (S10): sends close_notify; `SSLWantReadError` until the peer's
    /// close_notify has arrived too.
    fn unwrap(&mut self) -> Result<()>;

    /// The peer's leaf certificate as DER, whether or not it was validated.
    fn peer_certificate_der(&self) -> Option<Vec<u8>>;

    /// `_sslobj.get_unverified_chain()` (S4 chains): the peer's certificates
    /// as DER, leaf first, as the peer sent them (on the server side too,
    /// where OpenSSL leaves the leaf out and CPython adds it back); `None`
    /// without a handshake or a peer certificate. NotImplemented where the
    /// library does not give them.
    #[doc(alias = "get_unverified_chain")]
    fn unverified_chain_der(&self) -> Result<Option<Vec<Vec<u8>>>> {
        Err(Error::not_implemented(
            <Self::Backend as Backend>::name(),
            "S4 get_unverified_chain",
        ))
    }

    /// `_sslobj.get_verified_chain()` (S4 chains): the chain verification
    /// built, leaf first, up to the trust anchor, as DER; `None` without
    /// one. NotImplemented where the library does not give it.
    #[doc(alias = "get_verified_chain")]
    fn verified_chain_der(&self) -> Result<Option<Vec<Vec<u8>>>> {
        Err(Error::not_implemented(
            <Self::Backend as Backend>::name(),
            "S4 get_verified_chain",
        ))
    }

    /// `getpeercert(binary_form=True)` (S4): ValueError before the handshake,
    /// `None` without a peer certificate.
    #[doc(alias = "getpeercert")]
    fn getpeercert_der(&self) -> Result<Option<Vec<u8>>> {
        if !self.handshake_done() {
            return Err(Error::value("handshake not done yet"));
        }
        Ok(self.peer_certificate_der())
    }

    /// `getpeercert()` (S4): the decoded record; `{}` when the context does not
    /// verify (`CERT_NONE`), as CPython decides by the context's verify mode.
    fn getpeercert(&self) -> Result<Option<CertRecord>> {
        let Some(der) = self.getpeercert_der()? else {
            return Ok(None);
        };
        if self.context().verify_mode() == crate::constants::CERT_NONE {
            return Ok(Some(CertRecord::empty()));
        }
        decode_cert(&der).map(Some)
    }

    /// `cipher()` (S5): `None` before the handshake.
    fn cipher(&self) -> Option<CipherTriple>;

    /// `shared_ciphers()` (S6): the client's offered ciphers the server also
    /// supports; `None` on the client or before the handshake.
    fn shared_ciphers(&self) -> Option<Vec<CipherTriple>>;

    /// `compression()` (S7): `None` when not compressed.
    fn compression(&self) -> Option<String> {
        None
    }

    /// `get_channel_binding(cb_type)` (S8): ValueError for an unknown type,
    /// `None` before the handshake.
    fn get_channel_binding(&self, cb_type: &str) -> Result<Option<Vec<u8>>>;

    /// `selected_alpn_protocol()` (S9).
    fn selected_alpn_protocol(&self) -> Option<String>;

    /// `selected_npn_protocol()` (S9): `None` where NPN is unsupported.
    fn selected_npn_protocol(&self) -> Option<String> {
        None
    }

    /// `version()` (S11): `"TLSv1.2"`, `"TLSv1.3"`, ... or `None` before the handshake.
    fn version(&self) -> Option<&'static str>;

    /// `server_side` (S13).
    fn server_side(&self) -> bool;

    /// `server_hostname` (S13).
    fn server_hostname(&self) -> Option<&str>;

    /// `context` (S13).
    fn context(&self) -> <Self::Backend as Backend>::Context;

    /// Sets `context` (S13): allowed from the servername callback (X16).
    fn set_context(&mut self, context: <Self::Backend as Backend>::Context) -> Result<()>;

    /// `session` (S14): the session to resume later, once the handshake is done.
    fn session(&self) -> Option<<Self::Backend as Backend>::Session>;

    /// Sets `session` (S14): client side, before the handshake only.
    fn set_session(&mut self, session: <Self::Backend as Backend>::Session) -> Result<()>;

    /// `session_reused` (S14).
    fn session_reused(&self) -> bool;

    /// The connection is about to wait for its peer (a stream's WantRead
    /// that goes back to the caller): a library that keeps record buffers
    /// while a connection is idle may release them here (a Rust addition;
    /// the openssl backend calls `SSL_free_buffers`). The default does
    /// nothing, for libraries whose idle connections hold no such buffers.
    fn idle(&mut self) {}

    /// `verify_client_post_handshake()` (X23+).
    fn verify_client_post_handshake(&mut self) -> Result<()> {
        Err(Error::not_implemented(
            Self::Backend::NAME,
            "X23 verify_client_post_handshake",
        ))
    }

    /// The transport the Object's records go through.
    fn transport(&self) -> &SharedTransport;

    /// The incoming BIO, for an Object made by `wrap_bio`.
    fn incoming(&self) -> Option<&MemoryBio> {
        self.transport().memory_bios().map(|(incoming, _)| incoming)
    }

    /// The outgoing BIO, for an Object made by `wrap_bio`.
    fn outgoing(&self) -> Option<&MemoryBio> {
        self.transport().memory_bios().map(|(_, outgoing)| outgoing)
    }
}

/// `SSLSession` (N1): equality by id.
pub trait Session: Clone + Send + Sync + PartialEq {
    /// `id`.
    fn id(&self) -> Vec<u8>;
    /// `time`: creation time, seconds since the epoch.
    fn time(&self) -> i64;
    /// `timeout`: lifetime in seconds.
    fn timeout(&self) -> i64;
    /// `ticket_lifetime_hint`: seconds.
    fn ticket_lifetime_hint(&self) -> i64;
    /// `has_ticket`.
    fn has_ticket(&self) -> bool;
}

/// What the servername callback (X16) sees and may change: the name the client
/// asked for and the context the connection will use.
pub struct ServernameRequest<B: Backend> {
    /// The SNI name, IDNA-decoded as Python gives it; `None` without SNI.
    pub server_name: Option<String>,
    /// The connection's context; assign another context to switch to it
    /// (Python's `sslsocket.context = other`).
    pub context: B::Context,
}

/// One TLS message a connection read or wrote, as OpenSSL's message
/// callback reports it (Python's private `SSLContext._msg_callback`, which
/// CPython's test_ssl and debugging tools use).
#[derive(Debug, Clone, Copy)]
pub struct TlsMessage<'a> {
    /// `true` for a message this side wrote (`"write"`), `false` read.
    pub outgoing: bool,
    /// The record's protocol version (`0x0303`, ...; OpenSSL's report).
    pub version: i32,
    /// The content type (22 handshake, 21 alert, 20 change_cipher_spec;
    /// 256 a record header, 257 TLS 1.3's inner content type).
    pub content_type: i32,
    /// The message type within the content type (the handshake type, the
    /// alert description, ...), -1 where there is none (CPython's rule).
    pub msg_type: i32,
    /// The message's bytes.
    pub data: &'a [u8],
}

impl<'a> TlsMessage<'a> {
    /// The message as OpenSSL's message callback reports its parts
    /// (`write_p`, `version`, `content_type`, the bytes), with the message
    /// type read from the bytes as CPython's `_PySSL_msg_callback` reads it:
    /// the handshake type, the alert description, `0x0101` for a
    /// change_cipher_spec; a record header (256) gives its own version and
    /// its content type as the message type.
    pub fn from_openssl(outgoing: bool, version: i32, content_type: i32, data: &'a [u8]) -> Self {
        const CHANGE_CIPHER_SPEC: i32 = 20;
        const ALERT: i32 = 21;
        const HANDSHAKE: i32 = 22;
        const RECORD_HEADER: i32 = 256;
        const INNER_CONTENT_TYPE: i32 = 257;
        let byte = |i: usize| data.get(i).map_or(-1, |b| i32::from(*b));
        let (version, msg_type) = match content_type {
            // SSL3_MT_CHANGE_CIPHER_SPEC, a pseudo message type.
            CHANGE_CIPHER_SPEC => (version, 0x0101),
            HANDSHAKE | INNER_CONTENT_TYPE => (version, byte(0)),
            ALERT => (version, byte(1)),
            RECORD_HEADER if data.len() >= 3 => ((byte(1) << 8) | byte(2), byte(0)),
            _ => (version, -1),
        };
        TlsMessage {
            outgoing,
            version,
            content_type,
            msg_type,
            data,
        }
    }
}

/// The callback of `set_msg_callback`: called on the thread of the library
/// call that reads or writes the message, inside that call.
pub type MessageCallback = Arc<dyn Fn(&TlsMessage<'_>) + Send + Sync>;

/// The callback of `set_servername_callback` (X16). `Ok(None)` continues,
/// `Ok(Some(alert))` aborts with that alert, `Err(_)` aborts with
/// `ALERT_DESCRIPTION_HANDSHAKE_FAILURE`.
pub type ServernameCallback<B> = Arc<
    dyn Fn(&mut ServernameRequest<B>) -> Result<Option<crate::constants::AlertDescription>>
        + Send
        + Sync,
>;

/// Per-connection options of `wrap_bio` / `wrap_socket` (X19, X20).
pub struct WrapOptions<B: Backend> {
    /// `server_side`.
    pub server_side: bool,
    /// `server_hostname`: SNI and the name checked when `check_hostname` is on.
    pub server_hostname: Option<String>,
    /// `session`: a session to resume (client side).
    pub session: Option<B::Session>,
}

impl<B: Backend> Default for WrapOptions<B> {
    fn default() -> Self {
        WrapOptions {
            server_side: false,
            server_hostname: None,
            session: None,
        }
    }
}

impl<B: Backend> WrapOptions<B> {
    /// Client side, with `server_hostname`.
    pub fn client(server_hostname: impl Into<String>) -> Self {
        WrapOptions {
            server_hostname: Some(server_hostname.into()),
            ..Self::default()
        }
    }

    /// Server side.
    pub fn server() -> Self {
        WrapOptions {
            server_side: true,
            ..Self::default()
        }
    }
}
