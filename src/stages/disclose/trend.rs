//! The trend tables after disclosure control, taken from each survey year's own disclosed
//! tables so that a figure published twice is hidden in both or neither.
//!
//! The run's year is the year's own tables (`placement`, `placement_by_member`, `enrolment`
//! as just disclosed). Each earlier year's tables, recomputed by transform from the returns in
//! `raw/` today (`history_{placement,placement_by_member,enrolment}`), are suppressed as that
//! year's own problem — the same tables and sums its run solves. Every trend row is then a
//! published cell of one of those tables, symbol for symbol: the association's statuses and
//! classes, the members' classes one year after graduation, the members' intake and Vipunen's
//! new students. (Vipunen's joint application is published for the run's year in the
//! applicants table; the intake trend carries the survey's figures and Vipunen's new students.)

use polars::prelude::*;

use super::{Placement, Suppression, enrolment_table, placement_tables};
use crate::config::DisclosureRule;
use crate::domain::{PlacementClass, PlacementStatus};
use crate::stages::transform::ALL;

/// The disclosed trend tables and the earlier years' hidden cells.
pub struct Trends {
    /// `placement_trend`.
    pub placement: DataFrame,
    /// `placement_by_member_trend`.
    pub by_member: DataFrame,
    /// `intake_trend`.
    pub intake: DataFrame,
    /// Hidden cells of the earlier years' tables (the run year's are in the year's log).
    pub log: Vec<Suppression>,
}

/// Keeps the columns of `cols` a frame has, in order.
fn pick(lf: LazyFrame, cols: &[&str]) -> LazyFrame {
    lf.select(cols.iter().map(|c| col(*c)).collect::<Vec<_>>())
}

/// Builds the disclosed trend tables. `detail`, `by_member`, `enrolment`: the run year's
/// disclosed tables; `history_*`: the earlier years' unsuppressed tables; `meta_*`: the
/// unsuppressed trend tables (for `members` and `revised`).
#[allow(clippy::too_many_arguments)]
pub fn trends(
    year: i32,
    detail: &DataFrame,
    by_member: &DataFrame,
    enrolment: &DataFrame,
    history_detail: DataFrame,
    history_by_member: DataFrame,
    history_enrolment: DataFrame,
    meta_placement: DataFrame,
    meta_intake: DataFrame,
    rule: &DisclosureRule,
) -> PolarsResult<Trends> {
    let mut details = vec![detail.clone().lazy()];
    let mut members = vec![by_member.clone().lazy()];
    let mut enrol = vec![enrolment.clone().lazy().filter(col("year").eq(lit(year)))];
    let mut log = Vec::new();
    let years: Vec<i32> = {
        let mut v: Vec<i32> = history_detail.column("year")?.i32()?.iter().flatten().collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    for y in years {
        let d = history_detail.clone().lazy().filter(col("year").eq(lit(y))).collect()?;
        let m = history_by_member.clone().lazy().filter(col("year").eq(lit(y))).collect()?;
        let Placement { detail: d, by_member: m, log: l, .. } = placement_tables(d, m, rule)?;
        log.extend(l.into_iter().map(|mut s| {
            s.cell = format!("year={y};{}", s.cell);
            s.table = if s.table == "placement" { "placement_trend" } else { "placement_by_member_trend" };
            s
        }));
        details.push(d.lazy());
        members.push(m.lazy());
        let e = history_enrolment.clone().lazy().filter(col("year").eq(lit(y))).collect()?;
        let (e, _, l) = enrolment_table(e, rule)?;
        log.extend(l.into_iter().map(|mut s| {
            s.table = "intake_trend";
            s
        }));
        enrol.push(e.lazy());
    }
    let union = UnionArgs { diagonal: true, ..UnionArgs::default() };
    let details = concat(details, union.clone())?;
    let members = concat(members, union.clone())?;
    let enrol = concat(enrol, union.clone())?;
    let meta = meta_placement.lazy().select([col("year"), col("members_included"), col("revised")]).unique(None, UniqueKeepStrategy::First);

    let mut class = lit(NULL).cast(DataType::String);
    for s in PlacementStatus::ALL {
        class = when(col("status").eq(lit(s.code()))).then(lit(PlacementClass::of(s).code())).otherwise(class);
    }
    let cols = ["year", "graduation_year", "lag", "class", "status", "count", "flag", "graduates", "graduates_flag", "share"];
    let statuses = pick(
        details
            .filter(col("member_id").eq(lit(ALL)).and(col("qualification_code").eq(lit(ALL))).and(col("orientation").eq(lit(ALL))))
            .with_column(class.alias("class")),
        &cols,
    );
    let classes = pick(members.clone().filter(col("member_id").eq(lit(ALL))).with_column(lit(ALL).alias("status")), &cols);
    let mut c_rank = lit(99u32);
    for (k, x) in PlacementClass::ALL.iter().enumerate() {
        c_rank = when(col("class").eq(lit(x.code()))).then(lit(k as u32)).otherwise(c_rank);
    }
    let mut s_rank = lit(99u32);
    for (k, x) in PlacementStatus::ALL.iter().enumerate() {
        s_rank = when(col("status").eq(lit(x.code()))).then(lit(k as u32)).otherwise(s_rank);
    }
    let placement = concat([statuses, classes], union.clone())?
        .with_columns([c_rank.clone().alias("c_rank"), s_rank.alias("s_rank")])
        .join(meta.clone(), [col("year")], [col("year")], JoinArgs::new(JoinType::Left))
        .sort_by_exprs([col("year"), col("graduation_year"), col("c_rank"), col("s_rank")], SortMultipleOptions::default());
    let placement = pick(placement, &cols.iter().chain(&["members_included", "revised"]).copied().collect::<Vec<_>>()).collect()?;

    let member_rank = when(col("member_id").eq(lit(ALL))).then(lit(1)).otherwise(lit(0));
    let by_member = members
        .filter(col("lag").eq(lit(1)))
        .with_columns([c_rank.alias("c_rank"), member_rank.alias("m_rank")])
        .join(meta.clone().select([col("year"), col("revised")]), [col("year")], [col("year")], JoinArgs::new(JoinType::Left))
        .sort_by_exprs([col("year"), col("m_rank"), col("member_id"), col("graduation_year"), col("c_rank")], SortMultipleOptions::default());
    let by_member = pick(
        by_member,
        &["year", "member_id", "graduation_year", "class", "count", "flag", "graduates", "graduates_flag", "share", "lag", "revised"],
    )
    .collect()?;

    // The intake: the enrolment table's survey rows (intake and new students) and Vipunen's
    // new students, for the members and the members together, in the survey years.
    let meta_i = meta_intake.lazy().select([col("year"), col("member_id"), col("qualification_code"), col("source"), col("members_included"), col("revised")]);
    let keys = [col("year"), col("member_id"), col("qualification_code"), col("source")];
    let intake = enrol
        .filter(col("source").eq(lit("survey")).or(col("member_id").neq(lit(crate::stages::transform::NATIONAL)).and(col("member_id").neq(lit(crate::stages::transform::NON_MEMBERS)))))
        .join(meta_i, keys.clone(), keys, JoinArgs::new(JoinType::Inner));
    let intake = pick(
        intake,
        &[
            "year", "member_id", "qualification_code", "source", "start_places", "applicants", "applicants_flag", "first_choice_applicants",
            "first_choice_applicants_flag", "new_students", "new_students_flag", "applicants_per_place", "members_included", "revised",
        ],
    )
    .collect()?;
    Ok(Trends { placement, by_member, intake, log })
}

