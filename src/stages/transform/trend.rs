//! The trend tables: what the members reported across every survey year present, beside the
//! year's own tables.
//!
//! In: the survey rows of the run's year and of the earlier years (`stages/ingest/{placement,
//! students}` and `history_{placement,students}`), the revisions (`stages/ingest/revisions`),
//! the Vipunen enrolment rows attributed to members and, when configured, the decoded
//! applicants. Out (unsuppressed):
//!
//! - `placement_trend`: the association by survey year × cohort (graduation year) × lag, in
//!   the eight statuses (`class` = the status's class) and in the four classes (`status` =
//!   `all`);
//! - `placement_by_member_trend`: each member and the association in the four classes one
//!   year after graduation, every cohort;
//! - `intake_trend`: start places, applicants, first-choice applicants and new students per
//!   member, qualification and year, and for the members together (`all`), from the survey and
//!   from Vipunen.
//!
//! Every row carries `members_included` (the members whose figures it holds: the returns included that
//! year, or for Vipunen the members the registry holds valid that year) and `revised` (a
//! return of that year changed since the year's run published).

use polars::prelude::*;

use super::{ALL, INTAKE, placement, placement_by_member, totals_last};
use crate::domain::{PlacementClass, PlacementStatus};

/// The survey rows of every year: the run year's and the earlier years', in one frame.
pub fn every_year(this: DataFrame, earlier: DataFrame) -> PolarsResult<LazyFrame> {
    let earlier = earlier.lazy().select(this.get_column_names().into_iter().map(|c| col(c.clone()).cast(this.column(c).map(|s| s.dtype().clone()).unwrap_or(DataType::Null))).collect::<Vec<_>>());
    Ok(concat([this.lazy(), earlier], UnionArgs::default())?)
}

/// `year, revised`: every year of `years`, `revised` false where no revision was found.
fn revised(years: LazyFrame, revisions: LazyFrame) -> LazyFrame {
    years
        .select([col("year")])
        .unique(None, UniqueKeepStrategy::Any)
        .join(revisions.select([col("year"), col("revised")]), [col("year")], [col("year")], JoinArgs::new(JoinType::Left))
        .with_column(col("revised").fill_null(lit(false)))
}

/// Members whose returns the survey rows of each year hold: `year, members`.
fn members_per_year(rows: LazyFrame) -> LazyFrame {
    rows.group_by([col("year")]).agg([col("member_id").n_unique().cast(DataType::Int64).alias("members_included")])
}

/// The association's placement by year, cohort and lag, in statuses and classes.
pub fn placement_trend(survey: LazyFrame, revisions: LazyFrame) -> PolarsResult<LazyFrame> {
    let table = placement(survey.clone())?
        .filter(col("member_id").eq(lit(ALL)).and(col("qualification_code").eq(lit(ALL))).and(col("orientation").eq(lit(ALL))));
    let mut class = lit(NULL).cast(DataType::String);
    for s in PlacementStatus::ALL {
        class = when(col("status").eq(lit(s.code()))).then(lit(PlacementClass::of(s).code())).otherwise(class);
    }
    let cols = ["year", "graduation_year", "lag", "class", "status", "count", "graduates", "share"];
    let statuses = table.clone().with_column(class.alias("class")).select(cols.map(col));
    let classes = placement_by_member(table).with_column(lit(ALL).alias("status")).select(cols.map(col));
    Ok(rank(concat([statuses, classes], UnionArgs::default())?)
        .join(members_per_year(survey.clone()), [col("year")], [col("year")], JoinArgs::new(JoinType::Left))
        .join(revised(survey, revisions), [col("year")], [col("year")], JoinArgs::new(JoinType::Left))
        .sort_by_exprs([col("year"), col("graduation_year"), col("class_rank"), col("status_rank")], SortMultipleOptions::default())
        .select(cols.iter().chain(&["members_included", "revised"]).map(|c| col(*c)).collect::<Vec<_>>()))
}

/// Sort ranks of class and status (the class row after its statuses).
fn rank(lf: LazyFrame) -> LazyFrame {
    let mut c = lit(99u32);
    for (k, x) in PlacementClass::ALL.iter().enumerate() {
        c = when(col("class").eq(lit(x.code()))).then(lit(k as u32)).otherwise(c);
    }
    let mut s = lit(99u32);
    for (k, x) in PlacementStatus::ALL.iter().enumerate() {
        s = when(col("status").eq(lit(x.code()))).then(lit(k as u32)).otherwise(s);
    }
    lf.with_columns([c.alias("class_rank"), s.alias("status_rank")])
}

/// Each member (and the association) in the four classes one year after graduation, every
/// cohort.
pub fn placement_by_member_trend(survey: LazyFrame, revisions: LazyFrame) -> PolarsResult<LazyFrame> {
    let mut class_rank = lit(99u32);
    for (k, x) in PlacementClass::ALL.iter().enumerate() {
        class_rank = when(col("class").eq(lit(x.code()))).then(lit(k as u32)).otherwise(class_rank);
    }
    Ok(placement_by_member(placement(survey.clone())?)
        .filter(col("lag").eq(lit(1)))
        .join(revised(survey, revisions), [col("year")], [col("year")], JoinArgs::new(JoinType::Left))
        .with_column(class_rank.alias("class_rank"))
        .sort_by_exprs([vec![col("year")], totals_last(&["member_id"]), vec![col("graduation_year"), col("class_rank")]].concat(), SortMultipleOptions::default())
        .select(["year", "member_id", "graduation_year", "class", "count", "graduates", "share", "lag", "revised"].map(col)))
}

/// The intake columns of the trend, in order.
pub const INTAKE_TREND: [&str; 4] = ["start_places", "applicants", "first_choice_applicants", "new_students"];

/// Intake per member, qualification and year, and for the members together, by the survey and
/// by Vipunen. `students`: the survey's students rows of every year; `attributed`: Vipunen's
/// enrolment rows attributed to members; `applicants`: Vipunen's decoded applicants already
/// attributed (`year, member_id, qualification_code, start_places, applicants,
/// first_choice_applicants`), when configured.
pub fn intake_trend(students: LazyFrame, attributed: LazyFrame, applicants: Option<LazyFrame>, revisions: LazyFrame) -> PolarsResult<LazyFrame> {
    let keys = ["year", "member_id", "qualification_code"];
    let years = students.clone().select([col("year")]).unique(None, UniqueKeepStrategy::Any);
    let levels: [&[(&str, &str)]; 4] = [&[], &[("qualification_code", ALL)], &[("member_id", ALL)], &[("member_id", ALL), ("qualification_code", ALL)]];
    let with_members = |lf: LazyFrame| lf.with_column(col("member_id").alias("m"));
    let sums = |lf: LazyFrame, set: &[(&str, &str)]| {
        let lf = if set.is_empty() { lf } else { lf.with_columns(set.iter().map(|(c, v)| lit(*v).alias(*c)).collect::<Vec<_>>()) };
        lf.group_by(keys.map(col)).agg(
            INTAKE_TREND
                .iter()
                .map(|c| when(col(*c).count().gt(lit(0))).then(col(*c).sum()).otherwise(lit(NULL).cast(DataType::Int64)).alias(*c))
                .chain([col("m").n_unique().cast(DataType::Int64).alias("members_included")])
                .collect::<Vec<_>>(),
        )
    };
    let own = with_members(students.select(keys.iter().chain(INTAKE_TREND.iter()).map(|c| col(*c).alias(*c)).collect::<Vec<_>>()));
    // Vipunen: new students from the enrolment rows, the joint application from the applicants;
    // members by the Y-tunnus valid in the year, in the survey's years.
    let new = attributed
        .filter(col("member_id").is_not_null())
        .group_by(keys.map(col))
        .agg([col("new_students").sum().cast(DataType::Int64)]);
    let public = match applicants {
        Some(a) => new.join(
            a.group_by(keys.map(col)).agg(INTAKE.iter().map(|c| col(*c).sum().cast(DataType::Int64)).collect::<Vec<_>>()),
            keys.map(col),
            keys.map(col),
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        ),
        None => new.with_columns(INTAKE.map(|c| lit(NULL).cast(DataType::Int64).alias(c))),
    }
    .join(years, [col("year")], [col("year")], JoinArgs::new(JoinType::Inner));
    let public = with_members(public.select(keys.iter().chain(INTAKE_TREND.iter()).map(|c| col(*c)).collect::<Vec<_>>()));
    let mut parts = Vec::new();
    for set in levels {
        parts.push(sums(own.clone(), set).with_column(lit("survey").alias("source")));
        parts.push(sums(public.clone(), set).with_column(lit("vipunen").alias("source")));
    }
    Ok(concat(parts, UnionArgs::default())?
        .with_columns(INTAKE_TREND.map(|c| col(c).cast(DataType::Int64)))
        .with_column(
            when(col("start_places").gt(lit(0)))
                .then((col("applicants").cast(DataType::Float64) / col("start_places").cast(DataType::Float64)).round(2, RoundMode::HalfToEven))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("applicants_per_place"),
        )
        .join(revised(own, revisions), [col("year")], [col("year")], JoinArgs::new(JoinType::Left))
        .sort_by_exprs([vec![col("year")], totals_last(&["member_id", "qualification_code"]), vec![col("source")]].concat(), SortMultipleOptions::default())
        .select(
            keys.iter()
                .chain(&["source"])
                .chain(INTAKE_TREND.iter())
                .chain(&["applicants_per_place", "members_included", "revised"])
                .map(|c| col(*c))
                .collect::<Vec<_>>(),
        ))
}

/// Vipunen's applicants attributed to members by the Y-tunnus valid in the year.
pub fn attributed_applicants(vipunen: LazyFrame, members: LazyFrame, codes: &[String]) -> LazyFrame {
    let codes = Series::new("codes".into(), codes.to_vec());
    let valid = (col("valid_from").is_null().or(col("year").gt_eq(col("valid_from"))))
        .and(col("valid_to").is_null().or(col("year").lt_eq(col("valid_to"))));
    vipunen
        .filter(col("qualification_code").is_in(lit(codes).implode(false), false))
        .join(members, [col("provider_id")], [col("provider_id")], JoinArgs::new(JoinType::Inner))
        .filter(valid)
        .select([col("year"), col("member_id"), col("qualification_code")].into_iter().chain(INTAKE.map(col)).collect::<Vec<_>>())
}

