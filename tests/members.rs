//! Each member's own report (`output/<year>/members/<member>/`): in the member's language,
//! confidential on every page and sheet, its own figures equal to its return, nothing about
//! another member beyond the public tables, charts equal to their tables, and re-rendered only
//! when what it shows changed.

use std::collections::BTreeMap;

use calamine::{Data, DataType as _, Reader, open_workbook_auto};

use crate::util::{Workdir, hashes};

fn run_sample() -> Workdir {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    w
}

const MEMBERS: [&str; 16] = [
    "live", "gradia", "helsinki", "joensuu", "kao", "keskipohjanmaa", "kuopio", "kymi", "lahti", "oulu", "palmgren", "popjazz", "lappia",
    "tampere", "turku", "yrkesakademin",
];

fn page(w: &Workdir, member: &str) -> String {
    std::fs::read_to_string(w.join(&format!("output/2025/members/{member}/report.html"))).unwrap()
}

/// The text of every `<td>` of a page, tags stripped (the screen-reader text of a symbol too).
fn td_cells(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<td>") {
        let after = &rest[i + 4..];
        let end = after.find("</td>").unwrap();
        let mut text = String::new();
        let mut in_tag = false;
        let inner = &after[..end];
        // A symbol is written twice (shown and spoken): the shown one is enough.
        let inner = inner.split("<span class=\"vh\">").next().unwrap();
        for c in inner.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        out.push(text.replace("&amp;", "&"));
        rest = &after[end..];
    }
    out
}

/// A cell as a number (`1 234`, `45,5 %`, `–3`, `1.25`): its value, and whether it was a
/// percentage.
fn number(text: &str) -> Option<(f64, bool)> {
    let t = text.trim();
    let pct = t.ends_with('%');
    let t: String = t.trim_end_matches('%').chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
    let t = t.replace('–', "-").replace(',', ".");
    t.parse::<f64>().ok().map(|v| (if pct { v / 100.0 } else { v }, pct))
}

/// Every number of a CSV's cells (a share also as it is).
fn csv_numbers(w: &Workdir, file: &str) -> Vec<f64> {
    w.csv(file).into_iter().skip(1).flatten().filter_map(|c| c.parse::<f64>().ok()).collect()
}

fn frame_rows(w: &Workdir, table: &str) -> Vec<BTreeMap<String, String>> {
    let df = kooste::files::read_parquet(&w.join(&format!("output/2025/stages/transform/{table}.parquet"))).unwrap();
    (0..df.height())
        .map(|i| {
            df.columns()
                .iter()
                .map(|c| (c.name().to_string(), c.get(i).map(|v| if v.is_null() { String::new() } else { v.str_value().to_string() }).unwrap_or_default()))
                .collect()
        })
        .collect()
}

/// The figures a member's report may show: every number of the public tables, and the
/// member's own (its rows of the unsuppressed tables, its class counts and shares, its
/// differences from Vipunen), computed here from the tables, not by the report.
fn allowed(w: &Workdir, member: &str) -> Vec<f64> {
    let mut v = Vec::new();
    for t in ["placement", "placement_by_member", "enrolment", "key_figures", "placement_benchmark", "applicants"] {
        v.extend(csv_numbers(w, &format!("output/2025/tables/{t}.csv")));
    }
    let own = |table: &str| frame_rows(w, table).into_iter().filter(|r| r["member_id"] == member).collect::<Vec<_>>();
    for table in ["placement", "enrolment", "reconciliation", "applicants"] {
        for r in own(table) {
            v.extend(r.values().filter_map(|c| c.parse::<f64>().ok()));
            if table == "applicants" {
                for c in ["start_places", "applicants", "first_choice_applicants"] {
                    if let (Ok(s), Ok(p)) = (r[&format!("survey_{c}")].parse::<f64>(), r[&format!("vipunen_{c}")].parse::<f64>()) {
                        v.push(s - p);
                    }
                }
            }
        }
    }
    // The classes of graduates of 2024: Statistics Finland's crosswalk, shares of the known.
    let classes: [&[&str]; 4] = [&["employed_in_field", "employed_outside_field"], &["university", "uas", "other_studies"], &["unemployed"], &["other"]];
    let totals: Vec<_> = own("placement").into_iter().filter(|r| r["qualification_code"] == "all" && r["orientation"] == "all" && r["graduation_year"] == "2024").collect();
    let count = |s: &[&str]| -> f64 { totals.iter().filter(|r| s.contains(&r["status"].as_str())).map(|r| r["count"].parse::<f64>().unwrap()).sum() };
    let known: f64 = classes.iter().map(|c| count(c)).sum();
    for c in classes {
        v.push(count(c));
        if known > 0.0 {
            v.push(count(c) / known);
        }
    }
    v
}

fn is_allowed(allowed: &[f64], x: f64, pct: bool) -> bool {
    // A year is a label, not a figure.
    if !pct && x.fract() == 0.0 && (2000.0..=2100.0).contains(&x) {
        return true;
    }
    let tol = if pct { 0.0005 + 1e-9 } else { 0.005 };
    allowed.iter().any(|a| (a - x).abs() <= tol)
}

#[test]
fn every_member_gets_a_confidential_report_in_its_language() {
    let w = run_sample();
    for m in MEMBERS {
        let dir = format!("output/2025/members/{m}");
        for f in ["report.html", "tables.xlsx"] {
            assert!(w.join(&format!("{dir}/{f}")).is_file(), "{dir}/{f}");
        }
        let lang = if m == "yrkesakademin" { "sv" } else { "fi" };
        for chart in ["placement", "enrolment", "intake"] {
            for ext in [".svg", ".png", "-web.png"] {
                assert!(w.join(&format!("{dir}/charts/{chart}-{lang}{ext}")).is_file(), "{dir}/charts/{chart}-{lang}{ext}");
            }
        }
        let html = page(&w, m);
        assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{m}");
        let confidential = if lang == "sv" { "KONFIDENTIELLT" } else { "LUOTTAMUKSELLINEN" };
        assert_eq!(html.matches(confidential).count(), 2, "{m}: at the top and at the foot");
        // No network: nothing loaded from elsewhere.
        assert!(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("url(http"), "{m}");
        // Every sheet of the workbook says so too.
        let mut book = open_workbook_auto(w.join(&format!("{dir}/tables.xlsx"))).unwrap();
        for name in book.sheet_names() {
            let range = book.worksheet_range(&name).unwrap();
            assert!(range.rows().take(3).flatten().any(|c| c.to_string().starts_with(confidential)), "{m} sheet {name}");
        }
    }
    // Yrkesakademin i Österbotten reads Swedish; Oulu Finnish.
    let sv = page(&w, "yrkesakademin");
    for s in ["Yrkesakademin i Österbotten: medlemsrapport 2025", "Var våra utexaminerade finns", "Svaret jämfört med Vipunen", "Godkänt (yrkesakademin.xlsx)", "Teckenförklaring", "Källor"] {
        assert!(sv.contains(s), "Swedish page lacks {s:?}");
    }
    for s in ["Mihin valmistuneemme", "Havainnot", "Lähteet", "hyväksytty"] {
        assert!(!sv.contains(s), "Swedish page has the Finnish {s:?}");
    }
    let fi = page(&w, "oulu");
    assert!(fi.contains("Oulun konservatorio: jäsenraportti 2025") && fi.contains("Mihin valmistuneemme sijoittuivat"));
    let mut book = open_workbook_auto(w.join("output/2025/members/yrkesakademin/tables.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["Om rapporten", "Placering", "Placering i detalj", "Studerande", "Sökande", "Jämförelse med Vipunen"]);
    let _ = book.worksheet_range("Placering").unwrap();
    // The public outputs hold no member report.
    for lang in ["fi", "sv", "en"] {
        assert!(!w.join(&format!("output/2025/{lang}/members")).exists());
    }
}

#[test]
fn the_own_figures_are_the_members_return() {
    let w = run_sample();
    // Oulu's return as the sample writes it: its rows, summed here by graduation year.
    let config = w.config();
    let mut rng = kooste::sample::Rng::new(2025);
    let returns = kooste::sample::returns(&config, &mut rng);
    let (_, spec) = returns.iter().find(|(id, _)| id == "oulu").unwrap();
    let mut by_year: BTreeMap<i32, (u64, [u64; 8])> = BTreeMap::new();
    for r in &spec.placement {
        let e = by_year.entry(r.graduation_year).or_default();
        e.0 += r.graduates;
        for (k, c) in r.statuses.iter().enumerate() {
            e.1[k] += c;
        }
    }
    assert!(by_year.len() >= 2);
    // The workbook's detail sheet: the member's rows for all qualifications and orientations.
    let mut book = open_workbook_auto(w.join("output/2025/members/oulu/tables.xlsx")).unwrap();
    let range = book.worksheet_range("Sijoittuminen tarkasti").unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let header = rows.iter().position(|r| r.first().is_some_and(|c| c.to_string() == "Tutkinto")).unwrap();
    let mut seen = 0;
    for r in &rows[header + 1..] {
        if r[0].to_string() != "Kaikki tutkinnot" || r[1].to_string() != "Kaikki" || r[3].to_string() != "Oulun konservatorio" {
            continue;
        }
        let year = r[2].as_f64().unwrap() as i32;
        let (graduates, statuses) = by_year[&year];
        assert_eq!(r[4].as_f64(), Some(graduates as f64), "{year} graduates");
        let got: Vec<u64> = r[5..13].iter().map(|c| c.as_f64().unwrap() as u64).collect();
        assert_eq!(got, statuses, "{year}: the eight statuses, exact");
        seen += 1;
    }
    assert_eq!(seen, by_year.len(), "a row per graduation year");
    // Hand-computed classes of 2024 on the page: employed = in + outside the field, students =
    // university + uas + other studies, shares of those with a known status.
    let (_, s) = by_year[&2024];
    let known = (s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6]) as f64;
    let xlsx_classes = book.worksheet_range("Sijoittuminen").unwrap();
    let class_rows: Vec<Vec<Data>> = xlsx_classes.rows().map(|r| r.to_vec()).collect();
    let find = |label: &str| class_rows.iter().find(|r| r[0].to_string() == label).unwrap().clone();
    let employed = find("Työlliset");
    assert_eq!(employed[1].as_f64(), Some((s[3] + s[4]) as f64));
    assert!((employed[2].as_f64().unwrap() - (s[3] + s[4]) as f64 / known).abs() < 1e-12);
    let students = find("Opiskelijat");
    assert_eq!(students[1].as_f64(), Some((s[0] + s[1] + s[2]) as f64));
}

#[test]
fn a_member_report_shows_no_more_of_another_member_than_the_public_tables() {
    let w = run_sample();
    for m in MEMBERS {
        let allowed = allowed(&w, m);
        let mut checked = 0;
        for cell in td_cells(&page(&w, m)) {
            if let Some((x, pct)) = number(&cell) {
                assert!(is_allowed(&allowed, x, pct), "{m}: {cell:?} on the page is neither its own figure nor a public one");
                checked += 1;
            }
        }
        let mut book = open_workbook_auto(w.join(&format!("output/2025/members/{m}/tables.xlsx"))).unwrap();
        for name in book.sheet_names() {
            for c in book.worksheet_range(&name).unwrap().used_cells() {
                if let &Data::Float(x) = c.2 {
                    assert!(allowed.iter().any(|a| (a - x).abs() < 1e-9) || (x.fract() == 0.0 && (2000.0..=2100.0).contains(&x)), "{m} {name}: {x} in the workbook");
                    checked += 1;
                }
            }
        }
        assert!(checked > 200, "{m}: {checked} numbers checked");
    }
    // The check can fail: another member's exact placement count is not allowed in Oulu's.
    let oulu = allowed(&w, "oulu");
    let placement = frame_rows(&w, "placement");
    let public = csv_numbers(&w, "output/2025/tables/placement.csv");
    let foreign = placement
        .iter()
        .filter(|r| r["member_id"] == "helsinki")
        .filter_map(|r| r["count"].parse::<f64>().ok())
        .find(|x| !oulu.iter().chain(&public).any(|a| (a - x).abs() < 0.005) && !(2000.0..=2100.0).contains(x));
    if let Some(x) = foreign {
        assert!(!is_allowed(&oulu, x, false));
    }
}

/// The texts of an SVG's `<text>` elements.
fn svg_texts(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text") {
        let after = &rest[i..];
        let open = after.find('>').unwrap();
        let close = after.find("</text>").unwrap();
        out.push(after[open + 1..close].trim().to_owned());
        rest = &after[close..];
    }
    out
}

#[test]
fn the_member_charts_print_the_figures_of_their_tables() {
    let w = run_sample();
    for (m, lang) in [("oulu", "fi"), ("yrkesakademin", "sv")] {
        let mut book = open_workbook_auto(w.join(&format!("output/2025/members/{m}/tables.xlsx"))).unwrap();
        let names = book.sheet_names();
        let rows = |book: &mut calamine::Sheets<_>, sheet: &str| -> Vec<Vec<Data>> {
            let r = book.worksheet_range(sheet).unwrap();
            r.rows().skip(5).map(|r| r.to_vec()).collect()
        };
        let pct = |x: f64| (x * 100.0).round() as i64;
        // Placement classes: the four share columns, whole percents at the bars.
        let classes = rows(&mut book, &names[1]);
        let mut expected: Vec<i64> = classes.iter().flat_map(|r| r[2..6].iter().filter_map(|c| c.as_f64()).map(pct)).collect();
        let svg = std::fs::read_to_string(w.join(&format!("output/2025/members/{m}/charts/placement-{lang}.svg"))).unwrap();
        let mut printed: Vec<i64> = svg_texts(&svg).iter().filter(|t| t.ends_with('%')).map(|t| t.chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap()).collect();
        expected.sort_unstable();
        printed.sort_unstable();
        assert_eq!(printed, expected, "{m} placement chart");
        assert_eq!(expected.len(), 16, "{m}: four classes × four series");
        // Enrolment: the member's own three counts of each year.
        let enrolment = rows(&mut book, &names[3]);
        let mut expected: Vec<String> = enrolment.iter().flat_map(|r| r[1..4].iter().map(|c| (c.as_f64().unwrap() as i64).to_string())).collect();
        let svg = std::fs::read_to_string(w.join(&format!("output/2025/members/{m}/charts/enrolment-{lang}.svg"))).unwrap();
        let mut printed: Vec<String> = svg_texts(&svg).into_iter().filter(|t| t.chars().all(|c| c.is_ascii_digit() || c == '\u{a0}') && !t.is_empty()).map(|t| t.replace('\u{a0}', "")).collect();
        let years: Vec<String> = enrolment.iter().map(|r| (r[0].as_f64().unwrap() as i64).to_string()).collect();
        printed.retain(|t| !years.contains(t));
        expected.sort();
        printed.sort();
        assert_eq!(printed, expected, "{m} enrolment chart");
        // Intake: applicants per place, own and the association's.
        let intake = rows(&mut book, &names[4]);
        let mark = if lang == "en" { "." } else { "," };
        let mut expected: Vec<String> = intake.iter().filter_map(|r| r[5].as_f64()).map(|x| format!("{x:.2}").replace('.', mark)).collect();
        let svg = std::fs::read_to_string(w.join(&format!("output/2025/members/{m}/charts/intake-{lang}.svg"))).unwrap();
        let mut printed: Vec<String> = svg_texts(&svg).into_iter().filter(|t| t.contains(mark) && t.chars().all(|c| c.is_ascii_digit() || c.to_string() == mark)).collect();
        expected.sort();
        printed.sort();
        assert_eq!(printed, expected, "{m} intake chart");
    }
}

#[test]
fn without_the_benchmark_source_the_placement_chart_shows_the_own_shares_alone() {
    let w = Workdir::with_sample();
    // The pipeline without Statistics Finland's sijk/111l: no benchmark table is published.
    let path = w.join("pipelines/annual.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    let start = toml.find("[sources.placement_benchmark]").unwrap();
    let end = start + toml[start..].find("[sources.vocational_students]").unwrap();
    std::fs::write(&path, format!("{}{}", &toml[..start], &toml[end..])).unwrap();
    w.kooste_expect(&["run"], 0);
    assert!(!w.join("output/2025/tables/placement_benchmark.csv").exists());
    let svg = std::fs::read_to_string(w.join("output/2025/members/oulu/charts/placement-fi.svg")).unwrap();
    let texts = svg_texts(&svg);
    // Four bars, Oulu's own shares: nothing drawn as hidden, no country, no sijk/111l.
    let shares: Vec<&String> = texts.iter().filter(|t| t.ends_with('%')).collect();
    assert_eq!(shares.len(), 4, "{texts:?}");
    assert!(!texts.iter().any(|t| t == ".." || t.contains("sijk/111l") || t.contains("koko maa")), "{texts:?}");
    assert!(texts.iter().any(|t| t == "Valmistuneemme vuoden kuluttua"), "{texts:?}");
    let html = page(&w, "oulu");
    assert!(html.contains("Vertailutaulukkoa ei ole tässä ajossa"));
    // The table beside it: the class, the own count and the own share.
    let mut book = open_workbook_auto(w.join("output/2025/members/oulu/tables.xlsx")).unwrap();
    let sheet = book.sheet_names()[1].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let rows: Vec<Vec<Data>> = range.rows().skip(5).map(|r| r.to_vec()).collect();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.iter().filter(|c| !c.is_empty()).count() == 3), "{rows:?}");
}

#[test]
fn one_members_edit_re_renders_that_members_report_alone() {
    let w = run_sample();
    let before = hashes(&w.join("output/2025/members"));
    assert!(before.len() >= 16 * 11, "{} files", before.len());
    // Oulu's return under another school name: a warning for Oulu alone, no figure changes.
    let config = w.config();
    let mut rng = kooste::sample::Rng::new(2025);
    let mut returns = kooste::sample::returns(&config, &mut rng);
    let (_, spec) = returns.iter_mut().find(|(id, _)| id == "oulu").unwrap();
    spec.school = Some("Pohjoisen musiikkiakatemia".into());
    std::fs::write(w.join("raw/surveys/2025/oulu.xlsx"), kooste::survey::template::write(spec).unwrap()).unwrap();
    w.kooste_expect(&["run"], 0);
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(w.join("output/2025/run.json")).unwrap()).unwrap();
    let members = &record["stages"]["report"]["details"]["members"];
    assert_eq!(members["rendered"], serde_json::json!(["oulu"]), "{members}");
    assert_eq!(members["unchanged"].as_array().unwrap().len(), 15);
    let after = hashes(&w.join("output/2025/members"));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (file, hash) in &before {
        if file.starts_with("oulu/") {
            continue;
        }
        assert_eq!(&after[file], hash, "{file} was written again");
    }
    assert_ne!(before["oulu/report.html"], after["oulu/report.html"]);
    assert!(page(&w, "oulu").contains("Varoitus (name_mismatch)"), "Oulu's page lists its new finding");
    // An edited member report is written again on the next run.
    std::fs::write(w.join("output/2025/members/kuopio/report.html"), "edited").unwrap();
    w.kooste_expect(&["run"], 0);
    assert!(page(&w, "kuopio").contains("Kuopion konservatorio: jäsenraportti 2025"));
}

#[test]
fn a_quarantined_member_is_told_so_and_what_to_fix() {
    let w = Workdir::with_sample();
    std::fs::write(w.join("raw/surveys/2025/kuopio.xlsx"), b"not a workbook at all").unwrap();
    w.kooste_expect(&["run"], 3);
    let html = page(&w, "kuopio");
    assert!(html.contains("Karanteenissa (kuopio.xlsx)"), "the state says quarantined");
    assert!(html.contains("unreadable_file") || html.contains("Virhe"), "the findings say what to fix");
    // Its survey figures are not there; its Vipunen figures are.
    assert!(!html.contains("id=\"placement-fi\""));
    assert!(html.contains("id=\"enrolment-fi\""));
    // Every other member's report is still written.
    assert!(page(&w, "oulu").contains("Hyväksytty (oulu.xlsx)"));
}
