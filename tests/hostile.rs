//! Hostile returns: files real schools send (a stray value far from the table, a million
//! formatted rows, a shared-strings bomb, hundreds of sheets, random bytes, Excel's owner
//! file…), each built here in code, run through the binary beside the sample. None may stop,
//! stall or swamp the run: it exits 0 or 3, the other members' figures stay as they were, and
//! the finding names the file, sheet and cell (or part) exactly.
//!
//! Every hostile workbook is written by this module (the benchmark has its own small writer).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use kooste::survey::{Limits, ReadContext, read_return_bytes_within};
use zip::write::SimpleFileOptions;

use crate::util::{Workdir, repo};

/// The sample return every hostile variant starts from (the school it replaces).
const BASE: &str = "raw/surveys/2025/oulu.xlsx";
const BASE_MEMBER: &str = "oulu";
const MIB: usize = 1024 * 1024;

/// One hostile return.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Hostile {
    /// A value typed in the sheet's last row, far below the table.
    StrayLastRow,
    /// A value typed in the sheet's last column, far right of the table.
    StrayLastColumn,
    /// `sharedStrings.xml` with one huge string nobody uses (a few hundred KB on disk).
    SharedStringsBomb,
    /// A worksheet part that inflates past the cap.
    SheetPartBomb,
    /// A million formatted empty rows under the table, a 0 typed in the last one.
    MillionFormattedRows,
    /// 300 sheets.
    ManySheets,
    /// A rich-text cell nested a million elements deep.
    DeepNesting,
    /// 50 MB of random bytes named `.xlsx`.
    RandomBytes,
    /// Excel's owner file `~$oulu.xlsx` (the workbook is open somewhere).
    OwnerFile,
}

const ALL: [Hostile; 9] = [
    Hostile::StrayLastRow,
    Hostile::StrayLastColumn,
    Hostile::SharedStringsBomb,
    Hostile::SheetPartBomb,
    Hostile::MillionFormattedRows,
    Hostile::ManySheets,
    Hostile::DeepNesting,
    Hostile::RandomBytes,
    Hostile::OwnerFile,
];

/// The finding a hostile return must get: rule, sheet, cell.
type Expected = Option<(&'static str, Option<&'static str>, Option<&'static str>)>;

impl Hostile {
    /// Its file name: spaces, Nordic letters and an upper-case extension among them.
    fn file(self) -> &'static str {
        match self {
            Hostile::StrayLastRow => "Oulu hajaarvo viimeisellä rivillä.xlsx",
            Hostile::StrayLastColumn => "Oulu – sarake XFD.XLSX",
            Hostile::SharedStringsBomb => "oulu merkkijonopommi.xlsx",
            Hostile::SheetPartBomb => "oulu välilehtipommi.xlsx",
            Hostile::MillionFormattedRows => "Oulu miljoona riviä.xlsm",
            Hostile::ManySheets => "300 välilehteä.xlsx",
            Hostile::DeepNesting => "oulu syvä sisäkkäisyys.xlsx",
            Hostile::RandomBytes => "satunnaiset tavut.xlsx",
            Hostile::OwnerFile => "~$oulu.xlsx",
        }
    }

    /// Whether the file takes the place of the school's own return (the school sent it),
    /// rather than lying beside it.
    fn replaces_base(self) -> bool {
        self != Hostile::OwnerFile
    }

    fn expected(self) -> Expected {
        match self {
            Hostile::StrayLastRow => Some(("value_outside_area", Some("Sijoittuminen"), Some("B1048576"))),
            Hostile::StrayLastColumn => Some(("value_outside_area", Some("Opiskelijat"), Some("XFD1"))),
            Hostile::SharedStringsBomb => Some(("part_too_large", None, Some("xl/sharedStrings.xml"))),
            Hostile::SheetPartBomb => Some(("part_too_large", None, Some("xl/worksheets/sheet2.xml"))),
            Hostile::MillionFormattedRows => Some(("value_outside_area", Some("Sijoittuminen"), Some("A1048576"))),
            Hostile::ManySheets => Some(("too_many_sheets", None, None)),
            // Read like any rich text: the cell beside the table is not part of it.
            Hostile::DeepNesting => None,
            Hostile::RandomBytes => Some(("unreadable_file", None, None)),
            Hostile::OwnerFile => None,
        }
    }

    /// Writes the file into `dir`.
    fn write(self, dir: &Path) -> PathBuf {
        let path = dir.join(self.file());
        let base = std::fs::read(repo().join(BASE)).expect("sample return");
        match self {
            Hostile::StrayLastRow => rezip(&base, &path, |name, xml, out| match name {
                "xl/worksheets/sheet2.xml" => {
                    let xml = dimension(&xml, "A1:L1048576");
                    let stray = r#"<row r="1048576"><c r="B1048576" t="inlineStr"><is><t>huom</t></is></c></row>"#;
                    out.write_all(xml.replace("</sheetData>", &format!("{stray}</sheetData>")).as_bytes())
                }
                _ => out.write_all(xml.as_bytes()),
            }),
            Hostile::StrayLastColumn => rezip(&base, &path, |name, xml, out| match name {
                "xl/worksheets/sheet3.xml" => {
                    let xml = dimension(&xml, "A1:XFD6");
                    let stray = r#"<c r="XFD1" t="inlineStr"><is><t>muistiinpano</t></is></c></row>"#;
                    out.write_all(xml.replacen("</row>", stray, 1).as_bytes())
                }
                _ => out.write_all(xml.as_bytes()),
            }),
            Hostile::SharedStringsBomb => rezip(&base, &path, |name, xml, out| match name {
                "xl/sharedStrings.xml" => {
                    let (head, tail) = xml.split_at(xml.rfind("</sst>").expect("sst"));
                    out.write_all(head.as_bytes())?;
                    out.write_all(b"<si><t>")?;
                    let chunk = vec![b'a'; MIB];
                    for _ in 0..200 {
                        out.write_all(&chunk)?;
                    }
                    out.write_all(b"</t></si>")?;
                    out.write_all(tail.as_bytes())
                }
                _ => out.write_all(xml.as_bytes()),
            }),
            Hostile::SheetPartBomb => rezip(&base, &path, |name, xml, out| match name {
                "xl/worksheets/sheet2.xml" => {
                    let (head, tail) = xml.split_at(xml.rfind("</worksheet>").expect("worksheet"));
                    out.write_all(head.as_bytes())?;
                    let chunk = vec![b' '; MIB];
                    for _ in 0..130 {
                        out.write_all(&chunk)?;
                    }
                    out.write_all(tail.as_bytes())
                }
                _ => out.write_all(xml.as_bytes()),
            }),
            Hostile::MillionFormattedRows => rezip(&base, &path, |name, xml, out| match name {
                "xl/worksheets/sheet2.xml" => {
                    let xml = dimension(&xml, "A1:L1048576");
                    let (head, tail) = xml.split_at(xml.find("</sheetData>").expect("sheetData"));
                    out.write_all(head.as_bytes())?;
                    let mut rows = String::with_capacity(MIB);
                    for r in 12..1_048_576 {
                        rows.push_str(&format!(r#"<row r="{r}" s="1" customFormat="1"><c r="A{r}" s="1"/><c r="B{r}" s="1"/></row>"#));
                        if rows.len() > MIB {
                            out.write_all(rows.as_bytes())?;
                            rows.clear();
                        }
                    }
                    out.write_all(rows.as_bytes())?;
                    out.write_all(br#"<row r="1048576"><c r="A1048576" s="1"><v>0</v></c></row>"#)?;
                    out.write_all(tail.as_bytes())
                }
                _ => out.write_all(xml.as_bytes()),
            }),
            Hostile::ManySheets => {
                let mut book = rust_xlsxwriter::Workbook::new();
                for i in 0..300 {
                    book.add_worksheet().write_string(0, 0, format!("välilehti {i}")).expect("cell");
                }
                std::fs::write(&path, book.save_to_buffer().expect("workbook")).expect("write");
            }
            Hostile::DeepNesting => rezip(&base, &path, |name, xml, out| match name {
                "xl/worksheets/sheet2.xml" => {
                    let depth = 1_000_000;
                    let row = format!(r#"<row r="20"><c r="N20" t="inlineStr"><is>{}<t>syvä</t>{}</is></c></row>"#, "<r>".repeat(depth), "</r>".repeat(depth));
                    out.write_all(xml.replace("</sheetData>", &format!("{row}</sheetData>")).as_bytes())
                }
                _ => out.write_all(xml.as_bytes()),
            }),
            Hostile::RandomBytes => {
                let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
                let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
                let mut block = vec![0u8; MIB];
                for _ in 0..50 {
                    for b in block.chunks_mut(8) {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        b.copy_from_slice(&x.to_le_bytes()[..b.len()]);
                    }
                    f.write_all(&block).expect("write");
                }
                f.flush().expect("flush");
            }
            Hostile::OwnerFile => {
                // What Excel writes: the user's name, padded.
                let mut owner = vec![0u8; 165];
                owner[0] = 6;
                owner[1..7].copy_from_slice(b"Tuulia");
                std::fs::write(&path, owner).expect("write");
            }
        }
        path
    }
}

/// Sets a worksheet's declared dimension (as Excel does when a cell far away is used).
fn dimension(xml: &str, area: &str) -> String {
    let start = xml.find("<dimension ref=\"").expect("dimension") + "<dimension ref=\"".len();
    let end = start + xml[start..].find('"').expect("quote");
    format!("{}{area}{}", &xml[..start], &xml[end..])
}

/// Copies a workbook part by part into `out`, each part written by `edit` (name, text, writer).
fn rezip(src: &[u8], out: &Path, mut edit: impl FnMut(&str, String, &mut dyn Write) -> std::io::Result<()>) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(src)).expect("sample is a zip");
    let file = std::io::BufWriter::new(std::fs::File::create(out).expect("create"));
    let mut w = zip::ZipWriter::new(file);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).compression_level(Some(1)).large_file(false);
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("part");
        let name = part.name().expect("part name").into_owned();
        let mut text = String::new();
        part.read_to_string(&mut text).expect("text part");
        w.start_file(&name, options).expect("start part");
        edit(&name, text, &mut w).expect("write part");
    }
    w.finish().expect("finish zip");
}

/// The members' figures of a run: the survey side of the reconciliation, by member.
fn figures(w: &Workdir) -> Vec<Vec<String>> {
    w.csv("output/2025/checks/reconciliation.csv")
}

/// The figures of every member but the one a hostile file replaces, from a plain run of the
/// sample (computed once).
fn baseline() -> &'static Vec<Vec<String>> {
    static BASELINE: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    BASELINE.get_or_init(|| {
        let w = Workdir::with_sample();
        w.kooste_expect(&["run"], 0);
        others(&figures(&w))
    })
}

fn others(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    rows.iter().filter(|r| r[0] != BASE_MEMBER).cloned().collect()
}

/// A work folder with the sample and the hostile files in its surveys folder.
fn with_hostile(cases: &[Hostile]) -> Workdir {
    let w = Workdir::with_sample();
    let dir = w.join("raw/surveys/2025");
    if cases.iter().any(|c| c.replaces_base()) {
        std::fs::remove_file(w.join(BASE)).expect("remove the school's own return");
    }
    for c in cases {
        c.write(&dir);
    }
    w
}

/// `(file, sheet, cell, rule)` of every finding of a run.
fn findings(w: &Workdir) -> Vec<(String, String, String, String)> {
    w.csv("output/2025/findings.csv").into_iter().skip(1).map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), r[4].clone())).collect()
}

fn check(case: Hostile) {
    let w = with_hostile(&[case]);
    let out = w.kooste(&["run"]);
    let code = out.status.code();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(code, Some(0) | Some(3)), "{case:?}: exit {code:?}\n{stderr}");
    assert_eq!(&others(&figures(&w)), baseline(), "{case:?}: the other members' figures changed");
    let found = findings(&w);
    match case.expected() {
        Some((rule, sheet, cell)) => {
            assert_eq!(code, Some(3), "{case:?} quarantines its return\n{stderr}");
            let want = (case.file().to_owned(), sheet.unwrap_or("").to_owned(), cell.unwrap_or("").to_owned(), rule.to_owned());
            assert!(found.contains(&want), "{case:?}: {want:?} not in {found:?}");
            // The return is named on the terminal as quarantined.
            assert!(stderr.contains(case.file()), "{case:?}: not named\n{stderr}");
        }
        None => assert!(found.iter().all(|f| f.0 != case.file() || !f.3.ends_with("_too_large")), "{case:?}: {found:?}"),
    }
    if case == Hostile::OwnerFile {
        // Not a return: no finding, all 16 accepted.
        assert_eq!(code, Some(0), "{stderr}");
        assert!(found.iter().all(|f| f.0 != case.file()), "{found:?}");
    }
}

#[test]
fn a_stray_value_in_the_last_row_is_a_finding_at_its_cell() {
    check(Hostile::StrayLastRow);
}

#[test]
fn a_stray_value_in_the_last_column_is_a_finding_at_its_cell() {
    check(Hostile::StrayLastColumn);
}

#[test]
fn a_shared_strings_bomb_is_refused_from_the_zip_directory() {
    check(Hostile::SharedStringsBomb);
}

#[test]
fn a_sheet_part_inflating_past_the_cap_is_refused_from_the_zip_directory() {
    check(Hostile::SheetPartBomb);
}

#[test]
fn a_million_formatted_rows_are_not_values_but_the_zero_in_the_last_is() {
    check(Hostile::MillionFormattedRows);
}

#[test]
fn three_hundred_sheets_are_refused() {
    check(Hostile::ManySheets);
}

#[test]
fn deeply_nested_xml_neither_overflows_nor_stops_the_run() {
    check(Hostile::DeepNesting);
}

#[test]
fn fifty_megabytes_of_random_bytes_are_an_unreadable_file() {
    check(Hostile::RandomBytes);
}

#[test]
fn an_owner_file_is_skipped_with_one_info_line() {
    check(Hostile::OwnerFile);
    let w = with_hostile(&[Hostile::OwnerFile]);
    let out = Command::new(env!("CARGO_BIN_EXE_kooste")).arg("run").current_dir(w.path()).env("KOOSTE_LOG", "info").output().expect("kooste runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("~$oulu.xlsx")).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("INFO") && lines[0].contains("owner file"), "{}", lines[0]);
}

/// The whole pipeline on the sample and every hostile file at once, with the address space
/// of the process limited to 1 GiB: it completes.
#[test]
fn the_whole_run_with_every_hostile_file_fits_in_one_gibibyte() {
    use std::os::unix::process::CommandExt;
    let w = with_hostile(&ALL);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kooste"));
    cmd.arg("run").current_dir(w.path()).env("KOOSTE_LOG", "warn");
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: 1 << 30, rlim_max: 1 << 30 };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().expect("kooste runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(&others(&figures(&w)), baseline());
    let found = findings(&w);
    for case in ALL {
        if let Some((rule, sheet, cell)) = case.expected() {
            let want = (case.file().to_owned(), sheet.unwrap_or("").to_owned(), cell.unwrap_or("").to_owned(), rule.to_owned());
            assert!(found.contains(&want), "{want:?} not in {found:?}");
        }
    }
    // Every file in the folder is a return with its outcome, or skipped with a line: the run
    // record lists the quarantined ones.
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(w.join("output/2025/run.json")).unwrap()).unwrap();
    let quarantined = record.to_string();
    for case in ALL.iter().filter(|c| c.expected().is_some()) {
        assert!(quarantined.contains(case.file()), "{} not in run.json", case.file());
    }
}

/// Upper-case extensions, `.xlsm`, spaces and Nordic letters in names read like `.xlsx`.
#[test]
fn names_and_extensions_schools_use_read_like_xlsx() {
    let w = Workdir::with_sample();
    let dir = w.join("raw/surveys/2025");
    std::fs::rename(dir.join("oulu.xlsx"), dir.join("Oulun konservatorio ÅÄÖ.XLSX")).unwrap();
    std::fs::rename(dir.join("kuopio.xlsx"), dir.join("kuopio palautus 2025.xlsm")).unwrap();
    let out = w.kooste_expect(&["run"], 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("16 returns accepted, 0 quarantined"), "{stderr}");
    let all = figures(&w);
    assert_eq!(&others(&all), baseline());
    assert!(all.iter().any(|r| r[0] == "oulu"), "oulu's figures are there");
}

/// A return that cannot be opened (a symlink loop) is quarantined as unreadable by `run` and
/// rejected by `validate`: the two agree, and nothing is skipped in silence.
#[test]
fn a_file_that_cannot_be_opened_is_quarantined_by_run_and_validate_alike() {
    let w = Workdir::with_sample();
    let dir = w.join("raw/surveys/2025");
    std::os::unix::fs::symlink("silmukka.xlsx", dir.join("silmukka.xlsx")).unwrap();
    w.kooste_expect(&["run"], 3);
    let found = findings(&w);
    assert!(found.contains(&("silmukka.xlsx".into(), String::new(), String::new(), "unreadable_file".into())), "{found:?}");
    assert_eq!(&others(&figures(&w)), baseline());
    let out = w.kooste(&["validate", "raw/surveys/2025"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_ne!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("silmukka.xlsx: REJECTED")), "{stdout}");
    assert!(stdout.contains("unreadable_file"), "{stdout}");
}

fn context_check(limits: &Limits) -> Vec<(String, String, String)> {
    let config = Workdir::with_sample().config();
    let ctx = ReadContext { registry: &config.registry, catalogue: &config.catalogue, year: config.year, qualifications: &config.pipeline.publish_qualifications };
    let bytes = std::fs::read(repo().join(BASE)).unwrap();
    let o = read_return_bytes_within("oulu.xlsx", &bytes, &ctx, limits);
    o.findings.iter().map(|f| (f.rule.code().to_owned(), f.sheet.clone().unwrap_or_default(), f.cell.clone().unwrap_or_default())).collect()
}

/// The time budget and the cell cap stop a return with a finding where reading stopped (with
/// limits small enough to be hit by the sample's own return).
#[test]
fn the_time_budget_and_the_cell_cap_quarantine_with_a_finding() {
    assert!(context_check(&Limits::DEFAULT).is_empty());
    let spent = context_check(&Limits { time: std::time::Duration::ZERO, ..Limits::DEFAULT });
    assert_eq!(spent, vec![("read_timeout".into(), "Tiedot".into(), String::new())]);
    // The details sheet of the sample has 10 filled cells (A1:B5); the 11th is on the next sheet.
    let capped = context_check(&Limits { cells: 10, ..Limits::DEFAULT });
    assert_eq!(capped, vec![("too_many_cells".into(), "Sijoittuminen".into(), "A1".into())]);
    // A narrower area makes the table's own right-hand columns stray values, named one by one.
    let narrow = context_check(&Limits { cols: 11, stray_findings: 2, ..Limits::DEFAULT });
    assert_eq!(narrow[..2], [("value_outside_area".into(), "Sijoittuminen".into(), "L1".into()), ("value_outside_area".into(), "Sijoittuminen".into(), "L2".into())]);
}
