//! The national benchmark against a real-shaped `sijk/111l`: the pipeline's selection resolved
//! from the six variables' metadata, the vocational shares read back exactly, the wrong level
//! not.

use std::collections::BTreeMap;

use kooste::domain::Lang;
use kooste::sources::http::Http;
use kooste::sources::pxweb;
use polars::prelude::*;
use serde_json::{Value, json};
use url::Url;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::sijk::{self, ALL_LEVELS_2019, Cube, TABLE_PATH, VOCATIONAL_02_2019, VOCATIONAL_2019};
use super::{CLOSED, point_at, settings};
use crate::util::Workdir;

async fn serve_cube(server: &MockServer, max_cells: u64) {
    Mock::given(method("GET"))
        .and(path("/api/v1/fi/"))
        .and(query_param("config", ""))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"maxValues": max_cells, "maxCells": max_cells, "maxCalls": 30, "timeWindow": 10})))
        .mount(server)
        .await;
    Mock::given(path(TABLE_PATH)).respond_with(Cube).mount(server).await;
}

/// The pipeline's own selection for `sijk/111l`.
fn pipeline_select(w: &Workdir) -> BTreeMap<String, Vec<String>> {
    match w.config().pipeline.sources.get("placement_benchmark") {
        Some(kooste::config::SourceSpec::Pxweb { select, .. }) => select.clone(),
        other => panic!("placement_benchmark is not a PxWeb source: {other:?}"),
    }
}

/// The shares of one field in a benchmark CSV: employed, students, unemployed, other.
fn shares(rows: &[Vec<String>], column: &str) -> Vec<String> {
    let c = rows[0].iter().position(|h| h == column).unwrap_or_else(|| panic!("no column {column}"));
    rows[1..].iter().map(|r| r[c].clone()).collect()
}

fn as_shares(per_mille: [u64; 4]) -> Vec<String> {
    per_mille.iter().map(|p| format!("{}", *p as f64 / 1000.0)).collect()
}

#[test]
fn the_benchmark_holds_the_vocational_shares_of_a_real_shaped_sijk_111l() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(MockServer::start());
    rt.block_on(serve_cube(&server, 120_000));
    let w = Workdir::with_sample();
    point_at(&w, CLOSED, &format!("{}/api/v1", server.uri()));
    std::fs::remove_file(w.join("raw/public/statfin/sijk_111l.json")).unwrap();
    w.kooste_expect(&["run"], 0);
    let rows = w.csv("output/2025/tables/placement_benchmark.csv");
    assert_eq!(shares(&rows, "class"), ["employed", "students", "unemployed", "other"]);
    assert_eq!(shares(&rows, "benchmark_year"), ["2019"; 4], "the latest year of the table");
    // Statistics Finland's published 2019 figures for ammatillinen perustutkinto, exactly.
    assert_eq!(shares(&rows, "all_fields_share"), ["0.698", "0.07", "0.143", "0.089"]);
    assert_eq!(shares(&rows, "all_fields_share"), as_shares(VOCATIONAL_2019));
    assert_eq!(shares(&rows, "field02_share"), as_shares(VOCATIONAL_02_2019));
    // Every level together would have given other shares: the level was selected, not summed.
    assert_ne!(as_shares(ALL_LEVELS_2019), as_shares(VOCATIONAL_2019));
    // The query named every variable, with the values resolved from the metadata.
    let posts: Vec<Value> = rt
        .block_on(server.received_requests())
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(posts.len(), 1);
    let selected = |code: &str| -> Vec<String> {
        posts[0]["query"].as_array().unwrap().iter().find(|q| q["code"] == code).map(|q| serde_json::from_value(q["selection"]["values"].clone()).unwrap()).unwrap_or_else(|| panic!("{code} not in the query"))
    };
    assert_eq!(selected("koulutusaste_17_20180101"), ["32"]);
    assert_eq!(selected("sukupuoli_1_20120101"), ["SSS"]);
    assert_eq!(selected("maakunta_2_20130101"), ["SSS"]);
    assert_eq!(selected("koulutusala_1_20160101"), ["02", "SSS"]);
    assert_eq!(selected("timeperiod_y"), ["2017", "2018", "2019"]);
    let contents = selected("contentscode");
    assert_eq!(contents.len(), 8);
    assert!(!contents.contains(&"tyollinenopiskelija1vpaastaosuus".to_owned()), "employed students are not the students' class");
}

/// What the benchmark reads when the table answers a query without the level. (Polars plans
/// lazy frames with `block_in_place`: the test runs on the multi-threaded runtime.)
#[tokio::test(flavor = "multi_thread")]
async fn leaving_the_level_out_sums_over_levels_and_the_transform_refuses_such_a_snapshot() {
    let server = MockServer::start().await;
    serve_cube(&server, 120_000).await;
    let http = Http::new(settings()).unwrap();
    let b = Url::parse(&format!("{}/api/v1", server.uri())).unwrap();
    let mut select = pipeline_select(&Workdir::empty());
    select.remove("koulutusaste");
    let (bytes, _) = pxweb::fetch(&http, &b, Lang::Fi, "sijk/111l", &select).await.unwrap();
    let frame = pxweb::decode(std::path::Path::new("111l.json"), &bytes).unwrap().frame;
    // The service answered with all levels together: not the vocational figures.
    let employed: Vec<f64> = frame
        .clone()
        .lazy()
        .filter(col("contentscode").eq(lit("tyollinen1vpaastayhtosuus")).and(col("timeperiod_y").eq(lit("2019"))).and(col("koulutusala_1_20160101").eq(lit("SSS"))))
        .collect()
        .unwrap()
        .column("value")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(employed, [ALL_LEVELS_2019[0] as f64 / 10.0]);
    let e = kooste::stages::transform::placement_benchmark(&placement(), &frame, 2025).unwrap_err().to_string();
    assert!(e.contains("no variable 'koulutusaste…'") && e.contains("summed over all its values"), "{e}");
    // Two levels where one is meant: named, with the values found.
    select.insert("koulutusaste".into(), vec!["*".into()]);
    let (bytes, _) = pxweb::fetch(&http, &b, Lang::Fi, "sijk/111l", &select).await.unwrap();
    let frame = pxweb::decode(std::path::Path::new("111l.json"), &bytes).unwrap().frame;
    let e = kooste::stages::transform::placement_benchmark(&placement(), &frame, 2025).unwrap_err().to_string();
    assert!(e.contains("variable koulutusaste_17_20180101 holds 10 values (SSS 'Yhteensä', 3 'Toinen aste'"), "{e}");
}

/// The association's 2024 graduates, as the disclosed placement table holds them.
fn placement() -> DataFrame {
    let statuses = ["university", "uas", "other_studies", "employed_in_field", "employed_outside_field", "unemployed", "other", "unknown"];
    df!(
        "year" => [2025; 8], "member_id" => ["all"; 8], "qualification_code" => ["all"; 8], "orientation" => ["all"; 8],
        "graduation_year" => [2024; 8], "status" => statuses, "count" => [Some(10i64), Some(20), Some(10), Some(40), Some(20), Some(10), Some(10), Some(8)],
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_published_2019_figures_read_back_exactly_and_a_split_query_gives_the_same() {
    // Under a cell limit the query is split along the years; the parts read as one table.
    let server = MockServer::start().await;
    serve_cube(&server, 20).await;
    let http = Http::new(settings()).unwrap();
    let b = Url::parse(&format!("{}/api/v1", server.uri())).unwrap();
    let select = pipeline_select(&Workdir::empty());
    let (bytes, provenance) = pxweb::fetch(&http, &b, Lang::Fi, "sijk/111l", &select).await.unwrap();
    let posts = server.received_requests().await.unwrap().iter().filter(|r| r.method.as_str() == "POST").count();
    assert_eq!(posts, 3, "1 × 1 × 1 × 2 × 3 × 8 = 48 cells, 16 a year, at most 20 a query: one year each");
    assert_eq!(provenance.rows, 48);
    let frame = pxweb::decode(std::path::Path::new("111l.json"), &bytes).unwrap().frame;
    let bench = kooste::stages::transform::placement_benchmark(&placement(), &frame, 2025).unwrap();
    let all: Vec<Option<f64>> = bench.column("all_fields_share").unwrap().f64().unwrap().iter().collect();
    assert_eq!(all, [Some(0.698), Some(0.07), Some(0.143), Some(0.089)], "69.8 %, 7.0 %, 14.3 %, 8.9 %");
    let f02: Vec<Option<f64>> = bench.column("field02_share").unwrap().f64().unwrap().iter().collect();
    assert_eq!(f02, [Some(0.558), Some(0.13), Some(0.183), Some(0.129)]);
    assert_eq!(bench.column("benchmark_year").unwrap().i32().unwrap().get(0), Some(2019));
    // The association's side: unknown left out.
    let share: Vec<Option<f64>> = bench.column("share").unwrap().f64().unwrap().iter().collect();
    assert_eq!(share, [Some(0.5), Some(0.3333), Some(0.0833), Some(0.0833)]);
}

#[test]
fn a_selection_that_finds_nothing_or_several_values_names_the_variable_and_the_values() {
    let meta: pxweb::Metadata = serde_json::from_value(sijk::metadata()).unwrap();
    let query = |pairs: &[(&str, &[&str])]| {
        let select: BTreeMap<String, Vec<String>> = pairs.iter().map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect())).collect();
        pxweb::queries(&meta, &select, 120_000)
    };
    // The pipeline's own selection resolves to one value each.
    let select = pipeline_select(&Workdir::empty());
    let q = pxweb::queries(&meta, &select, 120_000).unwrap();
    assert_eq!(q.len(), 1);
    // Nothing: the variable and what it has.
    let e = query(&[("maakunta", &["MK99|Lappi"])]).unwrap_err();
    assert!(e.contains("variable maakunta_2_20130101 has no value 'MK99|Lappi' (values: SSS 'KOKO MAA', MK01 'Uusimaa'"), "{e}");
    // Several where one is meant: every value found.
    let e = query(&[("sukupuoli", &["1|Naiset"])]).unwrap_err();
    assert!(e.contains("variable sukupuoli_1_20120101: '1|Naiset' matches 2 values where one is meant (1 'Miehet', 2 'Naiset')"), "{e}");
    // A key that names two variables.
    let e = query(&[("koulutusa", &["02"])]).unwrap_err();
    assert!(e.contains("'koulutusa' names several variables (koulutusaste_17_20180101, koulutusala_1_20160101)"), "{e}");
    // Labels are found whatever their case; an exact code before a label.
    let var = pxweb::variable(&meta, "koulutusaste").unwrap();
    assert_eq!(pxweb::value(var, "ammatillinen PERUSTUTKINTO").unwrap(), "32");
    assert_eq!(pxweb::value(pxweb::variable(&meta, "maakunta").unwrap(), "Koko maa").unwrap(), "SSS");
    // A content code is matched exactly: the employed students' share is not the students'.
    let contents = pxweb::variable(&meta, "contentscode").unwrap();
    assert_eq!(pxweb::value(contents, "opiskelija1vpaastaosuus").unwrap(), "opiskelija1vpaastaosuus");
}

#[test]
fn prefixed_codes_are_found_by_their_tail() {
    let var: pxweb::Variable = serde_json::from_value(json!({
        "code": "koulutusala_1_20160101", "text": "Koulutusala",
        "values": ["KA_SSS", "KA_01", "KA_02"], "valueTexts": ["Yhteensä", "Kasvatusalat", "Humanistiset ja taidealat"]
    }))
    .unwrap();
    assert_eq!(pxweb::value(&var, "02").unwrap(), "KA_02");
    assert_eq!(pxweb::value(&var, "SSS|SS|Yhteensä").unwrap(), "KA_SSS");
}
