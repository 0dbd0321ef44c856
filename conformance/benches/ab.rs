//! `cargo bench -p conformance --bench ab`: the interleaved framework / direct
//! ratios of every workload (see `conformance::bench_ab`), printed and written
//! beside criterion's results for `conformance bench-report`.
//!
//! Arguments (after `--`): `--rounds N` (default 21), `--quick` (small sizes,
//! for a smoke run), `--backend NAME` (one backend; its rows replace its old
//! rows in the results file), `--only TEXT` (only the workloads whose label
//! contains TEXT, e.g. `resumed`; for profiling one workload).
//! Cargo's own `--bench` flag is ignored.

use conformance::bench::{self, BenchPki};
use conformance::bench_ab::{self, AbResult};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick { 3 } else { 21 });
    let bulk_total = if quick { 1 << 20 } else { 256 << 20 };
    let only = args
        .iter()
        .position(|a| a == "--backend")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let wanted = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let workload_filter = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let workload = |label: &str| {
        workload_filter
            .as_deref()
            .is_none_or(|text| label.contains(text))
    };
    let pki = BenchPki::generate();
    let mut results: Vec<AbResult> = Vec::new();
    #[cfg(feature = "rustls")]
    if wanted("rustls") {
        results.extend(bench_ab::workloads::<bench::rustls_direct::RustlsDirect>(
            &pki, rounds, bulk_total, workload,
        ));
    }
    #[cfg(feature = "openssl")]
    if wanted("openssl") {
        results.extend(bench_ab::workloads::<bench::openssl_direct::OpenSslDirect>(
            &pki, rounds, bulk_total, workload,
        ));
    }
    #[cfg(all(feature = "native", feature = "openssl"))]
    if wanted("native") {
        results.extend(bench_ab::workloads::<bench::native_direct::NativeDirect>(
            &pki, rounds, bulk_total, workload,
        ));
    }
    for r in &results {
        let cpu = r
            .cpu
            .map_or(String::new(), |c| format!("; CPU cost {}", c.spelled("")));
        let ratio = r
            .ratio_quartiles()
            .spelled(&format!(", {} rounds of {} calls", r.rounds, r.iterations));
        println!(
            "{:<52} framework {:>10.1} direct {:>10.1} {:<6} ratio {ratio}{cpu}",
            r.label, r.framework, r.direct, r.unit,
        );
    }
    if quick {
        return;
    }
    // Cargo runs benches in the package's directory: the target directory
    // is found from this executable (<target>/release/deps/ab-*).
    let path = bench_ab::results_path(&conformance::bench_report::criterion_dir_for_exe(3));
    if only.is_some() {
        // One backend: its rows replace theirs in the file, the rest stay.
        let mut merged = bench_ab::read_results(&path);
        merged.retain(|old| results.iter().all(|new| new.label != old.label));
        merged.extend(results);
        results = merged;
    }
    match bench_ab::write_results(&path, &results) {
        Ok(()) => println!("wrote {}", path.display()),
        Err(e) => eprintln!("cannot write {}: {e}", path.display()),
    }
}
