//! Opening a return within the reader's [`Limits`]: the package checked from its zip
//! directory first, then each sheet streamed cell by cell (`.xlsx`, `.xlsm`, `.xlsb`) into a
//! sparse [`Grid`] that keeps only the filled cells inside the area a return may use. A value
//! outside that area is a finding at its cell; formatted empty cells are not values. `.xls`
//! and `.ods` are read by calamine whole (its own caps: `.xls` is at most 65 536 × 256 cells)
//! and then go through the same area and cell limits.

use std::io::Cursor;
use std::time::Instant;

use calamine::{DataRef, Reader, Sheets, open_workbook_auto_from_rs};

use super::first_line;
use crate::survey::cells::{Cell, Grid};
use crate::survey::findings::{Finding, Rule, a1};
use crate::survey::limits::{self, Limits};

/// The sheets of a workbook, as far as they could be read, and what was found on the way
/// (sheets that could not be read, values outside the area).
pub(crate) struct Loaded {
    /// Each sheet's name and filled cells, in workbook order.
    pub sheets: Vec<(String, Grid)>,
    /// Findings about single sheets or cells; reading went on.
    pub findings: Vec<Finding>,
}

/// Opens a workbook from its bytes. `Err` holds the findings that stopped the reading: the
/// return is unreadable or over a limit.
pub(crate) fn load(file: &str, bytes: &[u8], limits: &Limits) -> Result<Loaded, Vec<Finding>> {
    let started = Instant::now();
    if bytes.len() as u64 > limits.file_bytes {
        return Err(vec![limits::file_too_large(file, bytes.len() as u64, limits)]);
    }
    limits::check_package(file, bytes, limits).map_err(|f| vec![f])?;
    let mut book = match open_workbook_auto_from_rs(Cursor::new(bytes)) {
        Ok(b) => b,
        Err(e) => return Err(vec![Finding::new(file, Rule::UnreadableFile, Some(first_line(&e.to_string())), None)]),
    };
    let names = book.sheet_names();
    if names.len() > limits.sheets {
        let f = Finding::new(file, Rule::TooManySheets, Some(names.len().to_string()), Some(limits.sheets.to_string()));
        return Err(vec![f]);
    }
    let mut kept = Kept { file, limits, started, cells: 0, text: 0, findings: Vec::new() };
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let mut sheet = SheetCells { name: &name, cells: Vec::new(), stray: 0 };
        let read = match &mut book {
            Sheets::Xlsx(x) => match x.worksheet_cells_reader(&name) {
                Ok(mut cells) => stream(&mut kept, &mut sheet, || cells.next_cell().map_err(|e| e.to_string())),
                Err(e) => Ok(Err(e.to_string())),
            },
            Sheets::Xlsb(x) => match x.worksheet_cells_reader(&name) {
                Ok(mut cells) => stream(&mut kept, &mut sheet, || cells.next_cell().map_err(|e| e.to_string())),
                Err(e) => Ok(Err(e.to_string())),
            },
            other => match other.worksheet_range(&name) {
                Ok(range) => whole(&mut kept, &mut sheet, &range),
                Err(e) => Ok(Err(e.to_string())),
            },
        };
        match read {
            // A limit stops the whole return.
            Err(stop) => {
                kept.findings.push(stop);
                return Err(kept.findings);
            }
            Ok(Err(e)) => {
                let f = Finding::new(file, Rule::UnreadableFile, Some(first_line(&e)), None);
                kept.findings.push(f.on_sheet(&name));
            }
            Ok(Ok(())) => {}
        }
        if sheet.stray > limits.stray_findings {
            let more = sheet.stray - limits.stray_findings;
            tracing::debug!(file, sheet = %name, more, "More values outside the area than are reported one by one.");
        }
        let grid = Grid::from_cells(std::mem::take(&mut sheet.cells));
        sheets.push((name, grid));
    }
    Ok(Loaded { sheets, findings: kept.findings })
}

/// The sheets of a workbook within the default limits, or `None` when it cannot be read or is
/// over a limit: for the feedback workbook's copy of the school's sheets.
pub(crate) fn sheets_within_limits(bytes: &[u8]) -> Option<Vec<(String, Grid)>> {
    load("", bytes, &Limits::DEFAULT).ok().map(|l| l.sheets)
}

/// A borrowed view of a range value, so that one conversion serves both kinds of reader.
fn data_ref(d: &calamine::Data) -> DataRef<'_> {
    use calamine::Data;
    match d {
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::String(s) => DataRef::SharedString(s),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(dt) => DataRef::DateTime(*dt),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
        Data::Empty => DataRef::Empty,
    }
}

/// One sheet's cells while it is read.
struct SheetCells<'n> {
    name: &'n str,
    cells: Vec<(u32, u32, Cell)>,
    /// Values outside the area seen on this sheet.
    stray: usize,
}

/// What the whole return has kept so far, against its limits.
struct Kept<'a> {
    file: &'a str,
    limits: &'a Limits,
    started: Instant,
    cells: usize,
    text: usize,
    findings: Vec<Finding>,
}

impl Kept<'_> {
    /// Keeps one cell, or says which limit stops the reading. Empty cells (formatted, or
    /// blank text) are not values and cost nothing.
    fn push(&mut self, sheet: &mut SheetCells<'_>, row: u32, col: u32, cell: Cell) -> Result<(), Finding> {
        if cell.is_empty() {
            return Ok(());
        }
        let l = self.limits;
        if row >= l.rows || col >= l.cols {
            sheet.stray += 1;
            if sheet.stray <= l.stray_findings {
                let f = Finding::new(self.file, Rule::ValueOutsideArea, Some(cell.text()), Some(l.area()));
                self.findings.push(f.at(sheet.name, a1(row, col)));
            }
            return Ok(());
        }
        self.cells += 1;
        if let Cell::Text(t) = &cell {
            self.text += t.len();
        }
        if self.cells > l.cells {
            let f = Finding::new(self.file, Rule::TooManyCells, Some(format!("> {} cells", l.cells)), Some(format!("{} cells", l.cells)));
            return Err(f.at(sheet.name, a1(row, col)));
        }
        if self.text > l.text_bytes {
            let (v, e) = (format!("> {} of text", limits::size(l.text_bytes as u64)), format!("{} of text", limits::size(l.text_bytes as u64)));
            return Err(Finding::new(self.file, Rule::TooManyCells, Some(v), Some(e)).at(sheet.name, a1(row, col)));
        }
        sheet.cells.push((row, col, cell));
        Ok(())
    }

    /// Whether the time budget is spent.
    fn out_of_time(&self) -> bool {
        self.started.elapsed() > self.limits.time
    }

    fn timeout(&self, sheet: &str, at: Option<(u32, u32)>) -> Finding {
        let secs = |d: std::time::Duration| format!("{} s", d.as_secs());
        let f = Finding::new(self.file, Rule::ReadTimeout, Some(secs(self.started.elapsed())), Some(secs(self.limits.time)));
        match at {
            Some((r, c)) => f.at(sheet, a1(r, c)),
            None => f.on_sheet(sheet),
        }
    }
}

/// Takes the cells of a sheet calamine read whole (`.xls`, `.ods`).
fn whole(kept: &mut Kept<'_>, sheet: &mut SheetCells<'_>, range: &calamine::Range<calamine::Data>) -> Result<Result<(), String>, Finding> {
    if kept.out_of_time() {
        return Err(kept.timeout(sheet.name, None));
    }
    let (r0, c0) = range.start().unwrap_or((0, 0));
    for (r, c, d) in range.used_cells() {
        kept.push(sheet, r0 + r as u32, c0 + c as u32, Cell::from_data_ref(data_ref(d)))?;
    }
    Ok(Ok(()))
}

/// Streams one sheet's cells. `Err` is a limit that stops the return; `Ok(Err)` a sheet that
/// could not be read to its end (what was read is kept).
fn stream<'d>(
    kept: &mut Kept<'_>,
    sheet: &mut SheetCells<'_>,
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'d>>>, String>,
) -> Result<Result<(), String>, Finding> {
    if kept.out_of_time() {
        return Err(kept.timeout(sheet.name, None));
    }
    let mut n: u32 = 0;
    loop {
        match next() {
            Ok(Some(c)) => {
                let (row, col) = c.get_position();
                n = n.wrapping_add(1);
                if n % 1024 == 0 && kept.out_of_time() {
                    return Err(kept.timeout(sheet.name, Some((row, col))));
                }
                let value = c.get_value().clone();
                kept.push(sheet, row, col, Cell::from_data_ref(value))?;
            }
            Ok(None) => return Ok(Ok(())),
            Err(e) => return Ok(Err(e)),
        }
    }
}
