//! Interleaved A/B ratios (`cargo bench -p conformance --bench ab`): each
//! workload runs through the framework and through the library used directly
//! in alternating rounds, and the figure is the median of the per-round
//! ratios. Criterion measures the two sides minutes apart, so a slow drift of
//! the machine (another tenant, clock changes) lands on one side only; here
//! both sides of a round share the same conditions, which makes the ratio
//! far steadier than the quotient of two separate means.

use std::time::{Duration, Instant};

use ssl_api::Backend;

use crate::bench::{self, BenchPki, CertKind, DirectLibrary};

/// One workload's interleaved measurement.
#[derive(Clone, Debug, PartialEq)]
pub struct AbResult {
    /// `bulk_memorybio/rustls TLS_AES_128_GCM_SHA256`, as criterion's ids.
    pub label: String,
    /// `MB/s` or `per s`.
    pub unit: String,
    /// Median framework figure over the rounds, in `unit`.
    pub framework: f64,
    /// Median direct figure over the rounds, in `unit`.
    pub direct: f64,
    /// Median of the per-round framework / direct speed ratios.
    pub ratio: f64,
    /// First quartile of the per-round ratios.
    pub q1: f64,
    /// Third quartile of the per-round ratios.
    pub q3: f64,
    /// Rounds measured.
    pub rounds: usize,
    /// Calls per side in each round.
    pub iterations: usize,
    /// For workloads measured with CPU time (socket bulk: both ends are
    /// threads of this process): the median and quartiles of the per-round
    /// direct / framework ratios of process CPU time, i.e. CPU cost per byte
    /// (100% = the same cost).
    pub cpu: Option<Quartiles>,
}

/// A median with its quartiles.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quartiles {
    /// First quartile.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
}

impl Quartiles {
    /// `98.0% [97.0..99.0]`, for a table.
    pub fn bracketed(&self) -> String {
        format!(
            "{:.1}% [{:.1}..{:.1}]",
            self.median * 100.0,
            self.q1 * 100.0,
            self.q3 * 100.0
        )
    }

    /// `98.0% (quartiles 97.0%..99.0%<tail>)`, for prose.
    pub fn spelled(&self, tail: &str) -> String {
        format!(
            "{:.1}% (quartiles {:.1}%..{:.1}%{tail})",
            self.median * 100.0,
            self.q1 * 100.0,
            self.q3 * 100.0
        )
    }

    fn of(mut values: Vec<f64>) -> Self {
        values.sort_by(f64::total_cmp);
        Quartiles {
            q1: quantile(&values, 0.25),
            median: quantile(&values, 0.5),
            q3: quantile(&values, 0.75),
        }
    }
}

/// One call's measured part: wall-clock time, and the process's CPU time
/// over the same span when the workload measures it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    /// Wall-clock time.
    pub wall: Duration,
    /// Process CPU time (every thread), when measured.
    pub cpu: Option<Duration>,
}

impl Sample {
    /// Wall-clock time only.
    pub fn wall(wall: Duration) -> Self {
        Sample { wall, cpu: None }
    }
}

/// How long each side of a round runs at least.
const SIDE_TIME: Duration = Duration::from_millis(150);

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Measures `framework` against `direct` in `rounds` alternating rounds.
/// Each closure runs one iteration and returns the time of its measured
/// part (so per-iteration setup stays outside). `bytes` is the payload of
/// one iteration for throughput figures, `None` for rates.
pub fn measure(
    label: String,
    bytes: Option<u64>,
    rounds: usize,
    mut framework: impl FnMut() -> Sample,
    mut direct: impl FnMut() -> Sample,
) -> AbResult {
    // Size a side to SIDE_TIME from the slower side's typical call. A first
    // call can pay one-time costs (lazy initialisation, a cold cache, a
    // trust store read), so it is run and discarded before timing calls.
    let iters = {
        let typical = typical_call(&mut framework).max(typical_call(&mut direct));
        (SIDE_TIME.as_nanos() / typical.as_nanos().max(1)).clamp(1, 100_000) as usize
    };
    // Mean wall time of a call, and total CPU time when every call had it.
    let run = |f: &mut dyn FnMut() -> Sample| -> (f64, Option<Duration>) {
        let mut wall = Duration::ZERO;
        let mut cpu = Some(Duration::ZERO);
        for _ in 0..iters {
            let s = f();
            wall += s.wall;
            cpu = cpu.zip(s.cpu).map(|(a, b)| a + b);
        }
        (wall.as_secs_f64() / iters as f64, cpu)
    };
    let mut ratios = Vec::with_capacity(rounds);
    let mut cpu_ratios = Vec::with_capacity(rounds);
    let mut f_times = Vec::with_capacity(rounds);
    let mut d_times = Vec::with_capacity(rounds);
    for round in 0..rounds {
        // Alternate which side goes first, so neither always runs warm.
        let ((f, f_cpu), (d, d_cpu)) = if round % 2 == 0 {
            let f = run(&mut framework);
            (f, run(&mut direct))
        } else {
            let d = run(&mut direct);
            (run(&mut framework), d)
        };
        ratios.push(d / f);
        if let (Some(fc), Some(dc)) = (f_cpu, d_cpu) {
            cpu_ratios.push(dc.as_secs_f64() / fc.as_secs_f64().max(1e-12));
        }
        f_times.push(f);
        d_times.push(d);
    }
    let cpu = (cpu_ratios.len() == rounds && rounds > 0).then(|| Quartiles::of(cpu_ratios));
    let figure = |secs: Vec<f64>| {
        let secs = Quartiles::of(secs).median;
        match bytes {
            Some(b) => b as f64 / secs / 1e6,
            None => 1.0 / secs,
        }
    };
    let ratio = Quartiles::of(ratios);
    AbResult {
        label,
        unit: if bytes.is_some() { "MB/s" } else { "per s" }.to_string(),
        framework: figure(f_times),
        direct: figure(d_times),
        ratio: ratio.median,
        q1: ratio.q1,
        q3: ratio.q3,
        rounds,
        iterations: iters,
        cpu,
    }
}

/// How long warming up runs at least, per side.
const WARM_UP: Duration = Duration::from_millis(50);

/// The mean measured time of `f`'s calls after a discarded first one, over
/// at least [`WARM_UP`] of measured time (and three calls).
fn typical_call(f: &mut dyn FnMut() -> Sample) -> Duration {
    f();
    let mut calls = 0u32;
    let mut measured = Duration::ZERO;
    while calls < 3 || (measured < WARM_UP && calls < 100_000) {
        measured += f().wall;
        calls += 1;
    }
    measured / calls
}

fn timed(f: impl FnOnce()) -> Sample {
    let t = Instant::now();
    f();
    Sample::wall(t.elapsed())
}

/// Like [`timed`], with the process's CPU time over the same span.
fn timed_with_cpu(f: impl FnOnce()) -> Sample {
    let c = process_cpu_time();
    let t = Instant::now();
    f();
    let wall = t.elapsed();
    Sample {
        wall,
        cpu: c.zip(process_cpu_time()).map(|(a, b)| b.saturating_sub(a)),
    }
}

/// CPU time used so far by every thread of this process (also those that
/// have ended); `None` where it cannot be read.
#[cfg(unix)]
#[allow(unsafe_code)]
fn process_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

#[cfg(not(unix))]
fn process_cpu_time() -> Option<Duration> {
    None
}

/// Every workload of the criterion benchmarks for library `D`, interleaved:
/// MemoryBIO bulk (each pinnable suite), socket bulk, full handshakes
/// (ECDSA, RSA) and resumed handshakes; only those whose label `wanted`
/// accepts (a profile of one workload).
pub fn workloads<D: DirectLibrary>(
    pki: &BenchPki,
    rounds: usize,
    bulk_total: usize,
    wanted: impl Fn(&str) -> bool,
) -> Vec<AbResult>
where
    D::Setup: Sync,
{
    let name = <D::Backend as Backend>::NAME;
    let chunk = vec![0x5a; 16 << 10];
    let mut buf = vec![0; 16 << 10];
    let mut buf2 = vec![0; 16 << 10];
    let mut out = Vec::new();
    let suites: Vec<Option<&str>> = if bench::can_pin_suite::<D::Backend>() {
        vec![
            Some("TLS_AES_128_GCM_SHA256"),
            Some("TLS_CHACHA20_POLY1305_SHA256"),
        ]
    } else {
        vec![None]
    };
    for suite in &suites {
        let label = format!("bulk_memorybio/{name} {}", suite.unwrap_or("negotiated"));
        if !wanted(&label) {
            continue;
        }
        let (client, server) =
            bench::contexts::<D::Backend>(pki, CertKind::EcdsaP256, *suite).expect("contexts");
        let (mut co, mut so) =
            bench::framework_connected::<D::Backend>(&client, &server).expect("pair");
        let setup = D::setup(pki, CertKind::EcdsaP256, *suite, false);
        let mut pair = D::connect(&setup);
        out.push(measure(
            label,
            Some(bulk_total as u64),
            rounds,
            || {
                timed(|| {
                    let got = bench::framework_bulk(&mut co, &mut so, bulk_total, &chunk, &mut buf);
                    assert_eq!(got.expect("bulk"), bulk_total);
                })
            },
            || {
                timed(|| {
                    assert_eq!(
                        D::bulk(&mut pair, bulk_total, &chunk, &mut buf2),
                        bulk_total
                    )
                })
            },
        ));
    }
    for (path, prefix) in [
        (bench::SocketPath::Socket, "bulk_socket"),
        (bench::SocketPath::Stream, "bulk_stream"),
    ] {
        let label = format!("{prefix}/{name} {}", suites[0].unwrap_or("negotiated"));
        if !wanted(&label) {
            continue;
        }
        let suite = suites[0];
        let (client, server) =
            bench::contexts::<D::Backend>(pki, CertKind::EcdsaP256, suite).expect("contexts");
        let setup = D::setup(pki, CertKind::EcdsaP256, suite, false);
        out.push(measure(
            label,
            Some(bulk_total as u64),
            // Two threads and the kernel share two cores: a round's figure
            // spreads several times more than in memory, so twice the rounds.
            rounds * 2,
            || {
                let tcp = bench::tcp_pair().expect("tcp");
                timed_with_cpu(|| {
                    let got = bench::framework_socket_bulk::<D::Backend>(
                        &client, &server, tcp, bulk_total, &chunk, path,
                    );
                    assert_eq!(got.expect("socket bulk"), bulk_total);
                })
            },
            || {
                let tcp = bench::tcp_pair().expect("tcp");
                timed_with_cpu(|| {
                    assert_eq!(D::socket_bulk(&setup, tcp, bulk_total, &chunk), bulk_total)
                })
            },
        ));
    }
    let label = format!("bulk_async/{name} {}", suites[0].unwrap_or("negotiated"));
    if wanted(&label) {
        let suite = suites[0];
        let (client, server) =
            bench::contexts::<D::Backend>(pki, CertKind::EcdsaP256, suite).expect("contexts");
        let setup = D::setup(pki, CertKind::EcdsaP256, suite, false);
        let rt = bench::async_runtime();
        out.push(measure(
            label,
            Some(bulk_total as u64),
            rounds * 2,
            || {
                timed_with_cpu(|| {
                    let got = bench::framework_async_bulk::<D::Backend>(
                        &rt, &client, &server, bulk_total, &chunk,
                    );
                    assert_eq!(got.expect("async bulk"), bulk_total);
                })
            },
            || {
                timed_with_cpu(|| {
                    assert_eq!(D::async_bulk(&setup, &rt, bulk_total, &chunk), bulk_total)
                })
            },
        ));
    }
    let label = format!("handshake_async/{name} EcdsaP256");
    if wanted(&label) {
        let (client, server) =
            bench::contexts::<D::Backend>(pki, CertKind::EcdsaP256, None).expect("contexts");
        let setup = D::setup(pki, CertKind::EcdsaP256, None, false);
        let rt = bench::async_runtime();
        out.push(measure(
            label,
            None,
            rounds,
            || {
                let t = Instant::now();
                bench::framework_async_handshake::<D::Backend>(&rt, &client, &server)
                    .expect("async handshake");
                Sample::wall(t.elapsed())
            },
            || {
                let t = Instant::now();
                D::async_handshake(&setup, &rt);
                Sample::wall(t.elapsed())
            },
        ));
    }
    for kind in [CertKind::EcdsaP256, CertKind::Rsa2048] {
        let label = format!("handshake/{name} {kind:?}");
        if !wanted(&label) {
            continue;
        }
        let (client, server) = bench::contexts::<D::Backend>(pki, kind, None).expect("contexts");
        let setup = D::setup(pki, kind, None, false);
        out.push(measure(
            label,
            None,
            rounds,
            // Both pairs are dropped outside the timed part, as criterion's
            // `iter` drops the returned value after timing.
            || {
                let t = Instant::now();
                let pair =
                    bench::framework_handshake::<D::Backend>(&client, &server).expect("handshake");
                let e = t.elapsed();
                drop(pair);
                Sample::wall(e)
            },
            || {
                let t = Instant::now();
                let pair = D::connect(&setup);
                let e = t.elapsed();
                drop(pair);
                Sample::wall(e)
            },
        ));
    }
    let label = format!("handshake/{name} resumed");
    if bench::can_resume::<D::Backend>() && wanted(&label) {
        let (client, server) =
            bench::contexts::<D::Backend>(pki, CertKind::EcdsaP256, None).expect("contexts");
        let setup = D::setup(pki, CertKind::EcdsaP256, None, true);
        out.push(measure(
            label,
            None,
            rounds,
            || {
                let (session, first) =
                    bench::framework_session::<D::Backend>(&client, &server).expect("session");
                let e = timed(|| {
                    bench::framework_resumed::<D::Backend>(&client, &server, &session)
                        .expect("resumed")
                });
                drop(first);
                e
            },
            || {
                let first = D::prime_resumption(&setup);
                let e = timed(|| D::resumed(&setup, &first));
                drop(first);
                e
            },
        ));
    }
    out
}

impl AbResult {
    /// The per-round ratios' median and quartiles.
    pub fn ratio_quartiles(&self) -> Quartiles {
        Quartiles {
            q1: self.q1,
            median: self.ratio,
            q3: self.q3,
        }
    }

    /// As JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "label": self.label, "unit": self.unit, "framework": self.framework,
            "direct": self.direct, "ratio": self.ratio, "q1": self.q1, "q3": self.q3,
            "rounds": self.rounds, "iterations": self.iterations,
            "cpu_ratio": self.cpu.map(|c| c.median),
            "cpu_q1": self.cpu.map(|c| c.q1),
            "cpu_q3": self.cpu.map(|c| c.q3),
        })
    }

    /// From [`AbResult::to_json`]'s form; `None` when a field is missing.
    pub fn from_json(v: &serde_json::Value) -> Option<Self> {
        Some(AbResult {
            label: v["label"].as_str()?.to_string(),
            unit: v["unit"].as_str()?.to_string(),
            framework: v["framework"].as_f64()?,
            direct: v["direct"].as_f64()?,
            ratio: v["ratio"].as_f64()?,
            q1: v["q1"].as_f64()?,
            q3: v["q3"].as_f64()?,
            rounds: v["rounds"].as_u64()? as usize,
            // Absent in files written before it was recorded.
            iterations: v["iterations"].as_u64().unwrap_or(0) as usize,
            cpu: match (
                v["cpu_q1"].as_f64(),
                v["cpu_ratio"].as_f64(),
                v["cpu_q3"].as_f64(),
            ) {
                (Some(q1), Some(median), Some(q3)) => Some(Quartiles { q1, median, q3 }),
                _ => None,
            },
        })
    }
}

/// Reads the results [`write_results`] wrote; empty when there are none.
pub fn read_results(path: &std::path::Path) -> Vec<AbResult> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| {
            v.as_array()
                .map(|a| a.iter().filter_map(AbResult::from_json).collect())
        })
        .unwrap_or_default()
}

/// Writes `results` as a JSON array.
pub fn write_results(path: &std::path::Path, results: &[AbResult]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let v = serde_json::Value::Array(results.iter().map(AbResult::to_json).collect());
    std::fs::write(path, serde_json::to_string_pretty(&v).unwrap_or_default())
}

/// Where the interleaved results are written (beside criterion's).
pub fn results_path(criterion_dir: &std::path::Path) -> std::path::PathBuf {
    criterion_dir.join("interleaved.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_ratio_when_every_call_has_it() {
        let sample = |ms: u64, cpu_ms: u64| Sample {
            wall: Duration::from_millis(ms),
            cpu: Some(Duration::from_millis(cpu_ms)),
        };
        let r = measure("w".into(), Some(1), 3, || sample(40, 80), || sample(40, 60));
        assert!((r.ratio - 1.0).abs() < 1e-9);
        let cpu = r.cpu.expect("cpu measured");
        assert!((cpu.median - 0.75).abs() < 1e-9, "{cpu:?}");
        assert_eq!(AbResult::from_json(&r.to_json()), Some(r));
    }

    #[cfg(unix)]
    #[test]
    fn process_cpu_time_counts_work() {
        let a = process_cpu_time().expect("readable");
        let mut x = 0u64;
        let t = Instant::now();
        while t.elapsed() < Duration::from_millis(20) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let b = process_cpu_time().expect("readable");
        assert!(b > a, "{a:?} -> {b:?}");
    }

    #[test]
    fn median_ratio_of_alternating_rounds() {
        let mut calls = Vec::new();
        let calls_f = std::cell::RefCell::new(&mut calls);
        let r = measure(
            "w".into(),
            Some(1_000_000),
            5,
            || {
                calls_f.borrow_mut().push('f');
                Sample::wall(Duration::from_millis(40))
            },
            || {
                calls_f.borrow_mut().push('d');
                Sample::wall(Duration::from_millis(20))
            },
        );
        // Framework takes twice as long: half the speed, every round.
        assert!((r.ratio - 0.5).abs() < 1e-9 && (r.q1 - 0.5).abs() < 1e-9);
        assert!((r.framework - 25.0).abs() < 1e-6, "{}", r.framework);
        assert!((r.direct - 50.0).abs() < 1e-6);
        assert_eq!(r.unit, "MB/s");
        assert_eq!(r.rounds, 5);
        // Warm-up: a discarded call and three timed ones a side; then
        // 150 ms / 40 ms = 3 iterations a side, the side going first
        // alternating round by round.
        let seq: String = calls.into_iter().collect();
        assert_eq!(&seq[..8], "ffffdddd");
        assert_eq!(&seq[8..20], "fffddddddfff");
        assert_eq!(r.iterations, 3);
        assert_eq!(r.cpu, None, "no CPU time was measured");
    }

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 4.0);
        assert!(quantile(&[], 0.5).is_nan());
    }
}
