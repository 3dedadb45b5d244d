//! Stage 4, disclose: disclosure control, so that no small group of graduates can be
//! identified from anything published. Nothing reaches the report without passing here.
//!
//! In: `stages/transform/{placement,placement_by_member,enrolment,key_figures,applicants}.parquet`.
//! Out: `stages/disclose/{placement,placement_by_member,enrolment,key_figures,applicants,
//! placement_benchmark}.parquet` — the published rows, with hidden values set to null and a
//! flag column saying why (`1-4`: a small count; `..`: hidden so that a small count cannot be
//! recovered) — and `output/<year>/suppressions.csv`, every hidden cell with its table and rule.
//!
//! Table design comes first: placement is published in detail (eight statuses by qualification
//! and orientation) for the association only, and per member in four classes. The tables
//! published together are one problem ([`crate::disclosure`]): a group's statuses add up to its
//! graduates, orientations to their qualification, qualifications to the association's total;
//! a member's classes add up to its graduates, members to the association's class, and the
//! association's statuses to its classes. In the enrolment table qualifications add up to a
//! member's total and members to the association. A share is hidden with its count.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use polars::prelude::*;
use serde_json::json;

use super::transform::ALL;
use super::{Stage, StageReport, load, persist};
use crate::config::Config;
use crate::disclosure::{Flag, Problem, Total, suppress};
use crate::files;
use crate::{FrameContext, Result};

mod applicants;
mod placement;
mod rounding;

pub use applicants::{PERSON_COUNTS as APPLICANT_PERSON_COUNTS, applicants_table};
pub use placement::{Placement, placement_tables};
pub use rounding::Rounding;

/// The suppression log's rule for a hidden count that the published figures still give away.
pub const EXPOSED: &str = "exposed";

/// The flag of a secondarily suppressed cell.
pub const SECONDARY: &str = "..";

/// The flag of a primarily suppressed cell for a threshold: `1-4` for 5.
pub fn primary_flag(threshold: u32) -> String {
    if threshold <= 2 { "1".into() } else { format!("1-{}", threshold - 1) }
}

/// One hidden cell, for the suppression log.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Suppression {
    /// The table.
    pub table: &'static str,
    /// The cell's key, `column=value` pairs joined by `;`.
    pub cell: String,
    /// `primary` or `secondary`.
    pub rule: &'static str,
}

/// How many cells were hidden, by rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Suppressed {
    /// Small counts.
    pub primary: usize,
    /// Cells hidden to protect a small count.
    pub secondary: usize,
}

impl Suppressed {
    fn of(flags: &[Flag]) -> Self {
        Self {
            primary: flags.iter().filter(|f| **f == Flag::Primary).count(),
            secondary: flags.iter().filter(|f| **f == Flag::Secondary).count(),
        }
    }
}

/// Applies disclosure control to the tables.
pub fn run(config: &Config) -> Result<StageReport> {
    let mut report = StageReport::new(Stage::Disclose);
    let threshold = config.pipeline.disclosure.threshold;
    let placement = load(config, &mut report, Stage::Transform, "placement")?;
    let by_member = load(config, &mut report, Stage::Transform, "placement_by_member")?;
    let enrolment = load(config, &mut report, Stage::Transform, "enrolment")?;
    let Placement { detail: mut placement, mut by_member, suppressed: p, mut log } =
        placement_tables(placement, by_member, threshold).ctx("placement disclosure")?;
    let (mut enrolment, e, log2) = enrolment_table(enrolment, threshold).ctx("enrolment disclosure")?;
    log.extend(log2);
    let figures = load(config, &mut report, Stage::Transform, "key_figures")?;
    let fields: Vec<(String, String)> = config
        .pipeline
        .publish_qualifications
        .iter()
        .filter_map(|q| config.catalogue.get(*q).map(|x| (x.field.clone(), q.as_string())))
        .collect();
    let mut figures = key_figures_table(figures, threshold, &enrolment, &fields).ctx("key figures disclosure")?;
    let round_to = config.pipeline.disclosure.round_to;
    let rounding = (round_to > 1).then(|| Rounding { base: i64::from(round_to), threshold: i64::from(threshold) });
    if let Some(r) = rounding {
        placement = r.placement(placement).ctx("rounding placement")?;
        by_member = r.by_member(by_member).ctx("rounding placement by member")?;
        enrolment = r.enrolment(enrolment).ctx("rounding enrolment")?;
        figures = r.key_figures(figures).ctx("rounding key figures")?;
    }
    tracing::info!(primary = p.primary + e.primary, secondary = p.secondary + e.secondary, "Cells suppressed.");
    persist(config, &mut report, "placement", &mut placement)?;
    persist(config, &mut report, "placement_by_member", &mut by_member)?;
    persist(config, &mut report, "enrolment", &mut enrolment)?;
    persist(config, &mut report, "key_figures", &mut figures)?;
    // The benchmark is built from the association's disclosed rows: a hidden status stays
    // hidden in its class.
    if config.pipeline.sources.contains_key("placement_benchmark") {
        let statfin = load(config, &mut report, Stage::Fetch, "placement_benchmark")?;
        let mut bench = super::transform::placement_benchmark(&placement, &statfin, config.year).ctx("placement benchmark")?;
        persist(config, &mut report, "placement_benchmark", &mut bench)?;
    }
    let mut a = Suppressed::default();
    if config.pipeline.sources.contains_key("applicants") {
        let table = load(config, &mut report, Stage::Transform, "applicants")?;
        let (mut table, s, log3) = applicants_table(table, &enrolment, threshold, rounding).ctx("applicants disclosure")?;
        log.extend(log3);
        a = s;
        persist(config, &mut report, "applicants", &mut table)?;
    }
    let log_path = config.year_dir().join("suppressions.csv");
    write_log(&log_path, &log)?;
    report.output(&log_path)?;
    report.rows.insert("suppressions".into(), log.len());
    report.details.insert(
        "suppressed".into(),
        json!({
            "threshold": threshold,
            "round_to": round_to,
            "placement": { "primary": p.primary, "secondary": p.secondary,
                           "exposed": log.iter().filter(|l| l.rule == EXPOSED).count() },
            "enrolment": { "primary": e.primary, "secondary": e.secondary },
            "applicants": { "primary": a.primary, "secondary": a.secondary },
            "log": log_path.display().to_string(),
            "legend": { primary_flag(threshold): format!("a count from 1 to {}", threshold - 1),
                        SECONDARY: "hidden so that a small count cannot be recovered from the totals" },
        }),
    );
    Ok(report)
}

fn write_log(path: &Path, log: &[Suppression]) -> Result<()> {
    files::write_atomic(path, |w| {
        let mut csv = csv::WriterBuilder::new().has_headers(false).from_writer(w);
        csv.write_record(["table", "cell", "rule"])?;
        for s in log {
            csv.serialize(s).map_err(std::io::Error::other)?;
        }
        csv.flush()
    })?;
    Ok(())
}

pub(super) fn strings<'a>(df: &'a DataFrame, c: &str) -> PolarsResult<Vec<&'a str>> {
    Ok(df.column(c)?.str()?.iter().map(|v| v.unwrap_or("")).collect())
}

pub(super) fn flag_text(f: Flag, primary: &str) -> &str {
    match f {
        Flag::Visible => "",
        Flag::Primary => primary,
        Flag::Secondary => SECONDARY,
    }
}

pub(super) fn rule(f: Flag) -> &'static str {
    if f == Flag::Primary { "primary" } else { "secondary" }
}

/// The key figures are national and association totals from Vipunen, published with the
/// enrolment table: a person count from 1 to `threshold − 1` is hidden, and so is a field's
/// figure whose qualifications' figure is hidden in the enrolment table (a field of one
/// qualification would otherwise repeat it; of two, give it away by subtraction).
pub fn key_figures_table(df: DataFrame, threshold: u32, enrolment: &DataFrame, fields: &[(String, String)]) -> PolarsResult<DataFrame> {
    let t = i64::from(threshold);
    let primary = primary_flag(threshold);
    // (year, member_id, qualification, column) hidden in the disclosed enrolment table.
    let mut hidden: std::collections::HashSet<(i32, String, String, String)> = Default::default();
    let (em, eq, es) = (strings(enrolment, "member_id")?, strings(enrolment, "qualification_code")?, strings(enrolment, "source")?);
    let ey: Vec<i32> = enrolment.column("year")?.i32()?.iter().map(|v| v.unwrap_or(0)).collect();
    for c in super::transform::COUNTS {
        let flags = strings(enrolment, &format!("{c}_flag"))?;
        for i in 0..enrolment.height() {
            if !flags[i].is_empty() && es[i] == "vipunen" {
                hidden.insert((ey[i], em[i].to_owned(), eq[i].to_owned(), c.to_owned()));
            }
        }
    }
    let (year, field, measure) = (df.column("year")?.i32()?.clone(), strings(&df, "field")?, strings(&df, "measure")?);
    let n = df.height();
    let mut out = df.clone();
    let mut share: Vec<Option<f64>> = df.column("members_share")?.f64()?.iter().collect();
    for (c, who) in [("national", super::transform::NATIONAL), ("members", ALL)] {
        let values: Vec<Option<i64>> = df.column(c)?.i64()?.iter().collect();
        let mut flag: Vec<&str> = vec![""; n];
        for i in 0..n {
            if measure[i] == "providers" {
                continue;
            }
            let y = year.get(i).unwrap_or(0);
            let derived = fields
                .iter()
                .filter(|(f, _)| f == field[i])
                .any(|(_, q)| hidden.contains(&(y, who.to_owned(), q.clone(), measure[i].to_owned())));
            if matches!(values[i], Some(v) if v >= 1 && v < t) {
                flag[i] = &primary;
            } else if derived {
                flag[i] = SECONDARY;
            }
            if !flag[i].is_empty() {
                share[i] = None;
            }
        }
        out.with_column(Column::new(c.into(), (0..n).map(|i| if flag[i].is_empty() { values[i] } else { None }).collect::<Vec<_>>()))?;
        out.with_column(Column::new(format!("{c}_flag").into(), flag))?;
    }
    out.with_column(Column::new("members_share".into(), share))?;
    Ok(out)
}

/// Suppresses the enrolment table: each count column on its own, with a `<col>_flag`.
pub fn enrolment_table(df: DataFrame, threshold: u32) -> PolarsResult<(DataFrame, Suppressed, Vec<Suppression>)> {
    let t = i64::from(threshold);
    let member = strings(&df, "member_id")?;
    let qual = strings(&df, "qualification_code")?;
    let source = strings(&df, "source")?;
    let year: Vec<i32> = df.column("year")?.i32()?.iter().map(|v| v.unwrap_or(0)).collect();
    let n = df.height();
    let primary = primary_flag(threshold);
    let mut out = df.clone();
    let mut stats = Suppressed::default();
    let mut log = Vec::new();
    let mut at: HashMap<(i32, &str, &str, &str), usize> = HashMap::with_capacity(n);
    for i in 0..n {
        at.insert((year[i], member[i], qual[i], source[i]), i);
    }
    // Persons: the counts, and the survey's applicants (start places are not persons).
    for c in ["new_students", "students", "graduates", "applicants", "first_choice_applicants"] {
        let values: Vec<Option<i64>> = df.column(c)?.i64()?.iter().collect();
        let mut p = Problem::default();
        for v in &values {
            // The whole country's figures are Vipunen's own totals, published as they are
            // unless small; members together likewise.
            p.cell(v.unwrap_or(0), false);
        }
        let mut by_member: BTreeMap<(i32, &str, &str), Vec<usize>> = BTreeMap::new();
        let mut by_assoc: BTreeMap<(i32, &str, &str), Vec<usize>> = BTreeMap::new();
        for i in 0..n {
            let aggregate = [ALL, super::transform::NATIONAL, super::transform::NON_MEMBERS].contains(&member[i]);
            if !aggregate && qual[i] != ALL {
                by_member.entry((year[i], member[i], source[i])).or_default().push(i);
            }
            if !aggregate {
                by_assoc.entry((year[i], qual[i], source[i])).or_default().push(i);
            }
        }
        for ((y, m, s), parts) in by_member {
            if let Some(&total) = at.get(&(y, m, ALL, s)) {
                p.constrain(Total::Cell(total), parts);
            }
        }
        for ((y, q, s), parts) in by_assoc {
            if let Some(&total) = at.get(&(y, ALL, q, s)) {
                p.constrain(Total::Cell(total), parts);
            }
        }
        // The whole country = the members together + the other providers together.
        for i in (0..n).filter(|i| member[*i] == super::transform::NATIONAL) {
            let parts: Vec<usize> = [ALL, super::transform::NON_MEMBERS]
                .iter()
                .filter_map(|m| at.get(&(year[i], *m, qual[i], source[i])).copied())
                .collect();
            if parts.len() == 2 {
                p.constrain(Total::Cell(i), parts);
            }
        }
        let outcome = suppress(&p, t);
        let exposed: std::collections::HashSet<usize> = outcome.exposed.iter().copied().collect();
        if !exposed.is_empty() {
            tracing::warn!(cells = exposed.len(), column = c, "Hidden enrolment counts still follow from the published totals.");
        }
        let flags = outcome.flags;
        let s = Suppressed::of(&flags);
        stats.primary += s.primary;
        stats.secondary += s.secondary;
        for i in (0..n).filter(|i| flags[*i] != Flag::Visible) {
            log.push(Suppression {
                table: "enrolment",
                cell: format!("year={};member_id={};qualification_code={};source={};column={c}", year[i], member[i], qual[i], source[i]),
                rule: if exposed.contains(&i) { EXPOSED } else { rule(flags[i]) },
            });
        }
        let kept: Vec<Option<i64>> = (0..n).map(|i| if flags[i] == Flag::Visible { values[i] } else { None }).collect();
        out.with_column(Column::new(c.into(), kept))?;
        out.with_column(Column::new(format!("{c}_flag").into(), flags.iter().map(|f| flag_text(*f, &primary)).collect::<Vec<_>>()))?;
    }
    // Applicants per place gives the applicants away: hidden with them.
    let hidden_applicants: Vec<bool> = strings(&out, "applicants_flag")?.iter().map(|f| !f.is_empty()).collect();
    let ratio: Vec<Option<f64>> = out.column("applicants_per_place")?.f64()?.iter().collect();
    out.with_column(Column::new(
        "applicants_per_place".into(),
        ratio.iter().zip(&hidden_applicants).map(|(r, h)| if *h { None } else { *r }).collect::<Vec<_>>(),
    ))?;
    Ok((out, stats, log))
}
