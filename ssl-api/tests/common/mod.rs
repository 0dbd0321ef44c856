//! Runs batches of calls through CPython's own `ssl` module (one `python3`
//! process per batch) so the tests can compare outcome for outcome.
//!
//! A missing `python3` makes the tests fail, never skip.

#![allow(dead_code)]

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::{json, Value as Json};
use ssl_api::Error;

/// The oracle: reads JSON requests (one a line), answers one JSON line each:
/// `{"ok": value}` or `{"exc": type name, "known": nearest class our errors
/// model, "msg": message}`, the message being the exception's only argument
/// (for CPython's `CertificateError`, `str(e)` is `"('message',)"` since it is
/// an `SSLError` built from one argument) or else `str(e)`.
const ORACLE: &str = r#"
import sys, json, ssl, warnings
warnings.simplefilter("ignore")

def tup(v):
    if isinstance(v, list):
        return tuple(tup(x) for x in v)
    if isinstance(v, dict) and set(v) == {"$bytes"}:
        return bytes.fromhex(v["$bytes"])
    return v

KNOWN = ("SSLCertVerificationError", "SSLError", "ValueError", "OSError")

def call(req):
    fn = req["fn"]
    if fn == "match_hostname":
        cert = {k: tup(v) for k, v in req["cert"]}
        return ssl.match_hostname(cert, req["arg"])
    if fn == "cert_time_to_seconds":
        return ssl.cert_time_to_seconds(req["arg"])
    if fn == "DER_cert_to_PEM_cert":
        return ssl.DER_cert_to_PEM_cert(bytes.fromhex(req["arg"]))
    if fn == "PEM_cert_to_DER_cert":
        return ssl.PEM_cert_to_DER_cert(req["arg"]).hex()
    raise RuntimeError("unknown fn " + fn)

out = []
for line in sys.stdin.buffer.read().split(b"\n"):
    if not line.strip():
        continue
    req = json.loads(line.decode("utf-8"))
    try:
        res = {"ok": call(req)}
    except Exception as e:
        known = next((c.__name__ for c in type(e).__mro__ if c.__name__ in KNOWN), None)
        # The message is the single argument: str() of an SSLError built from
        # one argument (CertificateError) is the repr of its args tuple.
        if len(e.args) == 1 and isinstance(e.args[0], str):
            msg = e.args[0]
        else:
            msg = str(e)
        res = {"exc": type(e).__name__, "known": known, "msg": msg}
    out.append(json.dumps(res))
sys.stdout.write("\n".join(out) + "\n")
sys.stdout.flush()
"#;

/// What CPython answered for one call.
#[derive(Debug, Clone)]
pub enum PyOutcome {
    /// The return value, as JSON.
    Ok(Json),
    /// The exception.
    Exc {
        /// `type(e).__name__`.
        name: String,
        /// The first class of its MRO among those our `Error` models.
        known: Option<String>,
        /// The message (`e.args[0]`, or `str(e)` when there is not exactly one).
        msg: String,
    },
}

/// Sends every request (`{"fn": ..., "arg": ..., ...}`) to one `python3`.
pub fn run_python(requests: &[Json]) -> Vec<PyOutcome> {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(ORACLE)
        .env("PYTHONIOENCODING", "utf-8")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 is required for the CPython comparison tests (not found or not runnable)");
    {
        let mut stdin = child.stdin.take().expect("python3 stdin");
        let mut input = String::new();
        for req in requests {
            input.push_str(&req.to_string());
            input.push('\n');
        }
        stdin
            .write_all(input.as_bytes())
            .expect("writing to python3");
    }
    let output = child.wait_with_output().expect("python3 output");
    assert!(
        output.status.success(),
        "python3 failed: {:?}",
        output.status
    );
    let text = String::from_utf8(output.stdout).expect("python3 output is UTF-8");
    let outcomes: Vec<PyOutcome> = text
        .lines()
        .map(|line| {
            let v: Json = serde_json::from_str(line).expect("python3 answered JSON");
            if let Some(ok) = v.get("ok") {
                PyOutcome::Ok(ok.clone())
            } else {
                PyOutcome::Exc {
                    name: v["exc"].as_str().unwrap_or_default().to_owned(),
                    known: v["known"].as_str().map(str::to_owned),
                    msg: v["msg"].as_str().unwrap_or_default().to_owned(),
                }
            }
        })
        .collect();
    assert_eq!(
        outcomes.len(),
        requests.len(),
        "python3 answered {} of {} requests",
        outcomes.len(),
        requests.len()
    );
    outcomes
}

/// Tally of one function's comparison.
#[derive(Default)]
pub struct Tally {
    pub compared: usize,
    pub matched: usize,
    /// Exceptions whose Python class is a subclass we model by its base
    /// (`UnicodeEncodeError`, `binascii.Error` -> `ValueError`).
    pub via_base_class: usize,
    pub mismatches: Vec<String>,
    /// How many of Python's outcomes were a return / each exception class.
    pub outcomes: std::collections::BTreeMap<String, usize>,
}

impl Tally {
    /// Compares our result (already turned into JSON on success) with Python's.
    pub fn compare(&mut self, what: &str, ours: Result<Json, Error>, py: &PyOutcome) {
        self.compared += 1;
        let kind = match py {
            PyOutcome::Ok(_) => "returned".to_owned(),
            PyOutcome::Exc { name, .. } => name.clone(),
        };
        *self.outcomes.entry(kind).or_default() += 1;
        let same = match (&ours, py) {
            (Ok(a), PyOutcome::Ok(b)) => a == b,
            (Err(e), PyOutcome::Exc { name, known, msg }) => {
                let type_ok = e.python_type() == name
                    || (known.as_deref() == Some(e.python_type())
                        && e.is_instance(known.as_deref().unwrap_or("")));
                if type_ok && e.python_type() != name {
                    self.via_base_class += 1;
                }
                type_ok && &e.to_string() == msg
            }
            _ => false,
        };
        if same {
            self.matched += 1;
        } else {
            let ours = match &ours {
                Ok(v) => format!("ok {v}"),
                Err(e) => format!("{}: {}", e.python_type(), e),
            };
            self.mismatches
                .push(format!("{what}\n    rust:   {ours}\n    python: {py:?}"));
        }
    }

    /// Prints the counts and fails on any mismatch.
    pub fn finish(self, function: &str, minimum: usize) {
        eprintln!(
            "{function}: {} cases compared with CPython, {} matched ({} exceptions matched through their ValueError base class)",
            self.compared, self.matched, self.via_base_class
        );
        eprintln!("{function}: CPython outcomes {:?}", self.outcomes);
        for m in &self.mismatches {
            eprintln!("MISMATCH {m}");
        }
        assert!(
            self.compared >= minimum,
            "{function}: only {} cases, want at least {minimum}",
            self.compared
        );
        assert_eq!(
            self.matched,
            self.compared,
            "{function}: {} mismatches with CPython",
            self.mismatches.len()
        );
    }
}

/// A request for the oracle.
pub fn request(function: &str, arg: Json) -> Json {
    json!({"fn": function, "arg": arg})
}
