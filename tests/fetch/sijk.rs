//! A real-shaped StatFin `sijk/111l` (main activity one year after graduation) for the tests:
//! metadata with its six variables (after the June 2026 id change: `timeperiod_y`,
//! `koulutusaste_17_20180101`, `sukupuoli_1_20120101`, `maakunta_2_20130101`,
//! `koulutusala_1_20160101`, `contentscode`; fewer values than the real 14 × 3 × 21 × 13 × 26,
//! the same kinds), and a server that answers a json-stat2 query from a cube the way PxWeb
//! does: the variables asked for with the values asked for, a variable left out taken at its
//! total (elimination), an unknown variable or value HTTP 400.
//!
//! The cube holds Statistics Finland's published 2019 national figures for vocational upper
//! secondary qualifications (ammatillinen perustutkinto: 48 835 graduates; 69.8 % employed,
//! 7.0 % full-time students, 14.3 % unemployed, 8.9 % other) at level 32 × both sexes × whole
//! country × all fields; every other level, field, sex and region has other shares, so a query
//! that picks or sums the wrong one reads different figures.

use serde_json::{Value, json};
use wiremock::{Request, Respond, ResponseTemplate};

/// The table's URL path on the mock server.
pub const TABLE_PATH: &str = "/api/v1/fi/StatFin/sijk/111l.px";

/// Years of the cube.
pub const YEARS: [&str; 3] = ["2017", "2018", "2019"];

/// The published 2019 shares for vocational upper secondary, all fields, in per mille:
/// employed, students, unemployed, other.
pub const VOCATIONAL_2019: [u64; 4] = [698, 70, 143, 89];
/// The same level, field 02 (humanities and arts), in the cube.
pub const VOCATIONAL_02_2019: [u64; 4] = [558, 130, 183, 129];
/// Every level together, all fields (what a query without the level reads).
pub const ALL_LEVELS_2019: [u64; 4] = [612, 201, 102, 85];

fn variable(code: &str, text: &str, values: &[(&str, &str)], elimination: bool, time: bool) -> Value {
    let mut v = json!({
        "code": code, "text": text,
        "values": values.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
        "valueTexts": values.iter().map(|(_, t)| *t).collect::<Vec<_>>(),
    });
    if elimination {
        v["elimination"] = json!(true);
    }
    if time {
        v["time"] = json!(true);
    }
    v
}

/// The content codes of the table (10 of its 26), with their labels.
pub const CONTENTS: [(&str, &str); 10] = [
    ("tutkinto1vaiemmin", "Vuotta aiemmin tutkinnon suorittaneet"),
    ("tyollinen1vpaastayht", "Työlliset yhteensä"),
    ("tyollinen1vpaastayhtosuus", "Työlliset yhteensä, %"),
    ("tyollinen1vpaastaosuus", "Päätoimisesti työlliset, %"),
    ("opiskelija1vpaasta", "Päätoimiset opiskelijat"),
    ("opiskelija1vpaastaosuus", "Päätoimiset opiskelijat, %"),
    ("tyoton1vpaasta", "Työttömät"),
    ("tyoton1vpaastaosuus", "Työttömät, %"),
    ("tyollinenopiskelija1vpaastaosuus", "Työlliset opiskelijat, %"),
    ("muu1vpaastaosuus", "Muut, %"),
];

/// `sijk/111l`'s metadata (`GET` the table).
pub fn metadata() -> Value {
    let years: Vec<(&str, &str)> = YEARS.iter().map(|y| (*y, *y)).collect();
    json!({"title": "Tutkinnon suorittaneiden pääasiallinen toiminta vuoden kuluttua valmistumisesta", "variables": [
        variable("timeperiod_y", "Vuosi", &years, false, true),
        variable("koulutusaste_17_20180101", "Koulutusaste", &[
            ("SSS", "Yhteensä"), ("3", "Toinen aste"), ("31", "Ylioppilastutkinto"), ("32", "Ammatillinen perustutkinto"),
            ("33", "Ammattitutkinto"), ("34", "Erikoisammattitutkinto"), ("62", "Ammattikorkeakoulututkinto"),
            ("63", "Alempi korkeakoulututkinto"), ("72", "Ylempi ammattikorkeakoulututkinto"), ("73", "Ylempi korkeakoulututkinto"),
        ], true, false),
        variable("sukupuoli_1_20120101", "Sukupuoli", &[("SSS", "Yhteensä"), ("1", "Miehet"), ("2", "Naiset")], true, false),
        variable("maakunta_2_20130101", "Asuinmaakunta", &[
            ("SSS", "KOKO MAA"), ("MK01", "Uusimaa"), ("MK02", "Varsinais-Suomi"), ("MK04", "Satakunta"),
            ("MK06", "Pirkanmaa"), ("MK17", "Pohjois-Pohjanmaa"), ("MK21", "Ahvenanmaa"),
        ], true, false),
        variable("koulutusala_1_20160101", "Koulutusala", &[
            ("SSS", "Yhteensä"), ("00", "Yleissivistävä koulutus"), ("01", "Kasvatusalat"), ("02", "Humanistiset ja taidealat"),
            ("03", "Yhteiskunnalliset alat"), ("04", "Kauppa, hallinto ja oikeustieteet"), ("05", "Luonnontieteet"),
            ("06", "Tietojenkäsittely ja tietoliikenne (ICT)"), ("07", "Tekniikan alat"), ("08", "Maa- ja metsätalousalat"),
            ("09", "Terveys- ja hyvinvointialat"), ("10", "Palvelualat"), ("99", "Tuntematon"),
        ], true, false),
        variable("contentscode", "Tiedot", &CONTENTS, false, false),
    ]})
}

/// A small deterministic spread for the cells that are not the oracle's.
fn spread(key: &str) -> u64 {
    key.bytes().fold(17u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))) % 40
}

/// Shares (per mille: employed, students, unemployed, other) and graduates of one cell.
pub fn cell(level: &str, sex: &str, region: &str, field: &str, year: &str) -> ([u64; 4], u64) {
    let mut p: [i64; 4] = match (level, field) {
        ("32", "SSS") => VOCATIONAL_2019.map(|v| v as i64),
        ("32", "02") => VOCATIONAL_02_2019.map(|v| v as i64),
        ("SSS", "SSS") => ALL_LEVELS_2019.map(|v| v as i64),
        ("SSS", "02") => [472, 261, 142, 125],
        (l, f) => {
            let s = spread(&format!("{l}/{f}")) as i64;
            [560 + s, 160 - s / 2, 150 - s / 2, 130]
        }
    };
    // A sex or a region other than the total moves people between employed and unemployed.
    let shift = if sex == "SSS" && region == "SSS" { 0 } else { 5 + spread(&format!("{sex}/{region}")) as i64 };
    let back = match year {
        "2019" => 0,
        "2018" => 12,
        _ => 25,
    };
    p[0] -= shift + back;
    p[2] += shift + back;
    let graduates = match (level, field, sex, region, year) {
        ("32", "SSS", "SSS", "SSS", "2019") => 48_835,
        _ => 1_000 + 37 * spread(&format!("{level}{field}{sex}{region}{year}")),
    };
    (p.map(|v| v as u64), graduates)
}

/// The value of a content code in a cell.
fn content(code: &str, shares: [u64; 4], graduates: u64) -> f64 {
    let n = |pm: u64| (graduates as f64 * pm as f64 / 1000.0).round();
    let pct = |pm: u64| pm as f64 / 10.0;
    match code {
        "tutkinto1vaiemmin" => graduates as f64,
        "tyollinen1vpaastayht" => n(shares[0]),
        "tyollinen1vpaastayhtosuus" => pct(shares[0]),
        "tyollinen1vpaastaosuus" => pct(shares[0] - 61),
        "opiskelija1vpaasta" => n(shares[1]),
        "opiskelija1vpaastaosuus" => pct(shares[1]),
        "tyoton1vpaasta" => n(shares[2]),
        "tyoton1vpaastaosuus" => pct(shares[2]),
        "tyollinenopiskelija1vpaastaosuus" => 5.2,
        "muu1vpaastaosuus" => pct(shares[3]),
        other => panic!("no content {other}"),
    }
}

/// Answers `GET` with the metadata and `POST` with the json-stat2 cells of the query.
pub struct Cube;

impl Respond for Cube {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let meta = metadata();
        if request.method.as_str() == "GET" {
            return ResponseTemplate::new(200).set_body_json(meta);
        }
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return ResponseTemplate::new(400).set_body_string("Invalid query");
        };
        let asked: Vec<(String, Vec<String>)> = body["query"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|q| {
                let values = q["selection"]["values"].as_array().cloned().unwrap_or_default();
                (q["code"].as_str().unwrap_or("").to_owned(), values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            })
            .collect();
        let vars = meta["variables"].as_array().unwrap().clone();
        // Per variable: the codes in the answer, or None when it is eliminated (its total).
        let mut dims: Vec<(String, Option<Vec<String>>)> = Vec::new();
        for (code, values) in &asked {
            let Some(var) = vars.iter().find(|v| v["code"] == code.as_str()) else {
                return ResponseTemplate::new(400).set_body_string(format!("Parameter error: unknown variable {code}"));
            };
            if let Some(bad) = values.iter().find(|v| !var["values"].as_array().unwrap().iter().any(|x| x == v.as_str())) {
                return ResponseTemplate::new(400).set_body_string(format!("Parameter error: {code} has no value {bad}"));
            }
        }
        for var in &vars {
            let code = var["code"].as_str().unwrap().to_owned();
            let all: Vec<String> = var["values"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
            match asked.iter().find(|(c, _)| *c == code) {
                Some((_, values)) => dims.push((code, Some(values.clone()))),
                None if var["elimination"] == true => dims.push((code, None)),
                None => dims.push((code, Some(all))),
            }
        }
        let shown: Vec<&(String, Option<Vec<String>>)> = dims.iter().filter(|(_, v)| v.is_some()).collect();
        let sizes: Vec<usize> = shown.iter().map(|(_, v)| v.as_ref().unwrap().len()).collect();
        let total: usize = sizes.iter().product();
        let mut values = Vec::with_capacity(total);
        for flat in 0..total {
            let mut at = std::collections::BTreeMap::new();
            let mut rest = flat;
            for (k, (code, v)) in shown.iter().enumerate().rev() {
                let v = v.as_ref().unwrap();
                at.insert(code.as_str(), v[rest % sizes[k]].as_str());
                rest /= sizes[k];
            }
            let get = |prefix: &str| dims.iter().find(|(c, _)| c.starts_with(prefix)).and_then(|(c, _)| at.get(c.as_str()).copied()).unwrap_or("SSS");
            let (shares, graduates) = cell(get("koulutusaste"), get("sukupuoli"), get("maakunta"), get("koulutusala"), get("timeperiod"));
            values.push(json!(content(get("contentscode"), shares, graduates)));
        }
        let mut dimension = serde_json::Map::new();
        for (code, v) in &shown {
            let var = vars.iter().find(|x| x["code"] == code.as_str()).unwrap();
            let codes = v.as_ref().unwrap();
            let label_of = |c: &str| {
                let i = var["values"].as_array().unwrap().iter().position(|x| x == c).unwrap();
                var["valueTexts"][i].clone()
            };
            dimension.insert(
                code.clone(),
                json!({"label": var["text"], "category": {
                    "index": codes.iter().enumerate().map(|(i, c)| (c.clone(), json!(i))).collect::<serde_json::Map<_, _>>(),
                    "label": codes.iter().map(|c| (c.clone(), label_of(c))).collect::<serde_json::Map<_, _>>(),
                }}),
            );
        }
        ResponseTemplate::new(200).set_body_json(json!({
            "version": "2.0", "class": "dataset", "label": meta["title"], "source": "Tilastokeskus",
            "updated": "2020-12-10T06:00:00Z", "note": [". tieto puuttuu"],
            "id": shown.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), "size": sizes,
            "role": {"time": ["timeperiod_y"], "metric": ["contentscode"]},
            "dimension": dimension, "value": values,
        }))
    }
}
