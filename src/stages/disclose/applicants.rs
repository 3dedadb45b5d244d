//! The applicants reconciliation as published.
//!
//! - Vipunen's person counts ([`PERSON_COUNTS`]; start places are not persons) go through the
//!   suppression solver like the enrolment table's, one problem per column: a member's
//!   qualifications add up to its total, members to the association's.
//! - The survey's figures repeat the enrolment table's survey rows: they are taken from the
//!   disclosed enrolment table, value and symbol, so the two tables show the same cell alike
//!   and neither gives away what the other hides.
//! - A ratio is shown only when both its figures are, and the flag only when every compared
//!   figure is (a flag beside a hidden count would narrow it down); both are recomputed from
//!   the published (possibly rounded) figures.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use super::{EXPOSED, Interval, Rounding, SECONDARY, Suppressed, Suppression, flag_text, primary_flag, rule, strings};
use crate::disclosure::{Cost, Flag, Problem, Total, suppress};
use crate::stages::transform::ALL;
use crate::stages::transform::applicants::{COMPARED, SURVEY};

/// The person counts of the table's Vipunen side: what disclosure control hides.
pub const PERSON_COUNTS: [&str; 4] = ["vipunen_applicants", "vipunen_first_choice_applicants", "vipunen_accepted", "vipunen_enrolled"];

/// The survey's columns and the enrolment table's columns (survey rows) they repeat.
const FROM_ENROLMENT: [(&str, &str); 4] = [
    ("survey_start_places", "start_places"),
    ("survey_applicants", "applicants"),
    ("survey_first_choice_applicants", "first_choice_applicants"),
    ("survey_new_students", "new_students"),
];

/// Suppresses the reconciliation table as transform writes it, given the disclosed (and
/// rounded) enrolment table. Adds a `<column>_flag` for every count, survey figure and ratio,
/// and `flagged_flag`.
pub fn applicants_table(
    df: DataFrame,
    enrolment: &DataFrame,
    threshold: u32,
    protection: u32,
    rounding: Option<Rounding>,
) -> PolarsResult<(DataFrame, Suppressed, Vec<Suppression>)> {
    let t = i64::from(threshold);
    let primary = primary_flag(threshold);
    let member = strings(&df, "member_id")?;
    let qual = strings(&df, "qualification_code")?;
    let year: Vec<i32> = df.column("year")?.i32()?.iter().map(|v| v.unwrap_or(0)).collect();
    let n = df.height();
    let mut at: HashMap<(i32, &str, &str), usize> = HashMap::with_capacity(n);
    for i in 0..n {
        at.insert((year[i], member[i], qual[i]), i);
    }
    let mut out = df.clone();
    let mut stats = Suppressed::default();
    let mut log = Vec::new();
    let cell = |i: usize, c: &str| format!("year={};member_id={};qualification_code={};column={c}", year[i], member[i], qual[i]);
    for c in PERSON_COUNTS {
        let values: Vec<Option<i64>> = df.column(c)?.i64()?.iter().collect();
        let mut p = Problem::default();
        // The association's figures are totals: a member's detail is hidden before them.
        for (i, v) in values.iter().enumerate() {
            p.cell(v.unwrap_or(0), if member[i] == ALL { Cost::Total } else { Cost::Detail });
        }
        let mut by_member: BTreeMap<(i32, &str), Vec<usize>> = BTreeMap::new();
        let mut by_assoc: BTreeMap<(i32, &str), Vec<usize>> = BTreeMap::new();
        for i in (0..n).filter(|i| member[*i] != ALL) {
            if qual[i] != ALL {
                by_member.entry((year[i], member[i])).or_default().push(i);
            }
            by_assoc.entry((year[i], qual[i])).or_default().push(i);
        }
        for ((y, m), parts) in by_member {
            if let Some(&total) = at.get(&(y, m, ALL)) {
                p.constrain(Total::Cell(total), parts);
            }
        }
        for ((y, q), parts) in by_assoc {
            if let Some(&total) = at.get(&(y, ALL, q)) {
                p.constrain(Total::Cell(total), parts);
            }
        }
        let outcome = suppress(&p, t, i64::from(protection));
        let exposed: std::collections::HashSet<usize> = outcome.exposed.iter().copied().collect();
        if !exposed.is_empty() {
            tracing::warn!(cells = exposed.len(), column = c, "Hidden applicant counts still follow from the published totals.");
        }
        let flags = outcome.flags;
        let s = Suppressed::of(&flags);
        stats.primary += s.primary;
        stats.secondary += s.secondary;
        for i in (0..n).filter(|i| flags[*i] != Flag::Visible) {
            log.push(Suppression { table: "applicants", cell: cell(i, c), rule: if exposed.contains(&i) { EXPOSED } else { rule(flags[i]) }, interval: Interval::of(outcome.bounds[i]) });
        }
        let kept: Vec<Option<i64>> = (0..n).map(|i| if flags[i] == Flag::Visible { values[i] } else { None }).collect();
        out.with_column(Column::new(c.into(), kept))?;
        out.with_column(Column::new(format!("{c}_flag").into(), flags.iter().map(|f| flag_text(*f, &primary)).collect::<Vec<_>>()))?;
    }
    if let Some(r) = rounding {
        out = out.lazy().with_columns(PERSON_COUNTS.map(|c| r.round(c))).collect()?;
    }
    // The survey's figures as the enrolment table publishes them.
    let (em, eq, es) = (strings(enrolment, "member_id")?, strings(enrolment, "qualification_code")?, strings(enrolment, "source")?);
    let ey: Vec<i32> = enrolment.column("year")?.i32()?.iter().map(|v| v.unwrap_or(0)).collect();
    let published: HashMap<(i32, &str, &str), usize> =
        (0..enrolment.height()).filter(|i| es[*i] == "survey").map(|i| ((ey[i], em[i], eq[i]), i)).collect();
    for (s, e) in FROM_ENROLMENT {
        let mine: Vec<Option<i64>> = df.column(s)?.i64()?.iter().collect();
        let theirs: Vec<Option<i64>> = enrolment.column(e)?.i64()?.iter().collect();
        let their_flags: Option<Vec<&str>> = enrolment.column(&format!("{e}_flag")).ok().map(|_| strings(enrolment, &format!("{e}_flag"))).transpose()?;
        let mut values = Vec::with_capacity(n);
        let mut flags: Vec<String> = Vec::with_capacity(n);
        for i in 0..n {
            match published.get(&(year[i], member[i], qual[i])) {
                Some(&j) => {
                    let f = their_flags.as_ref().map(|f| f[j]).unwrap_or("");
                    values.push(if f.is_empty() { theirs[j] } else { None });
                    flags.push(f.to_owned());
                }
                // Not in the enrolment table: an empty survey cell, or (should it ever happen)
                // a figure nothing else protects, hidden.
                None if mine[i].is_none() => {
                    values.push(None);
                    flags.push(String::new());
                }
                None => {
                    values.push(None);
                    flags.push(SECONDARY.into());
                    log.push(Suppression { table: "applicants", cell: cell(i, s), rule: "secondary", interval: Interval::of((0, crate::disclosure::UNBOUNDED)) });
                    stats.secondary += 1;
                }
            }
        }
        out.with_column(Column::new(s.into(), values))?;
        out.with_column(Column::new(format!("{s}_flag").into(), flags))?;
    }
    let start_flags = vec![""; n];
    out.with_column(Column::new("vipunen_start_places_flag".into(), start_flags))?;
    // Ratios and the flag, from what is published.
    let mut any_hidden = vec![false; n];
    for (v, s, r) in COMPARED {
        let (vf, sf) = (strings(&out, &format!("{v}_flag"))?, strings(&out, &format!("{s}_flag"))?);
        let hidden: Vec<bool> = (0..n).map(|i| !vf[i].is_empty() || !sf[i].is_empty()).collect();
        let (a, b): (Vec<Option<i64>>, Vec<Option<i64>>) = (out.column(v)?.i64()?.iter().collect(), out.column(s)?.i64()?.iter().collect());
        let ratio: Vec<Option<f64>> = (0..n)
            .map(|i| match (hidden[i], a[i], b[i]) {
                (false, Some(a), Some(b)) if a > 0 => Some((b as f64 / a as f64 * 1000.0).round() / 1000.0),
                _ => None,
            })
            .collect();
        for i in 0..n {
            any_hidden[i] |= hidden[i];
        }
        out.with_column(Column::new(r.into(), ratio))?;
        out.with_column(Column::new(format!("{r}_flag").into(), hidden.iter().map(|h| if *h { SECONDARY } else { "" }).collect::<Vec<_>>()))?;
    }
    let flagged: Vec<Option<bool>> = df.column("flagged")?.bool()?.iter().collect();
    out.with_column(Column::new("flagged".into(), (0..n).map(|i| if any_hidden[i] { None } else { flagged[i] }).collect::<Vec<_>>()))?;
    out.with_column(Column::new("flagged_flag".into(), any_hidden.iter().map(|h| if *h { SECONDARY } else { "" }).collect::<Vec<_>>()))?;
    debug_assert!(SURVEY.iter().all(|c| FROM_ENROLMENT.iter().any(|(s, _)| s == c)));
    Ok((out, stats, log))
}
