//! The joint-application resource against a mock Vipunen that knows the resource's real fields
//! and nothing else: a filter or a sort on another field is HTTP 400 with a plain-text body, as
//! the real service answers. Rows in the real shape: one per application option × start year
//! and term × application round × provider × school × site.

use serde_json::{Map, Value, json};
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::{CLOSED, point_at};
use crate::util::Workdir;

const RESOURCE: &str = "perusopetuksen_jalkeinen_koulutus_hakeneet_ja_paikan_vastaanottaneet";

/// The resource's columns (its load procedure's, in camelCase).
const FIELDS: [&str; 28] = [
    "koulutuksenAlkamisvuosi", "koulutuksenAlkamiskausi", "haku", "hakukohde", "hakutapa", "koulutusasteTaso1",
    "koulutusasteTaso2", "koulutusalaTaso1", "koulutusalaTaso2", "koulutusalaTaso3", "tutkintoHakukohde", "koulutuksenKieli",
    "maakuntaHakukohde", "kuntaHakukohde", "koulutuksenJarjestaja", "oppilaitos", "toimipiste", "kooditTutkintoHakukohde",
    "kooditKuntaHakukohde", "kooditKoulutuksenJarjestaja", "kooditOppilaitos", "kooditHakukohde", "aloituspaikatLkm",
    "kaikkiHakijatLkm", "ensisijaisetHakijatLkm", "valitutLkm", "paikanVastaanottaneetLkm", "aloittaneetLkm",
];

const OULU: (&str, &str, &str) = ("0187690-1", "Oulun kaupunki", "Oulun konservatorio");
const HELSINKI: (&str, &str, &str) = ("0201252-3", "Helsingin Konservatorion Säätiö sr", "Helsingin Konservatorio");

/// One row: provider, school number, start year, term, round, qualification, option oid, and
/// start places, applicants, first-choice, selected, accepted, enrolled.
#[allow(clippy::too_many_arguments)]
fn row(p: (&str, &str, &str), school: &str, year: i32, term: &str, round: &str, q: &str, oid: &str, n: [u64; 6]) -> Value {
    let (tutkinto, ala) = match q {
        "321204" => ("Musiikkialan perustutkinto", "Musiikki"),
        "321501" => ("Tanssialan perustutkinto", "Tanssi"),
        "324201" => ("Musiikkituotannon ammattitutkinto", "Audiovisuaalinen viestintä ja media"),
        _ => ("Liiketoiminnan perustutkinto", "Liiketalous"),
    };
    json!({
        "koulutuksenAlkamisvuosi": year, "koulutuksenAlkamiskausi": term, "haku": round,
        "hakukohde": format!("{tutkinto} ({oid})"), "hakutapa": if round.starts_with("Jatkuva") { "Jatkuva haku" } else { "Yhteishaku" },
        "koulutusasteTaso1": "Ammatillinen koulutus", "koulutusasteTaso2": "Ammatillinen perustutkinto",
        "koulutusalaTaso1": "Humanistiset ja taidealat", "koulutusalaTaso2": "Taiteet", "koulutusalaTaso3": ala,
        "tutkintoHakukohde": tutkinto, "koulutuksenKieli": "suomi", "maakuntaHakukohde": "Pohjois-Pohjanmaa",
        "kuntaHakukohde": "Oulu", "koulutuksenJarjestaja": p.1, "oppilaitos": p.2, "toimipiste": format!("{}, {school}", p.2),
        "kooditTutkintoHakukohde": q, "kooditKuntaHakukohde": "564", "kooditKoulutuksenJarjestaja": p.0,
        "kooditOppilaitos": school, "kooditHakukohde": format!("1.2.246.562.20.{oid}"),
        "aloituspaikatLkm": n[0], "kaikkiHakijatLkm": n[1], "ensisijaisetHakijatLkm": n[2],
        "valitutLkm": n[3], "paikanVastaanottaneetLkm": n[4], "aloittaneetLkm": n[5],
    })
}

const SPRING: &str = "Yhteishaku ammatilliseen ja lukioon, kevät 2025";
const CONTINUOUS: &str = "Jatkuva haku ammatilliseen koulutukseen 2025";

/// The service's rows: two members' options in 2025 with several terms, rounds and schools,
/// a year before, a year before the filter's first year and another field's option (both left
/// out by the filter), and an option with start places but no applicants.
fn rows() -> Vec<Value> {
    vec![
        row(OULU, "01234", 2025, "Syksy", SPRING, "321204", "10001", [12, 40, 20, 14, 12, 11]),
        row(OULU, "01234", 2025, "Syksy", CONTINUOUS, "321204", "10001", [2, 6, 6, 2, 2, 2]),
        row(OULU, "01299", 2025, "Kevät", CONTINUOUS, "321204", "10002", [8, 25, 10, 9, 8, 8]),
        row(OULU, "01234", 2025, "Syksy", SPRING, "321501", "10003", [10, 30, 15, 11, 10, 10]),
        row(OULU, "01234", 2025, "Syksy", SPRING, "351107", "10004", [40, 90, 60, 42, 40, 39]),
        row(OULU, "01234", 2024, "Syksy", "Yhteishaku ammatilliseen ja lukioon, kevät 2024", "321204", "09001", [20, 50, 25, 21, 20, 19]),
        row(OULU, "01234", 2017, "Syksy", "Yhteishaku ammatilliseen ja lukioon, kevät 2017", "321204", "02001", [20, 50, 25, 21, 20, 19]),
        row(HELSINKI, "00451", 2025, "Syksy", SPRING, "321204", "20001", [15, 50, 30, 16, 15, 15]),
        row(HELSINKI, "00451", 2025, "Syksy", SPRING, "321204", "20002", [6, 20, 8, 7, 6, 6]),
        row(HELSINKI, "00451", 2025, "Syksy", CONTINUOUS, "324201", "20003", [5, 0, 0, 0, 0, 0]),
    ]
}

/// A Vipunen that answers `data` and `data/count` with RSQL filtering (`;`, `=in=`, `==`,
/// `>=`) and sorting on the resource's own fields, and HTTP 400 for any other field.
struct StrictVipunen {
    rows: Vec<Value>,
}

fn bad(message: String) -> ResponseTemplate {
    ResponseTemplate::new(400).insert_header("Content-Type", "application/json").set_body_string(message)
}

/// Whether a row passes one RSQL clause; Err names an unknown field.
fn clause(row: &Map<String, Value>, c: &str) -> Result<bool, String> {
    let text = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
    let unquote = |s: &str| s.trim().trim_matches('\'').to_owned();
    let (field, test): (&str, Box<dyn Fn(&Value) -> bool>) = if let Some((f, list)) = c.split_once("=in=") {
        let list: Vec<String> = list.trim_matches(|ch| ch == '(' || ch == ')').split(',').map(unquote).collect();
        (f, Box::new(move |v| list.contains(&text(v))))
    } else if let Some((f, x)) = c.split_once(">=") {
        let x: f64 = unquote(x).parse().map_err(|_| format!("Bad filtering parameter! Cause: not a number in {c}"))?;
        (f, Box::new(move |v| v.as_f64().is_some_and(|v| v >= x)))
    } else if let Some((f, x)) = c.split_once("==") {
        let x = unquote(x);
        (f, Box::new(move |v| text(v) == x))
    } else {
        return Err(format!("Bad filtering parameter! Cause: cannot parse {c}"));
    };
    if !FIELDS.contains(&field) {
        return Err(format!("Bad filtering parameter! Cause: Unknown property: {field}"));
    }
    Ok(row.get(field).is_some_and(|v| test(v)))
}

impl Respond for StrictVipunen {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let q: std::collections::HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let mut rows: Vec<&Map<String, Value>> = self.rows.iter().filter_map(Value::as_object).collect();
        if let Some(filter) = q.get("filter") {
            let mut kept = Vec::new();
            for r in rows {
                let mut pass = true;
                for c in filter.split(';') {
                    match clause(r, c) {
                        Ok(p) => pass &= p,
                        Err(m) => return bad(m),
                    }
                }
                if pass {
                    kept.push(r);
                }
            }
            rows = kept;
        }
        if request.url.path().ends_with("/count") {
            return ResponseTemplate::new(200).set_body_string(rows.len().to_string());
        }
        if let Some(sort) = q.get("sort") {
            let keys: Vec<(bool, String)> =
                sort.trim_matches(|c| c == '(' || c == ')').split(',').map(|k| (k.starts_with('-'), k.trim_start_matches(['+', '-']).to_owned())).collect();
            if let Some((_, k)) = keys.iter().find(|(_, k)| !FIELDS.contains(&k.as_str())) {
                return bad(format!("Bad sorting parameter! Cause: Unknown property: {k}"));
            }
            rows.sort_by(|a, b| {
                keys.iter()
                    .map(|(desc, k)| {
                        let o = a[k].to_string().cmp(&b[k].to_string());
                        if *desc { o.reverse() } else { o }
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
        }
        let offset: usize = q.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
        let limit: usize = q.get("limit").and_then(|o| o.parse().ok()).unwrap_or(usize::MAX);
        let page: Vec<&Map<String, Value>> = rows.into_iter().skip(offset).take(limit).collect();
        ResponseTemplate::new(200).set_body_json(page)
    }
}

async fn strict_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path_regex(format!("^/api/resources/{RESOURCE}/data(/count)?$")))
        .respond_with(StrictVipunen { rows: rows() })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_mock_rejects_the_old_invented_fields_as_the_real_service_does() {
    let server = strict_server().await;
    let http = kooste::sources::http::Http::new(super::settings()).unwrap();
    let base = url::Url::parse(&format!("{}/api", server.uri())).unwrap();
    let req = kooste::sources::vipunen::Request {
        base: &base,
        resource: RESOURCE,
        filter: Some("koodiTutkinto=in=('321204','321501','324201');tilastovuosi>=2018"),
        sort: Some("+tilastovuosi"),
        page_size: 5,
        fields: &kooste::sources::vipunen::APPLICANT_FIELDS,
    };
    let e = kooste::sources::vipunen::fetch(&http, &req, None).await.unwrap_err().to_string();
    assert!(e.contains("HTTP 400: Bad filtering parameter! Cause: Unknown property: koodiTutkinto"), "{e}");
}

#[test]
fn applicants_are_fetched_with_the_real_field_names_and_summed_per_member() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(strict_server());
    let w = Workdir::with_sample();
    point_at(&w, &format!("{}/api", server.uri()), CLOSED);
    let snapshot = w.join(&format!("raw/public/vipunen/{RESOURCE}.json"));
    std::fs::remove_file(&snapshot).unwrap();
    w.kooste_expect(&["run"], 0);
    // The pipeline's filter and sort are the resource's own fields: the service answered them.
    let stored: Vec<Value> = serde_json::from_slice(&std::fs::read(&snapshot).unwrap()).unwrap();
    assert_eq!(stored.len(), 8, "the other field's option and the 2017 row are filtered out by the service");
    let requests = rt.block_on(server.received_requests()).unwrap();
    let pages: Vec<_> = requests.iter().filter(|r| r.url.query().is_some_and(|q| q.contains("offset="))).collect();
    assert_eq!(pages.len(), 2, "8 rows, 5 a page");
    let page = pages[0].url.query_pairs().into_owned().collect::<std::collections::HashMap<_, _>>();
    assert_eq!(page["filter"], "kooditTutkintoHakukohde=in=('321204','321501','324201');koulutuksenAlkamisvuosi>=2018");
    assert!(page["sort"].starts_with("(+koulutuksenAlkamisvuosi,"), "{}", page["sort"]);

    // Published beside the survey's figures: per member × qualification, terms, rounds,
    // options and schools summed (hand-computed from the rows above).
    let table = w.csv("output/2025/tables/applicants.csv");
    let header = &table[0];
    assert_eq!(
        header,
        &[
            "year", "member_id", "qualification_code", "vipunen_start_places", "vipunen_applicants", "vipunen_first_choice_applicants",
            "vipunen_accepted", "vipunen_enrolled",
            "survey_start_places", "survey_applicants", "survey_first_choice_applicants", "survey_new_students", "start_places_ratio",
            "applicants_ratio", "first_choice_ratio", "flagged",
        ]
    );
    let vipunen = |member: &str, q: &str| -> Vec<String> {
        let r = table.iter().find(|r| r[0] == "2025" && r[1] == member && r[2] == q).unwrap_or_else(|| panic!("no row {member} {q}"));
        r[3..8].to_vec()
    };
    // Oulu music: 12+2+8 places, 40+6+25 applicants, 20+6+10 first choice, 12+2+8 accepted, 11+2+8 enrolled.
    assert_eq!(vipunen("oulu", "321204"), ["22", "71", "36", "22", "21"]);
    assert_eq!(vipunen("oulu", "321501"), ["10", "30", "15", "10", "10"]);
    assert_eq!(vipunen("oulu", "all"), ["32", "101", "51", "32", "31"]);
    assert_eq!(vipunen("helsinki", "321204"), ["21", "70", "38", "21", "21"]);
    // An option with start places and no applicants: zeros, published as such.
    assert_eq!(vipunen("helsinki", "324201"), ["5", "0", "0", "0", "0"]);
    assert_eq!(vipunen("all", "321204"), ["43", "141", "74", "43", "42"]);
    // A member with no option in Vipunen: none, against its return's figures: flagged.
    let tampere = table.iter().find(|r| r[1] == "tampere" && r[2] == "all").unwrap();
    assert_eq!(&tampere[3..8], ["0", "0", "0", "0", "0"]);
    assert_eq!(tampere[15], "true");
    // The survey's figures are the enrolment table's, cell for cell.
    let enrolment = w.csv("output/2025/tables/enrolment.csv");
    for r in table.iter().skip(1) {
        if let Some(e) = enrolment.iter().find(|e| e[0] == r[0] && e[1] == r[1] && e[2] == r[2] && e[6] == "survey") {
            assert_eq!([&r[8], &r[9], &r[10], &r[11]], [&e[7], &e[8], &e[9], &e[3]], "{r:?}");
        }
    }
    // Oulu's music ratio is the survey's over Vipunen's.
    let oulu = table.iter().find(|r| r[1] == "oulu" && r[2] == "321204").unwrap();
    let survey: f64 = oulu[9].parse().unwrap();
    assert_eq!(oulu[13].parse::<f64>().unwrap(), (survey / 71.0 * 1000.0).round() / 1000.0);
    // The association's own check holds every row unsuppressed.
    let check = w.csv("output/2025/checks/applicants.csv");
    assert_eq!(check.len(), table.len());
}

/// The reconciliation and its disclosure on a small hand-computed case: two members, music and
/// dance, one small count.
#[test]
fn the_reconciliation_flags_by_hand_and_hides_small_counts_with_company() {
    use kooste::stages::{disclose, transform};
    use polars::prelude::*;
    let members = df!(
        "member_id" => ["a", "b"], "provider_id" => ["1111111-1", "2222222-2"],
        "valid_from" => [None::<i32>, None], "valid_to" => [None::<i32>, None],
    )
    .unwrap();
    // Vipunen, decoded: start places, applicants, first-choice, selected, accepted, enrolled.
    let vipunen = df!(
        "year" => [2025, 2025, 2025, 2024], "provider_id" => ["1111111-1", "1111111-1", "2222222-2", "2222222-2"],
        "provider_name" => ["A", "A", "B", "B"], "qualification_code" => ["321204", "321501", "321204", "321204"],
        "options" => [2i64, 1, 1, 1],
        "start_places" => [10i64, 6, 12, 99], "applicants" => [40i64, 3, 30, 99], "first_choice_applicants" => [20i64, 2, 15, 99],
        "selected" => [13i64, 3, 13, 99], "accepted" => [12i64, 3, 12, 99], "enrolled" => [11i64, 3, 10, 99],
    )
    .unwrap();
    let students = df!(
        "year" => [2025, 2025, 2025, 2025], "member_id" => ["a", "a", "b", "b"],
        "qualification_code" => ["321204", "321501", "321204", "321501"],
        "start_places" => [10i64, 6, 12, 5], "applicants" => [40i64, 3, 36, 0], "first_choice_applicants" => [20i64, 2, 15, 0],
        "new_students" => [11i64, 3, 10, 0],
    )
    .unwrap();
    let codes = ["321204".to_owned(), "321501".to_owned()];
    let t = transform::applicants(vipunen.lazy(), students.lazy(), members.lazy(), &codes, 2025, 0.1).collect().unwrap();
    let key = |m: &str, q: &str| {
        let (mm, qq) = (t.column("member_id").unwrap().str().unwrap(), t.column("qualification_code").unwrap().str().unwrap());
        (0..t.height()).find(|i| mm.get(*i) == Some(m) && qq.get(*i) == Some(q)).unwrap_or_else(|| panic!("no row {m} {q}"))
    };
    let int = |c: &str, i: usize| t.column(c).unwrap().i64().unwrap().get(i);
    let flagged = |i: usize| t.column("flagged").unwrap().bool().unwrap().get(i);
    assert_eq!(t.height(), 9, "4 member × qualification rows, 2 member totals, 2 qualification totals, 1 grand total");
    // a: both sides agree. b music: 36 / 30 = 1.2 applicants, beyond 10 %. b dance: Vipunen has
    // no option, the return has 5 places: flagged; both have 0 applicants, which agree.
    assert_eq!((int("vipunen_applicants", key("a", "all")), int("survey_applicants", key("a", "all"))), (Some(43), Some(43)));
    assert_eq!(flagged(key("a", "321204")), Some(false));
    assert_eq!(flagged(key("a", "all")), Some(false));
    assert_eq!(t.column("applicants_ratio").unwrap().f64().unwrap().get(key("b", "321204")), Some(1.2));
    assert_eq!(flagged(key("b", "321204")), Some(true));
    assert_eq!((int("vipunen_start_places", key("b", "321501")), int("survey_start_places", key("b", "321501"))), (Some(0), Some(5)));
    assert_eq!(flagged(key("b", "321501")), Some(true));
    // The association: 70 against 76 applicants in music, within the tolerance; the 2024 row is
    // another start year.
    assert_eq!((int("vipunen_applicants", key("all", "321204")), int("survey_applicants", key("all", "321204"))), (Some(70), Some(76)));
    assert_eq!(flagged(key("all", "321204")), Some(false));

    // Disclosure, given the enrolment table as published (its survey rows, one hidden pair).
    let rows: Vec<(&str, &str)> = vec![("a", "321204"), ("a", "321501"), ("a", "all"), ("b", "321204"), ("b", "321501"), ("b", "all"), ("all", "321204"), ("all", "321501"), ("all", "all")];
    let n = rows.len();
    let hidden_pair = |m: &str, q: &str| m == "a" && q != "all";
    let enrolment = df!(
        "year" => vec![2025; n], "member_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "qualification_code" => rows.iter().map(|r| r.1).collect::<Vec<_>>(), "source" => vec!["survey"; n],
        "start_places" => rows.iter().map(|r| Some(int("survey_start_places", key(r.0, r.1)).unwrap())).collect::<Vec<_>>(),
        "applicants" => rows.iter().map(|r| (!hidden_pair(r.0, r.1)).then(|| int("survey_applicants", key(r.0, r.1)).unwrap())).collect::<Vec<_>>(),
        "applicants_flag" => rows.iter().map(|r| match r { ("a", "321501") => "1-4", ("a", "321204") => "..", _ => "" }).collect::<Vec<_>>(),
        "first_choice_applicants" => rows.iter().map(|r| int("survey_first_choice_applicants", key(r.0, r.1))).collect::<Vec<_>>(),
        "first_choice_applicants_flag" => vec![""; n],
        "new_students" => rows.iter().map(|r| int("survey_new_students", key(r.0, r.1))).collect::<Vec<_>>(),
        "new_students_flag" => vec![""; n],
    )
    .unwrap();
    let (d, suppressed, log) = disclose::applicants_table(t.clone(), &enrolment, 5, 3, None).unwrap();
    let s = |c: &str, i: usize| d.column(c).unwrap().str().unwrap().get(i).unwrap_or("").to_owned();
    let at = |m: &str, q: &str| key(m, q);
    // Vipunen's 3 applicants, first-choice 2, accepted 3, enrolled 3 of a's dance: small counts.
    for c in disclose::APPLICANT_PERSON_COUNTS {
        assert_eq!(s(&format!("{c}_flag"), at("a", "321501")), "1-4", "{c}");
        assert_eq!(d.column(c).unwrap().i64().unwrap().get(at("a", "321501")), None, "{c} is hidden, not published");
        // No sum of the table has exactly one hidden cell: every hidden count has company.
        let hidden = |m: &str, q: &str| !s(&format!("{c}_flag"), at(m, q)).is_empty();
        let sums: [&[(&str, &str)]; 5] = [
            &[("a", "321204"), ("a", "321501"), ("a", "all")],
            &[("b", "321204"), ("b", "321501"), ("b", "all")],
            &[("a", "321204"), ("b", "321204"), ("all", "321204")],
            &[("a", "321501"), ("b", "321501"), ("all", "321501")],
            &[("a", "all"), ("b", "all"), ("all", "all")],
        ];
        for sum in sums {
            assert_ne!(sum.iter().filter(|(m, q)| hidden(m, q)).count(), 1, "{c}: {sum:?}");
        }
    }
    // Start places are not persons: published.
    assert_eq!(d.column("vipunen_start_places").unwrap().i64().unwrap().get(at("a", "321501")), Some(6));
    // The survey's figures are the enrolment table's, symbols too.
    assert_eq!((s("survey_applicants_flag", at("a", "321501")), s("survey_applicants_flag", at("a", "321204"))), ("1-4".into(), "..".into()));
    assert_eq!(d.column("survey_applicants").unwrap().i64().unwrap().get(at("a", "321204")), None);
    // Ratios and the flag beside a hidden figure are hidden; the others published.
    assert_eq!(d.column("applicants_ratio").unwrap().f64().unwrap().get(at("a", "321501")), None);
    assert_eq!(s("applicants_ratio_flag", at("a", "321501")), "..");
    assert_eq!(d.column("flagged").unwrap().bool().unwrap().get(at("a", "321501")), None);
    assert_eq!(s("flagged_flag", at("a", "321501")), "..");
    assert_eq!(d.column("start_places_ratio").unwrap().f64().unwrap().get(at("a", "321501")), Some(1.0));
    assert_eq!(d.column("flagged").unwrap().bool().unwrap().get(at("b", "321501")), Some(true));
    assert!(suppressed.primary >= 4, "{suppressed:?}");
    assert!(log.iter().all(|l| l.table == "applicants") && log.iter().any(|l| l.cell == "year=2025;member_id=a;qualification_code=321501;column=vipunen_applicants"));
}

#[test]
fn the_bundled_sample_publishes_the_applicants_reconciliation() {
    let w = Workdir::with_sample();
    w.kooste_expect(&["run"], 0);
    let table = w.csv("output/2025/tables/applicants.csv");
    let members: std::collections::BTreeSet<&str> = table[1..].iter().map(|r| r[1].as_str()).filter(|m| *m != "all").collect();
    assert_eq!(members.len(), 16, "every member that returned");
    // The sample's Vipunen options add up to the returns' places and first choices, and to
    // their applicants within a few per cent: nothing beyond the tolerance.
    for r in &table[1..] {
        assert_eq!(r[0], "2025");
        assert_eq!(r[3], r[8], "start places {r:?}");
        assert_eq!(r[15], "false", "{r:?}");
        let ratio: f64 = r[13].parse().unwrap();
        assert!((0.95..=1.05).contains(&ratio), "{r:?}");
    }
    let all = table.iter().find(|r| r[1] == "all" && r[2] == "all").unwrap();
    let sum = |c: usize| table[1..].iter().filter(|r| r[1] != "all" && r[2] == "all").map(|r| r[c].parse::<i64>().unwrap()).sum::<i64>();
    assert_eq!(all[4].parse::<i64>().unwrap(), sum(4), "members add up to the association");
    // The localised tables carry it too, and the association's check is written.
    for lang in ["fi", "sv", "en"] {
        assert!(w.join(&format!("output/2025/{lang}/applicants.csv")).is_file(), "{lang}");
    }
    assert!(w.join("output/2025/checks/applicants.csv").is_file());
    // Its chart prints the applicants of every member and the association, survey and Vipunen.
    let mut expected: Vec<i64> =
        table[1..].iter().filter(|r| r[2] == "all").flat_map(|r| [r[9].parse::<i64>().unwrap(), r[4].parse().unwrap()]).collect();
    for lang in ["fi", "sv", "en"] {
        let svg = std::fs::read_to_string(w.join(&format!("output/2025/{lang}/charts/applicants_check-{lang}.svg"))).unwrap();
        let mut printed: Vec<i64> = svg
            .split("</text>")
            .filter_map(|chunk| chunk.rsplit_once('>').map(|(_, t)| t.trim().to_owned()))
            .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '\u{a0}' || c == ','))
            .map(|t| t.chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap())
            .collect();
        expected.sort_unstable();
        printed.sort_unstable();
        assert_eq!(printed, expected, "{lang}");
    }
}
