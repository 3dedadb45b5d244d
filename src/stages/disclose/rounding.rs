//! Optional rounding of the published counts (`disclosure.round_to`), after suppression.

use polars::prelude::*;

/// Rounding of published counts to a multiple of `base` (Vipunen: 3), applied after
/// suppression: counts from `threshold` up are rounded half up, smaller ones are hidden or 0
/// already. Shares and ratios are recomputed from the rounded figures, or they would give the
/// exact counts back.
#[derive(Clone, Copy, Debug)]
pub struct Rounding {
    /// The multiple.
    pub base: i64,
    /// The suppression threshold.
    pub threshold: i64,
}

impl Rounding {
    /// A count column, rounded.
    pub(super) fn round(&self, c: &str) -> Expr {
        when(col(c).gt_eq(lit(self.threshold)))
            .then(((col(c) + lit(self.base / 2)).floor_div(lit(self.base)) * lit(self.base)).cast(DataType::Int64))
            .otherwise(col(c))
            .alias(c)
    }

    fn ratio(a: &str, b: &str, decimals: u32) -> Expr {
        when(col(a).is_not_null().and(col(b).gt(lit(0))))
            .then((col(a).cast(DataType::Float64) / col(b).cast(DataType::Float64)).round(decimals, RoundMode::HalfToEven))
            .otherwise(lit(NULL).cast(DataType::Float64))
    }

    /// The association's placement table: counts, graduates, shares and coverage.
    pub fn placement(&self, df: DataFrame) -> PolarsResult<DataFrame> {
        let group = [col("qualification_code"), col("orientation"), col("graduation_year")];
        let unknown = col("count").filter(col("status").eq(lit("unknown"))).sum().over(group)?;
        df.lazy()
            .with_columns([self.round("count"), self.round("graduates")])
            .with_columns([
                Self::ratio("count", "graduates", 6).alias("share"),
                when(col("coverage").is_not_null().and(col("graduates").gt(lit(0))))
                    .then(
                        ((col("graduates") - unknown).cast(DataType::Float64) / col("graduates").cast(DataType::Float64))
                            .round(4, RoundMode::HalfToEven),
                    )
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias("coverage"),
            ])
            .collect()
    }

    /// The member-level placement table.
    pub fn by_member(&self, df: DataFrame) -> PolarsResult<DataFrame> {
        df.lazy()
            .with_columns([self.round("count"), self.round("graduates")])
            .with_column(Self::ratio("count", "graduates", 6).alias("share"))
            .collect()
    }

    /// The enrolment table: persons rounded, start places as they are.
    pub fn enrolment(&self, df: DataFrame) -> PolarsResult<DataFrame> {
        df.lazy()
            .with_columns(["new_students", "students", "graduates", "applicants", "first_choice_applicants"].map(|c| self.round(c)))
            .with_column(Self::ratio("applicants", "start_places", 2).alias("applicants_per_place"))
            .collect()
    }

    /// The key figures: persons rounded (not the number of providers), the share recomputed.
    pub fn key_figures(&self, df: DataFrame) -> PolarsResult<DataFrame> {
        let persons = col("measure").neq(lit("providers"));
        df.lazy()
            .with_columns(["national", "members"].map(|c| when(persons.clone()).then(self.round(c)).otherwise(col(c)).alias(c)))
            .with_column(Self::ratio("members", "national", 4).alias("members_share"))
            .collect()
    }
}

