//! Stage 3, transform: validated survey rows and public snapshots → the statistics tables.
//!
//! In: `stages/ingest/{placement,students}.parquet`, `stages/fetch/{enrolment,applicants}.parquet`
//! and the member registry. Out: `stages/transform/{placement,placement_by_member,enrolment,
//! key_figures,reconciliation,applicants}.parquet`, unsuppressed (the disclose stage decides what may be
//! published).
//!
//! - placement: member × qualification × orientation × graduation year × status → count, the
//!   group's graduates and share; with `all` rows for the association, for all orientations of a
//!   qualification and for all qualifications.
//! - placement_by_member: member × graduation year × class (studies, employed, other,
//!   unknown) → count, graduates, share: what is published per member.
//! - enrolment: year × member × qualification → new students, students, graduates from Vipunen
//!   (members by the Y-tunnus valid in that year; `all` = members together; `national` = every
//!   provider) and from the survey (statistical year only).
//! - applicants (when the pipeline has the `applicants` source): Vipunen's joint-application
//!   figures beside the survey's for the same members, flagged beyond the tolerance
//!   ([`applicants()`]).

pub mod applicants;
mod benchmark;
mod figures;
pub mod trend;

pub use applicants::applicants;
pub use benchmark::{CLASSES as BENCHMARK_CLASSES, placement_benchmark};
pub use figures::{key_figures, reconciliation};

use polars::prelude::*;

use super::{Stage, StageReport, load, persist};
use crate::config::Config;
use crate::domain::{PlacementClass, PlacementStatus};
use crate::{FrameContext, Result};

/// The key of a total over members, qualifications or orientations.
pub const ALL: &str = "all";
/// The member key of all providers in the country.
pub const NATIONAL: &str = "national";
/// The member key of the providers that are not members, together.
pub const NON_MEMBERS: &str = "non_members";

/// Computes the placement and enrolment tables.
pub fn run(config: &Config) -> Result<StageReport> {
    let mut report = StageReport::new(Stage::Transform);
    let survey = load(config, &mut report, Stage::Ingest, "placement")?;
    let students = load(config, &mut report, Stage::Ingest, "students")?;
    let vipunen = load(config, &mut report, Stage::Fetch, "enrolment")?;
    let survey_all = survey.clone();
    let mut placement = placement(survey.clone().lazy()).and_then(LazyFrame::collect).ctx("placement table")?;
    let attributed = attributed(vipunen.lazy(), config).ctx("member registry")?;
    let attributed_all = attributed.clone();
    let mut enrolment = enrolment(attributed.clone(), survey_enrolment(students.clone().lazy(), survey.clone().lazy(), config.year))
        .collect()
        .ctx("enrolment table")?;
    let mut figures = key_figures(attributed.clone(), config).collect().ctx("key figures")?;
    let tolerance = config.pipeline.reconciliation.tolerance;
    let mut check = reconciliation(survey.lazy(), attributed, config.year, tolerance).collect().ctx("reconciliation")?;
    let mut by_member = placement_by_member(placement.clone().lazy()).collect().ctx("placement by member")?;
    persist(config, &mut report, "placement", &mut placement)?;
    persist(config, &mut report, "placement_by_member", &mut by_member)?;
    persist(config, &mut report, "enrolment", &mut enrolment)?;
    persist(config, &mut report, "key_figures", &mut figures)?;
    persist(config, &mut report, "reconciliation", &mut check)?;
    let codes: Vec<String> = config.pipeline.publish_qualifications.iter().map(|q| q.as_string()).collect();
    let public_applicants =
        if config.pipeline.sources.contains_key("applicants") { Some(load(config, &mut report, Stage::Fetch, "applicants")?) } else { None };
    // The trend tables: every survey year present (see `stages::history`).
    let every = trend::every_year(survey_all.clone(), load(config, &mut report, Stage::Ingest, "history_placement")?).ctx("placement rows of every year")?;
    let every_students = trend::every_year(students.clone(), load(config, &mut report, Stage::Ingest, "history_students")?).ctx("students rows of every year")?;
    let revisions = load(config, &mut report, Stage::Ingest, "revisions")?.lazy();
    // The earlier years' own tables, as each year's run would compute them today: disclose
    // suppresses each year as the year's own problem and takes the trend from them.
    let earlier = col("year").lt(lit(config.year));
    let mut t = self::placement(every.clone().filter(earlier.clone())).and_then(LazyFrame::collect).ctx("earlier years' placement")?;
    let mut t2 = placement_by_member(t.clone().lazy()).collect().ctx("earlier years' placement by member")?;
    persist(config, &mut report, "history_placement", &mut t)?;
    persist(config, &mut report, "history_placement_by_member", &mut t2)?;
    let own_every = survey_enrolment_every(every_students.clone().filter(earlier.clone()), every.clone().filter(earlier));
    let survey_years = every_students.clone().select([col("year")]).unique(None, UniqueKeepStrategy::Any);
    let public_earlier = attributed_all
        .clone()
        .filter(col("year").lt(lit(config.year)))
        .join(survey_years, [col("year")], [col("year")], JoinArgs::new(JoinType::Inner));
    let mut t = self::enrolment(public_earlier, own_every).collect().ctx("earlier years' enrolment")?;
    persist(config, &mut report, "history_enrolment", &mut t)?;
    let mut t = trend::placement_trend(every.clone(), revisions.clone()).and_then(LazyFrame::collect).ctx("placement trend")?;
    persist(config, &mut report, "placement_trend", &mut t)?;
    let mut t = trend::placement_by_member_trend(every, revisions.clone()).and_then(LazyFrame::collect).ctx("placement by member trend")?;
    persist(config, &mut report, "placement_by_member_trend", &mut t)?;
    let periods = member_periods(config).ctx("member registry")?;
    let app = public_applicants.clone().map(|a| trend::attributed_applicants(a.lazy(), periods.clone(), &codes));
    let mut t = trend::intake_trend(every_students, attributed_all, app, revisions).and_then(LazyFrame::collect).ctx("intake trend")?;
    persist(config, &mut report, "intake_trend", &mut t)?;
    if let Some(public) = public_applicants {
        let mut table = applicants(public.lazy(), students.lazy(), member_periods(config).ctx("member registry")?, &codes, config.year, tolerance)
            .collect()
            .ctx("applicants reconciliation")?;
        persist(config, &mut report, "applicants", &mut table)?;
    }
    Ok(report)
}

/// Sets some key columns to a constant (`all`) and sums the value columns by the keys.
fn group_sum(lf: LazyFrame, keys: &[&str], values: &[&str], set: &[(&str, &str)]) -> LazyFrame {
    let lf = if set.is_empty() { lf } else { lf.with_columns(set.iter().map(|(c, v)| lit(*v).alias(*c)).collect::<Vec<_>>()) };
    lf.group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
        .agg(values.iter().map(|v| col(*v).sum()).collect::<Vec<_>>())
}

/// Sort keys for text key columns that put the `all` / `national` rows after the others.
fn totals_last(cols: &[&str]) -> Vec<Expr> {
    cols.iter()
        .flat_map(|c| {
            let rank = when(col(*c).eq(lit(ALL)))
                .then(lit(1))
                .when(col(*c).eq(lit(NON_MEMBERS)))
                .then(lit(2))
                .when(col(*c).eq(lit(NATIONAL)))
                .then(lit(3))
                .otherwise(lit(0));
            [rank, col(*c)]
        })
        .collect()
}

/// Survey placement rows (wide, one column per status) → the long placement table with totals
/// and shares.
pub fn placement(survey: LazyFrame) -> PolarsResult<LazyFrame> {
    let keys = ["year", "member_id", "qualification_code", "orientation", "graduation_year"];
    let long = concat(
        PlacementStatus::ALL
            .iter()
            .enumerate()
            .map(|(rank, s)| {
                survey.clone().select(
                    keys.iter()
                        .map(|k| col(*k))
                        .chain([
                            lit(s.code()).alias("status"),
                            lit(rank as u32).alias("status_rank"),
                            col(s.code()).alias("count"),
                        ])
                        .collect::<Vec<_>>(),
                )
            })
            .collect::<Vec<_>>(),
        UnionArgs::default(),
    )
    .expect("same schema in every status block");
    let group: Vec<&str> = keys.iter().copied().chain(["status", "status_rank"]).collect();
    let levels: [&[(&str, &str)]; 6] = [
        &[],
        &[("orientation", ALL)],
        &[("qualification_code", ALL), ("orientation", ALL)],
        &[("member_id", ALL)],
        &[("member_id", ALL), ("orientation", ALL)],
        &[("member_id", ALL), ("qualification_code", ALL), ("orientation", ALL)],
    ];
    let all = concat(
        levels.iter().map(|set| group_sum(long.clone(), &group, &["count"], set)).collect::<Vec<_>>(),
        UnionArgs::default(),
    )
    .expect("same schema at every level");
    let group: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    let n = col("count").sum().over(group.clone())?;
    let unknown = col("count").filter(col("status").eq(lit("unknown"))).sum().over(group)?;
    Ok(all
        .with_columns([n.alias("graduates"), unknown.alias("unknown_in_group")])
        .with_column(
            when(col("graduates").gt(lit(0)))
                .then(col("count").cast(DataType::Float64) / col("graduates").cast(DataType::Float64))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("share"),
        )
        .with_columns([
            (col("year") - col("graduation_year")).alias("lag"),
            when(col("graduates").gt(lit(0)))
                .then(
                    ((col("graduates") - col("unknown_in_group")).cast(DataType::Float64) / col("graduates").cast(DataType::Float64))
                        .round(4, RoundMode::HalfToEven),
                )
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("coverage"),
        ])
        .sort_by_exprs(
            [vec![col("year")], totals_last(&["member_id", "qualification_code", "orientation"]), vec![col("graduation_year"), col("status_rank")]]
                .concat(),
            SortMultipleOptions::default(),
        )
        .select([
            col("year"),
            col("member_id"),
            col("qualification_code"),
            col("orientation"),
            col("graduation_year"),
            col("status"),
            col("count"),
            col("graduates"),
            col("share"),
            col("lag"),
            col("coverage"),
        ]))
}

/// The member-level placement table: the placement table's member totals (all
/// qualifications and orientations) in the four [`PlacementClass`]es, one row per member ×
/// graduation year × class, with the association as `all`.
///
/// Columns: `year, member_id, graduation_year, class, count, graduates, share, lag`.
pub fn placement_by_member(placement: LazyFrame) -> LazyFrame {
    let mut class = lit(NULL).cast(DataType::String);
    let mut rank = lit(NULL).cast(DataType::UInt32);
    for s in PlacementStatus::ALL {
        let c = PlacementClass::of(s);
        let k = PlacementClass::ALL.iter().position(|x| *x == c).unwrap_or(0) as u32;
        class = when(col("status").eq(lit(s.code()))).then(lit(c.code())).otherwise(class);
        rank = when(col("status").eq(lit(s.code()))).then(lit(k)).otherwise(rank);
    }
    let keys = ["year", "member_id", "graduation_year"];
    placement
        .filter(col("qualification_code").eq(lit(ALL)).and(col("orientation").eq(lit(ALL))))
        .with_columns([class.alias("class"), rank.alias("class_rank")])
        .group_by(keys.iter().chain(&["class", "class_rank"]).map(|k| col(*k)).collect::<Vec<_>>())
        .agg([col("count").sum(), col("graduates").first()])
        .with_column(
            when(col("graduates").gt(lit(0)))
                .then(col("count").cast(DataType::Float64) / col("graduates").cast(DataType::Float64))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("share"),
        )
        .with_column((col("year") - col("graduation_year")).alias("lag"))
        .sort_by_exprs(
            [vec![col("year")], totals_last(&["member_id"]), vec![col("graduation_year"), col("class_rank")]].concat(),
            SortMultipleOptions::default(),
        )
        .select(["year", "member_id", "graduation_year", "class", "count", "graduates", "share", "lag"].map(col))
}

/// The enrolment table from the Vipunen rows (`stages/fetch/enrolment`) and the survey's
/// students and placement rows (`stages/ingest/…`).
pub fn enrolment_table(vipunen: LazyFrame, students: LazyFrame, placement: LazyFrame, config: &Config) -> PolarsResult<DataFrame> {
    let public = attributed(vipunen, config)?;
    let own = survey_enrolment(students, placement, config.year);
    enrolment(public, own).collect()
}

/// The Vipunen rows of the published qualifications and years, each attributed to the member
/// whose provider id it was in that year (or to none): `year, provider_id, member_id,
/// qualification_code` and the counts.
pub fn attributed(vipunen: LazyFrame, config: &Config) -> PolarsResult<LazyFrame> {
    Ok(vipunen_enrolment(vipunen, member_periods(config)?, config))
}

/// The registry as a join table: `member_id, provider_id, valid_from, valid_to`.
fn member_periods(config: &Config) -> PolarsResult<LazyFrame> {
    let periods: Vec<_> = config.registry.periods().collect();
    Ok(df!(
        "member_id" => periods.iter().map(|(m, _)| m.id.as_str()).collect::<Vec<_>>(),
        "provider_id" => periods.iter().map(|(_, p)| p.ytunnus.as_str()).collect::<Vec<_>>(),
        "valid_from" => periods.iter().map(|(_, p)| p.valid_from).collect::<Vec<_>>(),
        "valid_to" => periods.iter().map(|(_, p)| p.valid_to).collect::<Vec<_>>(),
    )?
    .lazy())
}

/// The person counts of the enrolment figures.
pub const COUNTS: [&str; 3] = ["new_students", "students", "graduates"];
/// The intake figures only the survey has (start places, and applicants as persons).
pub const INTAKE: [&str; 3] = ["start_places", "applicants", "first_choice_applicants"];

/// Vipunen rows of the published qualifications, each attributed to the member whose provider
/// id it was in that year (or to no member).
fn vipunen_enrolment(vipunen: LazyFrame, members: LazyFrame, config: &Config) -> LazyFrame {
    let codes: Vec<String> = config.pipeline.publish_qualifications.iter().map(|q| q.as_string()).collect();
    let codes = Series::new("codes".into(), codes);
    let valid = (col("valid_from").is_null().or(col("year").gt_eq(col("valid_from"))))
        .and(col("valid_to").is_null().or(col("year").lt_eq(col("valid_to"))));
    vipunen
        .filter(
            col("qualification_code")
                .is_in(lit(codes).implode(false), false)
                .and(col("year").gt_eq(lit(config.pipeline.first_year)))
                .and(col("year").lt_eq(lit(config.year))),
        )
        .join(members, [col("provider_id")], [col("provider_id")], JoinArgs::new(JoinType::Left))
        .with_column(when(valid).then(col("member_id")).otherwise(lit(NULL).cast(DataType::String)).alias("member_id"))
        .select(
            [col("year"), col("provider_id"), col("member_id"), col("qualification_code")]
                .into_iter()
                .chain(COUNTS.map(|c| col(c).fill_null(lit(0i64))))
                .collect::<Vec<_>>(),
        )
}

/// The survey's own enrolment figures for the statistical year: new students and students from
/// the students sheet, graduates of that year from the placement sheet.
fn survey_enrolment(students: LazyFrame, placement: LazyFrame, year: i32) -> LazyFrame {
    let keys = [col("year"), col("member_id"), col("qualification_code")];
    let zero = |c: &str| lit(0i64).cast(DataType::Int64).alias(c);
    let a = students.select(
        keys.iter()
            .cloned()
            .chain([col("new_students"), col("students"), zero("graduates")])
            .chain(INTAKE.map(col))
            .collect::<Vec<_>>(),
    );
    let b = placement.filter(col("graduation_year").eq(lit(year))).select(
        keys.iter()
            .cloned()
            .chain([zero("new_students"), zero("students"), col("graduates")])
            .chain(INTAKE.map(zero))
            .collect::<Vec<_>>(),
    );
    concat([a, b], UnionArgs::default()).expect("same schema")
}

/// The survey's own enrolment figures of every year in the rows: as [`survey_enrolment`], each
/// year's graduates those of its own graduation year.
fn survey_enrolment_every(students: LazyFrame, placement: LazyFrame) -> LazyFrame {
    let keys = [col("year"), col("member_id"), col("qualification_code")];
    let zero = |c: &str| lit(0i64).cast(DataType::Int64).alias(c);
    let a = students.select(keys.iter().cloned().chain([col("new_students"), col("students"), zero("graduates")]).chain(INTAKE.map(col)).collect::<Vec<_>>());
    let b = placement
        .filter(col("graduation_year").eq(col("year")))
        .select(keys.iter().cloned().chain([zero("new_students"), zero("students"), col("graduates")]).chain(INTAKE.map(zero)).collect::<Vec<_>>());
    concat([a, b], UnionArgs::default()).expect("same schema")
}

/// Members one by one, members together and (for Vipunen) the nation, by qualification and
/// for all of them.
fn enrolment(public: LazyFrame, own: LazyFrame) -> LazyFrame {
    let keys = ["year", "member_id", "qualification_code"];
    let with_intake: Vec<&str> = COUNTS.iter().chain(INTAKE.iter()).copied().collect();
    let no_intake = INTAKE.map(|c| lit(NULL).cast(DataType::Int64).alias(c));
    // Vipunen has no intake figures: its rows carry them empty, not as zeros.
    let by = |lf: &LazyFrame, set: &[(&str, &str)]| group_sum(lf.clone(), &keys, &COUNTS, set).with_columns(no_intake.clone());
    let member_rows = public.clone().filter(col("member_id").is_not_null());
    let mut parts = Vec::new();
    let levels: [&[(&str, &str)]; 4] =
        [&[], &[("qualification_code", ALL)], &[("member_id", ALL)], &[("member_id", ALL), ("qualification_code", ALL)]];
    for set in levels {
        parts.push(by(&member_rows, set).with_column(lit("vipunen").alias("source")));
        parts.push(group_sum(own.clone(), &keys, &with_intake, set).with_column(lit("survey").alias("source")));
    }
    let others = public.clone().filter(col("member_id").is_null());
    for (lf, who) in [(&public, NATIONAL), (&others, NON_MEMBERS)] {
        for set in [&[("member_id", who)][..], &[("member_id", who), ("qualification_code", ALL)]] {
            parts.push(by(lf, set).with_column(lit("vipunen").alias("source")));
        }
    }
    concat(parts, UnionArgs::default())
        .expect("same schema")
        .with_columns(COUNTS.iter().chain(INTAKE.iter()).map(|c| col(*c).cast(DataType::Int64)).collect::<Vec<_>>())
        .with_column(
            when(col("start_places").gt(lit(0)))
                .then((col("applicants").cast(DataType::Float64) / col("start_places").cast(DataType::Float64)).round(2, RoundMode::HalfToEven))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("applicants_per_place"),
        )
        .sort_by_exprs(
            [vec![col("year")], totals_last(&["member_id", "qualification_code"]), vec![col("source")]].concat(),
            SortMultipleOptions::default(),
        )
        .select([
            col("year"),
            col("member_id"),
            col("qualification_code"),
            col("new_students"),
            col("students"),
            col("graduates"),
            col("source"),
            col("start_places"),
            col("applicants"),
            col("first_choice_applicants"),
            col("applicants_per_place"),
        ])
}
