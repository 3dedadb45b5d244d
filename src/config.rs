//! The validated run configuration: a pipeline file (`pipelines/annual.toml`) plus the command
//! line's overrides, resolved once into paths, years, sources and rules.
//!
//! In: the pipeline TOML and [`Overrides`]. Out: a [`Config`] that every stage takes by reference;
//! stages never see command-line types, so tests build a `Config` directly.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::{Lang, QualificationCode};
use crate::registry::{Catalogue, Registry, RegistryError};

/// Why a configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The pipeline file could not be read.
    #[error("cannot read pipeline {path}: {source}")]
    Read {
        /// The pipeline file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The pipeline file is not valid TOML, misses a key or has a value of the wrong kind
    /// (an unknown language, a negative count).
    #[error("{}: {message}", at(path, *line))]
    Parse {
        /// The pipeline file.
        path: PathBuf,
        /// The line the TOML reader pointed at.
        line: Option<usize>,
        /// What the TOML reader said.
        message: String,
    },
    /// The member registry or qualification catalogue could not be read.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// A value is out of its allowed range.
    #[error("{}: {message}", at(path, *line))]
    Invalid {
        /// The pipeline file.
        path: PathBuf,
        /// The line of the setting, when it is written in the file.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A folder the run reads is not there (checked before anything runs or is fetched).
    #[error("{what} {path} does not exist ({hint})")]
    MissingFolder {
        /// Which folder (`raw folder`, `survey folder`).
        what: &'static str,
        /// The folder.
        path: PathBuf,
        /// Where the path came from and what to do.
        hint: String,
    },
}

/// `file, line N` or `file`.
fn at(path: &Path, line: Option<usize>) -> String {
    match line {
        Some(n) => format!("{}, line {n}", path.display()),
        None => path.display().to_string(),
    }
}

/// The official disclosure threshold of Finnish education statistics: counts of 1–4 persons
/// are not published. A lower `disclosure.threshold` needs `allow_below_official_threshold`.
pub const OFFICIAL_THRESHOLD: u32 = 5;

/// The 1-based line where `key` is set in the pipeline text, under the table `[section]`
/// (`""` for the top level): for messages that name the line of a setting.
pub fn line_of(text: &str, section: &str, key: &str) -> Option<usize> {
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(header) = t.strip_prefix('[').and_then(|h| h.split(']').next()) {
            current = header.trim().to_owned();
            continue;
        }
        if current == section
            && let Some(rest) = t.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some(i + 1);
        }
    }
    None
}

/// A public source, as written in the pipeline file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum SourceSpec {
    /// A Vipunen API resource.
    Vipunen {
        /// Resource name, e.g. `amm_opiskelijat_ja_tutkinnot_vuosi_tutkinto`.
        resource: String,
        /// RSQL filter sent with the request (recorded in the snapshot's provenance).
        #[serde(default)]
        filter: Option<String>,
        /// Sort for stable paging, e.g. `+tilastovuosi,+koodiKoulutuksenJarjestaja`.
        #[serde(default)]
        sort: Option<String>,
    },
    /// A Statistics Finland PxWeb table.
    Pxweb {
        /// `folder/table`, e.g. `sijk/111l`.
        table: String,
        /// Language of the labels asked for.
        #[serde(default = "default_pxweb_lang")]
        lang: Lang,
        /// Values wanted per variable, by variable-code prefix → value codes or labels
        /// (`*` = all); the codes are resolved from the table's metadata on every run.
        #[serde(default)]
        select: BTreeMap<String, Vec<String>>,
    },
}

fn default_pxweb_lang() -> Lang {
    Lang::Fi
}

impl SourceSpec {
    /// Where this source's snapshot lives under `raw/`: `public/<service>/<name>.json`.
    pub fn snapshot_path(&self) -> PathBuf {
        match self {
            SourceSpec::Vipunen { resource, .. } => Path::new("public/vipunen").join(format!("{resource}.json")),
            SourceSpec::Pxweb { table, .. } => {
                Path::new("public/statfin").join(format!("{}.json", table.replace('/', "_")))
            }
        }
    }
}

/// The disclosure rule applied before anything is published.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisclosureRule {
    /// Counts from 1 to `threshold − 1` are suppressed (shown `1-4` for the default 5).
    pub threshold: u32,
    /// Published counts from `threshold` up are rounded to the nearest multiple of this (3 as
    /// in Vipunen's reports); 1 publishes them as they are. Shares are then computed from the
    /// rounded counts, so they give no exact count away.
    pub round_to: u32,
    /// A `threshold` below the official 5 is refused unless this is `true`; the run then warns
    /// and records it in the run record.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_below_official_threshold: bool,
    /// An orientation taught by fewer members than this is published merged into "other
    /// orientations", so that no row of the association's table is one school in disguise.
    pub min_members: u32,
    /// A hidden count must keep at least this many possible values given everything published
    /// (3: "1 or 2" is not protected).
    pub protection: u32,
}

impl Default for DisclosureRule {
    fn default() -> Self {
        Self { threshold: OFFICIAL_THRESHOLD, round_to: 1, allow_below_official_threshold: false, min_members: 3, protection: 3 }
    }
}

/// The check of the returns against public graduate counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReconciliationRule {
    /// A return's graduates may differ from Vipunen's by this share before they are flagged.
    pub tolerance: f64,
}

impl Default for ReconciliationRule {
    fn default() -> Self {
        Self { tolerance: 0.1 }
    }
}

/// How the public services are asked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchSettings {
    /// Vipunen API base.
    pub vipunen_url: String,
    /// PxWeb API base.
    pub pxweb_url: String,
    /// `Caller-Id` sent to Vipunen (`<organisation>.<name>`).
    pub caller_id: String,
    /// Whole-request timeout, seconds.
    pub timeout_secs: u64,
    /// Retries of a failed request (429, 5xx, network).
    pub retries: usize,
    /// First backoff delay, milliseconds.
    pub backoff_ms: u64,
    /// Vipunen rows per page.
    pub page_size: usize,
    /// Re-ask a service when its snapshot is older than this (days); none = only when asked.
    pub max_age_days: Option<u32>,
    /// `kooste status` warns about a snapshot fetched longer ago than this.
    pub warn_age_days: u32,
    /// … and calls it an error (exit 1) past this.
    pub error_age_days: u32,
}

impl Default for FetchSettings {
    fn default() -> Self {
        Self {
            vipunen_url: "https://api.vipunen.fi/api".into(),
            pxweb_url: "https://pxdata.stat.fi/PxWeb/api/v1".into(),
            caller_id: "konservatorioliitto.kooste".into(),
            timeout_secs: 60,
            retries: 4,
            backoff_ms: 500,
            page_size: 5000,
            max_age_days: None,
            warn_age_days: 200,
            error_age_days: 400,
        }
    }
}

/// The pipeline file as written (paths relative to the file's folder).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineFile {
    /// Name of the pipeline, recorded in the run record.
    pub name: String,
    /// Statistical year (tilastovuosi) of the survey.
    pub year: i32,
    /// First year of public time series.
    pub first_year: i32,
    /// Languages of the report.
    pub languages: Vec<Lang>,
    /// Member registry CSV.
    pub registry: PathBuf,
    /// Qualification catalogue CSV.
    pub qualifications: PathBuf,
    /// The qualification codes the association publishes.
    pub publish_qualifications: Vec<QualificationCode>,
    /// Input folder (`raw/`).
    pub raw: PathBuf,
    /// Output folder (`output/`).
    pub output: PathBuf,
    /// Survey returns folder under `raw`, `{year}` replaced by the statistical year.
    pub surveys: String,
    /// Disclosure control.
    #[serde(default)]
    pub disclosure: DisclosureRule,
    /// Survey graduates against Vipunen's.
    #[serde(default)]
    pub reconciliation: ReconciliationRule,
    /// How the services are asked.
    #[serde(default)]
    pub fetch: FetchSettings,
    /// Public sources by name.
    pub sources: BTreeMap<String, SourceSpec>,
    /// The survey round: deadline, corrected returns.
    #[serde(default)]
    pub collection: crate::collection::CollectionSettings,
}

/// Command-line choices that override or complement the pipeline file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// Statistical year instead of the file's.
    pub year: Option<i32>,
    /// Input folder instead of the file's.
    pub raw: Option<PathBuf>,
    /// Output folder instead of the file's.
    pub output: Option<PathBuf>,
    /// Use snapshots only; never touch the network.
    pub offline: bool,
    /// Re-ask the services even when snapshots are present.
    pub refresh: bool,
    /// The command line, for the run record.
    pub command: Vec<String>,
}

/// Removes `a/../` pairs from a path without touching the file system, so messages say
/// `raw/…` rather than `pipelines/../raw/…`.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() { PathBuf::from(".") } else { out.iter().collect() }
}

/// The validated configuration every stage takes.
#[derive(Clone, Debug)]
pub struct Config {
    /// The pipeline file this came from.
    pub pipeline_path: PathBuf,
    /// The pipeline as written (after overrides), for the run record.
    pub pipeline: PipelineFile,
    /// Statistical year.
    pub year: i32,
    /// Input folder.
    pub raw: PathBuf,
    /// Output root (the year's outputs go to `output/<year>/`).
    pub output: PathBuf,
    /// Survey returns of the year.
    pub survey_dir: PathBuf,
    /// Member registry.
    pub registry: Registry,
    /// Qualification catalogue.
    pub catalogue: Catalogue,
    /// The registry and catalogue files, inputs of the stages that use them.
    pub reference_files: Vec<PathBuf>,
    /// Use snapshots only.
    pub offline: bool,
    /// Re-ask the services even when snapshots are present.
    pub refresh: bool,
    /// The command line, for the run record.
    pub command: Vec<String>,
    /// The id of the run in progress (set by the engine), for what the report prints.
    pub run_id: String,
    /// Settings accepted only because they were explicitly allowed (a threshold below the
    /// official one): logged by every run and written into its record.
    pub notices: Vec<String>,
}

impl Config {
    /// Reads and validates a pipeline file, applying the overrides.
    pub fn load(pipeline_path: &Path, overrides: Overrides) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(pipeline_path)
            .map_err(|source| ConfigError::Read { path: pipeline_path.to_owned(), source })?;
        let file: PipelineFile = toml::from_str(&text)
            .map_err(|e| ConfigError::Parse {
                path: pipeline_path.to_owned(),
                line: e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
                message: e.message().trim().to_owned(),
            })?;
        Self::build(pipeline_path, &text, file, overrides)
    }

    /// Validates an already parsed pipeline; relative paths in it are taken from the pipeline
    /// file's folder, overrides from the current directory.
    pub fn from_file(pipeline_path: &Path, file: PipelineFile, o: Overrides) -> Result<Self, ConfigError> {
        Self::build(pipeline_path, "", file, o)
    }

    /// Validates the whole pipeline (every message names the file, and the line of the setting
    /// when `text` has it), then loads the registry and catalogue, validated as a whole too.
    fn build(pipeline_path: &Path, text: &str, mut file: PipelineFile, o: Overrides) -> Result<Self, ConfigError> {
        let base = pipeline_path.parent().unwrap_or(Path::new("."));
        let at = |key: &str| {
            let (section, key) = key.rsplit_once('.').unwrap_or(("", key));
            line_of(text, section, key)
        };
        let invalid_at = |key: &str, message: String| ConfigError::Invalid { path: pipeline_path.to_owned(), line: at(key), message };
        let invalid = |message: String| ConfigError::Invalid { path: pipeline_path.to_owned(), line: None, message };
        if let Some(y) = o.year {
            file.year = y;
        }
        if !(2000..=2100).contains(&file.year) {
            let m = format!("year {} is outside 2000–2100", file.year);
            return Err(if o.year.is_some() { invalid(format!("--year: {m}")) } else { invalid_at("year", m) });
        }
        if file.first_year > file.year {
            return Err(invalid_at("first_year", format!("first_year {} is after year {}", file.first_year, file.year)));
        }
        if file.languages.is_empty() {
            return Err(invalid_at("languages", "languages is empty: name at least one of fi, sv, en".into()));
        }
        for (i, l) in file.languages.iter().enumerate() {
            if file.languages[..i].contains(l) {
                return Err(invalid_at("languages", format!("languages names {} twice", l.code())));
            }
        }
        for (base, what) in [(&file.fetch.vipunen_url, "vipunen_url"), (&file.fetch.pxweb_url, "pxweb_url")] {
            url::Url::parse(base).map_err(|e| invalid_at(&format!("fetch.{what}"), format!("fetch.{what} '{base}': {e}")))?;
        }
        for (name, spec) in &file.sources {
            if let SourceSpec::Vipunen { sort: None, .. } = spec {
                return Err(invalid_at(&format!("sources.{name}.kind"), format!(
                    "sources.{name}: a Vipunen source needs a sort (paging without a stable order can skip or repeat rows)"
                )));
            }
        }
        if file.fetch.page_size == 0 {
            return Err(invalid_at("fetch.page_size", "fetch.page_size must be at least 1".into()));
        }
        let d = &file.disclosure;
        if d.threshold < 1 {
            return Err(invalid_at("disclosure.threshold", "disclosure.threshold must be at least 1".into()));
        }
        let mut notices = Vec::new();
        if d.threshold < OFFICIAL_THRESHOLD {
            if !d.allow_below_official_threshold {
                return Err(invalid_at("disclosure.threshold", format!(
                    "disclosure.threshold = {} is below the official {OFFICIAL_THRESHOLD}: counts of {}–{} persons would be published; \
                     set allow_below_official_threshold = true under [disclosure] if that is intended",
                    d.threshold, d.threshold, OFFICIAL_THRESHOLD - 1
                )));
            }
            notices.push(format!(
                "disclosure.threshold = {} is below the official {OFFICIAL_THRESHOLD} (allowed by disclosure.allow_below_official_threshold)",
                d.threshold
            ));
        }
        if !(1..=10).contains(&d.round_to) {
            return Err(invalid_at("disclosure.round_to", format!("disclosure.round_to must be from 1 (no rounding) to 10, not {}", d.round_to)));
        }
        let tol = file.reconciliation.tolerance;
        if !(tol.is_finite() && tol >= 0.0) {
            return Err(invalid_at("reconciliation.tolerance", format!("reconciliation.tolerance must be a share of 0 or more (0.1 = 10 %), not {tol}")));
        }
        file.collection.validate().map_err(invalid)?;
        if file.disclosure.protection < 1 {
            return Err(invalid_at("disclosure.protection", "disclosure.protection must be at least 1".into()));
        }
        let raw = o.raw.clone().unwrap_or_else(|| normalize(&base.join(&file.raw)));
        let output = o.output.clone().unwrap_or_else(|| normalize(&base.join(&file.output)));
        let survey_dir = raw.join(file.surveys.replace("{year}", &file.year.to_string()));
        let reference_files = vec![normalize(&base.join(&file.registry)), normalize(&base.join(&file.qualifications))];
        let registry = Registry::load(&reference_files[0])?;
        let catalogue = Catalogue::load(&reference_files[1])?;
        for q in &file.publish_qualifications {
            if catalogue.get(*q).is_none() {
                return Err(invalid_at("publish_qualifications", format!("publish_qualifications: {q} is not in the catalogue {}", reference_files[1].display())));
            }
        }
        Ok(Self {
            pipeline_path: pipeline_path.to_owned(),
            year: file.year,
            pipeline: file,
            raw,
            output,
            survey_dir,
            registry,
            catalogue,
            reference_files,
            offline: o.offline,
            refresh: o.refresh,
            command: o.command,
            run_id: String::new(),
            notices,
        })
    }

    /// `output/<year>/`: everything this run writes.
    pub fn year_dir(&self) -> PathBuf {
        self.output.join(self.year.to_string())
    }

    /// `output/<year>/stages/<stage>/`: what a stage persisted for the next one.
    pub fn stage_dir(&self, stage: &str) -> PathBuf {
        self.year_dir().join("stages").join(stage)
    }

    /// Whether `raw/` holds the bundled synthetic sample (it carries a `SYNTHETIC.md` marker),
    /// so every person-facing output says so.
    pub fn synthetic(&self) -> bool {
        self.raw.join("SYNTHETIC.md").is_file()
    }
}
