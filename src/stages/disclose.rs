//! Stage 4, disclose: disclosure control, so that no small group of graduates can be
//! identified from anything published. Nothing reaches the report without passing here.
//!
//! In: `stages/transform/{placement,enrolment}.parquet`. Out: `stages/disclose/{placement,
//! enrolment}.parquet`: the same rows, with suppressed values set to null and a flag column
//! saying why (`1-4`: a small count; `..`: hidden so a small count cannot be recovered).
//!
//! Rules (the official publisher's, with the configured threshold `t`, default 5):
//! - primary: a count from 1 to t − 1 is suppressed; association totals (`member_id = all`)
//!   are published unsuppressed where their group has at least t graduates;
//! - secondary, within one group of the placement table: where exactly one status is
//!   suppressed, the smallest other non-zero status is hidden too, so the group's graduates
//!   minus the published counts does not reveal it;
//! - a share is suppressed with its count.

use polars::prelude::*;
use serde_json::json;

use super::transform::ALL;
use super::{Stage, StageReport, load, persist};
use crate::config::Config;
use crate::{FrameContext, Result};

/// The flag of a secondarily suppressed cell.
pub const SECONDARY: &str = "..";

/// The flag of a primarily suppressed cell for a threshold: `1-4` for 5.
pub fn primary_flag(threshold: u32) -> String {
    if threshold <= 2 { "1".into() } else { format!("1-{}", threshold - 1) }
}

/// Applies disclosure control to the tables.
pub fn run(config: &Config) -> Result<StageReport> {
    let mut report = StageReport::new(Stage::Disclose);
    let threshold = config.pipeline.disclosure.threshold;
    let placement = load(config, &mut report, Stage::Transform, "placement")?;
    let enrolment = load(config, &mut report, Stage::Transform, "enrolment")?;
    let (mut placement, p) = placement_table(placement, threshold).ctx("placement disclosure")?;
    let (mut enrolment, e) = enrolment_table(enrolment, threshold).ctx("enrolment disclosure")?;
    tracing::info!(primary = p.primary + e.primary, secondary = p.secondary, "Cells suppressed.");
    persist(config, &mut report, "placement", &mut placement)?;
    persist(config, &mut report, "enrolment", &mut enrolment)?;
    report.details.insert(
        "suppressed".into(),
        json!({
            "threshold": threshold,
            "placement": { "primary": p.primary, "secondary": p.secondary },
            "enrolment": { "primary": e.primary, "secondary": e.secondary },
            "legend": { primary_flag(threshold): format!("a count from 1 to {}", threshold - 1),
                        SECONDARY: "hidden so that a small count cannot be recovered from totals" },
        }),
    );
    Ok(report)
}

/// How many cells were suppressed, by rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Suppressed {
    /// Small counts.
    pub primary: usize,
    /// Cells hidden to protect a small count.
    pub secondary: usize,
}

/// Suppresses the placement table (sorted by group, as transform writes it).
pub fn placement_table(df: DataFrame, threshold: u32) -> PolarsResult<(DataFrame, Suppressed)> {
    let t = i64::from(threshold);
    let member = df.column("member_id")?.str()?.clone();
    let keys = ["year", "member_id", "qualification_code", "orientation", "graduation_year"];
    let key_cols: Vec<Column> = keys.iter().map(|k| df.column(k).cloned()).collect::<PolarsResult<_>>()?;
    let count: Vec<Option<i64>> = df.column("count")?.i64()?.iter().collect();
    let graduates: Vec<Option<i64>> = df.column("graduates")?.i64()?.iter().collect();
    let share: Vec<Option<f64>> = df.column("share")?.f64()?.iter().collect();
    let n = df.height();
    let mut flag: Vec<&str> = vec![""; n];
    let primary = primary_flag(threshold);
    let mut stats = Suppressed::default();
    let same_group = |a: usize, b: usize| key_cols.iter().all(|c| c.get(a).ok() == c.get(b).ok());
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && same_group(start, end) {
            end += 1;
        }
        let association = member.get(start) == Some(ALL) && graduates[start].unwrap_or(0) >= t;
        if !association {
            let small: Vec<usize> = (start..end).filter(|i| matches!(count[*i], Some(c) if c >= 1 && c < t)).collect();
            for i in &small {
                flag[*i] = &primary;
            }
            stats.primary += small.len();
            if small.len() == 1 {
                let next = (start..end)
                    .filter(|i| flag[*i].is_empty() && count[*i].unwrap_or(0) > 0)
                    .min_by_key(|i| (count[*i], *i));
                if let Some(i) = next {
                    flag[i] = SECONDARY;
                    stats.secondary += 1;
                }
            }
        }
        start = end;
    }
    let hidden = |i: usize| !flag[i].is_empty();
    let mut out = df.clone();
    out.with_column(Column::new("count".into(), (0..n).map(|i| if hidden(i) { None } else { count[i] }).collect::<Vec<_>>()))?;
    out.with_column(Column::new("share".into(), (0..n).map(|i| if hidden(i) { None } else { share[i] }).collect::<Vec<_>>()))?;
    out.with_column(Column::new("flag".into(), flag))?;
    Ok((out, stats))
}

/// Suppresses small counts of the enrolment table: each count column gets a `<col>_flag`.
pub fn enrolment_table(df: DataFrame, threshold: u32) -> PolarsResult<(DataFrame, Suppressed)> {
    let t = i64::from(threshold);
    let primary = primary_flag(threshold);
    let mut out = df.clone();
    let mut stats = Suppressed::default();
    for c in ["new_students", "students", "graduates"] {
        let values: Vec<Option<i64>> = df.column(c)?.i64()?.iter().collect();
        let small = |v: &Option<i64>| matches!(v, Some(x) if *x >= 1 && *x < t);
        stats.primary += values.iter().filter(|v| small(v)).count();
        let flags: Vec<&str> = values.iter().map(|v| if small(v) { primary.as_str() } else { "" }).collect();
        let kept: Vec<Option<i64>> = values.iter().map(|v| if small(v) { None } else { *v }).collect();
        out.with_column(Column::new(c.into(), kept))?;
        out.with_column(Column::new(format!("{c}_flag").into(), flags))?;
    }
    Ok((out, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(member: &str, counts: &[i64]) -> DataFrame {
        let n = counts.len();
        let g: i64 = counts.iter().sum();
        df!(
            "year" => vec![2025; n],
            "member_id" => vec![member; n],
            "qualification_code" => vec!["321204"; n],
            "orientation" => vec!["klassinen"; n],
            "graduation_year" => vec![2024; n],
            "status" => (0..n).map(|i| format!("s{i}")).collect::<Vec<_>>(),
            "count" => counts.to_vec(),
            "graduates" => vec![g; n],
            "share" => counts.iter().map(|c| *c as f64 / g as f64).collect::<Vec<_>>(),
        )
        .unwrap()
    }

    fn flags(df: &DataFrame) -> Vec<String> {
        df.column("flag").unwrap().str().unwrap().iter().flatten().map(str::to_owned).collect()
    }

    #[test]
    fn one_small_count_hides_the_next_smallest_too() {
        let (df, s) = placement_table(group("oulu", &[3, 0, 12, 7, 0]), 5).unwrap();
        assert_eq!(flags(&df), ["1-4", "", "", "..", ""]);
        assert_eq!(s, Suppressed { primary: 1, secondary: 1 });
        let counts: Vec<Option<i64>> = df.column("count").unwrap().i64().unwrap().iter().collect();
        assert_eq!(counts, [None, Some(0), Some(12), None, Some(0)]);
        assert!(df.column("share").unwrap().f64().unwrap().get(3).is_none());
    }

    #[test]
    fn association_totals_of_five_or_more_are_published() {
        let (df, s) = placement_table(group("all", &[3, 0, 12, 7, 0]), 5).unwrap();
        assert_eq!(flags(&df), ["", "", "", "", ""]);
        assert_eq!(s, Suppressed::default());
        let (df, _) = placement_table(group("all", &[2, 1]), 5).unwrap();
        assert_eq!(flags(&df), ["1-4", "1-4"]);
    }
}
