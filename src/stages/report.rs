//! Stage 5, report: the disclosed tables → published tables and charts.
//!
//! In: `stages/disclose/{placement,enrolment}.parquet` and the snapshots' provenance (for the
//! source lines). Out: `output/<year>/tables/{placement,enrolment}.csv`, `tables.xlsx` (the same
//! tables), and `output/<year>/charts/<chart>-<lang>.{svg,png}`. Charts are drawn from the very
//! frames the tables are written from, so every figure in a chart is the figure in its table.

use std::path::Path;

use polars::prelude::*;
use rust_xlsxwriter::Format;

use super::disclose::{SECONDARY, primary_flag};
use super::transform::{ALL, NATIONAL};
use super::{Stage, StageReport, load};
use crate::charts::enrolment::{EnrolmentChart, Line};
use crate::charts::labels::{self, Key};
use crate::charts::placement::{Bar, PlacementChart};
use crate::charts::{self, Frame};
use crate::config::Config;
use crate::domain::{Lang, PlacementClass};
use crate::files;
use crate::sources::Snapshot;
use crate::{Error, FrameContext, Result};

/// Columns of the published placement table.
pub const PLACEMENT_COLUMNS: [&str; 10] =
    ["year", "member_id", "qualification_code", "orientation", "graduation_year", "status", "count", "share", "lag", "coverage"];
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

/// Writes the tables and charts.
pub fn run(config: &Config) -> Result<StageReport> {
    let mut report = StageReport::new(Stage::Report);
    let placement = load(config, &mut report, Stage::Disclose, "placement")?;
    let by_member = load(config, &mut report, Stage::Disclose, "placement_by_member")?;
    let enrolment = load(config, &mut report, Stage::Disclose, "enrolment")?;
    let dir = config.year_dir();
    let tables = dir.join("tables");
    let figures = load(config, &mut report, Stage::Disclose, "key_figures")?;
    let mut published = vec![
        ("placement", published_placement(&placement).ctx("published placement")?),
        ("placement_by_member", published_by_member(&by_member).ctx("published placement by member")?),
        ("enrolment", published_enrolment(&enrolment).ctx("published enrolment")?),
        ("key_figures", published_key_figures(&figures).ctx("published key figures")?),
    ];
    if config.pipeline.sources.contains_key("placement_benchmark") {
        let bench = load(config, &mut report, Stage::Disclose, "placement_benchmark")?;
        published.push(("placement_benchmark", published_benchmark(&bench).ctx("published benchmark")?));
    }
    for (name, df) in published.iter_mut() {
        let path = tables.join(format!("{name}.csv"));
        files::write_csv(&path, df)?;
        report.rows.insert((*name).into(), df.height());
        report.output(&path)?;
    }
    let xlsx = tables.join("tables.xlsx");
    write_workbook(&xlsx, &published.iter().map(|(n, d)| (*n, d)).collect::<Vec<_>>())?;
    report.output(&xlsx)?;
    // The reconciliation is the association's own check, not a published table: it goes to
    // checks/, straight from transform.
    let mut check = load(config, &mut report, Stage::Transform, "reconciliation")?;
    let flagged = check.column("flagged").ctx("reconciliation")?.bool().ctx("reconciliation")?.sum().unwrap_or(0);
    if flagged > 0 {
        tracing::warn!(flagged, "Returns whose graduates differ from Vipunen's beyond the tolerance (checks/reconciliation.csv).");
    }
    let check_path = dir.join("checks").join("reconciliation.csv");
    files::write_csv(&check_path, &mut check)?;
    report.output(&check_path)?;

    let vipunen_date = config
        .pipeline
        .sources
        .get("enrolment")
        .and_then(|s| Snapshot::load(&config.raw.join(s.snapshot_path())).ok())
        .and_then(|s| s.provenance.dataset_updated)
        .unwrap_or_default();
    // The grey segment holds small counts and the cells hidden to protect them.
    let flag = format!("{}, {SECONDARY}", primary_flag(config.pipeline.disclosure.threshold));
    let chart_dir = dir.join("charts");
    for &lang in &config.pipeline.languages {
        let note = config.synthetic().then(|| labels::text(lang, Key::SyntheticNote).to_owned());
        let placement_chart = placement_chart(config, &by_member, lang, note.clone(), &flag).ctx("placement chart")?;
        let enrolment_chart = enrolment_chart(config, &enrolment, lang, note, &vipunen_date).ctx("enrolment chart")?;
        for path in charts::render(&placement_chart, &chart_dir)? {
            report.output(&path)?;
        }
        for path in charts::render(&enrolment_chart, &chart_dir)? {
            report.output(&path)?;
        }
    }
    Ok(report)
}

/// A count as published: the number, or the flag of its suppression.
fn shown(value: &str, flag: &str) -> Expr {
    when(col(flag).neq(lit(""))).then(col(flag)).otherwise(col(value).cast(DataType::String))
}

/// The placement table as published: suppressed counts show their flag, their shares `..`.
pub fn published_placement(df: &DataFrame) -> PolarsResult<DataFrame> {
    df.clone()
        .lazy()
        .with_columns([
            shown("count", "flag").alias("count"),
            when(col("flag").neq(lit("")))
                .then(lit(SECONDARY))
                .otherwise(col("share").round(4, RoundMode::HalfToEven).cast(DataType::String))
                .alias("share"),
            when(col("coverage_flag").neq(lit(""))).then(lit(SECONDARY)).otherwise(col("coverage").cast(DataType::String)).alias("coverage"),
        ])
        .select(PLACEMENT_COLUMNS.map(col))
        .collect()
}

/// The member-level placement table as published: suppressed counts show their flag, their
/// shares `..`.
pub fn published_by_member(df: &DataFrame) -> PolarsResult<DataFrame> {
    df.clone()
        .lazy()
        .with_columns([
            shown("count", "flag").alias("count"),
            when(col("flag").neq(lit("")))
                .then(lit(SECONDARY))
                .otherwise(col("share").round(4, RoundMode::HalfToEven).cast(DataType::String))
                .alias("share"),
        ])
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

/// Writes the tables into one workbook, a sheet each: numbers as numbers, flags as text.
fn write_workbook(path: &Path, tables: &[(&str, &DataFrame)]) -> Result<()> {
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
    }
    let bytes = book.save_to_buffer().map_err(xerr)?;
    files::write_bytes(path, &bytes)?;
    Ok(())
}

fn member_label(config: &Config, id: &str, lang: Lang) -> String {
    if id == ALL {
        labels::text(lang, Key::AllMembers).to_owned()
    } else {
        config.registry.get(id).map(|m| m.name.clone()).unwrap_or_else(|| id.to_owned())
    }
}

/// The most member bars a placement chart holds (a report page; the association has 16).
pub const MAX_BARS: usize = 40;

/// Placement one year after graduation (or the latest graduation year surveyed) from the
/// member-level table: a bar per member and one for the association on top.
fn placement_chart(config: &Config, df: &DataFrame, lang: Lang, note: Option<String>, flag: &str) -> PolarsResult<PlacementChart> {
    let years: Vec<i32> = df.column("graduation_year")?.i32()?.into_no_null_iter().collect();
    let gy = if years.contains(&(config.year - 1)) { config.year - 1 } else { years.iter().copied().max().unwrap_or(config.year) };
    let rows = df.clone().lazy().filter(col("graduation_year").eq(lit(gy))).collect()?;
    let member = rows.column("member_id")?.str()?;
    let class = rows.column("class")?.str()?;
    let share = rows.column("share")?.f64()?;
    let graduates = rows.column("graduates")?.i64()?;
    let mut bars: Vec<(String, Bar)> = Vec::new();
    for i in 0..rows.height() {
        let id = member.get(i).unwrap_or_default();
        if bars.last().is_none_or(|b| b.0 != id) {
            let bar = Bar { label: member_label(config, id, lang), n: graduates.get(i).unwrap_or(0), shares: [None; 4] };
            bars.push((id.to_owned(), bar));
        }
        let k = PlacementClass::ALL.iter().position(|c| Some(c.code()) == class.get(i));
        if let (Some(k), Some(bar)) = (k, bars.last_mut()) {
            bar.1.shares[k] = share.get(i);
        }
    }
    // A chart for a page holds at most MAX_BARS members: the largest, when there are more.
    let members = bars.iter().filter(|b| b.0 != ALL).count();
    if members > MAX_BARS {
        bars.sort_by(|a, b| (a.0 != ALL, std::cmp::Reverse(a.1.n), &a.1.label).cmp(&(b.0 != ALL, std::cmp::Reverse(b.1.n), &b.1.label)));
        bars.truncate(MAX_BARS + 1);
    }
    // The association first, then members by name.
    bars.sort_by(|a, b| (a.0 != ALL, &a.1.label).cmp(&(b.0 != ALL, &b.1.label)));
    let n = bars.iter().find(|b| b.0 == ALL).map(|b| b.1.n).unwrap_or(0);
    let mut subtitle = labels::text(lang, Key::PlacementSubtitle)
        .replace("{gy}", &gy.to_string())
        .replace("{year}", &config.year.to_string())
        .replace("{n}", &labels::int(lang, n));
    if members > MAX_BARS {
        let shown = labels::text(lang, Key::LargestShown).replace("{shown}", &MAX_BARS.to_string()).replace("{total}", &labels::int(lang, members as i64));
        subtitle = format!("{subtitle}. {shown}");
    }
    Ok(PlacementChart {
        lang,
        frame: Frame {
            title: labels::text(lang, Key::PlacementTitle).into(),
            subtitle,
            sources: vec![labels::text(lang, Key::SourceSurvey).replace("{year}", &config.year.to_string())],
            note,
        },
        bars: bars.into_iter().map(|b| b.1).collect(),
        flag: flag.to_owned(),
    })
}

/// Students, new students and graduates of all published qualifications, members together and
/// the whole country, from Vipunen.
fn enrolment_chart(config: &Config, df: &DataFrame, lang: Lang, note: Option<String>, date: &str) -> PolarsResult<EnrolmentChart> {
    let rows = df
        .clone()
        .lazy()
        .filter(col("source").eq(lit("vipunen")).and(col("qualification_code").eq(lit(ALL))))
        .sort(["year"], SortMultipleOptions::default())
        .collect()?;
    let year = rows.column("year")?.i32()?;
    let member = rows.column("member_id")?.str()?;
    let mut lines = Vec::new();
    for (m, dashed, who) in [(ALL, false, Key::Members), (NATIONAL, true, Key::National)] {
        for (c, key, color) in [("students", Key::Students, 0), ("new_students", Key::NewStudents, 3), ("graduates", Key::Graduates, 2)] {
            let v = rows.column(c)?.i64()?;
            let points = (0..rows.height())
                .filter(|i| member.get(*i) == Some(m))
                .filter_map(|i| Some((year.get(i)?, v.get(i)?)))
                .collect();
            let label = format!("{}: {}", labels::text(lang, who), labels::text(lang, key).to_lowercase());
            lines.push(Line { label, color, dashed, points });
        }
    }
    let from = year.into_no_null_iter().min().unwrap_or(config.pipeline.first_year);
    let to = year.into_no_null_iter().max().unwrap_or(config.year);
    Ok(EnrolmentChart {
        lang,
        frame: Frame {
            title: labels::text(lang, Key::EnrolmentTitle).into(),
            subtitle: labels::text(lang, Key::EnrolmentSubtitle)
                .replace("{from}", &from.to_string())
                .replace("{to}", &to.to_string()),
            sources: vec![labels::text(lang, Key::SourceVipunen).replace("{date}", date)],
            note,
        },
        lines,
    })
}
