//! Stage 2, ingest: the members' survey returns → validated rows and findings.
//!
//! In: `raw/surveys/<year>/*.{xlsx,xls,xlsb,ods}`. Out: `stages/ingest/{placement,students,
//! returns}.parquet` (rows of accepted returns only) and `output/<year>/findings.{csv,json}`
//! (every finding of every file). One broken file never stops the others: it is quarantined,
//! counted and named in the run record.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::{Stage, StageReport, par_map, persist};
use crate::config::Config;
use crate::domain::PlacementStatus;
use crate::files::{self, FileError};
use crate::record::{FileRecord, Quarantined, ReturnsSummary};
use crate::survey::{self, Finding, ReadContext, ReadOutcome, Rule};
use crate::{Error, FrameContext, Result};

/// File extensions read as returns.
pub const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// Why an entry of the surveys folder is not read as a return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// `~$name.xlsx`: the lock Excel keeps while someone has the workbook open.
    OwnerFile,
    /// A name starting with `.` (`.DS_Store`, LibreOffice's `.~lock.name.ods#`).
    Hidden,
    /// A temporary or partial file (`~WRL0001.tmp`, `name.xlsx~`, `name.xlsx.part`).
    Temporary,
    /// A folder.
    Folder,
    /// Not a spreadsheet by its extension (`.pdf`, `.docx`, `.csv`).
    NotASpreadsheet,
}

impl Skip {
    /// Why, for the log line.
    pub fn reason(self) -> &'static str {
        match self {
            Skip::OwnerFile => "an Excel owner file (the workbook is open somewhere), not a return",
            Skip::Hidden => "a hidden file, not a return",
            Skip::Temporary => "a temporary file, not a return",
            Skip::Folder => "a folder (returns are read from the year's folder itself)",
            Skip::NotASpreadsheet => "not a spreadsheet (.xlsx, .xlsm, .xls, .xlsb, .ods)",
        }
    }
}

/// What a surveys folder holds: the returns, sorted by name, and every other entry with why
/// it is not one.
#[derive(Clone, Debug, Default)]
pub struct SurveyFolder {
    /// The files read as returns: every entry with a spreadsheet extension (any case), even
    /// one that cannot be opened (it is quarantined as unreadable).
    pub returns: Vec<PathBuf>,
    /// The entries that are not returns.
    pub skipped: Vec<(PathBuf, Skip)>,
}

/// Sorts a surveys folder's entries into returns and the rest, saying nothing.
pub fn scan(dir: &Path) -> Result<SurveyFolder> {
    let entries = std::fs::read_dir(dir).map_err(|source| FileError::Io { path: dir.to_owned(), source })?;
    let mut folder = SurveyFolder::default();
    for entry in entries {
        let entry = entry.map_err(|source| FileError::Io { path: dir.to_owned(), source })?;
        let path = entry.path();
        match classify(&path) {
            None => folder.returns.push(path),
            Some(skip) => folder.skipped.push((path, skip)),
        }
    }
    folder.returns.sort();
    folder.skipped.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(folder)
}

/// Whether an entry is a return (`None`) or why not.
fn classify(path: &Path) -> Option<Skip> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let lower = name.to_lowercase();
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    if name.starts_with("~$") {
        Some(Skip::OwnerFile)
    } else if name.starts_with('.') {
        Some(Skip::Hidden)
    } else if name.starts_with('~') || name.ends_with('~') || [".tmp", ".temp", ".part", ".crdownload"].iter().any(|t| lower.ends_with(t)) {
        Some(Skip::Temporary)
    } else if path.is_dir() {
        Some(Skip::Folder)
    } else if EXTENSIONS.contains(&ext.as_str()) {
        None
    } else {
        Some(Skip::NotASpreadsheet)
    }
}

/// The return files in a folder, sorted by name; every entry that is not one (owner, hidden
/// and temporary files, folders, other files) gets one info line saying why it is skipped.
pub fn return_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let folder = scan(dir)?;
    for (path, skip) in &folder.skipped {
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        tracing::info!(%file, "Skipped: {}.", skip.reason());
    }
    Ok(folder.returns)
}

/// Reads every return of a list of files (keeping each file's bytes for its feedback), then
/// flags members with more than one return.
pub fn read_all(paths: &[PathBuf], ctx: &ReadContext<'_>) -> Vec<(ReadOutcome, Vec<u8>)> {
    let mut outcomes: Vec<(ReadOutcome, Vec<u8>)> = paths.iter().map(|p| read_one(p, ctx)).collect();
    let mut plain: Vec<&mut ReadOutcome> = outcomes.iter_mut().map(|(o, _)| o).collect();
    flag_duplicates(&mut plain);
    outcomes
}

/// Reads one return file within the reader's limits, keeping its bytes (none when the file
/// could not be read or is over the size limit).
fn read_one(p: &Path, ctx: &ReadContext<'_>) -> (ReadOutcome, Vec<u8>) {
    survey::read_path(p, ctx)
}

/// Flags members with more than one return (a finding on each of them).
fn flag_duplicates(outcomes: &mut [&mut ReadOutcome]) {
    let mut by_member: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, o) in outcomes.iter().enumerate() {
        if let Some(s) = &o.survey {
            by_member.entry(s.member_id.clone()).or_default().push(i);
        }
    }
    for idx in by_member.values().filter(|v| v.len() > 1) {
        let names: Vec<String> = idx.iter().map(|i| outcomes[*i].file.clone()).collect();
        for i in idx {
            let o = &mut outcomes[*i];
            let mut f = Finding::new(&o.file, Rule::DuplicateReturn, None, Some(names.join(", ")));
            f.member = o.survey.as_ref().map(|s| s.member_id.clone());
            o.findings.push(f);
        }
    }
}

/// One return as ingest last read it: a partition of the stage. A return whose bytes and
/// reading context are unchanged is not read again, and its feedback workbook is not written
/// again while what it says is the same.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct Partition {
    /// Hash of what reading depends on besides the file: kooste version, year, registry,
    /// catalogue, published qualifications.
    context: String,
    /// sha256, size and mtime of the file read.
    sha256: String,
    bytes: u64,
    mtime_ns: u64,
    /// The outcome before the cross-file checks.
    outcome: ReadOutcome,
    /// The feedback workbook last written for it, and the hash of what it said.
    feedback: Option<(String, String)>,
    /// Whether it must be saved again.
    #[serde(skip)]
    dirty: bool,
}

/// All partitions, by file name, in one file (`stages/ingest/partitions.json`): one write per
/// run instead of one per return.
type Partitions = BTreeMap<String, Partition>;

/// The reading context's hash, for the returns of statistical year `year`.
fn context_key(config: &Config, year: i32) -> String {
    let mut text = format!("{}\n{}\n", env!("CARGO_PKG_VERSION"), year);
    for p in &config.reference_files {
        text.push_str(&files::sha256_file(p).unwrap_or_default());
        text.push('\n');
    }
    text.push_str(&format!("{:?}", config.pipeline.publish_qualifications));
    files::sha256_hex(text.as_bytes())
}

/// Reads the returns, reusing the partitions whose file and context are unchanged. Returns
/// each outcome (after the cross-file checks), its bytes when read, its partition, and how
/// many files were read.
fn read_partitions(config: &Config, paths: &[PathBuf], ctx: &ReadContext<'_>, cache: &Path) -> (Vec<(ReadOutcome, Option<Vec<u8>>, Partition)>, usize) {
    let context = context_key(config, ctx.year);
    let mut cached_all: Partitions = std::fs::read(cache).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    let jobs: Vec<(&PathBuf, Option<Partition>)> = paths
        .iter()
        .map(|p| {
            let file = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            (p, cached_all.remove(&file).filter(|c| c.context == context))
        })
        .collect();
    // Returns are independent: read on every core.
    let done = par_map(&jobs, |(p, cached)| {
        let (size, mtime) = files::stat(p).unwrap_or((0, 0));
        if let Some(c) = cached.as_ref().filter(|c| c.bytes == size && c.mtime_ns == mtime) {
            return (c.outcome.clone(), None, c.clone(), false);
        }
        let (outcome, bytes) = read_one(p, ctx);
        // The reader hashed what it read (a file over the size limit: the whole file).
        let sha = if outcome.sha256.is_empty() { files::sha256_hex(&bytes) } else { outcome.sha256.clone() };
        if let Some(c) = cached.as_ref().filter(|c| c.sha256 == sha) {
            // Touched, not changed.
            let part = Partition { mtime_ns: mtime, bytes: size, dirty: true, ..c.clone() };
            return (part.outcome.clone(), Some(bytes), part, false);
        }
        let part = Partition { context: context.clone(), sha256: sha, bytes: size, mtime_ns: mtime, outcome: outcome.clone(), feedback: None, dirty: true };
        (outcome, Some(bytes), part, true)
    });
    let read = done.iter().filter(|d| d.3).count();
    let mut out: Vec<(ReadOutcome, Option<Vec<u8>>, Partition)> = done.into_iter().map(|(o, b, p, _)| (o, b, p)).collect();
    let mut plain: Vec<&mut ReadOutcome> = out.iter_mut().map(|(o, _, _)| o).collect();
    flag_duplicates(&mut plain);
    (out, read)
}

/// Reads the returns of an earlier statistical year through its own per-file cache (`cache`,
/// written back when something was read): each outcome (after the cross-file checks) with its
/// file's record, and how many files were read.
pub(crate) fn read_year(config: &Config, year: i32, paths: &[PathBuf], cache: &Path) -> Result<(Vec<(ReadOutcome, FileRecord)>, usize)> {
    let ctx = ReadContext { registry: &config.registry, catalogue: &config.catalogue, year, qualifications: &config.pipeline.publish_qualifications };
    let (read, changed) = read_partitions(config, paths, &ctx, cache);
    if read.iter().any(|(_, _, p)| p.dirty) || !cache.is_file() {
        let all: BTreeMap<String, &Partition> =
            paths.iter().zip(&read).map(|(p, (_, _, part))| (p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), part)).collect();
        files::write_cache(cache, &serde_json::to_vec(&all).map_err(std::io::Error::other).map_err(|source| FileError::Io { path: cache.to_owned(), source })?)?;
    }
    let out = paths
        .iter()
        .zip(read)
        .map(|(p, (o, _, part))| (o, FileRecord { path: p.display().to_string(), sha256: part.sha256, bytes: part.bytes, mtime_ns: Some(part.mtime_ns) }))
        .collect();
    Ok((out, changed))
}

/// The feedback workbook of each return, in `dir`: named after the member (or
/// `unknown--<file>` when the member is unknown); two returns of one member each get theirs.
fn feedback_paths<'a>(config: &Config, dir: &Path, outcomes: impl Iterator<Item = &'a ReadOutcome>) -> Vec<PathBuf> {
    let mut written: Vec<PathBuf> = Vec::new();
    let mut taken: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    for o in outcomes {
        let member = o.survey.as_ref().and_then(|s| config.registry.get(&s.member_id));
        let stem = Path::new(&o.file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        // A return whose member is unknown never takes a member's name.
        let base = member.map(|m| m.id.clone()).unwrap_or_else(|| format!("unknown--{stem}"));
        let mut path = dir.join(format!("{base}.xlsx"));
        // Two returns of one member (or files of one name in several formats) each get theirs.
        let mut n = 1;
        while taken.contains(&path) {
            n += 1;
            path = dir.join(format!("{base}--{stem}-{n}.xlsx"));
        }
        taken.insert(path.clone());
        written.push(path);
    }
    written
}

/// The year's returns as ingest reads them, for `kooste collection`: the files replaced by
/// newer ones (`[collection] replaces`) set aside, the others read through ingest's per-file
/// cache (read, never written: an unchanged return is not read again).
pub fn current_returns(config: &Config) -> Result<(Vec<crate::collection::ReadReturn>, Vec<crate::collection::Replaced>)> {
    let found = if config.survey_dir.is_dir() { return_files(&config.survey_dir)? } else { Vec::new() };
    let (paths, replaced) = config.pipeline.collection.apply(found);
    let ctx = read_context(config);
    let cache = config.stage_dir(Stage::Ingest.name()).join("partitions.json");
    let (read, _) = read_partitions(config, &paths, &ctx, &cache);
    Ok((read_returns(config, &paths, read.into_iter().map(|(o, _, part)| (o, part)).collect()), replaced.into_iter().map(|(_, r)| r).collect()))
}

/// Each outcome with its file's record and its feedback workbook's name.
fn read_returns(config: &Config, paths: &[PathBuf], read: Vec<(ReadOutcome, Partition)>) -> Vec<crate::collection::ReadReturn> {
    let dir = config.year_dir().join("feedback");
    let feedback = feedback_paths(config, &dir, read.iter().map(|(o, _)| o));
    read.into_iter()
        .zip(paths)
        .zip(feedback)
        .map(|(((outcome, part), p), fb)| crate::collection::ReadReturn {
            outcome,
            record: FileRecord { path: p.display().to_string(), sha256: part.sha256, bytes: part.bytes, mtime_ns: Some(part.mtime_ns) },
            feedback: fb.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        })
        .collect()
}

/// Writes one feedback workbook per return into `dir`, named after the member (or the file
/// when the member is unknown), in the member's language; skips a workbook whose content would
/// be the same as the one written last time; removes feedback of files that are no longer
/// there. Returns the paths of all feedback workbooks.
fn write_feedback(config: &Config, dir: &Path, paths: &[PathBuf], outcomes: &mut [(ReadOutcome, Option<Vec<u8>>, Partition)]) -> Result<Vec<PathBuf>> {
    let written = feedback_paths(config, dir, outcomes.iter().map(|(o, _, _)| o));
    let taken: std::collections::HashSet<PathBuf> = written.iter().cloned().collect();
    // (index, path, what it says) of the workbooks to write.
    let mut jobs: Vec<(usize, PathBuf, (String, String))> = Vec::new();
    for (i, ((o, _, part), path)) in outcomes.iter().zip(&written).enumerate() {
        let member = o.survey.as_ref().and_then(|s| config.registry.get(&s.member_id));
        let path = path.clone();
        let lang = member.map(|m| m.lang).unwrap_or(crate::domain::Lang::Fi);
        let says = files::sha256_hex(
            format!("{}|{}|{}|{:?}|{}", serde_json::to_string(o).unwrap_or_default(), part.sha256, config.year, lang, member.map(|m| m.name.as_str()).unwrap_or("")).as_bytes(),
        );
        let key = (path.display().to_string(), says);
        if part.feedback.as_ref() != Some(&key) || !path.is_file() {
            jobs.push((i, path, key));
        }
    }
    let shared: &[(ReadOutcome, Option<Vec<u8>>, Partition)] = outcomes;
    let results = par_map(&jobs, |(i, path, _)| -> Result<()> {
        let (o, bytes, _) = &shared[*i];
        let member = o.survey.as_ref().and_then(|s| config.registry.get(&s.member_id));
        let lang = member.map(|m| m.lang).unwrap_or(crate::domain::Lang::Fi);
        let read;
        let bytes = match bytes {
            Some(b) => b,
            None => {
                // Within the size limit; a file that cannot be read gets the summary alone.
                read = survey::read_file(&paths[*i], &survey::Limits::DEFAULT).ok().and_then(Result::ok).unwrap_or_default();
                &read
            }
        };
        let xlsx = survey::feedback::write(bytes, o, member.map(|m| m.name.as_str()), config.year, lang)
            .map_err(|source| Error::Xlsx { path: path.clone(), source })?;
        files::write_bytes(path, &xlsx)?;
        Ok(())
    });
    for ((i, _, key), r) in jobs.into_iter().zip(results) {
        r?;
        let part = &mut outcomes[i].2;
        part.feedback = Some(key);
        part.dirty = true;
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for stale in entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| !taken.contains(p)) {
            if stale.extension().is_some_and(|e| e == "xlsx") {
                std::fs::remove_file(&stale).map_err(|source| FileError::Io { path: stale.clone(), source })?;
            }
        }
    }
    Ok(written)
}

/// Reads the year's returns and persists the accepted rows and all findings.
pub fn run(config: &Config) -> Result<StageReport> {
    let mut report = StageReport::new(Stage::Ingest);
    if !config.survey_dir.is_dir() {
        return Err(Error::NoSurveys(config.survey_dir.clone()));
    }
    // A file that a newer one replaces ([collection] replaces) is recorded, not read.
    let (paths, replaced) = config.pipeline.collection.apply(return_files(&config.survey_dir)?);
    for (p, r) in &replaced {
        tracing::info!(file = %r.file, by = %r.by, "Replaced by a newer return: not read.");
        report.input(p)?;
    }
    let ctx = read_context(config);
    let cache = config.stage_dir(Stage::Ingest.name()).join("partitions.json");
    let (mut read, changed) = read_partitions(config, &paths, &ctx, &cache);
    tracing::info!(read = changed, returns = paths.len(), "Returns read (the others unchanged since they were last read).");
    // Every file was hashed when it was read: the record takes those hashes, not a second read.
    for (p, (_, _, part)) in paths.iter().zip(&read) {
        report.inputs.push(FileRecord { path: p.display().to_string(), sha256: part.sha256.clone(), bytes: part.bytes, mtime_ns: Some(part.mtime_ns) });
    }
    for path in write_feedback(config, &config.year_dir().join("feedback"), &paths, &mut read)? {
        report.output(&path)?;
    }
    // The partitions, for the next run (those of files no longer there are dropped). A cache:
    // written without fsync, and one that cannot be read is simply read again from the returns.
    let dirty = read.iter().any(|(_, _, p)| p.dirty) || !cache.is_file();
    if dirty {
        let all: BTreeMap<String, &Partition> = paths
            .iter()
            .zip(&read)
            .map(|(p, (_, _, part))| (p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), part))
            .collect();
        files::write_cache(&cache, &serde_json::to_vec(&all).map_err(std::io::Error::other).map_err(|source| FileError::Io { path: cache.clone(), source })?)?;
    }
    report.details.insert("partitions".into(), serde_json::json!({ "read": changed, "returns": paths.len() }));
    // Whom the figures cover: the survey round as `kooste collection` sees it.
    let returns = read_returns(config, &paths, read.into_iter().map(|(o, _, p)| (o, p)).collect());
    let round = crate::collection::round(config, &returns, replaced.into_iter().map(|(_, r)| r).collect(), chrono::Local::now().date_naive());
    let coverage = round.coverage();
    crate::collection::publish::log(config, &coverage);
    let coverage_path = crate::collection::publish::path(config);
    files::write_json(&coverage_path, &coverage)?;
    report.output(&coverage_path)?;
    let outcomes: Vec<ReadOutcome> = returns.into_iter().map(|r| r.outcome).collect();
    let mut summary = ReturnsSummary { coverage: Some(coverage), ..ReturnsSummary::default() };
    for o in &outcomes {
        let errors = o.findings.iter().filter(|f| f.is_error()).count();
        summary.errors += errors;
        summary.warnings += o.findings.len() - errors;
        for f in &o.findings {
            let cell = format!("{}!{}", f.sheet.as_deref().unwrap_or("-"), f.cell.as_deref().unwrap_or("-"));
            if f.is_error() {
                tracing::warn!(file = %f.file, %cell, rule = f.rule.code(), "{}", f.message_en);
            } else {
                tracing::info!(file = %f.file, %cell, rule = f.rule.code(), "{}", f.message_en);
            }
        }
        if o.accepted() {
            summary.accepted += 1;
        } else {
            let member = o.survey.as_ref().map(|s| s.member_id.clone());
            tracing::warn!(file = %o.file, errors, "Return quarantined: left out of the published figures.");
            let first_error = o.findings.iter().find(|f| f.is_error()).map(|f| {
                let place = [f.sheet.as_deref(), f.cell.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("!");
                format!("{place} {}: {}", f.rule.code(), f.message_en).trim().to_owned()
            });
            summary.quarantined.push(Quarantined { file: o.file.clone(), member, errors, first_error });
        }
    }
    let accepted: Vec<&ReadOutcome> = outcomes.iter().filter(|o| o.accepted()).collect();
    // The earlier survey years, for the trend tables.
    super::history::ingest(config, &mut report)?;
    persist(config, &mut report, "placement", &mut placement_frame(&accepted).ctx("placement rows")?)?;
    persist(config, &mut report, "students", &mut students_frame(&accepted).ctx("students rows")?)?;
    persist(config, &mut report, "returns", &mut returns_frame(&outcomes).ctx("returns")?)?;
    let findings: Vec<&Finding> = outcomes.iter().flat_map(|o| &o.findings).collect();
    let dir = config.year_dir();
    write_findings_csv(&dir.join("findings.csv"), &findings)?;
    files::write_json(&dir.join("findings.json"), &findings)?;
    report.output(&dir.join("findings.csv"))?;
    report.output(&dir.join("findings.json"))?;
    report.rows.insert("findings".into(), findings.len());
    report.details.insert("returns".into(), serde_json::to_value(&summary).expect("plain data"));
    Ok(report)
}

pub(crate) fn placement_frame(accepted: &[&ReadOutcome]) -> PolarsResult<DataFrame> {
    let rows: Vec<(&ReadOutcome, &survey::SurveyReturn, &survey::PlacementRow)> = accepted
        .iter()
        .filter_map(|o| o.survey.as_ref().map(|s| (*o, s)))
        .flat_map(|(o, s)| s.placement.iter().map(move |r| (o, s, r)))
        .collect();
    let mut cols = vec![
        Column::new("year".into(), rows.iter().map(|(_, s, _)| s.year).collect::<Vec<_>>()),
        Column::new("member_id".into(), rows.iter().map(|(_, s, _)| s.member_id.as_str()).collect::<Vec<_>>()),
        Column::new("file".into(), rows.iter().map(|(o, _, _)| o.file.as_str()).collect::<Vec<_>>()),
        Column::new("row".into(), rows.iter().map(|(_, _, r)| r.row).collect::<Vec<_>>()),
        // For lineage: the sheet, and the cells of the graduates and the eight statuses.
        Column::new("sheet".into(), rows.iter().map(|(_, s, _)| s.placement_sheet.as_ref().map(|p| p.0.as_str()).unwrap_or("")).collect::<Vec<_>>()),
        Column::new(
            "cells".into(),
            rows.iter()
                .map(|(_, s, r)| {
                    let cols = s.placement_sheet.as_ref().map(|p| p.1.as_slice()).unwrap_or(&[]);
                    cols.iter().map(|c| survey::findings::a1(r.row.saturating_sub(1), *c)).collect::<Vec<_>>().join(",")
                })
                .collect::<Vec<_>>(),
        ),
        Column::new("qualification_code".into(), rows.iter().map(|(_, _, r)| r.qualification.as_string()).collect::<Vec<_>>()),
        Column::new("orientation".into(), rows.iter().map(|(_, _, r)| r.orientation.code()).collect::<Vec<_>>()),
        Column::new("graduation_year".into(), rows.iter().map(|(_, _, r)| r.graduation_year).collect::<Vec<_>>()),
        Column::new("graduates".into(), rows.iter().map(|(_, _, r)| r.graduates as i64).collect::<Vec<_>>()),
    ];
    for (i, s) in PlacementStatus::ALL.iter().enumerate() {
        cols.push(Column::new(s.code().into(), rows.iter().map(|(_, _, r)| r.statuses[i] as i64).collect::<Vec<_>>()));
    }
    DataFrame::new(rows.len(), cols)
}

pub(crate) fn students_frame(accepted: &[&ReadOutcome]) -> PolarsResult<DataFrame> {
    let rows: Vec<(&ReadOutcome, &survey::SurveyReturn, &survey::StudentRow)> = accepted
        .iter()
        .filter_map(|o| o.survey.as_ref().map(|s| (*o, s)))
        .flat_map(|(o, s)| s.students.iter().map(move |r| (o, s, r)))
        .collect();
    let n = |f: fn(&survey::StudentRow) -> u64| rows.iter().map(|(_, _, r)| f(r) as i64).collect::<Vec<_>>();
    df!(
        "year" => rows.iter().map(|(_, s, _)| s.year).collect::<Vec<_>>(),
        "member_id" => rows.iter().map(|(_, s, _)| s.member_id.as_str()).collect::<Vec<_>>(),
        "file" => rows.iter().map(|(o, _, _)| o.file.as_str()).collect::<Vec<_>>(),
        "row" => rows.iter().map(|(_, _, r)| r.row).collect::<Vec<_>>(),
        "qualification_code" => rows.iter().map(|(_, _, r)| r.qualification.as_string()).collect::<Vec<_>>(),
        "orientation" => rows.iter().map(|(_, _, r)| r.orientation.code()).collect::<Vec<_>>(),
        "start_places" => n(|r| r.start_places),
        "applicants" => n(|r| r.applicants),
        "first_choice_applicants" => n(|r| r.first_choice),
        "new_students" => n(|r| r.new_students),
        "students" => n(|r| r.students),
    )
}

fn returns_frame(outcomes: &[ReadOutcome]) -> PolarsResult<DataFrame> {
    let count = |o: &ReadOutcome, err: bool| o.findings.iter().filter(|f| f.is_error() == err).count() as i64;
    df!(
        "file" => outcomes.iter().map(|o| o.file.as_str()).collect::<Vec<_>>(),
        "sha256" => outcomes.iter().map(|o| o.sha256.as_str()).collect::<Vec<_>>(),
        "member_id" => outcomes.iter().map(|o| o.survey.as_ref().map(|s| s.member_id.as_str())).collect::<Vec<_>>(),
        "accepted" => outcomes.iter().map(ReadOutcome::accepted).collect::<Vec<_>>(),
        "errors" => outcomes.iter().map(|o| count(o, true)).collect::<Vec<_>>(),
        "warnings" => outcomes.iter().map(|o| count(o, false)).collect::<Vec<_>>(),
    )
}

/// The columns of `findings.csv`, in the order of [`Finding`]'s fields.
pub const FINDING_COLUMNS: [&str; 11] = [
    "file", "sheet", "cell", "member", "rule", "severity", "value", "expected", "message_fi", "message_sv", "message_en",
];

/// Writes findings as CSV (UTF-8, one row per finding, messages in fi, sv and en).
pub fn write_findings_csv(path: &Path, findings: &[&Finding]) -> Result<()> {
    files::write_atomic(path, |w| {
        let mut csv = csv::WriterBuilder::new().has_headers(false).from_writer(w);
        csv.write_record(FINDING_COLUMNS)?;
        // Values and messages quote the returns' own cells: neutralised against formulas.
        let text = |s: &str| crate::stages::report::localized::neutralise(s);
        let opt = |s: &Option<String>| s.as_deref().map(text).unwrap_or_default();
        for f in findings {
            csv.write_record([
                text(&f.file),
                opt(&f.sheet),
                opt(&f.cell),
                opt(&f.member),
                f.rule.code().to_owned(),
                match f.severity {
                    crate::survey::Severity::Error => "error",
                    crate::survey::Severity::Warning => "warning",
                }
                .to_owned(),
                opt(&f.value),
                opt(&f.expected),
                text(&f.message_fi),
                text(&f.message_sv),
                text(&f.message_en),
            ])?;
        }
        csv.flush()
    })?;
    Ok(())
}

/// What a return is read against: the registry, the catalogue and the run's year.
fn read_context(config: &Config) -> ReadContext<'_> {
    ReadContext { registry: &config.registry, catalogue: &config.catalogue, year: config.year, qualifications: &config.pipeline.publish_qualifications }
}
