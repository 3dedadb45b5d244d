//! Every figure in a chart is the figure in its table: the charts' SVG is read back (bars'
//! widths, points' positions against the axis ticks, the printed labels) and compared with the
//! published CSV tables of the same run.

use std::collections::BTreeMap;

use crate::util::Workdir;

/// One SVG element: its tag, attributes and text content.
#[derive(Debug)]
struct Element {
    tag: String,
    attrs: BTreeMap<String, String>,
    text: String,
}

impl Element {
    fn num(&self, a: &str) -> f64 {
        self.attrs.get(a).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{a} of {self:?}"))
    }
    fn attr(&self, a: &str) -> &str {
        self.attrs.get(a).map(String::as_str).unwrap_or("")
    }
}

/// The elements of a flat SVG (as plotters writes it), in document order.
fn elements(svg: &str) -> Vec<Element> {
    let mut out = Vec::new();
    for chunk in svg.split('<').skip(1) {
        let Some((head, rest)) = chunk.split_once('>') else { continue };
        if head.starts_with('/') || head.starts_with('?') || head.starts_with('!') {
            continue;
        }
        let head = head.trim_end_matches('/');
        let (tag, mut attrs_text) = head.split_once(' ').unwrap_or((head, ""));
        let mut attrs = BTreeMap::new();
        while let Some((k, v)) = attrs_text.split_once("=\"") {
            let (value, after) = v.split_once('"').expect("closed attribute");
            attrs.insert(k.trim().to_owned(), value.to_owned());
            attrs_text = after;
        }
        let text = rest.trim().replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
        out.push(Element { tag: tag.to_owned(), attrs, text });
    }
    out
}

/// Digits of a formatted number (`"1 234"`, `"1,234"`, `"49 %"`) as an integer.
fn digits(s: &str) -> i64 {
    s.chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap_or_else(|_| panic!("a number in {s:?}"))
}

fn run_sample() -> Workdir {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    w
}

/// The table's rows as maps from column name to value.
fn table(w: &Workdir, name: &str) -> Vec<BTreeMap<String, String>> {
    let rows = w.csv(&format!("output/2025/tables/{name}.csv"));
    rows[1..].iter().map(|r| rows[0].iter().cloned().zip(r.iter().cloned()).collect()).collect()
}

#[test]
fn the_placement_chart_shows_the_figures_of_its_table() {
    let w = run_sample();
    let names: BTreeMap<String, String> = w.csv("pipelines/members.csv")[1..].iter().map(|r| (r[1].clone(), r[0].clone())).collect();
    let rows: Vec<_> = table(&w, "placement_by_member").into_iter().filter(|r| r["graduation_year"] == "2024").collect();
    let class_of_fill = [("#0072B2", "studies"), ("#009E73", "employed"), ("#E69F00", "other"), ("#CC79A7", "unknown")];
    for (lang, all) in [("fi", "Kaikki jäsenet"), ("sv", "Alla medlemmar"), ("en", "All members")] {
        let svg = std::fs::read_to_string(w.join(&format!("output/2025/{lang}/charts/placement_by_member-{lang}.svg"))).unwrap();
        let els = elements(&svg);
        // Bars are the 20-px-high rectangles; a row's label is the right-anchored text beside it.
        let bars: Vec<&Element> = els.iter().filter(|e| e.tag == "rect" && e.attr("height") == "20").collect();
        let texts: Vec<&Element> = els.iter().filter(|e| e.tag == "text").collect();
        let mut ys: Vec<i64> = bars.iter().map(|b| b.num("y") as i64).collect();
        ys.dedup();
        assert_eq!(ys.len(), 17, "{lang}: the association and 16 members");
        for y in ys {
            let in_row = |e: &&&Element| (e.num("y") - (y as f64 + 10.0)).abs() < 2.0;
            let label = texts.iter().filter(in_row).find(|t| t.attr("text-anchor") == "end").expect("a bar label").text.clone();
            let id = if label == all { "all".to_owned() } else { names.get(&label).unwrap_or_else(|| panic!("{label}")).clone() };
            let table_rows: BTreeMap<&str, &BTreeMap<String, String>> =
                rows.iter().filter(|r| r["member_id"] == id).map(|r| (r["class"].as_str(), r)).collect();
            assert_eq!(table_rows.len(), 4, "{id}");
            let segments: Vec<&&Element> = bars.iter().filter(|b| b.num("y") as i64 == y).collect();
            let width: f64 = segments.iter().map(|s| s.num("width")).sum();
            let mut hidden_share = 1.0;
            for (fill, class) in class_of_fill {
                let r = table_rows[class];
                let drawn: f64 = segments.iter().filter(|s| s.attr("fill") == fill).map(|s| s.num("width")).sum::<f64>() / width;
                match r["share"].parse::<f64>() {
                    Ok(share) => {
                        assert!((drawn - share).abs() <= 1.5 / width, "{lang} {id} {class}: drawn {drawn}, table {share}");
                        hidden_share -= share;
                    }
                    Err(_) => assert_eq!(drawn, 0.0, "{lang} {id} {class} is {} in the table but drawn", r["count"]),
                }
            }
            let grey: f64 = segments.iter().filter(|s| s.attr("fill") == "#D2D2D2").map(|s| s.num("width")).sum::<f64>() / width;
            assert!((grey - hidden_share.max(0.0)).abs() <= 1.5 / width, "{lang} {id}: hidden part {grey} vs {hidden_share}");
            // Printed figures: each percentage is a published share, and n its graduates.
            let published: Vec<i64> = table_rows.values().filter_map(|r| r["share"].parse::<f64>().ok()).map(|s| (s * 100.0).round() as i64).collect();
            for t in texts.iter().filter(in_row).filter(|t| t.text.contains('%')) {
                assert!(published.contains(&digits(&t.text)), "{lang} {id}: {} is not in the table ({published:?})", t.text);
            }
            let n = texts.iter().filter(in_row).find(|t| t.text.starts_with("n =")).expect("n").text.clone();
            assert_eq!(digits(&n), table_rows["studies"]["graduates"].parse::<i64>().unwrap(), "{lang} {id}");
        }
    }
}

#[test]
fn the_enrolment_chart_plots_the_figures_of_its_table() {
    let w = run_sample();
    let rows = table(&w, "enrolment");
    let members: BTreeMap<(i64, &str), i64> = rows
        .iter()
        .filter(|r| r["member_id"] == "all" && r["qualification_code"] == "all" && r["source"] == "vipunen")
        .flat_map(|r| {
            let year: i64 = r["year"].parse().unwrap();
            ["students", "new_students", "graduates"].map(|c| ((year, c), r[c].parse::<i64>().expect("members' totals are published")))
        })
        .collect();
    for lang in ["fi", "sv", "en"] {
        let svg = std::fs::read_to_string(w.join(&format!("output/2025/{lang}/charts/enrolment_trend-{lang}.svg"))).unwrap();
        let els = elements(&svg);
        let axes = Axes::of(&els);
        let (value, per_px, years) = (|cy: f64| axes.value(cy), axes.per_px, &axes.years);
        assert_eq!(years.len(), 8, "{lang}: 2018–2025");
        let year_at = |cx: f64| axes.year_at(cx);
        let mut seen = 0;
        for (fill, column) in [("#0072B2", "students"), ("#E69F00", "new_students"), ("#009E73", "graduates")] {
            for c in els.iter().filter(|e| e.tag == "circle" && e.attr("fill") == fill) {
                let year = year_at(c.num("cx"));
                let expected = members[&(year, column)] as f64;
                let drawn = value(c.num("cy"));
                assert!((drawn - expected).abs() <= 1.5 * per_px, "{lang} {column} {year}: drawn {drawn:.0}, table {expected}");
                seen += 1;
            }
        }
        assert_eq!(seen, 24, "{lang}: three member series × eight years");
    }
}

/// A line chart's axes, read from its tick labels: values on the left (right-anchored,
/// numbers only), years below.
struct Axes {
    v0: f64,
    y0: f64,
    v1: f64,
    y1: f64,
    per_px: f64,
    years: Vec<(i64, f64)>,
}

impl Axes {
    fn of(els: &[Element]) -> Self {
        let ticks: Vec<(f64, f64)> = els
            .iter()
            .filter(|e| e.tag == "text" && e.attr("text-anchor") == "end")
            .filter(|e| e.text.chars().any(|c| c.is_ascii_digit()) && !e.text.chars().any(char::is_alphabetic))
            .map(|e| (digits(&e.text) as f64, e.num("y")))
            .collect();
        let ((v0, y0), (v1, y1)) = (ticks[0], ticks[ticks.len() - 1]);
        let years = els
            .iter()
            .filter(|e| e.tag == "text" && e.attr("text-anchor") == "middle" && e.text.len() == 4 && e.text.starts_with("20"))
            .map(|e| (digits(&e.text), e.num("x")))
            .collect();
        Self { v0, y0, v1, y1, per_px: ((v1 - v0) / (y1 - y0)).abs(), years }
    }

    fn value(&self, cy: f64) -> f64 {
        self.v0 + (cy - self.y0) * (self.v1 - self.v0) / (self.y1 - self.y0)
    }

    fn year_at(&self, cx: f64) -> i64 {
        self.years.iter().find(|(_, x)| (x - cx).abs() < 2.0).unwrap_or_else(|| panic!("no year at x = {cx}")).0
    }
}

/// The texts of an SVG's `<text>` elements.
fn texts(w: &Workdir, file: &str) -> Vec<String> {
    let svg = std::fs::read_to_string(w.join(file)).unwrap();
    elements(&svg).into_iter().filter(|e| e.tag == "text").map(|e| e.text).collect()
}

#[test]
fn the_benchmark_applicants_and_key_figures_charts_print_the_figures_of_their_tables() {
    let w = run_sample();
    let bench = table(&w, "placement_benchmark");
    let enrolment = table(&w, "enrolment");
    let figures = table(&w, "key_figures");
    // Numbers as each language writes them: decimal comma and no-break-space grouping in fi and
    // sv, a point and commas in en.
    let int = |lang: &str, n: i64| {
        let sep = if lang == "en" { "," } else { "\u{a0}" };
        if n >= 1000 { format!("{}{sep}{:03}", n / 1000, n % 1000) } else { n.to_string() }
    };
    for lang in ["fi", "sv", "en"] {
        // Benchmark: every share of the table is printed at its bar, and nothing else is.
        let mut expected: Vec<i64> = bench
            .iter()
            .flat_map(|r| ["share", "field02_share", "all_fields_share"].map(|c| (r[c].parse::<f64>().unwrap() * 100.0).round() as i64))
            .collect();
        let mut printed: Vec<i64> =
            texts(&w, &format!("output/2025/{lang}/charts/placement_benchmark-{lang}.svg")).iter().filter(|t| t.ends_with('%')).map(|t| digits(t)).collect();
        expected.sort_unstable();
        printed.sort_unstable();
        assert_eq!(printed, expected, "{lang}");
        // Applicants per place: the survey's ratios with the language's decimal mark.
        let mark = if lang == "en" { "." } else { "," };
        let mut expected: Vec<String> = enrolment
            .iter()
            .filter(|r| r["source"] == "survey" && r["qualification_code"] == "all" && r["year"] == "2025")
            .map(|r| format!("{:.2}", r["applicants_per_place"].parse::<f64>().unwrap()).replace('.', mark))
            .collect();
        let mut printed: Vec<String> = texts(&w, &format!("output/2025/{lang}/charts/applicants_per_place-{lang}.svg"))
            .into_iter()
            .filter(|t| t.len() <= 6 && t.contains(mark) && t.chars().all(|c| c.is_ascii_digit() || c.to_string() == mark))
            .collect();
        expected.sort();
        printed.sort();
        assert_eq!(printed, expected, "{lang}");
        assert_eq!(expected.len(), 17, "16 members and the association");
        // The key-figures card: the members' figures of 2025, on both sizes.
        for card in ["key_figures", "key_figures_social"] {
            let printed = texts(&w, &format!("output/2025/{lang}/charts/{card}-{lang}.svg"));
            for field in ["music", "dance"] {
                for measure in ["students", "graduates", "providers"] {
                    let r = figures.iter().find(|r| r["year"] == "2025" && r["field"] == field && r["measure"] == measure).unwrap();
                    let shown = r["members"].parse::<i64>().map(|n| int(lang, n)).unwrap_or_else(|_| r["members"].clone());
                    assert!(printed.contains(&shown), "{lang} {card} {field} {measure}: {shown} not in {printed:?}");
                }
            }
        }
    }
}

/// Checks a 100 % stacked bar chart: each bar, found by its label, has segments as wide as the
/// expected class shares (the rest grey), and its printed percentages and n are the table's.
fn check_stacked(svg: &str, expected: &BTreeMap<String, (Option<i64>, [Option<f64>; 4])>, what: &str) {
    let fills = ["#0072B2", "#009E73", "#E69F00", "#CC79A7"];
    let els = elements(svg);
    let bars: Vec<&Element> = els.iter().filter(|e| e.tag == "rect" && e.attr("height") == "20").collect();
    let texts: Vec<&Element> = els.iter().filter(|e| e.tag == "text").collect();
    let mut ys: Vec<i64> = bars.iter().map(|b| b.num("y") as i64).collect();
    ys.dedup();
    assert_eq!(ys.len(), expected.len(), "{what}: one bar per row of the table");
    for y in ys {
        let in_row = |e: &&&Element| (e.num("y") - (y as f64 + 10.0)).abs() < 2.0;
        let label = texts.iter().filter(in_row).find(|t| t.attr("text-anchor") == "end").expect("a bar label").text.clone();
        let (n, shares) = expected.get(&label).unwrap_or_else(|| panic!("{what}: bar {label} is not in the table"));
        let segments: Vec<&&Element> = bars.iter().filter(|b| b.num("y") as i64 == y).collect();
        let width: f64 = segments.iter().map(|s| s.num("width")).sum();
        for (fill, share) in fills.iter().zip(shares) {
            let drawn: f64 = segments.iter().filter(|s| s.attr("fill") == *fill).map(|s| s.num("width")).sum::<f64>() / width;
            assert!((drawn - share.unwrap_or(0.0)).abs() <= 1.5 / width, "{what} {label}: drawn {drawn}, table {share:?}");
        }
        let published: Vec<i64> = shares.iter().flatten().map(|s| (s * 100.0).round() as i64).collect();
        for t in texts.iter().filter(in_row).filter(|t| t.text.contains('%')) {
            assert!(published.contains(&digits(&t.text)), "{what} {label}: {} not in {published:?}", t.text);
        }
        let n_text = texts.iter().filter(in_row).find(|t| t.text.starts_with("n =")).expect("n").text.clone();
        match n {
            Some(n) => assert_eq!(digits(&n_text), *n, "{what} {label}"),
            None => assert!(n_text.ends_with("= ..") || n_text.ends_with("= 1-4"), "{what} {label}: a hidden n printed as {n_text}"),
        }
    }
}

#[test]
fn the_orientation_chart_shows_the_associations_table_in_every_language() {
    use kooste::domain::{Lang, Orientation, PlacementClass, PlacementStatus};
    let w = run_sample();
    let rows: Vec<_> = table(&w, "placement").into_iter().filter(|r| r["graduation_year"] == "2024" && r["member_id"] == "all").collect();
    for lang in Lang::ALL {
        let mut expected: BTreeMap<String, (Option<i64>, [Option<f64>; 4])> = BTreeMap::new();
        let mut keys: Vec<(String, String)> = rows.iter().map(|r| (r["qualification_code"].clone(), r["orientation"].clone())).collect();
        keys.dedup();
        // A qualification's row is drawn only where its orientations were all merged into it.
        let has_orientations = |q: &str| rows.iter().any(|r| r["qualification_code"] == q && r["orientation"] != "all");
        for (q, o) in keys.into_iter().filter(|(q, o)| !(q != "all" && o == "all" && has_orientations(q))) {
            let group: Vec<_> = rows.iter().filter(|r| r["qualification_code"] == q && r["orientation"] == o).collect();
            // The group's n as the table publishes it: a number, or a symbol (then none is drawn).
            let n: Option<i64> = group[0]["graduates"].parse().ok();
            let shares = std::array::from_fn(|k| {
                group
                    .iter()
                    .filter(|r| PlacementStatus::ALL.iter().any(|s| s.code() == r["status"] && PlacementClass::of(*s) == PlacementClass::ALL[k]))
                    .map(|r| r["share"].parse::<f64>().ok())
                    .sum::<Option<f64>>()
            });
            let label = if q == "all" {
                lang.pick(&("Kaikki jäsenet", "Alla medlemmar", "All members")).to_owned()
            } else if o == "all" {
                let config = w.config();
                kooste::stages::report::localized::label(&config, lang, "placement", "qualification_code", &q)
            } else if o == "other_orientations" {
                lang.pick(&("Muut suuntautumiset", "Övriga inriktningar", "Other orientations")).to_owned()
            } else {
                let l = lang.pick(&Orientation::ALL.iter().find(|x| x.code() == o).unwrap().labels()).to_owned();
                l[..1].to_uppercase() + &l[1..]
            };
            expected.insert(label, (n, shares));
        }
        let svg = std::fs::read_to_string(w.join(&format!("output/2025/{}/charts/placement_by_orientation-{}.svg", lang.code(), lang.code()))).unwrap();
        check_stacked(&svg, &expected, lang.code());
    }
}

#[test]
fn the_field_and_coverage_charts_show_their_tables_in_every_language() {
    let w = run_sample();
    let figures = table(&w, "key_figures");
    let enrolment = table(&w, "enrolment");
    for lang in ["fi", "sv", "en"] {
        // Students by field: the members' markers sit at the key figures' values.
        let svg = std::fs::read_to_string(w.join(&format!("output/2025/{lang}/charts/students_by_field-{lang}.svg"))).unwrap();
        let els = elements(&svg);
        let axes = Axes::of(&els);
        let mut seen = 0;
        for (fill, field) in [("#0072B2", "music"), ("#D55E00", "dance")] {
            for c in els.iter().filter(|e| e.tag == "circle" && e.attr("fill") == fill) {
                let year = axes.year_at(c.num("cx"));
                let r = figures.iter().find(|r| r["year"] == year.to_string() && r["field"] == field && r["measure"] == "students").unwrap();
                let expected: f64 = r["members"].parse().unwrap();
                let drawn = axes.value(c.num("cy"));
                assert!((drawn - expected).abs() <= 1.5 * axes.per_px, "{lang} {field} {year}: drawn {drawn:.0}, table {expected}");
                seen += 1;
            }
        }
        assert_eq!(seen, 16, "{lang}: music and dance × eight years");
        // Survey coverage: every printed count is a published graduates figure of 2025.
        let mut expected: Vec<i64> = enrolment
            .iter()
            .filter(|r| r["year"] == "2025" && r["qualification_code"] == "all" && !["national", "non_members"].contains(&r["member_id"].as_str()))
            .filter(|r| enrolment.iter().any(|s| s["year"] == "2025" && s["qualification_code"] == "all" && s["source"] == "survey" && s["member_id"] == r["member_id"]))
            .filter_map(|r| r["graduates"].parse().ok())
            .collect();
        let mut printed: Vec<i64> = texts(&w, &format!("output/2025/{lang}/charts/survey_coverage-{lang}.svg"))
            .iter()
            .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '\u{a0}' || c == ','))
            .map(|t| digits(t))
            .collect();
        expected.sort_unstable();
        printed.sort_unstable();
        assert_eq!(printed, expected, "{lang}");
    }
}
