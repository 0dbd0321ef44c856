//! The whole shared suite through the run-time backend: for each backend
//! compiled in, selected by name (`ssl::select_backend`), every shared case
//! runs over `ssl_api::dynamic::AnyBackend`, so every `Context` / `Object`
//! / `Session` method the suite uses goes through the object-safe layer,
//! and each verdict must be what the backend's own types get (the same
//! manifest, the same declared capabilities). One test, the backends one
//! after another: the selection is process-wide.

use ssl_api::dynamic::AnyBackend;

#[test]
fn every_shared_case_through_the_run_time_backend() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for name in ssl::backend_names() {
        ssl::select_backend(name).expect("compiled in");
        for case in conformance::cases::all::<AnyBackend>() {
            let verdict = conformance::run_case::<AnyBackend>(case.name, case.run);
            ran += 1;
            if verdict.is_failure() {
                failures.push(format!("{name}::{}: {verdict:?}", case.name));
            }
        }
    }
    assert!(ran > 0);
    assert!(failures.is_empty(), "{failures:#?}");
}
