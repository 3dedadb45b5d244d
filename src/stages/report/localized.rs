//! What people read, per language: `output/<year>/<lang>/tables.xlsx` (a formatted sheet per
//! table) and `output/<year>/<lang>/<table>.csv`, from the published (language-neutral) tables.
//!
//! Headers and codes become the language's words (members by name, qualifications,
//! orientations and statuses by their labels); numbers stay numbers, with number formats in the
//! workbook and the language's decimal mark in the CSV; suppression symbols stay as they are,
//! marked; every sheet ends with its sources and the symbols' legend. CSV cells that a
//! spreadsheet would take for a formula (`= + - @`, tab, carriage return) are neutralised.

use std::path::Path;

use polars::prelude::*;
use rust_xlsxwriter::{Color, Format, FormatAlign};

use crate::charts::labels::{self, Key};
use crate::config::Config;
use crate::domain::{Lang, Orientation, PlacementClass, PlacementStatus};
use crate::files;
use crate::{Error, Result};

/// How a column is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A code, shown as its label.
    Code,
    /// A year or a number of years: a whole number without grouping.
    Year,
    /// A count of persons or places.
    Count,
    /// A share in [0, 1], shown as a percentage.
    Percent,
    /// A ratio with two decimals.
    Ratio,
}

/// The kind of a published column.
pub fn kind(column: &str) -> Kind {
    match column {
        "year" | "graduation_year" | "benchmark_year" | "lag" => Kind::Year,
        "share" | "coverage" | "members_share" | "field02_share" | "all_fields_share" => Kind::Percent,
        "applicants_per_place" | "start_places_ratio" | "applicants_ratio" | "first_choice_ratio" => Kind::Ratio,
        "member_id" | "qualification_code" | "orientation" | "status" | "class" | "source" | "field" | "measure" | "flagged" => Kind::Code,
        _ => Kind::Count,
    }
}

/// A code cell of a table as people read it.
pub fn label(config: &Config, lang: Lang, table: &str, column: &str, code: &str) -> String {
    let all_of = |what: &str| -> String {
        match (lang, what) {
            (Lang::Fi, "member") => "Kaikki jäsenet".into(),
            (Lang::Sv, "member") => "Alla medlemmar".into(),
            (Lang::En, "member") => "All members".into(),
            (Lang::Fi, "qualification") => "Kaikki tutkinnot".into(),
            (Lang::Sv, "qualification") => "Alla examina".into(),
            (Lang::En, "qualification") => "All qualifications".into(),
            _ => labels::code(lang, "all").unwrap_or("all").into(),
        }
    };
    match (column, code) {
        ("member_id", "all") => all_of("member"),
        ("member_id", c) => {
            config.registry.get(c).map(|m| m.name.clone()).or_else(|| labels::code(lang, c).map(str::to_owned)).unwrap_or_else(|| c.to_owned())
        }
        ("qualification_code", "all") => all_of("qualification"),
        ("qualification_code", c) => c
            .parse::<u32>()
            .ok()
            .and_then(|_| crate::domain::QualificationCode::parse(c))
            .and_then(|q| config.catalogue.get(q))
            .map(|q| q.name(lang).to_owned())
            .unwrap_or_else(|| c.to_owned()),
        ("orientation", c) => Orientation::ALL
            .iter()
            .find(|o| o.code() == c)
            .map(|o| capitalised(lang.pick(&o.labels())))
            .unwrap_or_else(|| labels::code(lang, c).unwrap_or(c).to_owned()),
        ("status", c) => {
            PlacementStatus::ALL.iter().find(|s| s.code() == c).map(|s| lang.pick(&s.labels()).to_owned()).unwrap_or_else(|| c.to_owned())
        }
        // The benchmark's classes are Statistics Finland's.
        ("class", c) if table == "placement_benchmark" => match c {
            "other" => lang.pick(&PlacementStatus::Other.labels()).to_owned(),
            c => labels::code(lang, c).unwrap_or(c).to_owned(),
        },
        ("class", c) => {
            PlacementClass::ALL.iter().find(|k| k.code() == c).map(|k| lang.pick(&k.labels()).to_owned()).unwrap_or_else(|| c.to_owned())
        }
        (_, c) => labels::code(lang, c).map(str::to_owned).unwrap_or_else(|| c.to_owned()),
    }
}

/// A label with its first letter in upper case ("klassinen musiikki" → "Klassinen musiikki").
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The sources of a table, one line each.
pub fn sources(lang: Lang, table: &str, year: i32, vipunen_date: &str) -> Vec<String> {
    let survey = labels::text(lang, Key::SourceSurvey).replace("{year}", &year.to_string());
    let vipunen = labels::text(lang, Key::SourceVipunen).replace("{date}", vipunen_date);
    match table {
        "enrolment" | "applicants" => vec![vipunen, survey],
        "key_figures" => vec![vipunen],
        "placement_benchmark" => vec![survey, labels::text(lang, Key::SourceStatfin).replace("{table}", "sijk/111l")],
        _ => vec![survey],
    }
}

/// Neutralises a text cell that a spreadsheet would run as a formula.
pub fn neutralise(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

/// A number in the language's notation for CSV (decimal comma in fi and sv, no grouping).
fn csv_number(lang: Lang, v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if lang == Lang::En { s } else { s.replace('.', ",") }
}

/// Everything one language's folder needs.
pub struct Localized<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// The published tables, by name.
    pub tables: &'a [(&'static str, DataFrame)],
    /// The suppression symbol of small counts (`1-4`).
    pub primary: String,
    /// The Vipunen dataset's date, for the source lines.
    pub vipunen_date: String,
    /// Whom the survey figures cover: the workbook's notes sheet.
    pub coverage: Option<&'a crate::collection::Coverage>,
    /// The orientations published merged (`stages/disclose/merged_orientations`).
    pub merged: Vec<MergedNote>,
}

/// One merged orientation, for the notes under the placement table and on the report page.
#[derive(Clone, Debug)]
pub struct MergedNote {
    /// Its qualification's code.
    pub qualification: String,
    /// Its code.
    pub orientation: String,
    /// `few_members`, `small_group` or `company`.
    pub reason: String,
    /// `other_orientations`, or `all` when only the qualification's row is published.
    pub into: String,
}

impl MergedNote {
    /// The notes of the merged-orientations frame.
    pub fn of(df: &DataFrame) -> PolarsResult<Vec<Self>> {
        let s = |c: &str| -> PolarsResult<Vec<String>> { Ok(df.column(c)?.str()?.iter().map(|v| v.unwrap_or("").to_owned()).collect()) };
        let (q, o, r, into) = (s("qualification_code")?, s("orientation")?, s("reason")?, s("into")?);
        Ok((0..df.height())
            .map(|i| MergedNote { qualification: q[i].clone(), orientation: o[i].clone(), reason: r[i].clone(), into: into[i].clone() })
            .collect())
    }
}

impl Localized<'_> {
    /// A code cell as people read it; in the survey's tables, the association as whom its
    /// figures cover when not every member is in ("Jäsenet, 14/16 vastannut").
    fn label(&self, lang: Lang, table: &str, column: &str, code: &str) -> String {
        if column == "member_id" && code == "all" && ["placement", "placement_by_member"].contains(&table) {
            if let Some(who) = crate::collection::publish::partial_label(self.coverage, lang) {
                return who;
            }
        }
        label(self.config, lang, table, column, code)
    }

    /// The suppression symbols' legend.
    pub fn legend(&self, lang: Lang) -> Vec<String> {
        let max = self.config.pipeline.disclosure.threshold.saturating_sub(1);
        vec![
            labels::text(lang, Key::LegendPrimary).replace("{flag}", &self.primary).replace("{max}", &max.to_string()),
            labels::text(lang, Key::LegendSecondary).to_owned(),
        ]
    }

    /// What the merged orientations are, one line per orientation: where it is published and
    /// why.
    pub fn merged_notes(&self, lang: Lang) -> Vec<String> {
        let rule = &self.config.pipeline.disclosure;
        self.merged
            .iter()
            .map(|m| {
                let o = label(self.config, lang, "placement", "orientation", &m.orientation);
                let q = label(self.config, lang, "placement", "qualification_code", &m.qualification).to_lowercase();
                let why = match (lang, m.reason.as_str()) {
                    (Lang::Fi, "few_members") => format!("sitä opettaa alle {} jäsentä", rule.min_members),
                    (Lang::Sv, "few_members") => format!("färre än {} medlemmar undervisar i den", rule.min_members),
                    (Lang::En, "few_members") => format!("taught by fewer than {} members", rule.min_members),
                    (Lang::Fi, "small_group") => format!("jonakin vuonna alle {} valmistunutta", rule.threshold),
                    (Lang::Sv, "small_group") => format!("färre än {} utexaminerade något år", rule.threshold),
                    (Lang::En, "small_group") => format!("fewer than {} graduates in a year", rule.threshold),
                    (Lang::Fi, _) => "lisätty, jotta yhdistetty rivi ei ole yhden suuntautumisen tai koulun luvut".into(),
                    (Lang::Sv, _) => "tillagd så att den sammanslagna raden inte är en enda inriktnings eller skolas siffror".into(),
                    (Lang::En, _) => "added so that the merged row is not one orientation's or one school's figures".into(),
                };
                let other = label(self.config, lang, "placement", "orientation", super::super::disclose::OTHER_ORIENTATIONS);
                match (lang, m.into.as_str()) {
                    (Lang::Fi, "all") => format!("{o} ({q}) julkaistaan vain tutkinnon rivillä: {why}."),
                    (Lang::Sv, "all") => format!("{o} ({q}) publiceras endast på examens rad: {why}."),
                    (Lang::En, "all") => format!("{o} ({q}) is published in the qualification's row only: {why}."),
                    (Lang::Fi, _) => format!("{other} ({q}) sisältää: {o} – {why}."),
                    (Lang::Sv, _) => format!("{other} ({q}) omfattar: {o} – {why}."),
                    (Lang::En, _) => format!("{other} ({q}) include {o}: {why}."),
                }
            })
            .collect()
    }

    /// Writes `tables.xlsx` and the CSVs into `dir`; returns the paths written.
    pub fn write(&self, lang: Lang, dir: &Path) -> Result<Vec<std::path::PathBuf>> {
        let mut written = Vec::new();
        for (name, df) in self.tables {
            let path = dir.join(format!("{name}.csv"));
            self.write_csv(lang, name, df, &path)?;
            written.push(path);
        }
        let path = dir.join("tables.xlsx");
        self.write_xlsx(lang, &path)?;
        written.push(path);
        Ok(written)
    }

    fn cells(df: &DataFrame) -> Result<Vec<(String, Vec<Option<String>>)>> {
        let frame_err = |source| Error::Frame { context: "localised tables".into(), source };
        df.columns()
            .iter()
            .map(|c| {
                let s = c.cast(&DataType::String).map_err(frame_err)?;
                let values = s.str().map_err(frame_err)?.iter().map(|v| v.map(str::to_owned)).collect();
                Ok((c.name().to_string(), values))
            })
            .collect()
    }

    fn write_csv(&self, lang: Lang, table: &str, df: &DataFrame, path: &Path) -> Result<()> {
        let cols = Self::cells(df)?;
        let delimiter = if lang == Lang::En { b',' } else { b';' };
        files::write_atomic(path, |w| {
            // A byte-order mark, so spreadsheet programs read the file as UTF-8.
            w.write_all("\u{feff}".as_bytes())?;
            let mut csv = csv::WriterBuilder::new().delimiter(delimiter).from_writer(w);
            csv.write_record(cols.iter().map(|(c, _)| labels::column(lang, c)))?;
            for r in 0..df.height() {
                let row: Vec<String> = cols
                    .iter()
                    .map(|(c, v)| {
                        let v = v[r].clone().unwrap_or_default();
                        let number = v.parse::<f64>().ok();
                        match (kind(c), number) {
                            (Kind::Code, _) => neutralise(&self.label(lang, table, c, &v)),
                            (Kind::Percent, Some(x)) => csv_number(lang, x * 100.0, 1),
                            (Kind::Ratio, Some(x)) => csv_number(lang, x, 2),
                            (_, Some(x)) => format!("{x}"),
                            (_, None) => neutralise(&v),
                        }
                    })
                    .collect();
                csv.write_record(&row)?;
            }
            csv.flush()
        })?;
        Ok(())
    }

    fn write_xlsx(&self, lang: Lang, path: &Path) -> Result<()> {
        let xerr = |source| Error::Xlsx { path: path.to_owned(), source };
        let mut book = files::workbook();
        let header = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Top).set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
        let int = Format::new().set_num_format("#,##0");
        let year = Format::new().set_num_format("0");
        let pct = Format::new().set_num_format("0.0 %");
        let ratio = Format::new().set_num_format("0.00");
        let hidden = Format::new().set_align(FormatAlign::Right).set_font_color(Color::RGB(0x5A5A5A)).set_background_color(Color::RGB(0xEDEDED));
        let note = Format::new().set_italic().set_font_color(Color::RGB(0x505050));
        for (name, df) in self.tables {
            let cols = Self::cells(df)?;
            let sheet = book.add_worksheet();
            sheet.set_name(labels::table(lang, name)).map_err(xerr)?;
            let mut widths: Vec<usize> = vec![8; cols.len()];
            for (c, (col, values)) in cols.iter().enumerate() {
                let cc = c as u16;
                let head = labels::column(lang, col);
                sheet.write_string_with_format(0, cc, head, &header).map_err(xerr)?;
                widths[c] = widths[c].max(head.chars().count().min(24));
                for (r, v) in values.iter().enumerate() {
                    let r = r as u32 + 1;
                    let Some(v) = v else { continue };
                    let number = v.parse::<f64>().ok();
                    match (kind(col), number) {
                        (Kind::Code, _) => {
                            let text = self.label(lang, name, col, v);
                            widths[c] = widths[c].max(text.chars().count());
                            sheet.write_string(r, cc, &text).map_err(xerr)?;
                        }
                        (Kind::Year, Some(x)) => {
                            sheet.write_number_with_format(r, cc, x, &year).map_err(xerr)?;
                        }
                        (Kind::Count, Some(x)) => {
                            sheet.write_number_with_format(r, cc, x, &int).map_err(xerr)?;
                        }
                        (Kind::Percent, Some(x)) => {
                            sheet.write_number_with_format(r, cc, x, &pct).map_err(xerr)?;
                        }
                        (Kind::Ratio, Some(x)) => {
                            sheet.write_number_with_format(r, cc, x, &ratio).map_err(xerr)?;
                        }
                        (_, None) if !v.is_empty() => {
                            sheet.write_string_with_format(r, cc, v, &hidden).map_err(xerr)?;
                        }
                        _ => {}
                    }
                }
            }
            for (c, w) in widths.iter().enumerate() {
                sheet.set_column_width(c as u16, (*w as f64 + 2.0).min(40.0)).map_err(xerr)?;
            }
            sheet.set_row_height(0, 32).map_err(xerr)?;
            sheet.set_freeze_panes(1, 0).map_err(xerr)?;
            super::tables::print_setup(sheet, labels::table(lang, name), Some(&self.config.run_id)).map_err(xerr)?;
            // Sources and the symbols' legend under the table.
            let mut r = df.height() as u32 + 2;
            let year = self.config.year;
            let notes = if *name == "placement" { self.merged_notes(lang) } else { Vec::new() };
            for line in sources(lang, name, year, &self.vipunen_date).into_iter().chain(self.legend(lang)).chain(notes) {
                sheet.write_string_with_format(r, 0, &line, &note).map_err(xerr)?;
                r += 1;
            }
        }
        if let Some(c) = self.coverage {
            crate::collection::publish::notes_sheet(&mut book, self.config, c, lang).map_err(xerr)?;
        }
        let bytes = book.save_to_buffer().map_err(xerr)?;
        files::write_bytes(path, &bytes)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+358"), "'+358");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("1-4"), "1-4");
        assert_eq!(neutralise("Oulun konservatorio"), "Oulun konservatorio");
    }

    #[test]
    fn numbers_in_the_languages_notation() {
        assert_eq!(csv_number(Lang::Fi, 44.83, 1), "44,8");
        assert_eq!(csv_number(Lang::En, 44.83, 1), "44.8");
    }
}
