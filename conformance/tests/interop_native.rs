//! Cross-backend interop over MemoryBIO: a native-tls client against a rustls
//! server and a rustls client against a native-tls server (handshake, echo
//! both ways, version / cipher / ALPN / peer certificate as each side sees
//! them, a verification failure across libraries, close_notify).
#![cfg(all(feature = "native", feature = "rustls"))]

use backend_native::Native;
use backend_rustls::Rustls;
use conformance::cases::{client_ctx, server_ctx};
use conformance::harness::{drive_handshake, send_and_receive, transfer, wrap_pair};
use conformance::pki::Pki;
use ssl_api::{Backend, Context, Error, Object, SslErrorKind, PROTOCOL_TLS_CLIENT};

fn echo_both_ways<C: Backend, S: Backend>(pki: &Pki, expect_version: &str) {
    let client = client_ctx::<C>(pki).unwrap();
    let server = server_ctx::<S>(pki).unwrap();
    client.set_alpn_protocols(&["http/1.1", "h2"]).unwrap();
    server.set_alpn_protocols(&["h2", "http/1.1"]).unwrap();
    let (mut c, mut s) = wrap_pair::<C, S>(&client, &server, Some("localhost")).unwrap();
    drive_handshake(&mut c, &mut s).into_result().unwrap();
    assert_eq!(c.version(), Some(expect_version), "{} client", C::NAME);
    assert_eq!(s.version(), Some(expect_version), "{} server", S::NAME);
    let (cc, sc) = (c.cipher().unwrap(), s.cipher().unwrap());
    assert_eq!(cc, sc, "both sides name the same suite");
    assert_eq!(c.selected_alpn_protocol().as_deref(), Some("h2"));
    assert_eq!(s.selected_alpn_protocol().as_deref(), Some("h2"));
    assert_eq!(
        c.getpeercert_der().unwrap().as_deref(),
        Some(&pki.server.der[..])
    );
    let rec = c.getpeercert().unwrap().unwrap();
    assert!(rec.repr().contains("'localhost'"), "{}", rec.repr());
    let data: Vec<u8> = (0..50_000u32).map(|i| (i % 253) as u8).collect();
    assert_eq!(send_and_receive(&mut c, &mut s, &data).unwrap(), data);
    assert_eq!(send_and_receive(&mut s, &mut c, b"pong").unwrap(), b"pong");
    // The client's close_notify reads as b"" on a server that has not sent
    // its own yet (CPython's rule); after both, reads are SSLZeroReturnError.
    assert!(matches!(c.unwrap(), Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantRead)));
    transfer(
        c.outgoing().expect("made by wrap_bio"),
        s.incoming().expect("made by wrap_bio"),
    );
    let mut buf = [0u8; 8];
    match s.read(&mut buf) {
        Ok(0) => {}
        other => panic!("{} server after close_notify: {other:?}", S::NAME),
    }
    s.unwrap().unwrap();
    transfer(
        s.outgoing().expect("made by wrap_bio"),
        c.incoming().expect("made by wrap_bio"),
    );
    c.unwrap().unwrap();
    match s.read(&mut buf) {
        Err(e) if e.ssl_kind_of() == Some(SslErrorKind::ZeroReturn) => {}
        other => panic!("{} server after both close_notify: {other:?}", S::NAME),
    }
}

fn unknown_ca_fails<C: Backend, S: Backend>(pki: &Pki) {
    let client = C::Context::new(PROTOCOL_TLS_CLIENT).unwrap();
    client
        .load_verify_locations(Some(&pki.other_ca), None, None)
        .unwrap();
    let (mut c, mut s) =
        wrap_pair::<C, S>(&client, &server_ctx::<S>(pki).unwrap(), Some("localhost")).unwrap();
    let out = drive_handshake(&mut c, &mut s);
    match &out.client {
        Err(Error::Ssl(e)) if e.kind == SslErrorKind::CertVerification => {
            assert_eq!(e.verify.as_ref().map(|v| v.code), Some(20), "{e}");
        }
        other => panic!("{} client: {other:?}", C::NAME),
    }
    match &out.server {
        // The alert each client library sends differs (OpenSSL: unknown_ca,
        // rustls: certificate_unknown); the server reports the one it got.
        Err(e) => assert!(
            e.reason().is_some_and(|r| r.contains("_ALERT_")),
            "{} server: {e}",
            S::NAME
        ),
        Ok(()) => panic!("{} server accepted", S::NAME),
    }
}

#[test]
fn native_client_rustls_server() {
    let pki = Pki::generate();
    echo_both_ways::<Native, Rustls>(&pki, "TLSv1.3");
    unknown_ca_fails::<Native, Rustls>(&pki);
}

#[test]
fn rustls_client_native_server() {
    let pki = Pki::generate();
    // native-tls's OpenSSL server stops at TLS 1.2 (declared: S11).
    echo_both_ways::<Rustls, Native>(&pki, "TLSv1.2");
    unknown_ca_fails::<Rustls, Native>(&pki);
}

#[test]
fn native_client_native_server_tls12() {
    let pki = Pki::generate();
    echo_both_ways::<Native, Native>(&pki, "TLSv1.2");
}
