//! The engine through the real binary: up-to-date checks by content, per-return partitions,
//! exact plan reasons, runs killed halfway, the run lock, run records and lineage.

use std::collections::BTreeMap;
use std::process::Command;

use calamine::{Data, Reader, open_workbook_auto};

use crate::util::{Workdir, hashes};

fn record(w: &Workdir) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(w.join("output/2025/run.json")).unwrap()).unwrap()
}

fn actions(w: &Workdir) -> BTreeMap<String, String> {
    let r = record(w);
    r["actions"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v["action"].as_str().unwrap().to_owned())).collect()
}

/// Hashes of the published and persisted outputs, without what records when (run records,
/// stage states, the ingest partitions' cache).
fn outputs(w: &Workdir) -> BTreeMap<String, String> {
    hashes(&w.join("output/2025"))
        .into_iter()
        .filter(|(p, _)| !(p == "run.json" || p.starts_with("runs/") || p.ends_with("state.json") || p.ends_with("partitions.json")))
        .map(|(p, h)| {
            // The HTML report names the run that wrote it: compared without that.
            if p.ends_with("report.html") {
                let text = std::fs::read_to_string(w.join("output/2025").join(&p)).unwrap();
                (p, kooste::files::sha256_hex(without_run_id(&text).as_bytes()))
            } else if p.ends_with("tables.xlsx") {
                // The workbooks for people print the run id in their footers.
                let bytes = std::fs::read(w.join("output/2025").join(&p)).unwrap();
                (p, xlsx_without_footers(&bytes))
            } else {
                (p, h)
            }
        })
        .collect()
}

/// A workbook's parts hashed without their print footers (which name the run).
fn xlsx_without_footers(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let mut text = String::new();
        part.read_to_string(&mut text).unwrap();
        let text = match (text.find("<oddFooter>"), text.find("</oddFooter>")) {
            (Some(a), Some(b)) => format!("{}{}", &text[..a], &text[b..]),
            _ => text,
        };
        all.push_str(&part.name().unwrap());
        all.push_str(&text);
    }
    kooste::files::sha256_hex(all.as_bytes())
}

/// The report's text without its run id (`<p class="meta">…</p>` and the footer).
fn without_run_id(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    for (open, close) in [("<p class=\"meta\">", "</p>"), ("<footer", "</footer>")] {
        let Some(i) = rest.find(open) else { continue };
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let j = rest.find(close).map(|j| j + close.len()).unwrap_or(rest.len());
        rest = &rest[j..];
    }
    out.push_str(rest);
    out
}

/// Rewrites Oulu's return with one graduate moved from one status to another (sums still right).
fn edit_one_cell_of_oulu(w: &Workdir) {
    let config = w.config();
    let mut rng = kooste::sample::Rng::new(2025);
    let mut returns = kooste::sample::returns(&config, &mut rng);
    let (_, spec) = returns.iter_mut().find(|(id, _)| id == "oulu").unwrap();
    let row = &mut spec.placement[0];
    let from = row.statuses.iter().position(|c| *c > 0).unwrap();
    row.statuses[from] -= 1;
    row.statuses[(from + 1) % 8] += 1;
    std::fs::write(w.join("raw/surveys/2025/oulu.xlsx"), kooste::survey::template::write(spec).unwrap()).unwrap();
}

fn plan(w: &Workdir) -> Vec<serde_json::Value> {
    let out = w.kooste_expect(&["plan", "--json"], 0);
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap()
}

fn step<'a>(plan: &'a [serde_json::Value], stage: &str) -> &'a serde_json::Value {
    plan.iter().find(|s| s["stage"] == stage).unwrap()
}

#[test]
fn a_no_op_rerun_does_nothing_and_says_so_and_a_touched_file_changes_nothing() {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    let before = outputs(&w);
    let out = w.kooste_expect(&["run"], 0);
    assert!(String::from_utf8_lossy(&out.stderr).contains("everything is up to date"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(actions(&w).values().all(|a| a == "up to date"), "{:?}", actions(&w));
    assert_eq!(outputs(&w), before);
    // Touching a return (same bytes, new mtime) reruns nothing.
    let oulu = w.join("raw/surveys/2025/oulu.xlsx");
    let bytes = std::fs::read(&oulu).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&oulu, &bytes).unwrap();
    assert!(plan(&w).iter().all(|s| s["action"] == "up to date"), "{:?}", plan(&w));
    let out = w.kooste_expect(&["plan"], 0);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Everything is up to date."));
    w.kooste_expect(&["run"], 0);
    assert!(actions(&w).values().all(|a| a == "up to date"), "{:?}", actions(&w));
    // Every run left its own record.
    assert_eq!(std::fs::read_dir(w.join("output/2025/runs")).unwrap().count(), 3);
    let r = record(&w);
    assert_eq!(r["exit_code"], 0);
    assert!(w.join("output/2025").join(r["record"].as_str().unwrap()).is_file());
    assert_eq!(r["stages"]["ingest"]["rows"]["returns"], 16, "an up-to-date stage keeps its report in the record");
}

#[test]
fn one_edited_cell_reruns_that_return_and_what_depends_on_it() {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    let feedback_before = hashes(&w.join("output/2025/feedback"));
    edit_one_cell_of_oulu(&w);
    let p = plan(&w);
    assert_eq!(step(&p, "fetch")["action"], "up to date");
    assert_eq!(step(&p, "ingest")["action"], "run");
    let reasons: Vec<&str> = step(&p, "ingest")["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(reasons[0].ends_with("raw/surveys/2025/oulu.xlsx changed"), "{reasons:?}");
    assert_eq!(step(&p, "ingest")["partitions"], serde_json::json!([1, 16]));
    assert_eq!(step(&p, "transform")["action"], "check after upstream");
    w.kooste_expect(&["run"], 0);
    let a = actions(&w);
    assert_eq!(a["fetch"], "up to date");
    for s in ["ingest", "transform", "disclose", "report"] {
        assert_eq!(a[s], "ran", "{a:?}");
    }
    let r = record(&w);
    assert_eq!(r["stages"]["ingest"]["details"]["partitions"], serde_json::json!({"read": 1, "returns": 16}));
    // Only Oulu's feedback workbook was written again.
    let feedback_after = hashes(&w.join("output/2025/feedback"));
    let changed: Vec<&String> = feedback_after.iter().filter(|(k, v)| feedback_before.get(*k) != Some(*v)).map(|(k, _)| k).collect();
    assert_eq!(changed, ["oulu.xlsx"]);
    // And the result is what a clean run on the edited inputs gives.
    let clean = Workdir::with_sample();
    edit_one_cell_of_oulu(&clean);
    clean.kooste_expect(&["run"], 0);
    assert_eq!(outputs(&w), outputs(&clean));
}

#[test]
fn plan_says_exactly_why() {
    let w = Workdir::with_sample();
    let p = plan(&w);
    assert!(p.iter().all(|s| s["action"] == "run" || s["action"] == "check after upstream"), "{p:?}");
    assert_eq!(step(&p, "fetch")["reasons"], serde_json::json!(["no record of a completed run"]));
    w.kooste_expect(&["run"], 0);
    let toml = w.join("pipelines/annual.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, text.replace("threshold = 5\n", "threshold = 3\nallow_below_official_threshold = true\n")).unwrap();
    let p = plan(&w);
    for s in ["fetch", "ingest", "transform"] {
        assert_eq!(step(&p, s)["action"], "up to date", "{s}: {p:?}");
    }
    assert_eq!(
        step(&p, "disclose")["reasons"],
        serde_json::json!(["disclosure.threshold changed 5 → 3", "disclosure.allow_below_official_threshold added (true)"])
    );
    assert_eq!(step(&p, "report")["reasons"], serde_json::json!(["disclosure.threshold changed 5 → 3"]));
    // A removed output, and plan itself changes nothing.
    std::fs::remove_file(w.join("output/2025/tables/enrolment.csv")).unwrap();
    let before = hashes(&w.join("output"));
    let p = plan(&w);
    let reasons: Vec<&str> = step(&p, "report")["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(reasons.iter().any(|r| r.starts_with("output ") && r.ends_with("tables/enrolment.csv is missing")), "{reasons:?}");
    assert_eq!(hashes(&w.join("output")), before, "plan has no side effects");
}

#[test]
fn a_run_killed_mid_stage_then_rerun_equals_a_clean_run() {
    let clean = Workdir::with_sample();
    clean.kooste_expect(&["run"], 0);
    let expected = outputs(&clean);
    for delay_ms in [15u64, 40, 70, 100] {
        let w = Workdir::with_sample();
        let mut child = Command::new(env!("CARGO_BIN_EXE_kooste"))
            .arg("run")
            .current_dir(w.path())
            .env("KOOSTE_LOG", "warn")
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // The killed run's lock is stale: the next run clears it and completes the work.
        let out = w.kooste(&["run"]);
        assert_eq!(out.status.code(), Some(0), "after a kill at {delay_ms} ms: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(outputs(&w), expected, "after a kill at {delay_ms} ms");
        let lock = w.join("output/2025/.kooste.lock");
        assert!(std::fs::read(&lock).map(|b| b.is_empty()).unwrap_or(true), "the killed run's owner is cleared");
    }
}

#[test]
fn a_second_concurrent_run_is_refused_and_a_stale_lock_is_cleared() {
    use std::io::Write;
    let w = Workdir::with_sample();
    std::fs::create_dir_all(w.join("output/2025")).unwrap();
    let lock = w.join("output/2025/.kooste.lock");
    // A live holder: this test process holds the operating system's lock on the file.
    let owner = serde_json::json!({ "pid": std::process::id(), "host": "here", "started_at": "2026-01-01T00:00:00Z", "command": ["kooste", "run"] });
    let mut held = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&lock).unwrap();
    held.try_lock().unwrap();
    held.write_all(owner.to_string().as_bytes()).unwrap();
    let out = w.kooste_expect(&["run"], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("another kooste run (pid {}", std::process::id())), "{stderr}");
    assert!(!w.join("output/2025/tables").exists(), "the refused run wrote nothing");
    // The holder dies without clearing the file (closing it releases the lock, as the kernel
    // does for a killed process): the next run clears the stale lock and goes on.
    drop(held);
    let out = w.kooste_expect(&["run"], 0);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Cleared a stale lock"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&lock).unwrap().len(), 0, "a finished run leaves no owner in the lock file");
    // Two real runs at once: one is refused or they ran one after the other; never both at once.
    let spawn = || Command::new(env!("CARGO_BIN_EXE_kooste")).args(["run", "--force"]).current_dir(w.path()).env("KOOSTE_LOG", "warn").output();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    for o in [&a, &b] {
        let code = o.status.code();
        assert!(
            code == Some(0) || (code == Some(1) && String::from_utf8_lossy(&o.stderr).contains("another kooste run")),
            "{code:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn lineage_names_the_cells_a_figure_came_from() {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    let writer = record(&w)["run_id"].as_str().unwrap().to_owned();
    w.kooste_expect(&["run"], 0); // a no-op run does not become the table's writer
    let args = ["lineage", "placement", "qualification_code=321204", "orientation=klassinen", "graduation_year=2024", "status=university"];
    let out = w.kooste_expect(&args, 0);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("1 row(s) of placement"), "{text}");
    assert!(text.contains(&format!("written by run {writer} ")), "{text}");
    // Every listed cell, read back with calamine, adds up to the published count.
    let published: i64 = w
        .csv("output/2025/tables/placement.csv")
        .iter()
        .find(|r| r[2] == "321204" && r[3] == "klassinen" && r[4] == "2024" && r[5] == "university")
        .unwrap()[6]
        .parse()
        .expect("the association's count is published");
    let mut sum = 0;
    let mut cells = 0;
    for line in text.lines().filter(|l| l.contains(" sheet ") && l.contains(": cell ")) {
        let file = line.trim().split(" (sha256").next().unwrap();
        let sheet = line.split(" sheet ").nth(1).unwrap().split(" row ").next().unwrap();
        let cell = line.split(": cell ").nth(1).unwrap().split(',').next().unwrap();
        let (col, row) = cell.split_at(cell.find(|c: char| c.is_ascii_digit()).unwrap());
        let col = col.bytes().fold(0u32, |a, b| a * 26 + u32::from(b - b'A' + 1)) - 1;
        let row: u32 = row.parse::<u32>().unwrap() - 1;
        let mut book = open_workbook_auto(w.join(file)).unwrap();
        let range = book.worksheet_range(sheet).unwrap();
        sum += match range.get_value((row, col)) {
            Some(Data::Float(f)) => *f as i64,
            Some(Data::Int(i)) => *i,
            _ => 0,
        };
        cells += 1;
    }
    assert!(cells >= 5, "{text}");
    assert_eq!(sum, published, "{text}");
    // Vipunen figures name the snapshot rows.
    let out = w.kooste_expect(&["lineage", "enrolment", "year=2020", "member_id=turku", "qualification_code=321204", "source=vipunen"], 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Vipunen row(s)") && text.contains("2962876-6"), "Turku's 2020 provider id: {text}");
    // A wrong column says which there are.
    let out = w.kooste_expect(&["lineage", "placement", "colour=red"], 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no column 'colour'"));
}

#[test]
fn logs_are_json_lines_when_asked() {
    let w = Workdir::with_sample();
    let out = Command::new(env!("CARGO_BIN_EXE_kooste"))
        .args(["run", "--log-format", "json"])
        .current_dir(w.path())
        .env("KOOSTE_LOG", "info")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with('{')).collect();
    assert!(lines.len() > 5, "{stderr}");
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
        assert!(v["level"].is_string() && v["fields"].is_object(), "{l}");
    }
}

#[test]
fn from_a_stage_reruns_it_and_what_follows_and_status_tells_the_age_of_the_snapshots() {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    w.kooste_expect(&["run", "--from", "disclose"], 0);
    let a = actions(&w);
    for s in ["fetch", "ingest", "transform"] {
        assert_eq!(a[s], "not selected", "{a:?}");
    }
    assert_eq!((a["disclose"].as_str(), a["report"].as_str()), ("ran", "ran"));
    let out = w.kooste_expect(&["status"], 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ran disclose, report") && text.contains("ran fetch, ingest, transform, disclose, report"), "{text}");
    assert!(text.contains("enrolment") && text.contains("fetched 2026-04-10T09:00:00Z"), "{text}");
    assert!(text.contains("Outputs: up to date."), "{text}");
    // A snapshot older than the error age fails the status check.
    let toml = w.join("pipelines/annual.toml");
    let t = std::fs::read_to_string(&toml).unwrap().replace("page_size = 5000\n", "page_size = 5000\nerror_age_days = 30\n");
    std::fs::write(&toml, t).unwrap();
    let out = w.kooste_expect(&["status"], 1);
    assert!(String::from_utf8_lossy(&out.stdout).contains("ERROR: too old"), "{}", String::from_utf8_lossy(&out.stdout));
}
