//! Choosing a backend at run time (`--backend rustls`): [`AnyBackend`] is
//! a [`Backend`] whose contexts, objects and sessions carry the backend
//! chosen by name inside them, so everything written over `B: Backend`
//! (`wrap_socket`, `wrap_stream`, `wrap_bio`, the async streams, sessions,
//! the servername callback with its context swap) works unchanged on a
//! backend picked at run time. [`DynBackend`] is the handle a name gives
//! (the facade's `ssl::backend(name)`); [`DynContext`], [`DynObject`] and
//! [`DynSession`] are the object-safe twins of the traits behind the
//! `Any*` types, each implemented once for every implementation of the
//! generic trait by a blanket impl, so a backend writes its code once.
//!
//! ```
//! # fn demo(backend: &dyn ssl_api::dynamic::DynBackend) -> ssl_api::Result<()> {
//! use ssl_api::{Context, ContextExt, SocketOptions};
//! let ctx = backend.new_context(ssl_api::PROTOCOL_TLS_CLIENT)?;
//! assert!(ctx.check_hostname());
//! assert_eq!(ctx.backend_name(), backend.name());
//! // `ctx` is an ordinary Context: wrap_socket, wrap_stream, wrap_bio, ssl_api::tokio.
//! # let _ = |sock: socket2::Socket| ctx.wrap_socket(sock, SocketOptions::client("example.org"));
//! # Ok(()) }
//! ```

use std::any::Any;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::backend::{
    Backend, Context, MessageCallback, Object, ServernameCallback, ServernameRequest, Session,
    WrapOptions,
};
use crate::cert::record::CertRecord;
use crate::constants::{Options, Protocol, Purpose, TlsVersion, VerifyFlags, VerifyMode};
use crate::error::{Error, Result};
use crate::spi::{ContextSettings, Sealed};
use crate::transport::SharedTransport;
use crate::types::{
    CaData, Capabilities, CertChain, CertStoreStats, CipherInfo, CipherTriple, DefaultVerifyPaths,
    KeyData, Password, SessionStats,
};

/// A backend chosen at run time: what `ssl::backend(name)` gives.
pub trait DynBackend: Send + Sync {
    /// The backend's name.
    fn name(&self) -> &'static str;
    /// Its capabilities (C5-C7).
    fn capabilities(&self) -> Capabilities;
    /// `SSLContext(protocol)` (X1) of this backend.
    fn new_context(&self, protocol: Protocol) -> Result<AnyContext>;
    /// `RAND_bytes` (F3).
    fn rand_bytes(&self, num: usize) -> Result<Vec<u8>>;
    /// `RAND_pseudo_bytes` (F4).
    fn rand_pseudo_bytes(&self, num: usize) -> Result<(Vec<u8>, bool)>;
    /// `RAND_status` (F5).
    fn rand_status(&self) -> bool;
    /// `RAND_add` (F7).
    fn rand_add(&self, bytes: &[u8], entropy: f64) -> Result<()>;
    /// `RAND_egd` (F6).
    fn rand_egd(&self, path: &Path) -> Result<i64>;
    /// `get_default_verify_paths()` (F13).
    fn get_default_verify_paths(&self) -> DefaultVerifyPaths;
}

/// The [`DynBackend`] of `B`.
pub struct DynBackendOf<B>(PhantomData<fn() -> B>);

impl<B: Backend> DynBackendOf<B> {
    /// The handle (a zero-sized value).
    pub const HANDLE: DynBackendOf<B> = DynBackendOf(PhantomData);
}

impl<B: Backend> DynBackend for DynBackendOf<B> {
    fn name(&self) -> &'static str {
        B::NAME
    }
    fn capabilities(&self) -> Capabilities {
        B::capabilities()
    }
    fn new_context(&self, protocol: Protocol) -> Result<AnyContext> {
        Ok(AnyContext::of(B::Context::new(protocol)?))
    }
    fn rand_bytes(&self, num: usize) -> Result<Vec<u8>> {
        B::rand_bytes(num)
    }
    fn rand_pseudo_bytes(&self, num: usize) -> Result<(Vec<u8>, bool)> {
        B::rand_pseudo_bytes(num)
    }
    fn rand_status(&self) -> bool {
        B::rand_status()
    }
    fn rand_add(&self, bytes: &[u8], entropy: f64) -> Result<()> {
        B::rand_add(bytes, entropy)
    }
    fn rand_egd(&self, path: &Path) -> Result<i64> {
        B::rand_egd(path)
    }
    fn get_default_verify_paths(&self) -> DefaultVerifyPaths {
        B::get_default_verify_paths()
    }
}

/// `SSLContext` of a backend chosen at run time, object-safe (see
/// [`Context`] for each method).
#[allow(missing_docs)]
pub trait DynContext: Send + Sync {
    fn protocol(&self) -> Protocol;
    fn options(&self) -> Options;
    fn set_options(&self, options: Options) -> Result<()>;
    fn verify_mode(&self) -> VerifyMode;
    fn set_verify_mode(&self, mode: VerifyMode) -> Result<()>;
    fn verify_flags(&self) -> VerifyFlags;
    fn set_verify_flags(&self, flags: VerifyFlags) -> Result<()>;
    fn check_hostname(&self) -> bool;
    fn set_check_hostname(&self, check: bool) -> Result<()>;
    fn minimum_version(&self) -> TlsVersion;
    fn set_minimum_version(&self, version: TlsVersion) -> Result<()>;
    fn maximum_version(&self) -> TlsVersion;
    fn set_maximum_version(&self, version: TlsVersion) -> Result<()>;
    fn hostname_checks_common_name(&self) -> bool;
    fn set_hostname_checks_common_name(&self, check: bool) -> Result<()>;
    fn post_handshake_auth(&self) -> bool;
    fn set_post_handshake_auth(&self, enabled: bool) -> Result<()>;
    fn num_tickets(&self) -> usize;
    fn set_num_tickets(&self, n: usize) -> Result<()>;
    fn keylog_filename(&self) -> Option<PathBuf>;
    fn set_keylog_filename(&self, path: Option<&Path>) -> Result<()>;
    fn load_cert_chain(
        &self,
        certfile: &Path,
        keyfile: Option<&Path>,
        password: Option<Password>,
    ) -> Result<()>;
    fn load_cert_chain_from_memory(
        &self,
        chain: CertChain<'_>,
        key: Option<KeyData<'_>>,
        password: Option<Password>,
    ) -> Result<()>;
    fn load_verify_locations(
        &self,
        cafile: Option<&Path>,
        capath: Option<&Path>,
        cadata: Option<CaData>,
    ) -> Result<()>;
    fn load_default_certs(&self, purpose: Purpose) -> Result<()>;
    fn set_default_verify_paths(&self) -> Result<()>;
    fn get_ca_certs_der(&self) -> Result<Vec<Vec<u8>>>;
    fn get_ca_certs(&self) -> Result<Vec<CertRecord>>;
    fn cert_store_stats(&self) -> Result<CertStoreStats>;
    fn get_ciphers(&self) -> Result<Vec<CipherInfo>>;
    fn set_ciphers(&self, cipherlist: &str) -> Result<()>;
    fn set_alpn_protocols(&self, protocols: &[&str]) -> Result<()>;
    fn set_npn_protocols(&self, protocols: &[&str]) -> Result<()>;
    fn load_dh_params(&self, path: &Path) -> Result<()>;
    fn set_msg_callback(&self, callback: Option<MessageCallback>) -> Result<()>;
    fn set_ecdh_curve(&self, name: &str) -> Result<()>;
    fn session_stats(&self) -> Result<SessionStats>;
    fn set_ciphersuites(&self, suites: &str) -> Result<()>;
    fn backend_name(&self) -> &'static str;
    fn capabilities(&self) -> Capabilities;
    /// The settings hook, sealed as [`Context::with_settings`] is.
    fn with_settings_dyn(&self, token: Sealed, read: &mut dyn FnMut(&ContextSettings));
    /// The settings hook, sealed as [`Context::update_settings`] is.
    fn update_settings_dyn(
        &self,
        token: Sealed,
        change: &mut dyn FnMut(&mut ContextSettings) -> Result<()>,
    ) -> Result<()>;
    /// `set_servername_callback` (X16), the callback seeing [`AnyContext`]s.
    fn set_servername_callback_any(
        &self,
        callback: Option<ServernameCallback<AnyBackend>>,
    ) -> Result<()>;
    /// `wrap_transport`; the session must come from the same backend.
    fn wrap_transport_any(
        &self,
        transport: SharedTransport,
        options: WrapOptions<AnyBackend>,
    ) -> Result<AnyObject>;
    /// The concrete context, for downcasting.
    fn as_any(&self) -> &dyn Any;
}

/// The session of backend `B` inside `session`, or a ValueError.
fn session_of<B: Backend>(session: Option<AnySession>) -> Result<Option<B::Session>> {
    session
        .map(|s| {
            s.0.as_any()
                .downcast_ref::<B::Session>()
                .cloned()
                .ok_or_else(|| Error::value("the session belongs to another backend"))
        })
        .transpose()
}

/// The context of backend `B` inside `ctx`, or a ValueError.
fn context_of<B: Backend>(ctx: &AnyContext) -> Result<B::Context> {
    ctx.0
        .as_any()
        .downcast_ref::<B::Context>()
        .cloned()
        .ok_or_else(|| Error::value("the context belongs to another backend"))
}

impl<C: Context + 'static> DynContext for C
where
    <C::Backend as Backend>::Object: 'static,
    <C::Backend as Backend>::Session: 'static,
{
    fn protocol(&self) -> Protocol {
        Context::protocol(self)
    }
    fn options(&self) -> Options {
        Context::options(self)
    }
    fn set_options(&self, options: Options) -> Result<()> {
        Context::set_options(self, options)
    }
    fn verify_mode(&self) -> VerifyMode {
        Context::verify_mode(self)
    }
    fn set_verify_mode(&self, mode: VerifyMode) -> Result<()> {
        Context::set_verify_mode(self, mode)
    }
    fn verify_flags(&self) -> VerifyFlags {
        Context::verify_flags(self)
    }
    fn set_verify_flags(&self, flags: VerifyFlags) -> Result<()> {
        Context::set_verify_flags(self, flags)
    }
    fn check_hostname(&self) -> bool {
        Context::check_hostname(self)
    }
    fn set_check_hostname(&self, check: bool) -> Result<()> {
        Context::set_check_hostname(self, check)
    }
    fn minimum_version(&self) -> TlsVersion {
        Context::minimum_version(self)
    }
    fn set_minimum_version(&self, version: TlsVersion) -> Result<()> {
        Context::set_minimum_version(self, version)
    }
    fn maximum_version(&self) -> TlsVersion {
        Context::maximum_version(self)
    }
    fn set_maximum_version(&self, version: TlsVersion) -> Result<()> {
        Context::set_maximum_version(self, version)
    }
    fn hostname_checks_common_name(&self) -> bool {
        Context::hostname_checks_common_name(self)
    }
    fn set_hostname_checks_common_name(&self, check: bool) -> Result<()> {
        Context::set_hostname_checks_common_name(self, check)
    }
    fn post_handshake_auth(&self) -> bool {
        Context::post_handshake_auth(self)
    }
    fn set_post_handshake_auth(&self, enabled: bool) -> Result<()> {
        Context::set_post_handshake_auth(self, enabled)
    }
    fn num_tickets(&self) -> usize {
        Context::num_tickets(self)
    }
    fn set_num_tickets(&self, n: usize) -> Result<()> {
        Context::set_num_tickets(self, n)
    }
    fn keylog_filename(&self) -> Option<PathBuf> {
        Context::keylog_filename(self)
    }
    fn set_keylog_filename(&self, path: Option<&Path>) -> Result<()> {
        Context::set_keylog_filename(self, path)
    }
    fn load_cert_chain(
        &self,
        certfile: &Path,
        keyfile: Option<&Path>,
        password: Option<Password>,
    ) -> Result<()> {
        Context::load_cert_chain(self, certfile, keyfile, password)
    }
    fn load_cert_chain_from_memory(
        &self,
        chain: CertChain<'_>,
        key: Option<KeyData<'_>>,
        password: Option<Password>,
    ) -> Result<()> {
        Context::load_cert_chain_from_memory(self, chain, key, password)
    }
    fn load_verify_locations(
        &self,
        cafile: Option<&Path>,
        capath: Option<&Path>,
        cadata: Option<CaData>,
    ) -> Result<()> {
        Context::load_verify_locations(self, cafile, capath, cadata)
    }
    fn load_default_certs(&self, purpose: Purpose) -> Result<()> {
        Context::load_default_certs(self, purpose)
    }
    fn set_default_verify_paths(&self) -> Result<()> {
        Context::set_default_verify_paths(self)
    }
    fn get_ca_certs_der(&self) -> Result<Vec<Vec<u8>>> {
        Context::get_ca_certs_der(self)
    }
    fn get_ca_certs(&self) -> Result<Vec<CertRecord>> {
        Context::get_ca_certs(self)
    }
    fn cert_store_stats(&self) -> Result<CertStoreStats> {
        Context::cert_store_stats(self)
    }
    fn get_ciphers(&self) -> Result<Vec<CipherInfo>> {
        Context::get_ciphers(self)
    }
    fn set_ciphers(&self, cipherlist: &str) -> Result<()> {
        Context::set_ciphers(self, cipherlist)
    }
    fn set_alpn_protocols(&self, protocols: &[&str]) -> Result<()> {
        Context::set_alpn_protocols(self, protocols)
    }
    fn set_npn_protocols(&self, protocols: &[&str]) -> Result<()> {
        Context::set_npn_protocols(self, protocols)
    }
    fn load_dh_params(&self, path: &Path) -> Result<()> {
        Context::load_dh_params(self, path)
    }
    fn set_msg_callback(&self, callback: Option<MessageCallback>) -> Result<()> {
        Context::set_msg_callback(self, callback)
    }
    fn set_ecdh_curve(&self, name: &str) -> Result<()> {
        Context::set_ecdh_curve(self, name)
    }
    fn session_stats(&self) -> Result<SessionStats> {
        Context::session_stats(self)
    }
    fn set_ciphersuites(&self, suites: &str) -> Result<()> {
        Context::set_ciphersuites(self, suites)
    }
    fn backend_name(&self) -> &'static str {
        Context::backend_name(self)
    }
    fn capabilities(&self) -> Capabilities {
        Context::capabilities(self)
    }
    fn with_settings_dyn(&self, token: Sealed, read: &mut dyn FnMut(&ContextSettings)) {
        Context::with_settings(self, token, read)
    }
    fn update_settings_dyn(
        &self,
        token: Sealed,
        change: &mut dyn FnMut(&mut ContextSettings) -> Result<()>,
    ) -> Result<()> {
        Context::update_settings(self, token, change)
    }
    fn set_servername_callback_any(
        &self,
        callback: Option<ServernameCallback<AnyBackend>>,
    ) -> Result<()> {
        let bridged = callback.map(|cb| {
            let bridged: ServernameCallback<C::Backend> =
                Arc::new(move |req: &mut ServernameRequest<C::Backend>| {
                    let mut any = ServernameRequest::<AnyBackend> {
                        server_name: req.server_name.clone(),
                        context: AnyContext::of(req.context.clone()),
                    };
                    let answer = cb(&mut any)?;
                    // A swap (`sslsocket.context = other`) must stay on this backend.
                    req.context = context_of::<C::Backend>(&any.context)?;
                    Ok(answer)
                });
            bridged
        });
        Context::set_servername_callback(self, bridged)
    }
    fn wrap_transport_any(
        &self,
        transport: SharedTransport,
        options: WrapOptions<AnyBackend>,
    ) -> Result<AnyObject> {
        let options = WrapOptions {
            server_side: options.server_side,
            server_hostname: options.server_hostname,
            session: session_of::<C::Backend>(options.session)?,
        };
        Ok(AnyObject(Box::new(Context::wrap_transport(
            self, transport, options,
        )?)))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `SSLObject` of a backend chosen at run time, object-safe (see
/// [`Object`] for each method).
#[allow(missing_docs)]
pub trait DynObject: Send {
    fn do_handshake(&mut self) -> Result<()>;
    fn handshake_done(&self) -> bool;
    fn read(&mut self, buf: &mut [u8]) -> Result<usize>;
    fn write(&mut self, buf: &[u8]) -> Result<usize>;
    fn pending(&self) -> usize;
    fn unwrap(&mut self) -> Result<()>;
    fn peer_certificate_der(&self) -> Option<Vec<u8>>;
    fn unverified_chain_der(&self) -> Result<Option<Vec<Vec<u8>>>>;
    fn verified_chain_der(&self) -> Result<Option<Vec<Vec<u8>>>>;
    fn getpeercert_der(&self) -> Result<Option<Vec<u8>>>;
    fn getpeercert(&self) -> Result<Option<CertRecord>>;
    fn cipher(&self) -> Option<CipherTriple>;
    fn shared_ciphers(&self) -> Option<Vec<CipherTriple>>;
    fn compression(&self) -> Option<String>;
    fn get_channel_binding(&self, cb_type: &str) -> Result<Option<Vec<u8>>>;
    fn selected_alpn_protocol(&self) -> Option<String>;
    fn selected_npn_protocol(&self) -> Option<String>;
    fn version(&self) -> Option<&'static str>;
    fn server_side(&self) -> bool;
    fn server_hostname(&self) -> Option<&str>;
    fn session_reused(&self) -> bool;
    fn idle(&mut self);
    fn verify_client_post_handshake(&mut self) -> Result<()>;
    fn transport(&self) -> &SharedTransport;
    fn context_any(&self) -> AnyContext;
    fn set_context_any(&mut self, context: AnyContext) -> Result<()>;
    fn session_any(&self) -> Option<AnySession>;
    fn set_session_any(&mut self, session: AnySession) -> Result<()>;
}

impl<O: Object + 'static> DynObject for O
where
    <O::Backend as Backend>::Context: 'static,
    <O::Backend as Backend>::Session: 'static,
    <O::Backend as Backend>::Object: 'static,
{
    fn do_handshake(&mut self) -> Result<()> {
        Object::do_handshake(self)
    }
    fn handshake_done(&self) -> bool {
        Object::handshake_done(self)
    }
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        Object::read(self, buf)
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        Object::write(self, buf)
    }
    fn pending(&self) -> usize {
        Object::pending(self)
    }
    fn unwrap(&mut self) -> Result<()> {
        Object::unwrap(self)
    }
    fn peer_certificate_der(&self) -> Option<Vec<u8>> {
        Object::peer_certificate_der(self)
    }
    fn unverified_chain_der(&self) -> Result<Option<Vec<Vec<u8>>>> {
        Object::unverified_chain_der(self)
    }
    fn verified_chain_der(&self) -> Result<Option<Vec<Vec<u8>>>> {
        Object::verified_chain_der(self)
    }
    fn getpeercert_der(&self) -> Result<Option<Vec<u8>>> {
        Object::getpeercert_der(self)
    }
    fn getpeercert(&self) -> Result<Option<CertRecord>> {
        Object::getpeercert(self)
    }
    fn cipher(&self) -> Option<CipherTriple> {
        Object::cipher(self)
    }
    fn shared_ciphers(&self) -> Option<Vec<CipherTriple>> {
        Object::shared_ciphers(self)
    }
    fn compression(&self) -> Option<String> {
        Object::compression(self)
    }
    fn get_channel_binding(&self, cb_type: &str) -> Result<Option<Vec<u8>>> {
        Object::get_channel_binding(self, cb_type)
    }
    fn selected_alpn_protocol(&self) -> Option<String> {
        Object::selected_alpn_protocol(self)
    }
    fn selected_npn_protocol(&self) -> Option<String> {
        Object::selected_npn_protocol(self)
    }
    fn version(&self) -> Option<&'static str> {
        Object::version(self)
    }
    fn server_side(&self) -> bool {
        Object::server_side(self)
    }
    fn server_hostname(&self) -> Option<&str> {
        Object::server_hostname(self)
    }
    fn session_reused(&self) -> bool {
        Object::session_reused(self)
    }
    fn idle(&mut self) {
        Object::idle(self)
    }
    fn verify_client_post_handshake(&mut self) -> Result<()> {
        Object::verify_client_post_handshake(self)
    }
    fn transport(&self) -> &SharedTransport {
        Object::transport(self)
    }
    fn context_any(&self) -> AnyContext {
        AnyContext::of(Object::context(self))
    }
    fn set_context_any(&mut self, context: AnyContext) -> Result<()> {
        Object::set_context(self, context_of::<O::Backend>(&context)?)
    }
    fn session_any(&self) -> Option<AnySession> {
        Object::session(self).map(|s| AnySession(Arc::new(s)))
    }
    fn set_session_any(&mut self, session: AnySession) -> Result<()> {
        let s =
            session_of::<O::Backend>(Some(session))?.ok_or_else(|| Error::value("no session"))?;
        Object::set_session(self, s)
    }
}

/// `SSLSession` of a backend chosen at run time, object-safe.
#[allow(missing_docs)]
pub trait DynSession: Send + Sync {
    fn id(&self) -> Vec<u8>;
    fn time(&self) -> i64;
    fn timeout(&self) -> i64;
    fn ticket_lifetime_hint(&self) -> i64;
    fn has_ticket(&self) -> bool;
    /// The same session (by id, of the same backend).
    fn same_as(&self, other: &dyn DynSession) -> bool;
    /// The concrete session, for downcasting.
    fn as_any(&self) -> &dyn Any;
}

impl<S: Session + 'static> DynSession for S {
    fn id(&self) -> Vec<u8> {
        Session::id(self)
    }
    fn time(&self) -> i64 {
        Session::time(self)
    }
    fn timeout(&self) -> i64 {
        Session::timeout(self)
    }
    fn ticket_lifetime_hint(&self) -> i64 {
        Session::ticket_lifetime_hint(self)
    }
    fn has_ticket(&self) -> bool {
        Session::has_ticket(self)
    }
    fn same_as(&self, other: &dyn DynSession) -> bool {
        other
            .as_any()
            .downcast_ref::<S>()
            .is_some_and(|o| o == self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The backend chosen at run time. Its contexts, objects and sessions
/// carry the backend they were made by ([`DynBackend::new_context`]).
/// What depends on a library without a context (`SSLContext(protocol)`,
/// `RAND_*`, the default verify paths, the capabilities) goes to the
/// process's selected backend ([`select`]); with none selected, those
/// answer NotImplemented (and empty capabilities).
#[derive(Debug)]
pub struct AnyBackend;

/// The backend [`AnyBackend`]'s own functions use.
static SELECTED: RwLock<Option<&'static dyn DynBackend>> = RwLock::new(None);

/// Makes `backend` the one `AnyBackend::Context::new`, `AnyBackend::capabilities`
/// and `AnyBackend::rand_*` use, so code written over `B: Backend` runs on
/// a backend chosen by name when it is given `AnyBackend`. Contexts made
/// before keep their own backend.
pub fn select(backend: &'static dyn DynBackend) {
    *SELECTED.write().unwrap_or_else(|e| e.into_inner()) = Some(backend);
}

/// The backend [`select`] chose, if any.
pub fn selected() -> Option<&'static dyn DynBackend> {
    *SELECTED.read().unwrap_or_else(|e| e.into_inner())
}

fn selected_or(what: &str) -> Result<&'static dyn DynBackend> {
    selected().ok_or_else(|| {
        Error::not_implemented(
            AnyBackend::NAME,
            format!(
                "{what} with no backend selected (ssl_api::dynamic::select, ssl::select_backend)"
            ),
        )
    })
}

impl Backend for AnyBackend {
    const NAME: &'static str = "any";
    type Context = AnyContext;
    type Object = AnyObject;
    type Session = AnySession;

    fn name() -> &'static str {
        selected().map_or(Self::NAME, |b| b.name())
    }
    fn capabilities() -> Capabilities {
        match selected() {
            Some(b) => b.capabilities(),
            None => Capabilities {
                has_alpn: false,
                has_ecdh: false,
                has_sni: false,
                has_npn: false,
                has_sslv2: false,
                has_sslv3: false,
                has_tlsv1: false,
                has_tlsv1_1: false,
                has_tlsv1_2: false,
                has_tlsv1_3: false,
                has_never_check_common_name: false,
                channel_binding_types: Vec::new(),
                library_version: "none: no backend selected".into(),
                library_version_info: (0, 0, 0, 0, 0),
                library_version_number: 0,
                unsupported: Vec::new(),
                posture: Vec::new(),
            },
        }
    }
    fn rand_bytes(num: usize) -> Result<Vec<u8>> {
        selected_or("RAND_bytes")?.rand_bytes(num)
    }
    fn rand_pseudo_bytes(num: usize) -> Result<(Vec<u8>, bool)> {
        selected_or("RAND_pseudo_bytes")?.rand_pseudo_bytes(num)
    }
    fn rand_status() -> bool {
        selected().is_some_and(|b| b.rand_status())
    }
    fn rand_add(bytes: &[u8], entropy: f64) -> Result<()> {
        selected_or("RAND_add")?.rand_add(bytes, entropy)
    }
    fn rand_egd(path: &Path) -> Result<i64> {
        selected_or("RAND_egd")?.rand_egd(path)
    }
    /// The selected backend's; with none, the environment's
    /// `SSL_CERT_FILE` / `SSL_CERT_DIR` only.
    fn get_default_verify_paths() -> DefaultVerifyPaths {
        selected().map_or_else(
            || DefaultVerifyPaths::from_library_defaults("", ""),
            |b| b.get_default_verify_paths(),
        )
    }
}

/// `SSLContext` of a backend chosen at run time: a shared handle (clones
/// are the same context), an ordinary [`Context`].
#[derive(Clone)]
pub struct AnyContext(Arc<dyn DynContext>);

impl std::fmt::Debug for AnyContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnyContext")
            .field("backend", &self.0.backend_name())
            .finish_non_exhaustive()
    }
}

impl AnyContext {
    /// `context`, as a run-time backend's context.
    pub fn of<C: Context + 'static>(context: C) -> Self
    where
        <C::Backend as Backend>::Object: 'static,
        <C::Backend as Backend>::Session: 'static,
    {
        AnyContext(Arc::new(context))
    }

    /// The backend's own context inside, if it is a `C`.
    pub fn downcast_ref<C: Context + 'static>(&self) -> Option<&C> {
        self.0.as_any().downcast_ref::<C>()
    }
}

impl Context for AnyContext {
    type Backend = AnyBackend;

    /// A context of the selected backend ([`select`]); NotImplemented with
    /// none selected (a handle's [`DynBackend::new_context`] needs none).
    fn new(protocol: Protocol) -> Result<Self> {
        selected_or("SSLContext(protocol)")?.new_context(protocol)
    }
    /// The backend's own settings (the getters and setters below go to the
    /// backend's own methods, which keep its library told).
    fn with_settings<R>(&self, token: Sealed, read: impl FnOnce(&ContextSettings) -> R) -> R {
        let (mut read, mut out) = (Some(read), None);
        self.0.with_settings_dyn(token, &mut |s| {
            if let Some(read) = read.take() {
                out = Some(read(s));
            }
        });
        out.expect("with_settings calls its reader once")
    }
    /// As `with_settings`.
    fn update_settings<R>(
        &self,
        token: Sealed,
        change: impl FnOnce(&mut ContextSettings) -> Result<R>,
    ) -> Result<R> {
        let (mut change, mut out) = (Some(change), None);
        self.0.update_settings_dyn(token, &mut |s| {
            if let Some(change) = change.take() {
                out = Some(change(s)?);
            }
            Ok(())
        })?;
        out.ok_or_else(|| Error::value("the settings were not changed"))
    }
    fn protocol(&self) -> Protocol {
        self.0.protocol()
    }
    fn options(&self) -> Options {
        self.0.options()
    }
    fn set_options(&self, options: Options) -> Result<()> {
        self.0.set_options(options)
    }
    fn verify_mode(&self) -> VerifyMode {
        self.0.verify_mode()
    }
    fn set_verify_mode(&self, mode: VerifyMode) -> Result<()> {
        self.0.set_verify_mode(mode)
    }
    fn verify_flags(&self) -> VerifyFlags {
        self.0.verify_flags()
    }
    fn set_verify_flags(&self, flags: VerifyFlags) -> Result<()> {
        self.0.set_verify_flags(flags)
    }
    fn check_hostname(&self) -> bool {
        self.0.check_hostname()
    }
    fn set_check_hostname(&self, check: bool) -> Result<()> {
        self.0.set_check_hostname(check)
    }
    fn minimum_version(&self) -> TlsVersion {
        self.0.minimum_version()
    }
    fn set_minimum_version(&self, version: TlsVersion) -> Result<()> {
        self.0.set_minimum_version(version)
    }
    fn maximum_version(&self) -> TlsVersion {
        self.0.maximum_version()
    }
    fn set_maximum_version(&self, version: TlsVersion) -> Result<()> {
        self.0.set_maximum_version(version)
    }
    fn hostname_checks_common_name(&self) -> bool {
        self.0.hostname_checks_common_name()
    }
    fn set_hostname_checks_common_name(&self, check: bool) -> Result<()> {
        self.0.set_hostname_checks_common_name(check)
    }
    fn post_handshake_auth(&self) -> bool {
        self.0.post_handshake_auth()
    }
    fn set_post_handshake_auth(&self, enabled: bool) -> Result<()> {
        self.0.set_post_handshake_auth(enabled)
    }
    fn num_tickets(&self) -> usize {
        self.0.num_tickets()
    }
    fn set_num_tickets(&self, n: usize) -> Result<()> {
        self.0.set_num_tickets(n)
    }
    fn keylog_filename(&self) -> Option<PathBuf> {
        self.0.keylog_filename()
    }
    fn set_keylog_filename(&self, path: Option<&Path>) -> Result<()> {
        self.0.set_keylog_filename(path)
    }
    fn load_cert_chain_from_memory(
        &self,
        chain: CertChain<'_>,
        key: Option<KeyData<'_>>,
        password: Option<Password>,
    ) -> Result<()> {
        self.0.load_cert_chain_from_memory(chain, key, password)
    }
    fn load_cert_chain(
        &self,
        certfile: &Path,
        keyfile: Option<&Path>,
        password: Option<Password>,
    ) -> Result<()> {
        self.0.load_cert_chain(certfile, keyfile, password)
    }
    fn load_verify_locations(
        &self,
        cafile: Option<&Path>,
        capath: Option<&Path>,
        cadata: Option<CaData>,
    ) -> Result<()> {
        self.0.load_verify_locations(cafile, capath, cadata)
    }
    fn load_default_certs(&self, purpose: Purpose) -> Result<()> {
        self.0.load_default_certs(purpose)
    }
    fn set_default_verify_paths(&self) -> Result<()> {
        self.0.set_default_verify_paths()
    }
    fn get_ca_certs_der(&self) -> Result<Vec<Vec<u8>>> {
        self.0.get_ca_certs_der()
    }
    fn get_ca_certs(&self) -> Result<Vec<CertRecord>> {
        self.0.get_ca_certs()
    }
    fn cert_store_stats(&self) -> Result<CertStoreStats> {
        self.0.cert_store_stats()
    }
    fn get_ciphers(&self) -> Result<Vec<CipherInfo>> {
        self.0.get_ciphers()
    }
    fn set_ciphers(&self, cipherlist: &str) -> Result<()> {
        self.0.set_ciphers(cipherlist)
    }
    fn set_alpn_protocols(&self, protocols: &[&str]) -> Result<()> {
        self.0.set_alpn_protocols(protocols)
    }
    fn set_npn_protocols(&self, protocols: &[&str]) -> Result<()> {
        self.0.set_npn_protocols(protocols)
    }
    fn load_dh_params(&self, path: &Path) -> Result<()> {
        self.0.load_dh_params(path)
    }
    fn set_msg_callback(&self, callback: Option<MessageCallback>) -> Result<()> {
        self.0.set_msg_callback(callback)
    }
    fn set_ecdh_curve(&self, name: &str) -> Result<()> {
        self.0.set_ecdh_curve(name)
    }
    fn session_stats(&self) -> Result<SessionStats> {
        self.0.session_stats()
    }
    fn set_ciphersuites(&self, suites: &str) -> Result<()> {
        self.0.set_ciphersuites(suites)
    }
    fn backend_name(&self) -> &'static str {
        self.0.backend_name()
    }
    fn capabilities(&self) -> Capabilities {
        self.0.capabilities()
    }
    fn set_servername_callback(
        &self,
        callback: Option<ServernameCallback<AnyBackend>>,
    ) -> Result<()> {
        self.0.set_servername_callback_any(callback)
    }
    fn wrap_transport(
        &self,
        transport: SharedTransport,
        options: WrapOptions<AnyBackend>,
    ) -> Result<AnyObject> {
        self.0.wrap_transport_any(transport, options)
    }
}

/// `SSLObject` of a backend chosen at run time.
pub struct AnyObject(Box<dyn DynObject>);

impl std::fmt::Debug for AnyObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnyObject")
            .field("server_side", &self.0.server_side())
            .finish_non_exhaustive()
    }
}

impl Object for AnyObject {
    type Backend = AnyBackend;

    fn do_handshake(&mut self) -> Result<()> {
        self.0.do_handshake()
    }
    fn handshake_done(&self) -> bool {
        self.0.handshake_done()
    }
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.0.read(buf)
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        self.0.write(buf)
    }
    fn pending(&self) -> usize {
        self.0.pending()
    }
    fn unwrap(&mut self) -> Result<()> {
        self.0.unwrap()
    }
    fn peer_certificate_der(&self) -> Option<Vec<u8>> {
        self.0.peer_certificate_der()
    }
    fn unverified_chain_der(&self) -> Result<Option<Vec<Vec<u8>>>> {
        self.0.unverified_chain_der()
    }
    fn verified_chain_der(&self) -> Result<Option<Vec<Vec<u8>>>> {
        self.0.verified_chain_der()
    }
    fn getpeercert_der(&self) -> Result<Option<Vec<u8>>> {
        self.0.getpeercert_der()
    }
    fn getpeercert(&self) -> Result<Option<CertRecord>> {
        self.0.getpeercert()
    }
    fn cipher(&self) -> Option<CipherTriple> {
        self.0.cipher()
    }
    fn shared_ciphers(&self) -> Option<Vec<CipherTriple>> {
        self.0.shared_ciphers()
    }
    fn compression(&self) -> Option<String> {
        self.0.compression()
    }
    fn get_channel_binding(&self, cb_type: &str) -> Result<Option<Vec<u8>>> {
        self.0.get_channel_binding(cb_type)
    }
    fn selected_alpn_protocol(&self) -> Option<String> {
        self.0.selected_alpn_protocol()
    }
    fn selected_npn_protocol(&self) -> Option<String> {
        self.0.selected_npn_protocol()
    }
    fn version(&self) -> Option<&'static str> {
        self.0.version()
    }
    fn server_side(&self) -> bool {
        self.0.server_side()
    }
    fn server_hostname(&self) -> Option<&str> {
        self.0.server_hostname()
    }
    fn session_reused(&self) -> bool {
        self.0.session_reused()
    }
    fn idle(&mut self) {
        self.0.idle()
    }
    fn verify_client_post_handshake(&mut self) -> Result<()> {
        self.0.verify_client_post_handshake()
    }
    fn transport(&self) -> &SharedTransport {
        self.0.transport()
    }
    fn context(&self) -> AnyContext {
        self.0.context_any()
    }
    fn set_context(&mut self, context: AnyContext) -> Result<()> {
        self.0.set_context_any(context)
    }
    fn session(&self) -> Option<AnySession> {
        self.0.session_any()
    }
    fn set_session(&mut self, session: AnySession) -> Result<()> {
        self.0.set_session_any(session)
    }
}

/// `SSLSession` of a backend chosen at run time (equal when the same
/// backend's sessions are).
#[derive(Clone)]
pub struct AnySession(Arc<dyn DynSession>);

impl std::fmt::Debug for AnySession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnySession")
            .field("id", &self.0.id())
            .finish_non_exhaustive()
    }
}

impl PartialEq for AnySession {
    fn eq(&self, other: &Self) -> bool {
        self.0.same_as(&*other.0)
    }
}

impl Session for AnySession {
    fn id(&self) -> Vec<u8> {
        self.0.id()
    }
    fn time(&self) -> i64 {
        self.0.time()
    }
    fn timeout(&self) -> i64 {
        self.0.timeout()
    }
    fn ticket_lifetime_hint(&self) -> i64 {
        self.0.ticket_lifetime_hint()
    }
    fn has_ticket(&self) -> bool {
        self.0.has_ticket()
    }
}
