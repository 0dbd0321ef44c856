//! Shared cases on the context: defaults and value errors, load_cert_chain,
//! verify locations and the store, CRLs, capath, ciphers and TLS 1.3 suites,
//! key passwords, ECDH curves, DH parameters.

use ssl_api::constants::*;
use ssl_api::{Backend, Context, Error, Object, Password};

use super::{client_ctx, ctx, e2s, expect_verify_error, server_ctx, within, CaseResult, Outcome};
use crate::harness::{drive_handshake, wrap_pair};
use crate::pki::Pki;

/// X4/X6/P2: Python's ValueErrors and defaults for the context attributes.
pub fn context_defaults_and_value_errors<B: Backend>(_pki: &Pki) -> CaseResult {
    let c = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    ensure!(
        c.verify_mode() == CERT_REQUIRED && c.check_hostname(),
        "TLS_CLIENT defaults"
    );
    match c.set_verify_mode(CERT_NONE) {
        Err(Error::Value(m)) => ensure!(
            m == "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.",
            "{m}"
        ),
        other => return Err(format!("expected ValueError, got {other:?}")),
    }
    let s = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    ensure!(
        s.verify_mode() == CERT_NONE && !s.check_hostname(),
        "TLS_SERVER defaults"
    );
    ensure!(
        s.options().value() == 0x8252_0050,
        "options {:#x}",
        s.options().value()
    );
    ensure!(
        s.minimum_version() == TlsVersion::TLSv1_2,
        "minimum {:?}",
        s.minimum_version()
    );
    let t = ctx::<B>(PROTOCOL_TLS)?;
    t.set_check_hostname(true).map_err(e2s)?;
    ensure!(
        t.verify_mode() == CERT_REQUIRED,
        "check_hostname=True must switch to CERT_REQUIRED"
    );
    match c.wrap_bio(
        ssl_api::MemoryBio::new(),
        ssl_api::MemoryBio::new(),
        ssl_api::WrapOptions::server(),
    ) {
        Err(Error::Ssl(e)) => ensure!(
            e.message == "Cannot create a server socket with a PROTOCOL_TLS_CLIENT context",
            "{e}"
        ),
        other => {
            return Err(format!(
                "server wrap of a client context: {:?}",
                other.map(|_| ())
            ))
        }
    }
    Ok(Outcome::Pass)
}

/// X7: key/cert mismatch and wrong password are SSLErrors; missing files OSErrors.
pub fn load_cert_chain_errors<B: Backend>(pki: &Pki) -> CaseResult {
    let s = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    match s.load_cert_chain(&pki.server.cert, Some(&pki.client.key), None) {
        Err(e) => ensure!(
            e.library() == Some("X509") && e.reason() == Some("KEY_VALUES_MISMATCH"),
            "mismatch gave {e}"
        ),
        Ok(()) => return Err("mismatched key accepted".into()),
    }
    match s.load_cert_chain(&pki.dir().join("missing.pem"), None, None) {
        Err(e) => ensure!(
            e.python_type() == "FileNotFoundError",
            "missing file gave {e:?}"
        ),
        Ok(()) => return Err("missing file accepted".into()),
    }
    let garbage = pki.write("garbage.pem", "hello\n");
    match s.load_cert_chain(&garbage, Some(&pki.server.key), None) {
        Err(e) => ensure!(e.to_string() == "[SSL] PEM lib", "garbage gave {e}"),
        Ok(()) => return Err("garbage accepted".into()),
    }
    // A password for an unencrypted key is ignored, as OpenSSL does.
    s.load_cert_chain(
        &pki.server.cert,
        Some(&pki.server.key),
        Some(Password::Str("x".into())),
    )
    .map_err(e2s)?;
    Ok(Outcome::Pass)
}

/// X9/X10/X22: the trust store counts what was loaded; get_ca_certs lists CAs.
pub fn verify_locations_and_store_stats<B: Backend>(pki: &Pki) -> CaseResult {
    let c = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    match c.load_verify_locations(None, None, None) {
        Err(e) => ensure!(
            e.to_string() == "cafile, capath and cadata cannot be all omitted",
            "{e}"
        ),
        Ok(()) => return Err("no arguments accepted".into()),
    }
    c.load_verify_locations(Some(&pki.ca), None, None)
        .map_err(e2s)?;
    c.load_verify_locations(
        None,
        None,
        Some(ssl_api::CaData::Pem(
            std::fs::read_to_string(&pki.other_ca).map_err(|e| e.to_string())?,
        )),
    )
    .map_err(e2s)?;
    c.load_verify_locations(
        None,
        None,
        Some(ssl_api::CaData::Der(pki.server.der.clone())),
    )
    .map_err(e2s)?;
    let stats = c.cert_store_stats().map_err(e2s)?;
    ensure!(
        stats.x509 == 3 && stats.x509_ca == 2 && stats.crl == 0,
        "{stats:?}"
    );
    let cas = c.get_ca_certs().map_err(e2s)?;
    ensure!(cas.len() == 2, "get_ca_certs gave {} records", cas.len());
    let garbage = pki.write("no-certs.pem", "nothing here\n");
    match c.load_verify_locations(Some(&garbage), None, None) {
        Err(e) => ensure!(e.reason() == Some("NO_CERTIFICATE_OR_CRL_FOUND"), "{e}"),
        Ok(()) => return Err("a file without certificates was accepted".into()),
    }
    Ok(Outcome::Pass)
}

/// X11/X13/S5/S6: set_ciphers narrows TLS 1.2 suites (TLS 1.3 ones stay first),
/// a string that selects nothing is an SSLError, the negotiated suite is reported.
pub fn cipher_strings<B: Backend>(pki: &Pki) -> CaseResult {
    let c = client_ctx::<B>(pki)?;
    let all = or_not_supported!(c.get_ciphers());
    ensure!(!all.is_empty(), "no ciphers");
    let n13 = all.iter().take_while(|i| i.protocol == "TLSv1.3").count();
    ensure!(
        n13 >= 1 && all[n13..].iter().all(|i| i.protocol != "TLSv1.3"),
        "TLS 1.3 suites must come first"
    );
    c.set_ciphers("ECDHE+AESGCM:!ECDSA").map_err(e2s)?;
    let some = c.get_ciphers().map_err(e2s)?;
    for i in some.iter().filter(|i| i.protocol != "TLSv1.3") {
        ensure!(
            i.kea.as_deref() == Some("kx-ecdhe") && i.auth.as_deref() == Some("auth-rsa") && i.aead,
            "ECDHE+AESGCM:!ECDSA selected {}",
            i.name
        );
    }
    match c.set_ciphers("NO-SUCH-CIPHER") {
        Err(Error::Ssl(e)) => ensure!(e.message == "No cipher can be selected.", "{e}"),
        other => return Err(format!("nonsense cipher string: {other:?}")),
    }
    // One TLS 1.2 suite on the client: the connection uses it.
    let client = client_ctx::<B>(pki)?;
    client
        .set_maximum_version(TlsVersion::TLSv1_2)
        .map_err(e2s)?;
    client
        .set_ciphers("ECDHE-ECDSA-CHACHA20-POLY1305")
        .map_err(e2s)?;
    let (mut cc, mut ss) =
        wrap_pair::<B, B>(&client, &server_ctx::<B>(pki)?, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut cc, &mut ss).into_result()?;
    let cipher = cc.cipher().ok_or("no cipher()")?;
    ensure!(
        cipher.name == "ECDHE-ECDSA-CHACHA20-POLY1305"
            && cipher.protocol == "TLSv1.2"
            && cipher.bits == 256,
        "cipher() = {cipher:?}"
    );
    ensure!(ss.cipher() == Some(cipher), "server cipher differs");
    ensure!(
        cc.shared_ciphers().is_none(),
        "shared_ciphers on the client must be None"
    );
    match ss.shared_ciphers() {
        Some(list)
            if list
                .iter()
                .any(|t| t.name == "ECDHE-ECDSA-CHACHA20-POLY1305") => {}
        Some(list) => return Err(format!("shared_ciphers lacks the offered suite: {list:?}")),
        None => {
            if let Some(r) = B::capabilities().unsupported_reason("S6") {
                return Ok(Outcome::NotSupported(r.into()));
            }
            return Err("server shared_ciphers() is None".into());
        }
    }
    Ok(Outcome::Pass)
}

/// X7: an encrypted key loads with the password as str, bytes or callback;
/// a wrong or missing password is `[SSL] PEM lib`; too long is a ValueError.
pub fn encrypted_key_password_forms<B: Backend>(pki: &Pki) -> CaseResult {
    use std::sync::Arc;
    let key = pki.encrypted_server_key("secret")?;
    let s = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    for password in [
        Password::Str("secret".into()),
        Password::Bytes(b"secret".to_vec()),
        Password::Callback(Arc::new(|| Ok(b"secret".to_vec()))),
    ] {
        let form = format!("{password:?}");
        s.load_cert_chain(&pki.server.cert, Some(&key), Some(password))
            .map_err(|e| format!("{form}: {}", e2s(e)))?;
    }
    for bad in [Some(Password::Str("wrong".into())), None] {
        match s.load_cert_chain(&pki.server.cert, Some(&key), bad) {
            Err(e) => ensure!(
                e.to_string() == "[SSL] PEM lib",
                "wrong/missing password gave {e}"
            ),
            Ok(()) => return Err("a wrong password was accepted".into()),
        }
    }
    match s.load_cert_chain(
        &pki.server.cert,
        Some(&key),
        Some(Password::Str("x".repeat(2000))),
    ) {
        Err(Error::Value(m)) => ensure!(m == "password cannot be longer than 1024 bytes", "{m}"),
        other => return Err(format!("long password: {other:?}")),
    }
    // The loaded key works in a handshake.
    let (mut c, mut sv) =
        wrap_pair::<B, B>(&client_ctx::<B>(pki)?, &s, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut sv).into_result()?;
    Ok(Outcome::Pass)
}

/// X7: decrypting a PKCS#8 key costs bounded memory and time, decided from
/// the file's KDF parameters before anything is derived. Keys the `openssl`
/// tool writes with its defaults (scrypt N=16384 r=8 p=1; PBKDF2 2048) load;
/// copies of them with hostile parameters (scrypt over OpenSSL's 32 MiB limit,
/// up to N=2^30 = 1 TiB; scrypt or PBKDF2 within OpenSSL's limits but minutes
/// to hours of work) fail within 2 s with the error a wrong password gives
/// (`[SSL] PEM lib`). Each load runs on a thread with a 10 s limit, the worst
/// (1 TiB) last: a regression fails the case instead of hanging it.
pub fn encrypted_key_kdf_bounds<B: Backend>(pki: &Pki) -> CaseResult {
    use crate::pki::KdfParams::{Pbkdf2, Scrypt};
    use std::time::{Duration, Instant};
    const LIMIT: Duration = Duration::from_secs(10);
    const QUICK: Duration = Duration::from_secs(2);
    let scrypt = pki.encrypted_server_key_with(true)?;
    let pbkdf2 = pki.encrypted_server_key_with(false)?;
    let load = |key: &std::path::Path, password: &str, limit: Duration| {
        let (s, cert, key) = (
            ctx::<B>(PROTOCOL_TLS_SERVER)?,
            pki.server.cert.clone(),
            key.to_owned(),
        );
        let password = Password::Str(password.into());
        let what = format!("load_cert_chain({})", key.display());
        within(limit, &what, move || {
            let start = Instant::now();
            let r = s.load_cert_chain(&cert, Some(&key), Some(password));
            (
                r.map_err(|e| (e.to_string(), e.python_type())),
                start.elapsed(),
            )
        })
    };
    for (key, what) in [(&scrypt, "scrypt defaults"), (&pbkdf2, "PBKDF2 defaults")] {
        // Debug builds derive slowly (scrypt's defaults: seconds): the limit
        // here only keeps a hang from stalling the run.
        let (r, took) = load(key, "secret", 6 * LIMIT)?;
        ensure!(r.is_ok(), "{what}: {r:?} after {took:?}");
    }
    // The rewriting keeps everything else: the defaults give the same bytes.
    let der = |p: &std::path::Path| -> Result<Vec<u8>, String> {
        let text = std::fs::read(p).map_err(|e| e.to_string())?;
        Ok(pem::parse(text).map_err(|e| e.to_string())?.into_contents())
    };
    let same = pki.with_kdf_params(
        &scrypt,
        Scrypt {
            n: 16384,
            r: 8,
            p: 1,
        },
        "same.p8",
    )?;
    ensure!(der(&same)? == der(&scrypt)?, "the rewritten key differs");
    let (wrong, _) = load(&pbkdf2, "wrong", 6 * LIMIT)?;
    let wrong = wrong.err().ok_or("a wrong password was accepted")?;
    ensure!(wrong.0 == "[SSL] PEM lib", "wrong password: {wrong:?}");
    let hostile = [
        (
            "scrypt N=2^15 r=8 p=1 (32 MiB + 2 KiB)",
            &scrypt,
            Scrypt {
                n: 1 << 15,
                r: 8,
                p: 1,
            },
        ),
        (
            "scrypt N=2^14 r=8 p=65535 (80 MiB)",
            &scrypt,
            Scrypt {
                n: 1 << 14,
                r: 8,
                p: 65535,
            },
        ),
        (
            "scrypt r=1 p=2^30-1 (128 GiB)",
            &scrypt,
            Scrypt {
                n: 1 << 14,
                r: 1,
                p: (1 << 30) - 1,
            },
        ),
        (
            "scrypt N=2^15 r=1 p=65535 (12 MiB, 2^31 units)",
            &scrypt,
            Scrypt {
                n: 1 << 15,
                r: 1,
                p: 65535,
            },
        ),
        (
            "PBKDF2 10,000,001 iterations",
            &pbkdf2,
            Pbkdf2 {
                iterations: 10_000_001,
            },
        ),
        (
            "PBKDF2 2^31-1 iterations",
            &pbkdf2,
            Pbkdf2 {
                iterations: (1 << 31) - 1,
            },
        ),
        (
            "PBKDF2 2^32-1 iterations",
            &pbkdf2,
            Pbkdf2 {
                iterations: u32::MAX.into(),
            },
        ),
        (
            "scrypt N=2^24 r=8 p=1 (16 GiB)",
            &scrypt,
            Scrypt {
                n: 1 << 24,
                r: 8,
                p: 1,
            },
        ),
        (
            "scrypt N=2^30 r=8 p=1 (1 TiB)",
            &scrypt,
            Scrypt {
                n: 1 << 30,
                r: 8,
                p: 1,
            },
        ),
    ];
    for (i, (what, key, params)) in hostile.into_iter().enumerate() {
        let path = pki.with_kdf_params(key, params, &format!("hostile-{i}.p8"))?;
        let (r, took) = load(&path, "secret", LIMIT).map_err(|e| format!("{what}: {e}"))?;
        ensure!(
            r.as_ref().err() == Some(&wrong),
            "{what}: {r:?}, expected {wrong:?}"
        );
        ensure!(took < QUICK, "{what}: refused only after {took:?}");
    }
    Ok(Outcome::Pass)
}

/// X5/X9: VERIFY_CRL_CHECK_LEAF with a CRL loaded rejects a revoked
/// certificate (code 23) and accepts a good one; without a CRL it fails with
/// code 3 (unable to get certificate CRL).
pub fn crl_check_leaf<B: Backend>(pki: &Pki) -> CaseResult {
    let server_with = |id: &crate::pki::Identity| -> Result<B::Context, String> {
        let s = ctx::<B>(PROTOCOL_TLS_SERVER)?;
        s.load_cert_chain(&id.cert, Some(&id.key), None)
            .map_err(e2s)?;
        Ok(s)
    };
    let client = client_ctx::<B>(pki)?;
    or_not_supported!(
        client.set_verify_flags(client.verify_flags() | VerifyFlags::VERIFY_CRL_CHECK_LEAF)
    );
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client, &server_with(&pki.server)?, Some("localhost")).map_err(e2s)?;
    expect_verify_error(&drive_handshake(&mut c, &mut s).client, 3)?;
    client
        .load_verify_locations(Some(&pki.crl), None, None)
        .map_err(e2s)?;
    ensure!(
        client.cert_store_stats().map_err(e2s)?.crl == 1,
        "crl count"
    );
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client, &server_with(&pki.revoked)?, Some("localhost")).map_err(e2s)?;
    expect_verify_error(&drive_handshake(&mut c, &mut s).client, 23)?;
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client, &server_with(&pki.server)?, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    Ok(Outcome::Pass)
}

/// X9/X10/X22: a capath directory's certificates verify, and appear in
/// get_ca_certs() / cert_store_stats() only after a handshake used them; only
/// `<hash>.<n>` files count; a missing directory is no error.
pub fn capath_is_lazy<B: Backend>(pki: &Pki) -> CaseResult {
    let dir = pki.hashed_ca_dir()?;
    let client = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    client
        .load_verify_locations(None, Some(&dir), None)
        .map_err(e2s)?;
    ensure!(
        client.get_ca_certs().map_err(e2s)?.is_empty(),
        "capath certificates listed before use"
    );
    ensure!(
        client.cert_store_stats().map_err(e2s)?.x509 == 0,
        "capath certificates counted before use"
    );
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client, &server_ctx::<B>(pki)?, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    let cas = client.get_ca_certs().map_err(e2s)?;
    ensure!(
        cas.len() == 1,
        "after use, get_ca_certs gave {} records",
        cas.len()
    );
    ensure!(
        client.cert_store_stats().map_err(e2s)?.x509_ca == 1,
        "after use, x509_ca"
    );
    // Only `<hash>.<n>` files are looked at: the same CA as `ca.pem` is not
    // found, so the server's chain does not verify (code 20), as in OpenSSL.
    let unhashed = pki.dir().join("capath-unhashed");
    std::fs::create_dir_all(&unhashed).map_err(|e| e.to_string())?;
    std::fs::copy(&pki.ca, unhashed.join("ca.pem")).map_err(|e| e.to_string())?;
    let client = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    client
        .load_verify_locations(None, Some(&unhashed), None)
        .map_err(e2s)?;
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client, &server_ctx::<B>(pki)?, Some("localhost")).map_err(e2s)?;
    expect_verify_error(&drive_handshake(&mut c, &mut s).client, 20)?;
    // A directory that does not exist is no error (OpenSSL reads it lazily).
    let client = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    client
        .load_verify_locations(None, Some(&pki.dir().join("no-such-dir")), None)
        .map_err(|e| format!("missing capath: {}", e2s(e)))?;
    ensure!(
        client.cert_store_stats().map_err(e2s)?.x509 == 0,
        "missing capath counted certificates"
    );
    Ok(Outcome::Pass)
}

/// X18: set_ecdh_curve narrows the key exchange; an unknown name is a ValueError.
pub fn ecdh_curve<B: Backend>(pki: &Pki) -> CaseResult {
    let server = server_ctx::<B>(pki)?;
    or_not_supported!(server.set_ecdh_curve("prime256v1"));
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client_ctx::<B>(pki)?, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    match server.set_ecdh_curve("nope") {
        Err(Error::Value(m)) => ensure!(m == "unknown elliptic curve name 'nope'", "{m}"),
        other => return Err(format!("unknown curve: {other:?}")),
    }
    Ok(Outcome::Pass)
}

/// X7: keys in every PEM form load (PKCS#8, PKCS#1 RSA, SEC1 EC, legacy
/// encrypted), and a single file may hold the key before or after the certificate.
pub fn load_cert_chain_key_forms<B: Backend>(pki: &Pki) -> CaseResult {
    use crate::pki::KeyForm;
    let try_identity = |cert: &std::path::Path,
                        key: Option<&std::path::Path>,
                        password: Option<Password>,
                        trust: &std::path::Path|
     -> Result<(), String> {
        let server = ctx::<B>(PROTOCOL_TLS_SERVER)?;
        server.load_cert_chain(cert, key, password).map_err(e2s)?;
        let client = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
        client
            .load_verify_locations(Some(trust), None, None)
            .map_err(e2s)?;
        let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
        drive_handshake(&mut c, &mut s).into_result()
    };
    for form in [
        KeyForm::RsaPkcs1,
        KeyForm::EcSec1,
        KeyForm::RsaLegacyEncrypted,
    ] {
        let id = pki.openssl_identity(form)?;
        let password =
            (form == KeyForm::RsaLegacyEncrypted).then(|| Password::Str("secret".into()));
        try_identity(&id.cert, Some(&id.key), password, &id.cert)
            .map_err(|e| format!("{form:?}: {e}"))?;
    }
    let cert = std::fs::read_to_string(&pki.server.cert).map_err(|e| e.to_string())?;
    let key = std::fs::read_to_string(&pki.server.key).map_err(|e| e.to_string())?;
    for (name, contents) in [
        ("key-first.pem", format!("{key}{cert}")),
        ("cert-first.pem", format!("{cert}{key}")),
    ] {
        let file = pki.write(name, &contents);
        try_identity(&file, None, None, &pki.ca).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(Outcome::Pass)
}

/// X11 (Rust addition): set_ciphersuites pins the TLS 1.3 suite.
pub fn tls13_suite_pinning<B: Backend>(pki: &Pki) -> CaseResult {
    let client = client_ctx::<B>(pki)?;
    match client.set_ciphersuites("TLS_CHACHA20_POLY1305_SHA256") {
        Err(e @ Error::NotImplemented { .. }) => return Ok(Outcome::NotSupported(e.to_string())),
        r => r.map_err(e2s)?,
    }
    let names: Vec<String> = client
        .get_ciphers()
        .map_err(e2s)?
        .into_iter()
        .filter(|c| c.protocol == "TLSv1.3")
        .map(|c| c.name)
        .collect();
    ensure!(
        names == ["TLS_CHACHA20_POLY1305_SHA256"],
        "TLS 1.3 suites {names:?}"
    );
    let (mut c, mut s) =
        wrap_pair::<B, B>(&client, &server_ctx::<B>(pki)?, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    let cipher = c.cipher().ok_or("no cipher")?;
    ensure!(
        cipher.name == "TLS_CHACHA20_POLY1305_SHA256" && cipher.bits == 256,
        "{cipher:?}"
    );
    match client.set_ciphersuites("NOT_A_SUITE") {
        Err(Error::Ssl(e)) => ensure!(e.message == "No cipher can be selected.", "{e}"),
        other => return Err(format!("unknown TLS 1.3 suite: {other:?}")),
    }
    Ok(Outcome::Pass)
}

/// X17: DHE suites need DH parameters: without them the server finds no
/// shared cipher, with `load_dh_params` a DHE-RSA suite is negotiated; a file
/// without parameters is `[PEM: NO_START_LINE]`, a missing one an OSError.
pub fn dh_params_enable_dhe<B: Backend>(pki: &Pki) -> CaseResult {
    if let Some(reason) = B::capabilities().unsupported_reason("X17") {
        return Ok(Outcome::NotSupported(reason.into()));
    }
    let rsa = pki.rsa_server()?;
    let dh = pki.dh_params()?;
    let client = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    client
        .load_verify_locations(Some(&rsa.cert), None, None)
        .map_err(e2s)?;
    client
        .set_maximum_version(TlsVersion::TLSv1_2)
        .map_err(e2s)?;
    client.set_ciphers("DHE+AESGCM").map_err(e2s)?;
    let server = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    server
        .load_cert_chain(&rsa.cert, Some(&rsa.key), None)
        .map_err(e2s)?;
    server.set_ciphers("DHE+AESGCM").map_err(e2s)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    let out = drive_handshake(&mut c, &mut s);
    match &out.server {
        Err(e) if e.reason() == Some("NO_SHARED_CIPHER") => {}
        other => return Err(format!("without DH parameters the server gave {other:?}")),
    }
    server.load_dh_params(&dh).map_err(e2s)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    let cipher = c.cipher().ok_or("no cipher")?;
    ensure!(
        cipher.name.starts_with("DHE-RSA-") && cipher.protocol == "TLSv1.2",
        "cipher {cipher:?}"
    );
    let garbage = pki.write("not-dh.pem", "hello\n");
    match server.load_dh_params(&garbage) {
        Err(e) => ensure!(
            e.to_string() == "[PEM: NO_START_LINE] no start line",
            "garbage DH file gave {e}"
        ),
        Ok(()) => return Err("a file without DH parameters was accepted".into()),
    }
    match server.load_dh_params(&pki.dir().join("missing-dh.pem")) {
        Err(e) => ensure!(e.python_type() == "FileNotFoundError", "{e:?}"),
        Ok(()) => return Err("a missing DH file was accepted".into()),
    }
    Ok(Outcome::Pass)
}

/// X3/X4/X6/X9: whatever sequence of public setters ran, what the context
/// reports is what the library enforces: against an untrusted (self-signed)
/// server, the handshake fails with a verification error whenever
/// `verify_mode()` says CERT_REQUIRED or CERT_OPTIONAL, and succeeds whenever
/// it says CERT_NONE. 60 steps of a fixed pseudo-random sequence of setters
/// (some refused with ValueError, as Python refuses them), one handshake
/// after each.
pub fn reported_verify_mode_is_enforced<B: Backend>(pki: &Pki) -> CaseResult {
    let server = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    server
        .load_cert_chain(&pki.self_signed.cert, Some(&pki.self_signed.key), None)
        .map_err(e2s)?;
    let client = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    let mut state: u32 = 0x2545_f491;
    let mut seen = [false; 3];
    for step in 0..60 {
        // xorshift32: a fixed sequence, the same on every run.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let did = match state % 7 {
            0 => (
                "set_verify_mode(CERT_NONE)",
                client.set_verify_mode(CERT_NONE),
            ),
            1 => (
                "set_verify_mode(CERT_OPTIONAL)",
                client.set_verify_mode(CERT_OPTIONAL),
            ),
            2 => (
                "set_verify_mode(CERT_REQUIRED)",
                client.set_verify_mode(CERT_REQUIRED),
            ),
            3 => (
                "set_check_hostname(false)",
                client.set_check_hostname(false),
            ),
            4 => ("set_check_hostname(true)", client.set_check_hostname(true)),
            5 => (
                "load_verify_locations(other CA)",
                client.load_verify_locations(Some(&pki.other_ca), None, None),
            ),
            _ => (
                "set_options(options ^ OP_NO_TICKET)",
                client.set_options(client.options() ^ OP_NO_TICKET),
            ),
        };
        match did.1 {
            Ok(()) | Err(Error::Value(_)) => {}
            Err(e) => return Err(format!("step {step}: {}: {}", did.0, e2s(e))),
        }
        let mode = client.verify_mode();
        let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
        let out = drive_handshake(&mut c, &mut s);
        if mode == CERT_NONE {
            seen[0] = true;
            ensure!(
                out.client.is_ok(),
                "step {step} ({}): verify_mode() is CERT_NONE, the handshake failed: {:?}",
                did.0,
                out.client.as_ref().map_err(|e| e.to_string())
            );
        } else {
            seen[if mode == CERT_REQUIRED { 2 } else { 1 }] = true;
            // 18: the self-signed certificate, trusted by no CA loaded here.
            expect_verify_error(&out.client, 18)
                .map_err(|e| format!("step {step} ({}): verify_mode() is {mode:?}: {e}", did.0))?;
        }
    }
    ensure!(
        seen == [true; 3],
        "the sequence did not visit every mode: {seen:?}"
    );
    Ok(Outcome::Pass)
}

/// Writes `bytes` to a new file in the PKI's directory (a file form's input).
fn write_bytes(pki: &Pki, name: &str, bytes: &[u8]) -> Result<std::path::PathBuf, String> {
    let path = pki.dir().join(name);
    std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// Loads `chain` / `key` from memory into a new server context, then
/// completes a real handshake with `client`, which verifies the server.
fn memory_identity_handshake<B: Backend>(
    client: &B::Context,
    chain: ssl_api::CertChain<'_>,
    key: Option<ssl_api::KeyData<'_>>,
    password: Option<Password>,
) -> Result<(), String> {
    let server = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    server
        .load_cert_chain_from_memory(chain, key, password)
        .map_err(e2s)?;
    let (mut c, mut s) = wrap_pair::<B, B>(client, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    ensure!(
        c.getpeercert_der().map_err(e2s)?.is_some(),
        "no verified peer certificate"
    );
    Ok(())
}

/// The failure of `chain` / `key` (PEM) from memory, checked against the
/// file form of the same bytes (written to files `<tag>.crt` / `<tag>.key`):
/// the same Python type, library, reason and text, which must be `expected`.
fn memory_fails_as_file<B: Backend>(
    pki: &Pki,
    tag: &str,
    chain: &[u8],
    key: Option<&[u8]>,
    password: &dyn Fn() -> Option<Password>,
    expected: &str,
) -> Result<(), String> {
    fn view(e: &Error) -> (&'static str, Option<String>, Option<String>, String) {
        let own = |s: Option<&str>| s.map(str::to_owned);
        (
            e.python_type(),
            own(e.library()),
            own(e.reason()),
            e.to_string(),
        )
    }
    let s = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    let memory = s
        .load_cert_chain_from_memory(
            ssl_api::CertChain::Pem(chain),
            key.map(ssl_api::KeyData::Pem),
            password(),
        )
        .err()
        .ok_or_else(|| format!("{tag}: accepted from memory"))?;
    let certfile = write_bytes(pki, &format!("{tag}.crt"), chain)?;
    let keyfile = key
        .map(|k| write_bytes(pki, &format!("{tag}.key"), k))
        .transpose()?;
    let file = s
        .load_cert_chain(&certfile, keyfile.as_deref(), password())
        .err()
        .ok_or_else(|| format!("{tag}: accepted from a file"))?;
    ensure!(
        view(&memory) == view(&file),
        "{tag}: memory gave {:?}, the file form {:?}",
        view(&memory),
        view(&file)
    );
    ensure!(
        memory.to_string() == expected,
        "{tag}: {} ({}), expected {expected}",
        memory,
        memory.python_type()
    );
    Ok(())
}

/// The PEM block's DER contents (a key or certificate in DER form).
fn pem_contents(pem_text: &[u8]) -> Result<Vec<u8>, String> {
    Ok(pem::parse(pem_text)
        .map_err(|e| e.to_string())?
        .into_contents())
}

/// X7 (Rust addition): `load_cert_chain_from_memory` loads what the file
/// form loads and fails as it fails. From memory: PEM chain + PEM key, DER
/// leaf + DER PKCS#8 key, one PEM buffer holding key and certificate (both
/// orders; through the object-safe `DynContext` too) each complete a real
/// handshake with a client trusting the CA; a leaf with its intermediate
/// (PEM, and concatenated DER) verifies with a client trusting only the root. A mismatched key, garbage, empty
/// input (chain or key), a certificate without its key give the error the
/// file form gives for the same bytes (type, library, reason, text);
/// garbage or empty DER is `[SSL] PEM lib` too.
pub fn load_cert_chain_from_memory<B: Backend>(pki: &Pki) -> CaseResult {
    use ssl_api::{CertChain, KeyData};
    let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| e.to_string());
    let (cert, key) = (read(&pki.server.cert)?, read(&pki.server.key)?);
    let client = client_ctx::<B>(pki)?;
    memory_identity_handshake::<B>(
        &client,
        CertChain::Pem(&cert),
        Some(KeyData::Pem(&key)),
        None,
    )
    .map_err(|e| format!("PEM chain + PEM key: {e}"))?;
    let key_der = pem_contents(&key)?;
    memory_identity_handshake::<B>(
        &client,
        CertChain::Der(&pki.server.der),
        Some(KeyData::Der(&key_der)),
        None,
    )
    .map_err(|e| format!("DER leaf + DER key: {e}"))?;
    for (name, combined) in [
        ("key first", [&key[..], &cert[..]].concat()),
        ("cert first", [&cert[..], &key[..]].concat()),
    ] {
        memory_identity_handshake::<B>(&client, CertChain::Pem(&combined), None, None)
            .map_err(|e| format!("combined PEM, {name}: {e}"))?;
    }
    // A leaf with its intermediate, PEM and DER: the server sends the
    // intermediate (the client trusts only the root).
    let chained = crate::pki::ChainedIdentity::generate()?;
    let root_only = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    root_only
        .load_verify_locations(None, None, Some(ssl_api::CaData::Pem(chained.root_pem)))
        .map_err(e2s)?;
    let chain_key = KeyData::Pem(chained.key_pem.as_bytes());
    for (what, chain) in [
        ("PEM", CertChain::Pem(chained.chain_pem.as_bytes())),
        ("DER", CertChain::Der(&chained.chain_der)),
    ] {
        memory_identity_handshake::<B>(&root_only, chain, Some(chain_key), None)
            .map_err(|e| format!("leaf + intermediate, {what}: {e}"))?;
    }
    // The object-safe layer reaches the same method.
    let server = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    let dynamic: &dyn ssl_api::dynamic::DynContext = &server;
    dynamic
        .load_cert_chain_from_memory(CertChain::Pem(&[&cert[..], &key[..]].concat()), None, None)
        .map_err(|e| format!("DynContext: {}", e2s(e)))?;
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;

    const PEM_LIB: &str = "[SSL] PEM lib";
    let other_key = read(&pki.client.key)?;
    let none = || None;
    // (file tag, chain, key, expected error)
    type Failure<'a> = (&'a str, &'a [u8], Option<&'a [u8]>, &'a str);
    let failures: [Failure<'_>; 7] = [
        (
            "mem-mismatch",
            &cert,
            Some(&other_key),
            "[X509: KEY_VALUES_MISMATCH] key values mismatch",
        ),
        ("mem-garbage-chain", b"hello\n", Some(&key), PEM_LIB),
        ("mem-garbage-key", &cert, Some(b"hello\n"), PEM_LIB),
        ("mem-empty-chain", b"", Some(&key), PEM_LIB),
        ("mem-empty-key", &cert, Some(b""), PEM_LIB),
        ("mem-empty-combined", b"", None, PEM_LIB),
        ("mem-cert-without-key", &cert, None, PEM_LIB),
    ];
    for (tag, chain, key, expected) in failures {
        memory_fails_as_file::<B>(pki, tag, chain, key, &none, expected)?;
    }
    // DER has no file form: what is not DER fails as unreadable PEM does.
    let s = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    for (what, chain, key) in [
        ("garbage DER chain", &b"\x30\x03\x02\x01"[..], &key_der[..]),
        ("empty DER chain", b"", &key_der),
        ("garbage DER key", &pki.server.der, b"\x30\x03\x02\x01\x00"),
        ("empty DER key", &pki.server.der, b""),
    ] {
        match s.load_cert_chain_from_memory(CertChain::Der(chain), Some(KeyData::Der(key)), None) {
            Err(e) => ensure!(
                e.to_string() == PEM_LIB && e.python_type() == "SSLError",
                "{what}: {e} ({})",
                e.python_type()
            ),
            Ok(()) => return Err(format!("{what} accepted")),
        }
    }
    Ok(Outcome::Pass)
}

/// X7 (Rust addition): keys from memory in every form the file form reads,
/// and their passwords. An encrypted PKCS#8 key (PEM and DER) loads with the
/// password as str, bytes and callback; PKCS#1 RSA and SEC1 EC keys as PEM
/// and DER, and a legacy encrypted PEM key, load; each then completes a
/// real handshake. A wrong password, a missing one, a callback's error and
/// a password over 1024 bytes fail exactly as the file form of the same
/// bytes does. (Keys written by the `openssl` tool.)
pub fn load_cert_chain_from_memory_password_forms<B: Backend>(pki: &Pki) -> CaseResult {
    use crate::pki::KeyForm;
    use ssl_api::{CertChain, KeyData};
    use std::sync::Arc;
    let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| e.to_string());
    let cert = read(&pki.server.cert)?;
    let encrypted = read(&pki.encrypted_server_key("secret")?)?;
    let encrypted_der = pem_contents(&encrypted)?;
    let client = client_ctx::<B>(pki)?;
    let forms = || {
        [
            Password::Str("secret".into()),
            Password::Bytes(b"secret".to_vec()),
            Password::Callback(Arc::new(|| Ok(b"secret".to_vec()))),
        ]
    };
    for (key, what) in [
        (KeyData::Pem(&encrypted), "encrypted PKCS#8 PEM"),
        (KeyData::Der(&encrypted_der), "encrypted PKCS#8 DER"),
    ] {
        for password in forms() {
            let form = format!("{what}, {password:?}");
            memory_identity_handshake::<B>(
                &client,
                CertChain::Pem(&cert),
                Some(key),
                Some(password),
            )
            .map_err(|e| format!("{form}: {e}"))?;
        }
    }
    for form in [
        KeyForm::RsaPkcs1,
        KeyForm::EcSec1,
        KeyForm::RsaLegacyEncrypted,
    ] {
        let id = pki.openssl_identity(form)?;
        let key = read(&id.key)?;
        // Self-signed: the client trusts the certificate itself.
        let trusting = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
        trusting
            .load_verify_locations(None, None, Some(ssl_api::CaData::Der(id.der.clone())))
            .map_err(e2s)?;
        let password =
            || (form == KeyForm::RsaLegacyEncrypted).then(|| Password::Str("secret".into()));
        memory_identity_handshake::<B>(
            &trusting,
            CertChain::Der(&id.der),
            Some(KeyData::Pem(&key)),
            password(),
        )
        .map_err(|e| format!("{form:?} PEM: {e}"))?;
        if form != KeyForm::RsaLegacyEncrypted {
            let der = pem_contents(&key)?;
            memory_identity_handshake::<B>(
                &trusting,
                CertChain::Der(&id.der),
                Some(KeyData::Der(&der)),
                None,
            )
            .map_err(|e| format!("{form:?} DER: {e}"))?;
        }
    }

    type PasswordOf<'a> = &'a dyn Fn() -> Option<Password>;
    let failing: [(&str, PasswordOf<'_>, &str); 4] = [
        (
            "mem-wrong-password",
            &|| Some(Password::Str("wrong".into())),
            "[SSL] PEM lib",
        ),
        ("mem-no-password", &|| None, "[SSL] PEM lib"),
        (
            "mem-callback-error",
            &|| {
                Some(Password::Callback(Arc::new(|| {
                    Err(Error::value("no password today"))
                })))
            },
            "no password today",
        ),
        (
            "mem-long-password",
            &|| Some(Password::Bytes(vec![b'x'; 2000])),
            "password cannot be longer than 1024 bytes",
        ),
    ];
    for (tag, password, expected) in failing {
        memory_fails_as_file::<B>(pki, tag, &cert, Some(&encrypted), password, expected)?;
    }
    // The DER form of the same key fails the same way.
    let s = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    match s.load_cert_chain_from_memory(
        CertChain::Pem(&cert),
        Some(KeyData::Der(&encrypted_der)),
        Some(Password::Str("wrong".into())),
    ) {
        Err(e) => ensure!(e.to_string() == "[SSL] PEM lib", "DER, wrong password: {e}"),
        Ok(()) => return Err("DER key with a wrong password accepted".into()),
    }
    Ok(Outcome::Pass)
}
