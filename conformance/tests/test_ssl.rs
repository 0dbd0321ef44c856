//! `conformance test-ssl --backend cpython`: CPython's own test_ssl over
//! CPython's own `_ssl` (the reference run, nothing built), through our
//! runner; it must pass as `python3 -m test test_ssl` does. One full
//! test_ssl run (20 to 60 s).

use std::process::Command;

#[test]
fn the_reference_run_passes_and_its_json_parses() {
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(["test-ssl", "--backend", "cpython", "--json"])
        .output()
        .expect("run conformance test-ssl");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let doc: serde_json::Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
    assert_eq!(out.status.code(), Some(0), "{doc:#}\nstderr: {stderr}");
    assert_eq!(doc["backend"], "cpython");
    assert_eq!(doc["run_error"], serde_json::Value::Null, "{doc:#}");
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["undeclared"], 0);
    let totals = &doc["totals"];
    assert!(totals["passed"].as_u64().unwrap() > 100, "{totals}");
    assert_eq!(totals["failed"], 0, "{:#}", doc["failures"]);
    // Without the `network` resource, as under `python3 -m test test_ssl`.
    let network_skipped = doc["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["outcome"] == "skipped")
        .any(|t| t["message"] == "resource 'network' is not enabled");
    assert!(network_skipped, "network tests did not skip");
    // The module that ran is CPython's own.
    let module = doc["ssl_module"].as_str().expect("ssl_module");
    assert!(!module.contains("pyssl"), "{module}");
    let classes: Vec<&str> = doc["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    assert!(classes.contains(&"ContextTests") && classes.contains(&"ThreadedTests"));
    // The results the report reads.
    let saved = conformance::test_ssl::read_results("cpython")
        .expect("readable results.json")
        .expect("results.json written");
    assert_eq!(
        saved.totals().passed as u64,
        totals["passed"].as_u64().unwrap()
    );
}

/// `run.py --only FILE` (the rerun's runner) runs the tests listed and no
/// other, their class fixtures included; `--exclude` still applies.
#[test]
fn the_runner_runs_only_the_listed_tests() {
    let dir = tempfile::tempdir().unwrap();
    let only = dir.path().join("only.txt");
    let exclude = dir.path().join("exclude.txt");
    let events = dir.path().join("events.jsonl");
    std::fs::write(
        &only,
        "test.test_ssl.BasicSocketTests.test_constants\ntest.test_ssl.ContextTests.test_constructor\ntest.test_ssl.BasicSocketTests.test_str_for_enums\n",
    )
    .unwrap();
    std::fs::write(
        &exclude,
        "test.test_ssl.BasicSocketTests.test_str_for_enums\n",
    )
    .unwrap();
    let out = Command::new("python3")
        .arg(conformance::test_ssl::runner_path())
        .arg("--events")
        .arg(&events)
        .arg("--only")
        .arg(&only)
        .arg("--exclude")
        .arg(&exclude)
        .current_dir(dir.path())
        .env_remove("PYTHONPATH")
        .output()
        .expect("run python3 run.py");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    let text = std::fs::read_to_string(&events).unwrap();
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let results: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e["event"] == "result")
        .map(|e| (e["id"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        results,
        [
            ("test.test_ssl.BasicSocketTests.test_constants", "passed"),
            ("test.test_ssl.ContextTests.test_constructor", "passed"),
        ],
        "{text}"
    );
    let finished = events.iter().find(|e| e["event"] == "finished").unwrap();
    assert_eq!(finished["tests_run"], 2, "{text}");
}
