//! The benchmark workloads do what they claim (small sizes; speed is measured
//! by `cargo bench`, never asserted here).

use conformance::bench::{self, BenchPki, CertKind, DirectLibrary};

#[cfg(feature = "rustls")]
#[test]
fn rustls_workloads_run_both_ways() {
    use backend_rustls::Rustls;
    use bench::rustls_direct::RustlsDirect;
    let pki = BenchPki::generate();
    let chunk = vec![1u8; 16 << 10];
    let mut buf = vec![0u8; 16 << 10];
    for suite in ["TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"] {
        let (client, server) =
            bench::contexts::<Rustls>(&pki, CertKind::EcdsaP256, Some(suite)).unwrap();
        let (mut c, mut s) = bench::framework_connected::<Rustls>(&client, &server).unwrap();
        assert_eq!(ssl_api::Object::cipher(&c).unwrap().name, suite);
        assert_eq!(
            bench::framework_bulk(&mut c, &mut s, 1 << 20, &chunk, &mut buf).unwrap(),
            1 << 20
        );
        let setup = RustlsDirect::setup(&pki, CertKind::EcdsaP256, Some(suite), false);
        let mut pair = RustlsDirect::connect(&setup);
        assert_eq!(
            RustlsDirect::bulk(&mut pair, 1 << 20, &chunk, &mut buf),
            1 << 20
        );
    }
    for kind in [CertKind::EcdsaP256, CertKind::Rsa2048] {
        let (client, server) = bench::contexts::<Rustls>(&pki, kind, None).unwrap();
        bench::framework_handshake::<Rustls>(&client, &server).unwrap();
        let (session, _first) = bench::framework_session::<Rustls>(&client, &server).unwrap();
        bench::framework_resumed::<Rustls>(&client, &server, &session).unwrap();
        let setup = RustlsDirect::setup(&pki, kind, None, true);
        let first = RustlsDirect::prime_resumption(&setup);
        RustlsDirect::resumed(&setup, &first);
    }
    let (client, server) = bench::contexts::<Rustls>(&pki, CertKind::EcdsaP256, None).unwrap();
    for path in [bench::SocketPath::Socket, bench::SocketPath::Stream] {
        let tcp = bench::tcp_pair().unwrap();
        assert_eq!(
            bench::framework_socket_bulk::<Rustls>(&client, &server, tcp, 1 << 20, &chunk, path)
                .unwrap(),
            1 << 20
        );
    }
    let setup = RustlsDirect::setup(&pki, CertKind::EcdsaP256, None, false);
    assert_eq!(
        RustlsDirect::socket_bulk(&setup, bench::tcp_pair().unwrap(), 1 << 20, &chunk),
        1 << 20
    );
    assert!(bench::framework_memory_per_connection::<Rustls>(&pki, 20).unwrap() >= 0.0);
    assert!(bench::direct_memory_per_connection::<RustlsDirect>(&pki, 20) >= 0.0);
}

#[cfg(feature = "openssl")]
#[test]
fn openssl_workloads_run_both_ways() {
    use backend_openssl::OpenSsl;
    use bench::openssl_direct::OpenSslDirect;
    let pki = BenchPki::generate();
    let chunk = vec![1u8; 16 << 10];
    let mut buf = vec![0u8; 16 << 10];
    for suite in ["TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"] {
        let (client, server) =
            bench::contexts::<OpenSsl>(&pki, CertKind::EcdsaP256, Some(suite)).unwrap();
        let (mut c, mut s) = bench::framework_connected::<OpenSsl>(&client, &server).unwrap();
        assert_eq!(ssl_api::Object::cipher(&c).unwrap().name, suite);
        assert_eq!(
            bench::framework_bulk(&mut c, &mut s, 1 << 20, &chunk, &mut buf).unwrap(),
            1 << 20
        );
        let setup = OpenSslDirect::setup(&pki, CertKind::EcdsaP256, Some(suite), false);
        let mut pair = OpenSslDirect::connect(&setup);
        assert_eq!(pair.0.ssl().current_cipher().unwrap().name(), suite);
        assert_eq!(
            OpenSslDirect::bulk(&mut pair, 1 << 20, &chunk, &mut buf),
            1 << 20
        );
    }
    for kind in [CertKind::EcdsaP256, CertKind::Rsa2048] {
        let (client, server) = bench::contexts::<OpenSsl>(&pki, kind, None).unwrap();
        bench::framework_handshake::<OpenSsl>(&client, &server).unwrap();
        let (session, _first) = bench::framework_session::<OpenSsl>(&client, &server).unwrap();
        bench::framework_resumed::<OpenSsl>(&client, &server, &session).unwrap();
        let setup = OpenSslDirect::setup(&pki, kind, None, true);
        // Two batch inputs first, then their resumptions (as criterion runs them).
        let first = OpenSslDirect::prime_resumption(&setup);
        let second = OpenSslDirect::prime_resumption(&setup);
        OpenSslDirect::resumed(&setup, &first);
        OpenSslDirect::resumed(&setup, &second);
    }
    let (client, server) = bench::contexts::<OpenSsl>(&pki, CertKind::EcdsaP256, None).unwrap();
    for path in [bench::SocketPath::Socket, bench::SocketPath::Stream] {
        let tcp = bench::tcp_pair().unwrap();
        assert_eq!(
            bench::framework_socket_bulk::<OpenSsl>(&client, &server, tcp, 1 << 20, &chunk, path)
                .unwrap(),
            1 << 20
        );
    }
    let setup = OpenSslDirect::setup(&pki, CertKind::EcdsaP256, None, false);
    assert_eq!(
        OpenSslDirect::socket_bulk(&setup, bench::tcp_pair().unwrap(), 1 << 20, &chunk),
        1 << 20
    );
    assert!(bench::framework_memory_per_connection::<OpenSsl>(&pki, 20).unwrap() >= 0.0);
    assert!(bench::direct_memory_per_connection::<OpenSslDirect>(&pki, 20) >= 0.0);
}

#[cfg(all(feature = "native", feature = "openssl"))]
#[test]
fn native_workloads_run_both_ways() {
    use backend_native::Native;
    use bench::native_direct::NativeDirect;
    let pki = BenchPki::generate();
    let chunk = vec![1u8; 16 << 10];
    let mut buf = vec![0u8; 16 << 10];
    assert!(!bench::can_pin_suite::<Native>() && !bench::can_resume::<Native>());
    let (client, server) = bench::contexts::<Native>(&pki, CertKind::EcdsaP256, None).unwrap();
    let (mut c, mut s) = bench::framework_connected::<Native>(&client, &server).unwrap();
    assert_eq!(
        bench::framework_bulk(&mut c, &mut s, 1 << 20, &chunk, &mut buf).unwrap(),
        1 << 20
    );
    let setup = NativeDirect::setup(&pki, CertKind::EcdsaP256, None, false);
    let mut pair = NativeDirect::connect(&setup);
    assert_eq!(
        NativeDirect::bulk(&mut pair, 1 << 20, &chunk, &mut buf),
        1 << 20
    );
    for kind in [CertKind::EcdsaP256, CertKind::Rsa2048] {
        let (client, server) = bench::contexts::<Native>(&pki, kind, None).unwrap();
        bench::framework_handshake::<Native>(&client, &server).unwrap();
        NativeDirect::connect(&NativeDirect::setup(&pki, kind, None, false));
    }
    let (client, server) = bench::contexts::<Native>(&pki, CertKind::EcdsaP256, None).unwrap();
    for path in [bench::SocketPath::Socket, bench::SocketPath::Stream] {
        let tcp = bench::tcp_pair().unwrap();
        assert_eq!(
            bench::framework_socket_bulk::<Native>(&client, &server, tcp, 1 << 20, &chunk, path)
                .unwrap(),
            1 << 20
        );
    }
    let setup = NativeDirect::setup(&pki, CertKind::EcdsaP256, None, false);
    assert_eq!(
        NativeDirect::socket_bulk(&setup, bench::tcp_pair().unwrap(), 1 << 20, &chunk),
        1 << 20
    );
    assert!(bench::framework_memory_per_connection::<Native>(&pki, 20).unwrap() >= 0.0);
    assert!(bench::direct_memory_per_connection::<NativeDirect>(&pki, 20) >= 0.0);
}

/// rustls's interleaved workloads that `wanted` accepts: one round, 64 KiB bulk.
#[cfg(feature = "rustls")]
fn tiny_rustls_workloads(wanted: impl Fn(&str) -> bool) -> Vec<conformance::bench_ab::AbResult> {
    let pki = BenchPki::generate();
    conformance::bench_ab::workloads::<bench::rustls_direct::RustlsDirect>(
        &pki,
        1,
        64 << 10,
        wanted,
    )
}

/// The interleaved A/B runner goes through every workload of a backend
/// (tiny sizes, one round) and gives a finite, positive ratio for each.
#[cfg(feature = "rustls")]
#[test]
fn interleaved_workloads_run() {
    let results = tiny_rustls_workloads(|_| true);
    let labels: Vec<&str> = results.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "bulk_memorybio/rustls TLS_AES_128_GCM_SHA256",
            "bulk_memorybio/rustls TLS_CHACHA20_POLY1305_SHA256",
            "bulk_socket/rustls TLS_AES_128_GCM_SHA256",
            "bulk_stream/rustls TLS_AES_128_GCM_SHA256",
            "bulk_async/rustls TLS_AES_128_GCM_SHA256",
            "handshake_async/rustls EcdsaP256",
            "handshake/rustls EcdsaP256",
            "handshake/rustls Rsa2048",
            "handshake/rustls resumed",
        ]
    );
    for r in &results {
        assert!(r.ratio.is_finite() && r.ratio > 0.0, "{r:?}");
    }
}

/// A workload filter runs only the workloads it accepts.
#[cfg(feature = "rustls")]
#[test]
fn interleaved_workloads_filter() {
    let results = tiny_rustls_workloads(|label| label.contains("resumed"));
    let labels: Vec<&str> = results.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["handshake/rustls resumed"]);
    assert!(results[0].iterations >= 1);
}
