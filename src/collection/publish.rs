//! What the publications say about whom they cover: the label of the association's survey
//! figures ("Jäsenet, 14/16 vastannut" / "Medlemmar, 14 av 16 svarade" / "Members, 14 of 16
//! responded", "Kaikki jäsenet" / "Alla medlemmar" / "All members" when every member is in), the
//! report's section and the tables workbook's notes sheet.
//!
//! In: the [`Coverage`] ingest persisted in `stages/ingest/coverage.json`. Out: texts and a sheet.

use crate::charts::DataTable;
use crate::charts::labels::{self, Key};
use crate::config::Config;
use crate::domain::Lang;
use crate::stages::{Stage, StageReport};

use super::{Coverage, State};

/// Where ingest persists the coverage.
pub fn path(config: &Config) -> std::path::PathBuf {
    config.stage_dir(Stage::Ingest.name()).join("coverage.json")
}

/// The coverage ingest persisted, recorded as an input of the stage reading it; `None` when
/// ingest wrote none (outputs of an older kooste).
pub fn load(config: &Config, report: &mut StageReport) -> crate::Result<Option<Coverage>> {
    let p = path(config);
    let Ok(bytes) = std::fs::read(&p) else { return Ok(None) };
    report.input(&p)?;
    Ok(serde_json::from_slice(&bytes).ok())
}

/// Logs whom the figures cover (a warning naming the members without a return).
pub fn log(config: &Config, c: &Coverage) {
    tracing::info!(responded = c.responded, members = c.members, "Members in the figures.");
    if !c.missing.is_empty() {
        tracing::warn!(missing = %names(config, &c.missing), "Members without a return: left out of the figures (see `kooste collection`).");
    }
}

/// The label of the association's survey figures: "All members" when every member is in,
/// else "Members, 14 of 16 responded".
pub fn label(c: &Coverage, lang: Lang) -> String {
    if c.complete() {
        return labels::text(lang, Key::AllMembers).to_owned();
    }
    let (r, n) = (c.responded, c.members);
    match lang {
        Lang::Fi => format!("Jäsenet, {r}/{n} vastannut"),
        Lang::Sv => format!("Medlemmar, {r} av {n} svarade"),
        Lang::En => format!("Members, {r} of {n} responded"),
    }
}

/// The label when it differs from "All members" (some member is not in), for the charts.
pub fn partial_label(c: Option<&Coverage>, lang: Lang) -> Option<String> {
    c.filter(|c| !c.complete()).map(|c| label(c, lang))
}

fn names(config: &Config, ids: &[String]) -> String {
    ids.iter().map(|id| config.registry.get(id).map(|m| m.name.clone()).unwrap_or_else(|| id.clone())).collect::<Vec<_>>().join(", ")
}

fn t(lang: Lang, fi: &'static str, sv: &'static str, en: &'static str) -> &'static str {
    lang.pick(&(fi, sv, en))
}

/// The section's heading.
pub fn heading(lang: Lang) -> &'static str {
    t(lang, "Ketä luvut koskevat", "Vilka siffrorna gäller", "Whom the figures cover")
}

/// The lines saying whom the figures cover: the count (`13/16`), then the members missing,
/// quarantined, and the replaced files.
pub fn lines(config: &Config, c: &Coverage, lang: Lang) -> Vec<String> {
    let (r, n) = (c.responded, c.members);
    let mut out = vec![match lang {
        Lang::Fi => format!("{}: jäsenkyselyn luvuissa ovat mukana {r}/{n} jäsenen vastaukset.", label(c, lang)),
        Lang::Sv => format!("{}: medlemsenkätens siffror omfattar svaren från {r} av {n} medlemmar ({r}/{n}).", label(c, lang)),
        Lang::En => format!("{}: the member survey's figures include the returns of {r} of {n} members ({r}/{n}).", label(c, lang)),
    }];
    if !c.missing.is_empty() {
        out.push(format!("{}: {}.", t(lang, "Vastaus puuttuu", "Svar saknas", "No return"), names(config, &c.missing)));
    }
    if !c.quarantined.is_empty() {
        out.push(format!(
            "{}: {}.",
            t(lang, "Karanteenissa, ei mukana luvuissa", "I karantän, inte med i siffrorna", "Quarantined, left out of the figures"),
            names(config, &c.quarantined)
        ));
    }
    for rep in &c.replaced {
        // In words, not an arrow: a screen reader says it, and the pages' font has it.
        out.push(format!(
            "{}: {} ({}: {}).",
            t(lang, "Korvattu uudemmalla palautuksella (ei luettu)", "Ersatt av ett nyare svar (inte läst)", "Replaced by a newer return (not read)"),
            rep.file,
            t(lang, "uudempi", "nyare", "newer"),
            rep.by
        ));
    }
    out
}

/// Every member of the year with whether its return is in the figures, as a table.
pub fn table(config: &Config, c: &Coverage, lang: Lang) -> DataTable {
    let state = |id: &String| {
        if c.included.contains(id) {
            t(lang, "mukana", "med", "included")
        } else if c.quarantined.contains(id) {
            State::Quarantined.label(lang)
        } else {
            State::Missing.label(lang)
        }
    };
    let mut ids: Vec<&String> = c.included.iter().chain(&c.quarantined).chain(&c.missing).collect();
    // Registry order.
    ids.sort_by_key(|id| config.registry.members().iter().position(|m| &m.id == *id).unwrap_or(usize::MAX));
    DataTable {
        header: vec![labels::column(lang, "member_id").into(), t(lang, "Luvuissa", "I siffrorna", "In the figures").into()],
        rows: ids.into_iter().map(|id| vec![names(config, std::slice::from_ref(id)), state(id).to_owned()]).collect(),
    }
}

/// Adds the notes sheet ("Huomautukset" / "Anmärkningar" / "Notes") to a tables workbook:
/// whom the survey figures cover, and every member with its state.
pub fn notes_sheet(book: &mut rust_xlsxwriter::Workbook, config: &Config, c: &Coverage, lang: Lang) -> Result<(), rust_xlsxwriter::XlsxError> {
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(t(lang, "Huomautukset", "Anmärkningar", "Notes"))?;
    sheet.write_string_with_format(0, 0, heading(lang), &bold)?;
    let mut r = 1;
    for line in lines(config, c, lang) {
        sheet.write_string(r, 0, &line)?;
        r += 1;
    }
    r += 1;
    let d = table(config, c, lang);
    for (k, h) in d.header.iter().enumerate() {
        sheet.write_string_with_format(r, k as u16, h, &bold)?;
    }
    for row in &d.rows {
        r += 1;
        for (k, v) in row.iter().enumerate() {
            sheet.write_string(r, k as u16, v)?;
        }
    }
    sheet.set_column_width(0, 40)?;
    sheet.set_column_width(1, 20)?;
    Ok(())
}
