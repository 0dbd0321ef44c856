//! Shared cases on the callbacks: SNI (the servername callback), the key
//! password callback, and the keylog file.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ssl_api::constants::*;
use ssl_api::{Backend, Context, Error, Object, Password};

use super::{client_ctx, ctx, e2s, expect_reason, server_ctx, within, CaseResult, Outcome};
use crate::harness::{drive_handshake, send_and_receive, wrap_pair};
use crate::pki::Pki;

/// X23+ keylog_filename: a new file starts with CPython's header, each TLS 1.3
/// handshake appends NSS key log lines (`LABEL client_random secret`) for the
/// connection's one client random; after setting None nothing more is written.
pub fn keylog_file_lines<B: Backend>(pki: &Pki) -> CaseResult {
    let path = pki.dir().join(format!("keylog-{}.txt", B::NAME));
    let _ = std::fs::remove_file(&path);
    let client = client_ctx::<B>(pki)?;
    let server = server_ctx::<B>(pki)?;
    or_not_supported!(client.set_keylog_filename(Some(&path)));
    ensure!(
        client.keylog_filename().as_deref() == Some(path.as_path()),
        "keylog_filename reads {:?}",
        client.keylog_filename()
    );
    let handshake = || -> Result<(), String> {
        let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
        drive_handshake(&mut c, &mut s).into_result()?;
        // TLS 1.3 application secrets may be logged when the client reads
        // the server's first data.
        let got = send_and_receive(&mut s, &mut c, b"x").map_err(e2s)?;
        ensure!(got == b"x", "client got {got:?}");
        Ok(())
    };
    handshake()?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("read keylog: {e}"))?;
    let body = text
        .strip_prefix(ssl_api::settings::KEYLOG_HEADER)
        .ok_or_else(|| format!("no CPython header: {text:?}"))?;
    let mut labels = Vec::new();
    let mut randoms = std::collections::BTreeSet::new();
    for line in body.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
        ensure!(
            f.len() == 3 && f[1].len() == 64 && hex(f[1]) && f[2].len() >= 64 && hex(f[2]),
            "malformed key log line {line:?}"
        );
        labels.push(f[0].to_string());
        randoms.insert(f[1].to_string());
    }
    labels.sort();
    let expected = [
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "EXPORTER_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_TRAFFIC_SECRET_0",
    ];
    ensure!(labels == expected, "labels {labels:?}");
    ensure!(randoms.len() == 1, "client randoms {randoms:?}");
    client.set_keylog_filename(None).map_err(e2s)?;
    ensure!(
        client.keylog_filename().is_none(),
        "keylog_filename not None"
    );
    handshake()?;
    let after = std::fs::read_to_string(&path).map_err(|e| format!("read keylog: {e}"))?;
    ensure!(after == text, "lines written after keylog_filename = None");
    // Setting it again on a non-empty file appends without a second header.
    client.set_keylog_filename(Some(&path)).map_err(e2s)?;
    handshake()?;
    let again = std::fs::read_to_string(&path).map_err(|e| format!("read keylog: {e}"))?;
    ensure!(
        again.matches("# TLS secrets log file").count() == 1
            && again.lines().count() == 1 + 2 * expected.len(),
        "after re-enabling: {again:?}"
    );
    Ok(Outcome::Pass)
}

/// X16: the servername callback sees the SNI name and can continue, swap the
/// context (another certificate), abort with an alert, or fail.
pub fn servername_callback_three_ways<B: Backend>(pki: &Pki) -> CaseResult {
    if !B::capabilities().has_sni {
        return Ok(Outcome::NotSupported("HAS_SNI is false".into()));
    }
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let other = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    other
        .load_cert_chain(&pki.wrong_name.cert, Some(&pki.wrong_name.key), None)
        .map_err(e2s)?;
    let client = client_ctx::<B>(pki)?;
    client.set_check_hostname(false).map_err(e2s)?;

    // 1. Continue: the callback records the name.
    let server = server_ctx::<B>(pki)?;
    let record = seen.clone();
    let cb: ssl_api::ServernameCallback<B> = Arc::new(move |req| {
        record.lock().unwrap().push(req.server_name.clone());
        Ok(None)
    });
    if let Err(e) = server.set_servername_callback(Some(cb)) {
        if matches!(e, Error::NotImplemented { .. }) {
            return Ok(Outcome::NotSupported(e.to_string()));
        }
        return Err(e2s(e));
    }
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    ensure!(
        seen.lock().unwrap().as_slice() == [Some("localhost".to_string())],
        "callback saw {:?}",
        seen.lock().unwrap()
    );

    // 2. Swap the context: the client gets the other context's certificate.
    let swap_to = other.clone();
    let cb: ssl_api::ServernameCallback<B> = Arc::new(move |req| {
        req.context = swap_to.clone();
        Ok(None)
    });
    server.set_servername_callback(Some(cb)).map_err(e2s)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    ensure!(
        c.getpeercert_der().map_err(e2s)?.as_deref() == Some(&pki.wrong_name.der[..]),
        "the swapped context's certificate was not served"
    );

    // 3. An alert aborts the handshake with that alert.
    let cb: ssl_api::ServernameCallback<B> =
        Arc::new(|_req| Ok(Some(ALERT_DESCRIPTION_UNRECOGNIZED_NAME)));
    server.set_servername_callback(Some(cb)).map_err(e2s)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    let out = drive_handshake(&mut c, &mut s);
    match &out.client {
        Err(e) if e.reason() == Some("TLSV1_UNRECOGNIZED_NAME") => {}
        other => return Err(format!("alert from callback: client saw {other:?}")),
    }
    expect_reason(
        &out.server,
        "CALLBACK_FAILED",
        "alert from callback: server",
    )?;

    // 4. A failing callback aborts with handshake_failure.
    let cb: ssl_api::ServernameCallback<B> = Arc::new(|_req| Err(Error::value("boom")));
    server.set_servername_callback(Some(cb)).map_err(e2s)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    let out = drive_handshake(&mut c, &mut s);
    expect_reason(
        &out.client,
        "SSLV3_ALERT_HANDSHAKE_FAILURE",
        "failing callback: client",
    )?;
    expect_reason(&out.server, "CALLBACK_FAILED", "failing callback: server")?;

    // 5. The name arrives IDNA-decoded.
    let record = seen.clone();
    let cb: ssl_api::ServernameCallback<B> = Arc::new(move |req| {
        record.lock().unwrap().push(req.server_name.clone());
        Ok(None)
    });
    server.set_servername_callback(Some(cb)).map_err(e2s)?;
    seen.lock().unwrap().clear();
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client, &server, Some("xn--bcher-kva.example")).map_err(e2s)?;
    let _ = drive_handshake(&mut c, &mut s);
    ensure!(
        seen.lock().unwrap().as_slice() == [Some("bücher.example".to_string())],
        "callback saw {:?}",
        seen.lock().unwrap()
    );
    Ok(Outcome::Pass)
}

/// How long a case with a user callback may take before it counts as a deadlock.
const DEADLOCK_LIMIT: Duration = Duration::from_secs(20);

/// What a callback does with its own context (CPython lets it, and no lock
/// of ours may be held while user code runs): reads verify_mode and options,
/// sets an option and a cipher list (a backend without cipher lists answers
/// NotImplemented, which is fine here: the call returned). Returns what it
/// read, for the case to check.
fn use_own_context<C: Context>(own: &C) -> ssl_api::Result<(VerifyMode, Options)> {
    let read = (own.verify_mode(), own.options());
    own.set_options(read.1 | OP_NO_TICKET)?;
    match own.set_ciphers("ECDHE+AESGCM") {
        Ok(()) | Err(Error::NotImplemented { .. }) => {}
        Err(e) => return Err(e),
    }
    Ok(read)
}

/// X7: the password callback of load_cert_chain reads and changes the context
/// it is loading into (verify_mode, options, set_options, set_ciphers); the
/// load succeeds, the change is kept, and the key then serves a handshake.
/// Run on a thread: a deadlock fails the case after 20 s instead of hanging.
pub fn password_callback_uses_its_context<B: Backend>(pki: &Pki) -> CaseResult {
    let key = pki.encrypted_server_key("secret")?;
    let (server, client) = (ctx::<B>(PROTOCOL_TLS_SERVER)?, client_ctx::<B>(pki)?);
    let cert = pki.server.cert.clone();
    let seen: Arc<Mutex<Vec<(VerifyMode, Options)>>> = Arc::default();
    let (own, record) = (server.clone(), seen.clone());
    let password = Password::Callback(Arc::new(move || {
        record.lock().unwrap().push(use_own_context(&own)?);
        Ok(b"secret".to_vec())
    }));
    let s = server.clone();
    within(
        DEADLOCK_LIMIT,
        "deadlock: load_cert_chain with a password callback using its context",
        move || -> Result<(), String> {
            s.load_cert_chain(&cert, Some(&key), Some(password))
                .map_err(e2s)?;
            let (mut c, mut sv) = wrap_pair::<B, B>(&client, &s, Some("localhost")).map_err(e2s)?;
            drive_handshake(&mut c, &mut sv).into_result()
        },
    )??;
    let seen = seen.lock().unwrap().clone();
    ensure!(seen.len() == 1, "the callback ran {} times", seen.len());
    ensure!(
        seen[0].0 == CERT_NONE,
        "the callback read verify_mode {:?}",
        seen[0].0
    );
    ensure!(
        server.options().contains(OP_NO_TICKET),
        "the callback's set_options was lost: {:?}",
        server.options()
    );
    Ok(Outcome::Pass)
}

/// X16: during a real handshake over MemoryBIOs, the servername callback
/// reads and changes its own context (through the request and through a
/// handle of its own: verify_mode, options, set_options, set_ciphers); the
/// handshake completes and the change is kept. Run on a thread: a deadlock
/// fails the case after 20 s instead of hanging.
pub fn servername_callback_uses_its_context<B: Backend>(pki: &Pki) -> CaseResult {
    if !B::capabilities().has_sni {
        return Ok(Outcome::NotSupported("HAS_SNI is false".into()));
    }
    let (server, client) = (server_ctx::<B>(pki)?, client_ctx::<B>(pki)?);
    let seen: Seen = Arc::default();
    let (own, record) = (server.clone(), seen.clone());
    let cb: ssl_api::ServernameCallback<B> = Arc::new(move |req| {
        let via_request = req.context.verify_mode();
        let (mode, _) = use_own_context(&own)?;
        ensure_same(via_request, mode)?;
        record.lock().unwrap().push((req.server_name.clone(), mode));
        Ok(None)
    });
    or_not_supported!(server.set_servername_callback(Some(cb)));
    let s = server.clone();
    within(
        DEADLOCK_LIMIT,
        "deadlock: a handshake whose servername callback uses its context",
        move || -> Result<(), String> {
            let (mut c, mut sv) = wrap_pair::<B, B>(&client, &s, Some("localhost")).map_err(e2s)?;
            drive_handshake(&mut c, &mut sv).into_result()
        },
    )??;
    let seen = seen.lock().unwrap().clone();
    ensure!(
        seen.len() == 1 && seen[0].0.as_deref() == Some("localhost") && seen[0].1 == CERT_NONE,
        "the callback saw {seen:?}"
    );
    ensure!(
        server.options().contains(OP_NO_TICKET),
        "the callback's set_options was lost: {:?}",
        server.options()
    );
    Ok(Outcome::Pass)
}

/// What each servername callback saw: the name and the verify mode it read.
type Seen = Arc<Mutex<Vec<(Option<String>, VerifyMode)>>>;

/// The request's context is the callback's own one here: both read alike.
fn ensure_same(a: VerifyMode, b: VerifyMode) -> ssl_api::Result<()> {
    if a == b {
        Ok(())
    } else {
        Err(Error::value(format!(
            "verify_mode {a:?} through the request, {b:?} through the handle"
        )))
    }
}

/// `_msg_callback` (CPython's debug hook): the client's callback sees its
/// ClientHello written and the ServerHello read, each with its record
/// header, on the thread of the handshake; over TLS 1.2 the server's
/// ServerKeyExchange read and the client's change_cipher_spec written, with
/// version TLSv1_2 (CPython's test_msg_callback_tls12); removing it stops
/// the reports.
pub fn msg_callback_sees_the_handshake<B: Backend>(pki: &Pki) -> CaseResult {
    let client = client_ctx::<B>(pki)?;
    // (outgoing, version, content type, message type) of each report.
    type Reports = Arc<Mutex<Vec<(bool, i32, i32, i32)>>>;
    let seen: Reports = Arc::default();
    let sink = seen.clone();
    let callback: ssl_api::MessageCallback = Arc::new(move |m: &ssl_api::TlsMessage<'_>| {
        sink.lock().expect("not poisoned").push((
            m.outgoing,
            m.version,
            m.content_type,
            m.msg_type,
        ));
    });
    or_not_supported!(client.set_msg_callback(Some(callback.clone())));
    let server = server_ctx::<B>(pki)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    let got = seen.lock().expect("not poisoned").clone();
    const HANDSHAKE: i32 = 22;
    const HEADER: i32 = 256;
    for (what, entry) in [
        ("ClientHello written", (true, HANDSHAKE, 1)),
        ("ServerHello read", (false, HANDSHAKE, 2)),
        ("a record header written", (true, HEADER, HANDSHAKE)),
    ] {
        ensure!(
            got.iter().any(|&(o, _, t, m)| (o, t, m) == entry),
            "no {what} in {got:?}"
        );
    }
    seen.lock().expect("not poisoned").clear();
    let tls12 = client_ctx::<B>(pki)?;
    tls12
        .set_maximum_version(TlsVersion::TLSv1_2)
        .map_err(e2s)?;
    tls12.set_msg_callback(Some(callback)).map_err(e2s)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&tls12, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    let got = seen.lock().expect("not poisoned").clone();
    const TLS1_2: i32 = 0x0303;
    for (what, entry) in [
        ("ServerKeyExchange read", (false, TLS1_2, HANDSHAKE, 12)),
        ("change_cipher_spec written", (true, TLS1_2, 20, 0x0101)),
    ] {
        ensure!(got.contains(&entry), "no {what} in {got:?}");
    }
    client.set_msg_callback(None).map_err(e2s)?;
    let before = seen.lock().expect("not poisoned").len();
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    ensure!(
        seen.lock().expect("not poisoned").len() == before,
        "reports after the callback was removed"
    );
    Ok(Outcome::Pass)
}
