//! Guard rails, through the binary: a mistake in the settings or on the command line is refused
//! before anything runs (exit 2, naming the file and line), the output folder holds only what
//! the configuration publishes, `sample` does not write over data, the exit codes tell a
//! scheduler the truth, and what kooste says is said once, in JSON when asked, and survives a
//! closed pipe.

use std::process::{Command, Stdio};

use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::util::{Workdir, hashes};

/// The first line of stderr.
fn first_line(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or("").to_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Replaces text in a file of the work folder (the text must be there).
fn edit(w: &Workdir, file: &str, from: &str, to: &str) {
    let p = w.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{from:?} not in {file}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

/// The 1-based line of the first line of a file that starts with `prefix`.
fn line_of(w: &Workdir, file: &str, prefix: &str) -> usize {
    std::fs::read_to_string(w.join(file)).unwrap().lines().position(|l| l.starts_with(prefix)).expect("line") + 1
}

fn record(w: &Workdir) -> Value {
    serde_json::from_slice(&std::fs::read(w.join("output/2025/run.json")).unwrap()).unwrap()
}

#[test]
fn a_ytunnus_of_two_members_or_a_member_listed_twice_is_refused_naming_both_lines() {
    let w = Workdir::with_sample();
    let registry = "pipelines/members.csv";
    let oulu = line_of(&w, registry, "oulu,");
    let original = std::fs::read_to_string(w.join(registry)).unwrap();
    // A second id with Oulu's Y-tunnus.
    std::fs::write(w.join(registry), format!("{original}oulu2,Oulun konservatorio (kopio),Oulun kaupunki,0187690-1,2024,,fi,,\n")).unwrap();
    let added = original.lines().count() + 1;
    let out = w.kooste_expect(&["run"], 2);
    let first = first_line(&out);
    assert!(first.starts_with("kooste: error: "), "{first}");
    assert!(first.contains(&format!("members.csv, lines {oulu} and {added}")), "{first}");
    assert!(first.contains("Y-tunnus 0187690-1 stands for two members in overlapping years, oulu (all years) and oulu2 (2024–)"), "{first}");
    assert!(!w.join("output").exists(), "nothing ran: no output folder");
    // The same member's row twice.
    let oulu_row = original.lines().find(|l| l.starts_with("oulu,")).unwrap();
    std::fs::write(w.join(registry), format!("{original}{oulu_row}\n")).unwrap();
    let first = first_line(&w.kooste_expect(&["plan"], 2));
    assert!(first.contains(&format!("lines {oulu} and {added}")) && first.contains("member oulu is listed twice"), "{first}");
    // Turku's two providers in consecutive years are fine; overlapping, they are not.
    std::fs::write(w.join(registry), original.replace("2962876-6,2020,", "2962876-6,2019,")).unwrap();
    let first = first_line(&w.kooste_expect(&["run"], 2));
    assert!(first.contains("member turku is listed twice for overlapping years (–2019 with 0204843-8, 2019– with 2962876-6)"), "{first}");
    // A header only.
    std::fs::write(w.join(registry), format!("{}\n", original.lines().next().unwrap())).unwrap();
    let first = first_line(&w.kooste_expect(&["run"], 2));
    assert!(first.contains("members.csv lists no member"), "{first}");
}

#[test]
fn a_threshold_below_five_is_refused_and_with_the_override_logged_and_recorded() {
    let w = Workdir::with_sample();
    let toml = "pipelines/annual.toml";
    let line = line_of(&w, toml, "threshold = ");
    edit(&w, toml, "threshold = 5\n", "threshold = 1\n");
    let out = w.kooste_expect(&["run"], 2);
    let first = first_line(&out);
    assert!(first.contains(&format!("annual.toml, line {line}: disclosure.threshold = 1 is below the official 5")), "{first}");
    assert!(first.contains("allow_below_official_threshold = true"), "{first}");
    assert!(!w.join("output").exists());
    edit(&w, toml, "threshold = 1\n", "threshold = 1\nallow_below_official_threshold = true\n");
    let out = w.kooste_expect(&["run"], 0);
    let err = stderr(&out);
    assert!(err.lines().any(|l| l.contains("WARN") && l.contains("below the official 5")), "{err}");
    let r = record(&w);
    assert_eq!(r["notices"][0].as_str().unwrap(), "disclosure.threshold = 1 is below the official 5 (allowed by disclosure.allow_below_official_threshold)");
    assert_eq!(r["pipeline"]["config"]["disclosure"]["allow_below_official_threshold"], true);
    assert_eq!(r["pipeline"]["config"]["disclosure"]["threshold"], 1);
}

#[test]
fn other_impossible_settings_are_refused_with_their_line() {
    let cases: [(&str, &str, &str, &str); 5] = [
        ("round_to = 1\n", "round_to = 0\n", "round_to = ", "disclosure.round_to must be from 1"),
        ("tolerance = 0.1\n", "tolerance = -0.1\n", "tolerance = ", "reconciliation.tolerance must be a share of 0 or more"),
        ("languages = [\"fi\", \"sv\", \"en\"]\n", "languages = [\"fi\", \"de\"]\n", "languages = ", "unknown variant `de`"),
        ("languages = [\"fi\", \"sv\", \"en\"]\n", "languages = [\"fi\", \"fi\"]\n", "languages = ", "languages names fi twice"),
        ("languages = [\"fi\", \"sv\", \"en\"]\n", "languages = []\n", "languages = ", "languages is empty"),
    ];
    for (from, to, key, says) in cases {
        let w = Workdir::with_sample();
        let line = line_of(&w, "pipelines/annual.toml", key);
        edit(&w, "pipelines/annual.toml", from, to);
        let first = first_line(&w.kooste_expect(&["run"], 2));
        assert!(first.contains(&format!("annual.toml, line {line}: ")) && first.contains(says), "{to}: {first}");
        assert!(!w.join("output").exists());
    }
}

#[test]
fn a_missing_raw_or_survey_folder_is_said_before_any_network_call() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(MockServer::start());
    rt.block_on(Mock::given(any()).respond_with(ResponseTemplate::new(500)).mount(&server));
    let w = Workdir::with_sample();
    edit(&w, "pipelines/annual.toml", "https://api.vipunen.fi/api", &format!("{}/api", server.uri()));
    edit(&w, "pipelines/annual.toml", "https://pxdata.stat.fi/PxWeb/api/v1", &format!("{}/api/v1", server.uri()));
    let out = w.kooste_expect(&["run", "--raw", "rwa"], 2);
    let first = first_line(&out);
    assert!(first.starts_with("kooste: error: raw folder rwa does not exist (set by --raw or by raw in pipelines/annual.toml"), "{first}");
    let out = w.kooste_expect(&["fetch", "--refresh", "--raw", "rwa"], 2);
    assert!(first_line(&out).contains("raw folder rwa does not exist"));
    // The sample holds 2021–2025.
    let out = w.kooste_expect(&["run", "--year", "2020"], 2);
    assert!(first_line(&out).contains("survey folder raw/surveys/2020 does not exist"), "{}", stderr(&out));
    assert!(rt.block_on(server.received_requests()).unwrap().is_empty(), "no request was sent");
    assert!(!w.join("output").exists());
}

#[test]
fn a_dropped_language_or_table_leaves_no_stale_files_and_the_record_says_what_went() {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    assert!(w.join("output/2025/sv/report.html").is_file() && w.join("output/2025/tables/placement_benchmark.csv").is_file());
    std::fs::write(w.join("output/2025/fi/charts/old-chart-fi.svg"), "stale").unwrap();
    edit(&w, "pipelines/annual.toml", "languages = [\"fi\", \"sv\", \"en\"]", "languages = [\"fi\"]");
    w.kooste_expect(&["run"], 0);
    for gone in ["output/2025/sv", "output/2025/en", "output/2025/fi/charts/old-chart-fi.svg"] {
        assert!(!w.join(gone).exists(), "{gone} is left");
    }
    assert!(w.join("output/2025/fi/report.html").is_file());
    let removed: Vec<String> =
        record(&w)["stages"]["report"]["details"]["removed"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    assert!(removed.iter().any(|p| p.ends_with("output/2025/sv/report.html")), "{removed:?}");
    assert!(removed.iter().any(|p| p.ends_with("output/2025/fi/charts/old-chart-fi.svg")), "{removed:?}");
    assert!(!removed.iter().any(|p| p.contains("/fi/") && !p.contains("old-chart")), "{removed:?}");
    // A table no longer published goes too.
    let p = w.join("pipelines/annual.toml");
    let mut pipeline: toml::Table = std::fs::read_to_string(&p).unwrap().parse().unwrap();
    pipeline["sources"].as_table_mut().unwrap().remove("placement_benchmark");
    std::fs::write(&p, toml::to_string(&pipeline).unwrap()).unwrap();
    w.kooste_expect(&["run"], 0);
    assert!(!w.join("output/2025/tables/placement_benchmark.csv").exists());
    assert!(!w.join("output/2025/fi/placement_benchmark.csv").exists());
    assert!(w.join("output/2025/tables/placement.csv").is_file());
}

#[test]
fn sample_refuses_to_write_over_returns_and_snapshots_unless_forced() {
    let w = Workdir::with_sample();
    std::fs::remove_file(w.join("raw/SYNTHETIC.md")).unwrap();
    let before = hashes(&w.join("raw"));
    let out = w.kooste_expect(&["sample"], 1);
    let first = first_line(&out);
    assert!(first.starts_with("kooste: error: raw already holds 80 returns and 8 snapshot files; it would overwrite raw/surveys/2021/"), "{first}");
    assert!(first.contains("and 85 more") && first.contains("add --force"), "{first}");
    assert_eq!(hashes(&w.join("raw")), before, "nothing written");
    w.kooste_expect(&["sample", "--force"], 0);
    assert!(w.join("raw/SYNTHETIC.md").is_file());
}

/// Runs kooste with its stdout a pipe whose reader is already gone.
fn into_closed_pipe(w: &Workdir, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_kooste"))
        .args(args)
        .current_dir(w.path())
        .env("KOOSTE_LOG", "warn")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_closed_stdout_pipe_ends_quietly() {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    for args in [&["status"][..], &["plan", "--json"], &["plan"], &["status", "--json"], &["lineage", "placement_by_member", "member_id=oulu", "graduation_year=2024", "class=studies"]] {
        let out = into_closed_pipe(&w, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

/// Every stderr line parses as a JSON object with a level and fields.
fn all_json(out: &std::process::Output) -> Vec<Value> {
    let text = stderr(out);
    assert!(!text.trim().is_empty());
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}\n{text}"));
            assert!(v["level"].is_string() && v["fields"].is_object(), "{l}");
            v
        })
        .collect()
}

fn kooste_json(w: &Workdir, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kooste")).args(args).current_dir(w.path()).env("KOOSTE_LOG", "info").output().unwrap()
}

#[test]
fn every_stderr_line_of_a_json_log_run_is_json_failing_or_not() {
    let w = Workdir::with_sample();
    // A return quarantined, so the summary has its list.
    let oulu = w.join("raw/surveys/2025/oulu.xlsx");
    std::fs::write(&oulu, b"not a workbook").unwrap();
    let out = kooste_json(&w, &["run", "--log-format", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let lines = all_json(&out);
    let last = lines.last().unwrap();
    assert_eq!(last["fields"]["exit_code"], 3, "{last}");
    assert_eq!(last["fields"]["accepted"], 15, "{last}");
    assert!(last["fields"]["quarantined"][0]["file"].as_str().unwrap().ends_with("oulu.xlsx"), "{last}");
    // Failing: a settings mistake, a usage error, a stage that cannot run (a return was added).
    std::fs::write(w.join("raw/surveys/2025/extra.xlsx"), b"not a workbook").unwrap();
    for (args, code, says) in [
        (&["run", "--log-format", "json", "--raw", "nope"][..], 2, "raw folder nope does not exist"),
        (&["run", "--log-format=json", "--no-such-flag"], 2, "unexpected argument '--no-such-flag'"),
        (&["run", "--log-format", "json", "--stage", "report"], 1, "ingest is out of date"),
        (&["status", "--log-format", "json", "--pipeline", "missing.toml"], 2, "missing.toml"),
    ] {
        let out = kooste_json(&w, args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        let lines = all_json(&out);
        let last = lines.last().unwrap();
        assert_eq!(last["level"], "ERROR", "{args:?}: {last}");
        assert!(last["fields"]["message"].as_str().unwrap().contains(says), "{args:?}: {last}");
        assert_eq!(last["fields"]["exit_code"], code, "{args:?}: {last}");
    }
}

#[test]
fn an_error_is_said_once_with_its_context() {
    let w = Workdir::with_sample();
    let out = w.kooste_expect(&["run", "--pipeline", "pipelines/nope.toml"], 2);
    let text = stderr(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("kooste: error: cannot read pipeline pipelines/nope.toml: No such file or directory (os error 2)\n"), "{text}");
    assert_eq!(text.matches("No such file").count(), 1, "{text}");
    std::fs::remove_file(w.join("pipelines/qualifications.csv")).unwrap();
    let text = stderr(&w.kooste_expect(&["run"], 2));
    assert_eq!(text.matches("No such file").count(), 1, "{text}");
    assert!(text.contains("qualifications.csv"), "{text}");
}

#[test]
fn fetch_refresh_against_an_unreachable_service_exits_stale_and_keeps_the_snapshots() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(MockServer::start());
    rt.block_on(Mock::given(any()).respond_with(ResponseTemplate::new(500).set_body_string("internal error")).mount(&server));
    for base in [server.uri(), "http://127.0.0.1:9".to_owned()] {
        let w = Workdir::with_sample();
        let toml = "pipelines/annual.toml";
        edit(&w, toml, "https://api.vipunen.fi/api", &format!("{base}/api"));
        edit(&w, toml, "https://pxdata.stat.fi/PxWeb/api/v1", &format!("{base}/api/v1"));
        edit(&w, toml, "retries = 4\n", "retries = 0\nbackoff_ms = 10\n");
        let before = hashes(&w.join("raw"));
        let out = w.kooste_expect(&["fetch", "--refresh"], 4);
        let err = stderr(&out);
        let last = err.lines().last().unwrap();
        assert!(last.starts_with("kooste: snapshots in raw/public, but 4 could not be refreshed (exit 4)"), "{base}: {err}");
        assert!(err.contains("source 'enrolment' could not be refreshed: the snapshot fetched 2026-04-10T09:00:00Z was used"), "{err}");
        assert_eq!(hashes(&w.join("raw")), before, "the snapshots are kept");
        // The run that follows publishes from the kept snapshots (the sample's ages do not count).
        w.kooste_expect(&["run"], 0);
    }
}

#[test]
fn a_run_published_from_a_snapshot_past_its_warning_age_exits_stale() {
    let w = Workdir::with_sample();
    // Real data (no synthetic marker): the snapshots' ages count.
    std::fs::remove_file(w.join("raw/SYNTHETIC.md")).unwrap();
    let out = w.kooste_expect(&["run"], 4);
    let err = stderr(&out);
    assert!(err.contains("source 'enrolment' was published from a snapshot fetched 2026-04-10T09:00:00Z") && err.contains("past fetch.warn_age_days = 200"), "{err}");
    assert!(err.lines().last().unwrap().starts_with("kooste: published from stale public data (exit 4)"), "{err}");
    assert_eq!(record(&w)["exit_code"], 4);
    assert!(record(&w)["stale"].as_array().unwrap().len() >= 3);
    edit(&w, "pipelines/annual.toml", "page_size = 5000\n", "page_size = 5000\nwarn_age_days = 5000\nerror_age_days = 9000\n");
    w.kooste_expect(&["run"], 0);
}

#[test]
fn no_return_accepted_has_its_own_exit_code() {
    let w = Workdir::with_sample();
    for e in std::fs::read_dir(w.join("raw/surveys/2025")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    let out = w.kooste_expect(&["run"], 5);
    let err = stderr(&out);
    assert!(err.contains("kooste: no return was accepted from raw/surveys/2025 (exit 5)"), "{err}");
    assert_eq!(record(&w)["exit_code"], 5);
    // validate on an empty folder says so.
    let out = w.kooste_expect(&["validate", "raw/surveys/2025"], 5);
    assert!(first_line(&out).starts_with("kooste: error: no return to validate in raw/surveys/2025"), "{}", stderr(&out));
}

#[test]
fn status_fails_when_a_snapshots_data_file_is_gone_and_says_so_in_json_too() {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    let v: Value = serde_json::from_slice(&w.kooste_expect(&["status", "--json"], 0).stdout).unwrap();
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["outputs"]["up_to_date"], true);
    assert_eq!(v["runs"][0]["exit_code"], 0);
    std::fs::remove_file(w.join("raw/public/statfin/sijk_111l.json")).unwrap();
    let out = w.kooste_expect(&["status"], 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().any(|l| l.contains("placement_benchmark") && l.contains("ERROR: ") && l.contains("provenance remains")), "{text}");
    let v: Value = serde_json::from_slice(&w.kooste_expect(&["status", "--json"], 1).stdout).unwrap();
    let bench = v["snapshots"].as_array().unwrap().iter().find(|s| s["source"] == "placement_benchmark").unwrap();
    assert_eq!(bench["verdict"], "error", "{bench}");
    assert_eq!(v["outputs"]["up_to_date"], false);
}

#[test]
fn plan_says_it_refuses_when_run_does() {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    std::fs::write(w.join("raw/surveys/2025/extra.xlsx"), b"not a workbook").unwrap();
    let out = w.kooste_expect(&["plan", "--stage", "report"], 0);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let said = text.lines().next().unwrap().strip_prefix("kooste run would refuse to start: ").unwrap_or_else(|| panic!("{text}")).to_owned();
    assert!(text.lines().any(|l| l.starts_with("report") && l.ends_with("refused")), "{text}");
    let plan: Vec<Value> = serde_json::from_slice(&w.kooste_expect(&["plan", "--stage", "report", "--json"], 0).stdout).unwrap();
    assert_eq!(plan[4]["action"], "refused");
    let out = w.kooste_expect(&["run", "--stage", "report"], 1);
    assert_eq!(first_line(&out), format!("kooste: error: {said}"));
    // With --force both run it.
    let text = String::from_utf8_lossy(&w.kooste_expect(&["plan", "--stage", "report", "--force"], 0).stdout).into_owned();
    assert!(text.lines().any(|l| l == "report     run"), "{text}");
}
