//! `cargo bench -p conformance`: each workload through the framework and
//! through the same TLS library used directly, in the same run (DESIGN §11).
//! `conformance bench-report` turns the results into framework / direct ratios.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};

use conformance::bench::{self, BenchPki, CertKind, DirectLibrary};
use ssl_api::Backend;

/// Bytes per bulk iteration (256 MiB in 16 KiB writes).
const BULK_TOTAL: usize = 256 << 20;
const CHUNK: usize = 16 << 10;
const SUITES: [&str; 2] = ["TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"];

fn bulk<D: DirectLibrary>(c: &mut Criterion, pki: &BenchPki) {
    let name = <D::Backend as Backend>::NAME;
    let mut g = c.benchmark_group(format!("bulk_memorybio/{name}"));
    g.throughput(Throughput::Bytes(BULK_TOTAL as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    let chunk = vec![0x5a; CHUNK];
    let mut buf = vec![0; CHUNK];
    let suites: Vec<Option<&str>> = if bench::can_pin_suite::<D::Backend>() {
        SUITES.iter().copied().map(Some).collect()
    } else {
        vec![None]
    };
    for suite in suites {
        let label = suite.unwrap_or("negotiated");
        let (client, server) =
            bench::contexts::<D::Backend>(pki, CertKind::EcdsaP256, suite).expect("contexts");
        let (mut co, mut so) =
            bench::framework_connected::<D::Backend>(&client, &server).expect("pair");
        g.bench_function(BenchmarkId::new("framework", label), |b| {
            b.iter(|| {
                bench::framework_bulk(&mut co, &mut so, BULK_TOTAL, &chunk, &mut buf).expect("bulk")
            })
        });
        let setup = D::setup(pki, CertKind::EcdsaP256, suite, false);
        let mut pair = D::connect(&setup);
        g.bench_function(BenchmarkId::new("direct", label), |b| {
            b.iter(|| D::bulk(&mut pair, BULK_TOTAL, &chunk, &mut buf))
        });
    }
    g.finish();
}

/// The same bulk transfer over a loopback TCP socket: SSLSocket against the
/// library's own stream type (one connection per iteration).
fn bulk_socket<D: DirectLibrary>(c: &mut Criterion, pki: &BenchPki)
where
    D::Setup: Sync,
{
    let name = <D::Backend as Backend>::NAME;
    let mut g = c.benchmark_group(format!("bulk_socket/{name}"));
    g.throughput(Throughput::Bytes(BULK_TOTAL as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    let chunk = vec![0x5a; CHUNK];
    let suite = bench::can_pin_suite::<D::Backend>().then_some(SUITES[0]);
    let label = suite.unwrap_or("negotiated");
    let (client, server) =
        bench::contexts::<D::Backend>(pki, CertKind::EcdsaP256, suite).expect("contexts");
    g.bench_function(BenchmarkId::new("framework", label), |b| {
        b.iter(|| {
            let tcp = bench::tcp_pair().expect("tcp");
            bench::framework_socket_bulk::<D::Backend>(
                &client,
                &server,
                tcp,
                BULK_TOTAL,
                &chunk,
                bench::SocketPath::Socket,
            )
            .expect("socket bulk")
        })
    });
    let setup = D::setup(pki, CertKind::EcdsaP256, suite, false);
    g.bench_function(BenchmarkId::new("direct", label), |b| {
        b.iter(|| D::socket_bulk(&setup, bench::tcp_pair().expect("tcp"), BULK_TOTAL, &chunk))
    });
    g.finish();
}

fn handshakes<D: DirectLibrary>(c: &mut Criterion, pki: &BenchPki) {
    let name = <D::Backend as Backend>::NAME;
    let mut g = c.benchmark_group(format!("handshake/{name}"));
    g.sample_size(20);
    for kind in [CertKind::EcdsaP256, CertKind::Rsa2048] {
        let label = format!("{kind:?}");
        let (client, server) = bench::contexts::<D::Backend>(pki, kind, None).expect("contexts");
        g.bench_function(BenchmarkId::new("framework", &label), |b| {
            b.iter(|| {
                bench::framework_handshake::<D::Backend>(&client, &server).expect("handshake")
            })
        });
        let setup = D::setup(pki, kind, None, false);
        g.bench_function(BenchmarkId::new("direct", &label), |b| {
            b.iter(|| D::connect(&setup))
        });
    }
    if !bench::can_resume::<D::Backend>() {
        g.finish();
        return;
    }
    let (client, server) =
        bench::contexts::<D::Backend>(pki, CertKind::EcdsaP256, None).expect("contexts");
    g.bench_function(BenchmarkId::new("framework", "resumed"), |b| {
        b.iter_batched(
            || bench::framework_session::<D::Backend>(&client, &server).expect("session"),
            |(session, _first)| {
                bench::framework_resumed::<D::Backend>(&client, &server, &session).expect("resumed")
            },
            BatchSize::SmallInput,
        )
    });
    let setup = D::setup(pki, CertKind::EcdsaP256, None, true);
    g.bench_function(BenchmarkId::new("direct", "resumed"), |b| {
        b.iter_batched(
            || D::prime_resumption(&setup),
            |first| D::resumed(&setup, &first),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn all(c: &mut Criterion) {
    let pki = BenchPki::generate();
    #[cfg(feature = "rustls")]
    {
        bulk::<bench::rustls_direct::RustlsDirect>(c, &pki);
        bulk_socket::<bench::rustls_direct::RustlsDirect>(c, &pki);
        handshakes::<bench::rustls_direct::RustlsDirect>(c, &pki);
    }
    #[cfg(feature = "openssl")]
    {
        bulk::<bench::openssl_direct::OpenSslDirect>(c, &pki);
        bulk_socket::<bench::openssl_direct::OpenSslDirect>(c, &pki);
        handshakes::<bench::openssl_direct::OpenSslDirect>(c, &pki);
    }
    #[cfg(all(feature = "native", feature = "openssl"))]
    {
        bulk::<bench::native_direct::NativeDirect>(c, &pki);
        bulk_socket::<bench::native_direct::NativeDirect>(c, &pki);
        handshakes::<bench::native_direct::NativeDirect>(c, &pki);
    }
}

criterion_group!(benches, all);
criterion_main!(benches);
