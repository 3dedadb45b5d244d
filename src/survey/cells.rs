//! Cells of a worksheet, as the reader sees them: calamine's values turned into a small enum
//! with absolute coordinates, and the contract's value parsers (counts, years) that say
//! exactly which rule a bad cell breaks.

use calamine::{Data, DataRef, Range};
use chrono::Datelike;

use super::contract::MISSING_MARKERS;
use super::findings::Rule;

/// The error values a spreadsheet formula can leave in a cell.
pub const ERROR_VALUES: [&str; 8] = ["#DIV/0!", "#REF!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA"];

/// One cell's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Nothing there.
    Empty,
    /// Text (trimmed).
    Text(String),
    /// A number (spreadsheets store integers as floats).
    Number(f64),
    /// A date (formatted as one in the workbook); only the year matters here.
    Date {
        /// The year of the date.
        year: i32,
        /// The date as the workbook gave it, for messages.
        shown: String,
    },
    /// TRUE / FALSE.
    Bool(bool),
    /// A spreadsheet error value such as `#DIV/0!`.
    Error(String),
}

impl Cell {
    /// Whether the cell holds nothing.
    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// The cell as text, for matching headers and vocabulary and for messages.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date { shown, .. } => shown.clone(),
            Cell::Bool(b) => b.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }

    /// A value of calamine's streaming readers (no copy of the shared string table).
    pub fn from_data_ref(d: DataRef<'_>) -> Self {
        match d {
            DataRef::SharedString(s) => Self::from_text(s),
            DataRef::String(s) => Self::from_text(&s),
            DataRef::Empty => Cell::Empty,
            other => Self::from_data(&Data::from(other)),
        }
    }

    fn from_text(s: &str) -> Self {
        let t = s.trim();
        if t.is_empty() {
            Cell::Empty
        } else if ERROR_VALUES.contains(&t) {
            // ODS stores a formula's error result as text.
            Cell::Error(t.to_owned())
        } else {
            Cell::Text(t.to_owned())
        }
    }

    fn from_data(d: &Data) -> Self {
        match d {
            Data::Empty => Cell::Empty,
            Data::String(s) => Self::from_text(s),
            Data::Float(f) => Cell::Number(*f),
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Bool(b) => Cell::Bool(*b),
            Data::DateTime(dt) => match dt.as_datetime() {
                Some(t) => Cell::Date { year: t.year(), shown: t.date().format("%d.%m.%Y").to_string() },
                None => Cell::Number(dt.as_f64()),
            },
            Data::DateTimeIso(s) => match s.get(..4).and_then(|y| y.parse().ok()) {
                Some(year) => Cell::Date { year, shown: s.clone() },
                None => Cell::Text(s.clone()),
            },
            Data::DurationIso(s) => Cell::Text(s.clone()),
            Data::Error(e) => Cell::Error(e.to_string()),
        }
    }
}

/// A worksheet's filled cells with absolute coordinates (row 0 = spreadsheet row 1), kept
/// sparse: memory grows with the values, never with the area between them.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    first_row: u32,
    first_col: u32,
    end_col: u32,
    /// Rows from `first_row`, each its filled cells sorted by column.
    rows: Vec<Vec<(u32, Cell)>>,
}

impl Grid {
    /// Converts a calamine range.
    pub fn from_range(range: &Range<Data>) -> Self {
        let (r0, c0) = range.start().unwrap_or((0, 0));
        Self::from_cells(range.used_cells().map(|(r, c, d)| (r0 + r as u32, c0 + c as u32, Cell::from_data(d))).collect())
    }

    /// Builds a grid from rows starting at A1 (for tests).
    pub fn from_rows(rows: Vec<Vec<Cell>>) -> Self {
        let cells = rows
            .into_iter()
            .enumerate()
            .flat_map(|(r, row)| row.into_iter().enumerate().map(move |(c, cell)| (r as u32, c as u32, cell)))
            .collect();
        Self::from_cells(cells)
    }

    /// Builds a grid from cells in any order; empty cells are dropped, and of two values at
    /// one position the later one is kept.
    pub fn from_cells(mut cells: Vec<(u32, u32, Cell)>) -> Self {
        cells.retain(|(_, _, c)| !c.is_empty());
        if cells.is_empty() {
            return Self::default();
        }
        // Stable: the later of two values at one position stays last.
        cells.sort_by_key(|(r, c, _)| (*r, *c));
        let first_row = cells[0].0;
        let last_row = cells[cells.len() - 1].0;
        let first_col = cells.iter().map(|(_, c, _)| *c).min().unwrap_or(0);
        let end_col = cells.iter().map(|(_, c, _)| *c + 1).max().unwrap_or(0);
        let mut rows: Vec<Vec<(u32, Cell)>> = (first_row..=last_row).map(|_| Vec::new()).collect();
        for (r, c, cell) in cells {
            let row = &mut rows[(r - first_row) as usize];
            match row.last_mut() {
                Some(last) if last.0 == c => last.1 = cell,
                _ => row.push((c, cell)),
            }
        }
        Self { first_row, first_col, end_col, rows }
    }

    /// The cell at an absolute position (`Empty` where nothing is).
    pub fn get(&self, row: u32, col: u32) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        if row < self.first_row {
            return &EMPTY;
        }
        let Some(cells) = self.rows.get((row - self.first_row) as usize) else { return &EMPTY };
        match cells.binary_search_by_key(&col, |(c, _)| *c) {
            Ok(i) => &cells[i].1,
            Err(_) => &EMPTY,
        }
    }

    /// Absolute row numbers from the first filled row to the last.
    pub fn row_numbers(&self) -> std::ops::Range<u32> {
        self.first_row..self.first_row + self.rows.len() as u32
    }

    /// Absolute column numbers from the first filled column to the last.
    pub fn col_numbers(&self) -> std::ops::Range<u32> {
        if self.rows.is_empty() { 0..0 } else { self.first_col..self.end_col }
    }

    /// Every non-empty cell with its absolute position, row by row.
    pub fn cells(&self) -> impl Iterator<Item = (u32, u32, &Cell)> {
        self.rows
            .iter()
            .enumerate()
            .flat_map(move |(r, row)| row.iter().map(move |(c, cell)| (self.first_row + r as u32, *c, cell)))
    }

    /// The filled cells of one row, by column.
    pub fn row(&self, row: u32) -> &[(u32, Cell)] {
        row.checked_sub(self.first_row).and_then(|i| self.rows.get(i as usize)).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether every cell of a row is empty.
    pub fn row_is_blank(&self, row: u32) -> bool {
        self.row(row).is_empty()
    }
}

/// A cell that breaks a rule, with the value to show (None where it must not be echoed).
pub type Bad = (Rule, Option<String>);

/// Parses a count: a whole number ≥ 0, as a number or as text with spaces, no-break spaces
/// or a `,0` decimal. `Ok(None)` for an empty cell (the caller decides whether that is 0).
pub fn parse_count(cell: &Cell) -> Result<Option<u64>, Bad> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) => whole(*n).map(Some).ok_or((Rule::BadCount, Some(cell.text()))),
        Cell::Text(s) => {
            let folded = s.trim().to_lowercase();
            if MISSING_MARKERS.contains(&folded.as_str()) {
                return Err((Rule::MissingValue, Some(s.clone())));
            }
            let compact: String = s.chars().filter(|c| !c.is_whitespace() && *c != '\u{202f}').collect();
            compact
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .and_then(whole)
                .map(Some)
                .ok_or((Rule::BadCount, Some(s.clone())))
        }
        Cell::Error(e) => Err((Rule::ErrorCell, Some(e.clone()))),
        Cell::Date { .. } | Cell::Bool(_) => Err((Rule::BadCount, Some(cell.text()))),
    }
}

fn whole(n: f64) -> Option<u64> {
    (n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n < 1e12).then_some(n as u64)
}

/// A year read from a cell, and whether it came from a date (a warning: `date_as_year`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearValue {
    /// The year.
    pub year: i32,
    /// True when the cell held a date, not a year.
    pub from_date: bool,
}

/// Parses a year: `2024`, `2024.0`, an Excel date, an Excel serial day number or `31.12.2024`.
pub fn parse_year(cell: &Cell) -> Result<Option<YearValue>, Bad> {
    let plain = |year: i32| Ok(Some(YearValue { year, from_date: false }));
    let dated = |year: i32| Ok(Some(YearValue { year, from_date: true }));
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) if n.fract() == 0.0 && (1900.0..=2100.0).contains(n) => plain(*n as i32),
        // A day count since 1899-12-30 between 1950 and 2100: a date shown as a number.
        Cell::Number(n) if (18_264.0..=73_415.0).contains(n) => match serial_year(*n) {
            Some(y) => dated(y),
            None => Err((Rule::YearOutOfRange, Some(cell.text()))),
        },
        Cell::Date { year, .. } => dated(*year),
        Cell::Text(s) => {
            let t = s.trim();
            if let Ok(y) = t.trim_end_matches(".0").parse::<i32>() {
                return if (1900..=2100).contains(&y) { plain(y) } else { Err((Rule::YearOutOfRange, Some(s.clone()))) };
            }
            // d.m.yyyy (Finnish) or yyyy-mm-dd (ISO)
            let parts: Vec<&str> = t.split(['.', '-', '/']).filter(|p| !p.is_empty()).collect();
            let year = match parts.as_slice() {
                [d, m, y] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => y.parse().ok(),
                [y, m, d] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => y.parse().ok(),
                _ => None,
            };
            match year {
                Some(y) if (1900..=2100).contains(&y) => dated(y),
                _ => Err((Rule::YearOutOfRange, Some(s.clone()))),
            }
        }
        Cell::Error(e) => Err((Rule::ErrorCell, Some(e.clone()))),
        _ => Err((Rule::YearOutOfRange, Some(cell.text()))),
    }
}

fn serial_year(serial: f64) -> Option<i32> {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_days(chrono::Days::new(serial as u64)).map(|d| d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn counts_in_their_real_world_forms() {
        assert_eq!(parse_count(&Cell::Number(12.0)), Ok(Some(12)));
        assert_eq!(parse_count(&t("1 234")), Ok(Some(1234)));
        assert_eq!(parse_count(&t("1\u{a0}234")), Ok(Some(1234)));
        assert_eq!(parse_count(&t("12,0")), Ok(Some(12)));
        assert_eq!(parse_count(&Cell::Empty), Ok(None));
        assert_eq!(parse_count(&t("12,5")), Err((Rule::BadCount, Some("12,5".into()))));
        assert_eq!(parse_count(&Cell::Number(-1.0)), Err((Rule::BadCount, Some("-1".into()))));
        assert_eq!(parse_count(&t("..")), Err((Rule::MissingValue, Some("..".into()))));
        assert_eq!(parse_count(&t("Ei tietoa")), Err((Rule::MissingValue, Some("Ei tietoa".into()))));
        assert_eq!(parse_count(&Cell::Error("#DIV/0!".into())), Err((Rule::ErrorCell, Some("#DIV/0!".into()))));
    }

    #[test]
    fn years_and_dates_where_a_year_belongs() {
        assert_eq!(parse_year(&Cell::Number(2024.0)), Ok(Some(YearValue { year: 2024, from_date: false })));
        assert_eq!(parse_year(&t("2024")), Ok(Some(YearValue { year: 2024, from_date: false })));
        assert_eq!(parse_year(&t("31.12.2024")), Ok(Some(YearValue { year: 2024, from_date: true })));
        // 45657 = 2024-12-31 as an Excel serial.
        assert_eq!(parse_year(&Cell::Number(45657.0)), Ok(Some(YearValue { year: 2024, from_date: true })));
        assert_eq!(parse_year(&t("viime vuonna")), Err((Rule::YearOutOfRange, Some("viime vuonna".into()))));
    }
}
