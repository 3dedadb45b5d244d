//! What people read, per language: localised tables (CSV and XLSX), accessible and
//! deterministic charts, and the HTML report opened in headless Chromium.

use std::process::Command;

use calamine::{Data, Reader, open_workbook_auto};

use crate::util::{Workdir, hashes};

fn run_sample() -> Workdir {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    w
}

/// A localised CSV: BOM stripped, split on its delimiter.
fn localized_csv(w: &Workdir, lang: &str, table: &str) -> Vec<Vec<String>> {
    let bytes = std::fs::read(w.join(&format!("output/2025/{lang}/{table}.csv"))).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "{lang}/{table}.csv starts with a BOM for spreadsheets");
    let delimiter = if lang == "en" { b',' } else { b';' };
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).delimiter(delimiter).from_reader(&bytes[3..]);
    rdr.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
}

#[test]
fn localised_tables_speak_each_language_and_keep_the_figures() {
    let w = run_sample();
    let neutral = w.csv("output/2025/tables/placement_by_member.csv");
    let fi = localized_csv(&w, "fi", "placement_by_member");
    let sv = localized_csv(&w, "sv", "placement_by_member");
    let en = localized_csv(&w, "en", "placement_by_member");
    assert_eq!(fi[0], ["Tilastovuosi", "Jäsen", "Valmistumisvuosi", "Tilanne", "Valmistuneet", "Lukumäärä", "Osuus, %", "Seuranta-aika, vuotta"]);
    assert_eq!(sv[0][1], "Medlem");
    assert_eq!(en[0][6], "Share, %");
    assert_eq!((fi.len(), sv.len(), en.len()), (neutral.len(), neutral.len(), neutral.len()));
    // Row by row: names and labels for codes, the same counts, shares as percentages with the
    // language's decimal mark, symbols as they are.
    let mut checked = 0;
    for (i, row) in neutral.iter().enumerate().skip(1) {
        if row[1] == "oulu" {
            assert_eq!(fi[i][1], "Oulun konservatorio");
        }
        if row[1] == "all" {
            assert_eq!((fi[i][1].as_str(), sv[i][1].as_str(), en[i][1].as_str()), ("Kaikki jäsenet", "Alla medlemmar", "All members"));
        }
        if row[3] == "studies" {
            assert_eq!((fi[i][3].as_str(), en[i][3].as_str()), ("Jatko-opinnot", "Further studies"));
        }
        assert_eq!(fi[i][5], row[5], "counts and symbols are the same");
        if let Ok(share) = row[6].parse::<f64>() {
            let pct = format!("{:.1}", share * 100.0);
            assert_eq!(en[i][6], pct);
            assert_eq!(fi[i][6], pct.replace('.', ","));
            checked += 1;
        } else {
            assert_eq!(fi[i][6], "..");
        }
    }
    assert!(checked > 50, "{checked}");
    // The workbook: a localised sheet per table, numbers as numbers, symbols as text, and
    // sources and the legend under each table.
    let mut book = open_workbook_auto(w.join("output/2025/fi/tables.xlsx")).unwrap();
    let names = book.sheet_names();
    assert!(names.contains(&"Sijoittuminen jäsenittäin".to_owned()) && names.contains(&"Tunnusluvut".to_owned()), "{names:?}");
    let range = book.worksheet_range("Sijoittuminen jäsenittäin").unwrap();
    assert_eq!(range.get_value((0, 0)), Some(&Data::String("Tilastovuosi".into())));
    let cells: Vec<&Data> = range.rows().skip(1).take(neutral.len() - 1).map(|r| &r[5]).collect();
    assert!(cells.iter().any(|c| matches!(c, Data::Float(_))), "counts are numbers");
    assert!(cells.iter().any(|c| **c == Data::String("1-4".into())), "small counts show their symbol");
    let texts: Vec<String> = range.rows().map(|r| r[0].to_string()).collect();
    assert!(texts.iter().any(|t| t.starts_with("Lähde: Suomen konservatorioliiton jäsenkysely")), "{texts:?}");
    assert!(texts.iter().any(|t| t.starts_with("1-4 = 1–4 henkilöä")), "{texts:?}");
}

#[test]
fn a_name_that_looks_like_a_formula_is_neutralised() {
    let w = Workdir::with_sample();
    let registry = w.join("pipelines/members.csv");
    let text = std::fs::read_to_string(&registry).unwrap().replace("Oulun konservatorio", "=HYPERLINK(\"http://x\";\"Oulu\")");
    std::fs::write(&registry, text).unwrap();
    w.kooste_expect(&["run"], 0);
    let fi = localized_csv(&w, "fi", "placement_by_member");
    let cells: Vec<&String> = fi.iter().map(|r| &r[1]).filter(|c| c.contains("HYPERLINK")).collect();
    assert!(!cells.is_empty() && cells.iter().all(|c| c.starts_with("'=")), "{cells:?}");
}

#[test]
fn charts_are_accessible_and_the_same_on_every_run() {
    let a = run_sample();
    let b = run_sample();
    for lang in ["fi", "sv", "en"] {
        let dir = format!("output/2025/{lang}/charts");
        let (ha, hb) = (hashes(&a.join(&dir)), hashes(&b.join(&dir)));
        assert_eq!(ha.len(), 32, "ten charts × svg, print png, web png + the social card's svg and png: {ha:?}");
        assert_eq!(ha, hb, "{lang}: byte-identical on two runs");
    }
    // Alt text from the data, in the chart's language.
    let svg = std::fs::read_to_string(a.join("output/2025/fi/charts/placement_by_member-fi.svg")).unwrap();
    assert!(svg.contains("role=\"img\"") && svg.contains("<title id=\"placement_by_member-fi-title\">Mihin valmistuneet sijoittuvat</title>"));
    let desc = svg.split("<desc").nth(1).unwrap().split("</desc>").next().unwrap();
    let all = a.csv("output/2025/tables/placement_by_member.csv").into_iter().find(|r| r[1] == "all" && r[2] == "2024" && r[3] == "studies").unwrap();
    let pct = (all[6].parse::<f64>().unwrap() * 100.0).round() as i64;
    assert!(desc.contains(&format!("Kaikki jäsenet (n = {}): Jatko-opinnot {pct}\u{a0}%", all[4])), "{desc}");
    let en = std::fs::read_to_string(a.join("output/2025/en/charts/enrolment_trend-en.svg")).unwrap();
    assert!(en.contains("<desc") && en.contains("Line chart: Students, new students and graduates"), "English alt text");
    // The web PNG is at most 800 pixels wide, the print PNG twice the SVG's width.
    let png_width = |p: &str| {
        let d = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(a.join(p)).unwrap()));
        d.read_info().unwrap().info().width
    };
    assert_eq!(png_width("output/2025/fi/charts/placement_by_member-fi-web.png"), 800);
    assert_eq!(png_width("output/2025/fi/charts/placement_by_member-fi.png"), 1800);
}

fn chromium() -> Option<String> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
        .map(str::to_owned)
}

#[test]
fn the_html_report_opens_in_headless_chromium() {
    let Some(browser) = chromium() else {
        // .ci/run installs Chromium; only a machine without it (and without a package
        // manager to get it) skips this.
        eprintln!("SKIPPED: no chromium on this machine");
        return;
    };
    let w = run_sample();
    for lang in ["fi", "sv", "en"] {
        let page = w.join(&format!("output/2025/{lang}/report.html"));
        let html = std::fs::read_to_string(&page).unwrap();
        for fetch in ["src=\"http", "href=\"http", "url(http", "<link", "<script", "<img"] {
            assert!(!html.contains(fetch), "{lang}: self-contained, no network, no script ({fetch})");
        }
        let shot = w.join(&format!("{lang}.png"));
        let profile = w.join(&format!("chromium-{lang}"));
        let out = Command::new(&browser)
            .args(["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1400,2400", "--enable-logging=stderr", "--v=0"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!("file://{}", page.display()))
            .output()
            .unwrap();
        assert!(out.status.success(), "{lang}: {}", String::from_utf8_lossy(&out.stderr));
        let stderr = String::from_utf8_lossy(&out.stderr);
        for line in stderr.lines().filter(|l| l.contains("CONSOLE") || l.contains("Failed to load resource") || l.contains("net::ERR")) {
            panic!("{lang}: console: {line}");
        }
        // The screenshot is a real page: large, and far from one colour.
        let d = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
        let mut reader = d.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (1400, 2400));
        let px = info.color_type.samples();
        let colours: std::collections::HashSet<&[u8]> = buf[..info.buffer_size()].chunks(px).collect();
        assert!(colours.len() > 200, "{lang}: the screenshot has {} colours", colours.len());
        // Every chart is there, with its alt text and its data table; the DOM as Chromium built it.
        let dom = Command::new(&browser)
            .args(["--headless=new", "--no-sandbox", "--disable-gpu", "--dump-dom"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("file://{}", page.display()))
            .output()
            .unwrap();
        let dom = String::from_utf8_lossy(&dom.stdout);
        assert_eq!(dom.matches("<svg").count(), 10, "{lang}: every chart inline (the social-media card is a file only)");
        // Described once: by the text alternative under the chart (the inline SVG has no <desc>).
        assert_eq!(dom.matches("<desc").count(), 0);
        let alts = dom.split("<p id=\"").skip(1).filter(|s| s.split('"').next().is_some_and(|id| id.ends_with("-alt"))).count();
        assert_eq!(alts, 10, "{lang}: one text alternative per chart");
        assert_eq!(dom.matches("aria-describedby=\"").count(), 10);
        assert_eq!(dom.matches("<table>").count(), 11, "{lang}: a data table beside each chart, and the members' table of whom the figures cover");
        std::fs::copy(&shot, std::env::temp_dir().join(format!("kooste-report-{lang}.png"))).unwrap();
    }
}

/// The text of a page as a reader sees it: no data URLs, no tags, entities decoded.
fn page_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    // Data URLs (the fonts) are not text.
    while let Some(i) = rest.find("base64,") {
        text.push_str(&rest[..i]);
        let tail = &rest[i + 7..];
        rest = &tail[tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '=')).unwrap_or(tail.len())..];
    }
    text.push_str(rest);
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let mut decoded = String::new();
    let mut rest = out.as_str();
    while let Some(i) = rest.find('&') {
        decoded.push_str(&rest[..i]);
        let end = rest[i..].find(';').map_or(rest.len(), |e| i + e);
        let entity = &rest[i + 1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        decoded.push(c.unwrap_or_else(|| panic!("unknown entity &{entity};")));
        rest = &rest[(end + 1).min(rest.len())..];
    }
    decoded.push_str(rest);
    decoded
}

#[test]
fn every_character_of_every_page_is_in_the_fonts_it_embeds() {
    use ab_glyph::{Font, FontRef};
    use base64::Engine;
    let w = run_sample();
    let fonts = ["Regular", "Bold"].map(|face| std::fs::read(crate::util::repo().join(format!("assets/fonts/NotoSans-{face}-web.ttf"))).unwrap());
    let faces: Vec<FontRef<'_>> = fonts.iter().map(|f| FontRef::try_from_slice(f).expect("a valid web font")).collect();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut pages = Vec::new();
    let mut stack = vec![w.join("output/2025")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "html") {
                pages.push(p);
            }
        }
    }
    // Three association pages and sixteen members' pages.
    assert_eq!(pages.len(), 19, "{pages:?}");
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        // The page embeds exactly the two web fonts, and is a fraction of the full fonts' weight.
        let embedded: Vec<Vec<u8>> = html
            .split("base64,")
            .skip(1)
            .map(|s| b64.decode(&s[..s.find(')').unwrap()]).unwrap())
            .collect();
        assert_eq!(embedded, fonts.to_vec(), "{} embeds the web fonts", page.display());
        assert!(html.len() < 600_000, "{} is {} bytes", page.display(), html.len());
        let text = page_text(&html);
        let missing: std::collections::BTreeSet<char> =
            text.chars().filter(|c| !c.is_control() && faces.iter().any(|f| f.glyph_id(*c).0 == 0)).collect();
        assert!(missing.is_empty(), "{}: no glyph for {missing:?}", page.display());
    }
    // The check can fail: a letter outside the subset (Greek) has no glyph there.
    assert_eq!(faces[0].glyph_id('λ').0, 0);
    assert_ne!(faces[0].glyph_id('Ŋ').0, 0);
}

#[test]
fn findings_quote_cells_without_running_them_as_formulas() {
    use kooste::survey::{Finding, Rule};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("findings.csv");
    let f = Finding::new("=evil.xlsx", Rule::UnknownHeader, Some("=HYPERLINK(\"http://x\",\"y\")".into()), Some("@SUM(A1)".into()));
    kooste::stages::ingest::write_findings_csv(&path, &[&f]).unwrap();
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let row: Vec<String> = rdr.records().next().unwrap().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(row[0], "'=evil.xlsx");
    assert_eq!(row[6], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(row[7], "'@SUM(A1)");
    assert_eq!(row[4], "unknown_header");
}
