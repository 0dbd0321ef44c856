//! Every compiled-in backend's client against every compiled-in backend's server.

#[test]
fn every_client_against_every_server() {
    let matrix = conformance::interop::matrix();
    assert!(!matrix.is_empty());
    for (client, server, result) in &matrix {
        eprintln!("{client} -> {server}: {result:?}");
        assert!(
            result.is_ok(),
            "{client} client against {server} server: {result:?}"
        );
    }
}

/// The security posture probes: every backend's answer that differs from
/// CPython's `create_default_context()` is declared in its capabilities,
/// and every declaration is backed by a difference.
#[test]
fn posture_differences_are_declared() {
    let rows = match conformance::posture::rows() {
        Ok(rows) => rows,
        Err(why) => panic!("the posture probes cannot run: {why}"),
    };
    let mut problems = Vec::new();
    for row in &rows {
        eprintln!(
            "{:<62} CPython {:?}",
            row.probe.name,
            row.cpython.as_ref().map(|a| (a.yes, a.detail.as_str()))
        );
        for (name, answer, _) in &row.backends {
            eprintln!(
                "{:<62}   {name} {:?}",
                "",
                answer.as_ref().map(|a| (a.yes, a.detail.as_str()))
            );
        }
        problems.extend(
            row.problems()
                .into_iter()
                .map(|p| format!("{}: {p}", row.probe.name)),
        );
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
