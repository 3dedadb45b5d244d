//! The feedback workbook a school gets back: a summary sheet listing every finding in the
//! school's language, then a copy of the school's own sheets with each offending cell
//! highlighted (red for errors, yellow for warnings) and the message attached as a note.
//!
//! In: the return's bytes, its [`ReadOutcome`] and the language. Out: `.xlsx` bytes. Personal
//! data never leaves `raw/`: a henkilötunnus and the contact person are blanked in the copy.

use std::io::Cursor;
use calamine::{Reader, open_workbook_auto_from_rs};
use std::collections::BTreeMap;
use rust_xlsxwriter::{Color, Format, Note, XlsxError};

use super::cells::Cell;
use super::contract::DetailKey;
use super::findings::{Finding, Severity};
use super::{ReadOutcome, hetu};
use crate::domain::{Lang, fold};
use crate::files;

fn t(lang: Lang, key: &str) -> &'static str {
    let v = match key {
        "summary" => ("Palaute", "Respons", "Feedback"),
        "title" => ("Palaute vastauksesta", "Respons på svaret", "Feedback on the return"),
        "year" => ("Tilastovuosi", "Statistikår", "Statistical year"),
        "file" => ("Tiedosto", "Fil", "File"),
        "accepted" => (
            "Hyväksytty: luvut ovat mukana tilastossa.",
            "Godkänt: siffrorna ingår i statistiken.",
            "Accepted: the figures are included in the statistics.",
        ),
        "quarantined" => (
            "Ei hyväksytty: korjaa virheet ja lähetä tiedosto uudelleen. Luvut eivät ole mukana tilastossa.",
            "Inte godkänt: rätta felen och skicka filen på nytt. Siffrorna ingår inte i statistiken.",
            "Not accepted: fix the errors and send the file again. The figures are not in the statistics.",
        ),
        "none" => ("Ei huomautettavaa. Kiitos!", "Inget att anmärka. Tack!", "Nothing to remark. Thank you!"),
        "severity" => ("Vakavuus", "Allvarlighet", "Severity"),
        "sheet" => ("Välilehti", "Flik", "Sheet"),
        "cell" => ("Solu", "Cell", "Cell"),
        "rule" => ("Sääntö", "Regel", "Rule"),
        "value" => ("Arvo", "Värde", "Value"),
        "expected" => ("Odotettu", "Väntat", "Expected"),
        "message" => ("Viesti", "Meddelande", "Message"),
        "error" => ("virhe", "fel", "error"),
        "warning" => ("huomautus", "anmärkning", "warning"),
        "removed" => ("[poistettu]", "[borttaget]", "[removed]"),
        _ => ("", "", ""),
    };
    lang.pick(&v)
}

/// Cells named by a finding's cell text: `E2`, `E2:L2 / D2`, or a row number `3` (its first
/// column). Zero-based `(row, col)` pairs.
pub fn cells_of(cell: &str) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for part in cell.split(['/', ',']).map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once(':').unwrap_or((part, part));
        match (parse_a1(a), parse_a1(b)) {
            (Some((r0, c0)), Some((r1, c1))) => {
                for r in r0.min(r1)..=r0.max(r1) {
                    for c in c0.min(c1)..=c0.max(c1) {
                        out.push((r, c));
                    }
                }
            }
            _ => {
                if let Ok(row) = part.parse::<u32>() {
                    out.extend(row.checked_sub(1).map(|r| (r, 0)));
                }
            }
        }
    }
    out
}

/// `B7` → `(6, 1)`.
fn parse_a1(s: &str) -> Option<(u32, u32)> {
    let letters: String = s.chars().take_while(char::is_ascii_uppercase).collect();
    let digits = &s[letters.len()..];
    if letters.is_empty() || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let col = letters.bytes().fold(0u32, |a, b| a * 26 + u32::from(b - b'A' + 1)) - 1;
    Some((digits.parse::<u32>().ok()?.checked_sub(1)?, col))
}

/// Writes the feedback workbook for one return.
pub fn write(bytes: &[u8], outcome: &ReadOutcome, school: Option<&str>, year: i32, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut book = files::workbook();
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    let error_fill = Format::new().set_background_color(Color::RGB(0xFFC7CE)).set_font_color(Color::RGB(0x9C0006));
    let warning_fill = Format::new().set_background_color(Color::RGB(0xFFEB9C)).set_font_color(Color::RGB(0x9C5700));
    let sev = |f: &Finding| t(lang, if f.severity == Severity::Error { "error" } else { "warning" });

    let summary = book.add_worksheet();
    summary.set_name(t(lang, "summary"))?;
    summary.write_string_with_format(0, 0, format!("{} — {}", t(lang, "title"), school.unwrap_or(&outcome.file)), &title)?;
    summary.write_string(1, 0, format!("{}: {year}    {}: {}", t(lang, "year"), t(lang, "file"), outcome.file))?;
    let verdict = if outcome.accepted() { "accepted" } else { "quarantined" };
    let verdict_format = if outcome.accepted() { bold.clone() } else { error_fill.clone().set_bold() };
    summary.merge_range(2, 0, 2, 6, t(lang, verdict), &verdict_format)?;
    let headers = ["severity", "sheet", "cell", "rule", "value", "expected", "message"];
    for (c, h) in headers.iter().enumerate() {
        summary.write_string_with_format(4, c as u16, t(lang, h), &bold)?;
    }
    for (i, f) in outcome.findings.iter().enumerate() {
        let r = 5 + i as u32;
        let fill = if f.is_error() { &error_fill } else { &warning_fill };
        summary.write_string_with_format(r, 0, sev(f), fill)?;
        summary.write_string(r, 1, f.sheet.as_deref().unwrap_or(""))?;
        summary.write_string(r, 2, f.cell.as_deref().unwrap_or(""))?;
        summary.write_string(r, 3, f.rule.code())?;
        // The placeholder of personal data in the school's language, as in the message.
        let shown = |v: &Option<String>| match v.as_deref() {
            Some(super::findings::REMOVED) => lang.pick(&super::findings::REMOVED_IN).to_owned(),
            v => v.unwrap_or("").to_owned(),
        };
        summary.write_string(r, 4, shown(&f.value))?;
        summary.write_string(r, 5, shown(&f.expected))?;
        summary.write_string(r, 6, f.message(lang))?;
    }
    if outcome.findings.is_empty() {
        summary.write_string(5, 0, t(lang, "none"))?;
    }
    for (c, w) in [12, 16, 14, 24, 18, 24, 90].iter().enumerate() {
        summary.set_column_width(c as u16, *w)?;
    }
    summary.set_freeze_panes(5, 0)?;
    summary.set_landscape().set_print_fit_to_pages(1, 0);

    // The school's own sheets, when the file could be read at all.
    // Within the reader's limits: a file over one gets the summary alone.
    let sheets = std::panic::catch_unwind(|| {
        let grids = super::read::sheets_within_limits(bytes)?;
        // A sheet hidden in the return (the template's drop-down lists) stays hidden in the copy.
        // The file is within the limits here, so opening it again for the sheet list is bounded.
        let hidden: Vec<String> = open_workbook_auto_from_rs(Cursor::new(bytes))
            .map(|s| s.sheets_metadata().iter().filter(|s| s.visible != calamine::SheetVisible::Visible).map(|s| s.name.clone()).collect())
            .unwrap_or_default();
        Some(grids.into_iter().map(|(n, g)| (hidden.contains(&n), n, g)).collect::<Vec<_>>())
    });
    let Ok(Some(sheets)) = sheets else {
        return book.save_to_buffer();
    };
    let mut marks: BTreeMap<(String, u32, u32), Vec<&Finding>> = BTreeMap::new();
    for f in &outcome.findings {
        if let (Some(sheet), Some(cell)) = (&f.sheet, &f.cell) {
            for (r, c) in cells_of(cell) {
                marks.entry((sheet.clone(), r, c)).or_default().push(f);
            }
        }
    }
    let contact_keys: Vec<String> = Lang::ALL.iter().map(|l| fold(l.pick(&DetailKey::Contact.labels()))).collect();
    for (hidden, name, grid) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_hidden(hidden);
        // The summary sheet's name is taken; a school sheet of the same name gets a suffix.
        let own = if name == t(lang, "summary") { format!("{name} (1)") } else { name.clone() };
        sheet.set_name(&own)?;
        let mut contact_row = None;
        for (r, c, cell) in grid.cells() {
            if contact_row == Some(r) {
                sheet.write_string(r, c as u16, t(lang, "removed"))?;
                continue;
            }
            if contact_keys.contains(&fold(&cell.text())) {
                contact_row = Some(r);
            }
            let found = marks.get(&(name.clone(), r, c));
            let format = found.map(|fs| if fs.iter().any(|f| f.is_error()) { &error_fill } else { &warning_fill });
            let col = c as u16;
            match (cell, format) {
                (Cell::Text(s), _) if hetu::contains_hetu(s) => {
                    sheet.write_string_with_format(r, col, t(lang, "removed"), &error_fill)?;
                }
                (Cell::Number(n), Some(fmt)) => {
                    sheet.write_number_with_format(r, col, *n, fmt)?;
                }
                (Cell::Number(n), None) => {
                    sheet.write_number(r, col, *n)?;
                }
                (other, Some(fmt)) => {
                    sheet.write_string_with_format(r, col, other.text(), fmt)?;
                }
                (other, None) => {
                    sheet.write_string(r, col, other.text())?;
                }
            }
        }
        // Empty offending cells are highlighted too, and every marked cell gets its messages.
        for ((_, r, c), fs) in marks.range((name.clone(), 0, 0)..=(name.clone(), u32::MAX, u32::MAX)) {
            if grid.get(*r, *c).is_empty() {
                let fill = if fs.iter().any(|f| f.is_error()) { &error_fill } else { &warning_fill };
                sheet.write_blank(*r, *c as u16, fill)?;
            }
            let mut lines: Vec<String> = Vec::new();
            for f in fs {
                let line = format!("{} ({}): {}", sev(f), f.rule.code(), f.message(lang));
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
            sheet.insert_note(*r, *c as u16, &Note::new(lines.join("\n")).set_author("kooste").set_width(360).set_height(120))?;
        }
        sheet.autofit();
        sheet.set_landscape().set_print_fit_to_pages(1, 0);
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_of_findings() {
        assert_eq!(cells_of("B7"), vec![(6, 1)]);
        assert_eq!(cells_of("E2:G2 / D2"), vec![(1, 4), (1, 5), (1, 6), (1, 3)]);
        assert_eq!(cells_of("3"), vec![(2, 0)]);
        assert_eq!(cells_of("AA10"), vec![(9, 26)]);
        assert!(cells_of("").is_empty());
    }
}
