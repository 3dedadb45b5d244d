//! Benchmark: kooste against the Python peer (pandas + openpyxl + matplotlib), side by side on
//! the same inputs, at 1×, 10× and 100× the real size.
//!
//! For each size it makes the inputs with `../shared/bench/make_inputs.py` (installing the
//! Python packages with pip when they are missing), adapts them into a kooste work folder (the
//! returns under `raw/surveys/<year>/`, the Vipunen JSON as a snapshot with its provenance, the
//! inputs' `members.csv` as the registry, `pipelines/annual.toml` with those sources only),
//! then, after a warm-up of each, times `--runs` rounds of: kooste full run (fresh output
//! folder), kooste no-op rerun, kooste `--stage report`, kooste after a one-cell edit of one
//! return (one graduate moved between two statuses, the sums still right: what a school's
//! corrected return does), and the peer — alternating, so drift on the machine hits all alike.
//! Peak RSS comes from `wait4`'s rusage of each child.
//!
//! Run: `cargo bench --bench pipeline` (all sizes, 5 rounds) or
//! `cargo bench --bench pipeline -- --sizes 1,10 --runs 3`. Prints a table of medians, min–max
//! and peak RSS with the peer / kooste ratio, and writes `output/bench/<date>.json`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// One size: members and years of `make_inputs.py`.
#[derive(Clone, Copy)]
struct Size {
    factor: u32,
    members: u32,
    years: u32,
}

const SIZES: [Size; 3] = [
    Size { factor: 1, members: 16, years: 8 },
    Size { factor: 10, members: 160, years: 10 },
    Size { factor: 100, members: 1600, years: 10 },
];
const YEAR: i32 = 2025;

/// Wall time (s) and peak RSS (KiB) of one child process.
fn measure(cmd: &mut Command) -> (f64, i64) {
    let t0 = Instant::now();
    let child = cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    // stderr is drained on a thread so a chatty child never blocks on a full pipe.
    let mut err = child.stderr.expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut s);
        s
    });
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child, with valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = t0.elapsed().as_secs_f64();
    let stderr = reader.join().unwrap_or_default();
    assert!(r == pid, "wait4 failed");
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    assert!(code == 0, "{cmd:?} exited with {code}:\n{stderr}");
    (secs, usage.ru_maxrss)
}

fn python_ready() -> bool {
    Command::new("python3").args(["-c", "import pandas, openpyxl, matplotlib, xlsxwriter"]).status().is_ok_and(|s| s.success())
}

fn ensure_python() {
    if python_ready() {
        return;
    }
    eprintln!("bench: installing pandas, openpyxl, matplotlib and xlsxwriter with pip (--user)…");
    let ok = Command::new("python3")
        .args(["-m", "pip", "install", "--user", "--quiet", "pandas", "openpyxl", "matplotlib", "xlsxwriter"])
        .status()
        .is_ok_and(|s| s.success())
        || Command::new("python3")
            .args(["-m", "pip", "install", "--user", "--quiet", "--break-system-packages", "pandas", "openpyxl", "matplotlib", "xlsxwriter"])
            .status()
            .is_ok_and(|s| s.success());
    assert!(ok && python_ready(), "could not install the Python packages the peer needs (pip install pandas openpyxl matplotlib xlsxwriter)");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.path().is_dir() { copy_dir(&e.path(), &t) } else { std::fs::copy(e.path(), &t).map(|_| ()).unwrap() }
    }
}

/// Makes the inputs of a size (once; kept under `output/bench/inputs/`) and the kooste work
/// folder on them. Returns (inputs, work folder).
fn prepare(root: &Path, shared: &Path, size: Size) -> (PathBuf, PathBuf) {
    let base = root.join(format!("output/bench/inputs/{}x{}", size.members, size.years));
    let inputs = base.join("in");
    if !inputs.join("members.csv").is_file() {
        let _ = std::fs::remove_dir_all(&inputs);
        let status = Command::new("python3")
            .arg(shared.join("bench/make_inputs.py"))
            .arg(&inputs)
            .args(["--members", &size.members.to_string(), "--year", &YEAR.to_string(), "--years", &size.years.to_string()])
            .status()
            .expect("python3");
        assert!(status.success(), "make_inputs.py failed");
    }
    let work = base.join("kooste");
    let _ = std::fs::remove_dir_all(&work);
    // Returns.
    let surveys = work.join(format!("raw/surveys/{YEAR}"));
    let from = std::fs::read_dir(inputs.join("surveys")).unwrap().next().map(|e| e.unwrap().path()).unwrap();
    let from = if from.is_dir() { from } else { inputs.join("surveys") };
    copy_dir(&from, &surveys);
    // The Vipunen snapshot and its provenance.
    let resource = "amm_opiskelijat_ja_tutkinnot_vuosi_tutkinto";
    let bytes = std::fs::read(inputs.join(format!("vipunen_{resource}.json"))).unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&bytes).unwrap();
    let snap = work.join(format!("raw/public/vipunen/{resource}.json"));
    std::fs::create_dir_all(snap.parent().unwrap()).unwrap();
    std::fs::write(&snap, &bytes).unwrap();
    let provenance = serde_json::json!({
        "service": "vipunen", "url": "make_inputs.py", "method": "GET", "query": null, "status": 200,
        "fetched_at": "2026-04-10T09:00:00Z", "sha256": kooste::files::sha256_hex(&bytes), "rows": rows.len(),
        "dataset_updated": rows.first().and_then(|r| r["tietojoukkoPaivitettyPvm"].as_str()), "synthetic": true,
        "note": "benchmark input from ../shared/bench/make_inputs.py"
    });
    std::fs::write(snap.with_extension("provenance.json"), serde_json::to_vec_pretty(&provenance).unwrap()).unwrap();
    std::fs::write(work.join("raw/SYNTHETIC.md"), "Benchmark inputs made by make_inputs.py.\n").unwrap();
    // The pipeline: the repository's, with the members and the one Vipunen source.
    let pipelines = work.join("pipelines");
    std::fs::create_dir_all(&pipelines).unwrap();
    std::fs::copy(inputs.join("members.csv"), pipelines.join("members.csv")).unwrap();
    std::fs::copy(root.join("pipelines/qualifications.csv"), pipelines.join("qualifications.csv")).unwrap();
    let text = std::fs::read_to_string(root.join("pipelines/annual.toml")).unwrap();
    let mut pipeline: toml::Table = toml::from_str(&text).unwrap();
    let first = YEAR - size.years as i32 + 1;
    pipeline.insert("first_year".into(), toml::Value::Integer(i64::from(first)));
    let sources = pipeline.get_mut("sources").and_then(|s| s.as_table_mut()).unwrap();
    sources.retain(|k, _| k == "enrolment");
    std::fs::write(pipelines.join("annual.toml"), toml::to_string(&pipeline).unwrap()).unwrap();
    (inputs, work)
}

/// A return with one cell edited: the first placement row's first non-zero status loses one
/// graduate and the next status gains it (the row still adds up). Every sheet is copied as
/// values.
fn edited_return(bytes: &[u8]) -> Vec<u8> {
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("a return");
    let mut out = rust_xlsxwriter::Workbook::new();
    let mut edited = false;
    for (i, name) in book.sheet_names().into_iter().enumerate() {
        let range = book.worksheet_range(&name).expect("a sheet");
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        if i == 1 && !edited {
            // The placement sheet: the 8 status columns follow qualification, orientation,
            // graduation year and graduates.
            for row in rows.iter_mut().skip(1) {
                let counts: Vec<f64> = row.iter().skip(4).take(8).map(|c| c.get_float().unwrap_or(0.0)).collect();
                if let Some(from) = counts.iter().position(|c| *c > 0.0) {
                    let to = (from + 1) % counts.len();
                    row[4 + from] = Data::Float(counts[from] - 1.0);
                    row[4 + to] = Data::Float(counts[to] + 1.0);
                    edited = true;
                    break;
                }
            }
        }
        let sheet = out.add_worksheet();
        sheet.set_name(&name).expect("a sheet name");
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r0 + r as u32, (c0 + c as u32) as u16);
                match v {
                    Data::Float(x) => drop(sheet.write_number(r, c, *x)),
                    Data::Int(x) => drop(sheet.write_number(r, c, *x as f64)),
                    Data::Empty => {}
                    other => drop(sheet.write_string(r, c, other.to_string())),
                }
            }
        }
    }
    assert!(edited, "a placement row to edit");
    out.save_to_buffer().expect("an edited return")
}

#[derive(Default, serde::Serialize)]
struct Series {
    seconds: Vec<f64>,
    rss_kib: Vec<i64>,
}

impl Series {
    fn push(&mut self, (s, r): (f64, i64)) {
        self.seconds.push(s);
        self.rss_kib.push(r);
    }
    fn median(&self) -> f64 {
        let mut v = self.seconds.clone();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }
    fn min(&self) -> f64 {
        self.seconds.iter().copied().fold(f64::INFINITY, f64::min)
    }
    fn max(&self) -> f64 {
        self.seconds.iter().copied().fold(0.0, f64::max)
    }
    fn rss_mib(&self) -> f64 {
        *self.rss_kib.iter().max().unwrap_or(&0) as f64 / 1024.0
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let runs: usize = arg("--runs").and_then(|r| r.parse().ok()).unwrap_or(5).max(1);
    let factors: Vec<u32> = arg("--sizes").map(|s| s.split(',').filter_map(|f| f.parse().ok()).collect()).unwrap_or_else(|| vec![1, 10, 100]);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared");
    assert!(shared.join("bench/make_inputs.py").is_file(), "../shared/bench/make_inputs.py is missing (the shared folder sits beside the repository)");
    ensure_python();
    let kooste = env!("CARGO_BIN_EXE_kooste");
    let mut report = serde_json::Map::new();
    let mut lines = vec![format!(
        "{:<5} {:<22} {:>9} {:>17} {:>10} {:>12}",
        "size", "what", "median s", "min–max s", "peak MiB", "peer/kooste"
    )];
    let mut full_medians = std::collections::BTreeMap::new();
    for size in SIZES.iter().filter(|s| factors.contains(&s.factor)) {
        eprintln!("bench: {}× ({} returns, {} years)…", size.factor, size.members, size.years);
        let (inputs, work) = prepare(&root, &shared, *size);
        let pipeline = work.join("pipelines/annual.toml");
        let scratch = work.join("out");
        let run_kooste = |out: &Path, extra: &[&str]| {
            let mut c = Command::new(kooste);
            c.arg("run").arg("--pipeline").arg(&pipeline).arg("--output").arg(out).args(extra).env("KOOSTE_LOG", "error");
            measure(&mut c)
        };
        let run_peer = |out: &Path| {
            let _ = std::fs::remove_dir_all(out);
            let mut c = Command::new("python3");
            c.arg(shared.join("bench/peer_pipeline.py")).arg(&inputs).arg(out).args(["--year", &YEAR.to_string()]);
            c.env("MPLBACKEND", "Agg");
            measure(&mut c)
        };
        // Warm-up: caches, page cache, Python's imports.
        run_kooste(&scratch.join("warm"), &[]);
        run_peer(&scratch.join("peer-warm"));
        let (mut full, mut noop, mut report_only, mut peer) = (Series::default(), Series::default(), Series::default(), Series::default());
        let mut one_cell = Series::default();
        // The return edited back and forth between its own bytes and a one-cell edit.
        let first_return = {
            let mut files: Vec<PathBuf> = std::fs::read_dir(work.join(format!("raw/surveys/{YEAR}"))).unwrap().map(|e| e.unwrap().path()).collect();
            files.sort();
            files[0].clone()
        };
        let original = std::fs::read(&first_return).unwrap();
        let versions = [edited_return(&original), original.clone()];
        let mut ingest_ms = Vec::new();
        for i in 0..runs {
            let out = scratch.join(format!("k{i}"));
            let _ = std::fs::remove_dir_all(&out);
            full.push(run_kooste(&out, &[]));
            let record: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join(format!("{YEAR}/run.json"))).unwrap()).unwrap();
            ingest_ms.push(record["stages"]["ingest"]["duration_ms"].as_u64().unwrap_or(0));
            noop.push(run_kooste(&out, &[]));
            report_only.push(run_kooste(&out, &["--stage", "report"]));
            // Edited, then back: two one-cell edits per round.
            for v in &versions {
                std::fs::write(&first_return, v).unwrap();
                one_cell.push(run_kooste(&out, &[]));
            }
            peer.push(run_peer(&scratch.join(format!("p{i}"))));
            let _ = std::fs::remove_dir_all(&out);
        }
        ingest_ms.sort_unstable();
        let ingest_rate = f64::from(size.members) / (ingest_ms[ingest_ms.len() / 2] as f64 / 1000.0);
        let ratio = peer.median() / full.median();
        full_medians.insert(size.factor, full.median());
        for (what, s, r) in [
            ("kooste full run", &full, format!("{ratio:.1}×")),
            ("kooste no-op rerun", &noop, String::new()),
            ("kooste --stage report", &report_only, String::new()),
            ("kooste one-cell edit", &one_cell, String::new()),
            ("peer (pandas)", &peer, String::new()),
        ] {
            lines.push(format!(
                "{:<5} {:<22} {:>9.3} {:>8.3}–{:<8.3} {:>10.0} {:>12}",
                format!("{}×", size.factor),
                what,
                s.median(),
                s.min(),
                s.max(),
                s.rss_mib(),
                r
            ));
        }
        lines.push(format!("{:<5} {:<22} {:>9.0} returns/s (ingest stage incl. feedback workbooks and fsync, both cores)", "", "kooste ingest", ingest_rate));
        report.insert(
            format!("{}x", size.factor),
            serde_json::json!({
                "members": size.members, "years": size.years, "runs": runs,
                "kooste_full": full, "kooste_noop": noop, "kooste_stage_report": report_only, "kooste_one_cell_edit": one_cell, "peer": peer,
                "medians_s": { "kooste_full": full.median(), "kooste_noop": noop.median(), "kooste_stage_report": report_only.median(), "kooste_one_cell_edit": one_cell.median(), "peer": peer.median() },
                "peer_over_kooste": ratio, "ingest_returns_per_s": ingest_rate,
            }),
        );
        let _ = std::fs::remove_dir_all(&scratch);
    }
    if let (Some(a), Some(b)) = (full_medians.get(&10), full_medians.get(&100)) {
        lines.push(format!("10× → 100×: kooste full run costs {:.1}× the time for 10× the data", b / a));
        report.insert("scaling_10x_to_100x".into(), serde_json::json!(b / a));
    }
    let table = lines.join("\n");
    println!("{table}");
    let date = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let path = root.join(format!("output/bench/{date}.json"));
    report.insert("date".into(), serde_json::json!(chrono::Utc::now().to_rfc3339()));
    report.insert("machine".into(), serde_json::json!({ "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) }));
    report.insert("table".into(), serde_json::json!(table));
    kooste::files::write_json(&path, &report).expect("write the bench report");
    println!("written to {}", path.display());
}
