//! The `kooste` command: parses the command line, builds a validated `Config`, calls the
//! library and maps the outcome to an exit code (documented in the README, defined in
//! `kooste::engine::outcome`): 0 success, 1 failure, 2 usage or settings error, 3 completed
//! with quarantined returns, 4 completed but stale, 5 completed with no return accepted.
//!
//! What it says goes to stderr once per line, as text or (`--log-format json`) as JSON, the
//! summary and the error line included; what it prints on stdout is written at the end, and a
//! closed pipe (`kooste status | head -1`) ends it quietly.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kooste::survey::{ReadContext, Severity};
use kooste::engine::{EXIT_FAILED, EXIT_NO_RETURNS, EXIT_STALE};
use kooste::{Config, Overrides, Request, Stage};

mod cli;
use cli::output::{Ui, emit, error_code, fields, message, report_run};
use cli::status::status;

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
    /// The survey round: one line per member of the year (accepted, accepted with warnings,
    /// quarantined, duplicate, missing). Exit 0 when every member is accepted, 3 otherwise.
    Collection {
        #[command(flatten)]
        pipeline: PipelineArgs,
        /// JSON on stdout instead of text.
        #[arg(long)]
        json: bool,
        /// Write a reminder (<member>.md, in the member's language) for every member whose
        /// return is missing, quarantined or sent twice into this folder.
        #[arg(long, value_name = "DIR")]
        reminders: Option<PathBuf>,
    },
    /// Write the blank survey return for a year, for one member or for anyone.
    Template {
        #[command(flatten)]
        pipeline: PipelineArgs,
        /// Fill in this member's details and last year's Vipunen graduates (a member id).
        #[arg(long, conflicts_with = "all")]
        member: Option<String>,
        /// Every member's pre-filled template, in its language, into the folder -o
        /// (`<member>-<year>.xlsx`).
        #[arg(long)]
        all: bool,
        /// Language of the template (default: the member's, else fi).
        #[arg(long)]
        lang: Option<kooste::domain::Lang>,
        /// Where to write the workbook (.xlsx); with --all, the folder.
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
        Command::Collection { pipeline, json, reminders } => {
            let config = pipeline.config(true)?;
            let round = kooste::collection::current(&config)?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&round)?)?;
            } else {
                write!(out, "{}", round.text())?;
            }
            if let Some(dir) = reminders {
                let written = kooste::collection::reminders::write(&config, &round, &dir)?;
                ui.say("INFO", &format!("wrote {} reminders into {}", written.len(), dir.display()));
                for (path, attach) in &written {
                    ui.say("INFO", &format!("  {} (attach {})", path.display(), attach.join(", ")));
                }
            }
            Ok(round.exit_code())
        }
        Command::Template { pipeline, all: true, lang, output_file, .. } => {
            let config = pipeline.config(true)?;
            let written = kooste::collection::write_templates(&config, lang, &output_file)?;
            ui.say("INFO", &format!("wrote {} templates for {} into {}", written.len(), config.year, output_file.display()));
            Ok(0)
        }
        Command::Template { pipeline, member, lang, output_file, .. } => {
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

