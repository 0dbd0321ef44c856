//! Shared cases on the handshake and the connection: echo over TLS 1.3 and 1.2,
//! verification failures, hostnames, client certificates, ALPN, close_notify,
//! failure modes, channel binding, legacy versions, post-handshake auth.

use ssl_api::constants::*;
use ssl_api::{Backend, Bio, Context, Error, Object, SslErrorKind};

use super::{
    client_ctx, ctx, e2s, expect_reason, expect_verify_error, server_ctx, CaseResult, Outcome,
};
use crate::harness::{drive_handshake, send_and_receive, wrap_pair};
use crate::pki::Pki;

/// O1/O2/S11: a TLS 1.3 handshake over two MemoryBIO pairs, bytes echoed both ways.
pub fn tls13_echo_over_memory_bio<B: Backend>(pki: &Pki) -> CaseResult {
    let (mut c, mut s) = wrap_pair::<B, B>(
        &client_ctx::<B>(pki)?,
        &server_ctx::<B>(pki)?,
        Some("localhost"),
    )
    .map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    ensure!(
        c.version() == Some("TLSv1.3"),
        "client version {:?}",
        c.version()
    );
    ensure!(
        s.version() == Some("TLSv1.3"),
        "server version {:?}",
        s.version()
    );
    let got = send_and_receive(&mut c, &mut s, b"ping from client").map_err(e2s)?;
    ensure!(got == b"ping from client", "server got {got:?}");
    let got = send_and_receive(&mut s, &mut c, b"pong from server").map_err(e2s)?;
    ensure!(got == b"pong from server", "client got {got:?}");
    // S12: what the TLS layer decrypted but the caller has not read yet.
    ensure!(c.pending() == 0, "pending {} before data", c.pending());
    s.write(&[7u8; 100]).map_err(e2s)?;
    crate::harness::transfer(
        s.outgoing().expect("made by wrap_bio"),
        c.incoming().expect("made by wrap_bio"),
    );
    let mut ten = [0u8; 10];
    let n = c.read(&mut ten).map_err(e2s)?;
    ensure!(
        n == 10 && c.pending() == 90,
        "read {n}, pending {}",
        c.pending()
    );
    let cipher = c.cipher().ok_or("no cipher")?;
    ensure!(cipher.protocol == "TLSv1.3", "cipher {cipher:?}");
    Ok(Outcome::Pass)
}

/// X23+/P3: maximum_version TLS 1.2 gives a TLS 1.2 connection that echoes.
pub fn tls12_echo<B: Backend>(pki: &Pki) -> CaseResult {
    let client = client_ctx::<B>(pki)?;
    client
        .set_maximum_version(TlsVersion::TLSv1_2)
        .map_err(e2s)?;
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client, &server_ctx::<B>(pki)?, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    ensure!(c.version() == Some("TLSv1.2"), "version {:?}", c.version());
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let got = send_and_receive(&mut c, &mut s, &data).map_err(e2s)?;
    ensure!(got == data, "100 kB echo differs");
    Ok(Outcome::Pass)
}

/// S3/E7: a server certificate from an unknown CA fails with verify code 20.
pub fn verify_unknown_ca<B: Backend>(pki: &Pki) -> CaseResult {
    let client = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    client
        .load_verify_locations(Some(&pki.other_ca), None, None)
        .map_err(e2s)?;
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client, &server_ctx::<B>(pki)?, Some("localhost")).map_err(e2s)?;
    let out = drive_handshake(&mut c, &mut s);
    expect_verify_error(&out.client, 20)?;
    ensure!(
        out.server.is_err(),
        "server should fail after the client's alert"
    );
    Ok(Outcome::Pass)
}

/// X6/E7: a certificate for another name fails with verify code 62.
pub fn verify_hostname_mismatch<B: Backend>(pki: &Pki) -> CaseResult {
    let server = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    server
        .load_cert_chain(&pki.wrong_name.cert, Some(&pki.wrong_name.key), None)
        .map_err(e2s)?;
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client_ctx::<B>(pki)?, &server, Some("localhost")).map_err(e2s)?;
    let out = drive_handshake(&mut c, &mut s);
    expect_verify_error(&out.client, 62)?;
    Ok(Outcome::Pass)
}

/// X6: with check_hostname off, the same certificate is accepted.
pub fn check_hostname_off_accepts_other_name<B: Backend>(pki: &Pki) -> CaseResult {
    let server = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    server
        .load_cert_chain(&pki.wrong_name.cert, Some(&pki.wrong_name.key), None)
        .map_err(e2s)?;
    let client = client_ctx::<B>(pki)?;
    client.set_check_hostname(false).map_err(e2s)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    Ok(Outcome::Pass)
}

/// E7: an expired certificate fails with verify code 10.
pub fn verify_expired<B: Backend>(pki: &Pki) -> CaseResult {
    let server = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    server
        .load_cert_chain(&pki.expired.cert, Some(&pki.expired.key), None)
        .map_err(e2s)?;
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client_ctx::<B>(pki)?, &server, Some("localhost")).map_err(e2s)?;
    expect_verify_error(&drive_handshake(&mut c, &mut s).client, 10)?;
    Ok(Outcome::Pass)
}

/// E7: an untrusted self-signed certificate fails with code 18; loaded as a
/// CA, it authenticates itself (as OpenSSL allows).
pub fn self_signed_as_own_ca<B: Backend>(pki: &Pki) -> CaseResult {
    let server = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    server
        .load_cert_chain(&pki.self_signed.cert, Some(&pki.self_signed.key), None)
        .map_err(e2s)?;
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client_ctx::<B>(pki)?, &server, Some("localhost")).map_err(e2s)?;
    expect_verify_error(&drive_handshake(&mut c, &mut s).client, 18)?;
    let trusting = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    trusting
        .load_verify_locations(Some(&pki.self_signed.cert), None, None)
        .map_err(e2s)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&trusting, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    Ok(Outcome::Pass)
}

/// S4: under CERT_NONE the handshake succeeds against an unknown CA,
/// getpeercert() is `{}` and getpeercert(True) is the server's DER.
pub fn cert_none_still_returns_der<B: Backend>(pki: &Pki) -> CaseResult {
    let client = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    client.set_check_hostname(false).map_err(e2s)?;
    client.set_verify_mode(CERT_NONE).map_err(e2s)?;
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client, &server_ctx::<B>(pki)?, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    let der = c.getpeercert_der().map_err(e2s)?;
    ensure!(
        der.as_deref() == Some(&pki.server.der[..]),
        "DER differs or missing"
    );
    let rec = c.getpeercert().map_err(e2s)?;
    ensure!(
        rec.as_ref().is_some_and(|r| r.is_empty()),
        "expected {{}}, got {rec:?}"
    );
    Ok(Outcome::Pass)
}

/// S4: getpeercert() before the handshake is a ValueError; after it, the
/// verified record names the server.
pub fn getpeercert_before_and_after<B: Backend>(pki: &Pki) -> CaseResult {
    let (mut c, mut s) = wrap_pair::<B, B>(
        &client_ctx::<B>(pki)?,
        &server_ctx::<B>(pki)?,
        Some("localhost"),
    )
    .map_err(e2s)?;
    match c.getpeercert() {
        Err(Error::Value(m)) => ensure!(m == "handshake not done yet", "message {m:?}"),
        other => return Err(format!("expected ValueError, got {other:?}")),
    }
    ensure!(
        c.cipher().is_none() && c.version().is_none(),
        "cipher/version before handshake"
    );
    drive_handshake(&mut c, &mut s).into_result()?;
    let rec = c.getpeercert().map_err(e2s)?.ok_or("no peer certificate")?;
    let subject = rec.subject();
    ensure!(
        subject
            .iter()
            .flatten()
            .any(|(k, v)| k == "commonName" && v.as_str() == Some("localhost")),
        "subject {subject:?}"
    );
    ensure!(
        s.getpeercert().map_err(e2s)?.is_none(),
        "server saw a client cert"
    );
    Ok(Outcome::Pass)
}

/// X4: a server under CERT_REQUIRED rejects a client without a certificate.
pub fn client_cert_required_missing<B: Backend>(pki: &Pki) -> CaseResult {
    let server = server_ctx::<B>(pki)?;
    server.set_verify_mode(CERT_REQUIRED).map_err(e2s)?;
    server
        .load_verify_locations(Some(&pki.ca), None, None)
        .map_err(e2s)?;
    let (mut c, mut s) = or_not_supported!(wrap_pair::<B, B>(
        &client_ctx::<B>(pki)?,
        &server,
        Some("localhost")
    ));
    // TLS 1.3: the client finishes first; its next read sees the server's alert.
    let out = drive_handshake(&mut c, &mut s);
    match &out.server {
        Err(e) if e.reason() == Some("PEER_DID_NOT_RETURN_A_CERTIFICATE") => {}
        other => {
            return Err(format!(
                "server: expected PEER_DID_NOT_RETURN_A_CERTIFICATE, got {other:?}"
            ))
        }
    }
    Ok(Outcome::Pass)
}

/// X4/S4: CERT_OPTIONAL and CERT_REQUIRED servers verify a client certificate
/// that is sent, and getpeercert() returns its record.
pub fn client_cert_verified<B: Backend>(pki: &Pki) -> CaseResult {
    for mode in [CERT_OPTIONAL, CERT_REQUIRED] {
        let server = server_ctx::<B>(pki)?;
        server.set_verify_mode(mode).map_err(e2s)?;
        server
            .load_verify_locations(Some(&pki.ca), None, None)
            .map_err(e2s)?;
        let client = client_ctx::<B>(pki)?;
        client
            .load_cert_chain(&pki.client.cert, Some(&pki.client.key), None)
            .map_err(e2s)?;
        let (mut c, mut s) =
            or_not_supported!(wrap_pair::<B, B>(&client, &server, Some("localhost")));
        drive_handshake(&mut c, &mut s).into_result()?;
        let rec = s
            .getpeercert()
            .map_err(e2s)?
            .ok_or("server: no client cert")?;
        ensure!(!rec.is_empty(), "{mode:?}: empty record");
    }
    // CERT_OPTIONAL without a client certificate is fine.
    let server = server_ctx::<B>(pki)?;
    server.set_verify_mode(CERT_OPTIONAL).map_err(e2s)?;
    server
        .load_verify_locations(Some(&pki.ca), None, None)
        .map_err(e2s)?;
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client_ctx::<B>(pki)?, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    ensure!(
        s.getpeercert().map_err(e2s)?.is_none(),
        "no client cert expected"
    );
    Ok(Outcome::Pass)
}

/// X14/S9: ALPN agreed on the server's preference; no overlap gives None.
pub fn alpn_agree_and_disagree<B: Backend>(pki: &Pki) -> CaseResult {
    if !B::capabilities().has_alpn {
        return Ok(Outcome::NotSupported("HAS_ALPN is false".into()));
    }
    let server = server_ctx::<B>(pki)?;
    server
        .set_alpn_protocols(&["h2", "http/1.1"])
        .map_err(e2s)?;
    let client = client_ctx::<B>(pki)?;
    client
        .set_alpn_protocols(&["http/1.1", "h2"])
        .map_err(e2s)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    ensure!(
        c.selected_alpn_protocol().as_deref() == Some("h2"),
        "client {:?}",
        c.selected_alpn_protocol()
    );
    ensure!(
        s.selected_alpn_protocol().as_deref() == Some("h2"),
        "server {:?}",
        s.selected_alpn_protocol()
    );
    let other = client_ctx::<B>(pki)?;
    other.set_alpn_protocols(&["spdy/3"]).map_err(e2s)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&other, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    ensure!(
        c.selected_alpn_protocol().is_none(),
        "client {:?}",
        c.selected_alpn_protocol()
    );
    ensure!(
        s.selected_alpn_protocol().is_none(),
        "server {:?}",
        s.selected_alpn_protocol()
    );
    match client.set_alpn_protocols(&[""]) {
        Err(Error::Ssl(e)) if e.message == "ALPN protocols must be 1 to 255 in length" => {}
        other => return Err(format!("empty ALPN name: {other:?}")),
    }
    Ok(Outcome::Pass)
}

/// E2/E6/S10: the unwrap handshake as CPython runs it over MemoryBIOs. The
/// side that receives close_notify before sending its own reads `b""` (CPython
/// checks `SSL_get_shutdown() == SSL_RECEIVED_SHUTDOWN`); once both
/// close_notify messages are exchanged, reads raise SSLZeroReturnError; a
/// transport that ends without close_notify is SSLEOFError.
pub fn close_notify_and_truncation<B: Backend>(pki: &Pki) -> CaseResult {
    let (mut c, mut s) = wrap_pair::<B, B>(
        &client_ctx::<B>(pki)?,
        &server_ctx::<B>(pki)?,
        Some("localhost"),
    )
    .map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    match c.unwrap() {
        Ok(()) => return Err("unwrap completed before the peer's close_notify".into()),
        Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantRead) => {}
        Err(e) => return Err(e2s(e)),
    }
    crate::harness::transfer(
        c.outgoing().expect("made by wrap_bio"),
        s.incoming().expect("made by wrap_bio"),
    );
    let mut buf = [0u8; 16];
    match s.read(&mut buf) {
        Ok(0) => {}
        other => return Err(format!("after close_notify (own not sent): {other:?}")),
    }
    s.unwrap()
        .map_err(|e| format!("server unwrap after close_notify: {}", e2s(e)))?;
    crate::harness::transfer(
        s.outgoing().expect("made by wrap_bio"),
        c.incoming().expect("made by wrap_bio"),
    );
    c.unwrap()
        .map_err(|e| format!("client unwrap after the reply: {}", e2s(e)))?;
    for (side, r) in [("client", c.read(&mut buf)), ("server", s.read(&mut buf))] {
        match r {
            Err(e) if e.ssl_kind_of() == Some(SslErrorKind::ZeroReturn) => {}
            other => return Err(format!("{side} read after both close_notify: {other:?}")),
        }
    }
    let (mut c, mut s) = wrap_pair::<B, B>(
        &client_ctx::<B>(pki)?,
        &server_ctx::<B>(pki)?,
        Some("localhost"),
    )
    .map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    s.incoming().expect("made by wrap_bio").write_eof();
    match s.read(&mut buf) {
        Err(e) if e.ssl_kind_of() == Some(SslErrorKind::Eof) => {}
        other => return Err(format!("after EOF without close_notify: {other:?}")),
    }
    Ok(Outcome::Pass)
}

/// S10: `unwrap()` before the handshake, on either side, raises what
/// CPython (OpenSSL's SSL_shutdown) raises: `SSLError` `[SSL:
/// SHUTDOWN_WHILE_IN_INIT] shutdown while in init`, and writes nothing.
pub fn unwrap_before_handshake<B: Backend>(pki: &Pki) -> CaseResult {
    let (mut c, mut s) = wrap_pair::<B, B>(
        &client_ctx::<B>(pki)?,
        &server_ctx::<B>(pki)?,
        Some("localhost"),
    )
    .map_err(e2s)?;
    for (side, result) in [("client", c.unwrap()), ("server", s.unwrap())] {
        let e = match result {
            Err(e) => e,
            Ok(()) => return Err(format!("{side}: unwrap before the handshake succeeded")),
        };
        ensure!(
            e.python_type() == "SSLError"
                && e.library() == Some("SSL")
                && e.reason() == Some("SHUTDOWN_WHILE_IN_INIT"),
            "{side}: {}",
            e2s(e)
        );
        ensure!(
            e.to_string() == "[SSL: SHUTDOWN_WHILE_IN_INIT] shutdown while in init",
            "{side}: {e}"
        );
    }
    for (side, out) in [("client", c.outgoing()), ("server", s.outgoing())] {
        let pending = out.expect("made by wrap_bio").pending();
        ensure!(pending == 0, "{side} wrote {pending} bytes");
    }
    Ok(Outcome::Pass)
}

/// X15/X17/S8: what the capabilities declare missing answers NotImplemented,
/// what they declare present works.
pub fn declared_capabilities_hold<B: Backend>(pki: &Pki) -> CaseResult {
    let caps = B::capabilities();
    let c = client_ctx::<B>(pki)?;
    let npn = c.set_npn_protocols(&["http/1.1"]);
    ensure!(
        caps.has_npn == npn.is_ok(),
        "HAS_NPN={} but set_npn_protocols gave {npn:?}",
        caps.has_npn
    );
    let (mut cc, mut ss) =
        wrap_pair::<B, B>(&c, &server_ctx::<B>(pki)?, Some("localhost")).map_err(e2s)?;
    ensure!(
        cc.get_channel_binding("tls-unique")
            .map_err(e2s)
            .ok()
            .flatten()
            .is_none(),
        "binding before handshake"
    );
    drive_handshake(&mut cc, &mut ss).into_result()?;
    let binding = cc.get_channel_binding("tls-unique");
    let declared = caps.channel_binding_types.contains(&"tls-unique");
    match binding {
        Ok(Some(b)) => ensure!(
            declared && !b.is_empty(),
            "tls-unique works but is not declared"
        ),
        Err(Error::NotImplemented { .. }) => {
            ensure!(!declared, "tls-unique declared but NotImplemented")
        }
        other => return Err(format!("tls-unique: {other:?}")),
    }
    match cc.get_channel_binding("no-such-binding") {
        Err(Error::Value(m)) => ensure!(
            m == "'no-such-binding' channel binding type not implemented",
            "{m}"
        ),
        other => return Err(format!("unknown binding: {other:?}")),
    }
    ensure!(cc.compression().is_none(), "compression()");
    Ok(Outcome::Pass)
}

/// E1/E6/P3: handshake failures read as OpenSSL words them: protocol floor
/// mismatch, no shared cipher, plaintext HTTP on either side, a peer that
/// vanishes mid-handshake.
pub fn handshake_failure_modes<B: Backend>(pki: &Pki) -> CaseResult {
    // Client at most TLS 1.2, server at least TLS 1.3.
    let client = client_ctx::<B>(pki)?;
    client
        .set_maximum_version(TlsVersion::TLSv1_2)
        .map_err(e2s)?;
    let server = server_ctx::<B>(pki)?;
    server
        .set_minimum_version(TlsVersion::TLSv1_3)
        .map_err(e2s)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    let out = drive_handshake(&mut c, &mut s);
    expect_reason(&out.server, "UNSUPPORTED_PROTOCOL", "floor: server")?;
    expect_reason(&out.client, "TLSV1_ALERT_PROTOCOL_VERSION", "floor: client")?;

    // TLS 1.2 with disjoint cipher lists.
    let client = client_ctx::<B>(pki)?;
    client
        .set_maximum_version(TlsVersion::TLSv1_2)
        .map_err(e2s)?;
    client
        .set_ciphers("ECDHE-ECDSA-AES128-GCM-SHA256")
        .map_err(e2s)?;
    let server = server_ctx::<B>(pki)?;
    server
        .set_maximum_version(TlsVersion::TLSv1_2)
        .map_err(e2s)?;
    server
        .set_ciphers("ECDHE-ECDSA-AES256-GCM-SHA384")
        .map_err(e2s)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    let out = drive_handshake(&mut c, &mut s);
    expect_reason(&out.server, "NO_SHARED_CIPHER", "ciphers: server")?;
    expect_reason(
        &out.client,
        "SSLV3_ALERT_HANDSHAKE_FAILURE",
        "ciphers: client",
    )?;

    // Plaintext HTTP to a TLS server, and from a "server" to a TLS client.
    let (mut c, mut s) = wrap_pair::<B, B>(
        &client_ctx::<B>(pki)?,
        &server_ctx::<B>(pki)?,
        Some("localhost"),
    )
    .map_err(e2s)?;
    s.incoming()
        .expect("made by wrap_bio")
        .write(b"GET / HTTP/1.0\r\n\r\n")
        .map_err(e2s)?;
    expect_reason(&s.do_handshake(), "HTTP_REQUEST", "http: server")?;
    let _ = c.do_handshake();
    c.incoming()
        .expect("made by wrap_bio")
        .write(b"HTTP/1.0 400 Bad Request\r\n\r\n")
        .map_err(e2s)?;
    expect_reason(&c.do_handshake(), "WRONG_VERSION_NUMBER", "http: client")?;

    // The transport ends after the ClientHello, on both sides.
    let (mut c, mut s) = wrap_pair::<B, B>(
        &client_ctx::<B>(pki)?,
        &server_ctx::<B>(pki)?,
        Some("localhost"),
    )
    .map_err(e2s)?;
    let _ = c.do_handshake();
    crate::harness::transfer(
        c.outgoing().expect("made by wrap_bio"),
        s.incoming().expect("made by wrap_bio"),
    );
    s.incoming().expect("made by wrap_bio").write_eof();
    c.incoming().expect("made by wrap_bio").write_eof();
    for (side, r) in [("client", c.do_handshake()), ("server", s.do_handshake())] {
        match r {
            Err(e) if e.ssl_kind_of() == Some(SslErrorKind::Eof) => {}
            other => return Err(format!("{side} after EOF mid-handshake: {other:?}")),
        }
    }
    Ok(Outcome::Pass)
}

/// X4: on the client, CERT_OPTIONAL verifies like CERT_REQUIRED (OpenSSL's
/// SSL_VERIFY_PEER): an unknown CA fails.
pub fn client_cert_optional_verifies<B: Backend>(pki: &Pki) -> CaseResult {
    let client = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    client
        .load_verify_locations(Some(&pki.other_ca), None, None)
        .map_err(e2s)?;
    client.set_verify_mode(CERT_OPTIONAL).map_err(e2s)?;
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client, &server_ctx::<B>(pki)?, Some("localhost")).map_err(e2s)?;
    expect_verify_error(&drive_handshake(&mut c, &mut s).client, 20)?;
    Ok(Outcome::Pass)
}

/// X6/X23+: commonName is matched only without a DNS SAN, and not at all
/// when hostname_checks_common_name is off; IP hostnames match IP SANs.
pub fn common_name_and_ip_hostnames<B: Backend>(pki: &Pki) -> CaseResult {
    let server = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    server
        .load_cert_chain(&pki.cn_only.cert, Some(&pki.cn_only.key), None)
        .map_err(e2s)?;
    let client = client_ctx::<B>(pki)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s)
        .into_result()
        .map_err(|e| format!("CN fallback: {e}"))?;
    // A backend that cannot turn the fallback off still runs the IP checks
    // below, then reports the case as not supported.
    let mut not_supported = None;
    match client.set_hostname_checks_common_name(false) {
        Ok(()) => {
            let (mut c, mut s) =
                wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
            expect_verify_error(&drive_handshake(&mut c, &mut s).client, 62)?;
        }
        Err(e @ Error::NotImplemented { .. }) => not_supported = Some(e.to_string()),
        Err(e) => return Err(e2s(e)),
    }

    let server = server_ctx::<B>(pki)?;
    for ip in ["127.0.0.1", "::1"] {
        let (mut c, mut s) =
            wrap_pair::<B, B>(&client_ctx::<B>(pki)?, &server, Some(ip)).map_err(e2s)?;
        drive_handshake(&mut c, &mut s)
            .into_result()
            .map_err(|e| format!("{ip}: {e}"))?;
    }
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client_ctx::<B>(pki)?, &server, Some("10.9.8.7")).map_err(e2s)?;
    expect_verify_error(&drive_handshake(&mut c, &mut s).client, 64)?;
    Ok(match not_supported {
        None => Outcome::Pass,
        Some(reason) => Outcome::NotSupported(format!("{reason} (the other checks passed)")),
    })
}

/// S13/O1/E3: the Object's attributes, and SSLWantReadError (errno 2) while
/// the peer has not answered.
pub fn object_attributes_and_want_read<B: Backend>(pki: &Pki) -> CaseResult {
    let client = client_ctx::<B>(pki)?;
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client, &server_ctx::<B>(pki)?, Some("localhost")).map_err(e2s)?;
    ensure!(!c.server_side() && s.server_side(), "server_side");
    ensure!(
        c.server_hostname() == Some("localhost") && s.server_hostname().is_none(),
        "server_hostname"
    );
    ensure!(
        c.context().check_hostname() == client.check_hostname(),
        "context"
    );
    match c.do_handshake() {
        Err(Error::Ssl(e)) if e.kind == SslErrorKind::WantRead => {
            ensure!(e.errno() == 2, "errno {}", e.errno());
            ensure!(
                e.message == "The operation did not complete (read)",
                "{}",
                e.message
            );
        }
        other => return Err(format!("first client step: {other:?}")),
    }
    ensure!(
        c.outgoing().expect("made by wrap_bio").pending() > 0,
        "no ClientHello written"
    );
    drive_handshake(&mut c, &mut s).into_result()?;
    match client.wrap_bio(
        ssl_api::MemoryBio::new(),
        ssl_api::MemoryBio::new(),
        ssl_api::WrapOptions {
            server_side: true,
            server_hostname: Some("x".into()),
            session: None,
        },
    ) {
        Err(Error::Value(m)) => ensure!(
            m == "server_hostname can only be specified in client mode",
            "{m}"
        ),
        other => {
            return Err(format!(
                "server_hostname with server_side: {:?}",
                other.map(|_| ())
            ))
        }
    }
    Ok(Outcome::Pass)
}

/// S8/C6: `get_channel_binding('tls-unique')` (RFC 5929) is the same on both
/// ends, differs between connections, and is `None` before the handshake.
pub fn tls_unique_channel_binding<B: Backend>(pki: &Pki) -> CaseResult {
    if !B::capabilities()
        .channel_binding_types
        .contains(&"tls-unique")
    {
        return Ok(Outcome::NotSupported(
            "CHANNEL_BINDING_TYPES lacks tls-unique".into(),
        ));
    }
    let mut seen = Vec::new();
    for max in [TlsVersion::TLSv1_2, TlsVersion::TLSv1_3] {
        let client = client_ctx::<B>(pki)?;
        client.set_maximum_version(max).map_err(e2s)?;
        let (mut c, mut s) =
            wrap_pair::<B, B>(&client, &server_ctx::<B>(pki)?, Some("localhost")).map_err(e2s)?;
        ensure!(
            c.get_channel_binding("tls-unique").map_err(e2s)?.is_none(),
            "{max:?}: binding before the handshake"
        );
        drive_handshake(&mut c, &mut s).into_result()?;
        let cb = c.get_channel_binding("tls-unique").map_err(e2s)?;
        let sb = s.get_channel_binding("tls-unique").map_err(e2s)?;
        ensure!(
            cb.is_some() && cb == sb,
            "{max:?}: client {cb:?} / server {sb:?}"
        );
        if max == TlsVersion::TLSv1_2 {
            // The TLS 1.2 Finished verify_data is 12 bytes.
            ensure!(cb.as_ref().map(Vec::len) == Some(12), "{max:?}: {cb:?}");
        }
        ensure!(!seen.contains(&cb), "{max:?}: binding repeated");
        seen.push(cb);
    }
    Ok(Outcome::Pass)
}

/// C3/C5/P3: TLS 1.0 and 1.1 where the library has them: refused at the
/// default security level (CPython on OpenSSL 3 fails the handshake),
/// negotiated with `@SECLEVEL=0` on both ends.
pub fn legacy_tls_versions_at_seclevel0<B: Backend>(pki: &Pki) -> CaseResult {
    let caps = B::capabilities();
    // Lowering the security level takes a cipher string.
    if let Some(reason) = caps.unsupported_reason("X13") {
        return Ok(Outcome::NotSupported(format!("X13: {reason}")));
    }
    let mut tried = 0;
    for (has, version, name) in [
        (caps.has_tlsv1, TlsVersion::TLSv1, "TLSv1"),
        (caps.has_tlsv1_1, TlsVersion::TLSv1_1, "TLSv1.1"),
    ] {
        if !has {
            continue;
        }
        tried += 1;
        let make = |seclevel0: bool| -> Result<(B::Context, B::Context), String> {
            let client = client_ctx::<B>(pki)?;
            let server = server_ctx::<B>(pki)?;
            for c in [&client, &server] {
                c.set_minimum_version(version).map_err(e2s)?;
                c.set_maximum_version(version).map_err(e2s)?;
                if seclevel0 {
                    c.set_ciphers("DEFAULT:@SECLEVEL=0").map_err(e2s)?;
                }
            }
            Ok((client, server))
        };
        let (client, server) = make(false)?;
        let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
        ensure!(
            !drive_handshake(&mut c, &mut s).ok(),
            "{name} negotiated at security level 2"
        );
        let (client, server) = make(true)?;
        let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
        drive_handshake(&mut c, &mut s).into_result()?;
        ensure!(
            c.version() == Some(name),
            "{name}: version {:?}",
            c.version()
        );
        let got = send_and_receive(&mut c, &mut s, b"legacy").map_err(e2s)?;
        ensure!(got == b"legacy", "{name}: echo {got:?}");
    }
    if tried == 0 {
        return Ok(Outcome::NotSupported(
            "HAS_TLSv1 and HAS_TLSv1_1 are false".into(),
        ));
    }
    Ok(Outcome::Pass)
}

/// X23+: TLS 1.3 post-handshake client authentication: the server asks
/// after the handshake (`verify_client_post_handshake`), the client answers
/// with its next read, and the server then has the client's certificate.
pub fn post_handshake_client_auth<B: Backend>(pki: &Pki) -> CaseResult {
    if let Some(reason) = B::capabilities().unsupported_reason("X23") {
        return Ok(Outcome::NotSupported(reason.into()));
    }
    let client = client_ctx::<B>(pki)?;
    client
        .load_cert_chain(&pki.client.cert, Some(&pki.client.key), None)
        .map_err(e2s)?;
    client.set_post_handshake_auth(true).map_err(e2s)?;
    let server = server_ctx::<B>(pki)?;
    server.set_verify_mode(CERT_REQUIRED).map_err(e2s)?;
    server
        .load_verify_locations(Some(&pki.ca), None, None)
        .map_err(e2s)?;
    server.set_post_handshake_auth(true).map_err(e2s)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    ensure!(
        s.getpeercert().map_err(e2s)?.is_none(),
        "a certificate arrived during the handshake"
    );
    s.verify_client_post_handshake().map_err(e2s)?;
    let got = send_and_receive(&mut s, &mut c, b"ping").map_err(e2s)?;
    ensure!(got == b"ping", "client got {got:?}");
    crate::harness::transfer(
        c.outgoing().expect("made by wrap_bio"),
        s.incoming().expect("made by wrap_bio"),
    );
    let mut buf = [0u8; 4];
    match s.read(&mut buf) {
        Err(e) if e.ssl_kind_of() == Some(SslErrorKind::WantRead) => {}
        other => return Err(format!("server read after the certificate: {other:?}")),
    }
    let rec = s
        .getpeercert()
        .map_err(e2s)?
        .ok_or("no client certificate after post-handshake auth")?;
    ensure!(!rec.is_empty(), "empty record");
    Ok(Outcome::Pass)
}

/// CPython's client over MemoryBIOs against CPython's server, for each
/// failure of [`verify_messages_match_cpython`]: `[code, verify_message,
/// str(e)]` per failure, `str(e)` without its `(_ssl.c:NNNN)` suffix.
const CPYTHON_VERIFY_FAILURES: &str = r#"
import json, re, ssl, sys
out = []
for cafile, cert, key, name in json.loads(sys.argv[1]):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_verify_locations(cafile)
    s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); s.load_cert_chain(cert, key)
    cb = (ssl.MemoryBIO(), ssl.MemoryBIO()); sb = (ssl.MemoryBIO(), ssl.MemoryBIO())
    co = c.wrap_bio(cb[0], cb[1], server_hostname=name); so = s.wrap_bio(sb[0], sb[1], server_side=True)
    got = None
    for _ in range(50):
        try:
            co.do_handshake()
        except ssl.SSLCertVerificationError as e:
            got = [e.verify_code, e.verify_message, re.sub(r" \(_ssl\.c:\d+\)$", "", str(e))]; break
        except ssl.SSLWantReadError:
            pass
        sb[0].write(cb[1].read())
        try:
            so.do_handshake()
        except (ssl.SSLWantReadError, ssl.SSLError):
            pass
        cb[0].write(sb[1].read())
    out.append(got)
print(json.dumps(out))
"#;

/// E7/X6: each verification failure the suite provokes (unknown CA, name
/// and IP mismatch, expired, self-signed) has CPython's verify code,
/// verify message and full text (CPython as the judge, over MemoryBIOs),
/// and keeps the library's own error as its `source()`.
pub fn verify_messages_match_cpython<B: Backend>(pki: &Pki) -> CaseResult {
    let failures = [
        (&pki.other_ca, &pki.server, "localhost"),
        (&pki.ca, &pki.wrong_name, "localhost"),
        (&pki.ca, &pki.server, "127.0.0.2"),
        (&pki.ca, &pki.expired, "localhost"),
        (&pki.ca, &pki.self_signed, "localhost"),
    ];
    let args: Vec<_> = failures
        .iter()
        .map(|(ca, id, name)| {
            serde_json::json!([
                ca.display().to_string(),
                id.cert.display().to_string(),
                id.key.display().to_string(),
                name
            ])
        })
        .collect();
    let args = serde_json::Value::Array(args).to_string();
    let judged = std::process::Command::new("python3")
        .args(["-c", CPYTHON_VERIFY_FAILURES, &args])
        .output()
        .map_err(|e| format!("python3 is needed as the judge: {e}"))?;
    ensure!(
        judged.status.success(),
        "python3: {}",
        String::from_utf8_lossy(&judged.stderr)
    );
    let judged: Vec<Option<(i64, String, String)>> =
        serde_json::from_slice(&judged.stdout).map_err(|e| format!("python3 output: {e}"))?;
    ensure!(
        judged.len() == failures.len(),
        "python3 answered {judged:?}"
    );
    for ((ca, id, name), cpython) in failures.iter().zip(judged) {
        let (code, message, text) =
            cpython.ok_or_else(|| format!("CPython's handshake with {name} did not fail"))?;
        let client = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
        client
            .load_verify_locations(Some(ca), None, None)
            .map_err(e2s)?;
        let server = ctx::<B>(PROTOCOL_TLS_SERVER)?;
        server
            .load_cert_chain(&id.cert, Some(&id.key), None)
            .map_err(e2s)?;
        let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some(name)).map_err(e2s)?;
        let out = drive_handshake(&mut c, &mut s);
        expect_verify_error(&out.client, code)?;
        let Err(Error::Ssl(e)) = &out.client else {
            unreachable!("expect_verify_error checked it")
        };
        let ours = e.verify.as_ref().map(|v| v.message.as_str());
        ensure!(
            ours == Some(message.as_str()),
            "verify code {code}: verify_message {ours:?}, CPython {message:?}"
        );
        let ours = out.client.as_ref().map_err(|e| e.to_string()).err();
        ensure!(
            ours.as_deref() == Some(text.as_str()),
            "verify code {code}: {ours:?}, CPython {text:?}"
        );
        // The library's own error stays reachable as the cause.
        let cause = out
            .client
            .as_ref()
            .err()
            .and_then(std::error::Error::source)
            .map(|c| c.to_string());
        ensure!(
            cause.as_ref().is_some_and(|c| !c.is_empty()),
            "verify code {code}: no source() with the library's error"
        );
    }
    Ok(Outcome::Pass)
}

/// S4 (chains, 3.13's `get_verified_chain` / `get_unverified_chain`): each
/// side sees the peer's chain as sent, leaf first (a server built on OpenSSL
/// may append the CA from its own store, as OpenSSL does when no chain is
/// configured), and the client the verified path: its leaf, then the CA.
pub fn peer_chains<B: Backend>(pki: &Pki) -> CaseResult {
    let client = client_ctx::<B>(pki)?;
    client
        .load_cert_chain(&pki.client.cert, Some(&pki.client.key), None)
        .map_err(e2s)?;
    let server = server_ctx::<B>(pki)?;
    or_not_supported!(server.set_verify_mode(CERT_REQUIRED));
    server
        .load_verify_locations(Some(&pki.ca), None, None)
        .map_err(e2s)?;
    let ca_der = ssl_api::pem_cert_to_der_cert(
        &std::fs::read_to_string(&pki.ca).map_err(|e| e.to_string())?,
    )
    .map_err(e2s)?;
    let (mut c, mut s) = or_not_supported!(wrap_pair::<B, B>(&client, &server, Some("localhost")));
    // Before the handshake there is no chain (or the backend has none at all).
    let before = or_not_supported!(c.unverified_chain_der());
    ensure!(before.is_none(), "a chain before the handshake");
    drive_handshake(&mut c, &mut s).into_result()?;
    let as_sent = |chain: Vec<Vec<u8>>, leaf: &[u8]| {
        chain.first().map(Vec::as_slice) == Some(leaf)
            && chain[1..].iter().all(|c| *c == ca_der)
            && chain.len() <= 2
    };
    let sent = or_not_supported!(c.unverified_chain_der()).ok_or("client: no unverified chain")?;
    ensure!(
        as_sent(sent, &pki.server.der),
        "client: the unverified chain is not the server's leaf (and CA)"
    );
    let client_sent =
        or_not_supported!(s.unverified_chain_der()).ok_or("server: no unverified chain")?;
    ensure!(
        as_sent(client_sent, &pki.client.der),
        "server: the unverified chain is not the client's leaf (and CA)"
    );
    let verified = or_not_supported!(c.verified_chain_der()).ok_or("client: no verified chain")?;
    ensure!(
        verified == vec![pki.server.der.clone(), ca_der.clone()],
        "client: verified chain of {} certificates, expected leaf then CA",
        verified.len()
    );
    Ok(Outcome::Pass)
}

/// S13: a connection's context can be replaced after the handshake (CPython
/// calls `SSL_set_SSL_CTX`); the connection reports the new one and goes on.
pub fn context_replaced_after_handshake<B: Backend>(pki: &Pki) -> CaseResult {
    let first = client_ctx::<B>(pki)?;
    // Told apart by a setting: contexts have no identity to compare.
    let second = client_ctx::<B>(pki)?;
    second.set_check_hostname(false).map_err(e2s)?;
    let server = server_ctx::<B>(pki)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&first, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    or_not_supported!(c.set_context(second.clone()));
    ensure!(
        !c.context().check_hostname(),
        "the client reports the old context"
    );
    let other_server = server_ctx::<B>(pki)?;
    let marked = other_server.options() | OP_NO_TICKET;
    other_server.set_options(marked).map_err(e2s)?;
    or_not_supported!(s.set_context(other_server.clone()));
    ensure!(
        s.context().options() == marked,
        "the server reports the old context"
    );
    send_and_receive(&mut c, &mut s, b"after the swap").map_err(e2s)?;
    send_and_receive(&mut s, &mut c, b"and back").map_err(e2s)?;
    Ok(Outcome::Pass)
}

/// X7: a server loads a certificate per key type (an ECDSA and an RSA one,
/// as CPython's test_dual_rsa_ecc); a TLS 1.2 client that offers only ECDSA
/// suites, or only RSA ones, gets the matching certificate.
pub fn server_with_two_key_types<B: Backend>(pki: &Pki) -> CaseResult {
    let rsa = pki.rsa_server()?;
    let server = server_ctx::<B>(pki)?;
    or_not_supported!(server.load_cert_chain(&rsa.cert, Some(&rsa.key), None));
    for (ciphers, key_type, leaf) in [
        ("ECDHE+ECDSA", "ECDSA", &pki.server.der),
        ("ECDHE+aRSA", "RSA", &rsa.der),
    ] {
        let client = client_ctx::<B>(pki)?;
        client
            .load_verify_locations(Some(&rsa.cert), None, None)
            .map_err(e2s)?;
        client
            .set_maximum_version(TlsVersion::TLSv1_2)
            .map_err(e2s)?;
        or_not_supported!(client.set_ciphers(ciphers));
        let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
        drive_handshake(&mut c, &mut s)
            .into_result()
            .map_err(|e| format!("{ciphers}: {e}"))?;
        let cipher = c.cipher().ok_or("no cipher")?;
        ensure!(
            cipher.name.contains(key_type),
            "{ciphers}: negotiated {}",
            cipher.name
        );
        let got = c.getpeercert_der().map_err(e2s)?;
        ensure!(
            got.as_ref() == Some(leaf),
            "{ciphers}: the other certificate"
        );
    }
    Ok(Outcome::Pass)
}
