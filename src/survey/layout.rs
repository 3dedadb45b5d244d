//! Where things are in a workbook: which sheet is which (by content, not by name), which rows
//! under a header hold data, which row is a totals row, which key a details row has, and
//! whether the file is an encrypted package at all.

use super::cells::Grid;
use super::contract::{Col, DetailKey, SheetKind, TOTAL_WORDS};
use super::table::{Header, find_header};
use crate::domain::{Lang, fold};

/// The rows under a header that hold data: blank rows are skipped.
pub(super) fn data_rows<'g>(grid: &'g Grid, h: &Header) -> impl Iterator<Item = u32> + 'g {
    let cols: Vec<u32> = h.cols.iter().map(|(_, c)| *c).collect();
    (h.row + 1..grid.row_numbers().end).filter(move |r| cols.iter().any(|c| !grid.get(*r, *c).is_empty()))
}

/// Whether a row is a totals row: `Yhteensä` / `Totalt` / `Total` in its first key columns.
pub(super) fn is_totals_row(grid: &Grid, h: &Header, r: u32) -> bool {
    let first = grid.col_numbers().start;
    let keys = [Some(first), h.col(Col::Qualification), h.col(Col::Orientation)];
    keys.into_iter().flatten().any(|c| TOTAL_WORDS.contains(&fold(&grid.get(r, c).text()).as_str()))
}

pub(super) fn detail_key(text: &str) -> Option<DetailKey> {
    static KEYS: std::sync::OnceLock<Vec<(String, DetailKey)>> = std::sync::OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        DetailKey::ALL.iter().flat_map(|k| Lang::ALL.map(|l| (fold(l.pick(&k.labels())), *k))).collect()
    });
    let f = fold(text);
    keys.iter().find(|(t, _)| *t == f).map(|(_, k)| *k)
}

/// A details sheet has at least two of the contract's keys in its rows.
pub(super) fn is_details(grid: &Grid) -> bool {
    let keys = grid
        .row_numbers()
        .filter_map(|r| grid.col_numbers().map(|c| grid.get(r, c)).find(|c| !c.is_empty()))
        .filter(|c| detail_key(&c.text()).is_some())
        .count();
    keys >= 2
}

/// The sheet whose header best matches a table kind.
pub(super) fn best_sheet(sheets: &[(String, Grid)], kind: SheetKind) -> Option<(&str, &Grid, Header)> {
    sheets
        .iter()
        .filter_map(|(n, g)| find_header(g, kind).map(|h| (n.as_str(), g, h)))
        .filter(|(_, _, h)| {
            // A students sheet must have a students-only column, and a placement sheet a
            // placement-only one: both share the qualification and orientation columns.
            h.cols.iter().any(|(c, _)| !matches!(c, Col::Qualification | Col::Orientation))
        })
        .max_by_key(|(_, _, h)| h.cols.len())
}

/// Whether the bytes are an encrypted Office document: a compound file (the container of
/// `.xls` too) holding an `EncryptedPackage` stream, named in UTF-16.
pub(super) fn is_encrypted(bytes: &[u8]) -> bool {
    const CFB: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let name: Vec<u8> = "EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.starts_with(&CFB) && bytes.windows(name.len()).any(|w| w == name.as_slice())
}
