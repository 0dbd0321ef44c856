//! Runs `examples/runtime_choice.rs` for every compiled-in backend and checks
//! what it says: the swapped certificate served and the session resumed
//! where the backend's capabilities declare the servername callback (X16)
//! and sessions (S14), the declared reason where they do not. Each run is
//! bounded (60 s) and killed past it.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `cargo test` builds the examples next to the test binaries:
/// `target/<profile>/examples/` beside `target/<profile>/deps/`.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} was not built", path.display());
    path
}

/// Runs the example with `arg`; its exit status and output, or a panic if it
/// runs past the bound.
fn run_bounded(arg: &str, bound: Duration) -> (bool, String, String) {
    let mut child = Command::new(example("runtime_choice"))
        .arg(arg)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runtime_choice starts");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > bound {
            child.kill().ok();
            let out = child.wait_with_output().expect("output");
            panic!(
                "runtime_choice {arg} still running after {bound:?}; it said:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn runtime_choice_on_every_backend() {
    let names = ssl::backend_names();
    assert!(!names.is_empty());
    for name in names {
        let (ok, out, err) = run_bounded(name, Duration::from_secs(60));
        assert!(ok, "runtime_choice {name} failed:\n{out}{err}");
        let caps = ssl::capabilities(name).expect("compiled in");
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines[0].starts_with(&format!("backend: {name} ({})", caps.library_version)),
            "{name}: {out}"
        );
        let expect_sni = match caps.unsupported_reason("X16") {
            Some(reason) => format!("sni: skipped (X16 unsupported: {reason})"),
            None => {
                "sni: the callback saw \"localhost\" and the swapped certificate was served".into()
            }
        };
        let expect_session = match caps.unsupported_reason("S14") {
            Some(reason) => format!("session: skipped (S14 unsupported: {reason})"),
            None => "session: resumed on a second connection".into(),
        };
        assert!(lines.contains(&expect_sni.as_str()), "{name}: {out}");
        assert!(lines.contains(&expect_session.as_str()), "{name}: {out}");
        assert_eq!(lines.last(), Some(&"ok"), "{name}: {out}");
    }
}

#[test]
fn runtime_choice_refuses_an_unknown_backend() {
    let (ok, _, err) = run_bounded("no-such-backend", Duration::from_secs(60));
    assert!(!ok);
    assert!(
        err.contains("no backend \"no-such-backend\" compiled in"),
        "{err}"
    );
}
