//! Reading one return: open the workbook (any format calamine knows, by content), find the
//! three sheets by their headers, read the details, then every row of both tables, checking
//! each cell against the contract and collecting every finding.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use calamine::{Reader, open_workbook_auto_from_rs};

use super::cells::{Cell, Grid, parse_count, parse_year};
use super::contract::{Col, DetailKey, SheetKind};
use super::findings::{Finding, Rule, a1};
use super::layout::{best_sheet, data_rows, detail_key, is_details, is_encrypted, is_totals_row};
use super::table::Header;
use super::{PlacementRow, ReadOutcome, StudentRow, SurveyReturn, hetu};
use crate::domain::{Lang, Orientation, PlacementStatus, QualificationCode, Ytunnus, fold};
use crate::files;
use crate::registry::{Catalogue, Registry};

/// What the reader needs to know besides the file.
#[derive(Clone, Copy, Debug)]
pub struct ReadContext<'a> {
    /// Member registry.
    pub registry: &'a Registry,
    /// Qualification catalogue.
    pub catalogue: &'a Catalogue,
    /// The statistical year being collected.
    pub year: i32,
    /// Qualifications a return may report.
    pub qualifications: &'a [QualificationCode],
}

/// Reads a return from disk. An unreadable file is a finding, not an error.
pub fn read_return(path: &Path, ctx: &ReadContext<'_>) -> ReadOutcome {
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match std::fs::read(path) {
        Ok(bytes) => read_return_bytes(&file, &bytes, ctx),
        Err(e) => ReadOutcome {
            sha256: String::new(),
            survey: None,
            findings: vec![Finding::new(&file, Rule::UnreadableFile, Some(e.to_string()), None)],
            file,
        },
    }
}

/// Reads a return from its bytes (the format is recognised from the content).
pub fn read_return_bytes(file: &str, bytes: &[u8], ctx: &ReadContext<'_>) -> ReadOutcome {
    let mut r = ReturnReader { file, ctx, findings: Vec::new(), member: None };
    // A malformed file must never stop the batch: should a parser panic on hostile bytes, the
    // file is reported unreadable like any other broken file.
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| r.read(bytes)));
    let survey = match read {
        Ok(survey) => survey,
        Err(_) => {
            r.findings.push(Finding::new(file, Rule::UnreadableFile, Some("the file is malformed".into()), None));
            None
        }
    };
    let member = r.member.clone();
    let mut findings = r.findings;
    for f in &mut findings {
        f.member = member.clone();
    }
    ReadOutcome { file: file.to_owned(), sha256: files::sha256_hex(bytes), survey, findings }
}

struct ReturnReader<'a> {
    file: &'a str,
    ctx: &'a ReadContext<'a>,
    findings: Vec<Finding>,
    member: Option<String>,
}

impl ReturnReader<'_> {
    fn finding(&mut self, rule: Rule, sheet: &str, cell: String, value: Option<String>, expected: Option<String>) {
        self.findings.push(Finding::new(self.file, rule, value, expected).at(sheet, cell));
    }

    fn read(&mut self, bytes: &[u8]) -> Option<SurveyReturn> {
        if is_encrypted(bytes) {
            let why = "the workbook is password-protected: save it without a password".to_owned();
            self.findings.push(Finding::new(self.file, Rule::UnreadableFile, Some(why), None));
            return None;
        }
        let mut book = match open_workbook_auto_from_rs(Cursor::new(bytes)) {
            Ok(b) => b,
            Err(e) => {
                let msg = first_line(&e.to_string());
                self.findings.push(Finding::new(self.file, Rule::UnreadableFile, Some(msg), None));
                return None;
            }
        };
        let mut sheets: Vec<(String, Grid)> = Vec::new();
        for name in book.sheet_names() {
            match book.worksheet_range(&name) {
                Ok(range) => sheets.push((name, Grid::from_range(&range))),
                Err(e) => {
                    let f = Finding::new(self.file, Rule::UnreadableFile, Some(first_line(&e.to_string())), None);
                    self.findings.push(f.on_sheet(&name));
                }
            }
        }
        // Personal data anywhere rejects the return; its cell is named, its value never.
        for (name, grid) in &sheets {
            let hits: Vec<String> = grid
                .cells()
                .filter(|(_, _, c)| matches!(c, Cell::Text(t) if hetu::contains_hetu(t)))
                .map(|(r, c, _)| a1(r, c))
                .collect();
            for cell in hits {
                self.finding(Rule::HetuPresent, name, cell, None, None);
            }
        }
        let details = sheets.iter().find(|(_, g)| is_details(g));
        let placement = best_sheet(&sheets, SheetKind::Placement);
        let students = best_sheet(&sheets, SheetKind::Students);
        let expected = |k: SheetKind| Lang::ALL.map(|l| k.name(l)).join(" / ");
        for (kind, found) in [
            (SheetKind::Details, details.is_some()),
            (SheetKind::Placement, placement.is_some()),
            (SheetKind::Students, students.is_some()),
        ] {
            if !found {
                self.findings.push(Finding::new(self.file, Rule::MissingSheet, None, Some(expected(kind))));
            }
        }
        let (name, grid) = details?;
        let (ytunnus, year) = self.read_details(name, grid)?;
        let placement_sheet = placement.as_ref().map(|(n, _, h)| {
            let cols = std::iter::once(Col::Graduates).chain(PlacementStatus::ALL.map(Col::Status)).map(|c| h.col(c).unwrap_or(0)).collect();
            (n.to_string(), cols)
        });
        let placement = placement.map(|(n, g, h)| self.read_placement(n, g, &h, year)).unwrap_or_default();
        let students = students.map(|(n, g, h)| self.read_students(n, g, &h)).unwrap_or_default();
        Some(SurveyReturn { member_id: self.member.clone()?, ytunnus, year, placement, placement_sheet, students })
    }

    /// Reads the details sheet: identifies the member and the year.
    fn read_details(&mut self, sheet: &str, grid: &Grid) -> Option<(Ytunnus, i32)> {
        let mut found: HashMap<DetailKey, (u32, u32, Cell)> = HashMap::new();
        for r in grid.row_numbers() {
            let Some(key_col) = grid.col_numbers().find(|c| !grid.get(r, *c).is_empty()) else { continue };
            let Some(key) = detail_key(&grid.get(r, key_col).text()) else { continue };
            let value_col = (key_col + 1..grid.col_numbers().end).find(|c| !grid.get(r, *c).is_empty());
            let (vc, cell) = value_col.map(|c| (c, grid.get(r, c).clone())).unwrap_or((key_col + 1, Cell::Empty));
            found.entry(key).or_insert((r, vc, cell));
        }
        let label = |k: DetailKey| Lang::ALL.map(|l| l.pick(&k.labels())).join(" / ");
        let missing = |this: &mut Self, k: DetailKey| {
            this.findings.push(Finding::new(this.file, Rule::MissingDetail, None, Some(label(k))).on_sheet(sheet));
        };
        // Year: the return's statistical year must be the run's.
        let year = match found.get(&DetailKey::Year) {
            Some((r, c, cell)) => match parse_year(cell) {
                Ok(Some(y)) => {
                    if y.year != self.ctx.year {
                        let v = Some(y.year.to_string());
                        self.finding(Rule::WrongYear, sheet, a1(*r, *c), v, Some(self.ctx.year.to_string()));
                    }
                    y.year
                }
                Ok(None) => {
                    missing(self, DetailKey::Year);
                    self.ctx.year
                }
                Err((rule, v)) => {
                    self.finding(rule, sheet, a1(*r, *c), v, Some(self.ctx.year.to_string()));
                    self.ctx.year
                }
            },
            None => {
                missing(self, DetailKey::Year);
                self.ctx.year
            }
        };
        let Some((r, c, cell)) = found.get(&DetailKey::Ytunnus).cloned() else {
            missing(self, DetailKey::Ytunnus);
            return None;
        };
        let text = cell.text();
        let ytunnus = match Ytunnus::parse(&text) {
            Ok(y) => y,
            Err(e) => {
                // What was expected, in no language: the form, or the id with its right check digit.
                let expected = match e {
                    crate::domain::YtunnusError::CheckDigit { expected } => {
                        format!("{:0>7}-{expected}", text.trim().split('-').next().unwrap_or(""))
                    }
                    _ => "NNNNNNN-C".to_owned(),
                };
                self.finding(Rule::BadYtunnus, sheet, a1(r, c), Some(text), Some(expected));
                return None;
            }
        };
        let Some(member) = self.ctx.registry.member_for(&ytunnus, self.ctx.year) else {
            let v = Some(ytunnus.to_string());
            self.finding(Rule::UnknownMember, sheet, a1(r, c), v, Some(self.ctx.year.to_string()));
            return None;
        };
        self.member = Some(member.id.clone());
        if let Some((r, c, cell)) = found.get(&DetailKey::School) {
            let name = cell.text();
            let known = std::iter::once(member.name.as_str())
                .chain(member.periods.iter().map(|p| p.provider_name.as_str()))
                .any(|n| fold(n) == fold(&name));
            if !known {
                let f = Finding::new(self.file, Rule::NameMismatch, Some(name), Some(member.name.clone()));
                self.findings.push(f.at(sheet, a1(*r, *c)));
            }
        }
        Some((ytunnus, year))
    }

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

    fn read_placement(&mut self, sheet: &str, grid: &Grid, h: &Header, year: i32) -> Vec<PlacementRow> {
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

    fn read_students(&mut self, sheet: &str, grid: &Grid, h: &Header) -> Vec<StudentRow> {
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

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(200).collect()
}
