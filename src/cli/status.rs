//! `kooste status`: the last runs, each public snapshot's age and whether its files are whole,
//! and whether the outputs are up to date — as text, or JSON for monitoring.

use std::fmt::Write as _;

use kooste::engine::EXIT_FAILED;
use kooste::{Request, Stage};

use crate::PipelineArgs;

/// `kooste status`: the last runs, each snapshot's age and whether its files are whole, and
/// whether the outputs are up to date. Exit 1 when a snapshot is missing, damaged or past
/// `fetch.error_age_days`.
pub fn status(pipeline: &PipelineArgs, runs: usize, json: bool, out: &mut String) -> anyhow::Result<i32> {
    let config = pipeline.config(true)?;
    let fetch = &config.pipeline.fetch;
    let history = kooste::record::history(&config);
    let mut worst = 0;
    let mut snapshots = Vec::new();
    for (name, spec) in &config.pipeline.sources {
        let path = config.raw.join(spec.snapshot_path());
        let (verdict, message, p) = match kooste::sources::Snapshot::load_provenance(&path) {
            Err(_) if !path.is_file() => ("error", format!("no snapshot at {} (run `kooste fetch`)", path.display()), None),
            Err(e) => ("error", format!("{e} (run `kooste fetch --refresh`)"), None),
            Ok(p) => {
                let age = kooste::engine::state::age_days(&p.fetched_at).unwrap_or(i64::MAX);
                let (v, m) = if let Err(e) = kooste::sources::Snapshot::load(&path) {
                    ("error", format!("{e}: its provenance remains but the data cannot be used (run `kooste fetch --refresh`)"))
                } else if age > i64::from(fetch.error_age_days) {
                    ("error", "too old, run `kooste fetch --refresh`".to_owned())
                } else if age > i64::from(fetch.warn_age_days) {
                    ("warn", "getting old".to_owned())
                } else {
                    ("ok", String::new())
                };
                (v, m, Some((p, age)))
            }
        };
        worst = worst.max(match verdict { "error" => 2, "warn" => 1, _ => 0 });
        snapshots.push((name, path, verdict, message, p));
    }
    let steps = kooste::engine::plan(&config, Request::default());
    let pending: Vec<&str> = steps.iter().filter(|s| s.action == "run").map(|s| s.stage.name()).collect();
    let code = if worst == 2 { EXIT_FAILED } else { 0 };
    if json {
        let v = serde_json::json!({
            "year": config.year,
            "exit_code": code,
            "runs": history.iter().take(runs).map(|r| serde_json::json!({
                "record": r.record, "started_at": r.started_at, "finished_at": r.finished_at,
                "exit_code": r.exit_code, "error": r.error, "stale": r.stale,
                "ran": Stage::ALL.iter().map(|s| s.name()).filter(|s| r.actions.get(*s).is_some_and(|a| a.action == "ran")).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "warn_age_days": fetch.warn_age_days,
            "error_age_days": fetch.error_age_days,
            "snapshots": snapshots.iter().map(|(name, path, verdict, message, p)| serde_json::json!({
                "source": name, "path": path.display().to_string(), "verdict": verdict,
                "message": if message.is_empty() { None } else { Some(message) },
                "fetched_at": p.as_ref().map(|(p, _)| p.fetched_at.clone()),
                "age_days": p.as_ref().map(|(_, a)| *a),
                "dataset_updated": p.as_ref().and_then(|(p, _)| p.dataset_updated.clone()),
            })).collect::<Vec<_>>(),
            "outputs": {"up_to_date": pending.is_empty(), "out_of_date_from": pending.first()},
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(code);
    }
    writeln!(out, "Runs of {} (newest first):", config.year)?;
    if history.is_empty() {
        writeln!(out, "  none yet")?;
    }
    for r in history.iter().take(runs) {
        let ran: Vec<&str> = Stage::ALL.iter().map(|s| s.name()).filter(|s| r.actions.get(*s).is_some_and(|a| a.action == "ran")).collect();
        let what = if ran.is_empty() { "nothing to do".to_owned() } else { format!("ran {}", ran.join(", ")) };
        let err = r.error.as_deref().map(|e| format!(" — {e}")).unwrap_or_default();
        writeln!(out, "  {}  exit {}  {}{err}", r.started_at, r.exit_code, what)?;
    }
    writeln!(out, "Public snapshots (warn after {} days, error after {}):", fetch.warn_age_days, fetch.error_age_days)?;
    for (name, _, verdict, message, p) in &snapshots {
        let verdict = match *verdict {
            "error" => format!("ERROR: {message}"),
            "warn" => format!("warn: {message}"),
            _ => "ok".to_owned(),
        };
        match p {
            Some((p, age)) => {
                let updated = p.dataset_updated.as_deref().unwrap_or("-");
                writeln!(out, "  {name:<22} fetched {} ({age} days ago), data updated {updated}: {verdict}", p.fetched_at)?;
            }
            None => writeln!(out, "  {name:<22} {verdict}")?,
        }
    }
    if pending.is_empty() {
        writeln!(out, "Outputs: up to date.")?;
    } else {
        writeln!(out, "Outputs: out of date from {} (see `kooste plan`).", pending[0])?;
    }
    Ok(code)
}
