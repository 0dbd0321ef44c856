//! The object-safe layer is complete: every `Context`, `Object` and `Session`
//! method called through a context made by name (`ssl::backend(name)`, an
//! `AnyContext`, with no backend selected for `AnyBackend`) answers what the
//! same call on the backend's own types answers, for every backend. A method
//! that the `Any*` types forgot to forward falls back to the trait's provided
//! body and answers differently (or needs a selected backend): this test
//! names it. Results are compared by their `Debug` text where the types are
//! the same and by what they say where they differ (objects, sessions).

use std::fmt::Debug;
use std::path::Path;
use std::sync::Arc;

use conformance::harness::{drive_handshake, send_and_receive, wrap_pair};
use conformance::pki::Pki;
use ssl_api::constants::*;
use ssl_api::dynamic::{AnyBackend, AnyContext};
use ssl_api::{
    Backend, CaData, CertChain, Context, KeyData, MessageCallback, Object, Password,
    ServernameRequest, Session, TlsMessage,
};

/// The differences found, one line each.
#[derive(Default)]
struct Report {
    backend: &'static str,
    mismatches: Vec<String>,
}

impl Report {
    fn same<T: Debug, U: Debug>(&mut self, what: &str, own: T, any: U) {
        let (own, any) = (format!("{own:?}"), format!("{any:?}"));
        if own != any {
            let short = |s: &str| s.chars().take(160).collect::<String>();
            self.mismatches.push(format!(
                "{}: {what}: own {} / any {}",
                self.backend,
                short(&own),
                short(&any)
            ));
        }
    }
}

/// A pair of contexts, the backend's own and the one made by name, given the
/// same calls.
struct Pair<B: Backend> {
    own: B::Context,
    any: AnyContext,
}

impl<B: Backend> Pair<B> {
    fn new(protocol: Protocol) -> Self {
        let handle = ssl::backend(B::NAME).expect("compiled in");
        Pair {
            own: B::Context::new(protocol).expect("own context"),
            any: handle.new_context(protocol).expect("context by name"),
        }
    }
}

/// Calls `$method($args)` on both contexts of `$pair` and compares.
macro_rules! both {
    ($report:expr, $pair:expr, $method:ident ( $($arg:expr),* )) => {{
        let own = $pair.own.$method($($arg),*);
        let any = $pair.any.$method($($arg),*);
        $report.same(stringify!($method), own, any);
    }};
}

fn context_methods<B: Backend>(pki: &Pki, r: &mut Report) {
    let dir = pki.dir();
    let read = |p: &Path| std::fs::read(p).expect("test PKI file");
    for protocol in [PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, PROTOCOL_TLS] {
        let p = Pair::<B>::new(protocol);
        both!(r, p, backend_name());
        both!(r, p, capabilities());
        both!(r, p, protocol());
        both!(r, p, options());
        both!(r, p, set_options(OP_ALL | OP_NO_TICKET));
        both!(r, p, options());
        both!(r, p, verify_mode());
        both!(r, p, set_check_hostname(false));
        both!(r, p, check_hostname());
        both!(r, p, set_verify_mode(CERT_OPTIONAL));
        both!(r, p, verify_mode());
        both!(r, p, verify_flags());
        both!(r, p, set_verify_flags(VerifyFlags::VERIFY_X509_STRICT));
        both!(r, p, verify_flags());
        both!(r, p, set_check_hostname(true));
        both!(r, p, check_hostname());
        for v in [
            TlsVersion::MAXIMUM_SUPPORTED,
            TlsVersion::TLSv1_3,
            TlsVersion::MINIMUM_SUPPORTED,
        ] {
            both!(r, p, set_minimum_version(v));
            both!(r, p, minimum_version());
            both!(r, p, set_maximum_version(v));
            both!(r, p, maximum_version());
        }
        both!(r, p, set_hostname_checks_common_name(false));
        both!(r, p, hostname_checks_common_name());
        both!(r, p, set_num_tickets(1));
        both!(r, p, num_tickets());
        both!(r, p, set_post_handshake_auth(true));
        both!(r, p, post_handshake_auth());
        let keylog = dir.join(format!("methods-keylog-{}.txt", B::NAME));
        both!(r, p, set_keylog_filename(Some(&keylog)));
        both!(r, p, keylog_filename());
        both!(r, p, set_keylog_filename(None));
        both!(r, p, keylog_filename());
        both!(
            r,
            p,
            load_cert_chain(&pki.server.cert, Some(&pki.server.key), None)
        );
        both!(r, p, load_cert_chain(&pki.ca, None, None));
        both!(
            r,
            p,
            load_cert_chain(
                &pki.server.cert,
                Some(&pki.server.key),
                Some(Password::Str("unused".into()))
            )
        );
        let (cert, key) = (read(&pki.server.cert), read(&pki.server.key));
        both!(
            r,
            p,
            load_cert_chain_from_memory(CertChain::Pem(&cert), Some(KeyData::Pem(&key)), None)
        );
        both!(
            r,
            p,
            load_cert_chain_from_memory(CertChain::Der(b"not DER"), None, None)
        );
        both!(r, p, load_verify_locations(Some(&pki.ca), None, None));
        both!(
            r,
            p,
            load_verify_locations(None, None, Some(CaData::Der(pki.client.der.clone())))
        );
        both!(
            r,
            p,
            load_verify_locations(None, None, Some(CaData::Pem("junk".into())))
        );
        both!(r, p, load_verify_locations(None, Some(dir), None));
        both!(r, p, get_ca_certs_der());
        both!(r, p, get_ca_certs());
        both!(r, p, cert_store_stats());
        both!(r, p, load_default_certs(Purpose::ServerAuth));
        both!(r, p, set_default_verify_paths());
        both!(r, p, get_ciphers());
        both!(r, p, set_ciphers("ECDHE+AESGCM"));
        both!(r, p, set_ciphers("NOT-A-CIPHER"));
        both!(r, p, get_ciphers());
        both!(r, p, set_ciphersuites("TLS_AES_128_GCM_SHA256"));
        both!(r, p, set_alpn_protocols(&["h2", "http/1.1"]));
        both!(r, p, set_alpn_protocols(&[""]));
        both!(r, p, set_npn_protocols(&["http/1.1"]));
        both!(r, p, load_dh_params(&pki.ca));
        both!(r, p, load_dh_params(&dir.join("missing.pem")));
        both!(r, p, set_ecdh_curve("prime256v1"));
        both!(r, p, set_ecdh_curve("no-such-curve"));
        both!(r, p, session_stats());
        let quiet: MessageCallback = Arc::new(|_: &TlsMessage<'_>| {});
        both!(r, p, set_msg_callback(Some(quiet.clone())));
        both!(r, p, set_msg_callback(None));
        r.same(
            "set_servername_callback",
            p.own
                .set_servername_callback(Some(Arc::new(|_: &mut ServernameRequest<B>| Ok(None)))),
            p.any.set_servername_callback(Some(Arc::new(
                |_: &mut ServernameRequest<AnyBackend>| Ok(None),
            ))),
        );
        r.same(
            "set_servername_callback(None)",
            p.own.set_servername_callback(None),
            p.any.set_servername_callback(None),
        );
        // Last, after every setter: the settings both read back.
        both!(r, p, options());
        both!(r, p, verify_mode());
    }
}

/// A connected pair over MemoryBIOs from client and server contexts of `B`.
fn connected<B: Backend>(
    client: &B::Context,
    server: &B::Context,
    session: Option<B::Session>,
) -> Option<(B::Object, B::Object)> {
    let (mut c, mut s) = wrap_pair::<B, B>(client, server, Some("localhost")).ok()?;
    if let Some(session) = session {
        c.set_session(session).ok()?;
    }
    drive_handshake(&mut c, &mut s).into_result().ok()?;
    Some((c, s))
}

/// What an Object answers, as text (the types of the two sides differ).
fn object_answers<B: Backend>(o: &mut B::Object, peer: &mut B::Object) -> Vec<String> {
    let mut a = vec![
        format!("handshake_done {:?}", o.handshake_done()),
        format!("pending {:?}", o.pending()),
        format!("peer_certificate_der {:?}", o.peer_certificate_der()),
        format!("unverified_chain_der {:?}", o.unverified_chain_der()),
        format!("verified_chain_der {:?}", o.verified_chain_der()),
        format!("getpeercert_der {:?}", o.getpeercert_der()),
        format!("getpeercert {:?}", o.getpeercert()),
        format!("cipher {:?}", o.cipher()),
        format!("shared_ciphers {:?}", o.shared_ciphers()),
        format!("compression {:?}", o.compression()),
        format!(
            "tls-unique {:?}",
            o.get_channel_binding("tls-unique")
                .map(|b| b.map(|b| b.len()))
        ),
        format!("bad binding {:?}", o.get_channel_binding("nope")),
        format!("selected_alpn_protocol {:?}", o.selected_alpn_protocol()),
        format!("selected_npn_protocol {:?}", o.selected_npn_protocol()),
        format!("version {:?}", o.version()),
        format!("server_side {:?}", o.server_side()),
        format!("server_hostname {:?}", o.server_hostname()),
        format!("context {:?}", o.context().protocol()),
        format!("session_reused {:?}", o.session_reused()),
        format!("incoming {:?}", o.incoming().is_some()),
        format!("outgoing {:?}", o.outgoing().is_some()),
        format!("transport bios {:?}", o.transport().memory_bios().is_some()),
    ];
    let context = o.context();
    a.push(format!("set_context {:?}", o.set_context(context)));
    match o.session() {
        None => a.push("session None".into()),
        Some(s) => a.push(format!(
            "session id {} bytes, time set {}, timeout {}, hint {}, ticket {}",
            s.id().len(),
            s.time() > 0,
            s.timeout(),
            s.ticket_lifetime_hint() > 0,
            s.has_ticket()
        )),
    }
    a.push(format!(
        "echo {:?}",
        send_and_receive(&mut *o, &mut *peer, b"every method").map(|v| v.len())
    ));
    o.idle();
    a.push(format!(
        "verify_client_post_handshake {:?}",
        o.verify_client_post_handshake().map_err(|e| e
            .to_string()
            .split(':')
            .next()
            .map(str::to_owned))
    ));
    a.push(format!(
        "unwrap {:?}",
        o.unwrap().map_err(|e| e.to_string())
    ));
    a
}

fn object_methods<B: Backend>(pki: &Pki, r: &mut Report) {
    let own = (
        conformance::cases::client_ctx::<B>(pki).expect("client"),
        conformance::cases::server_ctx::<B>(pki).expect("server"),
    );
    let any = (
        conformance::cases::client_ctx::<AnyBackend>(pki).ok(),
        conformance::cases::server_ctx::<AnyBackend>(pki).ok(),
    );
    let (Some(any_client), Some(any_server)) = any else {
        r.mismatches
            .push(format!("{}: no AnyContext made", B::NAME));
        return;
    };
    for ctx in [&own.0, &own.1] {
        ctx.set_alpn_protocols(&["h2"]).expect("ALPN");
    }
    for ctx in [&any_client, &any_server] {
        ctx.set_alpn_protocols(&["h2"]).expect("ALPN");
    }
    let Some((mut oc, mut os)) = connected::<B>(&own.0, &own.1, None) else {
        r.mismatches
            .push(format!("{}: own handshake failed", B::NAME));
        return;
    };
    let Some((mut ac, mut asv)) = connected::<AnyBackend>(&any_client, &any_server, None) else {
        r.mismatches
            .push(format!("{}: handshake by name failed", B::NAME));
        return;
    };
    let own_session = oc.session();
    let any_session = ac.session();
    let (oca, aca) = (
        object_answers::<B>(&mut oc, &mut os),
        object_answers::<AnyBackend>(&mut ac, &mut asv),
    );
    let (osa, asa) = (
        object_answers::<B>(&mut os, &mut oc),
        object_answers::<AnyBackend>(&mut asv, &mut ac),
    );
    for (what, own, any) in [("client", oca, aca), ("server", osa, asa)] {
        for (o, a) in own.iter().zip(&any) {
            r.same(what, o, a);
        }
    }
    // Resumption through the session each side got.
    let resumed_own = connected::<B>(&own.0, &own.1, own_session).map(|(c, _)| c.session_reused());
    let resumed_any = connected::<AnyBackend>(&any_client, &any_server, any_session)
        .map(|(c, _)| c.session_reused());
    r.same("resumed", resumed_own, resumed_any);
}

fn every_method<B: Backend>() -> Vec<String> {
    // Context::new of AnyBackend needs a selected backend (the object
    // methods make their contexts through it); the context methods do not.
    ssl::select_backend(B::NAME).expect("compiled in");
    let pki = Pki::generate();
    let mut r = Report {
        backend: B::NAME,
        ..Report::default()
    };
    context_methods::<B>(&pki, &mut r);
    object_methods::<B>(&pki, &mut r);
    r.mismatches
}

#[test]
fn every_method_through_the_object_safe_layer_agrees_with_the_backend() {
    let mut mismatches = Vec::new();
    macro_rules! check {
        ($name:ident, $backend:ty) => {
            mismatches.extend(every_method::<$backend>());
        };
    }
    ssl::for_each_backend!(check);
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}
