//! `conformance`: the shared suite's runner and small tools that answer like
//! CPython's `ssl` does, for comparing backends with Python.
//!
//! ```text
//! conformance [report]                      run every shared case on every backend, print the matrix
//! conformance decode-cert [--json] FILE...  the decoded record of each PEM file's first certificate
//! conformance match-hostname CERTFILE HOSTNAME | --json   (JSON lines on stdin)
//! conformance cert-time [--json] STRING...
//! conformance constants [--backend NAME] [--json]
//! ```

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

use serde_json::{json, Value};
use ssl_api::cert::decode::decode_cert_file;
use ssl_api::{cert_time_to_seconds, match_hostname, CertRecord, Error, PyValue};

use conformance::Verdict;

fn error_json(e: &Error) -> Value {
    json!({"type": e.python_type(), "message": e.to_string()})
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: conformance [report]\n       conformance decode-cert [--json] FILE...\n       conformance match-hostname CERTFILE HOSTNAME | match-hostname --json\n       conformance cert-time [--json] STRING...\n       conformance constants [--backend NAME] [--json]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = match args.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => ("report", &[][..]),
    };
    let json = rest.iter().any(|a| a == "--json");
    let positional: Vec<&String> = rest.iter().filter(|a| !a.starts_with("--")).collect();
    match cmd {
        "report" => report(),
        "decode-cert" => decode_certs(&positional, json),
        "match-hostname" if json => match_hostname_json(),
        "match-hostname" => match positional.as_slice() {
            [cert, host] => match_hostname_one(cert, host),
            _ => usage(),
        },
        "cert-time" => cert_time(&positional, json),
        "constants" => {
            let backend = rest
                .iter()
                .position(|a| a == "--backend")
                .and_then(|i| rest.get(i + 1));
            constants(backend.map(String::as_str), json)
        }
        "-h" | "--help" | "help" => {
            usage();
            ExitCode::SUCCESS
        }
        _ => usage(),
    }
}

fn decode_certs(files: &[&String], json: bool) -> ExitCode {
    if files.is_empty() {
        return usage();
    }
    let mut status = ExitCode::SUCCESS;
    for file in files {
        let result = decode_cert_file(Path::new(file.as_str()));
        match (&result, json) {
            (Ok(rec), true) => println!("{}", json!({"file": file, "decoded": rec.to_json()})),
            (Err(e), true) => println!("{}", json!({"file": file, "error": error_json(e)})),
            (Ok(rec), false) => println!("{}", rec.repr()),
            (Err(e), false) => {
                eprintln!("{file}: {}: {e}", e.python_type());
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}

fn match_hostname_one(cert: &str, host: &str) -> ExitCode {
    match decode_cert_file(Path::new(cert)).and_then(|rec| match_hostname(&rec, host)) {
        Ok(()) => {
            println!("ok");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("{}: {e}", e.python_type());
            ExitCode::FAILURE
        }
    }
}

fn match_hostname_json() -> ExitCode {
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let answer = serde_json::from_str::<Value>(&line)
            .map_err(|e| Error::value(format!("bad JSON line: {e}")))
            .and_then(|v| {
                let cert = CertRecord::from_json(&v["cert"])?;
                let host = v["hostname"]
                    .as_str()
                    .ok_or_else(|| Error::value("\"hostname\" must be a string"))?;
                match_hostname(&cert, host)
            });
        match answer {
            Ok(()) => println!("{}", json!({"ok": true})),
            Err(e) => println!("{}", json!({"error": error_json(&e)})),
        }
    }
    ExitCode::SUCCESS
}

fn cert_time(strings: &[&String], json: bool) -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    for s in strings {
        match (cert_time_to_seconds(s), json) {
            (Ok(v), true) => println!("{}", json!({"input": s, "seconds": v})),
            (Err(e), true) => println!("{}", json!({"input": s, "error": error_json(&e)})),
            (Ok(v), false) => println!("{v}"),
            (Err(e), false) => {
                println!("{}: {e}", e.python_type());
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}

fn constants(backend: Option<&str>, json: bool) -> ExitCode {
    let mut pairs: Vec<(String, PyValue)> = ssl_api::constants::module_constants()
        .into_iter()
        .map(|(k, v)| (k.to_string(), PyValue::Int(v)))
        .collect();
    if let Some(name) = backend {
        let Some(caps) = ssl::capabilities(name) else {
            eprintln!(
                "unknown backend {name:?}; compiled in: {}",
                ssl::backend_names().join(", ")
            );
            return ExitCode::from(2);
        };
        pairs.extend(
            caps.module_constants()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
    }
    if json {
        let map: serde_json::Map<String, Value> =
            pairs.into_iter().map(|(k, v)| (k, v.to_json())).collect();
        println!("{}", Value::Object(map));
    } else {
        for (k, v) in pairs {
            println!("{k} = {}", v.repr());
        }
    }
    ExitCode::SUCCESS
}

type SuiteRun = Vec<(&'static str, &'static [&'static str], Verdict)>;
type SuiteRunner = (&'static str, fn() -> SuiteRun);

/// The shared suite of every backend compiled in.
const COMPILED_SUITES: &[SuiteRunner] = &[
    #[cfg(feature = "rustls")]
    ("rustls", conformance::run_all::<backend_rustls::Rustls>),
    #[cfg(feature = "native")]
    ("native", conformance::run_all::<backend_native::Native>),
];

/// Runs every shared case on every compiled-in backend and prints the matrix.
/// (The JSON / HTML report and the interop matrix come with issue #6.)
fn report() -> ExitCode {
    let suites = COMPILED_SUITES;
    println!("backends compiled in: {}", ssl::backend_names().join(", "));
    let mut failed = 0;
    for &(name, run) in suites {
        eprintln!("running the shared suite on {name} ...");
        let results = run();
        println!("\n{name}");
        for (case, refs, verdict) in &results {
            let (mark, detail) = match verdict {
                Verdict::Pass => ("pass", String::new()),
                Verdict::Fail(why) => ("FAIL", why.clone()),
                Verdict::ExpectedFail(why) => ("expected fail", why.clone()),
                Verdict::UnexpectedPass(why) => ("UNEXPECTED PASS", why.clone()),
                Verdict::NotSupported(why) => ("not supported", why.clone()),
            };
            if verdict.is_failure() {
                failed += 1;
            }
            println!("  {case:<42} {:<16} {mark:<14} {detail}", refs.join(","));
        }
        if let Some(caps) = ssl::capabilities(name) {
            for u in &caps.unsupported {
                println!("  declared unsupported: {} ({})", u.feature, u.reason);
            }
        }
    }
    println!("\n{failed} unexpected failure(s)");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
