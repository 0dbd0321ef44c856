//! Every `unsafe` call of this crate, in one place, each with its safety
//! argument (DESIGN §10: the safe `openssl` crate does not expose what
//! `get_ciphers()`, `cert_store_stats()`, `session_stats()`, tls-unique and a
//! few context attributes need, so they come from `openssl-sys` or from a
//! small `extern "C"` block of OpenSSL 3 functions `openssl-sys` does not
//! declare).
//!
//! Rules kept here:
//! - a raw pointer is only ever taken from a live safe wrapper (`SslRef`,
//!   `SslContextRef`, `X509StoreRef`, ...) borrowed for the whole call, so it
//!   is valid and non-null;
//! - pointers OpenSSL returns are checked for null before use, and objects we
//!   keep are reference-counted up before being wrapped in an owning type;
//! - strings OpenSSL returns are static or owned by a live object and are
//!   copied out before the borrow ends.
#![allow(unsafe_code)]
// C integer widths (c_ulong, SslBitType) differ per platform: casts that are
// no-ops on Linux are needed elsewhere.
#![allow(clippy::unnecessary_cast, clippy::useless_conversion)]

use std::ffi::{c_char, c_int, c_long, c_ulong, c_void, CStr};

use foreign_types_shared::{ForeignType, ForeignTypeRef};
use openssl::error::ErrorStack;
use openssl::ssl::{SslContext, SslContextBuilder, SslContextRef, SslRef, SslSessionRef};
use openssl::x509::store::X509StoreRef;
use openssl::x509::X509;
use openssl_sys as sys;
use ssl_api::{CipherInfo, CipherTriple};

// OpenSSL 3.0 functions `openssl-sys` 0.9 does not declare. The library is
// linked by `openssl-sys` already; these are plain C functions of libssl /
// libcrypto 3.0 with the signatures of their headers.
extern "C" {
    fn SSL_free_buffers(s: *mut sys::SSL) -> c_int;
    fn SSL_get_ciphers(s: *const sys::SSL) -> *mut sys::stack_st_SSL_CIPHER;
    fn SSL_get_client_ciphers(s: *const sys::SSL) -> *mut sys::stack_st_SSL_CIPHER;
    fn SSL_CIPHER_get_id(c: *const sys::SSL_CIPHER) -> u32;
    fn SSL_CIPHER_get_kx_nid(c: *const sys::SSL_CIPHER) -> c_int;
    fn SSL_CIPHER_get_auth_nid(c: *const sys::SSL_CIPHER) -> c_int;
    fn SSL_CIPHER_is_aead(c: *const sys::SSL_CIPHER) -> c_int;
    fn SSL_SESSION_get_ticket_lifetime_hint(s: *const sys::SSL_SESSION) -> c_ulong;
    fn SSL_SESSION_has_ticket(s: *const sys::SSL_SESSION) -> c_int;
    fn SSL_set_post_handshake_auth(s: *mut sys::SSL, val: c_int);
    fn SSL_verify_client_post_handshake(s: *mut sys::SSL) -> c_int;
    fn SSL_CTX_set_default_passwd_cb(
        ctx: *mut sys::SSL_CTX,
        cb: Option<unsafe extern "C" fn(*mut c_char, c_int, c_int, *mut c_void) -> c_int>,
    );
    fn X509_check_ca(x: *mut sys::X509) -> c_int;
    fn X509_OBJECT_get_type(a: *const sys::X509_OBJECT) -> c_int;
    fn SSL_get_shutdown(s: *const sys::SSL) -> c_int;
    fn OBJ_nid2sn(n: c_int) -> *const c_char;
    fn TLSv1_method() -> *const sys::SSL_METHOD;
    fn TLSv1_1_method() -> *const sys::SSL_METHOD;
    fn TLSv1_2_method() -> *const sys::SSL_METHOD;
    fn SSL_CTX_set_msg_callback(ctx: *mut sys::SSL_CTX, cb: Option<MsgCallbackFn>);
    fn SSL_SESSION_dup(src: *const sys::SSL_SESSION) -> *mut sys::SSL_SESSION;
    fn SSL_get_SSL_CTX(ssl: *const sys::SSL) -> *mut sys::SSL_CTX;
}

/// OpenSSL's message callback type (`SSL_CTX_set_msg_callback`).
type MsgCallbackFn = unsafe extern "C" fn(
    write_p: c_int,
    version: c_int,
    content_type: c_int,
    buf: *const c_void,
    len: usize,
    ssl: *mut sys::SSL,
    arg: *mut c_void,
);

/// The ex-data slot of an `SSL_CTX` holding its message callback.
fn msg_callback_index(
) -> Result<openssl::ex_data::Index<SslContext, ssl_api::MessageCallback>, ErrorStack> {
    static INDEX: std::sync::OnceLock<
        openssl::ex_data::Index<SslContext, ssl_api::MessageCallback>,
    > = std::sync::OnceLock::new();
    if let Some(i) = INDEX.get() {
        return Ok(*i);
    }
    let index = SslContext::new_ex_index()?;
    Ok(*INDEX.get_or_init(|| index))
}

/// CPython's `_PySSL_msg_callback`: the message type read from the bytes
/// as CPython reads it, then the context's callback.
unsafe extern "C" fn msg_callback_trampoline(
    write_p: c_int,
    version: c_int,
    content_type: c_int,
    buf: *const c_void,
    len: usize,
    ssl: *mut sys::SSL,
    _arg: *mut c_void,
) {
    let Ok(index) = msg_callback_index() else {
        return;
    };
    // SAFETY: OpenSSL passes the connection's live SSL and `len` readable
    // bytes at `buf` for the duration of the call.
    let (ctx, data) = unsafe {
        let ctx = SSL_get_SSL_CTX(ssl);
        if ctx.is_null() {
            return;
        }
        let data: &[u8] = if buf.is_null() || len == 0 {
            &[]
        } else {
            std::slice::from_raw_parts(buf.cast::<u8>(), len)
        };
        (SslContextRef::from_ptr(ctx), data)
    };
    let Some(callback) = ctx.ex_data(index) else {
        return;
    };
    let message = ssl_api::TlsMessage::from_openssl(write_p != 0, version, content_type, data);
    // A panic must not unwind into OpenSSL.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| callback(&message)));
}

/// `SSL_CTX_set_msg_callback` with `callback` kept in the context's ex-data
/// (`None` removes both).
pub(crate) fn set_msg_callback(
    builder: &mut SslContextBuilder,
    callback: Option<ssl_api::MessageCallback>,
) -> Result<(), ErrorStack> {
    let index = msg_callback_index()?;
    let installed = callback.is_some();
    match callback {
        Some(cb) => builder.set_ex_data(index, cb),
        // An empty callback stands in for the removed one until the slot is replaced.
        None => builder.set_ex_data(index, std::sync::Arc::new(|_: &ssl_api::TlsMessage<'_>| {})),
    }
    // SAFETY: stores a function pointer (or null) in the builder's live SSL_CTX;
    // the trampoline reads the callback from the context's ex-data.
    unsafe {
        SSL_CTX_set_msg_callback(
            builder.as_ptr(),
            if installed {
                Some(msg_callback_trampoline)
            } else {
                None
            },
        )
    }
    Ok(())
}

/// `SSL_CTRL_SET_GROUPS` of `ssl.h` (`SSL_CTX_set1_groups`).
const SSL_CTRL_SET_GROUPS: c_int = 91;

/// The fixed-version methods CPython uses for `PROTOCOL_TLSv1*` (deprecated
/// in OpenSSL 3 but present): 0x301, 0x302, 0x303.
pub(crate) fn fixed_version_method(version: i32) -> Option<openssl::ssl::SslMethod> {
    // SAFETY: the *_method functions return pointers to static SSL_METHOD
    // tables that live for the whole program.
    unsafe {
        let ptr = match version {
            0x301 => TLSv1_method(),
            0x302 => TLSv1_1_method(),
            0x303 => TLSv1_2_method(),
            _ => return None,
        };
        (!ptr.is_null()).then(|| openssl::ssl::SslMethod::from_ptr(ptr))
    }
}

/// `SSL_CTX_set1_groups(ctx, &nid, 1)` (CPython's `set_ecdh_curve` on OpenSSL 3).
pub(crate) fn set_single_group(builder: &mut SslContextBuilder, nid: i32) -> bool {
    let mut list: [c_int; 1] = [nid];
    // SAFETY: the control copies `list` (one int, as larg says) into the live
    // SSL_CTX before returning.
    unsafe {
        sys::SSL_CTX_ctrl(
            builder.as_ptr(),
            SSL_CTRL_SET_GROUPS,
            1,
            list.as_mut_ptr() as *mut c_void,
        ) == 1
    }
}

/// `X509_LU_X509` and `X509_LU_CRL` of `x509_vfy.h`.
const X509_LU_X509: c_int = 1;
const X509_LU_CRL: c_int = 2;

/// `SSL_CTRL_SESS_*` of `ssl.h` (the `SSL_CTX_sess_*` macros).
pub(crate) mod sess {
    pub const NUMBER: i32 = 20;
    pub const CONNECT: i32 = 21;
    pub const CONNECT_GOOD: i32 = 22;
    pub const CONNECT_RENEGOTIATE: i32 = 23;
    pub const ACCEPT: i32 = 24;
    pub const ACCEPT_GOOD: i32 = 25;
    pub const ACCEPT_RENEGOTIATE: i32 = 26;
    pub const HIT: i32 = 27;
    pub const MISSES: i32 = 29;
    pub const TIMEOUTS: i32 = 30;
    pub const CACHE_FULL: i32 = 31;
}

fn static_str(p: *const c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` is non-null and points to a NUL-terminated string OpenSSL
    // returned (static tables or an object kept alive by the caller's borrow);
    // it is copied before returning.
    Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

/// A second owning handle on the `SSL_CTX` a builder is building, so that the
/// context can keep mutating it (through the builder) while connections are
/// created from it (CPython mutates its one `SSL_CTX` the same way).
pub(crate) fn shared_handle(builder: &SslContextBuilder) -> SslContext {
    let ptr = builder.as_ptr();
    // SAFETY: `ptr` is the live SSL_CTX owned by `builder`. Taking a new
    // reference with SSL_CTX_up_ref before wrapping it in `SslContext` (which
    // frees one reference on drop) keeps the counts balanced.
    unsafe {
        sys::SSL_CTX_up_ref(ptr);
        SslContext::from_ptr(ptr)
    }
}

/// Installs a password callback that never prompts (OpenSSL's default one
/// reads the terminal): an encrypted PEM read without a password fails.
pub(crate) fn never_prompt(builder: &mut SslContextBuilder) {
    unsafe extern "C" fn no_password(
        _buf: *mut c_char,
        _size: c_int,
        _rwflag: c_int,
        _u: *mut c_void,
    ) -> c_int {
        -1
    }
    // SAFETY: the builder's SSL_CTX is live; the callback is a plain function
    // that touches none of its arguments and has the C signature
    // `pem_password_cb` expects.
    unsafe { SSL_CTX_set_default_passwd_cb(builder.as_ptr(), Some(no_password)) }
}

/// Removes the servername callback (`SSL_CTX_set_tlsext_servername_callback(ctx,
/// NULL)`), as CPython does when `sni_callback` is set to None: with a
/// callback installed OpenSSL reports a certificate-less server differently
/// (`NO_SUITABLE_SIGNATURE_ALGORITHM` instead of `NO_SHARED_CIPHER`).
pub(crate) fn clear_servername_callback(builder: &mut SslContextBuilder) {
    // SAFETY: a control call on the builder's live SSL_CTX that stores a null
    // function pointer; OpenSSL then skips the callback.
    unsafe {
        sys::SSL_CTX_callback_ctrl__fixed_rust(
            builder.as_ptr(),
            sys::SSL_CTRL_SET_TLSEXT_SERVERNAME_CB,
            None,
        );
    }
}

/// Removes the keylog callback (`SSL_CTX_set_keylog_callback(ctx, NULL)`), as
/// CPython does when `keylog_filename` is set to None: OpenSSL then no longer
/// formats the secret lines.
pub(crate) fn clear_keylog_callback(builder: &mut SslContextBuilder) {
    // SAFETY: stores a null callback pointer in the builder's live SSL_CTX;
    // OpenSSL checks for null before calling it.
    unsafe { sys::SSL_CTX_set_keylog_callback(builder.as_ptr(), None) }
}

/// One `SSL_CTX_sess_*` counter (`session_stats()`, X21).
pub(crate) fn sess_stat(ctx: &SslContextRef, cmd: i32) -> i64 {
    // SAFETY: the SSL_CTX is live for the borrow; the SSL_CTRL_SESS_* commands
    // only read counters and ignore the numeric and pointer arguments.
    i64::from(unsafe { sys::SSL_CTX_ctrl(ctx.as_ptr(), cmd, 0, std::ptr::null_mut()) })
}

/// `SSL_CTX_get_min_proto_version` / `SSL_CTX_get_max_proto_version` (0 = none).
pub(crate) fn proto_bounds(ctx: &SslContextRef) -> (i32, i32) {
    // SAFETY: read-only controls on a live SSL_CTX.
    unsafe {
        (
            sys::SSL_CTX_get_min_proto_version(ctx.as_ptr()),
            sys::SSL_CTX_get_max_proto_version(ctx.as_ptr()),
        )
    }
}

/// `SSL_CTX_set_min_proto_version` / `..._max_...` with a raw version number
/// (CPython passes the number through, 0 meaning no bound). False when OpenSSL
/// refuses the value.
pub(crate) fn set_proto_bound(builder: &mut SslContextBuilder, max: bool, version: i32) -> bool {
    let Ok(v) = u16::try_from(version) else {
        return false;
    };
    // SAFETY: a control call on the builder's live SSL_CTX; OpenSSL validates
    // the number and returns 0 for one it does not know.
    unsafe {
        if max {
            sys::SSL_CTX_set_max_proto_version(builder.as_ptr(), v.into()) == 1
        } else {
            sys::SSL_CTX_set_min_proto_version(builder.as_ptr(), v.into()) == 1
        }
    }
}

/// `SSL_CTX_set_post_handshake_auth`.
pub(crate) fn ctx_set_post_handshake_auth(builder: &mut SslContextBuilder, on: bool) {
    // SAFETY: sets one field of the builder's live SSL_CTX.
    unsafe { sys::SSL_CTX_set_post_handshake_auth(builder.as_ptr(), c_int::from(on)) }
}

/// `SSL_set_post_handshake_auth(ssl, 1)` (client side, before the handshake).
pub(crate) fn ssl_enable_post_handshake_auth(ssl: &mut SslRef) {
    // SAFETY: sets one field of a live SSL we hold exclusively.
    unsafe { SSL_set_post_handshake_auth(ssl.as_ptr(), 1) }
}

/// `SSL_verify_client_post_handshake` (X23+). The error, if any, is left on
/// the thread's error queue for the caller to collect.
pub(crate) fn verify_client_post_handshake(ssl: &SslRef) -> bool {
    // SAFETY: the SSL is live for the borrow and only used by this thread (the
    // Object owning it is `&mut` borrowed by the caller); the call queues a
    // CertificateRequest message in OpenSSL's own buffers.
    unsafe { SSL_verify_client_post_handshake(ssl.as_ptr()) == 1 }
}

/// `SSL_is_init_finished`.
pub(crate) fn init_finished(ssl: &SslRef) -> bool {
    // SAFETY: read-only query of a live SSL.
    unsafe { sys::SSL_is_init_finished(ssl.as_ptr()) == 1 }
}

/// `SSL_free_buffers`: frees the record buffers of an idle connection
/// (OpenSSL refuses, returning false, while either holds data); the next
/// read or write allocates them again.
pub(crate) fn free_buffers(ssl: &SslRef) -> bool {
    // SAFETY: the SSL is live for the borrow, and its stream is held by
    // &mut in the caller (no other call on it can run meanwhile); OpenSSL
    // checks that no record data would be lost before freeing anything.
    unsafe { SSL_free_buffers(ssl.as_ptr()) == 1 }
}

/// `SSL_get_shutdown` as (sent, received).
pub(crate) fn shutdown_state(ssl: &SslRef) -> (bool, bool) {
    // SAFETY: read-only query of a live SSL.
    let s = unsafe { SSL_get_shutdown(ssl.as_ptr()) };
    (s & 1 != 0, s & 2 != 0)
}

/// `SSL_get_version` (`"TLSv1.3"`, ..., `"unknown"`).
pub(crate) fn ssl_version(ssl: &SslRef) -> Option<String> {
    // SAFETY: returns a pointer into OpenSSL's static version-name table.
    static_str(unsafe { sys::SSL_get_version(ssl.as_ptr()) })
}

/// `compression()` (S7): the short name of the compression method in use.
pub(crate) fn compression(ssl: &SslRef) -> Option<String> {
    // SAFETY: read-only query of a live SSL; the method pointer, when non-null,
    // points to a static COMP_METHOD, and OBJ_nid2sn returns a static string.
    unsafe {
        let method = sys::SSL_get_current_compression(ssl.as_ptr());
        if method.is_null() {
            return None;
        }
        let nid = sys::COMP_get_type(method);
        if nid == 0 {
            return None;
        }
        static_str(OBJ_nid2sn(nid))
    }
}

/// `OBJ_sn2nid(name)`; 0 when unknown (or when `name` holds a NUL).
pub(crate) fn sn2nid(name: &str) -> i32 {
    let Ok(c) = std::ffi::CString::new(name) else {
        return 0;
    };
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    unsafe { sys::OBJ_sn2nid(c.as_ptr()) }
}

fn nid_long_name(nid: c_int) -> Option<String> {
    if nid == 0 {
        return None;
    }
    // SAFETY: OBJ_nid2ln returns a static string or null.
    static_str(unsafe { sys::OBJ_nid2ln(nid) })
}

/// CPython's `cipher_to_dict` for one `SSL_CIPHER`.
///
/// # Safety
/// `c` must point to a live `SSL_CIPHER` (they are static in OpenSSL).
unsafe fn cipher_info(c: *const sys::SSL_CIPHER) -> CipherInfo {
    let mut alg_bits: c_int = 0;
    let strength = sys::SSL_CIPHER_get_bits(c, &mut alg_bits);
    let mut buf = [0 as c_char; 512];
    let desc = sys::SSL_CIPHER_description(c, buf.as_mut_ptr(), (buf.len() - 1) as c_int);
    let mut description = static_str(desc).unwrap_or_default();
    if description.len() > 1 && description.ends_with('\n') {
        description.pop();
    }
    CipherInfo {
        id: SSL_CIPHER_get_id(c),
        name: static_str(sys::SSL_CIPHER_get_name(c)).unwrap_or_default(),
        protocol: static_str(sys::SSL_CIPHER_get_version(c)).unwrap_or_default(),
        description,
        strength_bits: strength.max(0) as u32,
        alg_bits: alg_bits.max(0) as u32,
        aead: SSL_CIPHER_is_aead(c) != 0,
        symmetric: nid_long_name(sys::SSL_CIPHER_get_cipher_nid(c)),
        digest: nid_long_name(sys::SSL_CIPHER_get_digest_nid(c)),
        kea: nid_long_name(SSL_CIPHER_get_kx_nid(c)),
        auth: nid_long_name(SSL_CIPHER_get_auth_nid(c)),
    }
}

/// CPython's `cipher_to_tuple`: `(name, version, secret bits)`.
///
/// # Safety
/// `c` must point to a live `SSL_CIPHER`.
unsafe fn cipher_triple(c: *const sys::SSL_CIPHER) -> CipherTriple {
    CipherTriple {
        name: static_str(sys::SSL_CIPHER_get_name(c)).unwrap_or_default(),
        protocol: static_str(sys::SSL_CIPHER_get_version(c)).unwrap_or_default(),
        bits: sys::SSL_CIPHER_get_bits(c, std::ptr::null_mut()).max(0) as u32,
    }
}

/// The entries of a `STACK_OF(SSL_CIPHER)` (empty for null).
///
/// # Safety
/// `sk` must be null or a live stack.
unsafe fn cipher_stack(sk: *mut sys::stack_st_SSL_CIPHER) -> Vec<*const sys::SSL_CIPHER> {
    if sk.is_null() {
        return Vec::new();
    }
    let st = sk as *const sys::OPENSSL_STACK;
    (0..sys::OPENSSL_sk_num(st))
        .map(|i| sys::OPENSSL_sk_value(st, i) as *const sys::SSL_CIPHER)
        .filter(|p| !p.is_null())
        .collect()
}

/// `get_ciphers()` (X11): `SSL_get_ciphers` of an SSL made from the context.
pub(crate) fn ssl_cipher_infos(ssl: &SslRef) -> Vec<CipherInfo> {
    // SAFETY: the SSL is live for the borrow; its cipher stack and the static
    // SSL_CIPHERs in it outlive this call, and nothing mutates them meanwhile.
    unsafe {
        cipher_stack(SSL_get_ciphers(ssl.as_ptr()))
            .into_iter()
            .map(|c| cipher_info(c))
            .collect()
    }
}

/// `cipher()` (S5): the current cipher's triple.
pub(crate) fn current_cipher(ssl: &SslRef) -> Option<CipherTriple> {
    // SAFETY: read-only; the returned SSL_CIPHER is static.
    unsafe {
        let c = sys::SSL_get_current_cipher(ssl.as_ptr());
        (!c.is_null()).then(|| cipher_triple(c))
    }
}

/// `shared_ciphers()` (S6), CPython's algorithm: the server's ciphers, in its
/// order, that the client offered; `None` without a client list (client side).
pub(crate) fn shared_ciphers(ssl: &SslRef) -> Option<Vec<CipherTriple>> {
    // SAFETY: the SSL is live; both stacks belong to it and hold static
    // SSL_CIPHERs; pointer equality is how OpenSSL's own sk_find compares them
    // for these static objects.
    unsafe {
        let server = SSL_get_ciphers(ssl.as_ptr());
        let client = SSL_get_client_ciphers(ssl.as_ptr());
        if server.is_null() || client.is_null() {
            return None;
        }
        let offered: Vec<u32> = cipher_stack(client)
            .into_iter()
            .map(|c| SSL_CIPHER_get_id(c))
            .collect();
        Some(
            cipher_stack(server)
                .into_iter()
                .filter(|&c| offered.contains(&SSL_CIPHER_get_id(c)))
                .map(|c| cipher_triple(c))
                .collect(),
        )
    }
}

/// What one object of an `X509_STORE` is.
pub(crate) enum StoreEntry {
    /// A certificate, with `X509_check_ca() != 0`.
    Cert(X509, bool),
    /// A CRL.
    Crl,
}

/// The objects of a store, in its (sorted) order, as CPython walks them for
/// `get_ca_certs()` and `cert_store_stats()`.
pub(crate) fn store_entries(store: &X509StoreRef) -> Vec<StoreEntry> {
    let mut out = Vec::new();
    // SAFETY: the store is live for the borrow and only changed under the
    // context's lock, which the caller holds. Each certificate we keep is
    // up-ref'd (X509_up_ref) before being wrapped in an owning `X509`.
    unsafe {
        let objs = sys::X509_STORE_get0_objects(store.as_ptr());
        if objs.is_null() {
            return out;
        }
        let st = objs as *const sys::OPENSSL_STACK;
        for i in 0..sys::OPENSSL_sk_num(st) {
            let obj = sys::OPENSSL_sk_value(st, i) as *const sys::X509_OBJECT;
            if obj.is_null() {
                continue;
            }
            match X509_OBJECT_get_type(obj) {
                X509_LU_X509 => {
                    let x = sys::X509_OBJECT_get0_X509(obj);
                    if x.is_null() {
                        continue;
                    }
                    let is_ca = X509_check_ca(x) != 0;
                    sys::X509_up_ref(x);
                    out.push(StoreEntry::Cert(X509::from_ptr(x), is_ca));
                }
                X509_LU_CRL => out.push(StoreEntry::Crl),
                _ => {}
            }
        }
    }
    out
}

/// Reads certificates from `data` the way CPython's `_add_ca_certs` does:
/// DER (`d2i_X509` one after another) or PEM (`PEM_read_bio_X509` one after
/// another, skipping other blocks), until the first failure. The failure's
/// error stays on the thread's queue for the caller to inspect.
pub(crate) fn read_certs(data: &[u8], der: bool) -> Vec<X509> {
    let mut out = Vec::new();
    if der {
        let mut rest = data;
        while !rest.is_empty() {
            let mut p = rest.as_ptr();
            // SAFETY: `p` points into `rest`, whose length is passed, so
            // d2i_X509 reads only inside it and advances `p` within it; a
            // non-null result is a new certificate we own.
            let cert = unsafe {
                sys::d2i_X509(
                    std::ptr::null_mut(),
                    &mut p,
                    c_long::try_from(rest.len()).unwrap_or(c_long::MAX),
                )
            };
            if cert.is_null() {
                break;
            }
            // SAFETY: see above; `cert` is a fresh, owned X509.
            out.push(unsafe { X509::from_ptr(cert) });
            let used = (p as usize).saturating_sub(rest.as_ptr() as usize);
            if used == 0 || used > rest.len() {
                break;
            }
            rest = &rest[used..];
        }
        if rest.is_empty() {
            // Everything was read: CPython's next read would fail with ASN1
            // "header too long" and be taken as the end; nothing is queued.
            let _ = ErrorStack::get();
        }
        return out;
    }
    let Ok(len) = c_int::try_from(data.len()) else {
        return out;
    };
    // SAFETY: the memory BIO reads `data`, which outlives it (freed below);
    // each non-null result is a new owned X509; a null password callback with
    // a null userdata would prompt, so an empty userdata string is passed as
    // the password (certificates are never encrypted).
    unsafe {
        let bio = sys::BIO_new_mem_buf(data.as_ptr() as *const c_void, len);
        if bio.is_null() {
            return out;
        }
        loop {
            let cert = sys::PEM_read_bio_X509(
                bio,
                std::ptr::null_mut(),
                None,
                c"".as_ptr() as *mut c_void,
            );
            if cert.is_null() {
                break;
            }
            out.push(X509::from_ptr(cert));
        }
        sys::BIO_free_all(bio);
    }
    out
}

/// `SSL_CTX_clear_chain_certs`, then `SSL_CTX_add1_chain_cert` for each of
/// `chain`: the chain of the certificate set last, kept with it as
/// `SSL_CTX_use_certificate_chain_file` keeps it (one chain per key type).
pub(crate) fn set_chain_certs(
    builder: &mut SslContextBuilder,
    chain: &[X509],
) -> Result<(), ErrorStack> {
    const SSL_CTRL_CHAIN: c_int = 88;
    // SAFETY: the builder is live for the call; SSL_CTRL_CHAIN with a null
    // stack clears the current certificate's chain.
    if unsafe { sys::SSL_CTX_ctrl(builder.as_ptr(), SSL_CTRL_CHAIN, 0, std::ptr::null_mut()) } != 1
    {
        return Err(ErrorStack::get());
    }
    for cert in chain {
        // SAFETY: `cert` is a live X509 borrowed for the call; larg 1 makes
        // OpenSSL take its own reference (add1), so ours stays valid.
        let ok = unsafe {
            sys::SSL_CTX_ctrl(
                builder.as_ptr(),
                sys::SSL_CTRL_CHAIN_CERT,
                1,
                cert.as_ptr() as *mut c_void,
            )
        };
        if ok != 1 {
            return Err(ErrorStack::get());
        }
    }
    Ok(())
}

/// `SSL_set_session` (client, before the handshake).
///
/// The caller guarantees (by checking the session's origin, as CPython does
/// with "Session refers to a different SSLContext.") that the session comes
/// from the context this SSL was made from.
pub(crate) fn set_session(ssl: &mut SslRef, session: &SslSessionRef) -> Result<(), ErrorStack> {
    // SAFETY: the openssl crate's precondition is that the session belongs to
    // the same SSL_CTX; the caller checked the session's originating context
    // is this SSL's context.
    unsafe { ssl.set_session(session) }
}

/// `SSL_SESSION_get_ticket_lifetime_hint`.
pub(crate) fn ticket_lifetime_hint(session: &SslSessionRef) -> i64 {
    // SAFETY: read-only query of a live session.
    i64::try_from(unsafe { SSL_SESSION_get_ticket_lifetime_hint(session.as_ptr()) })
        .unwrap_or(i64::MAX)
}

/// `SSL_SESSION_has_ticket`.
pub(crate) fn has_ticket(session: &SslSessionRef) -> bool {
    // SAFETY: read-only query of a live session.
    unsafe { SSL_SESSION_has_ticket(session.as_ptr()) != 0 }
}

/// `SSL_get_finished` / `SSL_get_peer_finished`: the copied message.
pub(crate) fn finished(ssl: &SslRef, peer: bool) -> Vec<u8> {
    let mut buf = vec![0u8; 128];
    let n = if peer {
        ssl.peer_finished(&mut buf)
    } else {
        ssl.finished(&mut buf)
    };
    buf.truncate(n.min(128));
    buf
}

/// `RAND_add(buf, num, entropy)`.
pub(crate) fn rand_add(bytes: &[u8], entropy: f64) {
    for chunk in bytes.chunks(c_int::MAX as usize) {
        // SAFETY: `chunk` is valid for reads of its length, which fits a c_int.
        unsafe {
            sys::RAND_add(
                chunk.as_ptr() as *const c_void,
                chunk.len() as c_int,
                entropy,
            )
        }
    }
}

/// `RAND_status()`.
pub(crate) fn rand_status() -> bool {
    // SAFETY: no arguments; queries the global generator.
    unsafe { sys::RAND_status() == 1 }
}

/// `X509_get_default_cert_file()` and `X509_get_default_cert_dir()`.
pub(crate) fn default_cert_locations() -> (String, String) {
    // SAFETY: both return static strings compiled into libcrypto.
    unsafe {
        (
            static_str(sys::X509_get_default_cert_file()).unwrap_or_default(),
            static_str(sys::X509_get_default_cert_dir()).unwrap_or_default(),
        )
    }
}

/// `OpenSSL_version(OPENSSL_VERSION)` and `OpenSSL_version_num()`.
pub(crate) fn library_version() -> (String, u64) {
    // SAFETY: static string and a plain number.
    unsafe {
        (
            static_str(sys::OpenSSL_version(0)).unwrap_or_default(),
            u64::from(sys::OpenSSL_version_num() as c_ulong),
        )
    }
}

/// The `SSL` of a running stream, mutably (the openssl crate lends it only
/// shared): for `SSL_set_SSL_CTX` after the handshake (`sslsocket.context =`).
pub(crate) fn stream_ssl_mut<S>(stream: &mut openssl::ssl::SslStream<S>) -> &mut SslRef {
    // SAFETY: the stream is borrowed mutably for the returned lifetime, so
    // nothing else reaches its `SSL` meanwhile; the pointer is the stream's own.
    unsafe { SslRef::from_ptr_mut(stream.ssl().as_ptr()) }
}

/// `SSL_SESSION_dup`: a new session with the same content (no DER round
/// trip); `None` if OpenSSL cannot allocate it.
pub(crate) fn session_dup(session: &SslSessionRef) -> Option<openssl::ssl::SslSession> {
    // SAFETY: `session` is a live SSL_SESSION for the borrow; OpenSSL returns
    // a new session we own (or null), which `from_ptr` takes over.
    unsafe {
        let copy = SSL_SESSION_dup(session.as_ptr());
        (!copy.is_null()).then(|| openssl::ssl::SslSession::from_ptr(copy))
    }
}
