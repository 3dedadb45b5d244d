//! What one member's report holds, computed before anything is drawn: its own figures (exact,
//! from the unsuppressed transform tables: they are the school's own data) beside the
//! association's and the country's **as published** (the public tables' cells, suppression
//! symbols included). Nothing about another member is read here except through the public
//! tables, so the report cannot tell a member more about another than the public tables do.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::Serialize;

use crate::charts::labels::{self, Key};
use crate::config::Config;
use crate::domain::{Lang, PlacementStatus};
use crate::stages::report::localized;
use crate::stages::transform::{ALL, NATIONAL};
use crate::survey::Finding;

/// One cell of a member-report table: what the HTML and the workbook both write.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Cell {
    /// Text (a name, a label).
    Text(String),
    /// A year (no digit grouping).
    Year(i32),
    /// A count of persons.
    Int(i64),
    /// A share in [0, 1], shown as a percentage with one decimal.
    Share(f64),
    /// A ratio, two decimals.
    Ratio(f64),
    /// A published suppression symbol, as the public table has it.
    Symbol(String),
    /// Nothing to show.
    Empty,
}

impl Cell {
    /// The cell as people read it in `lang`.
    pub fn show(&self, lang: Lang) -> String {
        let decimal = |s: String| if lang == Lang::En { s } else { s.replace('.', ",") };
        match self {
            Cell::Text(s) | Cell::Symbol(s) => s.clone(),
            Cell::Year(y) => y.to_string(),
            Cell::Int(n) => labels::int(lang, *n),
            Cell::Share(v) => {
                let p = decimal(format!("{:.1}", v * 100.0));
                if lang == Lang::En { format!("{p}%") } else { format!("{p}\u{a0}%") }
            }
            Cell::Ratio(v) => decimal(format!("{v:.2}")),
            Cell::Empty => String::new(),
        }
    }

    /// A published cell: a number, or the symbol the public table shows in its place.
    fn published(text: &str, share: bool) -> Cell {
        match text.parse::<f64>() {
            Ok(v) if share => Cell::Share(v),
            Ok(v) => Cell::Int(v.round() as i64),
            Err(_) if text.is_empty() || text == "null" => Cell::Empty,
            Err(_) => Cell::Symbol(text.to_owned()),
        }
    }
}

/// A table of the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Table {
    /// Its id (HTML anchor, sheet order).
    pub id: &'static str,
    /// Its heading (also the sheet's name, shortened).
    pub title: String,
    /// What it shows and where each column comes from.
    pub note: String,
    /// Column headers.
    pub header: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// How the member's return fared this round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ReturnState {
    /// Accepted: its figures are in the published tables.
    Accepted,
    /// Quarantined: left out until fixed.
    Quarantined,
    /// No return arrived.
    Missing,
}

/// Everything one member's report shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Model {
    /// Member id.
    pub member: String,
    /// Its name.
    pub name: String,
    /// The language it is written in.
    pub lang: Lang,
    /// Statistical year.
    pub year: i32,
    /// Its return this round.
    pub state: ReturnState,
    /// Its files this round.
    pub files: Vec<String>,
    /// Its findings this round.
    pub findings: Vec<Finding>,
    /// The synthetic-data note, when it applies.
    pub note: Option<String>,
    /// Source lines.
    pub sources: Vec<String>,
    /// The placement classes: own share, the association's and the country's (chart + table).
    pub classes: Option<Table>,
    /// The own placement in full detail beside the association's published counts.
    pub detail: Option<Table>,
    /// Own Vipunen enrolment by year beside the members together and the country.
    pub enrolment: Option<Table>,
    /// Own survey intake beside the association's.
    pub intake: Option<Table>,
    /// The reconciliation against Vipunen, with what to check.
    pub reconciliation: Option<Table>,
    /// The explanation of each reconciliation row beyond the tolerance.
    pub explanations: Vec<String>,
    /// The legend of the suppression symbols (as the public report has it).
    pub legend: Vec<String>,
}

/// The frames a member report is made from.
pub struct Inputs<'a> {
    /// `stages/transform/placement` (unsuppressed): the member's own rows are read.
    pub own_placement: &'a DataFrame,
    /// `stages/transform/enrolment` (unsuppressed): the member's own rows are read.
    pub own_enrolment: &'a DataFrame,
    /// `stages/transform/reconciliation`: the member's own rows.
    pub reconciliation: &'a DataFrame,
    /// `stages/transform/applicants`, when the source is configured: the member's own rows.
    pub applicants: Option<&'a DataFrame>,
    /// The published tables (what `tables/*.csv` holds).
    pub published: &'a [(&'static str, DataFrame)],
    /// Findings of the round.
    pub findings: &'a [Finding],
    /// `stages/ingest/returns`.
    pub returns: &'a DataFrame,
    /// The legend lines, by language.
    pub legend: &'a dyn Fn(Lang) -> Vec<String>,
    /// The Vipunen snapshot's date (for the sources).
    pub vipunen_date: &'a str,
    /// Whom the survey figures cover: the association's survey rows say so when not every
    /// member is in ("Jäsenet, 14/16 vastannut").
    pub coverage: Option<&'a crate::collection::Coverage>,
    /// Each frame's rows, made once for all the members (by the frame's address).
    pub rows: std::cell::RefCell<std::collections::HashMap<usize, std::rc::Rc<Vec<BTreeMap<String, String>>>>>,
}

impl Inputs<'_> {
    /// The rows of `df` ([`rows`]), made on first use and shared by every member's model.
    fn rows_of(&self, df: &DataFrame) -> std::rc::Rc<Vec<BTreeMap<String, String>>> {
        let key = df as *const DataFrame as usize;
        self.rows.borrow_mut().entry(key).or_insert_with(|| std::rc::Rc::new(rows(df))).clone()
    }
}

/// A frame's rows as text maps (numbers as polars prints them, nulls as "").
pub fn rows(df: &DataFrame) -> Vec<BTreeMap<String, String>> {
    let cols = df.columns();
    (0..df.height())
        .map(|i| {
            cols.iter()
                .map(|c| {
                    let v = c.get(i).map(|v| if v.is_null() { String::new() } else { v.str_value().to_string() }).unwrap_or_default();
                    (c.name().to_string(), v)
                })
                .collect()
        })
        .collect()
}

fn t(lang: Lang, fi: &str, sv: &str, en: &str) -> String {
    lang.pick(&(fi, sv, en)).to_owned()
}

fn get<'a>(r: &'a BTreeMap<String, String>, k: &str) -> &'a str {
    r.get(k).map(String::as_str).unwrap_or("")
}

fn int(r: &BTreeMap<String, String>, k: &str) -> Cell {
    get(r, k).parse::<f64>().map(|v| Cell::Int(v.round() as i64)).unwrap_or(Cell::Empty)
}

/// The association's label beside survey figures: "all members", or whom they cover.
fn association(inputs: &Inputs<'_>, lang: Lang) -> String {
    crate::collection::publish::partial_label(inputs.coverage, lang).unwrap_or_else(|| labels::text(lang, Key::AllMembers).to_owned())
}

/// Builds the model of one member's report.
pub fn build(config: &Config, member: &str, inputs: &Inputs<'_>) -> Model {
    let m = config.registry.get(member);
    let lang = m.map(|m| m.lang).unwrap_or(Lang::Fi);
    let name = m.map(|m| m.name.clone()).unwrap_or_else(|| member.to_owned());
    // A return is the member's its Y-tunnus says; one whose content names no member
    // (unreadable) is the member's its file name starts with, as the survey round counts it.
    let named = |r: &BTreeMap<String, String>| {
        let stem = get(r, "file").rsplit('/').next().unwrap_or("").to_lowercase();
        get(r, "member_id").is_empty() && (stem.starts_with(&format!("{member}.")) || stem.starts_with(&format!("{member}-")))
    };
    let returns: Vec<_> = inputs.rows_of(inputs.returns).iter().filter(|r| get(r, "member_id") == member || named(r)).cloned().collect();
    let state = if returns.iter().any(|r| get(r, "accepted") == "true") {
        ReturnState::Accepted
    } else if returns.is_empty() {
        ReturnState::Missing
    } else {
        ReturnState::Quarantined
    };
    let files: Vec<String> = returns.iter().map(|r| get(r, "file").to_owned()).collect();
    let findings: Vec<Finding> =
        inputs.findings.iter().filter(|f| f.member.as_deref() == Some(member) || files.contains(&f.file)).cloned().collect();
    let public = |name: &str| inputs.published.iter().find(|(n, _)| *n == name).map(|(_, d)| inputs.rows_of(d)).unwrap_or_default();
    let own = |df: &DataFrame| inputs.rows_of(df).iter().filter(|r| get(r, "member_id") == member).cloned().collect::<Vec<_>>();
    let mut sources = Vec::new();
    for table in ["placement", "enrolment", "placement_benchmark"] {
        for s in localized::sources(lang, table, config.year, inputs.vipunen_date) {
            if !sources.contains(&s) {
                sources.push(s);
            }
        }
    }
    let own_placement = own(inputs.own_placement);
    let own_enrolment = own(inputs.own_enrolment);
    let mut model = Model {
        member: member.to_owned(),
        name: name.clone(),
        lang,
        year: config.year,
        state,
        files,
        findings,
        note: config.synthetic().then(|| labels::text(lang, Key::SyntheticNote).to_owned()),
        sources,
        classes: None,
        detail: None,
        enrolment: None,
        intake: None,
        reconciliation: None,
        explanations: Vec::new(),
        legend: (inputs.legend)(lang),
    };
    if !own_placement.is_empty() {
        model.classes = Some(classes(lang, config.year, &name, crate::collection::publish::partial_label(inputs.coverage, lang), &own_placement, &public("placement_benchmark")));
        model.detail = Some(detail(config, lang, &name, &association(inputs, lang), &own_placement, &public("placement")));
    }
    if !own_enrolment.is_empty() {
        model.enrolment = Some(enrolment(lang, &own_enrolment, &public("enrolment")));
        let intake = intake(config, lang, &name, &association(inputs, lang), &own_enrolment, &public("enrolment"));
        model.intake = (!intake.rows.is_empty()).then_some(intake);
    }
    let check = own(inputs.reconciliation);
    let apps = inputs.applicants.map(own).unwrap_or_default();
    if !check.is_empty() || !apps.is_empty() {
        let (table, explanations) = reconciliation(config, lang, &check, &apps);
        model.reconciliation = Some(table);
        model.explanations = explanations;
    }
    model
}

/// The benchmark classes: the member's graduates of `year − 1` with a known status, by class,
/// beside the association's and the country's published shares.
fn classes(lang: Lang, year: i32, name: &str, who: Option<String>, own: &[BTreeMap<String, String>], bench: &[BTreeMap<String, String>]) -> Table {
    let gy = (year - 1).to_string();
    let total = |r: &&BTreeMap<String, String>| get(r, "qualification_code") == ALL && get(r, "orientation") == ALL && get(r, "graduation_year") == gy;
    let count_of = |status: &str| -> i64 {
        own.iter().filter(total).filter(|r| get(r, "status") == status).map(|r| get(r, "count").parse::<f64>().unwrap_or(0.0) as i64).sum()
    };
    // Without the benchmark table (a pipeline without Statistics Finland's source) the member's
    // own shares stand alone: no empty columns that would read as hidden figures.
    let compared = !bench.is_empty();
    let known: i64 = crate::stages::transform::BENCHMARK_CLASSES.iter().flat_map(|(_, s)| s.iter()).map(|s| count_of(s)).sum();
    let rows = crate::stages::transform::BENCHMARK_CLASSES
        .iter()
        .map(|(class, statuses)| {
            let n: i64 = statuses.iter().map(|s| count_of(s)).sum();
            let b = bench.iter().find(|r| get(r, "class") == *class);
            let share = |c: &str| b.map(|r| Cell::published(get(r, c), true)).unwrap_or(Cell::Empty);
            let mut row = vec![
                Cell::Text(benchmark_class_label(lang, class)),
                Cell::Int(n),
                if known > 0 { Cell::Share(n as f64 / known as f64) } else { Cell::Empty },
            ];
            if compared {
                row.extend([share("share"), share("field02_share"), share("all_fields_share")]);
            }
            row
        })
        .collect();
    Table {
        id: "classes",
        title: t(lang, "Mihin valmistuneemme sijoittuivat", "Var våra utexaminerade finns", "Where our graduates went"),
        note: match (lang, compared) {
            (Lang::Fi, true) => format!("Vuonna {gy} valmistuneet vuoden kuluttua, Tilastokeskuksen luokin; osuudet tunnetun tilanteen valmistuneista. {name}: oma palautus (tarkka). {} ja koko maa: julkaistu vertailutaulukko.", who.as_deref().unwrap_or("Kaikki jäsenet")),
            (Lang::Sv, true) => format!("Utexaminerade {gy} ett år senare, i Statistikcentralens klasser; andelar av dem med känd situation. {name}: eget svar (exakt). {} och hela landet: den publicerade jämförelsetabellen.", who.as_deref().unwrap_or("Alla medlemmar")),
            (Lang::En, true) => format!("Graduates of {gy} one year on, in Statistics Finland's classes; shares of those whose status is known. {name}: own return (exact). {} and the country: the published benchmark table.", who.as_deref().unwrap_or("All members")),
            (Lang::Fi, false) => format!("Vuonna {gy} valmistuneet vuoden kuluttua, Tilastokeskuksen luokin; osuudet tunnetun tilanteen valmistuneista. {name}: oma palautus (tarkka). Vertailutaulukkoa ei ole tässä ajossa (ei Tilastokeskuksen lähdettä)."),
            (Lang::Sv, false) => format!("Utexaminerade {gy} ett år senare, i Statistikcentralens klasser; andelar av dem med känd situation. {name}: eget svar (exakt). Jämförelsetabellen saknas i denna körning (ingen källa från Statistikcentralen)."),
            (Lang::En, false) => format!("Graduates of {gy} one year on, in Statistics Finland's classes; shares of those whose status is known. {name}: own return (exact). No benchmark table in this run (no Statistics Finland source)."),
        },
        header: {
            let mut header = vec![
                labels::column(lang, "class").to_owned(),
                format!("{name}, {}", t(lang, "henkilöä", "personer", "persons")),
                format!("{name}, %"),
            ];
            if compared {
                header.extend([
                    format!("{}, %", who.as_deref().unwrap_or(labels::text(lang, Key::Association))),
                    format!("{}, %", labels::text(lang, Key::Field02)),
                    format!("{}, %", labels::text(lang, Key::AllFields)),
                ]);
            }
            header
        },
        rows,
    }
}

/// A benchmark class's name, as the public tables name it.
fn benchmark_class_label(lang: Lang, class: &str) -> String {
    match class {
        "other" => lang.pick(&PlacementStatus::Other.labels()).to_owned(),
        c => labels::code(lang, c).unwrap_or(c).to_owned(),
    }
}

/// The own placement by qualification, orientation and graduation year, the eight statuses
/// exact; under each own row the association's published counts for the same group.
fn detail(config: &Config, lang: Lang, name: &str, association: &str, own: &[BTreeMap<String, String>], public: &[BTreeMap<String, String>]) -> Table {
    let key = |r: &BTreeMap<String, String>| (get(r, "qualification_code").to_owned(), get(r, "orientation").to_owned(), get(r, "graduation_year").to_owned());
    let mut groups: Vec<(String, String, String)> = Vec::new();
    for r in own {
        let k = key(r);
        if !groups.contains(&k) {
            groups.push(k);
        }
    }
    let label = |col: &str, code: &str| localized::label(config, lang, "placement", col, code);
    let mut rows = Vec::new();
    for g in &groups {
        let mine: Vec<_> = own.iter().filter(|r| key(r) == *g).collect();
        let theirs: Vec<_> = public.iter().filter(|r| get(r, "member_id") == ALL && key(r) == *g).collect();
        let lead = |who: &str| vec![Cell::Text(label("qualification_code", &g.0)), Cell::Text(label("orientation", &g.1)), Cell::Year(g.2.parse().unwrap_or(0)), Cell::Text(who.to_owned())];
        let mut row = lead(name);
        row.push(mine.first().map(|r| int(r, "graduates")).unwrap_or(Cell::Empty));
        for s in PlacementStatus::ALL {
            row.push(mine.iter().find(|r| get(r, "status") == s.code()).map(|r| int(r, "count")).unwrap_or(Cell::Int(0)));
        }
        rows.push(row);
        let mut row = lead(association);
        row.push(Cell::Empty);
        for s in PlacementStatus::ALL {
            row.push(theirs.iter().find(|r| get(r, "status") == s.code()).map(|r| Cell::published(get(r, "count"), false)).unwrap_or(Cell::Empty));
        }
        rows.push(row);
    }
    let mut header = vec![
        labels::column(lang, "qualification_code").to_owned(),
        labels::column(lang, "orientation").to_owned(),
        labels::column(lang, "graduation_year").to_owned(),
        t(lang, "Kenen", "Vems", "Whose"),
        labels::code(lang, "graduates").unwrap_or("graduates").to_owned(),
    ];
    header.extend(PlacementStatus::ALL.iter().map(|s| lang.pick(&s.labels()).to_owned()));
    Table {
        id: "detail",
        title: t(lang, "Valmistuneiden sijoittuminen yksityiskohtaisesti", "Utexaminerades placering i detalj", "Placement in full detail"),
        note: match lang {
            Lang::Fi => format!("{name}: oma palautus, tarkat luvut (vain teidän nähtävissänne). Kaikki jäsenet: julkaistu taulukko, salaussymboleineen."),
            Lang::Sv => format!("{name}: eget svar, exakta siffror (bara för er). Alla medlemmar: den publicerade tabellen, med skyddssymboler."),
            Lang::En => format!("{name}: own return, exact figures (for your eyes only). All members: the published table, with its suppression symbols."),
        },
        header,
        rows,
    }
}

/// Own Vipunen enrolment (all qualifications) by year beside the members together and the
/// country, as published.
fn enrolment(lang: Lang, own: &[BTreeMap<String, String>], public: &[BTreeMap<String, String>]) -> Table {
    let vip = |r: &&BTreeMap<String, String>| get(r, "source") == "vipunen" && get(r, "qualification_code") == ALL;
    let mut years: Vec<String> = own.iter().filter(vip).map(|r| get(r, "year").to_owned()).collect();
    years.sort();
    years.dedup();
    let rows = years
        .iter()
        .map(|y| {
            let mut row = vec![Cell::Year(y.parse().unwrap_or(0))];
            let mine = own.iter().filter(vip).find(|r| get(r, "year") == y);
            for c in crate::stages::transform::COUNTS {
                row.push(mine.map(|r| int(r, c)).unwrap_or(Cell::Empty));
            }
            for who in [ALL, NATIONAL] {
                let r = public.iter().filter(vip).find(|r| get(r, "year") == y && get(r, "member_id") == who);
                for c in crate::stages::transform::COUNTS {
                    row.push(r.map(|r| Cell::published(get(r, c), false)).unwrap_or(Cell::Empty));
                }
            }
            row
        })
        .collect();
    let mut header = vec![labels::column(lang, "year").to_owned()];
    let whos = [t(lang, "Me", "Vi", "We"), labels::text(lang, Key::AllMembers).to_owned(), labels::code(lang, "national").unwrap_or("national").to_owned()];
    for who in &whos {
        for c in crate::stages::transform::COUNTS {
            header.push(format!("{who}: {}", labels::code(lang, c).unwrap_or(c).to_lowercase()));
        }
    }
    Table {
        id: "enrolment",
        title: t(lang, "Opiskelijat, aloittaneet ja valmistuneet vuosittain", "Studerande, nya studerande och utexaminerade per år", "Students, new students and graduates by year"),
        note: t(
            lang,
            "Vipunen, kaikki julkaistut tutkinnot. Me: teidän lukunne; kaikki jäsenet ja koko maa: julkaistu taulukko.",
            "Vipunen, alla publicerade examina. Vi: era siffror; alla medlemmar och hela landet: den publicerade tabellen.",
            "Vipunen, all published qualifications. We: your figures; all members and the country: the published table.",
        ),
        header,
        rows,
    }
}

/// Own survey intake by qualification beside the association's, as published.
fn intake(config: &Config, lang: Lang, name: &str, association: &str, own: &[BTreeMap<String, String>], public: &[BTreeMap<String, String>]) -> Table {
    let year = config.year.to_string();
    let survey = |r: &&BTreeMap<String, String>| get(r, "source") == "survey" && get(r, "year") == year;
    let cols = ["start_places", "applicants", "first_choice_applicants", "applicants_per_place"];
    let mut rows = Vec::new();
    for mine in own.iter().filter(survey) {
        let q = get(mine, "qualification_code");
        let qual = localized::label(config, lang, "enrolment", "qualification_code", q);
        let mut row = vec![Cell::Text(qual.clone()), Cell::Text(name.to_owned())];
        row.extend(cols.iter().map(|c| if *c == "applicants_per_place" { ratio(get(mine, c)) } else { int(mine, c) }));
        rows.push(row);
        let theirs = public.iter().filter(survey).find(|r| get(r, "member_id") == ALL && get(r, "qualification_code") == q);
        let mut row = vec![Cell::Text(qual), Cell::Text(association.to_owned())];
        row.extend(cols.iter().map(|c| match theirs {
            Some(r) if *c == "applicants_per_place" => ratio(get(r, c)),
            Some(r) => Cell::published(get(r, c), false),
            None => Cell::Empty,
        }));
        rows.push(row);
    }
    let mut header = vec![labels::column(lang, "qualification_code").to_owned(), t(lang, "Kenen", "Vems", "Whose")];
    header.extend(cols.iter().map(|c| labels::column(lang, c).to_owned()));
    Table {
        id: "intake",
        title: t(lang, "Aloituspaikat ja hakijat", "Nybörjarplatser och sökande", "Start places and applicants"),
        note: match lang {
            Lang::Fi => format!("Jäsenkysely {}. {name}: oma palautus; kaikki jäsenet: julkaistu taulukko. Aiempien kyselyvuosien lukuja ei ole tässä ajossa.", config.year),
            Lang::Sv => format!("Medlemsenkäten {}. {name}: eget svar; alla medlemmar: den publicerade tabellen. Tidigare enkätår finns inte i denna körning.", config.year),
            Lang::En => format!("Member survey {}. {name}: own return; all members: the published table. Earlier survey years are not in this run.", config.year),
        },
        header,
        rows,
    }
}

fn ratio(text: &str) -> Cell {
    text.parse::<f64>().map(Cell::Ratio).unwrap_or(if text.is_empty() { Cell::Empty } else { Cell::Symbol(text.to_owned()) })
}

/// The member's return against Vipunen: graduates by qualification and year, and the
/// joint-application figures; with a sentence for each figure beyond the tolerance.
fn reconciliation(config: &Config, lang: Lang, check: &[BTreeMap<String, String>], apps: &[BTreeMap<String, String>]) -> (Table, Vec<String>) {
    let qual = |c: &str| localized::label(config, lang, "enrolment", "qualification_code", c);
    let yes_no = |r: &BTreeMap<String, String>| Cell::Text(labels::code(lang, if get(r, "flagged") == "true" { "true" } else { "false" }).unwrap_or("").to_owned());
    let tol = config.pipeline.reconciliation.tolerance;
    let mut rows = Vec::new();
    let mut why = Vec::new();
    let graduates = labels::code(lang, "graduates").unwrap_or("graduates").to_owned();
    for r in check {
        let (q, gy) = (get(r, "qualification_code"), get(r, "graduation_year"));
        let ratio = get(r, "ratio").parse::<f64>().ok();
        rows.push(vec![
            Cell::Text(qual(q)),
            Cell::Year(gy.parse().unwrap_or(0)),
            Cell::Text(graduates.clone()),
            int(r, "survey_graduates"),
            int(r, "vipunen_graduates"),
            int(r, "difference"),
            ratio.map(Cell::Ratio).unwrap_or(Cell::Empty),
            yes_no(r),
        ]);
        if get(r, "flagged") == "true" {
            let (s, v, d) = (get(r, "survey_graduates"), get(r, "vipunen_graduates"), get(r, "difference"));
            why.push(match lang {
                Lang::Fi => format!("{}, valmistuneet {gy}: palautuksessa {s}, Vipusessa {v} (ero {d}). Tarkistakaa, että Sijoittuminen-taulukossa ovat kaikki vuonna {gy} valmistuneet tällä tutkinnolla, kukin kerran, oikealla valmistumisvuodella ja tutkintokoodilla.", qual(q)),
                Lang::Sv => format!("{}, utexaminerade {gy}: i svaret {s}, i Vipunen {v} (skillnad {d}). Kontrollera att placeringstabellen har alla som utexaminerades {gy} med denna examen, var och en en gång, med rätt examensår och examenskod.", qual(q)),
                Lang::En => format!("{}, graduates of {gy}: {s} in the return, {v} in Vipunen (difference {d}). Check that the placement table lists everyone who graduated in {gy} with this qualification, each once, with the right graduation year and qualification code.", qual(q)),
            });
        }
    }
    let what = [
        ("start_places", t(lang, "Aloituspaikat", "Nybörjarplatser", "Start places")),
        ("applicants", t(lang, "Hakijat", "Sökande", "Applicants")),
        ("first_choice_applicants", t(lang, "Ensisijaiset hakijat", "Sökande i första hand", "First-choice applicants")),
    ];
    for r in apps {
        let q = get(r, "qualification_code");
        for (c, label) in &what {
            let ratio_col = if *c == "first_choice_applicants" { "first_choice_ratio".to_owned() } else { format!("{c}_ratio") };
            let (s, v) = (get(r, &format!("survey_{c}")).parse::<f64>().ok(), get(r, &format!("vipunen_{c}")).parse::<f64>().ok());
            let ratio = get(r, &ratio_col).parse::<f64>().ok();
            let flagged = ratio.is_some_and(|x| (x - 1.0).abs() > tol + 1e-9);
            let diff = match (s, v) {
                (Some(s), Some(v)) => Cell::Int((s - v).round() as i64),
                _ => Cell::Empty,
            };
            rows.push(vec![
                Cell::Text(qual(q)),
                Cell::Year(config.year),
                Cell::Text(label.clone()),
                s.map(|v| Cell::Int(v.round() as i64)).unwrap_or(Cell::Empty),
                v.map(|v| Cell::Int(v.round() as i64)).unwrap_or(Cell::Empty),
                diff,
                ratio.map(Cell::Ratio).unwrap_or(Cell::Empty),
                Cell::Text(labels::code(lang, if flagged { "true" } else { "false" }).unwrap_or("").to_owned()),
            ]);
            if flagged {
                let (s, v) = (s.unwrap_or(0.0), v.unwrap_or(0.0));
                why.push(match lang {
                    Lang::Fi => format!("{}, {}: palautuksessa {s}, Vipusessa {v}. Tarkistakaa Opiskelijat-taulukon luku: yhteishaun luvut ovat Opetushallituksen hakupalvelusta (hakijat henkilöinä, ei hakemuksina).", qual(q), label.to_lowercase()),
                    Lang::Sv => format!("{}, {}: i svaret {s}, i Vipunen {v}. Kontrollera siffran i studerandetabellen: gemensamma ansökans siffror kommer från Utbildningsstyrelsens ansökningstjänst (sökande som personer, inte ansökningar).", qual(q), label.to_lowercase()),
                    Lang::En => format!("{}, {}: {s} in the return, {v} in Vipunen. Check the figure in the students table: the joint application's figures come from the Finnish National Agency for Education (applicants as persons, not applications).", qual(q), label.to_lowercase()),
                });
            }
        }
    }
    let header = vec![
        labels::column(lang, "qualification_code").to_owned(),
        t(lang, "Vuosi", "År", "Year"),
        t(lang, "Luku", "Siffra", "Figure"),
        t(lang, "Palautus", "Svaret", "Return"),
        "Vipunen".to_owned(),
        t(lang, "Ero", "Skillnad", "Difference"),
        t(lang, "Suhde", "Kvot", "Ratio"),
        t(lang, "Yli toleranssin", "Över toleransen", "Beyond the tolerance"),
    ];
    let pct = labels::percent(lang, tol);
    let table = Table {
        id: "reconciliation",
        title: t(lang, "Palautus Vipusen lukuihin verrattuna", "Svaret jämfört med Vipunen", "Your return against Vipunen"),
        note: match lang {
            Lang::Fi => format!("Suhde = palautus / Vipunen; yli {pct}:n poikkeama merkitään tarkistettavaksi."),
            Lang::Sv => format!("Kvot = svaret / Vipunen; en avvikelse över {pct} markeras för kontroll."),
            Lang::En => format!("Ratio = return / Vipunen; a difference beyond {pct} is flagged for checking."),
        },
        header,
        rows,
    };
    (table, why)
}

impl Model {
    /// The tables in the order the page and the workbook show them.
    pub fn tables(&self) -> Vec<&Table> {
        [&self.classes, &self.detail, &self.enrolment, &self.intake, &self.reconciliation].into_iter().flatten().collect()
    }
}
