//! Key figures and the reconciliation check, from the attributed Vipunen rows.
//!
//! - **key_figures**: per year and field (music, dance): new students, students, graduates and
//!   providers in the whole country, the members' part of each and its share — the figures the
//!   association prints in its strategy, now computed every year.
//! - **reconciliation**: per member × qualification × graduation year, the graduates a return
//!   reports against the graduates Vipunen counts for the member's provider id, with the
//!   difference, the ratio and a flag beyond the tolerance: the association's check that the
//!   returns are complete. Internal: it is not a published table.

use polars::prelude::*;

use crate::config::Config;

/// Key figures in a tidy shape: `year, field, measure, national, members, members_share`.
pub fn key_figures(attributed: LazyFrame, config: &Config) -> LazyFrame {
    let (codes, fields): (Vec<String>, Vec<String>) = config
        .pipeline
        .publish_qualifications
        .iter()
        .filter_map(|q| config.catalogue.get(*q).map(|x| (q.as_string(), x.field.clone())))
        .unzip();
    let field_of = df!("qualification_code" => codes, "field" => fields).expect("two equal columns").lazy();
    let rows = attributed.join(field_of, [col("qualification_code")], [col("qualification_code")], JoinArgs::new(JoinType::Inner));
    let totals = |lf: LazyFrame, prefix: &str| {
        lf.group_by([col("year"), col("field")]).agg([
            col("new_students").sum().alias(format!("{prefix}new_students")),
            col("students").sum().alias(format!("{prefix}students")),
            col("graduates").sum().alias(format!("{prefix}graduates")),
            col("provider_id").filter(col("students").gt(lit(0))).n_unique().cast(DataType::Int64).alias(format!("{prefix}providers")),
        ])
    };
    let national = totals(rows.clone(), "n_");
    let members = totals(rows.filter(col("member_id").is_not_null()), "m_");
    let both = national.join(members, [col("year"), col("field")], [col("year"), col("field")], JoinArgs::new(JoinType::Left));
    let measures = ["new_students", "students", "graduates", "providers"];
    let tidy = concat(
        measures
            .iter()
            .enumerate()
            .map(|(rank, m)| {
                let national = col(format!("n_{m}"));
                let members = col(format!("m_{m}")).fill_null(lit(0i64));
                both.clone().select([
                    col("year"),
                    col("field"),
                    lit(*m).alias("measure"),
                    lit(rank as u32).alias("rank"),
                    national.clone().alias("national"),
                    members.clone().alias("members"),
                    when(national.clone().gt(lit(0)))
                        .then((members.cast(DataType::Float64) / national.cast(DataType::Float64)).round(4, RoundMode::HalfToEven))
                        .otherwise(lit(NULL).cast(DataType::Float64))
                        .alias("members_share"),
                ])
            })
            .collect::<Vec<_>>(),
        UnionArgs::default(),
    )
    .expect("same schema");
    tidy.sort_by_exprs([col("year"), col("field"), col("rank")], SortMultipleOptions::default())
        .select([col("year"), col("field"), col("measure"), col("national"), col("members"), col("members_share")])
}

/// Graduates reported by the returns against Vipunen's, for the members that returned and
/// the graduation years surveyed (`year − 5 … year`).
pub fn reconciliation(survey: LazyFrame, attributed: LazyFrame, year: i32, tolerance: f64) -> LazyFrame {
    let keys = [col("member_id"), col("qualification_code"), col("year")];
    let reported = survey
        .with_column(col("graduation_year").alias("year"))
        .group_by(keys.clone())
        .agg([col("graduates").sum().alias("survey_graduates")]);
    let returned = reported.clone().select([col("member_id")]).unique(None, UniqueKeepStrategy::Any);
    let public = attributed
        .filter(col("member_id").is_not_null().and(col("year").gt_eq(lit(year - 5))).and(col("year").lt_eq(lit(year))))
        .join(returned, [col("member_id")], [col("member_id")], JoinArgs::new(JoinType::Inner))
        .group_by(keys.clone())
        .agg([col("graduates").sum().alias("vipunen_graduates")]);
    let years_reported = reported.clone().select([col("member_id"), col("year")]).unique(None, UniqueKeepStrategy::Any);
    // Vipunen rows only for the years a member surveyed: a return covers the years it lists.
    let public = public.join(
        years_reported,
        [col("member_id"), col("year")],
        [col("member_id"), col("year")],
        JoinArgs::new(JoinType::Inner),
    );
    let diff = col("survey_graduates").fill_null(lit(0i64)) - col("vipunen_graduates").fill_null(lit(0i64));
    let ratio = when(col("vipunen_graduates").gt(lit(0)))
        .then(col("survey_graduates").fill_null(lit(0i64)).cast(DataType::Float64) / col("vipunen_graduates").cast(DataType::Float64))
        .otherwise(lit(NULL).cast(DataType::Float64));
    reported
        .join(public, keys.clone(), keys.clone(), JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns))
        .with_columns([diff.alias("difference"), ratio.clone().round(3, RoundMode::HalfToEven).alias("ratio")])
        .with_column(
            ratio
                .clone()
                .is_null()
                .or(ratio.clone().gt(lit(1.0 + tolerance)))
                .or(ratio.lt(lit(1.0 - tolerance)))
                .alias("flagged"),
        )
        .sort(["member_id", "qualification_code", "year"], SortMultipleOptions::default())
        .select([
            col("member_id"),
            col("qualification_code"),
            col("year").alias("graduation_year"),
            col("survey_graduates"),
            col("vipunen_graduates"),
            col("difference"),
            col("ratio"),
            col("flagged"),
        ])
}
