//! The object-safe twin of the traits, for choosing a backend at run time
//! (`--backend rustls`): [`DynBackend`], [`DynContext`], [`DynObject`] and
//! [`DynSession`], each implemented for every implementation of the generic
//! trait by a blanket impl, so a backend writes its code once.
//!
//! ```
//! # fn demo(backend: &dyn ssl_api::dynamic::DynBackend) -> ssl_api::Result<()> {
//! let ctx = backend.new_context(ssl_api::PROTOCOL_TLS_CLIENT)?;
//! assert!(ctx.check_hostname());
//! # Ok(()) }
//! ```

use std::any::Any;
use std::marker::PhantomData;
use std::path::Path;

use crate::backend::WrapOptions;
use crate::backend::{Backend, Context, Object, Session};
use crate::bio::MemoryBio;
use crate::cert::record::CertRecord;
use crate::constants::{Options, Protocol, Purpose, TlsVersion, VerifyFlags, VerifyMode};
use crate::error::{Error, Result};
use crate::types::{
    CaData, Capabilities, CertChain, CertStoreStats, CipherInfo, CipherTriple, DefaultVerifyPaths,
    KeyData, Password, SessionStats,
};

/// A backend chosen at run time.
pub trait DynBackend: Send + Sync {
    /// The backend's name.
    fn name(&self) -> &'static str;
    /// Its capabilities (C5-C7).
    fn capabilities(&self) -> Capabilities;
    /// `SSLContext(protocol)` (X1).
    fn new_context(&self, protocol: Protocol) -> Result<Box<dyn DynContext>>;
    /// `RAND_bytes` (F3).
    fn rand_bytes(&self, num: usize) -> Result<Vec<u8>>;
    /// `RAND_status` (F5).
    fn rand_status(&self) -> bool;
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
    fn new_context(&self, protocol: Protocol) -> Result<Box<dyn DynContext>> {
        Ok(Box::new(B::Context::new(protocol)?))
    }
    fn rand_bytes(&self, num: usize) -> Result<Vec<u8>> {
        B::rand_bytes(num)
    }
    fn rand_status(&self) -> bool {
        B::rand_status()
    }
    fn get_default_verify_paths(&self) -> DefaultVerifyPaths {
        B::get_default_verify_paths()
    }
}

/// `SSLContext` of a backend chosen at run time (see [`Context`] for each method).
#[allow(missing_docs)]
pub trait DynContext: Send + Sync {
    fn backend_name(&self) -> &'static str;
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
    fn get_ca_certs(&self) -> Result<Vec<CertRecord>>;
    fn get_ca_certs_der(&self) -> Result<Vec<Vec<u8>>>;
    fn cert_store_stats(&self) -> Result<CertStoreStats>;
    fn get_ciphers(&self) -> Result<Vec<CipherInfo>>;
    fn set_ciphers(&self, cipherlist: &str) -> Result<()>;
    fn set_alpn_protocols(&self, protocols: &[&str]) -> Result<()>;
    fn set_npn_protocols(&self, protocols: &[&str]) -> Result<()>;
    fn load_dh_params(&self, path: &Path) -> Result<()>;
    fn set_ecdh_curve(&self, name: &str) -> Result<()>;
    fn session_stats(&self) -> Result<SessionStats>;
    fn set_ciphersuites(&self, suites: &str) -> Result<()>;
    /// `wrap_bio` (X20); `session` must come from the same backend.
    fn wrap_bio(
        &self,
        incoming: MemoryBio,
        outgoing: MemoryBio,
        server_side: bool,
        server_hostname: Option<&str>,
        session: Option<&dyn DynSession>,
    ) -> Result<Box<dyn DynObject>>;
    /// The concrete context, for downcasting.
    fn as_any(&self) -> &dyn Any;
}

fn session_of<B: Backend>(session: Option<&dyn DynSession>) -> Result<Option<B::Session>> {
    session
        .map(|s| {
            s.as_any()
                .downcast_ref::<B::Session>()
                .cloned()
                .ok_or_else(|| Error::value("the session belongs to another backend"))
        })
        .transpose()
}

impl<C: Context + 'static> DynContext for C
where
    <C::Backend as Backend>::Object: 'static,
    <C::Backend as Backend>::Session: 'static,
{
    fn backend_name(&self) -> &'static str {
        C::Backend::NAME
    }
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
    fn get_ca_certs(&self) -> Result<Vec<CertRecord>> {
        Context::get_ca_certs(self)
    }
    fn get_ca_certs_der(&self) -> Result<Vec<Vec<u8>>> {
        Context::get_ca_certs_der(self)
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
    fn set_ecdh_curve(&self, name: &str) -> Result<()> {
        Context::set_ecdh_curve(self, name)
    }
    fn session_stats(&self) -> Result<SessionStats> {
        Context::session_stats(self)
    }
    fn set_ciphersuites(&self, suites: &str) -> Result<()> {
        Context::set_ciphersuites(self, suites)
    }
    fn wrap_bio(
        &self,
        incoming: MemoryBio,
        outgoing: MemoryBio,
        server_side: bool,
        server_hostname: Option<&str>,
        session: Option<&dyn DynSession>,
    ) -> Result<Box<dyn DynObject>> {
        let options = WrapOptions {
            server_side,
            server_hostname: server_hostname.map(str::to_owned),
            session: session_of::<C::Backend>(session)?,
        };
        Ok(Box::new(Context::wrap_bio(
            self, incoming, outgoing, options,
        )?))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `SSLObject` of a backend chosen at run time (see [`Object`] for each method).
#[allow(missing_docs)]
pub trait DynObject: Send {
    fn do_handshake(&mut self) -> Result<()>;
    fn read(&mut self, buf: &mut [u8]) -> Result<usize>;
    fn write(&mut self, buf: &[u8]) -> Result<usize>;
    fn pending(&self) -> usize;
    fn unwrap(&mut self) -> Result<()>;
    fn getpeercert(&self) -> Result<Option<CertRecord>>;
    fn getpeercert_der(&self) -> Result<Option<Vec<u8>>>;
    fn cipher(&self) -> Option<CipherTriple>;
    fn shared_ciphers(&self) -> Option<Vec<CipherTriple>>;
    fn compression(&self) -> Option<String>;
    fn get_channel_binding(&self, cb_type: &str) -> Result<Option<Vec<u8>>>;
    fn selected_alpn_protocol(&self) -> Option<String>;
    fn selected_npn_protocol(&self) -> Option<String>;
    fn version(&self) -> Option<&'static str>;
    fn server_side(&self) -> bool;
    fn server_hostname(&self) -> Option<String>;
    fn session(&self) -> Option<Box<dyn DynSession>>;
    fn set_session(&mut self, session: &dyn DynSession) -> Result<()>;
    fn session_reused(&self) -> bool;
    fn transport(&self) -> &crate::transport::SharedTransport;
    fn incoming(&self) -> Option<&MemoryBio>;
    fn outgoing(&self) -> Option<&MemoryBio>;
}

impl<O: Object + 'static> DynObject for O
where
    <O::Backend as Backend>::Session: 'static,
{
    fn do_handshake(&mut self) -> Result<()> {
        Object::do_handshake(self)
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
    fn getpeercert(&self) -> Result<Option<CertRecord>> {
        Object::getpeercert(self)
    }
    fn getpeercert_der(&self) -> Result<Option<Vec<u8>>> {
        Object::getpeercert_der(self)
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
    fn server_hostname(&self) -> Option<String> {
        Object::server_hostname(self).map(str::to_owned)
    }
    fn session(&self) -> Option<Box<dyn DynSession>> {
        Object::session(self).map(|s| Box::new(s) as Box<dyn DynSession>)
    }
    fn set_session(&mut self, session: &dyn DynSession) -> Result<()> {
        let s =
            session_of::<O::Backend>(Some(session))?.ok_or_else(|| Error::value("no session"))?;
        Object::set_session(self, s)
    }
    fn session_reused(&self) -> bool {
        Object::session_reused(self)
    }
    fn transport(&self) -> &crate::transport::SharedTransport {
        Object::transport(self)
    }
    fn incoming(&self) -> Option<&MemoryBio> {
        Object::incoming(self)
    }
    fn outgoing(&self) -> Option<&MemoryBio> {
        Object::outgoing(self)
    }
}

/// `SSLSession` of a backend chosen at run time.
#[allow(missing_docs)]
pub trait DynSession: Send + Sync {
    fn id(&self) -> Vec<u8>;
    fn time(&self) -> i64;
    fn timeout(&self) -> i64;
    fn ticket_lifetime_hint(&self) -> i64;
    fn has_ticket(&self) -> bool;
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
    fn as_any(&self) -> &dyn Any {
        self
    }
}
