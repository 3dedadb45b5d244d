//! The survey round: `kooste collection`, reminders, templates for the round, corrected
//! returns, and what the publications say about whom they cover.

use std::path::Path;

use calamine::{Reader, open_workbook_auto};
use sha2::Digest;

use crate::util::Workdir;

/// The survey charts' files, without the language.
const SURVEY_CHARTS: [&str; 5] = ["placement_by_member", "placement_by_orientation", "placement_benchmark", "applicants_per_place", "survey_coverage"];

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn run_record(w: &Workdir) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(w.join("output/2025/run.json")).unwrap()).unwrap()
}

/// The texts drawn in an SVG (not its `<title>` or `<desc>`).
fn svg_texts(path: &Path) -> Vec<String> {
    let svg = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    svg.split("<text").skip(1).filter_map(|t| Some(t.split_once('>')?.1.split("</text>").next()?.trim().to_owned())).collect()
}

/// The states `collection --json` gives, by member.
fn states(round: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    round["members"].as_array().unwrap().iter().map(|m| (m["member"].as_str().unwrap().to_owned(), m["state"].as_str().unwrap().to_owned())).collect()
}

/// The HTML report's coverage section.
fn coverage_section(w: &Workdir, lang: &str) -> String {
    let html = std::fs::read_to_string(w.join(&format!("output/2025/{lang}/report.html"))).unwrap();
    let start = html.find("id=\"coverage\"").expect("the report has a coverage section");
    let rest = &html[start..];
    rest[..rest[1..].find("<h2").map(|i| i + 1).unwrap_or(rest.len())].to_owned()
}

/// Rewrites one member's sample return with one status count too many on its first row.
fn break_sum(w: &Workdir, member: &str, file: &str) {
    let config = w.config();
    let mut rng = kooste::sample::Rng::new(2025);
    let mut returns = kooste::sample::returns(&config, &mut rng);
    let (_, spec) = returns.iter_mut().find(|(id, _)| id == member).unwrap();
    spec.placement[0].statuses[3] += 1;
    std::fs::write(w.join(&format!("raw/surveys/2025/{file}")), kooste::survey::template::write(spec).unwrap()).unwrap();
}

#[test]
fn two_returns_missing_and_one_corrupted_are_named_everywhere_and_the_figures_say_13_of_16() {
    let w = Workdir::with_sample();
    let dir = w.join("raw/surveys/2025");
    std::fs::remove_file(dir.join("oulu.xlsx")).unwrap();
    std::fs::remove_file(dir.join("lahti.xlsx")).unwrap();
    // Kuopio's workbook cut in half: not a spreadsheet any more.
    let bytes = std::fs::read(dir.join("kuopio.xlsx")).unwrap();
    std::fs::write(dir.join("kuopio.xlsx"), &bytes[..bytes.len() / 2]).unwrap();
    let corrupted_sha = format!("{:x}", sha2::Sha256::digest(&bytes[..bytes.len() / 2]));

    let text = w.kooste_expect(&["collection"], 3);
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(text.contains("13 of 16 accepted, 1 quarantined, 2 missing"), "{text}");
    let line = |id: &str| text.lines().find(|l| l.split_whitespace().next() == Some(id)).unwrap_or_else(|| panic!("no line for {id}: {text}")).to_owned();
    assert!(line("kuopio").contains("quarantined") && line("kuopio").contains("kuopio.xlsx"), "{text}");
    assert!(line("oulu").contains("missing") && line("lahti").contains("missing"), "{text}");
    assert!(text.contains("unreadable_file"), "the first error: {text}");

    let round = json(&w.kooste_expect(&["collection", "--json"], 3));
    let states = states(&round);
    assert_eq!(states.len(), 16, "one line per member of the registry");
    let not_in: Vec<(&str, &str)> = states.iter().filter(|(_, s)| !s.starts_with("accepted")).map(|(m, s)| (m.as_str(), s.as_str())).collect();
    assert_eq!(not_in, [("kuopio", "quarantined"), ("lahti", "missing"), ("oulu", "missing")]);
    let kuopio = round["members"].as_array().unwrap().iter().find(|m| m["member"] == "kuopio").unwrap();
    assert_eq!(kuopio["first_error"]["rule"], "unreadable_file");
    assert_eq!(kuopio["files"][0]["file"], "kuopio.xlsx");
    assert_eq!(kuopio["files"][0]["sha256"], corrupted_sha.as_str());
    let mtime: chrono::DateTime<chrono::Utc> = std::fs::metadata(dir.join("kuopio.xlsx")).unwrap().modified().unwrap().into();
    assert_eq!(kuopio["files"][0]["received"], mtime.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).as_str());
    assert_eq!(round["summary"], "13 of 16 accepted, 1 quarantined, 2 missing");

    // Reminders: exactly the three, each in Finnish (their registry language).
    w.kooste_expect(&["collection", "--reminders", "reminders"], 3);
    let mut written: Vec<String> = std::fs::read_dir(w.join("reminders")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    written.sort();
    assert_eq!(written, ["kuopio.md", "lahti.md", "oulu.md"]);
    let oulu = std::fs::read_to_string(w.join("reminders/oulu.md")).unwrap();
    assert!(oulu.starts_with("Aihe: Jäsenkysely 2025: vastaus puuttuu (Oulun konservatorio)"), "{oulu}");
    assert!(oulu.contains("oulu-2025.xlsx"), "names the template to attach: {oulu}");

    // The run: Kuopio quarantined (exit 3), the record lists whom the figures cover.
    w.kooste_expect(&["run"], 3);
    let coverage = &run_record(&w)["returns"]["coverage"];
    assert_eq!((coverage["members"].as_u64(), coverage["responded"].as_u64()), (Some(16), Some(13)), "{coverage}");
    assert_eq!(coverage["missing"], serde_json::json!(["lahti", "oulu"]));
    assert_eq!(coverage["quarantined"], serde_json::json!(["kuopio"]));
    assert_eq!(coverage["included"].as_array().unwrap().len(), 13);

    for (lang, label, missing) in [
        ("fi", "Jäsenet, 13/16 vastannut", "Vastaus puuttuu: Lahden konservatorio, Oulun konservatorio."),
        ("sv", "Medlemmar, 13 av 16 svarade", "Svar saknas: Lahden konservatorio, Oulun konservatorio."),
        ("en", "Members, 13 of 16 responded", "No return: Lahden konservatorio, Oulun konservatorio."),
    ] {
        for chart in SURVEY_CHARTS {
            let texts = svg_texts(&w.join(&format!("output/2025/{lang}/charts/{chart}-{lang}.svg")));
            assert!(
                // A subtitle may wrap: its lines are read back as one text.
                texts.join(" ").contains(&format!(". {label}")) || texts.iter().any(|t| t.starts_with(&format!("{label}:"))),
                "{lang} {chart}: the subtitle says {label}: {texts:?}"
            );
            assert!(!texts.iter().any(|t| t.contains(["Kaikki jäsenet", "Alla medlemmar", "All members"][["fi", "sv", "en"].iter().position(|l| *l == lang).unwrap()])), "{lang} {chart}");
        }
        // The survey's tables name the association as whom it covers.
        for table in ["placement", "placement_by_member"] {
            let csv = std::fs::read_to_string(w.join(&format!("output/2025/{lang}/{table}.csv"))).unwrap();
            assert!(csv.contains(label), "{lang} {table}");
        }
        let section = coverage_section(&w, lang);
        assert!(section.contains("13/16") && section.contains(label), "{lang}: {section}");
        assert!(section.contains(missing), "{lang}: {section}");
        assert!(section.contains("Kuopion konservatorio"), "{lang}: the quarantined member: {section}");
        // The tables workbook's notes sheet says the same.
        let mut book = open_workbook_auto(w.join(&format!("output/2025/{lang}/tables.xlsx"))).unwrap();
        let notes = book.sheet_names().last().cloned().unwrap();
        assert_eq!(notes, ["Huomautukset", "Anmärkningar", "Notes"][["fi", "sv", "en"].iter().position(|l| *l == lang).unwrap()]);
        let cells: Vec<String> = book.worksheet_range(&notes).unwrap().rows().flat_map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect();
        assert!(cells.iter().any(|c| c.contains("13/16")) && cells.iter().any(|c| c == missing), "{lang}: {cells:?}");
    }
    // A member's own report says whom the association's survey figures cover, too: Helsinki
    // (fi) and Yrkesakademin (sv), both in.
    for (member, label) in [("helsinki", "Jäsenet, 13/16 vastannut"), ("yrkesakademin", "Medlemmar, 13 av 16 svarade")] {
        let page = std::fs::read_to_string(w.join(&format!("output/2025/members/{member}/report.html"))).unwrap();
        assert!(page.contains(label), "{member}: the association's survey rows say whom they cover");
    }
}

#[test]
fn the_full_sample_says_all_members_and_16_of_16() {
    let w = Workdir::with_sample();
    let round = json(&w.kooste_expect(&["collection", "--json"], 0));
    assert!(states(&round).values().all(|s| s.starts_with("accepted")), "{round}");
    assert!(round["summary"].as_str().unwrap().starts_with("16 of 16 accepted"), "{round}");
    w.kooste_expect(&["run"], 0);
    let coverage = &run_record(&w)["returns"]["coverage"];
    assert_eq!((coverage["members"].as_u64(), coverage["responded"].as_u64()), (Some(16), Some(16)), "{coverage}");
    assert_eq!(coverage["missing"], serde_json::json!([]));
    for (lang, all) in [("fi", "Kaikki jäsenet"), ("sv", "Alla medlemmar"), ("en", "All members")] {
        let texts = svg_texts(&w.join(&format!("output/2025/{lang}/charts/placement_by_orientation-{lang}.svg")));
        assert!(texts.iter().any(|t| t.starts_with(&format!("{all}:"))), "{lang}: {texts:?}");
        for chart in SURVEY_CHARTS {
            let texts = svg_texts(&w.join(&format!("output/2025/{lang}/charts/{chart}-{lang}.svg")));
            assert!(!texts.iter().any(|t| t.contains("16/16") || t.contains("16 av 16") || t.contains("16 of 16")), "{lang} {chart}: {texts:?}");
        }
        let section = coverage_section(&w, lang);
        assert!(section.contains(&format!("{all}:")) && section.contains("16/16"), "{lang}: {section}");
    }
}

#[test]
fn a_reminder_to_a_quarantined_swedish_speaking_member_is_in_swedish_and_names_the_cell() {
    let w = Workdir::with_sample();
    break_sum(&w, "yrkesakademin", "yrkesakademin.xlsx");
    let toml = w.join("pipelines/annual.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{text}\n[collection]\ndeadline = 2026-02-15\n")).unwrap();

    let out = w.kooste_expect(&["collection", "--reminders", "reminders"], 3);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let today = chrono::Local::now().date_naive();
    let days = (chrono::NaiveDate::from_ymd_opt(2026, 2, 15).unwrap() - today).num_days();
    let expected = match days {
        0 => "Deadline 2026-02-15: today".to_owned(),
        1 => "Deadline 2026-02-15: 1 day left".to_owned(),
        -1 => "Deadline 2026-02-15: 1 day overdue".to_owned(),
        d if d > 0 => format!("Deadline 2026-02-15: {d} days left"),
        d => format!("Deadline 2026-02-15: {} days overdue", -d),
    };
    assert!(stdout.contains(&expected), "{stdout}");
    assert!(stdout.contains("15 of 16 accepted, 1 quarantined"), "{stdout}");
    let written: Vec<_> = std::fs::read_dir(w.join("reminders")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(written, ["yrkesakademin.md"], "one reminder: the others are accepted");

    let round = json(&w.kooste_expect(&["collection", "--json"], 3));
    let m = round["members"].as_array().unwrap().iter().find(|m| m["member"] == "yrkesakademin").unwrap();
    assert_eq!(m["state"], "quarantined");
    let e = &m["first_error"];
    assert_eq!(e["rule"], "sum_mismatch");
    let place = format!("{}!{}", e["sheet"].as_str().unwrap(), e["cell"].as_str().unwrap());
    assert_eq!(place, "Placering!E2:L2 / D2", "the Swedish sheet, the status cells and the graduates cell of row 2");

    let reminder = std::fs::read_to_string(w.join("reminders/yrkesakademin.md")).unwrap();
    assert!(reminder.starts_with("Ämne: Medlemsenkäten 2025: svaret behöver rättas (Yrkesakademin i Österbotten)"), "{reminder}");
    assert!(reminder.contains(&format!("- {place}: {}", e["message_sv"].as_str().unwrap())), "the cell and the Swedish message: {reminder}");
    assert!(reminder.contains("senast 15.2.2026"), "the deadline: {reminder}");
    assert!(reminder.contains("återkopplingsarbetsboken yrkesakademin.xlsx"), "the feedback workbook: {reminder}");
    assert!(reminder.contains("Med vänliga hälsningar"), "{reminder}");
    for finnish in ["Hei", "Aihe", "viimeistään", "Ystävällisin"] {
        assert!(!reminder.contains(finnish), "no Finnish ({finnish}): {reminder}");
    }
    assert!(!reminder.contains("Yhteyshenkilö"), "the contact person stays in raw/: {reminder}");
}

#[test]
fn a_replaces_entry_makes_the_corrected_return_count_and_lists_the_old_one() {
    let w = Workdir::with_sample();
    let dir = w.join("raw/surveys/2025");
    // The corrected return beside the first one, which has a wrong sum.
    std::fs::copy(dir.join("oulu.xlsx"), dir.join("oulu-korjattu.xlsx")).unwrap();
    break_sum(&w, "oulu", "oulu.xlsx");

    // Without a choice: two returns of one member, both left out.
    let round = json(&w.kooste_expect(&["collection", "--json"], 3));
    let oulu = round["members"].as_array().unwrap().iter().find(|m| m["member"] == "oulu").unwrap().clone();
    assert_eq!(oulu["state"], "duplicate");
    let files: Vec<&str> = oulu["files"].as_array().unwrap().iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["oulu-korjattu.xlsx", "oulu.xlsx"]);
    w.kooste_expect(&["run"], 3);
    assert_eq!(run_record(&w)["returns"]["coverage"]["quarantined"], serde_json::json!(["oulu"]));

    let toml = w.join("pipelines/annual.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{text}\n[collection]\nreplaces = {{ \"oulu-korjattu.xlsx\" = \"oulu.xlsx\" }}\n")).unwrap();
    let round = json(&w.kooste_expect(&["collection", "--json"], 0));
    let oulu = round["members"].as_array().unwrap().iter().find(|m| m["member"] == "oulu").unwrap().clone();
    assert!(oulu["state"].as_str().unwrap().starts_with("accepted"), "{oulu}");
    assert_eq!(oulu["files"].as_array().unwrap().len(), 1);
    assert_eq!(oulu["files"][0]["file"], "oulu-korjattu.xlsx");
    assert_eq!(round["replaced"][0]["file"], "oulu.xlsx");
    assert_eq!(round["replaced"][0]["by"], "oulu-korjattu.xlsx");
    let text = String::from_utf8_lossy(&w.kooste_expect(&["collection"], 0).stdout).into_owned();
    assert!(text.contains("replaced (not read): oulu.xlsx by oulu-korjattu.xlsx"), "{text}");

    // The run reads the corrected return only: no finding of the old file, Oulu published.
    let out = w.kooste_expect(&["run"], 0);
    assert!(String::from_utf8_lossy(&out.stderr).contains("16 returns accepted, 0 quarantined"), "{}", String::from_utf8_lossy(&out.stderr));
    let record = run_record(&w);
    assert_eq!(record["returns"]["coverage"]["replaced"][0]["file"], "oulu.xlsx");
    assert_eq!(record["returns"]["coverage"]["responded"], 16);
    assert!(!w.csv("output/2025/findings.csv").iter().any(|r| r[0] == "oulu.xlsx"), "the replaced file is not read");
    let by_member = w.csv("output/2025/tables/placement_by_member.csv");
    assert!(by_member.iter().any(|r| r[1] == "oulu"), "Oulu's corrected return is published");
    assert!(std::fs::read_to_string(w.join("output/2025/fi/report.html")).unwrap().contains("oulu.xlsx (uudempi: oulu-korjattu.xlsx)"));
}

#[test]
fn templates_for_the_whole_round_are_each_members_in_its_language() {
    let w = Workdir::with_sample();
    w.kooste_expect(&["template", "--all", "-o", "templates"], 0);
    let mut written: Vec<String> = std::fs::read_dir(w.join("templates")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    written.sort();
    assert_eq!(written.len(), 16, "{written:?}");
    assert!(written.contains(&"oulu-2025.xlsx".to_owned()) && written.contains(&"yrkesakademin-2025.xlsx".to_owned()), "{written:?}");
    let sheets = |f: &str| open_workbook_auto(w.join(&format!("templates/{f}"))).unwrap().sheet_names();
    assert!(sheets("yrkesakademin-2025.xlsx").contains(&"Uppgifter".to_owned()), "{:?}", sheets("yrkesakademin-2025.xlsx"));
    assert!(sheets("oulu-2025.xlsx").contains(&"Tiedot".to_owned()), "{:?}", sheets("oulu-2025.xlsx"));
    // A template returned as it is belongs to its member by its Y-tunnus.
    std::fs::copy(w.join("templates/oulu-2025.xlsx"), w.join("raw/surveys/2025/oulu-2025.xlsx")).unwrap();
    let round = json(&w.kooste(&["collection", "--json"]));
    let oulu = round["members"].as_array().unwrap().iter().find(|m| m["member"] == "oulu").unwrap();
    assert_eq!(oulu["state"], "duplicate", "{oulu}");
}
