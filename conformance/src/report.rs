//! The conformance report (the main job): every shared case on every
//! compiled-in backend, the reference rows each case covers (and those with
//! no case yet), written as a terminal table, `report.json` and a
//! self-contained `report.html`. Its "CPython test_ssl" section shows the
//! results of earlier `conformance test-ssl` runs ([`crate::test_ssl`]); the
//! report does not run test_ssl itself.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use ssl_api::{Backend, Capabilities};

use crate::reference::{self, ReferenceRow};
use crate::{cases, run_case, Verdict};

/// Runs the shared cases whose names pass the filter, reporting each case's
/// name to the progress callback before it runs.
pub type SuiteRunner = fn(&dyn Fn(&str) -> bool, &mut dyn FnMut(&str)) -> Vec<CaseRun>;

/// The per-case rows of a report: name, reference ids, backend -> verdict.
pub type CaseRows = Vec<(
    &'static str,
    &'static [&'static str],
    BTreeMap<&'static str, Verdict>,
)>;

/// One compiled-in backend, type-erased for the report.
pub struct BackendEntry {
    /// The backend's name.
    pub name: &'static str,
    /// Its capabilities.
    pub capabilities: fn() -> Capabilities,
    /// Runs the shared cases whose names pass the filter, reporting progress.
    pub run: SuiteRunner,
    /// Answers the security posture probes ([`crate::posture`]).
    pub posture: fn(&crate::bench::BenchPki) -> Vec<Result<crate::posture::Answer, String>>,
}

/// One case's verdict on one backend.
#[derive(Clone, Debug)]
pub struct CaseRun {
    /// Case name.
    pub name: &'static str,
    /// Reference ids it covers.
    pub refs: &'static [&'static str],
    /// The verdict.
    pub verdict: Verdict,
}

fn run_backend<B: Backend>(
    filter: &dyn Fn(&str) -> bool,
    progress: &mut dyn FnMut(&str),
) -> Vec<CaseRun> {
    cases::all::<B>()
        .into_iter()
        .filter(|c| filter(c.name))
        .map(|c| {
            progress(c.name);
            CaseRun {
                name: c.name,
                refs: c.refs,
                verdict: run_case::<B>(c.name, c.run),
            }
        })
        .collect()
}

/// The entry of backend `B`.
pub fn entry<B: Backend>() -> BackendEntry {
    BackendEntry {
        name: B::NAME,
        capabilities: B::capabilities,
        run: run_backend::<B>,
        posture: crate::posture::measure::<B>,
    }
}

/// Every backend compiled into this build of `conformance` (the facade's
/// registry, `ssl::for_each_backend!`).
pub fn compiled_backends() -> Vec<BackendEntry> {
    let mut all = Vec::new();
    macro_rules! push {
        ($name:ident, $backend:ty) => {
            all.push(entry::<$backend>());
        };
    }
    ssl::for_each_backend!(push);
    all
}

/// The collected results.
pub struct Report {
    /// `(backend name, capabilities)` in run order.
    pub backends: Vec<(&'static str, Capabilities)>,
    /// case name -> (refs, backend -> verdict), in case order.
    pub cases: Vec<(
        &'static str,
        &'static [&'static str],
        BTreeMap<&'static str, Verdict>,
    )>,
    /// The reference rows.
    pub rows: Vec<ReferenceRow>,
    /// The interop matrix: (client backend, server backend, summary or failure).
    pub interop: Vec<(&'static str, &'static str, Result<String, String>)>,
    /// The security posture probes ([`crate::posture`]), or why they could
    /// not run.
    pub posture: Result<Vec<crate::posture::Row>, String>,
    /// CPython's test_ssl: the reference (`cpython`), then each backend, from
    /// the results of the last `conformance test-ssl` runs.
    pub test_ssl: Vec<(String, crate::test_ssl::Section)>,
}

impl Report {
    /// Runs the shared cases that pass `filter` on every compiled-in backend,
    /// printing a progress line on stderr.
    pub fn run(filter: &dyn Fn(&str) -> bool) -> Report {
        let entries = compiled_backends();
        let total: usize = cases::CASE_NAMES.iter().filter(|c| filter(c)).count() * entries.len();
        let mut done = 0usize;
        let mut backends = Vec::new();
        let mut by_case: Vec<(
            &'static str,
            &'static [&'static str],
            BTreeMap<&'static str, Verdict>,
        )> = Vec::new();
        for e in &entries {
            backends.push((e.name, (e.capabilities)()));
            let mut progress = |case: &str| {
                done += 1;
                eprint!("\r\x1b[2K[{done}/{total}] {}: {case}", e.name);
            };
            for run in (e.run)(filter, &mut progress) {
                match by_case.iter_mut().find(|(n, _, _)| *n == run.name) {
                    Some((_, _, m)) => {
                        m.insert(e.name, run.verdict);
                    }
                    None => {
                        by_case.push((run.name, run.refs, BTreeMap::from([(e.name, run.verdict)])))
                    }
                }
            }
        }
        eprint!("\r\x1b[2Kinterop matrix ...");
        let interop = crate::interop::matrix();
        eprint!("\r\x1b[2Ksecurity posture probes ...");
        let posture = crate::posture::rows();
        eprintln!();
        Report {
            backends,
            cases: by_case,
            rows: reference::rows(),
            interop,
            posture,
            test_ssl: test_ssl_sections(),
        }
    }

    /// Cases whose verdicts fail the run (not expected by the manifest),
    /// plus failed interop pairs, posture differences no backend declares,
    /// and test_ssl's undeclared failures and stale manifest entries (of the
    /// runs whose results exist).
    pub fn failures(&self) -> usize {
        self.run_failures() + self.test_ssl_failures()
    }

    /// test_ssl's undeclared failures and stale manifest entries, in the
    /// results of earlier `test-ssl` runs.
    pub fn test_ssl_failures(&self) -> usize {
        self.test_ssl
            .iter()
            .map(|(_, s)| s.problems())
            .sum::<usize>()
    }

    /// What this run judged: cases, interop pairs and posture probes.
    pub fn run_failures(&self) -> usize {
        self.cases
            .iter()
            .flat_map(|(_, _, m)| m.values())
            .filter(|v| v.is_failure())
            .count()
            + self.interop.iter().filter(|(_, _, r)| r.is_err()).count()
            + self.posture.as_ref().map_or(0, |rows| {
                rows.iter().map(|r| r.problems().len()).sum::<usize>()
            })
    }

    /// Reference ids covered by at least one case.
    fn covered(&self, id: &str) -> Vec<&'static str> {
        self.cases
            .iter()
            .filter(|(_, refs, _)| refs.contains(&id))
            .map(|(n, _, _)| *n)
            .collect()
    }

    /// The interop matrix's rows (clients) and columns (servers): every
    /// backend, then the external peers (CPython's `ssl`, the `openssl`
    /// tool), whose cells come from the interop cases run per backend.
    pub fn interop_axes(&self) -> (Vec<&'static str>, Vec<&'static str>) {
        let names: Vec<&'static str> = self.backends.iter().map(|(n, _)| *n).collect();
        let mut clients = names.clone();
        let mut servers = names;
        for peer in EXTERNAL_PEERS {
            clients.push(peer.client_label);
            servers.push(peer.server_label);
        }
        (clients, servers)
    }

    /// One cell: `(status, detail)`, `None` where nothing was run (an
    /// external peer against another one, or a case filtered out).
    pub fn interop_cell(&self, client: &str, server: &str) -> Option<(&'static str, String)> {
        if let Some((_, _, r)) = self
            .interop
            .iter()
            .find(|(c, sv, _)| *c == client && *sv == server)
        {
            return Some(match r {
                Ok(d) => ("pass", d.clone()),
                Err(d) => ("fail", d.clone()),
            });
        }
        let case_verdict = |case: &str, backend: &str| {
            self.cases
                .iter()
                .find(|(n, _, _)| *n == case)
                .and_then(|(_, _, m)| m.get(backend))
                .map(verdict_parts)
        };
        for peer in EXTERNAL_PEERS {
            if server == peer.server_label {
                return case_verdict(peer.server_case, client);
            }
            if client == peer.client_label {
                return case_verdict(peer.client_case, server);
            }
        }
        None
    }

    /// The matrix cells that involve an external peer, as JSON.
    fn interop_external_json(&self) -> Vec<Value> {
        let (clients, servers) = self.interop_axes();
        let mut cells = Vec::new();
        for c in &clients {
            for sv in &servers {
                let ours = self.interop.iter().any(|(ic, is, _)| ic == c && is == sv);
                if let (false, Some((status, detail))) = (ours, self.interop_cell(c, sv)) {
                    cells.push(
                        json!({"client": c, "server": sv, "status": status, "detail": detail}),
                    );
                }
            }
        }
        cells
    }

    /// The JSON document (`report.json`).
    pub fn to_json(&self) -> Value {
        let verdict = |v: &Verdict| {
            let (status, detail) = verdict_parts(v);
            json!({"status": status, "detail": detail})
        };
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| json!({"id": r.id, "section": r.section, "name": r.name, "cases": self.covered(&r.id)}))
            .collect();
        let with_cases = self
            .rows
            .iter()
            .filter(|r| !self.covered(&r.id).is_empty())
            .count();
        json!({
            "backends": self.backends.iter().map(|(name, caps)| json!({
                "name": name,
                "library_version": caps.library_version,
                "constants": caps.module_constants().into_iter().map(|(k, v)| (k.to_string(), v.to_json())).collect::<serde_json::Map<_, _>>(),
                "unsupported": caps.unsupported.iter().map(|u| json!({"feature": u.feature, "reason": u.reason})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "cases": self.cases.iter().map(|(name, refs, m)| json!({
                "name": name,
                "refs": refs,
                "results": m.iter().map(|(b, v)| (b.to_string(), verdict(v))).collect::<serde_json::Map<_, _>>(),
            })).collect::<Vec<_>>(),
            "reference": rows,
            "interop": self.interop.iter().map(|(c, sv, r)| json!({
                "client": c,
                "server": sv,
                "status": if r.is_ok() { "pass" } else { "fail" },
                "detail": match r { Ok(d) | Err(d) => d },
            })).collect::<Vec<_>>(),
            "interop_external": self.interop_external_json(),
            "posture": match &self.posture {
                Ok(rows) => crate::posture::to_json(rows),
                Err(why) => json!({"not_measured": why}),
            },
            "test_ssl": self.test_ssl.iter().map(|(name, section)| test_ssl_json(name, section)).collect::<Vec<_>>(),
            "summary": {
                "cases": self.cases.len(),
                "backends": self.backends.len(),
                "failures": self.failures(),
                "reference_rows": self.rows.len(),
                "reference_rows_with_cases": with_cases,
            },
        })
    }

    /// The terminal table.
    pub fn to_terminal(&self) -> String {
        let mut out = String::new();
        let names: Vec<&str> = self.backends.iter().map(|(n, _)| *n).collect();
        let _ = write!(out, "{:<42} {:<24}", "case", "reference");
        for n in &names {
            let _ = write!(out, " {n:<16}");
        }
        out.push('\n');
        let mut notes = Vec::new();
        for (case, refs, m) in &self.cases {
            let _ = write!(out, "{case:<42} {:<24}", refs.join(","));
            for n in &names {
                let (status, detail) = m.get(n).map(verdict_parts).unwrap_or(("-", String::new()));
                let _ = write!(out, " {status:<16}");
                if !detail.is_empty() {
                    notes.push(format!("  {case} on {n}: {status}: {detail}"));
                }
            }
            out.push('\n');
        }
        if !notes.is_empty() {
            out.push_str("\nreasons:\n");
            for n in notes {
                out.push_str(&n);
                out.push('\n');
            }
        }
        for (name, caps) in &self.backends {
            for u in &caps.unsupported {
                let _ = writeln!(
                    out,
                    "  {name} declares unsupported: {} ({})",
                    u.feature, u.reason
                );
            }
        }
        let (clients, servers) = self.interop_axes();
        let _ = write!(out, "\ninterop (client \\ server):\n{:<20}", "");
        for sv in &servers {
            let _ = write!(out, " {:<18}", sv);
        }
        out.push('\n');
        for c in &clients {
            let _ = write!(out, "{c:<20}");
            for sv in &servers {
                let status = self.interop_cell(c, sv).map_or("-", |(st, _)| st);
                let _ = write!(out, " {status:<18}");
            }
            out.push('\n');
        }
        match &self.posture {
            Err(why) => {
                let _ = writeln!(out, "\nsecurity posture: not measured: {why}");
            }
            Ok(rows) => {
                let _ = write!(
                    out,
                    "\nsecurity posture (create_default_context):\n{:<62} {:<8}",
                    "", "CPython"
                );
                for (n, _) in &self.backends {
                    let _ = write!(out, " {n:<8}");
                }
                out.push('\n');
                let yes = |a: &Result<crate::posture::Answer, String>| match a {
                    Ok(a) if a.yes => "yes",
                    Ok(_) => "no",
                    Err(_) => "error",
                };
                for row in rows {
                    let _ = write!(out, "{:<62} {:<8}", row.probe.name, yes(&row.cpython));
                    for (_, a, note) in &row.backends {
                        let mark = if note.is_some() { "*" } else { "" };
                        let _ = write!(out, " {:<8}", format!("{}{mark}", yes(a)));
                    }
                    out.push('\n');
                    for p in row.problems() {
                        let _ = writeln!(out, "  UNDECLARED: {p}");
                    }
                }
                out.push_str(
                    "  (* differs from CPython, declared in the backend's capabilities)\n",
                );
            }
        }
        out.push_str(&self.test_ssl_terminal());
        let missing: Vec<&str> = self
            .rows
            .iter()
            .filter(|r| self.covered(&r.id).is_empty())
            .map(|r| r.id.as_str())
            .collect();
        let _ = writeln!(
            out,
            "\nreference rows with a case: {} of {}; no case yet: {}",
            self.rows.len() - missing.len(),
            self.rows.len(),
            if missing.is_empty() {
                "none".to_string()
            } else {
                missing.join(" ")
            }
        );
        let _ = writeln!(out, "{} unexpected failure(s)", self.run_failures());
        if self.test_ssl_failures() > 0 {
            let _ = writeln!(
                out,
                "test_ssl: {} undeclared failure(s) or stale manifest entries (the whole report counts them)",
                self.test_ssl_failures()
            );
        }
        out
    }

    /// The self-contained HTML page (`report.html`).
    pub fn to_html(&self) -> String {
        let names: Vec<&str> = self.backends.iter().map(|(n, _)| *n).collect();
        let mut body = String::new();
        let mut sections: Vec<&str> = Vec::new();
        for r in &self.rows {
            if !sections.contains(&r.section.as_str()) {
                sections.push(&r.section);
            }
        }
        for section in sections {
            let _ = write!(
                body,
                "<tbody class=\"section\"><tr><th colspan=\"{}\">{}</th></tr></tbody><tbody>",
                names.len() + 3,
                esc(section)
            );
            for r in self.rows.iter().filter(|r| r.section == section) {
                let covering = self.covered(&r.id);
                if covering.is_empty() {
                    let _ = write!(
                        body,
                        "<tr class=\"row nocase\" data-text=\"{} {}\"><td>{}</td><td>{}</td><td>no case yet</td>{}</tr>",
                        esc(&r.id), esc(&r.name), esc(&r.id), esc(&r.name),
                        "<td class=\"none\">-</td>".repeat(names.len())
                    );
                    continue;
                }
                for case in covering {
                    let m = &self
                        .cases
                        .iter()
                        .find(|(n, _, _)| *n == case)
                        .expect("covered case")
                        .2;
                    let _ = write!(
                        body,
                        "<tr class=\"row\" data-text=\"{} {} {}\"><td>{}</td><td>{}</td><td>{}</td>",
                        esc(&r.id), esc(&r.name), case, esc(&r.id), esc(&r.name), case
                    );
                    for n in &names {
                        match m.get(n) {
                            Some(v) => {
                                let (status, detail) = verdict_parts(v);
                                if detail.is_empty() {
                                    let _ = write!(body, "<td class=\"{status}\">{status}</td>");
                                } else {
                                    let _ = write!(
                                        body,
                                        "<td class=\"{status}\" title=\"{d}\"><details><summary>{status}</summary>{d}</details></td>",
                                        d = esc(&detail)
                                    );
                                }
                            }
                            None => body.push_str("<td class=\"none\">-</td>"),
                        }
                    }
                    body.push_str("</tr>");
                }
            }
            body.push_str("</tbody>");
        }
        let mut caps = String::new();
        for (name, c) in &self.backends {
            let _ = write!(
                caps,
                "<h3>{} ({})</h3><ul>",
                esc(name),
                esc(&c.library_version)
            );
            for u in &c.unsupported {
                let _ = write!(
                    caps,
                    "<li><b>{}</b>: {}</li>",
                    esc(u.feature),
                    esc(u.reason)
                );
            }
            caps.push_str("</ul>");
        }
        // The case table has a column per backend; the external peers are
        // columns of the interop table only.
        let case_header: String = names
            .iter()
            .map(|n| format!("<th>{}</th>", esc(n)))
            .collect();
        let (clients, servers) = self.interop_axes();
        let header: String = servers
            .iter()
            .map(|n| format!("<th>{}</th>", esc(n)))
            .collect();
        let mut interop = format!("<table><tr><th>client \\ server</th>{header}</tr>");
        for c in &clients {
            let _ = write!(interop, "<tr><th>{}</th>", esc(c));
            for sv in &servers {
                match self.interop_cell(c, sv) {
                    Some(("pass", d)) => {
                        let _ = write!(
                            interop,
                            "<td class=\"pass\" title=\"{d}\">pass<br><small>{d}</small></td>",
                            d = esc(&d)
                        );
                    }
                    Some((status, d)) => {
                        let _ = write!(
                            interop,
                            "<td class=\"{status}\" title=\"{d}\"><details><summary>{status}</summary>{d}</details></td>",
                            d = esc(&d)
                        );
                    }
                    None => interop.push_str("<td class=\"none\">-</td>"),
                }
            }
            interop.push_str("</tr>");
        }
        interop.push_str("</table>");
        format!(
            r#"<!doctype html>
<html><head><meta charset="utf-8"><title>ssl conformance report</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; }}
table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; font-size: 13px; vertical-align: top; }}
tbody.section th {{ background: #eef; text-align: left; }}
td.pass {{ background: #cfc; }} td.fail, td.unexpected_pass {{ background: #f99; }}
td.expected_fail {{ background: #ffc; }} td.not_supported {{ background: #ddd; }}
tr.nocase td {{ color: #999; }}
details {{ max-width: 28em; }}
</style></head><body>
<h1>ssl conformance report</h1>
<p>{summary}</p>
<p>Filter: <input id="filter" placeholder="id, name or case"> <label><input type="checkbox" id="diff"> only rows where backends differ or fail</label></p>
<table><thead><tr><th>id</th><th>reference</th><th>case</th>{case_header}</tr></thead>{body}</table>
<h2>Interop: each client against each server (backends over MemoryBIO; CPython's ssl and the openssl tool over loopback sockets)</h2>{interop}
<h2>Security posture: each backend's create_default_context() probed live by the openssl tool, beside CPython's</h2>{posture}
<h2>CPython test_ssl over our _ssl</h2>{test_ssl}
<h2>Declared capabilities gaps</h2>{caps}
<script>
const f = document.getElementById('filter'), d = document.getElementById('diff');
function apply() {{
  const q = f.value.toLowerCase();
  for (const tr of document.querySelectorAll('tr.row')) {{
    const cells = [...tr.querySelectorAll('td')].slice(3).map(td => td.className);
    const differs = new Set(cells).size > 1 || cells.some(c => c !== 'pass');
    tr.style.display = (tr.dataset.text.toLowerCase().includes(q) && (!d.checked || differs)) ? '' : 'none';
  }}
}}
f.addEventListener('input', apply); d.addEventListener('change', apply);
</script>
</body></html>
"#,
            posture = self.posture_html(),
            test_ssl = self.test_ssl_html(),
            summary = esc(&format!(
                "{} cases on {} backend(s); {} unexpected failure(s); {} of {} reference rows have a case.",
                self.cases.len(),
                self.backends.len(),
                self.failures(),
                self.rows.iter().filter(|r| !self.covered(&r.id).is_empty()).count(),
                self.rows.len()
            )),
        )
    }

    /// Writes `report.json` and `report.html` into `dir` (created if needed).
    pub fn write(&self, dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(dir)?;
        let json_path = dir.join("report.json");
        let html_path = dir.join("report.html");
        std::fs::write(
            &json_path,
            serde_json::to_string_pretty(&self.to_json()).unwrap_or_default(),
        )?;
        std::fs::write(&html_path, self.to_html())?;
        Ok((json_path, html_path))
    }
}

/// The test_ssl sections of the report: CPython's own `_ssl` (the
/// reference), then every backend compiled in.
pub fn test_ssl_sections() -> Vec<(String, crate::test_ssl::Section)> {
    std::iter::once(crate::test_ssl::REFERENCE)
        .chain(ssl::backend_names())
        .map(|name| (name.to_string(), crate::test_ssl::section(name)))
        .collect()
}

fn test_ssl_json(name: &str, section: &crate::test_ssl::Section) -> Value {
    use crate::test_ssl::Section;
    match section {
        Section::NotRun(why) => json!({"backend": name, "status": "not_run", "detail": why}),
        Section::Broken(why) => json!({"backend": name, "status": "broken", "detail": why}),
        Section::Ran(rec, j) => {
            let mut v = rec.to_json(j);
            v["status"] = json!(if j.is_ok() { "pass" } else { "fail" });
            v
        }
    }
}

impl Report {
    /// The terminal lines of the test_ssl section.
    fn test_ssl_terminal(&self) -> String {
        use crate::test_ssl::{age, utc, Section};
        let mut out = String::from(
            "\nCPython test_ssl over our _ssl (results of the last `conformance test-ssl --backend NAME`; the report does not run it):\n",
        );
        for (name, section) in &self.test_ssl {
            match section {
                Section::NotRun(why) => {
                    let _ = writeln!(out, "  {name:<10} {why}");
                }
                Section::Broken(why) => {
                    let _ = writeln!(out, "  {name:<10} FAILED: {why}");
                }
                Section::Ran(rec, j) => {
                    let _ = writeln!(
                        out,
                        "  {name:<10} {} (Python {}, run {}, {})",
                        rec.totals().summary(),
                        rec.python_version.as_deref().unwrap_or("?"),
                        utc(rec.finished_unix),
                        age(rec.finished_unix)
                    );
                    if let Some(e) = &j.run_error {
                        let _ = writeln!(out, "    UNDECLARED: {e}");
                    }
                    for f in &j.failures {
                        match &f.declared {
                            Some(reason) => {
                                let _ = writeln!(
                                    out,
                                    "    {}: {} (declared: {reason})",
                                    f.key, f.message
                                );
                            }
                            None => {
                                let again = if f.rerun {
                                    " (failed again on rerun)"
                                } else {
                                    ""
                                };
                                let _ = writeln!(
                                    out,
                                    "    UNDECLARED: {}: {}{again}",
                                    f.key, f.message
                                );
                            }
                        }
                    }
                    for f in &j.flaky {
                        let _ = writeln!(
                            out,
                            "    passed on rerun (timing-dependent): {}: {}",
                            f.key, f.first_message
                        );
                    }
                    for p in &rec.rerun_problems {
                        let _ = writeln!(out, "    rerun: {p}");
                    }
                    for s in &j.stale {
                        let _ = writeln!(out, "    STALE manifest entry: {}: {}", s.key, s.why);
                    }
                }
            }
        }
        out
    }

    /// The test_ssl table (a row per backend) and each backend's failures.
    fn test_ssl_html(&self) -> String {
        use crate::test_ssl::{utc, Section};
        let mut out = String::from(
            "<p>The results of the last <code>cargo run --release -p conformance -- test-ssl --backend NAME</code> (the report reads them, it does not run test_ssl); <code>cpython</code> is CPython's own <code>_ssl</code>, the reference. Expected failures and their reasons: <code>conformance/test_ssl/expected-NAME.txt</code>.</p><table><tr><th>backend</th><th>run</th><th>passed</th><th>failed</th><th>skipped</th><th>verdict</th><th>_ssl</th></tr>",
        );
        let mut details = String::new();
        for (name, section) in &self.test_ssl {
            match section {
                Section::NotRun(why) | Section::Broken(why) => {
                    let class = if matches!(section, Section::Broken(_)) {
                        "fail"
                    } else {
                        "none"
                    };
                    let _ = write!(
                        out,
                        "<tr><th>{}</th><td colspan=\"6\" class=\"{class}\">{}</td></tr>",
                        esc(name),
                        esc(why)
                    );
                }
                Section::Ran(rec, j) => {
                    let t = rec.totals();
                    let (class, verdict) = if j.is_ok() {
                        ("pass", "pass".to_string())
                    } else {
                        ("fail", format!("{} problem(s)", j.problems()))
                    };
                    let _ = write!(
                        out,
                        "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{verdict}</td><td title=\"{}\"><small>Python {}, run {}</small></td></tr>",
                        esc(name),
                        t.run,
                        if t.rerun > 0 {
                            format!(
                                "{} <small>({} rerun, {} passed on rerun)</small>",
                                t.passed, t.rerun, t.flaky
                            )
                        } else {
                            t.passed.to_string()
                        },
                        t.failed,
                        t.skipped,
                        esc(rec.ssl_module.as_deref().unwrap_or("not loaded")),
                        esc(rec.python_version.as_deref().unwrap_or("?")),
                        esc(&utc(rec.finished_unix))
                    );
                    if j.failures.is_empty()
                        && j.flaky.is_empty()
                        && j.stale.is_empty()
                        && j.run_error.is_none()
                        && rec.rerun_problems.is_empty()
                    {
                        continue;
                    }
                    let _ = write!(details, "<h3>{}</h3><ul>", esc(name));
                    if let Some(e) = &j.run_error {
                        let _ = write!(
                            details,
                            "<li class=\"fail\"><b>undeclared</b>: {}</li>",
                            esc(e)
                        );
                    }
                    for f in &j.failures {
                        let what = match &f.declared {
                            Some(r) => format!("declared: {}", esc(r)),
                            None if f.rerun => {
                                "<b>undeclared</b>, failed again on rerun".to_string()
                            }
                            None => "<b>undeclared</b>".to_string(),
                        };
                        let _ = write!(
                            details,
                            "<li><code>{}</code>: {} ({what})</li>",
                            esc(&f.key),
                            esc(&f.message)
                        );
                    }
                    for f in &j.flaky {
                        let _ = write!(
                            details,
                            "<li><b>passed on rerun</b> (timing-dependent) <code>{}</code>: first attempt {}: {}</li>",
                            esc(&f.key),
                            esc(f.first_outcome.as_str()),
                            esc(&f.first_message)
                        );
                    }
                    for p in &rec.rerun_problems {
                        let _ = write!(details, "<li>rerun: {}</li>", esc(p));
                    }
                    for s in &j.stale {
                        let _ = write!(
                            details,
                            "<li><b>stale manifest entry</b> <code>{}</code>: {} (reason given: {})</li>",
                            esc(&s.key),
                            esc(&s.why),
                            esc(&s.reason)
                        );
                    }
                    details.push_str("</ul>");
                }
            }
        }
        out.push_str("</table>");
        out.push_str(&details);
        out
    }

    /// The posture table: a row per probe, CPython's answer and each
    /// backend's (red: differs without a declared reason; yellow: differs,
    /// declared, the reason below it).
    fn posture_html(&self) -> String {
        let rows = match &self.posture {
            Ok(rows) => rows,
            Err(why) => return format!("<p>Not measured: {}</p>", esc(why)),
        };
        let mut out = String::from("<table><tr><th>probe</th><th>CPython</th>");
        for (name, _) in &self.backends {
            let _ = write!(out, "<th>{}</th>", esc(name));
        }
        out.push_str("</tr>");
        let cell = |a: &Result<crate::posture::Answer, String>| match a {
            Ok(a) => (if a.yes { "yes" } else { "no" }, a.detail.clone()),
            Err(e) => ("error", e.clone()),
        };
        for row in rows {
            let (theirs, detail) = cell(&row.cpython);
            let _ = write!(
                out,
                "<tr><th>{}</th><td title=\"{}\">{theirs}</td>",
                esc(row.probe.name),
                esc(&detail)
            );
            for (_, answer, note) in &row.backends {
                let (ours, detail) = cell(answer);
                let class = match (ours == theirs, note) {
                    (true, None) => "pass",
                    (false, Some(_)) => "expected_fail",
                    _ => "fail",
                };
                let _ = write!(
                    out,
                    "<td class=\"{class}\" title=\"{}\">{ours}",
                    esc(&detail)
                );
                if let Some(note) = note {
                    let _ = write!(
                        out,
                        "<details><summary>why</summary>{}</details>",
                        esc(note)
                    );
                }
                out.push_str("</td>");
            }
            out.push_str("</tr>");
        }
        out.push_str("</table>");
        out
    }
}

/// A TLS implementation no one here wrote, in the interop matrix through
/// the interop cases each backend runs against it.
struct ExternalPeer {
    /// Its row (as client).
    client_label: &'static str,
    /// Its column (as server).
    server_label: &'static str,
    /// The case where a backend's client meets it as server.
    server_case: &'static str,
    /// The case where it is the client of a backend's server.
    client_case: &'static str,
}

const EXTERNAL_PEERS: [ExternalPeer; 2] = [
    ExternalPeer {
        client_label: "CPython ssl client",
        server_label: "CPython ssl server",
        server_case: "interop_cpython_server",
        client_case: "interop_cpython_client",
    },
    ExternalPeer {
        client_label: "openssl s_client",
        server_label: "openssl s_server",
        server_case: "interop_openssl_s_server",
        client_case: "interop_openssl_s_client",
    },
];

fn verdict_parts(v: &Verdict) -> (&'static str, String) {
    match v {
        Verdict::Pass => ("pass", String::new()),
        Verdict::Fail(d) => ("fail", d.clone()),
        Verdict::ExpectedFail(d) => ("expected_fail", d.clone()),
        Verdict::UnexpectedPass(d) => ("unexpected_pass", d.clone()),
        Verdict::NotSupported(d) => ("not_supported", d.clone()),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
