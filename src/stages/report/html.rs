//! `output/<year>/<lang>/report.html`: one self-contained page per language — every chart as
//! inline SVG with its alt text and its data table beside it, the returns' findings and the
//! quarantined returns, the suppression legend, the sources and the run id. No network: the
//! font is embedded once (`@font-face` with a data URL), styles are inline, there is no script.

use std::fmt::Write;

use base64::Engine;

use crate::charts::{DataTable, escape};
use crate::domain::Lang;
use crate::record::ReturnsSummary;

/// One chart of the page.
pub struct Figure {
    /// The chart's id (its file name).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its alt text.
    pub alt: String,
    /// The SVG document.
    pub svg: String,
    /// Its figures.
    pub data: DataTable,
}

/// What the page says besides the charts.
pub struct Page<'a> {
    /// Language.
    pub lang: Lang,
    /// Statistical year.
    pub year: i32,
    /// The run that wrote it.
    pub run_id: &'a str,
    /// The charts.
    pub figures: Vec<Figure>,
    /// The returns read.
    pub returns: &'a ReturnsSummary,
    /// Legend lines of the suppression symbols.
    pub legend: Vec<String>,
    /// Source lines.
    pub sources: Vec<String>,
    /// The synthetic-data note, when it applies.
    pub note: Option<String>,
    /// Whom the survey figures cover: its lines, and every member with whether it is in.
    pub coverage: Option<(Vec<String>, DataTable)>,
}

fn t(lang: Lang, fi: &'static str, sv: &'static str, en: &'static str) -> &'static str {
    lang.pick(&(fi, sv, en))
}

/// The accessible text of the suppression symbols, from the legend lines (`SYM = text`): the
/// symbol, its explanation (a tooltip) and a short text for screen readers.
struct Symbols(Vec<(String, String, String)>);

impl Symbols {
    fn of(lang: Lang, legend: &[String]) -> Self {
        let suppressed = t(lang, "salattu", "skyddat", "suppressed");
        Symbols(
            legend
                .iter()
                .filter_map(|l| l.split_once(" = "))
                .map(|(sym, text)| {
                    // "1–4 henkilöä: salattu, …" → "1–4 henkilöä, salattu"; ".. = salattu, …" → "salattu".
                    let short = match text.split_once(':') {
                        Some((range, _)) => format!("{range}, {suppressed}"),
                        None => suppressed.to_owned(),
                    };
                    (sym.to_owned(), text.to_owned(), short)
                })
                .collect(),
        )
    }

    /// A cell's content: the symbol shown, its text for screen readers.
    fn cell(&self, text: &str) -> String {
        match self.0.iter().find(|(sym, _, _)| sym == text) {
            Some((sym, long, short)) => format!(
                "<span title=\"{}\" aria-hidden=\"true\">{}</span><span class=\"vh\">{}</span>",
                escape(long),
                escape(sym),
                escape(short)
            ),
            None => escape(text),
        }
    }
}

/// A table in a region that scrolls sideways when the table is wider than the page, reachable
/// and scrollable with the keyboard, named by the table's caption.
fn table_html(out: &mut String, id: &str, caption: &str, d: &DataTable, symbols: &Symbols) {
    let _ = write!(
        out,
        "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"{id}-caption\"><table><caption id=\"{id}-caption\">{}</caption><thead><tr>",
        escape(caption)
    );
    for h in &d.header {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &d.rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(out, "<th scope=\"row\">{}</th>", symbols.cell(c));
            } else {
                let _ = write!(out, "<td>{}</td>", symbols.cell(c));
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
}

/// A chart's SVG as the page inlines it: named by its title alone and described by the text
/// alternative under it, so a screen reader reads the description once (the standalone SVG's
/// `<desc>` is left out).
fn inline_svg(svg: &str, id: &str) -> String {
    let mut s = svg.replacen(&format!("aria-describedby=\"{id}-desc\""), &format!("aria-describedby=\"{id}-alt\""), 1);
    if let (Some(a), Some(b)) = (s.find("<desc"), s.find("</desc>")) {
        s.replace_range(a..b + "</desc>".len(), "");
    }
    s
}

/// The page.
pub fn render(p: &Page<'_>) -> String {
    let lang = p.lang;
    let title = format!("{} {}", t(lang, "Konservatorioiden tilastot", "Konservatoriernas statistik", "Conservatory statistics"), p.year);
    let mut out = head(lang, &title, "");
    let _ = write!(out, "<header><h1>{}</h1>", escape(&title));
    if let Some(n) = &p.note {
        let _ = write!(out, "<p class=\"note\">{}</p>", escape(n));
    }
    let _ = write!(out, "<p class=\"meta\">{}: {}</p></header><main>", t(lang, "Ajo", "Körning", "Run"), escape(p.run_id));
    let symbols = Symbols::of(lang, &p.legend);
    // Whom the figures cover, before any of them.
    if let Some((lines, members)) = &p.coverage {
        let _ = write!(out, "<h2 id=\"coverage\">{}</h2>", escape(crate::collection::publish::heading(lang)));
        for l in lines {
            let _ = write!(out, "<p>{}</p>", escape(l));
        }
        table_html(&mut out, "coverage-table", t(lang, "Jäsenet", "Medlemmarna", "The members"), members, &symbols);
    }
    for f in &p.figures {
        figure(&mut out, lang, f, None, &symbols);
    }
    // The returns.
    let _ = write!(out, "<h2>{}</h2>", t(lang, "Jäsenkyselyn palautukset", "Medlemsenkätens svar", "Survey returns"));
    let _ = write!(
        out,
        "<p>{}: {} · {}: {} · {}: {} · {}: {}</p>",
        t(lang, "Hyväksytty", "Godkända", "Accepted"),
        p.returns.accepted,
        t(lang, "Karanteenissa", "I karantän", "Quarantined"),
        p.returns.quarantined.len(),
        t(lang, "Virheitä", "Fel", "Errors"),
        p.returns.errors,
        t(lang, "Varoituksia", "Varningar", "Warnings"),
        p.returns.warnings
    );
    if !p.returns.quarantined.is_empty() {
        let d = DataTable {
            header: vec![
                t(lang, "Tiedosto", "Fil", "File").into(),
                t(lang, "Jäsen", "Medlem", "Member").into(),
                t(lang, "Virheitä", "Fel", "Errors").into(),
                t(lang, "Ensimmäinen virhe", "Första felet", "First error").into(),
            ],
            rows: p
                .returns
                .quarantined
                .iter()
                .map(|q| vec![q.file.clone(), q.member.clone().unwrap_or_default(), q.errors.to_string(), q.first_error.clone().unwrap_or_default()])
                .collect(),
        };
        table_html(
            &mut out,
            "quarantined",
            t(lang, "Julkaistuista luvuista pois jätetyt palautukset", "Svar som lämnats utanför de publicerade siffrorna", "Returns left out of the published figures"),
            &d,
            &symbols,
        );
    }
    legend_and_sources(&mut out, lang, &p.legend, &p.sources);
    let _ = write!(out, "</main><footer class=\"meta\">");
    foot(&mut out, p.run_id);
    out
}

// The page parts, shared with the member reports (`member/page.rs`).

/// The document's head and the opening of its body: the embedded fonts and the styles
/// (`extra`: styles of one kind of page).
pub(super) fn head(lang: Lang, title: &str, extra: &str) -> String {
    let (regular, bold) = fonts_base64();
    let mut out = String::with_capacity(400_000);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{extra}\
         @font-face{{font-family:'Noto Sans';font-weight:400;src:url(data:font/ttf;base64,{r}) format('truetype')}}\
         @font-face{{font-family:'Noto Sans';font-weight:700;src:url(data:font/ttf;base64,{b}) format('truetype')}}\
         body{{font-family:'Noto Sans',sans-serif;color:#212121;margin:2rem auto;max-width:1500px;padding:0 1.5rem;line-height:1.45}}\
         h1{{font-size:1.8rem;margin-bottom:.2rem}} h2{{font-size:1.3rem;margin-top:2.5rem;border-bottom:1px solid #ddd}}\
         .note{{color:#b41e1e;font-weight:700}} .meta{{color:#606060;font-size:.9rem}}\
         div.figure{{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}}\
         div.figure figure{{margin:0;flex:1 1 760px;max-width:900px}} div.figure svg{{width:100%;height:auto}}\
         figcaption{{color:#505050;font-size:.85rem}} div.figure .data{{flex:1 1 380px;min-width:0}}\
         .scroll{{overflow-x:auto;max-width:100%;position:relative}} .scroll:focus-visible{{outline:2px solid #0072b2;outline-offset:2px}}\
         .vh{{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}}\
         @media (max-width:700px){{body{{margin:1rem auto;padding:0 .75rem}} h1{{font-size:1.4rem}}\
         div.figure figure{{flex-basis:100%;max-width:100%;min-width:0}} div.figure .chart svg{{width:640px;max-width:none}}}}\
         table{{border-collapse:collapse;font-size:.85rem}} caption{{text-align:left;font-weight:700;padding-bottom:.3rem}}\
         th,td{{border-bottom:1px solid #e5e5e5;padding:.2rem .5rem}} td{{text-align:right;font-variant-numeric:tabular-nums}}\
         thead th{{text-align:right;vertical-align:bottom}} thead th:first-child,tbody th{{text-align:left;font-weight:400}}\
         </style></head><body>",
        code = lang.code(),
        title = escape(title),
        r = regular,
        b = bold,
    );
    out
}

/// The pages' fonts: Noto Sans cut down to the Latin scripts and the signs the report uses
/// (`assets/fonts/subset.sh` says which), about 50 KB a face instead of 500 KB. Every page
/// carries them, so a member's page weighs about 0.2 MB, not 1.4 MB; a character outside them
/// falls back to the reader's sans-serif. The charts' PNGs are drawn with the full fonts.
const WEB_FONTS: (&[u8], &[u8]) = (
    include_bytes!("../../../assets/fonts/NotoSans-Regular-web.ttf"),
    include_bytes!("../../../assets/fonts/NotoSans-Bold-web.ttf"),
);

/// The embedded fonts in base64, encoded once per process (every page carries them).
fn fonts_base64() -> (&'static str, &'static str) {
    static ENCODED: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    let (r, b) = ENCODED.get_or_init(|| {
        let b64 = base64::engine::general_purpose::STANDARD;
        (b64.encode(WEB_FONTS.0), b64.encode(WEB_FONTS.1))
    });
    (r, b)
}

/// A table with its caption, its symbols spoken ([`Symbols`]), in a scroll region.
pub(super) fn table(out: &mut String, id: &str, caption: &str, d: &DataTable, legend: &[String], lang: Lang) {
    table_html(out, id, caption, d, &Symbols::of(lang, legend));
}

/// A chart with its text alternative and, beside it, its figures (or `table`: a note and the
/// fuller table the chart is drawn from).
fn figure(out: &mut String, lang: Lang, f: &Figure, table: Option<(&str, &str, &DataTable)>, symbols: &Symbols) {
    let id = escape(&f.id);
    // At phone width the chart keeps a readable size and scrolls sideways in its region.
    let _ = write!(
        out,
        "<section><h2 id=\"{id}\">{}</h2><div class=\"figure\"><figure><div class=\"chart scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"{id}\">{}</div>\
         <figcaption><details><summary>{}</summary><p id=\"{id}-alt\">{}</p></details></figcaption></figure><div class=\"data\">",
        escape(&f.title),
        inline_svg(&f.svg, &f.id),
        t(lang, "Tekstivastine", "Textalternativ", "Text alternative"),
        escape(&f.alt)
    );
    match table {
        Some((caption, note, d)) => {
            let _ = write!(out, "<p>{}</p>", escape(note));
            table_html(out, &format!("{id}-table"), caption, d, symbols);
        }
        None => {
            let caption = format!("{} – {}", f.title, t(lang, "kuvion luvut", "diagrammets siffror", "the figures in the chart"));
            table_html(out, &format!("{id}-table"), &caption, &f.data, symbols);
        }
    }
    out.push_str("</div></div></section>");
}

/// A chart beside the table it is drawn from (a member report's).
pub(super) fn figure_with(out: &mut String, lang: Lang, f: &Figure, table: (&str, &str, &DataTable), legend: &[String]) {
    figure(out, lang, f, Some(table), &Symbols::of(lang, legend));
}

/// The symbols' legend and the sources.
pub(super) fn legend_and_sources(out: &mut String, lang: Lang, legend: &[String], sources: &[String]) {
    let _ = write!(out, "<h2>{}</h2><ul>", t(lang, "Merkinnät", "Teckenförklaring", "Symbols"));
    for l in legend {
        let _ = write!(out, "<li>{}</li>", escape(l));
    }
    let _ = write!(out, "</ul><h2>{}</h2><ul>", t(lang, "Lähteet", "Källor", "Sources"));
    for s in sources {
        let _ = write!(out, "<li>{}</li>", escape(s));
    }
    out.push_str("</ul>");
}

/// The foot's version and run, and the end of the document.
pub(super) fn foot(out: &mut String, run_id: &str) {
    let _ = write!(out, "<p>kooste {} · {}</p></footer></body></html>\n", env!("CARGO_PKG_VERSION"), escape(run_id));
}
