//! Benchmark: a Vipunen download of 60 000 rows in 12 pages of 5 000 from a local server
//! (loopback), through the real client: probe, count, pages, count check, one JSON array.
//!
//! Run: `cargo bench --bench fetch`. Prints the median of five downloads and rows per second.

use std::time::{Duration, Instant};

use kooste::sources::http::{Http, HttpSettings};
use kooste::sources::vipunen;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const RESOURCE: &str = "amm_opiskelijat_ja_tutkinnot_vuosi_tutkinto";
const ROWS: usize = 60_000;
const PAGE: usize = 5_000;

fn row(i: usize) -> Value {
    json!({
        "tilastovuosi": 2018 + (i % 8), "suorituksenTyyppi": "Koko tutkinto", "tutkintotyyppi": "Ammatilliset perustutkinnot",
        "tutkinto": "Musiikkialan perustutkinto", "koulutuksenJarjestaja": format!("Järjestäjä {}", i % 700),
        "hankintakoulutuksenJarjestaja": "Tieto puuttuu", "hankintakoulutusKyllaEi": false, "koodiTutkinto": "321204",
        "koodiKoulutuksenJarjestaja": "0201252-3", "koodiHankintakoulutuksenJarjestaja": "-1",
        "uudetOpiskelijatLkm": i % 50, "opiskelijatLkm": i % 150, "tutkinnonSuorittaneetLkm": i % 40,
        "nettoopiskelijamaaraLkm": 1.5, "tietojoukkoPaivitettyPvm": "2026-04-03",
    })
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    rt.block_on(async {
        let server = MockServer::start().await;
        let data = format!("/api/resources/{RESOURCE}/data");
        let rows: Vec<Value> = (0..ROWS).map(row).collect();
        Mock::given(method("GET")).and(path(&data)).and(query_param("limit", "1")).and(query_param_is_missing("offset"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&rows[..1])).mount(&server).await;
        Mock::given(method("GET")).and(path(format!("{data}/count")))
            .respond_with(ResponseTemplate::new(200).set_body_string(ROWS.to_string())).mount(&server).await;
        for (k, page) in rows.chunks(PAGE).enumerate() {
            let body = serde_json::to_vec(page).unwrap();
            Mock::given(method("GET")).and(path(&data)).and(query_param("offset", (k * PAGE).to_string()))
                .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json")).mount(&server).await;
        }
        let base = url::Url::parse(&format!("{}/api", server.uri())).unwrap();
        let settings = HttpSettings { retries: 0, caller_id: Some("bench.kooste".into()), ..HttpSettings::default() };
        let http = Http::new(settings).unwrap();
        // The default per-host limit (10 calls a second) would dominate: the bench measures the client.
        http.limit("127.0.0.1", 1000, Duration::from_secs(1));
        let req = vipunen::Request { base: &base, resource: RESOURCE, filter: None, sort: Some("+tilastovuosi"), page_size: PAGE, fields: &vipunen::ENROLMENT_FIELDS };
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..5 {
            let t0 = Instant::now();
            match vipunen::fetch(&http, &req, None).await.unwrap() {
                vipunen::Fetched::New { bytes: b, provenance } => {
                    assert_eq!(provenance.rows as usize, ROWS);
                    bytes = b.len();
                }
                other => panic!("{other:?}"),
            }
            times.push(t0.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let median = times[2];
        println!(
            "fetch: {ROWS} rows ({} pages, {:.1} MB) in {median:.3} s median (min {:.3}, max {:.3}) = {:.0} rows/s",
            ROWS / PAGE, bytes as f64 / 1e6, times[0], times[4], ROWS as f64 / median
        );
    });
}
