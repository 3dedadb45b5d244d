//! The survey round: which of the registry's members have returned the year's survey, in what
//! state, and whom the published figures therefore cover.
//!
//! In: the returns as ingest reads them ([`crate::stages::ingest::current_returns`]: the same
//! reader and its per-file cache) and the registry. Out: a [`Round`] — one line per member of
//! the year (accepted, accepted with warnings, quarantined, duplicate, missing) — for
//! `kooste collection`; the [`Coverage`] that ingest persists and every publication and the run
//! record carry ([`publish`]); reminders to the members ([`reminders`]).
//!
//! A return is a member's when its Y-tunnus says so; a file whose content names no member
//! (unreadable, no Y-tunnus) is the member's whose id its name starts with (`kuopio.xlsx`,
//! `kuopio-2025.xlsx`) when that member has no other return.

pub mod publish;
pub mod reminders;
mod settings;

pub use settings::{CollectionSettings, Deadline, Replaced};

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::domain::Lang;
use crate::record::FileRecord;
use crate::registry::Member;
use crate::survey::{Finding, ReadOutcome};

/// Exit code of `kooste collection` when a member is not accepted.
pub const EXIT_INCOMPLETE: i32 = 3;

/// Where a member's return stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Read, no findings: in the published figures.
    Accepted,
    /// Read with warnings only: in the published figures.
    AcceptedWithWarnings,
    /// An error: left out of the published figures until corrected.
    Quarantined,
    /// Several returns and no `[collection] replaces` saying which counts: all left out.
    Duplicate,
    /// No return.
    Missing,
}

impl State {
    /// Whether the member's figures are published.
    pub fn included(self) -> bool {
        matches!(self, State::Accepted | State::AcceptedWithWarnings)
    }

    /// The state's name, as `--json` writes it.
    pub fn code(self) -> &'static str {
        match self {
            State::Accepted => "accepted",
            State::AcceptedWithWarnings => "accepted with warnings",
            State::Quarantined => "quarantined",
            State::Duplicate => "duplicate",
            State::Missing => "missing",
        }
    }

    /// The state in a language.
    pub fn label(self, lang: Lang) -> &'static str {
        lang.pick(&match self {
            State::Accepted => ("hyväksytty", "godkänt", "accepted"),
            State::AcceptedWithWarnings => ("hyväksytty, varoituksia", "godkänt, med varningar", "accepted with warnings"),
            State::Quarantined => ("karanteenissa", "i karantän", "quarantined"),
            State::Duplicate => ("useita palautuksia", "flera svar", "duplicate"),
            State::Missing => ("puuttuu", "saknas", "missing"),
        })
    }
}

/// A return as ingest read it, with its file's record and its feedback workbook's name.
#[derive(Clone, Debug)]
pub struct ReadReturn {
    /// What reading gave (after the cross-file checks).
    pub outcome: ReadOutcome,
    /// The file: sha256, size, mtime.
    pub record: FileRecord,
    /// The feedback workbook's file name under `output/<year>/feedback/`.
    pub feedback: String,
}

/// One return file of the round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReturnFile {
    /// File name in the survey folder.
    pub file: String,
    /// sha256 of its bytes.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// When it arrived: its modification time (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Its feedback workbook under `output/<year>/feedback/`.
    pub feedback: String,
}

/// A member's line of the round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberRound {
    /// Member id.
    pub member: String,
    /// The member's name.
    pub name: String,
    /// The language the member is written to in.
    pub lang: Lang,
    /// Where its return stands.
    pub state: State,
    /// Its return files (none when missing, several when duplicate).
    pub files: Vec<ReturnFile>,
    /// The first error, for a return left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_error: Option<Finding>,
    /// Every finding of its files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
}

/// A file in the survey folder that belongs to no member of the year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unassigned {
    /// The file.
    pub file: ReturnFile,
    /// Its first error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_error: Option<Finding>,
}

/// The deadline and how far it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeadlineStatus {
    /// The day (`2026-02-15`).
    pub date: Deadline,
    /// Days from today to the deadline: negative when overdue.
    pub days_left: i64,
}

impl DeadlineStatus {
    /// `2026-02-15: 12 days left` / `today` / `3 days overdue`.
    pub fn describe(&self) -> String {
        let d = self.date.0.format("%Y-%m-%d");
        match self.days_left {
            0 => format!("{d}: today"),
            1 => format!("{d}: 1 day left"),
            -1 => format!("{d}: 1 day overdue"),
            n if n > 0 => format!("{d}: {n} days left"),
            n => format!("{d}: {} days overdue", -n),
        }
    }
}

/// The survey round of a year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Round {
    /// Statistical year.
    pub year: i32,
    /// The survey folder.
    pub folder: String,
    /// The deadline, when the pipeline sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DeadlineStatus>,
    /// One line per member of the registry valid in the year, in registry order.
    pub members: Vec<MemberRound>,
    /// Files that belong to no member.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unassigned: Vec<Unassigned>,
    /// Files replaced by newer ones (`[collection] replaces`), not read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaced: Vec<Replaced>,
    /// `14 of 16 accepted, 1 quarantined, 1 missing`.
    pub summary: String,
}

/// Whom the published figures cover: persisted by ingest (`stages/ingest/coverage.json`),
/// carried by the run record (`returns.coverage`) and every publication.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Members of the registry in the year.
    pub members: usize,
    /// Members whose return is in the figures.
    pub responded: usize,
    /// Their ids, in registry order.
    pub included: Vec<String>,
    /// Members without a return.
    pub missing: Vec<String>,
    /// Members whose return is left out (errors, or several returns).
    pub quarantined: Vec<String>,
    /// Files replaced by newer ones, not read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaced: Vec<Replaced>,
    /// Files that belong to no member of the year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unassigned: Vec<String>,
}

impl Coverage {
    /// Whether every member is in the figures.
    pub fn complete(&self) -> bool {
        self.responded == self.members
    }
}

/// The members of the registry valid in the statistical year.
pub fn members_of_year(config: &Config) -> Vec<&Member> {
    config.registry.members().iter().filter(|m| m.ytunnus_in(config.year).is_some()).collect()
}

/// The member a file's name points to: the id itself, or the id followed by a separator
/// (`kuopio-2025.xlsx`); the longest id wins.
fn member_by_name<'a>(members: &[&'a Member], file: &str) -> Option<&'a Member> {
    let stem = std::path::Path::new(file).file_stem().map(|s| s.to_string_lossy().to_lowercase()).unwrap_or_default();
    members
        .iter()
        .filter(|m| {
            let id = m.id.to_lowercase();
            stem == id || stem.strip_prefix(&id).is_some_and(|rest| rest.starts_with(|c: char| !c.is_alphanumeric()))
        })
        .max_by_key(|m| m.id.len())
        .copied()
}

fn return_file(r: &ReadReturn) -> ReturnFile {
    let errors = r.outcome.findings.iter().filter(|f| f.is_error()).count();
    let received = r.record.mtime_ns.map(|ns| {
        chrono::DateTime::from_timestamp((ns / 1_000_000_000) as i64, (ns % 1_000_000_000) as u32)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    });
    ReturnFile {
        file: r.outcome.file.clone(),
        sha256: r.record.sha256.clone(),
        bytes: r.record.bytes,
        received,
        errors,
        warnings: r.outcome.findings.len() - errors,
        feedback: r.feedback.clone(),
    }
}

/// The round from the returns as ingest read them.
pub fn round(config: &Config, returns: &[ReadReturn], replaced: Vec<Replaced>, today: chrono::NaiveDate) -> Round {
    let members = members_of_year(config);
    let mut files: Vec<Vec<usize>> = vec![Vec::new(); members.len()];
    let index = |id: &str| members.iter().position(|m| m.id == id);
    let mut loose = Vec::new();
    for (i, r) in returns.iter().enumerate() {
        match r.outcome.survey.as_ref().and_then(|s| index(&s.member_id)) {
            Some(k) => files[k].push(i),
            None => loose.push(i),
        }
    }
    // A file whose content names no member is the member's its name points to, when that
    // member has no return of its own.
    let identified: Vec<bool> = files.iter().map(|f| !f.is_empty()).collect();
    let mut unassigned = Vec::new();
    for i in loose {
        match member_by_name(&members, &returns[i].outcome.file).and_then(|m| index(&m.id)).filter(|k| !identified[*k]) {
            Some(k) => files[k].push(i),
            None => unassigned.push(i),
        }
    }
    let first_error = |idx: &[usize]| idx.iter().flat_map(|i| &returns[*i].outcome.findings).find(|f| f.is_error()).cloned();
    let lines: Vec<MemberRound> = members
        .iter()
        .zip(&files)
        .map(|(m, idx)| {
            let state = match idx.as_slice() {
                [] => State::Missing,
                [i] if returns[*i].outcome.accepted() => {
                    if returns[*i].outcome.findings.is_empty() { State::Accepted } else { State::AcceptedWithWarnings }
                }
                [_] => State::Quarantined,
                _ => State::Duplicate,
            };
            MemberRound {
                member: m.id.clone(),
                name: m.name.clone(),
                lang: m.lang,
                state,
                files: idx.iter().map(|i| return_file(&returns[*i])).collect(),
                first_error: if state.included() { None } else { first_error(idx) },
                findings: idx.iter().flat_map(|i| returns[*i].outcome.findings.iter().cloned()).collect(),
            }
        })
        .collect();
    let unassigned: Vec<Unassigned> =
        unassigned.iter().map(|i| Unassigned { file: return_file(&returns[*i]), first_error: first_error(&[*i]) }).collect();
    let deadline = config.pipeline.collection.deadline.map(|d| DeadlineStatus { date: d, days_left: (d.0 - today).num_days() });
    let mut round = Round {
        year: config.year,
        folder: config.survey_dir.display().to_string(),
        deadline,
        members: lines,
        unassigned,
        replaced,
        summary: String::new(),
    };
    round.summary = round.summarise();
    round
}

impl Round {
    fn count(&self, s: State) -> usize {
        self.members.iter().filter(|m| m.state == s).count()
    }

    /// `14 of 16 accepted, 1 quarantined, 1 missing` (with warnings and duplicates when any).
    fn summarise(&self) -> String {
        let accepted = self.members.iter().filter(|m| m.state.included()).count();
        let warned = self.count(State::AcceptedWithWarnings);
        let mut s = format!("{accepted} of {} accepted", self.members.len());
        if warned > 0 {
            s.push_str(&format!(" ({warned} with warnings)"));
        }
        for (state, word) in [(State::Quarantined, "quarantined"), (State::Duplicate, "duplicate"), (State::Missing, "missing")] {
            let n = self.count(state);
            if n > 0 {
                s.push_str(&format!(", {n} {word}"));
            }
        }
        if !self.unassigned.is_empty() {
            s.push_str(&format!("; {} file(s) of no member", self.unassigned.len()));
        }
        s
    }

    /// 0 when every member is accepted, [`EXIT_INCOMPLETE`] otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.members.iter().all(|m| m.state.included()) { 0 } else { EXIT_INCOMPLETE }
    }

    /// Whom the published figures cover.
    pub fn coverage(&self) -> Coverage {
        let ids = |f: &dyn Fn(State) -> bool| self.members.iter().filter(|m| f(m.state)).map(|m| m.member.clone()).collect::<Vec<_>>();
        let included = ids(&State::included);
        Coverage {
            members: self.members.len(),
            responded: included.len(),
            included,
            missing: ids(&|s| s == State::Missing),
            quarantined: ids(&|s| matches!(s, State::Quarantined | State::Duplicate)),
            replaced: self.replaced.clone(),
            unassigned: self.unassigned.iter().map(|u| u.file.file.clone()).collect(),
        }
    }

    /// The round as text: one line per member, then the files of no member, the replaced
    /// files, the summary and the deadline.
    pub fn text(&self) -> String {
        let mut out = format!("Survey round {} ({}): {} members in the registry\n", self.year, self.folder, self.members.len());
        let width = self.members.iter().map(|m| m.name.chars().count()).max().unwrap_or(0);
        for m in &self.members {
            let mut line = format!("  {:<16} {:<width$}  {:<23}", m.member, m.name, m.state.code());
            for f in &m.files {
                line.push_str(&format!("  {}  sha256 {}  received {}", f.file, &f.sha256[..f.sha256.len().min(12)], f.received.as_deref().unwrap_or("-")));
            }
            if let Some(e) = &m.first_error {
                line.push_str(&format!("\n  {:<16} first error: {}", "", describe(e)));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        for u in &self.unassigned {
            out.push_str(&format!("  {:<16} {}  sha256 {}: of no member of {}", "?", u.file.file, &u.file.sha256[..u.file.sha256.len().min(12)], self.year));
            if let Some(e) = &u.first_error {
                out.push_str(&format!("; first error: {}", describe(e)));
            }
            out.push('\n');
        }
        for r in &self.replaced {
            out.push_str(&format!("  replaced (not read): {} by {}\n", r.file, r.by));
        }
        out.push_str(&self.summary);
        out.push('\n');
        if let Some(d) = &self.deadline {
            out.push_str(&format!("Deadline {}\n", d.describe()));
        }
        out
    }
}

/// `Sijoittuminen!E2:L2 / D2 sum_mismatch: …` (English).
fn describe(f: &Finding) -> String {
    let place = [f.sheet.as_deref(), f.cell.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("!");
    format!("{place} {}: {}", f.rule.code(), f.message_en).trim().to_owned()
}

/// Reads the year's returns as ingest does (its per-file cache read, never written) and makes
/// the round of today.
pub fn current(config: &Config) -> crate::Result<Round> {
    let (returns, replaced) = crate::stages::ingest::current_returns(config)?;
    Ok(round(config, &returns, replaced, chrono::Local::now().date_naive()))
}

/// Writes every member's pre-filled template of the year, in its language (or `lang`), into
/// `dir` as `<member>-<year>.xlsx`. Returns the paths.
pub fn write_templates(config: &Config, lang: Option<Lang>, dir: &std::path::Path) -> crate::Result<Vec<std::path::PathBuf>> {
    let mut written = Vec::new();
    for m in members_of_year(config) {
        let spec = crate::survey::template::template_for(config, config.year, Some(&m.id), lang)
            .map_err(|e| crate::Error::Collection(format!("template for {}: {e}", m.id)))?;
        let path = dir.join(format!("{}-{}.xlsx", m.id, config.year));
        let bytes = crate::survey::template::write(&spec).map_err(|source| crate::Error::Xlsx { path: path.clone(), source })?;
        crate::files::write_bytes(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}
