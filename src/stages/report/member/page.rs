//! `members/<member>/report.html`: one self-contained page in the member's language, built
//! with the public report's page parts ([`super::super::html`]: the same head, fonts, tables,
//! figures and their accessibility), and marked confidential at its top and its foot.

use std::fmt::Write;

use super::super::html::{self, Figure};
use super::model::{Model, Table};
use super::text;
use crate::charts::{DataTable, escape};

/// The confidentiality banner's style: white on dark red (7.9:1).
const CONFIDENTIAL_STYLE: &str = ".confidential{color:#fff;background:#8a1c1c;padding:.4rem .7rem;font-weight:700;display:inline-block}";

/// A model table as the page shows it.
pub fn data_table(model: &Model, table: &Table) -> DataTable {
    DataTable { header: table.header.clone(), rows: table.rows.iter().map(|r| r.iter().map(|c| c.show(model.lang)).collect()).collect() }
}

/// The page: the state of the return first, then the charts (each beside its full table),
/// the detail, the reconciliation, the findings, the symbols and the sources.
pub fn render(model: &Model, figures: &[(Figure, &'static str)], run_id: &str) -> String {
    let lang = model.lang;
    let title = text::title(model);
    let mut out = html::head(lang, &title, CONFIDENTIAL_STYLE);
    let _ = write!(out, "<header><h1>{}</h1><p class=\"confidential\" role=\"note\">{}</p>", escape(&title), escape(text::confidential(lang)));
    if let Some(n) = &model.note {
        let _ = write!(out, "<p class=\"note\">{}</p>", escape(n));
    }
    let _ = write!(out, "</header><main><h2 id=\"state\">{}</h2><p class=\"state\">{}</p>", escape(text::state_heading(lang)), escape(&text::state_line(model)));
    if model.state != super::model::ReturnState::Accepted {
        let _ = write!(out, "<p>{}</p>", escape(text::no_survey(lang)));
    }
    let legend = &model.legend;
    // The charts, each with the table it is drawn from.
    let mut shown = Vec::new();
    for (f, table_id) in figures {
        if let Some(t) = model.tables().into_iter().find(|t| t.id == *table_id) {
            html::figure_with(&mut out, lang, f, (&t.title, &t.note, &data_table(model, t)), legend);
            shown.push(*table_id);
        }
    }
    for t in model.tables() {
        if shown.contains(&t.id) {
            continue;
        }
        let _ = write!(out, "<h2 id=\"{}\">{}</h2><p>{}</p>", t.id, escape(&t.title), escape(&t.note));
        html::table(&mut out, t.id, &t.title, &data_table(model, t), legend, lang);
        if t.id == "reconciliation" {
            let _ = write!(out, "<h3>{}</h3>", escape(text::explain_heading(lang)));
            if model.explanations.is_empty() {
                let _ = write!(out, "<p>{}</p>", escape(text::all_within(lang)));
            }
            out.push_str("<ul>");
            for e in &model.explanations {
                let _ = write!(out, "<li>{}</li>", escape(e));
            }
            out.push_str("</ul>");
        }
    }
    let _ = write!(out, "<h2 id=\"findings\">{}</h2>", escape(text::findings_heading(lang)));
    if model.findings.is_empty() {
        let _ = write!(out, "<p>{}</p>", escape(text::no_findings(lang)));
    } else {
        let d = DataTable {
            header: text::findings_header(lang),
            rows: model
                .findings
                .iter()
                .map(|f| {
                    let place = [f.file.as_str(), f.sheet.as_deref().unwrap_or(""), f.cell.as_deref().unwrap_or("")].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
                    vec![format!("{} ({})", text::severity(lang, f.is_error()), f.rule.code()), place, f.message(lang).to_owned()]
                })
                .collect(),
        };
        html::table(&mut out, "findings-table", text::findings_heading(lang), &d, legend, lang);
    }
    html::legend_and_sources(&mut out, lang, legend, &model.sources);
    let _ = write!(out, "</main><footer class=\"meta\"><p class=\"confidential\">{}</p>", escape(text::confidential(lang)));
    html::foot(&mut out, run_id);
    out
}
