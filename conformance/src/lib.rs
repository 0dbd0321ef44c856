//! # conformance
//!
//! One shared suite of cases, each a generic function over
//! [`ssl_api::Backend`], run for every compiled-in backend: by `cargo test`
//! (through [`shared_suite!`]) and by the `conformance` binary. Where a backend
//! is known to differ from CPython, its expectations manifest
//! ([`expectations`]) says so with the reason; capabilities drive the rest.
// `unsafe` is denied everywhere but in `net::poll` (readiness waiting) and
// the fork of `cases::rand_differs_after_fork` (P4: fork, waitpid, kill, _exit).
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod bench;
pub mod bench_ab;
pub mod bench_report;
pub mod carriers;
pub mod cases;
pub mod expectations;
pub mod flavors;
pub mod harness;
pub mod interop;
pub mod interop_cases;
pub mod net;
pub mod pki;
pub mod posture;
pub mod record_cases;
pub mod reference;
pub mod report;
pub mod socket_cases;
pub mod stream_cases;
pub mod test_ssl;
pub mod tools;

use cases::{CaseResult, Outcome};
use ssl_api::Backend;

/// What running one case on one backend concluded, with the manifest applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Behaved as CPython does.
    Pass,
    /// Failed, and the manifest does not expect it.
    Fail(String),
    /// Failed as the manifest expects; the manifest's reason.
    ExpectedFail(String),
    /// The manifest expected a failure but the case passed (the manifest is stale).
    UnexpectedPass(String),
    /// The backend declares the feature unsupported; the reason.
    NotSupported(String),
}

impl Verdict {
    /// True when this verdict should fail a test run.
    pub fn is_failure(&self) -> bool {
        matches!(self, Verdict::Fail(_) | Verdict::UnexpectedPass(_))
    }
}

/// Runs `case` for backend `B` on a fresh PKI and applies the manifest.
pub fn run_case<B: Backend>(name: &str, case: fn(&pki::Pki) -> CaseResult) -> Verdict {
    let pki = pki::Pki::generate();
    // Keyed by the library behind `B` (for AnyBackend, the selected one).
    let expected = expectations::expected_failure(B::name(), name);
    let result = std::panic::catch_unwind(|| case(&pki))
        .unwrap_or_else(|_| Err("the case panicked".to_string()));
    match (result, expected) {
        (Ok(Outcome::Pass), None) => Verdict::Pass,
        (Ok(Outcome::Pass), Some(reason)) => Verdict::UnexpectedPass(reason.to_string()),
        (Ok(Outcome::NotSupported(r)), _) => Verdict::NotSupported(r),
        (Err(why), None) => Verdict::Fail(why),
        (Err(why), Some(reason)) => Verdict::ExpectedFail(format!("{reason} (saw: {why})")),
    }
}

/// The body of each generated `#[test]`: panics on a failing verdict.
pub fn run_case_test<B: Backend>(name: &str, case: fn(&pki::Pki) -> CaseResult) {
    let verdict = run_case::<B>(name, case);
    eprintln!("{}::{name}: {verdict:?}", B::NAME);
    assert!(!verdict.is_failure(), "{}::{name}: {verdict:?}", B::NAME);
}

/// Runs every shared case on backend `B`: `(case name, reference ids, verdict)`.
pub fn run_all<B: Backend>() -> Vec<(&'static str, &'static [&'static str], Verdict)> {
    cases::all::<B>()
        .into_iter()
        .map(|c| (c.name, c.refs, run_case::<B>(c.name, c.run)))
        .collect()
}
