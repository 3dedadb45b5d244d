//! The published tables: the disclosed frames with suppressed cells shown as their symbols,
//! in the language-neutral shape of `output/<year>/tables/` (codes, the contract's columns), and
//! the workbook `tables/tables.xlsx` with the same tables.

use std::path::Path;

use polars::prelude::*;
use rust_xlsxwriter::Format;

use crate::stages::disclose::SECONDARY;
use crate::files;
use crate::{Error, Result};

/// Columns of the published placement table.
pub const PLACEMENT_COLUMNS: [&str; 11] =
    ["year", "member_id", "qualification_code", "orientation", "graduation_year", "status", "count", "share", "lag", "coverage", "graduates"];
/// Columns of the published member-level placement table.
pub const PLACEMENT_BY_MEMBER_COLUMNS: [&str; 8] = ["year", "member_id", "graduation_year", "class", "graduates", "count", "share", "lag"];
/// Columns of the published enrolment table.
pub const ENROLMENT_COLUMNS: [&str; 11] = [
    "year",
    "member_id",
    "qualification_code",
    "new_students",
    "students",
    "graduates",
    "source",
    "start_places",
    "applicants",
    "first_choice_applicants",
    "applicants_per_place",
];

/// Columns of the published applicants reconciliation.
pub const APPLICANTS_COLUMNS: [&str; 16] = [
    "year",
    "member_id",
    "qualification_code",
    "vipunen_start_places",
    "vipunen_applicants",
    "vipunen_first_choice_applicants",
    "vipunen_accepted",
    "vipunen_enrolled",
    "survey_start_places",
    "survey_applicants",
    "survey_first_choice_applicants",
    "survey_new_students",
    "start_places_ratio",
    "applicants_ratio",
    "first_choice_ratio",
    "flagged",
];

/// A count as published: the number, or the flag of its suppression.
pub(super) fn shown(value: &str, flag: &str) -> Expr {
    when(col(flag).neq(lit(""))).then(col(flag)).otherwise(col(value).cast(DataType::String))
}

/// A placement share as published: 4 decimals, or `..` with its hidden count.
fn shown_share() -> Expr {
    when(col("flag").neq(lit(""))).then(lit(SECONDARY)).otherwise(col("share").round(4, RoundMode::HalfToEven).cast(DataType::String)).alias("share")
}

/// The placement table as published: suppressed counts show their flag, their shares `..`.
pub fn published_placement(df: &DataFrame) -> PolarsResult<DataFrame> {
    df.clone()
        .lazy()
        .with_columns([
            shown("count", "flag").alias("count"),
            shown_share(),
            when(col("coverage_flag").neq(lit(""))).then(lit(SECONDARY)).otherwise(col("coverage").cast(DataType::String)).alias("coverage"),
            // The group's n, printed in the charts: published here too, or its symbol.
            shown("graduates", "graduates_flag").alias("graduates"),
        ])
        .select(PLACEMENT_COLUMNS.map(col))
        .collect()
}

/// The member-level placement table as published: suppressed counts show their flag, their
/// shares `..`.
pub fn published_by_member(df: &DataFrame) -> PolarsResult<DataFrame> {
    df.clone()
        .lazy()
        .with_columns([shown("count", "flag").alias("count"), shown_share(), shown("graduates", "graduates_flag").alias("graduates")])
        .select(PLACEMENT_BY_MEMBER_COLUMNS.map(col))
        .collect()
}

/// The benchmark as published: a hidden class count shows `..`, with its share.
pub fn published_benchmark(df: &DataFrame) -> PolarsResult<DataFrame> {
    df.clone()
        .lazy()
        .with_columns([
            when(col("count").is_null()).then(lit(SECONDARY)).otherwise(col("count").cast(DataType::String)).alias("count"),
            when(col("count").is_null()).then(lit(SECONDARY)).otherwise(col("share").cast(DataType::String)).alias("share"),
        ])
        .collect()
}

/// The key figures as published.
pub fn published_key_figures(df: &DataFrame) -> PolarsResult<DataFrame> {
    df.clone()
        .lazy()
        .with_columns([
            shown("national", "national_flag").alias("national"),
            shown("members", "members_flag").alias("members"),
            when(col("national_flag").neq(lit("")).or(col("members_flag").neq(lit(""))))
                .then(lit(SECONDARY))
                .otherwise(col("members_share").cast(DataType::String))
                .alias("members_share"),
        ])
        .select(["year", "field", "measure", "national", "members", "members_share"].map(col))
        .collect()
}

/// The enrolment table as published.
pub fn published_enrolment(df: &DataFrame) -> PolarsResult<DataFrame> {
    df.clone()
        .lazy()
        .with_columns(
            ["new_students", "students", "graduates", "applicants", "first_choice_applicants"]
                .map(|c| shown(c, &format!("{c}_flag")).alias(c)),
        )
        .with_column(
            when(col("applicants_flag").neq(lit("")))
                .then(lit(SECONDARY))
                .otherwise(col("applicants_per_place").cast(DataType::String))
                .alias("applicants_per_place"),
        )
        .select(ENROLMENT_COLUMNS.map(col))
        .collect()
}

/// The applicants reconciliation as published: hidden counts show their symbol, a ratio or
/// flag beside a hidden figure `..`; a survey figure the return does not have stays empty.
pub fn published_applicants(df: &DataFrame) -> PolarsResult<DataFrame> {
    df.clone()
        .lazy()
        .with_columns(APPLICANTS_COLUMNS[3..].iter().map(|c| shown(c, &format!("{c}_flag")).alias(*c)).collect::<Vec<_>>())
        .select(APPLICANTS_COLUMNS.map(col))
        .collect()
}

/// How a table's sheet prints: landscape A4, as wide as one page (as many pages down as it
/// takes), the header row on every page, and a footer with the table's name, the page number
/// and (in the workbooks for people) the run id.
pub(super) fn print_setup(
    sheet: &mut rust_xlsxwriter::Worksheet,
    title: &str,
    run_id: Option<&str>,
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    // `&` starts a control code in headers and footers: a literal one is doubled.
    let (title, run_id) = (title.replace('&', "&&"), run_id.unwrap_or_default().replace('&', "&&"));
    sheet.set_paper_size(9).set_landscape().set_print_fit_to_pages(1, 0).set_footer(format!("&L{title}&C&P / &N&R{run_id}"));
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

/// Writes the tables into one workbook, a sheet each: numbers as numbers, flags as text. The
/// same tables give the same bytes (no run id: it would change them on every run).
pub(super) fn write_workbook(path: &Path, tables: &[(&str, &DataFrame)]) -> Result<()> {
    let xerr = |source| Error::Xlsx { path: path.to_owned(), source };
    let mut book = files::workbook();
    let bold = Format::new().set_bold();
    for (name, df) in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).map_err(xerr)?;
        for (c, column) in df.columns().iter().enumerate() {
            let c = c as u16;
            sheet.write_string_with_format(0, c, column.name().as_str(), &bold).map_err(xerr)?;
            let text = column.cast(&DataType::String).map_err(|source| Error::Frame { context: "workbook".into(), source })?;
            let text = text.str().map_err(|source| Error::Frame { context: "workbook".into(), source })?;
            for (r, v) in text.iter().enumerate() {
                let r = r as u32 + 1;
                match v {
                    Some(v) => match v.parse::<f64>() {
                        Ok(n) if !column.name().ends_with("_id") && column.name().as_str() != "qualification_code" => {
                            sheet.write_number(r, c, n).map_err(xerr)?
                        }
                        _ => sheet.write_string(r, c, v).map_err(xerr)?,
                    },
                    None => sheet,
                };
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(xerr)?;
        sheet.autofit();
        print_setup(sheet, name, None).map_err(xerr)?;
    }
    let bytes = book.save_to_buffer().map_err(xerr)?;
    files::write_bytes(path, &bytes)?;
    Ok(())
}

