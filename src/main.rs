//! The `kooste` command: parses the command line, builds a validated `Config`, calls the
//! library and maps the outcome to an exit code (documented in the README):
//! 0 success, 1 failure, 2 usage error, 3 completed with quarantined returns.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kooste::survey::{ReadContext, Severity};
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
    /// Show the last runs and the age of each public snapshot (exit 1 when one is older than
    /// fetch.error_age_days).
    Status {
        #[command(flatten)]
        pipeline: PipelineArgs,
        /// How many runs to list.
        #[arg(long, default_value_t = 5)]
        runs: usize,
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
    /// Write the bundled synthetic sample (returns and snapshots) into the raw folder.
    Sample {
        #[command(flatten)]
        pipeline: PipelineArgs,
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
    let cli = Cli::parse();
    init_logging(cli.log_format);
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("kooste: error: {err:#}");
            ExitCode::FAILURE
        }
    }
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

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run { pipeline, select, offline } => {
            let config = pipeline.config(offline)?;
            let summary = kooste::run(&config, select.request())?;
            let ran: Vec<&str> = summary.ran.iter().map(|s| s.name()).collect();
            if ran.is_empty() {
                eprintln!("kooste: everything is up to date ({})", summary.output_dir.display());
            } else {
                eprintln!("kooste: ran {} → {}", ran.join(" → "), summary.output_dir.display());
            }
            if summary.ran.contains(&Stage::Ingest) || summary.exit_code != 0 {
                eprintln!(
                    "kooste: {} returns accepted, {} quarantined; {} errors, {} warnings (findings.csv)",
                    summary.accepted,
                    summary.quarantined.len(),
                    summary.errors,
                    summary.warnings
                );
            }
            if summary.quarantined.is_empty() {
                return Ok(ExitCode::from(summary.exit_code as u8));
            }
            let names: Vec<&str> = summary.quarantined.iter().map(|q| q.file.as_str()).collect();
            eprintln!("kooste: quarantined: {}", names.join(", "));
            for q in &summary.quarantined {
                let first = q.first_error.as_deref().unwrap_or("");
                eprintln!("  {} ({}): {} errors; first: {first}", q.file, q.member.as_deref().unwrap_or("member unknown"), q.errors);
            }
            eprintln!("kooste: each school's feedback workbook is in {}", summary.output_dir.join("feedback").display());
            Ok(ExitCode::from(summary.exit_code as u8))
        }
        Command::Plan { pipeline, select, json } => {
            let config = pipeline.config(true)?;
            let steps = kooste::engine::plan(&config, select.request());
            if json {
                println!("{}", serde_json::to_string_pretty(&steps)?);
                return Ok(ExitCode::SUCCESS);
            }
            if steps.iter().all(|s| s.action != "run") {
                println!("Everything is up to date.");
            }
            for s in &steps {
                let parts = s.partitions.filter(|_| s.action == "run").map(|(r, n)| format!(" ({r} of {n} returns to read)")).unwrap_or_default();
                println!("{:<10} {}{parts}", s.stage.name(), s.action);
                for r in &s.reasons {
                    println!("           - {r}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { pipeline, runs } => {
            let config = pipeline.config(true)?;
            let history = kooste::record::history(&config);
            println!("Runs of {} (newest first):", config.year);
            if history.is_empty() {
                println!("  none yet");
            }
            for r in history.iter().take(runs) {
                let ran: Vec<&str> =
                    Stage::ALL.iter().map(|s| s.name()).filter(|s| r.actions.get(*s).is_some_and(|a| a.action == "ran")).collect();
                let what = if ran.is_empty() { "nothing to do".to_owned() } else { format!("ran {}", ran.join(", ")) };
                let err = r.error.as_deref().map(|e| format!(" — {e}")).unwrap_or_default();
                println!("  {}  exit {}  {}{err}", r.started_at, r.exit_code, what);
            }
            println!("Public snapshots (warn after {} days, error after {}):", config.pipeline.fetch.warn_age_days, config.pipeline.fetch.error_age_days);
            let mut worst = 0;
            for (name, spec) in &config.pipeline.sources {
                let path = config.raw.join(spec.snapshot_path());
                match kooste::sources::Snapshot::load_provenance(&path) {
                    Ok(p) => {
                        let age = kooste::engine::state::age_days(&p.fetched_at).unwrap_or(i64::MAX);
                        let verdict = if age > i64::from(config.pipeline.fetch.error_age_days) {
                            worst = 2;
                            "ERROR: too old, run `kooste fetch --refresh`"
                        } else if age > i64::from(config.pipeline.fetch.warn_age_days) {
                            worst = worst.max(1);
                            "warn: getting old"
                        } else {
                            "ok"
                        };
                        let updated = p.dataset_updated.as_deref().unwrap_or("-");
                        println!("  {name:<22} fetched {} ({age} days ago), data updated {updated}: {verdict}", p.fetched_at);
                    }
                    Err(_) => {
                        worst = 2;
                        println!("  {name:<22} ERROR: no snapshot at {} (run `kooste fetch`)", path.display());
                    }
                }
            }
            let steps = kooste::engine::plan(&config, Request::default());
            let pending: Vec<&str> = steps.iter().filter(|s| s.action == "run").map(|s| s.stage.name()).collect();
            if pending.is_empty() {
                println!("Outputs: up to date.");
            } else {
                println!("Outputs: out of date from {} (see `kooste plan`).", pending[0]);
            }
            Ok(if worst == 2 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Lineage { table, filters, pipeline } => {
            let config = pipeline.config(true)?;
            let filters: Vec<(String, String)> = filters
                .iter()
                .map(|f| f.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).ok_or_else(|| anyhow::anyhow!("filter '{f}' is not column=value")))
                .collect::<anyhow::Result<_>>()?;
            print!("{}", kooste::engine::lineage::explain(&config, &table, &filters)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Fetch { pipeline, refresh, offline } => {
            let mut config = pipeline.config(offline)?;
            config.refresh = refresh;
            kooste::run(&config, Request { stage: Some(Stage::Fetch), from: None, force: true })?;
            eprintln!("kooste: snapshots ready in {}", config.raw.join("public").display());
            Ok(ExitCode::SUCCESS)
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
                println!("{}: {verdict} ({e} errors, {} warnings)", o.file, o.findings.len() - e);
                for f in &o.findings {
                    let place = [f.sheet.as_deref(), f.cell.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("!");
                    println!("  {:<7} {:<24} {:<12} {}", format!("{:?}", f.severity).to_lowercase(), f.rule.code(), place, f.message(lang));
                }
            }
            Ok(if errors == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Collection { pipeline, json, reminders } => {
            let config = pipeline.config(true)?;
            let round = kooste::collection::current(&config)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&round)?);
            } else {
                print!("{}", round.text());
            }
            if let Some(dir) = reminders {
                let written = kooste::collection::reminders::write(&config, &round, &dir)?;
                eprintln!("kooste: wrote {} reminders into {}", written.len(), dir.display());
                for (path, attach) in &written {
                    eprintln!("  {} (attach {})", path.display(), attach.join(", "));
                }
            }
            Ok(ExitCode::from(round.exit_code() as u8))
        }
        Command::Template { pipeline, all: true, lang, output_file, .. } => {
            let config = pipeline.config(true)?;
            let written = kooste::collection::write_templates(&config, lang, &output_file)?;
            eprintln!("kooste: wrote {} templates for {} into {}", written.len(), config.year, output_file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Template { pipeline, member, lang, output_file, .. } => {
            let config = pipeline.config(true)?;
            let spec = kooste::survey::template::template_for(&config, config.year, member.as_deref(), lang)?;
            let bytes = kooste::survey::template::write(&spec).context("writing the template")?;
            kooste::files::write_bytes(&output_file, &bytes)?;
            eprintln!(
                "kooste: wrote the {} template for {} ({}) to {}",
                config.year,
                spec.school.as_deref().unwrap_or("any member"),
                spec.lang.code(),
                output_file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Sample { pipeline } => {
            let config = pipeline.config(true)?;
            let raw = config.raw.clone();
            let written = kooste::sample::write_sample(&config, &raw).with_context(|| format!("writing the sample into {}", raw.display()))?;
            eprintln!("kooste: wrote {} sample files into {}", written.len(), raw.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
