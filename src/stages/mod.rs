//! The stage graph: `fetch → ingest → transform → disclose → report`.
//!
//! Every stage reads what the stage before it persisted under `output/<year>/stages/`, never
//! in-memory state, so a run of one stage (`--stage report`) and a full run compute exactly the
//! same thing. Which stages run, and the run records, are the [`crate::engine`]'s.

pub mod disclose;
pub mod fetch;
pub mod history;
pub mod ingest;
pub mod report;
pub mod transform;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::files;
use crate::record::{self, FileRecord};
use crate::{Error, Result};

/// A stage of the pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Read (later: fetch) public statistics snapshots.
    Fetch,
    /// Read and validate the survey returns.
    Ingest,
    /// Join and compute the tables.
    Transform,
    /// Disclosure control.
    Disclose,
    /// Tables, workbook and charts.
    Report,
}

impl Stage {
    /// All stages in order.
    pub const ALL: [Stage; 5] = [Stage::Fetch, Stage::Ingest, Stage::Transform, Stage::Disclose, Stage::Report];

    /// The stage's name.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Fetch => "fetch",
            Stage::Ingest => "ingest",
            Stage::Transform => "transform",
            Stage::Disclose => "disclose",
            Stage::Report => "report",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Stage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|st| st.name() == s)
            .ok_or_else(|| format!("unknown stage '{s}' (expected fetch, ingest, transform, disclose or report)"))
    }
}

/// What one stage did: the run record's entry for it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StageReport {
    /// The stage.
    pub stage: String,
    /// When it finished (RFC 3339, UTC).
    pub finished_at: String,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// Files it read, with sha256.
    pub inputs: Vec<FileRecord>,
    /// Files it wrote, with sha256.
    pub outputs: Vec<FileRecord>,
    /// Row counts of what it produced, by table.
    pub rows: BTreeMap<String, usize>,
    /// Stage-specific facts (quarantined returns, suppressions…).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl StageReport {
    /// A report for a stage, to be filled in.
    pub fn new(stage: Stage) -> Self {
        Self { stage: stage.name().into(), ..Self::default() }
    }

    /// Records an input file with its hash.
    pub fn input(&mut self, path: &Path) -> Result<()> {
        self.inputs.push(FileRecord::of(path)?);
        Ok(())
    }

    /// Records an output file with its hash.
    pub fn output(&mut self, path: &Path) -> Result<()> {
        self.outputs.push(FileRecord::of(path)?);
        Ok(())
    }
}

/// Runs one stage and times it.
pub fn run_stage(config: &Config, stage: Stage) -> Result<StageReport> {
    let t0 = Instant::now();
    let mut report = match stage {
        Stage::Fetch => fetch::run(config)?,
        Stage::Ingest => ingest::run(config)?,
        Stage::Transform => transform::run(config)?,
        Stage::Disclose => disclose::run(config)?,
        Stage::Report => report::run(config)?,
    };
    report.duration_ms = t0.elapsed().as_millis() as u64;
    report.finished_at = record::now();
    Ok(report)
}

/// The path of a stage's persisted table, checked to exist (with a message saying which stage
/// to run when it does not).
pub fn stage_input(config: &Config, stage: Stage, table: &str) -> Result<PathBuf> {
    let path = config.stage_dir(stage.name()).join(format!("{table}.parquet"));
    if path.is_file() { Ok(path) } else { Err(Error::MissingStageOutput { path, needs: stage.name() }) }
}

/// Persists a stage's table and records it as an output.
pub(crate) fn persist(
    config: &Config,
    report: &mut StageReport,
    table: &str,
    df: &mut polars::prelude::DataFrame,
) -> Result<()> {
    let path = config.stage_dir(&report.stage).join(format!("{table}.parquet"));
    files::write_parquet(&path, df)?;
    report.rows.insert(table.to_owned(), df.height());
    report.output(&path)
}

/// Reads a stage's persisted table and records it as an input.
pub(crate) fn load(config: &Config, report: &mut StageReport, stage: Stage, table: &str) -> Result<polars::prelude::DataFrame> {
    let path = stage_input(config, stage, table)?;
    report.input(&path)?;
    Ok(files::read_parquet(&path)?)
}

/// Maps items on every core, keeping their order. Each thread takes the next item as it is
/// free, so a few large items do not leave a core idle.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(items.len());
    if n <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (f, next) = (&f, &next);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                s.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}
