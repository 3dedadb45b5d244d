//! The annual run end to end on the bundled sample, through the real binary.

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{Data, DataType, Reader, open_workbook_auto};

use crate::util::{Workdir, hashes, repo};

/// Status columns of the placement sheet, by header text in fi / sv / en — written out here
/// again, independently of kooste's own contract module, so the test checks the reader.
const STATUS_HEADERS: [(&str, [&str; 3]); 8] = [
    ("university", ["Jatko-opinnot: yliopisto", "Fortsatta studier: universitet", "Further studies: university"]),
    ("uas", ["Jatko-opinnot: ammattikorkeakoulu", "Fortsatta studier: yrkeshögskola", "Further studies: university of applied sciences"]),
    ("other_studies", ["Jatko-opinnot: muu", "Fortsatta studier: annat", "Further studies: other"]),
    ("employed_in_field", ["Työ alalla", "Arbete inom branschen", "Employed in the field"]),
    ("employed_outside_field", ["Työ alan ulkopuolella", "Arbete utanför branschen", "Employed outside the field"]),
    ("unemployed", ["Työtön", "Arbetslös", "Unemployed"]),
    ("other", ["Muu", "Annat", "Other"]),
    ("unknown", ["Ei tietoa", "Uppgift saknas", "Unknown"]),
];

/// Sums the status columns of every return in a folder, for one graduation year, reading the
/// workbooks with calamine directly (not through kooste's reader).
fn independent_totals(dir: &Path, graduation_year: f64, skip: &[&str]) -> BTreeMap<String, i64> {
    let mut totals: BTreeMap<String, i64> = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for path in files {
        if skip.iter().any(|s| path.ends_with(s)) {
            continue;
        }
        let mut book = open_workbook_auto(&path).unwrap();
        let name = book
            .sheet_names()
            .into_iter()
            .find(|n| ["Sijoittuminen", "Placering", "Placement"].contains(&n.as_str()))
            .expect("placement sheet");
        let range = book.worksheet_range(&name).unwrap();
        let rows: Vec<&[Data]> = range.rows().collect();
        let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
        let year_col = header
            .iter()
            .position(|h| ["Valmistumisvuosi", "Examensår", "Graduation year"].contains(&h.as_str()))
            .unwrap();
        for row in &rows[1..] {
            if row[year_col].as_f64() != Some(graduation_year) {
                continue;
            }
            for (code, names) in STATUS_HEADERS {
                let c = header.iter().position(|h| names.contains(&h.as_str())).expect("status column");
                *totals.entry(code.to_owned()).or_default() += row[c].as_f64().unwrap() as i64;
            }
        }
    }
    totals
}

/// The association totals (`all, all, all`) of placement.csv for a graduation year.
fn published_totals(w: &Workdir, graduation_year: &str) -> BTreeMap<String, i64> {
    w.csv("output/2025/tables/placement.csv")
        .into_iter()
        .skip(1)
        .filter(|r| r[1] == "all" && r[2] == "all" && r[3] == "all" && r[4] == graduation_year)
        .map(|r| (r[5].clone(), r[6].parse().expect("association totals are published as numbers")))
        .collect()
}

#[test]
fn the_annual_run_writes_tables_charts_and_run_record() {
    let w = Workdir::with_sample();
    let out = w.kooste_expect(&["run"], 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("16 returns accepted, 0 quarantined"), "{stderr}");
    for f in ["tables/placement.csv", "tables/enrolment.csv", "tables/tables.xlsx", "run.json", "findings.csv"] {
        assert!(w.join("output/2025").join(f).is_file(), "{f} missing");
    }
    for lang in ["fi", "sv", "en"] {
        for chart in ["placement_by_member", "enrolment_trend"] {
            for ext in ["svg", "png"] {
                let p = w.join(&format!("output/2025/{lang}/charts/{chart}-{lang}.{ext}"));
                assert!(std::fs::metadata(&p).map(|m| m.len() > 1000).unwrap_or(false), "{} missing or empty", p.display());
            }
        }
    }
    let header = &w.csv("output/2025/tables/placement.csv")[0];
    assert_eq!(
        header,
        &["year", "member_id", "qualification_code", "orientation", "graduation_year", "status", "count", "share", "lag", "coverage", "graduates"]
    );
    let header = &w.csv("output/2025/tables/enrolment.csv")[0];
    assert_eq!(
        header,
        &[
            "year", "member_id", "qualification_code", "new_students", "students", "graduates", "source",
            "start_places", "applicants", "first_choice_applicants", "applicants_per_place",
        ]
    );

    // The run record names every input with its hash and counts rows per stage.
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(w.join("output/2025/run.json")).unwrap()).unwrap();
    assert_eq!(record["year"], 2025);
    assert_eq!(record["synthetic"], true);
    let ingest_inputs = record["stages"]["ingest"]["inputs"].as_array().unwrap();
    assert_eq!(ingest_inputs.iter().filter(|i| i["path"].as_str().unwrap().ends_with(".xlsx")).count(), 16);
    assert!(ingest_inputs.iter().any(|i| i["path"].as_str().unwrap().ends_with("pipelines/members.csv")), "the registry is an input");
    let oulu = ingest_inputs.iter().find(|i| i["path"].as_str().unwrap().ends_with("oulu.xlsx")).unwrap();
    assert_eq!(oulu["sha256"], kooste::files::sha256_file(&w.join("raw/surveys/2025/oulu.xlsx")).unwrap());
    assert_eq!(record["stages"]["ingest"]["rows"]["returns"], 16);
    for stage in ["fetch", "ingest", "transform", "disclose", "report"] {
        assert!(!record["stages"][stage]["outputs"].as_array().unwrap().is_empty(), "{stage} has no outputs");
    }
}

#[test]
fn published_tables_agree_and_hide_together() {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    let enrolment = w.csv("output/2025/tables/enrolment.csv");
    let figures = w.csv("output/2025/tables/key_figures.csv");
    let measures = ["new_students", "students", "graduates"];
    let mut checked = 0;
    for year in 2018..=2025 {
        for (k, measure) in measures.iter().enumerate() {
            let of = |member: &str| {
                enrolment
                    .iter()
                    .find(|r| r[0] == year.to_string() && r[1] == member && r[2] == "321501" && r[6] == "vipunen")
                    .map(|r| r[3 + k].clone())
                    .unwrap()
            };
            let fig = figures.iter().find(|r| r[0] == year.to_string() && r[1] == "dance" && r[2] == *measure).unwrap();
            // Dance is one qualification: the key figure is the enrolment figure, shown or hidden alike.
            assert_eq!(fig[4] == "..", of("all") == "..", "{year} {measure}: {fig:?} vs {}", of("all"));
            if fig[4] != ".." {
                assert_eq!(fig[4], of("all"));
                assert_eq!(fig[3], of("national"));
            }
            // The whole country is the members plus the other providers.
            let (all, others, national) = (of("all"), of("non_members"), of("national"));
            if let (Ok(a), Ok(o), Ok(t)) = (all.parse::<i64>(), others.parse::<i64>(), national.parse::<i64>()) {
                assert_eq!(a + o, t, "{year} {measure}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 24);
}

#[test]
fn association_totals_equal_the_sums_of_the_returns() {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    for gy in [2024, 2025] {
        let expected = independent_totals(&w.join("raw/surveys/2025"), f64::from(gy), &[]);
        assert_eq!(expected.len(), 8);
        assert!(expected.values().sum::<i64>() > 100, "the sample has a real number of graduates");
        assert_eq!(published_totals(&w, &gy.to_string()), expected, "graduation year {gy}");
    }
}

#[test]
fn a_return_with_a_wrong_sum_is_quarantined_with_its_cell_named() {
    let w = Workdir::with_sample();
    // Rewrite Oulu's return with one status count too many on its first placement row.
    let config = w.config();
    let mut rng = kooste::sample::Rng::new(2025);
    let mut returns = kooste::sample::returns(&config, &mut rng);
    let (_, spec) = returns.iter_mut().find(|(id, _)| id == "oulu").unwrap();
    spec.placement[0].statuses[3] += 1;
    let sum: u64 = spec.placement[0].statuses.iter().sum();
    let graduates = spec.placement[0].graduates;
    std::fs::write(w.join("raw/surveys/2025/oulu.xlsx"), kooste::survey::template::write(spec).unwrap()).unwrap();
    let raw_before = hashes(&w.join("raw"));

    let out = w.kooste_expect(&["run"], 3);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("15 returns accepted, 1 quarantined"), "{stderr}");
    assert!(stderr.contains("oulu.xlsx"), "{stderr}");

    let findings = w.csv("output/2025/findings.csv");
    let sum_rows: Vec<&Vec<String>> = findings.iter().filter(|r| r[4] == "sum_mismatch").collect();
    assert_eq!(sum_rows.len(), 1, "{findings:?}");
    let f = sum_rows[0];
    assert_eq!(f[0], "oulu.xlsx");
    assert_eq!(f[1], "Sijoittuminen");
    assert_eq!(f[2], "E2:L2 / D2", "the status cells and the graduates cell of row 2");
    assert_eq!(f[3], "oulu");
    assert_eq!(f[5], "error");
    assert_eq!((f[6].as_str(), f[7].as_str()), (sum.to_string().as_str(), graduates.to_string().as_str()));
    assert!(f[10].contains("add up to"), "{}", f[10]);

    // The totals are those of the other fifteen returns.
    for gy in [2024, 2025] {
        let expected = independent_totals(&w.join("raw/surveys/2025"), f64::from(gy), &["oulu.xlsx"]);
        assert_eq!(published_totals(&w, &gy.to_string()), expected);
    }
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(w.join("output/2025/run.json")).unwrap()).unwrap();
    assert_eq!(record["returns"]["quarantined"][0]["file"], "oulu.xlsx");
    assert!(
        !w.csv("output/2025/tables/placement.csv").iter().any(|r| r[1] == "oulu"),
        "no Oulu rows are published"
    );
    assert_eq!(hashes(&w.join("raw")), raw_before, "raw/ is never changed");
}

#[test]
fn a_stage_reruns_alone_from_the_persisted_parquet() {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    let tables_before = hashes(&w.join("output/2025/tables"));
    // Without the inputs, only the persisted stage outputs can produce the report.
    std::fs::remove_dir_all(w.join("raw")).unwrap();
    std::fs::remove_dir_all(w.join("output/2025/tables")).unwrap();
    // The stages before report are now out of date (their inputs are gone): said, and refused…
    let out = w.kooste_expect(&["run", "--stage", "report"], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fetch is out of date") && stderr.contains("--force"), "{stderr}");
    // … unless forced to go on with the outputs as they are.
    let out = w.kooste_expect(&["run", "--stage", "report", "--force"], 0);
    assert!(String::from_utf8_lossy(&out.stderr).contains("ran report → output/2025"));
    assert_eq!(hashes(&w.join("output/2025/tables")), tables_before);
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(w.join("output/2025/run.json")).unwrap()).unwrap();
    let inputs: Vec<&str> =
        record["stages"]["report"]["inputs"].as_array().unwrap().iter().map(|i| i["path"].as_str().unwrap()).collect();
    assert!(inputs.iter().any(|p| p.ends_with("stages/disclose/placement.parquet")), "{inputs:?}");
    // The other stages' entries are kept from the full run.
    assert_eq!(record["stages"]["ingest"]["rows"]["returns"], 16);

    // An earlier stage whose input is gone fails with a message naming it.
    // (A folder that is not there is a settings mistake, said before anything runs: exit 2.)
    let out = w.kooste_expect(&["run", "--stage", "ingest", "--force"], 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("raw folder raw does not exist"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_stage_without_its_upstream_output_says_which_stage_to_run() {
    let w = Workdir::with_sample();
    let out = w.kooste_expect(&["run", "--stage", "transform"], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fetch is out of date (no record of a completed run)"), "{stderr}");
    let out = w.kooste_expect(&["run", "--stage", "transform", "--force"], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("stages/ingest/placement.parquet is missing"), "{stderr}");
    // The failed run left its record, with the exit code and the cause.
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(w.join("output/2025/run.json")).unwrap()).unwrap();
    assert_eq!(record["exit_code"], 1);
    assert_eq!(record["actions"]["transform"]["action"], "failed");
    assert!(record["error"].as_str().unwrap().contains("placement.parquet is missing"), "{record}");
    assert!(stderr.contains("kooste run --stage ingest"), "{stderr}");
}

#[test]
fn the_bundled_sample_is_what_the_generator_writes() {
    let w = Workdir::empty();
    w.kooste_expect(&["sample"], 0);
    assert_eq!(hashes(&w.join("raw")), hashes(&repo().join("raw")), "run `kooste sample` and commit raw/");
}

#[test]
fn every_chart_says_the_sample_is_synthetic_and_real_data_does_not() {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    let svg = std::fs::read_to_string(w.join("output/2025/fi/charts/placement_by_member-fi.svg")).unwrap();
    assert!(svg.contains("synteettinen"), "the Finnish chart says the data is synthetic");
    std::fs::remove_file(w.join("raw/SYNTHETIC.md")).unwrap();
    // As real data, the sample's snapshots are past their warning age: exit 4 (stale).
    w.kooste_expect(&["run"], 4);
    let svg = std::fs::read_to_string(w.join("output/2025/fi/charts/placement_by_member-fi.svg")).unwrap();
    assert!(!svg.contains("synteettinen"));
}

#[test]
fn rounding_to_three_publishes_multiples_of_three_and_shares_of_them() {
    let w = Workdir::with_sample();
    let toml = w.join("pipelines/annual.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace("round_to = 1\n", "round_to = 3\n");
    std::fs::write(&toml, text).unwrap();
    w.kooste_expect(&["run"], 0);
    let rows = w.csv("output/2025/tables/placement_by_member.csv");
    let mut rounded = 0;
    for r in &rows[1..] {
        let (graduates, count, share) = (&r[4], &r[5], &r[6]);
        let g: i64 = graduates.parse().unwrap();
        assert!(g < 5 || g % 3 == 0, "graduates {g} in {r:?}");
        if let Ok(c) = count.parse::<i64>() {
            assert!(c == 0 || c % 3 == 0, "count {c} in {r:?}");
            let s: f64 = share.parse().unwrap();
            assert!((s - c as f64 / g as f64).abs() < 1e-4, "share {s} of {c}/{g}");
            rounded += 1;
        }
    }
    assert!(rounded > 40, "{rounded} published counts");
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(w.join("output/2025/run.json")).unwrap()).unwrap();
    assert_eq!(record["stages"]["disclose"]["details"]["suppressed"]["round_to"], 3, "{}", record["stages"]["disclose"]);
}
