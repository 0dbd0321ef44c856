//! `conformance bench-report`: reads criterion's results for the `tls`
//! benchmark, pairs each framework figure with the direct one measured in the
//! same run, measures memory per idle connection in fresh processes, runs the
//! same workloads in CPython's `ssl` as a reference, and prints a table and
//! writes `bench.html` (a bar chart of framework / direct ratios).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// One criterion measurement.
#[derive(Clone, Debug)]
pub struct Measurement {
    /// `bulk_memorybio/rustls`, `handshake/rustls`.
    pub group: String,
    /// `framework` or `direct`.
    pub function: String,
    /// The parameter (`TLS_AES_128_GCM_SHA256`, `EcdsaP256`, `resumed`).
    pub value: String,
    /// Mean time per iteration, nanoseconds.
    pub mean_ns: f64,
    /// Bytes per iteration when it is a throughput benchmark.
    pub bytes: Option<u64>,
}

/// Every `new/benchmark.json` + `new/estimates.json` under `dir`.
pub fn read_criterion(dir: &Path) -> Vec<Measurement> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "new") {
                    if let Some(m) = read_one(&p) {
                        out.push(m);
                    }
                } else {
                    stack.push(p);
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.group, &a.value, &a.function).cmp(&(&b.group, &b.value, &b.function)));
    out
}

fn read_one(dir: &Path) -> Option<Measurement> {
    let bench: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("benchmark.json")).ok()?).ok()?;
    let est: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("estimates.json")).ok()?).ok()?;
    Some(Measurement {
        group: bench["group_id"].as_str()?.to_string(),
        function: bench["function_id"].as_str()?.to_string(),
        value: bench["value_str"].as_str().unwrap_or_default().to_string(),
        mean_ns: est["mean"]["point_estimate"].as_f64()?,
        bytes: bench["throughput"]["Bytes"].as_u64(),
    })
}

/// A framework figure beside its direct twin.
#[derive(Clone, Debug)]
pub struct Ratio {
    /// What was measured (`bulk_memorybio/rustls TLS_AES_128_GCM_SHA256`).
    pub label: String,
    /// Framework figure (MB/s, handshakes/s, or bytes per connection).
    pub framework: f64,
    /// Direct figure, same unit.
    pub direct: f64,
    /// The unit.
    pub unit: &'static str,
    /// framework / direct for speed; direct / framework for memory (1.0 = equal, higher is better).
    pub ratio: f64,
    /// The target the issue sets.
    pub target: f64,
    /// The interleaved A/B measurement of the same workload, when
    /// `cargo bench --bench ab` ran: the steadier ratio, judged first.
    pub interleaved: Option<crate::bench_ab::AbResult>,
}

impl Ratio {
    /// The ratio judged against the target: the interleaved median when
    /// there is one, else criterion's quotient of means.
    pub fn judged(&self) -> f64 {
        self.interleaved.as_ref().map_or(self.ratio, |a| a.ratio)
    }

    /// Whether the judged ratio meets the target.
    pub fn meets_target(&self) -> bool {
        self.judged() >= self.target
    }
}

/// Attaches each interleaved result to the criterion figure of the same
/// workload; one without a criterion twin becomes a row of its own.
pub fn attach_interleaved(ratios: &mut Vec<Ratio>, ab: &[crate::bench_ab::AbResult]) {
    for a in ab {
        match ratios.iter_mut().find(|r| r.label == a.label) {
            Some(r) => r.interleaved = Some(a.clone()),
            None => ratios.push(Ratio {
                label: a.label.clone(),
                framework: a.framework,
                direct: a.direct,
                unit: if a.unit == "MB/s" { "MB/s" } else { "per s" },
                ratio: a.framework / a.direct,
                target: 0.97,
                interleaved: Some(a.clone()),
            }),
        }
    }
}

/// The framework and direct measurements of one (group, parameter).
type Twins<'a> = (Option<&'a Measurement>, Option<&'a Measurement>);

/// Pairs framework and direct measurements of the same group and parameter.
pub fn ratios(ms: &[Measurement]) -> Vec<Ratio> {
    let mut by_key: BTreeMap<(String, String), Twins<'_>> = BTreeMap::new();
    for m in ms {
        let slot = by_key
            .entry((m.group.clone(), m.value.clone()))
            .or_default();
        match m.function.as_str() {
            "framework" => slot.0 = Some(m),
            "direct" => slot.1 = Some(m),
            _ => {}
        }
    }
    by_key
        .into_iter()
        .filter_map(|((group, value), (f, d))| {
            let (f, d) = (f?, d?);
            let (fv, dv, unit) = match f.bytes {
                Some(bytes) => (
                    bytes as f64 / f.mean_ns * 1e3,
                    bytes as f64 / d.mean_ns * 1e3,
                    "MB/s",
                ),
                None => (1e9 / f.mean_ns, 1e9 / d.mean_ns, "per s"),
            };
            Some(Ratio {
                label: format!("{group} {value}"),
                framework: fv,
                direct: dv,
                unit,
                ratio: fv / dv,
                target: 0.97,
                interleaved: None,
            })
        })
        .collect()
}

/// Memory per idle connection (framework vs direct) for `backend`, each in a
/// fresh process so that one does not reuse the other's freed memory.
pub fn memory_ratio(exe: &Path, backend: &str, n: usize) -> Result<Ratio, String> {
    let run = |mode: &str| -> Result<f64, String> {
        let out = std::process::Command::new(exe)
            .args([
                "bench-memory",
                "--backend",
                backend,
                "--mode",
                mode,
                "--n",
                &n.to_string(),
            ])
            .output()
            .map_err(|e| e.to_string())?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<f64>()
            .map_err(|e| {
                format!(
                    "bench-memory {mode}: {e}: {}",
                    String::from_utf8_lossy(&out.stderr)
                )
            })
    };
    let framework = run("framework")?;
    let direct = run("direct")?;
    Ok(Ratio {
        label: format!("memory/{backend} idle connection ({n} held)"),
        framework,
        direct,
        unit: "bytes",
        ratio: if framework > 0.0 {
            direct / framework
        } else {
            1.0
        },
        target: 1.0 / 1.10,
        interleaved: None,
    })
}

/// The same workloads in CPython's `ssl` (python3, linked with the system
/// OpenSSL), as the figures a Python user knows: bulk over a MemoryBIO pair
/// and over a loopback socket (16 KiB writes; CPython cannot pin a TLS 1.3
/// suite, so it runs the one OpenSSL negotiates), full handshakes with the
/// ECDSA and the RSA certificate, resumed handshakes (`SSLSession`), and
/// resident memory per idle connection (1,000 MemoryBIO pairs held).
pub fn cpython_reference(
    pki: &crate::bench::BenchPki,
) -> Result<Vec<(String, f64, &'static str)>, String> {
    let script = format!(
        r#"
import ssl, time, json, socket, threading
CA, EC, RSA = {ca:?}, ({ec_cert:?}, {ec_key:?}), ({rsa_cert:?}, {rsa_key:?})
def ctxs(ident):
    s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); s.load_cert_chain(*ident)
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_verify_locations(CA)
    return c, s
def pair(c, s, session=None):
    a, b = ssl.MemoryBIO(), ssl.MemoryBIO()
    co = c.wrap_bio(a, b, server_hostname="localhost", session=session)
    so = s.wrap_bio(b, a, server_side=True)
    for _ in range(50):
        done = 0
        for o in (co, so):
            try: o.do_handshake(); done += 1
            except ssl.SSLWantReadError: pass
        if done == 2: return co, so
    raise RuntimeError("handshake")
def rss():
    with open("/proc/self/statm") as f: return int(f.read().split()[1]) * 4096
out = {{}}
c, s = ctxs(EC)
co, so = pair(c, s)
out["cipher"] = co.cipher()[0]
chunk = b"Z" * 16384; total = 64 << 20
t = time.perf_counter(); sent = 0
while sent < total:
    co.write(chunk); sent += len(chunk)
    while True:
        try: so.read(16384)
        except ssl.SSLWantReadError: break
out["bulk_memorybio"] = total / (time.perf_counter() - t) / 1e6
lsock = socket.socket(); lsock.bind(("127.0.0.1", 0)); lsock.listen(1)
got = []
def serve():
    conn, _ = lsock.accept()
    with s.wrap_socket(conn, server_side=True) as ss:
        n = 0
        while n < total:
            d = ss.recv(16384)
            if not d: break
            n += len(d)
        got.append(n)
th = threading.Thread(target=serve); th.start()
t = time.perf_counter()
with c.wrap_socket(socket.create_connection(lsock.getsockname()), server_hostname="localhost") as cs:
    sent = 0
    while sent < total:
        cs.sendall(chunk); sent += len(chunk)
    th.join()
out["bulk_socket"] = got[0] / (time.perf_counter() - t) / 1e6
lsock.close()
for name, ident in (("EcdsaP256", EC), ("Rsa2048", RSA)):
    cc, sc = ctxs(ident)
    n = 200; t = time.perf_counter()
    for _ in range(n): pair(cc, sc)
    out["handshake " + name] = n / (time.perf_counter() - t)
n = 200; el = 0.0
for _ in range(n):
    fc, fs = pair(c, s)
    fs.write(b"x"); fc.read(1)  # the TLS 1.3 ticket comes with the server's first data
    sess = fc.session
    t = time.perf_counter(); rc, rs = pair(c, s, session=sess); el += time.perf_counter() - t
    assert rc.session_reused
out["handshake resumed"] = n / el
warm = pair(c, s); before = rss()
held = [pair(c, s) for _ in range(1000)]
out["memory"] = (rss() - before) / 1000
out["version"] = ssl.OPENSSL_VERSION
print(json.dumps(out))
"#,
        ca = pki.ca.to_string_lossy(),
        ec_cert = pki.ecdsa.cert.to_string_lossy(),
        ec_key = pki.ecdsa.key.to_string_lossy(),
        rsa_cert = pki.rsa.cert.to_string_lossy(),
        rsa_key = pki.rsa.key.to_string_lossy(),
    );
    let out = std::process::Command::new("python3")
        .args(["-c", &script])
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let v: Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let what = format!(
        "{}, {}",
        v["version"].as_str().unwrap_or(""),
        v["cipher"].as_str().unwrap_or("")
    );
    let figure = |key: &str| v[key].as_f64().unwrap_or(f64::NAN);
    Ok(vec![
        (
            format!("CPython bulk over MemoryBIO ({what})"),
            figure("bulk_memorybio"),
            "MB/s",
        ),
        (
            format!("CPython bulk over a loopback socket ({what})"),
            figure("bulk_socket"),
            "MB/s",
        ),
        (
            "CPython full handshakes, ECDSA P-256".to_string(),
            figure("handshake EcdsaP256"),
            "per s",
        ),
        (
            "CPython full handshakes, RSA-2048".to_string(),
            figure("handshake Rsa2048"),
            "per s",
        ),
        (
            "CPython resumed handshakes".to_string(),
            figure("handshake resumed"),
            "per s",
        ),
        (
            "CPython memory per idle connection (1000 held)".to_string(),
            figure("memory"),
            "bytes",
        ),
    ])
}

/// The terminal table: criterion's figures and their quotient, then the
/// interleaved median ratio with its quartiles (judged against the target).
pub fn table(ratios: &[Ratio], reference: &[(String, f64, &'static str)]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<52} {:>10} {:>10} {:>6} {:>8} {:>22} {:>7} {:>22}",
        "figure",
        "framework",
        "direct",
        "unit",
        "means",
        "interleaved [q1..q3]",
        "target",
        "CPU cost [q1..q3]"
    );
    for r in ratios {
        let flag = if r.meets_target() {
            ""
        } else {
            "  <- below target"
        };
        let ab = r
            .interleaved
            .as_ref()
            .map_or_else(|| "-".to_string(), |a| a.ratio_quartiles().bracketed());
        let cpu = cpu_cost(r).map_or_else(String::new, |c| c.bracketed());
        let _ = writeln!(
            out,
            "{:<52} {:>10.1} {:>10.1} {:>6} {:>7.1}% {:>22} {:>6.1}% {:>22}{flag}",
            r.label,
            r.framework,
            r.direct,
            r.unit,
            r.ratio * 100.0,
            ab,
            r.target * 100.0,
            cpu,
        );
    }
    for (label, v, unit) in reference {
        let _ = writeln!(out, "{label:<52} {v:>10.1} {:>10} {unit:>6}", "");
    }
    out
}

/// The CPU cost ratio (direct / framework process CPU time, interleaved),
/// where the workload measured it (socket bulk).
fn cpu_cost(r: &Ratio) -> Option<crate::bench_ab::Quartiles> {
    r.interleaved.as_ref().and_then(|a| a.cpu)
}

/// The HTML page: the table and a bar chart of the judged ratios.
pub fn html(ratios: &[Ratio], reference: &[(String, f64, &'static str)]) -> String {
    let mut rows = String::new();
    for r in ratios {
        let pct = r.judged() * 100.0;
        let color = if r.meets_target() { "#5a5" } else { "#d55" };
        let ab = r.interleaved.as_ref().map_or_else(
            || "-".to_string(),
            |a| {
                a.ratio_quartiles()
                    .spelled(&format!(", {} rounds", a.rounds))
            },
        );
        let cpu = cpu_cost(r).map_or_else(|| "-".to_string(), |c| c.spelled(""));
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{}</td><td>{:.1}%</td><td>{ab}</td><td>{cpu}</td><td><div style=\"background:{color};width:{:.0}px;height:14px;display:inline-block\"></div> {pct:.1}% (target {:.0}%)</td></tr>",
            r.label,
            r.framework,
            r.direct,
            r.unit,
            r.ratio * 100.0,
            pct.clamp(0.0, 150.0) * 3.0,
            r.target * 100.0
        );
    }
    let mut refs = String::new();
    for (label, v, unit) in reference {
        let _ = write!(refs, "<li>{label}: {v:.1} {unit}</li>");
    }
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>ssl benchmarks</title><style>body{{font-family:sans-serif}}td,th{{border:1px solid #ccc;padding:2px 6px}}table{{border-collapse:collapse}}</style></head><body><h1>Framework vs the library used directly</h1><p>Ratios are framework / direct for speed and direct / framework for memory; 100% means no cost. <b>means</b> is the quotient of criterion's two means (measured minutes apart); <b>interleaved</b> is the median of per-round ratios with framework and direct alternating round by round in one process (<code>cargo bench -p conformance --bench ab</code>), the figure the bar and the target use when present. <b>CPU cost</b> (socket bulk, where both ends are threads of one process) is direct / framework process CPU time over the same rounds: the cost per byte, steadier than two threads' throughput on a small machine; shown, not judged.</p><table><tr><th>figure</th><th>framework</th><th>direct</th><th>unit</th><th>means</th><th>interleaved</th><th>CPU cost</th><th>judged</th></tr>{rows}</table><h2>CPython's ssl, same workloads</h2><ul>{refs}</ul></body></html>"
    )
}

/// Where criterion writes its results for this build: `CARGO_TARGET_DIR`,
/// else the target directory this executable was built in (`levels`
/// directories up from it: 2 for `<target>/release/conformance`, 3 for a
/// bench's `<target>/release/deps/NAME`), else `target`.
pub fn criterion_dir_for_exe(levels: usize) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            let mut dir = std::env::current_exe().ok()?;
            for _ in 0..levels {
                dir = dir.parent()?.to_path_buf();
            }
            Some(dir)
        })
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("criterion")
}

/// Where criterion writes its results, seen from the `conformance` binary.
pub fn default_criterion_dir() -> PathBuf {
    criterion_dir_for_exe(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench_ab::{self, AbResult};

    fn write_measurement(root: &Path, group: &str, function: &str, value: &str, mean_ns: f64) {
        let dir = root
            .join(group.replace('/', "_"))
            .join(function)
            .join(value)
            .join("new");
        std::fs::create_dir_all(&dir).unwrap();
        let bench = serde_json::json!({
            "group_id": group, "function_id": function, "value_str": value,
            "throughput": null,
        });
        let est = serde_json::json!({"mean": {"point_estimate": mean_ns}});
        std::fs::write(dir.join("benchmark.json"), bench.to_string()).unwrap();
        std::fs::write(dir.join("estimates.json"), est.to_string()).unwrap();
    }

    #[test]
    fn criterion_pairs_and_interleaved_ratios_are_judged() {
        let root = tempfile::tempdir().unwrap();
        // Framework 2 ms vs direct 1 ms per handshake: 50% by the means.
        write_measurement(root.path(), "handshake/x", "framework", "EcdsaP256", 2e6);
        write_measurement(root.path(), "handshake/x", "direct", "EcdsaP256", 1e6);
        let ms = read_criterion(root.path());
        assert_eq!(ms.len(), 2);
        let mut ratios = ratios(&ms);
        assert_eq!(ratios.len(), 1);
        assert_eq!(ratios[0].label, "handshake/x EcdsaP256");
        assert!((ratios[0].ratio - 0.5).abs() < 1e-9);
        assert!(!ratios[0].meets_target());

        // The interleaved figure of the same workload is what gets judged.
        let ab = vec![
            AbResult {
                label: "handshake/x EcdsaP256".into(),
                unit: "per s".into(),
                framework: 990.0,
                direct: 1000.0,
                ratio: 0.99,
                q1: 0.98,
                q3: 1.0,
                rounds: 15,
                iterations: 100,
                cpu: None,
            },
            AbResult {
                label: "bulk_socket/x negotiated".into(),
                unit: "MB/s".into(),
                framework: 90.0,
                direct: 100.0,
                ratio: 0.9,
                q1: 0.89,
                q3: 0.91,
                rounds: 15,
                iterations: 100,
                cpu: Some(bench_ab::Quartiles {
                    q1: 0.9,
                    median: 0.92,
                    q3: 0.93,
                }),
            },
        ];
        let path = bench_ab::results_path(root.path());
        bench_ab::write_results(&path, &ab).unwrap();
        let back = bench_ab::read_results(&path);
        assert_eq!(back, ab);
        attach_interleaved(&mut ratios, &back);
        assert_eq!(
            ratios.len(),
            2,
            "a workload without a criterion twin gets a row"
        );
        assert!(ratios[0].meets_target());
        assert!(!ratios[1].meets_target());
        let text = table(&ratios, &[]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].contains("99.0% [98.0..100.0]") && !lines[1].contains("below"));
        assert!(lines[2].contains("below target"), "{text}");
        // The CPU cost shows where it was measured, and only there.
        assert!(lines[2].contains("92.0% [90.0..93.0]"), "{text}");
        assert!(!lines[1].contains("[90.0"), "{text}");
        let page = html(&ratios, &[]);
        assert!(page.contains("quartiles 98.0%..100.0%, 15 rounds"));
        assert!(page.contains("92.0% (quartiles 90.0%..93.0%)"));
    }
}
