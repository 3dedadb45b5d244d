//! The applicants reconciliation: Vipunen's joint-application figures for the members that
//! returned the survey, beside the survey's own intake figures for the same members, with the
//! ratio of each compared figure and a flag beyond the tolerance.
//!
//! In: the decoded Vipunen applicants (`stages/fetch/applicants`: start year × provider ×
//! qualification, options, terms and rounds summed), the survey's students rows and the
//! registry. Out: one row per member × qualification of the statistical year (start year =
//! statistical year), with `all` for a member's qualifications together, for the members
//! together and for both: `year, member_id, qualification_code`, Vipunen's
//! [`VIPUNEN`] figures, the survey's [`SURVEY`] figures, a ratio per [`COMPARED`] pair
//! (survey / Vipunen) and `flagged`.
//!
//! A compared figure is flagged when its ratio is off by more than the tolerance, or when one
//! side has it and the other has none (both 0 agree). Vipunen's applicants are distinct persons
//! per application option, summed over the options of a qualification: a person who applied to
//! two orientations of one school counts twice, as in most returns. Rows are attributed to the
//! member whose Y-tunnus the provider had in that year; members that returned no students
//! sheet are left out (no survey figures to compare with).

use polars::prelude::*;

use super::{ALL, totals_last};

/// Vipunen's figures, as published.
pub const VIPUNEN: [&str; 5] =
    ["vipunen_start_places", "vipunen_applicants", "vipunen_first_choice_applicants", "vipunen_accepted", "vipunen_enrolled"];
/// The decoded applicants frame's columns the [`VIPUNEN`] columns are made of, in order.
const VIPUNEN_FROM: [&str; 5] = ["start_places", "applicants", "first_choice_applicants", "accepted", "enrolled"];
/// The survey's figures for the same members, as published.
pub const SURVEY: [&str; 4] = ["survey_start_places", "survey_applicants", "survey_first_choice_applicants", "survey_new_students"];
/// The compared pairs: Vipunen's column, the survey's, and their ratio (survey / Vipunen).
pub const COMPARED: [(&str, &str, &str); 3] = [
    ("vipunen_start_places", "survey_start_places", "start_places_ratio"),
    ("vipunen_applicants", "survey_applicants", "applicants_ratio"),
    ("vipunen_first_choice_applicants", "survey_first_choice_applicants", "first_choice_ratio"),
];
/// The survey's students columns the [`SURVEY`] columns are made of, in order.
const SURVEY_FROM: [&str; 4] = ["start_places", "applicants", "first_choice_applicants", "new_students"];

/// The reconciliation table (unsuppressed). `vipunen` is the decoded applicants frame,
/// `students` the survey's students rows, `members` the registry as `member_id, provider_id,
/// valid_from, valid_to`, `codes` the published qualification codes.
pub fn applicants(vipunen: LazyFrame, students: LazyFrame, members: LazyFrame, codes: &[String], year: i32, tolerance: f64) -> LazyFrame {
    let keys = ["member_id", "qualification_code"];
    let codes = Series::new("codes".into(), codes.to_vec());
    let valid = (col("valid_from").is_null().or(col("year").gt_eq(col("valid_from"))))
        .and(col("valid_to").is_null().or(col("year").lt_eq(col("valid_to"))));
    let own = students
        .filter(col("year").eq(lit(year)))
        .group_by(keys.map(col))
        .agg(SURVEY_FROM.iter().zip(SURVEY).map(|(from, to)| col(*from).sum().cast(DataType::Int64).alias(to)).collect::<Vec<_>>());
    let returned = own.clone().select([col("member_id")]).unique(None, UniqueKeepStrategy::Any);
    let public = vipunen
        .filter(col("year").eq(lit(year)).and(col("qualification_code").is_in(lit(codes).implode(false), false)))
        .join(members, [col("provider_id")], [col("provider_id")], JoinArgs::new(JoinType::Inner))
        .filter(valid)
        .join(returned, [col("member_id")], [col("member_id")], JoinArgs::new(JoinType::Inner))
        .group_by(keys.map(col))
        .agg(VIPUNEN_FROM.iter().zip(VIPUNEN).map(|(from, to)| col(*from).sum().cast(DataType::Int64).alias(to)).collect::<Vec<_>>());
    let both = public
        .join(own, keys.map(col), keys.map(col), JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns))
        // No option in Vipunen is none there: 0. A qualification missing from a return stays empty.
        .with_columns(VIPUNEN.map(|c| col(c).fill_null(lit(0i64))))
        .with_column(lit(year).alias("year"));
    let group = ["year", "member_id", "qualification_code"];
    // Vipunen's figures add up; the survey's too, but a total of nothing but empty cells is
    // empty, not 0.
    let sums: Vec<Expr> = VIPUNEN
        .iter()
        .map(|c| col(*c).sum())
        .chain(SURVEY.iter().map(|c| when(col(*c).count().gt(lit(0))).then(col(*c).sum()).otherwise(lit(NULL).cast(DataType::Int64)).alias(*c)))
        .collect();
    let levels: [&[(&str, &str)]; 4] = [&[], &[("qualification_code", ALL)], &[("member_id", ALL)], &[("member_id", ALL), ("qualification_code", ALL)]];
    let all = concat(
        levels
            .iter()
            .map(|set| {
                let lf = both.clone().with_columns(set.iter().map(|(c, v)| lit(*v).alias(*c)).collect::<Vec<_>>());
                lf.group_by(group.map(col)).agg(sums.clone())
            })
            .collect::<Vec<_>>(),
        UnionArgs::default(),
    )
    .expect("same schema at every level")
    .with_columns(VIPUNEN.iter().chain(SURVEY.iter()).map(|c| col(*c).cast(DataType::Int64)).collect::<Vec<_>>());
    let mut flagged = lit(false);
    let mut ratios = Vec::new();
    for (v, s, r) in COMPARED {
        ratios.push(ratio(v, s).round(3, RoundMode::HalfToEven).alias(r));
        let agree_on_none = col(v).eq(lit(0i64)).and(col(s).fill_null(lit(0i64)).eq(lit(0i64)));
        let off = ratio(v, s).is_null().or(ratio(v, s).gt(lit(1.0 + tolerance))).or(ratio(v, s).lt(lit(1.0 - tolerance)));
        flagged = flagged.or(when(agree_on_none).then(lit(false)).otherwise(off));
    }
    all.with_columns(ratios)
        .with_column(flagged.alias("flagged"))
        .sort_by_exprs([vec![col("year")], totals_last(&["member_id", "qualification_code"])].concat(), SortMultipleOptions::default())
        .select(
            group
                .iter()
                .chain(VIPUNEN.iter())
                .chain(SURVEY.iter())
                .chain(COMPARED.iter().map(|(_, _, r)| r))
                .chain(["flagged"].iter())
                .map(|c| col(*c))
                .collect::<Vec<_>>(),
        )
}

/// survey / Vipunen, null where Vipunen has none or the survey has no figure.
pub fn ratio(vipunen: &str, survey: &str) -> Expr {
    when(col(vipunen).gt(lit(0i64)).and(col(survey).is_not_null()))
        .then(col(survey).cast(DataType::Float64) / col(vipunen).cast(DataType::Float64))
        .otherwise(lit(NULL).cast(DataType::Float64))
}
