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
use crate::config::{Config, DisclosureRule};
use crate::disclosure::{Cost, Flag, Problem, Total, UNBOUNDED, suppress};
use crate::files;
use crate::{FrameContext, Result};

mod applicants;
mod merge;
mod placement;
mod rounding;

pub use applicants::{PERSON_COUNTS as APPLICANT_PERSON_COUNTS, applicants_table};
pub use merge::{MergeReason, Merged, OTHER_ORIENTATIONS, merge_orientations};
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
    /// `primary`, `secondary` or `exposed`.
    pub rule: &'static str,
    /// What a reader can still work out about it.
    pub interval: Interval,
}

/// The values a hidden cell can have given everything published with it, as interval
/// propagation through the published sums finds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Interval {
    /// The smallest.
    pub lower: i64,
    /// The largest; None where no published sum bounds it from above.
    pub upper: Option<i64>,
}

impl Interval {
    /// From the solver's bounds.
    pub fn of((lo, hi): (i64, i64)) -> Self {
        Self { lower: lo, upper: (hi < UNBOUNDED).then_some(hi) }
    }
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
    let rule = &config.pipeline.disclosure;
    let threshold = rule.threshold;
    let placement = load(config, &mut report, Stage::Transform, "placement")?;
    let by_member = load(config, &mut report, Stage::Transform, "placement_by_member")?;
    let enrolment = load(config, &mut report, Stage::Transform, "enrolment")?;
    let Placement { detail: mut placement, mut by_member, suppressed: p, mut log, merged } =
        placement_tables(placement, by_member, rule).ctx("placement disclosure")?;
    let figures = load(config, &mut report, Stage::Transform, "key_figures")?;
    let fields: Vec<(String, String)> = config
        .pipeline
        .publish_qualifications
        .iter()
        .filter_map(|q| config.catalogue.get(*q).map(|x| (x.field.clone(), q.as_string())))
        .collect();
    let (mut enrolment, figures, e, log2) =
        enrolment_and_key_figures(enrolment, Some(figures), &fields, rule).ctx("enrolment and key figures disclosure")?;
    let mut figures = figures.expect("key figures in, key figures out");
    log.extend(log2);
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
    let mut merged_frame = merged_frame(&merged).ctx("merged orientations")?;
    persist(config, &mut report, "merged_orientations", &mut merged_frame)?;
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
        let (mut table, s, log3) = applicants_table(table, &enrolment, threshold, rule.protection, rounding).ctx("applicants disclosure")?;
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
            "min_members": rule.min_members,
            "protection": rule.protection,
            "merged_orientations": merged,
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
        csv.write_record(["table", "cell", "rule", "lower", "upper"])?;
        for s in log {
            let upper = s.interval.upper.map(|u| u.to_string()).unwrap_or_default();
            csv.write_record([s.table, &s.cell, s.rule, &s.interval.lower.to_string(), &upper])?;
        }
        csv.flush()
    })?;
    Ok(())
}

/// The merged orientations as a frame, for the report's notes.
fn merged_frame(merged: &[Merged]) -> PolarsResult<DataFrame> {
    df!(
        "qualification_code" => merged.iter().map(|m| m.qualification.clone()).collect::<Vec<_>>(),
        "orientation" => merged.iter().map(|m| m.orientation.clone()).collect::<Vec<_>>(),
        "reason" => merged.iter().map(|m| m.reason.code()).collect::<Vec<_>>(),
        "members" => merged.iter().map(|m| m.members as i64).collect::<Vec<_>>(),
        "into" => merged.iter().map(|m| m.into).collect::<Vec<_>>(),
    )
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

/// The persons' columns of the enrolment table (start places are not persons).
const PERSONS: [&str; 5] = ["new_students", "students", "graduates", "applicants", "first_choice_applicants"];

/// Suppresses the enrolment table alone (no key figures published with it).
pub fn enrolment_table(df: DataFrame, rule: &DisclosureRule) -> PolarsResult<(DataFrame, Suppressed, Vec<Suppression>)> {
    let (out, _, stats, log) = enrolment_and_key_figures(df, None, &[], rule)?;
    Ok((out, stats, log))
}

/// Suppresses the enrolment table and the key figures published with it, as one problem per
/// person column: every count from 1 to `threshold − 1` is hidden, members' qualifications add
/// up to the member's total, members to the association (`all`), the association and the other
/// providers to the whole country — and a key figure is the sum of its field's qualifications
/// (music = 321204 + 324201) for the members together and the whole country. Companions are
/// taken from the members' and the other providers' rows first, then the whole country's, and
/// the members together (the key-figures card's figures) last. `fields` pairs a field with each of its qualification codes.
pub fn enrolment_and_key_figures(
    df: DataFrame,
    figures: Option<DataFrame>,
    fields: &[(String, String)],
    settings: &DisclosureRule,
) -> PolarsResult<(DataFrame, Option<DataFrame>, Suppressed, Vec<Suppression>)> {
    let t = i64::from(settings.threshold);
    let protection = i64::from(settings.protection);
    let member = strings(&df, "member_id")?;
    let qual = strings(&df, "qualification_code")?;
    let source = strings(&df, "source")?;
    let year: Vec<i32> = df.column("year")?.i32()?.iter().map(|v| v.unwrap_or(0)).collect();
    let n = df.height();
    let primary = primary_flag(settings.threshold);
    let mut out = df.clone();
    let mut stats = Suppressed::default();
    let mut log = Vec::new();
    let mut at: HashMap<(i32, &str, &str, &str), usize> = HashMap::with_capacity(n);
    for i in 0..n {
        at.insert((year[i], member[i], qual[i], source[i]), i);
    }
    let aggregate = |m: &str| [ALL, super::transform::NATIONAL, super::transform::NON_MEMBERS].contains(&m);
    // The key figures' rows.
    let (kf_year, kf_field, kf_measure): (Vec<i32>, Vec<&str>, Vec<&str>) = match &figures {
        Some(f) => (f.column("year")?.i32()?.iter().map(|v| v.unwrap_or(0)).collect(), strings(f, "field")?, strings(f, "measure")?),
        None => Default::default(),
    };
    let mut kf_out = figures.clone();
    let mut kf_share: Vec<Option<f64>> = match &figures {
        Some(f) => f.column("members_share")?.f64()?.iter().collect(),
        None => Vec::new(),
    };
    for c in PERSONS {
        let values: Vec<Option<i64>> = df.column(c)?.i64()?.iter().collect();
        let mut p = Problem::default();
        for i in 0..n {
            // The members together are the card's figures: where the whole country or the
            // members must go (the other providers' count is small), the country goes.
            let cost = match member[i] {
                ALL => Cost::Headline,
                super::transform::NATIONAL => Cost::Total,
                _ => Cost::Detail,
            };
            p.cell(values[i].unwrap_or(0), cost);
        }
        let mut by_member: BTreeMap<(i32, &str, &str), Vec<usize>> = BTreeMap::new();
        let mut by_assoc: BTreeMap<(i32, &str, &str), Vec<usize>> = BTreeMap::new();
        for i in 0..n {
            if !aggregate(member[i]) && qual[i] != ALL {
                by_member.entry((year[i], member[i], source[i])).or_default().push(i);
            }
            if !aggregate(member[i]) {
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
        // The key figures of this measure: (row, column) → cell.
        let mut kf_cells: Vec<(usize, &str, usize)> = Vec::new();
        if let Some(f) = &figures {
            for (column, who) in [("national", super::transform::NATIONAL), ("members", ALL)] {
                let v: Vec<Option<i64>> = f.column(column)?.i64()?.iter().collect();
                for r in (0..f.height()).filter(|r| kf_measure[*r] == c) {
                    let cost = if who == ALL { Cost::Headline } else { Cost::Total };
                    let cell = p.cell(v[r].unwrap_or(0), cost);
                    kf_cells.push((r, column, cell));
                    let parts: Vec<usize> = fields
                        .iter()
                        .filter(|(field, _)| field == kf_field[r])
                        .filter_map(|(_, q)| at.get(&(kf_year[r], who, q.as_str(), "vipunen")).copied())
                        .collect();
                    p.constrain(Total::Cell(cell), parts);
                }
            }
        }
        let outcome = suppress(&p, t, protection);
        let exposed: std::collections::HashSet<usize> = outcome.exposed.iter().copied().collect();
        if !exposed.is_empty() {
            tracing::warn!(cells = exposed.len(), column = c, "Hidden enrolment counts still have fewer possible values than their protection.");
        }
        let flags = outcome.flags;
        let s = Suppressed::of(&flags);
        stats.primary += s.primary;
        stats.secondary += s.secondary;
        let rule_of = |i: usize| if exposed.contains(&i) { EXPOSED } else { rule(flags[i]) };
        for i in (0..n).filter(|i| flags[*i] != Flag::Visible) {
            log.push(Suppression {
                table: "enrolment",
                cell: format!("year={};member_id={};qualification_code={};source={};column={c}", year[i], member[i], qual[i], source[i]),
                rule: rule_of(i),
                interval: Interval::of(outcome.bounds[i]),
            });
        }
        let kept: Vec<Option<i64>> = (0..n).map(|i| if flags[i] == Flag::Visible { values[i] } else { None }).collect();
        out.with_column(Column::new(c.into(), kept))?;
        out.with_column(Column::new(format!("{c}_flag").into(), flags[..n].iter().map(|f| flag_text(*f, &primary)).collect::<Vec<_>>()))?;
        if let Some(kf) = kf_out.as_mut() {
            for column in ["national", "members"] {
                let mut v: Vec<Option<i64>> = kf.column(column)?.i64()?.iter().collect();
                let flag_col = format!("{column}_flag");
                let mut flag: Vec<String> = match kf.column(&flag_col) {
                    Ok(f) => f.str()?.iter().map(|x| x.unwrap_or("").to_owned()).collect(),
                    Err(_) => vec![String::new(); kf.height()],
                };
                for &(r, col_name, cell) in kf_cells.iter().filter(|k| k.1 == column) {
                    let _ = col_name;
                    if flags[cell] != Flag::Visible {
                        v[r] = None;
                        flag[r] = flag_text(flags[cell], &primary).to_owned();
                        kf_share[r] = None;
                        log.push(Suppression {
                            table: "key_figures",
                            cell: format!("year={};field={};measure={};column={column}", kf_year[r], kf_field[r], kf_measure[r]),
                            rule: rule_of(cell),
                            interval: Interval::of(outcome.bounds[cell]),
                        });
                    }
                }
                kf.with_column(Column::new(column.into(), v))?;
                kf.with_column(Column::new(flag_col.into(), flag))?;
            }
        }
    }
    // Applicants per place gives the applicants away: hidden with them.
    let hidden_applicants: Vec<bool> = strings(&out, "applicants_flag")?.iter().map(|f| !f.is_empty()).collect();
    let ratio: Vec<Option<f64>> = out.column("applicants_per_place")?.f64()?.iter().collect();
    out.with_column(Column::new(
        "applicants_per_place".into(),
        ratio.iter().zip(&hidden_applicants).map(|(r, h)| if *h { None } else { *r }).collect::<Vec<_>>(),
    ))?;
    if let Some(kf) = kf_out.as_mut() {
        // Flags for every row (the providers' rows have none) and the share hidden with either.
        for column in ["national", "members"] {
            let flag_col = format!("{column}_flag");
            if kf.column(&flag_col).is_err() {
                kf.with_column(Column::new(flag_col.into(), vec![""; kf.height()]))?;
            }
        }
        kf.with_column(Column::new("members_share".into(), kf_share))?;
    }
    Ok((out, kf_out, stats, log))
}
