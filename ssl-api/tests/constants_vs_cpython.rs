//! Constants (C1-C4, C8-C10, `TLSVersion`) against the machine's CPython
//! 3.11 / OpenSSL 3: names, values, `repr()`, `str()`, `.name`, and
//! `ValueError` messages. Runs `python3` once; fails if it is missing.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::process::Command;

use serde_json::Value;
use ssl_api::constants::{
    self, module_constants, AlertDescription, Options, Protocol, Purpose, SslErrorNumber,
    TlsVersion, VerifyFlags, VerifyMode,
};

const PYTHON: &str = r#"
import json, random, ssl, warnings
warnings.simplefilter("ignore")

PREFIXES = ("CERT_", "VERIFY_", "PROTOCOL_", "OP_", "ALERT_DESCRIPTION_", "SSL_ERROR_")
PER_BACKEND_PREFIXES = ("HAS_", "OPENSSL_VERSION")
PER_BACKEND = {"CHANNEL_BINDING_TYPES", "_OPENSSL_API_VERSION"}

consts = {}
for n in dir(ssl):
    if not n.startswith(PREFIXES) or n.startswith(PER_BACKEND_PREFIXES) or n in PER_BACKEND:
        continue
    v = getattr(ssl, n)
    if isinstance(v, int) and not isinstance(v, bool):
        consts[n] = [int(v), repr(v), str(v)]

classes = {}
for cname in ["VerifyMode", "VerifyFlags", "_SSLMethod", "Options", "TLSVersion",
              "AlertDescription", "SSLErrorNumber"]:
    E = getattr(ssl, cname)
    classes[cname] = [[n, int(m), repr(m), str(m), m.name] for n, m in E.__members__.items()]

def flag_cases(F, extra):
    members = [int(m) for m in F.__members__.values()]
    vals = set(extra)
    vals.update(1 << b for b in range(41))
    vals.update(a | c for a in members for c in members)
    rnd = random.Random(311)
    for _ in range(300):
        v = 0
        for m in rnd.sample(members, rnd.randint(1, len(members))):
            v |= m
        if rnd.random() < 0.5:
            v |= rnd.getrandbits(rnd.choice([8, 20, 32, 40, 62]))
        vals.add(v)
    vals.update([(1 << 63) - 1, -1, -2, -5, -12, -(1 << 20), -(1 << 20) - 1,
                 -(1 << 32), -(1 << 32) - 7, -(1 << 40), -(1 << 63)])
    out = []
    for v in sorted(vals):
        f = F(v)
        out.append([v, int(f), repr(f), str(f), f.name])
    return out

client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
default = ssl.create_default_context()
flags = {
    "Options": flag_cases(ssl.Options, [int(client.options), int(server.options),
                                        int(default.options),
                                        int(client.options & ~ssl.OP_NO_COMPRESSION)]),
    "VerifyFlags": flag_cases(ssl.VerifyFlags, [int(client.verify_flags),
                                                int(default.verify_flags)]),
}
context_defaults = {
    "client_options": repr(client.options),
    "server_options": repr(server.options),
    "client_verify_flags": repr(client.verify_flags),
    "client_verify_mode": repr(client.verify_mode),
    "server_verify_mode": repr(server.verify_mode),
    "client_minimum_version": repr(client.minimum_version),
    "client_maximum_version": repr(client.maximum_version),
}

invalid = {}
for cname in ["VerifyMode", "_SSLMethod", "TLSVersion", "AlertDescription", "SSLErrorNumber"]:
    E = getattr(ssl, cname)
    out = []
    for v in [-3, -2, -1, 0, 1, 2, 3, 6, 9, 11, 16, 18, 99, 116, 768, 773, 12345, 2**62, -2**63]:
        try:
            out.append([v, None, repr(E(v))])
        except ValueError as e:
            out.append([v, str(e), None])
    invalid[cname] = out

purpose = [[n, m.nid, m.shortname, m.longname, m.oid, repr(m), str(m), repr(m.value)]
           for n, m in ssl.Purpose.__members__.items()]

import sys
print(json.dumps({"python": sys.version.split()[0], "openssl": ssl.OPENSSL_VERSION,
                  "consts": consts, "classes": classes, "flags": flags,
                  "context_defaults": context_defaults, "invalid": invalid,
                  "purpose": purpose}))
"#;

#[derive(Default)]
struct Checker {
    compared: usize,
    matched: usize,
    mismatches: Vec<String>,
}

impl Checker {
    fn eq<T: PartialEq + Debug>(&mut self, what: &str, rust: T, python: T) {
        self.compared += 1;
        if rust == python {
            self.matched += 1;
        } else {
            self.mismatches
                .push(format!("{what}: rust={rust:?} python={python:?}"));
        }
    }
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("<not a string>")
}

fn i(v: &Value) -> i64 {
    v.as_i64().unwrap_or(i64::MIN + 1)
}

fn opt_s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

fn run_python() -> Value {
    let out = Command::new("python3")
        .arg("-c")
        .arg(PYTHON)
        .output()
        .expect("python3 must be installed: this test compares against CPython 3.11");
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python3 printed JSON")
}

/// The Rust `(value, repr, str)` of the module constant `name` with `value`,
/// through the type its prefix names.
fn rust_const_repr(name: &str, value: i64) -> Option<(i64, String, String)> {
    let (v, repr, st) = if name.starts_with("CERT_") {
        let x = VerifyMode::from_i64(value).ok()?;
        (x.value(), x.repr(), x.to_string())
    } else if name.starts_with("VERIFY_") {
        let x = VerifyFlags::from_i64(value);
        (x.value(), x.repr(), x.to_string())
    } else if name.starts_with("PROTOCOL_") {
        let x = Protocol::from_i64(value).ok()?;
        (x.value(), x.repr(), x.to_string())
    } else if name.starts_with("OP_") {
        let x = Options::from_i64(value);
        (x.value(), x.repr(), x.to_string())
    } else if name.starts_with("ALERT_DESCRIPTION_") {
        let x = AlertDescription::from_i64(value).ok()?;
        (x.value(), x.repr(), x.to_string())
    } else if name.starts_with("SSL_ERROR_") {
        let x = SslErrorNumber::from_i64(value).ok()?;
        (x.value(), x.repr(), x.to_string())
    } else {
        return None;
    };
    Some((v, repr, st))
}

/// `(value, repr, str, name)` of the Rust member of Python class `cname`
/// named `name`.
fn rust_member(cname: &str, name: &str) -> Option<(i64, String, String, Option<String>)> {
    macro_rules! int_enum {
        ($ty:ty) => {{
            let x = <$ty>::from_name(name)?;
            Some((
                x.value(),
                x.repr(),
                x.to_string(),
                Some(x.name().to_owned()),
            ))
        }};
    }
    macro_rules! int_flag {
        ($ty:ty) => {{
            let x = <$ty>::from_name(name)?;
            Some((x.value(), x.repr(), x.to_string(), x.name()))
        }};
    }
    match cname {
        "VerifyMode" => int_enum!(VerifyMode),
        "_SSLMethod" => int_enum!(Protocol),
        "TLSVersion" => int_enum!(TlsVersion),
        "AlertDescription" => int_enum!(AlertDescription),
        "SSLErrorNumber" => int_enum!(SslErrorNumber),
        "VerifyFlags" => int_flag!(VerifyFlags),
        "Options" => int_flag!(Options),
        _ => None,
    }
}

/// Python names of the Rust members of `cname`, in Rust's `MEMBERS` order.
fn rust_member_names(cname: &str) -> Vec<String> {
    fn names<T: Copy>(members: &[T], name: impl Fn(T) -> String) -> Vec<String> {
        members.iter().map(|&m| name(m)).collect()
    }
    match cname {
        "VerifyMode" => names(VerifyMode::MEMBERS, |m| m.name().into()),
        "_SSLMethod" => names(Protocol::MEMBERS, |m| m.name().into()),
        "TLSVersion" => names(TlsVersion::MEMBERS, |m| m.name().into()),
        "AlertDescription" => names(AlertDescription::MEMBERS, |m| m.name().into()),
        "SSLErrorNumber" => names(SslErrorNumber::MEMBERS, |m| m.name().into()),
        "VerifyFlags" => <VerifyFlags as bitflags::Flags>::FLAGS
            .iter()
            .map(|f| f.name().to_owned())
            .collect(),
        "Options" => <Options as bitflags::Flags>::FLAGS
            .iter()
            .map(|f| f.name().to_owned())
            .collect(),
        _ => Vec::new(),
    }
}

/// `(repr or ValueError message)` of the Rust `cname(value)`.
fn rust_from_i64(cname: &str, value: i64) -> Result<String, String> {
    fn conv<T>(r: ssl_api::Result<T>, repr: impl Fn(T) -> String) -> Result<String, String> {
        r.map(repr).map_err(|e| {
            assert_eq!(e.python_type(), "ValueError");
            e.to_string()
        })
    }
    match cname {
        "VerifyMode" => conv(VerifyMode::try_from(value), VerifyMode::repr),
        "_SSLMethod" => conv(Protocol::try_from(value), Protocol::repr),
        "TLSVersion" => conv(TlsVersion::try_from(value), TlsVersion::repr),
        "AlertDescription" => conv(AlertDescription::try_from(value), AlertDescription::repr),
        "SSLErrorNumber" => conv(SslErrorNumber::try_from(value), SslErrorNumber::repr),
        _ => Err(format!("unknown class {cname}")),
    }
}

#[test]
fn constants_match_cpython() {
    let py = run_python();
    let mut c = Checker::default();
    eprintln!(
        "comparing against Python {} / {}",
        s(&py["python"]),
        s(&py["openssl"])
    );
    assert!(
        s(&py["python"]).starts_with("3.11.") && s(&py["openssl"]).starts_with("OpenSSL 3."),
        "the reference is CPython 3.11 on OpenSSL 3"
    );

    // 1. Module-level constants: same names (both directions) and values.
    let empty = serde_json::Map::new();
    let py_consts = py["consts"].as_object().unwrap_or(&empty);
    let py_map: BTreeMap<&str, i64> = py_consts
        .iter()
        .map(|(k, v)| (k.as_str(), i(&v[0])))
        .collect();
    let rust_list = module_constants();
    let rust_map: BTreeMap<&str, i64> = rust_list.iter().copied().collect();
    c.eq(
        "module_constants() has no duplicate names",
        rust_map.len(),
        rust_list.len(),
    );
    for (name, pv) in &py_map {
        c.eq(
            &format!("ssl.{name}"),
            rust_map.get(name).copied(),
            Some(*pv),
        );
    }
    for (name, rv) in &rust_map {
        if !py_map.contains_key(name) {
            c.eq(&format!("extra constant {name}"), Some(*rv), None);
        }
    }
    // repr()/str() of each module constant, through its Rust type.
    for (name, v) in py_consts {
        let rust = rust_const_repr(name, i(&v[0]));
        c.eq(
            &format!("repr/str(ssl.{name})"),
            rust,
            Some((i(&v[0]), s(&v[1]).to_owned(), s(&v[2]).to_owned())),
        );
    }

    // 2. Every member (aliases included) of every enum/flag class.
    let py_classes = py["classes"].as_object().unwrap_or(&empty);
    c.eq("class count", py_classes.len(), 7);
    for (cname, members) in py_classes {
        let members = members.as_array().cloned().unwrap_or_default();
        let mut py_names = Vec::new();
        for m in &members {
            let name = s(&m[0]);
            py_names.push(name.to_owned());
            c.eq(
                &format!("{cname}.{name}"),
                rust_member(cname, name),
                Some((i(&m[1]), s(&m[2]).into(), s(&m[3]).into(), opt_s(&m[4]))),
            );
        }
        // Rust members are Python's, in Python's order (Protocol adds SSLv2/SSLv3).
        let mut rust_names = rust_member_names(cname);
        if cname == "_SSLMethod" {
            rust_names.retain(|n| n != "PROTOCOL_SSLv2" && n != "PROTOCOL_SSLv3");
        }
        c.eq(&format!("{cname} members and order"), rust_names, py_names);
    }

    // 3. Flag values: single bits, pairs of members, random combos with
    //    unknown bits, context defaults, negative values.
    for (cname, cases) in py["flags"].as_object().unwrap_or(&empty) {
        for case in cases.as_array().cloned().unwrap_or_default() {
            let v = i(&case[0]);
            let expected = (
                case[1].as_u64(),
                s(&case[2]).to_owned(),
                s(&case[3]).to_owned(),
                opt_s(&case[4]),
            );
            let rust = match cname.as_str() {
                "Options" => {
                    let x = Options::from(v);
                    (Some(x.bits()), x.repr(), x.to_string(), x.name())
                }
                _ => {
                    let x = VerifyFlags::from(v);
                    (Some(x.bits()), x.repr(), x.to_string(), x.name())
                }
            };
            c.eq(&format!("{cname}({v})"), rust, expected);
        }
    }

    // Context defaults, built from the Rust constants.
    let d = &py["context_defaults"];
    let client_options = Options::OP_ALL
        | constants::OP_NO_SSLv3
        | Options::OP_NO_COMPRESSION
        | Options::OP_CIPHER_SERVER_PREFERENCE
        | Options::OP_ENABLE_MIDDLEBOX_COMPAT;
    c.eq(
        "client options",
        client_options.repr(),
        s(&d["client_options"]).into(),
    );
    c.eq(
        "client verify_flags",
        constants::VERIFY_X509_TRUSTED_FIRST.repr(),
        s(&d["client_verify_flags"]).into(),
    );
    c.eq(
        "client verify_mode",
        constants::CERT_REQUIRED.repr(),
        s(&d["client_verify_mode"]).into(),
    );
    c.eq(
        "server verify_mode",
        VerifyMode::CERT_NONE.repr(),
        s(&d["server_verify_mode"]).into(),
    );
    c.eq(
        "client minimum_version",
        TlsVersion::TLSv1_2.repr(),
        s(&d["client_minimum_version"]).into(),
    );
    c.eq(
        "client maximum_version",
        TlsVersion::MAXIMUM_SUPPORTED.repr(),
        s(&d["client_maximum_version"]).into(),
    );

    // 4. Enum(value): the member, or Python's ValueError message.
    for (cname, cases) in py["invalid"].as_object().unwrap_or(&empty) {
        for case in cases.as_array().cloned().unwrap_or_default() {
            let v = i(&case[0]);
            if cname == "_SSLMethod" && (v == 0 || v == 1) {
                // PROTOCOL_SSLv2/SSLv3: Rust members, absent from this CPython build.
                c.eq(
                    "Protocol 0/1",
                    rust_from_i64(cname, v),
                    Ok(if v == 0 {
                        "<_SSLMethod.PROTOCOL_SSLv2: 0>".to_owned()
                    } else {
                        "<_SSLMethod.PROTOCOL_SSLv3: 1>".to_owned()
                    }),
                );
                continue;
            }
            let expected = match opt_s(&case[2]) {
                Some(repr) => Ok(repr),
                None => Err(s(&case[1]).to_owned()),
            };
            c.eq(&format!("{cname}({v})"), rust_from_i64(cname, v), expected);
        }
    }

    // 5. Purpose and its _ASN1Object fields.
    let py_purpose = py["purpose"].as_array().cloned().unwrap_or_default();
    c.eq(
        "Purpose member count",
        Purpose::MEMBERS.len(),
        py_purpose.len(),
    );
    for (p, m) in Purpose::MEMBERS.iter().zip(&py_purpose) {
        c.eq(
            &format!("Purpose.{}", s(&m[0])),
            (
                p.name().to_owned(),
                p.nid(),
                p.shortname().to_owned(),
                p.longname().to_owned(),
                p.oid().to_owned(),
                p.repr(),
                p.to_string(),
                p.value().repr(),
            ),
            (
                s(&m[0]).to_owned(),
                i(&m[1]),
                s(&m[2]).to_owned(),
                s(&m[3]).to_owned(),
                s(&m[4]).to_owned(),
                s(&m[5]).to_owned(),
                s(&m[6]).to_owned(),
                s(&m[7]).to_owned(),
            ),
        );
        c.eq(
            "Purpose::from_nid",
            Purpose::from_nid(p.nid()).ok(),
            Some(*p),
        );
        c.eq(
            "Purpose::from_name",
            [p.shortname(), p.longname(), p.oid()].map(|n| Purpose::from_name(n).ok()),
            [Some(*p); 3],
        );
    }

    eprintln!(
        "constants vs CPython: {} compared, {} matched, {} module constants",
        c.compared,
        c.matched,
        py_map.len()
    );
    for m in &c.mismatches {
        eprintln!("MISMATCH {m}");
    }
    assert!(c.compared > 0);
    assert_eq!(c.matched, c.compared, "mismatches: {:#?}", c.mismatches);
}

#[test]
fn typed_constants_and_aliases() {
    assert_eq!(ssl_api::CERT_REQUIRED, VerifyMode::CertRequired);
    assert_eq!(constants::CERT_NONE, VerifyMode::CERT_NONE);
    assert_eq!(constants::PROTOCOL_SSLv23, Protocol::TLS);
    assert_eq!(Protocol::SSLv23, constants::PROTOCOL_TLS);
    assert_eq!(constants::PROTOCOL_TLS_CLIENT.value(), 16);
    assert_eq!(constants::OP_NO_TLSv1, Options::OP_NO_TLSv1);
    assert_eq!(
        constants::ALERT_DESCRIPTION_HANDSHAKE_FAILURE,
        AlertDescription::ALERT_DESCRIPTION_HANDSHAKE_FAILURE
    );
    assert_eq!(
        constants::SSL_ERROR_SSL.value(),
        SslErrorNumber::SSL_ERROR_SSL as i64
    );
    assert!(constants::VERIFY_CRL_CHECK_CHAIN.contains(VerifyFlags::VERIFY_CRL_CHECK_LEAF));
    assert!(TlsVersion::MINIMUM_SUPPORTED < TlsVersion::TLSv1_2);
    assert!(TlsVersion::TLSv1_2 < TlsVersion::TLSv1_3);
    assert_eq!(i64::from(TlsVersion::TLSv1_3), 772);
    assert_eq!(VerifyMode::CertRequired.to_string(), "2");
    assert_eq!(
        VerifyMode::from_i64(5).map_err(|e| e.to_string()),
        Err("5 is not a valid VerifyMode".to_owned())
    );
    assert_eq!(Options::from_i64(-1).bits(), 0xffff_ffff);
    assert_eq!(Options::from_i64(i64::MIN).bits(), 1 << 63);
    assert_eq!(Options::from_i64(i64::MIN).value(), i64::MIN);
    assert_eq!(
        Purpose::from_nid(1).map_err(|e| e.to_string()),
        Err("unknown NID 1".to_owned())
    );
}
