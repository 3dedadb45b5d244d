//! Finding a table in a worksheet by its header text: the header row may sit under title rows,
//! be split over two rows ("Jatko-opinnot" over "yliopisto | ammattikorkeakoulu | muu"), be
//! in fi, sv or en, in any order, with extra spaces, line breaks and punctuation.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::cells::Grid;
use super::contract::{Col, SheetKind};
use crate::domain::{Lang, fold};

/// How far down a header row is looked for.
const HEADER_SEARCH_ROWS: u32 = 30;

/// A located header: its row and which column holds what.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// The (last) header row; data starts below it.
    pub row: u32,
    /// Each contract column found, with its absolute column number.
    pub cols: Vec<(Col, u32)>,
    /// Non-empty header cells that match nothing: `(column, text)`.
    pub unknown: Vec<(u32, String)>,
}

impl Header {
    /// The column number of a contract column.
    pub fn col(&self, c: Col) -> Option<u32> {
        self.cols.iter().find(|(k, _)| *k == c).map(|(_, n)| *n)
    }
}

/// Alternative spellings seen in real returns, beyond the contract's three languages.
fn aliases(c: Col) -> &'static [&'static str] {
    use crate::domain::PlacementStatus as S;
    match c {
        Col::Status(S::Uas) => &["jatko opinnot amk", "amk", "fortsatta studier yh", "yh"],
        Col::Status(S::University) => &["yliopisto", "universitet", "university"],
        Col::Status(S::OtherStudies) => &["jatko opinnot muut"],
        Col::Students => &["opiskelijat", "studerande", "students"],
        _ => &[],
    }
}

/// Folded header texts of each table kind → column, built once: header matching runs for
/// every cell of the first rows of every sheet, so folding the vocabulary each time would
/// dominate reading.
fn vocabulary() -> &'static HashMap<(SheetKind, String), Col> {
    static VOCABULARY: OnceLock<HashMap<(SheetKind, String), Col>> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        let mut map = HashMap::new();
        for kind in [SheetKind::Placement, SheetKind::Students] {
            for col in Col::of(kind) {
                for t in Lang::ALL.map(|l| l.pick(&col.labels())).into_iter().chain(aliases(col).iter().copied()) {
                    map.entry((kind, fold(t))).or_insert(col);
                }
            }
        }
        map
    })
}

/// Which contract column a header text names, among the columns of `kind`.
pub fn match_header(kind: SheetKind, text: &str) -> Option<Col> {
    let f = fold(text);
    if f.is_empty() {
        return None;
    }
    vocabulary().get(&(kind, f)).copied()
}

/// The header a row would give. A cell is read under the band above it first (a group label
/// in the row above, as a merged cell leaves it: "Jatko-opinnot" over "yliopisto | amk | muu"),
/// then alone. The band runs right from its cell until a column that reads alone but not under
/// it, so "Muu" after the band is `other`, while "muu" under it is `other_studies`.
fn header_at(grid: &Grid, kind: SheetKind, row: u32) -> Header {
    let mut cols: Vec<(Col, u32)> = Vec::new();
    let mut unknown = Vec::new();
    let mut band: Option<String> = None;
    for c in grid.col_numbers() {
        let own = grid.get(row, c).text();
        if row > 0 && !grid.get(row - 1, c).is_empty() {
            band = Some(grid.get(row - 1, c).text());
        }
        let under = band.as_ref().and_then(|b| match_header(kind, &format!("{b} {own}")));
        let alone = match_header(kind, &own);
        if under.is_none() && alone.is_some() {
            band = None;
        }
        match under.or(alone) {
            Some(col) if !cols.iter().any(|(k, _)| *k == col) => cols.push((col, c)),
            Some(_) => unknown.push((c, own)),
            None if !own.is_empty() => unknown.push((c, own)),
            None => {}
        }
    }
    Header { row, cols, unknown }
}

/// Finds the best header row for a table of `kind`: the row among the first rows matching the
/// most contract columns, with at least three.
pub fn find_header(grid: &Grid, kind: SheetKind) -> Option<Header> {
    let rows = grid.row_numbers();
    let last = rows.end.min(rows.start + HEADER_SEARCH_ROWS);
    (rows.start..last)
        .map(|r| header_at(grid, kind, r))
        .filter(|h| h.cols.len() >= 3)
        .max_by_key(|h| (h.cols.len(), std::cmp::Reverse(h.row)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PlacementStatus;
    use crate::survey::cells::Cell;

    fn row(v: &[&str]) -> Vec<Cell> {
        v.iter().map(|s| if s.is_empty() { Cell::Empty } else { Cell::Text((*s).into()) }).collect()
    }

    #[test]
    fn header_under_a_title_in_swedish_and_any_order() {
        let g = Grid::from_rows(vec![
            row(&["Placering 2025"]),
            row(&[]),
            row(&["Examen", "Examensår", "Inriktning", "  Utexaminerade\n", "Extra"]),
        ]);
        let h = find_header(&g, SheetKind::Placement).unwrap();
        assert_eq!(h.row, 2);
        assert_eq!(h.col(Col::GraduationYear), Some(1));
        assert_eq!(h.col(Col::Orientation), Some(2));
        assert_eq!(h.unknown, vec![(4, "Extra".to_string())]);
    }

    #[test]
    fn header_over_two_merged_rows() {
        let g = Grid::from_rows(vec![
            row(&["Tutkinto", "Suuntautuminen", "Valmistumisvuosi", "Valmistuneet", "Jatko-opinnot", "", ""]),
            row(&["", "", "", "", "yliopisto", "amk", "muu", "Työ alalla", "Muu"]),
        ]);
        let h = find_header(&g, SheetKind::Placement).unwrap();
        assert_eq!(h.row, 1);
        assert_eq!(h.col(Col::Qualification), Some(0));
        assert_eq!(h.col(Col::Status(PlacementStatus::University)), Some(4));
        assert_eq!(h.col(Col::Status(PlacementStatus::Uas)), Some(5));
        assert_eq!(h.col(Col::Status(PlacementStatus::OtherStudies)), Some(6));
        assert_eq!(h.col(Col::Status(PlacementStatus::EmployedInField)), Some(7));
        assert_eq!(h.col(Col::Status(PlacementStatus::Other)), Some(8));
    }
}
