//! Reading one return: open the workbook (any format calamine knows, by content) within the
//! reader's limits (`load`), find the three sheets by their headers, read the details, then
//! every row of both tables (`tables`), checking each cell against the contract and
//! collecting every finding.

mod load;
mod tables;

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use super::cells::{Cell, Grid, parse_year};
use super::contract::{Col, DetailKey, SheetKind};
use super::findings::{Finding, Rule, a1};
use super::layout::{best_sheet, detail_key, is_details, is_encrypted};
use super::limits::{self, Limits};
use super::{ReadOutcome, SurveyReturn, hetu};
use crate::domain::{Lang, PlacementStatus, QualificationCode, Ytunnus, fold};
use crate::files;
use crate::registry::{Catalogue, Registry};

pub(crate) use load::sheets_within_limits;

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

/// The bytes of a return on disk, read no further than the file size limit. `Ok(Err(size))`
/// for a file over it (its bytes are not read).
pub fn read_file(path: &Path, limits: &Limits) -> std::io::Result<Result<Vec<u8>, u64>> {
    let mut f = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    // The size is that of the bytes read, not a stat taken before: a file may grow meanwhile.
    (&mut f).take(limits.file_bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limits.file_bytes {
        let size = f.metadata().map(|m| m.len()).unwrap_or(bytes.len() as u64);
        return Ok(Err(size));
    }
    Ok(Ok(bytes))
}

/// Reads a return from disk. A file that cannot be opened or read (missing, a folder, a
/// symlink loop, no permission) or is over the size limit is a finding, not an error.
pub fn read_return(path: &Path, ctx: &ReadContext<'_>) -> ReadOutcome {
    read_path(path, ctx).0
}

/// Reads a return from disk, keeping its bytes (empty when they were not read).
pub fn read_path(path: &Path, ctx: &ReadContext<'_>) -> (ReadOutcome, Vec<u8>) {
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let limits = Limits::DEFAULT;
    let refused = |finding: Finding, sha256: String| ReadOutcome { sha256, survey: None, findings: vec![finding], file: file.clone() };
    match read_file(path, &limits) {
        Ok(Ok(bytes)) => (read_return_bytes(&file, &bytes, ctx), bytes),
        Ok(Err(size)) => {
            let sha = files::sha256_file(path).unwrap_or_default();
            (refused(limits::file_too_large(&file, size, &limits), sha), Vec::new())
        }
        Err(e) => (refused(Finding::new(&file, Rule::UnreadableFile, Some(e.to_string()), None), String::new()), Vec::new()),
    }
}

/// Reads a return from its bytes (the format is recognised from the content).
pub fn read_return_bytes(file: &str, bytes: &[u8], ctx: &ReadContext<'_>) -> ReadOutcome {
    read_return_bytes_within(file, bytes, ctx, &Limits::DEFAULT)
}

/// Reads a return from its bytes within the given limits.
pub fn read_return_bytes_within(file: &str, bytes: &[u8], ctx: &ReadContext<'_>, limits: &Limits) -> ReadOutcome {
    let mut r = ReturnReader { file, ctx, findings: Vec::new(), member: None };
    // A malformed file must never stop the batch: should a parser panic on hostile bytes, the
    // file is reported unreadable like any other broken file.
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| r.read(bytes, limits)));
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

    fn read(&mut self, bytes: &[u8], limits: &Limits) -> Option<SurveyReturn> {
        if is_encrypted(bytes) {
            let why = "the workbook is password-protected: save it without a password".to_owned();
            self.findings.push(Finding::new(self.file, Rule::UnreadableFile, Some(why), None));
            return None;
        }
        let sheets = match load::load(self.file, bytes, limits) {
            Ok(loaded) => {
                self.findings.extend(loaded.findings);
                loaded.sheets
            }
            Err(stop) => {
                self.findings.extend(stop);
                return None;
            }
        };
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

}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(200).collect()
}
