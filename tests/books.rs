//! Workbooks built by the tests: one description, written as `.xlsx` (rust_xlsxwriter) or as
//! `.ods` (a minimal OpenDocument spreadsheet zipped here), so every reader test can run on
//! both formats.

use std::io::Write;

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

/// A cell to write.
#[derive(Clone, Debug)]
pub enum V {
    /// Text.
    S(String),
    /// A number.
    N(f64),
    /// Nothing.
    E,
    /// A date-formatted cell.
    D(u16, u8, u8),
    /// A formula with its cached numeric result.
    F(&'static str, f64),
    /// A formula whose cached result is an error value such as `#DIV/0!`.
    X(&'static str, &'static str),
}

/// Text cell.
pub fn s(t: &str) -> V {
    V::S(t.to_owned())
}

/// Number cell.
pub fn n(x: f64) -> V {
    V::N(x)
}

/// A row of text cells.
pub fn texts(v: &[&str]) -> Vec<V> {
    v.iter().map(|t| if t.is_empty() { V::E } else { s(t) }).collect()
}

/// A sheet: name and rows from A1.
pub type Sheet = (String, Vec<Vec<V>>);

/// The two formats.
#[derive(Clone, Copy, Debug)]
pub enum Format2 {
    /// Office Open XML.
    Xlsx,
    /// OpenDocument.
    Ods,
}

/// Writes the sheets in a format.
pub fn build(format: Format2, sheets: &[Sheet]) -> Vec<u8> {
    match format {
        Format2::Xlsx => xlsx(sheets),
        Format2::Ods => ods(sheets),
    }
}

/// Writes an `.xlsx`.
pub fn xlsx(sheets: &[Sheet]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("d.m.yyyy");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            let (r, _) = (r as u32, ());
            for (c, v) in row.iter().enumerate() {
                let c = c as u16;
                match v {
                    V::S(t) => {
                        ws.write_string(r, c, t).unwrap();
                    }
                    V::N(x) => {
                        ws.write_number(r, c, *x).unwrap();
                    }
                    V::E => {}
                    V::D(y, m, d) => {
                        let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        ws.write_datetime_with_format(r, c, &dt, &date).unwrap();
                    }
                    V::F(f, result) => {
                        ws.write_formula(r, c, Formula::new(*f).set_result(result.to_string())).unwrap();
                    }
                    V::X(f, err) => {
                        ws.write_formula(r, c, Formula::new(*f).set_result(*err)).unwrap();
                    }
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn esc(t: &str) -> String {
    t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Writes a minimal `.ods`: the mimetype entry first and stored, then `content.xml`.
pub fn ods(sheets: &[Sheet]) -> Vec<u8> {
    let mut xml = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
        r#"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" "#,
        r#"xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" "#,
        r#"xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" "#,
        r#"office:version="1.2"><office:body><office:spreadsheet>"#
    ));
    for (name, rows) in sheets {
        xml.push_str(&format!(r#"<table:table table:name="{}">"#, esc(name)));
        for row in rows {
            xml.push_str("<table:table-row>");
            for v in row {
                xml.push_str(&match v {
                    V::S(t) => format!(
                        r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
                        esc(t).replace('\n', "</text:p><text:p>")
                    ),
                    V::N(x) => format!(r#"<table:table-cell office:value-type="float" office:value="{x}"><text:p>{x}</text:p></table:table-cell>"#),
                    V::E => "<table:table-cell/>".to_owned(),
                    V::D(y, m, d) => format!(
                        r#"<table:table-cell office:value-type="date" office:date-value="{y:04}-{m:02}-{d:02}"><text:p>{d}.{m}.{y}</text:p></table:table-cell>"#
                    ),
                    V::F(f, x) => format!(
                        r#"<table:table-cell table:formula="of:{}" office:value-type="float" office:value="{x}"><text:p>{x}</text:p></table:table-cell>"#,
                        esc(f)
                    ),
                    V::X(f, e) => format!(
                        r#"<table:table-cell table:formula="of:{}" office:value-type="string" office:string-value="" calcext:value-type="error"><text:p>{}</text:p></table:table-cell>"#,
                        esc(f),
                        esc(e)
                    ),
                });
            }
            xml.push_str("</table:table-row>");
        }
        xml.push_str("</table:table>");
    }
    xml.push_str("</office:spreadsheet></office:body></office:document-content>");
    let manifest = concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">"#,
        r#"<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>"#,
        r#"<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>"#,
        r#"</manifest:manifest>"#
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
        zip.start_file("META-INF/manifest.xml", deflated).unwrap();
        zip.write_all(manifest.as_bytes()).unwrap();
        zip.start_file("content.xml", deflated).unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
        zip.finish().unwrap();
    }
    buf.into_inner()
}

/// The text of one entry of a zip (xlsx) package, for checking what a writer wrote.
pub fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut out).unwrap();
    out
}

/// Names of the entries of a zip package.
pub fn zip_names(bytes: &[u8]) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    zip.file_names().map(|n| n.unwrap().into_owned()).collect()
}
