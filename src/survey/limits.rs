//! The reader's limits: how much of a return is looked at, whatever the file claims. A return
//! holds three small tables; a file that is far larger (a stray value at XFD1048576, a million
//! formatted rows, a shared-strings bomb, hundreds of sheets) is quarantined with a finding
//! naming the part, sheet or cell and what to do, and the rest of the run goes on.
//!
//! What is checked before anything is inflated: the file's size, and, from the zip directory,
//! the number of parts and each part's uncompressed size (zip refuses to inflate a part past
//! the size its directory declares, so the declared size bounds the real one). While reading:
//! the area a table may use, the filled cells and the text kept, the sheets looked at, and a
//! time budget.

use std::io::{Cursor, Read};
use std::time::Duration;

use super::findings::{Finding, Rule};

/// The limits one return is read within.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Size of the file on disk.
    pub file_bytes: u64,
    /// Uncompressed size of a part read whole (shared strings, styles, the workbook part).
    pub part_bytes: u64,
    /// Uncompressed size of a worksheet part (streamed cell by cell).
    pub sheet_part_bytes: u64,
    /// Uncompressed size of all parts together.
    pub total_bytes: u64,
    /// Parts in the zip directory.
    pub parts: usize,
    /// Sheets in the workbook.
    pub sheets: usize,
    /// Rows a table may use (1 ..= rows); a value below is outside the area.
    pub rows: u32,
    /// Columns a table may use (A ..= the `cols`th); a value to the right is outside the area.
    pub cols: u32,
    /// Filled cells kept, all sheets together.
    pub cells: usize,
    /// Bytes of text kept, all sheets together.
    pub text_bytes: usize,
    /// Values outside the area reported one by one on each sheet (the others are counted).
    pub stray_findings: usize,
    /// Time to read one return.
    pub time: Duration,
}

const MIB: u64 = 1024 * 1024;

impl Limits {
    /// The limits of the annual run.
    pub const DEFAULT: Limits = Limits {
        file_bytes: 64 * MIB,
        part_bytes: 16 * MIB,
        sheet_part_bytes: 128 * MIB,
        total_bytes: 512 * MIB,
        parts: 10_000,
        sheets: 32,
        rows: 10_000,
        cols: 100,
        cells: 200_000,
        text_bytes: 32 * MIB as usize,
        stray_findings: 10,
        time: Duration::from_secs(60),
    };

    /// The area a return may use, in A1 notation (`A1:CV10000`).
    pub fn area(&self) -> String {
        format!("A1:{}", super::findings::a1(self.rows.saturating_sub(1), self.cols.saturating_sub(1)))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A size for people: `1.5 MiB`, `300 KiB`, `12 B`.
pub fn size(bytes: u64) -> String {
    if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} B")
    }
}

/// A file too large to be read at all.
pub fn file_too_large(file: &str, bytes: u64, limits: &Limits) -> Finding {
    Finding::new(file, Rule::FileTooLarge, Some(size(bytes)), Some(size(limits.file_bytes)))
}

/// Whether a part is a worksheet, streamed cell by cell (`xl/worksheets/sheet1.xml`, `.bin`
/// in `.xlsb`); every other part a reader may read whole.
fn is_sheet_part(name: &str) -> bool {
    name.to_ascii_lowercase().contains("worksheets/")
}

/// Whether a part is read at all: XML and binary records; pictures and other media are not.
fn is_read_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".xml", ".rels", ".bin"].iter().any(|e| lower.ends_with(e))
}

/// Checks a zip package (`.xlsx`, `.xlsm`, `.xlsb`, `.ods`) from its directory, before any
/// part is inflated: the number of parts, each part's and all parts' uncompressed size, and
/// the string count the shared strings declare (a reader reserves room for it). Bytes that
/// are not a zip pass: the workbook reader says what they are.
pub fn check_package(file: &str, bytes: &[u8], limits: &Limits) -> Result<(), Finding> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    if zip.len() > limits.parts {
        let f = Finding::new(file, Rule::PartTooLarge, Some(format!("{} parts", zip.len())), Some(format!("{} parts", limits.parts)));
        return Err(f.at_cell("zip"));
    }
    let mut total: u64 = 0;
    let mut strings: Option<(String, u64)> = None;
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_data(i) else { continue };
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let bytes = entry.size();
        total = total.saturating_add(bytes);
        let cap = if is_sheet_part(&name) { limits.sheet_part_bytes } else { limits.part_bytes };
        if is_read_part(&name) && bytes > cap {
            return Err(Finding::new(file, Rule::PartTooLarge, Some(size(bytes)), Some(size(cap))).at_cell(name));
        }
        if name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            strings = Some((name, bytes));
        }
    }
    if total > limits.total_bytes {
        return Err(Finding::new(file, Rule::PartTooLarge, Some(size(total)), Some(size(limits.total_bytes))).at_cell("zip"));
    }
    // The shared strings declare how many they are before the first one: a count larger than
    // the part could hold is a lie a reader would allocate for.
    if let Some((name, bytes)) = strings {
        if let Some(count) = declared_count(&mut zip, &name) {
            // The smallest string is `<si/>`: five bytes.
            if count > bytes / 5 + 1 {
                let f = Finding::new(file, Rule::PartTooLarge, Some(format!("{count} strings")), Some(format!("{} strings", bytes / 5 + 1)));
                return Err(f.at_cell(name));
            }
        }
    }
    Ok(())
}

/// The `uniqueCount` of the `<sst …>` tag of a shared-strings part (what a reader reserves
/// room for; `count` is the cells that use them), read from its first few kilobytes.
fn declared_count(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<u64> {
    let part = zip.by_name(name).ok()?;
    let mut head = Vec::with_capacity(4096);
    // A part shorter than its declared size, or corrupt, is the workbook reader's to report.
    let _ = part.take(4096).read_to_end(&mut head);
    let text = String::from_utf8_lossy(&head);
    // The attribute belongs to `<sst>` (or `<x:sst>`) alone.
    let tag = text.as_ref();
    let key = "uniqueCount=";
    let at = tag.find(key)? + key.len();
    let quoted = tag[at..].trim_start_matches(['"', '\'', ' ']);
    let digits: String = quoted.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    // More digits than a u64 holds is as much a lie as a large number.
    Some(digits.parse::<u64>().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_and_sizes_for_people() {
        assert_eq!(Limits::DEFAULT.area(), "A1:CV10000");
        assert_eq!(size(3 * MIB / 2), "1.5 MiB");
        assert_eq!(size(2048), "2 KiB");
    }
}
