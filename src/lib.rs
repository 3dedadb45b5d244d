//! kooste — the annual statistics pipeline of the Finnish Conservatory Association.
//!
//! The stages read off the folder names: [`stages::fetch`] reads public snapshots,
//! [`stages::ingest`] reads and validates the members' survey returns, [`stages::transform`]
//! joins them into tables, [`stages::disclose`] applies disclosure control and
//! [`stages::report`] writes the tables and charts. Each stage persists its output as Parquet
//! under `output/<year>/stages/<stage>/`, so any one of them can be rerun alone.
//!
//! The [`engine`] decides which stages run (by content: only what changed), keeps one run at a
//! time and writes a record of every run.
//!
//! The library never prints: progress and logs go through `tracing`, data to files.

#![warn(missing_docs)]

pub mod charts;
pub mod collection;
pub mod config;
pub mod disclosure;
pub mod domain;
pub mod engine;
pub mod files;
pub mod record;
pub mod registry;
pub mod sample;
pub mod sources;
pub mod stages;
pub mod survey;

pub use config::{Config, Overrides};
pub use engine::{Request, RunSummary, run};
pub use stages::Stage;

/// Everything that can stop a run. Per-return problems are not errors: they are findings,
/// and the run goes on without that return.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// A file could not be read or written.
    #[error(transparent)]
    File(#[from] files::FileError),
    /// A public source's snapshot is missing or malformed.
    #[error(transparent)]
    Source(#[from] sources::SourceError),
    /// A stage needs the output of the stage before it, which is not there.
    #[error("{path} is missing: run `kooste run --stage {needs}` (or a full `kooste run`) first")]
    MissingStageOutput {
        /// The missing file.
        path: std::path::PathBuf,
        /// The stage that writes it.
        needs: &'static str,
    },
    /// Another run holds the lock.
    #[error(transparent)]
    Lock(#[from] engine::lock::LockError),
    /// A stage was asked for on top of out-of-date outputs.
    #[error(transparent)]
    Stale(#[from] engine::StaleUpstream),
    /// A lineage query that cannot be answered.
    #[error("{0}")]
    Lineage(String),
    /// A command refuses to overwrite data without being told to (`--force`).
    #[error("{0}")]
    Refused(String),
    /// The survey folder of the year does not exist.
    #[error("survey folder {0} does not exist")]
    NoSurveys(std::path::PathBuf),
    /// A table computation failed (a bug or an unexpected input shape).
    #[error("{context}: {}", first_lines(&source.to_string()))]
    Frame {
        /// What was being computed.
        context: String,
        /// What polars said.
        source: polars::prelude::PolarsError,
    },
    /// A chart could not be drawn.
    #[error("chart {name}: {message}")]
    Chart {
        /// The chart.
        name: String,
        /// What went wrong.
        message: String,
    },
    /// A survey round's template or reminder could not be made.
    #[error("{0}")]
    Collection(String),
    /// A workbook could not be written.
    #[error("{path}: {source}")]
    Xlsx {
        /// The workbook.
        path: std::path::PathBuf,
        /// What rust_xlsxwriter said.
        source: rust_xlsxwriter::XlsxError,
    },
}

/// The first two lines of a long message (polars repeats its query plan in errors).
fn first_lines(s: &str) -> String {
    s.lines().take(2).collect::<Vec<_>>().join(" ")
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Adds context to a polars error.
pub(crate) trait FrameContext<T> {
    fn ctx(self, what: &str) -> Result<T>;
}

impl<T> FrameContext<T> for polars::prelude::PolarsResult<T> {
    fn ctx(self, what: &str) -> Result<T> {
        self.map_err(|source| Error::Frame { context: what.to_owned(), source })
    }
}
