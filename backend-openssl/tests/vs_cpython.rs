//! CPython as judge: one `python3` process answers every question with its own
//! `ssl` module (CPython 3.11 on the same OpenSSL 3.0), and this backend must
//! give equal answers for the same inputs:
//!
//! - `SSLContext(protocol)` defaults (X1-X6, X23+, X21, X22, X11) for every
//!   protocol, and what `create_default_context(SERVER_AUTH / CLIENT_AUTH)`
//!   sets (our side applies the same settings by hand);
//! - `get_ciphers()` names after `set_ciphers(s)` for 60+ cipher strings (X13);
//! - context operations and their errors (X4-X9, X17, X18, X22, X23+, F13);
//! - handshakes over MemoryBIO pairs and their errors, verify codes and
//!   connection facts (S3-S14, E1-E7).
//!
//! A missing `python3` fails the test, never skips it.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use backend_openssl::{OpenSsl, OpenSslContext, OpenSslObject};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, RevokedCertParams, SerialNumber,
};
use serde_json::{json, Map, Value};
use ssl_api::constants::*;
use ssl_api::{
    Backend, Bio, CaData, Context, Error, MemoryBio, Object, Password, Session, WrapOptions,
};

const PY: &str = include_str!("vs_cpython.py");

/// The cipher strings compared (X13).
const CIPHER_STRINGS: &[&str] = &[
    "DEFAULT",
    "ALL",
    "HIGH",
    "HIGH:!aNULL:!MD5",
    "ECDHE+AESGCM:!ECDSA",
    "ALL:eNULL",
    "AESGCM",
    "CHACHA20",
    "aRSA",
    "aECDSA",
    "kECDHE",
    "-ALL:+AES",
    "ALL:@STRENGTH",
    "CHACHA20:AESGCM:@STRENGTH",
    "AES128:AES256:@STRENGTH",
    "@STRENGTH:AES",
    "AESGCM:+ECDSA",
    "ALL:+aRSA",
    "ALL:-ECDSA:ECDSA",
    "ALL:!ECDSA:ECDSA",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305",
    "garbage",
    "NO-SUCH-CIPHER",
    "",
    "DEFAULT:@SECLEVEL=0",
    "DEFAULT:@SECLEVEL=3",
    "MEDIUM",
    "LOW",
    "EXPORT",
    "RC4",
    "3DES",
    "PSK",
    "kRSA",
    "DHE",
    "EDH",
    "ADH",
    "aNULL",
    "eNULL",
    "NULL",
    "COMPLEMENTOFDEFAULT",
    "COMPLEMENTOFALL",
    "ALL:COMPLEMENTOFALL",
    "SHA256",
    "SHA384",
    "SHA1",
    "TLSv1.2",
    "SSLv3",
    "ECDHE-ECDSA-AES128-SHA256:!SHA256",
    "AES:!AES128",
    "kEECDH+aRSA",
    "ECDH+AESGCM:DH+AESGCM",
    "DEFAULT:!ECDHE",
    "HIGH:-AESGCM:+AESGCM",
    "ARIA",
    "CAMELLIA",
    "AESCCM",
    "AESCCM8",
    "!ALL",
    "ALL:!ALL",
    "+ALL",
    "DEFAULT:@SECLEVEL=0:DHE+AESGCM",
    backend_openssl::DEFAULT_CIPHER_STRING,
];

// ---------------------------------------------------------------- files

fn write(dir: &Path, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).expect("write test file");
    p
}

fn leaf(cn: &str, names: &[&str], client: bool) -> CertificateParams {
    let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .expect("params");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.extended_key_usages = vec![if client {
        ExtendedKeyUsagePurpose::ClientAuth
    } else {
        ExtendedKeyUsagePurpose::ServerAuth
    }];
    p
}

fn openssl_cli(args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .stderr(Stdio::null())
        .status()
        .expect("the openssl command-line tool is required");
    assert!(status.success(), "openssl {args:?} failed");
}

/// Generates every file the scenarios use into `dir`.
fn make_files(dir: &Path) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "Judge CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    write(dir, "ca.pem", ca_cert.pem());
    write(dir, "ca.der", ca_cert.der());
    let other_key = KeyPair::generate().unwrap();
    let mut other = CertificateParams::new(Vec::<String>::new()).unwrap();
    other.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    other
        .distinguished_name
        .push(DnType::CommonName, "Other CA");
    write(
        dir,
        "other-ca.pem",
        other.self_signed(&other_key).unwrap().pem(),
    );

    let issue = |name: &str, params: CertificateParams, self_signed: bool| {
        let key = KeyPair::generate().unwrap();
        let cert = if self_signed {
            params.self_signed(&key).unwrap()
        } else {
            params.signed_by(&key, &ca_cert, &ca_key).unwrap()
        };
        write(dir, &format!("{name}.pem"), cert.pem());
        write(dir, &format!("{name}.der"), cert.der());
        write(dir, &format!("{name}.key"), key.serialize_pem());
        (cert.pem(), key.serialize_pem())
    };
    let (server_pem, server_key) = issue(
        "server",
        leaf("localhost", &["localhost", "127.0.0.1", "::1"], false),
        false,
    );
    issue("client", leaf("client", &[], true), false);
    issue(
        "wrong",
        leaf("wrong.example", &["wrong.example"], false),
        false,
    );
    let mut expired = leaf("localhost", &["localhost"], false);
    expired.not_before = rcgen::date_time_ymd(2001, 1, 1);
    expired.not_after = rcgen::date_time_ymd(2002, 1, 1);
    issue("expired", expired, false);
    issue("selfsigned", leaf("localhost", &["localhost"], false), true);
    let mut revoked = leaf("localhost", &["localhost"], false);
    revoked.serial_number = Some(SerialNumber::from(vec![0x0b, 0xad]));
    issue("revoked", revoked, false);
    let crl = CertificateRevocationListParams {
        this_update: rcgen::date_time_ymd(2020, 1, 1),
        next_update: rcgen::date_time_ymd(2099, 1, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![RevokedCertParams {
            serial_number: SerialNumber::from(vec![0x0b, 0xad]),
            revocation_time: rcgen::date_time_ymd(2021, 1, 1),
            reason_code: None,
            invalidity_date: None,
        }],
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    }
    .signed_by(&ca_cert, &ca_key)
    .unwrap()
    .pem()
    .unwrap();
    write(dir, "crl.pem", &crl);
    write(dir, "ca-and-crl.pem", format!("{}{crl}", ca_cert.pem()));
    write(
        dir,
        "key-then-cert.pem",
        format!("{server_key}{server_pem}"),
    );
    write(dir, "garbage.pem", "hello\n");
    let d = dir.to_str().unwrap();
    openssl_cli(&[
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-in",
        &format!("{d}/server.key"),
        "-out",
        &format!("{d}/server-enc.key"),
        "-passout",
        "pass:secret",
    ]);
    openssl_cli(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        &format!("{d}/rsa.key"),
        "-out",
        &format!("{d}/rsa.pem"),
        "-days",
        "30",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost",
    ]);
    openssl_cli(&[
        "genpkey",
        "-genparam",
        "-algorithm",
        "DH",
        "-pkeyopt",
        "group:ffdhe2048",
        "-out",
        &format!("{d}/dh.pem"),
    ]);
    let capath = dir.join("capath");
    std::fs::create_dir_all(&capath).unwrap();
}

// ---------------------------------------------------------------- our side

fn err_json(e: &Error) -> Value {
    match e {
        Error::Io(_) => json!({"exc": e.python_type()}),
        Error::Ssl(s) => {
            let mut m = Map::new();
            m.insert("exc".into(), json!(e.python_type()));
            m.insert("msg".into(), json!(e.to_string()));
            if let Some(v) = &s.verify {
                m.insert("verify_code".into(), json!(v.code));
                m.insert("verify_message".into(), json!(v.message));
            }
            Value::Object(m)
        }
        _ => json!({"exc": e.python_type(), "msg": e.to_string()}),
    }
}

fn res<T: Into<Value>>(r: ssl_api::Result<T>) -> Value {
    match r {
        Ok(v) => json!({"ok": v.into()}),
        Err(e) => err_json(&e),
    }
}

fn ctx(p: Protocol) -> OpenSslContext {
    OpenSslContext::new(p).expect("context")
}

fn attrs(c: &OpenSslContext) -> Value {
    let stats = c.session_stats().unwrap();
    let store = c.cert_store_stats().unwrap();
    let ciphers: Vec<Value> = c
        .get_ciphers()
        .unwrap()
        .iter()
        .map(|i| {
            let m: Map<String, Value> = i
                .to_pairs()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_json()))
                .collect();
            Value::Object(m)
        })
        .collect();
    json!({
        "protocol": c.protocol().value(),
        "options": c.options().value(),
        "verify_mode": c.verify_mode().value(),
        "verify_flags": c.verify_flags().value(),
        "check_hostname": c.check_hostname(),
        "minimum_version": c.minimum_version().value(),
        "maximum_version": c.maximum_version().value(),
        "hostname_checks_common_name": c.hostname_checks_common_name(),
        "post_handshake_auth": c.post_handshake_auth(),
        "session_stats": stats.to_pairs().iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<Map<_, _>>(),
        "cert_store_stats": {"x509": store.x509, "crl": store.crl, "x509_ca": store.x509_ca},
        "ciphers": ciphers,
    })
}

fn f(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

fn server(dir: &Path, cert: &str) -> OpenSslContext {
    let s = ctx(PROTOCOL_TLS_SERVER);
    s.load_cert_chain(
        &f(dir, &format!("{cert}.pem")),
        Some(&f(dir, &format!("{cert}.key"))),
        None,
    )
    .unwrap();
    s
}

fn client(dir: &Path) -> OpenSslContext {
    let c = ctx(PROTOCOL_TLS_CLIENT);
    c.load_verify_locations(Some(&f(dir, "ca.pem")), None, None)
        .unwrap();
    c
}

fn wrap(
    c: &OpenSslContext,
    s: &OpenSslContext,
    host: Option<&str>,
) -> (OpenSslObject, OpenSslObject) {
    let a = c
        .wrap_bio(
            MemoryBio::new(),
            MemoryBio::new(),
            WrapOptions {
                server_side: false,
                server_hostname: host.map(str::to_owned),
                session: None,
            },
        )
        .unwrap();
    let b = s
        .wrap_bio(MemoryBio::new(), MemoryBio::new(), WrapOptions::server())
        .unwrap();
    (a, b)
}

fn xfer(from: &MemoryBio, to: &MemoryBio) {
    let bytes = from.read(None);
    if !bytes.is_empty() {
        let _ = to.write(&bytes);
    }
}

/// Both handshakes, as the Python side runs them: 10 rounds of
/// (client step, server step, move bytes), keeping each side's last result.
fn drive(a: &mut OpenSslObject, b: &mut OpenSslObject) -> (Value, Value) {
    let mut ra: Option<Value> = None;
    let mut rb: Option<Value> = None;
    for _ in 0..10 {
        if ra.is_none() {
            match a.do_handshake() {
                Ok(()) => ra = Some(json!({"ok": null})),
                Err(e) if e.is_want() => {}
                Err(e) => ra = Some(err_json(&e)),
            }
        }
        if rb.is_none() {
            match b.do_handshake() {
                Ok(()) => rb = Some(json!({"ok": null})),
                Err(e) if e.is_want() => {}
                Err(e) => rb = Some(err_json(&e)),
            }
        }
        xfer(
            a.outgoing().expect("made by wrap_bio"),
            b.incoming().expect("made by wrap_bio"),
        );
        xfer(
            b.outgoing().expect("made by wrap_bio"),
            a.incoming().expect("made by wrap_bio"),
        );
    }
    let want = || json!({"exc": "SSLWantReadError"});
    (ra.unwrap_or_else(want), rb.unwrap_or_else(want))
}

fn read_res(o: &mut OpenSslObject, n: usize) -> Value {
    let mut buf = vec![0u8; n];
    match o.read(&mut buf) {
        Ok(k) => json!({"ok": ssl_api::pyvalue::hex_lower(&buf[..k])}),
        Err(e) => err_json(&e),
    }
}

fn hs_facts(a: &OpenSslObject, b: &OpenSslObject) -> Value {
    let triple = |t: Option<ssl_api::CipherTriple>| {
        t.map(|t| json!([t.name, t.protocol, t.bits]))
            .unwrap_or(Value::Null)
    };
    let ca = a.get_channel_binding("tls-unique").unwrap();
    let cb = b.get_channel_binding("tls-unique").unwrap();
    json!({
        "version": [a.version(), b.version()],
        "cipher": [triple(a.cipher()), triple(b.cipher())],
        "alpn": [a.selected_alpn_protocol(), b.selected_alpn_protocol()],
        "shared_ciphers": b.shared_ciphers().map(|l| l.into_iter().map(|t| json!([t.name, t.protocol, t.bits])).collect::<Vec<_>>()),
        "client_shared_ciphers": a.shared_ciphers().is_none(),
        "reused": [a.session_reused(), b.session_reused()],
        "tls_unique_equal": ca == cb,
        "tls_unique_len": ca.map(|v| v.len()),
        "compression": [a.compression(), b.compression()],
        "server_peercert": b.getpeercert().unwrap().map(|r| r.repr()),
        "client_peercert": a.getpeercert().unwrap().map(|r| r.repr()),
        "pending": [a.pending(), b.pending()],
    })
}

fn handshake(c: &OpenSslContext, s: &OpenSslContext, host: Option<&str>) -> Value {
    let (mut a, mut b) = wrap(c, s, host);
    let (ra, rb) = drive(&mut a, &mut b);
    let mut out = json!({"client": ra, "server": rb});
    if out["client"].get("ok").is_some() && out["server"].get("ok").is_some() {
        out["facts"] = hs_facts(&a, &b);
    }
    out
}

fn ours(dir: &Path) -> Map<String, Value> {
    let mut out = Map::new();
    let mut put = |k: &str, v: Value| {
        out.insert(k.to_string(), v);
    };
    for (name, p) in [
        ("TLS", PROTOCOL_TLS),
        ("TLS_CLIENT", PROTOCOL_TLS_CLIENT),
        ("TLS_SERVER", PROTOCOL_TLS_SERVER),
        ("TLSv1", PROTOCOL_TLSv1),
        ("TLSv1_1", PROTOCOL_TLSv1_1),
        ("TLSv1_2", PROTOCOL_TLSv1_2),
    ] {
        put(&format!("defaults/{name}"), attrs(&ctx(p)));
    }
    // create_default_context(SERVER_AUTH) / (CLIENT_AUTH), applied by hand.
    let sa = ctx(PROTOCOL_TLS_CLIENT);
    sa.set_verify_mode(CERT_REQUIRED).unwrap();
    sa.set_check_hostname(true).unwrap();
    sa.load_default_certs(Purpose::SERVER_AUTH).unwrap();
    put("default_context/SERVER_AUTH", attrs(&sa));
    let ca = ctx(PROTOCOL_TLS_SERVER);
    put("default_context/CLIENT_AUTH", attrs(&ca));

    for (i, s) in CIPHER_STRINGS.iter().enumerate() {
        let c = ctx(PROTOCOL_TLS_CLIENT);
        let r = c.set_ciphers(s).map(|()| {
            Value::from(
                c.get_ciphers()
                    .unwrap()
                    .into_iter()
                    .map(|i| i.name)
                    .collect::<Vec<_>>(),
            )
        });
        put(&format!("set_ciphers/{i:02}"), res(r));
    }

    // Context operations.
    let s = || ctx(PROTOCOL_TLS_SERVER);
    let enc = f(dir, "server-enc.key");
    let cert = f(dir, "server.pem");
    put(
        "op/chain_mismatch",
        res(s()
            .load_cert_chain(&cert, Some(&f(dir, "client.key")), None)
            .map(|()| Value::Null)),
    );
    put(
        "op/chain_garbage",
        res(s()
            .load_cert_chain(&f(dir, "garbage.pem"), Some(&f(dir, "server.key")), None)
            .map(|()| Value::Null)),
    );
    put(
        "op/chain_missing",
        res(s()
            .load_cert_chain(&f(dir, "missing.pem"), None, None)
            .map(|()| Value::Null)),
    );
    put(
        "op/chain_key_missing",
        res(s()
            .load_cert_chain(&cert, Some(&f(dir, "missing.key")), None)
            .map(|()| Value::Null)),
    );
    put(
        "op/chain_key_first",
        res(s()
            .load_cert_chain(&f(dir, "key-then-cert.pem"), None, None)
            .map(|()| Value::Null)),
    );
    put(
        "op/chain_unencrypted_with_password",
        res(s()
            .load_cert_chain(
                &cert,
                Some(&f(dir, "server.key")),
                Some(Password::Str("x".into())),
            )
            .map(|()| Value::Null)),
    );
    for (name, pw) in [
        ("str", Some(Password::Str("secret".into()))),
        ("bytes", Some(Password::Bytes(b"secret".to_vec()))),
        (
            "callable",
            Some(Password::Callback(Arc::new(|| Ok(b"secret".to_vec())))),
        ),
        ("wrong", Some(Password::Str("wrong".into()))),
        ("long", Some(Password::Str("x".repeat(2000)))),
        (
            "callable_raises",
            Some(Password::Callback(Arc::new(|| Err(Error::value("boom"))))),
        ),
    ] {
        put(
            &format!("op/enc_{name}"),
            res(s()
                .load_cert_chain(&cert, Some(&enc), pw)
                .map(|()| Value::Null)),
        );
    }
    let stats = |c: &OpenSslContext| {
        let st = c.cert_store_stats().unwrap();
        json!({"x509": st.x509, "crl": st.crl, "x509_ca": st.x509_ca})
    };
    let lvl = |cafile: Option<&str>, capath: Option<&str>, cadata: Option<CaData>| {
        let c = ctx(PROTOCOL_TLS_CLIENT);
        let r = c.load_verify_locations(
            cafile.map(|n| f(dir, n)).as_deref(),
            capath.map(|n| f(dir, n)).as_deref(),
            cadata,
        );
        res(r.map(|()| stats(&c)))
    };
    put("op/lvl_garbage", lvl(Some("garbage.pem"), None, None));
    put("op/lvl_missing", lvl(Some("missing.pem"), None, None));
    put("op/lvl_ca", lvl(Some("ca.pem"), None, None));
    put("op/lvl_ca_and_crl", lvl(Some("ca-and-crl.pem"), None, None));
    put("op/lvl_capath", lvl(None, Some("capath"), None));
    put(
        "op/lvl_cadata_empty_str",
        lvl(None, None, Some(CaData::Pem(String::new()))),
    );
    put(
        "op/lvl_cadata_empty_bytes",
        lvl(None, None, Some(CaData::Der(Vec::new()))),
    );
    put(
        "op/lvl_cadata_garbage_str",
        lvl(None, None, Some(CaData::Pem("garbage".into()))),
    );
    put(
        "op/lvl_cadata_garbage_bytes",
        lvl(None, None, Some(CaData::Der(b"garbage".to_vec()))),
    );
    let read = |n: &str| std::fs::read(f(dir, n)).unwrap();
    let read_s = |n: &str| std::fs::read_to_string(f(dir, n)).unwrap();
    put(
        "op/lvl_cadata_der",
        lvl(
            None,
            None,
            Some(CaData::Der([read("ca.der"), read("server.der")].concat())),
        ),
    );
    put(
        "op/lvl_cadata_pem_with_crl",
        lvl(None, None, Some(CaData::Pem(read_s("ca-and-crl.pem")))),
    );
    put("op/lvl_cadata_pem_twice", {
        let c = ctx(PROTOCOL_TLS_CLIENT);
        let r = c
            .load_verify_locations(None, None, Some(CaData::Pem(read_s("ca.pem"))))
            .and_then(|()| c.load_verify_locations(Some(&f(dir, "ca.pem")), None, None));
        res(r.map(|()| stats(&c)))
    });
    put("op/get_ca_certs", {
        let c = ctx(PROTOCOL_TLS_CLIENT);
        c.load_verify_locations(Some(&f(dir, "ca.pem")), None, None)
            .unwrap();
        c.load_verify_locations(Some(&f(dir, "other-ca.pem")), None, None)
            .unwrap();
        c.load_verify_locations(Some(&f(dir, "server.pem")), None, None)
            .unwrap();
        let der: Vec<String> = c
            .get_ca_certs_der()
            .unwrap()
            .iter()
            .map(|d| ssl_api::pyvalue::hex_lower(d))
            .collect();
        let recs: Vec<String> = c.get_ca_certs().unwrap().iter().map(|r| r.repr()).collect();
        json!({"der": der, "records": recs})
    });
    put(
        "op/dh_garbage",
        res(s()
            .load_dh_params(&f(dir, "garbage.pem"))
            .map(|()| Value::Null)),
    );
    put(
        "op/dh_missing",
        res(s()
            .load_dh_params(&f(dir, "missing.pem"))
            .map(|()| Value::Null)),
    );
    put(
        "op/dh_ok",
        res(s().load_dh_params(&f(dir, "dh.pem")).map(|()| Value::Null)),
    );
    for curve in [
        "foo",
        "prime256v1",
        "X25519",
        "secp384r1",
        "",
        "X448",
        "brainpoolP256r1",
    ] {
        put(
            &format!("op/ecdh_{curve}"),
            res(s().set_ecdh_curve(curve).map(|()| Value::Null)),
        );
    }
    put(
        "op/min_on_fixed",
        res(ctx(PROTOCOL_TLSv1_2)
            .set_minimum_version(TlsVersion::TLSv1_3)
            .map(|()| Value::Null)),
    );
    put("op/versions_readback", {
        let c = ctx(PROTOCOL_TLS);
        let mut seen = Vec::new();
        for (v, max) in [
            (TlsVersion::SSLv3, false),
            (TlsVersion::MINIMUM_SUPPORTED, true),
            (TlsVersion::MAXIMUM_SUPPORTED, false),
            (TlsVersion::MINIMUM_SUPPORTED, false),
            (TlsVersion::MAXIMUM_SUPPORTED, true),
            (TlsVersion::TLSv1_3, true),
            (TlsVersion::TLSv1_1, false),
        ] {
            let r = if max {
                c.set_maximum_version(v)
            } else {
                c.set_minimum_version(v)
            };
            seen.push(json!([
                res(r.map(|()| Value::Null)),
                c.minimum_version().value(),
                c.maximum_version().value()
            ]));
        }
        Value::from(seen)
    });
    put(
        "op/cert_none_with_check_hostname",
        res(ctx(PROTOCOL_TLS_CLIENT)
            .set_verify_mode(CERT_NONE)
            .map(|()| Value::Null)),
    );
    put("op/check_hostname_switches_mode", {
        let c = ctx(PROTOCOL_TLS);
        c.set_check_hostname(true).unwrap();
        json!([c.verify_mode().value(), c.check_hostname()])
    });
    put("op/options_readback", {
        let c = ctx(PROTOCOL_TLS);
        let o = c.options();
        c.set_options(o & !OP_NO_COMPRESSION).unwrap();
        let a = c.options().value();
        c.set_options(c.options() | OP_NO_TICKET | OP_NO_TLSv1_3)
            .unwrap();
        let b = c.options().value();
        c.set_options(Options::from_i64(0)).unwrap();
        json!([a, b, c.options().value()])
    });
    put("op/verify_flags_readback", {
        let c = ctx(PROTOCOL_TLS);
        c.set_verify_flags(
            VerifyFlags::VERIFY_CRL_CHECK_CHAIN
                | VerifyFlags::VERIFY_X509_STRICT
                | VerifyFlags::VERIFY_X509_PARTIAL_CHAIN,
        )
        .unwrap();
        let a = c.verify_flags().value();
        c.set_verify_flags(VerifyFlags::VERIFY_DEFAULT).unwrap();
        json!([a, c.verify_flags().value()])
    });
    put(
        "op/alpn_empty",
        res(ctx(PROTOCOL_TLS)
            .set_alpn_protocols(&[""])
            .map(|()| Value::Null)),
    );
    put(
        "op/sni_on_client",
        res(ctx(PROTOCOL_TLS_CLIENT)
            .set_servername_callback(Some(Arc::new(|_| Ok(None))))
            .map(|()| Value::Null)),
    );
    put("op/default_verify_paths", {
        let p = OpenSsl::get_default_verify_paths();
        json!([
            p.cafile,
            p.capath,
            p.openssl_cafile_env,
            p.openssl_cafile,
            p.openssl_capath_env,
            p.openssl_capath
        ])
    });
    put("op/version_constants", {
        let caps = OpenSsl::capabilities();
        let (a, b, c2, d, e) = caps.library_version_info;
        json!([
            caps.library_version,
            caps.library_version_number,
            [a, b, c2, d, e],
            caps.channel_binding_types,
            caps.has_alpn,
            caps.has_ecdh,
            caps.has_sni,
            caps.has_npn,
            caps.has_sslv2,
            caps.has_sslv3,
            caps.has_tlsv1,
            caps.has_tlsv1_1,
            caps.has_tlsv1_2,
            caps.has_tlsv1_3,
            caps.has_never_check_common_name
        ])
    });
    put(
        "op/rand",
        json!([
            OpenSsl::rand_bytes(16).unwrap().len(),
            OpenSsl::rand_status(),
            OpenSsl::rand_pseudo_bytes(8).unwrap().1,
            OpenSsl::rand_add(b"abc", 1.5).is_ok()
        ]),
    );

    // Handshakes.
    put(
        "hs/ok_tls13",
        handshake(&client(dir), &server(dir, "server"), Some("localhost")),
    );
    let c12 = client(dir);
    c12.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
    put(
        "hs/ok_tls12",
        handshake(&c12, &server(dir, "server"), Some("localhost")),
    );
    put(
        "hs/ip_ok",
        handshake(&client(dir), &server(dir, "server"), Some("127.0.0.1")),
    );
    put(
        "hs/ip_mismatch",
        handshake(&client(dir), &server(dir, "server"), Some("127.0.0.2")),
    );
    let other = ctx(PROTOCOL_TLS_CLIENT);
    other
        .load_verify_locations(Some(&f(dir, "other-ca.pem")), None, None)
        .unwrap();
    put(
        "hs/unknown_ca",
        handshake(&other, &server(dir, "server"), Some("localhost")),
    );
    put(
        "hs/hostname_mismatch",
        handshake(&client(dir), &server(dir, "wrong"), Some("localhost")),
    );
    put(
        "hs/expired",
        handshake(&client(dir), &server(dir, "expired"), Some("localhost")),
    );
    put(
        "hs/self_signed",
        handshake(&client(dir), &server(dir, "selfsigned"), Some("localhost")),
    );
    let no_check = client(dir);
    no_check.set_check_hostname(false).unwrap();
    put(
        "hs/no_check_hostname",
        handshake(&no_check, &server(dir, "wrong"), Some("localhost")),
    );
    let cert_none = ctx(PROTOCOL_TLS_CLIENT);
    cert_none.set_check_hostname(false).unwrap();
    cert_none.set_verify_mode(CERT_NONE).unwrap();
    put(
        "hs/cert_none",
        handshake(&cert_none, &server(dir, "selfsigned"), Some("localhost")),
    );
    let req = server(dir, "server");
    req.set_verify_mode(CERT_REQUIRED).unwrap();
    req.load_verify_locations(Some(&f(dir, "ca.pem")), None, None)
        .unwrap();
    put(
        "hs/client_cert_missing",
        handshake(&client(dir), &req, Some("localhost")),
    );
    let with_cert = client(dir);
    with_cert
        .load_cert_chain(&f(dir, "client.pem"), Some(&f(dir, "client.key")), None)
        .unwrap();
    put(
        "hs/client_cert_ok",
        handshake(&with_cert, &req, Some("localhost")),
    );
    let opt = server(dir, "server");
    opt.set_verify_mode(CERT_OPTIONAL).unwrap();
    put(
        "hs/client_cert_optional_untrusted",
        handshake(&with_cert, &opt, Some("localhost")),
    );
    put(
        "hs/no_server_cert",
        handshake(&client(dir), &ctx(PROTOCOL_TLS_SERVER), Some("localhost")),
    );
    let s13 = server(dir, "server");
    s13.set_minimum_version(TlsVersion::TLSv1_3).unwrap();
    put(
        "hs/version_mismatch",
        handshake(&c12, &s13, Some("localhost")),
    );
    for (name, v, seclevel0) in [
        ("tls10_default", TlsVersion::TLSv1, false),
        ("tls10_seclevel0", TlsVersion::TLSv1, true),
        ("tls11_seclevel0", TlsVersion::TLSv1_1, true),
    ] {
        let c = client(dir);
        let sv = server(dir, "server");
        for x in [&c, &sv] {
            x.set_minimum_version(v).unwrap();
            x.set_maximum_version(v).unwrap();
            if seclevel0 {
                x.set_ciphers("DEFAULT:@SECLEVEL=0").unwrap();
            }
        }
        put(&format!("hs/{name}"), handshake(&c, &sv, Some("localhost")));
    }
    for (name, dh) in [("dhe_without_params", false), ("dhe_with_params", true)] {
        let c = client(dir);
        c.load_verify_locations(Some(&f(dir, "rsa.pem")), None, None)
            .unwrap();
        c.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
        c.set_ciphers("DHE+AESGCM").unwrap();
        let sv = server(dir, "rsa");
        sv.set_ciphers("DHE+AESGCM").unwrap();
        if dh {
            sv.load_dh_params(&f(dir, "dh.pem")).unwrap();
        }
        put(&format!("hs/{name}"), handshake(&c, &sv, Some("localhost")));
    }
    let alpn_s = server(dir, "server");
    alpn_s.set_alpn_protocols(&["h2", "http/1.1"]).unwrap();
    let alpn_c = client(dir);
    alpn_c.set_alpn_protocols(&["http/1.1", "h2"]).unwrap();
    put(
        "hs/alpn_overlap",
        handshake(&alpn_c, &alpn_s, Some("localhost")),
    );
    let alpn_x = client(dir);
    alpn_x.set_alpn_protocols(&["spdy/3"]).unwrap();
    put(
        "hs/alpn_none",
        handshake(&alpn_x, &alpn_s, Some("localhost")),
    );
    let sni = server(dir, "server");
    sni.set_servername_callback(Some(Arc::new(|_| {
        Ok(Some(ALERT_DESCRIPTION_UNRECOGNIZED_NAME))
    })))
    .unwrap();
    put(
        "hs/sni_alert",
        handshake(&client(dir), &sni, Some("localhost")),
    );
    sni.set_servername_callback(Some(Arc::new(|_| {
        Ok(Some(ALERT_DESCRIPTION_ACCESS_DENIED))
    })))
    .unwrap();
    put(
        "hs/sni_alert_access_denied",
        handshake(&client(dir), &sni, Some("localhost")),
    );
    sni.set_servername_callback(Some(Arc::new(|_| Err(Error::value("boom")))))
        .unwrap();
    put(
        "hs/sni_raises",
        handshake(&client(dir), &sni, Some("localhost")),
    );
    let target = server(dir, "wrong");
    sni.set_servername_callback(Some(Arc::new(move |req| {
        req.context = target.clone();
        Ok(None)
    })))
    .unwrap();
    put("hs/sni_swap", handshake(&no_check, &sni, Some("localhost")));
    let crl_c = client(dir);
    crl_c
        .set_verify_flags(crl_c.verify_flags() | VerifyFlags::VERIFY_CRL_CHECK_LEAF)
        .unwrap();
    put(
        "hs/crl_missing",
        handshake(&crl_c, &server(dir, "server"), Some("localhost")),
    );
    crl_c
        .load_verify_locations(Some(&f(dir, "crl.pem")), None, None)
        .unwrap();
    put(
        "hs/crl_revoked",
        handshake(&crl_c, &server(dir, "revoked"), Some("localhost")),
    );
    put(
        "hs/crl_good",
        handshake(&crl_c, &server(dir, "server"), Some("localhost")),
    );

    // Garbage on the wire.
    {
        let (_a, mut b) = wrap(&client(dir), &server(dir, "server"), Some("localhost"));
        b.incoming()
            .expect("made by wrap_bio")
            .write(b"GET / HTTP/1.0\r\n\r\n")
            .unwrap();
        put(
            "hs/http_to_server",
            res(b.do_handshake().map(|()| Value::Null)),
        );
        let (mut a, _b) = wrap(&client(dir), &server(dir, "server"), Some("localhost"));
        let _ = a.do_handshake();
        a.incoming()
            .expect("made by wrap_bio")
            .write(b"HTTP/1.0 400 Bad Request\r\n\r\n")
            .unwrap();
        put(
            "hs/http_to_client",
            res(a.do_handshake().map(|()| Value::Null)),
        );
    }

    // Close and truncation (E2, E6, S10).
    {
        let (mut a, mut b) = wrap(&client(dir), &server(dir, "server"), Some("localhost"));
        drive(&mut a, &mut b);
        let mut steps = vec![res(a.unwrap().map(|()| Value::Null))];
        xfer(
            a.outgoing().expect("made by wrap_bio"),
            b.incoming().expect("made by wrap_bio"),
        );
        steps.push(read_res(&mut b, 16));
        steps.push(res(b.write(b"x").map(Value::from)));
        steps.push(res(b.unwrap().map(|()| Value::Null)));
        xfer(
            b.outgoing().expect("made by wrap_bio"),
            a.incoming().expect("made by wrap_bio"),
        );
        steps.push(read_res(&mut a, 16));
        steps.push(res(a.unwrap().map(|()| Value::Null)));
        steps.push(read_res(&mut a, 16));
        steps.push(read_res(&mut b, 16));
        put("io/close_sequence", Value::from(steps));
        let (mut a, mut b) = wrap(&client(dir), &server(dir, "server"), Some("localhost"));
        drive(&mut a, &mut b);
        b.incoming().expect("made by wrap_bio").write_eof();
        put("io/truncated", read_res(&mut b, 16));
        let (mut a, mut b) = wrap(&client(dir), &server(dir, "server"), Some("localhost"));
        let before = json!([
            a.version(),
            a.cipher().is_none(),
            a.get_channel_binding("tls-unique").unwrap(),
            read_res(&mut b, 4),
            res(a.getpeercert_der().map(|_| Value::Null))
        ]);
        put("io/before_handshake", before);
        drive(&mut a, &mut b);
        a.write(b"hello world").unwrap();
        xfer(
            a.outgoing().expect("made by wrap_bio"),
            b.incoming().expect("made by wrap_bio"),
        );
        let first = read_res(&mut b, 5);
        put(
            "io/pending",
            json!([first, b.pending(), read_res(&mut b, 100)]),
        );
    }

    // Sessions (S14, N1, X21).
    for (name, max) in [
        ("tls13", TlsVersion::TLSv1_3),
        ("tls12", TlsVersion::TLSv1_2),
    ] {
        let c = client(dir);
        c.set_maximum_version(max).unwrap();
        let sv = server(dir, "server");
        let (mut a, mut b) = wrap(&c, &sv, Some("localhost"));
        drive(&mut a, &mut b);
        b.write(b"hello").unwrap();
        xfer(
            b.outgoing().expect("made by wrap_bio"),
            a.incoming().expect("made by wrap_bio"),
        );
        let _ = read_res(&mut a, 5);
        let session = a.session().unwrap();
        let first = json!([
            session.has_ticket(),
            session.timeout(),
            session.ticket_lifetime_hint(),
            session.id().len()
        ]);
        let mut a2 = c
            .wrap_bio(
                MemoryBio::new(),
                MemoryBio::new(),
                WrapOptions {
                    server_side: false,
                    server_hostname: Some("localhost".into()),
                    session: Some(session.clone()),
                },
            )
            .unwrap();
        let mut b2 = sv
            .wrap_bio(MemoryBio::new(), MemoryBio::new(), WrapOptions::server())
            .unwrap();
        let (r1, r2) = drive(&mut a2, &mut b2);
        let other_ctx = client(dir);
        let wrong = other_ctx.wrap_bio(
            MemoryBio::new(),
            MemoryBio::new(),
            WrapOptions {
                server_side: false,
                server_hostname: Some("localhost".into()),
                session: Some(session),
            },
        );
        let stats = |x: &OpenSslContext| {
            x.session_stats()
                .unwrap()
                .to_pairs()
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect::<Map<_, _>>()
        };
        put(
            &format!("session/{name}"),
            json!({
                "first": first,
                "second": [r1, r2],
                "reused": [a2.session_reused(), b2.session_reused()],
                "other_context": res(wrong.map(|_| Value::Null)),
                "client_stats": stats(&c),
                "server_stats": stats(&sv),
            }),
        );
    }

    // Post-handshake client authentication (X23+).
    {
        let c = client(dir);
        c.load_cert_chain(&f(dir, "client.pem"), Some(&f(dir, "client.key")), None)
            .unwrap();
        c.set_post_handshake_auth(true).unwrap();
        let sv = server(dir, "server");
        sv.set_verify_mode(CERT_REQUIRED).unwrap();
        sv.load_verify_locations(Some(&f(dir, "ca.pem")), None, None)
            .unwrap();
        sv.set_post_handshake_auth(true).unwrap();
        let (mut a, mut b) = wrap(&c, &sv, Some("localhost"));
        let (ra, rb) = drive(&mut a, &mut b);
        let mut steps = vec![ra, rb, json!(b.getpeercert().unwrap().is_some())];
        steps.push(res(b.verify_client_post_handshake().map(|()| Value::Null)));
        steps.push(res(b.write(b"ping").map(Value::from)));
        xfer(
            b.outgoing().expect("made by wrap_bio"),
            a.incoming().expect("made by wrap_bio"),
        );
        steps.push(read_res(&mut a, 4));
        xfer(
            a.outgoing().expect("made by wrap_bio"),
            b.incoming().expect("made by wrap_bio"),
        );
        steps.push(read_res(&mut b, 4));
        steps.push(json!(b.getpeercert().unwrap().map(|r| r.repr())));
        put("hs/post_handshake_auth", Value::from(steps));
    }
    out
}

// ---------------------------------------------------------------- the judge

fn python(dir: &Path) -> Map<String, Value> {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(PY)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is required for this test (it is the judge)");
    let input = json!({"dir": dir, "ciphers": CIPHER_STRINGS, "default_ciphers": backend_openssl::DEFAULT_CIPHER_STRING});
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python3 failed");
    match serde_json::from_slice::<Value>(&out.stdout).expect("python3 answered JSON") {
        Value::Object(m) => m,
        other => panic!("unexpected python answer {other}"),
    }
}

#[test]
fn same_answers_as_cpython() {
    let dir = tempfile::tempdir().unwrap();
    make_files(dir.path());
    let theirs = python(dir.path());
    let mine = ours(dir.path());
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for (key, want) in &theirs {
        compared += 1;
        match mine.get(key) {
            Some(got) if got == want => {}
            Some(got) => mismatches.push(format!("{key}:\n  cpython: {want}\n  ours:    {got}")),
            None => mismatches.push(format!("{key}: not computed on our side")),
        }
    }
    for key in mine.keys().filter(|k| !theirs.contains_key(*k)) {
        mismatches.push(format!("{key}: not computed by python"));
    }
    eprintln!(
        "compared {compared} answers with CPython: {} matched",
        compared - mismatches.len()
    );
    assert!(compared >= 150, "too few comparisons: {compared}");
    assert!(
        mismatches.is_empty(),
        "{} of {compared} differ from CPython:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
