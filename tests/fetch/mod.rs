//! The public-statistics clients against a local HTTP server (loopback only) that serves
//! real-shaped responses and injects the network's faults, and the fetch stage's behaviour
//! with and without network.
//!
//! - `applicants`: the Vipunen joint-application resource against a server that knows its
//!   real fields only (a filter or sort on another is HTTP 400, as the real one answers).
//! - `benchmark`: StatFin `sijk/111l` against a server that answers queries from a
//!   real-shaped cube (`sijk`): six variables, content codes, a variable left out answered at its total.

mod applicants;
mod benchmark;
mod sijk;

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use kooste::domain::Lang;
use kooste::sources::SourceError;
use kooste::sources::http::{Http, HttpError, HttpSettings, RateLimiter};
use kooste::sources::{pxweb, vipunen};
use serde_json::{Value, json};
use url::Url;
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::util::{Workdir, hashes};

const RESOURCE: &str = "amm_opiskelijat_ja_tutkinnot_vuosi_tutkinto";

/// A Vipunen enrolment row in the real shape.
fn row(i: usize, updated: &str) -> Value {
    json!({
        "tilastovuosi": 2018 + (i % 8) as i32, "suorituksenTyyppi": "Koko tutkinto", "tutkintotyyppi": "Ammatilliset perustutkinnot",
        "tutkinto": "Musiikkialan perustutkinto", "koulutuksenJarjestaja": format!("Järjestäjä {i}"),
        "hankintakoulutuksenJarjestaja": "Tieto puuttuu", "hankintakoulutusKyllaEi": false, "koodiTutkinto": "321204",
        "koodiKoulutuksenJarjestaja": "0201252-3", "koodiHankintakoulutuksenJarjestaja": "-1",
        "uudetOpiskelijatLkm": i, "opiskelijatLkm": 3 * i, "tutkinnonSuorittaneetLkm": i / 2,
        "nettoopiskelijamaaraLkm": 2.5 * i as f64, "tietojoukkoPaivitettyPvm": updated,
    })
}

fn rows(n: usize) -> Vec<Value> {
    (0..n).map(|i| row(i, "2026-04-03")).collect()
}

fn settings() -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        retries: 2,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(5),
        caller_id: Some("0000000-0.kooste-test".into()),
    }
}

fn request<'a>(base: &'a Url, page_size: usize) -> vipunen::Request<'a> {
    vipunen::Request {
        base,
        resource: RESOURCE,
        filter: Some("koodiTutkinto=in=('321204','321501');tilastovuosi>=2018"),
        sort: Some("+tilastovuosi,-koodiTutkinto"),
        page_size,
        fields: &vipunen::ENROLMENT_FIELDS,
    }
}

fn data_path() -> String {
    format!("/api/resources/{RESOURCE}/data")
}

/// Mounts the probe (`limit=1`), the count and the pages of `all` on a server.
async fn serve(server: &MockServer, all: &[Value], page_size: usize) {
    Mock::given(method("GET"))
        .and(path(data_path()))
        .and(query_param("limit", "1"))
        .and(query_param_is_missing("offset"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&all[..1.min(all.len())]))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{}/count", data_path())))
        .respond_with(ResponseTemplate::new(200).set_body_string(all.len().to_string()))
        .mount(server)
        .await;
    for (k, page) in all.chunks(page_size).enumerate() {
        Mock::given(method("GET"))
            .and(path(data_path()))
            .and(query_param("offset", (k * page_size).to_string()))
            .and(query_param("limit", page_size.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(page))
            .mount(server)
            .await;
    }
}

fn base(server: &MockServer) -> Url {
    Url::parse(&format!("{}/api", server.uri())).unwrap()
}

/// Fetches the resource from a server with the test client, five rows a page.
async fn fetch_from(server: &MockServer) -> Result<vipunen::Fetched, SourceError> {
    let http = Http::new(settings()).unwrap();
    vipunen::fetch(&http, &request(&base(server), 5), None).await
}

fn new_rows(fetched: vipunen::Fetched) -> Vec<Value> {
    match fetched {
        vipunen::Fetched::New { bytes, .. } => serde_json::from_slice(&bytes).unwrap(),
        other => panic!("expected new rows, got {other:?}"),
    }
}

#[tokio::test]
async fn vipunen_pages_are_joined_with_the_headers_and_encoded_query_a_careful_client_sends() {
    let server = MockServer::start().await;
    let all = rows(12);
    // Every request carries the identification and the encoded filter, or it is not answered.
    Mock::given(method("GET"))
        .and(path(data_path()))
        .and(query_param("sort", "(+tilastovuosi,-koodiTutkinto)"))
        .and(query_param("filter", "koodiTutkinto=in=('321204','321501');tilastovuosi>=2018"))
        .and(header("Caller-Id", "0000000-0.kooste-test"))
        .and(header("Accept", "application/json"))
        .and(query_param("offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&all[..5]))
        .expect(1)
        .mount(&server)
        .await;
    serve(&server, &all, 5).await;
    let fetched = fetch_from(&server).await.unwrap();
    let vipunen::Fetched::New { bytes, provenance } = fetched else { panic!("new rows expected") };
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&bytes).unwrap(), all);
    assert_eq!(provenance.rows, 12);
    assert_eq!(provenance.dataset_updated.as_deref(), Some("2026-04-03"));
    assert!(provenance.query.unwrap().contains("sort=(+tilastovuosi,-koodiTutkinto)"));
    // The raw query string really encodes '+' (a raw '+' would decode to a space).
    let requests = server.received_requests().await.unwrap();
    let page = requests.iter().find(|r| r.url.query().is_some_and(|q| q.contains("offset=0"))).unwrap();
    assert!(page.url.query().unwrap().contains("sort=%28%2Btilastovuosi%2C-koodiTutkinto%29"), "{}", page.url);
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_for_then_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{}/count", data_path())))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1").set_body_string("Too Many Requests"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let all = rows(7);
    serve(&server, &all, 5).await;
    let t0 = Instant::now();
    let got = new_rows(fetch_from(&server).await.unwrap());
    assert_eq!(got, all);
    assert!(t0.elapsed() >= Duration::from_secs(1), "Retry-After: 1 was honoured ({:?})", t0.elapsed());
}

#[tokio::test]
async fn a_503_then_success_gives_the_recorded_pages() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(data_path()))
        .and(query_param("offset", "5"))
        .respond_with(ResponseTemplate::new(503).set_body_string("Service Unavailable"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    let all = rows(12);
    serve(&server, &all, 5).await;
    assert_eq!(new_rows(fetch_from(&server).await.unwrap()), all);
}

#[tokio::test]
async fn a_stalled_connection_times_out_with_the_url_named() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("5").set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let http = Http::new(HttpSettings { timeout: Duration::from_millis(300), retries: 1, ..settings() }).unwrap();
    let b = base(&server);
    let e = vipunen::fetch(&http, &request(&b, 5), None).await.unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, SourceError::Http(HttpError::Network { .. })), "{e:?}");
    assert!(text.contains("timed out") && text.contains(&data_path()), "{text}");
    assert_eq!(server.received_requests().await.unwrap().len(), 2, "one try and one retry");
}

#[tokio::test]
async fn a_truncated_body_is_retried_then_reported() {
    // A server that promises 500 bytes, sends 20 and hangs up: wiremock cannot fake that.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut sock, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n[{\"tilastovuosi\": 20").await;
            let _ = sock.shutdown().await;
        }
    });
    let http = Http::new(settings()).unwrap();
    let b = Url::parse(&format!("http://{addr}/api")).unwrap();
    let e = vipunen::fetch(&http, &request(&b, 5), None).await.unwrap_err();
    assert!(matches!(e, SourceError::Http(HttpError::Network { .. })), "{e:?}");
    assert!(e.to_string().contains(&format!("http://{addr}/api/resources/{RESOURCE}/data")), "{e}");
    assert_eq!(served.load(std::sync::atomic::Ordering::SeqCst), 3, "the first try and two retries");
}

#[tokio::test]
async fn a_count_that_changes_between_pages_is_fetched_again() {
    let server = MockServer::start().await;
    let all = rows(10);
    // The first count says 12 (before a reload); the pages then hold only 10 rows.
    Mock::given(method("GET"))
        .and(path(format!("{}/count", data_path())))
        .respond_with(ResponseTemplate::new(200).set_body_string("12"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(data_path()))
        .and(query_param("offset", "10"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    serve(&server, &all, 5).await;
    assert_eq!(new_rows(fetch_from(&server).await.unwrap()), all);
    let counts = server.received_requests().await.unwrap().iter().filter(|r| r.url.path().ends_with("/count")).count();
    assert_eq!(counts, 2, "counted again after the mismatch");
}

#[tokio::test]
async fn a_renamed_field_is_schema_drift_that_says_what_changed() {
    let server = MockServer::start().await;
    let mut renamed = rows(3);
    for r in &mut renamed {
        let m = r.as_object_mut().unwrap();
        let v = m.remove("koodiTutkinto").unwrap();
        m.insert("koodiTutkintoUusi".into(), v);
    }
    serve(&server, &renamed, 5).await;
    let e = fetch_from(&server).await.unwrap_err().to_string();
    assert!(e.contains("schema changed: expected field(s) koodiTutkinto missing; new field(s): koodiTutkintoUusi"), "{e}");
}

#[tokio::test]
async fn a_plain_text_400_is_reported_with_its_first_line_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("Content-Type", "application/json")
                .set_body_string("Bad filtering parameter! Cause: Unknown property: koodiTutkinto2\nat ..."),
        )
        .expect(1)
        .mount(&server)
        .await;
    let e = fetch_from(&server).await.unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, SourceError::Http(HttpError::Status { status: 400, .. })), "{e:?}");
    assert!(text.contains("HTTP 400: Bad filtering parameter! Cause: Unknown property: koodiTutkinto2"), "{text}");
    assert!(!text.contains("at ..."), "only the first line");
}

#[tokio::test]
async fn gzip_responses_are_decoded() {
    let server = MockServer::start().await;
    let all = rows(4);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&serde_json::to_vec(&all).unwrap()).unwrap();
    let body = gz.finish().unwrap();
    Mock::given(method("GET"))
        .and(path(data_path()))
        .and(query_param("offset", "0"))
        .and(header("Accept-Encoding", "gzip"))
        .respond_with(ResponseTemplate::new(200).insert_header("Content-Encoding", "gzip").set_body_raw(body, "application/json"))
        .with_priority(1)
        .mount(&server)
        .await;
    serve(&server, &all, 5).await;
    assert_eq!(new_rows(fetch_from(&server).await.unwrap()), all);
}

#[tokio::test]
async fn unchanged_data_is_not_downloaded_again_unless_the_request_changed() {
    let server = MockServer::start().await;
    serve(&server, &rows(3), 5).await;
    let http = Http::new(settings()).unwrap();
    let b = base(&server);
    let vipunen::Fetched::New { provenance, .. } = vipunen::fetch(&http, &request(&b, 5), None).await.unwrap() else {
        panic!("a first download")
    };
    server.reset().await;
    Mock::given(method("GET"))
        .and(path(data_path()))
        .and(query_param("limit", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([row(0, "2026-04-03")])))
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path(format!("{}/count", data_path()))).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    let got = vipunen::fetch(&http, &request(&b, 5), Some(&provenance)).await.unwrap();
    assert!(matches!(got, vipunen::Fetched::Unchanged { ref dataset_updated } if dataset_updated == "2026-04-03"), "{got:?}");
    // The same date, but the pipeline's filter was edited: the rows are asked for again.
    server.reset().await;
    serve(&server, &rows(3), 5).await;
    let mut other = request(&b, 5);
    other.filter = Some("koodiTutkinto=in=('321204');tilastovuosi>=2018");
    assert!(matches!(vipunen::fetch(&http, &other, Some(&provenance)).await.unwrap(), vipunen::Fetched::New { .. }));
}

#[tokio::test(start_paused = true)]
async fn the_rate_limiter_keeps_to_its_calls_per_window() {
    let limiter = RateLimiter::new(3, Duration::from_millis(1000));
    let t0 = tokio::time::Instant::now();
    let mut times = Vec::new();
    for _ in 0..10 {
        limiter.acquire().await;
        times.push(t0.elapsed());
    }
    // Any window of one second holds at most three calls: call i+3 comes a full second after i.
    for i in 0..times.len() - 3 {
        assert!(times[i + 3] - times[i] >= Duration::from_millis(1000), "calls {i}..{}: {:?}", i + 3, &times[i..=i + 3]);
    }
    assert_eq!(&times[..3], &[Duration::ZERO; 3], "the first three go at once");
    assert_eq!(times[9], Duration::from_millis(3000), "ten calls at three per second take three seconds");
}

#[test]
fn pxweb_throttles_to_the_stricter_limit() {
    let service = pxweb::PxConfig { max_values: 120_000, max_cells: Some(120_000), max_calls: 40, time_window: 60 };
    assert_eq!(service.throttle(), (40, Duration::from_secs(60)), "40 per 60 s is stricter than 30 per 10 s");
    let loose = pxweb::PxConfig { max_calls: 100, time_window: 10, ..service };
    assert_eq!(loose.throttle(), (30, Duration::from_secs(10)));
}

#[tokio::test]
async fn an_unknown_pxweb_table_or_value_says_what_changed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/fi/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"maxValues": 120000, "maxCalls": 30, "timeWindow": 10})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/fi/StatFin/opiskt/statfin_opiskt_pxt_14rw.px"))
        .respond_with(ResponseTemplate::new(400).set_body_string("Parameter error"))
        .mount(&server)
        .await;
    Mock::given(path(sijk::TABLE_PATH)).respond_with(sijk::Cube).mount(&server).await;
    let http = Http::new(settings()).unwrap();
    let b = Url::parse(&format!("{}/api/v1", server.uri())).unwrap();
    let e = pxweb::fetch(&http, &b, Lang::Fi, "opiskt/statfin_opiskt_pxt_14rw", &BTreeMap::new()).await.unwrap_err().to_string();
    assert!(e.contains("is not there (HTTP 400: Parameter error)") && e.contains("id may have changed"), "{e}");
    let mut select = BTreeMap::new();
    select.insert("koulutusala".to_owned(), vec!["98".to_owned()]);
    let e = pxweb::fetch(&http, &b, Lang::Fi, "sijk/111l", &select).await.unwrap_err().to_string();
    assert!(e.contains("schema changed: variable koulutusala_1_20160101 has no value '98'"), "{e}");
}

/// Points the work folder's pipeline at a server (or a closed port) and makes it impatient.
fn point_at(w: &Workdir, vipunen: &str, pxweb: &str) {
    let p = w.join("pipelines/annual.toml");
    let mut pipeline: toml::Table = std::fs::read_to_string(&p).unwrap().parse().unwrap();
    let fetch: toml::Table = format!(
        "vipunen_url = \"{vipunen}\"\npxweb_url = \"{pxweb}\"\nretries = 1\nbackoff_ms = 10\ntimeout_secs = 2\npage_size = 5\n"
    )
    .parse()
    .unwrap();
    pipeline.insert("fetch".into(), toml::Value::Table(fetch));
    std::fs::write(p, toml::to_string(&pipeline).unwrap()).unwrap();
}

const CLOSED: &str = "http://127.0.0.1:9/api";

#[test]
fn offline_uses_the_snapshots_and_says_clearly_when_one_is_missing() {
    let w = Workdir::with_sample();
    point_at(&w, CLOSED, CLOSED);
    let out = w.kooste_expect(&["fetch", "--offline"], 0);
    assert!(String::from_utf8_lossy(&out.stderr).contains("snapshots ready"));
    std::fs::remove_file(w.join("raw/public/statfin/sijk_111l.json")).unwrap();
    let out = w.kooste_expect(&["fetch", "--offline"], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("source 'placement_benchmark' has no snapshot and --offline forbids fetching it"), "{stderr}");
}

#[test]
fn without_network_a_refresh_keeps_the_snapshots_and_the_report_still_builds() {
    let w = Workdir::with_sample();
    point_at(&w, CLOSED, CLOSED);
    let before = hashes(&w.join("raw"));
    // 4: completed, but nothing could be refreshed.
    let out = w.kooste_expect(&["fetch", "--refresh"], 4);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be reached") && stderr.contains("going on with the snapshot"), "{stderr}");
    assert_eq!(hashes(&w.join("raw")), before, "snapshots kept as they were");
    w.kooste_expect(&["run"], 0);
    assert!(w.join("output/2025/fi/charts/enrolment_trend-fi.png").is_file());
}

#[test]
fn a_missing_snapshot_is_fetched_and_a_failed_refresh_leaves_the_last_good_one() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(MockServer::start());
    let all: Vec<Value> = rows(12);
    rt.block_on(serve(&server, &all, 5));
    let w = Workdir::with_sample();
    point_at(&w, &format!("{}/api", server.uri()), CLOSED);
    // This server serves the enrolment resource only.
    let p = w.join("pipelines/annual.toml");
    let mut pipeline: toml::Table = std::fs::read_to_string(&p).unwrap().parse().unwrap();
    pipeline["sources"].as_table_mut().unwrap().remove("applicants");
    std::fs::write(&p, toml::to_string(&pipeline).unwrap()).unwrap();
    let snapshot = w.join(&format!("raw/public/vipunen/{RESOURCE}.json"));
    std::fs::remove_file(&snapshot).unwrap();
    std::fs::remove_file(w.join(&format!("raw/public/vipunen/{RESOURCE}.provenance.json"))).unwrap();
    w.kooste_expect(&["fetch"], 0);
    let stored: Vec<Value> = serde_json::from_slice(&std::fs::read(&snapshot).unwrap()).unwrap();
    assert_eq!(stored, all, "the missing snapshot was fetched; the others were not asked for");
    let sidecar: Value = serde_json::from_slice(&std::fs::read(w.join(&format!("raw/public/vipunen/{RESOURCE}.provenance.json"))).unwrap()).unwrap();
    assert_eq!(sidecar["rows"], 12);
    assert_eq!(sidecar["sha256"], kooste::files::sha256_file(&snapshot).unwrap());
    assert_eq!(sidecar["synthetic"], false);

    // The service's schema changes: the refresh fails, saying so, and the snapshot stays.
    let good = std::fs::read(&snapshot).unwrap();
    rt.block_on(server.reset());
    let mut renamed = rows(12);
    for r in &mut renamed {
        let m = r.as_object_mut().unwrap();
        let v = m.remove("opiskelijatLkm").unwrap();
        m.insert("opiskelijatYhteensaLkm".into(), v);
        m.insert("tietojoukkoPaivitettyPvm".into(), json!("2026-05-01"));
    }
    rt.block_on(serve(&server, &renamed, 5));
    let out = w.kooste_expect(&["fetch", "--refresh"], 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("opiskelijatLkm missing"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&snapshot).unwrap(), good, "the last good snapshot is untouched");
}
