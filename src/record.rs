//! Run records: what ran, on which inputs (sha256), what it produced (sha256, row counts),
//! which returns were quarantined and how the run ended, so every published table can be
//! traced back to its inputs.
//!
//! Every run writes `output/<year>/runs/<started>-<id>.json`, never overwritten, and the same
//! record as `output/<year>/run.json`, the latest. A stage that was up to date (or not
//! selected) carries the report of the run that last wrote its outputs, so the record always
//! describes the outputs that are on disk.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::{Config, PipelineFile};
use crate::files;
use crate::stages::StageReport;
use crate::Result;

/// A file with its hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    /// The path as the run saw it.
    pub path: String,
    /// sha256 of its bytes.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Modification time (ns since the epoch) taken before the bytes were read, so a later
    /// edit always shows as a different mtime (the engine's fast pre-check).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtime_ns: Option<u64>,
}

impl FileRecord {
    /// Hashes a file (its mtime taken first).
    pub fn of(path: &Path) -> Result<Self> {
        let before = files::stat(path);
        let sha256 = files::sha256_file(path)?;
        // The size read with the mtime: the memo's hash is of exactly that file.
        let bytes = match before { Some((len, _)) => len, None => files::read(path)?.len() as u64 };
        Ok(Self { path: path.display().to_string(), sha256, bytes, mtime_ns: before.map(|(_, m)| m) })
    }
}

/// A return left out of the published figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quarantined {
    /// The file.
    pub file: String,
    /// The member, when identified.
    pub member: Option<String>,
    /// Its error findings.
    pub errors: usize,
    /// The first error, as `sheet!cell rule: message` (English).
    #[serde(default)]
    pub first_error: Option<String>,
}

/// What ingest made of the returns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReturnsSummary {
    /// Returns read and accepted.
    pub accepted: usize,
    /// Returns quarantined.
    pub quarantined: Vec<Quarantined>,
    /// Error findings in all returns.
    pub errors: usize,
    /// Warning findings in all returns.
    pub warnings: usize,
    /// Whom the published figures cover: members included, missing, quarantined, and the
    /// files replaced by newer ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<crate::collection::Coverage>,
}

/// The pipeline that ran.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PipelineRecord {
    /// The pipeline file.
    pub path: String,
    /// sha256 of the pipeline file.
    pub sha256: String,
    /// The resolved configuration (after command-line overrides).
    pub config: PipelineFile,
}

/// What a run did with a stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// `ran`, `up to date`, `not selected` or `failed`.
    pub action: String,
    /// Why it ran (what changed), or why it failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Wall time in this run (ms).
    pub duration_ms: u64,
}

/// The run record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunRecord {
    /// kooste version.
    pub kooste_version: String,
    /// Id of the run.
    pub run_id: String,
    /// This record's file under `runs/`.
    #[serde(default)]
    pub record: String,
    /// The exit code the run ended with (0, 1 failed, 3 quarantined returns, 4 stale, 5 no
    /// return accepted: see [`crate::engine::outcome`]).
    #[serde(default)]
    pub exit_code: i32,
    /// The error that stopped it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Why what it published is stale (a source not refreshed, a snapshot past its warning age).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<String>,
    /// Settings accepted only because they were explicitly allowed (a disclosure threshold
    /// below the official one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
    /// What the run did with each stage.
    #[serde(default)]
    pub actions: BTreeMap<String, Action>,
    /// When that run started.
    pub started_at: String,
    /// When it finished.
    pub finished_at: String,
    /// Its command line.
    pub command: Vec<String>,
    /// The pipeline.
    pub pipeline: PipelineRecord,
    /// Statistical year.
    pub year: i32,
    /// Whether the inputs are the bundled synthetic sample.
    pub synthetic: bool,
    /// The report of each stage whose outputs are on disk (this run's, or the run's that
    /// last wrote them).
    pub stages: BTreeMap<String, StageReport>,
    /// Returns accepted and quarantined (from the ingest stage).
    pub returns: ReturnsSummary,
}

/// Now, RFC 3339 in UTC to the second.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The run record's path.
pub fn path(config: &Config) -> std::path::PathBuf {
    config.year_dir().join("run.json")
}

/// Reads the current run record, if any.
pub fn load(config: &Config) -> Option<RunRecord> {
    let bytes = std::fs::read(path(config)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A run's id: its start time and process id.
pub fn run_id(started: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}-{:05}", started.format("%Y%m%dT%H%M%S%.3fZ"), std::process::id() % 100_000)
}

/// How a run ended.
#[derive(Clone, Debug)]
pub struct Ending {
    /// Exit code.
    pub exit_code: i32,
    /// The error, when it failed.
    pub error: Option<String>,
    /// Why the published figures are stale.
    pub stale: Vec<String>,
}

/// Writes the run's record to `runs/<id>.json` and `run.json`, atomically.
pub fn write(
    config: &Config,
    started: chrono::DateTime<chrono::Utc>,
    stages: BTreeMap<String, StageReport>,
    actions: BTreeMap<String, Action>,
    ending: Ending,
) -> Result<RunRecord> {
    let returns = stages
        .get("ingest")
        .and_then(|r| r.details.get("returns"))
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let id = run_id(started);
    let record_rel = format!("runs/{id}.json");
    let record = RunRecord {
        kooste_version: env!("CARGO_PKG_VERSION").into(),
        run_id: id,
        record: record_rel.clone(),
        exit_code: ending.exit_code,
        error: ending.error,
        stale: ending.stale,
        notices: config.notices.clone(),
        actions,
        started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        finished_at: now(),
        command: config.command.clone(),
        pipeline: PipelineRecord {
            path: config.pipeline_path.display().to_string(),
            sha256: files::sha256_file(&config.pipeline_path).unwrap_or_default(),
            config: config.pipeline.clone(),
        },
        year: config.year,
        synthetic: config.synthetic(),
        stages,
        returns,
    };
    files::write_json(&config.year_dir().join(&record_rel), &record)?;
    files::write_json(&path(config), &record)?;
    Ok(record)
}

/// The run records under `runs/`, newest first.
pub fn history(config: &Config) -> Vec<RunRecord> {
    let dir = config.year_dir().join("runs");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "json")).collect())
        .unwrap_or_default();
    files.sort();
    files.reverse();
    files.iter().filter_map(|p| serde_json::from_slice(&std::fs::read(p).ok()?).ok()).collect()
}
