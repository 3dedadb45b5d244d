//! The sample's Statistics Finland `sijk/111l` snapshot: the json-stat2 answer to the pipeline's
//! query, with synthetic values.

use serde_json::{Value, json};

use super::Rng;
use crate::config::Config;

/// A json-stat2 dataset in the shape of StatFin's answer to the pipeline's `sijk/111l` query:
/// the six variables, with one value each for level (vocational upper secondary), sex (total)
/// and region (whole country), field 02 and the total of all fields, the years, and the
/// content codes of the activities (counts and shares, in per cent to one decimal), with
/// synthetic values. The four shares add up to 100.
pub fn statfin_placement(config: &Config, rng: &mut Rng) -> Value {
    let years: Vec<String> = (config.pipeline.first_year..config.year).map(|y| y.to_string()).collect();
    let fields = [("02", "Humanistiset ja taidealat"), ("SSS", "Yhteensä")];
    let contents = [
        ("tutkinto1vaiemmin", "Edellisenä vuonna tutkinnon suorittaneet (lkm)"),
        ("tyollinen1vpaastayht", "Työlliset yhteensä (lkm)"),
        ("tyollinen1vpaastayhtosuus", "Työlliset yhteensä (%)"),
        ("opiskelija1vpaasta", "Päätoimiset opiskelijat (lkm)"),
        ("opiskelija1vpaastaosuus", "Päätoimiset opiskelijat (%)"),
        ("tyoton1vpaasta", "Työttömät (lkm)"),
        ("tyoton1vpaastaosuus", "Työttömät (%)"),
        ("muu1vpaastaosuus", "Muut (%)"),
    ];
    let mut values = Vec::new();
    for (field, _) in &fields {
        for _ in &years {
            let graduates = if *field == "02" { 2_400 + rng.range(0, 300) } else { 46_000 + rng.range(0, 4_000) };
            // Employed, students, unemployed in per mille; other is the rest.
            let base = if *field == "02" { [560, 130, 180] } else { [690, 70, 140] };
            let p: Vec<u64> = base.iter().map(|b| b - 15 + rng.range(0, 30)).collect();
            let other = 1000 - p.iter().sum::<u64>();
            let count = |pm: u64| (graduates as f64 * pm as f64 / 1000.0).round();
            let pct = |pm: u64| pm as f64 / 10.0;
            values.extend([
                json!(graduates),
                json!(count(p[0])),
                json!(pct(p[0])),
                json!(count(p[1])),
                json!(pct(p[1])),
                json!(count(p[2])),
                json!(pct(p[2])),
                json!(pct(other)),
            ]);
        }
    }
    let dim = |label: &str, cats: &[(&str, &str)]| {
        let index: serde_json::Map<String, Value> = cats.iter().enumerate().map(|(i, (c, _))| (c.to_string(), json!(i))).collect();
        let labels: serde_json::Map<String, Value> = cats.iter().map(|(c, l)| (c.to_string(), json!(l))).collect();
        json!({"label": label, "category": {"index": index, "label": labels}})
    };
    let year_cats: Vec<(&str, &str)> = years.iter().map(|y| (y.as_str(), y.as_str())).collect();
    let id = ["koulutusaste_17_20180101", "sukupuoli_1_20120101", "maakunta_2_20130101", "koulutusala_1_20160101", "timeperiod_y", "contentscode"];
    json!({
        "version": "2.0", "class": "dataset",
        "label": "Tutkinnon suorittaneiden pääasiallinen toiminta vuoden kuluttua valmistumisesta (SYNTEETTINEN ESIMERKKI)",
        "source": "Tilastokeskus (synteettinen esimerkki)", "updated": format!("{}-12-10T06:00:00Z", config.year),
        "note": [". puuttuva tieto"],
        "id": id,
        "size": [1, 1, 1, fields.len(), years.len(), contents.len()],
        "role": {"time": ["timeperiod_y"], "metric": ["contentscode"]},
        "dimension": {
            "koulutusaste_17_20180101": dim("Koulutusaste", &[("32", "Ammatillinen perustutkinto")]),
            "sukupuoli_1_20120101": dim("Sukupuoli", &[("SSS", "Yhteensä")]),
            "maakunta_2_20130101": dim("Asuinmaakunta", &[("SSS", "KOKO MAA")]),
            "koulutusala_1_20160101": dim("Koulutusala", &fields),
            "timeperiod_y": dim("Vuosi", &year_cats),
            "contentscode": dim("Tiedot", &contents),
        },
        "value": values,
    })
}

/// The query that asks for exactly a dataset's cells (as the provenance of a real answer
/// records it): each dimension's values, by item.
pub(super) fn query_of(ds: &Value) -> String {
    let dims = ds["id"].as_array().cloned().unwrap_or_default();
    let query: Vec<Value> = dims
        .iter()
        .filter_map(Value::as_str)
        .map(|d| {
            let index = ds["dimension"][d]["category"]["index"].as_object().cloned().unwrap_or_default();
            let mut codes: Vec<(&String, u64)> = index.iter().map(|(c, i)| (c, i.as_u64().unwrap_or(0))).collect();
            codes.sort_by_key(|(_, i)| *i);
            json!({"code": d, "selection": {"filter": "item", "values": codes.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>()}})
        })
        .collect();
    json!([{"query": query, "response": {"format": "json-stat2"}}]).to_string()
}
