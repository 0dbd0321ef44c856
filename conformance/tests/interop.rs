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
