//! The engine: which stages run, in what order, and the record of every run.
//!
//! In: a validated [`Config`] and a [`Request`] (all stages, one stage, from a stage, forced).
//! Out: the stages' outputs, `output/<year>/runs/<id>.json` and `run.json`, and a
//! [`RunSummary`] whose exit code tells the truth.
//!
//! - A stage runs only when it is out of date by content ([`state::check`]): an input's bytes,
//!   a new or removed input, its resolved parameters or the kooste version changed, or one of
//!   its outputs is missing or was modified. Each stage is checked just before its turn, so a
//!   stage whose upstream reran but wrote the same bytes stays as it is.
//! - `--stage S` / `--from S` run S (and, with `--from`, everything after it) whatever their
//!   state; the stages before must be up to date, or `--force` says to go on with their outputs
//!   as they are. `--force` alone reruns everything.
//! - One run at a time ([`lock`]); a stage's state is cleared before it runs and saved after,
//!   and every file is written to a temporary file and renamed, so a run killed at any moment
//!   leaves the interrupted stage out of date and the next run completes it.

pub mod lineage;
pub mod lock;
pub mod outcome;
pub mod state;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use crate::config::Config;
use crate::record::{self, Action, Ending, Quarantined};
use crate::stages::{Stage, StageReport, run_stage};
use crate::{Error, Result};

pub use outcome::{EXIT_FAILED, EXIT_NO_RETURNS, EXIT_OK, EXIT_QUARANTINED, EXIT_STALE, EXIT_USAGE, preflight};

/// Which stages to run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// Only this stage.
    pub stage: Option<Stage>,
    /// This stage and every one after it.
    pub from: Option<Stage>,
    /// Run even what is up to date, and go on when the stages before are not.
    pub force: bool,
}

impl Request {
    /// The stages selected, in order.
    pub fn selected(&self) -> Vec<Stage> {
        match (self.stage, self.from) {
            (Some(s), _) => vec![s],
            (None, Some(f)) => Stage::ALL.into_iter().filter(|s| *s >= f).collect(),
            (None, None) => Stage::ALL.to_vec(),
        }
    }

    /// Whether a selected stage runs whatever its state.
    fn forced(&self, stage: Stage) -> bool {
        self.force || self.stage == Some(stage) || self.from.is_some_and(|f| stage >= f)
    }
}

/// The outcome of a run that completed.
#[derive(Clone, Debug, Default)]
pub struct RunSummary {
    /// Stages run, in order.
    pub ran: Vec<Stage>,
    /// Stages found up to date.
    pub up_to_date: Vec<Stage>,
    /// Returns read and accepted.
    pub accepted: usize,
    /// Returns quarantined.
    pub quarantined: Vec<Quarantined>,
    /// Error findings.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// The year's output folder.
    pub output_dir: PathBuf,
    /// The run record written.
    pub record: PathBuf,
    /// The exit code ([`outcome`]): 0, 3 quarantined returns, 4 stale, 5 no return accepted.
    pub exit_code: i32,
    /// Why the published figures are stale (a source not refreshed, an old snapshot).
    pub stale: Vec<String>,
    /// Files removed from the output folder because the configuration no longer publishes them.
    pub removed: Vec<String>,
}

/// A stage that is out of date before a `--stage`/`--from` run.
#[derive(Debug, thiserror::Error)]
#[error(
    "{upstream} is out of date ({reason}), so {stage} would run on old outputs: run `kooste run` \
     (or `kooste run --from {upstream}`), or add --force to run {stage} on them as they are"
)]
pub struct StaleUpstream {
    /// The stage asked for.
    pub stage: Stage,
    /// The stage before it that is out of date.
    pub upstream: Stage,
    /// Its first reason.
    pub reason: String,
}

/// Runs the pipeline as requested.
pub fn run(config: &Config, req: Request) -> Result<RunSummary> {
    preflight(config, req)?;
    let _lock = lock::Lock::acquire(&config.year_dir(), &config.command)?;
    let started = chrono::Utc::now();
    let mut config = config.clone();
    config.run_id = record::run_id(started);
    let config = &config;
    // Only this year's folder: raw/public is shared by every year's runs.
    let swept = crate::files::sweep_temp(&config.year_dir());
    if swept > 0 {
        tracing::warn!(files = swept, "Removed temporary files an interrupted run left behind.");
    }
    for n in &config.notices {
        tracing::warn!("{n}");
    }
    let selected = req.selected();
    if let Some(refusal) = refusal(config, req) {
        return Err(Error::Stale(refusal));
    }
    let mut reports: BTreeMap<String, StageReport> = BTreeMap::new();
    let mut actions: BTreeMap<String, Action> = BTreeMap::new();
    let mut summary = RunSummary { output_dir: config.year_dir(), ..RunSummary::default() };
    for stage in Stage::ALL {
        if !selected.contains(&stage) {
            if let Some(s) = state::load(config, stage) {
                reports.insert(stage.name().into(), s.report);
            }
            actions.insert(stage.name().into(), Action { action: "not selected".into(), reasons: vec![], duration_ms: 0 });
            continue;
        }
        let span = tracing::info_span!("stage", stage = stage.name());
        let _guard = span.enter();
        let t0 = Instant::now();
        let verdict = if req.forced(stage) {
            state::Verdict { reasons: vec!["asked for".into()], ..Default::default() }
        } else {
            state::check(config, stage)
        };
        if verdict.fresh {
            state::refresh_touched(config, stage, &verdict.touched);
            if let Some(s) = state::load(config, stage) {
                reports.insert(stage.name().into(), s.report);
            }
            tracing::info!("Up to date.");
            summary.up_to_date.push(stage);
            actions.insert(stage.name().into(), Action { action: "up to date".into(), reasons: vec![], duration_ms: t0.elapsed().as_millis() as u64 });
            continue;
        }
        tracing::info!(why = %verdict.reasons.join("; "), "Running.");
        state::clear(config, stage)?;
        // The registry and catalogue as the stage reads them: hashed before it runs.
        let reference: Result<Vec<crate::record::FileRecord>> = state::discovered(config, stage)
            .iter()
            .filter(|p| config.reference_files.contains(p))
            .map(|p| crate::record::FileRecord::of(p))
            .collect();
        match reference.and_then(|reference| {
            let mut report = run_stage(config, stage)?;
            report.inputs.extend(reference);
            let removed = outcome::prune(config, stage, &report)?;
            if !removed.is_empty() {
                report.details.insert("removed".into(), serde_json::json!(removed));
            }
            state::save(config, stage, &report)?;
            summary.removed.extend(removed);
            Ok(report)
        }) {
            Ok(report) => {
                tracing::info!(ms = report.duration_ms, rows = ?report.rows, "Stage done.");
                actions.insert(stage.name().into(), Action { action: "ran".into(), reasons: verdict.reasons, duration_ms: report.duration_ms });
                reports.insert(stage.name().into(), report);
                summary.ran.push(stage);
            }
            Err(e) => {
                let ms = t0.elapsed().as_millis() as u64;
                actions.insert(stage.name().into(), Action { action: "failed".into(), reasons: vec![e.to_string()], duration_ms: ms });
                // The record of a failed run is written too; its own failure would hide the cause.
                let ending = Ending { exit_code: EXIT_FAILED, error: Some(e.to_string()), stale: vec![] };
                let _ = record::write(config, started, reports, actions, ending);
                return Err(e);
            }
        }
    }
    let returns: record::ReturnsSummary = reports
        .get("ingest")
        .and_then(|r| r.details.get("returns"))
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let fetched = reports.get(Stage::Fetch.name()).filter(|_| summary.ran.contains(&Stage::Fetch));
    summary.stale = outcome::staleness(config, req, fetched);
    for s in &summary.stale {
        tracing::warn!("{s}");
    }
    summary.exit_code = outcome::exit_code(req, returns.accepted, returns.quarantined.len(), &summary.stale);
    let ending = Ending { exit_code: summary.exit_code, error: None, stale: summary.stale.clone() };
    let record = record::write(config, started, reports, actions, ending)?;
    summary.record = config.year_dir().join(&record.record);
    summary.accepted = returns.accepted;
    summary.quarantined = returns.quarantined;
    summary.errors = returns.errors;
    summary.warnings = returns.warnings;
    Ok(summary)
}

/// Why a `--stage`/`--from` run (without `--force`) refuses to start: a stage before the
/// first one selected is out of date.
pub fn refusal(config: &Config, req: Request) -> Option<StaleUpstream> {
    if req.force {
        return None;
    }
    let first = *req.selected().first()?;
    Stage::ALL.into_iter().filter(|s| *s < first).find_map(|up| {
        let v = state::check(config, up);
        (!v.fresh).then(|| StaleUpstream { stage: first, upstream: up, reason: v.reasons[0].clone() })
    })
}

/// What a run would do with one stage.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// The stage.
    pub stage: Stage,
    /// `run`, `up to date`, `check after upstream`, `not selected`, or `refused` (the run
    /// would stop before it: a stage before it is out of date).
    pub action: &'static str,
    /// Why.
    pub reasons: Vec<String>,
    /// For ingest: `(returns to read, returns)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitions: Option<(usize, usize)>,
}

/// What `kooste run` (with the same request) would do, and why — without doing anything.
pub fn plan(config: &Config, req: Request) -> Vec<Step> {
    let selected = req.selected();
    let mut steps = Vec::new();
    let refused = refusal(config, req);
    let mut upstream_runs: Option<Stage> = None;
    for stage in Stage::ALL {
        if !selected.contains(&stage) {
            let v = state::check(config, stage);
            steps.push(Step { stage, action: "not selected", reasons: v.reasons, partitions: None });
            continue;
        }
        let v = state::check(config, stage);
        let step = if let Some(r) = &refused {
            Step { stage, action: "refused", reasons: vec![r.to_string()], partitions: None }
        } else if req.forced(stage) {
            Step { stage, action: "run", reasons: vec!["asked for".into()], partitions: v.partitions }
        } else if !v.fresh {
            Step { stage, action: "run", reasons: v.reasons, partitions: v.partitions }
        } else if let Some(up) = upstream_runs {
            Step { stage, action: "check after upstream", reasons: vec![format!("runs if {up}'s outputs change")], partitions: None }
        } else {
            Step { stage, action: "up to date", reasons: vec![], partitions: None }
        };
        if step.action == "run" {
            upstream_runs = Some(stage);
        }
        steps.push(step);
    }
    steps
}
