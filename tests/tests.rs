//! kooste's integration tests: one binary (every polars test binary links hundreds of MB).
//!
//! - `collection`: the survey round, reminders, corrected returns, coverage in publications.
//! - `charts`: every figure in a chart equals the figure in its table, read back from the SVG.
//! - `engine`: up-to-date checks, partitions, plan, kills, the lock, lineage, JSON logs.
//! - `guards`: settings refused before anything runs, exit codes, messages, the output folder.
//! - `hostile`: hostile returns (stray values, bombs, 300 sheets, random bytes) beside the sample.
//! - `members`: each member's own report: its language, its own figures, no more than public.
//! - `pipeline`: the annual run end to end on the bundled sample, through the real binary.
//! - `readers`: a quiet run; the report in axe-core and vnu; print, fallback fonts, old Parquet
//!   readers, feedback in one language, charts redrawn only when they change.
//! - `report`: localised tables, accessible deterministic charts, the HTML report in Chromium.
//! - `survey`: the survey reader on workbooks the tests build themselves.
//! - `tables`: transform and disclosure on small hand-computed frames.
//! - `trend`: the trend tables over three survey years, revisions, disclosure across tables.

mod books;
mod util;

mod charts;
mod collection;
mod engine;
mod fetch;
mod guards;
mod hostile;
mod members;
mod pipeline;
mod readers;
mod report;
mod survey;
mod tables;
mod trend;
