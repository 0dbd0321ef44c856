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
        let session = bench::framework_session::<Rustls>(&client, &server).unwrap();
        bench::framework_resumed::<Rustls>(&client, &server, &session).unwrap();
        let setup = RustlsDirect::setup(&pki, kind, None, true);
        RustlsDirect::prime_resumption(&setup);
        RustlsDirect::resumed(&setup);
    }
    assert!(bench::framework_memory_per_connection::<Rustls>(&pki, 20).unwrap() >= 0.0);
    assert!(bench::direct_memory_per_connection::<RustlsDirect>(&pki, 20) >= 0.0);
}
