//! The `conformance` binary's tools, run as a user would, with CPython as the
//! judge for their output.

use std::io::Write;
use std::process::{Command, Stdio};

fn conformance(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run conformance");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("conformance output");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn python(script: &str) -> String {
    let out = Command::new("python3")
        .args(["-c", script])
        .output()
        .expect("python3 is required for this test");
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn constants_json_equals_python() {
    let (code, out, err) = conformance(&["constants", "--json", "--backend", "rustls"], None);
    assert_eq!(code, 0, "{err}");
    let ours: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let theirs: serde_json::Value = serde_json::from_str(&python(
        "import ssl,json; print(json.dumps({k: int(getattr(ssl,k)) for k in ['CERT_REQUIRED','OP_NO_TLSv1','PROTOCOL_TLS_CLIENT','ALERT_DESCRIPTION_HANDSHAKE_FAILURE','SSL_ERROR_EOF','VERIFY_X509_STRICT','OP_ALL']}))",
    ))
    .unwrap();
    for (k, v) in theirs.as_object().unwrap() {
        assert_eq!(&ours[k], v, "{k}");
    }
    assert_eq!(ours["HAS_TLSv1_3"], serde_json::Value::Bool(true));
    assert_eq!(ours["HAS_NPN"], serde_json::Value::Bool(false));
    let (code, _, err) = conformance(&["constants", "--backend", "no-such"], None);
    assert_eq!(code, 2);
    assert!(err.contains("unknown backend"), "{err}");
}

#[test]
fn decode_cert_json_and_repr_equal_python() {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(vec!["example.org".to_string(), "10.0.0.1".to_string()])
            .unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Example");
    let cert = params.self_signed(&key).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.pem");
    std::fs::write(&file, cert.pem()).unwrap();
    let missing = dir.path().join("missing.pem");
    let f = file.to_str().unwrap();
    let m = missing.to_str().unwrap();

    let (code, out, _) = conformance(&["decode-cert", f], None);
    assert_eq!(code, 0);
    let py_repr = python(&format!(
        "import ssl; print(repr(ssl._ssl._test_decode_cert({f:?})))"
    ));
    assert_eq!(out.trim(), py_repr.trim());

    let (_, out, _) = conformance(&["decode-cert", "--json", f, m], None);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let py_json = python(&format!(
        "import ssl,json\ndef j(v):\n  if isinstance(v,tuple): return [j(x) for x in v]\n  if isinstance(v,dict): return {{k:j(x) for k,x in v.items()}}\n  return v\nprint(json.dumps(j(ssl._ssl._test_decode_cert({f:?}))))"
    ));
    let py: serde_json::Value = serde_json::from_str(py_json.trim()).unwrap();
    assert_eq!(lines[0]["decoded"], py);
    assert_eq!(lines[1]["file"], m);
    assert_eq!(lines[1]["error"]["type"], "SSLError");
}

#[test]
fn match_hostname_and_cert_time_equal_python() {
    let input = concat!(
        r#"{"cert": {"subjectAltName": [["DNS", "*.example.org"]]}, "hostname": "a.example.org"}"#,
        "\n",
        r#"{"cert": {"subjectAltName": [["DNS", "*.example.org"]]}, "hostname": "a.b.example.org"}"#,
        "\n",
        r#"{"cert": {"subjectAltName": [["DNS", "f*.com"]]}, "hostname": "foo.com"}"#,
        "\n"
    );
    let (code, out, _) = conformance(&["match-hostname", "--json"], Some(input));
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0], serde_json::json!({"ok": true}));
    let py = python(concat!(
        "import ssl,warnings\nwarnings.simplefilter('ignore')\n",
        "for san,h in [('*.example.org','a.b.example.org'),('f*.com','foo.com')]:\n",
        "  try: ssl.match_hostname({'subjectAltName':(('DNS',san),)}, h)\n",
        "  except Exception as e: print(e.args[0])\n"
    ));
    let expected: Vec<&str> = py.lines().collect();
    assert_eq!(lines[1]["error"]["message"], expected[0]);
    assert_eq!(lines[2]["error"]["message"], expected[1]);
    assert_eq!(lines[2]["error"]["type"], "SSLCertVerificationError");

    let (code, out, _) = conformance(
        &["cert-time", "--json", "Jan  5 09:34:43 2018 GMT", "bogus"],
        None,
    );
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let py = python("import ssl; print(ssl.cert_time_to_seconds('Jan  5 09:34:43 2018 GMT'))");
    assert_eq!(lines[0]["seconds"].as_i64().unwrap().to_string(), py.trim());
    assert_eq!(lines[1]["error"]["type"], "ValueError");
}

/// The report on a subset of cases: the table, and the JSON's shape.
#[test]
fn report_on_a_subset_writes_json_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let (code, stdout, err) = conformance(
        &[
            "report",
            "--only",
            "verify_",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("verify_unknown_ca"), "{stdout}");
    assert!(
        !stdout.contains("tls13_echo_over_memory_bio"),
        "filter ignored: {stdout}"
    );
    assert!(stdout.contains("no case yet:"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let cases = json["cases"].as_array().unwrap();
    assert!(
        cases.len() >= 4
            && cases
                .iter()
                .all(|c| c["name"].as_str().unwrap().contains("verify_"))
    );
    for c in cases {
        assert!(c["refs"].as_array().is_some_and(|r| !r.is_empty()));
        let status = c["results"]["rustls"]["status"].as_str().unwrap();
        assert!([
            "pass",
            "fail",
            "expected_fail",
            "unexpected_pass",
            "not_supported"
        ]
        .contains(&status));
    }
    assert_eq!(json["backends"][0]["name"], "rustls");
    assert_eq!(json["backends"][0]["constants"]["HAS_ALPN"], true);
    let rows = json["reference"].as_array().unwrap();
    assert!(rows
        .iter()
        .any(|r| r["id"] == "E7" && !r["cases"].as_array().unwrap().is_empty()));
    assert_eq!(json["summary"]["failures"], 0);
    let interop = json["interop"].as_array().unwrap();
    assert!(interop
        .iter()
        .any(|p| p["client"] == "rustls" && p["server"] == "rustls" && p["status"] == "pass"));
    assert_eq!(
        json["summary"]["reference_rows"].as_u64().unwrap() as usize,
        rows.len()
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<table>")
            && html.contains("verify_unknown_ca")
            && html.contains("no case yet")
    );
    // The case table's columns: id, reference, case, then one per backend
    // (the external peers belong to the interop table), and every row has
    // as many cells.
    let thead = html
        .split("<thead>")
        .nth(1)
        .and_then(|t| t.split("</thead>").next())
        .expect("the case table's header");
    let columns: Vec<&str> = thead
        .split("<th>")
        .skip(1)
        .filter_map(|t| t.split("</th>").next())
        .collect();
    let mut expected = vec!["id", "reference", "case"];
    expected.extend(
        json["backends"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["name"].as_str().unwrap()),
    );
    assert_eq!(columns, expected);
    for row in html.split("<tr class=\"row").skip(1) {
        let row = row.split("</tr>").next().unwrap();
        assert_eq!(row.matches("<td").count(), columns.len(), "{row}");
    }
}

/// The interop matrix has the external peers as rows and columns, their
/// cells from the interop cases, in the terminal table and in the JSON.
#[test]
fn report_interop_matrix_has_external_peers() {
    let out = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(["report", "--only", "interop_openssl", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{text}");
    let row = text
        .lines()
        .find(|l| l.starts_with("openssl s_client"))
        .unwrap_or_else(|| panic!("no s_client row: {text}"));
    assert!(
        row.split_whitespace().filter(|w| *w == "pass").count() >= 1,
        "{row}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("report.json")).unwrap())
            .unwrap();
    let cells = json["interop_external"].as_array().unwrap();
    assert!(cells
        .iter()
        .any(|c| c["client"] == "openssl s_client" && c["status"] == "pass"));
    assert!(cells
        .iter()
        .any(|c| c["server"] == "openssl s_server" && c["status"] == "pass"));
    // CPython's cases were filtered out: no cells for it.
    assert!(cells.iter().all(|c| c["client"] != "CPython ssl client"));
}

/// `conformance ciphers`: the records CPython gives for the same string (the
/// very list where the backend is the same OpenSSL as CPython's), lines as
/// `openssl ciphers -v`, and a refused string exits non-zero with SSLError.
#[test]
fn ciphers_match_cpython() {
    const STRING: &str = "ECDHE+AESGCM:!ECDSA";
    let theirs: serde_json::Value = serde_json::from_str(&python(&format!(
        "import ssl,json; c=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.set_ciphers({STRING:?}); \
         print(json.dumps({{'version': ssl.OPENSSL_VERSION, 'ciphers': c.get_ciphers()}}))"
    )))
    .unwrap();
    let cpython: Vec<&serde_json::Value> = theirs["ciphers"].as_array().unwrap().iter().collect();
    let (code, out, err) = conformance(&["ciphers", "--json", STRING], None);
    assert_eq!(code, 0, "{out}\n{err}");
    let all: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    for backend in ssl::backend_names() {
        let caps = ssl::capabilities(backend).unwrap();
        let answer = &all[backend];
        // set_ciphers (X13) comes first, then get_ciphers (X11).
        let missing = caps
            .unsupported_reason("X13")
            .or(caps.unsupported_reason("X11"));
        if let Some(reason) = missing {
            assert_eq!(answer["error"]["type"], "NotImplementedError", "{backend}");
            assert!(
                answer["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains(reason),
                "{backend}: {answer}"
            );
            continue;
        }
        let ours = answer["ciphers"].as_array().expect("a list");
        assert!(!ours.is_empty(), "{backend}");
        for c in ours {
            let same = cpython.iter().find(|t| t["name"] == c["name"]);
            assert_eq!(same.copied(), Some(c), "{backend}: {} differs", c["name"]);
        }
        if caps.library_version == theirs["version"] {
            assert_eq!(ours.len(), cpython.len(), "{backend}: the same OpenSSL");
        }
        // Text: the description lines, as `openssl ciphers -v` prints them.
        let (code, text, err) = conformance(&["ciphers", "--backend", backend, STRING], None);
        assert_eq!(code, 0, "{err}");
        let lines: Vec<&str> = text.lines().collect();
        let expected: Vec<&str> = ours
            .iter()
            .map(|c| c["description"].as_str().unwrap().trim_end())
            .collect();
        assert_eq!(lines, expected, "{backend}");
        assert!(lines
            .iter()
            .all(|l| ["Kx=", "Au=", "Enc=", "Mac="].iter().all(|f| l.contains(f))));
        let (code, text, _) = conformance(&["ciphers", "--backend", backend, "NOT-A-CIPHER"], None);
        assert_eq!(code, 1, "{backend}: {text}");
        assert_eq!(
            text.trim(),
            "SSLError: No cipher can be selected.",
            "{backend}"
        );
    }
    let (code, _, err) = conformance(&["ciphers"], None);
    assert_eq!(code, 2, "no string: {err}");
}

/// `conformance defaults`: every backend's contexts have CPython's defaults
/// for the Python-level attributes.
#[test]
fn defaults_match_cpython() {
    const LABELS: &[(&str, &str)] = &[
        (
            "PROTOCOL_TLS_CLIENT",
            "ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)",
        ),
        (
            "PROTOCOL_TLS_SERVER",
            "ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)",
        ),
        ("PROTOCOL_TLS", "ssl.SSLContext(ssl.PROTOCOL_TLS)"),
        (
            "create_default_context(Purpose.SERVER_AUTH)",
            "ssl.create_default_context(ssl.Purpose.SERVER_AUTH)",
        ),
        (
            "create_default_context(Purpose.CLIENT_AUTH)",
            "ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)",
        ),
    ];
    const FIELDS: &[&str] = &[
        "protocol",
        "verify_mode",
        "check_hostname",
        "minimum_version",
        "maximum_version",
        "post_handshake_auth",
        "hostname_checks_common_name",
    ];
    let script = format!(
        "import ssl, json, warnings\nwarnings.simplefilter('ignore')\nout = {{}}\nfor label, make in {:?}:\n    c = eval(make)\n    out[label] = {{f: (v if isinstance(v, bool) else int(v)) for f in {:?} for v in [getattr(c, f)]}}\nprint(json.dumps(out))",
        LABELS, FIELDS
    );
    let theirs: serde_json::Value = serde_json::from_str(&python(&script)).unwrap();
    let (code, out, err) = conformance(&["defaults", "--json"], None);
    assert_eq!(code, 0, "{err}");
    let all: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    for backend in ssl::backend_names() {
        for (label, _) in LABELS {
            let ours = &all[backend][label];
            for f in FIELDS {
                assert_eq!(ours[f], theirs[label][f], "{backend} {label} {f}: {ours}");
            }
            assert!(
                ours["ciphers"].as_u64().is_some_and(|n| n > 0)
                    || ours["ciphers"]["error"]["type"] == "NotImplementedError",
                "{backend} {label}: {ours}"
            );
        }
        // CPython has no PROTOCOL_SSLv2 on OpenSSL 3; no backend makes one.
        assert!(
            all[backend]["PROTOCOL_SSLv2"]["error"].is_object(),
            "{backend}"
        );
        let (code, text, _) = conformance(&["defaults", "--backend", backend], None);
        assert_eq!(code, 0);
        assert!(
            text.contains(&format!("{backend}: PROTOCOL_TLS_CLIENT\n  protocol = <_SSLMethod.PROTOCOL_TLS_CLIENT: 16>\n  verify_mode = <VerifyMode.CERT_REQUIRED: 2>\n  check_hostname = True\n")),
            "{text}"
        );
    }
    let (code, _, err) = conformance(&["defaults", "--backend", "no-such"], None);
    assert_eq!(code, 2);
    assert!(err.contains("unknown backend"), "{err}");
}
