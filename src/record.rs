//! The run record `output/<year>/run.json`: what ran, on which inputs (sha256), what it
//! produced (sha256, row counts) and which returns were quarantined, so every published table
//! can be traced back to its inputs.
//!
//! A run of one stage updates that stage's entry and keeps the others', so the record always
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
}

impl FileRecord {
    /// Hashes a file.
    pub fn of(path: &Path) -> Result<Self> {
        let bytes = files::read(path)?;
        Ok(Self { path: path.display().to_string(), sha256: files::sha256_hex(&bytes), bytes: bytes.len() as u64 })
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

/// The run record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunRecord {
    /// kooste version.
    pub kooste_version: String,
    /// Id of the last run that wrote this record.
    pub run_id: String,
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
    /// The latest report of each stage (a stage run alone replaces only its own).
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

/// Merges this run's stage reports into the record and writes it atomically.
pub fn write(config: &Config, started: chrono::DateTime<chrono::Utc>, reports: Vec<StageReport>) -> Result<RunRecord> {
    let mut stages = load(config).filter(|r| r.year == config.year).map(|r| r.stages).unwrap_or_default();
    for r in reports {
        stages.insert(r.stage.clone(), r);
    }
    let returns = stages
        .get("ingest")
        .and_then(|r| r.details.get("returns"))
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let started_at = started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let record = RunRecord {
        kooste_version: env!("CARGO_PKG_VERSION").into(),
        run_id: format!("{}-{:04x}", started.format("%Y%m%dT%H%M%SZ"), std::process::id() & 0xffff),
        started_at,
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
    files::write_json(&path(config), &record)?;
    Ok(record)
}
