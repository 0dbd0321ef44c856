//! `conformance`: the shared suite's runner and small tools that answer like
//! CPython's `ssl` does, for comparing backends with Python.
//!
//! ```text
//! conformance [report] [--out DIR] [--only SUBSTRING]  every shared case on every backend: table, report.json, report.html
//! conformance decode-cert [--json] FILE...  the decoded record of each PEM file's first certificate
//! conformance match-hostname CERTFILE HOSTNAME | --json   (JSON lines on stdin)
//! conformance cert-time [--json] STRING...
//! conformance constants [--backend NAME] [--json]
//! conformance connect HOST:PORT [--backend NAME] [--ca FILE] [--cert FILE --key FILE] [--alpn a,b]
//!                     [--servername NAME] [--no-verify] [--send TEXT] [--timeout SECS]
//! conformance serve --cert FILE [--key FILE] [--backend NAME] [--port N] [--ipv6] [--alpn a,b]
//!                   [--ca FILE [--require-client-cert]] [--once] [--timeout SECS]
//! conformance get-server-certificate HOST:PORT [--backend NAME] [--ca FILE] [--timeout SECS]
//! conformance ciphers [--backend NAME] [--json] STRING   get_ciphers() after set_ciphers(STRING), as `openssl ciphers -v`
//! conformance defaults [--backend NAME] [--json]         each protocol's and create_default_context()'s defaults
//! conformance test-ssl --backend NAME|cpython [--json] [--python PY] [--timeout SECS] [--test-timeout SECS]
//!                                                         CPython's test_ssl over our _ssl, judged by a manifest
//! ```
//!
//! The network tools are in `conformance::tools`; `test-ssl` is in
//! `conformance::test_ssl`.

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

use serde_json::{json, Value};
use ssl_api::cert::decode::decode_cert_file;
use ssl_api::{cert_time_to_seconds, match_hostname, CertRecord, Error, PyValue};

use conformance::tools::error_json;

fn usage() -> ExitCode {
    eprintln!(
        "usage: conformance [report] [--out DIR] [--only SUBSTRING]\n       conformance decode-cert [--json] FILE...\n       conformance match-hostname CERTFILE HOSTNAME | match-hostname --json\n       conformance cert-time [--json] STRING...\n       conformance constants [--backend NAME] [--json]\n       conformance connect HOST:PORT [--backend NAME] [--ca FILE] [--cert FILE --key FILE] [--alpn a,b] [--servername NAME] [--no-verify] [--send TEXT] [--timeout SECS]\n       conformance serve --cert FILE [--key FILE] [--backend NAME] [--port N] [--ipv6] [--alpn a,b] [--ca FILE [--require-client-cert]] [--once] [--timeout SECS]\n       conformance get-server-certificate HOST:PORT [--backend NAME] [--ca FILE] [--timeout SECS]\n       conformance ciphers [--backend NAME] [--json] STRING\n       conformance defaults [--backend NAME] [--json]\n       conformance test-ssl --backend NAME|cpython [--json] [--python PY] [--timeout SECS] [--test-timeout SECS]"
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
        "report" => report(rest),
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
        "bench-report" => bench_report(rest),
        "bench-memory" => bench_memory(rest),
        "connect" | "serve" | "get-server-certificate" => tool(cmd, rest),
        "ciphers" => conformance::tools::ciphers_command(&tool_backends(), rest),
        "defaults" => conformance::tools::defaults_command(&tool_backends(), rest),
        "test-ssl" => conformance::test_ssl::command(rest),
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

/// The network tools of every backend compiled in (`--backend NAME`; the
/// default backend when absent), from the facade's registry.
fn tool_backends() -> Vec<conformance::tools::ToolSet> {
    let mut all = Vec::new();
    macro_rules! push {
        ($name:ident, $backend:ty) => {
            all.push(conformance::tools::ToolSet::of::<$backend>());
        };
    }
    ssl::for_each_backend!(push);
    all
}

/// `connect` / `serve` / `get-server-certificate` on the backend named by `--backend`.
fn tool(cmd: &str, rest: &[String]) -> ExitCode {
    let name = rest
        .iter()
        .position(|a| a == "--backend")
        .and_then(|i| rest.get(i + 1))
        .map_or_else(|| ssl::backend_names()[0], String::as_str);
    let backends = tool_backends();
    let Some(tools) = backends.iter().find(|t| t.name == name) else {
        eprintln!(
            "unknown backend {name:?}; compiled in: {}",
            backends
                .iter()
                .map(|t| t.name)
                .collect::<Vec<_>>()
                .join(", ")
        );
        return ExitCode::from(2);
    };
    match cmd {
        "connect" => (tools.connect)(rest),
        "serve" => (tools.serve)(rest),
        _ => (tools.get_server_certificate)(rest),
    }
}

/// `conformance report [--out DIR] [--only SUBSTRING]`: runs every shared case
/// on every compiled-in backend, prints the matrix, writes report.json and
/// report.html, and exits non-zero on an unexpected failure.
fn report(rest: &[String]) -> ExitCode {
    let out_dir = flag_value(rest, "--out").unwrap_or_else(|| "report".to_string());
    let only = flag_value(rest, "--only");
    println!("backends compiled in: {}", ssl::backend_names().join(", "));
    let filter = |name: &str| only.as_deref().is_none_or(|o| name.contains(o));
    let report = conformance::report::Report::run(&filter);
    print!("{}", report.to_terminal());
    match report.write(Path::new(&out_dir)) {
        Ok((json, html)) => println!("wrote {} and {}", json.display(), html.display()),
        Err(e) => {
            eprintln!("cannot write the report to {out_dir}: {e}");
            return ExitCode::FAILURE;
        }
    }
    // A subset (`--only`) judges the cases it ran; the whole report also
    // judges the test_ssl results it shows.
    let failures = if only.is_some() {
        report.run_failures()
    } else {
        report.failures()
    };
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn flag_value(rest: &[String], flag: &str) -> Option<String> {
    rest.iter()
        .position(|a| a == flag)
        .and_then(|i| rest.get(i + 1))
        .cloned()
}

/// `conformance bench-memory --backend NAME --mode framework|direct [--n N]`:
/// prints the resident bytes per idle connection (used by bench-report).
fn bench_memory(rest: &[String]) -> ExitCode {
    let backend = flag_value(rest, "--backend").unwrap_or_else(|| "rustls".into());
    let mode = flag_value(rest, "--mode").unwrap_or_else(|| "framework".into());
    let n: usize = flag_value(rest, "--n")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let pki = conformance::bench::BenchPki::generate();
    let Some(runner) = conformance::bench::memory_runners()
        .into_iter()
        .find(|r| r.name == backend)
    else {
        eprintln!("unknown backend {backend:?}");
        return ExitCode::from(2);
    };
    let value = match mode.as_str() {
        "framework" => match (runner.framework)(&pki, n) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        },
        "direct" => (runner.direct)(&pki, n),
        _ => return usage(),
    };
    println!("{value:.0}");
    ExitCode::SUCCESS
}

/// `conformance bench-report [--criterion DIR] [--out DIR] [--n N]`.
fn bench_report(rest: &[String]) -> ExitCode {
    use conformance::bench_report as br;
    let dir = flag_value(rest, "--criterion")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(br::default_criterion_dir);
    let out_dir = flag_value(rest, "--out").unwrap_or_else(|| "report".into());
    let n: usize = flag_value(rest, "--n")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let measurements = br::read_criterion(&dir);
    if measurements.is_empty() {
        eprintln!(
            "no criterion results under {}: run `cargo bench -p conformance` first",
            dir.display()
        );
    }
    let mut ratios = br::ratios(&measurements);
    let interleaved =
        conformance::bench_ab::read_results(&conformance::bench_ab::results_path(&dir));
    if interleaved.is_empty() {
        eprintln!(
            "no interleaved ratios under {}: run `cargo bench -p conformance --bench ab`",
            dir.display()
        );
    }
    br::attach_interleaved(&mut ratios, &interleaved);
    let exe = std::env::current_exe().unwrap_or_else(|_| "conformance".into());
    for runner in conformance::bench::memory_runners() {
        match br::memory_ratio(&exe, runner.name, n) {
            Ok(r) => ratios.push(r),
            Err(e) => eprintln!("memory {}: {e}", runner.name),
        }
    }
    let pki = conformance::bench::BenchPki::generate();
    let reference = br::cpython_reference(&pki).unwrap_or_else(|e| {
        eprintln!("CPython reference: {e}");
        Vec::new()
    });
    print!("{}", br::table(&ratios, &reference));
    let _ = std::fs::create_dir_all(&out_dir);
    let path = Path::new(&out_dir).join("bench.html");
    match std::fs::write(&path, br::html(&ratios, &reference)) {
        Ok(()) => println!("wrote {}", path.display()),
        Err(e) => eprintln!("cannot write {}: {e}", path.display()),
    }
    ExitCode::SUCCESS
}
