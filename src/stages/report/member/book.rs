//! `members/<member>/tables.xlsx`: the report's tables as sheets (numbers as numbers, the
//! published symbols as text on grey), after a first sheet saying whose figures these are,
//! that they are confidential, and how the return fared.

use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

use super::model::{Cell, Model};
use super::text;
use crate::files;
use crate::{Error, Result};

/// Writes the workbook.
pub fn write(model: &Model, path: &Path) -> Result<()> {
    let xerr = |source| Error::Xlsx { path: path.to_owned(), source };
    let lang = model.lang;
    let mut book = files::workbook();
    let bold = Format::new().set_bold();
    let header = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Top).set_border_bottom(FormatBorder::Thin);
    let int = Format::new().set_num_format("#,##0");
    let year = Format::new().set_num_format("0");
    let pct = Format::new().set_num_format("0.0 %");
    let ratio = Format::new().set_num_format("0.00");
    let hidden = Format::new().set_align(FormatAlign::Right).set_font_color(Color::RGB(0x5A5A5A)).set_background_color(Color::RGB(0xEDEDED));
    let red = Format::new().set_bold().set_font_color(Color::RGB(0xB41E1E));
    let note = Format::new().set_italic().set_font_color(Color::RGB(0x505050));

    // The first sheet: whose, confidential, the return's state and findings.
    let sheet = book.add_worksheet();
    sheet.set_name(text::about_sheet(lang)).map_err(xerr)?;
    sheet.set_column_width(0, 28).map_err(xerr)?;
    sheet.set_column_width(1, 90).map_err(xerr)?;
    sheet.write_string_with_format(0, 0, &text::title(model), &bold).map_err(xerr)?;
    sheet.write_string_with_format(1, 0, text::confidential(lang), &red).map_err(xerr)?;
    let mut r = 3u32;
    if let Some(n) = &model.note {
        sheet.write_string_with_format(2, 0, n, &red).map_err(xerr)?;
    }
    sheet.write_string_with_format(r, 0, text::state_heading(lang), &bold).map_err(xerr)?;
    sheet.write_string(r, 1, &text::state_line(model)).map_err(xerr)?;
    r += 1;
    for f in &model.findings {
        let place = [f.file.as_str(), f.sheet.as_deref().unwrap_or(""), f.cell.as_deref().unwrap_or("")].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
        sheet.write_string(r, 0, &format!("{} ({})", text::severity(lang, f.is_error()), f.rule.code())).map_err(xerr)?;
        sheet.write_string(r, 1, &format!("{place}: {}", f.message(lang))).map_err(xerr)?;
        r += 1;
    }
    r += 1;
    for s in &model.sources {
        sheet.write_string_with_format(r, 0, s, &note).map_err(xerr)?;
        r += 1;
    }
    for l in &model.legend {
        sheet.write_string_with_format(r, 0, l, &note).map_err(xerr)?;
        r += 1;
    }

    for table in model.tables() {
        let sheet = book.add_worksheet();
        sheet.set_name(text::sheet_name(lang, table.id)).map_err(xerr)?;
        sheet.write_string_with_format(0, 0, &table.title, &bold).map_err(xerr)?;
        sheet.write_string_with_format(1, 0, &table.note, &note).map_err(xerr)?;
        sheet.write_string_with_format(2, 0, text::confidential(lang), &red).map_err(xerr)?;
        let top = 4u32;
        let mut widths = vec![8usize; table.header.len()];
        for (c, h) in table.header.iter().enumerate() {
            sheet.write_string_with_format(top, c as u16, h, &header).map_err(xerr)?;
            widths[c] = widths[c].max(h.chars().count().min(18));
        }
        for (i, row) in table.rows.iter().enumerate() {
            let rr = top + 1 + i as u32;
            for (c, cell) in row.iter().enumerate() {
                let cc = c as u16;
                match cell {
                    Cell::Text(s) => {
                        sheet.write_string(rr, cc, s).map_err(xerr)?;
                        widths[c] = widths[c].max(s.chars().count().min(40));
                    }
                    Cell::Year(y) => {
                        sheet.write_number_with_format(rr, cc, f64::from(*y), &year).map_err(xerr)?;
                    }
                    Cell::Int(n) => {
                        sheet.write_number_with_format(rr, cc, *n as f64, &int).map_err(xerr)?;
                    }
                    Cell::Share(v) => {
                        sheet.write_number_with_format(rr, cc, *v, &pct).map_err(xerr)?;
                    }
                    Cell::Ratio(v) => {
                        sheet.write_number_with_format(rr, cc, *v, &ratio).map_err(xerr)?;
                    }
                    Cell::Symbol(s) => {
                        sheet.write_string_with_format(rr, cc, s, &hidden).map_err(xerr)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            sheet.set_column_width(c as u16, *w as f64 + 2.0).map_err(xerr)?;
        }
        sheet.set_freeze_panes(top + 1, 0).map_err(xerr)?;
        if table.id == "reconciliation" {
            let mut rr = top + 2 + table.rows.len() as u32;
            for e in &model.explanations {
                sheet.write_string(rr, 0, e).map_err(xerr)?;
                rr += 1;
            }
        }
    }
    let bytes = book.save_to_buffer().map_err(xerr)?;
    files::write_bytes(path, &bytes)?;
    Ok(())
}
