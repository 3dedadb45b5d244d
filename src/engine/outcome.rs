//! How a run ends: the exit codes schedulers read, the checks made before anything runs, the
//! staleness of what a run published, and the output folder kept to what the configuration
//! publishes.
//!
//! In: a [`Config`], the [`Request`] and the stages' reports. Out: an exit code with its
//! reasons, the files removed from `output/<year>/`, or an error before anything ran.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::config::{Config, ConfigError};
use crate::domain::Lang;
use crate::engine::Request;
use crate::sources::Snapshot;
use crate::stages::{Stage, StageReport};
use crate::{Error, Result};

/// Exit code: completed, nothing to report.
pub const EXIT_OK: i32 = 0;
/// Exit code: failed (the message names the file, URL or stage; so does the run record).
pub const EXIT_FAILED: i32 = 1;
/// Exit code: the command line or the settings are wrong (pipeline, registry, a folder that
/// is not there); nothing ran.
pub const EXIT_USAGE: i32 = 2;
/// Exit code: completed, but returns were quarantined.
pub const EXIT_QUARANTINED: i32 = 3;
/// Exit code: completed, but a source could not be refreshed, or what was published comes
/// from a snapshot older than `fetch.warn_age_days`.
pub const EXIT_STALE: i32 = 4;
/// Exit code: completed, but no return was accepted (the survey folder is empty, or every
/// return was quarantined).
pub const EXIT_NO_RETURNS: i32 = 5;

/// Checks made before anything runs or is fetched: the folders the selected stages read are
/// there (`raw/` for fetch and ingest, the year's survey folder for ingest; a later stage alone
/// runs on the persisted stage outputs).
pub fn preflight(config: &Config, req: Request) -> Result<()> {
    let selected = req.selected();
    if (selected.contains(&Stage::Fetch) || selected.contains(&Stage::Ingest)) && !config.raw.is_dir() {
        return Err(Error::Config(ConfigError::MissingFolder {
            what: "raw folder",
            path: config.raw.clone(),
            hint: format!(
                "set by --raw or by raw in {}; correct it, or create the folder (`kooste sample` writes the bundled sample there)",
                config.pipeline_path.display()
            ),
        }));
    }
    if selected.contains(&Stage::Ingest) && !config.survey_dir.is_dir() {
        return Err(Error::Config(ConfigError::MissingFolder {
            what: "survey folder",
            path: config.survey_dir.clone(),
            hint: format!(
                "surveys = \"{}\" under the raw folder, for year {}; put the year's returns there",
                config.pipeline.surveys, config.year
            ),
        }));
    }
    Ok(())
}

/// Why a run that completed is stale: sources this run's fetch could not refresh, and (when
/// the run publishes) snapshots older than `fetch.warn_age_days`. The bundled synthetic
/// sample's dates are part of the sample, so its ages are not held against it.
pub fn staleness(config: &Config, req: Request, fetch: Option<&StageReport>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(sources) = fetch.and_then(|r| r.details.get("sources")).and_then(|s| s.as_object()) {
        for (name, s) in sources {
            let outcome = s.get("outcome").and_then(|o| o.as_str()).unwrap_or("");
            if outcome.starts_with("unreachable") {
                let when = s.get("fetched_at").and_then(|f| f.as_str()).unwrap_or("?");
                out.push(format!("source '{name}' could not be refreshed: the snapshot fetched {when} was used"));
            }
        }
    }
    if req.selected().contains(&Stage::Report) && !config.synthetic() {
        let warn = config.pipeline.fetch.warn_age_days;
        for (name, spec) in &config.pipeline.sources {
            let path = config.raw.join(spec.snapshot_path());
            if let Ok(p) = Snapshot::load_provenance(&path)
                && let Some(age) = crate::engine::state::age_days(&p.fetched_at)
                && age > i64::from(warn)
            {
                out.push(format!(
                    "source '{name}' was published from a snapshot fetched {} ({age} days ago, past fetch.warn_age_days = {warn}): run `kooste fetch --refresh`",
                    p.fetched_at
                ));
            }
        }
    }
    out
}

/// The exit code of a run that completed: no return accepted, then stale, then quarantined.
pub fn exit_code(req: Request, accepted: usize, quarantined: usize, stale: &[String]) -> i32 {
    if req.selected().contains(&Stage::Ingest) && accepted == 0 {
        EXIT_NO_RETURNS
    } else if !stale.is_empty() {
        EXIT_STALE
    } else if quarantined > 0 {
        EXIT_QUARANTINED
    } else {
        EXIT_OK
    }
}

/// The folders of `output/<year>/` a stage writes as a whole: after it ran, nothing else is
/// left in them (a language or a table no longer configured is removed, never left beside
/// the new figures).
fn owned(config: &Config, stage: Stage) -> Vec<PathBuf> {
    let dir = config.year_dir();
    match stage {
        Stage::Report => {
            let mut v = vec![dir.join("tables"), dir.join("checks")];
            v.extend(Lang::ALL.iter().map(|l| dir.join(l.code())));
            v
        }
        _ => vec![],
    }
}

/// Removes from the folders a stage owns every file it did not write in this run, and the
/// folders left empty. Returns the files removed (for the run record).
pub fn prune(config: &Config, stage: Stage, report: &StageReport) -> Result<Vec<String>> {
    let dirs = owned(config, stage);
    if dirs.is_empty() {
        return Ok(vec![]);
    }
    let keep: BTreeSet<PathBuf> = report.outputs.iter().filter_map(|f| std::fs::canonicalize(&f.path).ok()).collect();
    let mut removed = Vec::new();
    for d in dirs.iter().filter(|d| d.is_dir()) {
        sweep(d, &keep, &mut removed)?;
    }
    if !removed.is_empty() {
        tracing::info!(files = removed.len(), first = %removed[0], "Removed outputs this configuration no longer publishes.");
    }
    Ok(removed)
}

fn sweep(dir: &Path, keep: &BTreeSet<PathBuf>, removed: &mut Vec<String>) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source: std::io::Error| Error::File(crate::files::FileError::Io { path, source })
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).map_err(io(dir))?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let meta = std::fs::symlink_metadata(&p).map_err(io(&p))?;
        if meta.is_dir() {
            sweep(&p, keep, removed)?;
        } else if !std::fs::canonicalize(&p).is_ok_and(|c| keep.contains(&c)) {
            std::fs::remove_file(&p).map_err(io(&p))?;
            removed.push(p.display().to_string());
        }
    }
    if std::fs::read_dir(dir).map_err(io(dir))?.next().is_none() {
        std::fs::remove_dir(dir).map_err(io(dir))?;
    }
    Ok(())
}
