//! The `kooste` command: parses the command line, builds a validated `Config`, calls the
//! library and maps the outcome to an exit code (documented in the README, defined in
//! `kooste::engine::outcome`): 0 success, 1 failure, 2 usage or settings error, 3 completed
//! with quarantined returns, 4 completed but stale, 5 completed with no return accepted.
//!
//! What it says goes to stderr once per line, as text or (`--log-format json`) as JSON, the
//! summary and the error line included; what it prints on stdout is written at the end, and a
//! closed pipe (`kooste status | head -1`) ends it quietly.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kooste::survey::{ReadContext, Severity};
use kooste::engine::{EXIT_FAILED, EXIT_NO_RETURNS, EXIT_STALE, EXIT_USAGE};
use kooste::{Config, Overrides, Request, Stage};

/// kooste — the annual statistics pipeline of the Finnish Conservatory Association.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log format on stderr: human (default) or json (one object per line, for schedulers).
    #[arg(long, global = true, value_enum, default_value = "human")]
    log_format: LogFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Human,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the annual pipeline and write output/<year>/: only the stages whose inputs,
    /// settings or outputs changed since they last ran.
    Run {
        #[command(flatten)]
        pipeline: PipelineArgs,
        #[command(flatten)]
        select: SelectArgs,
        /// Use the snapshots in raw/ only; never touch the network.
        #[arg(long)]
        offline: bool,
    },
    /// Print what `kooste run` would do and why, without doing anything.
    Plan {
        #[command(flatten)]
        pipeline: PipelineArgs,
        #[command(flatten)]
        select: SelectArgs,
        /// JSON on stdout instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show the last runs and the age of each public snapshot (exit 1 when one is missing,
    /// damaged or older than fetch.error_age_days).
    Status {
        #[command(flatten)]
        pipeline: PipelineArgs,
        /// How many runs to list.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// JSON on stdout instead of text (for monitoring).
        #[arg(long)]
        json: bool,
    },
    /// Trace published figures back to the run, the stage outputs and the input files,
    /// sheets and cells they came from.
    Lineage {
        /// The published table (placement, placement_by_member, enrolment, key_figures).
        table: String,
        /// Row filters, column=value (e.g. member_id=oulu graduation_year=2024).
        filters: Vec<String>,
        #[command(flatten)]
        pipeline: PipelineArgs,
    },
    /// Bring the public statistics snapshots in raw/public/ up to date (only missing ones,
    /// unless --refresh), then decode them.
    Fetch {
        #[command(flatten)]
        pipeline: PipelineArgs,
        /// Ask the services again even when a snapshot is present (unchanged data is not
        /// downloaded again).
        #[arg(long)]
        refresh: bool,
        /// Use the snapshots only; fail clearly when one is missing.
        #[arg(long, conflicts_with = "refresh")]
        offline: bool,
    },
    /// Check survey returns against the contract and print what to fix (exit 0 = no errors).
    Validate {
        /// Return files or folders of returns.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        pipeline: PipelineArgs,
        /// Language of the messages (fi, sv, en).
        #[arg(long, default_value = "fi")]
        lang: kooste::domain::Lang,
    },
    /// Write the blank survey return for a year, for one member or for anyone.
    Template {
        #[command(flatten)]
        pipeline: PipelineArgs,
        /// Fill in this member's details and last year's Vipunen graduates (a member id).
        #[arg(long)]
        member: Option<String>,
        /// Language of the template (default: the member's, else fi).
        #[arg(long)]
        lang: Option<kooste::domain::Lang>,
        /// Where to write the workbook (.xlsx).
        #[arg(short, long)]
        output_file: PathBuf,
    },
    /// Write the bundled synthetic sample (returns and snapshots) into the raw folder; refuses
    /// when it already holds returns or snapshots.
    Sample {
        #[command(flatten)]
        pipeline: PipelineArgs,
        /// Write the sample even over the returns and snapshots already there.
        #[arg(long)]
        force: bool,
    },
}

#[derive(clap::Args)]
struct SelectArgs {
    /// Run only this stage (whatever its state), on the persisted outputs of the stages before
    /// it, which must be up to date (fetch, ingest, transform, disclose, report).
    #[arg(long, conflicts_with = "from")]
    stage: Option<Stage>,
    /// Run this stage and every stage after it, whatever their state.
    #[arg(long)]
    from: Option<Stage>,
    /// Run even what is up to date; with --stage/--from, also on out-of-date upstream outputs.
    #[arg(long)]
    force: bool,
}

impl SelectArgs {
    fn request(&self) -> Request {
        Request { stage: self.stage, from: self.from, force: self.force }
    }
}

#[derive(clap::Args)]
struct PipelineArgs {
    /// The pipeline definition.
    #[arg(long, default_value = "pipelines/annual.toml")]
    pipeline: PathBuf,
    /// Statistical year (default: the pipeline's).
    #[arg(long)]
    year: Option<i32>,
    /// Input folder (default: the pipeline's, raw/).
    #[arg(long)]
    raw: Option<PathBuf>,
    /// Output folder (default: the pipeline's, output/).
    #[arg(long)]
    output: Option<PathBuf>,
}

impl PipelineArgs {
    fn config(&self, offline: bool) -> anyhow::Result<Config> {
        let overrides = Overrides {
            year: self.year,
            raw: self.raw.clone(),
            output: self.output.clone(),
            offline,
            refresh: false,
            command: std::env::args().collect(),
        };
        Ok(Config::load(&self.pipeline, overrides)?)
    }
}


/// Where the command's words go: stderr lines (text or JSON) and the stdout text, written at
/// the end so that a closed pipe stops nothing halfway and panics nowhere.
#[derive(Clone, Copy)]
struct Ui {
    json: bool,
}

impl Ui {
    /// One stderr line, always shown (whatever `KOOSTE_LOG` says): the command's own summary.
    fn say(self, level: &str, message: &str) {
        self.say_with(level, message, serde_json::Map::new());
    }

    /// One stderr line with fields (in JSON mode, beside the message).
    fn say_with(self, level: &str, message: &str, mut fields: serde_json::Map<String, serde_json::Value>) {
        let line = if self.json {
            fields.insert("message".into(), message.into());
            let v = serde_json::json!({
                "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                "level": level,
                "fields": fields,
                "target": "kooste",
            });
            v.to_string()
        } else if level == "ERROR" {
            format!("kooste: error: {message}")
        } else {
            format!("kooste: {message}")
        };
        // stderr closed too: nothing left to tell.
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

/// Writes the command's stdout; a reader that went away (`| head -1`) is not an error.
fn emit(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// The error and its causes, each said once: a cause whose text the message already holds
/// (`path: No such file…` over `No such file…`) is not repeated.
fn message(err: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in err.chain() {
        let s = cause.to_string();
        if msg.contains(s.trim()) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(s.trim());
    }
    msg
}

/// 2 for a mistake in the settings or on the command line (nothing ran), else 1.
fn error_code(err: &anyhow::Error) -> i32 {
    let top = matches!(err.downcast_ref::<kooste::Error>(), Some(kooste::Error::Config(_) | kooste::Error::NoSurveys(_)))
        || err.downcast_ref::<kooste::config::ConfigError>().is_some();
    let usage = top || err.chain().any(|c| {
        c.downcast_ref::<kooste::config::ConfigError>().is_some()
            || matches!(c.downcast_ref::<kooste::Error>(), Some(kooste::Error::Config(_) | kooste::Error::NoSurveys(_)))
    });
    if usage { EXIT_USAGE } else { EXIT_FAILED }
}

fn main() -> ExitCode {
    let json = {
        let args: Vec<String> = std::env::args().collect();
        args.iter().any(|a| a == "--log-format=json") || args.windows(2).any(|w| w[0] == "--log-format" && w[1] == "json")
    };
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if json && e.use_stderr() => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("").trim_start_matches("error: ").to_owned();
            let mut fields = serde_json::Map::new();
            fields.insert("usage".into(), text.trim().into());
            fields.insert("exit_code".into(), e.exit_code().into());
            Ui { json }.say_with("ERROR", &first, fields);
            return ExitCode::from(e.exit_code() as u8);
        }
        Err(e) => e.exit(),
    };
    let ui = Ui { json: cli.log_format == LogFormat::Json };
    init_logging(cli.log_format);
    if ui.json {
        std::panic::set_hook(Box::new(move |info| ui.say("ERROR", &format!("kooste stopped on a bug: {info}"))));
    }
    let mut out = String::new();
    let result = run(cli, ui, &mut out);
    let code = match result {
        Ok(code) => code,
        Err(err) => {
            let code = error_code(&err);
            let mut fields = serde_json::Map::new();
            fields.insert("exit_code".into(), code.into());
            ui.say_with("ERROR", &message(&err), fields);
            code
        }
    };
    if let Err(e) = emit(&out) {
        ui.say("ERROR", &format!("cannot write to stdout: {e}"));
        return ExitCode::from(EXIT_FAILED as u8);
    }
    ExitCode::from(code as u8)
}

/// Logs to stderr (`KOOSTE_LOG` filters them); on a terminal, progress bars for stages and
/// pages through tracing-indicatif (indicatif draws nothing when stderr is not a terminal,
/// so scheduled runs get plain log lines).
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_env("KOOSTE_LOG").unwrap_or_else(|_| EnvFilter::new("kooste=info,warn"));
    if format == LogFormat::Json {
        tracing_subscriber::registry().with(filter).with(fmt::layer().json().with_writer(std::io::stderr)).init();
        return;
    }
    let bars = tracing_indicatif::IndicatifLayer::new().with_max_progress_bars(4, None);
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_target(false).with_ansi(std::io::stderr().is_terminal()).with_writer(bars.get_stderr_writer()))
        .with(bars)
        .init();
}

/// Fields for a JSON line.
fn fields(pairs: &[(&str, serde_json::Value)]) -> serde_json::Map<String, serde_json::Value> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

fn run(cli: Cli, ui: Ui, out: &mut String) -> anyhow::Result<i32> {
    match cli.command {
        Command::Run { pipeline, select, offline } => {
            let config = pipeline.config(offline)?;
            let summary = kooste::run(&config, select.request())?;
            report_run(ui, &config, &summary);
            Ok(summary.exit_code)
        }
        Command::Plan { pipeline, select, json } => {
            let config = pipeline.config(true)?;
            kooste::engine::preflight(&config, select.request())?;
            let steps = kooste::engine::plan(&config, select.request());
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&steps)?)?;
                return Ok(0);
            }
            if let Some(r) = steps.iter().find(|s| s.action == "refused") {
                writeln!(out, "kooste run would refuse to start: {}", r.reasons.first().map(String::as_str).unwrap_or(""))?;
            } else if steps.iter().all(|s| s.action != "run") {
                writeln!(out, "Everything is up to date.")?;
            }
            for s in &steps {
                let parts = s.partitions.filter(|_| s.action == "run").map(|(r, n)| format!(" ({r} of {n} returns to read)")).unwrap_or_default();
                writeln!(out, "{:<10} {}{parts}", s.stage.name(), s.action)?;
                for r in s.reasons.iter().filter(|_| s.action != "refused") {
                    writeln!(out, "           - {r}")?;
                }
            }
            Ok(0)
        }
        Command::Status { pipeline, runs, json } => status(&pipeline, runs, json, out),
        Command::Lineage { table, filters, pipeline } => {
            let config = pipeline.config(true)?;
            let filters: Vec<(String, String)> = filters
                .iter()
                .map(|f| f.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).ok_or_else(|| anyhow::anyhow!("filter '{f}' is not column=value")))
                .collect::<anyhow::Result<_>>()?;
            out.push_str(&kooste::engine::lineage::explain(&config, &table, &filters)?);
            Ok(0)
        }
        Command::Fetch { pipeline, refresh, offline } => {
            let mut config = pipeline.config(offline)?;
            config.refresh = refresh;
            let summary = kooste::run(&config, Request { stage: Some(Stage::Fetch), from: None, force: true })?;
            let dir = config.raw.join("public");
            if summary.stale.is_empty() {
                ui.say("INFO", &format!("snapshots ready in {}", dir.display()));
            } else {
                let m = format!(
                    "snapshots in {}, but {} could not be refreshed (exit {EXIT_STALE}); the last good snapshots were kept",
                    dir.display(),
                    summary.stale.len()
                );
                ui.say_with("WARN", &m, fields(&[("exit_code", summary.exit_code.into()), ("stale", summary.stale.clone().into())]));
            }
            Ok(summary.exit_code)
        }
        Command::Validate { paths, pipeline, lang } => {
            let config = pipeline.config(true)?;
            let mut files = Vec::new();
            for p in &paths {
                if p.is_dir() {
                    files.extend(kooste::stages::ingest::return_files(p)?);
                } else {
                    files.push(p.clone());
                }
            }
            if files.is_empty() {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                let m = format!(
                    "no return to validate in {} (returns are .{} files)",
                    names.join(", "),
                    kooste::stages::ingest::EXTENSIONS.join(", .")
                );
                ui.say_with("ERROR", &m, fields(&[("exit_code", EXIT_NO_RETURNS.into())]));
                return Ok(EXIT_NO_RETURNS);
            }
            let ctx = ReadContext {
                registry: &config.registry,
                catalogue: &config.catalogue,
                year: config.year,
                qualifications: &config.pipeline.publish_qualifications,
            };
            let outcomes = kooste::stages::ingest::read_all(&files, &ctx);
            let mut errors = 0;
            for (o, _) in &outcomes {
                let e = o.findings.iter().filter(|f| f.severity == Severity::Error).count();
                errors += e;
                let verdict = if o.accepted() { "OK" } else { "REJECTED" };
                writeln!(out, "{}: {verdict} ({e} errors, {} warnings)", o.file, o.findings.len() - e)?;
                for f in &o.findings {
                    let place = [f.sheet.as_deref(), f.cell.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("!");
                    writeln!(out, "  {:<7} {:<24} {:<12} {}", format!("{:?}", f.severity).to_lowercase(), f.rule.code(), place, f.message(lang))?;
                }
            }
            Ok(if errors == 0 { 0 } else { EXIT_FAILED })
        }
        Command::Template { pipeline, member, lang, output_file } => {
            let config = pipeline.config(true)?;
            let spec = kooste::survey::template::template_for(&config, config.year, member.as_deref(), lang)?;
            let bytes = kooste::survey::template::write(&spec).context("writing the template")?;
            kooste::files::write_bytes(&output_file, &bytes)?;
            let m = format!(
                "wrote the {} template for {} ({}) to {}",
                config.year,
                spec.school.as_deref().unwrap_or("any member"),
                spec.lang.code(),
                output_file.display()
            );
            ui.say("INFO", &m);
            Ok(0)
        }
        Command::Sample { pipeline, force } => {
            let config = pipeline.config(true)?;
            let raw = config.raw.clone();
            kooste::sample::check_empty(&config, &raw, force)?;
            let written = kooste::sample::write_sample(&config, &raw).with_context(|| format!("writing the sample into {}", raw.display()))?;
            ui.say("INFO", &format!("wrote {} sample files into {}", written.len(), raw.display()));
            Ok(0)
        }
    }
}

/// The summary of a run: what ran, the returns, what to read next.
fn report_run(ui: Ui, config: &Config, summary: &kooste::RunSummary) {
    let ran: Vec<&str> = summary.ran.iter().map(|s| s.name()).collect();
    let what = if ran.is_empty() {
        format!("everything is up to date ({})", summary.output_dir.display())
    } else {
        format!("ran {} → {}", ran.join(" → "), summary.output_dir.display())
    };
    let returns = summary.ran.contains(&Stage::Ingest) || summary.exit_code != 0;
    let counts = format!(
        "{} returns accepted, {} quarantined; {} errors, {} warnings (findings.csv)",
        summary.accepted,
        summary.quarantined.len(),
        summary.errors,
        summary.warnings
    );
    let names: Vec<&str> = summary.quarantined.iter().map(|q| q.file.as_str()).collect();
    if ui.json {
        // One line for the scheduler: the whole summary as fields.
        let quarantined: Vec<serde_json::Value> = summary
            .quarantined
            .iter()
            .map(|q| serde_json::json!({"file": q.file, "member": q.member, "errors": q.errors, "first_error": q.first_error}))
            .collect();
        let f = fields(&[
            ("exit_code", summary.exit_code.into()),
            ("ran", ran.clone().into()),
            ("accepted", summary.accepted.into()),
            ("quarantined", quarantined.into()),
            ("errors", summary.errors.into()),
            ("warnings", summary.warnings.into()),
            ("stale", summary.stale.clone().into()),
            ("removed", summary.removed.len().into()),
            ("record", summary.record.display().to_string().into()),
        ]);
        let m = if returns { format!("{what}; {counts}") } else { what };
        ui.say_with(if summary.exit_code == 0 { "INFO" } else { "WARN" }, &m, f);
        return;
    }
    ui.say("INFO", &what);
    if returns {
        ui.say("INFO", &counts);
    }
    if summary.exit_code == EXIT_NO_RETURNS {
        ui.say("WARN", &format!("no return was accepted from {} (exit {EXIT_NO_RETURNS}): the placement figures are empty", config.survey_dir.display()));
    }
    if !summary.stale.is_empty() {
        // Each reason was logged as a warning already; this line only tells the outcome.
        let n = summary.stale.len();
        ui.say("WARN", &format!("published from stale public data (exit {EXIT_STALE}): {n} source(s), see the warnings above and `stale` in run.json"));
    }
    if summary.quarantined.is_empty() {
        return;
    }
    ui.say("INFO", &format!("quarantined: {}", names.join(", ")));
    for q in &summary.quarantined {
        let first = q.first_error.as_deref().unwrap_or("");
        let line = format!("  {} ({}): {} errors; first: {first}", q.file, q.member.as_deref().unwrap_or("member unknown"), q.errors);
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
    ui.say("INFO", &format!("each school's feedback workbook is in {}", summary.output_dir.join("feedback").display()));
}

/// `kooste status`: the last runs, each snapshot's age and whether its files are whole, and
/// whether the outputs are up to date. Exit 1 when a snapshot is missing, damaged or past
/// `fetch.error_age_days`.
fn status(pipeline: &PipelineArgs, runs: usize, json: bool, out: &mut String) -> anyhow::Result<i32> {
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
