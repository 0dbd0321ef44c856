//! CPython's own `test_ssl` over our `_ssl` extension module (`python/`,
//! package `ssl-python`), judged against a manifest of expected failures per
//! backend:
//!
//! ```text
//! conformance test-ssl --backend NAME [--json] [--python PY] [--timeout SECS] [--test-timeout SECS]
//! ```
//!
//! `NAME` is a backend compiled in (`ssl::backend_names()`), or `cpython`:
//! CPython's own `_ssl`, the reference run (nothing built, nothing added to
//! `PYTHONPATH`). For a backend, the module is built with
//! `cargo build --release -p ssl-python --no-default-features --features NAME`
//! and copied to `TARGET/pyssl/NAME/_ssl<EXT_SUFFIX>` (`TARGET`:
//! `CARGO_TARGET_DIR`, else the workspace's `target/`), which goes first on
//! `PYTHONPATH`. Then `conformance/test_ssl/run.py` (ours) runs the
//! interpreter's `test.test_ssl` as `python3 -m test test_ssl -v` does (no
//! `network` resource) and writes an event per test; a test that hangs past
//! `--test-timeout` (default 60 s) is ended by faulthandler's watchdog,
//! recorded as an error, and the runner restarts without it; the whole run is
//! killed after `--timeout` (default 600 s).
//!
//! Then, as regrtest's `--rerun`, every test that failed (failed, error,
//! unexpected success; hung or crashed included) and that the manifest does
//! not declare runs once more, in a fresh runner (`run.py --only FILE`, with
//! the same watchdog and restarts, bounded by its own `--timeout`): some of
//! test_ssl's tests race between their client and server threads (a TLS 1.3
//! client that closes before reading the session tickets, the kernel resets,
//! the echo server stops). A test that passes on the rerun counts as passed
//! and is recorded as flaky ([`TestRecord::first_attempt`]: the failed
//! attempt); one that fails again stays a failure. Fixtures' errors
//! (`setUpClass`, ...) are not rerun.
//!
//! The verdict ([`judge`]): every failing test (failed, error, unexpected
//! success) must be listed in `conformance/test_ssl/expected-NAME.txt`
//! ([`parse_manifest`]) with its reason; an entry whose test passes, or that
//! `test_ssl` does not have, is stale, and an error (as in
//! [`crate::expectations`]), unless its reason starts with `flaky:` (the test
//! may fail or pass: such an entry is stale only when test_ssl does not have
//! the test). A run that cannot import `test_ssl` (or loads
//! another `_ssl` than the one built) fails as a whole. The results go to
//! `TARGET/pyssl/NAME/results.json`, which the report reads
//! ([`read_results`]); the runner's output to `test_ssl.log` beside it.

use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// `--backend cpython`: CPython's own `_ssl`, the reference run.
pub const REFERENCE: &str = "cpython";

/// The prefix of every test id (`test.test_ssl.ClassName.test_name`); the
/// manifest's keys are the ids without it.
pub const MODULE_PREFIX: &str = "test.test_ssl.";

/// Default bound of the whole run.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// Default bound of one test (and of each gap between tests: a class's setup
/// or teardown).
pub const DEFAULT_TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Restarts after hung or crashed tests, at most.
const MAX_ATTEMPTS: usize = 25;

/// How one test ended, as unittest says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Passed.
    Passed,
    /// An assertion failed.
    Failed,
    /// Another exception (or the test hung or crashed the interpreter).
    Error,
    /// Skipped (not a failure).
    Skipped,
    /// Decorated `@expectedFailure` in test_ssl, and failed (not a failure).
    ExpectedFailure,
    /// Decorated `@expectedFailure`, and passed (a failure, as unittest says).
    UnexpectedSuccess,
}

impl Outcome {
    /// The name in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Error => "error",
            Outcome::Skipped => "skipped",
            Outcome::ExpectedFailure => "expected-failure",
            Outcome::UnexpectedSuccess => "unexpected-success",
        }
    }

    /// The outcome called `s`.
    pub fn parse(s: &str) -> Option<Outcome> {
        [
            Outcome::Passed,
            Outcome::Failed,
            Outcome::Error,
            Outcome::Skipped,
            Outcome::ExpectedFailure,
            Outcome::UnexpectedSuccess,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }

    /// True for the outcomes that fail a unittest run.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Outcome::Failed | Outcome::Error | Outcome::UnexpectedSuccess
        )
    }
}

/// One test's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestRecord {
    /// `test.test_ssl.ClassName.test_name` (a fixture's error:
    /// `test.test_ssl.ClassName.setUpClass`, `test.test_ssl.setUpModule`).
    pub id: String,
    /// How it ended.
    pub outcome: Outcome,
    /// The exception line (`AssertionError: ...`) or the skip reason.
    pub message: String,
    /// When the test failed and ran again in a fresh runner: how the first
    /// attempt ended (`outcome` and `message` are the rerun's).
    pub first_attempt: Option<(Outcome, String)>,
}

impl TestRecord {
    /// True for a test that failed, then passed on its rerun (a
    /// timing-dependent test): it counts as passed.
    pub fn is_flaky(&self) -> bool {
        self.first_attempt.is_some() && !self.outcome.is_failure()
    }

    /// The id without [`MODULE_PREFIX`]: `ClassName.test_name`, the
    /// manifest's key.
    pub fn key(&self) -> &str {
        self.id.strip_prefix(MODULE_PREFIX).unwrap_or(&self.id)
    }

    /// The test class (`(module)` for a module fixture).
    pub fn class(&self) -> &str {
        self.key().split_once('.').map_or("(module)", |(c, _)| c)
    }

    /// True for a class or module fixture's record (not a test: not counted
    /// as run).
    pub fn is_fixture(&self) -> bool {
        let name = self.key().rsplit('.').next().unwrap_or("");
        matches!(
            name,
            "setUpModule" | "tearDownModule" | "setUpClass" | "tearDownClass"
        )
    }
}

/// What one `test-ssl` run found (the raw results, before the manifest).
#[derive(Clone, Debug, Default)]
pub struct RunRecord {
    /// The backend (`cpython` for the reference).
    pub backend: String,
    /// The interpreter asked for (`--python`).
    pub python: String,
    /// Its version.
    pub python_version: Option<String>,
    /// `_ssl.__file__` of the module that loaded.
    pub ssl_module: Option<String>,
    /// `test_ssl.__file__`.
    pub test_ssl: Option<String>,
    /// `ssl.OPENSSL_VERSION` as the module reports it.
    pub openssl_version: Option<String>,
    /// Why the run as a whole failed (build, import, wrong module, killed).
    pub run_error: Option<String>,
    /// Threads left behind or unraisable exceptions (regrtest's "env changed").
    pub environment_altered: bool,
    /// Runner processes started (more than one after a hang or crash).
    pub attempts: usize,
    /// Wall time, seconds.
    pub duration_secs: f64,
    /// When the run ended, seconds since the Unix epoch.
    pub finished_unix: u64,
    /// The runner's output.
    pub log: Option<String>,
    /// Every test's result, in run order (a rerun test: its rerun's result,
    /// the first attempt beside it).
    pub tests: Vec<TestRecord>,
    /// What went wrong in the rerun besides the tests' own results: the
    /// rerun failed as a whole, a rerun test gave no result, a fixture
    /// failed (none of these changes the verdict: the tests concerned keep
    /// their failure).
    pub rerun_problems: Vec<String>,
}

/// Per-class (or total) counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Tests started (regrtest's "run"; fixtures are not tests).
    pub run: usize,
    /// Passed.
    pub passed: usize,
    /// Failed, errors and unexpected successes (fixtures' errors included).
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
    /// `@expectedFailure` tests that failed.
    pub expected_failures: usize,
    /// Tests run again after failing (undeclared failures).
    pub rerun: usize,
    /// Of those, the ones that passed on the rerun (counted in `passed`).
    pub flaky: usize,
}

impl Counts {
    fn add(&mut self, t: &TestRecord) {
        if !t.is_fixture() {
            self.run += 1;
        }
        if t.first_attempt.is_some() {
            self.rerun += 1;
        }
        if t.is_flaky() {
            self.flaky += 1;
        }
        match t.outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::ExpectedFailure => self.expected_failures += 1,
            Outcome::Failed | Outcome::Error | Outcome::UnexpectedSuccess => self.failed += 1,
        }
    }

    fn to_json(self) -> Value {
        json!({
            "run": self.run,
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "expected_failures": self.expected_failures,
            "rerun": self.rerun,
            "flaky": self.flaky,
        })
    }

    /// `183 run: 167 passed, 0 failed, 16 skipped, 1 rerun (1 passed on
    /// rerun)`.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} run: {} passed, {} failed, {} skipped",
            self.run, self.passed, self.failed, self.skipped
        );
        if self.expected_failures > 0 {
            let _ = write!(s, ", {} expected failure(s)", self.expected_failures);
        }
        if self.rerun > 0 {
            let _ = write!(s, ", {} rerun ({} passed on rerun)", self.rerun, self.flaky);
        }
        s
    }
}

impl RunRecord {
    /// Counts per test class, in run order.
    pub fn classes(&self) -> Vec<(String, Counts)> {
        let mut out: Vec<(String, Counts)> = Vec::new();
        for t in &self.tests {
            let class = t.class();
            match out.iter_mut().find(|(c, _)| c == class) {
                Some((_, counts)) => counts.add(t),
                None => {
                    let mut counts = Counts::default();
                    counts.add(t);
                    out.push((class.to_string(), counts));
                }
            }
        }
        out
    }

    /// Counts over every test.
    pub fn totals(&self) -> Counts {
        let mut c = Counts::default();
        for t in &self.tests {
            c.add(t);
        }
        c
    }

    /// The JSON document (`results.json`, `--json`): the raw results, the
    /// counts, and the judgement against `manifest`.
    pub fn to_json(&self, judgement: &Judgement) -> Value {
        json!({
            "backend": self.backend,
            "python": self.python,
            "python_version": self.python_version,
            "ssl_module": self.ssl_module,
            "test_ssl": self.test_ssl,
            "openssl_version": self.openssl_version,
            "run_error": self.run_error,
            "environment_altered": self.environment_altered,
            "attempts": self.attempts,
            "duration_secs": (self.duration_secs * 10.0).round() / 10.0,
            "finished_unix": self.finished_unix,
            "log": self.log,
            "totals": self.totals().to_json(),
            "classes": self.classes().into_iter().map(|(class, c)| {
                let mut v = c.to_json();
                v["class"] = json!(class);
                v
            }).collect::<Vec<_>>(),
            "failures": judgement.failures.iter().map(|f| json!({
                "test": f.key,
                "outcome": f.outcome.as_str(),
                "message": f.message,
                "declared": f.declared,
            })).collect::<Vec<_>>(),
            "stale": judgement.stale.iter().map(|s| json!({
                "test": s.key,
                "reason": s.reason,
                "why": s.why,
            })).collect::<Vec<_>>(),
            "undeclared": judgement.undeclared(),
            "ok": judgement.is_ok(),
            "reruns": self.tests.iter().filter(|t| t.first_attempt.is_some()).count(),
            "flaky": judgement.flaky.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(),
            "flaky_tests": judgement.flaky.iter().map(|f| json!({
                "test": f.key,
                "first_outcome": f.first_outcome.as_str(),
                "first_message": f.first_message,
                "declared": f.declared,
            })).collect::<Vec<_>>(),
            "rerun_problems": self.rerun_problems,
            "tests": self.tests.iter().map(|t| {
                let mut v = json!({
                    "id": t.id,
                    "outcome": t.outcome.as_str(),
                    "message": t.message,
                    "flaky": t.is_flaky(),
                });
                if let Some((outcome, message)) = &t.first_attempt {
                    v["first_attempt"] = json!({
                        "outcome": outcome.as_str(),
                        "message": message,
                    });
                }
                v
            }).collect::<Vec<_>>(),
        })
    }

    /// The raw results of a [`RunRecord::to_json`] document (the judgement
    /// is made again, against the manifest of the day).
    pub fn from_json(v: &Value) -> Result<RunRecord, String> {
        let s = |k: &str| v[k].as_str().map(str::to_string);
        let backend = s("backend").ok_or("no \"backend\"")?;
        let tests = v["tests"]
            .as_array()
            .ok_or("no \"tests\"")?
            .iter()
            .map(|t| {
                let id = t["id"].as_str().ok_or("a test without \"id\"")?;
                let outcome = t["outcome"]
                    .as_str()
                    .and_then(Outcome::parse)
                    .ok_or(format!("{id}: bad \"outcome\" {}", t["outcome"]))?;
                let first = &t["first_attempt"];
                let first_attempt = if first.is_null() {
                    None
                } else {
                    let outcome = first["outcome"]
                        .as_str()
                        .and_then(Outcome::parse)
                        .ok_or(format!("{id}: bad first_attempt {first}"))?;
                    Some((outcome, first["message"].as_str().unwrap_or("").to_string()))
                };
                Ok(TestRecord {
                    id: id.to_string(),
                    outcome,
                    message: t["message"].as_str().unwrap_or("").to_string(),
                    first_attempt,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(RunRecord {
            backend,
            python: s("python").unwrap_or_default(),
            python_version: s("python_version"),
            ssl_module: s("ssl_module"),
            test_ssl: s("test_ssl"),
            openssl_version: s("openssl_version"),
            run_error: s("run_error"),
            environment_altered: v["environment_altered"].as_bool().unwrap_or(false),
            attempts: v["attempts"].as_u64().unwrap_or(0) as usize,
            duration_secs: v["duration_secs"].as_f64().unwrap_or(0.0),
            finished_unix: v["finished_unix"].as_u64().unwrap_or(0),
            log: s("log"),
            tests,
            rerun_problems: v["rerun_problems"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|p| p.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

/// One line of a manifest: a test expected to fail, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestEntry {
    /// `ClassName.test_name` (or a fixture: `ClassName.setUpClass`, `setUpModule`).
    pub key: String,
    /// The capability or cause.
    pub reason: String,
    /// Its line in the file (1-based).
    pub line: usize,
}

/// The reason that declares a timing-dependent test: it may fail or pass.
pub const FLAKY_PREFIX: &str = "flaky:";

impl ManifestEntry {
    /// True when the reason starts with [`FLAKY_PREFIX`]: the test may also
    /// pass (the entry is not stale when it does).
    pub fn is_flaky(&self) -> bool {
        self.reason.starts_with(FLAKY_PREFIX)
    }
}

/// Parses a manifest: one entry a line, `ClassName.test_name`, whitespace,
/// the reason; blank lines and lines starting with `#` are ignored. A
/// missing reason, a malformed name or a test listed twice is an error.
pub fn parse_manifest(text: &str) -> Result<Vec<ManifestEntry>, String> {
    let mut entries: Vec<ManifestEntry> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let n = i + 1;
        let (name, reason) = line
            .split_once(char::is_whitespace)
            .map(|(k, r)| (k, r.trim()))
            .unwrap_or((line, ""));
        let key = name.strip_prefix(MODULE_PREFIX).unwrap_or(name);
        let identifier = |p: &str| {
            p.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        let parts: Vec<&str> = key.split('.').collect();
        if parts.len() > 2 || !parts.iter().all(|p| identifier(p)) {
            return Err(format!("line {n}: {name:?} is not ClassName.test_name"));
        }
        if reason.is_empty() {
            return Err(format!(
                "line {n}: {key} has no reason (write the capability or cause after the name)"
            ));
        }
        if let Some(first) = entries.iter().find(|e| e.key == key) {
            return Err(format!(
                "line {n}: {key} is already listed on line {}",
                first.line
            ));
        }
        entries.push(ManifestEntry {
            key: key.to_string(),
            reason: reason.to_string(),
            line: n,
        });
    }
    Ok(entries)
}

/// The manifest of `backend`: `conformance/test_ssl/expected-NAME.txt`
/// (the reference run has none: CPython must pass its own test).
pub fn manifest_path(backend: &str) -> Option<PathBuf> {
    (backend != REFERENCE).then(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("test_ssl")
            .join(format!("expected-{backend}.txt"))
    })
}

/// Reads and parses the manifest of `backend` (none: empty).
pub fn load_manifest(backend: &str) -> Result<Vec<ManifestEntry>, String> {
    let Some(path) = manifest_path(backend) else {
        return Ok(Vec::new());
    };
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_manifest(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A failing test, declared in the manifest or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// `ClassName.test_name`.
    pub key: String,
    /// How it failed.
    pub outcome: Outcome,
    /// The exception line.
    pub message: String,
    /// The manifest's reason, if listed.
    pub declared: Option<String>,
    /// True when it failed again on its rerun (an undeclared failure is
    /// rerun once).
    pub rerun: bool,
}

/// A test that failed, then passed on its rerun: passed, timing-dependent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flaky {
    /// `ClassName.test_name`.
    pub key: String,
    /// How the failed attempt ended.
    pub first_outcome: Outcome,
    /// Its exception line.
    pub first_message: String,
    /// The manifest's reason, if listed (the results are judged again
    /// against the manifest of the day).
    pub declared: Option<String>,
}

/// A manifest entry that no failure backs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stale {
    /// The entry's key.
    pub key: String,
    /// The entry's reason.
    pub reason: String,
    /// `passes` or `no such test in test_ssl`.
    pub why: String,
}

/// A run judged against a manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Judgement {
    /// The run failed as a whole (build, import, wrong module, killed).
    pub run_error: Option<String>,
    /// Every failing test, in run order.
    pub failures: Vec<Failure>,
    /// Tests that passed on their rerun (not failures).
    pub flaky: Vec<Flaky>,
    /// Stale manifest entries.
    pub stale: Vec<Stale>,
    /// Entries that could not be checked (the test was skipped, or the run
    /// did not complete).
    pub unchecked: Vec<String>,
}

impl Judgement {
    /// Failures the manifest does not declare, the run's own error included.
    pub fn undeclared(&self) -> usize {
        self.failures
            .iter()
            .filter(|f| f.declared.is_none())
            .count()
            + usize::from(self.run_error.is_some())
    }

    /// Undeclared failures plus stale entries: what fails the run.
    pub fn problems(&self) -> usize {
        self.undeclared() + self.stale.len()
    }

    /// True when nothing fails the run.
    pub fn is_ok(&self) -> bool {
        self.problems() == 0
    }
}

/// Applies `manifest` to `run`: each failing test is declared or not (a test
/// that passed on its rerun is not failing: it is listed as flaky); an entry
/// whose test passed is stale unless its reason starts with `flaky:`; an
/// entry whose test does not exist (after a complete run) is stale; an entry
/// whose test was skipped is not checked.
pub fn judge(run: &RunRecord, manifest: &[ManifestEntry]) -> Judgement {
    let reason = |key: &str| {
        manifest
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.reason.clone())
    };
    let failures = run
        .tests
        .iter()
        .filter(|t| t.outcome.is_failure())
        .map(|t| Failure {
            key: t.key().to_string(),
            outcome: t.outcome,
            message: t.message.clone(),
            declared: reason(t.key()),
            rerun: t.first_attempt.is_some(),
        })
        .collect();
    let flaky = run
        .tests
        .iter()
        .filter(|t| t.is_flaky())
        .filter_map(|t| {
            let (outcome, message) = t.first_attempt.as_ref()?;
            Some(Flaky {
                key: t.key().to_string(),
                first_outcome: *outcome,
                first_message: message.clone(),
                declared: reason(t.key()),
            })
        })
        .collect();
    let mut stale = Vec::new();
    let mut unchecked = Vec::new();
    for e in manifest {
        match run.tests.iter().find(|t| t.key() == e.key) {
            Some(t) if t.outcome.is_failure() => {}
            Some(t) if t.outcome == Outcome::Skipped => unchecked.push(e.key.clone()),
            // Timing-dependent: it may pass.
            Some(_) if e.is_flaky() => {}
            Some(t) => stale.push(Stale {
                key: e.key.clone(),
                reason: e.reason.clone(),
                why: format!("{} (line {})", t.outcome.as_str().replace('-', " "), e.line),
            }),
            None if run.run_error.is_none() => stale.push(Stale {
                key: e.key.clone(),
                reason: e.reason.clone(),
                why: format!("no such test in test_ssl (line {})", e.line),
            }),
            None => unchecked.push(e.key.clone()),
        }
    }
    Judgement {
        run_error: run.run_error.clone(),
        failures,
        flaky,
        stale,
        unchecked,
    }
}

/// The workspace's root directory.
pub fn workspace_root() -> PathBuf {
    let conformance = Path::new(env!("CARGO_MANIFEST_DIR"));
    conformance.parent().unwrap_or(conformance).to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` (relative to the current
/// directory, as cargo reads it), else the workspace's `target/`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                std::env::current_dir().unwrap_or_default().join(dir)
            }
        }
        None => workspace_root().join("target"),
    }
}

/// `TARGET/pyssl/NAME/`: the built module, the results and the log.
pub fn run_dir(backend: &str) -> PathBuf {
    target_dir().join("pyssl").join(backend)
}

/// `TARGET/pyssl/NAME/results.json`.
pub fn results_path(backend: &str) -> PathBuf {
    run_dir(backend).join("results.json")
}

/// Our runner, `conformance/test_ssl/run.py`.
pub fn runner_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test_ssl")
        .join("run.py")
}

/// The command that produces `backend`'s results.
pub fn command_line(backend: &str) -> String {
    format!("cargo run --release -p conformance -- test-ssl --backend {backend}")
}

/// What the report says of a backend without results.
pub fn not_run_message(backend: &str) -> String {
    format!("not run (run `{}`)", command_line(backend))
}

/// The results of the last `test-ssl` run of `backend`:
/// `Ok(None)` when there are none.
pub fn read_results(backend: &str) -> Result<Option<RunRecord>, String> {
    let path = results_path(backend);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    serde_json::from_str::<Value>(&text)
        .map_err(|e| e.to_string())
        .and_then(|v| RunRecord::from_json(&v))
        .map(Some)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The options of one run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// A backend compiled in, or [`REFERENCE`].
    pub backend: String,
    /// The interpreter (`python3`).
    pub python: String,
    /// True when `--python` was given: the module is built for it
    /// (`PYO3_PYTHON`).
    pub python_given: bool,
    /// Bound of the whole run.
    pub timeout: Duration,
    /// Bound of one test.
    pub test_timeout: Duration,
    /// The manifest's keys: failures not rerun.
    pub declared: Vec<String>,
}

fn python_output(python: &str, code: &str) -> Result<String, String> {
    let out = Command::new(python)
        .args(["-c", code])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{python} -c {code:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Builds `_ssl` over `backend` and copies it into `dir` as
/// `_ssl<EXT_SUFFIX>`; cargo's output goes to stderr.
pub fn build_module(opts: &RunOptions, dir: &Path) -> Result<PathBuf, String> {
    let ext = python_output(
        &opts.python,
        "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))",
    )?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let args = [
        "build",
        "--release",
        "-p",
        "ssl-python",
        "--no-default-features",
        "--features",
        opts.backend.as_str(),
    ];
    eprintln!(
        "building _ssl over {}: cargo {}",
        opts.backend,
        args.join(" ")
    );
    let mut cmd = Command::new(&cargo);
    cmd.args(args)
        .current_dir(workspace_root())
        .env("CARGO_TARGET_DIR", target_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::io::stderr()));
    if opts.python_given {
        cmd.env("PYO3_PYTHON", &opts.python);
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {}: {e}", Path::new(&cargo).display()))?;
    if !status.success() {
        return Err(format!(
            "building the module failed: `cargo {}` {}",
            args.join(" "),
            describe_status(status)
        ));
    }
    let built = target_dir().join("release").join(format!(
        "{}_ssl{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    let dest = dir.join(format!("_ssl{ext}"));
    // A new file, not one rewritten in place (a process may have it mapped).
    let _ = fs::remove_file(&dest);
    fs::copy(&built, &dest)
        .map_err(|e| format!("copying {} to {}: {e}", built.display(), dest.display()))?;
    Ok(dest)
}

fn describe_status(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("died of signal {sig}");
        }
    }
    match status.code() {
        Some(c) => format!("exited with code {c}"),
        None => "ended".to_string(),
    }
}

/// The runner's events, read as they come (`run.py` documents them).
#[derive(Default)]
struct Events {
    /// Bytes of the events file already read.
    offset: usize,
    python_version: Option<String>,
    module: Option<String>,
    test_ssl: Option<String>,
    openssl_version: Option<String>,
    import_failed: Option<String>,
    wrong_module: Option<(String, String)>,
    /// The test started and not ended.
    started: Option<String>,
    finished: bool,
    environment_altered: bool,
    tests: Vec<TestRecord>,
}

impl Events {
    /// Reads the complete lines added to `path` since the last call; returns
    /// the number of results among them.
    fn read(&mut self, path: &Path) -> usize {
        let Ok(bytes) = fs::read(path) else { return 0 };
        let Some(end) = bytes.iter().rposition(|b| *b == b'\n').map(|i| i + 1) else {
            return 0;
        };
        if end <= self.offset {
            return 0;
        }
        let text = String::from_utf8_lossy(&bytes[self.offset..end]).into_owned();
        self.offset = end;
        let mut results = 0;
        for line in text.lines() {
            let Ok(e) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let s = |k: &str| e[k].as_str().map(str::to_string);
            match e["event"].as_str().unwrap_or("") {
                "python" => self.python_version = s("version"),
                "module" => self.module = s("file"),
                "test_ssl" => {
                    self.test_ssl = s("file");
                    self.openssl_version = s("openssl_version");
                }
                "import_failed" => {
                    let what = s("what").unwrap_or_default();
                    let error = s("error").unwrap_or_default();
                    self.import_failed = Some(if what == "_ssl" {
                        format!("import _ssl: {error}")
                    } else {
                        error
                    });
                }
                "wrong_module" => {
                    self.wrong_module = Some((
                        s("file").unwrap_or_default(),
                        s("expected").unwrap_or_default(),
                    ))
                }
                "start" => self.started = s("id"),
                "result" => {
                    let id = s("id").unwrap_or_default();
                    let outcome = e["outcome"]
                        .as_str()
                        .and_then(Outcome::parse)
                        .unwrap_or(Outcome::Error);
                    if self.started.as_deref() == Some(id.as_str()) {
                        self.started = None;
                    }
                    self.record(TestRecord {
                        id,
                        outcome,
                        message: s("message").unwrap_or_default(),
                        first_attempt: None,
                    });
                    results += 1;
                }
                "finished" => {
                    self.finished = true;
                    self.environment_altered |= e["environment_altered"].as_bool() == Some(true);
                }
                _ => {}
            }
        }
        results
    }

    /// Adds a result (a fixture reported again by a restarted runner
    /// replaces its first report).
    fn record(&mut self, t: TestRecord) {
        match self.tests.iter_mut().find(|x| x.id == t.id) {
            Some(x) => *x = t,
            None => self.tests.push(t),
        }
    }
}

/// Builds the module (unless the backend is [`REFERENCE`]) and runs
/// test_ssl over it: the raw results.
pub fn run(opts: &RunOptions) -> RunRecord {
    let start = Instant::now();
    let dir = run_dir(&opts.backend);
    let mut rec = RunRecord {
        backend: opts.backend.clone(),
        python: opts.python.clone(),
        ..RunRecord::default()
    };
    let outcome = fs::create_dir_all(&dir)
        .map_err(|e| format!("creating {}: {e}", dir.display()))
        .and_then(|()| {
            if opts.backend == REFERENCE {
                Ok(None)
            } else {
                build_module(opts, &dir).map(Some)
            }
        })
        .and_then(|module| run_tests(opts, &dir, module.as_deref(), &mut rec));
    if let Err(e) = outcome {
        rec.run_error = Some(e);
    }
    // The reference must be CPython's own module, not one of ours left on
    // PYTHONPATH.
    let ours = target_dir().join("pyssl");
    if let (REFERENCE, Some(file), None) = (opts.backend.as_str(), &rec.ssl_module, &rec.run_error)
    {
        if Path::new(file).starts_with(&ours) {
            rec.run_error = Some(format!(
                "the reference run loaded {file}, one of ours, not CPython's own _ssl (PYTHONPATH?)"
            ));
        }
    }
    rec.duration_secs = start.elapsed().as_secs_f64();
    rec.finished_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rec
}

/// Where one `test-ssl` run keeps its runners' files, and how it starts
/// them.
struct Runner<'a> {
    opts: &'a RunOptions,
    /// `TARGET/pyssl/NAME/` (the module's directory, put on `PYTHONPATH`).
    dir: &'a Path,
    /// The module built (none for the reference).
    module: Option<&'a Path>,
    /// The runners' working directory (a temporary one, as regrtest's).
    cwd: &'a Path,
    /// `test_ssl.log`: every runner's output, appended.
    log_path: &'a Path,
}

impl Runner<'_> {
    /// Runs the runner (again after each hung or crashed test) until it
    /// finishes, fails to import, or `deadline` passes; `prefix` names its
    /// files (`PREFIXevents.jsonl`, `PREFIXexclude.txt`), `only` is
    /// `run.py --only`. `Err`: why the run failed as a whole (the results
    /// so far are in `events`).
    fn drive(
        &self,
        prefix: &str,
        only: Option<&Path>,
        deadline: Instant,
        events: &mut Events,
        attempts: &mut usize,
    ) -> Result<(), String> {
        let (opts, log_path) = (self.opts, self.log_path);
        let events_path = self.dir.join(format!("{prefix}events.jsonl"));
        let exclude_path = self.dir.join(format!("{prefix}exclude.txt"));
        File::create(&events_path).map_err(|e| format!("{}: {e}", events_path.display()))?;
        let progress = std::io::stderr().is_terminal();
        let mut tries = 0;
        loop {
            *attempts += 1;
            tries += 1;
            let excluded: String = events.tests.iter().map(|t| format!("{}\n", t.id)).collect();
            fs::write(&exclude_path, excluded)
                .map_err(|e| format!("{}: {e}", exclude_path.display()))?;
            let log = OpenOptions::new()
                .append(true)
                .open(log_path)
                .map_err(|e| format!("{}: {e}", log_path.display()))?;
            let log_err = log.try_clone().map_err(|e| e.to_string())?;
            let mut cmd = Command::new(&opts.python);
            cmd.arg(runner_path())
                .arg("--events")
                .arg(&events_path)
                .arg("--exclude")
                .arg(&exclude_path)
                .arg("--test-timeout")
                .arg(opts.test_timeout.as_secs_f64().to_string())
                .current_dir(self.cwd)
                .stdin(Stdio::null())
                .stdout(log)
                .stderr(log_err);
            if let Some(only) = only {
                cmd.arg("--only").arg(only);
            }
            if let Some(module) = self.module {
                cmd.arg("--expect-module").arg(module);
                let mut paths = vec![self.dir.to_path_buf()];
                if let Some(old) = std::env::var_os("PYTHONPATH") {
                    paths.extend(std::env::split_paths(&old));
                }
                cmd.env(
                    "PYTHONPATH",
                    std::env::join_paths(paths).map_err(|e| e.to_string())?,
                );
            }
            let mut child = cmd
                .spawn()
                .map_err(|e| format!("cannot run {}: {e}", opts.python))?;
            let mut seen_started: Option<String> = None;
            let mut started_at = Instant::now();
            let waited: Result<ExitStatus, String> = loop {
                let new = events.read(&events_path);
                if events.started != seen_started {
                    seen_started.clone_from(&events.started);
                    started_at = Instant::now();
                }
                if progress && new > 0 {
                    let last = events.tests.last().map_or("", |t| t.key());
                    eprint!("\r\x1b[2K[{prefix}{}] {last}", events.tests.len());
                }
                match child.try_wait() {
                    Ok(Some(status)) => break Ok(status),
                    Ok(None) => {}
                    Err(e) => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break Err(format!("waiting for the runner: {e}"));
                    }
                }
                if Instant::now() >= deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    events.read(&events_path);
                    let last = events
                        .started
                        .as_deref()
                        .or(events.tests.last().map(|t| t.id.as_str()))
                        .map_or("none", |id| id.strip_prefix(MODULE_PREFIX).unwrap_or(id));
                    break Err(format!(
                        "the run exceeded {} s and was killed (last test: {last}; see {})",
                        opts.timeout.as_secs(),
                        log_path.display()
                    ));
                }
                std::thread::sleep(Duration::from_millis(200));
            };
            events.read(&events_path);
            if progress {
                eprint!("\r\x1b[2K");
            }
            let status = waited?;
            if events.finished {
                return Ok(());
            }
            if let Some(error) = events.import_failed.take() {
                return Err(format!("test_ssl could not be imported: {error}"));
            }
            if let Some((file, expected)) = events.wrong_module.take() {
                return Err(format!(
                    "the _ssl that loaded is {file}, not the one built ({expected})"
                ));
            }
            let how = describe_status(status);
            let Some(id) = events.started.take() else {
                return Err(format!(
                    "the runner {how} between tests (after {}); see {}",
                    events.tests.last().map_or("none", |t| t.key()),
                    log_path.display()
                ));
            };
            // The watchdog ends the process with code 1 after dumping the
            // threads, once the test has run for --test-timeout.
            let hung = status.code() == Some(1)
                && started_at.elapsed() + Duration::from_secs(1) >= opts.test_timeout;
            let message = if hung {
                format!(
                "hung: no result within {} s (the watchdog dumped every thread's traceback into {} and ended the run)",
                opts.test_timeout.as_secs(),
                log_path.display()
            )
            } else {
                format!(
                    "crashed: the interpreter {how} during this test (see {})",
                    log_path.display()
                )
            };
            eprintln!(
                "{}: {message}",
                id.strip_prefix(MODULE_PREFIX).unwrap_or(&id)
            );
            events.record(TestRecord {
                id,
                outcome: Outcome::Error,
                message,
                first_attempt: None,
            });
            if tries >= MAX_ATTEMPTS {
                return Err(format!(
                    "gave up after {MAX_ATTEMPTS} runner restarts (hung or crashed tests)"
                ));
            }
        }
    }
}

/// The tests to run again: those that failed (not fixtures) and that the
/// manifest does not declare (`declared`: its keys), in run order.
pub fn rerun_ids(tests: &[TestRecord], declared: &[String]) -> Vec<String> {
    tests
        .iter()
        .filter(|t| t.outcome.is_failure() && !t.is_fixture())
        .filter(|t| !declared.iter().any(|k| k == t.key()))
        .map(|t| t.id.clone())
        .collect()
}

/// Puts the rerun's results (`again`) into `tests`: each test in `ids`
/// gets its rerun's result, its first attempt kept beside it (no result on
/// the rerun: the first attempt's again). Returns what else went wrong in
/// the rerun (a test without a result, a fixture's failure).
pub fn merge_rerun(tests: &mut [TestRecord], ids: &[String], again: &[TestRecord]) -> Vec<String> {
    let mut problems = Vec::new();
    for t in tests.iter_mut().filter(|t| ids.contains(&t.id)) {
        let first = (t.outcome, t.message.clone());
        match again.iter().find(|r| r.id == t.id) {
            Some(r) => {
                t.outcome = r.outcome;
                t.message.clone_from(&r.message);
            }
            None => problems.push(format!("{}: no result on the rerun", t.key())),
        }
        t.first_attempt = Some(first);
    }
    for r in again {
        if !ids.contains(&r.id) && r.outcome.is_failure() {
            problems.push(format!(
                "{}: {} on the rerun: {}",
                r.key(),
                r.outcome.as_str(),
                r.message
            ));
        }
    }
    problems
}

/// Runs the runner (again after each hung or crashed test) until it
/// finishes, fails to import, or the whole run's time is up; then the
/// undeclared failures once more in a fresh runner. `Err`: why the run as a
/// whole failed.
fn run_tests(
    opts: &RunOptions,
    dir: &Path,
    module: Option<&Path>,
    rec: &mut RunRecord,
) -> Result<(), String> {
    let deadline = Instant::now() + opts.timeout;
    let log_path = dir.join("test_ssl.log");
    rec.log = Some(log_path.display().to_string());
    File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    // regrtest runs tests in a temporary working directory; so do we.
    let cwd = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
    let runner = Runner {
        opts,
        dir,
        module,
        cwd: cwd.path(),
        log_path: &log_path,
    };
    let mut events = Events::default();
    let result = runner.drive("", None, deadline, &mut events, &mut rec.attempts);
    rec.python_version = events.python_version;
    rec.ssl_module = events.module;
    rec.test_ssl = events.test_ssl;
    rec.openssl_version = events.openssl_version;
    rec.environment_altered = events.environment_altered;
    rec.tests = events.tests;
    result?;

    // regrtest's --rerun: the undeclared failures, once, in a fresh runner.
    let ids = rerun_ids(&rec.tests, &opts.declared);
    if ids.is_empty() {
        return Ok(());
    }
    let only_path = dir.join("rerun.txt");
    fs::write(
        &only_path,
        ids.iter().map(|id| format!("{id}\n")).collect::<String>(),
    )
    .map_err(|e| format!("{}: {e}", only_path.display()))?;
    let keys: Vec<&str> = ids
        .iter()
        .map(|id| id.strip_prefix(MODULE_PREFIX).unwrap_or(id))
        .collect();
    eprintln!(
        "rerunning {} failed test(s) in a fresh runner: {}",
        ids.len(),
        keys.join(" ")
    );
    let header = format!(
        "\n===== rerun of {} failed test(s) in a fresh runner: {} =====\n",
        ids.len(),
        keys.join(" ")
    );
    OpenOptions::new()
        .append(true)
        .open(&log_path)
        .and_then(|mut f| f.write_all(header.as_bytes()))
        .map_err(|e| format!("{}: {e}", log_path.display()))?;
    let mut again = Events::default();
    let mut attempts = 0;
    let rerun = runner.drive(
        "rerun-",
        Some(&only_path),
        Instant::now() + opts.timeout,
        &mut again,
        &mut attempts,
    );
    if let Err(e) = rerun {
        rec.rerun_problems.push(format!("the rerun failed: {e}"));
    }
    rec.environment_altered |= again.environment_altered;
    let problems = merge_rerun(&mut rec.tests, &ids, &again.tests);
    rec.rerun_problems.extend(problems);
    Ok(())
}

/// The text output: the module that ran, counts per class, totals, every
/// failure (declared with its reason, or UNDECLARED), the tests that passed
/// on their rerun, stale entries.
pub fn to_text(rec: &RunRecord, j: &Judgement) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "test_ssl on {}: _ssl from {}",
        rec.backend,
        rec.ssl_module.as_deref().unwrap_or("(not loaded)")
    );
    if let Some(t) = &rec.test_ssl {
        let _ = writeln!(
            out,
            "  test_ssl: {t} (Python {})",
            rec.python_version.as_deref().unwrap_or("?")
        );
    }
    if let Some(v) = &rec.openssl_version {
        let _ = writeln!(out, "  ssl.OPENSSL_VERSION: {v}");
    }
    let classes = rec.classes();
    if !classes.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<36} {:>5} {:>7} {:>7} {:>8}",
            "class", "run", "passed", "failed", "skipped"
        );
        let mut line = |name: &str, c: &Counts| {
            let _ = writeln!(
                out,
                "{name:<36} {:>5} {:>7} {:>7} {:>8}",
                c.run, c.passed, c.failed, c.skipped
            );
        };
        for (class, c) in &classes {
            line(class, c);
        }
        line("total", &rec.totals());
    }
    let _ = writeln!(out, "\n{}", rec.totals().summary());
    if rec.attempts > 1 {
        let _ = writeln!(
            out,
            "the runner was restarted {} time(s) after hung or crashed tests",
            rec.attempts - 1
        );
    }
    if rec.environment_altered {
        out.push_str(
            "environment altered (threads left behind or unraisable exceptions; see the log)\n",
        );
    }
    if let Some(e) = &j.run_error {
        let _ = writeln!(out, "\nFAILED: {e}  UNDECLARED");
    }
    if !j.failures.is_empty() {
        out.push_str("\nfailures:\n");
        for f in &j.failures {
            let _ = writeln!(out, "  {}: {}", f.key, f.message);
            match &f.declared {
                Some(reason) => {
                    let _ = writeln!(out, "      declared: {reason}");
                }
                None if f.rerun => out.push_str("      UNDECLARED (failed again on rerun)\n"),
                None => out.push_str("      UNDECLARED\n"),
            }
        }
    }
    if !j.flaky.is_empty() {
        out.push_str("\npassed on rerun (timing-dependent):\n");
        for f in &j.flaky {
            let _ = writeln!(out, "  {}: {}", f.key, f.first_message);
            if let Some(reason) = &f.declared {
                let _ = writeln!(out, "      declared: {reason}");
            }
        }
    }
    if !rec.rerun_problems.is_empty() {
        out.push_str("\nrerun:\n");
        for p in &rec.rerun_problems {
            let _ = writeln!(out, "  {p}");
        }
    }
    if !j.stale.is_empty() {
        out.push_str("\nstale manifest entries (remove them):\n");
        for s in &j.stale {
            let _ = writeln!(out, "  {}: {} (reason given: {})", s.key, s.why, s.reason);
        }
    }
    if !j.unchecked.is_empty() {
        let _ = writeln!(
            out,
            "\nmanifest entries not checked (skipped or not run): {}",
            j.unchecked.join(" ")
        );
    }
    let _ = writeln!(
        out,
        "\n{} undeclared failure(s), {} stale manifest entr{}, {} rerun ({} passed on rerun)",
        j.undeclared(),
        j.stale.len(),
        if j.stale.len() == 1 { "y" } else { "ies" },
        rec.totals().rerun,
        j.flaky.len()
    );
    if let Some(log) = &rec.log {
        let _ = writeln!(out, "log: {log}");
    }
    out
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: conformance test-ssl --backend NAME [--json] [--python PY] [--timeout SECS] [--test-timeout SECS]\n       NAME: {} (built over ours) or {REFERENCE} (CPython's own _ssl)",
        ssl::backend_names().join(", ")
    );
    ExitCode::from(2)
}

fn value<'a>(rest: &'a [String], flag: &str) -> Option<&'a str> {
    rest.iter()
        .position(|a| a == flag)
        .and_then(|i| rest.get(i + 1))
        .map(String::as_str)
}

fn seconds(rest: &[String], flag: &str, default: Duration) -> Result<Duration, String> {
    match value(rest, flag) {
        None => Ok(default),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|s| *s > 0.0)
            .map(Duration::from_secs_f64)
            .ok_or(format!("bad {flag} {v:?}")),
    }
}

/// `conformance test-ssl ...`: exit 0 when nothing fails that the manifest
/// does not declare and no entry is stale, 1 otherwise, 2 on a usage error.
pub fn command(rest: &[String]) -> ExitCode {
    let Some(backend) = value(rest, "--backend") else {
        return usage();
    };
    if backend != REFERENCE && !ssl::backend_names().contains(&backend) {
        eprintln!("unknown backend {backend:?}");
        return usage();
    }
    let (timeout, test_timeout) = match (
        seconds(rest, "--timeout", DEFAULT_TIMEOUT),
        seconds(rest, "--test-timeout", DEFAULT_TEST_TIMEOUT),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{e}");
            return usage();
        }
    };
    let manifest = match load_manifest(backend) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("the manifest is broken: {e}");
            return ExitCode::from(2);
        }
    };
    let opts = RunOptions {
        backend: backend.to_string(),
        python: value(rest, "--python").unwrap_or("python3").to_string(),
        python_given: value(rest, "--python").is_some(),
        timeout,
        test_timeout,
        declared: manifest.iter().map(|e| e.key.clone()).collect(),
    };
    let rec = run(&opts);
    let judgement = judge(&rec, &manifest);
    let doc = rec.to_json(&judgement);
    let path = results_path(backend);
    if let Err(e) = fs::write(
        &path,
        serde_json::to_string_pretty(&doc).unwrap_or_default(),
    ) {
        eprintln!("cannot write {}: {e}", path.display());
    }
    if rest.iter().any(|a| a == "--json") {
        println!("{doc}");
    } else {
        print!("{}", to_text(&rec, &judgement));
        println!("results: {}", path.display());
    }
    let _ = std::io::stdout().flush();
    if judgement.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// One backend's row of the report's test_ssl section.
#[derive(Clone, Debug)]
pub enum Section {
    /// No results yet: the command that makes them.
    NotRun(String),
    /// The results or the manifest cannot be read (counts as a failure).
    Broken(String),
    /// The results of the last run, judged against today's manifest.
    Ran(Box<RunRecord>, Judgement),
}

impl Section {
    /// What fails the report: undeclared failures and stale entries (1 for
    /// a broken section, 0 when not run).
    pub fn problems(&self) -> usize {
        match self {
            Section::NotRun(_) => 0,
            Section::Broken(_) => 1,
            Section::Ran(_, j) => j.problems(),
        }
    }
}

/// The report's section for `backend`: its last results (the report does
/// not run test_ssl itself).
pub fn section(backend: &str) -> Section {
    let manifest = match load_manifest(backend) {
        Ok(m) => m,
        Err(e) => return Section::Broken(format!("the manifest is broken: {e}")),
    };
    match read_results(backend) {
        Ok(None) => Section::NotRun(not_run_message(backend)),
        Ok(Some(rec)) => {
            let j = judge(&rec, &manifest);
            Section::Ran(Box::new(rec), j)
        }
        Err(e) => Section::Broken(format!("unreadable results: {e}")),
    }
}

/// `unix` (seconds since the epoch) as `2025-12-07 17:46 UTC`.
pub fn utc(unix: u64) -> String {
    // Howard Hinnant's civil_from_days.
    let days = (unix / 86_400) as i64;
    let (hour, minute) = ((unix % 86_400) / 3600, (unix % 3600) / 60);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

/// How long ago `unix` was, for people (`12 min ago`).
pub fn age(unix: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let secs = now.saturating_sub(unix);
    match secs {
        0..=119 => format!("{secs} s ago"),
        120..=7199 => format!("{} min ago", secs / 60),
        7200..=172_799 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(tests: &[(&str, Outcome)]) -> RunRecord {
        RunRecord {
            backend: "openssl".into(),
            tests: tests
                .iter()
                .map(|(k, o)| TestRecord {
                    id: format!("{MODULE_PREFIX}{k}"),
                    outcome: *o,
                    message: if o.is_failure() {
                        "AssertionError: no".into()
                    } else {
                        String::new()
                    },
                    first_attempt: None,
                })
                .collect(),
            ..RunRecord::default()
        }
    }

    #[test]
    fn manifest_lines_comments_and_errors() {
        let m = parse_manifest(
            "# comment\n\nContextTests.test_ciphers   cipher strings (X13)\n  test.test_ssl.ThreadedTests.test_echo\tno TLS 1.3 server (S11)  \nsetUpModule whole module\n",
        )
        .unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].key, "ContextTests.test_ciphers");
        assert_eq!(m[0].reason, "cipher strings (X13)");
        assert_eq!(m[0].line, 3);
        assert_eq!(m[1].key, "ThreadedTests.test_echo");
        assert_eq!(m[1].reason, "no TLS 1.3 server (S11)");
        assert_eq!(m[2].key, "setUpModule");
        assert!(parse_manifest("").unwrap().is_empty());

        let no_reason = parse_manifest("ContextTests.test_ciphers\n").unwrap_err();
        assert!(
            no_reason.contains("line 1") && no_reason.contains("no reason"),
            "{no_reason}"
        );
        let twice = parse_manifest("A.test_x r\n# c\nA.test_x again\n").unwrap_err();
        assert!(
            twice.contains("line 3") && twice.contains("line 1"),
            "{twice}"
        );
        for bad in [
            "A.b.c reason",
            "A-b.test reason",
            "A..test reason",
            "1A.test r",
        ] {
            assert!(parse_manifest(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_shipped_manifests_parse() {
        for name in ["openssl", "rustls", "native"] {
            let path = manifest_path(name).unwrap();
            assert!(path.exists(), "{} is missing", path.display());
            load_manifest(name).unwrap();
        }
        assert_eq!(manifest_path(REFERENCE), None);
        assert!(load_manifest(REFERENCE).unwrap().is_empty());
    }

    #[test]
    fn undeclared_and_declared_failures() {
        let run = rec(&[
            ("ContextTests.test_a", Outcome::Passed),
            ("ContextTests.test_b", Outcome::Failed),
            ("ThreadedTests.test_c", Outcome::Error),
            ("ThreadedTests.test_d", Outcome::Skipped),
            ("ThreadedTests.test_e", Outcome::UnexpectedSuccess),
            ("ThreadedTests.test_f", Outcome::ExpectedFailure),
        ]);
        let m = parse_manifest("ContextTests.test_b cipher strings (X13)\n").unwrap();
        let j = judge(&run, &m);
        assert_eq!(j.failures.len(), 3);
        assert_eq!(
            j.failures[0].declared.as_deref(),
            Some("cipher strings (X13)")
        );
        assert_eq!(j.failures[1].declared, None);
        assert_eq!(j.failures[2].key, "ThreadedTests.test_e");
        assert_eq!(j.undeclared(), 2);
        assert!(j.stale.is_empty());
        assert!(!j.is_ok());

        let all = parse_manifest(
            "ContextTests.test_b x\nThreadedTests.test_c y\nThreadedTests.test_e z\n",
        )
        .unwrap();
        let j = judge(&run, &all);
        assert_eq!(j.undeclared(), 0);
        assert!(j.is_ok());

        let totals = run.totals();
        assert_eq!(
            totals,
            Counts {
                run: 6,
                passed: 1,
                failed: 3,
                skipped: 1,
                expected_failures: 1,
                ..Counts::default()
            }
        );
        let classes = run.classes();
        assert_eq!(classes[0].0, "ContextTests");
        assert_eq!(classes[0].1.failed, 1);
        assert_eq!(classes[1].0, "ThreadedTests");
        assert_eq!(classes[1].1.run, 4);
    }

    #[test]
    fn stale_entries() {
        let run = rec(&[
            ("ContextTests.test_a", Outcome::Passed),
            ("ContextTests.test_s", Outcome::Skipped),
            ("ContextTests.test_x", Outcome::ExpectedFailure),
        ]);
        let m = parse_manifest(
            "ContextTests.test_a passes now\nContextTests.test_gone renamed\nContextTests.test_s skipped here\nContextTests.test_x xfail\n",
        )
        .unwrap();
        let j = judge(&run, &m);
        let stale: Vec<(&str, &str)> = j
            .stale
            .iter()
            .map(|s| (s.key.as_str(), s.why.as_str()))
            .collect();
        assert_eq!(
            stale,
            [
                ("ContextTests.test_a", "passed (line 1)"),
                (
                    "ContextTests.test_gone",
                    "no such test in test_ssl (line 2)"
                ),
                ("ContextTests.test_x", "expected failure (line 4)"),
            ]
        );
        assert_eq!(j.unchecked, ["ContextTests.test_s"]);
        assert_eq!(j.undeclared(), 0);
        assert_eq!(j.problems(), 3);

        // A run that did not complete cannot say a test no longer exists,
        // and fails as a whole.
        let mut broken = rec(&[]);
        broken.run_error = Some("test_ssl could not be imported: ImportError: x".into());
        let j = judge(&broken, &m);
        assert!(j.stale.is_empty());
        assert_eq!(j.unchecked.len(), 4);
        assert_eq!(j.undeclared(), 1);
        assert!(!j.is_ok());
    }

    /// A run in which test_connect and test_echo passed.
    fn connect_and_echo_passed() -> RunRecord {
        rec(&[
            ("SimpleBackgroundTests.test_connect", Outcome::Passed),
            ("ThreadedTests.test_echo", Outcome::Passed),
        ])
    }

    /// `key` failed (`first`), then ended `again` on its rerun.
    fn rerun(run: &mut RunRecord, key: &str, first: Outcome, again: Outcome) {
        let t = run.tests.iter_mut().find(|t| t.key() == key).unwrap();
        t.first_attempt = Some((first, "ConnectionResetError: [Errno 104] reset".into()));
        t.outcome = again;
        t.message = if again.is_failure() {
            "ConnectionResetError: [Errno 104] again".into()
        } else {
            String::new()
        };
    }

    #[test]
    fn flaky_passes_are_not_failures() {
        let mut run = connect_and_echo_passed();
        rerun(
            &mut run,
            "SimpleBackgroundTests.test_connect",
            Outcome::Error,
            Outcome::Passed,
        );
        let j = judge(&run, &[]);
        assert!(j.failures.is_empty(), "{:?}", j.failures);
        assert_eq!(j.undeclared(), 0);
        assert!(j.is_ok());
        assert_eq!(j.flaky.len(), 1);
        assert_eq!(j.flaky[0].key, "SimpleBackgroundTests.test_connect");
        assert_eq!(j.flaky[0].first_outcome, Outcome::Error);
        assert_eq!(
            j.flaky[0].first_message,
            "ConnectionResetError: [Errno 104] reset"
        );
        let t = run.totals();
        assert_eq!(
            (t.run, t.passed, t.failed, t.rerun, t.flaky),
            (2, 2, 0, 1, 1)
        );
        assert!(
            t.summary()
                .ends_with("0 skipped, 1 rerun (1 passed on rerun)"),
            "{}",
            t.summary()
        );
        let text = to_text(&run, &j);
        assert!(
            text.contains("passed on rerun (timing-dependent):\n  SimpleBackgroundTests.test_connect: ConnectionResetError: [Errno 104] reset\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "0 undeclared failure(s), 0 stale manifest entries, 1 rerun (1 passed on rerun)"
            ),
            "{text}"
        );

        // In the JSON: the list, the test's own fields; and back.
        let v = run.to_json(&j);
        assert_eq!(v["flaky"], json!(["SimpleBackgroundTests.test_connect"]));
        assert_eq!(v["reruns"], 1);
        assert_eq!(v["totals"]["flaky"], 1);
        assert_eq!(v["tests"][0]["flaky"], true);
        assert_eq!(v["tests"][0]["outcome"], "passed");
        assert_eq!(v["tests"][0]["first_attempt"]["outcome"], "error");
        assert_eq!(v["tests"][1]["flaky"], false);
        assert_eq!(v["tests"][1]["first_attempt"], Value::Null);
        assert_eq!(v["ok"], true);
        let back = RunRecord::from_json(&v).unwrap();
        assert_eq!(back.tests, run.tests);
        assert_eq!(judge(&back, &[]), j);
    }

    #[test]
    fn an_undeclared_failure_that_fails_on_rerun_is_one() {
        let mut run = connect_and_echo_passed();
        rerun(
            &mut run,
            "ThreadedTests.test_echo",
            Outcome::Failed,
            Outcome::Error,
        );
        run.rerun_problems
            .push("ThreadedTests.tearDownClass: error on the rerun: x".into());
        let j = judge(&run, &[]);
        assert_eq!(j.undeclared(), 1);
        assert!(!j.is_ok());
        assert!(j.flaky.is_empty());
        assert_eq!(j.failures[0].key, "ThreadedTests.test_echo");
        assert_eq!(j.failures[0].outcome, Outcome::Error);
        assert!(j.failures[0].rerun);
        let t = run.totals();
        assert_eq!((t.passed, t.failed, t.rerun, t.flaky), (1, 1, 1, 0));
        let text = to_text(&run, &j);
        assert!(
            text.contains("UNDECLARED (failed again on rerun)"),
            "{text}"
        );
        assert!(
            !text.contains("passed on rerun (timing-dependent)"),
            "{text}"
        );
        assert!(
            text.contains("\nrerun:\n  ThreadedTests.tearDownClass"),
            "{text}"
        );
        let back = RunRecord::from_json(&run.to_json(&j)).unwrap();
        assert_eq!(back.rerun_problems, run.rerun_problems);
    }

    #[test]
    fn only_undeclared_failures_of_tests_are_rerun() {
        let run = rec(&[
            ("A.test_pass", Outcome::Passed),
            ("A.test_fail", Outcome::Failed),
            ("A.test_error", Outcome::Error),
            ("A.test_declared", Outcome::Failed),
            ("A.test_skip", Outcome::Skipped),
            ("A.test_xpass", Outcome::UnexpectedSuccess),
            ("A.test_xfail", Outcome::ExpectedFailure),
            ("A.setUpClass", Outcome::Error),
        ]);
        let ids = rerun_ids(&run.tests, &["A.test_declared".to_string()]);
        assert_eq!(
            ids,
            [
                "test.test_ssl.A.test_fail",
                "test.test_ssl.A.test_error",
                "test.test_ssl.A.test_xpass"
            ]
        );

        // The rerun's results: one passes, one fails again, one gives none;
        // a fixture's failure is noted, not counted.
        let mut tests = run.tests.clone();
        let again = rec(&[
            ("A.test_fail", Outcome::Passed),
            ("A.test_error", Outcome::Failed),
            ("A.tearDownClass", Outcome::Error),
        ]);
        let problems = merge_rerun(&mut tests, &ids, &again.tests);
        assert_eq!(
            problems,
            [
                "A.test_xpass: no result on the rerun",
                "A.tearDownClass: error on the rerun: AssertionError: no"
            ]
        );
        let find = |k: &str| tests.iter().find(|t| t.key() == k).unwrap();
        assert!(find("A.test_fail").is_flaky());
        assert_eq!(
            find("A.test_fail").first_attempt,
            Some((Outcome::Failed, "AssertionError: no".into()))
        );
        assert_eq!(find("A.test_error").outcome, Outcome::Failed);
        assert!(!find("A.test_error").is_flaky());
        assert_eq!(find("A.test_xpass").outcome, Outcome::UnexpectedSuccess);
        assert!(find("A.test_xpass").first_attempt.is_some());
        assert_eq!(find("A.test_declared").first_attempt, None);
        assert_eq!(tests.len(), run.tests.len());
    }

    #[test]
    fn flaky_entries_are_never_stale_and_others_still_are() {
        let mut run = rec(&[
            ("A.test_passes", Outcome::Passed),
            ("A.test_reran", Outcome::Passed),
            ("A.test_fails", Outcome::Failed),
            ("A.test_plain_passes", Outcome::Passed),
            ("A.test_plain_reran", Outcome::Passed),
            ("A.test_xfail", Outcome::ExpectedFailure),
        ]);
        rerun(&mut run, "A.test_reran", Outcome::Error, Outcome::Passed);
        rerun(
            &mut run,
            "A.test_plain_reran",
            Outcome::Error,
            Outcome::Passed,
        );
        let m = parse_manifest(
            "A.test_passes flaky: the server may see a reset\n\
             A.test_reran flaky: races its server thread\n\
             A.test_fails flaky: races its server thread\n\
             A.test_plain_passes passes now\n\
             A.test_plain_reran Flaky without the prefix\n\
             A.test_xfail flaky: xfail\n\
             A.test_gone flaky: renamed since\n",
        )
        .unwrap();
        assert!(m[0].is_flaky() && !m[3].is_flaky() && !m[4].is_flaky());
        let j = judge(&run, &m);
        let stale: Vec<(&str, &str)> = j
            .stale
            .iter()
            .map(|s| (s.key.as_str(), s.why.as_str()))
            .collect();
        assert_eq!(
            stale,
            [
                ("A.test_plain_passes", "passed (line 4)"),
                ("A.test_plain_reran", "passed (line 5)"),
                ("A.test_gone", "no such test in test_ssl (line 7)"),
            ]
        );
        // A declared flaky test that fails is a declared failure.
        assert_eq!(j.failures.len(), 1);
        assert_eq!(
            j.failures[0].declared.as_deref(),
            Some("flaky: races its server thread")
        );
        assert_eq!(j.undeclared(), 0);
        // Rerun ones are listed, with the manifest's reason if any.
        let flaky: Vec<(&str, Option<&str>)> = j
            .flaky
            .iter()
            .map(|f| (f.key.as_str(), f.declared.as_deref()))
            .collect();
        assert_eq!(
            flaky,
            [
                ("A.test_reran", Some("flaky: races its server thread")),
                ("A.test_plain_reran", Some("Flaky without the prefix")),
            ]
        );
        assert_eq!(j.problems(), 3);

        // Without the stale ones, the run passes.
        let m: Vec<ManifestEntry> = m
            .into_iter()
            .filter(|e| e.is_flaky() && e.key != "A.test_gone")
            .collect();
        assert!(judge(&run, &m).is_ok());
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400 + 3_660), "2000-02-29 01:01 UTC");
        assert_eq!(utc(1_765_129_560), "2025-12-07 17:46 UTC");
    }

    #[test]
    fn fixtures_are_not_counted_as_run() {
        let run = rec(&[
            ("ThreadedTests.setUpClass", Outcome::Error),
            ("setUpModule", Outcome::Error),
        ]);
        assert!(run.tests.iter().all(TestRecord::is_fixture));
        assert_eq!(run.tests[1].class(), "(module)");
        let t = run.totals();
        assert_eq!((t.run, t.failed), (0, 2));
    }

    #[test]
    fn results_json_round_trip() {
        let mut run = rec(&[
            ("ContextTests.test_a", Outcome::Passed),
            ("ContextTests.test_b", Outcome::Failed),
        ]);
        run.python_version = Some("3.11.7".into());
        run.ssl_module = Some("/x/_ssl.so".into());
        run.finished_unix = 7;
        let j = judge(&run, &[]);
        let v = run.to_json(&j);
        assert_eq!(v["undeclared"], 1);
        assert_eq!(v["ok"], false);
        assert_eq!(v["totals"]["failed"], 1);
        assert_eq!(v["failures"][0]["test"], "ContextTests.test_b");
        assert_eq!(v["failures"][0]["declared"], Value::Null);
        let back = RunRecord::from_json(&v).unwrap();
        assert_eq!(back.tests, run.tests);
        assert_eq!(back.ssl_module, run.ssl_module);
        assert_eq!(back.finished_unix, 7);
    }

    #[test]
    fn events_are_read_line_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        fs::write(
            &path,
            "{\"event\": \"module\", \"file\": \"/m/_ssl.so\"}\n{\"event\": \"start\", \"id\": \"test.test_ssl.A.test_1\"}\n{\"event\": \"result\", \"id\": \"test.test_ssl.A.test_1\", \"outcome\": \"failed\", \"message\": \"AssertionError: x\"}\n{\"event\": \"start\", \"id\": \"test.test_ssl.A.test_2\"}\n{\"event\": \"resu",
        )
        .unwrap();
        let mut e = Events::default();
        assert_eq!(e.read(&path), 1);
        assert_eq!(e.module.as_deref(), Some("/m/_ssl.so"));
        assert_eq!(e.started.as_deref(), Some("test.test_ssl.A.test_2"));
        assert_eq!(e.tests[0].outcome, Outcome::Failed);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"lt\", \"id\": \"test.test_ssl.A.test_2\", \"outcome\": \"passed\", \"message\": \"\"}\n{\"event\": \"finished\", \"environment_altered\": true}\n")
            .unwrap();
        assert_eq!(e.read(&path), 1);
        assert_eq!(e.started, None);
        assert!(e.finished && e.environment_altered);
        assert_eq!(e.tests.len(), 2);
    }
}
