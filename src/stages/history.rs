//! The earlier survey rounds, read for the trend tables: every statistical year from the
//! pipeline's `first_year` up to the year before the run's whose survey folder exists under
//! `raw/` (the `surveys` pattern with that year).
//!
//! In: `raw/surveys/<y>/*.xlsx` for each earlier year `y`, and `output/<y>/run.json` when a run
//! of that year published. Out (ingest's outputs): `stages/ingest/history_{placement,students,
//! returns}.parquet` (the accepted rows of the earlier years, in the shape of the year's own),
//! `stages/ingest/revisions.parquet` (`year, revised, published`), and `details.history` in
//! ingest's report (so in `run.json`): per earlier year, the returns read, accepted and
//! quarantined, and what changed since that year's run record.
//!
//! Each earlier year's returns are read once, through a per-file cache of their own
//! (`stages/ingest/history/<y>.json`, the same partitions as the year's): an unchanged return is
//! never read again. Nothing in an earlier year's output folder is written: its figures are
//! recomputed from `raw/` today, and a return whose bytes differ from those its year's run
//! record names (or one added or removed since) marks the year revised.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use super::{StageReport, ingest, persist};
use crate::config::Config;
use crate::record::FileRecord;
use crate::survey::ReadOutcome;
use crate::{FrameContext, Result};

/// The survey folder of statistical year `year`.
pub fn survey_dir(config: &Config, year: i32) -> PathBuf {
    config.raw.join(config.pipeline.surveys.replace("{year}", &year.to_string()))
}

/// The earlier survey years present, oldest first, with their folders: `first_year` … the
/// year before the run's.
pub fn years(config: &Config) -> Vec<(i32, PathBuf)> {
    (config.pipeline.first_year..config.year).map(|y| (y, survey_dir(config, y))).filter(|(_, d)| d.is_dir()).collect()
}

/// The run record of an earlier year: `output/<y>/run.json`.
pub fn record_path(config: &Config, year: i32) -> PathBuf {
    config.output.join(year.to_string()).join("run.json")
}

/// Files ingest reads for the trend tables that are found by looking: the earlier years'
/// returns and run records (a new one makes ingest run).
pub fn discovered(config: &Config) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (y, dir) in years(config) {
        out.extend(ingest::scan(&dir).map(|f| f.returns).unwrap_or_default());
        let r = record_path(config, y);
        if r.is_file() {
            out.push(r);
        }
    }
    out
}

/// How an earlier year's returns compare with what its last run published.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Revision {
    /// Statistical year.
    pub year: i32,
    /// The run record compared with (`output/<y>/run.json`), when there is one.
    pub record: Option<String>,
    /// The id of that run.
    pub run_id: Option<String>,
    /// Returns (file names) whose bytes differ from the record's.
    pub changed: Vec<String>,
    /// Returns not in the record.
    pub added: Vec<String>,
    /// Returns in the record that are no longer there.
    pub removed: Vec<String>,
}

impl Revision {
    /// Whether the year's figures differ from what its run published.
    pub fn revised(&self) -> bool {
        !(self.changed.is_empty() && self.added.is_empty() && self.removed.is_empty())
    }
}

/// What the earlier year's run read: its returns (file name → sha256), from its record's
/// ingest inputs in the year's survey folder.
fn published_returns(record: &serde_json::Value, dir: &Path) -> Vec<(String, String)> {
    let folder = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let inputs = record.pointer("/stages/ingest/inputs").and_then(|v| v.as_array()).cloned().unwrap_or_default();
    let mut out: Vec<(String, String)> = inputs
        .iter()
        .filter_map(|i| {
            let p = Path::new(i.get("path")?.as_str()?);
            let parent = p.parent()?.file_name()?.to_string_lossy().into_owned();
            let ext = p.extension()?.to_string_lossy().to_lowercase();
            (parent == folder && ingest::EXTENSIONS.contains(&ext.as_str()))
                .then(|| Some((p.file_name()?.to_string_lossy().into_owned(), i.get("sha256")?.as_str()?.to_owned())))
                .flatten()
        })
        .collect();
    out.sort();
    out
}

/// Compares a year's returns today with its run record.
fn revision(config: &Config, year: i32, dir: &Path, now: &[FileRecord]) -> Revision {
    let path = record_path(config, year);
    let mut rev = Revision { year, ..Revision::default() };
    let Some(record) = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok()) else { return rev };
    rev.record = Some(path.display().to_string());
    rev.run_id = record.get("run_id").and_then(|v| v.as_str()).map(str::to_owned);
    let then = published_returns(&record, dir);
    let name = |r: &FileRecord| Path::new(&r.path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    for r in now {
        match then.iter().find(|(f, _)| *f == name(r)) {
            Some((_, sha)) if *sha != r.sha256 => rev.changed.push(name(r)),
            Some(_) => {}
            None => rev.added.push(name(r)),
        }
    }
    rev.removed = then.iter().filter(|(f, _)| !now.iter().any(|r| name(r) == *f)).map(|(f, _)| f.clone()).collect();
    rev
}

/// Reads the earlier years' returns and persists their accepted rows, the returns and the
/// revisions, recording every file read as an input of ingest.
pub fn ingest(config: &Config, report: &mut StageReport) -> Result<()> {
    let mut accepted_all: Vec<ReadOutcome> = Vec::new();
    let mut returns: Vec<(i32, ReadOutcome, FileRecord)> = Vec::new();
    let mut revisions: Vec<Revision> = Vec::new();
    let mut details = Vec::new();
    let cache_dir = config.stage_dir(super::Stage::Ingest.name()).join("history");
    for (year, dir) in years(config) {
        let paths = ingest::return_files(&dir)?;
        let (read, changed) = ingest::read_year(config, year, &paths, &cache_dir.join(format!("{year}.json")))?;
        let records: Vec<FileRecord> = read.iter().map(|(_, r)| r.clone()).collect();
        let mut quarantined = Vec::new();
        for (o, r) in read {
            if o.accepted() {
                accepted_all.push(o.clone());
            } else {
                tracing::warn!(year, file = %o.file, "Return of an earlier year quarantined: left out of the trend tables.");
                quarantined.push(o.file.clone());
            }
            report.inputs.push(r.clone());
            returns.push((year, o, r));
        }
        let rev = revision(config, year, &dir, &records);
        if let Some(p) = &rev.record {
            report.input(Path::new(p))?;
        }
        if rev.revised() {
            tracing::info!(year, changed = ?rev.changed, added = ?rev.added, removed = ?rev.removed, "Returns changed since the year's run published: its trend figures are marked revised.");
        }
        details.push(serde_json::json!({
            "year": year,
            "returns": records.len(),
            "read": changed,
            "accepted": records.len() - quarantined.len(),
            "quarantined": quarantined,
            "revision": rev,
            "revised": rev.revised(),
        }));
        revisions.push(rev);
    }
    let accepted: Vec<&ReadOutcome> = accepted_all.iter().collect();
    persist(config, report, "history_placement", &mut ingest::placement_frame(&accepted).ctx("earlier years' placement rows")?)?;
    persist(config, report, "history_students", &mut ingest::students_frame(&accepted).ctx("earlier years' students rows")?)?;
    let mut frame = df!(
        "year" => returns.iter().map(|(y, _, _)| *y).collect::<Vec<_>>(),
        "file" => returns.iter().map(|(_, o, _)| o.file.as_str()).collect::<Vec<_>>(),
        "sha256" => returns.iter().map(|(_, _, r)| r.sha256.as_str()).collect::<Vec<_>>(),
        "member_id" => returns.iter().map(|(_, o, _)| o.survey.as_ref().map(|s| s.member_id.as_str())).collect::<Vec<_>>(),
        "accepted" => returns.iter().map(|(_, o, _)| o.accepted()).collect::<Vec<_>>(),
    )
    .ctx("earlier years' returns")?;
    persist(config, report, "history_returns", &mut frame)?;
    let mut rev = df!(
        "year" => revisions.iter().map(|r| r.year).collect::<Vec<_>>(),
        "revised" => revisions.iter().map(Revision::revised).collect::<Vec<_>>(),
        "published" => revisions.iter().map(|r| r.record.is_some()).collect::<Vec<_>>(),
    )
    .ctx("revisions")?;
    persist(config, report, "revisions", &mut rev)?;
    report.details.insert("history".into(), serde_json::Value::Array(details));
    Ok(())
}
