//! Transform and disclosure on small frames whose expected tables are computed by hand.

use kooste::stages::{disclose, transform};
use kooste::{Config, Overrides};
use polars::prelude::*;

use crate::util::repo;

fn config() -> Config {
    Config::load(&repo().join("pipelines/annual.toml"), Overrides::default()).unwrap()
}

/// Two members' placement rows in the ingest stage's wide shape.
fn survey_rows() -> DataFrame {
    df!(
        "year" => [2025, 2025, 2025],
        "member_id" => ["oulu", "oulu", "lahti"],
        "file" => ["oulu.xlsx", "oulu.xlsx", "lahti.xlsx"],
        "row" => [2u32, 3, 2],
        "qualification_code" => ["321204", "321204", "321204"],
        "orientation" => ["klassinen", "rytmi", "klassinen"],
        "graduation_year" => [2024, 2024, 2024],
        "graduates" => [10i64, 6, 4],
        "university" => [2i64, 0, 1],
        "uas" => [3i64, 1, 0],
        "other_studies" => [0i64, 0, 0],
        "employed_in_field" => [5i64, 5, 3],
        "employed_outside_field" => [0i64, 0, 0],
        "unemployed" => [0i64, 0, 0],
        "other" => [0i64, 0, 0],
        "unknown" => [0i64, 0, 0],
    )
    .unwrap()
}

/// `(count, graduates, share)` of one placement row.
fn cell(df: &DataFrame, member: &str, q: &str, o: &str, status: &str) -> (i64, i64, f64) {
    let r = df
        .clone()
        .lazy()
        .filter(
            col("member_id")
                .eq(lit(member))
                .and(col("qualification_code").eq(lit(q)))
                .and(col("orientation").eq(lit(o)))
                .and(col("status").eq(lit(status))),
        )
        .collect()
        .unwrap();
    assert_eq!(r.height(), 1, "{member} {q} {o} {status}");
    let get_i = |c: &str| r.column(c).unwrap().i64().unwrap().get(0).unwrap();
    (get_i("count"), get_i("graduates"), r.column("share").unwrap().f64().unwrap().get(0).unwrap())
}

#[test]
fn placement_counts_totals_and_shares_by_hand() {
    let df = transform::placement(survey_rows().lazy()).unwrap().collect().unwrap();
    // 3 rows × 8 statuses, + oulu q/all (8) + oulu all/all (8) + lahti q/all, all/all (16)
    // + association: q/o for 2 orientations (16), q/all (8), all/all (8).
    assert_eq!(df.height(), 24 + 8 + 8 + 16 + 16 + 8 + 8);
    assert_eq!(cell(&df, "oulu", "321204", "klassinen", "uas"), (3, 10, 0.3));
    assert_eq!(cell(&df, "oulu", "321204", "all", "employed_in_field"), (10, 16, 10.0 / 16.0));
    assert_eq!(cell(&df, "oulu", "all", "all", "university"), (2, 16, 2.0 / 16.0));
    assert_eq!(cell(&df, "all", "321204", "klassinen", "university"), (3, 14, 3.0 / 14.0));
    assert_eq!(cell(&df, "all", "all", "all", "employed_in_field"), (13, 20, 0.65));
    assert_eq!(cell(&df, "all", "all", "all", "other"), (0, 20, 0.0));
    // Members come first (alphabetically), the association last; statuses in contract order.
    let members: Vec<&str> = df.column("member_id").unwrap().str().unwrap().iter().flatten().collect();
    assert_eq!((members[0], members[members.len() - 1]), ("lahti", "all"));
    let statuses: Vec<&str> = df.column("status").unwrap().str().unwrap().iter().flatten().take(8).collect();
    assert_eq!(statuses, ["university", "uas", "other_studies", "employed_in_field", "employed_outside_field", "unemployed", "other", "unknown"]);
}

#[test]
fn disclosure_of_the_hand_computed_placement() {
    let df = transform::placement(survey_rows().lazy()).unwrap().collect().unwrap();
    let (out, stats) = disclose::placement_table(df, 5).unwrap();
    let flag = |member: &str, q: &str, o: &str, status: &str| -> String {
        let r = out
            .clone()
            .lazy()
            .filter(
                col("member_id")
                    .eq(lit(member))
                    .and(col("qualification_code").eq(lit(q)))
                    .and(col("orientation").eq(lit(o)))
                    .and(col("status").eq(lit(status))),
            )
            .collect()
            .unwrap();
        r.column("flag").unwrap().str().unwrap().get(0).unwrap().to_owned()
    };
    // oulu klassinen: 2, 3 small → both primary; 5 published.
    assert_eq!(flag("oulu", "321204", "klassinen", "university"), "1-4");
    assert_eq!(flag("oulu", "321204", "klassinen", "uas"), "1-4");
    assert_eq!(flag("oulu", "321204", "klassinen", "employed_in_field"), "");
    // oulu rytmi: one small count (1) → the next smallest non-zero (5) is hidden too.
    assert_eq!(flag("oulu", "321204", "rytmi", "uas"), "1-4");
    assert_eq!(flag("oulu", "321204", "rytmi", "employed_in_field"), "..");
    // The association (n = 20 ≥ 5) is published as it is, small counts included.
    assert_eq!(flag("all", "all", "all", "university"), "");
    assert_eq!(flag("all", "all", "all", "uas"), "");
    // The association's rytmi group has n = 6 ≥ 5: published.
    assert_eq!(flag("all", "321204", "rytmi", "uas"), "");
    assert!(stats.primary > 0 && stats.secondary > 0);
    // No suppressed value is left in the count or share column.
    let hidden = out.column("flag").unwrap().str().unwrap().iter().map(|f| f != Some("")).collect::<Vec<_>>();
    let counts = out.column("count").unwrap().i64().unwrap();
    let shares = out.column("share").unwrap().f64().unwrap();
    for (i, h) in hidden.iter().enumerate() {
        if *h {
            assert!(counts.get(i).is_none() && shares.get(i).is_none(), "row {i} hidden but shown");
        }
    }
}

#[test]
fn enrolment_bridges_the_turku_provider_change_and_filters_multi_field_providers() {
    let config = config();
    let vipunen = df!(
        "year" => [2019, 2020, 2020, 2020, 2020, 2020],
        "provider_id" => ["0204843-8", "0204843-8", "2962876-6", "0201375-3", "0201375-3", "3100013-2"],
        "provider_name" => ["Turun Konservatorion kannatusyhdistys ry", "Turun Konservatorion kannatusyhdistys ry", "Turun Musiikinopetus Oy", "Live-säätiö sr", "Live-säätiö sr", "Muu"],
        "qualification_code" => ["321204", "321204", "321204", "321204", "351107", "321501"],
        "completion_type" => ["Koko tutkinto"; 6],
        "new_students" => [Some(10i64), Some(1), Some(12), Some(5), Some(100), None],
        "students" => [30i64, 3, 36, 15, 300, 20],
        "graduates" => [8i64, 0, 9, 4, 80, 5],
    )
    .unwrap();
    let students = df!(
        "year" => [2025], "member_id" => ["turku"], "file" => ["turku.xlsx"], "row" => [2u32],
        "qualification_code" => ["321204"], "orientation" => ["klassinen"], "start_places" => [10i64],
        "applicants" => [40i64], "first_choice_applicants" => [20i64], "new_students" => [11i64], "students" => [33i64],
    )
    .unwrap();
    let placement = survey_rows();
    let df = transform::enrolment_table(vipunen.lazy(), students.lazy(), placement.lazy(), &config).unwrap();
    let row = |year: i32, member: &str, q: &str, source: &str| -> (i64, i64, i64) {
        let r = df
            .clone()
            .lazy()
            .filter(
                col("year")
                    .eq(lit(year))
                    .and(col("member_id").eq(lit(member)))
                    .and(col("qualification_code").eq(lit(q)))
                    .and(col("source").eq(lit(source))),
            )
            .collect()
            .unwrap();
        assert_eq!(r.height(), 1, "{year} {member} {q} {source}: {r}");
        let g = |c: &str| r.column(c).unwrap().i64().unwrap().get(0).unwrap();
        (g("new_students"), g("students"), g("graduates"))
    };
    // 2019: the old id is Turku's.
    assert_eq!(row(2019, "turku", "321204", "vipunen"), (10, 30, 8));
    // 2020: only the new id is Turku's; the old id's rows count nationally, not for Turku.
    assert_eq!(row(2020, "turku", "321204", "vipunen"), (12, 36, 9));
    // Live's other qualification (351107) is filtered out by code everywhere.
    assert_eq!(row(2020, "live", "321204", "vipunen"), (5, 15, 4));
    assert_eq!(row(2020, "live", "all", "vipunen"), (5, 15, 4));
    assert_eq!(row(2020, "all", "321204", "vipunen"), (17, 51, 13));
    assert_eq!(row(2020, "national", "321204", "vipunen"), (18, 54, 13));
    // A missing count (null) adds as 0; the non-member's dance students count nationally.
    assert_eq!(row(2020, "national", "all", "vipunen"), (18, 74, 18));
    // Survey rows: students sheet plus graduates of the statistical year (none in 2025 here).
    assert_eq!(row(2025, "turku", "321204", "survey"), (11, 33, 0));
    assert!(
        !df.column("member_id").unwrap().str().unwrap().iter().any(|m| m.is_none()),
        "every row is a member, all or national"
    );
}

#[test]
fn enrolment_small_counts_are_flagged() {
    let df = df!(
        "year" => [2025, 2025], "member_id" => ["kao", "all"], "qualification_code" => ["321204", "321204"],
        "new_students" => [3i64, 40], "students" => [0i64, 120], "graduates" => [5i64, 30], "source" => ["vipunen", "vipunen"],
    )
    .unwrap();
    let (out, stats) = disclose::enrolment_table(df, 5).unwrap();
    assert_eq!(stats.primary, 1);
    assert_eq!(out.column("new_students").unwrap().i64().unwrap().get(0), None);
    assert_eq!(out.column("new_students_flag").unwrap().str().unwrap().get(0), Some("1-4"));
    assert_eq!(out.column("students").unwrap().i64().unwrap().get(0), Some(0), "zero is not suppressed");
    assert_eq!(out.column("graduates").unwrap().i64().unwrap().get(0), Some(5));
}
