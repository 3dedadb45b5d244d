//! Reading the two tables of a return row by row: each row's key (qualification ×
//! orientation, graduation year) and counts, checked against the contract, with the totals
//! row checked against the rows above it.

use std::collections::HashMap;

use super::ReturnReader;
use crate::domain::{Lang, Orientation, PlacementStatus, QualificationCode};
use crate::survey::cells::{Grid, parse_count, parse_year};
use crate::survey::contract::{Col, SheetKind};
use crate::survey::findings::{Finding, Rule, a1};
use crate::survey::layout::{data_rows, is_totals_row};
use crate::survey::table::Header;
use crate::survey::{PlacementRow, StudentRow};

impl ReturnReader<'_> {
    /// Reads the qualification and orientation of a row; `None` (with findings) when unusable.
    fn read_key(&mut self, sheet: &str, grid: &Grid, h: &Header, r: u32) -> Option<(QualificationCode, Orientation)> {
        let (qc, oc) = (h.col(Col::Qualification)?, h.col(Col::Orientation)?);
        let qtext = grid.get(r, qc).text();
        let allowed = || {
            self.ctx.qualifications.iter().map(QualificationCode::to_string).collect::<Vec<_>>().join(", ")
        };
        let qualification = match self.ctx.catalogue.find(&qtext).map(|q| q.code) {
            Some(q) if self.ctx.qualifications.contains(&q) => Some(q),
            _ => {
                self.finding(Rule::UnknownQualification, sheet, a1(r, qc), Some(qtext), Some(allowed()));
                None
            }
        };
        let otext = grid.get(r, oc).text();
        let orientation = Orientation::from_text(&otext);
        if orientation.is_none() {
            let vocab = Orientation::ALL.map(|o| o.labels().0).join(", ");
            self.finding(Rule::UnknownOrientation, sheet, a1(r, oc), Some(otext), Some(vocab));
        }
        let (q, o) = (qualification?, orientation?);
        if o.qualification() != q {
            let expected = Orientation::ALL
                .iter()
                .filter(|x| x.qualification() == q)
                .map(|x| x.labels().0)
                .collect::<Vec<_>>()
                .join(", ");
            self.finding(Rule::PairNotAllowed, sheet, a1(r, oc), Some(o.labels().0.into()), Some(format!("{q}: {expected}")));
            return None;
        }
        Some((q, o))
    }

    /// Reads the counts of a row in the given columns. Empty cells are 0 because the caller only
    /// passes rows with at least one value.
    fn read_counts(&mut self, sheet: &str, grid: &Grid, h: &Header, r: u32, cols: &[Col]) -> Option<Vec<u64>> {
        let mut out = Vec::with_capacity(cols.len());
        let mut ok = true;
        for col in cols {
            let Some(c) = h.col(*col) else {
                ok = false;
                continue;
            };
            match parse_count(grid.get(r, c)) {
                Ok(v) => out.push(v.unwrap_or(0)),
                Err((rule, v)) => {
                    self.finding(rule, sheet, a1(r, c), v, Some("0, 1, 2, …".into()));
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// Checks that the header has every column of the sheet; reports the missing ones.
    fn check_columns(&mut self, sheet: &str, h: &Header, kind: SheetKind) -> bool {
        let mut complete = true;
        for col in Col::of(kind) {
            if h.col(col).is_none() {
                let expected = Lang::ALL.map(|l| l.pick(&col.labels())).join(" / ");
                let f = Finding::new(self.file, Rule::MissingColumn, None, Some(expected));
                self.findings.push(f.at(sheet, format!("{}", h.row + 1)));
                complete = false;
            }
        }
        for (c, text) in h.unknown.clone() {
            self.finding(Rule::UnknownHeader, sheet, a1(h.row, c), Some(text), None);
        }
        complete
    }

    pub(super) fn read_placement(&mut self, sheet: &str, grid: &Grid, h: &Header, year: i32) -> Vec<PlacementRow> {
        if !self.check_columns(sheet, h, SheetKind::Placement) {
            return Vec::new();
        }
        let count_cols: Vec<Col> =
            std::iter::once(Col::Graduates).chain(PlacementStatus::ALL.map(Col::Status)).collect();
        let mut rows: Vec<PlacementRow> = Vec::new();
        let mut seen: HashMap<(QualificationCode, Orientation, i32), u32> = HashMap::new();
        for r in data_rows(grid, h) {
            if is_totals_row(grid, h, r) {
                self.check_totals(sheet, grid, h, r, &count_cols, |row: &PlacementRow, i| {
                    if i == 0 { row.graduates } else { row.statuses[i - 1] }
                }, &rows);
                continue;
            }
            let key = self.read_key(sheet, grid, h, r);
            let gy_col = h.col(Col::GraduationYear).expect("checked");
            let gy = match parse_year(grid.get(r, gy_col)) {
                Ok(Some(y)) => {
                    if y.from_date {
                        let v = Some(grid.get(r, gy_col).text());
                        self.finding(Rule::DateAsYear, sheet, a1(r, gy_col), v, Some(y.year.to_string()));
                    }
                    let range = (year - 5)..=year;
                    if range.contains(&y.year) {
                        Some(y.year)
                    } else {
                        let v = Some(y.year.to_string());
                        self.finding(Rule::YearOutOfRange, sheet, a1(r, gy_col), v, Some(format!("{}–{}", year - 5, year)));
                        None
                    }
                }
                Ok(None) => {
                    let range = Some(format!("{}–{}", year - 5, year));
                    self.finding(Rule::YearOutOfRange, sheet, a1(r, gy_col), Some(String::new()), range);
                    None
                }
                Err((rule, v)) => {
                    self.finding(rule, sheet, a1(r, gy_col), v, Some(format!("{}–{}", year - 5, year)));
                    None
                }
            };
            let counts = self.read_counts(sheet, grid, h, r, &count_cols);
            let (Some((q, o)), Some(gy), Some(counts)) = (key, gy, counts) else { continue };
            let statuses: [u64; 8] = counts[1..].try_into().expect("eight statuses");
            let sum: u64 = statuses.iter().sum();
            if sum != counts[0] {
                let first = h.col(Col::Status(PlacementStatus::University)).expect("checked");
                let last = h.col(Col::Status(PlacementStatus::Unknown)).expect("checked");
                let grad = h.col(Col::Graduates).expect("checked");
                let cell = format!("{}:{} / {}", a1(r, first.min(last)), a1(r, first.max(last)), a1(r, grad));
                self.finding(Rule::SumMismatch, sheet, cell, Some(sum.to_string()), Some(counts[0].to_string()));
            }
            if let Some(prev) = seen.insert((q, o, gy), r) {
                let f = Finding::new(self.file, Rule::DuplicateRow, None, Some((prev + 1).to_string()));
                self.findings.push(f.at(sheet, format!("{}", r + 1)));
                continue;
            }
            rows.push(PlacementRow {
                row: r + 1,
                qualification: q,
                orientation: o,
                graduation_year: gy,
                graduates: counts[0],
                statuses,
            });
        }
        self.check_not_empty(sheet, h, rows.is_empty());
        rows
    }

    pub(super) fn read_students(&mut self, sheet: &str, grid: &Grid, h: &Header) -> Vec<StudentRow> {
        if !self.check_columns(sheet, h, SheetKind::Students) {
            return Vec::new();
        }
        let count_cols = [Col::StartPlaces, Col::Applicants, Col::FirstChoice, Col::NewStudents, Col::Students];
        let mut rows: Vec<StudentRow> = Vec::new();
        let mut seen: HashMap<(QualificationCode, Orientation), u32> = HashMap::new();
        for r in data_rows(grid, h) {
            if is_totals_row(grid, h, r) {
                self.check_totals(sheet, grid, h, r, &count_cols, |row: &StudentRow, i| {
                    [row.start_places, row.applicants, row.first_choice, row.new_students, row.students][i]
                }, &rows);
                continue;
            }
            let key = self.read_key(sheet, grid, h, r);
            let counts = self.read_counts(sheet, grid, h, r, &count_cols);
            let (Some((q, o)), Some(c)) = (key, counts) else { continue };
            if c[2] > c[1] {
                let cell = a1(r, h.col(Col::FirstChoice).expect("checked"));
                self.finding(Rule::FirstChoiceExceedsApplicants, sheet, cell, Some(c[2].to_string()), Some(c[1].to_string()));
            }
            if let Some(prev) = seen.insert((q, o), r) {
                let f = Finding::new(self.file, Rule::DuplicateRow, None, Some((prev + 1).to_string()));
                self.findings.push(f.at(sheet, format!("{}", r + 1)));
                continue;
            }
            rows.push(StudentRow {
                row: r + 1,
                qualification: q,
                orientation: o,
                start_places: c[0],
                applicants: c[1],
                first_choice: c[2],
                new_students: c[3],
                students: c[4],
            });
        }
        self.check_not_empty(sheet, h, rows.is_empty());
        rows
    }

    /// A table with no data rows at all is worth a word (an empty template sent back?).
    fn check_not_empty(&mut self, sheet: &str, h: &Header, empty: bool) {
        let any_rows = self.findings.iter().any(|f| f.sheet.as_deref() == Some(sheet) && f.is_error());
        if empty && !any_rows {
            self.finding(Rule::NoRows, sheet, format!("{}", h.row + 2), None, None);
        }
    }

    /// A totals row is skipped, but each of its counts must equal the sum of the rows read.
    #[allow(clippy::too_many_arguments)]
    fn check_totals<T>(
        &mut self,
        sheet: &str,
        grid: &Grid,
        h: &Header,
        r: u32,
        cols: &[Col],
        value: impl Fn(&T, usize) -> u64,
        rows: &[T],
    ) {
        for (i, col) in cols.iter().enumerate() {
            let Some(c) = h.col(*col) else { continue };
            let Ok(Some(total)) = parse_count(grid.get(r, c)) else { continue };
            let sum: u64 = rows.iter().map(|row| value(row, i)).sum();
            if sum != total {
                self.finding(Rule::TotalsRowMismatch, sheet, a1(r, c), Some(total.to_string()), Some(sum.to_string()));
            }
        }
    }
}
