//! Stage state: what a stage last ran on and wrote, so the next run can tell whether it is up
//! to date — by content, with size and mtime only as a fast pre-check.
//!
//! In: the stage's `state.json` under `output/<year>/stages/<stage>/`, the files it names and
//! the configuration. Out: a [`Verdict`]: up to date, or the exact reasons to run ("raw/surveys/
//! 2025/oulu.xlsx changed", "disclosure.threshold changed 5 → 3").

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::files;
use crate::record::FileRecord;
use crate::sources::Snapshot;
use crate::stages::{Stage, StageReport, ingest};
use crate::Result;

/// A file as a stage saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// The path as the run resolved it.
    pub path: String,
    /// sha256 of its bytes.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Modification time (ns since the epoch): a pre-check only.
    pub mtime_ns: u64,
}

/// How a file compares with its fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    /// Same size and mtime: taken as unchanged without reading it.
    Same,
    /// Its mtime moved but its bytes are the same.
    Touched,
    /// Different bytes.
    Changed,
    /// Gone.
    Missing,
}

impl Fingerprint {
    /// The fingerprint of a file the run recorded (its hash already known).
    pub fn of(r: &FileRecord) -> Self {
        // The mtime taken before the file was hashed: an edit since then always shows.
        let mtime_ns = r.mtime_ns.unwrap_or(0);
        Self { path: r.path.clone(), sha256: r.sha256.clone(), bytes: r.bytes, mtime_ns }
    }

    /// Compares the file on disk with the fingerprint.
    pub fn compare(&self) -> Compare {
        let path = Path::new(&self.path);
        let Some((bytes, mtime)) = files::stat(path) else { return Compare::Missing };
        if bytes == self.bytes && mtime == self.mtime_ns {
            files::trust(path, (bytes, mtime), &self.sha256);
            return Compare::Same;
        }
        match files::sha256_file(path) {
            Ok(h) if h == self.sha256 => Compare::Touched,
            Ok(_) => Compare::Changed,
            Err(_) => Compare::Missing,
        }
    }
}

/// What a stage last ran on and wrote.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StageState {
    /// kooste version that ran it.
    pub kooste_version: String,
    /// The stage's resolved parameters.
    pub params: BTreeMap<String, String>,
    /// Files it read.
    pub inputs: Vec<Fingerprint>,
    /// Files it wrote.
    pub outputs: Vec<Fingerprint>,
    /// Its report, carried into the run records of runs that find it up to date.
    pub report: StageReport,
}

/// `output/<year>/stages/<stage>/state.json`.
pub fn path(config: &Config, stage: Stage) -> PathBuf {
    config.stage_dir(stage.name()).join("state.json")
}

/// The stage's last state, if any (a state that cannot be read counts as none).
pub fn load(config: &Config, stage: Stage) -> Option<StageState> {
    serde_json::from_slice(&std::fs::read(path(config, stage)).ok()?).ok()
}

/// Forgets a stage's state before it runs: a run killed halfway leaves the stage out of date.
pub fn clear(config: &Config, stage: Stage) -> Result<()> {
    let p = path(config, stage);
    match std::fs::remove_file(&p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(files::FileError::Io { path: p, source: e }.into()),
        _ => Ok(()),
    }
}

/// Saves a stage's state after it ran.
pub fn save(config: &Config, stage: Stage, report: &StageReport) -> Result<()> {
    let state = StageState {
        kooste_version: env!("CARGO_PKG_VERSION").into(),
        params: params(config, stage),
        inputs: report.inputs.iter().map(Fingerprint::of).collect(),
        outputs: report.outputs.iter().map(Fingerprint::of).collect(),
        report: report.clone(),
    };
    files::write_json(&path(config, stage), &state)?;
    Ok(())
}

/// Flattens JSON into `a.b = value` pairs.
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                flatten(&if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") }, v, out);
            }
        }
        serde_json::Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

/// The settings a stage's result depends on, as `key = value` pairs.
pub fn params(config: &Config, stage: Stage) -> BTreeMap<String, String> {
    let mut all = BTreeMap::new();
    flatten("", &serde_json::to_value(&config.pipeline).unwrap_or_default(), &mut all);
    let keys: &[&str] = match stage {
        Stage::Fetch => &["first_year", "sources.", "fetch.vipunen_url", "fetch.pxweb_url", "fetch.page_size"],
        Stage::Ingest => &["year", "first_year", "publish_qualifications", "collection.replaces."],
        Stage::Transform => &["year", "first_year", "publish_qualifications", "reconciliation."],
        Stage::Disclose => &["year", "disclosure.", "publish_qualifications", "sources."],
        Stage::Report => &["year", "languages", "disclosure.threshold", "sources."],
    };
    let mut p: BTreeMap<String, String> =
        all.into_iter().filter(|(k, _)| keys.iter().any(|s| if s.ends_with('.') { k.starts_with(s) } else { k == s })).collect();
    match stage {
        Stage::Ingest => {
            p.insert("surveys".into(), config.survey_dir.display().to_string());
        }
        Stage::Report => {
            p.insert("synthetic".into(), config.synthetic().to_string());
        }
        _ => {}
    }
    p
}

/// Files a stage reads that are found by looking (returns in the survey folder, snapshots of
/// the configured sources) or named by the configuration (registry, catalogue): a new one makes
/// the stage run even though no recorded input changed.
pub fn discovered(config: &Config, stage: Stage) -> Vec<PathBuf> {
    let mut out = Vec::new();
    match stage {
        Stage::Fetch => {
            for spec in config.pipeline.sources.values() {
                let p = config.raw.join(spec.snapshot_path());
                out.push(Snapshot::sidecar_path(&p));
                out.push(p);
            }
        }
        Stage::Ingest => {
            out.extend(ingest::scan(&config.survey_dir).map(|f| f.returns).unwrap_or_default());
            out.extend(crate::stages::history::discovered(config));
        }
        _ => {}
    }
    if matches!(stage, Stage::Ingest | Stage::Transform | Stage::Disclose | Stage::Report) {
        out.extend(config.reference_files.iter().cloned());
    }
    out
}

/// Whether a stage is up to date, and if not, why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Nothing it depends on changed.
    pub fresh: bool,
    /// Why it runs.
    pub reasons: Vec<String>,
    /// For ingest: returns to read again (changed or new) of all returns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitions: Option<(usize, usize)>,
    /// Inputs whose mtime moved with the same bytes (their state can be refreshed).
    #[serde(skip)]
    pub touched: Vec<String>,
}

/// Checks a stage against its last state.
pub fn check(config: &Config, stage: Stage) -> Verdict {
    let mut v = Verdict::default();
    let Some(state) = load(config, stage) else {
        v.reasons.push("no record of a completed run".into());
        return v;
    };
    let version = env!("CARGO_PKG_VERSION");
    if state.kooste_version != version {
        v.reasons.push(format!("kooste version changed {} → {version}", state.kooste_version));
    }
    let now = params(config, stage);
    for (k, old) in &state.params {
        match now.get(k) {
            Some(new) if new != old => v.reasons.push(format!("{k} changed {old} → {new}")),
            None => v.reasons.push(format!("{k} removed (was {old})")),
            _ => {}
        }
    }
    for (k, new) in now.iter().filter(|(k, _)| !state.params.contains_key(*k)) {
        v.reasons.push(format!("{k} added ({new})"));
    }
    let recorded: BTreeSet<&str> = state.inputs.iter().map(|f| f.path.as_str()).collect();
    let mut changed_returns = 0;
    for f in &state.inputs {
        match f.compare() {
            Compare::Same => {}
            Compare::Touched => v.touched.push(f.path.clone()),
            Compare::Changed => {
                changed_returns += usize::from(is_return(config, &f.path));
                v.reasons.push(format!("{} changed", f.path));
            }
            Compare::Missing => v.reasons.push(format!("{} removed", f.path)),
        }
    }
    let found = discovered(config, stage);
    for p in &found {
        let s = p.display().to_string();
        if !recorded.contains(s.as_str()) {
            changed_returns += usize::from(is_return(config, &s));
            v.reasons.push(if p.exists() { format!("{s} added") } else { format!("{s} is missing (will be fetched)") });
        }
    }
    for f in &state.outputs {
        match f.compare() {
            Compare::Same | Compare::Touched => {}
            Compare::Changed => v.reasons.push(format!("output {} was modified", f.path)),
            Compare::Missing => v.reasons.push(format!("output {} is missing", f.path)),
        }
    }
    if stage == Stage::Fetch {
        if config.refresh {
            v.reasons.push("--refresh asks the services again".into());
        }
        if let Some(days) = config.pipeline.fetch.max_age_days {
            for spec in config.pipeline.sources.values() {
                if let Ok(p) = Snapshot::load_provenance(&config.raw.join(spec.snapshot_path()))
                    && age_days(&p.fetched_at).is_some_and(|a| a > i64::from(days))
                {
                    v.reasons.push(format!("snapshot {} is older than fetch.max_age_days ({days})", spec.snapshot_path().display()));
                }
            }
        }
    }
    if stage == Stage::Ingest {
        let total = found.iter().filter(|p| is_return(config, &p.display().to_string())).count();
        v.partitions = Some((changed_returns.min(total), total));
    }
    v.fresh = v.reasons.is_empty();
    v
}

fn is_return(config: &Config, path: &str) -> bool {
    Path::new(path).parent() == Some(config.survey_dir.as_path())
}

/// Days since an RFC 3339 time.
pub fn age_days(at: &str) -> Option<i64> {
    let t = chrono::DateTime::parse_from_rfc3339(at).ok()?;
    Some(chrono::Utc::now().signed_duration_since(t).num_days())
}

/// Refreshes the mtimes of touched inputs in a stage's state, so the next check is fast again.
pub fn refresh_touched(config: &Config, stage: Stage, touched: &[String]) {
    if touched.is_empty() {
        return;
    }
    if let Some(mut state) = load(config, stage) {
        for f in state.inputs.iter_mut().filter(|f| touched.contains(&f.path)) {
            if let Some((bytes, mtime)) = files::stat(Path::new(&f.path)) {
                (f.bytes, f.mtime_ns) = (bytes, mtime);
            }
        }
        let _ = files::write_json(&path(config, stage), &state);
    }
}
