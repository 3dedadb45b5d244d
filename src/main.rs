//! The `kooste` command: parses the command line, builds a validated `Config`, calls the
//! library and maps the outcome to an exit code (documented in the README):
//! 0 success, 1 failure, 2 usage error, 3 completed with quarantined returns.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kooste::survey::{ReadContext, Severity};
use kooste::{Config, Overrides, Stage};

/// The exit code of a run that completed but left returns out.
const EXIT_QUARANTINED: u8 = 3;

/// kooste — the annual statistics pipeline of the Finnish Conservatory Association.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the annual pipeline (or one stage of it) and write output/<year>/.
    Run {
        #[command(flatten)]
        pipeline: PipelineArgs,
        /// Run only this stage, from the persisted output of the stage before it
        /// (fetch, ingest, transform, disclose, report).
        #[arg(long)]
        stage: Option<Stage>,
        /// Use the snapshots in raw/ only; never touch the network.
        #[arg(long)]
        offline: bool,
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
    /// Write the bundled synthetic sample (returns and snapshots) into the raw folder.
    Sample {
        #[command(flatten)]
        pipeline: PipelineArgs,
    },
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
    init_logging();
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
fn init_logging() {
    use std::io::IsTerminal;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_env("KOOSTE_LOG").unwrap_or_else(|_| EnvFilter::new("kooste=info,warn"));
    let bars = tracing_indicatif::IndicatifLayer::new().with_max_progress_bars(4, None);
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_target(false).with_ansi(std::io::stderr().is_terminal()).with_writer(bars.get_stderr_writer()))
        .with(bars)
        .init();
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run { pipeline, stage, offline } => {
            let config = pipeline.config(offline)?;
            let summary = kooste::run(&config, stage)?;
            let stages: Vec<&str> = summary.stages.iter().map(|s| s.name()).collect();
            eprintln!("kooste: {} → {}", stages.join(" → "), summary.output_dir.display());
            if stages.contains(&"ingest") || stage.is_none() {
                eprintln!(
                    "kooste: {} returns accepted, {} quarantined; {} errors, {} warnings (findings.csv)",
                    summary.accepted,
                    summary.quarantined.len(),
                    summary.errors,
                    summary.warnings
                );
            }
            if summary.quarantined.is_empty() {
                return Ok(ExitCode::SUCCESS);
            }
            let names: Vec<&str> = summary.quarantined.iter().map(|q| q.file.as_str()).collect();
            eprintln!("kooste: quarantined: {}", names.join(", "));
            for q in &summary.quarantined {
                let first = q.first_error.as_deref().unwrap_or("");
                eprintln!("  {} ({}): {} errors; first: {first}", q.file, q.member.as_deref().unwrap_or("member unknown"), q.errors);
            }
            eprintln!("kooste: each school's feedback workbook is in {}", summary.output_dir.join("feedback").display());
            Ok(ExitCode::from(EXIT_QUARANTINED))
        }
        Command::Fetch { pipeline, refresh, offline } => {
            let mut config = pipeline.config(offline)?;
            config.refresh = refresh;
            kooste::run(&config, Some(Stage::Fetch))?;
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
        Command::Template { pipeline, member, lang, output_file } => {
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
