//! Lineage: where a published figure came from.
//!
//! In: a published table's name and `column=value` filters, the run record and the stages'
//! persisted outputs. Out: a text that names the matching published rows, the run that wrote
//! them, the chain of stage outputs (with sha256) from the table back to the raw inputs, and
//! the input rows themselves: the survey returns' files, sheets and cells, or the Vipunen
//! snapshot's rows with its URL and fetch time.

use std::collections::BTreeMap;
use std::fmt::Write;

use polars::prelude::*;

use crate::config::Config;
use crate::domain::{PlacementClass, PlacementStatus};
use crate::record;
use crate::sources::Snapshot;
use crate::stages::Stage;
use crate::{Error, Result};

/// The tables lineage can trace.
pub const TABLES: [&str; 5] = ["placement", "placement_by_member", "enrolment", "key_figures", "placement_benchmark"];

/// At most this many input rows are listed per published row.
const MAX_SOURCES: usize = 25;

fn err(m: impl Into<String>) -> Error {
    Error::Lineage(m.into())
}

fn frame(config: &Config, stage: Stage, table: &str) -> Result<DataFrame> {
    let path = crate::stages::stage_input(config, stage, table)?;
    Ok(crate::files::read_parquet(&path)?)
}

fn text(df: &DataFrame, c: &str, i: usize) -> String {
    df.column(c).ok().and_then(|s| s.get(i).ok()).map(|v| v.str_value().to_string()).unwrap_or_default()
}

/// Explains the rows of `table` that match `filters`.
pub fn explain(config: &Config, table: &str, filters: &[(String, String)]) -> Result<String> {
    if !TABLES.contains(&table) {
        return Err(err(format!("unknown table '{table}' (expected one of {})", TABLES.join(", "))));
    }
    let csv_path = config.year_dir().join("tables").join(format!("{table}.csv"));
    let mut rdr = csv::Reader::from_path(&csv_path).map_err(|e| err(format!("{}: {e} (run `kooste run` first)", csv_path.display())))?;
    let header: Vec<String> = rdr.headers().map_err(|e| err(e.to_string()))?.iter().map(str::to_owned).collect();
    for (k, _) in filters {
        if !header.contains(k) {
            return Err(err(format!("{table} has no column '{k}' (columns: {})", header.join(", "))));
        }
    }
    let rows: Vec<BTreeMap<String, String>> = rdr
        .records()
        .filter_map(|r| r.ok())
        .map(|r| header.iter().cloned().zip(r.iter().map(str::to_owned)).collect::<BTreeMap<_, _>>())
        .filter(|r| filters.iter().all(|(k, v)| r.get(k) == Some(v)))
        .collect();
    if rows.is_empty() {
        return Err(err(format!("no row of {table} matches {}", filters.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" "))));
    }
    let mut out = String::new();
    let rec = record::load(config);
    let _ = writeln!(out, "{} row(s) of {} ({})", rows.len(), table, csv_path.display());
    if let Some(r) = &rec {
        // The run that wrote the table is the latest whose report stage ran, not a later no-op.
        let writer = record::history(config).into_iter().find(|h| h.actions.get("report").is_some_and(|a| a.action == "ran"));
        match writer {
            Some(w) => {
                let _ = writeln!(out, "written by run {} ({}), kooste {}, record {}", w.run_id, w.finished_at, w.kooste_version, config.year_dir().join(&w.record).display());
            }
            None => {
                let _ = writeln!(out, "written by the report stage at {}", r.stages.get("report").map(|s| s.finished_at.as_str()).unwrap_or("?"));
            }
        }
        let _ = writeln!(out, "\nStage outputs, from the table back to the inputs:");
        for stage in ["report", "disclose", "transform", "ingest", "fetch"] {
            let Some(s) = r.stages.get(stage) else { continue };
            let relevant = |p: &str| {
                let survey = matches!(table, "placement" | "placement_by_member" | "placement_benchmark");
                match stage {
                    "report" => p.ends_with(&format!("tables/{table}.csv")),
                    "ingest" => p.ends_with("placement.parquet") && survey,
                    "fetch" => !survey && (p.contains("enrolment") || p.contains("amm_opiskelijat")),
                    _ => p.ends_with(".parquet") && (p.contains(&format!("/{table}")) || p.contains(if survey { "/placement" } else { "/enrolment" })),
                }
            };
            for f in s.outputs.iter().filter(|f| relevant(&f.path)) {
                let _ = writeln!(out, "  {stage:<9} wrote {} (sha256 {})", f.path, &f.sha256[..16.min(f.sha256.len())]);
            }
            if stage == "fetch" {
                for f in s.inputs.iter().filter(|f| relevant(&f.path)) {
                    let _ = writeln!(out, "  {stage:<9} read  {} (sha256 {})", f.path, &f.sha256[..16.min(f.sha256.len())]);
                }
            }
        }
    }
    for (n, row) in rows.iter().enumerate().take(10) {
        let shown: Vec<String> = header.iter().map(|h| format!("{h}={}", row[h])).collect();
        let _ = writeln!(out, "\n[{}] {}", n + 1, shown.join(" "));
        match table {
            "placement" | "placement_by_member" => survey_sources(config, table, row, &mut out)?,
            "placement_benchmark" => {
                let _ = writeln!(out, "  from the association's placement rows (graduation year {}), see `kooste lineage placement`", row["graduation_year"]);
            }
            "enrolment" if row.get("source").map(String::as_str) == Some("survey") => students_sources(config, row, &mut out)?,
            _ => vipunen_sources(config, row, &mut out)?,
        }
    }
    if rows.len() > 10 {
        let _ = writeln!(out, "\n… and {} more rows: narrow the filters.", rows.len() - 10);
    }
    Ok(out)
}

/// The survey cells behind a placement row.
fn survey_sources(config: &Config, table: &str, row: &BTreeMap<String, String>, out: &mut String) -> Result<()> {
    let df = frame(config, Stage::Ingest, "placement")?;
    let returns = frame(config, Stage::Ingest, "returns")?;
    let sha: BTreeMap<String, String> = (0..returns.height()).map(|i| (text(&returns, "file", i), text(&returns, "sha256", i))).collect();
    let statuses: Vec<usize> = if table == "placement" {
        PlacementStatus::ALL.iter().position(|s| s.code() == row["status"]).into_iter().collect()
    } else {
        (0..8).filter(|k| PlacementClass::of(PlacementStatus::ALL[*k]).code() == row["class"]).collect()
    };
    let keep = |i: usize| {
        let m = row.get("member_id").map(String::as_str).unwrap_or("all");
        let q = row.get("qualification_code").map(String::as_str).unwrap_or("all");
        let o = row.get("orientation").map(String::as_str).unwrap_or("all");
        (m == "all" || text(&df, "member_id", i) == m)
            && (q == "all" || text(&df, "qualification_code", i) == q)
            && (o == "all" || text(&df, "orientation", i) == o)
            && text(&df, "graduation_year", i) == row["graduation_year"]
    };
    let matched: Vec<usize> = (0..df.height()).filter(|i| keep(*i)).collect();
    let flag_note = if row.get("count").is_some_and(|c| c.parse::<i64>().is_err()) { " (the published count is suppressed)" } else { "" };
    let _ = writeln!(out, "  from {} survey row(s){flag_note}:", matched.len());
    for &i in matched.iter().take(MAX_SOURCES) {
        let cells: Vec<String> = text(&df, "cells", i).split(',').map(str::to_owned).collect();
        let wanted: Vec<String> = statuses.iter().filter_map(|k| cells.get(k + 1).cloned()).collect();
        let file = text(&df, "file", i);
        let _ = writeln!(
            out,
            "    {} (sha256 {}) sheet {} row {}: {} {}, graduates in {}",
            config.survey_dir.join(&file).display(),
            sha.get(&file).map(|s| &s[..16.min(s.len())]).unwrap_or("?"),
            text(&df, "sheet", i),
            text(&df, "row", i),
            if wanted.len() == 1 { "cell" } else { "cells" },
            wanted.join(" + "),
            cells.first().cloned().unwrap_or_default()
        );
    }
    if matched.len() > MAX_SOURCES {
        let _ = writeln!(out, "    … and {} more", matched.len() - MAX_SOURCES);
    }
    Ok(())
}

/// The survey students rows behind an enrolment row of the survey.
fn students_sources(config: &Config, row: &BTreeMap<String, String>, out: &mut String) -> Result<()> {
    let df = frame(config, Stage::Ingest, "students")?;
    let (m, q) = (&row["member_id"], &row["qualification_code"]);
    let matched: Vec<usize> =
        (0..df.height()).filter(|i| (m == "all" || &text(&df, "member_id", *i) == m) && (q == "all" || &text(&df, "qualification_code", *i) == q)).collect();
    let _ = writeln!(out, "  from {} survey students row(s) (graduates: from the placement sheet, graduation year {}):", matched.len(), row["year"]);
    for &i in matched.iter().take(MAX_SOURCES) {
        let _ = writeln!(out, "    {} row {}", config.survey_dir.join(text(&df, "file", i)).display(), text(&df, "row", i));
    }
    Ok(())
}

/// The Vipunen snapshot rows behind an enrolment or key-figures row.
fn vipunen_sources(config: &Config, row: &BTreeMap<String, String>, out: &mut String) -> Result<()> {
    let df = frame(config, Stage::Fetch, "enrolment")?;
    let year: i32 = row.get("year").and_then(|y| y.parse().ok()).ok_or_else(|| err("the row has no year"))?;
    let member = row.get("member_id").map(String::as_str).unwrap_or("national");
    let members: Vec<(String, String)> = config
        .registry
        .periods()
        .filter(|(_, p)| p.valid_from.is_none_or(|f| year >= f) && p.valid_to.is_none_or(|t| year <= t))
        .map(|(m, p)| (m.id.clone(), p.ytunnus.as_str().to_owned()))
        .collect();
    let codes: Vec<String> = match row.get("qualification_code").map(String::as_str) {
        Some(q) if q != "all" => vec![q.to_owned()],
        _ => {
            let field = row.get("field").cloned();
            config
                .pipeline
                .publish_qualifications
                .iter()
                .filter(|q| field.as_ref().is_none_or(|f| config.catalogue.get(**q).is_some_and(|c| &c.field == f)))
                .map(|q| q.as_string())
                .collect()
        }
    };
    let provider_ok = |p: &str| match member {
        "national" => true,
        "all" => members.iter().any(|(_, y)| y == p),
        "non_members" => !members.iter().any(|(_, y)| y == p),
        m => members.iter().any(|(id, y)| id == m && y == p),
    };
    let matched: Vec<usize> = (0..df.height())
        .filter(|i| text(&df, "year", *i) == year.to_string() && codes.contains(&text(&df, "qualification_code", *i)) && provider_ok(&text(&df, "provider_id", *i)))
        .collect();
    let source = config.pipeline.sources.get("enrolment").map(|s| config.raw.join(s.snapshot_path()));
    let prov = source.as_ref().and_then(|p| Snapshot::load_provenance(p).ok());
    let _ = writeln!(
        out,
        "  from {} Vipunen row(s) of {} ({}, fetched {}):",
        matched.len(),
        source.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
        prov.as_ref().map(|p| p.url.as_str()).unwrap_or("?"),
        prov.as_ref().map(|p| p.fetched_at.as_str()).unwrap_or("?")
    );
    for &i in matched.iter().take(MAX_SOURCES) {
        let _ = writeln!(
            out,
            "    {} {} {} {}: new students {}, students {}, graduates {}",
            text(&df, "year", i),
            text(&df, "provider_id", i),
            text(&df, "provider_name", i),
            text(&df, "qualification_code", i),
            text(&df, "new_students", i),
            text(&df, "students", i),
            text(&df, "graduates", i)
        );
    }
    if matched.len() > MAX_SOURCES {
        let _ = writeln!(out, "    … and {} more", matched.len() - MAX_SOURCES);
    }
    Ok(())
}
